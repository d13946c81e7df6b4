"""The Markdown report: Django's deployment checklist itself, ticked, then the findings.

Layout: a header table (date, author, commit, settings module, versions, verdict), the
checklist (``- [x]`` / ``- [ ]`` per item, failing ids after an unticked item), the
findings that need action with evidence and a fenced remediation snippet, a compact
table of the rest, attestations, screenshots and Django's own check output.

The checklist items are the ones of Django's deployment checklist
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/) plus golive's
server, live-site and operations sections; :data:`CHECKLIST` is the one table that maps
each item to the findings it covers (see :func:`checklist`).

Escaping (CommonMark / GitHub Flavored Markdown, https://spec.commonmark.org/ and
https://github.github.com/gfm/): text has HTML's ``& < >`` turned into entities and
Markdown punctuation backslash-escaped, so a scanned ``<script>`` renders inert; ``|``
is escaped and newlines become ``<br>`` so table rows keep their cells; inline code
uses a backtick fence longer than any run inside; snippets use a fenced block whose
fence is longer than any backtick run in the snippet. In all of them control characters
(ECMA-48's C0 and C1, bidirectional controls) are written as visible escapes
(:func:`golive.reports.controls.visible`): a file name holding ``ESC [ 2 J`` cannot
clear the screen of whoever reads the ``.md`` file in a terminal; text and snippets keep
their newlines and tabs, a code span keeps nothing (its newline is shown as ``\\n``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from golive.model import Audit, Finding, Section, Status
from golive.reports import marks
from golive.reports.controls import visible
from golive.verdict import how_to_sign

#: Statuses that leave a checklist item unticked.
OPEN = (Status.FAIL, Status.ERROR, Status.MANUAL)


@dataclass(frozen=True, kw_only=True)
class Item:
    """One checklist item and the findings it covers.

    A finding belongs to the item when its id starts with one of ``ids`` (prefixes, as
    ``--select`` matches); or, when no item claims its id, when it is filed under
    ``section`` and one of its ``subjects`` is in ``subjects``; ``django`` items take
    every Django check id; a ``rest`` item takes its section's findings no other item
    took. ``optional`` items are left out of the checklist when nothing maps to them.
    ``audited_by`` (id prefixes) names the checks that read the item's own input (the
    application server's configuration, not the requirements file): the item is ticked
    only when one of them ran, and is "not audited" when they were all skipped.
    """

    label: str
    text: str
    section: Section
    ids: tuple[str, ...] = ()
    subjects: frozenset[str] = frozenset()
    django: bool = False
    rest: bool = False
    optional: bool = False
    audited_by: tuple[str, ...] = ()


def _item(
    label: str,
    text: str,
    section: Section,
    ids: str = "",
    subjects: str = "",
    audited_by: str = "",
    **kw: bool,
) -> Item:
    return Item(
        label=label,
        text=text,
        section=section,
        ids=tuple(ids.split()),
        subjects=frozenset(subjects.split()),
        audited_by=tuple(audited_by.split()),
        **kw,
    )


S = Section
#: Django's deployment checklist and golive's further sections, in the checklist's order.
CHECKLIST: tuple[Item, ...] = (
    _item("`manage.py check --deploy`", "run against the production settings", S.CHECK_DEPLOY, django=True),
    _item(
        "`SECRET_KEY`",
        "large, random, kept out of source control and used nowhere else (other secrets too)",
        S.CRITICAL_SETTINGS,
        "GL10 GL112",
        "SECRET_KEY SECRET_KEY_FALLBACKS",
    ),
    _item("`DEBUG`", "never enabled in production", S.CRITICAL_SETTINGS, "GL110 GL111", "DEBUG"),
    _item("Other critical settings", "", S.CRITICAL_SETTINGS, rest=True, optional=True),
    _item(
        "`ALLOWED_HOSTS`",
        "names the site's hosts, no wildcard",
        S.ENVIRONMENT_SETTINGS,
        "GL20",
        "ALLOWED_HOSTS",
    ),
    _item(
        "`CACHES`",
        "a shared cache server that only the application servers can reach",
        S.ENVIRONMENT_SETTINGS,
        "GL21",
        "CACHES",
    ),
    _item(
        "`DATABASES`",
        "a production database, its password protected like SECRET_KEY",
        S.ENVIRONMENT_SETTINGS,
        "GL220 GL221 GL223",
        "DATABASES",
    ),
    _item(
        "`EMAIL_BACKEND`",
        "and related settings: e-mail really leaves the machine",
        S.ENVIRONMENT_SETTINGS,
        "GL23",
        "EMAIL_BACKEND EMAIL_HOST EMAIL_USE_TLS EMAIL_USE_SSL DEFAULT_FROM_EMAIL SERVER_EMAIL MAILERS",
    ),
    _item(
        "`STATIC_ROOT` and `STATIC_URL`",
        "collectstatic has somewhere to copy to",
        S.ENVIRONMENT_SETTINGS,
        "GL24",
        "STATIC_ROOT STATIC_URL STORAGES",
    ),
    _item(
        "`MEDIA_ROOT` and `MEDIA_URL`",
        "uploads are untrusted and kept out of the code",
        S.ENVIRONMENT_SETTINGS,
        "GL250 GL251",
        "MEDIA_ROOT MEDIA_URL",
    ),
    _item("Other environment-specific settings", "", S.ENVIRONMENT_SETTINGS, rest=True, optional=True),
    _item(
        "`CSRF_COOKIE_SECURE`",
        "the CSRF cookie is never sent over plain HTTP",
        S.HTTPS,
        subjects="CSRF_COOKIE_SECURE",
    ),
    _item(
        "`SESSION_COOKIE_SECURE`",
        "the session cookie is never sent over plain HTTP",
        S.HTTPS,
        subjects="SESSION_COOKIE_SECURE",
    ),
    _item(
        "HTTPS everywhere",
        "redirect to HTTPS, HSTS, trusted origins",
        S.HTTPS,
        "GL30",
        "SECURE_SSL_REDIRECT SECURE_PROXY_SSL_HEADER SECURE_HSTS_SECONDS SECURE_HSTS_INCLUDE_SUBDOMAINS"
        " SECURE_HSTS_PRELOAD CSRF_TRUSTED_ORIGINS",
    ),
    _item("Other HTTPS and security-header settings", "", S.HTTPS, rest=True, optional=True),
    _item(
        "Sessions",
        "cached sessions on a shared cache, or database sessions cleared regularly",
        S.PERFORMANCE,
        "GL401 GL402",
        "SESSION_ENGINE",
    ),
    _item(
        "`CONN_MAX_AGE`",
        "persistent database connections, with health checks",
        S.PERFORMANCE,
        "GL403 GL404",
        "CONN_MAX_AGE CONN_HEALTH_CHECKS",
    ),
    _item("`TEMPLATES`", "the cached template loader", S.PERFORMANCE, "GL405", "TEMPLATES"),
    _item("Other performance settings", "", S.PERFORMANCE, rest=True, optional=True),
    _item(
        "`LOGGING`",
        "reviewed, and checked once the site received traffic",
        S.ERROR_REPORTING,
        "GL505",
        "LOGGING",
    ),
    _item(
        "`ADMINS` and `MANAGERS`",
        "someone is told about server errors",
        S.ERROR_REPORTING,
        "GL501 GL502 GL503",
        "ADMINS MANAGERS IGNORABLE_404_URLS",
    ),
    _item(
        "Error views",
        "404.html, 500.html, 403.html and 400.html",
        S.ERROR_REPORTING,
        "GL504",
        "404.html 500.html 403.html 400.html",
    ),
    _item("Other error-reporting settings", "", S.ERROR_REPORTING, rest=True, optional=True),
    _item(
        "Application server",
        "a production WSGI/ASGI server, not runserver",
        S.APPLICATION_SERVER,
        audited_by="GL61 GL620 GL621 GL63 GL64 GL65",
        rest=True,
    ),
    _item(
        "Web server", "TLS, host validation, static and media files served safely", S.WEB_SERVER, rest=True
    ),
    _item("Live site", "what the deployed site really answers", S.LIVE_SITE, rest=True),
    _item(
        "Backups",
        "database and media backups exist, are off-site, and a restore was tested",
        S.OPERATIONS,
        "GL222 GL252",
        "backups",
    ),
    _item("Security alerts and the host", "dependencies, the server, the admin", S.OPERATIONS, rest=True),
)


@dataclass(frozen=True, kw_only=True)
class ItemState:
    """An item with its findings: ``done`` when nothing is open and at least one passed."""

    item: Item
    findings: tuple[Finding, ...]

    @property
    def open_ids(self) -> list[str]:
        """Ids of the failing, erroring and unattested manual findings (each id once)."""
        return _unique(f.id for f in self.findings if f.status in OPEN and f.accepted is None)

    @property
    def audited(self) -> tuple[Finding, ...]:
        """The findings of the checks that read the item's input (:attr:`Item.audited_by`; all
        of them when the item names none)."""
        prefixes = self.item.audited_by
        if not prefixes:
            return self.findings
        return tuple(f for f in self.findings if f.id.startswith(prefixes))

    @property
    def done(self) -> bool:
        """True when no finding is open and at least one of :attr:`audited` passed (manual
        attested counts): a row whose input was not audited is never ticked."""
        return not self.open_ids and any(f.status is Status.PASS for f in self.audited)

    @property
    def not_audited(self) -> str | None:
        """Why the item's input was not audited: the reasons of its skipped checks, when
        every one of :attr:`audited` was skipped (or none ran); None when it was audited or
        nothing at all maps to the item (that is "not checked in this audit")."""
        if not self.findings or self.open_ids:
            return None
        mine = self.audited
        if any(f.status is not Status.SKIPPED for f in mine):
            return None
        reasons = _unique(f.reason for f in mine if f.reason)
        if not reasons:
            return "its checks were not run (--select/--ignore)" if not mine else "its checks were skipped"
        more = f" (and {len(reasons) - 2} more reasons)" if len(reasons) > 2 else ""
        return "; ".join(reasons[:2]) + more


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _claims(item: Item, f: Finding) -> bool:
    return any(f.id.startswith(p) for p in item.ids) or (item.django and not f.id.startswith("GL"))


def checklist(findings: Sequence[Finding], items: Sequence[Item] = CHECKLIST) -> list[ItemState]:
    """Each item of ``items`` with the findings that map to it (rules: :class:`Item`)."""
    by_id = [any(any(f.id.startswith(p) for p in it.ids) for it in items) for f in findings]
    mapped: list[list[Finding]] = []
    taken = [False] * len(findings)
    for item in items:
        mine = []
        if not item.rest:
            for i, f in enumerate(findings):
                by_subject = (
                    not by_id[i] and f.section is item.section and bool(item.subjects & set(f.subjects))
                )
                if _claims(item, f) or by_subject:
                    mine.append(f)
                    if not item.django:
                        taken[i] = True
        mapped.append(mine)
    for k, item in enumerate(items):
        if item.rest:
            mapped[k] = [f for i, f in enumerate(findings) if f.section is item.section and not taken[i]]
    return [
        ItemState(item=item, findings=tuple(mine))
        for item, mine in zip(items, mapped, strict=True)
        if mine or not item.optional
    ]


# --- escaping -------------------------------------------------------------------------

_MD_PUNCT = re.compile(r"([\\`*_\[\]{}|~!#])")


def text(value: object) -> str:
    """Inline Markdown text: HTML-escaped, Markdown punctuation escaped, newlines as ``<br>``.

    Safe inside table cells (``|`` is escaped) and list items. Other control characters
    are written as visible escapes (``\\x1b``), tabs kept.
    """
    s = visible(str(value).replace("\r\n", "\n").replace("\r", "\n"), keep="\n\t")
    s = _MD_PUNCT.sub(r"\\\1", s)
    s = html.escape(s, quote=False)
    return s.replace("\n", "<br>")


def code(value: object) -> str:
    """An inline code span whose backtick fence is longer than any run in ``value``.

    Control characters, newlines included, are written as visible escapes (``\\n``,
    ``\\x1b``) and ``|`` is escaped, so that the span stays on one line and can sit in a
    table cell (GFM reads ``\\|`` inside a table's code span as ``|``).
    """
    s = visible(str(value)).replace("|", "\\|")
    if not s:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ")) else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def fenced(snippet: str, lang: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run in ``snippet``.

    Newlines and tabs are kept; other control characters are written as visible escapes.
    """
    body = visible(snippet.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n"), keep="\n\t")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def link(label: str, url: str) -> str:
    """``[label](url)`` for an http(s) URL (percent-encoded); escaped text otherwise."""
    if not re.match(r"^https?://", url):
        return text(url or label)
    safe = quote(url, safe=":/?#@!$&'*+,;=%-._~")
    return f"[{text(label)}]({safe})"


# --- rendering ------------------------------------------------------------------------


def _checkbox(state: ItemState) -> str:
    item = state.item
    kind = marks.row_kind(state)
    head = f"- [{'x' if state.done else ' '}] {marks.MARK[kind]} **{item.label}**" + (
        f": {text(item.text)}" if item.text else ""
    )
    notes = []
    by_status = {
        s: _unique(f.id for f in state.findings if f.status is s and f.accepted is None) for s in Status
    }
    accepted = {f.id: f.accepted.expires for f in state.findings if f.accepted is not None}
    if accepted:
        notes.append("accepted " + ", ".join(f"{code(i)} (until {d})" for i, d in accepted.items()))
    failing = _unique(f.id for f in state.findings if marks.kind_of(f) == marks.FAILING)
    if failing:
        notes.append("failing " + ", ".join(code(i) for i in failing))
    informational = [i for i in by_status[Status.FAIL] if i not in failing]
    if informational:  # a failing info finding is a note, never drawn as a failure
        notes.append("note " + ", ".join(code(i) for i in informational))
    if by_status[Status.ERROR]:
        notes.append("errored " + ", ".join(code(i) for i in by_status[Status.ERROR]))
    if by_status[Status.MANUAL]:
        notes.append("needs sign-off " + ", ".join(code(i) for i in by_status[Status.MANUAL]))
    attested = [f for f in state.findings if f.status is Status.PASS and f.attestation]
    for f in attested:
        a = f.attestation
        assert a is not None
        notes.append(f"{code(f.id)} attested by {text(a.by)} on {text(a.on)}")
    if not state.findings:
        notes.append("not checked in this audit")
    elif state.not_audited is not None:
        notes.append(f"**not audited**: {text(state.not_audited)}")
    elif not state.done and not state.open_ids:
        notes.append("skipped " + ", ".join(code(i) for i in by_status[Status.SKIPPED]))
    return head + (" — " + "; ".join(notes) if notes else "")


def _header(audit: Audit) -> list[str]:
    commit = code(audit.git_commit) if audit.git_commit else "not a git repository"
    if audit.git_dirty:
        commit += " (uncommitted changes)"
    rows = [
        ("Date", text(audit.started_at)),
        ("Author", text(audit.author)),
        ("Commit", commit),
        ("Project", f"{text(audit.project_name)} ({code(audit.project_path)})"),
        (
            "Settings",
            (code(audit.settings_module) if audit.settings_module else "unknown")
            + (f": {text(audit.settings_reason)}" if audit.settings_reason else ""),
        ),
        *(
            [("Django root", code(audit.django_root) + f": {text(audit.django_root_reason)}")]
            if audit.django_root_reason or audit.django_root != "."
            else []
        ),
        ("Django / Python", f"{text(audit.django_version or '?')} / {text(audit.python_version or '?')}"),
        ("golive", text(audit.golive_version)),
    ]
    environment = audit.inputs.get("environment")
    if isinstance(environment, dict) and environment.get("sources"):  # golive.provenance
        rows.insert(5, ("Environment", text(" + ".join(str(x) for x in environment["sources"]))))
    out = [f"# Deployment checklist: {text(audit.project_name)}", ""]
    out += _verdict(audit)
    from golive.provenance import note as placeholder_note

    if placeholder_note(audit):  # what was audited versus what runs (issue 14)
        out += [f"> **{text(placeholder_note(audit))}**", ""]
    out += ["| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in rows]
    out.append("")
    counts = audit.counts()
    failing = audit.failing_by_severity()
    out.append("Findings: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + ".")
    if audit.accepted():
        out.append(f"Accepted in the baseline (not failing): {len(audit.accepted())}.")
    out.append(
        "Failing by severity: " + (", ".join(f"{n} {s}" for s, n in failing.items() if n) or "none") + "."
    )
    out.append("")
    out.append(
        "Collectors: "
        + "; ".join(
            _collector(c.name, c.status, c.reason, c.details.get("notes", ()), c.details.get("scanned", ""))
            for c in audit.collectors
        )
        + "."
    )
    out.append("")
    return out


def _verdict(audit: Audit) -> list[str]:
    """The verdict word, its reason and exit status, what could not be audited, the
    inputs not audited, the conditions (:attr:`Audit.decision`), and the grade line."""
    v = audit.decision
    out = [
        f"## Verdict: {v.word.value}",
        "",
        f"**{v.word.value}**: {text(v.reason)} (exit status {v.exit_status}).",
        "",
    ]
    if v.incomplete:
        out += ["Could not be audited (the audit is incomplete):", ""]
        out += [f"- {text(line)}" for line in v.incomplete] + [""]
    if v.not_audited:
        out += ["Not audited (not given):", ""]
        out += [f"- {text(line)}" for line in v.not_audited] + [""]
    if v.conditions:
        out += ["Conditions:", ""]
        out += [f"- {text(line)}" for line in v.conditions] + [""]
    if audit.history is not None:
        from golive.history import grade_line

        out += [text(grade_line(audit.history)[:1].upper() + grade_line(audit.history)[1:]) + "."]
        formula = audit.history.get("grade_formula")
        out += ["", f"*{text(formula)}*", ""] if formula else [""]
    return out


def _collector(name: str, status: str, reason: str, notes: Sequence[str] = (), scanned: str = "") -> str:
    said = [reason] if reason else []
    said += [f"scanned {scanned}"] if scanned else []
    said += [f"scanned in part: {note}" for note in notes]
    return f"{text(name)} {text(status)}" + (f" ({text('; '.join(said))})" if said else "")


def _finding(f: Finding, on: str = "YYYY-MM-DD") -> list[str]:
    """One finding needing action: its mark (:mod:`golive.reports.marks`), details, fix and,
    for a manual one, the table that signs it (``on``: the date to write)."""
    sure = f" ({f.confidence.value})" if f.confidence is not None else ""
    kind = marks.kind_of(f)
    out = [f"#### {marks.MARK[kind]} {text(f.id)} · {f.severity.label}{sure} · {text(f.title)}", ""]
    out.append(f"- **Status**: {f.status.value} ({marks.LABEL[kind]})")
    if f.subjects:
        out.append("- **Subjects**: " + ", ".join(code(s) for s in f.subjects))
    if f.location:
        out.append("- **Where**: " + ", ".join(code(str(loc)) for loc in f.locations))
    if f.evidence:
        out.append("- **Evidence**:")
        out += [f"  - {text(line)}" for line in f.evidence]
    if f.reason:
        out.append(f"- **Reason**: {text(f.reason)}")
    if f.attestation:
        a = f.attestation
        signed = f"{text(a.by)} on {text(a.on)}" + (f", expired {text(a.expires)}" if a.expired else "")
        out.append(f"- **Signed**: {signed}" + (f": {text(a.note)}" if a.note else ""))
    if f.reference:
        out.append(f"- **Reference**: {link(f.reference, f.reference)}")
    out.append("")
    if f.remediation and f.status is not Status.PASS:
        out += ["**Fix:**", "", fenced(f.remediation), ""]
    if kind == marks.SIGN_OFF and "[tool.golive.attest." not in f.remediation:
        out += [
            "**Sign off** (in `pyproject.toml` or `golive.toml`):",
            "",
            fenced(how_to_sign(f, on), "toml"),
            "",
        ]
    return out


def _findings(audit: Audit) -> list[str]:
    out = ["## Findings", ""]
    quiet: list[Finding] = []
    for section in Section:
        items = [f for f in audit.findings if f.section is section]
        loud = [f for f in items if f.status in OPEN]
        quiet += [f for f in items if f.status not in OPEN]
        if not loud:
            continue
        out += [f"### {text(section.heading)}", ""]
        for f in loud:
            out += _finding(f, audit.started_at[:10])
    if quiet:
        out += [
            "## Passed and skipped",
            "",
            "| id | status | severity | title | note |",
            "|---|---|---|---|---|",
        ]
        for f in quiet:
            note = f.reason or (", ".join(f.subjects) if f.subjects else "")
            out.append(
                f"| {code(f.id)} | {f.status.value} | {f.severity.label} | {text(f.title)} | {text(note)} |"
            )
        out.append("")
    return out


def _deployment_files(audit: Audit) -> list[str]:
    """The deployment files found, left-out ones first, with their role and why."""
    if not audit.deployment_files:
        return []
    out = [
        "## Deployment files",
        "",
        "Only production files (and files that say nothing either way) are audited.",
        "",
        "| file | kind | role | audited | why |",
        "|---|---|---|---|---|",
    ]
    for f in sorted(audit.deployment_files, key=lambda f: (f.audited, f.path)):
        audited = "yes" if f.audited else "**left out**"
        out.append(f"| {code(f.path)} | {text(f.kind)} | {text(f.role)} | {audited} | {text(f.reason)} |")
    out.append("")
    return out


def _extras(audit: Audit) -> list[str]:
    out: list[str] = []
    if audit.attestations:
        out += ["## Attestations", "", "| check | signed by | on | expires | note |", "|---|---|---|---|---|"]
        for a in audit.attestations:
            expires = text(a.expires or "never") + (" (**expired**)" if a.expired else "")
            out.append(f"| {code(a.check_id)} | {text(a.by)} | {text(a.on)} | {expires} | {text(a.note)} |")
        out.append("")
    if audit.screenshots:
        out += ["## Screenshots", ""]
        for shot in audit.screenshots:
            caption = shot.caption or shot.name
            out += [
                f"![{text(caption)}](<{_image_path(shot.path)}>)",
                "",
                f"*{text(caption)}* ({text(shot.url)})"
                + (f" · {text(shot.requests_note)}" if shot.requests_note else ""),
                "",
            ]
    if audit.django_check_output:
        out += ["## `manage.py check --deploy`", "", fenced(audit.django_check_output, "text"), ""]
    return out


def _image_path(path: str) -> str:
    return quote(path.replace("\\", "/"), safe="/:._-~")


def render(audit: Audit) -> str:
    """The Markdown report text (GitHub Flavored Markdown, UTF-8)."""
    out = _header(audit)
    out += ["## Checklist", ""]
    current: Section | None = None
    for state in checklist(audit.findings):
        section = state.item.section
        if section is not current:
            out += (
                [f"### {text(section.heading)}", ""]
                if current is None
                else ["", f"### {text(section.heading)}", ""]
            )
            current = section
        out.append(_checkbox(state))
    out.append("")
    out += _findings(audit)
    out += _deployment_files(audit)
    out += _extras(audit)
    from golive.reports.signoff_md import render_lines as signoff_lines

    out += signoff_lines(audit)
    return "\n".join(out).rstrip("\n") + "\n"
