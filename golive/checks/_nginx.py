"""Helpers the nginx checks share (:mod:`golive.checks.webserver`, :mod:`golive.checks.gixy`,
:mod:`golive.checks.webserver_context`): a failing finding that becomes *unknown* when an
include golive could not read may hold what the rule misses (DESIGN.md: "Unknown is not
pass, not fail")."""

from __future__ import annotations

from typing import Any

from golive.collectors.nginx import NginxFacts
from golive.collectors.servers_nginx import PASS_DIRECTIVES, Chain, Node, find_location, walk
from golive.facts.nginx import unknown_reason
from golive.model import Finding, Location
from golive.registry import CheckSpec


def fail_or_unknown(spec: CheckSpec, chain: Chain, what: str, **kw: Any) -> Finding:
    """``spec.fail(**kw)``, or a skipped finding with the same subjects, location and evidence
    when an unresolved ``include`` at some level of ``chain`` may set ``what`` (its reason:
    ``include snippets/ssl-params.conf at site.conf:9 is not in the repository: TLS
    protocols unknown``)."""
    reason = unknown_reason(chain, what)
    return spec.skipped(reason, **kw) if reason else spec.fail(**kw)


def chain_at(nginx: NginxFacts, location: Location | None, directive: str) -> Chain | None:
    """The chain of the directive named ``directive`` at ``location`` (a gixy-ng report's
    place), or of the innermost block there; None when no parsed node is there."""
    if location is None:
        return None
    found: Chain | None = None
    for f in nginx.parsed:
        assert f.root is not None
        for chain in walk((f.root,)):
            node = chain[-1]
            if node.location == location and (node.name == directive or found is None):
                found = chain
                if node.name == directive:
                    return found
    return found


#: gixy-ng plugins that report something *missing*, and what an unread include could set instead.
GIXY_ABSENCE = {
    "hsts_header": "Strict-Transport-Security",
    "version_disclosure": "server_tokens",
    "http2_misdirected_request": "the default server's answer",
    "ssl_stapling_without_resolver": "the resolver",
    "allow_without_deny": "the deny rules",
    "try_files_is_evil_too": "open_file_cache",
}


def gixy_unknown(nginx: NginxFacts, plugin: str, location: Location | None, directive: str) -> str | None:
    """The reason a gixy-ng report of something missing is unknown (an unread include in the
    blocks around it may set it), else None."""
    what = GIXY_ABSENCE.get(plugin)
    chain = chain_at(nginx, location, directive) if what else None
    return unknown_reason(chain, what) if chain is not None and what else None


def _redirect(node: Node | None) -> bool:
    ret = node.first("return") if node is not None else None
    return ret is not None and ret.args[:1] in (("301",), ("302",), ("303",), ("307",), ("308",))


def only_redirects(server: Chain) -> bool:
    """True for a server that hands nothing to the app and answers every request with a
    redirect: ``return 301 https://...`` at server level (run before any location is chosen:
    https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return), or in the location
    ``/`` picks, with no ``*_pass`` anywhere in the server (an ACME ``root`` location aside)."""
    if any(chain[-1].name in PASS_DIRECTIVES for chain in walk(server)):
        return False
    if _redirect(server[-1]):
        return True
    loc = find_location(server, "/")
    return loc is not None and _redirect(loc[-1])
