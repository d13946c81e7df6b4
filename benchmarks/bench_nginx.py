"""golive's nginx + gunicorn stage against the gixy-ng CLI, on the same configurations.

The nginx inputs are every configuration under ``tests/fixtures/nginx`` (the rule fixtures,
the include tree, the ``nginx -T`` dump) and the examples' sites; the gunicorn inputs are
the examples' ``gunicorn.conf.py`` files. Each run is a fresh process, as a user would run
it:

- golive: this script with ``--stage``: the nginx collector (crossplane checks, gixy-ng
  in-process, ``nginx -t`` where installed), the gunicorn collector (gunicorn's own
  loader, one subprocess per configuration), then every GL6xx/GL7xx check;
- gixy-ng: ``gixy FILE...`` (its CLI, all plugins, on the nginx files only).

Both run alternately ``--runs`` times; the script prints the median wall time of each and
their ratio (golive / gixy). golive does more (a validity pass, its own Django-aware rules,
gunicorn), so a ratio near or above 1 is expected.

    python benchmarks/bench_nginx.py [--runs 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

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


def stage(nginx_files: list[Path], gunicorn_files: list[Path]) -> int:
    """golive's stage in this process: collect both layers, run GL6xx/GL7xx; the number of findings."""
    import os

    from golive.checks import registry
    from golive.collectors import gunicorn, nginx
    from golive.config import Config
    from golive.context import AuditContext, AuditOptions, GitInfo
    from golive.model import Severity
    from golive.registry import Facts
    from golive.runner import run_check

    findings = 0
    for f in nginx_files:
        nginx_facts = nginx.collect_files([(f, "benchmark")], None, REPO)
        project = REPO / "examples" / "bookshop-hardened"
        ctx = AuditContext(
            options=AuditOptions(project_dir=project, gunicorn=tuple(gunicorn_files)),
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
        if f == nginx_files[0]:
            gunicorn_facts = gunicorn.collect(ctx)
        facts = Facts({nginx.NginxFacts: nginx_facts, gunicorn.GunicornFacts: gunicorn_facts}, context=ctx)
        for spec in registry():
            if spec.id[:3] in ("GL6", "GL7") and (
                nginx.NginxFacts in spec.needs or gunicorn.GunicornFacts in spec.needs
            ):
                findings += len(run_check(spec, facts, {}))
    return findings


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1) or (cmd[0] == sys.executable and proc.returncode != 0):
        raise SystemExit(f"{' '.join(cmd[:3])}... failed ({proc.returncode}): {proc.stderr[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--stage", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    nginx_files, gunicorn_files = nginx_inputs(), gunicorn_inputs()
    if args.stage:
        print(stage(nginx_files, gunicorn_files))
        return
    gixy = shutil.which("gixy") or str(Path(sys.executable).with_name("gixy"))
    golive_cmd = [sys.executable, __file__, "--stage"]
    gixy_cmd = [gixy, *map(str, nginx_files)]
    print(f"{len(nginx_files)} nginx files, {len(gunicorn_files)} gunicorn configs, {args.runs} runs each")
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(args.runs):
        ours.append(timed(golive_cmd))
        theirs.append(timed(gixy_cmd))
    golive_median, gixy_median = statistics.median(ours), statistics.median(theirs)
    for label, median, times in (
        ("golive nginx+gunicorn stage", golive_median, ours),
        ("gixy-ng CLI", gixy_median, theirs),
    ):
        print(f"{label:<28} median {median:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})")
    print(f"ratio golive / gixy-ng: {golive_median / gixy_median:.2f}")


if __name__ == "__main__":
    main()
