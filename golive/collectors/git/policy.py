"""Which files are scanned for secrets by name, and which findings the team has allowed.

Files that are not code (lockfiles, minified and vendored JavaScript and CSS, translation
catalogues, generated API schemas, binary files) are written by tools, not by the team: a
key named ``password`` or ``js-tokens`` there names no secret. They are listed, each with
its reason, in ``golive/data/secret_scan_exclude.toml`` (:func:`default_excludes`); the
team extends the list in ``[tool.golive.secrets] exclude`` and allows one key in one file
in ``[tool.golive.secrets] allow`` (:func:`golive.config.load_config`; docs/secrets.md).
In an excluded file only vendor token formats and private key blocks are looked for.

Globs are matched against the path relative to the repository root: ``*`` and ``?`` stay
inside one folder, ``**`` crosses folders, a pattern without ``/`` matches the file name in
any folder, and a pattern naming a folder takes every file under it.
"""

from __future__ import annotations

import functools
import re
import sys
from functools import cached_property
from importlib import resources

from msgspec import Struct

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: Lines longer than this are minified or generated: only token formats are looked for.
LONG_LINE = 1000


@functools.lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """The regular expression of a path glob (see the module docstring)."""
    return re.compile(glob_source(pattern), re.IGNORECASE)


@functools.lru_cache(maxsize=512)
def glob_source(pattern: str) -> str:
    """The text of :func:`glob_regex`'s expression (to be compiled with ``re.IGNORECASE``)."""
    pattern = pattern.strip().removeprefix("./")
    anywhere = "/" not in pattern.rstrip("/")
    pattern = pattern.rstrip("/")
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out)
    return ("(?:.*/)?" if anywhere else "") + body + "(?:/.*)?"


class PathRule(Struct, frozen=True):
    """A path glob with the reason it is there (and, for ``allow``, the key name)."""

    path: str
    reason: str
    name: str = ""

    def matches(self, path: str) -> bool:
        """True when ``path`` (relative to the repository root) falls under this glob."""
        return glob_regex(self.path).fullmatch(path) is not None


def _load_defaults() -> tuple[PathRule, ...]:
    text = resources.files("golive").joinpath("data/secret_scan_exclude.toml").read_text(encoding="utf-8")
    return tuple(PathRule(path=e["path"], reason=e["reason"]) for e in tomllib.loads(text)["exclude"])


@functools.lru_cache(maxsize=1)
def default_excludes() -> tuple[PathRule, ...]:
    """golive's documented list of files that are not code (``data/secret_scan_exclude.toml``)."""
    return _load_defaults()


class ScanPolicy(Struct, frozen=True, dict=True):
    """What to scan by name (``exclude``: golive's list plus the team's) and what the team
    allowed (``allow``: a key name in the files under a glob, with the reason)."""

    exclude: tuple[PathRule, ...] = ()
    allow: tuple[PathRule, ...] = ()

    @cached_property
    def _seen(self) -> dict[str, str]:
        """path → reason, filled as paths are asked (a history asks each path once per commit);
        kept in the instance's ``__dict__``, outside the fields (not compared, not hashed)."""
        return {}

    @cached_property
    def _expression(self) -> re.Pattern[str] | None:
        """Every exclude glob in one expression: group ``g<i>`` is ``exclude[i]``; compiled on
        first use (:meth:`excluded`), not when the policy is made (issue 15: the default
        policy is made when this module is imported, on the thread that starts the
        collectors). Two threads asking first at once compile it twice, the same expression."""
        if not self.exclude:
            return None
        joined = "|".join(f"(?P<g{i}>{glob_source(r.path)})" for i, r in enumerate(self.exclude))
        return re.compile(joined, re.IGNORECASE)

    @classmethod
    def with_config(cls, exclude: tuple[PathRule, ...] = (), allow: tuple[PathRule, ...] = ()) -> ScanPolicy:
        """golive's default exclusions followed by the team's ``exclude``, and its ``allow``."""
        return cls(exclude=default_excludes() + tuple(exclude), allow=tuple(allow))

    def excluded(self, path: str) -> str:
        """Why ``path`` is not scanned by name (``"npm lockfile (...)"``), or ``""``: the first
        matching rule's reason (one regular expression for all of them, one answer per path)."""
        known = self._seen.get(path)
        if known is None:
            expression = self._expression
            m = expression.fullmatch(path) if expression is not None else None
            known = self.exclude[int(str(m.lastgroup)[1:])].reason if m else ""
            self._seen[path] = known
        return known

    def allowed(self, path: str, name: str) -> str:
        """Why the team allows ``name`` in ``path`` (its reason), or ``""``."""
        if not name:
            return ""
        for rule in self.allow:
            if rule.name == name and rule.matches(path):
                return rule.reason
        return ""


#: The policy when nothing is configured.
DEFAULT = ScanPolicy.with_config()
