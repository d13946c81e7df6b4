"""How many copies of the application run, and what they keep on a volume: the shape of a
container deployment, for the checks that depend on it (GL220: SQLite is fine on one
server with its file on a persistent volume, not across replicas or in an image's
writable layer).

Read from the production deployment files the project collector admits: Compose services
(``deploy.replicas``, ``scale``, ``volumes``;
https://docs.docker.com/reference/compose-file/deploy/#replicas,
https://docs.docker.com/reference/compose-file/services/#volumes), Dockerfile ``VOLUME``
instructions (https://docs.docker.com/reference/dockerfile/#volume) and Kubernetes
Deployments/StatefulSets (``spec.replicas``,
https://kubernetes.io/docs/concepts/workloads/controllers/deployment/). Pure reading:
nothing is run; a file that cannot be parsed is passed over.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from golive import yamlread
from golive.facts.compose import volume
from golive.facts.project import AppService, DeployShape
from golive.model import Location
from golive.walk import small_text

#: Images of services that are infrastructure, not the application (databases, caches, proxies).
INFRA_IMAGES = re.compile(
    r"(^|/)(postgres|postgis|mysql|mariadb|redis|valkey|memcached|rabbitmq|nginx|traefik|caddy|haproxy"
    r"|elasticsearch|opensearch|minio|mailhog|mailpit|meilisearch|typesense|clickhouse|mongo)\b"
)
_K8S_KIND = re.compile(r"^kind:\s*(Deployment|StatefulSet)\s*$", re.M)
_VOLUME_LINE = re.compile(r"^\s*VOLUME\s+(.+)$", re.M | re.I)


def _map(node: Any, key: str) -> Mapping[str, Any]:
    """``node[key]`` when both are mappings, else an empty mapping."""
    value = node.get(key) if isinstance(node, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _compose_services(path: Path, rel: str) -> list[AppService]:
    data = yamlread.safe_load(path.read_text(encoding="utf-8"))
    services = data.get("services") if isinstance(data, Mapping) else None
    if not isinstance(services, Mapping):
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for name, spec in services.items():
        if not isinstance(spec, Mapping):
            continue
        image = str(spec.get("image") or "")
        if not spec.get("build") and (not image or INFRA_IMAGES.search(image.lower())):
            continue  # not built from the project, an infrastructure image
        deploy = _map(spec, "deploy")
        replicas = _int(deploy.get("replicas")) or _int(spec.get("scale")) or 1
        mounts = [volume(item, ".", {}) for item in spec.get("volumes") or []]
        volumes = [m.target for m in mounts if m is not None]
        line = next(
            (i for i, ln in enumerate(lines, 1) if re.match(rf"^\s+{re.escape(str(name))}\s*:", ln)), None
        )
        out.append(
            AppService(
                name=str(name),
                location=Location(path=rel, line=line),
                replicas=replicas,
                volumes=tuple(volumes),
            )
        )
    return out


def _kubernetes(path: Path, rel: str) -> list[AppService]:
    out = []
    for doc in yamlread.safe_load_all(path.read_text(encoding="utf-8")):
        if not isinstance(doc, Mapping) or doc.get("kind") not in ("Deployment", "StatefulSet"):
            continue
        spec, meta = _map(doc, "spec"), _map(doc, "metadata")
        pod = _map(_map(spec, "template"), "spec")
        containers = [c for c in pod.get("containers") or [] if isinstance(c, Mapping)]
        images = [str(c.get("image") or "") for c in containers]
        if images and all(INFRA_IMAGES.search(i.lower()) for i in images):
            continue
        mounts = [
            str(m.get("mountPath"))
            for c in containers
            for m in c.get("volumeMounts") or []
            if isinstance(m, Mapping) and m.get("mountPath")
        ]
        replicas = _int(spec.get("replicas"))
        out.append(
            AppService(
                name=str(meta.get("name") or doc.get("kind")),
                location=Location(path=rel, line=None),
                replicas=1 if replicas is None else replicas,
                volumes=tuple(mounts),
            )
        )
    return out


def _image_volumes(path: Path) -> list[str]:
    out = []
    for m in _VOLUME_LINE.finditer(path.read_text(encoding="utf-8", errors="replace")):
        text = m.group(1).strip()
        if text.startswith("["):
            out += re.findall(r'"([^"]+)"', text)
        else:
            out += text.split()
    return out


def read_shape(
    project_dir: Path, admitted: Iterable[tuple[str, Path]], yaml_files: Iterable[Path]
) -> DeployShape:
    """The :class:`DeployShape` of ``admitted`` (``(kind, path)`` of the production Compose
    files and Dockerfiles, kinds of :mod:`golive.collectors.layout`) and of the Kubernetes
    manifests among ``yaml_files``. Never raises: an unreadable file is passed over."""
    from golive.collectors import layout as layout_mod

    services: list[AppService] = []
    volumes: list[str] = []
    containers = False
    for kind, path in admitted:
        rel = path.relative_to(project_dir).as_posix()
        try:
            if kind == layout_mod.COMPOSE:
                containers = True
                services += _compose_services(path, rel)
            elif kind == layout_mod.DOCKERFILE:
                containers = True
                volumes += _image_volumes(path)
        except Exception:  # a file golive cannot read adds nothing here
            continue
    for path in yaml_files:
        try:
            text = small_text(path, 1_000_000)
            if text is None:
                continue
            # the expression tries every line's start; the substring test spares it most files
            if "kind:" not in text or not _K8S_KIND.search(text):
                continue
            found = _kubernetes(path, path.relative_to(project_dir).as_posix())
        except Exception:  # idem
            continue
        containers = containers or bool(found)
        services += found
    merged: dict[str, AppService] = {}  # a service declared again by an override file is one service
    for s in services:
        seen = merged.get(s.name)
        if seen is None:
            merged[s.name] = s
        else:
            merged[s.name] = AppService(
                name=s.name,
                location=seen.location,
                replicas=max(seen.replicas, s.replicas),
                volumes=(*seen.volumes, *s.volumes),
            )
    return DeployShape(services=tuple(merged.values()), image_volumes=tuple(volumes), containers=containers)
