"""The host facts: file modes and owners, the application-server processes, their sockets and
listeners, the Redis answer, as the host collector (:mod:`golive.collectors.host`) saw them.
"""

from __future__ import annotations

import ipaddress
import stat
from typing import ClassVar

from msgspec import Struct

from golive.registry import FactsBase


class FileMode(Struct, frozen=True, kw_only=True):
    """A file's ``path`` (relative to the project), ``kind`` (``settings``, ``env``,
    ``key``), permission bits ``mode`` (``0o644``), owner and group names."""

    path: str
    kind: str
    mode: int
    owner: str
    group: str

    @property
    def other_readable(self) -> bool:
        """True when users other than the owner and group may read it."""
        return bool(self.mode & stat.S_IROTH)


class AppProcess(Struct, frozen=True, kw_only=True):
    """One application-server process of the project: ``pid``, its parent, user, command."""

    pid: int
    ppid: int
    user: str
    name: str
    cmdline: str


class SocketMode(Struct, frozen=True, kw_only=True):
    """A unix socket an application server listens on, with its mode and owner."""

    path: str
    mode: int
    owner: str
    pid: int

    @property
    def world_writable(self) -> bool:
        """True when every local user may connect (connecting needs write permission)."""
        return bool(self.mode & stat.S_IWOTH)


class Listener(Struct, frozen=True, kw_only=True):
    """A database or cache server listening on ``address``:``port`` (``service`` is
    ``Redis``, ``Memcached``, ``PostgreSQL`` or ``MySQL``; ``process`` may be empty when
    this user cannot see it)."""

    service: str
    address: str
    port: int
    pid: int | None
    process: str

    @property
    def loopback(self) -> bool:
        """True for 127.0.0.0/8 and ::1."""
        try:
            return ipaddress.ip_address(self.address.split("%")[0]).is_loopback
        except ValueError:
            return False


class RedisPing(Struct, frozen=True, kw_only=True):
    """The answer of the Redis at ``target`` (``host:port`` or a socket path) to a PING
    sent without credentials: ``answer`` is ``PONG``, ``NOAUTH``/``WRONGPASS``/``DENIED``
    (an error Redis sent) or ``error`` (no answer; ``detail`` says why)."""

    alias: str
    target: str
    url_has_password: bool
    answer: str
    detail: str = ""


class HostFacts(FactsBase, frozen=True, kw_only=True):
    """This machine as the project's server (see the module docstring).

    ``writable`` lists up to 20 project paths the web server's user may write to
    (``writable_total`` counts all); ``redis_error`` says why Redis was not pinged.
    """

    collector: ClassVar[str] = "host"
    reason: str
    project_dir: str
    files: tuple[FileMode, ...]
    web_user: str
    web_user_source: str
    web_user_known: bool
    writable: tuple[str, ...]
    writable_total: int
    processes: tuple[AppProcess, ...]
    sockets: tuple[SocketMode, ...]
    listeners: tuple[Listener, ...]
    redis: tuple[RedisPing, ...]
    redis_error: str | None = None
