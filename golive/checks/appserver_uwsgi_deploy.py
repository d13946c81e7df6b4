"""uWSGI as deployed: signals, sockets left behind, hooks, static files, and nginx in front
(checklist section 6, ids GL649–GL656).

The facts come from golive's own reader of uWSGI's formats
(:mod:`golive.collectors.appservers.uwsgi`); the rest of uWSGI's rules are in
:mod:`golive.checks.appserver_uwsgi`. Sources: uWSGI's "Things to know"
(https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html), its options reference
(https://uwsgi-docs.readthedocs.io/en/latest/Options.html), its nginx guide, nginx's uwsgi
module and Django's SECURE_PROXY_SSL_HEADER.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from golive.checks.uwsgi_findings import (
    OPTIONS,
    THINGS,
    fail_option,
    fail_unless_unknown,
    option_location,
    unique_findings,
    unset_text,
    uwsgi_instances,
)
from golive.facts.appservers import UwsgiFacts
from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import effective, from_client, pass_targets
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


@check(
    "GL649",
    title="uWSGI reloads instead of stopping on SIGTERM (die-on-term unset)",
    severity=Severity.LOW,
    needs=(UwsgiFacts,),
    reference=THINGS,
    remediation="die-on-term = true",
)
@unique_findings
def die_on_term(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's "Things to know": "Till uWSGI 2.1, by default, sending the SIGTERM signal to
    uWSGI means "brutally reload the stack" while the convention is to shut an application
    down on SIGTERM. ... enable the die-on-term option." systemd, Docker and supervisord stop
    a service with SIGTERM: uWSGI 2.0 (the release on PyPI) restarts instead, until it is
    killed after the stop timeout.
    """
    for instance in uwsgi_instances(facts):
        if instance.flag("die-on-term"):
            continue
        yield fail_option(spec, instance, "die-on-term")


@check(
    "GL650",
    title="uWSGI leaves its unix socket behind when it stops (vacuum unset)",
    severity=Severity.INFO,
    needs=(UwsgiFacts,),
    reference=OPTIONS + "#vacuum",
    remediation="vacuum = true",
)
@unique_findings
def vacuum(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's ``vacuum``: "try to remove all of the generated file/sockets". Without it a
    stale unix socket stays after a stop, and nginx answers 502 instead of a clear error until
    uWSGI binds again.
    """
    for instance in uwsgi_instances(facts):
        sockets = [ln for ln in instance.listeners if ln.endpoint.kind == "unix"]
        if sockets and not instance.flag("vacuum"):
            yield fail_unless_unknown(
                spec,
                instance,
                ("vacuum",),
                subjects=["vacuum"],
                location=option_location(instance, instance.last("vacuum")),
                evidence=[f"{sockets[0].option.text}; " + unset_text(instance, "vacuum")],
            )


@check(
    "GL651",
    title="uWSGI runs the database migrations every time it starts",
    severity=Severity.LOW,
    needs=(UwsgiFacts,),
    reference="https://uwsgi-docs.readthedocs.io/en/latest/Hooks.html",
    remediation="""
    Run `python manage.py migrate` once per release, as a deploy step (a release phase, a
    one-off container), not in a uWSGI hook.
    """,
)
@unique_findings
def migrate_hook(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's hooks ("hook-pre-app", "exec-pre-app", "exec-asap"...) run "at each phase of
    uWSGI's startup": on every start and restart of every instance. ``manage.py migrate`` run
    there races between instances started together, holds the workers back while it locks
    tables, needs schema rights for the serving account (as root with ``exec-as-root``), and a
    failure stops the site at a restart no one is watching. Django's deployment checklist
    treats migrations as a deploy step
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/).
    """
    for instance in uwsgi_instances(facts):
        for option in instance.options:
            if not option.name.startswith(("hook-", "exec-", "call-")):
                continue
            words = option.value.replace(":", " ").split()
            if "migrate" in words and any(w.endswith(("manage.py", "django-admin")) for w in words):
                yield spec.fail(
                    subjects=[option.name], location=option_location(instance, option), evidence=[option.text]
                )


@check(
    "GL652",
    title="uWSGI's static-map serves the project's own folder (source code, settings, .env)",
    severity=Severity.HIGH,
    needs=(UwsgiFacts,),
    reference="https://uwsgi-docs.readthedocs.io/en/latest/StaticFiles.html",
    remediation="static-map = /static=/srv/app/staticfiles  ; STATIC_ROOT, filled by collectstatic",
)
@unique_findings
def static_map_source(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's static-file serving maps a URL prefix to a folder and sends any file under it
    ("static-map = /images=/var/www/img"). Mapped onto the project's own folder (its chdir,
    or a folder holding manage.py, settings or a .env), it hands out source code, secrets in
    settings and dotenv files to anyone who asks. Django's docs: serve STATIC_ROOT, "the
    absolute path to the directory where collectstatic will collect static files"
    (https://docs.djangoproject.com/en/stable/ref/settings/#static-root).
    """
    sources = facts[UwsgiFacts].source_folders
    for instance in uwsgi_instances(facts):
        chdir = instance.last("chdir")
        for option in instance.values("static-map") + instance.values("static-map2"):
            _, _, folder = option.value.partition("=")
            if not folder or option.unresolved:
                continue
            why = _source_folder(folder.strip(), chdir.value if chdir else None, sources)
            if why:
                yield spec.fail(
                    subjects=["static-map"],
                    location=option_location(instance, option),
                    evidence=[f"{option.text}: {why}"],
                )


def _source_folder(folder: str, chdir: str | None, sources: Mapping[str, str]) -> str:
    """Why ``folder`` is the project's source ("" when it does not look so): uWSGI's chdir,
    or a folder of the repository that holds project files (:attr:`UwsgiFacts.source_folders`)."""
    if chdir and (folder.rstrip("/") or "/") == chdir.rstrip("/"):
        return "the folder uWSGI runs the application from (chdir)"
    return sources.get(folder, "")


@check(
    "GL653",
    title="nginx speaks one protocol to uWSGI and uWSGI listens with another",
    severity=Severity.HIGH,
    needs=(UwsgiFacts, NginxFacts),
    reference="https://uwsgi-docs.readthedocs.io/en/latest/Nginx.html",
    remediation="""
    `uwsgi_pass` goes to a `socket` (uwsgi protocol), `proxy_pass` to an `http-socket`:

        uwsgi_pass unix:/run/app/uwsgi.sock;      # nginx
        socket = /run/app/uwsgi.sock              ; uwsgi.ini
    """,
)
@unique_findings
def protocol_mismatch(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's nginx guide: "uwsgi_pass ... the uwsgi protocol" to a ``socket``, while
    ``proxy_pass`` speaks HTTP and needs ``http-socket`` (or the ``http`` router). Crossed,
    every request fails: nginx answers 502 and uWSGI logs "invalid request block size" or
    garbage. Only targets that reach exactly one kind of uWSGI listener are judged.
    """
    listeners = [
        (i, ln) for i in uwsgi_instances(facts) for ln in i.listeners if ln.endpoint.kind in ("tcp", "unix")
    ]
    for f in facts[NginxFacts].parsed:
        assert f.root is not None
        for target in pass_targets(f.root):
            wanted = "uwsgi" if target.node.name == "uwsgi_pass" else "http"
            for ep in target.endpoints:
                reached = [(i, ln) for i, ln in listeners if ep.is_local and ep.reaches(ln.endpoint)]
                if not reached or any(_speaks(ln.protocol) == wanted for _, ln in reached):
                    continue
                instance, listener = reached[0]
                yield spec.fail(
                    subjects=[target.node.name, listener.option.name],
                    location=target.node.location,
                    evidence=[
                        f"{target.node.evidence()} speaks {wanted} to {ep}",
                        f"but {listener.option.text} speaks {_speaks(listener.protocol)} ({instance.label})",
                    ],
                )


def _speaks(protocol: str) -> str:
    return (
        "uwsgi"
        if protocol == "uwsgi"
        else "http"
        if protocol in ("http-socket", "http", "https")
        else protocol
    )


@check(
    "GL654",
    title="Django trusts X-Forwarded-Proto and nginx passes the client's own to uWSGI",
    severity=Severity.HIGH,
    needs=(UwsgiFacts, NginxFacts, RuntimeFacts),
    reference="https://docs.djangoproject.com/en/stable/ref/settings/#secure-proxy-ssl-header",
    remediation="""
    In every location that passes to uWSGI:

        uwsgi_param HTTP_X_FORWARDED_PROTO $scheme;
    """,
)
@unique_findings
def forwarded_proto(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's SECURE_PROXY_SSL_HEADER: "Make sure ALL of the following are true before
    setting this ... Your proxy strips the X-Forwarded-Proto header from all incoming requests".
    nginx's uwsgi module passes every request header to uWSGI as an ``HTTP_*`` variable
    (``uwsgi_pass_request_headers on`` by default) unless a ``uwsgi_param`` of that name
    replaces it (https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html), and the stock
    ``uwsgi_params`` does not: a plain-HTTP request carrying ``X-Forwarded-Proto: https`` reaches
    Django as secure (``request.is_secure()``, secure cookies sent over HTTP).
    """
    header = facts[RuntimeFacts].setting("SECURE_PROXY_SSL_HEADER")
    if not isinstance(header, (list, tuple)) or not header or not isinstance(header[0], str):
        return
    name = header[0].upper()
    listeners = [ln.endpoint for i in uwsgi_instances(facts) for ln in i.listeners if ln.protocol == "uwsgi"]
    for f in facts[NginxFacts].parsed:
        assert f.root is not None
        for target in pass_targets(f.root, ("uwsgi_pass",)):
            if not any(ep.reaches(ln) for ep in target.endpoints for ln in listeners):
                continue
            params = [n for n in effective(target.chain, "uwsgi_param") if n.args]
            set_here = [n for n in params if n.args[0].upper() == name]
            if set_here and not from_client(set_here[-1].args[1] if len(set_here[-1].args) > 1 else ""):
                continue
            yield spec.fail(
                subjects=["SECURE_PROXY_SSL_HEADER", "uwsgi_param"],
                location=target.node.location,
                evidence=[
                    f"SECURE_PROXY_SSL_HEADER = {tuple(header)!r}",
                    f"{target.node.evidence()}: no uwsgi_param {name} $scheme in force, so the client's"
                    " own X-Forwarded-Proto reaches Django",
                ],
            )


@check(
    "GL655",
    title="uWSGI does not log requests (disable-logging)",
    severity=Severity.LOW,
    needs=(UwsgiFacts,),
    reference=OPTIONS + "#disable-logging",
    remediation="Remove `disable-logging`: keep uWSGI's request log (`logto`, or stdout under systemd).",
)
@unique_findings
def no_request_log(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uWSGI's ``disable-logging``: "disable request logging". Without a request log there is
    no record of who asked for what when an incident is investigated, as gunicorn's
    ``accesslog = None`` (GL618); Django's deployment checklist asks for logging you can act on
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#error-reporting).
    """
    for instance in uwsgi_instances(facts):
        if instance.flag("disable-logging"):
            option = instance.last("disable-logging")
            yield spec.fail(
                subjects=["disable-logging"],
                location=option_location(instance, option),
                evidence=[option.text if option is not None else "disable-logging"],
            )


@check(
    "GL656",
    title="Django trusts X-Forwarded-Proto while uWSGI answers HTTP on every interface of a host",
    severity=Severity.HIGH,
    needs=(UwsgiFacts, RuntimeFacts),
    reference="https://docs.djangoproject.com/en/stable/ref/settings/#secure-proxy-ssl-header",
    remediation="""
    Let only the proxy reach uWSGI (`http-socket = 127.0.0.1:8000`, or `socket` with
    `uwsgi_pass`), and have the proxy set the header itself.
    """,
)
@unique_findings
def forwarded_proto_direct(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's SECURE_PROXY_SSL_HEADER: "Make sure ALL of the following are true before
    setting this ... Your Django app is behind a proxy. Your proxy strips the X-Forwarded-Proto
    header from all incoming requests." A uWSGI ``http``/``http-socket`` listener on every
    interface of a host is reached without the proxy: any client sends ``X-Forwarded-Proto:
    https`` and Django treats the plain-HTTP request as secure (``request.is_secure()``,
    secure cookies sent over HTTP, SECURE_SSL_REDIRECT skipped). Instances in a container are
    reached through the container network and are not judged here.
    """
    header = facts[RuntimeFacts].setting("SECURE_PROXY_SSL_HEADER")
    if not isinstance(header, (list, tuple)) or not header or not isinstance(header[0], str):
        return
    for instance in uwsgi_instances(facts):
        if instance.container:
            continue
        for listener in instance.listeners:
            ep = listener.endpoint
            if listener.protocol in ("http", "http-socket") and ep.kind == "tcp" and not ep.is_local:
                yield spec.fail(
                    subjects=["SECURE_PROXY_SSL_HEADER", listener.option.name],
                    location=option_location(instance, listener.option),
                    evidence=[
                        f"SECURE_PROXY_SSL_HEADER = {tuple(header)!r}",
                        f"{listener.option.text}: clients reach uWSGI without a proxy to strip the header",
                    ],
                )
