"""Kubernetes manifests and Helm charts: who the containers run as, and what is only recognised.

Kubernetes starts a container as the image's user unless the pod's or the container's
``securityContext`` sets ``runAsUser`` (a uid) or ``runAsNonRoot: true`` (the kubelet then
refuses to start a container whose user is uid 0)
(https://kubernetes.io/docs/tasks/configure-pod-container/security-context/). Read here:

* plain manifests (``kind: Deployment``, ``StatefulSet``, ``DaemonSet``, ``Job``,
  ``CronJob``): the pod's and each container's ``securityContext``;
* Helm charts (a folder with ``Chart.yaml``): the ``*securityContext``/``*SecurityContext``
  mappings of ``values.yaml`` that a template of the chart uses (``.Values.<path>``), and
  literal ``runAsUser:``/``runAsNonRoot:`` lines of the templates (templates are Go
  templates, not YAML: golive does not render them; ``helm template`` is not run).

Ingress ``tls:`` hosts are named. Everything else in the manifests (network policies, the
Ingress controller's redirect and HSTS annotations, resources, probes) is listed as not audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from golive import yamlread
from golive.facts.platforms import RunAs
from golive.model import Location

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
KIND_RE = re.compile(r"^kind:\s*(\w+)\s*$", re.M)
LITERAL_RE = re.compile(r"^\s*(runAsUser:\s*(\d+)|runAsNonRoot:\s*(true|false))\s*$", re.M)


def _contexts(node: Any, path: str = "") -> Iterator[tuple[str, int, Any, Any]]:
    """``(dotted path, line, runAsUser, runAsNonRoot)`` of every ``*securityContext`` mapping
    of a composed YAML node tree."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        name = str(getattr(key, "value", ""))
        here = f"{path}.{name}" if path else name
        if name.lower().endswith("securitycontext") and isinstance(value, yaml.MappingNode):
            fields = {str(k.value): v for k, v in value.value if isinstance(v, yaml.ScalarNode)}
            user, nonroot = fields.get("runAsUser"), fields.get("runAsNonRoot")
            if user is not None or nonroot is not None:
                node = user if user is not None else nonroot
                mark = node.start_mark.line + 1 if node is not None else 0
                yield (
                    here,
                    mark,
                    user.value if user is not None else None,
                    nonroot.value if nonroot is not None else None,
                )
        yield from _contexts(value, here)


def _run_as(platform: str, where: Location, label: str, user: Any, nonroot: Any) -> RunAs | None:
    if user is not None and str(user).isdigit():
        uid = int(str(user))
        return RunAs(
            platform=platform,
            location=where,
            evidence=f"{label}.runAsUser: {uid}" + (" (root)" if uid == 0 else ""),
            root=uid == 0,
        )
    if str(nonroot).lower() == "true":
        return RunAs(platform=platform, location=where, evidence=f"{label}.runAsNonRoot: true")
    return None


def chart(folder: Path, project_dir: Path) -> tuple[list[str], list[RunAs]]:
    """The files of the Helm chart in ``folder`` (display paths with what was read) and who
    its containers run as. Raises ``yaml.YAMLError``/``OSError`` for an unreadable values.yaml."""
    rel = folder.relative_to(project_dir).as_posix()
    files = [f"{rel}/Chart.yaml (Helm chart)"]
    templates = sorted((folder / "templates").glob("*.y*ml")) if (folder / "templates").is_dir() else []
    texts = {t: t.read_text(encoding="utf-8", errors="replace") for t in templates}
    out: list[RunAs] = []
    values = folder / "values.yaml"
    if values.is_file():
        root = yamlread.compose(values.read_text(encoding="utf-8"))
        shown = f"{rel}/values.yaml"
        files.append(f"{shown} (Helm values: securityContext read)")
        for path, line, user, nonroot in _contexts(root):
            users = [t for t, text in texts.items() if f".Values.{path}" in text]
            if not users:
                continue
            found = _run_as("Helm", Location(path=shown, line=line), path, user, nonroot)
            if found is not None:
                used = users[0].relative_to(project_dir).as_posix()
                out.append(
                    RunAs(
                        platform="Helm",
                        location=found.location,
                        root=found.root,
                        evidence=f"{found.evidence} (used by {used})",
                    )
                )
    for template, text in texts.items():
        shown = template.relative_to(project_dir).as_posix()
        kinds = sorted(set(KIND_RE.findall(text)))
        files.append(f"{shown} (Helm template{': ' + ', '.join(kinds) if kinds else ''}; not rendered)")
        for m in LITERAL_RE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found = _run_as(
                "Helm", Location(path=shown, line=line), "securityContext", m.group(2), m.group(3)
            )
            if found is not None:
                out.append(found)
    return files, out


def _get(node: Any, key: str) -> Any:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)


def _scalar(node: Any) -> str:
    import yaml

    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def manifest(path: Path, shown: str) -> tuple[list[str], list[RunAs], list[str]]:
    """The objects of a plain Kubernetes manifest (``Kind name`` each), who its workloads'
    containers run as, and its Ingress TLS hosts. Raises ``yaml.YAMLError`` when unreadable."""
    import yaml

    text = path.read_text(encoding="utf-8")
    objects: list[str] = []
    out: list[RunAs] = []
    tls: list[str] = []
    for doc in yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        kind = _scalar(_get(doc, "kind"))
        if not kind:
            continue
        name = _scalar(_get(_get(doc, "metadata"), "name"))
        objects.append(f"{kind} {name}".strip())
        if kind == "Ingress":
            entries = _get(_get(doc, "spec"), "tls")
            for entry in entries.value if isinstance(entries, yaml.SequenceNode) else []:
                hosts = _get(entry, "hosts")
                tls += [_scalar(h) for h in hosts.value] if isinstance(hosts, yaml.SequenceNode) else []
        if kind not in WORKLOADS:
            continue
        for ctx_path, line, user, nonroot in _contexts(doc):
            found = _run_as(
                "Kubernetes", Location(path=shown, line=line), f"{kind} {name} {ctx_path}", user, nonroot
            )
            if found is not None:
                out.append(found)
    return objects, out, tls
