"""HTTPS and cookies (checklist section 3, ids GL3xx), beyond Django's security.W0xx.

Source: Django's deployment checklist, "HTTPS"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#https) and
Django's SSL/HTTPS guide (https://docs.djangoproject.com/en/stable/topics/security/#ssl-https).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._util import SETTINGS, where
from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import app_passes, effective, listens, servers
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

ONE_YEAR = 31_536_000


@check(
    "GL301",
    title="SECURE_HSTS_SECONDS is set but under one year",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=SETTINGS + "#secure-hsts-seconds",
    remediation="SECURE_HSTS_SECONDS = 31536000  # one year, once HTTPS works on every page",
)
def hsts_short(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A short HSTS max-age is right while testing; left in production it lets a
    browser forget the site is HTTPS-only within hours. Django's SSL guide recommends a
    small value first, then a year (``31536000``); the preload list requires a year.
    Source: SECURE_HSTS_SECONDS
    (https://docs.djangoproject.com/en/stable/ref/settings/#secure-hsts-seconds) and HTTP
    Strict Transport Security
    (https://docs.djangoproject.com/en/stable/ref/middleware/#http-strict-transport-security).
    """
    seconds = facts[RuntimeFacts].setting("SECURE_HSTS_SECONDS") or 0
    if isinstance(seconds, int) and 0 < seconds < ONE_YEAR:
        yield spec.fail(
            subjects=["SECURE_HSTS_SECONDS"],
            location=where(facts, "SECURE_HSTS_SECONDS"),
            evidence=[f"SECURE_HSTS_SECONDS = {seconds} ({seconds / 86400:.2g} days)"],
        )


@check(
    "GL302",
    title="SECURE_HSTS_PRELOAD is on without what preloading requires",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=SETTINGS + "#secure-hsts-preload",
    remediation="""
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    """,
)
def hsts_preload(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The HSTS preload list (hstspreload.org) accepts a domain only when its header has
    ``max-age`` of at least a year and ``includeSubDomains``; ``preload`` without them
    (or without any HSTS header at all) asks for something browsers will not do.
    Source: SECURE_HSTS_PRELOAD
    (https://docs.djangoproject.com/en/stable/ref/settings/#secure-hsts-preload) and the
    submission requirements of https://hstspreload.org/.
    """
    runtime = facts[RuntimeFacts]
    if not runtime.setting("SECURE_HSTS_PRELOAD"):
        return
    seconds = runtime.setting("SECURE_HSTS_SECONDS") or 0
    problems = []
    if not runtime.setting("SECURE_HSTS_INCLUDE_SUBDOMAINS"):
        problems.append("SECURE_HSTS_INCLUDE_SUBDOMAINS is not True")
    if not isinstance(seconds, int) or seconds < ONE_YEAR:
        problems.append(f"SECURE_HSTS_SECONDS = {seconds} (< {ONE_YEAR})")
    if problems:
        yield spec.fail(
            subjects=["SECURE_HSTS_PRELOAD", "SECURE_HSTS_INCLUDE_SUBDOMAINS"],
            location=where(facts, "SECURE_HSTS_PRELOAD"),
            evidence=["SECURE_HSTS_PRELOAD = True but " + "; ".join(problems)],
        )


@check(
    "GL303",
    title="SECURE_SSL_REDIRECT is on but SECURE_PROXY_SSL_HEADER is not set",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    uses=(NginxFacts,),
    reference=SETTINGS + "#secure-proxy-ssl-header",
    remediation="""
    Behind a proxy that terminates TLS and sets X-Forwarded-Proto (and strips it from
    clients' requests):

        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    """,
)
def ssl_redirect_proxy(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Behind nginx or a load balancer that terminates TLS, Django sees every request as
    plain HTTP; with SECURE_SSL_REDIRECT it redirects HTTPS requests to themselves, a
    redirect loop, unless it is told which header carries the original scheme.
    Source: SECURE_PROXY_SSL_HEADER
    (https://docs.djangoproject.com/en/stable/ref/settings/#secure-proxy-ssl-header).
    Not when the nginx that terminates TLS hands the scheme to uWSGI itself: every request it
    passes to the application goes through ``uwsgi_pass`` with ``uwsgi_param HTTPS $https``
    (nginx's stock ``uwsgi_params``) in a server that listens with ``ssl``; uWSGI then sets
    ``wsgi.url_scheme`` to https (its ``HTTPS`` variable) and Django's ``is_secure()`` is right.
    """
    runtime = facts[RuntimeFacts]
    if runtime.setting("SECURE_SSL_REDIRECT") and not runtime.setting("SECURE_PROXY_SSL_HEADER"):
        handed = _scheme_handed_to_uwsgi(facts.get(NginxFacts))
        if handed:
            yield spec.passed(subjects=["SECURE_PROXY_SSL_HEADER"], evidence=handed)
            return
        yield spec.fail(
            subjects=["SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER"],
            location=where(facts, "SECURE_PROXY_SSL_HEADER") or where(facts, "SECURE_SSL_REDIRECT"),
            evidence=["SECURE_SSL_REDIRECT = True, SECURE_PROXY_SSL_HEADER = None"],
        )


def _scheme_handed_to_uwsgi(nginx: NginxFacts | None) -> list[str]:
    """Evidence that every application pass of ``nginx`` gives uWSGI the request's scheme
    (``uwsgi_pass`` with ``uwsgi_param HTTPS $https`` in a server listening with ``ssl``),
    ``[]`` when one does not (or there is no nginx)."""
    if nginx is None:
        return []
    roots = [p.root for p in nginx.parsed if p.root is not None]
    passes = list(app_passes(roots))
    ssl_servers = {
        id(chain[-1]) for root in roots for chain in servers(root) if any(x.ssl for x in listens(chain))
    }
    evidence: list[str] = []
    for block, node in passes:
        param = next((p for p in effective(block, "uwsgi_param") if p.args[:2] == ("HTTPS", "$https")), None)
        in_ssl = any(id(level) in ssl_servers for level in block)
        if node.name != "uwsgi_pass" or param is None or not in_ssl:
            return []
        evidence = [param.evidence(), f"{node.evidence()}: in a server that listens with ssl"]
    return evidence


@check(
    "GL304",
    title="CSRF_TRUSTED_ORIGINS trusts a plain-http origin",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=SETTINGS + "#csrf-trusted-origins",
    remediation='CSRF_TRUSTED_ORIGINS = ["https://www.example.com"]',
)
def csrf_http_origins(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """An ``http://`` trusted origin accepts unsafe requests from a page an attacker on
    the network can rewrite; a site that enforces HTTPS has no use for one.
    Source: CSRF_TRUSTED_ORIGINS
    (https://docs.djangoproject.com/en/stable/ref/settings/#csrf-trusted-origins) and the
    checklist's HTTPS section
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#https).
    """
    origins = facts[RuntimeFacts].setting("CSRF_TRUSTED_ORIGINS") or []
    bad = [o for o in origins if isinstance(o, str) and o.lower().startswith("http://")]
    if bad:
        yield spec.fail(
            subjects=["CSRF_TRUSTED_ORIGINS"],
            location=where(facts, "CSRF_TRUSTED_ORIGINS"),
            evidence=[f"CSRF_TRUSTED_ORIGINS has {', '.join(repr(o) for o in bad)}"],
        )
