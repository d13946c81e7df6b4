"""The dependencies collector: Django's support status and CVEs, and pip-audit's findings.

It gathers, judging nothing:

* golive's shipped Django tables (``golive/data/django_releases.json`` and
  ``django_cves.json``, written by ``golive update-data``) and how old they are;
* the latest patch release of each Django series from PyPI's project JSON
  (``https://pypi.org/pypi/Django/json``, 3 s timeout; an answer is kept for
  ``releases_cache_hours``, default 12, in ``$XDG_CACHE_HOME/golive/pypi-django.json``),
  else from the shipped table, saying which;
* the distributions installed in the project's environment (``--python``): the runtime
  probe lists ``importlib.metadata`` in that interpreter while it runs anyway
  (``RuntimeFacts.packages``; this collector ``uses`` the runtime facts), else, without
  them (``--no-runtime``, settings that do not load), a subprocess of that interpreter
  started as the collector starts does, or golive's cache of its earlier answer for the same
  installed distributions (``environment_cache_hours``, default 12:
  :mod:`golive.collectors.dependencies.environment`); and the exact pins of the
  requirements files (``ProjectFacts.dependencies``);
* pip-audit (https://pypi.org/project/pip-audit/) run in a subprocess with a timeout
  over those pins (``--no-deps --disable-pip``, JSON output). pip-audit prints "No
  known vulnerabilities found" even when it could query nothing: its per-package
  ``skip_reason`` entries are read instead, so a package it could not check is recorded
  as not checked, and a service that answered for no package at all (or crashed) makes
  the audit ``unavailable`` with that reason.

Network: unless ``--offline``, this is the one collector that calls out on every audit
(the live site aside): PyPI's project JSON (when its disk cache is older than
``releases_cache_hours``) and, through pip-audit, the PyPI or OSV vulnerability service
(when golive's pip-audit cache has no recent answer for the same pins). The calls made are
listed in the report (``DependencyFacts.network``). ``--offline`` makes none: the latest
releases come from an earlier PyPI answer cached on disk, whatever its age, else from the
shipped table; vulnerabilities only from golive's cache of earlier pip-audit answers (else
the audit says pip-audit was unavailable, and why).

Configuration (``[tool.golive.dependencies]``): ``audit = false`` switches pip-audit
off; ``service`` (``pypi`` or ``osv``), ``osv_url`` (an OSV mirror), ``timeout``
(seconds, default 120) and ``cache_minutes`` (default 60; pip-audit results are kept
in ``$XDG_CACHE_HOME/golive/pip-audit`` keyed by the exact package list, a service that
did not answer for 10 minutes at most).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from golive.collectors import CollectorError, CollectorSpec
from golive.collectors.dependencies.environment import Listing
from golive.collectors.dependencies.pip_audit import audit_packages
from golive.context import AuditContext
from golive.data.tables import TablesError, load_tables, series_of
from golive.facts.dependencies import AuditResult, DependencyFacts, Package, canonical
from golive.facts.runtime import RuntimeFacts
from golive.own_files import user_cache
from golive.registry import Facts

PYPI_JSON = "https://pypi.org/pypi/Django/json"

# --- PyPI ------------------------------------------------------------------------------

_PYPI_MEMO: dict[str, tuple[float, dict[str, str] | str]] = {}
_PYPI_LOCK = threading.Lock()


def _read_release_cache(cache: Path, max_age: float) -> tuple[dict[str, str], float] | None:
    """(series → latest, age in seconds) from the disk cache when younger than ``max_age``."""
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        age = time.time() - float(stored["at"])
        latest = stored["latest"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if stored.get("url") != PYPI_JSON or not 0 <= age < max_age or not isinstance(latest, dict):
        return None
    return {str(k): str(v) for k, v in latest.items()}, age


def _write_release_cache(cache: Path, latest: dict[str, str]) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"at": time.time(), "url": PYPI_JSON, "latest": latest}), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass


def latest_patches(
    timeout: float = 3.0, *, cache: Path | None = None, max_age: float = 0.0
) -> dict[str, str] | str:
    """Series → latest final release from PyPI's project JSON, or the error as a string.

    Answers are kept for 10 minutes in this process (an audit run asks once) and, with
    ``cache``, on disk for ``max_age`` seconds (an error is never kept on disk).
    """
    with _PYPI_LOCK:
        memo = _PYPI_MEMO.get(PYPI_JSON)
        if memo and time.monotonic() - memo[0] < 600:
            return memo[1]
        if cache is not None and max_age > 0 and (hit := _read_release_cache(cache, max_age)) is not None:
            return hit[0]
        result = _fetch_latest(timeout)
        _PYPI_MEMO[PYPI_JSON] = (time.monotonic(), result)
        if cache is not None and max_age > 0 and isinstance(result, dict):
            _write_release_cache(cache, result)
        return result


def _fetch_latest(timeout: float) -> dict[str, str] | str:
    import httpx
    from packaging.version import InvalidVersion, Version

    result: dict[str, str] | str
    try:
        response = httpx.get(PYPI_JSON, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
        releases = response.json().get("releases") or {}
        result = {}
        for text, files in releases.items():
            try:
                version = Version(text)
            except InvalidVersion:
                continue
            if version.is_prerelease or not any(not f.get("yanked") for f in files):
                continue
            series = series_of(text)
            if series not in result or Version(result[series]) < version:
                result[series] = text
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        result = f"{type(exc).__name__}: {exc}".strip()[:200]
    return result


# --- the environment ---------------------------------------------------------------------


def list_environment(python: str, env: dict[str, str], timeout: float = 60.0) -> tuple[Package, ...]:
    """The distributions installed for ``python`` (a subprocess, no cache). Raises
    :class:`CollectorError`."""
    return packages_from_listing(Listing(python, env, timeout, None, 0).result())


def packages_from_listing(listing: Iterable[Sequence[Any]]) -> tuple[Package, ...]:
    """Packages from ``[name, version, PEP 610 direct_url]`` rows, one per PEP 503 name, sorted."""
    seen: dict[str, Package] = {}
    for name, version, direct in listing:
        url = None
        if isinstance(direct, dict) and ("dir_info" in direct or "vcs_info" in direct):
            url = str(direct.get("url", "")) or "a local directory"
        seen.setdefault(canonical(name), Package(name=canonical(name), version=str(version), direct_url=url))
    return tuple(sorted(seen.values(), key=lambda p: p.name))


def requirement_pins(ctx: AuditContext) -> tuple[tuple[Package, ...], tuple[Package, ...]]:
    """(exact pins ``name==version``, other requirement lines) of the project's requirements
    files; for the latter ``version`` holds the specifier (``>=5.2``, or empty)."""
    from golive.collectors import project

    pins: list[Package] = []
    loose: list[Package] = []
    for dep in project.collect(ctx).dependencies:
        match = re.fullmatch(r"===?\s*([0-9][\w.+!-]*)", dep.specifier.strip())
        exact = bool(match) and "*" not in (match.group(1) if match else "")
        pkg = Package(
            name=canonical(dep.name),
            version=match.group(1) if match and exact else dep.specifier.strip(),
            origin=str(dep.location),
            location=dep.location,
        )
        (pins if exact else loose).append(pkg)
    return tuple(pins), tuple(loose)


# --- pip-audit -------------------------------------------------------------------------


def _cache_dir(env: dict[str, str]) -> Path:
    return user_cache(env) / "pip-audit"


def start_listing(ctx: AuditContext, facts: Facts | None) -> Listing | None:
    """None when the runtime probe listed the installed distributions, else their
    :class:`~golive.collectors.dependencies.environment.Listing` for ``ctx.python`` (started
    now, or kept in golive's cache: ``environment_cache_hours``, default 12)."""
    runtime = facts.get(RuntimeFacts) if facts is not None else None
    if runtime is not None and runtime.packages is not None:
        return None
    hours = ctx.config.section("dependencies").get("environment_cache_hours", 12)
    try:
        max_age = float(hours) * 3600
    except (TypeError, ValueError):
        max_age = 12 * 3600.0
    return Listing(ctx.python, ctx.env, 60.0, user_cache(ctx.env) / "environments", max_age)


def environment_packages(
    ctx: AuditContext, facts: Facts | None, listing: Listing | None = None
) -> tuple[tuple[Package, ...], str | None]:
    """(installed distributions, why they could not be listed): from the runtime probe's
    listing when it ran, else from ``listing`` (:func:`start_listing`; started now when None)."""
    runtime = facts.get(RuntimeFacts) if facts is not None else None
    if runtime is not None and runtime.packages is not None:
        return packages_from_listing(runtime.packages), None
    try:
        return packages_from_listing(
            (listing or start_listing(ctx, facts) or Listing(ctx.python, ctx.env, 60.0, None, 0)).result()
        ), None
    except CollectorError as exc:
        return (), str(exc)


def collect(ctx: AuditContext, facts: Facts | None = None) -> DependencyFacts:
    """Gather the tables, PyPI's latest patches, the environment, the pins and pip-audit's answer.

    The listing of the installed distributions, when the runtime probe did not make it, is
    started first and runs while the rest is read (:func:`start_listing`)."""
    listing = start_listing(ctx, facts)
    try:
        return _collect(ctx, facts, listing)
    finally:
        if listing is not None:
            listing.close()


def _collect(ctx: AuditContext, facts: Facts | None, listing: Listing | None) -> DependencyFacts:
    config = ctx.config.section("dependencies")
    try:
        tables = load_tables()
    except TablesError as exc:
        raise CollectorError(str(exc)) from None
    hours = float(config.get("releases_cache_hours", 12))
    offline = bool(getattr(ctx.options, "offline", False))
    release_cache = user_cache(ctx.env) / "pypi-django.json"
    network: list[str] = []
    latest: dict[str, str] | str
    if offline:  # no call: an answer PyPI gave earlier, whatever its age, else the shipped table
        hit = _read_release_cache(release_cache, float("inf"))
        latest = hit[0] if hit else "--offline, and no earlier PyPI answer cached"
    else:
        fresh = _read_release_cache(release_cache, hours * 3600) is not None or PYPI_JSON in _PYPI_MEMO
        latest = latest_patches(cache=release_cache, max_age=hours * 3600)
        if not fresh:
            network.append(f"GET {PYPI_JSON} (Django's latest releases)")
    if isinstance(latest, dict):
        latest_map, source = (
            latest,
            f"PyPI ({PYPI_JSON})" + (", cached answer (--offline)" if offline else ""),
        )
    else:
        latest_map = {r.series: r.latest for r in tables.releases if r.latest}
        source = f"golive's table of {tables.generated} (PyPI unreachable: {latest})"
        if offline:
            source = f"golive's table of {tables.generated} ({latest})"
    try:
        pins, loose = requirement_pins(ctx)
    except Exception:
        pins, loose = (), ()
    environment, env_error = environment_packages(ctx, facts, listing)
    if config.get("audit", True) is False:
        audit = AuditResult(unavailable="pip-audit switched off ([tool.golive.dependencies] audit = false)")
    else:
        env_keys = {(p.name, p.version) for p in environment}
        extra: dict[str, Package] = {}
        for pin in pins:
            if (pin.name, pin.version) not in env_keys:
                extra.setdefault(pin.name, pin)
        cache_minutes = float(config.get("cache_minutes", 60))
        audit = audit_packages(
            [environment, tuple(extra.values())],
            service=str(config.get("service", "pypi")),
            osv_url=config.get("osv_url"),
            timeout=float(config.get("timeout", 120)),
            cache=_cache_dir(ctx.env) if cache_minutes > 0 or offline else None,
            cache_minutes=cache_minutes,
            offline=offline,
        )
        if audit.queried:
            where = config.get("osv_url") or (
                "https://api.osv.dev" if audit.service == "osv" else "https://pypi.org"
            )
            network.append(
                f"pip-audit queried the {audit.service} vulnerability service ({where}),"
                f" {audit.queried} run(s)"
            )
        if env_error and audit.unavailable is None and not environment:
            audit = AuditResult(unavailable=env_error)
        installed = {p.name for p in environment} | {p.name for p in pins}
        unresolved = {p.name: p for p in loose if p.name not in installed}
        if unresolved and audit.unavailable is None:
            reason = f"not pinned and not installed for {ctx.python}: pin it (name==X.Y.Z) to have it checked"
            extra_skips = tuple((p, reason) for p in unresolved.values())
            audit = replace(audit, not_checked=audit.not_checked + extra_skips)
    return DependencyFacts(
        tables=tables,
        latest=latest_map,
        latest_source=source,
        python=ctx.python,
        environment=environment,
        environment_error=env_error,
        pins=pins,
        audit=audit,
        today=ctx.started.date(),
        network=tuple(network),
        offline=offline,
    )


SPEC = CollectorSpec(
    name="dependencies",
    produces=DependencyFacts,
    collect=collect,
    description="Django's support status and CVEs (golive's tables, PyPI), pip-audit",
    uses=(RuntimeFacts,),
    alongside=True,  # PyPI (unless golive's cache answers) and pip-audit
)
