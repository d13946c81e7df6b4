"""The web server: nginx in front of Django (checklist section 7, ids GL7xx).

GL701–GL713 are golive's own rules over the parsed nginx tree: here the routing of requests
(default server, plain HTTP, the Host header, request bodies), in
:mod:`golive.checks.webserver_exposure` what nginx serves by itself (uploaded media,
listings, its version, dotfiles, old TLS protocols; ``MEDIA_URL`` read from the settings
where the runtime collector ran); those that compare nginx with the settings
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
    default_servers,
    fail_or_unknown,
    hidden_pass_reason,
    hidden_passes,
    internal_reason,
    only_redirects,
    roots,
    routed_by_host,
    runtime_of,
    server_label,
)
from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import (
    app_passes,
    from_client,
    headers,
    listens,
    lost_inherited,
    redirects_to_https,
    rejects_all,
    size,
    walk,
)
from golive.facts.platforms import PlatformFacts
from golive.model import Finding, Location, Severity
from golive.registry import CheckSpec, Facts, check

NGINX = "https://nginx.org/en/docs/http/"
DJANGO = "https://docs.djangoproject.com/en/stable/"
GIGABYTE = 1024**3


@check(
    "GL701",
    title="a listen socket has no default server that rejects unknown hosts",
    severity=Severity.MEDIUM,
    needs=(NginxFacts,),
    uses=(PlatformFacts,),
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
    passed to the app) keeps requests from Django too: it is not the app's server. Low behind a
    CDN the repository declares (:class:`golive.facts.platforms.PlatformFacts`): it forwards only
    the domains its service names.
    """
    platforms = facts.get(PlatformFacts)
    cdn = platforms.cdn[0] if platforms is not None and platforms.cdn else None
    edge = [
        f"the CDN in front, {cdn}, forwards only the domains its service names: an unknown Host"
        " reaches this server only by bypassing it"
    ]
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
                f"listen {key}: the default server is {server_label(server)} ({how}), which serves"
                " requests for any Host",
                *(edge if cdn else []),
            ],
            severity=Severity.LOW if cdn else None,
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
                f"{server_label(server)} listens on {', '.join(lst.key for lst in plain)} without ssl",
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


__all__ = ["Location"]
