"""golive probe against djcheckup on the same site at real network latency, and 1,000 sites.

1. Starts the careless test deployment (Django under gunicorn behind nginx, on loopback;
   tests/fixtures/live/live_deploy.py; its https listener offers HTTP/2, as a modern nginx
   site's does, unless ``--http1``) and, for each ``--rtt-ms`` (default 0 and 50),
   puts the latency relay (benchmarks/latency_relay.py: one RTT per connect, half an
   RTT each way per chunk) in front of its https port. ``golive probe URL`` and
   ``djcheckup URL`` then run on the same relayed URL (the deployment's CA trusted by
   both), alternately, ``--runs`` times each (with ``--before DIR`` an older golive
   checkout too): medians, min/max, the ratio, the CPU time each used (user + system:
   steadier than the wall time on a loaded machine), how many checks each ran (golive: check
   ids with a finding that passed or failed; djcheckup: results that were not skipped),
   the load average, and the floor (starting Python and importing golive's prescribed
   libraries, doing nothing else). Target (issue 15): at 50 ms RTT, ratio ≤ 0.5 with at
   least 3 × the checks. Then one probe in this process, every request and TLS handshake
   timed: the critical path (the longest chain of them that ran one after another).
2. Starts one nginx serving a small static site, the relay at 0 ms in front of it, and
   probes ``--sites`` (1,000) host names pointed at it with --resolve, in one
   ``golive probe`` run (with ``--before``, the older checkout's run first): wall time,
   memory (:class:`TreeMemory`: the summed max RSS of golive and its worker processes;
   ``ru_maxrss`` alone is the largest single process's), and the CPU time of golive and of
   the relay (under load, the wall time is the machine's; the CPU time is golive's own).
   Target: ≤ 30 s, ≤ 500 MiB (the summed figure).

Screenshots are off in both (djcheckup takes none); everything is started and stopped
here, on 127.0.0.1 only. The relay runs in this process, on the same cores as the tools.

    python benchmarks/bench_probe.py [--runs 7] [--rtt-ms 0,50] [--sites 1000]
        [--before DIR] [--only compare|many] [--djcheckup PATH]

djcheckup comes from PyPI; it pins its own typer/pydantic, so install it into a
separate virtualenv: ``python -m venv /tmp/djcheckup-venv &&
/tmp/djcheckup-venv/bin/pip install djcheckup``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "live"))
sys.path.insert(0, str(REPO / "benchmarks"))

import live_deploy  # noqa: E402
from benchlib import Series, before_env, children_cpu, load, ratio, timed  # noqa: E402
from latency_relay import Relay  # noqa: E402

#: What any run of ``golive probe`` must pay before probing: the interpreter and the
#: libraries the guide prescribes (Click, Rich, httpx; cryptography reads certificates).
FLOOR = [sys.executable, "-c", "import click, rich.console, httpx, cryptography.x509"]


def golive_checks(report: Path) -> int:
    """Checks golive ran: check ids with a finding that passed or failed."""
    data = json.loads(report.read_text(encoding="utf-8"))
    return len({f["id"] for f in data["findings"] if f["status"] in ("pass", "fail")})


def djcheckup_checks(stdout: str) -> int:
    """Checks djcheckup ran: results that were not skipped."""
    data = json.loads(stdout)
    return sum(1 for r in data["check_results"] if r["result"] != "skipped")


def compare(
    djcheckup: str, runs: int, tmp: Path, rtts: list[float], before: Path | None, http2: bool = True
) -> None:
    """golive probe and djcheckup alternately on one site, through the latency relay at each RTT."""
    deployment = live_deploy.start("careless", tmp / "careless", http2=http2)
    try:
        os.environ["REQUESTS_CA_BUNDLE"] = str(deployment.cert)  # djcheckup uses requests
        for rtt in rtts:
            with Relay(deployment.https_port, rtt=rtt / 1000) as relay:
                compare_at(djcheckup, runs, tmp, relay, deployment.cert, before, http2)
    finally:
        deployment.stop()


def compare_at(
    djcheckup: str, runs: int, tmp: Path, relay: Relay, cert: Path, before: Path | None, http2: bool
) -> None:
    """One RTT: golive (and the older checkout), djcheckup and the floor, alternately."""
    # https, with the deployment's own CA trusted by both (its certificate names 127.0.0.1)
    url = f"https://127.0.0.1:{relay.port}/"
    report = tmp / "golive.json"
    golive = [sys.executable, "-m", "golive.cli", "probe", url, "--cacert", str(cert),
              "--no-screenshots", "-q", "-o", str(report)]  # fmt: skip
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    commands = [
        (Series("golive probe"), golive, env),
        (Series("djcheckup"), [djcheckup, "--output-json", url], env),
    ]
    if before is not None:
        commands.insert(1, (Series("before: golive probe"), golive, before_env(before, env)))
    floor = Series("floor (python + imports)")
    for _s, cmd, cmd_env in commands:  # warm caches once
        timed(cmd, tmp, cmd_env)
    checks: dict[str, int] = {}
    cpu = {series.label: Series(f"{series.label}, CPU") for series, _c, _e in commands}
    print(f"\n{relay.rtt * 1000:g} ms RTT through the latency relay ({url} -> 127.0.0.1:{relay.upstream}),"
          f" careless variant (Django/gunicorn behind nginx, {'HTTP/2' if http2 else 'HTTP/1.1 only'});"
          f" start: {load()}")  # fmt: skip
    for _ in range(runs):
        t, _proc = timed(FLOOR, tmp)
        floor.times.append(t)
        for series, cmd, cmd_env in commands:
            used = children_cpu()
            t, proc = timed(cmd, tmp, cmd_env)
            series.times.append(t)
            cpu[series.label].times.append(children_cpu() - used)
            checks[series.label] = (
                djcheckup_checks(proc.stdout) if series.label == "djcheckup" else golive_checks(report)
            )
    print(f"end: {load()} (golive, djcheckup, the relay and the site share these cores)")
    for series, _cmd, _env in (*commands, (floor, None, None)):
        extra = f", {checks[series.label]} checks" if series.label in checks else ""
        print(series.line() + extra)
    for series, _cmd, _env in commands:  # what each used of the cores: the load does not inflate it
        print(cpu[series.label].line())
    by = {s.label: s for s, _c, _e in commands}
    peer = by["djcheckup"]
    for label in [s.label for s, _c, _e in commands if s is not peer]:
        print(
            f"{ratio(by[label], peer, '<= 0.5' if label == 'golive probe' else '')};"
            f" checks {checks[label] / max(1, checks['djcheckup']):.1f} x (target >= 3)"
        )
    print(ratio(cpu["golive probe"], cpu[peer.label]))
    print(f"floor: {floor.median / peer.median:.2f} of djcheckup's time is Python start-up and imports")
    critical_path(url, cert, relay.rtt)


def critical_path(url: str, cert: Path, rtt: float, runs: int = 5) -> None:
    """Probe ``url`` ``runs`` times in this process, timing every request and TLS handshake, and
    print the network time (median, min, max) and, for the run with the median time, the
    critical path: from the answer that came last, back through the step that ended last
    before it started, and so on (each step waited for the one before it: its connection,
    the page it depends on, a free slot): the network time no concurrency hides. A request's
    time includes its connection's set-up (one RTT at the relay) and TLS handshake when it
    opened one; ``+N ms`` between steps is time on no step (CPU, the event loop)."""
    from golive.collectors.live import client, sites, targets, tls

    events: list[tuple[float, float, str]] = []
    t0 = time.perf_counter()
    request, handshake = client.ProbeClient._send, tls._handshake

    async def timed_request(self: client.ProbeClient, base: Any, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return await request(self, base, *args)
        finally:
            events.append((start - t0, time.perf_counter() - t0, f"{base.method} {urlsplit(base.url).path}"))

    def timed_handshake(ctx: object, host: str, address: str, port: int, timeout: float) -> object:
        start = time.perf_counter()
        try:
            return handshake(ctx, host, address, port, timeout)  # type: ignore[arg-type]
        finally:
            events.append((start - t0, time.perf_counter() - t0, "TLS handshake"))

    client.ProbeClient._send, tls._handshake = timed_request, timed_handshake  # type: ignore[method-assign,assignment]
    measured: list[tuple[float, list[tuple[float, float, str]]]] = []
    try:
        opts = targets.ProbeOptions(client=client.ClientConfig(cacert=cert))
        for _ in range(runs):
            events.clear()
            t0 = time.perf_counter()
            sites.run_probes([url], opts)
            measured.append((time.perf_counter() - t0, list(events)))
    finally:
        client.ProbeClient._send, tls._handshake = request, handshake  # type: ignore[method-assign]
    totals = sorted(total for total, _ in measured)
    total, timeline = sorted(measured, key=lambda m: m[0])[len(measured) // 2]
    chain = [max(timeline, key=lambda e: e[1])]
    while earlier := [e for e in timeline if e[1] <= chain[0][0] + 0.001 and e[0] < chain[0][0]]:
        chain.insert(0, max(earlier, key=lambda e: e[1]))
    steps, end = [], 0.0
    for start, stop, name in chain:
        gap = f"+{(start - end) * 1000:.0f} ms -> " if start - end > 0.005 else ""
        steps.append(f"{gap}{name} ({(stop - start) * 1000:.0f} ms)")
        end = stop
    in_rtt = (lambda t: f" = {t / rtt:.1f} RTT") if rtt else (lambda t: "")
    print(
        f"network of one probe in-process, {runs} runs: median {total:.3f} s{in_rtt(total)}"
        f" (min {totals[0]:.3f}, max {totals[-1]:.3f}); {len(timeline)} requests and handshakes;"
        f" critical path of the median run, {len(chain)} steps: {' -> '.join(steps)}"
    )


def many(sites: int, tmp: Path, before: Path | None) -> None:
    """``sites`` host names, one static nginx site behind the relay at 0 ms, in one ``golive
    probe`` run (and, with ``before``, one run of the older checkout first)."""
    deployment = live_deploy.start_static(tmp, workers=2)
    try:
        relay = Relay(deployment.https_port, rtt=0.0).__enter__()  # the relay at 0 ms: stopped with nginx
        port = relay.port
        hosts = [f"site{i:04d}.test" for i in range(1, sites + 1)]
        urls_file = tmp / "urls.txt"
        urls_file.write_text("".join(f"https://{h}:{port}/\n" for h in hosts), encoding="utf-8")
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        runs = [("golive probe", env)]
        if before is not None:
            runs.insert(0, ("before: golive probe", before_env(before, env)))
        for label, run_env in runs:
            out = tmp / label.replace(":", "").replace(" ", "-")
            cmd = [sys.executable, "-m", "golive.cli", "probe", "--urls-file", str(urls_file), "--insecure",
                   "--no-screenshots", "--concurrency", "64",
                   "-o", str(out / "report.json")]  # fmt: skip
            for h in hosts:
                cmd += ["--resolve", f"{h}:{port}:127.0.0.1"]
            print(f"\n{label}: {sites} sites through the latency relay at 0 ms; start: {load()}")
            relay_cpu = time.process_time()  # this process: the relay's thread, mostly
            start = time.perf_counter()
            child = subprocess.Popen(
                cmd, cwd=tmp, env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            with TreeMemory(child.pid) as memory:
                _pid, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - start
            relay_cpu = time.process_time() - relay_cpu
            print(f"end: {load()} (golive, the relay and nginx share these cores)")
            _many_line(out, wall, usage, relay_cpu, os.waitstatus_to_exitcode(status))
            print(f"  memory: {memory}")
    finally:
        if "relay" in locals():
            relay.__exit__(None, None, None)
        deployment.stop()


class TreeMemory:
    """The memory of ``golive probe`` and the worker processes it starts, sampled every
    :attr:`EVERY` seconds from ``/proc`` (Linux) on a thread while the run lasts.

    ``os.wait4``'s ``ru_maxrss`` is the peak of the largest single process of the tree (the
    kernel keeps a maximum over the waited-for descendants, not a sum), so with workers it
    understates the run's memory. Reported: the sum over the tree's processes of each one's
    own peak (``VmHWM``, its last value seen: an upper bound of the run's simultaneous
    peak, since the processes need not peak at once; the figure the 500 MiB target is
    judged by), and the largest sum of ``VmRSS`` seen in one sample (a lower bound:
    a peak between samples is missed). A process that ends between two samples has its
    last sampled ``VmHWM`` counted."""

    EVERY = 0.2

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, int] = {}  # pid -> its VmHWM, KiB
        self.largest_sum = 0  # KiB
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="tree-memory", daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            with contextlib.suppress(OSError):
                todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        return pids

    def _sample(self) -> None:
        while not self._stop.wait(self.EVERY):
            total = 0
            for pid in self._tree():
                with contextlib.suppress(OSError, ValueError, KeyError):  # KeyError: a zombie
                    fields = dict(
                        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    )
                    self.peaks[pid] = int(fields["VmHWM"].split()[0])
                    total += int(fields["VmRSS"].split()[0])
            self.largest_sum = max(self.largest_sum, total)

    def __str__(self) -> str:
        return (
            f"summed max RSS of golive's {len(self.peaks)} processes"
            f" {sum(self.peaks.values()) / 1024:.0f} MiB"
            f" (each process's own peak, VmHWM, added up; target <= 500), largest sampled sum of"
            f" their RSS {self.largest_sum / 1024:.0f} MiB (every {self.EVERY:g} s)"
        )


def _many_line(out: Path, wall: float, usage: Any, relay_cpu: float, returncode: int) -> None:
    combined = json.loads((out / "report-all.json").read_text(encoding="utf-8"))
    probed = len(combined["sites"])
    errored = sum(1 for s in combined["sites"] if s["report"]["incomplete"])
    cpu = usage.ru_utime + usage.ru_stime
    print(f"{probed} local sites probed in one run: {wall:.1f} s wall (target <= 30 s for 1,000);"
          f" max RSS of the largest process {usage.ru_maxrss / 1024:.0f} MiB; exit {returncode};"
          f" {errored} incomplete; CPU: golive {cpu:.1f} s ({cpu / max(1, probed) * 1000:.0f} ms a site),"
          f" the relay {relay_cpu:.1f} s")  # fmt: skip
    reasons: dict[str, int] = {}
    for site in combined["sites"]:
        if site["report"]["incomplete"]:
            for c in site["report"].get("collectors", []):
                if c.get("status") not in ("ok", "skipped"):
                    key = f"{c['name']}: {c.get('reason', '')}"[:160]
                    reasons[key] = reasons.get(key, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  incomplete: {count} x {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument(
        "--rtt-ms", default="0,50", help="comma-separated round-trip times for the comparison"
    )
    parser.add_argument("--before", type=Path, help="an older golive checkout to measure alongside")
    parser.add_argument("--only", choices=("compare", "many"), help="run one part only")
    parser.add_argument("--http1", action="store_true", help="the careless deployment without HTTP/2")
    parser.add_argument(
        "--djcheckup",
        default=shutil.which("djcheckup") or "/tmp/djcheckup-venv/bin/djcheckup",
        help="djcheckup CLI",
    )
    args = parser.parse_args()
    # djcheckup's modules were byte-compiled by pip; compile golive's alike (an editable
    # install is not, and PYTHONDONTWRITEBYTECODE may be set), so both start warm; the older
    # checkout's too.
    trees = [str(REPO / "golive"), *([str(args.before)] if args.before else [])]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *trees], check=False, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory(prefix="golive-bench-probe-") as tmp:
        rtts = [float(x) for x in args.rtt_ms.split(",") if x.strip()]
        if args.only != "many" and Path(args.djcheckup).exists():
            compare(args.djcheckup, args.runs, Path(tmp), rtts, args.before, http2=not args.http1)
        elif args.only != "many":
            print(f"djcheckup not found at {args.djcheckup}: see this script's docstring; comparison skipped")
        if args.only != "compare":
            many(args.sites, Path(tmp), args.before)


if __name__ == "__main__":
    main()
