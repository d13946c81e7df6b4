"""Loopback PostgreSQL and Redis for the corpus runner (benchmarks/corpus.py).

A service is started only when a table lists it and nothing listens on its port yet, and only
what was started here is stopped (:meth:`Services.stop`, called from a ``finally``). PostgreSQL
is a private cluster in the cache directory (trust authentication, 127.0.0.1:5432), run as the
``postgres`` user when this runs as root; Redis is ``redis-server`` on 127.0.0.1:6379.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

PORTS = {"postgresql": 5432, "redis": 6379}
HOST = "127.0.0.1"

_DB = r"(?:^|_)(?:DB|DATABASE|POSTGRES(?:QL)?|PG|SQL)_?"
_NAME_KEY = re.compile(_DB + r"(?:NAME|DB|DATABASE)$", re.IGNORECASE)
_USER_KEY = re.compile(_DB + r"USER(?:NAME)?$", re.IGNORECASE)
_PASS_KEY = re.compile(_DB + r"PASS(?:WORD)?$", re.IGNORECASE)


class ServiceError(Exception):
    """A service could not be started or prepared (one line)."""


@dataclass(frozen=True)
class PgTarget:
    user: str
    password: str
    database: str


def listening(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def pg_targets(values: Mapping[str, str]) -> list[PgTarget]:
    """The role and database each PostgreSQL URL on loopback in ``values`` names, plus one from
    ``DB_NAME``/``DB_USER``/``DB_PASSWORD``-like variables (user ``corpus`` when none is given)."""
    targets: list[PgTarget] = []
    for value in values.values():
        if "://" not in (value or ""):
            continue
        url = urlsplit(value)
        if not url.scheme.startswith(("postgres", "pgsql", "psql")) or url.hostname not in (
            HOST,
            "localhost",
        ):
            continue
        database = unquote(url.path.lstrip("/"))
        if database:
            targets.append(PgTarget(unquote(url.username or "corpus"), unquote(url.password or ""), database))
    named = {
        pat: next((v for k, v in values.items() if v and pat.search(k)), "")
        for pat in (_NAME_KEY, _USER_KEY, _PASS_KEY)
    }
    if named[_NAME_KEY] and "/" not in named[_NAME_KEY] and not named[_NAME_KEY].endswith(".sqlite3"):
        targets.append(PgTarget(named[_USER_KEY] or "corpus", named[_PASS_KEY], named[_NAME_KEY]))
    return list(dict.fromkeys(targets))


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def pg_sql(target: PgTarget) -> str:
    """psql input creating the role (login, the given password) and the database it owns."""
    user, db = _lit(target.user), _lit(target.database)
    password = f" PASSWORD %L', {user}, {_lit(target.password)})" if target.password else f"', {user})"
    return (
        f"SELECT format('CREATE ROLE %I LOGIN', {user})"
        f" WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {user})\\gexec\n"
        f"SELECT format('ALTER ROLE %I LOGIN CREATEDB{password}\\gexec\n"
        f"SELECT format('CREATE DATABASE %I OWNER %I', {db}, {user})"
        f" WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = {db})\\gexec\n"
    )


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4] or 0))
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise ServiceError(f"no {name} (install postgresql)")
    return path


class Services:
    """The services this run started; :meth:`stop` ends them (and only them)."""

    def __init__(self, root: Path, log: Callable[[str], None] = print) -> None:
        self.root = root
        self.log = log
        self.started: dict[str, subprocess.Popen[bytes]] = {}
        self.user = "postgres" if os.geteuid() == 0 else None

    def ensure(self, name: str) -> None:
        if name not in PORTS:
            raise ServiceError(f"unknown service {name!r} (known: {', '.join(PORTS)})")
        if name in self.started or listening(PORTS[name]):
            return
        {"postgresql": self._start_postgresql, "redis": self._start_redis}[name]()

    def _spawn(self, name: str, argv: list[str], *, user: str | None = None) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(
                argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True, user=user
            )
        self.started[name] = proc
        deadline = time.monotonic() + 60
        while not listening(PORTS[name]):
            if proc.poll() is not None or time.monotonic() > deadline:
                self.stop(name)
                raise ServiceError(f"{name} did not start (see {self.root / f'{name}.log'})")
            time.sleep(0.3)
        self.log(f"started {name} on {HOST}:{PORTS[name]} (pid {proc.pid})")

    def _start_redis(self) -> None:
        redis = shutil.which("redis-server")
        if not redis:
            raise ServiceError("no redis-server (install redis-server)")
        argv = [redis, "--port", str(PORTS["redis"]), "--bind", HOST, "--daemonize", "no"]
        self._spawn("redis", [*argv, "--save", "", "--appendonly", "no", "--dir", str(self.root)])

    def _pg_dir(self) -> Path:
        data = self.root / "postgresql"
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user is None:
            return data
        probe = subprocess.run(["runuser", "-u", self.user, "--", "test", "-x", str(self.root)], check=False)
        if probe.returncode != 0:  # the cache is under a home the postgres user cannot enter
            data = Path("/tmp") / f"golive-corpus-postgresql-{os.getuid()}"
            self.log(f"{self.root} is closed to the postgres user: the cluster lives in {data}")
        return data

    def _start_postgresql(self) -> None:
        data = self._pg_dir()
        if not (data / "PG_VERSION").exists():
            data.mkdir(parents=True, exist_ok=True)
            if self.user:
                shutil.chown(data, self.user, self.user)
            data.chmod(0o700)
            argv = [_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            done = subprocess.run([*argv, "--locale=C"], capture_output=True, user=self.user, check=False)
            if done.returncode != 0:
                raise ServiceError(f"initdb failed: {done.stderr.decode(errors='replace').strip()[-300:]}")
        options = [
            f"listen_addresses={HOST}",
            f"port={PORTS['postgresql']}",
            f"unix_socket_directories={data}",
        ]
        argv = [_pg_bin("postgres"), "-D", str(data)]
        for option in [*options, "fsync=off"]:
            argv += ["-c", option]
        self._spawn("postgresql", argv, user=self.user)
        deadline = time.monotonic() + 60
        while self._psql("SELECT 1;").returncode != 0:
            if time.monotonic() > deadline:
                raise ServiceError("postgresql accepts connections but does not answer")
            time.sleep(0.5)

    def _psql(self, sql: str) -> subprocess.CompletedProcess[bytes]:
        argv = [shutil.which("psql") or "psql", "-h", HOST, "-p", str(PORTS["postgresql"]), "-U", "postgres"]
        argv += ["-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-X", "-f", "-"]
        env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}
        env.pop("PGPASSWORD", None)
        return subprocess.run(argv, input=sql.encode(), capture_output=True, env=env, check=False, timeout=60)

    def prepare_databases(self, targets: list[PgTarget]) -> list[str]:
        """Create each role and database; what failed, one line each, without any password."""
        failures = []
        for target in targets:
            done = self._psql(pg_sql(target))
            if done.returncode != 0:
                lines = [ln for ln in done.stderr.decode(errors="replace").splitlines() if "ERROR" in ln]
                message = (lines[-1] if lines else "psql failed").replace(target.password or "\0", "***")
                failures.append(f"database {target.database!r} (role {target.user!r}): {message[:200]}")
        return failures

    def stop(self, only: str | None = None) -> None:
        for name in [only] if only else list(self.started):
            proc = self.started.pop(name, None)
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGINT if name == "postgresql" else signal.SIGTERM)  # fast shutdown
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            self.log(f"stopped {name}")
