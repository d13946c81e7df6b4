"""The parsed nginx configuration as an immutable tree (frozen :class:`Node` values), its
navigation and nginx's routing of a request to a location; the semantics it follows, with
their sources, are in :mod:`golive.facts.nginx_tree`, which re-exports everything here.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

from msgspec import Struct

from golive.facts.endpoints import Endpoint, nginx_address, nginx_pass_target
from golive.model import Location
from golive.redact_nginx import redact_directive

PASS_DIRECTIVES = ("proxy_pass", "uwsgi_pass", "fastcgi_pass", "scgi_pass", "grpc_pass")
APP_PASS_DIRECTIVES = ("proxy_pass", "uwsgi_pass")


class Node(Struct, frozen=True, eq=False, dict=True):
    """One directive: ``name``, ``args``, where it is (``path`` for display, ``line``) and,
    for a block, its ``children`` (None for a simple directive). ``source`` is the original
    file for a directive read from an ``nginx -T`` dump (``path`` is then the dump).
    """

    name: str
    args: tuple[str, ...]
    path: str
    line: int | None
    children: tuple[Node, ...] | None = None
    source: str = ""

    @cached_property
    def descendants(self) -> tuple[Chain, ...]:
        """Every descendant with its ancestors from this node, depth first (``walk((self,))``),
        made once: the tree is immutable (a cached property: not a field, so neither compared,
        shown nor kept)."""
        return tuple(_walk((self,)))

    @property
    def is_block(self) -> bool:
        """True for a block (``server { ... }``)."""
        return self.children is not None

    @property
    def location(self) -> Location:
        """Where the directive is, for a finding."""
        return Location(path=self.path, line=self.line)

    @property
    def where(self) -> str:
        """``path:line`` (with the original file of a dump entry)."""
        text = f"{self.path}:{self.line}" if self.line else self.path
        return f"{text} ({self.source})" if self.source and self.source != self.path else text

    def find(self, name: str) -> list[Node]:
        """The direct children named ``name``, in order."""
        return [c for c in self.children or () if c.name == name]

    def first(self, name: str) -> Node | None:
        """The first direct child named ``name``."""
        return next((c for c in self.children or () if c.name == name), None)

    def text(self) -> str:
        """The directive as written (``proxy_set_header Host $host;``), blocks as ``location /x/ {…}``."""
        args = " ".join(shlex.quote(a) if (not a or re.search(r"\s|;|'", a)) else a for a in self.args)
        head = f"{self.name} {args}".strip()
        return head + (" {…}" if self.is_block else ";")

    def evidence(self) -> str:
        """``text()`` at ``where`` (one evidence line)."""
        return f"{self.text()} at {self.where}"


Chain = tuple[Node, ...]
"""A node with its ancestors, outermost first: ``(root, http, server, location)``."""


def from_gixy(root: Any, display: Callable[[str | None], tuple[str, str]]) -> Node:
    """Copy gixy-ng's parsed tree (``gixy.directives.block.Root``) into :class:`Node` values.

    ``display(file)`` maps a gixy directive's file to ``(path, source)``. Arguments are
    redacted here, when the fact is made (:func:`golive.redact_nginx.redact_directive`): a
    ``proxy_set_header Authorization "Basic ..."`` never enters a fact.
    """

    def convert(d: Any) -> Node:
        path, source = display(getattr(d, "file", None))
        children = tuple(convert(c) for c in d.children) if getattr(d, "is_block", False) else None
        return Node(
            name=str(d.name),
            args=redact_directive(str(d.name), [str(a) for a in d.args]),
            path=path,
            line=getattr(d, "line", None),
            children=children,
            source=source,
        )

    children = tuple(convert(c) for c in root.children)
    first = children[0] if children else None
    return Node(name="main", args=(), path=first.path if first else "", line=None, children=children)


def walk(chain: Chain) -> Iterator[Chain]:
    """Every descendant of ``chain[-1]``, each with its ancestors, depth first.

    From a single node (``walk((root,))``, what the checks ask of each file again and again)
    the chains are made once and kept on the node (:attr:`Node.descendants`: the tree is
    immutable); from a longer chain they are made as they are read.
    """
    if len(chain) == 1:
        return iter(chain[0].descendants)
    return _walk(chain)


def _walk(chain: Chain) -> Iterator[Chain]:
    # depth first with a stack of the open levels (a recursive generator pays for every
    # level above a node at each node)
    levels = [(chain, iter(chain[-1].children or ()))]
    while levels:
        parent, children = levels[-1]
        child = next(children, None)
        if child is None:
            levels.pop()
            continue
        sub = (*parent, child)
        yield sub
        if child.is_block:
            levels.append((sub, iter(child.children or ())))


def servers(root: Node) -> list[Chain]:
    """The http ``server`` blocks (not ``stream``/``mail`` ones, not ``upstream`` members)."""
    out = []
    for chain in walk((root,)):
        node = chain[-1]
        if node.name == "server" and node.is_block and not any(a.name in ("stream", "mail") for a in chain):
            out.append(chain)
    return out


def effective(chain: Chain, name: str) -> list[Node]:
    """The ``name`` directives in force at ``chain[-1]``: those of the innermost level that has any."""
    for level in reversed(chain):
        found = level.find(name)
        if found:
            return found
    return []


def effective_value(chain: Chain, name: str) -> Node | None:
    """The last ``name`` directive in force at ``chain[-1]`` (for scalar directives)."""
    found = effective(chain, name)
    return found[-1] if found else None


def headers(chain: Chain, directive: str = "add_header") -> dict[str, Node]:
    """Header name (lower case) → the ``add_header``/``proxy_set_header`` setting it at ``chain[-1]``."""
    return {n.args[0].lower(): n for n in effective(chain, directive) if n.args}


class Listen(Struct, frozen=True, kw_only=True):
    """One ``listen``: the socket ``key`` (``*:80``, ``[::]:443``, ``quic *:443``), its
    flags, and the directive (None for the implicit ``listen *:80``).
    """

    key: str
    port: int | None
    ssl: bool
    default: bool
    quic: bool
    node: Node | None


def listens(server: Chain) -> list[Listen]:
    """The sockets a server listens on; a server without ``listen`` listens on ``*:80``."""
    out = []
    for node in server[-1].find("listen"):
        if not node.args:
            continue
        addr, flags = node.args[0], set(node.args[1:])
        if addr.startswith("unix:"):
            key, port = addr, None
        else:
            ep = nginx_address(addr if not addr.isdigit() else f"*:{addr}", 80)
            host = "*" if ep.host in ("", "*", "0.0.0.0") else ep.host
            key, port = f"{host}:{ep.port}", ep.port
        quic = "quic" in flags
        out.append(
            Listen(
                key=("quic " if quic else "") + key,
                port=port,
                ssl="ssl" in flags or quic,
                default="default_server" in flags or "default" in flags,
                quic=quic,
                node=node,
            )
        )
    if not out:
        out.append(Listen(key="*:80", port=80, ssl=False, default=False, quic=False, node=None))
    return out


def server_names(server: Chain) -> list[str]:
    """The ``server_name`` values of a server (``""`` when none is given)."""
    names = [a for n in server[-1].find("server_name") for a in n.args]
    return names or [""]


def _pcre(pattern: str) -> str:
    return re.sub(r"\(\?<(?![=!])", "(?P<", pattern)


def location_matches(node: Node, uri: str) -> bool:
    """Whether ``location`` ``node`` matches ``uri`` taken alone (prefix, exact or regex)."""
    args = node.args
    if not args:
        return False
    if len(args) == 1:
        return not args[0].startswith("@") and uri.startswith(args[0])
    modifier, pattern = args[0], args[1]
    if modifier == "=":
        return uri == pattern
    if modifier == "^~":
        return uri.startswith(pattern)
    if modifier in ("~", "~*"):
        try:
            return re.search(_pcre(pattern), uri, re.IGNORECASE if modifier == "~*" else 0) is not None
        except re.error:
            return False
    return False


def _modifier(node: Node) -> str:
    return node.args[0] if len(node.args) == 2 else ""


def _find(chain: Chain, uri: str) -> tuple[Chain | None, bool]:
    """nginx's ``ngx_http_core_find_location``: (the location, whether the search is over)."""
    locs = [c for c in chain[-1].children or () if c.name == "location" and c.is_block]
    for loc in locs:
        if _modifier(loc) == "=" and location_matches(loc, uri):
            return (*chain, loc), True
    prefixes = [loc for loc in locs if _modifier(loc) in ("", "^~") and location_matches(loc, uri)]
    best = max(prefixes, key=lambda n: len(n.args[-1]), default=None)
    found: Chain | None = None
    if best is not None:
        found = (*chain, best)
        inner, done = _find(found, uri)
        if done:
            return inner, True
        found = inner or found
        if _modifier(best) == "^~":
            return found, False  # "^~": no regular expressions at this level
    for loc in locs:
        if _modifier(loc) in ("~", "~*") and location_matches(loc, uri):
            return (*chain, loc), True
    return found, False


def find_location(chain: Chain, uri: str) -> Chain | None:
    """The location nginx picks for ``uri`` in server ``chain[-1]`` (None: no location matches)."""
    return _find(chain, uri)[0]


def upstreams(root: Node) -> dict[str, list[Node]]:
    """``upstream`` name → its ``server`` members."""
    out: dict[str, list[Node]] = {}
    for chain in walk((root,)):
        node = chain[-1]
        if node.name == "upstream" and node.is_block and node.args:
            out[node.args[0]] = node.find("server")
    return out


class PassTarget(Struct, frozen=True, kw_only=True):
    """A ``*_pass`` directive and where it sends requests (upstream members resolved)."""

    chain: Chain
    node: Node
    endpoints: tuple[Endpoint, ...]
    upstream: str | None = None


def pass_targets(root: Node, directives: tuple[str, ...] = APP_PASS_DIRECTIVES) -> list[PassTarget]:
    """Every ``proxy_pass``/``uwsgi_pass`` (or ``directives``) in the tree, with its endpoints."""
    ups = upstreams(root)
    out = []
    for chain in walk((root,)):
        node = chain[-1]
        if node.name not in directives or not node.args:
            continue
        ep, name = nginx_pass_target(node.args[0])
        if name is None and ep.kind == "unknown" and node.args[0] in ups:
            name = node.args[0]
        if name is not None and name in ups:
            members = tuple(
                nginx_address(m.args[0], 80) for m in ups[name] if m.args and not m.args[0].startswith("$")
            )
            out.append(PassTarget(chain=chain[:-1], node=node, endpoints=members, upstream=name))
        else:
            out.append(PassTarget(chain=chain[:-1], node=node, endpoints=(ep,)))
    return out


def passes_in(chain: Chain, directives: tuple[str, ...] = PASS_DIRECTIVES) -> list[Node]:
    """The ``*_pass`` directives directly in ``chain[-1]`` or in its ``if`` blocks."""
    out = []
    for child in chain[-1].children or ():
        if child.name in directives:
            out.append(child)
        elif child.name == "if" and child.is_block:
            out += [c for c in child.children or () if c.name in directives]
    return out
