"""The Django tables generator, run on a real Django sdist, and the shipped tables.

The sdist is downloaded once with pip (``pip download django==5.2.19 --no-deps
--no-binary :all:``, as ``golive update-data`` does) into a cache under the system's
temporary directory, so later runs reuse it. PyPI's project JSON is fetched for real.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from golive.commands import update_data as ud
from golive.data.tables import load_tables, series_of

SDIST_VERSION = "5.2.19"
CACHE = Path(tempfile.gettempdir()) / "golive-test-cache" / "sdist"


@pytest.fixture(scope="module")
def sdist() -> Path:
    """A real Django sdist (downloaded by pip once, then cached in tmp)."""
    return ud.download_sdist(SDIST_VERSION, CACHE)


@pytest.fixture(scope="module")
def pypi() -> dict:
    return ud.fetch_pypi()


@pytest.fixture(scope="module")
def generated(sdist: Path, pypi: dict, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    out = tmp_path_factory.mktemp("data")
    releases, cves = ud.generate(out, sdist=sdist, pypi=pypi, today=dt.date(2026, 11, 22))
    return json.loads(releases.read_text()), json.loads(cves.read_text())


def test_cves_map_each_affected_series_to_its_fix(generated: tuple[dict, dict]) -> None:
    _, cves = generated
    assert (
        cves["source"] == f"Django {SDIST_VERSION} sdist: docs/releases/security.txt and docs/releases/*.txt"
    )
    by_id = {c["id"]: c for c in cves["cves"]}
    sql = by_id["CVE-2025-57833"]
    assert sql["fixed"] == {"5.2": "5.2.6", "5.1": "5.1.12", "4.2": "4.2.24"}
    assert sql["severity"] == "high"  # "fixes a security issue with severity "high"" (5.2.6 notes)
    assert sql["date"] == "2025-09-03"
    assert sql["summary"] == "Potential SQL injection in FilteredRelation column aliases."
    assert sql["url"] == "https://www.djangoproject.com/weblog/2025/sep/03/security-releases/"
    # A series still in pre-release when the issue was disclosed is fixed in its X.Y release.
    assert by_id["CVE-2021-23336"]["fixed"]["3.2"] == "3.2"
    # Two CVEs under one heading are both listed.
    assert {"CVE-2013-1664", "CVE-2013-1665"} <= set(by_id)
    assert len(by_id) > 150


def test_releases_follow_pypi_and_the_roadmap(generated: tuple[dict, dict]) -> None:
    releases, _ = generated
    rows = {r["series"]: r for r in releases["series"]}
    assert list(rows) == ["4.2", "5.0", "5.1", "5.2", "6.0", "6.1", "6.2", "2028"]
    # Ended: the days PyPI shows (5.0 released 2023-12-04 ended 4.2's mainstream support).
    assert rows["4.2"]["mainstream_end"] == "2023-12-04"
    assert rows["4.2"]["extended_end"] == "2026-04-07"
    assert rows["4.2"]["latest"] == "4.2.30"
    # Still ahead: the announced month.
    assert rows["5.2"]["extended_end"] == "2028-04"
    assert rows["6.2"]["extended_end"] == "2030-04"
    assert rows["2028"] == {
        "series": "2028",
        "lts": False,
        "released": "2028-01",
        "mainstream_end": "2028-12",
        "extended_end": "2030-12",
        "latest": None,
        "latest_date": None,
        "source": ud.DEP20,
    }
    assert releases["generated"] == "2026-11-22"


def test_golive_update_data_command_writes_the_three_tables(sdist: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", "update-data", "--sdist", str(sdist), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"wrote {tmp_path / 'django_releases.json'}",
        f"wrote {tmp_path / 'django_cves.json'}",
        f"wrote {tmp_path / 'django_checks.json'}",
    ]
    checks = json.loads((tmp_path / "django_checks.json").read_text())
    assert list(checks["series"]) == ["5.2"]  # --sdist: that sdist's series (issue 13)
    assert checks["series"]["5.2"]["sdist"] == SDIST_VERSION
    assert "caches.W002" in checks["series"]["5.2"]["checks"]


def test_update_data_on_a_file_that_is_not_an_sdist_is_a_one_line_error(tmp_path: Path) -> None:
    bogus = tmp_path / "django-1.0.tar.gz"
    bogus.write_text("not a tarball")
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", "update-data", "--sdist", str(bogus), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"golive: error: {bogus}: not a readable sdist")


def test_shipped_tables_load_and_are_consistent() -> None:
    tables = load_tables()
    assert tables.oldest.series == "4.2"
    assert tables.series("5.2") is not None and tables.series("5.2").lts  # type: ignore[union-attr]
    # Calendar versions past the table follow DEP 20's rule.
    later = tables.series("2031")
    assert later is not None and (later.released, later.extended_end) == ("2031-01", "2033-12")
    assert tables.series("7.0") is None
    for cve in tables.cves:
        assert cve.id.startswith("CVE-")
        for series, fixed in cve.fixed.items():
            assert fixed is None or series_of(fixed) == series, (cve.id, series, fixed)


def test_series_of_reads_calendar_versions() -> None:
    assert series_of("5.2.19") == "5.2"
    assert series_of("6.0") == "6.0"
    assert series_of("2028.0") == "2028"
    assert series_of("2029.12") == "2029"
