"""Many sites on several cores: the sites shared among worker processes.

Probing a site costs Python a few tens of milliseconds of CPU (its requests through httpx,
httpcore and anyio, its TLS handshakes), and one interpreter runs on one core: a thousand
sites are bound by one core's time however long the network waits. :func:`probe_in_workers`
starts one worker per core (at most one per :data:`SITES_PER_WORKER` sites), each an
interpreter running this module (``python -m golive.collectors.live.workers``), and gives
each a share of the sites and of the global limit:

- **Limits.** Every site (one host name, :func:`golive.collectors.live.targets.group_targets`)
  is probed by exactly one worker, so its per-host limit holds as in one process; the global
  ``--concurrency`` is divided among the workers (``concurrency // workers`` each, at least
  one), so the requests in flight over all of them stay within it.
- **Results** come back as soon as each site is probed, so the caller builds and writes its
  report while the others are probed: length-prefixed pickles of ``(index, SiteFacts)`` on
  the worker's stdout, read with :mod:`selectors`. The job goes in as a pickle on stdin
  (a temporary file). Only golive's own processes exchange these pickles.
- **Stopping.** Workers are started by :func:`golive.processes.start`, each the leader of a
  process group of its own: a Ctrl-C at the terminal reaches golive only, whose signal
  handler (:mod:`golive.processes`) raises :class:`~golive.processes.Interrupted` and kills
  every worker's group with SIGKILL; nothing of :mod:`multiprocessing` is used, so no
  semaphore or resource tracker is left behind to warn. A worker whose parent is gone stops
  at its next write (a broken pipe), silently.
- **A worker that fails** (it crashed, or was killed by someone else) leaves its remaining
  sites with an ``error`` naming the cause and the end of its stderr: those audits are
  incomplete, never passed.
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING

from msgspec.structs import replace

if TYPE_CHECKING:
    import contextlib
    import subprocess

    from golive.collectors.live.targets import ProbeOptions, SiteTarget
    from golive.facts.live import SiteFacts

#: Sites below which one process probes them all (a worker costs about a third of a second
#: of CPU to start: the interpreter, httpx, golive's live modules).
SITES_PER_WORKER = 100
#: Bytes of a failed worker's stderr quoted in its sites' error.
STDERR_TAIL = 400
_HEADER = struct.Struct(">Q")


def worker_count(sites: int, concurrency: int, cores: int | None = None) -> int:
    """How many workers :func:`probe_in_workers` starts for ``sites`` sites: one per core
    (``os.sched_getaffinity``: the cores this process may use), at most one per
    :data:`SITES_PER_WORKER` sites and one per request slot of ``concurrency``; below two,
    the caller probes in its own process."""
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, sites // SITES_PER_WORKER, max(1, concurrency)))


def shards(targets: Sequence[SiteTarget], workers: int) -> list[list[int]]:
    """The indices of ``targets`` each worker probes: every host's sites in one worker
    (its per-host limit is that worker's), hosts dealt round-robin in the order given."""
    by_host: dict[str, int] = {}
    out: list[list[int]] = [[] for _ in range(workers)]
    for i, target in enumerate(targets):
        slot = by_host.setdefault(target.host, len(by_host) % workers)
        out[slot].append(i)
    return out


def probe_in_workers(
    targets: Sequence[SiteTarget],
    opts: ProbeOptions,
    workers: int,
    on_site: Callable[[int, SiteFacts], None],
) -> None:
    """Probe ``targets`` in ``workers`` worker processes (see the module docstring),
    calling ``on_site(index, facts)`` in this thread for each site as it comes back (in
    the order they finish). Returns once every site has been handed to ``on_site``.

    Raises :class:`OSError` when a worker cannot be started and
    :class:`golive.processes.Interrupted` on a signal (every worker killed by then).
    """
    import contextlib

    from golive import processes

    share = replace(opts, concurrency=max(1, opts.concurrency // workers))
    parts = [part for part in shards(targets, workers) if part]
    procs: list[tuple[subprocess.Popen[bytes], list[int], IO[bytes]]] = []
    with contextlib.ExitStack() as files:
        try:
            _run(procs, files, parts, targets, share, on_site)
        finally:
            for proc, _, _ in procs:
                if proc.returncode is None:  # interrupted: its group is killed, reap it
                    processes.finish(proc)
                if proc.stdout is not None:
                    proc.stdout.close()


def _run(
    procs: list[tuple[subprocess.Popen[bytes], list[int], IO[bytes]]],
    files: contextlib.ExitStack,
    parts: list[list[int]],
    targets: Sequence[SiteTarget],
    share: ProbeOptions,
    on_site: Callable[[int, SiteFacts], None],
) -> None:
    """Start a worker per part (into ``procs``), hand on their sites as they come, reap them."""
    import pickle
    import subprocess
    import tempfile

    from golive import processes

    for part in parts:
        job = files.enter_context(tempfile.TemporaryFile())  # noqa: SIM115  # closed by files
        job.write(pickle.dumps(([targets[i] for i in part], share), protocol=pickle.HIGHEST_PROTOCOL))
        job.seek(0)
        errors = files.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
        argv = [sys.executable, "-m", "golive.collectors.live.workers"]
        procs.append((processes.start(argv, stdin=job, stdout=subprocess.PIPE, stderr=errors), part, errors))
    received = _read(procs, on_site)
    for n, (proc, part, err) in enumerate(procs):
        status = processes.finish(proc)
        missing = [i for k, i in enumerate(part) if k not in received[n]]
        if missing:
            reason = _failure(status, err)
            for i in missing:
                on_site(i, _failed_site(targets[i], reason))


def _read(
    procs: list[tuple[subprocess.Popen[bytes], list[int], IO[bytes]]],
    on_site: Callable[[int, SiteFacts], None],
) -> list[set[int]]:
    """Read every worker's stdout to its end, handing each site on as it comes; returns
    the indices (within its part) each worker sent."""
    import pickle
    import selectors

    received: list[set[int]] = [set() for _ in procs]
    buffers = [bytearray() for _ in procs]
    with selectors.DefaultSelector() as selector:
        for n, (proc, _, _) in enumerate(procs):
            assert proc.stdout is not None
            selector.register(proc.stdout, selectors.EVENT_READ, n)
        while selector.get_map():
            for key, _ in selector.select():
                n, buf = key.data, buffers[key.data]
                chunk = os.read(key.fd, 1 << 20)
                if not chunk:
                    selector.unregister(key.fileobj)
                buf += chunk
                while len(buf) >= _HEADER.size:
                    (size,) = _HEADER.unpack_from(buf)
                    if len(buf) < _HEADER.size + size:
                        break
                    local, facts = pickle.loads(bytes(buf[_HEADER.size : _HEADER.size + size]))
                    del buf[: _HEADER.size + size]
                    received[n].add(local)
                    on_site(procs[n][1][local], facts)
    return received


def _failure(status: int, err: IO[bytes]) -> str:
    """Why a worker left sites unprobed: its exit status and the end of its stderr."""
    size = err.seek(0, os.SEEK_END)
    err.seek(max(0, size - STDERR_TAIL))
    tail = " ".join(err.read().decode("utf-8", "replace").split())
    how = f"killed by signal {-status}" if status < 0 else f"exit status {status}"
    return f"the worker process probing it stopped ({how})" + (f": {tail}" if tail else "")


def _failed_site(target: SiteTarget, reason: str) -> SiteFacts:
    from golive.facts.live import SiteFacts

    return SiteFacts(url=target.url, host=target.host, error=reason)


def main() -> None:
    """A worker: read ``(targets, options)`` from stdin, probe them with
    :func:`golive.collectors.live.sites.probe_each`, and write each site's
    ``(index, SiteFacts)`` to stdout as soon as it is probed (length-prefixed pickles).
    Exits quietly when its reader is gone (a broken pipe) or on SIGINT."""
    import gc
    import pickle

    gc.disable()  # golive's modules load (long-lived objects, no garbage): see golive.cli.main
    try:
        import asyncio

        from golive.collectors.live.sites import probe_each

        gc.freeze()
        gc.enable()
        targets, opts = pickle.load(sys.stdin.buffer)
        # The results get a descriptor of their own; anything else printed (a library's
        # warning on stdout) goes to stderr instead of into the stream of pickles.
        out = os.fdopen(os.dup(1), "wb")
        os.dup2(2, 1)

        def send(i: int, facts: SiteFacts) -> None:
            data = pickle.dumps((i, facts), protocol=pickle.HIGHEST_PROTOCOL)
            out.write(_HEADER.pack(len(data)) + data)
            out.flush()

        asyncio.run(probe_each(targets, opts, send))
    except (BrokenPipeError, KeyboardInterrupt):
        os._exit(1)


if __name__ == "__main__":
    main()
