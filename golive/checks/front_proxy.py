"""The front proxy: Traefik, Caddy or Fly.io's proxy in front of the application (GL790–GL792).

Sources: Django's deployment checklist on HTTPS ("Redirect HTTP requests to HTTPS", the
SSL/HTTPS section of https://docs.djangoproject.com/en/stable/topics/security/#ssl-https):
when a proxy terminates TLS, its redirect and its ``Strict-Transport-Security`` header are
the ones clients get; Traefik's, Caddy's and Fly.io's own documentation for the options read
(:mod:`golive.collectors.proxies`). Pure functions of
:class:`golive.facts.proxies.ProxyFacts` (and the runtime settings for HSTS).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.facts.proxies import ProxyFacts, Route
from golive.facts.runtime import RuntimeFacts
from golive.model import Confidence, Finding, Severity
from golive.registry import CheckSpec, Facts, check

#: HSTS shorter than this (seconds) is not counted (Django's W004 asks for it; a year is usual).
MIN_HSTS = 1


def _option(route: Route) -> str:
    """The option that would add the redirect, in the proxy's own name."""
    if route.proxy == "Caddy":
        return "auto_https" if route.redirect_off else "site address"
    return {"Traefik": "redirectScheme", "Fly.io": "force_https"}.get(route.proxy, "redirect")


@check(
    "GL790",
    title="the front proxy (Traefik, Caddy, Fly.io) serves plain http without redirecting to https",
    severity=Severity.MEDIUM,
    needs=(ProxyFacts,),
    reference="https://docs.djangoproject.com/en/stable/topics/security/#ssl-https",
    remediation="""
    Redirect every plain-http request to https at the proxy. Traefik, on the port-80 entrypoint:

        --entrypoints.web.address=:80
        --entrypoints.web.http.redirections.entrypoint.to=websecure
        --entrypoints.web.http.redirections.entrypoint.scheme=https

    (or a `redirectscheme` middleware with `scheme=https` on the http router). Caddy: give the
    site its host name (`example.com { ... }`, not `http://example.com`) and drop
    `auto_https off`/`disable_redirects`. Fly.io: `force_https = true` in `[http_service]`.
    """,
)
def plain_http(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's security guide: "If a browser connects initially via HTTP, which is the
    default for most browsers, it is possible for existing cookies to be leaked" and asks to
    redirect HTTP to HTTPS. A Traefik router on a plain-http entrypoint (address ``:80``, no
    ``http.tls``) without ``tls`` and without the entrypoint's redirection or a
    ``redirectScheme`` middleware (https://doc.traefik.io/traefik/routing/entrypoints/#redirection),
    a Caddy site served on a plain-http address (``http://host``, ``:80``;
    https://caddyserver.com/docs/automatic-https), or a Fly.io http port without
    ``force_https`` (https://fly.io/docs/reference/configuration/#the-http_service-section)
    hands the application's pages, its login form and its cookies to the network in clear.
    A site without a host name may sit behind TLS that ends earlier (a load balancer): low.
    Caddy's redirect turned off (``auto_https off``) on a TLS site: low (plain http is refused,
    not served). A route golive cannot place (its entrypoint's address is unknown) is not judged.
    """
    routes = facts[ProxyFacts].routes
    if not routes:
        yield spec.skipped("no Traefik router, Caddy site or Fly.io service was read")
        return
    failed = False
    for route in routes:
        subjects = [route.name, _option(route)]
        if route.serves_plain_http:
            failed = True
            if route.unknown:
                yield spec.fail(
                    subjects=subjects,
                    location=route.location,
                    evidence=[
                        f"{route.label} ({route.location}) answers plain http with no redirect to https",
                        f"unless {route.unknown}",
                    ],
                    severity=Severity.LOW,
                    confidence=Confidence.LIKELY,
                )
            else:
                yield spec.fail(
                    subjects=subjects,
                    location=route.location,
                    evidence=[
                        f"{route.label} ({route.location}, {route.how}) answers plain http"
                        + (f" for {', '.join(route.hosts)}" if route.hosts else "")
                        + " and redirects nothing to https"
                    ],
                )
        elif route.redirect_off and route.redirect is None:
            failed = True
            yield spec.fail(
                subjects=subjects,
                location=route.location,
                evidence=[
                    f"{route.redirect_off}: plain-http requests for {route.name} are not redirected to https"
                ],
                severity=Severity.LOW,
            )
    if not failed:
        known = [r for r in routes if r.plain_http is not None]
        if not known:
            reasons = sorted({f"{r.label}: {r.unknown}" for r in routes if r.unknown})
            yield spec.skipped("; ".join(reasons[:3]) or "no route could be placed")
            return
        yield spec.passed(
            subjects=[r.name for r in known],
            location=known[0].location,
            evidence=[
                f"{r.label}: {r.redirect}" if r.redirect else f"{r.label}: TLS only ({r.location})"
                for r in known
            ],
        )


@check(
    "GL791",
    title="neither the front proxy nor Django sends Strict-Transport-Security",
    severity=Severity.LOW,
    needs=(ProxyFacts,),
    uses=(RuntimeFacts,),
    reference="https://docs.djangoproject.com/en/stable/ref/middleware/#http-strict-transport-security",
    remediation="""
    Send HSTS once, at the proxy or in Django. Traefik: a headers middleware on the TLS routers,

        traefik.http.middlewares.hsts.headers.stsSeconds=31536000
        traefik.http.routers.app.middlewares=hsts

    Caddy: `header Strict-Transport-Security "max-age=31536000"` in the site block. Or Django:
    `SECURE_HSTS_SECONDS = 31536000`.
    """,
)
def hsts(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's docs on HSTS: "If your entire site is served only over SSL, you may want to
    consider setting a value for SECURE_HSTS_SECONDS"; without the header a browser that was
    sent to ``http://`` once (a link, a typed name) can be stripped of https by anyone on the
    path (RFC 6797, section 2.3). The header may come from the proxy (Traefik ``headers``
    middleware ``stsSeconds``, Caddy ``header``, Fly.io ``http_options.response.headers``)
    or from Django (``SECURE_HSTS_SECONDS``, which the proxy passes through). Low: Django's
    own ``security.W004`` already reports the setting; this names the proxy's routes that
    would carry it. Only routes serving https are judged.
    """
    routes = [r for r in facts[ProxyFacts].routes if r.tls]
    if not routes:
        yield spec.skipped("no Traefik router, Caddy site or Fly.io service serving https was read")
        return
    runtime = facts.get(RuntimeFacts)
    seconds = runtime.setting("SECURE_HSTS_SECONDS") if runtime is not None else None
    django = isinstance(seconds, int) and not isinstance(seconds, bool) and seconds >= MIN_HSTS
    missing = [r for r in routes if r.hsts is None or r.hsts < MIN_HSTS]
    if not missing or django:
        evidence = [f"{r.label}: {r.hsts_at}" for r in routes if r.hsts_at]
        if django:
            evidence.append(f"Django sends it: SECURE_HSTS_SECONDS = {seconds} (passed through by the proxy)")
        yield spec.passed(
            subjects=["Strict-Transport-Security"], location=routes[0].location, evidence=evidence
        )
        return
    why = (
        "SECURE_HSTS_SECONDS is not set (0) in the audited settings"
        if runtime is not None
        else "Django's SECURE_HSTS_SECONDS is unknown (the settings were not loaded)"
    )
    for route in missing:
        yield spec.fail(
            subjects=["Strict-Transport-Security", route.name],
            location=route.location,
            evidence=[f"{route.label} ({route.location}) adds no Strict-Transport-Security header", why],
            confidence=Confidence.LIKELY if runtime is None else None,
        )


@check(
    "GL792",
    title="Traefik's API and dashboard are served without authentication (api.insecure)",
    severity=Severity.MEDIUM,
    needs=(ProxyFacts,),
    reference="https://doc.traefik.io/traefik/operations/api/#insecure",
    remediation="""
    Drop `--api.insecure=true` and route the dashboard through a router with authentication:

        traefik.http.routers.dashboard.rule=Host(`traefik.example.com`)
        traefik.http.routers.dashboard.service=api@internal
        traefik.http.routers.dashboard.middlewares=auth
        traefik.http.middlewares.auth.basicauth.users=admin:$$apr1$$...
    """,
)
def open_api(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Traefik's docs: "Enable the API in insecure mode, which means that the API will be
    available directly on the entryPoint named traefik" (port 8080 unless configured), with
    no authentication: "it is not recommended in production". Anyone who reaches it reads the
    whole routing configuration (every host, backend address and middleware). Medium when the
    Compose file publishes 8080 on every interface; low otherwise (it may be reachable only
    from the host or the container network).
    """
    proxy = facts[ProxyFacts]
    if not proxy.open_api:
        traefik = [r.name for r in proxy.routes if r.proxy == "Traefik"] or [
            f for f in proxy.files if "Traefik" in f
        ]
        if not traefik:
            yield spec.skipped("no Traefik configuration was read")
        return
    for api in proxy.open_api:
        evidence = [api.evidence]
        if api.published:
            evidence.append(
                f"the entrypoint traefik (8080) is published on every interface: ports {api.published}"
            )
        yield spec.fail(
            subjects=["api.insecure"],
            location=api.location,
            evidence=evidence,
            severity=None if api.published else Severity.LOW,
        )
