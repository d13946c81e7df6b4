"""The Django app: golive's checks in `manage.py check --deploy`, and `manage.py golive`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import GOOD_ENV, audit_project, failing

from golive.checks import registry
from golive.facts.runtime import RuntimeFacts
from golive.facts.source import SourceFacts

APP = 'INSTALLED_APPS += ["golive.django"]\n'
WILDCARD = 'ALLOWED_HOSTS = ["*"]\nSECURE_HSTS_SECONDS = 0\n'


def manage(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GOOD_ENV}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ids(output: str) -> list[str]:
    return re.findall(r"^\?: \(([\w.]+)\)", output, flags=re.MULTILINE)


def settings_level(check_id: str) -> bool:
    spec = registry().get(check_id)
    return bool(spec and not spec.manual and spec.needs and set(spec.needs) <= {RuntimeFacts, SourceFacts})


def test_check_deploy_shows_golive_ids_with_evidence(make_project) -> None:
    project = make_project(WILDCARD + APP)
    result = manage(project, "check", "--deploy")
    assert result.returncode == 1  # GL201 is high: an ERROR, check's default --fail-level
    out = result.stderr
    assert "?: (GL201) ALLOWED_HOSTS accepts any host\n" in out
    assert (
        "\tHINT: site_conf/settings/production.py:2: ALLOWED_HOSTS = ['*']; see `golive explain GL201`" in out
    )
    # Django's own checks ran once: W004 appears once, from Django, not again from golive
    assert ids(out).count("security.W004") == 1
    # the same settings-level findings as a full audit of the project
    audit = audit_project(make_project(WILDCARD))
    expected = sorted({f.id for f in failing(audit) if f.id.startswith("GL") and settings_level(f.id)})
    got = sorted(i for i in ids(out) if i.startswith("GL"))
    assert got == expected
    assert {"GL201", "GL302"} <= set(got)


def test_silenced_golive_id_disappears(make_project) -> None:
    project = make_project(WILDCARD + APP + 'SILENCED_SYSTEM_CHECKS = ["GL201"]\n')
    result = manage(project, "check", "--deploy")
    assert "GL201" not in result.stderr + result.stdout
    assert {"GL302", "security.W004"} <= set(ids(result.stderr))
    assert "(1 silenced)" in result.stderr


def test_tag_golive_runs_only_golives_checks(make_project) -> None:
    result = manage(make_project(WILDCARD + APP), "check", "--deploy", "--tag", "golive")
    found = ids(result.stderr)
    assert {"GL201", "GL302"} <= set(found)
    assert [i for i in found if not i.startswith("GL")] == []


def test_without_deploy_nothing_runs(make_project) -> None:
    result = manage(make_project(WILDCARD + APP), "check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_manage_py_golive_writes_a_report(make_project, tmp_path: Path) -> None:
    project = make_project('ALLOWED_HOSTS = ["*"]\n' + APP)
    report = tmp_path / "x.json"
    result = manage(project, "golive", "-q", "--no-history", "-o", str(report))
    assert result.returncode == 1, result.stderr
    data = json.loads(report.read_text())
    assert ("GL201", ["ALLOWED_HOSTS"]) in [
        (f["id"], f["subjects"]) for f in data["findings"] if f["status"] == "fail"
    ]
    assert data["settings"]["module"] == "site_conf.settings.production"
    assert data["project"]["path"] == str(project.resolve())
    assert data["inputs"]["python"] == sys.executable
    assert {c["name"]: c["status"] for c in data["collectors"]}["runtime"] == "ok"


def test_manage_py_golive_options_and_help(make_project) -> None:
    project = make_project(APP)
    help_text = manage(project, "golive", "--help").stdout
    assert help_text.startswith("Usage: manage.py golive [OPTIONS] [PROJECT_DIR]")
    assert "--fail-on" in help_text and "--no-runtime" in help_text
    bad = manage(project, "golive", "--bogus")
    assert bad.returncode == 2
    assert "No such option '--bogus'" in bad.stderr
    # --settings is manage.py's own option, applied before golive runs
    out = project / "s.json"
    ok = manage(
        project, "golive", "-q", "--no-history", "--settings=site_conf.settings.production", "-o", str(out)
    )
    assert ok.returncode != 2, ok.stderr
    assert json.loads(out.read_text())["settings"]["module"] == "site_conf.settings.production"


def test_manage_py_golive_says_when_the_configured_settings_differ(make_project) -> None:
    # issue 14: manage.py golive audits the settings it runs with, and says so
    project = make_project(
        APP,
        files={
            "pyproject.toml": '[tool.golive]\nsettings = "site_conf.settings.staging"\n',
            "site_conf/settings/staging.py": "from .production import *  # noqa\n",
        },
    )
    out = project / "s.json"
    result = manage(project, "golive", "-q", "--no-history", "-o", str(out))
    assert result.returncode != 2, result.stderr
    assert (
        "manage.py golive: auditing site_conf.settings.production, the settings this manage.py runs"
        " with; [tool.golive] settings in pyproject.toml names site_conf.settings.staging: run"
        " `golive audit` (or manage.py golive --settings=site_conf.settings.staging) to audit that one"
    ) in result.stderr.splitlines()
    assert json.loads(out.read_text())["settings"]["module"] == "site_conf.settings.production"
    same = make_project(
        APP, files={"pyproject.toml": '[tool.golive]\nsettings = "site_conf.settings.production"\n'}
    )
    assert "manage.py golive: auditing" not in manage(same, "golive", "-q", "--no-history").stderr


def test_golive_app_stays_silent_inside_golives_own_probe(make_project) -> None:
    """With ``golive.django`` in INSTALLED_APPS, the audit's runtime probe runs Django's
    checks: golive's own GL checks must not come back as Django check messages there (the
    audit runs them itself), only Django's and the project's."""
    audit = audit_project(make_project(WILDCARD + APP))
    assert "security.W004" in audit.django_check_output
    assert not re.search(r"\(GL\d+\)", audit.django_check_output)
    assert "golive.W00" not in audit.django_check_output
