"""``golive update-data``: regenerate golive's shipped Django tables from Django itself.

Three files under ``golive/data/`` are written:

``django_releases.json``
    Every release series from 4.2 LTS on: release date, end of mainstream and of
    extended support, LTS flag and latest patch release. Release dates and latest
    patches come from PyPI's project JSON (``https://pypi.org/pypi/Django/json``, the
    upload time of each final release). Announced support ends come from
    :data:`ROADMAP`, transcribed from Django's published roadmap (the "Supported
    versions" table and roadmap of https://www.djangoproject.com/download/, whose data
    is ``tools/releases.json`` in the django/djangoproject.com repository) and, for the
    calendar versions that start in 2028, from DEP 20 "Annual Release Cycle"
    (https://github.com/django/deps/blob/main/accepted/0020-annual-release-cycle.rst).
    Once an end has passed, the announced month is replaced by the day PyPI shows
    (the next feature release for mainstream support, the series' last release for
    extended support), as the download page itself does.

``django_cves.json``
    Every CVE in Django's own security archive: ``docs/releases/security.txt`` of the
    newest Django sdist (fetched with ``pip download django==X --no-deps --no-binary
    :all:``), read with docutils. Each CVE maps the series it lists as affected to the
    release that fixed it, found in that series' release notes
    (``docs/releases/X.Y.Z.txt``): the note with a ``CVE-…`` section heading, else the
    note released on the disclosure date. Django's own severity rating ("low",
    "moderate", "high") is taken from the note where it states one.

``django_checks.json``
    Every id of Django's check reference (``docs/ref/checks.txt``) of each supported series'
    latest sdist: level, text, section and its anchor
    (:mod:`golive.commands.django_checks_data`).

Errors: :class:`UpdateError` with a one-line message (PyPI unreachable, pip failed,
the sdist has no security archive).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from golive.commands.django_docs import (
    ReleaseNote,
    UpdateError,
    parse_release_note,
    parse_security_archive,
    read_sdist,
)
from golive.data.tables import series_of

PYPI_JSON = "https://pypi.org/pypi/Django/json"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
RELEASES_FILE = "django_releases.json"
CVES_FILE = "django_cves.json"
SCHEMA = 1

DOWNLOAD_PAGE = "https://www.djangoproject.com/download/#supported-versions"
ROADMAP_DATA = "https://github.com/django/djangoproject.com/blob/main/tools/releases.json"
DEP20 = "https://github.com/django/deps/blob/main/accepted/0020-annual-release-cycle.rst"

#: Announced support windows: series → (LTS, end of mainstream, end of extended support,
#: source). Month precision ("2028-04") means "during that month", as Django announces
#: them. 4.2–6.2 from Django's roadmap (download page / ``tools/releases.json``); 2028
#: from DEP 20: released January 2028, mainstream support until the December of the
#: same year, extended support until the December two years later (35 months).
ROADMAP: dict[str, tuple[bool, str, str, str]] = {
    "4.2": (True, "2023-12", "2026-04", ROADMAP_DATA),
    "5.0": (False, "2024-08", "2025-04", DOWNLOAD_PAGE),
    "5.1": (False, "2025-04", "2025-12", ROADMAP_DATA),
    "5.2": (True, "2025-12", "2028-04", ROADMAP_DATA),
    "6.0": (False, "2026-08", "2027-04", ROADMAP_DATA),
    "6.1": (False, "2027-04", "2027-12", ROADMAP_DATA),
    "6.2": (True, "2027-12", "2030-04", ROADMAP_DATA + " and " + DEP20 + " (Transition)"),
    "2028": (False, "2028-12", "2030-12", DEP20),
}
#: Announced release months of series not yet released (the roadmap, DEP 20).
ANNOUNCED_RELEASE = {"6.2": "2027-04", "2028": "2028-01"}


def _final_releases(pypi: dict[str, Any]) -> dict[str, dt.date]:
    """Final (not pre-release, not yanked) versions → upload date, from PyPI's project JSON."""
    from packaging.version import InvalidVersion, Version

    out: dict[str, dt.date] = {}
    for version, files in (pypi.get("releases") or {}).items():
        try:
            parsed = Version(version)
        except InvalidVersion:
            continue
        live = [f for f in files if not f.get("yanked")]
        if parsed.is_prerelease or not live:
            continue
        out[version] = min(dt.date.fromisoformat(f["upload_time"][:10]) for f in live)
    return out


def fetch_pypi(timeout: float = 20.0) -> dict[str, Any]:
    """PyPI's project JSON for Django. Raises :class:`UpdateError` when unreachable."""
    import httpx

    try:
        response = httpx.get(PYPI_JSON, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise UpdateError(f"cannot read {PYPI_JSON}: {exc}") from None
    return data


def build_releases(pypi: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    """The release table (see the module docstring) from PyPI's project JSON and :data:`ROADMAP`."""
    from packaging.version import Version

    finals = _final_releases(pypi)
    by_series: dict[str, list[str]] = {}
    for version in finals:
        by_series.setdefault(series_of(version), []).append(version)
    names = list(ROADMAP)
    rows = []
    for index, name in enumerate(names):
        lts, mainstream, extended, source = ROADMAP[name]
        versions = sorted(by_series.get(name, []), key=Version)
        released = finals[versions[0]].isoformat() if versions else ANNOUNCED_RELEASE.get(name)
        successor = names[index + 1] if index + 1 < len(names) else None
        successor_versions = sorted(by_series.get(successor, []), key=Version) if successor else []
        if successor_versions:
            mainstream = finals[successor_versions[0]].isoformat()
        if versions and _month_end(extended) < today:
            extended = finals[versions[-1]].isoformat()
        rows.append(
            {
                "series": name,
                "lts": lts,
                "released": released,
                "mainstream_end": mainstream,
                "extended_end": extended,
                "latest": versions[-1] if versions else None,
                "latest_date": finals[versions[-1]].isoformat() if versions else None,
                "source": source,
            }
        )
    return rows


def _month_end(text: str) -> dt.date:
    """``"2028-04"`` → 2028-04-30; ``"2026-04-07"`` → itself."""
    if len(text) == 7:
        year, month = int(text[:4]), int(text[5:])
        first_next = dt.date(year + month // 12, month % 12 + 1, 1)
        return first_next - dt.timedelta(days=1)
    return dt.date.fromisoformat(text)


def download_sdist(version: str, cache_dir: Path, timeout: float = 300.0) -> Path:
    """The Django ``version`` sdist, downloaded with pip into ``cache_dir`` (reused when there)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for candidate in cache_dir.glob("*.tar.gz"):
        if candidate.name.lower() == f"django-{version}.tar.gz":
            return candidate
    cmd = [
        sys.executable, "-m", "pip", "download", f"django=={version}", "--no-deps",
        "--no-binary", ":all:", "--ignore-requires-python", "--disable-pip-version-check",
        "-q", "-d", str(cache_dir),
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise UpdateError(f"pip download django=={version} took longer than {timeout:g} s") from None
    for candidate in cache_dir.glob("*.tar.gz"):
        if candidate.name.lower() == f"django-{version}.tar.gz":
            return candidate
    last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    raise UpdateError(f"pip download django=={version} failed: {last}")


# --- reading Django's rST with docutils ---------------------------------------------


def build_cves(security: str, notes: dict[str, str]) -> list[dict[str, Any]]:
    """The CVE table (see the module docstring) from the archive and the release notes."""
    from packaging.version import Version

    advisories = parse_security_archive(security)
    parsed: dict[str, ReleaseNote] = {}

    def note(version: str) -> ReleaseNote:
        if version not in parsed:
            parsed[version] = parse_release_note(version, notes[version])
        return parsed[version]

    fixed_by_cve: dict[str, dict[str, str]] = {}
    severity_by_cve: dict[str, str] = {}
    for release, text in notes.items():
        if "CVE-" not in text:
            continue
        for cve, severity in note(release).cves.items():
            fixed_by_cve.setdefault(cve, {})
            series = series_of(release)
            known = fixed_by_cve[cve].get(series)
            if known is None or Version(release) < Version(known):
                fixed_by_cve[cve][series] = release
            if severity:
                severity_by_cve[cve] = severity
    by_series: dict[str, list[str]] = {}
    for release in notes:
        by_series.setdefault(series_of(release), []).append(release)

    rows = []
    for adv in advisories:
        for cve in adv.ids:
            fixed: dict[str, str | None] = {}
            for series in adv.affected:
                version: str | None = fixed_by_cve.get(cve, {}).get(series)
                if version is None:  # older notes: the release of that series on that day
                    same_day = [v for v in by_series.get(series, []) if note(v).date == adv.date]
                    version = min(same_day, key=Version) if same_day else None
                if version is None and series in notes:  # series in pre-release: fixed in X.Y
                    first = note(series).date
                    version = series if first is not None and first >= adv.date else None
                fixed[series] = version
            rows.append(
                {
                    "id": cve,
                    "date": adv.date.isoformat(),
                    "summary": adv.summary,
                    "severity": severity_by_cve.get(cve),
                    "url": adv.url,
                    "fixed": fixed,
                }
            )
    rows.sort(key=lambda r: (r["date"], r["id"]), reverse=True)
    return rows


def generate(
    out_dir: Path = DATA_DIR,
    *,
    sdist: Path | None = None,
    cache_dir: Path | None = None,
    pypi: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> tuple[Path, Path]:
    """Regenerate both tables into ``out_dir``; returns their paths.

    ``sdist`` skips the download (a Django sdist already at hand); ``pypi`` the PyPI
    request (its project JSON, already fetched). Raises :class:`UpdateError`.
    """
    from packaging.version import Version

    today = today or dt.date.today()
    pypi = pypi if pypi is not None else fetch_pypi()
    finals = _final_releases(pypi)
    if not finals:
        raise UpdateError(f"{PYPI_JSON} lists no Django release")
    if sdist is None:
        newest = max(finals, key=Version)
        sdist = download_sdist(newest, cache_dir or Path.home() / ".cache" / "golive" / "sdist")
    security, notes = read_sdist(sdist)
    sdist_version = sdist.name[len("django-") : -len(".tar.gz")]
    releases = {
        "schema": SCHEMA,
        "generated": today.isoformat(),
        "generator": "golive update-data (scripts/update_django_data.py)",
        "sources": {
            "release dates and latest patches": PYPI_JSON,
            "support windows 4.2-6.2": f"{DOWNLOAD_PAGE} (data: {ROADMAP_DATA})",
            "calendar versions from 2028": DEP20,
        },
        "calendar_rule": {
            "from_year": 2028,
            "released": "January of the year",
            "mainstream_end": "December of the year",
            "extended_end": "December two years later",
            "source": DEP20,
        },
        "series": build_releases(pypi, today),
    }
    cves = {
        "schema": SCHEMA,
        "generated": today.isoformat(),
        "generator": "golive update-data (scripts/update_django_data.py)",
        "source": f"Django {sdist_version} sdist: docs/releases/security.txt and docs/releases/*.txt",
        "cves": build_cves(security, notes),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = (out_dir / RELEASES_FILE, out_dir / CVES_FILE)
    for path, data in zip(paths, (releases, cves), strict=True):
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return paths


@click.command("update-data")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=DATA_DIR,
    show_default=False,
    help="Where to write the tables (default: golive's data folder).",
)
@click.option(
    "--sdist", type=click.Path(path_type=Path), help="Use this Django sdist instead of downloading one."
)
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where downloaded sdists are kept.")
def update_data(out_dir: Path, sdist: Path | None, cache_dir: Path | None) -> None:
    """Regenerate the Django support, CVE and check-id tables from PyPI and Django's sdists."""
    from golive.startup import modules_loaded

    modules_loaded()
    from golive.commands.django_checks_data import generate_checks

    try:
        releases_path, cves_path = generate(out_dir, sdist=sdist, cache_dir=cache_dir)
        releases = json.loads(releases_path.read_text(encoding="utf-8"))
        checks = generate_checks(
            out_dir,
            releases["series"],
            releases["generated"],
            cache_dir=cache_dir or Path.home() / ".cache" / "golive" / "sdist",
            sdist=sdist,
        )
        paths = (releases_path, cves_path, checks)
    except UpdateError as exc:
        click.echo(f"golive: error: {exc}", err=True)
        raise click.exceptions.Exit(2) from None
    for path in paths:
        click.echo(f"wrote {path}")
