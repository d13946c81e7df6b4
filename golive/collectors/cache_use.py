"""Where the project's own code uses Django's cache: a cheap text scan for the source collector.

A per-process cache (Django's default ``LocMemCache``) is only a problem when something
relies on a cache shared by every worker: the low-level cache API (``django.core.cache``),
the per-view cache (``cache_page``), template fragment caching (``{% cache %}``), or a rate
limiter that keeps its counters there (django-ratelimit). Django's cache framework docs
list these uses (https://docs.djangoproject.com/en/stable/topics/cache/). The per-site
cache middleware, sessions on the cache and DRF throttles are settings: the checks read
them from the runtime snapshot.

The scan reads each ``*.py`` and template (``*.html``, ``*.txt`` under a ``templates``
folder) of the Django root line by line with regular expressions, never importing
anything; test suites, migrations, virtual environments and dot-folders are left out.
It stops after :data:`MAX_FILES` files or :data:`MAX_HITS` uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from golive.discovery import SKIP_DIRS
from golive.walk import small_text

#: Files read at most (a monorepo's front-end trees are skipped before that).
MAX_FILES = 4000
#: Uses recorded at most: one is enough to decide, a few show the reader where.
MAX_HITS = 5
#: Files larger than this are not source a person wrote.
MAX_BYTES = 512 * 1024
#: Folders never scanned: deployed code only (tests use the cache without the deployment's workers).
SKIP = frozenset(
    {"tests", "test", "migrations", "node_modules", "site-packages", "static", "staticfiles", "media", "docs"}
)

_FROM_IMPORT = re.compile(
    r"^\s*from\s+(django\.core\.cache(?:\.utils)?|django\.views\.decorators\.cache)\s+import\s+(.+)"
)
_IMPORT = re.compile(r"^\s*import\s+django\.core\.cache\b")
_RATELIMIT = re.compile(r"^\s*(?:from|import)\s+(django_ratelimit|ratelimit)\b")
_TEMPLATE_LOAD = re.compile(r"{%\s*load\s+(?:[\w.]+\s+)*cache(?:\s+[\w.]+)*\s*%}")
#: What each module offers that stores in the cache (``never_cache``/``cache_control`` only set headers).
_CACHING_NAMES: dict[str, frozenset[str]] = {
    "django.core.cache": frozenset({"cache", "caches", "*"}),  # not CacheKeyWarning, InvalidCacheBackendError
    "django.core.cache.utils": frozenset({"make_template_fragment_key"}),
    "django.views.decorators.cache": frozenset({"cache_page"}),
}


def _names(imported: str) -> list[str]:
    """``a, b as c`` / ``(a, b)`` → ``["a", "b"]``."""
    text = imported.split("#", 1)[0].strip().strip("()\\")
    return [part.split(" as ")[0].strip() for part in text.split(",") if part.strip()]


def _python_uses(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), 1):
        if "cache" not in line and "ratelimit" not in line:
            continue
        m = _FROM_IMPORT.match(line)
        if m:
            wanted = _CACHING_NAMES[m.group(1)]
            names = [n for n in _names(m.group(2)) if n in wanted]
            if names:
                yield number, f"imports {', '.join(names)} from {m.group(1)}"
        elif _IMPORT.match(line):
            yield number, "imports django.core.cache"
        else:
            r = _RATELIMIT.match(line)
            if r:
                yield number, f"imports {r.group(1)} (its counters live in the cache)"


def _template_uses(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), 1):
        if "cache" in line and _TEMPLATE_LOAD.search(line):
            yield number, "loads the {% cache %} template tag"


def _files(root: Path) -> Iterator[Path]:
    """The project's Python files and templates under ``root``, breadth first."""
    level = [root]
    while level:
        below: list[Path] = []
        for folder in level:
            try:
                entries = sorted(folder.iterdir())
            except OSError:
                continue
            for entry in entries:
                name = entry.name
                if entry.is_symlink():
                    continue
                if entry.is_dir():
                    skip = name in SKIP_DIRS or name in SKIP or name.startswith(".")
                    if not skip and not (entry / "pyvenv.cfg").is_file():
                        below.append(entry)
                elif name.endswith(".py") or (
                    name.endswith((".html", ".txt")) and "templates" in entry.parts
                ):
                    yield entry
        level = below


def cache_uses(root: Path, shown_from: Path) -> tuple[str, ...]:
    """Where the code under ``root`` uses Django's cache: ``"path:line what"`` lines, paths
    relative to ``shown_from`` (the repository root), at most :data:`MAX_HITS`; ``()``
    when nothing does. Never raises: an unreadable file is passed over."""
    hits: list[str] = []
    for count, path in enumerate(_files(root)):
        if count >= MAX_FILES or len(hits) >= MAX_HITS:
            break
        text = small_text(path, MAX_BYTES)
        if text is None or ("cache" not in text and "ratelimit" not in text):
            continue
        found = _python_uses(text) if path.suffix == ".py" else _template_uses(text)
        rel = path.relative_to(shown_from).as_posix()
        hits += [f"{rel}:{line} {what}" for line, what in found]
    return tuple(hits[:MAX_HITS])
