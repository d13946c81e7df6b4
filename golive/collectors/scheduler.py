"""Running the collectors: each in a thread of its own, under its time budget; the
in-process ones one at a time, those that wait on a subprocess or the network alongside them
(see :func:`collect_all`).

A collector that raises becomes a ``CollectorRun`` with status ``skipped`` (:class:`Skip`)
or ``error`` and the run goes on; so does one that overruns its budget
(:func:`collector_budget`), which costs that collector only: its process groups are killed
(:mod:`golive.processes`). :func:`golive.runner.run_audit` calls :func:`collect_all`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout

from golive import processes
from golive.collectors import CollectorSpec, ProbeFailed, Skip, all_collectors, one_line
from golive.context import AuditContext
from golive.model import CollectorRun, CollectorStatus
from golive.registry import Facts

Progress = Callable[[str, str], None]
"""``progress(name, state)``: state is ``start``, ``ok``, ``skipped`` or ``error``."""


def run_collector(
    spec: CollectorSpec, ctx: AuditContext, earlier: Facts | None = None
) -> tuple[CollectorRun, object | None]:
    """Run one collector, isolated: (its run record, its facts or None)."""
    if spec.name == "runtime" and ctx.options.no_runtime:
        return CollectorRun(
            name=spec.name, status=CollectorStatus.SKIPPED, reason="switched off with --no-runtime"
        ), None
    start = time.perf_counter()
    try:
        facts = spec.collect(ctx, earlier or Facts({})) if spec.uses else spec.collect(ctx)
    except Skip as exc:
        return CollectorRun(
            name=spec.name,
            status=CollectorStatus.SKIPPED,
            reason=one_line(exc),
            duration=time.perf_counter() - start,
        ), None
    except Exception as exc:
        details = {}  # the runtime probe's failure still names the versions it saw
        if isinstance(exc, ProbeFailed):
            details = {
                "django_version": exc.details.get("django_version"),
                "python_version": (exc.details.get("python") or {}).get("version"),
            }
        return CollectorRun(
            name=spec.name,
            status=CollectorStatus.ERROR,
            reason=one_line(exc),
            duration=time.perf_counter() - start,
            details=details,
        ), None
    shown = getattr(facts, "collector_details", None)  # e.g. the nginx files and how each was found
    return CollectorRun(
        name=spec.name,
        status=CollectorStatus.OK,
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


def _in_thread(
    spec: CollectorSpec, owner: object, call: Callable[[], object]
) -> tuple[Future[object], threading.Thread]:
    """Start ``call()`` in a daemon thread named after ``spec``, its processes owned by
    ``owner``: (the future settled with its result or exception, the thread)."""
    outcome: Future[object] = Future()

    def work() -> None:
        with processes.owned_by(owner):
            try:
                outcome.set_result(call())
            except BaseException as exc:
                outcome.set_exception(exc)

    worker = threading.Thread(target=work, name=f"golive-{spec.name}", daemon=True)
    worker.start()
    return outcome, worker


def _gate_decides(spec: CollectorSpec, ctx: AuditContext) -> bool:
    """Whether ``spec.gate(ctx)`` decided the collector's answer without the facts it uses
    (it raised: a Skip, or an error the collector gives too)."""
    assert spec.gate is not None
    try:
        spec.gate(ctx)
    except Exception:
        return True
    return False


def _supervise(
    spec: CollectorSpec,
    ctx: AuditContext,
    producers: dict[type, Future[Result]],
    settled: Future[Result],
    progress: Progress | None,
) -> None:
    """:func:`_run_in_thread`, settling ``settled`` with its result or its exception: the
    target of the supervisor thread :func:`launch` starts."""
    try:
        settled.set_result(_run_in_thread(spec, ctx, producers, progress))
    except BaseException as exc:
        settled.set_exception(exc)


def _run_in_thread(
    spec: CollectorSpec,
    ctx: AuditContext,
    producers: dict[type, Future[Result]],
    progress: Progress | None,
) -> Result:
    """Run one collector in a thread of its own and give its result, or an error once it
    overruns its budget: its process groups are then killed, its thread abandoned (a
    thread cannot be killed) and its result, should it come, ignored.

    A collector with a ``gate`` and facts to wait for has it called first, before that
    wait: when it raises, the collector runs at once with no earlier facts (and gives the
    gate's answer). The gate is the collector's own work: it runs in the collector's
    thread and counts against its budget (it may read ``/proc``, which can block), and
    the collector gets what the gate left of it; the wait for the producers does not
    count."""
    budget = collector_budget(spec, ctx)
    owner = object()
    spent = 0.0
    if producers and spec.gate is not None:
        if progress:  # shown while its gate runs (and again once its facts came)
            progress(spec.name, "start")
        start = time.perf_counter()
        gated, worker = _in_thread(spec, owner, lambda: _gate_decides(spec, ctx))
        try:
            decided = gated.result(timeout=budget)
        except FutureTimeout:
            return _overrun(spec, budget, owner, worker, start, progress)
        spent = time.perf_counter() - start
        if decided:
            producers = {}
    earlier = Facts({kind: made for kind, fut in producers.items() if (made := fut.result()[1]) is not None})
    if progress:
        progress(spec.name, "start")
    start = time.perf_counter() - spent
    outcome, worker = _in_thread(spec, owner, lambda: run_collector(spec, ctx, earlier))
    try:
        result: Result = outcome.result(timeout=max(0.0, budget - spent))  # type: ignore[assignment]
    except FutureTimeout:
        return _overrun(spec, budget, owner, worker, start, progress)
    if progress:
        progress(spec.name, result[0].status)
    return result


def _overrun(
    spec: CollectorSpec,
    budget: float,
    owner: object,
    worker: threading.Thread,
    start: float,
    progress: Progress | None,
) -> Result:
    """The result of a collector over its budget (started at ``start``, perf_counter):
    its process groups killed, its thread abandoned."""
    processes.kill_owned(owner)
    processes.abandon(worker)
    run = CollectorRun(
        name=spec.name,
        status=CollectorStatus.ERROR,
        reason=over_budget(spec, budget),
        duration=time.perf_counter() - start,
    )
    if progress:
        progress(spec.name, run.status)
    return run, None


Settled = Callable[[Mapping[type, object], Mapping[str, CollectorRun], tuple[CollectorSpec, ...]], None]
"""``on_settled(facts, runs, running)``: the facts produced and the run records of the
collectors settled so far, and the collectors still running (see :func:`collect_all`)."""


def _follow(ordered: list[tuple[CollectorSpec, Future[Result]]], on_settled: Settled) -> None:
    """Call ``on_settled`` now and each time one or more of ``ordered`` settle, until all have."""
    reported: set[int] = set()
    while True:
        done = [(i, spec, fut) for i, (spec, fut) in enumerate(ordered) if fut.done()]
        if len(done) > len(reported):
            reported = {i for i, _, _ in done}
            results = [(spec, fut.result()) for _, spec, fut in done]
            on_settled(
                {spec.produces: made for spec, (_, made) in results if made is not None},
                {run.name: run for _, (run, _) in results},
                tuple(spec for i, (spec, _) in enumerate(ordered) if i not in reported),
            )
        running = [fut for spec, fut in ordered if not fut.done()]
        if not running:
            return
        wait(running, return_when=FIRST_COMPLETED)


def launch(
    spec: CollectorSpec,
    ctx: AuditContext,
    producers: Mapping[type, Future[Result]] | None = None,
    progress: Progress | None = None,
) -> Future[Result]:
    """Start one collector in a thread of its own, under its time budget, once the
    collectors in ``producers`` (the futures of the facts types it ``uses``) are settled;
    the future it returns is settled with ``(its run record, its facts or None)``.

    :func:`golive.cli.run_and_report` launches the runtime probe this way as soon as the
    context is resolved, before the other collectors, the checks and the renderers are
    imported, and hands the future to :func:`collect_all` (``launched``)."""
    settled: Future[Result] = Future()
    threading.Thread(
        target=_supervise,
        args=(spec, ctx, dict(producers or {}), settled, progress),
        name=f"golive-{spec.name}-supervisor",
        daemon=True,
    ).start()
    return settled


def launch_first(ctx: AuditContext, progress: Progress | None = None) -> dict[str, Future[Result]]:
    """Launch the first of :data:`golive.collectors.COLLECTORS`, the runtime probe (the
    longest step of an audit), importing no other collector: ``{its name: its future}``,
    for :func:`collect_all`'s ``launched``."""
    first = next(all_collectors())
    return {first.name: launch(first, ctx, progress=progress)}


def in_turn(
    spec: CollectorSpec,
    ctx: AuditContext,
    producers: Mapping[type, Future[Result]] | None = None,
    progress: Progress | None = None,
) -> Future[Result]:
    """Run one collector now, in a thread of its own under its time budget, while this
    thread waits for it: the future returned is settled already. The ``producers`` must be
    settled (a collector whose producers still run is :func:`launch`-ed instead). An
    exception of this thread (Ctrl-C, a signal: :class:`golive.processes.Interrupted`)
    goes on at once; any other is the future's."""
    settled: Future[Result] = Future()
    try:
        settled.set_result(_run_in_thread(spec, ctx, dict(producers or {}), progress))
    except Exception as exc:
        settled.set_exception(exc)
    return settled


def _overran(spec: CollectorSpec, ctx: AuditContext, settled: Future[Result]) -> bool:
    """Whether ``settled`` (done) holds ``spec``'s overrun of its budget (:func:`_overrun`)."""
    if settled.exception() is not None:
        return False
    run = settled.result()[0]
    overrun = over_budget(spec, collector_budget(spec, ctx))
    return run.status == CollectorStatus.ERROR and run.reason == overrun


def collect_all(
    ctx: AuditContext,
    collectors: Iterable[CollectorSpec],
    progress: Progress | None = None,
    meanwhile: Callable[[], object] | None = None,
    launched: Mapping[str, Future[Result]] | None = None,
    on_settled: Settled | None = None,
) -> tuple[list[CollectorRun], dict[type, object]]:
    """Run every collector, each in a thread of its own and under its time budget
    (:func:`collector_budget`): one that overruns it is an ``error`` with that reason, and
    the others go on.

    The collectors run one at a time, in order (:func:`in_turn`), but for two kinds, which
    run alongside them (:func:`launch`): a collector marked ``alongside``, whose time is
    mostly spent waiting for a subprocess or the network (the runtime probe, gunicorn's
    loader, git...), and one whose producers still run. The others' work is Python code,
    which one thread runs at a time: run together, their threads contend for the
    interpreter's lock at every file read and lose more than they overlap (on the bookshop
    example with ``--no-runtime``, about 25 ms of an audit's 0.3 s and 35 ms of its CPU
    time: ``benchmarks/bench_audit.py``, issue 15). Once a collector in its turn overran its
    budget, the rest run alongside: a file system that stopped answering (a hung NFS mount)
    would hang each collector that reads it, and their budgets would add up.

    A collector with ``uses`` starts once the collectors producing those facts types
    (listed before it) are done or out of time, and gets their facts. A collector named in
    ``launched`` was started already (:func:`launch`): its future is used, it is not run
    again. ``meanwhile`` is called on this thread once every collector has started (those in
    turn have run): work that does not need facts (importing the checks) overlaps with the
    runtime probe; then ``on_settled`` (see :data:`Settled`) each time collectors have
    settled, until all have. The threads are daemon threads and never joined: should this
    thread be interrupted (Ctrl-C), every process group a collector started is killed and
    the exception goes on at once.
    """
    runs: list[CollectorRun] = []
    facts: dict[type, object] = {}
    started: dict[type, Future[Result]] = {}
    ordered: list[tuple[CollectorSpec, Future[Result]]] = []
    early = dict(launched or {})
    stuck = False  # a collector in its turn overran its budget: the rest run alongside
    try:
        for spec in collectors:  # may be lazy: each one starts before the next is imported
            settled = early.pop(spec.name, None)
            if settled is None:
                producers = {kind: started[kind] for kind in spec.uses if kind in started}
                if spec.alongside or stuck or not all(fut.done() for fut in producers.values()):
                    settled = launch(spec, ctx, producers, progress)
                else:
                    settled = in_turn(spec, ctx, producers, progress)
                    stuck = _overran(spec, ctx, settled)
            started[spec.produces] = settled
            ordered.append((spec, settled))
        if meanwhile is not None:
            meanwhile()
        if on_settled is not None:
            _follow(ordered, on_settled)
        for spec, settled in ordered:
            run, produced = settled.result()
            runs.append(run)
            if produced is not None:
                facts[spec.produces] = produced
    except BaseException:
        processes.kill_all()
        raise
    return runs, facts
