"""Every collector runs under a time budget (issue 9, item 9): one that overruns it costs
that collector only, with the true reason ("the slow collector did not finish in 1 s"),
never a misdiagnosis in another layer, and the audit goes on with the rest. A real
project is audited with every real collector plus one that blocks until the test ends.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from conftest import GOOD_ENV

from golive.collectors import CollectorSpec, all_collectors
from golive.context import AuditContext, AuditOptions, resolve
from golive.registry import Facts, FactsBase
from golive.runner import run_audit


class StuckFacts(FactsBase, frozen=True, kw_only=True):
    collector: ClassVar[str] = "slow"


class AfterFacts(FactsBase, frozen=True, kw_only=True):
    collector: ClassVar[str] = "after"
    saw_stuck: bool


def test_a_collector_over_its_budget_costs_that_collector_only(
    make_project: Callable[..., Path], release: threading.Event
) -> None:
    def stuck(ctx: AuditContext) -> StuckFacts:
        release.wait(60)
        return StuckFacts()

    def after(ctx: AuditContext, facts: Facts) -> AfterFacts:
        return AfterFacts(saw_stuck=StuckFacts in facts)

    slow = CollectorSpec(name="slow", produces=StuckFacts, collect=stuck, budget=1.0)
    dependent = CollectorSpec(name="after", produces=AfterFacts, collect=after, uses=(StuckFacts,))
    project = make_project()
    saved = dict(os.environ)
    os.environ.update(GOOD_ENV)
    try:
        ctx = resolve(AuditOptions(project_dir=project, python=sys.executable, no_git=True))
        started = time.monotonic()
        audit = run_audit(ctx, collectors=[*all_collectors(), slow, dependent])
        elapsed = time.monotonic() - started
    finally:
        os.environ.clear()
        os.environ.update(saved)
    runs = {r.name: r for r in audit.collectors}
    assert (runs["slow"].status, runs["slow"].reason) == ("error", "the slow collector did not finish in 1 s")
    assert runs["after"].status == "ok"
    for name in ("runtime", "source", "project"):
        assert (runs[name].status, runs[name].reason) == ("ok", ""), name
    assert elapsed < 10, f"the audit took {elapsed:.1f} s"
    assert audit.incomplete
