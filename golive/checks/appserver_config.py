"""The application server's configuration (checklist section 6, ids GL611–GL616): where it
binds, reload, workers and their model, the timeout, forwarded headers.

These checks, with :mod:`golive.checks.appserver_process` (GL617–GL621), read the effective
gunicorn settings (built by gunicorn's own config loader) and the options of uvicorn, daphne,
hypercorn and uWSGI command lines; :mod:`golive.checks.appserver_context` (GL630–GL632) checks
the application server against nginx and the Django settings.

Sources: gunicorn's settings reference and deployment guide
(https://docs.gunicorn.org/en/stable/settings.html,
https://docs.gunicorn.org/en/stable/deploy.html), uvicorn's settings
(https://www.uvicorn.org/settings/), Django's "How to deploy with WSGI"
(https://docs.djangoproject.com/en/stable/howto/deployment/wsgi/) and cache docs
(https://docs.djangoproject.com/en/stable/topics/cache/#local-memory-caching).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.facts.endpoints import Endpoint
from golive.facts.gunicorn import AppServer, GunicornFacts
from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import pass_targets
from golive.facts.run import RunFacts
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


def nginx_targets(nginx: NginxFacts) -> list[tuple[Endpoint, str]]:
    """Every endpoint nginx passes requests to, with the directive and where it is
    (``proxy_pass http://127.0.0.1:8000`` at ``nginx.conf:12``)."""
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
    targets = nginx_targets(nginx)
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
