"""uWSGI's configuration: listeners, processes, limits, user (checklist section 6, ids GL640–GL648).

The facts come from golive's own reader of uWSGI's formats
(:mod:`golive.collectors.appservers.uwsgi`): every option as uWSGI applies it, with where it
was set. What every application server shares (bind on every interface behind a local
nginx, reload on code changes, workers, nginx's upstream, per-process caches) is judged by
:mod:`golive.checks.appserver_config`, :mod:`golive.checks.appserver_process` and
:mod:`golive.checks.appserver_context` (GL611–GL632) for uWSGI too; signals, sockets left
behind, hooks, static files and the proxy in front are in
:mod:`golive.checks.appserver_uwsgi_deploy` (GL649–GL656). Rules cite uWSGI's
documentation: "Things to know" (https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html)
and the options reference (https://uwsgi-docs.readthedocs.io/en/latest/Options.html).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks.uwsgi_findings import (
    OPTIONS,
    THINGS,
    fail_option,
    fail_unless_unknown,
    option_location,
    unique_findings,
    unknown_reason,
    unset_text,
    uwsgi_instances,
)
from golive.facts.appservers import UwsgiFacts
from golive.facts.project import ProjectFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

#: Dependencies that start threads of their own in the application (error reporting, APM).
THREAD_USERS = (
    "sentry-sdk",
    "raven",
    "newrelic",
    "ddtrace",
    "opentelemetry-sdk",
    "elastic-apm",
    "apscheduler",
)
#: Options whose presence makes uWSGI start its master process (UWSGI_OPT_MASTER).
NEEDS_MASTER = (
    "harakiri",
    "max-requests",
    "reload-on-rss",
    "reload-on-as",
    "touch-reload",
    "cheaper",
    "idle",
)


@check(
    "GL640",
    title="uWSGI's workers speak HTTP to every interface of a host (http-socket), with no router in front",
    severity=Severity.MEDIUM,
    needs=(UwsgiFacts,),
    reference=THINGS,
    remediation="""
    Behind nginx, bind locally: `http-socket = 127.0.0.1:8000` (or `socket = /run/app/uwsgi.sock`
    with `uwsgi_pass`); facing clients yourself, use uWSGI's router: `http = :80`.
    """,
)
@unique_findings
def http_socket_public(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's "Things to know": "The http and http-socket options are entirely different
    beasts. The first one spawns an additional process forwarding requests to a series of
    workers (think about it as a form of shield, at the same level of apache or nginx), while
    the second one sets workers to natively speak the http protocol. TL/DR: if you plan to
    expose uWSGI directly to the public, use --http, if you want to proxy it behind a webserver
    speaking http with backends, use --http-socket." Judged for instances on a host (systemd,
    supervisord, a configuration file); inside a container the port is reached through the
    container network and its published ports.
    """
    for instance in uwsgi_instances(facts):
        if instance.container:
            continue
        for listener in instance.listeners:
            ep = listener.endpoint
            if listener.protocol == "http-socket" and ep.kind == "tcp" and not ep.is_local:
                yield spec.fail(
                    subjects=["http-socket"],
                    location=option_location(instance, listener.option),
                    evidence=[f"{listener.option.text}: the workers answer HTTP on every interface"],
                )


@check(
    "GL641",
    title="a uwsgi-protocol socket listens on every interface of a host",
    severity=Severity.HIGH,
    needs=(UwsgiFacts,),
    reference=THINGS,
    remediation="""
    Bind where nginx connects and nowhere else:

        socket = /run/app/uwsgi.sock     ; or 127.0.0.1:3031
        chmod-socket = 660
    """,
)
@unique_findings
def uwsgi_socket_public(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's "Things to know": "Obviously, never expose a socket speaking the uwsgi protocol
    to the public network unless you know what you are doing. That channel allows for dynamic
    loading of applications (read: arbitrary execution of code). ... if uwsgi uses --socket
    :1234 parameter, it listens to port 1234 on every network interfaces." (``UWSGI_FILE``
    and ``UWSGI_MODULE`` in a packet load code: https://uwsgi-docs.readthedocs.io/en/latest/Vars.html).
    Judged for instances on a host, as GL640.
    """
    for instance in uwsgi_instances(facts):
        if instance.container:
            continue
        for listener in instance.listeners:
            ep = listener.endpoint
            if listener.protocol == "uwsgi" and ep.kind == "tcp" and not ep.is_local:
                yield spec.fail(
                    subjects=["socket"],
                    location=option_location(instance, listener.option),
                    evidence=[
                        f"{listener.option.text}: the uwsgi protocol on every interface; a peer can"
                        " load and run code (UWSGI_FILE)"
                    ],
                )


@check(
    "GL642",
    title="uWSGI runs without its master process",
    severity=Severity.LOW,
    needs=(UwsgiFacts,),
    reference=OPTIONS + "#master",
    remediation="master = true",
)
@unique_findings
def no_master(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's ``master`` option "enable master process": the process that respawns workers
    that die, kills those harakiri finds stuck, recycles them (``max-requests``) and reloads
    them gracefully. Without it a crashed worker is not replaced. Options that need the
    master turn it on by themselves (``harakiri``, ``max-requests``...: uWSGI's
    ``UWSGI_OPT_MASTER``), so only a configuration with none of them is reported; one that
    sets them only inside ``if-*`` blocks the server decides does not start it for sure.
    """
    for instance in uwsgi_instances(facts):
        maybe = [o for n in NEEDS_MASTER for o in instance.values(n)]
        if instance.flag("master") or any(not o.conditional for o in maybe):
            continue
        if maybe and not all(instance.only_with_variables(o.name) for o in maybe):
            yield spec.skipped(
                f"{maybe[0].text} would start the master, inside {maybe[0].condition},"
                " which the server decides",
                subjects=["master"],
                location=option_location(instance, None),
            )
            continue
        where = f" ({maybe[0].location})" if maybe and maybe[0].location else ""
        note = f"; {maybe[0].name}{where} would start it only inside {maybe[0].condition}" if maybe else ""
        yield fail_option(spec, instance, "master", note)


@check(
    "GL643",
    title="uWSGI never kills a worker stuck on a request, or only after a very long time (harakiri)",
    severity=Severity.MEDIUM,
    needs=(UwsgiFacts,),
    reference=OPTIONS + "#harakiri",
    remediation="harakiri = 30  ; seconds; long jobs belong in a task queue",
)
@unique_findings
def harakiri(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's ``harakiri``: "set harakiri timeout": a worker busy with one request for longer
    is killed and respawned. uWSGI has no request timeout by default, so a hung request (a dead
    database connection, an API that never answers) holds its worker for good, as gunicorn's
    ``timeout = 0`` would (GL615); five minutes and more keeps a worker hostage as long. A
    harakiri set only inside ``if-env`` blocks is unset when the variable is (a risky default).
    """
    for instance in uwsgi_instances(facts):
        value = instance.number("harakiri")
        option = instance.last("harakiri")
        unless = instance.only_with_variables("harakiri")
        if option is not None and unless:
            yield spec.fail(
                subjects=["harakiri"],
                location=option_location(instance, option),
                evidence=[
                    f"{option.text} only inside {unless}: without that variable uWSGI has no request timeout"
                ],
            )
            continue
        if (
            option is not None
            and not unknown_reason(instance, "harakiri")
            and (value is None or 0 < value < 300)
        ):
            continue
        yield fail_option(spec, instance, "harakiri")


@check(
    "GL644",
    title="uWSGI never recycles its workers (max-requests unset)",
    severity=Severity.INFO,
    needs=(UwsgiFacts,),
    reference=OPTIONS + "#max-requests",
    remediation="max-requests = 1000\nmax-requests-delta = 100",
)
@unique_findings
def max_requests(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's ``max-requests``: "reload workers after the specified amount of managed
    requests", the usual guard against memory that leaks a little per request (gunicorn's
    ``max_requests``, GL620).
    """
    for instance in uwsgi_instances(facts):
        if not instance.number("max-requests"):
            yield fail_option(spec, instance, "max-requests")


@check(
    "GL645",
    title="uWSGI does not run the threads an installed library starts (enable-threads unset)",
    severity=Severity.MEDIUM,
    needs=(UwsgiFacts, ProjectFacts),
    reference=THINGS,
    remediation="enable-threads = true",
)
@unique_findings
def threads_disabled(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's "Things to know": "By default the Python plugin does not initialize the GIL.
    This means your app-generated threads will not run. If you need threads, remember to
    enable them with enable-threads. Running uWSGI in multithreading mode (with the threads
    options) will automatically enable threading support." Error reporting and APM clients
    (sentry-sdk, newrelic, ddtrace, OpenTelemetry) send their events from a thread: without
    it they are silently never sent. Reported when such a library is a dependency.
    """
    users = facts[ProjectFacts].depends_on(*THREAD_USERS)
    if not users:
        return
    for instance in uwsgi_instances(facts):
        if instance.flag("enable-threads") or (instance.number("threads") or 0) > 0:
            continue
        yield fail_unless_unknown(
            spec,
            instance,
            ("enable-threads", "threads"),
            subjects=["enable-threads"],
            location=instance.location,
            evidence=[
                unset_text(instance, "enable-threads") + ", nor threads",
                f"{users[0].name} is a dependency ({users[0].location}): its background thread never runs",
            ],
        )


@check(
    "GL646",
    title="uWSGI keeps its 4 KB request-header buffer",
    severity=Severity.INFO,
    needs=(UwsgiFacts,),
    reference=THINGS,
    remediation="buffer-size = 32768",
)
@unique_findings
def buffer_size(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's "Things to know": "By default uWSGI allocates a very small buffer (4096 bytes)
    for the headers of each request. If you start receiving "invalid request block size" in
    your logs, it could mean you need a bigger buffer. Increase it (up to 65535) with the
    buffer-size option." A few cookies and a long query string are enough: the request is
    refused (nginx answers 502).
    """
    for instance in uwsgi_instances(facts):
        value = instance.number("buffer-size")
        option = instance.last("buffer-size")
        if (
            option is not None
            and not unknown_reason(instance, "buffer-size")
            and (value is None or value > 4096)
        ):
            continue
        yield fail_option(spec, instance, "buffer-size", ": 4096 bytes")


@check(
    "GL647",
    title="uWSGI is told to run its workers as root",
    severity=Severity.HIGH,
    needs=(UwsgiFacts,),
    reference=OPTIONS + "#uid",
    remediation="uid = app\ngid = app  ; an unprivileged account",
)
@unique_findings
def runs_as_root(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's ``uid``/``gid``: "setuid to the specified user/uid", "setgid to the specified
    group/gid". Set to root, every request is served with full control of the machine
    (Django's security guide: run the application as an unprivileged user,
    https://docs.djangoproject.com/en/stable/topics/security/).
    """
    for instance in uwsgi_instances(facts):
        for name in ("uid", "gid"):
            option = instance.last(name)
            if option is not None and option.value.strip() in ("0", "root"):
                yield spec.fail(
                    subjects=[name],
                    location=option_location(instance, option),
                    evidence=[f"{option.text}: root"],
                )


@check(
    "GL648",
    title="uWSGI's unix socket is writable by every local user (chmod-socket)",
    severity=Severity.MEDIUM,
    needs=(UwsgiFacts,),
    reference=OPTIONS + "#chmod-socket",
    remediation="chmod-socket = 660  ; and put nginx's user in the socket's group (chown-socket)",
)
@unique_findings
def socket_mode(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's ``chmod-socket``: "chmod-socket" (without a value: 666). A socket every local
    account can write lets any of them talk the uwsgi protocol to the application, bypass
    nginx and load code (GL641). The Django tutorial's ``chmod-socket = 666`` is meant for a
    first try only ("more sensible" is 664 with the right group,
    https://uwsgi-docs.readthedocs.io/en/latest/tutorials/Django_and_nginx.html).
    """
    for instance in uwsgi_instances(facts):
        option = instance.last("chmod-socket")
        if option is None:
            continue
        if option.unresolved:
            why = unknown_reason(instance, "chmod-socket")
            yield spec.skipped(why, subjects=["chmod-socket"], location=option_location(instance, option))
            continue
        text = option.value.strip() or "666"
        try:
            mode = int(text, 8)
        except ValueError:
            continue
        if mode & 0o002:
            yield spec.fail(
                subjects=["chmod-socket"],
                location=option_location(instance, option),
                evidence=[f"{option.text}: mode {mode:03o} lets every local user write the socket"],
            )
