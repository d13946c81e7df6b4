"""The core types: what a check finds and what an audit is.

Every type here is immutable (frozen ``msgspec.Struct`` classes with keyword-only fields:
the semantics of frozen dataclasses, made in C; see :mod:`golive.registry`), so a finding
cannot change after a check returned it. The JSON report is the faithful serialisation
of :class:`Audit` (see :mod:`golive.reports.json_report`), and every other format is a
rendering of it. Field names follow ``DESIGN.md`` ("Contracts"). The enumerations (severity,
confidence, status, section, verdict word) are defined in :mod:`golive.scales` and re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from msgspec import Struct, field
from msgspec.structs import force_setattr

from golive.scales import CollectorStatus, Confidence, Section, Severity, Status, VerdictWord

__all__ = [
    "Acceptance",
    "Attestation",
    "Audit",
    "CollectorRun",
    "CollectorStatus",
    "Confidence",
    "DeploymentFile",
    "Finding",
    "Location",
    "Screenshot",
    "Section",
    "Severity",
    "Signoff",
    "Status",
    "Verdict",
    "VerdictWord",
]


class Location(Struct, frozen=True, kw_only=True):
    """Where a finding is: ``path`` relative to the project root, ``line`` 1-based."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Attestation(Struct, frozen=True, kw_only=True):
    """A person's signature on a manual check, from ``[tool.golive.attest]``.

    ``on`` is an ISO date (``YYYY-MM-DD``); ``expired`` is set by the runner when the
    signature is older than the check's validity, which turns the check back to manual.
    """

    check_id: str
    by: str
    on: str
    note: str = ""
    expires: str | None = None
    expired: bool = False


class Acceptance(Struct, frozen=True, kw_only=True):
    """A reviewed entry of the baseline file (``golive-baseline.toml``) that accepts a finding.

    ``on`` and ``expires`` are ISO dates (``YYYY-MM-DD``); the runner only attaches an
    acceptance that has not expired (see :mod:`golive.baseline`).
    """

    by: str
    on: str
    expires: str
    reason: str
    file: str = ""


class Finding(Struct, frozen=True, kw_only=True):
    """One outcome of one check: a JSON object in the report (``DESIGN.md``, "A finding").

    ``evidence`` lines are redacted when they are made (a collector never lets a secret
    value into facts), ``subjects`` name what the finding is about in the field's own
    terms (``SECRET_KEY``, ``ssl_protocols``, ``Strict-Transport-Security``).
    """

    id: str
    section: Section
    status: Status
    severity: Severity
    title: str
    subjects: tuple[str, ...] = ()
    location: Location | None = None
    evidence: tuple[str, ...] = ()
    remediation: str = ""
    reference: str = ""
    collector: str = ""
    reason: str = ""
    attestation: Attestation | None = None
    accepted: Acceptance | None = None
    #: How sure the finding is (None: the check states a fact and says nothing more).
    confidence: Confidence | None = None
    #: The other places the same finding repeats (another ``listen`` of the server, the same
    #: rule in another file), after ``location``: see :attr:`locations`, :mod:`golive.repeats`.
    more_locations: tuple[Location, ...] = ()

    @property
    def locations(self) -> tuple[Location, ...]:
        """Every place of the finding, ``location`` first (empty when it has none)."""
        return ((self.location,) if self.location else ()) + self.more_locations

    @property
    def failing(self) -> bool:
        """True for a ``fail`` outcome that no unexpired baseline entry accepts."""
        return self.status is Status.FAIL and self.accepted is None

    @property
    def key(self) -> str:
        """A stable identity for matching across audits: id + subjects + location path.

        Line numbers are left out on purpose so that a finding keeps its identity when
        code above it moves.
        """
        where = self.location.path if self.location else ""
        return "|".join((self.id, ",".join(self.subjects), where))

    @property
    def keys(self) -> tuple[str, ...]:
        """:attr:`key` as it is for each of :attr:`locations` (the first is :attr:`key`): the
        identities this finding had when golive reported one finding per location."""
        paths = list(dict.fromkeys(loc.path for loc in self.locations)) or [""]
        return tuple("|".join((self.id, ",".join(self.subjects), p)) for p in paths)


class CollectorRun(Struct, frozen=True, kw_only=True):
    """What one collector did: its :class:`~golive.scales.CollectorStatus` (given as a member
    or its value: a report read back gives the value), the reason of a skip or an error, its
    duration in seconds and what the report lists under it (``details``)."""

    name: str
    status: CollectorStatus
    reason: str = ""
    duration: float = 0.0
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        force_setattr(self, "status", CollectorStatus(self.status))


class DeploymentFile(Struct, frozen=True, kw_only=True):
    """A deployment file golive found and what it took it for (:mod:`golive.collectors.layout`).

    ``path`` is relative to the repository root; ``kind`` names the file's type (``compose
    file``, ``Dockerfile``, ``nginx config``...); ``role`` is ``production``,
    ``development``, ``test``, ``example``, ``unknown`` or ``ignored``; ``reason`` says what
    decided it; ``audited`` is False for the files seen and left out.
    """

    path: str
    kind: str
    role: str
    reason: str
    audited: bool


class Screenshot(Struct, frozen=True, kw_only=True):
    """A PNG captured from the live site; ``path`` is absolute where it was captured (or
    relative to the report's directory, as reports resolve it).

    ``requests_loaded`` counts the requests the browser sent to the site for this page
    (the document and its assets: GET or HEAD to the probed origin, within the per-page
    cap of :mod:`golive.collectors.live.screenshots`); ``requests_blocked`` those golive stopped
    (another method or origin, a WebSocket, over the cap). None: not counted (an audit
    stored before golive counted them).
    """

    name: str
    url: str
    path: str
    caption: str = ""
    requests_loaded: int | None = None
    requests_blocked: int | None = None

    @property
    def requests_note(self) -> str:
        """``browser requests: 2 loaded, 5 blocked``, or "" when they were not counted."""
        if self.requests_loaded is None or self.requests_blocked is None:
            return ""
        return f"browser requests: {self.requests_loaded} loaded, {self.requests_blocked} blocked"


class Verdict(Struct, frozen=True, kw_only=True):
    """The decision an audit supports, made once by :func:`golive.verdict.decide`.

    ``reason`` is one line; ``counts`` holds the numbers behind it (``blocking``: failing
    at or above ``fail_on``, ``failing``, ``manual``, ``accepted``, ``errored``,
    ``passed``, ``skipped``); ``incomplete`` lists what was found or asked for and could
    not be audited (it makes the word INCOMPLETE, or NO-GO "also incomplete");
    ``not_audited`` the inputs not given (collectors skipped, with why): GO is "GO for
    what was audited"; ``conditions`` the manual items to sign and the accepted findings
    that make it GO WITH CONDITIONS. ``exit_status``: 0 GO and GO WITH CONDITIONS, 1
    NO-GO, 3 INCOMPLETE.
    """

    word: VerdictWord
    reason: str
    exit_status: int
    counts: Mapping[str, int] = field(default_factory=dict)
    incomplete: tuple[str, ...] = ()
    not_audited: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.word.value}: {self.reason}"


class Signoff(Struct, frozen=True, kw_only=True):
    """A person's recorded decision on one stored audit (``golive signoff``, :mod:`golive.signoff`).

    ``decision`` is ``go`` or ``no-go``; ``on`` an ISO date; ``audit_sha256`` the SHA-256 of
    the audit's canonical JSON the person approved (:func:`golive.signoff.digest_of`);
    ``audit_id`` its id in the history it was recorded from; ``source`` where this record was
    read (``history``, or the sign-off file's path).
    """

    by: str
    role: str
    decision: str
    on: str
    audit_sha256: str
    note: str = ""
    audit_id: int | None = None
    source: str = ""


class HistoryFinding(TypedDict):
    """One failing finding in a comparison list of :class:`HistorySummary` (JSON schema
    ``history_finding``): ``key`` is :attr:`Finding.key`, ``severity`` its label."""

    key: str
    id: str
    title: str
    severity: str
    subjects: list[str]
    path: str | None


class TrendPoint(TypedDict):
    """One audit of :class:`HistorySummary` ``trend`` (JSON schema ``trend_point``): ``id``
    None for an audit not stored; ``score`` (0-100) and ``grade`` None when it has none."""

    id: int | None
    started_at: str
    failing: int
    score: int | None
    grade: str | None
    incomplete: bool


class HistoryCoverage(TypedDict):
    """How many check ids ran (passed, failed or asked a person) of those in the audit."""

    ran: int
    checks: int


class HistoryGrade(TypedDict, total=False):
    """The keys of :class:`HistorySummary` added by issue 14, absent from audits stored before."""

    grade_note: str
    coverage: HistoryCoverage
    grade_formula: str


class HistorySummary(HistoryGrade):
    """:attr:`Audit.history`, made by :func:`golive.history.compare.summary` (JSON schema
    ``history``): this audit's id in the history database, the audit compared with and
    what changed since (:class:`golive.history.compare.Comparison`), the trend (oldest
    first, this audit last) and the grade (:mod:`golive.history.grade`). A dict, not a
    Struct: it is the JSON object the reports and templates read as it is. Audits
    stored before issue 14 lack ``grade_note``, ``coverage`` and ``grade_formula``
    (:class:`HistoryGrade`)."""

    id: int | None
    database: str
    previous_id: int | None
    previous_started_at: str | None
    new: list[HistoryFinding]
    fixed: list[HistoryFinding]
    unchanged: list[HistoryFinding]
    unverified: list[HistoryFinding]
    trend: list[TrendPoint]
    score: int | None
    grade: str | None
    incomplete: bool


class Audit(Struct, frozen=True, kw_only=True):
    """The whole result of one run; reports are pure renderings of it."""

    golive_version: str
    started_at: str
    duration: float
    author: str
    project_name: str
    project_path: str
    git_commit: str | None
    git_dirty: bool | None
    settings_module: str | None
    settings_reason: str
    django_version: str | None
    python_version: str | None
    collectors: tuple[CollectorRun, ...]
    findings: tuple[Finding, ...]
    attestations: tuple[Attestation, ...] = ()
    screenshots: tuple[Screenshot, ...] = ()
    django_check_output: str = ""
    fail_on: Severity = Severity.HIGH
    inputs: Mapping[str, Any] = field(default_factory=dict)
    #: The folder holding manage.py, relative to ``project_path`` (``.``: the root), and why.
    django_root: str = "."
    django_root_reason: str = ""
    #: Every deployment file discovered, audited or left out, and why (``DeploymentFile``).
    deployment_files: tuple[DeploymentFile, ...] = ()
    #: Approvals recorded on this audit (``golive signoff``), from the history and the
    #: sign-off file; not part of what :attr:`sha256` covers.
    signoffs: tuple[Signoff, ...] = ()
    #: SHA-256 of the audit's canonical JSON as it was read (:func:`golive.signoff.digest_of`);
    #: None for an audit made in this run (then computed from it).
    sha256: str | None = None
    #: Filled by :mod:`golive.history.store` when the audit is stored (:class:`HistorySummary`).
    history: HistorySummary | None = None
    #: Set by the runner (:func:`golive.verdict.decide`) and stored in the JSON report; an
    #: audit made by hand, or read from a report older than the verdict, has None: see
    #: :attr:`decision`.
    verdict: Verdict | None = None

    @property
    def decision(self) -> Verdict:
        """:attr:`verdict`, or decided now by :func:`golive.verdict.decide` when the audit
        carries none (the same rules: renderers never decide)."""
        if self.verdict is not None:
            return self.verdict
        from golive.verdict import decide

        return decide(self)

    @property
    def incomplete(self) -> bool:
        """True when something found or asked for could not be audited: a collector or a
        check errored, or a file a collector read did not parse (:attr:`decision`)."""
        return bool(self.decision.incomplete)

    def counts(self) -> dict[str, int]:
        """Number of findings per status: ``{"fail": 3, "pass": 40, ...}`` (all keys present)."""
        out = {s.value: 0 for s in Status}
        for f in self.findings:
            out[f.status.value] += 1
        return out

    def failing_by_severity(self) -> dict[str, int]:
        """Number of failing findings per severity, highest first (all keys present)."""
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            if f.failing:
                out[f.severity.label] += 1
        return out

    def accepted(self) -> list[Finding]:
        """Failing findings that an unexpired baseline entry accepts (not blocking)."""
        return [f for f in self.findings if f.status is Status.FAIL and f.accepted is not None]

    def blocking(self) -> list[Finding]:
        """Failing findings at or above ``fail_on``: the ones that make the exit status 1."""
        return [f for f in self.findings if f.failing and f.severity >= self.fail_on]

    @property
    def exit_status(self) -> int:
        """0 GO or GO WITH CONDITIONS, 1 NO-GO (failing at or above ``fail_on``, also when
        incomplete), 3 INCOMPLETE (``DESIGN.md``): :attr:`decision`'s."""
        return self.decision.exit_status
