"""Security alerts (GL900–GL904) on real projects, a real venv and a real pip-audit.

Django's status is judged from the installed Django (the test venv's) and from pins in
the project's requirements.txt. pip-audit runs for real in every test. Its default
service, PyPI's per-version JSON API, may be unreachable from the test machine (here
it answers 404 for every package: pip-audit then skips each package and still prints
"No known vulnerabilities found"); the vulnerable path therefore points pip-audit's
OSV client (``--osv-url``, golive's ``[tool.golive.dependencies] osv_url``) at an
OSV-API server started by the test on 127.0.0.1. That server answers with the real,
public OSV record of GHSA-x84v-xcm2-53pg (CVE-2018-18074, requests < 2.20.0), copied
into ``OSV_RECORDS`` below, and with "no vulnerability" for every other package:
pip-audit's own client parses it and writes its own JSON, which golive reads. The
unreachable path is real too: pip-audit pointed at a closed loopback port.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import audit_project, failing, outcome

from golive.model import Severity, Status

OSV_RECORDS = {
    ("requests", "2.19.0"): [
        {
            "id": "GHSA-x84v-xcm2-53pg",
            "summary": "Insufficiently Protected Credentials in Requests",
            "aliases": ["CVE-2018-18074", "PYSEC-2018-28"],
            "published": "2018-10-29T19:05:00Z",
            "affected": [
                {
                    "package": {"name": "requests", "ecosystem": "PyPI"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.20.0"}]}],
                }
            ],
        }
    ]
}


class _Osv(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = (query["package"]["name"], query["version"])
        body = json.dumps({"vulns": OSV_RECORDS[key]} if key in OSV_RECORDS else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def osv_url() -> Iterator[str]:
    """An OSV-API server on 127.0.0.1 (see the module docstring)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Osv)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def vulnerable_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real venv holding requests 2.19.0 (CVE-2018-18074) and a package installed from a
    local directory, installed by pip (``pip --python``)."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True, timeout=120
    )
    local = root / "localpkg"
    (local / "src" / "golive_localpkg").mkdir(parents=True)
    (local / "src" / "golive_localpkg" / "__init__.py").write_text("")
    (local / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "golive-localpkg"\nversion = "0.1"\n'
    )
    python = root / "venv" / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "requests==2.19.0", str(local)],
        check=True, timeout=600, capture_output=True,
    )  # fmt: skip
    return python


@pytest.fixture(scope="module")
def empty_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real venv with no distribution at all (``--without-pip``): pip-audit then checks
    only the project's pins, which keeps these tests fast."""
    root = tmp_path_factory.mktemp("empty")
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True, timeout=120
    )
    return root / "venv" / "bin" / "python"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _deps_config(osv_url: str) -> str:
    return f'[tool.golive.dependencies]\nservice = "osv"\nosv_url = "{osv_url}"\ncache_minutes = 0\n'


@pytest.mark.covers("GL903", "GL904", "fail")
def test_pip_audit_finds_the_vulnerable_package_and_lists_the_local_one(
    make_project, vulnerable_venv: Path, osv_url: str
) -> None:
    project = make_project(
        files={
            "pyproject.toml": _deps_config(osv_url),
            "requirements.txt": "requests==2.19.0\npsycopg>=3.1\n",
        }
    )
    result = audit_project(project, python=str(vulnerable_venv))
    [vuln] = failing(result, "GL903")
    assert vuln.subjects == ("requests",)
    # pip-audit names a vulnerability by its PYSEC id when it has one, the others are aliases.
    assert vuln.title == "requests 2.19.0: PYSEC-2018-28"
    assert vuln.evidence[0].startswith("requests 2.19.0 (installed for ")
    assert f"{vulnerable_venv}): PYSEC-2018-28 (" in vuln.evidence[0]
    assert "GHSA-x84v-xcm2-53pg" in vuln.evidence[0] and "CVE-2018-18074" in vuln.evidence[0]
    assert vuln.evidence[0].endswith("), fixed in: 2.20.0")
    assert vuln.evidence[1] == "Insufficiently Protected Credentials in Requests"
    assert vuln.remediation == 'pip install --upgrade "requests>=2.20.0"'
    [unchecked] = failing(result, "GL904")
    assert unchecked.subjects == ("golive-localpkg", "psycopg")
    assert unchecked.evidence[0].startswith(
        "golive-localpkg 0.1 (environment): installed from file://"
    ) and unchecked.evidence[0].endswith(": not a release any vulnerability database knows")
    # A requirement that is neither pinned nor installed in the audited environment.
    assert unchecked.evidence[1] == (
        f"psycopg >=3.1 (requirements.txt:2): not pinned and not installed for {vulnerable_venv}:"
        " pin it (name==X.Y.Z) to have it checked"
    )
    assert unchecked.severity is Severity.LOW


@pytest.mark.covers("GL903", "GL904", "pass")
def test_pip_audit_clean_environment_passes_with_what_it_checked(
    make_project, osv_url: str, empty_venv: Path
) -> None:
    project = make_project(
        files={"pyproject.toml": _deps_config(osv_url), "requirements.txt": "requests==2.32.3\n"}
    )
    result = audit_project(project, python=str(empty_venv))
    assert outcome(result, "GL903") == [Status.PASS]
    [passed] = [f for f in result.findings if f.id == "GL903"]
    assert passed.evidence == ("pip-audit (osv): 1 packages checked",)
    assert outcome(result, "GL904") == [Status.PASS]


def test_unreachable_vulnerability_service_skips_with_the_reason(make_project, empty_venv: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1/query"
    project = make_project(
        files={"pyproject.toml": _deps_config(url), "requirements.txt": "requests==2.32.3\n"}
    )
    result = audit_project(project, python=str(empty_venv))
    for cid in ("GL903", "GL904"):
        [finding] = [f for f in result.findings if f.id == cid]
        assert finding.status is Status.SKIPPED
        assert finding.reason.startswith("pip-audit failed: ")
        assert "Connection" in finding.reason
        assert "No known vulnerabilities" not in finding.reason


def test_pypi_service_that_answers_for_nothing_is_skipped_never_clean(
    make_project, tmp_path: Path, vulnerable_venv: Path
) -> None:
    """pip-audit's default service (PyPI's per-version JSON). Where it answers (a machine with
    full internet) the packages are checked; where it answers for none (this sandbox:
    404 for every package), pip-audit says "No known vulnerabilities found" but golive
    reports the check skipped with pip-audit's own skip reason."""
    project = make_project(files={"requirements.txt": "requests==2.32.3\n"})
    result = audit_project(
        project, python=str(vulnerable_venv), env={"XDG_CACHE_HOME": str(tmp_path / "cache")}
    )
    [finding] = [f for f in result.findings if f.id == "GL903"]
    if finding.status is Status.SKIPPED:
        assert finding.reason.startswith("the pypi vulnerability service answered for none of the ")
        assert "(pip-audit: " in finding.reason
    else:
        assert finding.status in (Status.PASS, Status.FAIL)


@pytest.mark.covers("GL901", "GL902", "fail")
def test_pinned_old_patch_is_behind_and_has_django_cves(make_project) -> None:
    project = make_project(files={"requirements.txt": "Django==5.2.3\ngunicorn==23.0.0\n"})
    result = audit_project(project)
    [behind] = failing(result, "GL901")
    assert behind.subjects == ("django",)
    assert str(behind.location) == "requirements.txt:1"
    assert behind.evidence[0].startswith(
        "Django 5.2.3 (pinned in requirements.txt:1); the latest 5.2 patch is 5.2."
    )
    assert (
        "(from PyPI (https://pypi.org/pypi/Django/json))" in behind.evidence[0]
        or "golive's table" in (behind.evidence[0])
    )
    assert behind.evidence[1].startswith("golive's Django tables generated ")
    cves = {f.title.split(":")[0]: f for f in failing(result, "GL902")}
    sql = cves["CVE-2025-57833"]
    assert sql.severity is Severity.HIGH
    assert sql.evidence[:3] == (
        "Django 5.2.3 (pinned in requirements.txt:1) is affected by CVE-2025-57833 (disclosed 2025-09-03),"
        " fixed in 5.2.6",
        "Django's severity rating: high",
        "advisory: https://www.djangoproject.com/weblog/2025/sep/03/security-releases/",
    )
    assert sql.remediation == 'pip install --upgrade "Django>=5.2.6"'
    assert cves["CVE-2025-13473"].severity is Severity.LOW  # Django rated it "low" (fixed in 5.2.11)
    # Not affected: fixed in 5.2.2, before the pinned 5.2.3.
    assert "CVE-2025-48432" not in cves
    assert outcome(result, "GL900") == [Status.PASS]


@pytest.mark.covers("GL900", "fail")
def test_pinned_unsupported_series_is_high(make_project) -> None:
    project = make_project(files={"requirements.txt": "Django==4.2.30\n"})
    result = audit_project(project)
    [old] = failing(result, "GL900")
    assert old.severity is Severity.HIGH
    assert str(old.location) == "requirements.txt:1"
    assert old.evidence[0] == (
        "Django 4.2.30 (pinned in requirements.txt:1): series 4.2 LTS extended support ended 2026-04-07"
        " (source: https://github.com/django/djangoproject.com/blob/main/tools/releases.json)"
    )
    assert failing(result, "GL901") == []  # unsupported: GL900 says it, not GL901


def test_series_older_than_the_table_is_unsupported(make_project) -> None:
    project = make_project(files={"requirements.txt": "Django==3.2.25\n"})
    [old] = failing(audit_project(project), "GL900")
    assert old.evidence[0].startswith(
        "Django 3.2.25 (pinned in requirements.txt:1): series 3.2 is older than"
    )


@pytest.mark.covers("GL900", "GL901", "GL902", "pass")
def test_installed_latest_django_passes_and_says_how_old_the_tables_are(make_project) -> None:
    import django

    result = audit_project(make_project())
    for cid in ("GL900", "GL901", "GL902"):
        assert outcome(result, cid) == [Status.PASS], cid
    [status] = [f for f in result.findings if f.id == "GL900"]
    assert status.evidence[0].startswith(f"Django {django.get_version()} (installed for {sys.executable}):")
    assert "supported until" in status.evidence[0]
    assert status.evidence[-1].startswith("golive's Django tables generated ")
    assert "days old; `golive update-data` refreshes them)" in status.evidence[-1]


def test_calendar_versions_are_accepted(make_project) -> None:
    project = make_project(files={"requirements.txt": "Django==2029.2\n"})
    result = audit_project(project)
    assert failing(result, "GL900") == []
    [status] = [f for f in result.findings if f.id == "GL900"]
    assert (
        "Django 2029.2 (pinned in requirements.txt:1): series 2029 supported until 2031-12" in status.evidence
    )
