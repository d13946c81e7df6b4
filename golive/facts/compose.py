"""Compose services as the web-server checks need them: ports, volumes, environment, labels.

Read from Compose files (https://docs.docker.com/reference/compose-file/services/) by
:mod:`golive.collectors.nginx.context` with PyYAML's safe loader; values keep Compose's
``${VAR}`` interpolation unless the ``.env`` beside the file or the audit's ``--env-file``
sets the variable
(https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/).
The helpers here are pure: where a container path comes from (:meth:`Service.source_of`),
whether a service is a reverse proxy, Compose's interpolation, one service's lists.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Any

from msgspec import Struct, field

#: Images and service names of reverse proxies that route to other services.
PROXY_RE = re.compile(r"(^|/)(traefik|caddy|haproxy|nginx-proxy|envoy|nginx-proxy-manager)\b")
INTERPOLATE_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


class Volume(Struct, frozen=True, kw_only=True):
    """One mount: ``source`` (a repository path relative to the project, an absolute host path,
    or a named volume when ``named``), and ``target`` (the path inside the container). A
    ``copied`` one is a Dockerfile ``COPY`` into the service's image: the container holds a
    copy made at build time, not a directory shared with another service."""

    source: str
    target: str
    named: bool = False
    copied: bool = False

    @property
    def key(self) -> str:
        """What two mounts share when they show the same files (``volume:media``, a host path)."""
        return f"volume:{self.source}" if self.named else posixpath.normpath(self.source)


class Service(Struct, frozen=True, kw_only=True):
    """One Compose service: its ``name``, the compose ``file`` (as shown), ``image``, build
    context (project-relative, ``""`` when none), published ``ports``, ``volumes``, the
    ``environment`` it declares (``env_file:`` values included), ``labels`` and ``command``."""

    name: str
    file: str
    image: str = ""
    build: str = ""
    ports: tuple[str, ...] = ()
    volumes: tuple[Volume, ...] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    command: str = ""

    @property
    def is_proxy(self) -> bool:
        """True for Traefik, Caddy, HAProxy, nginx-proxy and the like (by image or name)."""
        return bool(PROXY_RE.search(self.image.lower()) or PROXY_RE.search(self.name.lower()))

    def source_of(self, path: str, *, copies: bool = False) -> tuple[Volume, str] | None:
        """The mount a container ``path`` is on (the longest ``target`` prefix; image copies
        too when ``copies``) and the rest of the path below it; None when none holds it."""
        path = posixpath.normpath(path)
        best: tuple[Volume, str] | None = None
        for vol in self.volumes:
            if vol.copied and not copies:
                continue
            target = posixpath.normpath(vol.target)
            if path == target or path.startswith(target.rstrip("/") + "/"):
                rest = posixpath.relpath(path, target) if path != target else ""
                if best is None or len(target) > len(posixpath.normpath(best[0].target)):
                    best = (vol, "" if rest == "." else rest)
        return best


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's interpolation of ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``,
    ``${VAR:+alternative}`` and ``$VAR`` with ``env``; ``$$`` is a literal ``$``. An unset
    variable without a default (``${VAR}``, ``${VAR:?error}``) is kept as written (golive
    does not know it), never replaced by an empty string."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        op, default = match.group(2), match.group(3)
        value = env.get(name)
        if op in (":-", "-"):
            return value if value is not None and (value or op == "-") else (default or "")
        if op in (":+", "+"):
            return (default or "") if value is not None and (value or op == "+") else ""
        return value if value is not None else match.group(0)

    parts = text.split("$$")
    return "$".join(INTERPOLATE_RE.sub(one, part) for part in parts)


def strings(node: Any, env: Mapping[str, str]) -> dict[str, str]:
    """A Compose list (``["A=1", "B"]``) or mapping (``{A: 1}``) as a dict of strings."""
    out: dict[str, str] = {}
    if isinstance(node, Mapping):
        for key, value in node.items():
            if value is not None:
                text = str(value).lower() if isinstance(value, bool) else str(value)
                out[str(key)] = interpolate(text, env)
    elif isinstance(node, list):
        for item in node:
            key, eq, value = str(item).partition("=")
            if eq:
                out[key] = interpolate(value, env)
    return out


def volume(item: Any, base: str, env: Mapping[str, str]) -> Volume | None:
    """One ``volumes:`` entry, short (``./media:/srv/media:ro``) or long syntax; a relative
    host path is made relative to the project through ``base`` (the compose file's folder)."""
    if isinstance(item, Mapping):
        source, target = str(item.get("source") or ""), str(item.get("target") or "")
        named = item.get("type") == "volume"
    else:
        parts = interpolate(str(item), env).split(":")
        if len(parts) < 2:
            return None
        source, target = parts[0], parts[1]
        named = not source.startswith((".", "/", "~", "$"))
    if not target:
        return None
    if not named and not source.startswith("/"):
        source = posixpath.normpath(posixpath.join(base, source))
    return Volume(source=source, target=target, named=named)
