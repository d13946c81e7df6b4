"""The application server's process (checklist section 6, ids GL617–GL621): the umask of the
files it creates, its logs, the user it runs as, worker recycling and gunicorn's control
socket. The rest of its configuration is in :mod:`golive.checks.appserver_config`.

Sources: gunicorn's settings reference and deployment guide
(https://docs.gunicorn.org/en/stable/settings.html,
https://docs.gunicorn.org/en/stable/deploy.html).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks.appserver_config import GUNICORN, gunicorn_found
from golive.facts.gunicorn import GunicornFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

#: GL617's evidence when a Procfile starts the server.
PROCFILE_ALONE = (
    "a Procfile starts it: on the platforms that read Procfiles (Heroku, Dokku, cabotage) the"
    " process type runs in its own container, so the socket's only other local users are the"
    " processes the same line starts (an nginx wrapper beside gunicorn): low"
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
    gunicorn trusts forwarded headers on unix sockets (GL631). Low when a Procfile starts
    the server: the platforms that read Procfiles run each process type in a container of its
    own (Heroku: "Dynos are isolated, virtualized Linux containers", each with "an ephemeral
    filesystem", https://www.heroku.com/dynos; Dokku and cabotage alike), so the socket's other
    local users are the processes the same line starts.
    """
    for server in facts[GunicornFacts].gunicorn:
        sockets = [b for b in server.binds if b.kind == "unix"]
        umask = server.setting("umask", 0)
        if sockets and isinstance(umask, int) and not umask & 0o002:
            evidence = [f"{server.how('umask')}: {sockets[0]} is created mode {0o777 & ~umask:04o}"]
            alone = server.found.startswith("Procfile")
            if alone:
                evidence.append(PROCFILE_ALONE)
            yield spec.fail(
                subjects=["umask", "bind"],
                location=server.where("umask"),
                evidence=evidence,
                severity=Severity.LOW if alone else None,
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
