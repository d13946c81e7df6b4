"""Reading Django's own documentation from its sdist, with docutils: the security archive
(``docs/releases/security.txt``) and the release notes (``docs/releases/X.Y.Z.txt``).

Used by ``golive update-data`` (:mod:`golive.commands.update_data`, which documents how the
CVE table is built from them).
"""

from __future__ import annotations

import datetime as dt
import re
import tarfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct, field


class UpdateError(Exception):
    """The tables could not be regenerated; one-line message with the fix."""


_ROLES = (
    *("doc", "ref", "func", "class", "meth", "attr", "mod", "setting", "ticket", "djadmin"),
    *("djadminopt", "option", "lookup", "ttag", "tfilter", "data", "exc", "envvar", "term"),
    *("file", "fieldlookup", "templatetag", "program", "source", "ghsa", "pypi"),
)


def _register_roles() -> None:
    """Teach docutils Django's Sphinx roles: ``:cve:`X``` reads ``CVE-X``, others their text."""
    from docutils import nodes
    from docutils.parsers.rst import roles

    def cve(name: str, rawtext: str, text: str, *args: Any, **kwargs: Any) -> Any:
        return [nodes.Text(f"CVE-{text}")], []

    def plain(name: str, rawtext: str, text: str, *args: Any, **kwargs: Any) -> Any:
        shown = re.sub(r"\s*<[^>]*>$", "", text).lstrip("~!")
        return [nodes.literal(rawtext, shown)], []

    roles.register_local_role("cve", cve)
    for name in (*_ROLES, "commit"):
        roles.register_local_role(name, plain)


def _doctree(text: str) -> Any:
    from docutils.core import publish_doctree

    _register_roles()
    return publish_doctree(
        text,
        settings_overrides={
            "report_level": 5,
            "halt_level": 5,
            "file_insertion_enabled": False,
            "raw_enabled": False,
            "input_encoding": "unicode",
        },
    )


def _sections(tree: Any) -> Iterable[Any]:
    from docutils import nodes

    return tree.findall(nodes.section)


def _title(section: Any) -> str:
    from docutils import nodes

    title = next(iter(section.findall(nodes.title)), None)
    return title.astext() if title is not None else ""


DATE_RE = re.compile(r"^([A-Z][a-z]+ \d{1,2}, \d{4})")


CVE_RE = re.compile(r"CVE-\d{4}-\d{4,}")


SERIES_RE = re.compile(r"^Django (\d+\.\d+|\d{4})\b")


SEVERITY_RE = re.compile(r'severity\s+"(low|moderate|high|critical)"', re.IGNORECASE)


def _date(text: str) -> dt.date | None:
    match = DATE_RE.match(text.strip().strip("*"))
    if not match:
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%B %d, %Y").date()
    except ValueError:
        return None


class Advisory(Struct):
    """One entry of ``security.txt``: a disclosure with its CVE ids and affected series."""

    ids: list[str]
    date: dt.date
    summary: str
    url: str | None
    affected: list[str]


def parse_security_archive(text: str) -> list[Advisory]:
    """The entries of ``docs/releases/security.txt`` that carry a CVE id."""
    from docutils import nodes

    out = []
    for section in _sections(_doctree(text)):
        title = _title(section)
        ids = CVE_RE.findall(title)
        date = _date(title)
        if not ids or date is None:
            continue
        paragraph = next(iter(section.findall(nodes.paragraph)), None)
        summary = paragraph.astext() if paragraph is not None else ""
        summary = " ".join(summary.replace("Full description", "").split())
        ref = next((r for r in section.findall(nodes.reference) if r.get("refuri")), None)
        affected = []
        for item in section.findall(nodes.list_item):
            match = SERIES_RE.match(item.astext().strip())
            if match and match.group(1) not in affected:
                affected.append(match.group(1))
        out.append(
            Advisory(
                ids=ids, date=date, summary=summary, url=ref.get("refuri") if ref else None, affected=affected
            )
        )
    return out


class ReleaseNote(Struct):
    """One ``docs/releases/X.Y.Z.txt``: its date, and CVE id → Django's severity (or None)."""

    version: str
    date: dt.date | None
    cves: dict[str, str | None] = field(default_factory=dict)


def parse_release_note(version: str, text: str) -> ReleaseNote:
    """The date line and the ``CVE-…:`` sections of one release note."""
    from docutils import nodes

    tree = _doctree(text)
    date = None
    for paragraph in tree.findall(nodes.paragraph):
        date = _date(paragraph.astext())
        if date is not None:
            break
    note = ReleaseNote(version=version, date=date)
    # "Django 5.2.6 fixes a security issue with severity "high" ...": a note fixing one
    # issue may state its severity in the introduction only.
    intro = " ".join(p.astext() for p in tree.children if isinstance(p, nodes.paragraph))
    intro_severities = {m.lower() for m in SEVERITY_RE.findall(intro)}
    for section in _sections(tree):
        title = _title(section)
        if not title.startswith("CVE-"):
            continue
        severity = SEVERITY_RE.search(section.astext())
        for cve in CVE_RE.findall(title.split(":", 1)[0]):
            note.cves[cve] = severity.group(1).lower() if severity else None
    if len(note.cves) == 1 and len(intro_severities) == 1:
        only = next(iter(note.cves))
        note.cves[only] = note.cves[only] or next(iter(intro_severities))
    return note


VERSION_FILE_RE = re.compile(r"/docs/releases/(\d+\.\d+(?:\.\d+)?)\.txt$")


def read_sdist(path: Path) -> tuple[str, dict[str, str]]:
    """``(security.txt text, {version: release-note text})`` from a Django sdist tarball."""
    notes: dict[str, str] = {}
    security = None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if "/docs/releases/" not in member.name or not member.isfile():
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                text = handle.read().decode("utf-8", "replace")
                if member.name.endswith("/docs/releases/security.txt"):
                    security = text
                elif match := VERSION_FILE_RE.search(member.name):
                    notes[match.group(1)] = text
    except (OSError, tarfile.TarError) as exc:
        raise UpdateError(f"{path}: not a readable sdist: {exc}") from None
    if security is None:
        raise UpdateError(f"{path}: no docs/releases/security.txt in this sdist")
    return security, notes
