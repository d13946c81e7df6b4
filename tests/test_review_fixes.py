"""Regressions found in review: a secret in the probe's own error, Ctrl-C's exit status,
redaction gaps in the runtime probe, and a malformed stored audit."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import GOOD_ENV, REPO

PROBE = REPO / "golive" / "collectors" / "runtime" / "settings_loader.py"


def golive(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "golive.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={**os.environ, **GOOD_ENV},
    )


def test_probe_refuses_credentials_in_a_url_without_echoing_them() -> None:
    done = golive("probe", "https://u:SECRETPW99@127.0.0.1:9/?token=QTOKEN77", "--no-screenshots")
    assert done.returncode == 2
    assert "leave credentials out of the URL" in done.stderr
    assert "SECRETPW99" not in done.stdout + done.stderr
    assert "QTOKEN77" not in done.stdout + done.stderr


def test_ctrl_c_exits_130_not_1(make_project) -> None:
    project = make_project()
    proc = subprocess.Popen(
        [sys.executable, "-m", "golive.cli", "audit", str(project), "-q", "--no-history"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **GOOD_ENV},
    )
    time.sleep(0.8)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode in (0, 1, 3):  # the audit finished before the signal arrived: nothing to judge
        return
    assert proc.returncode == 130
    assert "golive: interrupted" in err
    assert "Traceback" not in err


def load_probe():  # the probe is a standalone script: load it as a module to test its redactor
    spec = importlib.util.spec_from_file_location("golive_settings_loader", PROBE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_redaction_covers_numeric_passwords_urls_with_slashes_and_secure_named_keys() -> None:
    probe = load_probe()
    redactor = probe.Redactor(bytes.fromhex("00ff"))
    snapshot = json.dumps(
        [
            redactor.convert({"default": {"PASSWORD": 12345678, "PORT": 5432}}, "DATABASES", False),
            redactor.convert("redis://:CACHE/PW+9@cache.internal:6379/0", "CACHES.default.LOCATION", False),
            redactor.convert("postgres://shop:URL#PW?1@db/x", "DATABASE_URL", False),
            redactor.convert(
                "SIGNKEY123", "SECURE_SIGNING_KEY", probe.name_sensitivity("SECURE_SIGNING_KEY") is True
            ),
        ]
    )
    for secret in ("12345678", "CACHE/PW+9", "URL#PW?1", "SIGNKEY123"):
        assert secret not in snapshot, secret
    assert '"PORT": 5432' in snapshot
    assert "redis://:***@cache.internal:6379/0" in snapshot
    assert probe.name_sensitivity("SECURE_HSTS_SECONDS") is None


def test_a_malformed_stored_audit_costs_neither_the_audit_nor_a_traceback(make_project) -> None:
    project = make_project()
    history = project / ".golive" / "history.sqlite"
    first = golive("audit", str(project), "-q", cwd=project)
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(history) as db:
        (report,) = db.execute("SELECT report FROM audits ORDER BY id DESC LIMIT 1").fetchone()
        broken = json.loads(report)
        broken["findings"][0] = "x"
        db.execute("UPDATE audits SET report = ?", (json.dumps(broken),))
    again = golive("audit", str(project), "-q", cwd=project)
    assert again.returncode == 0
    assert "Traceback" not in again.stderr + again.stdout
    shown = golive("report", "latest", "--project", str(project), "-o", str(project / "r.json"), cwd=project)
    assert "Traceback" not in shown.stderr + shown.stdout


def test_a_report_that_cannot_be_written_keeps_the_verdict(make_project, tmp_path: Path) -> None:
    project = make_project()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory", encoding="utf-8")
    done = golive("audit", str(project), "--no-history", "-q", "-o", str(blocked / "report.json"))
    assert done.returncode == 3  # nothing failing, but the audit's output is incomplete: never 2
    assert f"golive: error: cannot write {blocked / 'report.json'}" in done.stderr
