"""Where a probe connects: URL ports and origins, and curl-style ``--resolve`` overrides
(``HOST:PORT:ADDR``: the connection goes to ADDR while the URL, the Host header, SNI and the
certificate's host name check keep HOST)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from msgspec import Struct, field

DEFAULT_PORTS = {"http": 80, "https": 443}


class ResolveError(ValueError):
    """A ``--resolve`` entry that is not ``HOST:PORT:ADDR``."""


class Resolver(Struct, frozen=True):
    """curl-style address overrides: ``(host, port) → address``.

    Built from ``HOST:PORT:ADDR`` entries (``shop.example.com:443:127.0.0.1``, IPv6
    addresses in brackets ``[::1]``); raises :class:`ResolveError` on a malformed one.
    """

    entries: Mapping[tuple[str, int], str] = field(default_factory=dict)

    @classmethod
    def parse(cls, items: tuple[str, ...] | list[str]) -> Resolver:
        """Parse ``--resolve`` values (see the class docstring)."""
        out: dict[tuple[str, int], str] = {}
        for item in items:
            host, sep1, rest = item.partition(":")
            port, sep2, addr = rest.partition(":")
            if not (sep1 and sep2 and host and port.isdigit() and addr):
                raise ResolveError(
                    f"--resolve {item!r}: expected HOST:PORT:ADDR (e.g. shop.example.com:443:10.0.0.5)"
                )
            out[(host.lower(), int(port))] = addr.strip("[]")
        return cls(out)

    def lookup(self, host: str, port: int) -> str | None:
        """The address to connect to for ``host:port``, or None (normal DNS)."""
        return self.entries.get((host.lower(), port))


def url_port(url: str) -> int:
    """The URL's port, or its scheme's default."""
    parts = urlsplit(url)
    return parts.port or DEFAULT_PORTS.get(parts.scheme, 80)


def origin_of(url: str) -> str:
    """``https://Shop.example.com:443/x`` → ``https://shop.example.com`` (default port dropped)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port and port != DEFAULT_PORTS.get(parts.scheme):
        return f"{parts.scheme}://{host}:{port}"
    return f"{parts.scheme}://{host}"
