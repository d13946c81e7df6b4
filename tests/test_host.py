"""The host checks (GL920–GL925) on this machine, with real servers started by the tests.

A real gunicorn serves a tiny WSGI app from the project directory (so the host audit
turns itself on: "auto" mode), on a unix socket outside the project. Two real Redis
servers from Debian (``/usr/bin/redis-server``) listen on 127.0.0.1 high ports, one
without and one with ``requirepass``; the project's CACHES points at one of them.
File modes and owners are set by the tests with chmod/chown (the tests run as root).

One case cannot be produced here for real: a database listening on a non-loopback
address (the house rule is that tests bind 127.0.0.1 only). GL923's failing case
therefore runs the check on facts built by hand, from the dataclasses the collector
returns; its passing case uses the real listeners of this machine.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import audit_project, build_project, failing, outcome

from golive.checks import host as host_checks
from golive.collectors.host.services import redis_ping
from golive.facts.host import HostFacts, Listener
from golive.model import Status
from golive.registry import Facts

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
HELLO = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""
KEY = "-----BEGIN PRIVATE KEY-----\nnot-a-real-key-only-its-armour\n-----END PRIVATE KEY-----\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: object, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not come up")


def start_redis(workdir: Path, password: str | None) -> tuple[subprocess.Popen[bytes], int]:
    """A real redis-server on 127.0.0.1:<free port>, no persistence, in ``workdir``."""
    port = free_port()
    args = [REDIS, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    args += ["--dir", str(workdir), "--daemonize", "no", "--protected-mode", "yes"]
    if password:
        args += ["--requirepass", password]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: redis_ping(f"127.0.0.1:{port}")[0] != "error", "redis-server")
    return proc, port


@pytest.fixture(scope="module")
def redis_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """{"open": port, "protected": port}: two real Redis servers on loopback."""
    work = tmp_path_factory.mktemp("redis")
    open_proc, open_port = start_redis(work, None)
    prot_proc, prot_port = start_redis(work, "s3cret-for-tests")
    yield {"open": open_port, "protected": prot_port}
    for proc in (open_proc, prot_proc):
        proc.terminate()
        proc.wait(timeout=10)


class Served:
    """A project served by a real gunicorn from its own directory."""

    def __init__(self, root: Path, name: str, gunicorn_args: list[str], files: dict[str, str | None]) -> None:
        self.project = build_project(root / name, files={"hello.py": HELLO, **files})
        self.socket = root / f"{name}-run" / "gunicorn.sock"
        self.socket.parent.mkdir()
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "hello:app",
            "--bind",
            f"unix:{self.socket}",
            "--workers",
            "1",
        ]
        self.proc = subprocess.Popen(
            [*cmd, *gunicorn_args],
            cwd=self.project,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k != "GUNICORN_CMD_ARGS"},
        )
        wait_for(self.socket.exists, "gunicorn")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, Served]]:
    """Two deployments: ``careless`` (gunicorn as root, default umask 0, world-readable
    secrets, a directory owned by www-data) and ``careful`` (workers as nobody, umask 007,
    secrets 0640). Under a 0755 directory of /tmp so that ``nobody`` can reach it."""
    root = Path(tempfile.mkdtemp(prefix="golive-host-"))
    root.chmod(0o755)
    secrets = {".env": "APP_SECRET_KEY=x\n", "deploy/server.key": KEY, ".env.example": "APP_SECRET_KEY=\n"}
    out = {
        "careless": Served(root, "careless", [], secrets),
        "careful": Served(
            root,
            "careful",
            ["--umask", "007", "--user", "nobody", "--group", "nogroup", "--preload"],
            secrets,
        ),
    }
    careless, careful = out["careless"].project, out["careful"].project
    (careless / "uploads").mkdir()
    os.chown(careless / "uploads", 33, 33)  # www-data, Debian's web server user
    for path in careful.rglob("*"):
        if path.is_file() and (path.suffix in (".py", ".key") or path.name == ".env"):
            path.chmod(0o640)
    try:
        yield out
    finally:
        for one in out.values():
            one.stop()
        shutil.rmtree(root, ignore_errors=True)


def redis_env(port: int) -> dict[str, str]:
    return {"APP_REDIS_URL": f"redis://127.0.0.1:{port}/0"}


@pytest.mark.covers("GL920", "GL921", "GL922", "GL924", "GL925", "fail")
def test_careless_server(served: dict[str, Served], redis_servers: dict[str, int]) -> None:
    one = served["careless"]
    result = audit_project(one.project, env=redis_env(redis_servers["open"]))
    host = next(c for c in result.collectors if c.name == "host")
    assert host.status == "ok", host.reason

    readable = {f.subjects[0]: f for f in failing(result, "GL920")}
    assert {".env", "deploy/server.key"} <= set(readable)
    assert ".env.example" not in readable
    # settings modules that take every secret from the environment are code, not secrets (issue 13)
    assert "site_conf/settings/base.py" not in readable
    assert readable[".env"].evidence == (
        ".env (environment file): mode 0644 (rw-r--r--), owner root:root: every local user can read it",
    )
    assert str(readable["deploy/server.key"].location) == "deploy/server.key"

    [writable] = failing(result, "GL921")
    assert writable.evidence[0].startswith("web server user www-data (")
    assert "uploads" in writable.evidence

    [as_root] = failing(result, "GL922")
    assert as_root.evidence[0].startswith("pid ") and " runs as root: " in as_root.evidence[0]
    assert "hello:app" in as_root.evidence[0]

    [redis] = failing(result, "GL924")
    assert redis.subjects == ("CACHES",)
    assert redis.evidence == (
        f"CACHES['default'] → 127.0.0.1:{redis_servers['open']}: PING without a password answered +PONG",
    )

    [sock] = failing(result, "GL925")
    assert sock.subjects == ("umask",)
    assert (
        sock.evidence[0].startswith(f"{one.socket} (pid ") and ": mode 0777, owner root" in sock.evidence[0]
    )


@pytest.mark.covers("GL920", "GL921", "GL922", "GL923", "GL924", "GL925", "pass")
def test_careful_server(served: dict[str, Served], redis_servers: dict[str, int]) -> None:
    one = served["careful"]
    url = f"redis://:s3cret-for-tests@127.0.0.1:{redis_servers['protected']}/0"
    result = audit_project(one.project, env={"APP_REDIS_URL": url})
    for cid in ("GL920", "GL921", "GL922", "GL923", "GL924", "GL925"):
        assert outcome(result, cid) == [Status.PASS], (
            cid,
            [f.evidence for f in result.findings if f.id == cid],
        )
    [workers] = [f for f in result.findings if f.id == "GL922"]
    assert all(line.endswith("runs as nobody") for line in workers.evidence)
    [redis] = [f for f in result.findings if f.id == "GL924"]
    assert redis.evidence[0].startswith(
        f"CACHES['default'] → 127.0.0.1:{redis_servers['protected']}: PING without"
    )
    assert "refused (-NOAUTH" in redis.evidence[0]
    assert "s3cret" not in repr(result)  # the password is never seen, let alone shown


def test_web_server_user_comes_from_nginx(served: dict[str, Served], tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text("user nobody nogroup;\nevents {}\nhttp {}\n")
    result = audit_project(served["careless"].project, host=True, nginx=(conf,))
    assert failing(result, "GL921") == []  # nobody owns nothing in the tree
    assert outcome(result, "GL921") == [Status.PASS]


def test_host_is_skipped_off_the_server(make_project) -> None:
    project = make_project()
    result = audit_project(project)
    [gl920] = [f for f in result.findings if f.id == "GL920"]
    assert gl920.status is Status.SKIPPED
    assert gl920.reason == (
        f"host: not on the server: no application server runs from {project.resolve()} on this machine"
        " (pass --host to audit this machine anyway)"
    )
    result = audit_project(project, host=False)
    assert [f.reason for f in result.findings if f.id == "GL925"] == [
        "host: --no-host: this machine is not audited"
    ]


def test_forced_host_without_app_server_skips_the_process_check(make_project) -> None:
    result = audit_project(make_project(), host=True)
    [gl922] = [f for f in result.findings if f.id == "GL922"]
    assert gl922.status is Status.SKIPPED and gl922.reason.startswith(
        "no application server process runs from "
    )


def _facts(**changes: object) -> Facts:
    base = HostFacts(
        reason="--host",
        project_dir="/srv/app",
        files=(),
        web_user="www-data",
        web_user_source="default",
        web_user_known=True,
        writable=(),
        writable_total=0,
        processes=(),
        sockets=(),
        listeners=(),
        redis=(),
    )
    from msgspec.structs import replace

    return Facts({HostFacts: replace(base, **changes)})


@pytest.mark.covers("GL923", "fail")
def test_data_server_on_every_interface_fails() -> None:
    """Built facts (see the module docstring): tests may not listen beyond loopback."""
    facts = _facts(
        listeners=(
            Listener(service="Redis", address="0.0.0.0", port=6379, pid=812, process="redis-server"),
            Listener(service="PostgreSQL", address="127.0.0.1", port=5432, pid=90, process="postgres"),
        )
    )
    [finding] = list(host_checks.data_servers_listening(facts))
    assert finding.subjects == ("bind",)
    assert finding.evidence == ("Redis (redis-server pid 812) listens on 0.0.0.0:6379",)


def test_redis_on_loopback_is_seen_as_a_loopback_listener(redis_servers: dict[str, int]) -> None:
    from golive.collectors.host.services import listeners

    mine = [x for x in listeners() if x.port == redis_servers["open"]]
    assert [(x.service, x.address, x.loopback) for x in mine] == [("Redis", "127.0.0.1", True)]
