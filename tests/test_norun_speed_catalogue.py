"""golive.check_catalogue: an audit reports the checks it cannot run (their facts switched off:
``--no-runtime``, no ``--url``) from a catalogue instead of importing their modules (issue
15); the catalogue is held to the checks here, and the findings are the same."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
from conftest import EXAMPLES

from golive import check_catalogue, checks
from golive.checking import run_check
from golive.collectors import Skip
from golive.collectors.live import SPEC as LIVE
from golive.collectors.runtime import SPEC as RUNTIME
from golive.collectors.scheduler import run_collector
from golive.context import AuditOptions, resolve
from golive.facts.live import LiveFacts
from golive.facts.runtime import RuntimeFacts
from golive.model import Audit, CollectorRun, CollectorStatus
from golive.registry import Facts, Registry
from golive.reports.json_report import to_dict
from golive.runner import run_audit, switched_off

FINGERPRINT = re.compile(r"fingerprint [0-9a-f]{8}")
REGENERATE = "golive/data/check_catalogue.json is stale: run python -m golive.check_catalogue"


def test_the_catalogue_file_is_what_the_checks_give() -> None:
    written = json.loads(check_catalogue.CATALOGUE_FILE.read_text(encoding="utf-8"))
    assert written == check_catalogue.generate(), REGENERATE


def test_a_stand_in_gives_the_findings_of_its_check() -> None:
    runs = {
        "runtime": CollectorRun(name="runtime", status=CollectorStatus.SKIPPED, reason="switched off"),
        "live": CollectorRun(name="live", status=CollectorStatus.SKIPPED, reason="no --url given"),
    }
    seen = 0
    for name, entries in check_catalogue.catalogue().items():
        real = Registry.from_modules([importlib.import_module(f"golive.checks.{name}")])
        for entry in entries:
            spec, stand_in = real.get(entry["id"]), check_catalogue.stand_in(entry)
            assert spec is not None
            assert (stand_in.needs, stand_in.uses, stand_in.collector, stand_in.section) == (
                spec.needs,
                spec.uses,
                spec.collector,
                spec.section,
            )
            assert (stand_in.manual, stand_in.validity_days) == (spec.manual, spec.validity_days)
            assert run_check(stand_in, Facts({}), runs) == run_check(spec, Facts({}), runs)
            seen += 1
    assert seen >= 60  # the runtime-only modules and the live site's checks


def test_switched_off_is_what_the_collectors_do(make_project) -> None:
    project = make_project()
    ctx = resolve(AuditOptions(project_dir=project, no_runtime=True))
    assert switched_off(ctx) == (RuntimeFacts, LiveFacts)
    assert run_collector(RUNTIME, ctx)[0].status == CollectorStatus.SKIPPED
    with pytest.raises(Skip):
        LIVE.collect(ctx, Facts({}))
    assert switched_off(resolve(AuditOptions(project_dir=project))) == (LiveFacts,)
    with_url = resolve(AuditOptions(project_dir=project, no_runtime=True, urls=("https://example.org",)))
    assert switched_off(with_url) == (RuntimeFacts,)


def test_modules_of_checks_that_can_run_are_imported() -> None:
    def stand_ins(reg: Registry) -> list[str]:
        return [spec.id for spec in reg if spec.func.__name__ == "_never"]

    everything = check_catalogue.audit_registry((), ())
    assert stand_ins(everything) == [] and len(everything) == len(checks.registry())
    no_runtime = check_catalogue.audit_registry((), (RuntimeFacts,))
    assert len(no_runtime) == len(everything)
    catalogued = {e["id"]: e for entries in check_catalogue.catalogue().values() for e in entries}
    assert stand_ins(no_runtime) == sorted(i for i, e in catalogued.items() if not i.startswith("GL8"))
    assert all(
        spec.rationale for spec in no_runtime if spec.id.startswith("GL8")
    )  # the live checks themselves
    both = check_catalogue.audit_registry((), (RuntimeFacts, LiveFacts))
    assert stand_ins(both) == sorted(catalogued)
    assert stand_ins(check_catalogue.audit_registry(("GL8",), (LiveFacts,))) == sorted(
        i for i in catalogued if i.startswith("GL8")
    )


@pytest.mark.parametrize("no_runtime", [True, False], ids=["no-runtime", "whole"])
def test_an_audit_reports_the_same_findings_with_the_catalogue(tmp_path: Path, no_runtime: bool) -> None:
    options = AuditOptions(
        project_dir=EXAMPLES / "bookshop",
        settings="bookshop.settings.production",
        no_runtime=no_runtime,
        no_git=True,
        no_history=True,
        host=False,
    )
    with_catalogue = run_audit(resolve(options))
    imported = run_audit(resolve(options), registry=checks.registry())
    assert len(with_catalogue.findings) == len(imported.findings) > 200
    strip = ("duration", "started_at", "audit_sha256", "collectors")

    def shown(audit: Audit) -> str:  # a secret's fingerprint is keyed afresh by each audit
        data = {k: v for k, v in to_dict(audit).items() if k not in strip}
        return FINGERPRINT.sub("fingerprint …", json.dumps(data, sort_keys=True))

    assert shown(with_catalogue) == shown(imported)
