"""The runtime probe's early start (issue 15): golive starts the project's interpreter as soon as
it knows how (right after Click parses the command line, or once ``resolve`` has found the
interpreter, the Django root, the environment and the settings), the probe imports Django's
settings-free modules while golive starts up, and proceeds exactly as a fresh probe once its
request comes: same facts, same errors, same environment at the interpreter's start, and no
process left behind when the audit stops before taking it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import GOOD_ENV
from test_django61 import interpreter as django61_interpreter
from test_interrupts import SLOW_SETTINGS
from test_settings_children import alive, gone_within
from test_settings_loader import FINGERPRINT_KEY, MAIN, SCRIPT, SECRET_KEY, django_version, write_project

from golive import processes, startup
from golive.cli import audit

BROKEN_SETTINGS = """
import os
SECRET_KEY = os.environ["PROBE_TEST_MISSING_VARIABLE"]
"""


def pythons() -> list[Any]:
    """This interpreter, and another Django's (6.1 on Python 3.12: ``GOLIVE_DJANGO61_PYTHON``,
    or the one the Django 6.1 tests use) when there is one."""
    other = os.environ.get("GOLIVE_DJANGO61_PYTHON") or django61_interpreter()[0]
    usable = bool(other) and Path(str(other)).exists() and django_version(str(other)) is not None
    return [
        pytest.param(sys.executable, id="current"),
        pytest.param(other or "", id="other", marks=pytest.mark.skipif(not usable, reason="none found")),
    ]


def probe(project: Path, python: str, *, early: bool, settings: str = "mysite.settings") -> tuple[Any, str]:
    """Run the probe as golive does (the request line, then the token patterns; done on
    stdout), ``early`` with the prestart line first: (its JSON, its stdout)."""
    output = project.parent / f"probe-{early}.json"
    request = {
        "settings_module": settings,
        "project_dir": str(project),
        "output": str(output),
        "fingerprint_key": FINGERPRINT_KEY,
        "token_patterns_follow": True,
        "done_on_stdout": True,
    }
    lines = [json.dumps(request), json.dumps([r"sk_live_[0-9a-zA-Z]{24}"])]
    if early:
        lines.insert(0, json.dumps({"prestart": True, "project_dir": str(project), "done_on_stdout": True}))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    env.update({"PROBE_TEST_SECRET_KEY": SECRET_KEY, "DJANGO_SETTINGS_MODULE": settings})
    proc = subprocess.run(
        [python, str(MAIN)],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(output.read_text(encoding="utf-8")), proc.stdout


@pytest.mark.parametrize("python", pythons())
@pytest.mark.parametrize("settings", ["good", "broken"])
def test_an_early_started_probe_reports_what_a_fresh_one_does(
    tmp_path: Path, python: str, settings: str
) -> None:
    project = write_project(tmp_path / "proj")
    if settings == "broken":
        (project / "mysite" / "broken.py").write_text(BROKEN_SETTINGS, encoding="utf-8")
    module = "mysite.settings" if settings == "good" else "mysite.broken"
    fresh, fresh_out = probe(project, python, early=False, settings=module)
    early, early_out = probe(project, python, early=True, settings=module)
    assert early == fresh
    assert early_out == fresh_out == "done\n"
    if settings == "good":
        assert fresh["error"] is None and fresh["checks"] and fresh["packages"]
    else:
        assert fresh["error"]["phase"] == "settings" and fresh["error"]["type"] == "KeyError"


def test_without_django_the_early_probe_fails_where_a_fresh_one_does(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    assert django_version(python) is None
    project = write_project(tmp_path / "proj")
    fresh, _ = probe(project, python, early=False)
    early, _ = probe(project, python, early=True)
    assert early == fresh
    assert fresh["error"]["phase"] == "import-django"


@pytest.mark.parametrize("python", pythons())
def test_the_early_imports_read_no_setting_and_only_pythons_own_environment(python: str) -> None:
    """What the probe imports before its request reads no setting (Django's settings are not
    configured afterwards, with no DJANGO_SETTINGS_MODULE to configure them) and no variable of
    the environment but Python's own: the values the project's settings may change are read
    after them, as before."""
    tracer = f"""
import importlib, importlib.util, json, os, sys
spec = importlib.util.spec_from_file_location("golive_settings_loader", {str(SCRIPT)!r})
loader = importlib.util.module_from_spec(spec)
spec.loader.exec_module(loader)
read = set()
cls = type(os.environ)
for name in ("__getitem__", "__contains__", "get"):
    def wrap(self, key, *rest, _orig=getattr(cls, name)):
        read.add(key)
        return _orig(self, key, *rest)
    setattr(cls, name, wrap)
for module in loader.EARLY_IMPORTS:
    importlib.import_module(module)
from django.conf import settings
print(json.dumps({{"configured": settings.configured, "read": sorted(read)}}))
"""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    proc = subprocess.run(
        [python, "-c", tracer], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["configured"] is False
    pythons_own = [k for k in seen["read"] if k == "HOME" or k.lstrip("_").startswith("PYTHON")]
    assert seen["read"] == pythons_own


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Every probe interpreter started meanwhile (:func:`golive.processes.start` with
    ``loader_main.py``); each is killed at the end."""
    procs: list[subprocess.Popen[bytes]] = []
    original = processes.start

    def start(argv: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        proc = original(argv, **kwargs)
        if str(startup.PROBE_SCRIPT) in argv:
            procs.append(proc)
        return proc

    processes.start = start
    try:
        yield procs
    finally:
        processes.start = original
        startup.discard_probe()
        for proc in procs:
            if proc.returncode is None:
                processes.finish(proc)


def run_cli(project: Path, *args: str) -> int:
    """``golive audit project args`` in this process (as ``manage.py golive`` runs it), with
    ``GOOD_ENV``; the exit status."""
    saved = dict(os.environ)
    os.environ.update(GOOD_ENV)
    try:
        code = audit.main(args=[str(project), "--no-history", "--no-git", "-q", *args], standalone_mode=False)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return int(code or 0)


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch, started: list[subprocess.Popen[bytes]]) -> list[str]:
    """What happened, in order: ``resolve after N`` (probes started before the context was
    resolved), ``taken`` or ``not taken`` (the runtime collector's look for the early probe)."""
    import golive.context

    seen: list[str] = []
    resolve, take_probe = golive.context.resolve, startup.take_probe

    def spy_resolve(*args: Any, **kwargs: Any) -> Any:
        seen.append(f"resolve after {len(started)}")
        return resolve(*args, **kwargs)

    def spy_take(*args: Any) -> startup.EarlyProbe | None:
        taken = take_probe(*args)
        seen.append("taken" if taken is not None else "not taken")
        return taken

    monkeypatch.setattr(golive.context, "resolve", spy_resolve)
    monkeypatch.setattr("golive.collectors.runtime.take_probe", spy_take)
    return seen


def test_the_cli_starts_the_probe_from_the_command_line_and_the_collector_takes_it(
    make_project: Callable[..., Path], started: list[subprocess.Popen[bytes]], events: list[str]
) -> None:
    project = make_project()
    status = run_cli(project, "--settings", "site_conf.settings.production", "--python", sys.executable)
    assert status in (0, 1)
    assert events == ["resolve after 1", "taken"]  # started before golive resolved anything
    assert len(started) == 1
    assert started[0].returncode is not None  # finished by the collector


@pytest.mark.parametrize(
    ("config", "args"),
    [
        ("", ()),
        (f'[tool.golive]\npython = "{sys.executable}"\n', ("--settings", "site_conf.settings.production")),
    ],
    ids=["settings-found-by-golive", "configured-interpreter"],
)
def test_otherwise_resolve_starts_the_probe_once_it_knows_how(
    make_project: Callable[..., Path],
    started: list[subprocess.Popen[bytes]],
    events: list[str],
    config: str,
    args: tuple[str, ...],
) -> None:
    """No --settings, or a configuration naming the interpreter: the command line alone does
    not tell how the probe starts, so ``resolve`` starts it, once."""
    project = make_project(files={"pyproject.toml": config} if config else None)
    assert run_cli(project, *args) in (0, 1)
    assert events == ["resolve after 0", "taken"]
    assert len(started) == 1 and started[0].returncode is not None


def test_the_audit_is_the_same_with_the_probe_started_early_or_not(
    make_project: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same command, the probe started from the command line and taken, then never
    started early (the collector starts it, as before): the same findings."""
    project = make_project(production='DEBUG = True\nSTRIPE_KEY = "sk_live_" + "4ZPBaLjtu1t4cl6j6HIX4GHY"\n')
    reports = []
    for early in (True, False):
        if not early:
            monkeypatch.setattr(startup, "start_probe", lambda *args: None)
        out = tmp_path / f"report-{early}.json"
        assert run_cli(project, "-o", str(out), "--settings", "site_conf.settings.production") == 1
        data = json.loads(out.read_text(encoding="utf-8"))
        reports.append(
            sorted(
                (f["id"], f["status"], tuple(f.get("subjects") or ()), tuple(f.get("evidence") or ()))
                for f in data["findings"]
            )
        )
    assert reports[0] == reports[1]
    assert ("security.W018", "fail") in {finding[:2] for finding in reports[0]}


def test_a_probe_started_otherwise_is_not_taken_and_is_killed(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj")
    env = {**os.environ, "PROBE_TEST_SECRET_KEY": SECRET_KEY}
    startup.start_probe(sys.executable, project, env, "mysite.settings")
    startup.start_probe(sys.executable, project, dict(env), "mysite.settings")  # the same: kept
    argv = [sys.executable, str(startup.PROBE_SCRIPT)]
    full = startup.project_env(env, {"DJANGO_SETTINGS_MODULE": "mysite.settings"})
    taken = startup.take_probe(argv, project, full)
    assert taken is not None
    processes.finish(taken.proc)
    taken.tmp.cleanup()
    startup.start_probe(sys.executable, project, env, "mysite.settings")
    other = startup.project_env({**env, "EXTRA": "1"}, {"DJANGO_SETTINGS_MODULE": "mysite.settings"})
    assert startup.take_probe(argv, project, other) is None
    assert startup.take_probe(argv, project, full) is None  # discarded with the first look


def probes_in(folder: Path) -> list[int]:
    """Processes whose working directory is ``folder`` (the probe runs in the Django root)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == folder and alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def golive_argv(project: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from golive.cli import main; main()",
        "audit",
        str(project),
        "--no-git",
        *args,
    ]


@pytest.mark.parametrize(
    "args",
    [("--fail-on", "bogus"), ("--settings", "site_conf.settings.nowhere")],
    ids=["bad-fail-on", "unknown-settings"],
)
def test_a_usage_error_after_the_early_start_leaves_no_process(
    make_project: Callable[..., Path], tmp_path: Path, args: tuple[str, ...]
) -> None:
    project = make_project()
    argv = golive_argv(project, "--settings", "site_conf.settings.production", "--no-history", *args)
    proc = subprocess.run(
        argv, cwd=tmp_path, env={**os.environ, **GOOD_ENV}, capture_output=True, timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    assert b"golive: error:" in proc.stderr
    time.sleep(0.2)
    assert probes_in(project.resolve()) == []


def test_ctrl_c_with_an_early_started_probe_leaves_nothing_behind(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    pids_file = tmp_path / "pids"
    project = make_project(production=SLOW_SETTINGS.format(pids=str(pids_file)))
    argv = golive_argv(project, "--settings", "site_conf.settings.production", "--no-history", "-q")
    proc = subprocess.Popen(
        argv,
        cwd=tmp_path,
        env={**os.environ, **GOOD_ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    settings_pid = grandchild_pid = 0
    try:
        deadline = time.monotonic() + 60
        while not pids_file.is_file():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the settings never started"
            time.sleep(0.05)
        settings_pid, grandchild_pid = (int(p) for p in pids_file.read_text().split())
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=25)
        assert proc.returncode == 130, err
        assert gone_within(settings_pid, 2) and gone_within(grandchild_pid, 2)
        assert probes_in(project.resolve()) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in (settings_pid, grandchild_pid):
            if pid and alive(pid):
                os.kill(pid, signal.SIGKILL)
