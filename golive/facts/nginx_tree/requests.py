"""What an nginx block does with a request, by nginx's semantics and judging nothing: where it
passes requests to the application, which headers it sets or loses by inheritance, whether it
rejects everything, redirects to https or denies, the directory it serves for a URL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator

from golive.facts.nginx_tree.tree import (
    APP_PASS_DIRECTIVES,
    Chain,
    Node,
    effective,
    effective_value,
    find_location,
    headers,
    walk,
)


def app_passes(roots: Iterable[Node]) -> Iterator[tuple[Chain, Node]]:
    """Every ``proxy_pass``/``uwsgi_pass`` inside a ``server`` (requests handed to the
    application), with the chain of the block it is in (an enclosing ``if`` skipped).
    """
    for root in roots:
        for chain in walk((root,)):
            node = chain[-1]
            if node.name in APP_PASS_DIRECTIVES and node.args and any(c.name == "server" for c in chain):
                block = chain[:-1]
                if block[-1].name == "if":
                    block = block[:-1]
                yield block, node


def lost_inherited(chain: Chain, directive: str, header: str) -> Node | None:
    """A ``directive header ...`` at an outer level that the inner levels' own ``directive``
    lines keep from being inherited (nginx inherits them only into a level that has none).
    """
    in_force = effective(chain, directive)
    for level in reversed(chain[:-1]):
        for node in level.find(directive):
            if node.args and node.args[0].lower() == header and node not in in_force:
                return node
    return None


def _returns_4xx(node: Node | None) -> bool:
    ret = node.first("return") if node is not None else None
    return ret is not None and bool(ret.args) and ret.args[0].isdigit() and 400 <= int(ret.args[0]) < 500


def rejects_all(server: Chain) -> bool:
    """True for a server that answers nothing useful to anyone: ``ssl_reject_handshake on``,
    or ``return`` 4xx (444 closes the connection) at server level or in its ``location /``.
    """
    reject = server[-1].first("ssl_reject_handshake")
    if (reject is not None and reject.args[:1] == ("on",)) or _returns_4xx(server[-1]):
        return True
    root_loc = find_location(server, "/")
    return root_loc is not None and _returns_4xx(root_loc[-1])


def redirects_to_https(server: Chain) -> bool:
    """True when the server (or an ``if`` in it) redirects every request to an https URL."""
    for node in (server[-1], *[c for c in server[-1].children or () if c.name == "if"]):
        for name in ("return", "rewrite"):
            found = node.first(name)
            if found is not None and len(found.args) >= 2 and found.args[1].startswith("https://"):
                return True
    return False


def denies(chain: Chain) -> bool:
    """True when the block refuses the request: ``internal``, ``return`` >= 400, ``deny all``."""
    node = chain[-1]
    if node.first("internal") is not None:
        return True
    ret = node.first("return")
    if ret is not None and ret.args and ret.args[0].isdigit() and int(ret.args[0]) >= 400:
        return True
    return any(d.args[:1] == ("all",) for d in effective(chain, "deny"))


def set_header(block: Chain, node: Node, header: str) -> Node | None:
    """The directive that sets request header ``header`` for pass ``node`` in ``block``:
    ``proxy_set_header Name`` for ``proxy_pass``, ``uwsgi_param HTTP_NAME`` for ``uwsgi_pass``.
    """
    if node.name == "uwsgi_pass":
        return headers(block, "uwsgi_param").get("http_" + header.lower().replace("-", "_"))
    return headers(block, "proxy_set_header").get(header.lower())


def from_client(value: str) -> bool:
    """True when a header value copies the client's own (``$http_x_forwarded_proto``) or is empty."""
    return "$http_" in value.lower() or value == ""


SIZE_RE = re.compile(r"^(\d+)([kKmMgG]?)$")


def size(text: str) -> int | None:
    """An nginx size (``20m``, ``1g``, ``0``) in bytes; None when it is not one."""
    match = SIZE_RE.match(text)
    if not match:
        return None
    return int(match.group(1)) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]


def served_directory(loc: Chain, url: str) -> tuple[str, Node] | None:
    """The directory a prefix location serves ``url`` from (``alias``, else ``root`` + URL),
    with the directive; None for a regex location or one with neither.
    """
    node = loc[-1]
    if len(node.args) == 2 and node.args[0] in ("~", "~*"):
        return None
    alias = node.first("alias")
    if alias is not None and alias.args:
        return os.path.normpath(alias.args[0] + "/" + url[len(node.args[-1]) :]), alias
    root = effective_value(loc, "root")
    if root is not None and root.args:
        return os.path.normpath(root.args[0] + "/" + url), root
    return None
