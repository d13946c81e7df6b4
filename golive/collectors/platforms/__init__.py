"""The platforms the repository deploys to, recognised from their manifests (issue 12, "Others").

* Heroku: a ``heroku.yml`` (https://devcenter.heroku.com/articles/build-docker-images-heroku-yml),
  or a ``Procfile`` with ``app.json`` (https://devcenter.heroku.com/articles/app-json-schema)
  or a CI workflow that deploys to Heroku. Heroku starts dynos as an unprivileged user, never root
  ("containers are not run with root privileges on Heroku",
  https://devcenter.heroku.com/articles/container-registry-and-runtime#unsupported-dockerfile-commands);
* Kubernetes manifests and Helm charts (:mod:`golive.collectors.platforms.kubernetes`);
* Fly.io (``fly.toml``: app, processes, ``[deploy] release_command``; its proxy's redirect is
  read by :mod:`golive.collectors.proxies.fly`) and Render (``render.yaml`` services,
  https://render.com/docs/blueprint-spec);
* a CDN in front, from Terraform files (:mod:`golive.collectors.platforms.cdn`);
* WhiteNoise serving the static files from the application (its middleware in the runtime
  ``MIDDLEWARE``, http://whitenoise.readthedocs.io/en/stable/django.html).

The process commands of these manifests are read by :mod:`golive.collectors.appservers.platforms`
for the application-server checks. What is recognised but not judged is listed as not audited.
Raises :class:`golive.collectors.Skip` when none of these is in the project.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from golive import yamlread
from golive.collectors import CollectorSpec, Skip
from golive.collectors.deployment_files import audit_files, display_path
from golive.collectors.layout import PROCFILE, Layout
from golive.collectors.platforms import cdn, kubernetes
from golive.context import AuditContext
from golive.facts.platforms import PlatformFacts, RunAs
from golive.facts.runtime import RuntimeFacts
from golive.model import Location
from golive.parse_errors import describe
from golive.registry import Facts

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MANIFEST_KIND = "platform manifest"
HEROKU_RUN_AS = "Heroku starts dynos as an unprivileged user, never root"


def _heroku_workflows(project_dir: Path) -> list[str]:
    folder = project_dir / ".github" / "workflows"
    found = []
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        try:
            if "heroku" in path.read_text(encoding="utf-8", errors="replace").lower():
                found.append(path.relative_to(project_dir).as_posix())
        except OSError:
            continue
    return found


def _app_json(path: Path, shown: str) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    if isinstance(data, dict):
        formation = data.get("formation") or {}
        if isinstance(formation, dict) and formation:
            parts.append(
                "formation "
                + ", ".join(
                    f"{k}×{(v or {}).get('quantity', 1) if isinstance(v, dict) else 1}"
                    for k, v in formation.items()
                )
            )
        if data.get("stack"):
            parts.append(f"stack {data['stack']}")
        scripts = data.get("scripts") or {}
        if isinstance(scripts, dict) and scripts:
            parts.append("scripts " + ", ".join(scripts))
    return f"{shown} (Heroku app manifest{': ' + '; '.join(parts) if parts else ''})"


def _procfile(path: Path, shown: str) -> str:
    """``Procfile (process types web, release; ...)``: the names of its ``type: command`` lines
    (https://devcenter.heroku.com/articles/procfile)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    names = [m.group(1) for m in re.finditer(r"^([A-Za-z0-9_-]+)\s*:", text, re.M)]
    kinds = f"process types {', '.join(names)}" if names else "no process type"
    return f"{shown} ({kinds}; commands read by the application-server checks)"


def _fly(path: Path, shown: str) -> str:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    parts = [f"app {data['app']}"] if data.get("app") else []
    if isinstance(data.get("processes"), dict):
        parts.append("processes " + ", ".join(data["processes"]))
    release = (data.get("deploy") or {}).get("release_command")
    if release:
        parts.append(f"release_command {release}")
    return f"{shown} (Fly.io: {'; '.join(parts) or 'no processes'})"


def _render(path: Path, shown: str) -> str:
    data = yamlread.safe_load(path.read_text(encoding="utf-8"))
    services = data.get("services") if isinstance(data, dict) else None
    names = [f"{s.get('type', '?')} {s.get('name', '?')}" for s in services or [] if isinstance(s, dict)]
    return f"{shown} (Render blueprint: {', '.join(names) or 'no services'})"


def _whitenoise(facts: Facts) -> str:
    runtime = facts.get(RuntimeFacts)
    if runtime is None:
        return ""
    middleware = [str(m) for m in runtime.setting("MIDDLEWARE") or []]
    found = [m for m in middleware if m.startswith("whitenoise.")]
    if not found:
        return ""
    return f"WhiteNoise serves STATIC_ROOT from the application (MIDDLEWARE: {found[0]})"


def _production_like(layout: Layout, path: Path) -> bool:
    """Whether ``path``'s role (its words, the user's globs) is production or unknown. Terraform
    files are listed by :mod:`golive.collectors.inventory` as not audited, which stays true:
    only the CDN they declare in front of the site is read here."""
    from golive.collectors.layout import AUDITED

    return layout.classify(path, MANIFEST_KIND).role in AUDITED


def collect(ctx: AuditContext, facts: Facts) -> PlatformFacts:
    """Recognise the platform manifests of the project; :class:`Skip` when none is there."""
    from golive.collectors.layout import layout_of

    layout = layout_of(ctx)
    root = ctx.project_dir
    platforms: list[str] = []
    files: list[str] = []
    run_as: list[RunAs] = []
    notes: list[str] = []
    charts: list[Path] = []
    procfiles: list[str] = []
    heroku: list[str] = []
    cdns: list[str] = []
    paths = sorted(audit_files(ctx))  # the project collector's walk, shared (issue 15)
    for path in paths:
        if path.name == "Chart.yaml" and layout.admit(path, MANIFEST_KIND):
            charts.append(path.parent)
    for path in paths:
        name, shown = path.name, display_path(path, root)
        try:
            if name == "Chart.yaml" and path.parent in charts:
                found, who = kubernetes.chart(path.parent, root)
                files += found
                run_as += who
                platforms.append("Helm")
                notes.append(
                    f"{shown}: Helm templates are not rendered; only values.yaml's securityContext is read"
                )
            elif any(c in path.parents for c in charts):
                continue
            elif name == "Procfile" and layout.admit(path, PROCFILE):
                # the kind the project collector asks too: the layout keeps the first answer
                procfiles.append(shown)
                files.append(_procfile(path, shown))
            elif name == "app.json" and layout.admit(path, MANIFEST_KIND):
                files.append(_app_json(path, shown))
                heroku.append(shown)
                notes.append(f"{shown}: env requirements, add-ons and scripts are not audited")
            elif name == "heroku.yml" and layout.admit(path, MANIFEST_KIND):
                files.append(f"{shown} (Heroku container build and run)")
                heroku.append(shown)
            elif name == "fly.toml" and layout.admit(path, MANIFEST_KIND):
                files.append(_fly(path, shown))
                platforms.append("Fly.io")
            elif path.suffix == ".tf" and _production_like(layout, path):
                summary, found_cdns = cdn.read(path, shown)
                files.append(summary)
                cdns += found_cdns
            elif name in ("render.yaml", "render.yml") and layout.admit(path, MANIFEST_KIND):
                files.append(_render(path, shown))
                platforms.append("Render")
            elif path.suffix in (".yml", ".yaml") and path.stat().st_size < 1_000_000:
                text = path.read_text(encoding="utf-8", errors="replace")
                if "apiVersion:" not in text or not kubernetes.KIND_RE.search(text):
                    continue
                if not layout.admit(path, MANIFEST_KIND):
                    continue
                objects, who, tls = kubernetes.manifest(path, shown)
                if not objects:
                    continue
                platforms.append("Kubernetes")
                files.append(f"{shown} (Kubernetes: {', '.join(objects)})")
                run_as += who
                if tls:
                    files.append(f"{shown}: Ingress terminates TLS for {', '.join(tls)}")
        except Exception as exc:  # reported, never swallowed
            notes.append(f"{shown}: not audited: {describe(exc)}")
    workflows = _heroku_workflows(root)
    heroku_yml = [h for h in heroku if h.rsplit("/", 1)[-1] == "heroku.yml"]
    if (procfiles and (heroku or workflows)) or heroku_yml:
        platforms.insert(0, "Heroku")
        files += [f"{w} (deploys to Heroku)" for w in workflows]
        sources = list(dict.fromkeys([*procfiles[:1], *heroku, *workflows]))
        run_as.append(
            RunAs(
                platform="Heroku",
                location=Location(path=sources[0]),
                evidence=f"{HEROKU_RUN_AS} ({', '.join(sources)})",
            )
        )
    if "Kubernetes" in platforms or "Helm" in platforms:
        notes.append(
            "Kubernetes: container commands, Ingress annotations, network policies, resources: not audited"
        )
    if cdns:
        platforms.append(" and ".join(dict.fromkeys(c.split(" (", 1)[0] for c in cdns)) + " CDN in front")
    static = _whitenoise(facts)
    if not files and not notes and not static:
        raise Skip(
            "no platform manifest (Kubernetes, Helm, Heroku, Fly.io, Render, Terraform) in the project"
        )
    return PlatformFacts(
        platforms=tuple(dict.fromkeys(platforms)),
        files=tuple(files),
        run_as=tuple(run_as),
        static_files=static,
        cdn=tuple(cdns),
        not_audited=tuple(notes),
    )


SPEC = CollectorSpec(
    name="platforms",
    produces=PlatformFacts,
    collect=collect,
    description="Kubernetes, Helm, Heroku, Fly.io and Render manifests; WhiteNoise",
    uses=(RuntimeFacts,),
)
