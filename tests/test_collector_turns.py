"""The in-process collectors run one at a time, in order (issue 15): their work is Python
code, which one thread runs at a time, and threads contending for the interpreter lock cost
more than they overlap. A collector marked ``alongside`` (its time is mostly a subprocess or
the network: the runtime probe, gunicorn's loader, git, the live site) runs beside them, and
so does one whose producers are still running; a collector in its turn is still under its
budget, and one over it costs that collector only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from conftest import audit_context

from golive.collectors import COLLECTORS, CollectorSpec, all_collectors
from golive.collectors.scheduler import collect_all
from golive.context import AuditContext
from golive.registry import Facts, FactsBase


class TurnFacts(FactsBase, frozen=True, kw_only=True):
    collector: ClassVar[str] = "turn"
    overlapped: tuple[str, ...]


class BesideFacts(FactsBase, frozen=True, kw_only=True):
    collector: ClassVar[str] = "beside"
    saw_running: tuple[str, ...]


class Running:
    """Which collectors of the test are running now."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now: set[str] = set()

    def enter(self, name: str) -> tuple[str, ...]:
        with self.lock:
            others = tuple(sorted(self.now))
            self.now.add(name)
            return others

    def leave(self, name: str) -> None:
        with self.lock:
            self.now.discard(name)


def _turn(name: str, running: Running, seconds: float = 0.05) -> CollectorSpec:
    """An in-process collector that takes ``seconds`` and records who ran beside it."""

    def collect(ctx: AuditContext) -> TurnFacts:
        others = running.enter(name)
        time.sleep(seconds)  # blocking, as file reads are: with threads, the others would run now
        others += running.enter(name)
        running.leave(name)
        return TurnFacts(overlapped=tuple(sorted(set(others) - {name})))

    kind = type(f"{name.title()}Facts", (TurnFacts,), {"collector": name})
    return CollectorSpec(name=name, produces=kind, collect=collect)


def test_in_process_collectors_run_one_at_a_time_and_an_alongside_one_beside_them(
    make_project: Callable[..., Path],
) -> None:
    running = Running()
    seen: list[tuple[str, ...]] = []
    beside_started = threading.Event()

    def beside(ctx: AuditContext) -> BesideFacts:
        running.enter("beside")
        beside_started.set()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # waits as a subprocess would, while the others run
            with running.lock:
                seen.append(tuple(sorted(running.now - {"beside"})))
            if any(seen[-1]) and "third" in {n for s in seen for n in s}:
                break
            time.sleep(0.005)
        running.leave("beside")
        return BesideFacts(saw_running=tuple(sorted({n for s in seen for n in s})))

    alongside = CollectorSpec(name="beside", produces=BesideFacts, collect=beside, alongside=True)
    ctx = audit_context(make_project(), no_git=True)
    specs = [alongside, _turn("first", running), _turn("second", running), _turn("third", running)]
    runs, facts = collect_all(ctx, specs)
    assert [(r.name, r.status) for r in runs] == [(s.name, "ok") for s in specs]
    for spec in specs[1:]:
        assert facts[spec.produces].overlapped in ((), ("beside",)), spec.name  # type: ignore[attr-defined]
    assert facts[BesideFacts].saw_running == ("first", "second", "third")  # it ran beside each


class AfterFacts(TurnFacts):
    collector: ClassVar[str] = "after"


def test_a_collector_whose_producers_still_run_waits_beside_the_others(
    make_project: Callable[..., Path], release: threading.Event
) -> None:
    order: list[str] = []

    def slow(ctx: AuditContext) -> BesideFacts:
        release.wait(0.5)
        order.append("slow")
        return BesideFacts(saw_running=())

    def reader(ctx: AuditContext, facts: Facts) -> TurnFacts:
        order.append("reader")
        return TurnFacts(overlapped=())

    def after(ctx: AuditContext) -> AfterFacts:
        order.append("after")
        return AfterFacts(overlapped=())

    producer = CollectorSpec(name="beside", produces=BesideFacts, collect=slow, alongside=True)
    waiting = CollectorSpec(name="turn", produces=TurnFacts, collect=reader, uses=(BesideFacts,))
    ctx = audit_context(make_project(), no_git=True)
    specs = [producer, waiting, CollectorSpec(name="after", produces=AfterFacts, collect=after)]
    runs, _ = collect_all(ctx, specs)
    assert [(r.name, r.status) for r in runs] == [("beside", "ok"), ("turn", "ok"), ("after", "ok")]
    assert order == ["after", "slow", "reader"]  # the next in turn did not wait for the producer


def test_a_collector_in_its_turn_over_its_budget_costs_that_collector_only(
    make_project: Callable[..., Path], release: threading.Event
) -> None:
    running = Running()

    def stuck(ctx: AuditContext) -> TurnFacts:
        release.wait(60)
        return TurnFacts(overlapped=())

    slow = CollectorSpec(name="turn", produces=TurnFacts, collect=stuck, budget=0.5)
    ctx = audit_context(make_project(), no_git=True)
    started = time.monotonic()
    runs, facts = collect_all(ctx, [slow, _turn("next", running)])
    assert time.monotonic() - started < 10
    assert [(r.name, r.status, r.reason) for r in runs] == [
        ("turn", "error", "the turn collector did not finish in 0.5 s"),
        ("next", "ok", ""),
    ]
    assert TurnFacts not in facts


def test_the_collectors_that_wait_on_a_subprocess_or_the_network_run_alongside() -> None:
    alongside = {spec.name for spec in all_collectors() if spec.alongside}
    assert alongside == {"runtime", "gunicorn", "dependencies", "git", "live"}
    assert len(COLLECTORS) == 14


def test_once_a_collector_in_its_turn_overran_its_budget_the_rest_run_alongside(
    make_project: Callable[..., Path], release: threading.Event
) -> None:
    """A hung file system (an NFS mount that stopped answering) would hang every collector
    reading the project: in turn, their budgets would add up. After the first overrun the
    others run alongside, so the audit waits about two budgets, not one per collector."""

    def stuck(ctx: AuditContext) -> TurnFacts:
        release.wait(60)
        return TurnFacts(overlapped=())

    kinds = [type(f"Stuck{i}Facts", (TurnFacts,), {"collector": f"stuck{i}"}) for i in range(5)]
    specs = [
        CollectorSpec(name=f"stuck{i}", produces=kind, collect=stuck, budget=1.0)
        for i, kind in enumerate(kinds)
    ]
    ctx = audit_context(make_project(), no_git=True)
    started = time.monotonic()
    runs, _ = collect_all(ctx, specs)
    elapsed = time.monotonic() - started
    assert [(r.name, r.status, r.reason) for r in runs] == [
        (f"stuck{i}", "error", f"the stuck{i} collector did not finish in 1 s") for i in range(5)
    ]
    assert elapsed < 4, f"the collectors took {elapsed:.1f} s: their budgets added up"
