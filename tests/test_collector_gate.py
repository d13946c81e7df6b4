"""A collector's gate (``CollectorSpec.gate``, issue 15): the scheduler calls it before
waiting for the facts the collector uses; when it raises, the collector runs at once with no
earlier facts and gives that answer, while its producer is still running; when it passes,
the collector waits as before. The gate counts against the collector's budget. The real host
collector's gate decides off the server without waiting for the runtime probe. A failed
runtime probe's run keeps the versions it knew (ProbeFailed lives beside CollectorError).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import ClassVar

import pytest

from golive.collectors import CollectorError, CollectorSpec, Skip, host
from golive.collectors.runtime import ProbeFailed
from golive.collectors.scheduler import Result, launch, run_collector
from golive.context import AuditContext, AuditOptions, resolve
from golive.facts.runtime import RuntimeFacts
from golive.model import CollectorRun, CollectorStatus
from golive.registry import Facts, FactsBase


class EarlierFacts(FactsBase, frozen=True, kw_only=True):
    collector: ClassVar[str] = "earlier"


class GatedFacts(FactsBase, frozen=True, kw_only=True):
    collector: ClassVar[str] = "gated"
    saw_earlier: bool


@pytest.fixture
def ctx(make_project: Callable[..., Path]) -> AuditContext:
    return resolve(AuditOptions(project_dir=make_project(), no_git=True))


def _gated(gate: Callable[[AuditContext], None] | None, budget: float | None = 10.0) -> CollectorSpec:
    def collect(ctx: AuditContext, facts: Facts) -> GatedFacts:
        if gate is not None:
            gate(ctx)  # a collector with a gate gives the gate's answer
        return GatedFacts(saw_earlier=EarlierFacts in facts)

    return CollectorSpec(
        name="gated", produces=GatedFacts, collect=collect, uses=(EarlierFacts,), gate=gate, budget=budget
    )


def _off(ctx: AuditContext) -> None:
    raise Skip("not here")


def test_a_gate_that_skips_settles_the_collector_before_its_producer(ctx: AuditContext) -> None:
    producer: Future[Result] = Future()  # never settled during the test
    settled = launch(_gated(_off), ctx, {EarlierFacts: producer})
    run, facts = settled.result(timeout=10)
    assert (run.status, run.reason, facts) == ("skipped", "not here", None)
    assert not producer.done()


def test_a_gate_that_passes_waits_for_the_producer_and_its_facts(ctx: AuditContext) -> None:
    gates: list[AuditContext] = []
    producer: Future[Result] = Future()
    settled = launch(_gated(gates.append), ctx, {EarlierFacts: producer})
    with pytest.raises(TimeoutError):
        settled.result(timeout=0.3)  # waits for the producer
    producer.set_result((CollectorRun(name="earlier", status=CollectorStatus.OK), EarlierFacts()))
    run, facts = settled.result(timeout=10)
    assert run.status == "ok" and facts == GatedFacts(saw_earlier=True)
    assert gates == [ctx, ctx]  # the scheduler's call, then the collector's own


def test_a_gate_is_not_called_without_facts_to_wait_for(ctx: AuditContext) -> None:
    gates: list[AuditContext] = []
    settled = launch(_gated(gates.append), ctx, {})
    run, facts = settled.result(timeout=10)
    assert run.status == "ok" and facts == GatedFacts(saw_earlier=False)
    assert gates == [ctx]  # the collector's own call only


def test_a_gate_counts_against_the_collectors_budget(ctx: AuditContext, release: threading.Event) -> None:
    def stuck(ctx: AuditContext) -> None:
        release.wait(60)

    producer: Future[Result] = Future()
    settled = launch(_gated(stuck, budget=0.5), ctx, {EarlierFacts: producer})
    run, facts = settled.result(timeout=10)
    assert (run.status, run.reason, facts) == ("error", "the gated collector did not finish in 0.5 s", None)
    assert not producer.done()


def test_the_host_collector_off_the_server_does_not_wait_for_the_runtime_probe(ctx: AuditContext) -> None:
    assert host.SPEC.gate is not None and host.SPEC.uses == (RuntimeFacts,)
    runtime: Future[Result] = Future()  # the probe still running
    run, facts = launch(host.SPEC, ctx, {RuntimeFacts: runtime}).result(timeout=30)
    assert run.status == "skipped" and facts is None
    assert run.reason.startswith("not on the server: no application server runs from ")
    assert not runtime.done()


def test_a_failed_runtime_probe_keeps_what_it_knew_and_other_errors_their_type(ctx: AuditContext) -> None:
    def probe(ctx: AuditContext) -> GatedFacts:
        raise ProbeFailed("settings raised", {"django_version": "5.2", "python": {"version": "3.12.1"}})

    def broken(ctx: AuditContext) -> GatedFacts:
        raise KeyError("x")

    run, facts = run_collector(CollectorSpec(name="probe", produces=GatedFacts, collect=probe), ctx)
    assert (run.status, run.reason, facts) == ("error", "settings raised", None)
    assert run.details == {"django_version": "5.2", "python_version": "3.12.1"}
    run, _ = run_collector(CollectorSpec(name="broken", produces=GatedFacts, collect=broken), ctx)
    assert (run.status, run.reason, run.details) == ("error", "KeyError: 'x'", {})
    assert issubclass(ProbeFailed, CollectorError)


def test_a_gate_over_the_budget_was_shown_running(ctx: AuditContext, release: threading.Event) -> None:
    def stuck(ctx: AuditContext) -> None:
        release.wait(60)

    states: list[tuple[str, str]] = []
    producer: Future[Result] = Future()

    def progress(name: str, state: str) -> None:
        states.append((name, state))

    settled = launch(_gated(stuck, budget=0.3), ctx, {EarlierFacts: producer}, progress)
    assert settled.result(timeout=10)[0].status == "error"
    assert states == [("gated", "start"), ("gated", "error")]
