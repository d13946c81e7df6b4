"""The application server in its context (checklist section 6, ids GL630–GL632): against nginx
(the upstream it proxies to, the forwarded headers it lets through) and against the Django
settings (per-process caches with several workers). Its own configuration is in
:mod:`golive.checks.appserver_config` and :mod:`golive.checks.appserver_process`.

Sources: gunicorn's settings reference and deployment guide
(https://docs.gunicorn.org/en/stable/settings.html,
https://docs.gunicorn.org/en/stable/deploy.html), nginx's proxy module, Django's cache docs
(https://docs.djangoproject.com/en/stable/topics/cache/#local-memory-caching).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._cache_use import NOTHING as CACHE_UNUSED
from golive.checks._cache_use import cache_reliance, sessions_in_cache
from golive.checks._nginx import fail_or_unknown, internal_reason
from golive.checks._util import PROCESS_LOCAL_CACHES, where
from golive.checks.appserver_config import GUNICORN, gunicorn_found, nginx_targets, servers_read
from golive.facts.endpoints import nginx_pass_target
from golive.facts.gunicorn import GunicornFacts
from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import app_passes, from_client, set_header
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


@check(
    "GL630",
    title="nginx proxies to an address no application server listens on",
    severity=Severity.HIGH,
    needs=(GunicornFacts, NginxFacts),
    requires=(servers_read,),
    reference="https://docs.gunicorn.org/en/stable/deploy.html#nginx-configuration",
    remediation="""
    Make both name the same socket:

        bind = "unix:/run/app/gunicorn.sock"                       # gunicorn.conf.py
        proxy_pass http://unix:/run/app/gunicorn.sock;             # nginx
    """,
)
def upstream_mismatch(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's deployment guide pairs ``bind`` with nginx's ``upstream``/``proxy_pass``:
    when they name different sockets or ports every request ends in "502 Bad Gateway".
    Only local targets (loopback, unix sockets) are compared; a host name (another
    container) is matched by port.
    """
    servers = facts[GunicornFacts].servers
    binds = [(s, b) for s in servers for b in s.binds]
    if not binds or any((b.kind == "tcp" and b.port is None) or b.kind == "unknown" for _, b in binds):
        return  # a listener only known on the server ($PORT, uWSGI's %d/app.sock) may be the target
    for ep, text in nginx_targets(facts[NginxFacts]):
        if ep.kind not in ("tcp", "unix") or not ep.is_local:
            continue
        if any(ep.reaches(b) for _, b in binds):
            continue
        listening = ", ".join(f"{s.kind} {b} ({s.where('bind')})" for s, b in binds[:3])
        yield spec.fail(
            subjects=["proxy_pass", "bind"],
            evidence=[f"{text} sends requests to {ep}", f"but the application servers listen on {listening}"],
        )


@check(
    "GL631",
    title="gunicorn trusts nginx's forwarded headers and nginx passes the client's X-Forwarded-Proto",
    severity=Severity.HIGH,
    needs=(GunicornFacts, NginxFacts),
    requires=(gunicorn_found,),
    reference=GUNICORN + "#forwarded-allow-ips",
    remediation="""
    In every location that proxies to gunicorn:

        proxy_set_header X-Forwarded-Proto $scheme;
    """,
)
def unix_socket_trust(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn sets ``wsgi.url_scheme`` from ``secure_scheme_headers`` (X-Forwarded-Proto,
    X-Forwarded-Protocol, X-Forwarded-Ssl) when the peer is trusted: an address in
    ``forwarded_allow_ips`` (127.0.0.1 by default) or a unix-socket peer: "This option does
    not affect UNIX socket connections. Connections not associated with an IP address are
    treated as allowed, unconditionally"
    (https://docs.gunicorn.org/en/stable/settings.html#forwarded-allow-ips). nginx forwards
    request headers it does not overwrite, so a plain-HTTP request carrying
    ``X-Forwarded-Proto: https`` reaches Django as secure: ``request.is_secure()`` is True,
    SECURE_SSL_REDIRECT is skipped, secure cookies go back over HTTP.
    """
    nginx = facts[NginxFacts]
    for server in facts[GunicornFacts].gunicorn:
        allowed = set(server.forwarded_allow_ips)
        for block, node in app_passes(f.root for f in nginx.parsed if f.root is not None):
            if node.name != "proxy_pass" or not node.args:
                continue
            ep, _ = nginx_pass_target(node.args[0])
            bind = next((b for b in server.binds if ep.reaches(b)), None)
            if bind is None:
                continue
            if bind.kind == "unix":
                why = f"gunicorn trusts any peer on its unix socket {bind}"
            elif "*" in allowed or (ep.is_local and allowed & {"127.0.0.1", "::1", "localhost"}):
                why = f"gunicorn trusts nginx's address: {server.how('forwarded_allow_ips')}"
            else:
                continue
            headers = [str(h) for h in (server.setting("secure_scheme_headers") or {"X-FORWARDED-PROTO": ""})]
            overwritten = [
                h
                for h in headers
                if (s := set_header(block, node, h)) is not None
                and not from_client(s.args[1] if len(s.args) > 1 else "")
            ]
            if overwritten:
                continue
            yield fail_or_unknown(  # unknown: an unread include may set it; moot behind another proxy
                spec,
                block,
                "the X-Forwarded-Proto header nginx sends",
                internal_reason(nginx, block),
                subjects=["proxy_set_header", "X-Forwarded-Proto", "forwarded_allow_ips"],
                location=node.location,
                evidence=[
                    f"{node.evidence()} reaches {server.label}; {why}",
                    "no proxy_set_header X-Forwarded-Proto in force: a client's X-Forwarded-Proto: https"
                    " makes Django's request.is_secure() True",
                ],
            )


@check(
    "GL632",
    title="a per-process cache holds the cache or the sessions while several worker processes run",
    severity=Severity.HIGH,
    needs=(GunicornFacts, RuntimeFacts),
    requires=(servers_read,),
    reference="https://docs.djangoproject.com/en/stable/topics/cache/#local-memory-caching",
    remediation="""
    Share the cache between processes:

        CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                              "LOCATION": os.environ["REDIS_URL"]}}
    """,
)
def locmem_workers(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's cache docs: "Note that each process will have its own private cache instance,
    which means no cross-process caching is possible." With several worker processes each
    has its own sessions (users logged out at random, a logout that holds in one process
    only), rate limits and cached pages. Django's default CACHES is this local-memory cache.
    High only when something relies on a shared cache (:func:`cache_reliance`); when the
    scanned code uses none of it, low with that reason.
    """
    runtime = facts[RuntimeFacts]
    caches = runtime.setting("CACHES") or {}
    backend = str((caches.get("default") or {}).get("BACKEND", ""))
    if backend != PROCESS_LOCAL_CACHES[0]:
        return
    engine = sessions_in_cache(runtime)
    reasons, known = cache_reliance(facts)
    for server in facts[GunicornFacts].servers:
        workers = server.setting("workers") if server.kind == "gunicorn" else server.workers
        if not isinstance(workers, int) or workers < 2:
            continue
        sessions = bool(engine)
        seen = (
            server.how("workers")
            if server.kind == "gunicorn"
            else f"{server.kind}: {server.command}"
            if server.command
            else f"{server.kind}: {workers} processes ({server.where('workers')})"
        )
        loc = where(facts, "CACHES")
        yield spec.fail(
            subjects=["CACHES", "workers", *(["SESSION_ENGINE"] if sessions else [])],
            location=loc or server.where("workers"),
            evidence=[
                seen,
                f"CACHES['default']['BACKEND'] = {backend!r}"
                + (f" ({loc})" if loc else " (Django's default)"),
                *([f"SESSION_ENGINE = {engine!r}: sessions live in that cache"] if sessions else []),
                # sessions say enough; else what else relies on the cache, or that nothing does
                *([] if sessions else reasons or ([CACHE_UNUSED] if known else [])),
            ],
            severity=Severity.LOW if known and not reasons else None,
        )
