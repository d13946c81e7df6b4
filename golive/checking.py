"""Running the checks: each isolated (:func:`run_check`), and early, while collectors still run
(:class:`EarlyChecks`, the runner's ``on_settled``: the checks whose inputs are in run
during the runtime probe, with the findings they would give at the end).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from golive.collectors import one_line
from golive.facts.run import RunFacts
from golive.model import CollectorRun, Finding, Status
from golive.registry import CheckSpec, Facts, Registry, T

if TYPE_CHECKING:
    from golive.collectors import CollectorSpec


def _crashed(spec: CheckSpec, exc: Exception) -> Finding:
    return spec.finding(Status.ERROR, reason=f"check crashed: {one_line(exc)}")


def _missing_reason(spec: CheckSpec, facts: Facts, runs: dict[str, CollectorRun]) -> str | None:
    for kind in spec.needs:
        if kind in facts:
            continue
        name = getattr(kind, "collector", "") or kind.__name__
        run = next(
            (r for r in runs.values() if r.name == name or getattr(kind, "collector", None) == r.name), None
        )
        if run is None:
            return f"{name}: not collected"
        return f"{run.name}: {run.reason or run.status}"
    return None


def run_check(spec: CheckSpec, facts: Facts, runs: dict[str, CollectorRun]) -> list[Finding]:
    """Run one check, isolated. Its input missing (a needed collector did not run, or a
    ``requires`` precondition does not hold) → ``skipped`` with the reason; no failing
    finding → one ``pass``; a crash → ``error``."""
    missing = _missing_reason(spec, facts, runs)
    if missing is not None:
        return [spec.skipped(missing)]
    try:
        unmet = spec.unmet(facts)
    except Exception as exc:
        return [_crashed(spec, exc)]
    if unmet is not None:
        return [spec.skipped(unmet)]
    try:
        found = list(spec(facts))
    except Exception as exc:
        return [_crashed(spec, exc)]
    if not found:
        return [spec.ask()] if spec.manual else [spec.passed()]
    return found


class _Running(BaseException):
    """Raised by :class:`_SettledFacts` when a check reads the facts of a collector that still
    runs (a ``BaseException``: a check's own ``except Exception`` does not swallow it)."""

    def __init__(self, kind: type) -> None:
        super().__init__(kind.__name__)
        self.kind = kind


class _SettledFacts(Facts):
    """The facts of the collectors settled so far: reading (``[]``, ``get``, ``in``) a type
    whose collector still runs (the type it produces, or one whose ``collector`` names it,
    which :func:`_missing_reason` reads) raises :class:`_Running`: its answer is not known yet."""

    def __init__(self, items: Mapping[type, object], running: Sequence[CollectorSpec]) -> None:
        super().__init__(items)
        self._kinds = {spec.produces for spec in running}
        self._names = {spec.name for spec in running}

    def _known(self, kind: type) -> None:
        if kind in self._kinds or getattr(kind, "collector", None) in self._names:
            raise _Running(kind)

    def __getitem__(self, kind: type[T]) -> T:
        self._known(kind)
        return super().__getitem__(kind)

    def get(self, kind: type[T]) -> T | None:
        self._known(kind)
        return super().get(kind)

    def __contains__(self, kind: type) -> bool:
        self._known(kind)
        return super().__contains__(kind)


def _still(facts: _SettledFacts, kind: type) -> bool:
    """True while ``kind`` cannot be read from ``facts`` (its collector still runs)."""
    try:
        kind in facts  # noqa: B015 - asked for the exception it may raise
    except _Running:
        return True
    return False


class EarlyChecks:
    """Runs the checks whose inputs are in while the other collectors (the runtime probe)
    still run: the ``on_settled`` of :func:`golive.collectors.scheduler.collect_all`.

    A check is a pure function of the facts it reads (checks do no I/O and read no run
    context: ``tests/test_architecture.py``), so its findings are final once every facts
    type it read had settled. It is tried with :class:`_SettledFacts`: reading a type
    still being collected stops it (:class:`_Running`), its partial output is dropped, and
    it is tried again once that type has settled, or left to :func:`golive.runner.run_audit`
    at the end. ``loaded`` holds the registry once it is imported (nothing runs before);
    ``selected(check_id)`` tells the checks the audit runs; ``asked`` is the run's
    :class:`~golive.facts.run.RunFacts`. ``findings`` holds the final findings by check id.
    """

    def __init__(self, loaded: Sequence[Registry], selected: Callable[[str], bool], asked: RunFacts) -> None:
        self._loaded, self._selected, self._asked = loaded, selected, asked
        self._waiting: dict[str, type | None] = {}  # check id → the type it waits for
        self.findings: dict[str, list[Finding]] = {}

    def __call__(
        self, items: Mapping[type, object], runs: Mapping[str, CollectorRun], running: Sequence[CollectorSpec]
    ) -> None:
        if not self._loaded or not running:  # all settled: run_audit runs the rest at once
            return
        facts = _SettledFacts({**items, RunFacts: self._asked}, running)
        for spec in self._loaded[0]:
            if spec.id in self.findings or not self._selected(spec.id):
                continue
            waiting = self._waiting.get(spec.id)
            if waiting is not None and _still(facts, waiting):
                continue
            try:
                self.findings[spec.id] = run_check(spec, facts, dict(runs))
            except _Running as wait_for:
                self._waiting[spec.id] = wait_for.kind
