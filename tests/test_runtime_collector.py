"""The runtime collector run for real (golive's own side of the probe): a small Django project
written to tmp_path, the probe started under this interpreter by
:func:`golive.collectors.runtime.run_probe`, as an audit starts it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

from msgspec.structs import replace
from test_settings_loader import GOOD_SETTINGS, SECRET_KEY, write_project

from golive.collectors.runtime import facts_from_probe, run_probe
from golive.config import Config
from golive.context import AuditContext, AuditOptions, GitInfo
from golive.model import Severity

#: A Slack bot token's shape, built here so that no real-format token is written in the repository.
SLACK_TOKEN = "xox" + "b-" + "1234567890" + "-" + "abcdefghijABCDEFGHIJ12"


def context(project_dir: Path, **env: str) -> AuditContext:
    """An audit context for ``project_dir`` with settings ``mysite.settings``."""
    return AuditContext(
        options=AuditOptions(project_dir=project_dir),
        project_dir=project_dir,
        project_name=project_dir.name,
        config=Config(),
        settings_module="mysite.settings",
        settings_reason="test",
        python=sys.executable,
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}, **env},
        env_file_keys=(),
        timeout=60.0,
        author="test",
        fail_on=Severity.HIGH,
        select=(),
        ignore=(),
        git=GitInfo(),
        started=dt.datetime.now().astimezone(),
    )


def test_vendor_token_in_a_setting_is_recorded_and_replaced(tmp_path: Path) -> None:
    """A vendor-format token inside a setting whose name says nothing is still a SECRET: the
    probe matches golive's token formats (``token_formats.probe_patterns``) in every string."""
    settings = GOOD_SETTINGS + f'\nNOTIFY = {{"channel": "#ops", "hook": "{SLACK_TOKEN}"}}\n'
    project = write_project(tmp_path / "proj", settings)
    data = run_probe(context(project, PROBE_TEST_SECRET_KEY=SECRET_KEY))
    facts = facts_from_probe(data)

    assert data["error"] is None
    assert facts.settings["NOTIFY"] == {"channel": "#ops", "hook": "***"}
    assert facts.secrets["NOTIFY.hook"].length == len(SLACK_TOKEN)
    assert SLACK_TOKEN not in json.dumps(data)


def test_a_process_the_settings_start_does_not_hold_up_the_probe(tmp_path: Path) -> None:
    """A process the settings start inherits neither the probe's stdin nor the stdout golive
    waits on: the probe is done when its output is in place, not when that process ends
    (it would outlive the 20 s timeout)."""
    settings = GOOD_SETTINGS + (
        "\nimport subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    )
    project = write_project(tmp_path / "proj", settings)
    ctx = replace(context(project, PROBE_TEST_SECRET_KEY=SECRET_KEY), timeout=20.0)
    data = run_probe(ctx)

    assert data["error"] is None
    assert data["settings"]["ALLOWED_HOSTS"] == ["example.com"]
