"""The web server: nginx in front of Django (checklist section 7, ids GL7xx).

GL701–GL713 are golive's own rules over the parsed nginx tree (``MEDIA_URL`` read from the
settings where the runtime collector ran); those that compare nginx with the settings
(GL704, GL705, GL709, GL714, GL715) are in :mod:`golive.checks.webserver_context`, and
GL750–GL784 are gixy-ng's plugins, one id each, in :mod:`golive.checks.gixy`. Where
gixy-ng already covers part of a rule
for a whole configuration (a missing ``server_tokens``, weak ``ssl_protocols`` written out),
golive's rule covers only what gixy cannot see, so one mistake gives one finding.

Sources: Django's deployment checklist and "How to deploy with WSGI"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/), Django's
security guide (https://docs.djangoproject.com/en/stable/topics/security/), nginx's
module reference (https://nginx.org/en/docs/) and gixy-ng's check pages
(https://gixy.getpagespeed.com/checks/).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._nginx import (
    fail_or_unknown,
    file_location,
    hidden_pass_reason,
    hidden_passes,
    inert_types,
    internal_reason,
    official_image_tls,
    only_redirects,
    roots,
    routed_by_host,
    runtime_of,
    url_path,
)
from golive.checks._tls import profile
from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import (
    Chain,
    Node,
    app_passes,
    denies,
    effective_value,
    find_location,
    from_client,
    headers,
    listens,
    lost_inherited,
    passes_in,
    redirects_to_https,
    rejects_all,
    server_names,
    size,
    walk,
)
from golive.model import Finding, Location, Severity
from golive.registry import CheckSpec, Facts, check

NGINX = "https://nginx.org/en/docs/http/"
DJANGO = "https://docs.djangoproject.com/en/stable/"
GIGABYTE = 1024**3
SCRIPT_SUFFIXES = ("php", "phtml", "php5", "pl", "py", "cgi")


def _server_label(server: Chain) -> str:
    names = " ".join(n for n in server_names(server) if n) or "(no server_name)"
    return f"server {names} at {server[-1].where}"


DefaultServer = tuple[Chain, bool, "Node | None"]


def default_servers(nginx: NginxFacts, *, ssl_only: bool = False) -> dict[str, DefaultServer]:
    """Each socket (``*:443``) → its default server, whether it is marked ``default_server``
    (else it is the first server defined for the socket), and the ``listen`` directive.
    nginx: https://nginx.org/en/docs/http/request_processing.html."""
    sockets: dict[str, list[DefaultServer]] = {}
    for _, server in nginx.servers():
        for lst in listens(server):
            if lst.ssl or not ssl_only:
                sockets.setdefault(lst.key, []).append((server, lst.default, lst.node))
    out = {}
    for key, entries in sockets.items():
        marked = [e for e in entries if e[1]]
        out[key] = marked[-1] if marked else entries[0]
    return out


@check(
    "GL701",
    title="a listen socket has no default server that rejects unknown hosts",
    severity=Severity.MEDIUM,
    needs=(NginxFacts,),
    reference=DJANGO + "topics/security/#host-header-validation",
    remediation="""
    Add a catch-all server per address:port that answers nothing, so a request whose
    Host is not yours never reaches Django:

        server { listen 80 default_server; listen [::]:80 default_server; return 444; }
        server { listen 443 ssl default_server; listen [::]:443 ssl default_server;
                 ssl_reject_handshake on; }
    """,
)
def default_server(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's security guide: "we recommend you configure your web server to ensure it
    only forwards requests for the domains you serve" ("Host header validation"). nginx sends
    a request with an unknown Host to the address:port's default server: the one marked
    ``default_server``, else the first one defined for it
    (https://nginx.org/en/docs/http/request_processing.html). When that is the app's own
    server, every scanner's ``Host: 1.2.3.4`` reaches Django (an ALLOWED_HOSTS error mail
    each time). Each socket needs a default server that returns 444 (or another 4xx) or,
    for TLS, has ``ssl_reject_handshake on`` (which also keeps the certificate's names private).
    A default server that only redirects (``return 301 https://$host$request_uri``, nothing
    passed to the app) keeps requests from Django too: it is not the app's server.
    """
    for key, (server, marked, node) in default_servers(facts[NginxFacts]).items():
        if rejects_all(server) or only_redirects(server):
            continue
        how = "marked default_server" if marked else "the first server on it, hence its implicit default"
        where = node.location if node is not None else server[-1].location
        yield fail_or_unknown(
            spec,
            server[:-1],
            "the servers and which one is the default",
            routed_by_host(facts[NginxFacts], server),
            subjects=["default_server", "listen"],
            location=where,
            evidence=[
                f"listen {key}: the default server is {_server_label(server)} ({how}), which serves"
                " requests for any Host"
            ],
        )


@check(
    "GL702",
    title="a plain-HTTP server passes requests to the app instead of redirecting to https",
    severity=Severity.MEDIUM,
    needs=(NginxFacts,),
    reference=DJANGO + "howto/deployment/checklist/#https",
    remediation="""
    Let port 80 only redirect:

        server {
            listen 80;
            server_name www.example.com;
            return 301 https://$host$request_uri;
        }
    """,
)
def plain_http_app(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The checklist: "Any website which allows users to log in should enforce site-wide
    HTTPS to avoid transmitting access tokens in clear." A server listening without ``ssl``
    that proxies to Django sends the first request (its cookies, its form) in clear before
    any redirect Django could make; it should only ``return 301 https://$host$request_uri``.
    (Where TLS ends at a load balancer in front of nginx, that balancer must redirect: when
    a Compose file shows nginx reached only through Traefik or Caddy, the rule does not apply.)
    """
    seen: set[int] = set()
    nginx = facts[NginxFacts]
    for block, node in app_passes(roots(nginx)):
        server = block[: next(i for i, c in enumerate(block) if c.name == "server") + 1]
        plain = [lst for lst in listens(server) if not lst.ssl and not lst.key.startswith("unix:")]
        if not plain or id(server[-1]) in seen or redirects_to_https(server):
            continue
        seen.add(id(server[-1]))
        yield fail_or_unknown(
            spec,
            block,
            "whether plain HTTP is redirected",
            internal_reason(nginx, block),
            subjects=["listen", node.name],
            location=node.location,
            evidence=[
                f"{_server_label(server)} listens on {', '.join(lst.key for lst in plain)} without ssl",
                f"and passes requests to the app: {node.evidence()}",
            ],
        )


@check(
    "GL703",
    title="proxy_pass to the app does not set Host $host",
    severity=Severity.MEDIUM,
    needs=(NginxFacts,),
    reference="https://docs.gunicorn.org/en/stable/deploy.html#nginx-configuration",
    remediation="""
    In the location that proxies to Django (or its server block, if the location sets no
    proxy_set_header of its own):

        proxy_set_header Host $host;
    """,
)
def host_header(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Without ``proxy_set_header Host``, nginx sends ``Host: $proxy_host`` (the upstream's
    name: ``127.0.0.1:8000``, ``localhost`` for a unix socket) per
    https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header: Django then
    builds absolute URLs, password-reset links and ``ALLOWED_HOSTS`` checks on the wrong name,
    and one is tempted to put ``127.0.0.1`` in ALLOWED_HOSTS. ``proxy_set_header`` lines are
    inherited only by a level that has none of its own, a classic way to lose it. With
    ``USE_X_FORWARDED_HOST = True`` Django takes the host from ``X-Forwarded-Host`` instead
    (https://docs.djangoproject.com/en/stable/ref/settings/#use-x-forwarded-host): nginx
    setting that header (not from the client's) is the consistent pair (GL715 otherwise).
    """
    runtime = runtime_of(facts)
    forwarded_host = runtime is not None and runtime.setting("USE_X_FORWARDED_HOST") is True
    for block, node in app_passes(roots(facts[NginxFacts])):
        if node.name != "proxy_pass":
            continue
        sent = headers(block, "proxy_set_header")
        xfh = sent.get("x-forwarded-host")
        if sent.get("host") is not None or (
            forwarded_host and xfh is not None and not from_client(xfh.args[1] if len(xfh.args) > 1 else "")
        ):
            continue
        evidence = [f"{node.evidence()}: no proxy_set_header Host in force, nginx sends Host: $proxy_host"]
        lost = lost_inherited(block, "proxy_set_header", "host")
        if lost is not None:
            evidence.append(
                f"{lost.evidence()} is not inherited: the inner block sets proxy_set_header of its own"
            )
        yield fail_or_unknown(
            spec,
            block,
            "the Host header nginx sends",
            subjects=["proxy_set_header", "Host"],
            location=node.location,
            evidence=evidence,
        )
    for chain, include in hidden_passes(facts[NginxFacts]):
        reason = hidden_pass_reason(chain, include, "the Host header it sends")
        yield spec.skipped(reason, subjects=["proxy_set_header", "Host"], location=include.location)


@check(
    "GL706",
    title="client_max_body_size is unlimited or in the gigabytes",
    severity=Severity.LOW,
    needs=(NginxFacts,),
    reference=NGINX + "ngx_http_core_module.html#client_max_body_size",
    remediation="Set the largest upload the site accepts, e.g. `client_max_body_size 20m;`.",
)
def body_size(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """nginx: "Setting size to 0 disables checking of client request body size." Django
    bounds form data (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams uploaded files to disk
    without limit (https://docs.djangoproject.com/en/stable/ref/settings/#data-upload-max-memory-size),
    so nginx is the one place that stops a client filling the disk or tying up a worker.
    """
    for f in facts[NginxFacts].parsed:
        assert f.root is not None
        for chain in walk((f.root,)):
            node = chain[-1]
            if node.name == "client_max_body_size" and node.args:
                found = size(node.args[0])
                if found == 0 or (found is not None and found >= GIGABYTE):
                    what = "no limit" if found == 0 else f"{found / GIGABYTE:g} GiB"
                    yield spec.fail(
                        subjects=["client_max_body_size"],
                        location=node.location,
                        evidence=[f"{node.evidence()}: {what}"],
                    )


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
            evidence=[f"{_server_label(server)}: no server_tokens in force (nginx's default is on)"],
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
                    f"GET {uri} in {_server_label(server)} is read from disk: {root.evidence()}"
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
                f"{_server_label(server)} listens with ssl and sets no ssl_protocols: {source}",
                prof.judged,
            ],
        )


__all__ = ["Location"]
