"""The application server's configuration (checklist section 6, ids GL61x–GL63x).

GL611–GL621 read the effective gunicorn settings (built by gunicorn's own config loader)
and the options of uvicorn, daphne, hypercorn and uWSGI command lines; GL630–GL632 check
the application server against nginx (the upstream it proxies to, the forwarded headers it
lets through) and against the Django settings (per-process caches with several workers).

Sources: gunicorn's settings reference and deployment guide
(https://docs.gunicorn.org/en/stable/settings.html,
https://docs.gunicorn.org/en/stable/deploy.html), uvicorn's settings
(https://www.uvicorn.org/settings/), Django's "How to deploy with WSGI"
(https://docs.djangoproject.com/en/stable/howto/deployment/wsgi/) and cache docs
(https://docs.djangoproject.com/en/stable/topics/cache/#local-memory-caching).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._cache_use import NOTHING as CACHE_UNUSED
from golive.checks._cache_use import cache_reliance, sessions_in_cache
from golive.checks._nginx import fail_or_unknown, internal_reason
from golive.checks._util import PROCESS_LOCAL_CACHES, where
from golive.facts.endpoints import Endpoint, nginx_pass_target
from golive.facts.gunicorn import AppServer, GunicornFacts
from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import app_passes, from_client, pass_targets, set_header
from golive.facts.run import RunFacts
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

GUNICORN = "https://docs.gunicorn.org/en/stable/settings.html"
ASYNC_WORKERS = ("gevent", "eventlet", "tornado")


def _labels(servers: list[AppServer] | tuple[AppServer, ...]) -> str:
    shown = ", ".join(s.label for s in servers[:3])
    return shown + (f" and {len(servers) - 3} more" if len(servers) > 3 else "")


def gunicorn_found(facts: Facts) -> str | None:
    """Requirement of the checks that judge gunicorn's own settings: a gunicorn instance was
    found and loaded. Without one they are skipped (an empty list of gunicorn instances is
    not a gunicorn that passed), with the servers that were found instead."""
    found = facts[GunicornFacts]
    if found.gunicorn:
        return None
    return f"no gunicorn found: the application server is {_labels(found.servers)}"


def servers_read(facts: Facts) -> str | None:
    """Requirement of the checks that judge any application server's options: at least one
    server whose configuration golive read (a uWSGI started with ``--ini`` whose file is not
    read gives nothing to judge)."""
    servers = facts[GunicornFacts].servers
    if any(not s.unread for s in servers):
        return None
    return "no application server's configuration was read: " + "; ".join(
        f"{s.label}: {s.unread}" for s in servers[:3]
    )


def _bind_text(server: AppServer, bind: Endpoint) -> str:
    if server.kind == "gunicorn":
        return server.how("bind")
    return f"{server.kind} listens on {bind} ({server.command or server.where_bind(bind)})"


def _targets(nginx: NginxFacts) -> list[tuple[Endpoint, str]]:
    """Every endpoint nginx passes requests to, with the directive and where it is."""
    out = []
    for f in nginx.parsed:
        assert f.root is not None
        for target in pass_targets(f.root):
            out += [(ep, target.node.evidence()) for ep in target.endpoints]
    return out


@check(
    "GL611",
    title="the application server listens on every interface while nginx reaches it locally",
    severity=Severity.MEDIUM,
    needs=(GunicornFacts,),
    requires=(servers_read,),
    uses=(NginxFacts,),
    reference=GUNICORN + "#bind",
    remediation="""
    Bind where nginx connects, never to the world, e.g. in gunicorn.conf.py:

        bind = "unix:/run/app/gunicorn.sock"    # or "127.0.0.1:8000"
    """,
)
def bind_public(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's deployment guide: "we strongly advise that you use Nginx" in front of it;
    a server bound to 0.0.0.0 (or a public address) can be reached around nginx, skipping
    its Host filtering, TLS, body limits and the X-Forwarded-Proto it sets. When ``bind`` is
    not set and ``PORT`` is in the environment, gunicorn binds ``0.0.0.0:$PORT`` on its own
    (https://docs.gunicorn.org/en/stable/settings.html#bind). Only reported when nginx's
    configuration proxies to this server over loopback (with nginx on another host or
    container, listening on all interfaces is needed).
    """
    nginx = facts.get(NginxFacts)
    if nginx is None:
        return
    targets = _targets(nginx)
    run = facts.get(RunFacts)
    env = run.environment if run is not None else {}
    for server in facts[GunicornFacts].servers:
        for bind in server.binds:
            if bind.kind != "tcp" or bind.is_local:
                continue
            reaching = [(ep, text) for ep, text in targets if ep.reaches(bind)]
            if not reaching or any(not ep.is_local for ep, _ in reaching):
                continue
            evidence = [_bind_text(server, bind), f"nginx reaches it over loopback: {reaching[0][1]}"]
            if server.kind == "gunicorn" and not server.bind_explicit and "PORT" in env:
                evidence.append(
                    f"bind is not set: PORT={env['PORT']} in the environment makes gunicorn bind {bind}"
                )
            yield spec.fail(
                subjects=["bind"] if server.kind == "gunicorn" else ["--host"],
                location=server.where_bind(bind),
                evidence=evidence,
            )


@check(
    "GL612",
    title="the application server reloads on code changes",
    severity=Severity.MEDIUM,
    needs=(GunicornFacts,),
    requires=(servers_read,),
    reference=GUNICORN + "#reload",
    remediation="Remove `reload = True` (gunicorn) / `--reload` (uvicorn, hypercorn) / `--py-autoreload`.",
)
def reload_on(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's ``reload``: "This setting is intended for development. It will cause
    workers to be restarted whenever application code changes." In production it watches
    every module, restarts workers mid-traffic on any file change, and a deploy that touches
    files half-way reloads a half-updated tree. uvicorn's ``--reload``, hypercorn's and
    uWSGI's ``--py-autoreload`` are the same.
    """
    for server in facts[GunicornFacts].servers:
        if not server.reload:
            continue
        seen = (
            server.how("reload")
            if server.kind == "gunicorn"
            else f"{server.reload_option}: {server.command}"
            if server.command
            else server.reload_option
        )
        yield spec.fail(
            subjects=["reload"] if server.kind == "gunicorn" else [server.reload_option.split()[0]],
            location=server.where("reload"),
            evidence=[seen],
        )


@check(
    "GL613",
    title="the number of worker processes is 1 or far from 2 × cores + 1",
    severity=Severity.INFO,
    needs=(GunicornFacts,),
    requires=(servers_read,),
    reference="https://docs.gunicorn.org/en/stable/design.html#how-many-workers",
    remediation="""
    Start from gunicorn's rule of thumb and measure:

        import multiprocessing
        workers = multiprocessing.cpu_count() * 2 + 1
    """,
)
def workers_count(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's design notes: "DO NOT scale the number of workers to the number of
    clients you expect to have ... We recommend (2 x $num_cores) + 1 as the number of
    workers to start off with." One sync worker serves one request at a time: a single slow
    request stalls the site. Judged only when the number is set explicitly, against this
    machine's cores (the server's may differ: hence info).
    """
    for server in facts[GunicornFacts].servers:
        if server.workers is None:
            continue
        cores = server.cpu_count or 0
        ideal = 2 * cores + 1
        async_class = str(server.setting("worker_class", "")).split(".")[-1].lower()
        far = (
            cores
            and not async_class.startswith(ASYNC_WORKERS)
            and not (ideal / 2 <= server.workers <= ideal * 2)
        )
        if server.workers != 1 and not far:
            continue
        seen = (
            server.how("workers")
            if server.kind == "gunicorn"
            else f"{server.kind} --workers {server.workers}"
        )
        yield spec.fail(
            subjects=["workers"],
            location=server.where("workers"),
            evidence=[seen + (f"; 2 x {cores} cores + 1 = {ideal} on this machine" if cores else "")],
        )


@check(
    "GL614",
    title="gunicorn's threads or worker_connections do not fit its worker class",
    severity=Severity.LOW,
    needs=(GunicornFacts,),
    requires=(gunicorn_found,),
    reference=GUNICORN + "#worker-class",
    remediation="""
    Pick one model: sync/gthread workers with `threads`, or gevent workers with
    `worker_connections` — e.g.

        worker_class = "gthread"
        threads = 4
    """,
)
def worker_model(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's ``threads``: "This setting only affects the Gthread worker type";
    ``worker_connections``: "This setting only affects the Eventlet and Gevent worker
    types" (https://docs.gunicorn.org/en/stable/settings.html). Set for the wrong class they
    are silently ignored and the capacity planned on them does not exist. The eventlet
    worker is deprecated (its library is no longer maintained).
    """
    for server in facts[GunicornFacts].gunicorn:
        klass = str(server.setting("worker_class", "sync")).split(".")[-1].lower()
        threads = server.setting("threads", 1) or 1
        problems = []
        if klass.startswith(ASYNC_WORKERS) and isinstance(threads, int) and threads > 1:
            problems.append(("threads", f"{server.how('threads')} is ignored by the {klass} worker"))
        if server.explicit("worker_connections") and not klass.startswith(ASYNC_WORKERS):
            problems.append(
                ("worker_connections", f"{server.how('worker_connections')} is ignored by {klass}")
            )
        if klass.startswith("eventlet"):
            problems.append(("worker_class", f"{server.how('worker_class')}: eventlet is deprecated"))
        for name, text in problems:
            yield spec.fail(subjects=[name, "worker_class"], location=server.where(name), evidence=[text])


@check(
    "GL615",
    title="gunicorn's worker timeout is off or very long",
    severity=Severity.MEDIUM,
    needs=(GunicornFacts,),
    requires=(gunicorn_found,),
    reference=GUNICORN + "#timeout",
    remediation="timeout = 30  # seconds; long jobs belong in a task queue",
)
def timeout(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's ``timeout``: "Workers silent for more than this many seconds are killed and
    restarted. Value is a positive number or 0. Setting it to 0 has the effect of infinite
    timeouts by disabling timeouts for all workers entirely." A hung worker (a dead database
    connection, an external API that never answers) is then never replaced; five minutes
    and more keeps a worker hostage as long.
    """
    for server in facts[GunicornFacts].gunicorn:
        value = server.setting("timeout")
        if isinstance(value, (int, float)) and (value <= 0 or value >= 300):
            yield spec.fail(
                subjects=["timeout"],
                location=server.where("timeout"),
                evidence=[server.how("timeout") + (": workers are never killed" if value <= 0 else "")],
            )


@check(
    "GL616",
    title="forwarded headers are trusted from any host while the server is reachable by other hosts",
    severity=Severity.HIGH,
    needs=(GunicornFacts,),
    requires=(servers_read,),
    reference=GUNICORN + "#forwarded-allow-ips",
    remediation="""
    Trust only the proxy's address (gunicorn's default is 127.0.0.1,::1):

        forwarded_allow_ips = "127.0.0.1"
    """,
)
def forwarded_any(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's ``forwarded_allow_ips``: "Front-end's IP addresses or networks from which
    allowed to handle set secure headers ... Use '*' to disable checking of front-end IPs
    (useful for setups where you don't know in advance the IP address of front-end, but
    instead have ensured via other means that only your authorized front-ends can access
    Gunicorn)". With ``*`` and a bind other hosts reach, any client sends
    ``X-Forwarded-Proto: https`` and is treated as secure. uvicorn's
    ``--forwarded-allow-ips '*'`` and daphne's ``--proxy-headers`` (trusting any peer) alike.
    """
    for server in facts[GunicornFacts].servers:
        exposed = [b for b in server.binds if b.kind == "tcp" and not b.is_local]
        if not exposed or not server.proxy_headers:
            continue
        if server.kind == "daphne":
            seen = f"daphne --proxy-headers trusts X-Forwarded-* from any peer: {server.command}"
        elif "*" in server.forwarded_allow_ips:
            seen = (
                server.how("forwarded_allow_ips")
                if server.kind == "gunicorn"
                else f"{server.kind} {server.trust_option or '--forwarded-allow-ips'} '*': {server.command}"
            )
        else:
            continue
        yield spec.fail(
            subjects=["forwarded_allow_ips"],
            location=server.where("forwarded_allow_ips"),
            evidence=[seen, f"and it listens on {exposed[0]}, which other hosts can reach"],
        )


@check(
    "GL617",
    title="gunicorn's umask leaves its unix socket writable by every local user",
    severity=Severity.MEDIUM,
    needs=(GunicornFacts,),
    requires=(gunicorn_found,),
    reference=GUNICORN + "#umask",
    remediation="umask = 0o007  # socket rw for the owner and group (add nginx's user to the group)",
)
def socket_umask(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn creates its unix socket under its ``umask`` ("A bit mask for the file mode
    on files written by Gunicorn", default 0), so by default the socket is mode 0777: any
    local user or compromised service can talk to Django directly, bypassing nginx, and
    gunicorn trusts forwarded headers on unix sockets (GL631).
    """
    for server in facts[GunicornFacts].gunicorn:
        sockets = [b for b in server.binds if b.kind == "unix"]
        umask = server.setting("umask", 0)
        if sockets and isinstance(umask, int) and not umask & 0o002:
            yield spec.fail(
                subjects=["umask", "bind"],
                location=server.where("umask"),
                evidence=[f"{server.how('umask')}: {sockets[0]} is created mode {0o777 & ~umask:04o}"],
            )


@check(
    "GL618",
    title="gunicorn writes no access log, or no error log",
    severity=Severity.LOW,
    needs=(GunicornFacts,),
    requires=(gunicorn_found,),
    reference=GUNICORN + "#accesslog",
    remediation="""
    accesslog = "-"   # stdout, collected by systemd/docker
    errorlog = "-"
    """,
)
def logs(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's ``accesslog`` defaults to None: no record of requests at all; an
    ``errorlog`` sent to /dev/null loses worker crashes and timeouts. The checklist asks for
    logging you can act on ("Error reporting"). Judged for configurations that set gunicorn
    up in a config file; a bare command line on a platform (Heroku's router, a load
    balancer) relies on the platform's request log.
    """
    for server in facts[GunicornFacts].gunicorn:
        errorlog = server.setting("errorlog")
        if errorlog in (None, "/dev/null"):
            yield spec.fail(
                subjects=["errorlog"], location=server.where("errorlog"), evidence=[server.how("errorlog")]
            )
        if server.config_file and server.setting("accesslog") is None:
            yield spec.fail(
                subjects=["accesslog"],
                location=server.where("accesslog"),
                evidence=[f"{server.how('accesslog')}: requests are not logged ({server.config_file})"],
            )


@check(
    "GL619",
    title="gunicorn is told to run its workers as root",
    severity=Severity.HIGH,
    needs=(GunicornFacts,),
    requires=(gunicorn_found,),
    reference=GUNICORN + "#user",
    remediation='user = "app"  # an unprivileged account that owns nothing but what it must write',
)
def runs_as_root(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's ``user``: "Switch worker processes to run as this user." Set to root, every
    request is served with full control of the machine: one remote-code-execution bug in a
    dependency and the server is lost (Django's security guide: "run your application as an
    unprivileged user", https://docs.djangoproject.com/en/stable/topics/security/).
    """
    for server in facts[GunicornFacts].gunicorn:
        if server.explicit("user") and server.setting("user") in (0, "0", "root"):
            yield spec.fail(
                subjects=["user"], location=server.where("user"), evidence=[server.how("user") + ": root"]
            )


@check(
    "GL620",
    title="gunicorn never recycles its workers (max_requests unset)",
    severity=Severity.INFO,
    needs=(GunicornFacts,),
    requires=(gunicorn_found,),
    reference=GUNICORN + "#max-requests",
    remediation="""
    max_requests = 1000
    max_requests_jitter = 100
    """,
)
def max_requests(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's ``max_requests``: "This is a simple method to help limit the damage of
    memory leaks. If this is set to zero (the default) then the automatic worker restarts are
    disabled." Judged for configurations written in a config file (see GL618).
    """
    for server in facts[GunicornFacts].gunicorn:
        if server.config_file and not server.setting("max_requests"):
            yield spec.fail(
                subjects=["max_requests"],
                location=server.where("max_requests"),
                evidence=[f"{server.how('max_requests')}: workers live forever ({server.config_file})"],
            )


@check(
    "GL621",
    title="gunicorn's control socket can be used by other local users",
    severity=Severity.MEDIUM,
    needs=(GunicornFacts,),
    requires=(gunicorn_found,),
    reference=GUNICORN + "#control-socket",
    remediation="control_socket_mode = 0o600  # or: control_socket_disable = True",
)
def control_socket(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn 25.1 added a control socket "for runtime management ... adjusting worker
    count, and graceful reload/shutdown", on by default, mode 0600 ("allows only the socket
    owner"). A mode open to other users lets any local account stop or reshape the site.
    """
    for server in facts[GunicornFacts].gunicorn:
        if "control_socket_mode" not in server.settings or server.setting("control_socket_disable"):
            continue
        name = "control_socket_mode"
        mode = server.setting(name)
        if isinstance(mode, int) and mode & 0o007:
            yield spec.fail(
                subjects=["control_socket_mode"],
                location=server.where("control_socket_mode"),
                evidence=[f"{server.how(name)}: {server.setting('control_socket')} is open to every user"],
            )


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
    for ep, text in _targets(facts[NginxFacts]):
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
