"""golive's nginx + gunicorn stage against the gixy-ng CLI, on the same configurations.

The nginx inputs are every configuration under ``tests/fixtures/nginx`` (the rule fixtures,
the include tree, the ``nginx -T`` dump) and the examples' sites; the gunicorn inputs are
the examples' ``gunicorn.conf.py`` files. Each run is a fresh process, as a user would run
it:

- golive: this script with ``--stage``: what an audit given these files runs, in this
  process, with Python's garbage collector off until the checks are imported, as
  ``golive audit`` runs (golive.cli.main, golive.startup.modules_loaded): the nginx
  collector (crossplane checks, gixy-ng in-process, ``nginx -t`` where installed) over all
  of them and the gunicorn collector (gunicorn's own loader in a
  subprocess) alongside it, as golive.collectors.scheduler.collect_all runs collectors, the
  check modules that read nginx or gunicorn facts imported then
  (``golive.checks.registry_needing``; ``--all-checks``: every module, as a whole audit
  imports them), then every GL6xx/GL7xx check;
- gixy-ng: ``gixy FILE...`` (its CLI, all plugins, on the nginx files only);
- with ``--before DIR``, the same stage from an older golive checkout
  (``PYTHONPATH=DIR``), so before and after are measured in the same sitting.

As issue 15 measures, golive runs as a second audit of the day would: with its caches
(``$XDG_CACHE_HOME/golive``: here a scratch folder, filled by one untimed run of each golive
series first), so ``nginx -t``'s answers and gixy-ng's scans of unchanged files come from
its cache (:mod:`golive.collectors.nginx.test_cache`, :mod:`golive.collectors.nginx.scan_cache`);
``--cold`` gives each run an empty cache.

They run alternately ``--runs`` times; the script prints medians, min/max, the ratios
(golive / gixy; target ≤ 1.5), the load average, the CPU time of each (with its
subprocesses: steadier than the wall time on a shared machine) and where the stage's time
went (each collector, the checks). golive does more (a validity pass, its own Django-aware rules,
gunicorn).

    python benchmarks/bench_nginx.py [--runs 7] [--before /work/golive-speed-before] [--cold]

To compare two versions' answers (speed never changes findings), run one stage of each with
``--stage --findings FILE`` (the findings, sorted, and the collectors' facts as JSON) and diff
the files (``nginx -t`` answers name the random scratch folder ``/tmp/golive-nginx-XXXXXXXX``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "nginx"
SKIP = ("bad",)  # broken on purpose: golive stops at them, gixy-ng half-reads them


def nginx_inputs() -> list[Path]:
    """Every valid nginx input: rule fixtures, the include tree's main file, the dump, the examples."""
    files = sorted(p for p in FIXTURES.glob("GL*/*.conf"))
    files += [FIXTURES / "includes" / "nginx.conf", FIXTURES / "dump" / "nginx-T.txt"]
    files += sorted(REPO.glob("examples/*/deploy/nginx/*.conf"))
    return files


def gunicorn_inputs() -> list[Path]:
    return sorted(REPO.glob("examples/*/deploy/gunicorn.conf.py"))


def stage(
    nginx_files: list[Path], gunicorn_files: list[Path], all_checks: bool = False, out: Path | None = None
) -> tuple[int, str]:
    """golive's stage in this process, as an audit runs it: the nginx collector over every
    nginx input and the gunicorn collector over every gunicorn configuration alongside it
    (golive.collectors.scheduler.collect_all), the check modules that read nginx or gunicorn
    facts imported then (``golive.checks.registry_needing``; with ``all_checks``, or in a
    checkout without it, every check module, as a whole audit imports them), then every
    GL6xx/GL7xx check: the number of findings and where the time went."""
    from golive.collectors import nginx
    from golive.config import Config
    from golive.context import AuditContext, AuditOptions, GitInfo
    from golive.model import Severity
    from golive.registry import Facts

    try:
        from golive.checking import run_check
        from golive.collectors.scheduler import collect_all
    except ImportError:  # a checkout from before issue 15's light check runner
        from golive.runner import collect_all, run_check  # type: ignore[no-redef]

    try:
        from golive.collectors.appservers import gunicorn
    except ImportError:  # a checkout from before the architecture move (issue 16)
        from golive.collectors import gunicorn  # type: ignore[no-redef]

    project = REPO / "examples" / "bookshop-hardened"
    ctx = AuditContext(
        options=AuditOptions(project_dir=project, nginx=tuple(nginx_files), gunicorn=tuple(gunicorn_files)),
        project_dir=project,
        project_name=project.name,
        config=Config(),
        settings_module="bookshop.settings.production",
        settings_reason="benchmark",
        python=sys.executable,
        env=dict(os.environ),
        env_file_keys=(),
        timeout=60,
        author="benchmark",
        fail_on=Severity.HIGH,
        select=(),
        ignore=(),
        git=GitInfo(),
        started=dt.datetime.now().astimezone(),
    )
    start = time.perf_counter()
    loaded: list[object] = []

    def import_checks() -> None:  # as golive.runner.run_audit does, while the collectors run
        from golive import checks

        needing = getattr(checks, "registry_needing", None)
        if all_checks or needing is None:
            loaded.append(checks.registry())
        else:
            loaded.append(needing((nginx.NginxFacts, gunicorn.GunicornFacts)))
        try:  # then the garbage collector goes back on, as golive audit's prepare() does
            from golive.startup import modules_loaded
        except ImportError:  # a checkout from before golive.startup
            gc.enable()
        else:
            modules_loaded()

    runs, produced = collect_all(ctx, [nginx.SPEC, gunicorn.SPEC], meanwhile=import_checks)
    collected = time.perf_counter()
    failed = [f"{r.name}: {r.reason}" for r in runs if r.status != "ok"]
    if failed:
        raise SystemExit(f"a collector did not run: {failed}")
    facts = Facts(produced, context=ctx)
    found = []
    for spec in loaded[0]:  # type: ignore[attr-defined]
        if spec.id[:3] in ("GL6", "GL7") and (
            nginx.NginxFacts in spec.needs or gunicorn.GunicornFacts in spec.needs
        ):
            found += run_check(spec, facts, {})
    findings = len(found)
    if out is not None:
        write_answers(out, found, produced)
    durations = ", ".join(f"{r.name} {r.duration:.2f} s" for r in sorted(runs, key=lambda r: -r.duration))
    checks = time.perf_counter() - collected
    return findings, (
        f"collectors (as an audit runs them, checks imported) {collected - start:.2f} s: {durations};"
        f" checks {checks:.2f} s; subprocesses (nginx -t, nginx -V, the gunicorn loader)"
        f" {children_cpu():.2f} s CPU"
    )


def write_answers(out: Path, found: list[object], produced: dict[type, object]) -> None:
    """Write the stage's findings (sorted) and facts (their ``repr``, by type) as JSON to ``out``."""
    import dataclasses
    import json

    rows = sorted(json.dumps(dataclasses.asdict(f), default=str, sort_keys=True) for f in found)  # type: ignore[call-overload]
    facts = {kind.__name__: repr(value) for kind, value in produced.items()}
    out.write_text(json.dumps({"findings": [json.loads(r) for r in rows], "facts": facts}, indent=1))


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children and what they waited
    for (nginx -t, the gunicorn loader): on a shared machine, steadier than the wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_stage(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall time of one ``--stage`` run and its last output line (where its time went)."""
    from benchlib import timed

    wall, proc = timed(cmd, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"the stage failed ({proc.returncode}): {proc.stderr[-500:]}")
    return wall, (proc.stdout.strip().splitlines() or [""])[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", type=Path, help="an older golive checkout to measure alongside")
    parser.add_argument("--cold", action="store_true", help="an empty golive cache for every run")
    parser.add_argument(
        "--all-checks",
        action="store_true",
        help="the stage imports every check module, as a whole audit does (default: only those"
        " reading nginx or gunicorn facts)",
    )
    parser.add_argument("--stage", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--findings", type=Path, help="with --stage: write the findings and facts as JSON to this file"
    )
    args = parser.parse_args()
    nginx_files, gunicorn_files = nginx_inputs(), gunicorn_inputs()
    if args.stage:
        gc.disable()  # as golive.cli.main does until the command's modules are loaded
        start = time.perf_counter()
        findings, where = stage(nginx_files, gunicorn_files, args.all_checks, args.findings)
        print(f"{findings} findings; {where}; stage {time.perf_counter() - start:.2f} s in-process")
        return
    # not imported by the stage's process, which measures golive alone (statistics is 10 ms)
    from benchlib import Series, before_env, load, ratio, timed

    gixy = shutil.which("gixy") or str(Path(sys.executable).with_name("gixy"))
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    scratch = Path(tempfile.mkdtemp(prefix="bench-nginx-cache-"))
    env["XDG_CACHE_HOME"] = str(scratch)
    golive_cmd = [sys.executable, __file__, "--stage", *(["--all-checks"] if args.all_checks else [])]
    gixy_cmd = [gixy, *map(str, nginx_files)]
    commands = [(Series("golive nginx+gunicorn stage"), env), (Series("gixy-ng CLI"), env)]
    if args.before is not None:
        commands.insert(1, (Series("before: golive stage"), before_env(args.before, env)))
    print(f"{len(nginx_files)} nginx files, {len(gunicorn_files)} gunicorn configs, {args.runs} runs each")
    cache_note = "an empty golive cache each run" if args.cold else "golive's cache filled by one untimed run"
    print(f"{cache_note} (XDG_CACHE_HOME={scratch})")
    for series, cmd_env in commands:
        if not args.cold and not series.label.startswith("gixy"):
            run_stage(golive_cmd, cmd_env)
    print(f"start: {load()}")
    notes: dict[str, str] = {}
    cpu = {series.label: Series(f"{series.label}, CPU") for series, _env in commands}
    for _ in range(args.runs):
        for series, cmd_env in commands:
            before = children_cpu()
            if series.label.startswith("gixy"):
                wall, proc = timed(gixy_cmd, env=cmd_env)
                if proc.returncode not in (0, 1):
                    raise SystemExit(f"gixy failed ({proc.returncode}): {proc.stderr[-500:]}")
            else:
                if args.cold:
                    shutil.rmtree(scratch / "golive", ignore_errors=True)
                wall, notes[series.label] = run_stage(golive_cmd, cmd_env)
            series.times.append(wall)
            cpu[series.label].times.append(children_cpu() - before)
    print(f"end:   {load()} (golive, nginx -t, the gunicorn loader and gixy share these cores)")
    for series, _env in commands:
        print(series.line())
    for series, _env in commands:
        print(cpu[series.label].line())
    peer = commands[-1][0]
    for series, _env in commands[:-1]:
        print(ratio(series, peer, "<= 1.5" if series is commands[0][0] else ""))
        print(ratio(cpu[series.label], cpu[peer.label]))
    for label, note in notes.items():
        print(f"{label}, last run: {note}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
