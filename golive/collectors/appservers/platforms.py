"""Platform manifests as the commands they start: heroku.yml, render.yaml, fly.toml, Kubernetes.

A PaaS manifest names the process commands of the deployment as a Procfile does:

* ``heroku.yml`` ``run:`` (a command string, or ``command:`` with an ``image:``), each process
  built from the Dockerfile ``build.docker`` names for it
  (https://devcenter.heroku.com/articles/build-docker-images-heroku-yml);
* ``render.yaml`` ``services[].startCommand`` (and ``dockerCommand``)
  (https://render.com/docs/blueprint-spec);
* ``fly.toml`` ``[processes]`` (name → command) and ``[experimental] cmd``
  (https://fly.io/docs/reference/configuration/#the-processes-section);
* Kubernetes workloads (``Deployment``, ``StatefulSet``, ``DaemonSet``, ``Job``, ``CronJob``):
  each container's ``command`` followed by its ``args`` (a container without ``command``
  runs its image's entrypoint, which golive does not know: not read), run as the
  ``securityContext.runAsUser`` of the container, else of the pod
  (https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/,
  https://kubernetes.io/docs/tasks/configure-pod-container/security-context/). Helm
  templates (``{{ ... }}``) are not YAML and are not read.

Each gives :class:`golive.collectors.project.ProcessCommand` values like the other sources,
redacted as they are made. A manifest that cannot be parsed raises; the project collector
reports it in ``unread``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from golive import yamlread
from golive.model import Location

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    from golive.facts.project import ProcessCommand


def _command(origin: str, rel: str, line: int | None, command: Any, dockerfile: str | None) -> ProcessCommand:
    from golive.collectors.compose_commands import split_command
    from golive.collectors.project import ProcessCommand

    if isinstance(command, list):
        argv = tuple(str(a) for a in command)
        text = " ".join(argv)
    else:
        text = " ".join(str(command).split())
        argv = split_command(text)
    return ProcessCommand(
        origin=origin, location=Location(path=rel, line=line), command=text, argv=argv, dockerfile=dockerfile
    )


def _yaml(path: Path) -> Any:
    import yaml

    node = yamlread.compose(path.read_text(encoding="utf-8"))
    return node if isinstance(node, yaml.MappingNode) else None


def _get(node: Any, key: str) -> Any:
    """The value node of ``key`` in a YAML mapping node (None when absent or not a mapping)."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)


def heroku(path: Path, rel: str) -> Iterator[ProcessCommand]:
    """``run:`` processes of a heroku.yml, with the Dockerfile its ``build.docker`` names."""
    import yaml

    root = _yaml(path)
    run = _get(root, "run")
    docker = _get(_get(root, "build"), "docker")
    if not isinstance(run, yaml.MappingNode):
        return
    folder = str(Path(rel).parent) if Path(rel).parent != Path(".") else ""
    for key, value in run.value:
        name = str(getattr(key, "value", ""))
        image = name
        command: Any = None
        if isinstance(value, yaml.ScalarNode):
            command = value.value
        elif isinstance(value, yaml.MappingNode):
            node = _get(value, "command")
            image = str(getattr(_get(value, "image"), "value", name))
            if isinstance(node, yaml.SequenceNode):
                command = [str(n.value) for n in node.value if isinstance(n, yaml.ScalarNode)]
            elif isinstance(node, yaml.ScalarNode):
                command = node.value
        if command is None:
            continue
        built = _get(docker, image)
        dockerfile = None
        if isinstance(built, yaml.ScalarNode):
            dockerfile = f"{folder}/{built.value}" if folder else str(built.value)
        yield _command("heroku.yml run", rel, value.start_mark.line + 1, command, dockerfile)


def render(path: Path, rel: str) -> Iterator[ProcessCommand]:
    """``startCommand``/``dockerCommand`` of each service of a render.yaml blueprint."""
    import yaml

    root = _yaml(path)
    services = _get(root, "services")
    if not isinstance(services, yaml.SequenceNode):
        return
    for service in services.value:
        for key in ("startCommand", "dockerCommand"):
            node = _get(service, key)
            if isinstance(node, yaml.ScalarNode) and str(node.value).strip():
                yield _command(f"render.yaml {key}", rel, node.start_mark.line + 1, node.value, None)


def fly(path: Path, rel: str) -> Iterator[ProcessCommand]:
    """``[processes]`` and ``[experimental] cmd`` of a fly.toml (lines found by key)."""
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    lines = text.splitlines()

    def line_of(section: str, key: str) -> int | None:
        start = next((i for i, ln in enumerate(lines) if ln.strip() == f"[{section}]"), None)
        if start is None:
            return None
        for i, ln in enumerate(lines[start + 1 :], start + 2):
            if ln.strip().startswith("["):
                return None
            if ln.strip().startswith((f"{key} ", f"{key}=", f'"{key}"')):
                return i
        return None

    for name, command in (data.get("processes") or {}).items():
        yield _command("fly.toml processes", rel, line_of("processes", name), command, None)
    cmd = (data.get("experimental") or {}).get("cmd")
    if cmd:
        yield _command("fly.toml cmd", rel, line_of("experimental", "cmd"), cmd, None)


#: The kind :class:`golive.collectors.layout.Layout` is asked about for a Kubernetes manifest.
KUBERNETES_KIND = "Kubernetes manifest"
WORKLOAD_RE = re.compile(r"^kind:\s*(Deployment|StatefulSet|DaemonSet|Job|CronJob)\s*$", re.M)


def kubernetes_workload(path: Path) -> bool:
    """True for a YAML file (at most 1 MB) declaring a Kubernetes workload, not a Helm template."""
    if path.suffix not in (".yml", ".yaml") or path.stat().st_size > 1_000_000:
        return False
    text = path.read_text(encoding="utf-8", errors="replace")
    return "apiVersion:" in text and "{{" not in text and bool(WORKLOAD_RE.search(text))


def _pod(doc: Any) -> Any:
    """The pod spec of a workload document (a CronJob's is one level deeper)."""
    spec = _get(doc, "spec")
    if _scalar(_get(doc, "kind")) == "CronJob":
        spec = _get(_get(spec, "jobTemplate"), "spec")
    return _get(_get(spec, "template"), "spec")


def _scalar(node: Any) -> str:
    import yaml

    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def _words(node: Any) -> list[str]:
    import yaml

    if not isinstance(node, yaml.SequenceNode):
        return []
    return [str(n.value) for n in node.value if isinstance(n, yaml.ScalarNode)]


def kubernetes(path: Path, rel: str) -> Iterator[ProcessCommand]:
    """The containers' commands of every workload in a Kubernetes manifest, with their user."""
    import yaml

    from golive.collectors.project import ProcessCommand

    text = path.read_text(encoding="utf-8")
    for doc in yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if not WORKLOAD_RE.search(f"kind: {_scalar(_get(doc, 'kind'))}"):
            continue
        pod = _pod(doc)
        pod_user = _get(_get(pod, "securityContext"), "runAsUser")
        containers = _get(pod, "containers")
        for container in containers.value if isinstance(containers, yaml.SequenceNode) else []:
            command = _get(container, "command")
            argv = tuple(_words(command) + _words(_get(container, "args")))
            if not _words(command):
                continue
            user_node = _get(_get(container, "securityContext"), "runAsUser") or pod_user
            user_line = user_node.start_mark.line + 1 if user_node is not None else None
            yield ProcessCommand(
                origin="Kubernetes container",
                location=Location(path=rel, line=command.start_mark.line + 1),
                command=" ".join(argv),
                argv=argv,
                user=_scalar(user_node) or None,
                user_at=Location(path=rel, line=user_line) if user_line else None,
            )


READERS = {"heroku.yml": heroku, "render.yaml": render, "render.yml": render, "fly.toml": fly}
