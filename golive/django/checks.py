"""golive's settings-level checks inside Django's system check framework.

Registered with ``deploy=True`` and the tags ``golive`` and ``security``, so they run with
``manage.py check --deploy`` (and ``check --deploy --tag golive`` runs them alone). They
are the golive checks whose facts need no other input than the settings already loaded in
this process and their source: each one's ``needs`` is within :class:`RuntimeFacts` and
:class:`SourceFacts`, and it is not a manual item. Django's own checks are not run a second
time: :class:`RuntimeFacts` is built here without them.

The runtime facts come from the in-process ``django.conf.settings`` through the same
conversion and redaction as the runtime probe (:mod:`golive.collectors.runtime.settings_loader`,
imported as a module), so no secret value leaves it; the source facts from the source
collector (Python ``ast``, a few milliseconds), and the project files (Procfile,
Dockerfile, units: the project collector) for the checks that consult them when present,
as ``golive audit`` gives them. ``[tool.golive]`` ``select``/``ignore`` and
the baseline file (``golive-baseline.toml``) apply as in ``golive audit``.

Each failing finding becomes one message with the golive id: critical →
``checks.Critical``, high → ``checks.Error``, medium and low → ``checks.Warning``, info →
``checks.Info`` (so a critical or high finding fails ``check --deploy``, whose default
``--fail-level`` is ERROR); the title is the message, the evidence is the hint. Django
filters ``SILENCED_SYSTEM_CHECKS`` itself. Source:
https://docs.djangoproject.com/en/stable/topics/checks/
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from django.core import checks

from golive.model import Finding, Severity

LEVELS = {
    Severity.CRITICAL: checks.CRITICAL,
    Severity.HIGH: checks.ERROR,
    Severity.MEDIUM: checks.WARNING,
    Severity.LOW: checks.WARNING,
    Severity.INFO: checks.INFO,
}


def project_root(settings_module: str) -> Path:
    """The directory the settings module is imported from (where ``manage.py`` usually is).

    ``mysite.settings.production`` in ``/srv/app/mysite/settings/production.py`` → ``/srv/app``;
    the working directory when the module has no file.
    """
    spec = importlib.util.find_spec(settings_module)
    origin = spec.origin if spec is not None else None
    if not origin or not os.path.isfile(origin):
        return Path.cwd()
    path = Path(origin).resolve()
    depth = settings_module.count(".") + 1 + (path.name == "__init__.py")
    return path.parents[depth - 1]


def runtime_data(fingerprint_key: str, project_dir: Path) -> dict[str, Any]:
    """The runtime probe's JSON for the settings loaded in this process (no Django checks run).

    Same keys, conversion and redaction as ``settings_loader.probe``; ``checks`` stays empty.
    """
    import django
    from django.conf import settings

    from golive.collectors.runtime import settings_loader as ps

    redactor = ps.Redactor(bytes.fromhex(fingerprint_key))
    module = settings.SETTINGS_MODULE
    spec = importlib.util.find_spec(module) if module else None
    result: dict[str, Any] = {
        "probe_version": ps.PROBE_VERSION,
        "python": {"version": ".".join(str(p) for p in sys.version_info[:3]), "executable": sys.executable},
        "django_version": django.__version__,
        "settings_module": module,
        "settings_file": spec.origin if spec else None,
        "error": None,
        "settings": {},
        "secrets": redactor.secrets,
        "checks": [],
        "checks_error": None,
        "probe_errors": [],
    }
    ps.guarded(result, "settings", lambda: ps.snapshot_settings(redactor), "settings")
    ps.guarded(result, "wsgi", lambda: ps.app_setting("WSGI_APPLICATION"), "wsgi_application")
    ps.guarded(result, "asgi", lambda: ps.app_setting("ASGI_APPLICATION"), "asgi_application")
    ps.guarded(result, "sentry", ps.sentry_active, "sentry_active")
    ps.guarded(result, "databases", ps.database_vendors, "database_vendors")
    ps.guarded(result, "error_templates", ps.error_templates, "error_templates")
    ps.guarded(result, "admin_urls", ps.admin_urls, "admin_urls")
    ps.guarded(result, "file_fields", ps.file_fields, "file_fields")
    ps.scrub_result(result, redactor, ps.env_secret_values())
    return result


def settings_findings() -> list[Finding]:
    """Run the settings-level golive checks on this process's settings; their findings.

    Raises whatever building the facts raises (the caller turns it into one warning).
    """
    from django.conf import settings

    from golive.baseline import apply_baseline
    from golive.checks import registry
    from golive.collectors import Skip
    from golive.collectors import project as project_collector
    from golive.collectors import source as source_collector
    from golive.collectors.runtime import RuntimeFacts, facts_from_probe
    from golive.collectors.runtime.urlconf import with_admin_route
    from golive.context import AuditOptions, resolve
    from golive.facts.source import SourceFacts
    from golive.model import CollectorRun, CollectorStatus
    from golive.registry import Facts, matches
    from golive.runner import run_check

    module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE") or ""
    project_dir = project_root(module) if module else Path.cwd()
    ctx = resolve(AuditOptions(project_dir=project_dir, settings=module or None, no_runtime=True))
    key = secrets.token_hex(16)
    runtime = with_admin_route(
        facts_from_probe(runtime_data(key, project_dir)), ctx.django_dir, ctx.project_dir
    )
    items: dict[type, object] = {RuntimeFacts: runtime}
    runs = [CollectorRun(name="runtime", status=CollectorStatus.OK)]
    for spec_ in (source_collector.SPEC, project_collector.SPEC):
        try:
            items[spec_.produces] = spec_.collect(ctx)
            runs.append(CollectorRun(name=spec_.name, status=CollectorStatus.OK))
        except Exception as exc:  # Skip or a broken input: the checks needing it are skipped
            status = CollectorStatus.SKIPPED if isinstance(exc, Skip) else CollectorStatus.ERROR
            runs.append(CollectorRun(name=spec_.name, status=status, reason=str(exc)))
    facts = Facts(items, context=ctx)
    by_name = {r.name: r for r in runs}
    findings: list[Finding] = []
    for spec in registry():
        if spec.manual or not spec.needs or not set(spec.needs) <= {RuntimeFacts, SourceFacts}:
            continue
        if (ctx.select and not matches(spec.id, ctx.select)) or (ctx.ignore and matches(spec.id, ctx.ignore)):
            continue
        findings.extend(run_check(spec, facts, by_name))
    return apply_baseline(findings, ctx, [])


def in_golive_probe() -> bool:
    """True when this process is golive's runtime probe.

    The probe runs ``golive/collectors/runtime/loader_main.py``, which loads the settings
    loader under the module name ``golive_settings_loader``; ``settings_loader.py`` may also
    run as a script (``--packages``). Either way ``__main__`` is a file of that folder.
    """
    if "golive_settings_loader" in sys.modules:
        return True
    main = getattr(sys.modules.get("__main__"), "__file__", None) or ""
    folder = os.path.dirname(os.path.abspath(main)) if main else ""
    return (
        os.path.basename(main) in {"loader_main.py", "settings_loader.py"}
        and os.path.basename(folder) == "runtime"
        and os.path.basename(os.path.dirname(folder)) == "collectors"
    )


def message(f: Finding) -> checks.CheckMessage:
    """The Django check message for one failing finding.

    The hint is ``file:line: evidence; see `golive explain ID```.
    """
    seen = "; ".join(f.evidence)
    where = str(f.location) if f.location else ""
    if where and where not in seen:
        seen = f"{where}: {seen}" if seen else where
    hint = (seen + "; " if seen else "") + f"see `golive explain {f.id}`"
    return checks.CheckMessage(LEVELS[f.severity], f.title, hint=hint, obj=None, id=f.id)


@checks.register("golive", checks.Tags.security, deploy=True)
def golive_deploy_checks(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """golive's settings-level checks as Django check messages (see the module docstring).

    Inside golive's own runtime probe (which runs Django's checks for ``golive audit``)
    this returns nothing: the audit runs every golive check itself.
    """
    if in_golive_probe():
        return []
    try:
        found = settings_findings()
    except Exception as exc:
        text = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        return [checks.Warning(f"golive could not run its checks: {text}", id="golive.W001")]
    out = [message(f) for f in found if f.failing]
    crashed = [f for f in found if f.status.value == "error"]
    out += [checks.Warning(f"golive check {f.id} crashed: {f.reason}", id="golive.W002") for f in crashed]
    return out
