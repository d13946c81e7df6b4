"""The forwarded headers the proxy sets and the application server throws away (checklist
section 6, GL627).

gunicorn and uvicorn take the scheme and the client address from ``X-Forwarded-Proto`` and
``X-Forwarded-For`` only when the connection comes from an address in
``forwarded_allow_ips`` (``--forwarded-allow-ips``), 127.0.0.1 by default
(https://docs.gunicorn.org/en/stable/settings.html#forwarded-allow-ips,
https://www.uvicorn.org/settings/#http). An nginx in another container or on another host
connects from elsewhere: its headers are dropped, and unless Django trusts the header itself
(``SECURE_PROXY_SSL_HEADER``, https://docs.djangoproject.com/en/stable/ref/settings/#secure-proxy-ssl-header)
every request looks like plain http coming from the proxy.
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._util import is_loopback
from golive.facts.endpoints import Endpoint
from golive.facts.gunicorn import AppServer, GunicornFacts
from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import pass_targets
from golive.facts.runtime import RuntimeFacts
from golive.facts.source import SourceFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

#: Servers whose forwarded-header trust is a list of peer addresses.
TRUSTING = ("gunicorn", "uvicorn")


@check(
    "GL627",
    title="the application server ignores the forwarded headers of a proxy on another host",
    severity=Severity.MEDIUM,
    needs=(GunicornFacts, NginxFacts),
    uses=(RuntimeFacts, SourceFacts),
    reference="https://www.uvicorn.org/settings/#http",
    remediation="""
    Trust the proxy's address (its container network), or let Django read the header:

        uvicorn ... --proxy-headers --forwarded-allow-ips 172.18.0.0/16
        # or, in the settings, with nginx setting the header itself:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    """,
)
def forwarded_from_elsewhere(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uvicorn's ``--forwarded-allow-ips``: "Comma separated list of IP Addresses, IP Networks,
    or literals (e.g. UNIX Socket path) to trust with proxy headers. Defaults to ... 127.0.0.1"
    (https://www.uvicorn.org/settings/#http; gunicorn's ``forwarded_allow_ips`` alike).
    A gunicorn or uvicorn that trusts forwarded headers from loopback only, reached by an
    nginx that connects from another host or container (its ``proxy_pass``/``uwsgi_pass``
    target is not a loopback address), while Django does not trust ``X-Forwarded-Proto``
    itself: Django sees https requests as http (``request.is_secure()`` False, so an https
    ``Origin`` fails the CSRF check unless listed in ``CSRF_TRUSTED_ORIGINS``, absolute URLs
    and redirects are built with http) and every client as the proxy's address. Unknown when
    the settings assign ``SECURE_PROXY_SSL_HEADER`` in a way golive cannot read.
    """
    header, known = _proxy_header(facts)
    if header or not known:
        return
    targets = [
        (ep, target.node.evidence())
        for parsed in facts[NginxFacts].parsed
        if parsed.root is not None
        for target in pass_targets(parsed.root)
        for ep in target.endpoints
    ]
    for server in facts[GunicornFacts].servers:
        if server.kind not in TRUSTING or not server.proxy_headers or not server.forwarded_allow_ips:
            continue
        if not all(is_loopback(ip.strip()) for ip in server.forwarded_allow_ips):
            continue
        remote = _remote_target(server, targets)
        if remote is None:
            continue
        trusted = ", ".join(server.forwarded_allow_ips)
        yield spec.fail(
            subjects=["forwarded-allow-ips", "SECURE_PROXY_SSL_HEADER"],
            location=server.where("forwarded_allow_ips"),
            evidence=[
                f"{server.kind} trusts X-Forwarded-* only from {trusted}: {server.command or server.found}",
                f"nginx connects from another host or container: {remote}",
                "SECURE_PROXY_SSL_HEADER is not set: Django sees every request as plain http from the proxy",
            ],
        )


def _remote_target(server: AppServer, targets: list[tuple[Endpoint, str]]) -> str | None:
    """The first nginx target that reaches one of ``server``'s binds from a non-loopback host."""
    for bind in server.binds:
        for ep, text in targets:
            if ep.kind == "tcp" and not ep.is_local and ep.reaches(bind):
                return text
    return None


def _proxy_header(facts: Facts) -> tuple[object, bool]:
    """``(SECURE_PROXY_SSL_HEADER, known)``: the runtime value when the settings were loaded,
    else ``(None, True)`` when no module of the audited chain assigns it, else unknown."""
    runtime = facts.get(RuntimeFacts)
    if runtime is not None:
        return runtime.setting("SECURE_PROXY_SSL_HEADER"), True
    source = facts.get(SourceFacts)
    if source is None:
        return None, False
    return None, not source.history("SECURE_PROXY_SSL_HEADER")
