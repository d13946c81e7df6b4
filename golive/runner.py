"""The runner: collectors → facts → checks → findings → audit.

Every collector and every check is isolated: a crash becomes a ``CollectorRun`` with
status ``error`` or an ``error`` finding with its reason, and the run goes on; so does a
collector that overruns its time budget (:func:`golive.collectors.scheduler.collector_budget`),
which costs that collector only. Filtering
(``--select``/``--ignore``), silencing (``SILENCED_SYSTEM_CHECKS``, for Django's ids and
golive's alike), attestations and the exit status live here, not in the CLI; so does the
verdict (GO, GO WITH CONDITIONS, NO-GO, INCOMPLETE), decided once when the audit is made by
the pure rules of :func:`golive.verdict.decide` and carried by :attr:`Audit.verdict`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from itertools import islice

from msgspec.structs import replace

from golive import __version__, checks
from golive.baseline import apply_baseline
from golive.checking import EarlyChecks, run_check
from golive.collectors import CollectorSpec, Skip, all_collectors
from golive.collectors.scheduler import (
    BUDGET_FACTOR,
    MIN_BUDGET,
    Progress,
    Result,
    collect_all,
    collector_budget,
    over_budget,
    run_collector,
)
from golive.context import AuditContext
from golive.facts.project import ProjectFacts
from golive.facts.run import RunFacts, run_facts
from golive.facts.runtime import RuntimeFacts
from golive.facts.source import SourceFacts
from golive.model import Attestation, Audit, Finding, Section, Severity, Status
from golive.provenance import audit_inputs as provenance_inputs
from golive.registry import CheckSpec, Facts, FactsBase, Registry, matches
from golive.repeats import merge_repeats
from golive.settings_role import demote_development
from golive.signoff import audit_inputs
from golive.verdict import decide


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


def loaded_prefixes(ctx: AuditContext) -> tuple[str, ...]:
    """The id prefixes whose check modules an audit loads (:func:`golive.checks.registry`):
    none (every module) unless ``--select`` narrows the audit; then the selected prefixes and
    the signed ids, whose checks give an attestation its expiry (:func:`apply_attestations`)."""
    if not ctx.select:
        return ()
    return (*ctx.select, *(a.check_id for a in ctx.config.attestations))


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
    launched: Mapping[str, Future[Result]] | None = None,
    prepare: Callable[[], object] | None = None,
) -> Audit:
    """Run the whole audit for a resolved context and return the :class:`Audit`.

    ``launched``: collectors started already, by name, with their futures
    (:func:`golive.collectors.scheduler.launch_first`: the CLI starts the runtime probe
    before it imports this module). ``prepare`` is called once the collectors are started
    and the checks imported, while the probe runs: the CLI imports the renderers it will
    need then.

    With ``--select``/``--ignore``, collectors that no selected check needs or uses are
    not run (see :func:`prune`); otherwise the checks are imported while the collectors
    run.
    """
    loaded: list[Registry] = []
    started = time.perf_counter()

    def default_registry() -> Registry:
        # golive.checks.MODULES, imported now, not with this module: the check modules (and
        # the facts modules they read) load while the runtime probe runs, not before it
        # starts; with --select, only those that may hold a selected id
        return checks.registry(loaded_prefixes(ctx))

    def chosen() -> Iterator[CollectorSpec]:
        specs = iter(collectors or all_collectors())
        yield from islice(specs, 1)  # the runtime probe starts before anything else is imported
        if ctx.select or ctx.ignore:
            loaded.append(registry or default_registry())
            yield from prune(list(specs), [s for s in loaded[0] if _selected(s.id, ctx)])
        else:
            yield from specs

    def meanwhile() -> None:  # on this thread, while the collectors (the runtime probe) run
        if not loaded:
            loaded.append(registry or default_registry())
        if not ctx.options.no_runtime:  # Django's own checks are read once the probe is done
            importlib.import_module("golive.checks.django_checks")
        if prepare is not None:
            prepare()

    asked = run_facts(ctx)  # what the user asked for, typed
    early = EarlyChecks(loaded, lambda check_id: _selected(check_id, ctx), asked)
    runs, items = collect_all(
        ctx, chosen(), progress, meanwhile=meanwhile, launched=launched, on_settled=early
    )
    reg = loaded[0]
    facts = Facts({**items, RunFacts: asked})
    by_name = {r.name: r for r in runs}

    findings: list[Finding] = []
    for spec in reg:
        if _selected(spec.id, ctx):
            done = early.findings.get(spec.id)
            findings.extend(done if done is not None else run_check(spec, facts, by_name))
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


__all__ = [
    "BUDGET_FACTOR",
    "MIN_BUDGET",
    "Progress",
    "Severity",
    "collect_all",
    "collector_budget",
    "over_budget",
    "run_audit",
    "run_check",
    "run_collector",
]
