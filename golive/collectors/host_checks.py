"""Where the project's own code rejects unknown Host headers: a cheap text scan for the source
collector (GL201).

Django's checklist on ALLOWED_HOSTS: "If you use a wildcard, you must perform your own
validation of the Host HTTP header"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#allowed-hosts). Projects
that serve many domains (custom domains per tenant or event) do it in a middleware that raises
``django.core.exceptions.DisallowedHost``, the exception Django's own ``get_host()`` raises, so
the 400 response and the ``django.security.DisallowedHost`` log are the same. The scan reads the
``*.py`` files under the Django root that name it and records each ``raise DisallowedHost``
with the module it is in; GL201 then looks for those modules in MIDDLEWARE.
Test suites, migrations, virtual environments and dot-folders are left out; nothing is
imported.
"""

from __future__ import annotations

import re
from pathlib import Path

from golive.facts.source import HostCheck
from golive.model import Location
from golive.walk import ProjectWalk, small_text

#: Files read at most, and the largest file read.
MAX_FILES = 4000
MAX_BYTES = 512 * 1024
#: Folders under the Django root never scanned (their code is not what serves requests).
SKIP = frozenset({"tests", "test", "migrations", "node_modules", "site-packages", "static", "docs"})

_CLASS = re.compile(r"^class\s+(\w+)")
_RAISE = re.compile(r"^\s*raise\s+(?:exceptions\.)?DisallowedHost\b")


def host_checks(root: Path, shown_from: Path) -> tuple[HostCheck, ...]:
    """Each ``raise DisallowedHost`` in the code under ``root`` (the Django root): the dotted
    module it is in (relative to ``root``), the top-level class it is in (``""``: none) and
    where (relative to ``shown_from``, the repository root). Never raises: an unreadable file
    is passed over."""
    found: list[HostCheck] = []
    for count, path in enumerate(ProjectWalk(root, max_depth=8)):
        if count >= MAX_FILES:
            break
        rel = path.relative_to(root)
        if path.suffix != ".py" or any(part in SKIP for part in rel.parts[:-1]):
            continue
        text = small_text(path, MAX_BYTES)
        if text is None or "DisallowedHost" not in text:
            continue
        parts = rel.with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        shown = path.relative_to(shown_from).as_posix()
        owner = ""
        for number, line in enumerate(text.splitlines(), 1):
            top = _CLASS.match(line)
            if top or (line[:1].strip() and not line.startswith(("#", "@", ")"))):
                owner = top.group(1) if top else ""
            if _RAISE.match(line):
                found.append(
                    HostCheck(module=module, owner=owner, location=Location(path=shown, line=number))
                )
    return tuple(found)
