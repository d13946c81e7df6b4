"""The data services of this machine: which Redis, Memcached, PostgreSQL and MySQL servers
listen, on which addresses (``psutil.net_connections``), and what a Redis named in ``CACHES``
answers to one ``PING`` sent without a password. Part of the host collector
(:mod:`golive.collectors.host`).
"""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

from golive.facts.host import Listener
from golive.redact import is_redacted

DATA_SERVICES = {
    "redis-server": "Redis",
    "redis": "Redis",
    "valkey-server": "Redis",
    "memcached": "Memcached",
    "postgres": "PostgreSQL",
    "postmaster": "PostgreSQL",
    "mysqld": "MySQL",
    "mariadbd": "MySQL",
}


WELL_KNOWN_PORTS = {6379: "Redis", 11211: "Memcached", 5432: "PostgreSQL", 3306: "MySQL"}


def listeners() -> tuple[Listener, ...]:
    import psutil

    try:
        conns = psutil.net_connections(kind="inet")
    except (psutil.Error, OSError):
        return ()
    out = {}
    for conn in conns:
        if conn.status != psutil.CONN_LISTEN or not conn.laddr:
            continue
        name = ""
        if conn.pid:
            try:
                name = psutil.Process(conn.pid).name()
            except psutil.Error:
                name = ""
        service = DATA_SERVICES.get(name) or (None if name else WELL_KNOWN_PORTS.get(conn.laddr.port))
        if service is None:
            continue
        key = (service, conn.laddr.ip, conn.laddr.port)
        out[key] = Listener(
            service=service, address=conn.laddr.ip, port=conn.laddr.port, pid=conn.pid, process=name
        )
    return tuple(sorted(out.values(), key=lambda x: (x.service, x.port, x.address)))


def redis_ping(target: str, timeout: float = 2.0) -> tuple[str, str]:
    """Send one RESP ``PING`` without credentials; ``(answer, detail)`` (see :class:`RedisPing`).

    ``target`` is ``host:port`` or a unix socket path. Protocol:
    https://redis.io/docs/latest/develop/reference/protocol-spec/
    """
    try:
        if target.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(target)
        else:
            host, _, port = target.rpartition(":")
            sock = socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
        with sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            reply = sock.recv(512).decode("utf-8", "replace").strip()
    except (OSError, ValueError) as exc:
        return "error", f"{type(exc).__name__}: {exc}"
    if reply.startswith("+PONG"):
        return "PONG", reply
    if reply.startswith("-"):
        word = reply[1:].split(" ", 1)[0]
        return word or "error", reply[:200]
    return "error", f"unexpected reply {reply[:60]!r}"


def redis_targets(settings: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(alias, target, URL carries a password) for each Redis cache in ``CACHES``."""
    out: list[tuple[str, str, bool]] = []
    caches = settings.get("CACHES") or {}
    if not isinstance(caches, dict):
        return out
    for alias, conf in caches.items():
        if not isinstance(conf, dict) or "redis" not in str(conf.get("BACKEND", "")).lower():
            continue
        location = conf.get("LOCATION")
        values = location if isinstance(location, list) else [location]
        for value in values:
            if not isinstance(value, str) or not value:
                continue
            for one in value.replace(",", ";").split(";"):
                one = one.strip()
                if is_redacted(one):
                    continue  # a redacted value is unknown, not a host to ping (issue 9, item 3)
                parts = urlsplit(one if "://" in one else f"redis://{one}")
                if parts.scheme == "unix":
                    target = parts.path
                elif parts.scheme in ("redis", "rediss", "valkey"):
                    target = f"{parts.hostname or 'localhost'}:{parts.port or 6379}"
                else:
                    continue
                out.append((str(alias), target, bool(parts.password)))
    return out
