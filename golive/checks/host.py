"""Server-side security of the host the project runs on (checklist section 9, ids GL920–GL939).

Only when auditing on the server itself (``--host``, or automatically when an application
server runs from the project directory): see :mod:`golive.collectors.host`. Sources:
Django's deployment checklist ("Critical settings", "Databases"), the gunicorn settings
reference (``user``, ``umask``), nginx's ``user`` directive, Redis's security page and
the listen settings of PostgreSQL, MySQL and Memcached.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator

from golive.facts.host import FileMode, HostFacts
from golive.facts.source import SourceFacts
from golive.model import Finding, Location, Severity
from golive.registry import CheckSpec, Facts, check

CHECKLIST = "https://docs.djangoproject.com/en/stable/howto/deployment/checklist/"
KINDS = {"settings": "settings module", "env": "environment file", "key": "private key"}
LISTEN_SETTING = {
    "Redis": "bind",
    "PostgreSQL": "listen_addresses",
    "MySQL": "bind-address",
    "Memcached": "-l",
}


def _mode(mode: int) -> str:
    return f"{mode:04o} ({stat.filemode(mode | stat.S_IFREG)[1:]})"


@check(
    "GL920",
    title="settings, .env or key files holding secrets are readable by other users",
    severity=Severity.HIGH,
    needs=(HostFacts,),
    reference=CHECKLIST + "#secret-key",
    remediation="""
    Let only the application's user (and its group) read them:

        chown app:app .env site_conf/settings/production.py deploy/server.key
        chmod 640 .env site_conf/settings/production.py deploy/server.key

    Better still, move the secret out of the settings module into the environment.
    """,
)
def readable_secrets(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "The secret key must be a large random value and it must be kept secret." A file
    every local user can read gives the key, the database password and the TLS key to
    any compromised service account on the machine. Looked at: the settings package's
    modules, ``local_settings.py``, ``.env`` files (not ``.env.example``) and private keys.

    A file's permissions matter in proportion to what it holds (docs/severity.md): a private
    key or an environment file is high; a settings module is high when it holds a secret as
    a literal (the source collector's judgement of each assignment), not reported when every
    secret it uses comes from the environment (it is code, like the rest of the project),
    and low when golive did not read it (not in the audited settings chain).
    """
    host = facts[HostFacts]
    source = facts.get(SourceFacts)
    for f in host.files:
        if not f.other_readable:
            continue
        weighed = _weigh(f, source)
        if weighed is None:
            continue
        severity, note = weighed
        yield spec.fail(
            subjects=[f.path],
            location=Location(path=f.path),
            severity=severity,
            evidence=[
                f"{f.path} ({KINDS[f.kind]}): mode {_mode(f.mode)}, owner {f.owner}:{f.group}:"
                " every local user can read it",
                *([note] if note else []),
            ],
        )


def _same_file(a: str, b: str) -> bool:
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def _weigh(f: FileMode, source: SourceFacts | None) -> tuple[Severity, str] | None:
    """(severity, note) of a world-readable file by what it holds; None: it holds no secret."""
    if f.kind != "settings":
        return Severity.HIGH, ""
    everything = [
        *(source.assignments if source else ()),
        *(a for m in (source.other_modules if source else {}).values() for a in m),
    ]
    mine = [a for a in everything if _same_file(a.location.path, f.path)]
    if not mine:
        return Severity.LOW, "golive did not read what it holds (not in the audited settings chain)"
    secrets = [
        a
        for a in mine
        if a.kind == "literal" and a.secret is not None and a.confidence is not None and not a.placeholder
    ]
    if not secrets:
        return None
    names = ", ".join(dict.fromkeys(a.target for a in secrets))
    where = ", ".join(str(a.location) for a in secrets)
    plural = "literals" if len(secrets) > 1 else "a literal"
    return Severity.HIGH, f"it holds {names} as {plural} ({where})"


@check(
    "GL921",
    title="the project tree is writable by the web server's user",
    severity=Severity.HIGH,
    needs=(HostFacts,),
    reference="https://nginx.org/en/docs/ngx_core_module.html#user",
    remediation="""
    The code belongs to a deploy user; the web server only reads static and media:

        chown -R deploy:deploy /srv/app && chmod -R go-w /srv/app
    """,
)
def writable_by_web_server(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """nginx's ``user`` (https://nginx.org/en/docs/ngx_core_module.html#user) is the account
    a compromised web server acts as: if it can write the project's code or settings, a
    web-server bug becomes code execution in the application at the next restart.
    """
    host = facts[HostFacts]
    if not host.web_user_known:
        yield spec.skipped(
            f"the web server's user {host.web_user!r} does not exist here ({host.web_user_source})"
        )
        return
    if host.writable:
        more = host.writable_total - len(host.writable)
        yield spec.fail(
            subjects=["user"],
            location=Location(path=host.writable[0]),
            evidence=[
                f"web server user {host.web_user} ({host.web_user_source}) can write {host.writable_total}"
                f" path(s) of {host.project_dir}:",
                *host.writable,
                *([f"… and {more} more"] if more > 0 else []),
            ],
        )


@check(
    "GL922",
    title="the application server runs as root",
    severity=Severity.HIGH,
    needs=(HostFacts,),
    reference="https://docs.gunicorn.org/en/stable/settings.html#user",
    remediation="""
    Run the workers as an unprivileged user (gunicorn: ``user``/``group``, or systemd):

        [Service]
        User=app
        Group=app
    """,
)
def app_server_root(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A worker running as root turns any remote-code-execution bug in the application or
    a dependency into full control of the machine. A master process that starts as root
    and drops its workers to another user (gunicorn's ``user`` setting,
    https://docs.gunicorn.org/en/stable/settings.html#user) is fine.
    """
    host = facts[HostFacts]
    if not host.processes:
        yield spec.skipped(f"no application server process runs from {host.project_dir}")
        return
    pids = {p.pid for p in host.processes}
    workers = [p for p in host.processes if p.ppid in pids]
    serving = workers or host.processes
    root = [p for p in serving if p.user == "root"]
    if root:
        yield spec.fail(
            subjects=["user"],
            evidence=[f"pid {p.pid} ({p.name}) runs as root: {p.cmdline}" for p in root[:10]],
        )
    else:
        yield spec.passed(evidence=[f"pid {p.pid} ({p.name}) runs as {p.user}" for p in serving[:10]])


@check(
    "GL923",
    title="a database or cache server listens on a non-loopback address",
    severity=Severity.MEDIUM,
    needs=(HostFacts,),
    reference=CHECKLIST + "#databases",
    remediation="""
    Bind it to loopback (or a private interface the firewall restricts to the app servers):

        # redis.conf          bind 127.0.0.1 -::1
        # postgresql.conf     listen_addresses = 'localhost'
        # mysqld.cnf          bind-address = 127.0.0.1
        # memcached.conf      -l 127.0.0.1
    """,
)
def data_servers_listening(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "For maximum security, make sure database servers only accept connections from your
    application servers." A cache or database listening on every interface is one firewall
    mistake away from the internet; Redis and Memcached have no authentication by default.
    """
    host = facts[HostFacts]
    for listener in host.listeners:
        if listener.loopback:
            continue
        who = f"{listener.process} pid {listener.pid}" if listener.pid else "process not visible to this user"
        yield spec.fail(
            subjects=[LISTEN_SETTING[listener.service]],
            evidence=[f"{listener.service} ({who}) listens on {listener.address}:{listener.port}"],
        )


@check(
    "GL924",
    title="Redis answers without authentication",
    severity=Severity.HIGH,
    needs=(HostFacts,),
    reference="https://redis.io/docs/latest/operate/oss_and_stack/management/security/",
    remediation="""
    Require a password (redis.conf ``requirepass`` or an ACL user) and put it in the URL:

        CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                              "LOCATION": os.environ["REDIS_URL"]}}  # redis://:password@host:6379/0
    """,
)
def redis_open(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Redis "is designed to be accessed by trusted clients inside trusted environments":
    without a password anyone who reaches it reads and rewrites the cache (and sessions
    when they live there), or uses CONFIG to write files. One real PING without credentials
    is sent to each Redis in CACHES: ``+PONG`` is open, ``-NOAUTH`` is protected.
    """
    host = facts[HostFacts]
    if host.redis_error:
        yield spec.skipped(host.redis_error)
        return
    seen = []
    for ping in host.redis:
        if ping.answer == "PONG":
            evidence = [f"CACHES[{ping.alias!r}] → {ping.target}: PING without a password answered +PONG"]
            if ping.url_has_password:
                evidence.append("the LOCATION URL carries a password, but this Redis does not ask for one")
            yield spec.fail(subjects=["CACHES"], evidence=evidence)
        elif ping.answer == "error":
            seen.append(f"CACHES[{ping.alias!r}] → {ping.target}: no answer ({ping.detail})")
        else:
            seen.append(
                f"CACHES[{ping.alias!r}] → {ping.target}: PING without a password refused ({ping.detail})"
            )
    if not host.redis:
        seen.append("no Redis in CACHES")
    if not any(p.answer == "PONG" for p in host.redis):
        yield spec.passed(evidence=seen)


@check(
    "GL925",
    title="the gunicorn socket is world-writable",
    severity=Severity.MEDIUM,
    needs=(HostFacts,),
    reference="https://docs.gunicorn.org/en/stable/settings.html#umask",
    remediation="""
    Let only the web server's group connect:

        # gunicorn.conf.py
        bind = "unix:/run/app/gunicorn.sock"
        umask = 0o007
        group = "www-data"
    """,
)
def socket_world_writable(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's ``umask`` defaults to 0 (https://docs.gunicorn.org/en/stable/settings.html#umask),
    so its unix socket is created ``srwxrwxrwx``: every local user can talk to the
    application directly, bypassing nginx and the headers it sets (X-Forwarded-Proto,
    the client address).
    """
    host = facts[HostFacts]
    for sock in host.sockets:
        if sock.world_writable:
            yield spec.fail(
                subjects=["umask"],
                evidence=[
                    f"{sock.path} (pid {sock.pid}): mode {sock.mode:04o}, owner {sock.owner}:"
                    " every local user may connect"
                ],
            )
