"""What nginx serves by itself in front of Django (checklist section 7): uploaded media that
could run or be sniffed as code (GL707, GL708), directory listings (GL710), its version
(GL711), dotfiles (GL712) and old TLS protocols (GL713). The routing rules are in
:mod:`golive.checks.webserver`, which documents the section and its sources.
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._nginx import (
    default_servers,
    fail_or_unknown,
    file_location,
    inert_types,
    internal_reason,
    official_image_tls,
    runtime_of,
    server_label,
    url_path,
)
from golive.checks._tls import profile
from golive.checks.webserver import DJANGO, NGINX
from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import (
    denies,
    effective_value,
    find_location,
    headers,
    listens,
    lost_inherited,
    passes_in,
    walk,
)
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

SCRIPT_SUFFIXES = ("php", "phtml", "php5", "pl", "py", "cgi")


def _media_url(facts: Facts) -> str | None:
    runtime = runtime_of(facts)
    return url_path(runtime.setting("MEDIA_URL")) if runtime is not None else "/media/"


@check(
    "GL707",
    title="uploaded files under MEDIA_URL can be executed",
    severity=Severity.HIGH,
    needs=(NginxFacts,),
    reference=DJANGO + "topics/security/#user-uploaded-content",
    remediation="""
    Serve media as static files only, and keep script locations from matching them
    (``^~`` stops nginx from trying regular-expression locations):

        location ^~ /media/ {
            alias /srv/app/media/;
            add_header X-Content-Type-Options nosniff;
        }
    """,
)
def media_executes(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's security guide, "User-uploaded content": "Consider serving static files from
    a cloud service or CDN to avoid some of these issues"; and "if your web server is
    configured to run PHP, ... a file named ``image.php`` uploaded by a user could be
    executed". The MEDIA_URL location must not pass requests on (``fastcgi_pass``,
    ``uwsgi_pass``, ``scgi_pass``, ``proxy_pass``), and no regular-expression location that
    does (``location ~ \\.php$``) may match a URL under it: nginx tries regexes after the
    longest prefix unless that prefix is ``^~``.
    """
    url = _media_url(facts)
    if url is None:
        return
    for _, server in facts[NginxFacts].servers():
        media = file_location(facts, server, url)
        if media is None:
            continue
        passing = passes_in(media)
        if passing:
            yield spec.fail(
                subjects=["MEDIA_URL", "location", passing[0].name],
                location=passing[0].location,
                evidence=[
                    f"{url} is served by {media[-1].evidence()}, which passes it on: {passing[0].text()}"
                ],
            )
            continue
        for suffix in SCRIPT_SUFFIXES:
            uri = f"{url}upload.{suffix}"
            loc = find_location(server, uri)
            runner = passes_in(loc) if loc is not None and loc[-1] is not media[-1] else []
            if runner:
                yield spec.fail(
                    subjects=["MEDIA_URL", "location", runner[0].name],
                    location=loc[-1].location if loc else None,
                    evidence=[
                        f"GET {uri} goes to {loc[-1].evidence()} (not {media[-1].text()}),"  # type: ignore[index]
                        f" which runs it: {runner[0].text()}",
                    ],
                )
                break


@check(
    "GL708",
    title="media files are served without X-Content-Type-Options: nosniff",
    severity=Severity.MEDIUM,
    needs=(NginxFacts,),
    reference=DJANGO + "topics/security/#user-uploaded-content",
    remediation="""
    In the media location (add_header there replaces every server-level one, so repeat
    those you need):

        add_header X-Content-Type-Options nosniff;
    """,
)
def media_nosniff(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django sets ``X-Content-Type-Options: nosniff`` on its own responses
    (SECURE_CONTENT_TYPE_NOSNIFF) but nginx serves media itself: without the header a browser
    may sniff an uploaded "image" as HTML and run its script in the site's origin (Django's
    guide: "User-uploaded content"). ``add_header`` lines are inherited only by a location
    that has none of its own (https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header).
    A location that types every file alike as ``text/plain`` or ``application/octet-stream``
    (``types { } default_type text/plain;``) needs no header: browsers never sniff those as
    HTML (the MIME Sniffing Standard, https://mimesniff.spec.whatwg.org/#rules-for-text-or-binary).
    """
    url = _media_url(facts)
    if url is None:
        return
    for _, server in facts[NginxFacts].servers():
        media = file_location(facts, server, url)
        if media is None or passes_in(media):
            continue
        header = headers(media).get("x-content-type-options")
        if header is not None and len(header.args) > 1 and header.args[1].lower() == "nosniff":
            continue
        if inert_types(media):
            continue
        evidence = [f"{media[-1].evidence()} serves {url} with no add_header X-Content-Type-Options nosniff"]
        lost = lost_inherited(media, "add_header", "x-content-type-options")
        if lost is not None:
            evidence.append(
                f"{lost.evidence()} is not inherited: the location has add_header lines of its own"
            )
        yield fail_or_unknown(
            spec,
            media,
            "the headers of media responses",
            subjects=["add_header", "X-Content-Type-Options"],
            location=media[-1].location,
            evidence=evidence,
        )


@check(
    "GL710",
    title="autoindex is on",
    severity=Severity.MEDIUM,
    needs=(NginxFacts,),
    reference=NGINX + "ngx_http_autoindex_module.html",
    remediation="Remove `autoindex on;` (it is off by default).",
)
def autoindex(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """``autoindex on`` lists a directory's files to anyone who asks
    (https://nginx.org/en/docs/http/ngx_http_autoindex_module.html): for MEDIA_ROOT that is
    every user's uploads, including ones never linked from the site.
    """
    for f in facts[NginxFacts].parsed:
        assert f.root is not None
        for chain in walk((f.root,)):
            node = chain[-1]
            if node.name == "autoindex" and node.args[:1] == ("on",):
                yield spec.fail(subjects=["autoindex"], location=node.location, evidence=[node.evidence()])


@check(
    "GL711",
    title="server_tokens is not off in a server block audited without its http block",
    severity=Severity.LOW,
    needs=(NginxFacts,),
    reference=NGINX + "ngx_http_core_module.html#server_tokens",
    remediation="Add `server_tokens off;` to the server block (or to the http block of nginx.conf).",
)
def server_tokens(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """nginx's ``server_tokens`` defaults to ``on``: the version goes out in every
    ``Server`` header and error page, telling a scanner which CVEs to try
    (https://nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens). For a whole
    configuration (``nginx.conf``, a dump) gixy-ng's version_disclosure reports it (GL759);
    this rule covers site files audited alone, whose servers show no ``server_tokens off``.
    """
    for f, server in facts[NginxFacts].servers():
        if f.kind != "fragment" or effective_value(server, "server_tokens") is not None:
            continue
        node = server[-1]
        reject = node.first("ssl_reject_handshake")
        ret = node.first("return")
        if (reject is not None and reject.args[:1] == ("on",)) or (
            ret is not None and ret.args[:1] == ("444",)
        ):
            continue
        yield fail_or_unknown(
            spec,
            server,
            "server_tokens",
            subjects=["server_tokens"],
            location=node.location,
            evidence=[f"{server_label(server)}: no server_tokens in force (nginx's default is on)"],
        )


DOTFILE_URIS = ("/.git/config", "/.env")


@check(
    "GL712",
    title="dotfiles (.git, .env) can be downloaded from a root nginx serves",
    severity=Severity.HIGH,
    needs=(NginxFacts,),
    reference="https://nginx.org/en/docs/http/ngx_http_core_module.html#location",
    remediation="""
    Deny hidden files before anything else in the server block:

        location ~ /\\. { deny all; }
    """,
)
def dotfiles(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A ``root`` that points at (or above) the project serves whatever is in it: the
    ``.git`` directory (the whole source history, often with secrets) and ``.env`` (the
    secrets themselves). Django's checklist: "keep the secret key used in production
    secret". For each server, the location nginx picks for ``/.git/config`` and ``/.env``
    must pass the request on, return, or deny it, rather than read it from a ``root``.
    """
    for _, server in facts[NginxFacts].servers():
        for uri in DOTFILE_URIS:
            chain = find_location(server, uri) or server
            if passes_in(chain) or chain[-1].first("return") is not None or denies(chain):
                continue
            root = chain[-1].first("alias") or effective_value(chain, "root")
            if root is None:
                continue
            yield fail_or_unknown(
                spec,
                chain,
                "whether dotfiles are denied",
                subjects=["location", "root"],
                location=root.location,
                evidence=[
                    f"GET {uri} in {server_label(server)} is read from disk: {root.evidence()}"
                    + (f", by {chain[-1].text()}" if chain[-1].name == "location" else "")
                ],
            )
            break


@check(
    "GL713",
    title="a TLS server has no ssl_protocols of its own or of a visible http block",
    severity=Severity.MEDIUM,
    needs=(NginxFacts,),
    reference=NGINX + "ngx_http_ssl_module.html#ssl_protocols",
    remediation="""
    State the protocols in the server (or http) block:

        ssl_protocols TLSv1.2 TLSv1.3;
    """,
)
def tls_protocols(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """TLS 1.0 and 1.1 are deprecated (RFC 8996, https://www.rfc-editor.org/rfc/rfc8996).
    nginx enabled them by default before 1.23.4, and Debian's stock ``nginx.conf`` still
    writes ``ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3`` in its http block, which every
    site file inherits unless it sets its own. An ``ssl_protocols`` written out with weak
    protocols is gixy-ng's weak_ssl_tls (GL760); this rule reports TLS servers that set none
    and so inherit an http block golive was not given, or nginx's default. That includes
    a catch-all default server with ``ssl_reject_handshake on``: the protocol version is
    agreed before the server name is known, with the default server's list (seen live
    with nginx 1.22: a site server's ``ssl_protocols TLSv1.2 TLSv1.3`` got no TLS 1.3
    while its default server kept nginx's default, GL817). A site file a Compose service
    runs in the official nginx image (1.23.4 or later, or a floating tag) inherits that
    image's nginx.conf, which sets none: nginx's own default, TLSv1.2 TLSv1.3, applies.
    Judged by Mozilla's server-side TLS guidelines (:mod:`golive.checks._tls`): under the
    "old" profile (``tls_profile``), which allows TLSv1 and TLSv1.1, the rule does not apply.
    """
    nginx = facts[NginxFacts]
    prof = profile(facts)
    if "TLSv1" in prof.protocols:  # Mozilla's "old" profile allows what nginx's default enables
        return
    defaults: dict[int, str] = {}  # id(server node) → the TLS socket it is the default server of
    for key, (default, _, _) in default_servers(nginx, ssl_only=True).items():
        defaults.setdefault(id(default[-1]), key)
    for f, server in nginx.servers():
        tls = [lst for lst in listens(server) if lst.ssl]
        node = server[-1]
        reject = node.first("ssl_reject_handshake")
        rejecting = reject is not None and reject.args[:1] == ("on",)
        if not tls or (rejecting and id(node) not in defaults):
            continue
        if effective_value(server, "ssl_protocols") is not None or official_image_tls(f):
            continue
        source = (
            "it inherits the http block of an nginx.conf not given to golive (Debian's stock one enables"
            " TLSv1 TLSv1.1)"
            if f.kind == "fragment"
            else "nginx's default applies (TLSv1 TLSv1.1 TLSv1.2 before nginx 1.23.4)"
        )
        if rejecting:
            source += (
                f"; as the default server of listen {defaults[id(node)]} its list is the one the TLS"
                " handshake is agreed with, whatever the named servers set"
            )
        yield fail_or_unknown(
            spec,
            server,
            "TLS protocols",
            internal_reason(nginx, server),
            subjects=["ssl_protocols"],
            location=node.location,
            evidence=[
                f"{server_label(server)} listens with ssl and sets no ssl_protocols: {source}",
                prof.judged,
            ],
        )
