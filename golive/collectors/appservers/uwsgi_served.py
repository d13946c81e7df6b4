"""Which folders uWSGI's ``static-map`` serves that hold the project's own files (GL652):
a disk read, so it is made here, by the uWSGI collector, and the check reads the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from golive.facts.appservers import UwsgiInstance

#: Files that mark a folder as the project's own: code, settings, secrets.
MARKERS = ("manage.py", "settings.py", ".env", "pyproject.toml")


def served_folders(instances: Iterable[UwsgiInstance]) -> list[str]:
    """The folders the ``static-map``/``static-map2`` options of ``instances`` serve, as
    written (``/static=/srv/app/static`` → ``/srv/app/static``), placeholders left out."""
    out = []
    for instance in instances:
        for option in instance.values("static-map") + instance.values("static-map2"):
            _, _, folder = option.value.partition("=")
            if folder.strip() and not option.unresolved:
                out.append(folder.strip())
    return list(dict.fromkeys(out))


def project_marker(folder: str, project: Path) -> str:
    """Why ``folder`` (an absolute path on the server) is the project's own source: the
    longest tail of it that is a folder of the repository ``project``, when that folder holds
    one of :data:`MARKERS` (``"the repository's ./ holds manage.py"``); ``""`` otherwise."""
    norm = folder.rstrip("/") or "/"
    parts = [p for p in norm.split("/") if p]
    for i in range(len(parts) + 1):
        candidate = project.joinpath(*parts[i:]) if parts[i:] else None
        if candidate is not None and candidate.is_dir():
            for marker in MARKERS:
                if (candidate / marker).exists():
                    return f"the repository's {candidate.relative_to(project) or '.'}/ holds {marker}"
            return ""
    return ""


def source_folders(instances: Iterable[UwsgiInstance], project: Path) -> dict[str, str]:
    """Each served folder (:func:`served_folders`) that is the project's own → why."""
    return {folder: why for folder in served_folders(instances) if (why := project_marker(folder, project))}
