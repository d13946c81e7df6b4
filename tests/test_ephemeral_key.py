"""A SECRET_KEY generated at import when its variable is missing: each worker and each
restart gets another key (issue 13, "Ephemeral keys"). Reported from source (GL108) and
confirmed by the probe, which evaluates the settings a second time in the same process
and compares the two keys' fingerprints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import audit_project, failing, outcome
from test_settings_loader import GOOD_SETTINGS, run_probe, write_project

from golive.collectors import source
from golive.context import AuditOptions, resolve
from golive.model import Confidence, Location, Severity, Status

PROD = "site_conf/settings/production.py"

IF_ELSE = """\
import os
from django.core.management.utils import get_random_secret_key
if "APP_SECRET_KEY" in os.environ:
    SECRET_KEY = os.environ["APP_SECRET_KEY"]
else:
    SECRET_KEY = get_random_secret_key()
"""
OR_TOKEN = """\
import os, secrets
SECRET_KEY = os.environ.get("UNSET_SECRET_KEY_VAR") or secrets.token_urlsafe(50)
"""
DEFAULT_UUID = """\
import os
from uuid import uuid4
SECRET_KEY = os.environ.get("UNSET_SECRET_KEY_VAR", str(uuid4()) + str(uuid4()))
"""


@pytest.mark.parametrize(
    ("lines", "generator", "line"),
    [
        (IF_ELSE, "get_random_secret_key", 7),
        (OR_TOKEN, "secrets.token_urlsafe", 3),
        (DEFAULT_UUID, "uuid4", 4),
    ],
)
def test_the_source_collector_sees_the_generator(
    make_project: Any, lines: str, generator: str, line: int
) -> None:
    facts = source.collect(
        resolve(AuditOptions(project_dir=make_project(lines), settings="site_conf.settings.production"))
    )
    generated = [a for a in facts.history("SECRET_KEY") if a.generated]
    assert [(a.generated, a.location) for a in generated] == [(generator, Location(path=PROD, line=line))]


@pytest.mark.covers("GL108", "fail")
def test_a_key_generated_when_the_variable_is_missing_is_reported_from_source(make_project: Any) -> None:
    # the audit's environment sets APP_SECRET_KEY: this run's key is stable, the source is not
    result = audit_project(make_project(IF_ELSE))
    [f] = failing(result, "GL108")
    assert f.subjects == ("SECRET_KEY",)
    assert f.location == Location(path=PROD, line=7)
    assert f.confidence is Confidence.LIKELY
    assert f.evidence == (
        f"SECRET_KEY = get_random_secret_key() at {PROD}:7, when APP_SECRET_KEY is unset",
        "at runtime the settings loaded twice gave the same key: the variable was set for this audit",
    )


@pytest.mark.covers("GL108", "fail")
def test_a_key_that_changes_between_two_loads_is_confirmed(make_project: Any) -> None:
    result = audit_project(make_project(OR_TOKEN))
    [f] = failing(result, "GL108")
    assert f.location == Location(path=PROD, line=3)
    assert f.confidence is Confidence.CONFIRMED
    assert (
        f.evidence[0]
        == f"SECRET_KEY = secrets.token_urlsafe() at {PROD}:3, when UNSET_SECRET_KEY_VAR is unset"
    )
    assert f.evidence[1].startswith(
        "at runtime the settings loaded twice gave two different keys (fingerprints "
    )


@pytest.mark.covers("GL108", "pass")
def test_a_key_read_from_the_environment_is_stable(hardened_audit: Any) -> None:
    assert outcome(hardened_audit, "GL108") == [Status.PASS]


def test_the_probe_loads_the_settings_twice(tmp_path: Path) -> None:
    generated = GOOD_SETTINGS.replace(
        'SECRET_KEY = os.environ["PROBE_TEST_SECRET_KEY"]',
        'import secrets\nSECRET_KEY = os.environ.get("UNSET_SECRET_KEY_VAR") or secrets.token_urlsafe(50)',
    )
    data, _, _ = run_probe(write_project(tmp_path / "gen", generated))
    assert data["error"] is None
    assert data["secret_key_stable"] is False
    stable, _, _ = run_probe(write_project(tmp_path / "env"))
    assert stable["secret_key_stable"] is True


# A key generated once and written to a file (pretalx's shape: get-or-create of a key file)
WRITTEN = """\
import os
from pathlib import Path
from django.core.management.utils import get_random_secret_key
SECRET_FILE = Path(__file__).resolve().parent / ".secret"
if SECRET_FILE.exists():
    SECRET_KEY = SECRET_FILE.read_text()
else:
    SECRET_KEY = get_random_secret_key()
    with SECRET_FILE.open(mode="w") as f:
        f.write(SECRET_KEY)
"""
# generated, then written through a project function whose body writes its argument
HELPER_WRITES = """\
import os, secrets
KEY_FILE = os.path.join(os.path.dirname(__file__), "key.txt")
def _save(key):
    with open(KEY_FILE, "w") as f:
        f.write(key)
if os.path.exists(KEY_FILE):
    SECRET_KEY = open(KEY_FILE).read()
else:
    SECRET_KEY = secrets.token_urlsafe(50)
    _save(SECRET_KEY)
"""
# linkding's shape: read from a file; generated (and not written) only when it is missing
READ_FIRST = """\
import os
from django.core.management.utils import get_random_secret_key
try:
    with open(os.path.join(os.path.dirname(__file__), "secretkey.txt")) as f:
        SECRET_KEY = f.read().strip()
except OSError:
    SECRET_KEY = get_random_secret_key()
"""


@pytest.mark.covers("GL108", "pass")
def test_a_key_generated_once_and_written_to_a_file_passes(make_project: Any) -> None:
    result = audit_project(make_project(WRITTEN))
    assert outcome(result, "GL108") == [Status.PASS]
    [f] = [f for f in result.findings if f.id == "GL108"]
    assert f.location == Location(path=PROD, line=9)
    assert f.evidence[0] == (
        f"SECRET_KEY = get_random_secret_key() at {PROD}:9 is generated once and written to "
        "SECRET_FILE: stable while that file persists"
    )


@pytest.mark.covers("GL108", "pass")
def test_a_key_written_by_a_project_function_passes(make_project: Any) -> None:
    result = audit_project(make_project(HELPER_WRITES))
    assert outcome(result, "GL108") == [Status.PASS]
    [f] = [f for f in result.findings if f.id == "GL108"]
    assert f.evidence[0] == (
        f"SECRET_KEY = secrets.token_urlsafe() at {PROD}:10 is generated once and written to "
        "KEY_FILE (by _save): stable while that file persists"
    )


@pytest.mark.covers("GL108", "fail")
def test_a_key_read_from_a_file_first_and_never_written_is_low(make_project: Any) -> None:
    project = make_project(READ_FIRST)
    (project / PROD).with_name("secretkey.txt").write_text("a-key-some-bootstrap-script-wrote\n")
    result = audit_project(project)
    [f] = failing(result, "GL108")
    assert f.severity is Severity.LOW
    assert f.location == Location(path=PROD, line=8)
    assert f.evidence[0] == (
        f"SECRET_KEY = get_random_secret_key() at {PROD}:8 only when reading "
        "os.path.join(os.path.dirname(__file__), 'secretkey.txt') fails, and nothing in the "
        "settings writes the generated key there: stable while that file exists"
    )


def test_a_generated_key_with_nothing_written_stays_high(make_project: Any) -> None:
    [f] = failing(audit_project(make_project(OR_TOKEN)), "GL108")
    assert f.severity is Severity.HIGH


# written on every start and never read back: each start overwrites the file with a new key
WRITE_ONLY = """\
import os, secrets
SECRET_KEY = os.environ.get("UNSET_SECRET_KEY_VAR") or secrets.token_urlsafe(50)
with open(os.path.join(os.path.dirname(__file__), "key.txt"), "w") as f:
    f.write(SECRET_KEY)
"""


@pytest.mark.parametrize(
    ("lines", "persisted", "key_file", "writer"),
    [
        (WRITTEN, "written", "SECRET_FILE", ""),
        (HELPER_WRITES, "written", "KEY_FILE", "_save"),
        (READ_FIRST, "read-first", "os.path.join(os.path.dirname(__file__), 'secretkey.txt')", ""),
        (OR_TOKEN, "", "", ""),
    ],
)
def test_the_source_collector_sees_where_a_generated_key_is_kept(
    make_project: Any, lines: str, persisted: str, key_file: str, writer: str
) -> None:
    facts = source.collect(
        resolve(AuditOptions(project_dir=make_project(lines), settings="site_conf.settings.production"))
    )
    [a] = [a for a in facts.history("SECRET_KEY") if a.generated]
    assert (a.persisted, a.key_file, a.key_writer) == (persisted, key_file, writer)


def test_a_key_written_but_never_read_back_is_confirmed_at_runtime(make_project: Any) -> None:
    # the source sees the write; the probe's two loads give two keys: the fact wins
    [f] = failing(audit_project(make_project(WRITE_ONLY)), "GL108")
    assert f.severity is Severity.HIGH
    assert f.confidence is Confidence.CONFIRMED
