"""The whole ``golive audit`` of a project against ``manage.py check --deploy``, one run.

On a copy of ``examples/bookshop`` (or a fresh ``django-admin startproject`` with
``--project startproject``), made a git repository with one commit, the script runs
alternately, ``--runs`` times each:

- ``golive audit`` (everything: settings, source, git history, nginx, gunicorn,
  dependencies; one JSON report, no history),
- ``golive audit --no-runtime`` (everything but loading the settings),
- ``manage.py check --deploy``,
- and with ``--before DIR`` the same two golive commands from an older checkout (same
  interpreter and packages, ``PYTHONPATH=DIR``), so before and after are measured in the
  same sitting.

One warm-up run of each fills the file system cache and golive's own caches (PyPI's
release data, pip-audit's answers): the figures are those of a second audit of the day.
It prints medians, min/max, the ratios, the load average, the CPU time of each command
(with its subprocesses), and which collectors dominated
golive's runs (medians of the report's ``collectors[].duration``; the in-process
collectors run one after another and the runtime probe, git, gunicorn's loader and
dependencies alongside them, so a long collector is not the whole story; the wall time
outside the collectors is start-up, checks and rendering). Targets (issue 15): the whole
audit ≤ 1.5 × check --deploy, --no-runtime ≤ 1.0 ×.

    python benchmarks/bench_audit.py [--runs 7] [--before /work/golive-speed-before]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import Series, before_env, load, ratio, timed

REPO = Path(__file__).resolve().parent.parent


def make_project(kind: str, python: str, tmp: Path) -> tuple[Path, str]:
    """A copy of the project to audit, as a git repository with one commit; its settings module."""
    if kind == "bookshop":
        project = tmp / "bookshop"
        shutil.copytree(REPO / "examples" / "bookshop", project, ignore=shutil.ignore_patterns("__pycache__"))
        settings = "bookshop.settings.production"
    else:
        project = tmp / "fresh"
        project.mkdir()
        subprocess.run([python, "-m", "django", "startproject", "fresh", str(project)], check=True)
        settings = "fresh.settings"
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "."], cwd=project, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "start"], cwd=project, check=True)
    return project, settings


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children and what they waited
    for (the runtime probe, git, gunicorn's loader...): steadier than the wall time on a
    shared machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def durations(report: Path, wall: float) -> dict[str, float]:
    """One golive run's collector durations (seconds, by name) and ``outside``: the wall time
    outside the collectors (start-up, checks, rendering); empty when there is no report."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {str(c["name"]): float(c["duration"]) for c in data.get("collectors", [])}
    out["outside"] = wall - float(data.get("duration") or 0)
    return out


def dominant(runs: list[dict[str, float]]) -> str:
    """The longest collectors over a series' runs (medians; those alongside the others
    overlap them: golive.collectors.scheduler.collect_all) and the median time outside the
    collectors."""
    if not runs:
        return "no report"
    names = {name for run in runs for name in run if name != "outside"}
    medians = {name: statistics.median(run.get(name, 0.0) for run in runs) for name in names}
    top = ", ".join(f"{name} {d:.2f} s" for name, d in sorted(medians.items(), key=lambda kv: -kv[1])[:3])
    outside = statistics.median(run["outside"] for run in runs)
    return f"longest collectors (medians): {top}; outside them (start-up, rendering): {outside:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--python", default=sys.executable, help="interpreter with Django and golive")
    parser.add_argument("--project", choices=("bookshop", "startproject"), default="bookshop")
    parser.add_argument("--before", type=Path, help="an older golive checkout to measure alongside")
    args = parser.parse_args()
    for tree in (REPO, args.before):
        if tree is not None:
            subprocess.run([args.python, "-m", "compileall", "-q", str(tree / "golive")], check=False)
    with tempfile.TemporaryDirectory(prefix="golive-bench-audit-") as tmp_name:
        tmp = Path(tmp_name)
        project, settings = make_project(args.project, args.python, tmp)
        subprocess.run([args.python, "-m", "compileall", "-q", str(project)], check=False)
        env = dict(os.environ, NO_COLOR="1")
        env.pop("PYTHONPATH", None)
        report = tmp / "report.json"

        def golive(*extra: str) -> list[str]:
            return [args.python, "-m", "golive.cli", "audit", ".", "--settings", settings,
                    "--no-history", "-q", "-o", str(report), *extra]  # fmt: skip

        commands: list[tuple[Series, list[str], dict[str, str]]] = [
            (Series("golive audit"), golive(), env),
            (Series("golive audit --no-runtime"), golive("--no-runtime"), env),
            (
                Series("check --deploy"),
                [args.python, "manage.py", "check", "--deploy", "--settings", settings],
                env,
            ),
        ]
        if args.before is not None:
            benv = before_env(args.before, env)
            commands.insert(1, (Series("before: golive audit"), golive(), benv))
            commands.insert(3, (Series("before: golive audit --no-runtime"), golive("--no-runtime"), benv))
        print(f"{args.project}: {project.name}, settings {settings}, {args.runs} alternating runs each")
        print(f"start: {load()}")
        for _series, cmd, cmd_env in commands:  # warm-up: file cache, golive's caches
            timed(cmd, project, cmd_env)
        notes: dict[str, list[dict[str, float]]] = {}
        cpu = {series.label: Series(f"{series.label}, CPU") for series, _c, _e in commands}
        for _ in range(args.runs):
            for series, cmd, cmd_env in commands:
                before = children_cpu()
                wall, _proc = timed(cmd, project, cmd_env)
                series.times.append(wall)
                cpu[series.label].times.append(children_cpu() - before)
                if series.label.endswith("golive audit") or series.label.endswith("--no-runtime"):
                    notes.setdefault(series.label, []).append(durations(report, wall))
        print(f"end:   {load()} (golive, its subprocesses and the peer share these cores)")
    by_label = {s.label: s for s, _c, _e in commands}
    for series, _cmd, _env in commands:
        print(series.line())
    for series, _cmd, _env in commands:
        print(cpu[series.label].line())
    peer = by_label["check --deploy"]
    for label, target in (("golive audit", "<= 1.5"), ("golive audit --no-runtime", "<= 1.0")):
        print(ratio(by_label[label], peer, target))
        print(ratio(cpu[label], cpu[peer.label]))
        if f"before: {label}" in by_label:
            print(ratio(by_label[f"before: {label}"], peer))
            print(ratio(cpu[f"before: {label}"], cpu[peer.label]))
    for label, runs in notes.items():
        print(f"{label}: {dominant(runs)}")


if __name__ == "__main__":
    main()
