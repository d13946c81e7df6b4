"""pip-audit over the project's pins, in a subprocess with a timeout, and golive's cache of its
answers (https://pypi.org/project/pip-audit/). Part of the dependencies collector
(:mod:`golive.collectors.dependencies`, which documents what is read and what is called).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from golive import processes
from golive.facts.dependencies import AuditResult, Package, Vulnerability, canonical


def run_pip_audit(
    packages: tuple[Package, ...], service: str, osv_url: str | None, timeout: float
) -> dict[str, Any]:
    """One pip-audit run over exact pins: ``{"json": ..., "error": ...}`` (never raises)."""
    with tempfile.TemporaryDirectory(prefix="golive-pip-audit-") as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text("".join(f"{p.name}=={p.version}\n" for p in packages), encoding="utf-8")
        cmd = [
            sys.executable, "-m", "pip_audit", "-r", str(req), "--no-deps", "--disable-pip",
            "-f", "json", "--progress-spinner", "off", "--timeout", "15", "-s", service,
        ]  # fmt: skip
        if osv_url:
            cmd += ["--osv-url", osv_url]
        try:
            done = processes.run(cmd, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"pip-audit did not finish within {timeout:g} s"}
        except OSError as exc:
            return {"error": f"cannot run pip-audit: {exc.strerror}"}
    stderr = done.stderr.decode("utf-8", "replace")
    try:
        return {"json": json.loads(done.stdout)}
    except ValueError:
        lines = [ln for ln in stderr.strip().splitlines() if ln.strip() and not ln.startswith("WARNING")]
        last = lines[-1] if lines else f"exit status {done.status}"
        if "No module named pip_audit" in stderr:
            return {"error": "pip-audit is not installed: pip install pip-audit"}
        return {"error": f"pip-audit failed: {last.strip()[:300]}"}


def cached_run(
    packages: tuple[Package, ...],
    service: str,
    osv_url: str | None,
    timeout: float,
    cache: Path,
    ttl: float,
    offline: bool = False,
) -> tuple[dict[str, Any], float | None]:
    """:func:`run_pip_audit`, answered from the cache when a recent run saw the same pins
    (``offline``: from the cache whatever its age, never a run: pip-audit would query the
    service)."""
    key_text = json.dumps([service, osv_url, sorted(f"{p.name}=={p.version}" for p in packages)])
    path = cache / (hashlib.sha256(key_text.encode()).hexdigest()[:32] + ".json")
    now = time.time()
    if offline:
        ttl = float("inf")
    if ttl > 0:
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            limit = ttl if "json" in stored["result"] and _answered(stored["result"]) else min(ttl, 600)
            if now - float(stored["at"]) < limit:
                return stored["result"], (now - float(stored["at"])) / 60
        except (OSError, ValueError, KeyError, TypeError):
            pass
    if offline:
        return {"error": "--offline: no cached pip-audit answer for these packages"}, None
    result = run_pip_audit(packages, service, osv_url, timeout)
    if ttl > 0:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"at": now, "result": result}), encoding="utf-8")
        except OSError:
            pass
    return result, None


def _answered(result: dict[str, Any]) -> bool:
    deps = (result.get("json") or {}).get("dependencies") or []
    return any("skip_reason" not in d for d in deps)


def audit_packages(
    groups: list[tuple[Package, ...]],
    *,
    service: str = "pypi",
    osv_url: str | None = None,
    timeout: float = 120.0,
    cache: Path | None = None,
    cache_minutes: float = 60.0,
    offline: bool = False,
) -> AuditResult:
    """Run pip-audit over each group of packages (each name at most once per group);
    ``offline``: only golive's cache of earlier answers (:func:`cached_run`)."""
    checked: list[Package] = []
    vulns: list[Vulnerability] = []
    skipped: list[tuple[Package, str]] = []
    for group in groups:
        for local in group:
            if local.direct_url:
                skipped.append(
                    (
                        local,
                        f"installed from {local.direct_url}: not a release any vulnerability database knows",
                    )
                )
    groups = [tuple(p for p in group if not p.direct_url) for group in groups]
    errors: list[str] = []
    ages: list[float] = []
    total = queried = 0
    for group in groups:
        if not group:
            continue
        total += len(group)
        ttl = cache_minutes * 60 if cache is not None else 0
        result, age = cached_run(group, service, osv_url, timeout, cache or Path("."), ttl, offline)
        if age is not None:
            ages.append(age)
        elif not offline:
            queried += 1
        if "error" in result:
            errors.append(result["error"])
            skipped.extend((p, str(result["error"])) for p in group)
            continue
        by_name = {p.name: p for p in group}
        for dep in result["json"].get("dependencies", []):
            pkg = by_name.get(canonical(dep.get("name", "")))
            if pkg is None:
                continue
            if "skip_reason" in dep:
                skipped.append((pkg, str(dep["skip_reason"])))
                continue
            checked.append(pkg)
            for v in dep.get("vulns", []):
                vulns.append(
                    Vulnerability(
                        package=pkg,
                        id=str(v.get("id")),
                        aliases=tuple(v.get("aliases") or ()),
                        fix_versions=tuple(v.get("fix_versions") or ()),
                        description=" ".join(str(v.get("description") or "").split())[:300],
                    )
                )
    unavailable = None
    if errors and not checked:
        unavailable = errors[0]
    elif total and not checked:
        service_skips = [r for p, r in skipped if not p.direct_url]
        reason = service_skips[0] if service_skips else "no answer"
        unavailable = (
            f"the {service} vulnerability service answered for none of the {total} packages"
            f" (pip-audit: {reason})"
        )
    return AuditResult(
        service=service,
        unavailable=unavailable,
        checked=tuple(checked),
        vulnerabilities=tuple(vulns),
        not_checked=tuple(skipped),
        cached_minutes=max(ages) if ages else None,
        queried=queried,
    )
