"""A real application server, and how its process is started (checklist section 6, ids GL60x, GL622–GL624).

Source: "How to deploy Django" (https://docs.djangoproject.com/en/stable/howto/deployment/)
and the runserver warning (https://docs.djangoproject.com/en/stable/ref/django-admin/#runserver):
"DO NOT USE THIS SERVER IN A PRODUCTION SETTING."
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.facts.gunicorn import GunicornFacts, umask_value
from golive.facts.platforms import PlatformFacts
from golive.facts.project import ProjectFacts, is_dockerfile
from golive.model import Confidence, Finding, Location, Severity
from golive.registry import CheckSpec, Facts, check

APP_SERVERS = (
    "gunicorn",
    "uwsgi",
    "uvicorn",
    "daphne",
    "hypercorn",
    "waitress",
    "granian",
    "mod-wsgi",
    "bjoern",
    "meinheld",
    "pyuwsgi",
)

#: GL602's evidence when no production start command is in the repository.
NO_START_COMMAND = (
    "no production start command in the repository (Procfile, production Dockerfile CMD, compose,"
    " systemd, supervisord, start script): the server is installed and started where the site is"
    " deployed, outside what golive read: low"
)


@check(
    "GL601",
    title="the site is started with manage.py runserver",
    severity=Severity.CRITICAL,
    needs=(ProjectFacts,),
    reference="https://docs.djangoproject.com/en/stable/ref/django-admin/#runserver",
    remediation="""
    Start a production server instead, e.g. in a Procfile:

        web: gunicorn mysite.wsgi --bind 0.0.0.0:$PORT --workers 3
    """,
)
def runserver(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's docs on runserver: "DO NOT USE THIS SERVER IN A PRODUCTION SETTING. It
    has not gone through security audits or performance tests." It serves one request
    at a time per thread, reloads on file changes and serves static files with DEBUG.
    """
    for cmd in facts[ProjectFacts].commands:
        # `sh -c "python manage.py migrate && python manage.py runserver"` hides it in one argument
        words = {w for arg in cmd.argv for w in arg.replace(";", " ").split()}
        if words & {"runserver", "runserver_plus"}:
            yield spec.fail(
                subjects=["runserver"], location=cmd.location, evidence=[f"{cmd.origin}: {cmd.command}"]
            )


@check(
    "GL602",
    title="no WSGI/ASGI server among the project's requirements",
    severity=Severity.MEDIUM,
    needs=(ProjectFacts,),
    reference="https://docs.djangoproject.com/en/stable/howto/deployment/",
    remediation="Add the server you deploy with to requirements.txt, e.g. `gunicorn==23.0.0`.",
)
def no_app_server(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A deployment needs a WSGI or ASGI server (gunicorn, uWSGI, uvicorn, daphne,
    hypercorn, waitress, granian...). When none is a declared dependency and no process
    command starts one, the project is most likely served by runserver, or by whatever
    happens to be installed on the server. Skipped when the project declares no
    requirements at all. Medium only when the repository starts its production processes
    (a Procfile, a production Dockerfile's CMD, compose, systemd, supervisord, a start
    script): without any such command the deployment is set up outside the repository (an
    install guide's ``pip install gunicorn``, a separate deployment repository), which the
    requirements cannot tell: low with that reason.
    Source: "How to deploy Django"
    (https://docs.djangoproject.com/en/stable/howto/deployment/).
    """
    project = facts[ProjectFacts]
    if not project.dependencies:
        yield spec.skipped("no requirements file or pyproject dependencies found")
        return
    if project.depends_on(*APP_SERVERS):
        return
    started = [c for c in project.commands if any(s in c.command for s in APP_SERVERS)]
    if started:
        return
    files = ", ".join(project.requirement_files) or "pyproject.toml"
    where = project.dependencies[0].location.path
    evidence = [f"none of {', '.join(APP_SERVERS[:7])} in {files}"]
    if not project.commands:
        evidence.append(NO_START_COMMAND)
    yield spec.fail(
        subjects=["requirements"],
        location=Location(path=where),
        evidence=evidence,
        severity=None if project.commands else Severity.LOW,
    )


@check(
    "GL622",
    title="the server's start command sets a umask that lets every local user write what the app creates",
    severity=Severity.MEDIUM,
    needs=(GunicornFacts,),
    reference="https://docs.djangoproject.com/en/stable/ref/settings/#file-upload-directory-permissions",
    remediation="""
    Drop the `umask 0` line (or use `umask 0027`), and set the modes Django uses explicitly:

        FILE_UPLOAD_PERMISSIONS = 0o640
        FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
    """,
)
def process_umask(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A process's umask decides the mode of every file and directory it creates without an
    explicit one (POSIX ``umask``,
    https://pubs.opengroup.org/onlinepubs/9799919799/utilities/umask.html). Start scripts
    often run ``umask 0`` (systemd ``UMask=``, supervisord ``umask=`` alike) before the
    server: Django's docs on FILE_UPLOAD_DIRECTORY_PERMISSIONS: "If this isn't given or is
    None, you'll get operating-system dependent behavior", i.e. the umask, so upload
    directories become mode 0777, and log files, SQLite databases and caches the app writes
    0666: any local account (another service, a compromised one) can rewrite them.
    gunicorn's own ``umask`` setting only applies to its unix socket (GL617).
    """
    for server in facts[GunicornFacts].servers:
        value = umask_value(server.process_umask)
        if value is None or value & 0o002:
            continue
        at = server.process_umask_at or server.location
        yield spec.fail(
            subjects=["umask"],
            location=at,
            evidence=[
                f"umask {server.process_umask} ({at}) before {server.label}",
                f"directories it creates are mode {0o777 & ~value:04o}, files {0o666 & ~value:04o}"
                " (upload directories when FILE_UPLOAD_DIRECTORY_PERMISSIONS is unset, logs, SQLite files)",
            ],
        )


@check(
    "GL623",
    title="the application server's process runs as root",
    severity=Severity.MEDIUM,
    needs=(GunicornFacts,),
    uses=(PlatformFacts,),
    reference="https://docs.djangoproject.com/en/stable/howto/deployment/checklist/",
    remediation="""
    Start it as an unprivileged account that owns only what it must write, e.g. in the
    Dockerfile's last stage:

        RUN useradd --system --no-create-home app
        USER app

    (systemd: `User=app` in the unit; supervisord: `user=app`; or `exec gosu app gunicorn ...`).
    """,
)
def process_root(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Docker runs a container's processes as root unless the image sets ``USER`` or compose
    ``user:`` ("When the user doesn't have a primary group then the image (or the next
    instructions) will be run with the root group", https://docs.docker.com/reference/dockerfile/#user),
    and systemd runs a system service as root unless the unit sets ``User=``
    (https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#User=). Served as
    root, one remote-code-execution bug in any dependency owns the container or the machine;
    Django's security guide asks for the least privilege
    (https://docs.djangoproject.com/en/stable/topics/security/). A server that switches to
    an unprivileged user itself (gunicorn ``user``, uWSGI ``uid``, ``gosu``) is not reported
    here (GL619 and GL647 judge a switch to root). Where only the platform's default says root,
    the finding is *likely*: the image's base or the host may set a user golive cannot see.
    A server whose configuration file golive does not read (it may switch user) is skipped.
    Docker's default is low when the repository's platform manifests start the app as another
    user (a Kubernetes/Helm ``securityContext`` with ``runAsUser``/``runAsNonRoot``, Heroku's
    dynos: :class:`golive.facts.platforms.PlatformFacts`): root only where the image runs elsewhere.
    """
    for server in facts[GunicornFacts].servers:
        if server.drops_to is not None:
            continue
        if server.unread and (server.run_as is not None or server.run_as_default):
            # its configuration file, which golive did not read, may switch to another user
            yield spec.skipped(f"{server.label}: {server.unread}, which may switch to another user")
            continue
        if server.run_as is not None:
            if server.run_as.split(":")[0] not in ("root", "0"):
                continue
            yield spec.fail(
                subjects=[_user_option(server.run_as_at)],
                location=server.run_as_at,
                evidence=[f"{server.label} is started as {server.run_as} ({server.run_as_at})"],
                confidence=Confidence.CONFIRMED,
            )
        elif server.run_as_default:
            where = server.run_as_at or server.location
            why = (
                f"{where} sets no USER (nor compose user:): Docker starts {server.label} as root"
                if server.run_as_default == "Docker"
                else f"{where} sets no User=: systemd starts {server.label} as root"
            )
            platforms = facts.get(PlatformFacts)
            others = platforms.unprivileged if platforms and server.run_as_default == "Docker" else ()
            evidence = [
                why,
                *(f"{r.platform} runs it as another user: {r.evidence} ({r.location})" for r in others[:2]),
            ]
            yield spec.fail(
                subjects=[_user_option(where)],
                location=where,
                evidence=evidence,
                confidence=Confidence.LIKELY,
                severity=Severity.LOW if others else None,
            )


def _user_option(where: Location | None) -> str:
    """How the file at ``where`` names the user: ``USER`` (Dockerfile), ``User`` (systemd), else ``user``."""
    name = where.path.rsplit("/", 1)[-1] if where is not None else ""
    if is_dockerfile(name):
        return "USER"
    return "User" if name.endswith(".service") else "user"


@check(
    "GL624",
    title="the server's start command runs the database migrations every time it starts",
    severity=Severity.LOW,
    needs=(ProjectFacts,),
    reference="https://docs.djangoproject.com/en/stable/howto/deployment/checklist/",
    remediation="""
    Migrate once per release, as its own step: a release phase (`release: python manage.py
    migrate` in a Procfile), a one-off container or job, or the deploy script.
    """,
)
def migrate_at_start(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A start script or container command that runs ``manage.py migrate`` before the server
    runs it on every start and restart of every replica: replicas started together race to
    apply the same migrations, the site waits while tables are locked, the serving account
    needs schema rights, and a failing migration stops the site at a restart no one watches.
    Django's ``migrate`` is a deployment step of its own (the deployment checklist, and
    Heroku's release phase, https://devcenter.heroku.com/articles/release-phase). A Procfile
    (whose ``release:`` type is that step) is not judged; uWSGI hooks are GL651.
    """
    for cmd in facts[ProjectFacts].commands:
        if cmd.origin == "Procfile":
            continue
        # `sh -c "python manage.py migrate && gunicorn ..."` holds it in one argument
        names = {w.rsplit("/", 1)[-1] for arg in cmd.argv for w in arg.replace(";", " ").split()}
        if "migrate" in names and ("manage.py" in names or "django-admin" in names):
            yield spec.fail(
                subjects=["migrate"], location=cmd.location, evidence=[f"{cmd.origin}: {cmd.command}"]
            )
