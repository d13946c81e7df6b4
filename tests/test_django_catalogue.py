"""Django's own catalogue of check ids, complete (issue 13).

Built from Django's check reference (``docs/ref/checks.txt`` in each supported release's
sdist, downloaded once with pip as ``golive update-data`` does, cached in tmp) into a
shipped table per Django version, so every id Django emits has a severity, a remediation,
a reference to its section of Django's docs and a ``golive explain`` page.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import audit_project, build_project

from golive.commands import update_data as ud
from golive.model import Severity, Status

CACHE = Path(tempfile.gettempdir()) / "golive-test-cache" / "sdist"


def golive(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "golive.cli", *args], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("check_id", "text", "severity", "anchor"),
    [
        ("caches.W002", "configuration might expose your cache", "medium", "caches"),
        ("security.W027", "Content Security Policy includes CSP.NONCE", "medium", "security"),
        ("async.E001", "You should not set the DJANGO_ALLOW_ASYNC_UNSAFE", "high", "asynchronous-support"),
    ],
)
def test_explain_answers_every_id_djangos_reference_lists(
    check_id: str, text: str, severity: str, anchor: str
) -> None:
    proc = golive("explain", check_id)
    assert proc.returncode == 0, proc.stderr
    out = " ".join(proc.stdout.split())
    assert out.startswith(f"{check_id} ")
    assert "(Django's own check)" in out
    assert text in out
    assert f"severity {severity}" in out
    assert f"ref/checks/#{anchor}" in out


def test_the_shipped_table_has_each_supported_series() -> None:
    from golive.data.django_checks import load_django_checks

    table = load_django_checks()
    assert {"4.2", "5.2", "6.0", "6.1"} <= set(table.series)
    for series in ("4.2", "5.2", "6.0", "6.1"):
        assert len(table.series[series]) > 250, series
    assert "security.W027" in table.series["6.1"]
    assert "security.W027" not in table.series["5.2"]
    w002 = table.lookup("caches.W002", "5.2")
    assert w002 is not None
    assert w002.level == "warning"
    assert w002.section == "Caches"
    assert w002.reference == "https://docs.djangoproject.com/en/5.2/ref/checks/#caches"
    assert w002.text.startswith("Your <cache> configuration might expose your cache or lead to corruption")


def test_update_data_reads_djangos_check_reference_from_the_sdist() -> None:
    from golive.commands.django_checks_data import parse_checks_reference, read_checks_reference

    sdist = ud.download_sdist("5.2.19", CACHE)
    entries = parse_checks_reference(read_checks_reference(sdist))
    assert entries["async.E001"]["section"] == "Asynchronous support"
    assert entries["async.E001"]["level"] == "error"
    assert entries["security.W004"]["text"].startswith("You have not set a value for the SECURE_HSTS_SECONDS")
    assert entries["mysql.W002"]["anchor"] == "mysql-and-mariadb"
    assert len(entries) > 300


CACHE_IN_MEDIA = """
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": "/srv/shop/media/cache"}}
"""


def test_an_id_golive_did_not_know_has_severity_remediation_and_reference(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj", production=CACHE_IN_MEDIA)
    audit = audit_project(project)
    [w002] = [f for f in audit.findings if f.id == "caches.W002"]
    assert w002.status is Status.FAIL
    assert w002.severity is Severity.MEDIUM
    assert w002.reference.endswith("/ref/checks/#caches")
    assert w002.reference.startswith("https://docs.djangoproject.com/en/")
    assert "CACHES" in w002.subjects
    assert w002.remediation
