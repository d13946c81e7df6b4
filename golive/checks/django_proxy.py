"""Django's https warnings settled by the layers in front of Django (issue 13).

``manage.py check --deploy`` warns ``security.W008`` (SECURE_SSL_REDIRECT is not True) and
``security.W004`` (SECURE_HSTS_SECONDS is not set) whatever the proxy does; teams whose
nginx or load balancer redirects and sends HSTS silence them by hand. golive sees those
layers: :func:`settle` says whether they prove what Django's warning is about, so the
finding keeps Django's id and text and passes with the evidence and the reason
(DESIGN.md, "Contracts"), or stays with what the layers showed and what would settle it.

What proves it:

- **W008**: every plain-http nginx server (a ``listen`` without ``ssl``) refuses every
  request (``return 444``: plain http never reaches Django) or answers it with a redirect to
  an ``https://`` URL (``return 301 https://...`` or ``rewrite ... https://``
  at server level, or in the location ``/`` picks with nothing passed to the app):
  https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return;
  or the live site's plain-http home answering with a 3xx to https.
- **W004**: every https nginx server sends ``Strict-Transport-Security`` with ``max-age`` of
  at least a year (:data:`ONE_YEAR`, what Django's checklist aims for and hstspreload.org
  requires) in every location, minding that nginx inherits ``add_header`` "from the previous
  configuration level if and only if there are no add_header directives defined on the
  current level" (https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header);
  or the live site's https home sending such a header.

A layer that shows the opposite (a plain-http server passing requests to the app, a location
that drops the header) keeps the warning, with that evidence. An nginx reached only through
another proxy (a Compose file says so) proves nothing about what clients get; that proxy
does, when it is Traefik or Caddy configured in the Compose file (its command and labels:
:mod:`golive.checks._front_proxy`). The cookie
warnings (W010-W016) are never settled here: a proxy does not mark Django's cookies
``Secure``; only the settings do.
"""

from __future__ import annotations

import re

from msgspec import Struct

from golive.checks._front_proxy import FrontVerdict, edge_verdict, front_hsts, front_redirect
from golive.facts.live import Exchange, LiveFacts
from golive.facts.nginx import NginxFacts, NginxFile, unknown_reason
from golive.facts.nginx_tree import (
    PASS_DIRECTIVES,
    Chain,
    Node,
    find_location,
    headers,
    listens,
    lost_inherited,
    rejects_all,
    server_names,
    walk,
)
from golive.facts.proxies import ProxyFacts
from golive.model import Location
from golive.registry import Facts

ONE_YEAR = 31_536_000
HSTS = "strict-transport-security"
MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)", re.I)
REDIRECTS = ("301", "302", "303", "307", "308")
#: The Django ids another layer can settle.
SETTLED_BY_PROXY = ("security.W008", "security.W004")


class Settlement(Struct, frozen=True, kw_only=True):
    """What the layers in front of Django showed about one of Django's warnings.

    ``settled`` True: the warning is satisfied there (``reason`` says how, ``evidence`` the
    directives or the response, ``location`` the first of them). False: ``evidence`` holds
    what the layers showed against it, or what would settle it.
    """

    settled: bool
    evidence: tuple[str, ...] = ()
    reason: str = ""
    location: Location | None = None


class _Verdict(Struct, frozen=True):
    """One layer's answer: proof lines, counter lines, inconclusive lines."""

    proof: tuple[str, ...] = ()
    counter: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()
    location: Location | None = None
    count: int = 0
    #: why some nginx files are not the client-facing proxy (a Compose file shows one in front)
    internal: tuple[str, ...] = ()


def _label(server: Chain) -> str:
    names = " ".join(n for n in server_names(server) if n) or "(no server_name)"
    return f"server {names} at {server[-1].where}"


def _block_label(chain: Chain) -> str:
    node = chain[-1]
    if node.name == "server":
        return _label(chain)
    return f"{node.name} {' '.join(node.args)} at {node.where}".replace("  ", " ")


def _front_servers(nginx: NginxFacts) -> tuple[list[tuple[NginxFile, Chain]], list[str]]:
    """The servers clients reach, and why the others' files do not count."""
    out, notes = [], []
    for f, server in nginx.servers():
        internal = f.deployment.internal if f.deployment is not None else None
        if internal:
            if internal not in notes:
                notes.append(internal)
            continue
        out.append((f, server))
    return out, notes


def _redirect_node(node: Node | None) -> Node | None:
    """The ``return 3xx https://...`` or ``rewrite ... https://...`` directly in ``node``."""
    if node is None:
        return None
    for found in (*node.find("return"), *node.find("rewrite")):
        args = found.args
        if (
            found.name == "return"
            and len(args) >= 2
            and args[0] in REDIRECTS
            and args[1].startswith("https://")
        ):
            return found
        if found.name == "rewrite" and len(args) >= 2 and args[1].startswith("https://"):
            return found
    return None


def https_redirect(server: Chain) -> Node | None:
    """The directive by which ``server`` redirects every request to https, or None: at server
    level (or in an ``if`` there), or in the location ``/`` picks when nothing in the server
    is passed to an application."""
    direct = _redirect_node(server[-1])
    if direct is not None:
        return direct
    for cond in server[-1].find("if"):
        found = _redirect_node(cond)
        if found is not None:
            return found
    if any(chain[-1].name in PASS_DIRECTIVES for chain in walk(server)):
        return None
    loc = find_location(server, "/")
    return _redirect_node(loc[-1]) if loc is not None and len(loc) > len(server) else None


def _what_it_does(server: Chain) -> str:
    passes = [chain[-1] for chain in walk(server) if chain[-1].name in PASS_DIRECTIVES]
    if passes:
        return passes[0].evidence()
    return "it serves content itself"


def _nginx_redirect(nginx: NginxFacts) -> _Verdict:
    servers, notes = _front_servers(nginx)
    proof: list[str] = []
    counter: list[str] = []
    unsure: list[str] = []
    location = None
    for _, server in servers:
        plain = [lst.key for lst in listens(server) if not lst.ssl and not lst.key.startswith("unix:")]
        if not plain:
            continue
        node = https_redirect(server)
        if node is not None:
            proof.append(f"{_label(server)} ({', '.join(plain)}): {node.evidence()}")
            location = location or node.location
            continue
        if rejects_all(server):
            refused = server[-1].first("return") or server[-1].first("ssl_reject_handshake")
            shown = f"{refused.evidence()} " if refused is not None else ""
            proof.append(
                f"{_label(server)} ({', '.join(plain)}): {shown}"
                "(plain http is refused: it never reaches Django)"
            )
            location = location or (refused.location if refused is not None else server[-1].location)
            continue
        unknown = unknown_reason(server, "whether plain HTTP is redirected")
        if unknown:
            unsure.append(f"not settled by nginx: {unknown}")
            continue
        counter.append(
            f"not settled by nginx: {_label(server)} listens on {', '.join(plain)} without ssl and does"
            f" not redirect to https: {_what_it_does(server)}"
        )
    if servers and not proof and not counter and not unsure:
        unsure.append("not settled by nginx: no audited server listens for plain http")
    internal = tuple(f"not settled by nginx: {n}" for n in notes)
    return _Verdict(tuple(proof), tuple(counter), tuple(unsure), location, len(proof), internal)


def _max_age(node: Node) -> int | None:
    value = " ".join(node.args[1:2])
    match = MAX_AGE.search(value)
    return int(match.group(1)) if match else None


def _blocks(server: Chain) -> list[Chain]:
    """The server and every location and ``if`` in it: each answers requests of its own."""
    return [server, *[c for c in walk(server) if c[-1].name in ("location", "if") and c[-1].is_block]]


def _hsts_gap(block: Chain) -> str | None:
    """Why ``block`` does not send a year of HSTS, or None when it does."""
    found = headers(block).get(HSTS)
    if found is not None:
        age = _max_age(found)
        if age is not None and age >= ONE_YEAR:
            return None
        shown = f"max-age={age}" if age is not None else "no max-age"
        return f"{_block_label(block)} sends {found.evidence()}: {shown} is under {ONE_YEAR} (one year)"
    lost = lost_inherited(block, "add_header", HSTS)
    if lost is not None:
        own = block[-1].find("add_header")
        return (
            f"{_block_label(block)} has add_header lines of its own ({own[0].evidence()}), so the"
            f" server's {lost.evidence()} is not inherited there (nginx inherits add_header only"
            " into a level that has none)"
        )
    return f"{_block_label(block)} sends no Strict-Transport-Security"


def _nginx_hsts(nginx: NginxFacts) -> _Verdict:
    servers, notes = _front_servers(nginx)
    proof: list[str] = []
    counter: list[str] = []
    unsure: list[str] = []
    location = None
    for _, server in servers:
        tls = [lst.key for lst in listens(server) if lst.ssl and not lst.quic]
        if not tls:
            continue
        gaps = [(block, gap) for block in _blocks(server) if (gap := _hsts_gap(block))]
        if not gaps:
            nodes = list(dict.fromkeys(headers(block)[HSTS] for block in _blocks(server)))
            where = ", ".join(n.evidence() for n in nodes)
            proof.append(f"{_label(server)} ({', '.join(tls)}): {where}, in force in every location")
            location = location or nodes[0].location
            continue
        block, gap = gaps[0]
        unknown = unknown_reason(block, "Strict-Transport-Security")
        if unknown:
            unsure.append(f"not settled by nginx: {unknown}")
        else:
            counter.append(f"not settled by nginx: {gap}")
    if servers and not proof and not counter and not unsure:
        unsure.append("not settled by nginx: no audited server listens with ssl (TLS ends elsewhere)")
    internal = tuple(f"not settled by nginx: {n}" for n in notes)
    return _Verdict(tuple(proof), tuple(counter), tuple(unsure), location, len(proof), internal)


def _live_redirect(live: LiveFacts) -> _Verdict:
    proof: list[str] = []
    counter: list[str] = []
    location = None
    for site in live.sites:
        chain = site.chain("http-home")
        first = chain[0] if chain else None
        if site.error or first is None or not first.answered:
            continue
        target = (first.header("Location") or "").lower()
        if first.status in (301, 302, 303, 307, 308) and target.startswith("https://"):
            proof.extend(first.evidence("Location"))
            location = location or Location(path=first.url)
        else:
            counter.extend(["not settled by the live site:", *first.evidence("Location")])
    return _Verdict(tuple(proof), tuple(counter), (), location, len(proof))


def _https_home(live: LiveFacts) -> list[Exchange]:
    out = []
    for site in live.sites:
        ex = site.final("home")
        if not site.error and ex is not None and ex.answered and ex.scheme == "https":
            out.append(ex)
    return out


def _live_hsts(live: LiveFacts) -> _Verdict:
    proof: list[str] = []
    counter: list[str] = []
    location = None
    for ex in _https_home(live):
        values = ex.headers_named("Strict-Transport-Security")
        match = MAX_AGE.search(values[0]) if values else None
        age = int(match.group(1)) if match else None
        if age is not None and age >= ONE_YEAR:
            proof.extend(ex.evidence("Strict-Transport-Security"))
            location = location or Location(path=ex.url)
        else:
            note = f"max-age={age} is under {ONE_YEAR} (one year)" if age is not None else "no max-age"
            counter.extend(
                ["not settled by the live site:", *ex.evidence("Strict-Transport-Security", notes=[note])]
            )
    return _Verdict(tuple(proof), tuple(counter), (), location, len(proof))


_NOT_SEEN = (
    "not settled by another layer: no web server configuration was audited and no live site was probed"
)
_WOULD = {
    "security.W008": (
        "--nginx FILE whose plain-http servers all redirect to https, or --url http://HOST/ answering"
        " with a redirect to https, would settle it"
    ),
    "security.W004": (
        f"--nginx FILE whose https servers all send Strict-Transport-Security with max-age of at least"
        f" {ONE_YEAR}, or --url https://HOST/ answering with that header, would settle it"
    ),
}
_NGINX_REASON = {
    "security.W008": "nginx redirects every plain-http request to https before it reaches Django ({n})",
    "security.W004": (
        f"nginx sends Strict-Transport-Security with max-age of at least {ONE_YEAR} on every https"
        " response ({n})"
    ),
}
_LIVE_REASON = {
    "security.W008": "the live site redirects plain http to https (the response of {where})",
    "security.W004": (
        f"the live site sends Strict-Transport-Security with max-age of at least {ONE_YEAR}"
        " (the response of {where})"
    ),
}


def _count(check_id: str, n: int) -> str:
    kind = "plain-http" if check_id == "security.W008" else "https"
    return f"{n} {kind} server{'s' if n != 1 else ''}"


def settle(check_id: str, facts: Facts) -> Settlement | None:
    """Whether the web server or the live site settles Django's ``check_id``; None for an id
    no other layer can settle (every id but :data:`SETTLED_BY_PROXY`: the cookie warnings
    W010-W016 among them, since only the settings mark Django's cookies ``Secure``).

    Counter-evidence from any layer keeps the warning; else nginx's proof, then the live
    site's, settles it; else the evidence says what the layers showed or what would settle it.
    """
    if check_id not in SETTLED_BY_PROXY:
        return None
    nginx, live = facts.get(NginxFacts), facts.get(LiveFacts)
    redirect = check_id == "security.W008"
    seen_nginx = nginx is not None and bool(nginx.parsed)
    ng = (_nginx_redirect if redirect else _nginx_hsts)(nginx) if seen_nginx and nginx else _Verdict()
    lv = (_live_redirect if redirect else _live_hsts)(live) if live is not None else _Verdict()
    if ng.counter or lv.counter:
        return Settlement(settled=False, evidence=(*ng.counter, *lv.counter))
    if ng.proof:
        reason = _NGINX_REASON[check_id].format(n=f"{_count(check_id, ng.count)}, first at {ng.location}")
        return Settlement(
            settled=True, evidence=ng.proof, reason=f"satisfied at the proxy: {reason}", location=ng.location
        )
    fr = FrontVerdict()
    if seen_nginx and nginx is not None and ng.internal:  # Traefik or Caddy in front of nginx
        fr = front_redirect(nginx) if redirect else front_hsts(nginx, ONE_YEAR)
    if not fr.proof and (not seen_nginx or ng.internal):  # Traefik, Caddy, Fly.io files
        edge = edge_verdict(facts.get(ProxyFacts), redirect=redirect, minimum=ONE_YEAR)
        fr = edge if edge.proof or not fr.unsure else fr
    if fr.proof:
        return Settlement(
            settled=True,
            evidence=fr.proof,
            reason=f"satisfied at the proxy: {_front_reason(check_id, fr.proxy)} ({fr.location})",
            location=fr.location,
        )
    if lv.proof:
        return Settlement(
            settled=True,
            evidence=lv.proof,
            reason=f"satisfied at the proxy: {_LIVE_REASON[check_id].format(where=lv.location)}",
            location=lv.location,
        )
    if not seen_nginx and live is None and not fr.unsure:
        return Settlement(settled=False, evidence=(f"{_NOT_SEEN}; {_WOULD[check_id]}",))
    return Settlement(settled=False, evidence=(*ng.unsure, *(fr.unsure or ng.internal), _WOULD[check_id]))


def _front_reason(check_id: str, proxy: str) -> str:
    if check_id == "security.W008":
        return f"{proxy} redirects plain http to https before it reaches Django"
    routes = "router" if proxy == "Traefik" else "site"
    return (
        f"{proxy} sends Strict-Transport-Security with max-age of at least {ONE_YEAR}"
        f" on every {routes} to Django"
    )
