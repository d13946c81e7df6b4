"""Where the project's URLconf writes a route: read from its source with ``ast`` (GL980's
location), so that the check reads a fact and no file.

The runtime collector knows the routes the URLconf mounts (the settings loader resolves
them inside the project's interpreter); this module finds the line of the ROOT_URLCONF
module that writes one of them.
"""

from __future__ import annotations

import ast
from pathlib import Path

from msgspec.structs import replace

from golive.discovery import module_file, read_python
from golive.facts.runtime import RuntimeFacts
from golive.model import Location

#: The admin's route in Django's startproject template (``path("admin/", admin.site.urls)``).
DEFAULT_ADMIN = "admin/"


def route_location(django_dir: Path, project_dir: Path, urlconf: str, route: str) -> Location | None:
    """The line of module ``urlconf`` (resolved under ``django_dir``) where the string
    ``route`` (or ``^route``) is written, its path relative to ``project_dir``; None when the
    module is not there or cannot be parsed, or no such string is written."""
    path = module_file(django_dir, urlconf) if urlconf else None
    if path is None:
        return None
    try:
        tree = ast.parse(read_python(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in (route, "^" + route):
            return Location(path=str(path.relative_to(project_dir)), line=node.lineno)
    return None


def with_admin_route(runtime: RuntimeFacts, django_dir: Path, project_dir: Path) -> RuntimeFacts:
    """``runtime`` with :attr:`RuntimeFacts.admin_route` set: where ROOT_URLCONF writes
    ``admin/`` when the admin is mounted there (None otherwise)."""
    if not runtime.admin_urls or DEFAULT_ADMIN not in runtime.admin_urls:
        return runtime
    urlconf = str(runtime.setting("ROOT_URLCONF") or "")
    return replace(runtime, admin_route=route_location(django_dir, project_dir, urlconf, DEFAULT_ADMIN))
