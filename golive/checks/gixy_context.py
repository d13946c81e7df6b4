"""gixy-ng's reports read in their context: when what a rule fears cannot happen here, the
finding is lowered to low with the reason (issue 12: "when in doubt lower severity").

- ``http_splitting`` reports a variable that can hold ``"\\r"`` but not ``"\\n"`` (a regex
  capture such as ``(.*)``: PCRE's ``.`` never matches a line feed). A bare CR cannot start a
  new header line: HTTP/1.1 says "A recipient of such a bare CR MUST consider that element to
  be invalid or replace each bare CR with SP before processing the element or forwarding the
  message" (RFC 9112 section 2.2, https://www.rfc-editor.org/rfc/rfc9112#section-2.2).
- ``alias_traversal`` on a prefix location whose ``alias`` does not end with ``/`` (gixy-ng's
  medium case): nginx matches locations on the normalised URI (no ``..`` segment left,
  https://nginx.org/en/docs/http/ngx_http_core_module.html#location), and what follows the
  prefix is glued to the alias's last segment, so a request reaches only
  ``dirname(alias)/basename(alias)*``. When another location of the same server already
  serves that whole folder with ``alias <folder>/``, nothing new is exposed.
"""

from __future__ import annotations

import posixpath

from golive.facts.nginx import GixyResult, NginxFacts
from golive.facts.nginx_tree import Chain, servers, walk

#: Evidence of :func:`bare_cr_only`.
BARE_CR = (
    "the variable can hold a bare CR (\\r) but no line feed: HTTP/1.1 (RFC 9112 section 2.2) has a"
    " recipient reject a bare CR or replace it with a space, so it cannot start a new header: low"
)


def bare_cr_only(result: GixyResult) -> bool:
    """True when gixy-ng's ``http_splitting`` report is about ``"\\r"`` only (its reason names
    ``"\\r"`` and never ``"\\n"``)."""
    return result.plugin == "http_splitting" and '"\\r"' in result.reason and '"\\n"' not in result.reason


def _alias_chain(nginx: NginxFacts, result: GixyResult) -> tuple[Chain, Chain] | None:
    """``(server, chain to the alias)`` of the alias gixy-ng reported, found by file and line."""
    loc = result.location
    if loc is None or loc.line is None:
        return None
    for f in nginx.parsed:
        assert f.root is not None
        for server in servers(f.root):
            for chain in walk(server):
                node = chain[-1]
                if node.name == "alias" and node.line == loc.line and node.path == loc.path:
                    return server, chain
    return None


def alias_already_served(nginx: NginxFacts, result: GixyResult) -> str:
    """The evidence line when an ``alias_traversal`` report reaches only files another location
    of the same server already serves (see the module's docstring), else ``""``."""
    if result.plugin != "alias_traversal":
        return ""
    found = _alias_chain(nginx, result)
    if found is None:
        return ""
    server, chain = found
    location, alias = chain[-2], chain[-1]
    if location.name != "location" or len(location.args) != 1 or len(alias.args) != 1:
        return ""  # a regex or ^~ location: gixy-ng's other cases
    target = alias.args[0]
    if target.endswith("/") or "$" in target or not target.startswith("/"):
        return ""
    folder = posixpath.dirname(target).rstrip("/") + "/"
    for other in walk(server):
        node = other[-1]
        if node is alias or node.name != "alias" or len(node.args) != 1:
            continue
        served = node.args[0]
        if "$" in served or not served.endswith("/") or not folder.startswith(served):
            continue
        where = other[-2]
        if where.name == "location":
            return (
                f"location {location.args[0]} reaches only {folder}{posixpath.basename(target)}* (nginx"
                f" matches the normalised URI, with no .. segment), and location {' '.join(where.args)}"
                f" at {node.path}:{node.line} already serves all of {served}: low"
            )
    return ""
