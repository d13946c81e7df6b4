"""The application server (GL61x–GL63x): gunicorn's real config loading, other servers' command lines.

Each rule has a pair of small deployments under ``tests/fixtures/gunicorn/<ID>/fires`` and
``.../quiet`` (a ``gunicorn.conf.py``, and an nginx site where the rule compares both).
They are collected for real: the gunicorn collector runs gunicorn's own loader in a
subprocess, the nginx collector parses the site. uvicorn, daphne, hypercorn and uWSGI are
found in a Procfile, a Dockerfile, a docker-compose file and a systemd unit
(``fixtures/gunicorn/servers``). GL632 needs Django's settings: a real project, audited.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest
from conftest import audit_project, build_project, failing, outcome
from msgspec.structs import replace

from golive.checks import registry
from golive.collectors import CollectorError, Skip, nginx
from golive.collectors.appservers import gunicorn
from golive.config import Config
from golive.context import AuditContext, AuditOptions, GitInfo
from golive.model import Finding, Location, Severity, Status
from golive.registry import Facts
from golive.runner import run_check

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "gunicorn"


def context(project_dir: Path, timeout: float = 20.0, **env: str) -> AuditContext:
    """An audit context for a fixture folder (no Django project needed by these collectors)."""
    return AuditContext(
        options=AuditOptions(project_dir=project_dir),
        project_dir=project_dir,
        project_name=project_dir.name,
        config=Config(),
        settings_module="unused.settings",
        settings_reason="test",
        python=sys.executable,
        env={
            k: v for k, v in {**os.environ, **env}.items() if k not in ("PORT", "WEB_CONCURRENCY") or k in env
        },
        env_file_keys=(),
        timeout=timeout,
        author="test",
        fail_on=Severity.HIGH,
        select=(),
        ignore=(),
        git=GitInfo(),
        started=dt.datetime.now().astimezone(),
    )


def collected(project_dir: Path, **env: str) -> Facts:
    """The gunicorn and nginx facts of a fixture folder, collected for real."""
    ctx = context(project_dir, **env)
    items: dict[type, object] = {}
    for module in (gunicorn, nginx):
        try:
            items[module.SPEC.produces] = module.collect(ctx)
        except Skip:
            continue
    return Facts(items, context=ctx)


def run(check_id: str, facts: Facts) -> list[Finding]:
    spec = registry().get(check_id)
    assert spec is not None
    return run_check(spec, facts, {})


#: id → (subjects, location, evidence) of the one failing finding of ``<ID>/fires``.
FIRES: dict[str, tuple[tuple[str, ...], Location | None, tuple[str, ...]]] = {
    "GL611": (
        ("bind",),
        Location(path="gunicorn.conf.py", line=4),
        (
            "bind = ['0.0.0.0:8000'] (gunicorn.conf.py:4)",
            "nginx reaches it over loopback: proxy_pass http://127.0.0.1:8000; at nginx/shop.conf:11",
        ),
    ),
    "GL612": (
        ("reload",),
        Location(path="gunicorn.conf.py", line=12),
        ("reload = True (gunicorn.conf.py:12)",),
    ),
    "GL614": (
        ("threads", "worker_class"),
        Location(path="gunicorn.conf.py", line=13),
        ("threads = 4 (gunicorn.conf.py:13) is ignored by the gevent worker",),
    ),
    "GL615": (
        ("timeout",),
        Location(path="gunicorn.conf.py", line=7),
        ("timeout = 0 (gunicorn.conf.py:7): workers are never killed",),
    ),
    "GL616": (
        ("forwarded_allow_ips",),
        Location(path="gunicorn.conf.py", line=12),
        (
            "forwarded_allow_ips = ['*'] (gunicorn.conf.py:12)",
            "and it listens on 0.0.0.0:8000, which other hosts can reach",
        ),
    ),
    "GL617": (
        ("umask", "bind"),
        Location(path="gunicorn.conf.py"),
        ("umask = 0o000 (gunicorn's default): unix:/run/shop/gunicorn.sock is created mode 0777",),
    ),
    "GL618": (
        ("accesslog",),
        Location(path="gunicorn.conf.py"),
        ("accesslog = None (gunicorn's default): requests are not logged (gunicorn.conf.py)",),
    ),
    "GL619": (
        ("user",),
        Location(path="gunicorn.conf.py", line=12),
        ("user = 0 (gunicorn.conf.py:12): root",),
    ),
    "GL620": (
        ("max_requests",),
        Location(path="gunicorn.conf.py"),
        ("max_requests = 0 (gunicorn's default): workers live forever (gunicorn.conf.py)",),
    ),
    "GL630": (
        ("proxy_pass", "bind"),
        None,
        (
            "proxy_pass http://127.0.0.1:8000; at nginx/shop.conf:11 sends requests to http://127.0.0.1:8000",
            "but the application servers listen on gunicorn unix:/run/shop/gunicorn.sock"
            " (gunicorn.conf.py:4)",
        ),
    ),
    "GL631": (
        ("proxy_set_header", "X-Forwarded-Proto", "forwarded_allow_ips"),
        Location(path="nginx/shop.conf", line=11),
        (
            "proxy_pass http://unix:/run/shop/gunicorn.sock; at nginx/shop.conf:11 reaches gunicorn"
            " (gunicorn.conf.py); gunicorn trusts any peer on its unix socket unix:/run/shop/gunicorn.sock",
            "no proxy_set_header X-Forwarded-Proto in force: a client's X-Forwarded-Proto: https makes"
            " Django's request.is_secure() True",
        ),
    ),
}
RULES = [*FIRES, "GL613", "GL621"]


@pytest.mark.parametrize(
    "check_id", [pytest.param(c, marks=pytest.mark.covers(c, "fail"), id=c) for c in FIRES]
)
def test_rule_fires(check_id: str) -> None:
    found = [f for f in run(check_id, collected(FIXTURES / check_id / "fires")) if f.failing]
    assert [f.id for f in found] == [check_id]
    subjects, location, evidence = FIRES[check_id]
    assert (found[0].subjects, found[0].location, found[0].evidence) == (subjects, location, evidence)
    assert found[0].collector == "gunicorn"


@pytest.mark.covers("GL613", "fail")
def test_gl613_a_single_worker() -> None:
    [finding] = [f for f in run("GL613", collected(FIXTURES / "GL613" / "fires")) if f.failing]
    assert (finding.subjects, finding.location) == (("workers",), Location(path="gunicorn.conf.py", line=4))
    cores = os.cpu_count() or 0
    assert finding.evidence == (
        f"workers = 1 (gunicorn.conf.py:4); 2 x {cores} cores + 1 = {2 * cores + 1} on this machine",
    )


@pytest.mark.covers("GL621", "fail")
def test_gl621_control_socket_open_to_everyone() -> None:
    facts = collected(FIXTURES / "GL621" / "fires")
    [server] = facts[gunicorn.GunicornFacts].servers
    [finding] = [f for f in run("GL621", facts) if f.failing]
    assert (finding.subjects, finding.location) == (
        ("control_socket_mode",),
        Location(path="gunicorn.conf.py", line=12),
    )
    assert finding.evidence == (
        f"control_socket_mode = 0o666 (gunicorn.conf.py:12): {server.setting('control_socket')}"
        " is open to every user",
    )


@pytest.mark.parametrize(
    "check_id", [pytest.param(c, marks=pytest.mark.covers(c, "pass"), id=c) for c in RULES]
)
def test_rule_is_quiet_on_the_fixed_deployment(check_id: str) -> None:
    assert [f.status for f in run(check_id, collected(FIXTURES / check_id / "quiet"))] == [Status.PASS]


def test_port_in_the_environment_binds_every_interface() -> None:
    facts = collected(FIXTURES / "GL617" / "quiet", PORT="8000")  # its config sets a unix bind: no change
    assert [str(b) for b in facts[gunicorn.GunicornFacts].servers[0].binds] == [
        "unix:/run/shop/gunicorn.sock"
    ]
    folder = FIXTURES / "GL611" / "quiet"
    facts = collected(folder, PORT="8000")
    assert [str(b) for b in facts[gunicorn.GunicornFacts].servers[0].binds] == ["127.0.0.1:8000"]


@pytest.mark.covers("GL611", "fail")
def test_gl611_unset_bind_and_port_in_the_environment(tmp_path: Path) -> None:
    (tmp_path / "gunicorn.conf.py").write_text("workers = 3\n")
    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "shop.conf").write_text(
        (FIXTURES / "GL611" / "fires" / "nginx" / "shop.conf").read_text()
    )
    [finding] = [f for f in run("GL611", collected(tmp_path, PORT="8000")) if f.failing]
    assert finding.evidence == (
        "bind = ['0.0.0.0:8000'] (gunicorn's default)",
        "nginx reaches it over loopback: proxy_pass http://127.0.0.1:8000; at nginx/shop.conf:11",
        "bind is not set: PORT=8000 in the environment makes gunicorn bind 0.0.0.0:8000",
    )


# --- the effective configuration, built by gunicorn's own machinery -----------------------------


def test_command_line_and_gunicorn_cmd_args_override_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "gunicorn.conf.py").write_text(
        "workers = 2\ntimeout = 30\nbind = 'unix:/run/a.sock'\n"
    )
    (tmp_path / "gunicorn.conf.py").write_text("workers = 9\n")  # the implicit ./gunicorn.conf.py
    (tmp_path / "Procfile").write_text(
        "web: gunicorn shop.wsgi -c /app/deploy/gunicorn.conf.py --workers 4\nworker: gunicorn shop.wsgi\n"
    )
    ctx = context(tmp_path, GUNICORN_CMD_ARGS="--timeout 60 --workers 3")
    web, worker = gunicorn.collect(ctx).servers
    assert (web.found, web.config_file) == (
        "Procfile (Procfile:1); /app/deploy/gunicorn.conf.py does not exist here: read the repository's"
        " deploy/gunicorn.conf.py",
        "deploy/gunicorn.conf.py",
    )
    assert (web.setting("workers"), web.sources["workers"]) == (4, "command line")
    assert (web.setting("timeout"), web.sources["timeout"]) == (60, "GUNICORN_CMD_ARGS")
    assert (web.setting("bind"), web.sources["bind"]) == (["unix:/run/a.sock"], "config file")
    assert web.where("bind") == Location(path="deploy/gunicorn.conf.py", line=3)
    # No -c: gunicorn loads ./gunicorn.conf.py from its working directory, the project.
    assert (worker.config_file, worker.setting("workers"), worker.sources["workers"]) == (
        "gunicorn.conf.py",
        3,
        "GUNICORN_CMD_ARGS",
    )


def test_config_files_are_discovered_and_the_app_is_never_imported(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "gunicorn.py").write_text("import shop.wsgi  # would fail: no such app\n")
    with pytest.raises(CollectorError) as exc:
        gunicorn.collect(context(tmp_path))
    assert str(exc.value) == (
        "deploy/gunicorn.py:1: ModuleNotFoundError: No module named 'shop'"
        " (gunicorn cannot load this configuration)"
    )
    (tmp_path / "deploy" / "gunicorn.py").write_text("wsgi_app = 'shop.wsgi:application'\nworkers = 2\n")
    [server] = gunicorn.collect(context(tmp_path)).servers
    assert (server.found, server.setting("wsgi_app"), server.workers) == (
        "discovered deploy/gunicorn.py",
        "shop.wsgi:application",
        2,
    )


def test_other_servers_are_found_in_every_kind_of_command() -> None:
    servers = collected(FIXTURES / "servers" / "fires")[gunicorn.GunicornFacts].servers
    assert [(s.kind, s.found, [str(b) for b in s.binds], s.workers, s.reload) for s in servers] == [
        ("daphne", "Dockerfile CMD (Dockerfile:2)", ["0.0.0.0:8001"], None, False),
        ("uvicorn", "Procfile (Procfile:1)", ["0.0.0.0:8000"], 1, True),
        ("hypercorn", "docker-compose command (docker-compose.yml:4)", ["0.0.0.0:8002"], None, True),
        ("uwsgi", "systemd ExecStart (deploy/shop.service:5)", [":8003"], 1, True),
    ]


@pytest.mark.covers("GL611", "GL612", "GL613", "GL616", "fail")
def test_other_servers_production_options() -> None:
    facts = collected(FIXTURES / "servers" / "fires")
    rules = ("GL611", "GL612", "GL613", "GL616")
    found = {cid: [(f.subjects, str(f.location)) for f in run(cid, facts) if f.failing] for cid in rules}
    assert found == {
        "GL611": [(("--host",), "Procfile:1")],
        "GL612": [
            (("--reload",), "Procfile:1"),
            (("--reload",), "docker-compose.yml:4"),
            (("--py-autoreload",), "deploy/shop.service:5"),
        ],
        "GL613": [(("workers",), "Procfile:1"), (("workers",), "deploy/shop.service:5")],
        "GL616": [(("forwarded_allow_ips",), "Dockerfile:2"), (("forwarded_allow_ips",), "Procfile:1")],
    }
    [daphne] = [
        f for f in run("GL616", facts) if f.failing and f.location == Location(path="Dockerfile", line=2)
    ]
    assert daphne.evidence == (
        "daphne --proxy-headers trusts X-Forwarded-* from any peer: daphne -b 0.0.0.0 -p 8001 --proxy-headers"
        " shop.asgi:application",
        "and it listens on 0.0.0.0:8001, which other hosts can reach",
    )


@pytest.mark.covers("GL611", "GL612", "GL613", "GL616", "pass")
def test_other_servers_configured_for_production() -> None:
    facts = collected(FIXTURES / "servers" / "quiet")
    assert len(facts[gunicorn.GunicornFacts].servers) == 4
    assert {cid: [f.status for f in run(cid, facts)] for cid in ("GL611", "GL612", "GL613", "GL616")} == {
        cid: [Status.PASS] for cid in ("GL611", "GL612", "GL613", "GL616")
    }


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        ("raises", "gunicorn.conf.py:5: KeyError: 'SHOP_WORKERS' (gunicorn cannot load this configuration)"),
        (
            "bad-value",
            "gunicorn.conf.py:2: Invalid value for workers: many (ValueError: invalid literal for int() with"
            " base 0: 'many') (gunicorn cannot load this configuration)",
        ),
        (
            "bad-argument",
            "Procfile:1: argument -w/--workers: invalid int value: 'lots'"
            " (gunicorn cannot load this configuration)",
        ),
    ],
)
def test_a_config_gunicorn_cannot_load_is_an_error(folder: str, message: str) -> None:
    with pytest.raises(CollectorError) as exc:
        gunicorn.collect(context(FIXTURES / "bad" / folder))
    assert str(exc.value) == message


def test_a_config_that_hangs_is_stopped_and_an_error() -> None:
    with pytest.raises(CollectorError) as exc:
        gunicorn.collect(context(FIXTURES / "bad" / "hangs", timeout=3))
    assert str(exc.value) == (
        "gunicorn.conf.py: gunicorn's configuration did not load within 3 s (the config file hangs):"
        " fix it or raise --timeout"
    )


def test_an_interpreter_that_cannot_start_is_an_error_once_there_is_a_config(tmp_path: Path) -> None:
    """gunicorn's loader starts with the collector; an interpreter that cannot start is the
    error it was when the loader started only once the configurations were known."""
    (tmp_path / "gunicorn.conf.py").write_text("workers = 2\n")
    ctx = context(tmp_path)
    missing = tmp_path / "no-such-python"
    with pytest.raises(CollectorError) as exc:
        gunicorn.collect(replace(ctx, python=str(missing)))
    assert str(exc.value) == f"cannot run {missing}: No such file or directory: pass --python"


def test_the_loader_started_early_is_stopped_when_there_is_nothing_to_load(tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil")
    (tmp_path / "README.md").write_text("no server here\n")
    with pytest.raises(Skip):
        gunicorn.collect(context(tmp_path))
    assert [
        p for p in psutil.Process().children(recursive=True) if "gunicorn_loader" in " ".join(p.cmdline())
    ] == []


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(
        tmp_path_factory.mktemp("gunicorn") / "proj",
        files={
            "Procfile": "web: gunicorn site_conf.wsgi -c deploy/gunicorn.conf.py\n",
            "deploy/gunicorn.conf.py": (FIXTURES / "GL612" / "quiet" / "gunicorn.conf.py").read_text(),
        },
    )


def test_broken_gunicorn_config_leaves_the_rest_of_the_audit_intact(project: Path) -> None:
    result = audit_project(project, gunicorn=(FIXTURES / "bad" / "raises" / "gunicorn.conf.py",))
    runs = {c.name: (c.status, c.reason) for c in result.collectors}
    reason = (
        f"{FIXTURES}/bad/raises/gunicorn.conf.py:5: KeyError: 'SHOP_WORKERS'"
        " (gunicorn cannot load this configuration)"
    )
    assert runs["gunicorn"] == ("error", reason)
    assert runs["runtime"] == ("ok", "")
    [skipped] = [f for f in result.findings if f.id == "GL612"]
    assert (skipped.status, skipped.reason) == (Status.SKIPPED, f"gunicorn: {reason}")
    assert outcome(result, "security.W004") == [Status.PASS]
    assert outcome(result, "GL601") == [Status.PASS]
    assert result.incomplete


@pytest.mark.covers("GL632", "fail")
def test_gl632_local_memory_cache_with_several_workers(tmp_path: Path) -> None:
    root = build_project(
        tmp_path / "proj",
        production='CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}\n',
        files={
            "Procfile": "web: gunicorn site_conf.wsgi -c deploy/gunicorn.conf.py\n",
            "deploy/gunicorn.conf.py": "bind = 'unix:/run/shop/gunicorn.sock'\numask = 0o007\nworkers = 3\n",
        },
    )
    [finding] = failing(audit_project(root), "GL632")
    assert finding.subjects == ("CACHES", "workers", "SESSION_ENGINE")
    assert finding.location == Location(path="site_conf/settings/production.py", line=2)
    assert finding.evidence == (
        "workers = 3 (deploy/gunicorn.conf.py:3)",
        "CACHES['default']['BACKEND'] = 'django.core.cache.backends.locmem.LocMemCache'"
        " (site_conf/settings/production.py:2)",
        "SESSION_ENGINE = 'django.contrib.sessions.backends.cache': sessions live in that cache",
    )


@pytest.mark.covers("GL632", "pass")
def test_gl632_shared_cache_with_several_workers(project: Path) -> None:
    result = audit_project(project)
    assert outcome(result, "GL632") == [Status.PASS]
    [server] = next(c for c in result.collectors if c.name == "gunicorn").details["servers"]
    assert (server["found"], server["config_file"]) == ("Procfile (Procfile:1)", "deploy/gunicorn.conf.py")


def test_unset_variables_in_a_command_are_set_aside(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text(
        "web: python manage.py migrate && exec gunicorn shop.wsgi --workers $WEB_CONCURRENCY"
        " --bind 0.0.0.0:$PORT --timeout ${GUNICORN_TIMEOUT:-45}\n"
    )
    [server] = gunicorn.collect(context(tmp_path)).servers
    assert [str(b) for b in server.binds] == ["0.0.0.0:$PORT"]
    assert server.unresolved == ("--workers $WEB_CONCURRENCY",)
    assert (server.setting("timeout"), server.sources["timeout"], server.workers) == (
        45,
        "command line",
        None,
    )


def test_test_folders_are_not_the_deployment(tmp_path: Path) -> None:
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)
    (tmp_path / "tests" / "fixtures" / "gunicorn.conf.py").write_text("raise SystemExit('a test fixture')\n")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "gunicorn.conf.py").write_text("workers = 2\n")
    assert [s.found for s in gunicorn.collect(context(tmp_path)).servers] == [
        "discovered deploy/gunicorn.conf.py"
    ]
