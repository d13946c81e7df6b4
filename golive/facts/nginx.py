"""Facts about nginx includes that are not read from the repository, and how checks use them.

An ``include`` whose file is not on disk (against the prefix) is looked for in the
repository, then among the stock files golive knows (:mod:`golive.data.nginx_stock`); one
found nowhere stays in the parsed tree as an ``include`` node where it was written, so a
check can tell that a directive it misses may be in that file: its conclusion is then
*unknown*, not pass, not fail (DESIGN.md). nginx inserts an included file's directives in
place of the ``include`` (https://nginx.org/en/docs/ngx_core_module.html#include), so the
file can set anything the enclosing level allows, and an outer level's directives reach
the inner ones by inheritance.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, ClassVar

from msgspec import Struct, field
from msgspec.structs import force_setattr

from golive.facts.compose import Service
from golive.facts.nginx_tree import Chain, Node, servers
from golive.model import Location
from golive.redact import redact_text
from golive.redact_nginx import redact_nginx_line
from golive.registry import FactsBase

#: How an include was resolved when its file was not on disk.
REPOSITORY, STOCK, UNKNOWN = "repository", "stock", "unknown"
#: Starts the ``source`` of a directive read from golive's copy of a stock file
#: (``golive's copy of proxy_params as Debian nginx-common 1.22.1-9+deb12u12 ships it``).
STOCK_SOURCE = "golive's copy of "


class IncludeNote(Struct, frozen=True, kw_only=True):
    """One ``include`` whose file was not found against the prefix: where it is written
    (``path`` as shown, ``line``), its argument ``pattern``, ``how`` it was resolved
    (:data:`REPOSITORY`: a repository file of the same path tail; :data:`STOCK`: golive's
    copy of a packaged file; :data:`UNKNOWN`: neither) and ``target`` (the repository file
    as shown, the stock file's label, or the path nginx would read)."""

    path: str
    line: int | None
    pattern: str
    how: str
    target: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        said = {
            REPOSITORY: f"read from the repository's {self.target}",
            STOCK: f"not in the repository: read golive's copy of {self.target}",
            UNKNOWN: f"not in the repository, not a stock file ({self.target}): what it sets is unknown",
        }[self.how]
        return f"{where}: include {self.pattern}: {said}"


def unknown_includes(chain: Chain) -> list[Node]:
    """The unresolved ``include`` nodes at any level of ``chain`` (outermost first): each may
    hold directives in force at ``chain[-1]``. Resolved includes leave no node (their
    directives are in place), so every ``include`` node in the tree is an unresolved one."""
    return [n for level in chain for n in level.find("include") if n.args]


def unknown_reason(chain: Chain, what: str) -> str | None:
    """``include snippets/ssl-params.conf at site.conf:9 is not in the repository: TLS
    protocols unknown`` when an unresolved include may set ``what`` at ``chain[-1]``; else None."""
    found = unknown_includes(chain)
    if not found:
        return None
    names = ", ".join(f"`include {n.args[0]}` at {n.where}" for n in found)
    verb = "is" if len(found) == 1 else "are"
    return f"{names} {verb} not in the repository: {what} unknown"


class NginxDeployment(Struct, frozen=True, kw_only=True):
    """How an audited nginx file is deployed, when a Compose file says so: the ``service``
    that runs nginx with it, the other services of that file (``siblings``), where the file
    sits in the container (``mounted_at``, ``""`` when unknown), how golive matched them
    (``how``) and the variables the official image's envsubst would give a template (``env``:
    the service's ``environment:`` and ``env_file:``).
    """

    service: Service
    siblings: tuple[Service, ...] = ()
    mounted_at: str = ""
    how: str = ""
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def front(self) -> Service | None:
        """The reverse proxy nginx is reached through: nginx publishes no port (but on the
        loopback) and a sibling service is a proxy (Traefik, Caddy...), the one publishing
        ports first. None otherwise."""
        proxies = [s for s in self.siblings if s.is_proxy]
        direct = [p for p in self.service.ports if not p.startswith(("127.0.0.1:", "localhost:", "[::1]:"))]
        if not proxies or direct:
            return None
        published = [s for s in proxies if s.ports]
        return (published or proxies)[0]

    @property
    def internal(self) -> str | None:
        """Why the checks of TLS, redirects and HSTS do not apply to this nginx, or None."""
        front = self.front
        if front is None:
            return None
        what = front.image or front.name
        return (
            f"nginx ({self.service.file} service {self.service.name}, no published port) is reached only"
            f" through {front.name} ({what}): TLS, the https redirect, HSTS and the X-Forwarded-* headers"
            " clients send are that proxy's"
        )

    @property
    def host_rules(self) -> list[str]:
        """The Traefik ``Host(...)`` rules that route to this nginx (its labels)."""
        return [v for k, v in self.service.labels.items() if k.endswith(".rule") and "Host(" in v]


class ParseError(Struct, frozen=True, kw_only=True):
    """A reason a file cannot be audited: ``path`` (display), ``line`` (None when unknown)."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class NginxTest(Struct, frozen=True, kw_only=True):
    """The result of ``nginx -t`` on one input: ``ok``, and nginx's first error line."""

    ran: bool
    ok: bool = False
    output: str = ""


class GixyResult(Struct, frozen=True, kw_only=True):
    """One gixy-ng report: its ``plugin``, gixy's ``severity`` (``HIGH``...), ``summary``,
    ``reason``, ``excerpt`` (gixy's pseudo-config of the offending directives), and where.
    """

    plugin: str
    severity: str
    summary: str
    description: str
    reason: str
    help_url: str
    excerpt: str
    location: Location | None
    source: str = ""
    directive: str = ""

    def __post_init__(self) -> None:
        """Redact gixy's excerpt (line by line, as directives: :func:`golive.redact_nginx.redact_nginx_line`)
        and its reason (they quote directives) when the fact is made."""
        excerpt = "\n".join(redact_nginx_line(line) for line in self.excerpt.split("\n"))
        force_setattr(self, "excerpt", excerpt)
        force_setattr(self, "reason", redact_text(self.reason))

    @classmethod
    def redacted(cls, **values: Any) -> GixyResult:
        """A result from ``values`` (every field) already redacted when it was first made: kept
        by golive's scan cache (:mod:`golive.collectors.nginx.scan_cache`), which keeps only
        texts that redacting leaves as they are, as it keeps the tree's redacted arguments;
        so they are not redacted again. TypeError when a field is missing or unknown."""
        names = set(cls.__struct_fields__)
        if set(values) != names:
            raise TypeError(f"GixyResult fields: {sorted(set(values) ^ names)}")
        result = cls(**values)  # redacts once more: the kept texts are put back as they were
        for name in ("excerpt", "reason"):
            force_setattr(result, name, values[name])
        return result


class NginxFile(Struct, frozen=True, kw_only=True):
    """One audited input: ``path`` (display), how it was ``found``, ``kind`` (``config``,
    ``fragment`` — server blocks meant for an ``http`` block elsewhere — or ``dump``), the
    files it ``included``, its tree (None when it could not be parsed) and its ``errors``;
    ``includes`` says how each include whose file is not on disk was resolved (repository,
    golive's stock copy, unknown: :mod:`golive.collectors.nginx.includes`); ``deployment``
    is the Compose service that runs it, and ``template`` says how a ``*.template`` was
    substituted (:mod:`golive.collectors.nginx.context`).
    """

    path: str
    found: str
    kind: str
    prefix: str
    included: tuple[str, ...] = ()
    root: Node | None = None
    errors: tuple[ParseError, ...] = ()
    nginx_test: NginxTest = field(default_factory=lambda: NginxTest(ran=False))
    notes: tuple[str, ...] = ()
    includes: tuple[IncludeNote, ...] = ()
    deployment: NginxDeployment | None = None
    template: str = ""

    @property
    def ok(self) -> bool:
        """True when the file parsed without error (its tree is audited)."""
        return self.root is not None and not self.errors


class NginxFacts(FactsBase, frozen=True, kw_only=True, dict=True):
    """The nginx inputs (every one parsed: a broken one is a :class:`CollectorError`) and
    gixy-ng's results over them; ``compose_errors`` names the Compose files that could not
    be read for the files' context (each with its reason).
    """

    collector: ClassVar[str] = "nginx"
    files: tuple[NginxFile, ...]
    gixy: tuple[GixyResult, ...] = ()
    gixy_version: str = ""
    compose_errors: tuple[str, ...] = ()

    @property
    def parsed(self) -> list[NginxFile]:
        """The files whose tree is audited."""
        return [f for f in self.files if f.ok]

    def servers(self) -> Iterator[tuple[NginxFile, Chain]]:
        """Every http ``server`` block of every parsed file, with its file."""
        return iter(self._servers)

    @cached_property
    def _servers(self) -> tuple[tuple[NginxFile, Chain], ...]:
        """:meth:`servers`, found once: the checks ask for them many times over the same trees."""
        out = []
        for f in self.parsed:
            assert f.root is not None
            out += [(f, chain) for chain in servers(f.root)]
        return tuple(out)

    @property
    def collector_details(self) -> Mapping[str, Any]:
        """What the report lists under this collector: each file, how it was found, its state."""
        return {
            "files": [
                {
                    "path": f.path,
                    "found": f.found,
                    "kind": f.kind,
                    "included": list(f.included),
                    "status": "ok" if f.ok else "error",
                    "errors": [str(e) for e in f.errors],
                    "nginx -t": f.nginx_test.output or ("ok" if f.nginx_test.ran else "not run"),
                    **({"includes not on disk": [str(n) for n in f.includes]} if f.includes else {}),
                    **({"deployed": f.deployment.how} if f.deployment else {}),
                    **({"template": f.template} if f.template else {}),
                }
                for f in self.files
            ],
            "gixy-ng": self.gixy_version,
            **({"compose files not read": list(self.compose_errors)} if self.compose_errors else {}),
        }
