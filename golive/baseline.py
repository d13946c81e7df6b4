"""The baseline: failing findings a team has reviewed and accepts, each with a reason and an expiry.

``golive baseline`` writes the current failing findings to ``golive-baseline.toml`` (in the
project; ``--baseline PATH`` or ``[tool.golive] baseline`` moves it), a file meant to be
reviewed and committed like code. Later audits read it (:func:`apply_baseline`, called by
the runner after attestations): a failing finding that an entry matches stays ``fail`` but
carries :class:`golive.model.Acceptance` in ``accepted``, so it is not counted as failing,
does not change the exit status, and every report says who accepted it, why, and until
when. The day after ``expires`` it fails again, with the expired entry in its ``reason``.

Matching uses :attr:`golive.model.Finding.key` (check id + subjects + location path), never
line numbers or messages, so an entry survives code moving around it. File format::

    [[accepted]]
    id = "GL101"
    subjects = ["SECRET_KEY"]
    path = "mysite/settings/production.py"   # absent for findings without a file
    title = "SECRET_KEY is a literal in the production settings source"
    reason = "rotating with the vault migration, ticket OPS-123"
    by = "Jane Ops <jane@example.com>"
    on = 2026-11-22
    expires = 2027-03-01                      # last day it is accepted

Read with :mod:`tomllib`, written with ``tomli-w`` (https://pypi.org/project/tomli-w/).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import tomli_w
from msgspec import Struct
from msgspec.structs import replace

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from golive.model import Acceptance, CollectorRun, CollectorStatus, Finding, Status

DEFAULT_NAME = "golive-baseline.toml"
HEADER = """\
# golive baseline: failing findings reviewed and accepted for now (`golive baseline`).
# An entry matches a finding by check id + subjects + path (not line), and stops
# matching the day after `expires`: the finding then fails again. Review changes to
# this file like code; delete an entry to stop accepting that finding.

"""


class BaselineError(Exception):
    """The baseline file cannot be read or holds a wrong entry (one line, with the fix)."""


class Entry(Struct, frozen=True, kw_only=True):
    """One accepted finding: what it matches (``id``, ``subjects``, ``path``) and the review."""

    id: str
    subjects: tuple[str, ...]
    path: str | None
    title: str
    reason: str
    by: str
    on: dt.date
    expires: dt.date

    @property
    def key(self) -> str:
        """The same identity as :attr:`golive.model.Finding.key`."""
        return "|".join((self.id, ",".join(self.subjects), self.path or ""))

    def to_toml(self) -> dict[str, Any]:
        """The entry as a TOML table (``path`` left out when None)."""
        table: dict[str, Any] = {"id": self.id, "subjects": list(self.subjects)}
        if self.path:
            table["path"] = self.path
        table.update(title=self.title, reason=self.reason, by=self.by, on=self.on, expires=self.expires)
        return table


def _date(value: object, where: str, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise BaselineError(f"{where} needs {name} = YYYY-MM-DD")


def _entry(table: object, where: str) -> Entry:
    if not isinstance(table, dict):
        raise BaselineError(f"{where} must be a table")
    check_id, reason, by = table.get("id"), table.get("reason"), table.get("by", "")
    if not isinstance(check_id, str) or not check_id:
        raise BaselineError(f'{where} needs id = "GLnnn"')
    where = f"{where} ({check_id})"
    if not isinstance(reason, str) or not reason.strip():
        raise BaselineError(f'{where} needs reason = "why it is accepted"')
    subjects = table.get("subjects", [])
    if not isinstance(subjects, list) or not all(isinstance(s, str) for s in subjects):
        raise BaselineError(f"{where} subjects must be a list of strings")
    path = table.get("path")
    if path is not None and not isinstance(path, str):
        raise BaselineError(f"{where} path must be a string")
    return Entry(
        id=check_id,
        subjects=tuple(subjects),
        path=path or None,
        title=str(table.get("title", "")),
        reason=reason.strip(),
        by=str(by),
        on=_date(table.get("on", dt.date.min), where, "on"),
        expires=_date(table.get("expires"), where, "expires"),
    )


def load(path: Path) -> list[Entry]:
    """The entries of the baseline file at ``path``. Raises :class:`BaselineError`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BaselineError(f"{path}: not valid TOML: {exc}") from None
    tables = data.get("accepted", [])
    if not isinstance(tables, list):
        raise BaselineError(f"{path}: accepted must be an array of tables ([[accepted]])")
    return [_entry(t, f"{path.name}: [[accepted]] entry {i}") for i, t in enumerate(tables, 1)]


def dumps(entries: Sequence[Entry]) -> str:
    """The baseline file text for ``entries`` (sorted by key), with its explanatory header."""
    ordered = sorted(entries, key=lambda e: e.key)
    return HEADER + tomli_w.dumps({"accepted": [e.to_toml() for e in ordered]})


def baseline_path(project_dir: Path, explicit: Path | None = None, configured: object = None) -> Path:
    """``--baseline`` when given, else ``[tool.golive] baseline`` (relative to the project),
    else ``PROJECT/golive-baseline.toml``."""
    if explicit is not None:
        return explicit.expanduser()
    if isinstance(configured, str) and configured:
        return project_dir / Path(configured).expanduser()
    return project_dir / DEFAULT_NAME


def entries_for(
    findings: Iterable[Finding], *, reason: str, by: str, on: dt.date, expires: dt.date
) -> list[Entry]:
    """New entries for every failing finding (accepted ones included), one per key."""
    out: dict[str, Entry] = {}
    for f in findings:
        if f.status is not Status.FAIL or f.key in out:
            continue
        out[f.key] = Entry(
            id=f.id,
            subjects=f.subjects,
            path=f.location.path if f.location else None,
            title=f.title,
            reason=reason,
            by=by,
            on=on,
            expires=expires,
        )
    return list(out.values())


def merge(existing: Sequence[Entry], new: Sequence[Entry]) -> tuple[list[Entry], list[Entry]]:
    """``(all entries, the added ones)``: existing entries are kept as reviewed, new keys added."""
    keys = {e.key for e in existing}
    added = [e for e in new if e.key not in keys]
    return [*existing, *added], added


def apply(
    findings: Iterable[Finding], entries: Sequence[Entry], today: dt.date, file: str
) -> tuple[list[Finding], dict[str, int]]:
    """Mark failing findings matched by an unexpired entry as accepted.

    Returns the findings and counts: ``entries``, ``accepted``, ``expired`` (matched, but
    past ``expires``: failing again) and ``unmatched`` (entries no failing finding matched).
    """
    index = {e.key: e for e in entries}
    used: set[str] = set()
    counts = {"entries": len(entries), "accepted": 0, "expired": 0, "unmatched": 0}
    out = []
    for f in findings:
        entry = _entry_of(f, index) if f.status is Status.FAIL else None
        if entry is not None:
            used.update(k for k in f.keys if k in index)
            if entry.expires >= today:
                counts["accepted"] += 1
                f = replace(
                    f,
                    accepted=Acceptance(
                        by=entry.by,
                        on=entry.on.isoformat(),
                        expires=entry.expires.isoformat(),
                        reason=entry.reason,
                        file=file,
                    ),
                    reason=f"accepted until {entry.expires} by {entry.by or 'unknown'}: {entry.reason}",
                )
            else:
                counts["expired"] += 1
                f = replace(
                    f,
                    reason=f"baseline entry expired on {entry.expires}"
                    f" (accepted by {entry.by or 'unknown'}: {entry.reason})",
                )
        out.append(f)
    counts["unmatched"] = len(index.keys() - used)
    return out, counts


def _entry_of(f: Finding, index: dict[str, Entry]) -> Entry | None:
    """The entry accepting ``f``: the one for its key, else, for a finding that repeats in
    several files (:attr:`Finding.keys`), an entry for every one of them as golive wrote them
    when it reported one finding per place (the one expiring first stands for all); else None."""
    if f.key in index:
        return index[f.key]
    if len(f.keys) > 1 and all(k in index for k in f.keys):
        return min((index[k] for k in f.keys), key=lambda e: e.expires)
    return None


def apply_baseline(findings: list[Finding], ctx: Any, runs: list[CollectorRun]) -> list[Finding]:
    """The runner's step: apply the project's baseline file, if there is one.

    Appends a ``baseline`` run record to ``runs`` (``ok`` with the counts as details, or
    ``error`` when the file is broken, which marks the audit incomplete and accepts nothing).
    No file and no ``--baseline``: the findings are returned unchanged and nothing is recorded.
    """
    explicit = ctx.options.baseline
    path = baseline_path(ctx.project_dir, explicit, ctx.config.raw.get("baseline"))
    if explicit is None and not path.is_file():
        return findings
    try:
        label = str(path.resolve().relative_to(ctx.project_dir))
    except ValueError:
        label = str(path)
    try:
        entries = load(path)
    except BaselineError as exc:
        runs.append(
            CollectorRun(
                name="baseline", status=CollectorStatus.ERROR, reason=str(exc), details={"path": label}
            )
        )
        return findings
    out, counts = apply(findings, entries, ctx.started.date(), label)
    runs.append(CollectorRun(name="baseline", status=CollectorStatus.OK, details={"path": label, **counts}))
    return out
