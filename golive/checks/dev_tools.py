"""Development tools in the production settings (checklist section 1, GL113; issue 13).

django-debug-toolbar, django-silk, django-extensions and django-browser-reload are made
for a developer's machine. Left in the production INSTALLED_APPS or MIDDLEWARE, or with
their URLs in the URLconf, they expose settings, SQL, recorded requests, or (through
django-extensions' ``runserver_plus``) the Werkzeug debugger, which runs Python sent from
the browser.

Sources: Django's deployment checklist ("critical settings": DEBUG and what it exposes,
https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#debug);
django-debug-toolbar's installation guide: "The Debug Toolbar should never be installed
in production" (https://django-debug-toolbar.readthedocs.io/en/latest/installation.html);
Werkzeug's debugger: "you must never use it on production machines"
(https://werkzeug.palletsprojects.com/en/stable/debug/); django-silk records request and
response bodies (https://github.com/jazzband/django-silk#readme); django-browser-reload
is "for development only" (https://github.com/adamchainz/django-browser-reload#readme).
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec import Struct

from golive.checks._util import where
from golive.facts.live import LiveFacts
from golive.facts.project import ProjectFacts
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

TOOLBAR_DOC = "https://django-debug-toolbar.readthedocs.io/en/latest/installation.html"


class Tool(Struct, frozen=True):
    """A development tool: its severity in production and what it exposes."""

    severity: Severity
    exposes: str


TOOLS = {
    "debug_toolbar": Tool(Severity.HIGH, "settings, SQL queries, templates and request data"),
    "silk": Tool(Severity.HIGH, "every recorded request and response, bodies included"),
    "django_browser_reload": Tool(Severity.MEDIUM, "a long-lived event stream per open page"),
    "django_extensions": Tool(Severity.LOW, "management commands for development"),
}


def _package(entry: object) -> str | None:
    """The tool package of an INSTALLED_APPS or MIDDLEWARE entry, or None."""
    if not isinstance(entry, str):
        return None
    top = entry.split(".")[0]
    return top if top in TOOLS else None


def _answers(live: LiveFacts | None, route: str) -> list[str]:
    """What each probed site answered at ``route`` (the live probe's ``file:`` request)."""
    out = []
    path = "/" + route.strip("/") + "/"
    for site in live.sites if live is not None else ():
        ex = site.final(f"file:{path}")
        if ex is None or ex.status is None:
            continue
        reachable = ": reachable on the live site" if 200 <= ex.status < 300 else ""
        out.append(f"{ex.method} {ex.url} answered {ex.status}{reachable}")
    return out


def _runserver_plus(facts: Facts) -> list[str]:
    project = facts.get(ProjectFacts)
    return [
        f"{c.location} runs runserver_plus: the Werkzeug debugger runs code sent by the browser"
        for c in (project.commands if project else ())
        if "runserver_plus" in c.argv
    ]


@check(
    "GL113",
    title="a development tool is in the production settings",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    uses=(LiveFacts,),
    reference=TOOLBAR_DOC,
    remediation="""
    Add development tools in the development settings only, and their URLs only when
    DEBUG is on:

        # settings/dev.py
        INSTALLED_APPS += ["debug_toolbar"]
        MIDDLEWARE.insert(0, "debug_toolbar.middleware.DebugToolbarMiddleware")

        # urls.py
        if settings.DEBUG:
            urlpatterns += [path("__debug__/", include("debug_toolbar.urls"))]
    """,
)
def dev_tools(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "The Debug Toolbar should never be installed in production"
    (https://django-debug-toolbar.readthedocs.io/en/latest/installation.html). Each tool
    found in the INSTALLED_APPS or MIDDLEWARE that run, or whose URLconf the root URLconf
    includes, is one finding: django-debug-toolbar and silk high (what they show or record),
    django-browser-reload medium, django-extensions low unless a production command runs
    ``runserver_plus`` (the Werkzeug debugger: high). With ``--url``, the live probe
    requests each tool's URL prefix and the finding says what every site answered.
    """
    runtime = facts[RuntimeFacts]
    seen: dict[str, list[str]] = {}
    first: dict[str, str] = {}  # the setting that names the tool first: the finding's location
    for setting in ("INSTALLED_APPS", "MIDDLEWARE"):
        for entry in runtime.setting(setting) or []:
            tool = _package(entry)
            if tool:
                seen.setdefault(tool, []).append(f"{entry!r} in {setting}")
                first.setdefault(tool, setting)
    live = facts.get(LiveFacts)
    for route, module in runtime.dev_tool_urls or ():
        tool = _package(module)
        if tool:
            seen.setdefault(tool, []).append(f"URL pattern {route!r} includes {module}")
            seen[tool].extend(_answers(live, route))
            first.setdefault(tool, "ROOT_URLCONF")
    for tool, evidence in seen.items():
        severity = TOOLS[tool].severity
        if tool == "django_extensions":
            plus = _runserver_plus(facts)
            if plus:
                severity, evidence = Severity.HIGH, [*evidence, *plus]
            else:
                evidence = [
                    *evidence,
                    "no production command runs runserver_plus"
                    " (its Werkzeug debugger runs code sent by the browser)",
                ]
        yield spec.fail(
            subjects=[tool],
            severity=severity,
            location=where(facts, first[tool]),
            evidence=evidence,
        )
