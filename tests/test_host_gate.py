"""The host collector's gate (:func:`golive.collectors.host.gate`): off the server it decides
the skip from the context and this machine's processes alone, before the runtime facts
(issue 15), with the reason the collector gives, and the collector then takes its answer
over instead of scanning the processes again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.collectors import Skip, host
from golive.context import AuditOptions, resolve
from golive.registry import Facts


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    real = host.project_processes

    def counted(project_dir: Path) -> list[object]:
        calls.append(project_dir)
        return real(project_dir)

    monkeypatch.setattr(host, "project_processes", counted)
    return calls


def test_off_the_server_the_gate_skips_with_the_collectors_reason(
    make_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project()
    ctx = resolve(AuditOptions(project_dir=project))
    calls = _counting(monkeypatch)
    with pytest.raises(Skip) as gated:
        host.gate(ctx)
    with pytest.raises(Skip) as collected:
        host.collect(ctx, Facts({}))
    assert (
        str(gated.value)
        == str(collected.value)
        == (
            f"not on the server: no application server runs from {project.resolve()} on this machine"
            " (pass --host to audit this machine anyway)"
        )
    )
    assert len(calls) == 1  # the collector took the gate's answer over
    with pytest.raises(Skip) as again:  # taken once: a second collect decides again
        host.collect(ctx, Facts({}))
    assert str(again.value) == str(collected.value) and len(calls) == 2


def test_no_host_is_decided_by_the_gate_without_a_scan(make_project, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = resolve(AuditOptions(project_dir=make_project(), host=False))
    calls = _counting(monkeypatch)
    with pytest.raises(Skip, match=r"^--no-host: this machine is not audited$"):
        host.gate(ctx)
    with pytest.raises(Skip, match=r"^--no-host: this machine is not audited$"):
        host.collect(ctx, Facts({}))
    assert calls == []


def test_with_host_the_gate_passes_and_the_collector_runs_without_the_runtime_facts(
    make_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = resolve(AuditOptions(project_dir=make_project(), host=True))
    calls = _counting(monkeypatch)
    host.gate(ctx)
    facts = host.collect(ctx, Facts({}))
    assert facts.reason == "--host"
    assert facts.redis_error == "CACHES unknown: the settings were not loaded (see the runtime collector)"
    assert len(calls) == 1
