"""What every side-by-side benchmark prints the same way: medians, min/max, ratios, the load.

The machine the figures come from is shared (other processes, and in the probe benchmark
the latency relay, run on the same cores), so each benchmark alternates the commands it
compares within one run and prints the load average beside the figures.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Series:
    """The wall times of one command over a benchmark's runs."""

    label: str
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """The median wall time, seconds."""
        return statistics.median(self.times)

    def line(self) -> str:
        """``label  median  (min .. max, n runs)``."""
        return (
            f"{self.label:<34} median {self.median:7.3f} s"
            f"  (min {min(self.times):.3f}, max {max(self.times):.3f}, {len(self.times)} runs)"
        )


def load() -> str:
    """The 1, 5 and 15 minute load averages and the number of cores, as one phrase."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children and of what they
    waited for: on a shared machine, steadier than the wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(
    cmd: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time (seconds) of one run of ``cmd`` and its result; its exit status is not judged."""
    start = time.perf_counter()
    proc = subprocess.run(
        list(cmd), cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    return time.perf_counter() - start, proc


def ratio(num: Series, den: Series, target: str = "") -> str:
    """``num / den: 1.23`` with the target, if any."""
    text = f"ratio {num.label} / {den.label}: {num.median / den.median:.2f}"
    return f"{text} (target {target})" if target else text


def before_env(before: Path | None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment that runs golive from the checkout ``before`` (same interpreter and
    packages, the older code first on ``sys.path``)."""
    env = dict(base if base is not None else os.environ)
    if before is not None:
        env["PYTHONPATH"] = str(before)
    return env
