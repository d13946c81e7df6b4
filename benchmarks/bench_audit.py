"""golive audit (runtime + source) against `manage.py check --deploy`, same project, one run.

Runs both commands alternately on a copy of ``examples/bookshop`` (so no history, git
or report files are written into the repository), several times each, and prints the
median wall time of each and their ratio. Target (issue 2): ratio ≤ 1.5.

    python benchmarks/bench_audit.py [--runs 7] [--python PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SETTINGS = "bookshop.settings.production"


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall time of one run of ``cmd`` in seconds (its exit status is not judged here)."""
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--python", default=sys.executable, help="interpreter with Django and golive")
    args = parser.parse_args()
    # the settings checks only (sections 1-5 and Django's own): --select leaves out the
    # collectors of servers, dependencies, the live site and the host
    selection = [
        arg for prefix in ("GL1", "GL2", "GL3", "GL4", "GL5", "security.") for arg in ("--select", prefix)
    ]
    golive = [args.python, "-m", "golive.cli", "audit", ".", "--settings", SETTINGS, "--no-git",
              "--no-history", "-q", *selection]  # fmt: skip
    django = [args.python, "manage.py", "check", "--deploy", "--settings", SETTINGS]
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "bookshop"
        shutil.copytree(REPO / "examples" / "bookshop", project)
        env = dict(os.environ, NO_COLOR="1")
        for cmd in (golive, django):  # warm the file system cache once
            timed(cmd, project, env)
        golive_times, django_times = [], []
        for _ in range(args.runs):
            golive_times.append(timed(golive, project, env))
            django_times.append(timed(django, project, env))
    g, d = statistics.median(golive_times), statistics.median(django_times)
    print(f"golive audit (runtime + source): median {g:.3f} s over {args.runs} runs")
    print(f"manage.py check --deploy:        median {d:.3f} s over {args.runs} runs")
    print(f"ratio golive / check --deploy:   {g / d:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
