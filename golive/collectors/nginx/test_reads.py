"""What ``nginx -t`` reads, for the key of its answer (:mod:`golive.collectors.nginx.test_cache`):
crossplane's parse of the file given to ``-c`` (the fork gixy-ng ships; includes followed),
the paths its directives name and the host names nginx resolves when it loads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class Uncacheable(Exception):
    """No key can be made: what nginx would read cannot be known or read."""


#: Directives that read a file when nginx loads the configuration (with ``include``, followed
#: by the parser): certificates and keys (``ssl_*``, ``proxy_ssl_*``...), ``*_file``, modules.
FILE_DIRECTIVE = re.compile(
    r"(certificate|certificate_key|_crl|dhparam|_file|_key|_modules?|_import|_path)$|^geoip"
)
#: Directives naming files nginx writes (their folder is in the key, not the file).
WRITTEN = re.compile(r"^(error_log|access_log|pid|lock_file)$|_temp_path$")
#: Directives naming hosts that nginx resolves when it loads the configuration.
PASS_DIRECTIVE = re.compile(r"^(proxy|uwsgi|fastcgi|scgi|grpc|memcached)_pass$")


def parse_conf(conf: Path) -> dict[str, Any]:
    """crossplane's payload of ``conf``, its includes followed (as nginx follows them from the
    file's folder); :class:`Uncacheable` when crossplane reports an error (a syntax error, an
    include nginx would not find)."""
    import crossplane

    try:
        payload = crossplane.parse(
            str(conf), strict=False, check_ctx=False, check_args=False, comments=False, catch_errors=True
        )
    except Exception:
        raise Uncacheable from None
    if payload.get("status") != "ok" or payload.get("errors"):
        raise Uncacheable  # a syntax error, or an include nginx would not find
    return payload


def references(payload: dict[str, Any], conf: Path, prefix: Path) -> tuple[list[Path], set[str]]:
    """(the paths, the host names) the directives of a crossplane ``payload`` of ``conf``
    name: paths against ``conf``'s folder and ``prefix`` (nginx uses one or the other)."""
    paths: dict[str, Path] = {}
    hosts: set[str] = set()
    seen: set[tuple[str, bool]] = set()  # the same argument names the same paths (many files repeat them)
    folder = conf.parent
    for config in payload["config"]:
        for name, args, in_upstream in _directives(config.get("parsed") or [], False):
            if name == "include":
                continue
            if name == "resolver":
                hosts.update(h for a in args if (h := host_of(a)))
            elif args and (
                PASS_DIRECTIVE.match(name) or (name == "server" and in_upstream) or name == "listen"
            ):
                hosts.update(h for h in [host_of(args[0])] if h)
            written = WRITTEN.search(name) is not None
            for arg in args:
                if (arg, written) in seen or "\x00" in arg:
                    continue
                if not ("/" in arg or "." in arg or FILE_DIRECTIVE.search(name)):
                    continue
                seen.add((arg, written))
                for path in (Path(arg),) if arg.startswith("/") else (folder / arg, prefix / arg):
                    path = path.parent if written else path  # nginx creates the file there
                    paths.setdefault(str(path), path)
    return list(paths.values()), hosts


def _directives(block: list[dict[str, Any]], in_upstream: bool) -> Iterator[tuple[str, list[str], bool]]:
    for stmt in block:
        name = str(stmt.get("directive", ""))
        yield name, [str(a) for a in stmt.get("args") or []], in_upstream
        if stmt.get("block"):
            yield from _directives(stmt["block"], name == "upstream")


def host_of(arg: str) -> str | None:
    """The host name in a directive's argument (``http://app:8000/x``, ``app:8000``), or None
    (an address, a port, a socket, a variable, an option)."""
    if "$" in arg or "=" in arg or arg.startswith("unix:"):
        return None
    host = re.sub(r"^[a-z]+://", "", arg).split("/", 1)[0]
    if host.startswith("["):
        return None  # an IPv6 literal
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if not host or host == "*" or host.isdigit() or not re.fullmatch(r"[A-Za-z0-9_.-]+", host):
        return None
    import ipaddress  # here: the collector's import stays light

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return None
