"""The check registry: every check's spec in one place, and the facts checks read.

A check is a small pure function of facts decorated with :func:`check`, which turns it
into a :class:`CheckSpec` holding everything about it (id, title, section, severity,
the facts it needs, the doc URL, the remediation). The function yields findings built
through its spec (``spec.fail(...)``), so it cannot mislabel itself; when it yields no
failing finding the runner records a pass. Check modules are listed explicitly in
:mod:`golive.checks`; nothing is discovered by side effect.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar, TypeVar

from msgspec import Struct, field

from golive.model import Confidence, Finding, Location, Section, Severity, Status

ID_RE = re.compile(r"^GL[1-9]\d\d$")
T = TypeVar("T")


class FactsBase(Struct, frozen=True, kw_only=True):
    """Base of every collector's facts type; ``collector`` names the collector producing it.

    Facts are frozen, keyword-only ``msgspec.Struct`` classes (as every golive record:
    :mod:`golive.model`); a subclass names ``kw_only=True`` again, since msgspec applies it to
    the fields each class defines (``frozen`` is inherited)."""

    collector: ClassVar[str] = ""


class Facts:
    """The facts gathered for one audit, keyed by their type.

    ``facts[RuntimeFacts]`` returns the runtime facts (``KeyError`` when the collector did
    not produce them: the runner only calls a check when every type it ``needs`` is here);
    ``facts.get(SourceFacts)`` returns them or ``None`` for optional cross-checks. What the
    user asked for reaches checks as :class:`golive.facts.run.RunFacts`, never as the run's
    context: ``context`` (a :class:`golive.context.AuditContext`), when given, only builds
    those facts (:func:`golive.facts.run.run_facts`) unless ``items`` already hold them.
    """

    def __init__(self, items: Mapping[type, Any], context: Any = None) -> None:
        self._items = dict(items)
        if context is not None:
            from golive.facts.run import RunFacts, run_facts  # golive.facts.run imports this module

            self._items.setdefault(RunFacts, run_facts(context))

    def __getitem__(self, kind: type[T]) -> T:
        value = self._items[kind]
        assert isinstance(value, kind)
        return value

    def get(self, kind: type[T]) -> T | None:
        """The facts of type ``kind``, or ``None`` when their collector did not run."""
        value = self._items.get(kind)
        return value if isinstance(value, kind) else None

    def __contains__(self, kind: type) -> bool:
        return kind in self._items


class Outcome(Exception):
    """Raised by a check judging one unit (:attr:`CheckSpec.each`, e.g. one live site) whose
    input is missing for that unit: the unit's outcome is ``status`` (``skipped`` or
    ``error``) with ``reason`` and ``location``, and the check goes on with the next unit.
    """

    def __init__(self, status: Status, reason: str, location: Location | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.location = status, reason, location


#: A check's function: ``func(facts, spec)``, or ``func(unit, facts, spec)`` for a per-unit
#: check (see :attr:`CheckSpec.each`); it yields the check's findings.
CheckFunc = Callable[..., Iterable[Finding]]
#: The units a per-unit check judges, in order: each is a unit, or the outcome (a finding)
#: of one that cannot be judged at all (a live site that answered nothing).
Units = Callable[[Facts, "CheckSpec"], Iterable[Any]]
#: A precondition on the facts a check reads: None when it holds, else the one-line reason the
#: check is ``skipped`` (``"gunicorn: no gunicorn instance found, only uwsgi (...)"``).
Requirement = Callable[[Facts], "str | None"]


class CheckSpec(Struct, frozen=True, kw_only=True):
    """Everything about one check.

    ``needs`` lists the facts types the check reads; when one is missing the check is
    skipped with the reason its collector gave. ``requires`` lists preconditions on those
    facts (:data:`Requirement`): the input the check judges is present in them (a gunicorn
    instance among the application servers found); when one gives a reason the check is
    skipped with it, never passed on an input it did not see. ``uses`` lists the facts it reads when
    they are there (``facts.get(...)``, cross-checks): with ``--select``, a collector
    that no selected check needs or uses is not run. The runtime, source, project and run
    facts are always collected and need not be listed in ``uses``. ``manual`` checks ask for a person's
    attestation; ``validity_days`` is how long such a signature lasts (None: forever).
    ``rationale`` is the function's docstring: the check's documentation page.

    ``each`` makes a per-unit check (the live checks judge one site at a time): ``func``
    is then called as ``func(unit, facts, spec)`` for every unit ``each(facts, spec)``
    gives, a :class:`~golive.model.Finding` among them standing for a unit that cannot be
    judged; an :class:`Outcome` raised for a unit becomes that unit's skipped or error
    finding, after what the unit already yielded. The bookkeeping lives here, once.
    """

    id: str
    title: str
    severity: Severity
    needs: tuple[type, ...]
    reference: str
    remediation: str
    func: CheckFunc
    rationale: str = ""
    manual: bool = False
    validity_days: int | None = None
    uses: tuple[type, ...] = ()
    requires: tuple[Requirement, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)
    each: Units | None = None

    def unmet(self, facts: Facts) -> str | None:
        """The reason of the first :attr:`requires` precondition that does not hold, or None."""
        for requirement in self.requires:
            reason = requirement(facts)
            if reason:
                return reason
        return None

    @property
    def section(self) -> Section:
        """The checklist section named by the id's hundreds digit."""
        return Section.for_digit(int(self.id[2]))

    @property
    def collector(self) -> str:
        """The input this check's findings come from (its first needed facts' collector)."""
        return str(getattr(self.needs[0], "collector", "")) if self.needs else ""

    def __call__(self, facts: Facts) -> Iterable[Finding]:
        if self.each is None:
            return self.func(facts, self)
        return self._per_unit(facts, self.each)

    def _per_unit(self, facts: Facts, each: Units) -> Iterator[Finding]:
        for unit in each(facts, self):
            if isinstance(unit, Finding):
                yield unit
                continue
            try:
                yield from self.func(unit, facts, self)
            except Outcome as missing:
                yield self.outcome(missing)

    def outcome(self, missing: Outcome) -> Finding:
        """The finding of an :class:`Outcome`: ``skipped`` or ``error``, with its reason and location."""
        return self.finding(missing.status, reason=missing.reason, location=missing.location)

    def finding(
        self,
        status: Status,
        *,
        subjects: Iterable[str] = (),
        location: Location | None = None,
        evidence: Iterable[str] = (),
        title: str | None = None,
        remediation: str | None = None,
        reason: str = "",
        collector: str | None = None,
        confidence: Confidence | None = None,
        severity: Severity | None = None,
        reference: str | None = None,
    ) -> Finding:
        """A finding of this check with the given status (fields default to the spec's).

        ``confidence`` travels with the finding and caps its severity
        (:meth:`Confidence.cap` of ``severity``, else of the spec's). The spec's severity is
        the highest the check reports (docs/severity.md): a higher ``severity`` is capped.
        """
        base = self.severity if severity is None else min(severity, self.severity)
        return Finding(
            id=self.id,
            section=self.section,
            status=status,
            severity=confidence.cap(base) if confidence is not None else base,
            confidence=confidence,
            title=title or self.title,
            subjects=tuple(subjects),
            location=location,
            evidence=tuple(evidence),
            remediation=self.remediation if remediation is None else remediation,
            reference=self.reference if reference is None else reference,
            collector=self.collector if collector is None else collector,
            reason=reason,
        )

    def fail(self, **kw: Any) -> Finding:
        """A failing finding: ``subjects``, ``location``, ``evidence``, optional ``title``."""
        return self.finding(Status.FAIL, **kw)

    def passed(self, **kw: Any) -> Finding:
        """An explicit pass, for checks that want to say what they saw."""
        return self.finding(Status.PASS, **kw)

    def skipped(self, reason: str, **kw: Any) -> Finding:
        """A skipped outcome: the check does not apply or its input is missing."""
        return self.finding(Status.SKIPPED, reason=reason, **kw)

    def ask(self, **kw: Any) -> Finding:
        """A manual finding: a person must attest it (``[tool.golive.attest]``)."""
        return self.finding(Status.MANUAL, **kw)


class RegistryError(Exception):
    """A check was declared wrongly (bad or duplicate id, missing reference)."""


def check(
    id: str,
    *,
    title: str,
    severity: Severity,
    needs: tuple[type, ...],
    reference: str,
    remediation: str,
    manual: bool = False,
    validity_days: int | None = None,
    uses: tuple[type, ...] = (),
    requires: tuple[Requirement, ...] = (),
    each: Units | None = None,
) -> Callable[[CheckFunc], CheckSpec]:
    """Declare a check: the decorated function becomes a :class:`CheckSpec` (with ``each``,
    a per-unit check: see :attr:`CheckSpec.each`).

    Raises :class:`RegistryError` for an id that is not ``GL`` + three digits or a
    reference that is not an https URL.
    """
    if not ID_RE.match(id):
        raise RegistryError(f"check id {id!r} is not GL followed by three digits")
    if not reference.startswith("https://"):
        raise RegistryError(f"{id}: reference must be an https URL")

    def wrap(func: CheckFunc) -> CheckSpec:
        return CheckSpec(
            id=id,
            title=title,
            severity=severity,
            needs=needs,
            reference=reference,
            remediation=inspect.cleandoc(remediation),
            func=func,
            rationale=inspect.cleandoc(func.__doc__ or ""),
            manual=manual,
            validity_days=validity_days,
            uses=uses,
            requires=requires,
            each=each,
        )

    return wrap


class Registry:
    """The catalogue of checks, by id. Built from explicit module lists."""

    def __init__(self, specs: Iterable[CheckSpec] = ()) -> None:
        self._specs: dict[str, CheckSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: CheckSpec) -> None:
        """Add one spec; :class:`RegistryError` when its id is already taken."""
        if spec.id in self._specs:
            raise RegistryError(f"duplicate check id {spec.id}")
        self._specs[spec.id] = spec

    @classmethod
    def from_modules(cls, modules: Iterable[Any]) -> Registry:
        """Collect every :class:`CheckSpec` defined at the top level of ``modules``."""
        reg = cls()
        for module in modules:
            for value in vars(module).values():
                if isinstance(value, CheckSpec):
                    reg.add(value)
        return reg

    def __iter__(self) -> Iterator[CheckSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._specs

    def get(self, check_id: str) -> CheckSpec | None:
        """The spec with this id (case-insensitive), or None."""
        return self._specs.get(check_id.upper())


def matches(check_id: str, prefixes: Iterable[str]) -> bool:
    """True when ``check_id`` starts with one of ``prefixes`` (case-insensitive).

    ``--ignore GL7`` drops the web-server section, ``--select security.`` Django's ids.
    """
    cid = check_id.lower()
    return any(cid.startswith(p.lower()) for p in prefixes)
