"""A real application server, and how its process is started (checklist section 6, ids GL60x, GL622).

Source: "How to deploy Django" (https://docs.djangoproject.com/en/stable/howto/deployment/)
and the runserver warning (https://docs.djangoproject.com/en/stable/ref/django-admin/#runserver):
"DO NOT USE THIS SERVER IN A PRODUCTION SETTING."
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.collectors.appservers.scripts import umask_value
from golive.collectors.gunicorn import GunicornFacts
from golive.collectors.project import ProjectFacts
from golive.model import Finding, Location, Severity
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
    requirements at all.
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
    yield spec.fail(
        subjects=["requirements"],
        location=Location(path=where),
        evidence=[f"none of {', '.join(APP_SERVERS[:7])} in {files}"],
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
