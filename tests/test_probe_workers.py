"""Many sites shared among worker processes (golive.collectors.live.workers): the same findings
as one process, each host in one worker, the global limit shared; and a real ``golive probe``
of many loopback sites stopped by SIGINT or SIGTERM stops cleanly (no traceback, no
multiprocessing warning, no worker left running) and leaves a partial report.

The sites are host names of one static nginx site on loopback (``--resolve``), as in
benchmarks/bench_probe.py's 1,000-site run."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "live"))

import live_deploy

from golive.collectors.live import probe_options
from golive.collectors.live.sites import probe_all
from golive.collectors.live.targets import ProbeOptions, SiteTarget, group_targets
from golive.collectors.live.workers import SITES_PER_WORKER, probe_in_workers, shards, worker_count

pytestmark = pytest.mark.skipif(not Path(live_deploy.NGINX).exists(), reason="nginx is not installed")


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A static nginx site on loopback (http and https); yields its https port."""
    deployment = live_deploy.start_static(tmp_path_factory.mktemp("static"))
    try:
        yield deployment.https_port
    finally:
        deployment.stop()


def sites(port: int, count: int) -> tuple[list[str], tuple[str, ...]]:
    """``count`` site URLs on ``port`` and their ``--resolve`` entries."""
    hosts = [f"site{i:04d}.test" for i in range(1, count + 1)]
    return [f"https://{h}:{port}/" for h in hosts], tuple(f"{h}:{port}:127.0.0.1" for h in hosts)


def options(resolve: tuple[str, ...], concurrency: int = 8) -> ProbeOptions:
    return probe_options(
        resolve=resolve, cacert=None, insecure=True, timeout=10.0, admin_path=None, concurrency=concurrency
    )


def findings(site: object) -> list[tuple[object, ...]]:
    """The findings of one site's audit: ids, statuses, severities, subjects, evidence (the
    random Host of the bogus-host probe made alike)."""
    import datetime as dt

    from golive.commands.probe import build_audit
    from golive.facts.live import LiveFacts

    facts = LiveFacts(sites=(site,), screenshots=(), screenshots_note="", insecure=True)  # type: ignore[arg-type]
    audit = build_audit(site.url, facts, fail_on="high", author="t", started=dt.datetime.now().astimezone())  # type: ignore[attr-defined]
    out = [(f.id, f.status, f.severity, f.subjects, f.location, f.evidence) for f in audit.findings]
    return json.loads(re.sub(r"golive-[0-9a-f]{8}", "golive-X", json.dumps(out, default=str)))


def test_workers_find_what_one_process_finds(static_site: int) -> None:
    urls, resolve = sites(static_site, 12)
    targets = group_targets(urls)
    alone = asyncio.run(probe_all(targets, options(resolve)))
    got: dict[int, object] = {}
    probe_in_workers(targets, options(resolve), 2, lambda i, facts: got.__setitem__(i, facts))
    assert sorted(got) == list(range(12))
    assert [got[i].url for i in range(12)] == urls  # type: ignore[attr-defined]
    assert all(not got[i].error for i in range(12))  # type: ignore[attr-defined]
    assert [findings(got[i]) for i in range(12)] == [findings(site) for site in alone]
    assert any(row[0] == "GL830" for row in findings(got[0]))  # the static site answers any Host


def test_each_host_is_probed_by_one_worker_and_hosts_are_dealt_round_robin() -> None:
    targets = [SiteTarget(host=h, url=f"https://{h}/") for h in ("a.test", "b.test", "c.test", "a.test")]
    assert shards(targets, 2) == [[0, 2, 3], [1]]
    assert shards(targets[:3], 1) == [[0, 1, 2]]


def test_one_worker_per_core_for_enough_sites_and_never_more_than_request_slots() -> None:
    assert worker_count(SITES_PER_WORKER - 1, 64, cores=8) == 1
    assert worker_count(2 * SITES_PER_WORKER, 64, cores=8) == 2
    assert worker_count(1000, 64, cores=2) == 2
    assert worker_count(1000, 3, cores=8) == 3
    assert worker_count(1000, 64, cores=1) == 1


def test_a_worker_that_dies_leaves_its_sites_in_error_never_passed(
    static_site: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed by someone else: its sites not yet probed get an error naming how it
    stopped (their audits are incomplete)."""
    import golive.processes

    urls, resolve = sites(static_site, 4)
    started: list[subprocess.Popen[bytes]] = []
    real_start = golive.processes.start

    def start(argv: list[str], **kw: object) -> subprocess.Popen[bytes]:
        proc = real_start(argv, **kw)  # type: ignore[arg-type]
        started.append(proc)
        if len(started) == 2:
            os.killpg(proc.pid, signal.SIGKILL)  # before it read its job
        return proc

    monkeypatch.setattr(golive.processes, "start", start)
    got: dict[int, object] = {}
    probe_in_workers(group_targets(urls), options(resolve), 2, lambda i, f: got.__setitem__(i, f))
    assert sorted(got) == [0, 1, 2, 3]
    assert [bool(got[i].error) for i in range(4)] == [False, True, False, True]  # type: ignore[attr-defined]
    assert "the worker process probing it stopped (killed by signal 9)" in got[1].error  # type: ignore[attr-defined]


def _ours(mark: str) -> list[int]:
    """Processes whose environment holds ``mark`` (golive and its workers)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if mark.encode() in (entry / "environ").read_bytes():
                    out.append(int(entry.name))
            except OSError:
                continue
    return out


@pytest.mark.parametrize(
    ("signum", "count", "processes"),
    [
        (signal.SIGINT, 2 * SITES_PER_WORKER + 20, 3),  # golive and two workers
        (signal.SIGTERM, 2 * SITES_PER_WORKER + 20, 3),
        (signal.SIGTERM, SITES_PER_WORKER + 50, 1),  # golive alone
    ],
)
def test_a_signal_stops_every_worker_and_leaves_a_partial_report(
    static_site: int, signum: int, count: int, processes: int, tmp_path: Path
) -> None:
    if worker_count(count, 8) + 1 != processes and processes > 1:
        pytest.skip("one core: golive probes in one process")
    urls, resolve = sites(static_site, count)
    (tmp_path / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
    args = ["--urls-file", "urls.txt", "--insecure", "--no-screenshots", "--concurrency", "8"]
    args += ["-o", "out/report.json"] + [f"--resolve={r}" for r in resolve]
    mark = f"GOLIVE_TEST_MARK={uuid.uuid4().hex}"
    env = dict(os.environ, GOLIVE_TEST_MARK=mark.split("=")[1])
    # its own process group, as a shell's foreground job: the terminal's Ctrl-C goes to the group
    proc = subprocess.Popen(
        [sys.executable, "-m", "golive.cli", "probe", *args],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(list((tmp_path / "out").glob("report-site*.json"))) < 5:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        running = len(_ours(mark.split("=")[1]))
        os.killpg(proc.pid, signum)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = err.decode()
    assert proc.returncode == 128 + signum
    assert text.strip().endswith("golive: interrupted"), text
    for noise in ("Traceback", "resource_tracker", "leaked", "Warning", "Exception ignored"):
        assert noise not in text
    time.sleep(0.2)
    assert _ours(mark.split("=")[1]) == []  # no worker left running
    combined = json.loads((tmp_path / "out" / "report-all.json").read_text(encoding="utf-8"))
    name = signal.Signals(signum).name
    done = len(combined["sites"])
    assert 5 <= done < count
    errors = [s["report"]["collectors"][0]["reason"] for s in combined["sites"] if s["report"]["incomplete"]]
    assert errors == []  # no worker failed before the signal
    assert running == processes  # golive (and its workers) were running when the signal came
    assert combined["interrupted"] == f"{name}: {done} of {count} sites probed"
    for site in combined["sites"]:  # every site listed has its own report, complete
        slug = site["url"].split("//")[1].split("/")[0].replace(":", "-")
        report = tmp_path / "out" / f"report-{slug}.json"
        assert json.loads(report.read_text(encoding="utf-8"))["project"]["name"] == site["url"]
    assert not list((tmp_path / "out").glob(".*.tmp"))
