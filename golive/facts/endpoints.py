"""Endpoints: the addresses the web-server and application-server facts share.

An :class:`Endpoint` is where a server listens or where nginx sends requests: a TCP
``host:port`` or a unix socket path. nginx (``proxy_pass http://127.0.0.1:8000``,
``uwsgi_pass unix:/run/app.sock``, ``upstream`` members) and gunicorn (``bind``) spell
them differently; both are parsed here into one shape so the cross-layer checks can
compare them. Parsing follows the two manuals: nginx's ``proxy_pass``/``upstream``
(https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass) and gunicorn's
``bind`` (https://docs.gunicorn.org/en/stable/settings.html#bind).
"""

from __future__ import annotations

import ipaddress
import os
import re

from msgspec import Struct

WILDCARD_HOSTS = {"", "*", "0.0.0.0", "::", "[::]"}
LOOPBACK_NAMES = {"localhost", "ip6-localhost", "ip6-loopback"}


class Endpoint(Struct, frozen=True, kw_only=True):
    """A TCP ``host``:``port`` (``kind="tcp"``), a unix socket ``path`` (``kind="unix"``),
    an inherited file descriptor (``kind="fd"``) or something only known at run time
    (``kind="unknown"``: a variable, an unresolved name). ``text`` is how it was written.
    """

    kind: str
    text: str
    host: str = ""
    port: int | None = None
    path: str = ""

    @property
    def is_wildcard(self) -> bool:
        """True for 0.0.0.0, [::] and ``*``: every interface of the host."""
        return self.kind == "tcp" and self.host in WILDCARD_HOSTS

    @property
    def is_local(self) -> bool:
        """True for unix sockets, descriptors and loopback addresses (127.0.0.0/8, ::1, localhost)."""
        if self.kind in ("unix", "fd"):
            return True
        if self.kind != "tcp":
            return False
        host = self.host.strip("[]").lower()
        if host in LOOPBACK_NAMES or host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    @property
    def is_ip(self) -> bool:
        """True when ``host`` is a literal IP address (or a wildcard)."""
        if self.is_wildcard:
            return True
        try:
            ipaddress.ip_address(self.host.strip("[]"))
        except ValueError:
            return False
        return True

    def reaches(self, listener: Endpoint) -> bool:
        """Whether a client connecting to ``self`` reaches a server bound to ``listener``.

        Unix sockets match by normalised path; TCP by port, with a wildcard listener
        accepting any host and a host name (``web:8000`` in docker-compose) matching any
        listener on the same port, since golive cannot resolve it.
        """
        if self.kind == "unix" and listener.kind == "unix":
            return os.path.normpath(self.path) == os.path.normpath(listener.path)
        if self.kind != "tcp" or listener.kind != "tcp" or self.port != listener.port:
            return False
        if listener.is_wildcard or not self.is_ip or not listener.is_ip:
            return True
        if self.is_local and listener.is_local:
            return True
        return self.host.strip("[]").lower() == listener.host.strip("[]").lower()

    def __str__(self) -> str:
        return self.text


def _host_port(text: str, default_port: int | None) -> tuple[str, int | None] | None:
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
        host = f"[{host}]"
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    elif text.count(":") > 1:  # a bare IPv6 address
        host, port_text = f"[{text}]", ""
    else:
        host, port_text = text, ""
    if port_text:
        if not port_text.isdigit():
            return None
        return host, int(port_text)
    return host, default_port


def gunicorn_bind(text: str) -> Endpoint:
    """One gunicorn ``bind`` value: ``unix:PATH``, ``fd://N``, ``HOST:PORT``, ``HOST``.

    A host without a port listens on 8000 (gunicorn's ``bind`` docs); ``$PORT`` left
    unexpanded gives ``port=None``.
    """
    if text.startswith("unix:"):
        return Endpoint(kind="unix", text=text, path=text[len("unix:") :])
    if text.startswith("fd://"):
        return Endpoint(kind="fd", text=text)
    if "$" in text:
        host = text.rsplit(":", 1)[0] if ":" in text else text
        return Endpoint(kind="tcp", text=text, host=host, port=None)
    parsed = _host_port(text, 8000)
    if parsed is None:
        return Endpoint(kind="unknown", text=text)
    return Endpoint(kind="tcp", text=text, host=parsed[0], port=parsed[1])


def listen_address(text: str, default_port: int) -> Endpoint:
    """A ``host:port``/``port``/``unix:path`` as uvicorn, daphne, hypercorn or uWSGI write it."""
    if text.startswith("unix:"):
        return Endpoint(kind="unix", text=text, path=text[len("unix:") :])
    if text.startswith("/") or text.startswith("./") or text.endswith(".sock"):
        return Endpoint(kind="unix", text=text, path=text)
    if text.startswith("fd://"):
        return Endpoint(kind="fd", text=text)
    if text.isdigit():
        return Endpoint(kind="tcp", text=text, host="0.0.0.0", port=int(text))
    if text.startswith(":") and text[1:].isdigit():
        return Endpoint(kind="tcp", text=text, host="0.0.0.0", port=int(text[1:]))
    parsed = _host_port(text, default_port)
    if parsed is None or "$" in text:
        return Endpoint(kind="unknown", text=text)
    return Endpoint(kind="tcp", text=text, host=parsed[0], port=parsed[1])


def nginx_address(text: str, default_port: int = 80) -> Endpoint:
    """An upstream address as nginx writes it: ``unix:/path``, ``host:port``, ``host``."""
    if "$" in text:
        return Endpoint(kind="unknown", text=text)
    if text.startswith("unix:"):
        return Endpoint(kind="unix", text=text, path=text[len("unix:") :])
    parsed = _host_port(text, default_port)
    if parsed is None:
        return Endpoint(kind="unknown", text=text)
    return Endpoint(kind="tcp", text=text, host=parsed[0], port=parsed[1])


def nginx_pass_target(value: str) -> tuple[Endpoint, str | None]:
    """Where ``proxy_pass``/``uwsgi_pass``/... sends requests: ``(endpoint, upstream name)``.

    ``proxy_pass http://unix:/run/app.sock:/uri`` is a unix socket; a host name without
    a port (``http://app``) may name an ``upstream`` block, returned as the second item
    for the caller to look up.
    """
    if "$" in value:
        return Endpoint(kind="unknown", text=value), None
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "", value
    if rest.startswith("unix:"):
        path = rest[len("unix:") :].split(":", 1)[0]
        return Endpoint(kind="unix", text=value, path=path), None
    default = 443 if scheme in ("https", "grpcs", "suwsgi") else 80
    netloc = rest.split("/", 1)[0]
    ep = nginx_address(netloc, default)
    has_port = bool(re.search(r":\d+$", netloc))
    name = netloc if ep.kind == "tcp" and not ep.is_ip and not has_port else None
    return Endpoint(kind=ep.kind, text=value, host=ep.host, port=ep.port, path=ep.path), name
