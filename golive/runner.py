"""The runner: collectors → facts → checks → findings → audit.

Every collector and every check is isolated: a crash becomes a ``CollectorRun`` with
status ``error`` or an ``error`` finding with its reason, and the run goes on; so does a
collector that overruns its time budget (:func:`collector_budget`), which costs that
collector only. Filtering
(``--select``/``--ignore``), silencing (``SILENCED_SYSTEM_CHECKS``, for Django's ids and
golive's alike), attestations and the exit status live here, not in the CLI; so does the
verdict (GO, GO WITH CONDITIONS, NO-GO, INCOMPLETE), decided once when the audit is made by
the pure rules of :func:`golive.verdict.decide` and carried by :attr:`Audit.verdict`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from itertools import islice

from golive import __version__, processes
from golive.baseline import apply_baseline
from golive.collectors import CollectorError, CollectorSpec, Skip, all_collectors
from golive.collectors.runtime import ProbeFailed, RuntimeFacts
from golive.context import AuditContext
from golive.facts.project import ProjectFacts
from golive.facts.run import RunFacts, run_facts
from golive.facts.source import SourceFacts
from golive.model import Attestation, Audit, CollectorRun, Finding, Section, Severity, Status
from golive.provenance import audit_inputs as provenance_inputs
from golive.registry import CheckSpec, Facts, FactsBase, Registry, matches
from golive.repeats import merge_repeats
from golive.settings_role import demote_development
from golive.signoff import audit_inputs
from golive.verdict import decide

Progress = Callable[[str, str], None]
"""``progress(name, state)``: state is ``start``, ``ok``, ``skipped`` or ``error``."""


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, (CollectorError, Skip)):
        text = f"{type(exc).__name__}: {text}"
    return " ".join(text.split())[:400]


def run_collector(
    spec: CollectorSpec, ctx: AuditContext, earlier: Facts | None = None
) -> tuple[CollectorRun, object | None]:
    """Run one collector, isolated: (its run record, its facts or None)."""
    if spec.name == "runtime" and ctx.options.no_runtime:
        return CollectorRun(name=spec.name, status="skipped", reason="switched off with --no-runtime"), None
    start = time.perf_counter()
    try:
        facts = spec.collect(ctx, earlier or Facts({})) if spec.uses else spec.collect(ctx)
    except Skip as exc:
        return CollectorRun(
            name=spec.name, status="skipped", reason=_one_line(exc), duration=time.perf_counter() - start
        ), None
    except ProbeFailed as exc:
        details = {
            "django_version": exc.details.get("django_version"),
            "python_version": (exc.details.get("python") or {}).get("version"),
        }
        return CollectorRun(
            name=spec.name,
            status="error",
            reason=_one_line(exc),
            duration=time.perf_counter() - start,
            details=details,
        ), None
    except Exception as exc:
        return CollectorRun(
            name=spec.name, status="error", reason=_one_line(exc), duration=time.perf_counter() - start
        ), None
    shown = getattr(facts, "collector_details", None)  # e.g. the nginx files and how each was found
    return CollectorRun(
        name=spec.name,
        status="ok",
        duration=time.perf_counter() - start,
        details=dict(shown) if isinstance(shown, Mapping) else {},
    ), facts


#: The least time budget of a collector, in seconds (see :func:`collector_budget`).
MIN_BUDGET = 60.0
#: A collector's default budget is this many times ``--timeout``.
BUDGET_FACTOR = 5


def collector_budget(spec: CollectorSpec, ctx: AuditContext) -> float:
    """Seconds ``spec`` may run once started: its own ``budget`` when it declares one, else
    :data:`BUDGET_FACTOR` times ``--timeout`` and at least :data:`MIN_BUDGET` (so the
    runtime probe, bounded by ``--timeout`` itself, reports its own timeout first)."""
    if spec.budget is not None:
        return spec.budget
    return max(MIN_BUDGET, BUDGET_FACTOR * ctx.timeout)


def over_budget(spec: CollectorSpec, budget: float) -> str:
    """The reason a collector over its budget is an error: the true one, naming it."""
    reason = f"the {spec.name} collector did not finish in {budget:g} s"
    return reason if spec.budget is not None else f"{reason}: raise --timeout (it allows {BUDGET_FACTOR}×)"


Result = tuple[CollectorRun, object | None]


def _supervise(
    spec: CollectorSpec,
    ctx: AuditContext,
    producers: dict[type, Future[Result]],
    settled: Future[Result],
    progress: Progress | None,
) -> None:
    """Run one collector in a thread of its own and settle ``settled`` with its result, or
    with an error once it overruns its budget: its process groups are then killed, its
    thread abandoned (a thread cannot be killed) and its result, should it come, ignored."""
    try:
        earlier = Facts(
            {kind: made for kind, fut in producers.items() if (made := fut.result()[1]) is not None}
        )
        if progress:
            progress(spec.name, "start")
        budget = collector_budget(spec, ctx)
        outcome: Future[Result] = Future()
        owner = object()

        def work() -> None:
            with processes.owned_by(owner):
                try:
                    outcome.set_result(run_collector(spec, ctx, earlier))
                except BaseException as exc:
                    outcome.set_exception(exc)

        worker = threading.Thread(target=work, name=f"golive-{spec.name}", daemon=True)
        start = time.perf_counter()
        worker.start()
        try:
            result = outcome.result(timeout=budget)
        except FutureTimeout:
            processes.kill_owned(owner)
            processes.abandon(worker)
            run = CollectorRun(
                name=spec.name,
                status="error",
                reason=over_budget(spec, budget),
                duration=time.perf_counter() - start,
            )
            result = (run, None)
        if progress:
            progress(spec.name, result[0].status)
        settled.set_result(result)
    except BaseException as exc:
        settled.set_exception(exc)


def collect_all(
    ctx: AuditContext,
    collectors: Iterable[CollectorSpec],
    progress: Progress | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[list[CollectorRun], dict[type, object]]:
    """Run every collector concurrently, each in a thread of its own (the slow ones wait on
    subprocesses) and under its time budget (:func:`collector_budget`): one that overruns
    it is an ``error`` with that reason, and the others go on.

    A collector with ``uses`` starts once the collectors producing those facts types
    (listed before it) are done or out of time, and gets their facts. ``meanwhile`` is
    called on this thread once every collector has started: work that does not need
    facts (importing the checks) overlaps with the runtime probe. The threads are daemon
    threads and never joined: should this thread be interrupted (Ctrl-C), every process
    group a collector started is killed and the exception goes on at once.
    """
    runs: list[CollectorRun] = []
    facts: dict[type, object] = {}
    started: dict[type, Future[Result]] = {}
    ordered: list[tuple[CollectorSpec, Future[Result]]] = []
    try:
        for spec in collectors:  # may be lazy: each one starts before the next is imported
            producers = {kind: started[kind] for kind in spec.uses if kind in started}
            settled: Future[Result] = Future()
            threading.Thread(
                target=_supervise,
                args=(spec, ctx, producers, settled, progress),
                name=f"golive-{spec.name}-supervisor",
                daemon=True,
            ).start()
            started[spec.produces] = settled
            ordered.append((spec, settled))
        if meanwhile is not None:
            meanwhile()
        for spec, settled in ordered:
            run, produced = settled.result()
            runs.append(run)
            if produced is not None:
                facts[spec.produces] = produced
    except BaseException:
        processes.kill_all()
        raise
    return runs, facts


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
        return [spec.finding(Status.ERROR, reason=f"check crashed: {_one_line(exc)}")]
    if unmet is not None:
        return [spec.skipped(unmet)]
    try:
        found = list(spec(facts))
    except Exception as exc:
        return [spec.finding(Status.ERROR, reason=f"check crashed: {_one_line(exc)}")]
    if not found:
        return [spec.ask()] if spec.manual else [spec.passed()]
    return found


def apply_attestations(
    findings: Iterable[Finding],
    attestations: Sequence[Attestation],
    registry: Registry,
    today: dt.date,
) -> tuple[list[Finding], list[Attestation]]:
    """Turn signed manual findings into passes; expired signatures stay manual.

    A signature lasts the check's ``validity_days`` (None: forever). Returns the new
    findings and the attestations with ``expires``/``expired`` filled in.
    """
    resolved: dict[str, Attestation] = {}
    for att in attestations:
        spec = registry.get(att.check_id)
        expires = None
        if spec and spec.validity_days is not None:
            expires = dt.date.fromisoformat(att.on) + dt.timedelta(days=spec.validity_days)
        resolved[att.check_id] = replace(
            att,
            expires=expires.isoformat() if expires else None,
            expired=bool(expires and expires < today),
        )
    out = []
    for f in findings:
        signed = resolved.get(f.id)
        if f.status is Status.MANUAL and signed is not None:
            att = signed
            if att.expired:
                f = replace(
                    f, attestation=att, reason=f"signed by {att.by} on {att.on}, expired {att.expires}"
                )
            else:
                f = replace(
                    f, status=Status.PASS, attestation=att, reason=f"attested by {att.by} on {att.on}"
                )
        out.append(f)
    return out, list(resolved.values())


def _filter(findings: Iterable[Finding], ctx: AuditContext, silenced: frozenset[str]) -> list[Finding]:
    out = []
    for f in findings:
        if ctx.select and not matches(f.id, ctx.select):
            continue
        if ctx.ignore and matches(f.id, ctx.ignore):
            continue
        if f.id in silenced and f.status in (Status.FAIL, Status.MANUAL):
            f = replace(f, status=Status.SKIPPED, reason="silenced by SILENCED_SYSTEM_CHECKS")
        out.append(f)
    return out


_STATUS_RANK = {Status.ERROR: 0, Status.FAIL: 1, Status.MANUAL: 2, Status.SKIPPED: 3, Status.PASS: 4}
_SECTIONS = list(Section)


def section_order(f: Finding) -> tuple[int, int, int, str]:
    """Sort key: checklist section order, then errors and failures first, by severity, then id."""
    return (_SECTIONS.index(f.section), _STATUS_RANK[f.status], -int(f.severity), f.id)


#: Facts every audit has, whatever is selected: the runtime, source and project facts are
#: cheap and give every finding its file and line; the run facts are the options themselves.
CORE_FACTS: tuple[type, ...] = (RuntimeFacts, SourceFacts, ProjectFacts, RunFacts)
PRUNED = "not needed by the selected checks (--select/--ignore)"


def _selected(check_id: str, ctx: AuditContext) -> bool:
    return (not ctx.select or matches(check_id, ctx.select)) and not (
        ctx.ignore and matches(check_id, ctx.ignore)
    )


def _skip_pruned(*_: object) -> FactsBase:
    raise Skip(PRUNED)


def prune(collectors: Sequence[CollectorSpec], specs: Iterable[CheckSpec]) -> list[CollectorSpec]:
    """``collectors`` with those whose facts no spec ``needs`` or ``uses`` (nor another kept
    collector ``uses``) replaced by one that is skipped with :data:`PRUNED`."""
    wanted = set(CORE_FACTS)
    for spec in specs:
        wanted.update(spec.needs)
        wanted.update(spec.uses)
    for c in collectors:  # a kept collector's inputs are kept too
        if c.produces in wanted:
            wanted.update(c.uses)
    return [c if c.produces in wanted else replace(c, collect=_skip_pruned, uses=()) for c in collectors]


def _django_root(ctx: AuditContext) -> str:
    """The Django root relative to the project directory (``.`` for the directory itself)."""
    try:
        return ctx.django_dir.relative_to(ctx.project_dir).as_posix() or "."
    except ValueError:
        return str(ctx.django_dir)


def run_audit(
    ctx: AuditContext,
    *,
    registry: Registry | None = None,
    collectors: Sequence[CollectorSpec] | None = None,
    progress: Progress | None = None,
) -> Audit:
    """Run the whole audit for a resolved context and return the :class:`Audit`.

    With ``--select``/``--ignore``, collectors that no selected check needs or uses are
    not run (see :func:`prune`); otherwise the checks are imported while the collectors
    run.
    """
    loaded: list[Registry] = []
    started = time.perf_counter()

    def default_registry() -> Registry:
        # imported here, not with this module: every check module (and the collectors'
        # facts they read) loads while the runtime probe runs, not before it starts
        from golive.checks import registry as checks_registry

        return checks_registry()

    def chosen() -> Iterator[CollectorSpec]:
        specs = iter(collectors or all_collectors())
        yield from islice(specs, 1)  # the runtime probe starts before anything else is imported
        if ctx.select or ctx.ignore:
            loaded.append(registry or default_registry())
            yield from prune(list(specs), [s for s in loaded[0] if _selected(s.id, ctx)])
        else:
            yield from specs

    runs, items = collect_all(
        ctx,
        chosen(),
        progress,
        meanwhile=lambda: None if loaded else loaded.append(registry or default_registry()),
    )
    reg = loaded[0]
    facts = Facts({**items, RunFacts: run_facts(ctx)})  # what the user asked for, typed
    by_name = {r.name: r for r in runs}

    findings: list[Finding] = []
    for spec in reg:
        if _selected(spec.id, ctx):
            findings.extend(run_check(spec, facts, by_name))
    runtime = facts.get(RuntimeFacts)
    if progress:
        progress("checks", "ok")
    check_output = ""
    if runtime is not None:  # Django's own checks (and their catalogue): only with the settings
        from golive.checks.django_checks import django_check_output, django_findings

        findings.extend(django_findings(facts))
        check_output = django_check_output(runtime)
    findings = demote_development(findings, ctx.settings_development)  # golive.settings_role
    silenced = runtime.silenced if runtime else frozenset()
    findings = merge_repeats(_filter(findings, ctx, silenced))  # one finding, every location
    findings, attestations = apply_attestations(findings, ctx.config.attestations, reg, ctx.started.date())
    findings = apply_baseline(findings, ctx, runs)
    findings.sort(key=section_order)

    runtime_run = by_name.get("runtime")
    django_version = (
        runtime.django_version
        if runtime
        else (runtime_run.details.get("django_version") if runtime_run else None)
    )
    python_version = (
        runtime.python_version
        if runtime
        else (runtime_run.details.get("python_version") if runtime_run else None)
    )
    made = Audit(
        golive_version=__version__,
        started_at=ctx.started.isoformat(timespec="seconds"),
        duration=round(time.perf_counter() - started, 3),
        author=ctx.author,
        project_name=ctx.project_name,
        project_path=str(ctx.project_dir),
        git_commit=ctx.git.commit,
        git_dirty=ctx.git.dirty,
        settings_module=ctx.settings_module,
        settings_reason=ctx.settings_reason,
        django_version=django_version,
        python_version=python_version,
        collectors=tuple(runs),
        findings=tuple(findings),
        attestations=tuple(attestations),
        screenshots=tuple(shot for item in items.values() for shot in getattr(item, "screenshots", ())),
        django_check_output=check_output,
        fail_on=ctx.fail_on,
        django_root=_django_root(ctx),
        django_root_reason=ctx.django_root_reason,
        deployment_files=ctx.layout.files() if ctx.layout is not None else (),
        inputs={
            "python": ctx.python,
            "env_file": str(ctx.options.env_file or "") or None,
            "timeout": ctx.timeout,
            "select": list(ctx.select),
            "ignore": list(ctx.ignore),
            **audit_inputs(ctx),  # author_source, approvers (golive.signoff)
            **provenance_inputs(ctx, runtime.settings if runtime else None),  # environment, placeholders
        },
    )
    return replace(made, verdict=decide(made))  # decided once, here (golive.verdict)


__all__ = ["Progress", "Severity", "run_audit"]
