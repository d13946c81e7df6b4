"""Sign-off: who prepared an audit, who approved it, and the SHA-256 that ties a signed copy
to the stored audit (issue 14).

**The audit's SHA-256.** Every report carries the SHA-256 of its audit's *canonical JSON*:
the JSON report's data (:func:`golive.reports.json_report.to_dict`) without the parts
added after the audit ran (``history``: the comparison made when it was stored;
``signoffs``: approvals recorded later; ``audit_sha256`` itself), serialised with sorted
keys, no whitespace (``separators=(",", ":")``), UTF-8, non-ASCII characters as they are
(:func:`canonical`). A stored audit's digest is computed from the JSON the history holds
(:func:`digest_of_dict`), so re-rendering it years later, by a newer golive, prints the
same digest, and ``golive report AUDIT_ID --verify SHA`` checks a signed copy against it.

**Approvals** (``golive signoff AUDIT_ID --by NAME --role ROLE --decision go|no-go``) are
stored twice: in the history (table ``signoffs``, :meth:`golive.history.store.History.add_signoff`)
and in ``golive-signoffs.toml`` in the project (``--file`` or ``[tool.golive.signoff]
file`` moves it), a file meant to be reviewed and committed like the baseline, so approvals
are versioned and shared rather than left in a git-ignored database. An entry matches an
audit by its SHA-256, not by the history's local id. File format::

    [[signoff]]
    audit_sha256 = "3f1c…"        # the audit approved
    audit_id = 4                  # its id in the history it was recorded from
    project = "bookshop"
    started_at = "2026-12-06T10:00:00+00:00"
    commit = "0ff9d3f…"
    settings = "bookshop.settings.production"
    verdict = "GO WITH CONDITIONS"
    by = "Jane Ops <jane@example.com>"
    role = "CTO"
    decision = "go"               # or "no-go"
    on = 2026-12-06
    note = "backups restored on staging"

**Reviewers** expected to sign are named in ``[tool.golive.signoff] approvers`` (strings
``"Name (Role)"`` or tables ``{name = "...", role = "..."}``) or with ``--approver "Name
(Role)"``; the report shows each with a date and a signature line, filled in when they
have signed. The author (who prepared the report) defaults to git's user; the report says
where the name came from (:func:`author_source`).

Read with :mod:`tomllib`, written with ``tomli-w``; SHA-256 from :mod:`hashlib` (FIPS 180-4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import tomli_w
from msgspec import Struct
from msgspec.structs import replace

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from golive.model import Audit, Signoff

DEFAULT_NAME = "golive-signoffs.toml"
DECISIONS = ("go", "no-go")
#: Top-level keys of the JSON report that the SHA-256 does not cover (added after the run).
NOT_HASHED = ("history", "signoffs", "audit_sha256")
#: Shortest prefix ``--verify`` accepts.
MIN_PREFIX = 12
HEADER = """\
# golive sign-offs: who approved which audit, matched by the audit's SHA-256
# (`golive signoff AUDIT_ID --by NAME --role ROLE --decision go|no-go`).
# Review changes to this file like code and commit it: it is the record of approvals.

"""


class SignoffError(Exception):
    """The sign-off file or ``[tool.golive.signoff]`` is wrong, or a SHA-256 given is not one
    (one line, with the fix)."""


class Approver(Struct, frozen=True, kw_only=True):
    """A person expected to approve: ``name``, ``role`` (may be empty), ``source`` (where
    the name came from: ``--approver``, ``[tool.golive.signoff] in pyproject.toml``)."""

    name: str
    role: str = ""
    source: str = ""


def canonical(data: Mapping[str, Any]) -> bytes:
    """The canonical serialisation of a JSON report's data: :data:`NOT_HASHED` keys left
    out, keys sorted, no whitespace, UTF-8."""
    kept = {k: v for k, v in data.items() if k not in NOT_HASHED}
    return json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest_of_dict(data: Mapping[str, Any]) -> str:
    """SHA-256 (64 lowercase hex digits) of :func:`canonical` ``data``."""
    return hashlib.sha256(canonical(data)).hexdigest()


def digest_of(audit: Audit) -> str:
    """The audit's SHA-256: the one it was read with (:attr:`Audit.sha256`), else computed
    from its JSON report data."""
    if audit.sha256:
        return audit.sha256
    from golive.reports.json_report import to_dict

    return str(to_dict(audit)["audit_sha256"])


def matches(expected: str, actual: str) -> bool:
    """True when ``expected`` (a full SHA-256 or a prefix of at least :data:`MIN_PREFIX` hex
    digits, any case, spaces ignored) names ``actual``. Raises :class:`SignoffError` when
    ``expected`` is not hex or too short."""
    text = re.sub(r"\s+", "", expected).lower().removeprefix("sha256:")
    if not re.fullmatch(r"[0-9a-f]+", text) or not (MIN_PREFIX <= len(text) <= 64):
        raise SignoffError(f"{expected!r} is not a SHA-256 (64 hex digits, or at least {MIN_PREFIX} of them)")
    return actual.lower().startswith(text)


# -- approvers and author ---------------------------------------------------------------


def parse_approver(text: str, source: str) -> Approver:
    """``"Jane Ops (CTO)"`` → Approver("Jane Ops", "CTO"); a name without parentheses has no role."""
    m = re.fullmatch(r"\s*(.*?)\s*\(([^()]*)\)\s*", text)
    name, role = (m.group(1), m.group(2).strip()) if m else (text.strip(), "")
    if not name:
        raise SignoffError(f'approver {text!r} has no name (write "Name (Role)")')
    return Approver(name=name, role=role, source=source)


def approvers(config: Any, extra: Sequence[str] = ()) -> list[Approver]:
    """The reviewers expected to sign: ``[tool.golive.signoff] approvers`` then ``--approver``
    (``extra``), each name once. Raises :class:`SignoffError` for a wrong entry."""
    table = config.section("signoff") if config is not None else {}
    where = f"[tool.golive.signoff] in {config.path.name}" if config is not None and config.path else ""
    out: list[Approver] = []
    entries = table.get("approvers", [])
    if not isinstance(entries, list):
        raise SignoffError(f'{where}: approvers must be a list of "Name (Role)" or {{name, role}}')
    for entry in entries:
        if isinstance(entry, str):
            out.append(parse_approver(entry, where))
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"].strip():
            out.append(Approver(name=entry["name"].strip(), role=str(entry.get("role", "")), source=where))
        else:
            raise SignoffError(f'{where}: each approver is "Name (Role)" or {{name = "...", role = "..."}}')
    out.extend(parse_approver(text, "--approver") for text in extra)
    unique: dict[str, Approver] = {}
    for a in out:
        unique.setdefault(a.name.lower(), a)
    return list(unique.values())


def author_source(options_author: str | None, config: Any, git_user: str | None) -> str:
    """Where the report's author came from, in the order golive looks: ``--author``, the
    configuration's ``author``, git's ``user.name``/``user.email``; else ``not set``."""
    if options_author:
        return "--author"
    if config is not None and config.author:
        return f"author in {config.path.name}" if config.path else "author in the configuration"
    if git_user:
        return "git config user.name and user.email"
    return "not set (pass --author)"


def audit_inputs(ctx: Any) -> dict[str, Any]:
    """The sign-off inputs the runner stores in :attr:`Audit.inputs`: ``author_source`` and
    ``approvers`` (each ``{name, role, source}``). A wrong ``[tool.golive.signoff]`` is left
    out here (the CLI reports it before the audit runs)."""
    try:
        listed = approvers(ctx.config, getattr(ctx.options, "approvers", ()))
    except SignoffError:
        listed = []
    return {
        "author_source": author_source(ctx.options.author, ctx.config, ctx.git.user),
        "approvers": [{"name": a.name, "role": a.role, "source": a.source} for a in listed],
    }


# -- the sign-off file ------------------------------------------------------------------


def signoffs_path(project_dir: Path, explicit: Path | None = None, config: Any = None) -> Path:
    """``--file`` when given, else ``[tool.golive.signoff] file`` (relative to the project),
    else ``PROJECT/golive-signoffs.toml``."""
    if explicit is not None:
        return explicit.expanduser()
    configured = config.section("signoff").get("file") if config is not None else None
    if isinstance(configured, str) and configured:
        return project_dir / Path(configured).expanduser()
    return project_dir / DEFAULT_NAME


def _date(value: object, where: str) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise SignoffError(f"{where} needs on = YYYY-MM-DD")


def _entry(table: object, where: str, source: str) -> Signoff:
    if not isinstance(table, dict):
        raise SignoffError(f"{where} must be a table")
    sha, by, decision = table.get("audit_sha256"), table.get("by"), table.get("decision")
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise SignoffError(f'{where} needs audit_sha256 = "<64 hex digits>"')
    if not isinstance(by, str) or not by.strip():
        raise SignoffError(f'{where} needs by = "who signed"')
    if decision not in DECISIONS:
        raise SignoffError(f'{where} needs decision = "go" or "no-go"')
    audit_id = table.get("audit_id")
    return Signoff(
        by=by.strip(),
        role=str(table.get("role", "")),
        decision=str(decision),
        on=_date(table.get("on"), where),
        audit_sha256=sha,
        note=str(table.get("note", "")),
        audit_id=audit_id if isinstance(audit_id, int) else None,
        source=source,
    )


def load_file(path: Path, label: str | None = None) -> list[tuple[Signoff, dict[str, Any]]]:
    """The entries of the sign-off file at ``path`` (none when it does not exist): each as a
    :class:`Signoff` and its table as written. Raises :class:`SignoffError`."""
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SignoffError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SignoffError(f"{path}: not valid TOML: {exc}") from None
    tables = data.get("signoff", [])
    if not isinstance(tables, list):
        raise SignoffError(f"{path}: signoff must be an array of tables ([[signoff]])")
    source = label or path.name
    return [(_entry(t, f"{path.name}: [[signoff]] entry {i}", source), t) for i, t in enumerate(tables, 1)]


def file_entry(audit: Audit, s: Signoff) -> dict[str, Any]:
    """The TOML table of sign-off ``s`` on ``audit`` (what was approved, then who decided)."""
    table: dict[str, Any] = {
        "audit_sha256": s.audit_sha256,
        "project": audit.project_name,
        "started_at": audit.started_at,
        "commit": audit.git_commit or "",
        "settings": audit.settings_module or "",
        "verdict": audit.decision.word.value,
        "by": s.by,
        "role": s.role,
        "decision": s.decision,
        "on": dt.date.fromisoformat(s.on),
        "note": s.note,
    }
    if s.audit_id is not None:
        table["audit_id"] = s.audit_id
    return table


def dumps(tables: Iterable[Mapping[str, Any]]) -> str:
    """The sign-off file text, with its explanatory header, entries in the order given."""
    return HEADER + tomli_w.dumps({"signoff": [dict(t) for t in tables]})


def attach(audit: Audit, recorded: Iterable[Signoff], file_signoffs: Iterable[Signoff]) -> Audit:
    """``audit`` with the sign-offs on it: those ``recorded`` (the history's) and those of
    the file whose SHA-256 is the audit's, each (who, role, decision, day) once."""
    sha = digest_of(audit)
    out: dict[tuple[str, str, str, str], Signoff] = {}
    for s in [*audit.signoffs, *recorded, *file_signoffs]:
        if s.audit_sha256 == sha:
            out.setdefault((s.by.lower(), s.role.lower(), s.decision, s.on), s)
    return replace(audit, signoffs=tuple(sorted(out.values(), key=lambda s: (s.on, s.by))), sha256=sha)


def with_approvers(audit: Audit, extra: Sequence[Approver]) -> Audit:
    """``audit`` with more expected approvers (``golive report --approver``, or those of the
    configuration now) in its inputs; :attr:`Audit.sha256` is kept (the digest is of the
    audit as it ran)."""
    listed = list(audit.inputs.get("approvers") or [])
    names = {str(a.get("name", "")).lower() for a in listed if isinstance(a, Mapping)}
    for a in extra:
        if a.name.lower() not in names:
            listed.append({"name": a.name, "role": a.role, "source": a.source})
            names.add(a.name.lower())
    return replace(audit, inputs={**audit.inputs, "approvers": listed}, sha256=digest_of(audit))
