"""``golive probe``'s reports: each site's written as soon as its audit is built, the combined
JSON of every site, and the summary table of many sites.

With a thousand sites the reports are written while the other sites are still probed
(:func:`probe_in_workers`), and only a line of the table and the site's JSON text are kept
of each audit (memory stays bounded by the reports, not the audits). When golive is
interrupted (:mod:`golive.processes`), the sites done so far keep their reports and the
combined report lists them, saying it was interrupted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

from golive.commands.probe import ProbeUsage, build_audit, site_slug

if TYPE_CHECKING:
    import datetime as dt

    from rich.console import Console

    from golive.collectors.live.targets import ProbeOptions, SiteTarget
    from golive.facts.live import SiteFacts
    from golive.model import Audit

#: Threads writing reports (each waits on ``fsync``, not on Python).
WRITERS = 8
#: Seconds between two looks at :func:`golive.processes.stopping` while sites are probed.
STOP_POLL = 0.05


class SiteRow(Struct, frozen=True):
    """One site's line of the summary table: failing findings per severity (critical,
    high, medium, low), errors, the exit status and why the audit is incomplete, if it is."""

    url: str
    failing: tuple[int, ...]
    errors: int
    exit_status: int
    note: str

    @classmethod
    def of(cls, audit: Audit) -> SiteRow:
        """The row of ``audit``."""
        failing = audit.failing_by_severity()
        return cls(
            url=audit.project_name,
            failing=tuple(failing[s] for s in ("critical", "high", "medium", "low")),
            errors=audit.counts()["error"],
            exit_status=audit.exit_status,
            note=next((c.reason for c in audit.collectors if c.status == "error"), ""),
        )


class Reports:
    """Each ``-o`` report of ``sites`` sites, written as the audits come (:meth:`add`),
    then the combined report (:meth:`close`).

    Each report is rendered in the calling thread and encoded (UTF-8, what
    :func:`golive.reports.write_atomic` writes) and handed to :data:`WRITERS` threads that
    write it: with a thousand sites the disk's waits overlap. A site's JSON report is
    rendered once and reused in the combined report (:func:`combined_json`). PDF reports
    are written one at a time (each prints with a browser). The first ``OSError`` ends the
    command (:class:`ProbeUsage`), once every write under way has ended.
    """

    def __init__(self, outputs: tuple[Path, ...], fmt: str | None, sites: int) -> None:
        self.outputs, self.fmt, self.sites = outputs, fmt, sites
        self.texts: dict[int, bytes] = {}
        self.heads: dict[int, tuple[str, int]] = {}
        self.pending: list[Future[None]] = []
        self.pool = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="golive-write")

    def paths(self, audit: Audit) -> list[Path]:
        """Where ``audit``'s reports go (the command's help says how they are named)."""
        if self.sites == 1:
            return list(self.outputs)
        slug = site_slug(audit.project_name)
        return [path.with_name(f"{path.stem}-{slug}{path.suffix}") for path in self.outputs]

    def add(self, i: int, audit: Audit) -> list[Path]:
        """Render site ``i``'s reports and queue their writing; returns their paths."""
        from golive.reports import format_for, render, write, write_atomic

        paths = self.paths(audit)
        try:
            for path in paths:
                chosen = format_for(path, self.fmt)
                if chosen == "pdf":
                    write(audit, path, self.fmt)
                    continue
                data = render(audit, chosen, output=path).encode("utf-8")
                if chosen == "json" and i not in self.texts:
                    self.texts[i] = data
                self.pending.append(self.pool.submit(write_atomic, path, data))
        except OSError as exc:
            self._wait()
            raise ProbeUsage(f"cannot write a report: {exc.strerror or exc}") from None
        if self.outputs and self.sites > 1:
            if i not in self.texts:
                self.texts[i] = render(audit, "json").encode("utf-8")
            self.heads[i] = (audit.project_name, audit.exit_status)
        return paths

    def combined_path(self) -> Path | None:
        """``out/report-all.json`` beside the first ``-o`` path, with several sites."""
        if not self.outputs or self.sites < 2:
            return None
        first = self.outputs[0]
        return first.with_name(f"{first.stem}-all.json")

    def close(self, interrupted: str | None = None) -> Path | None:
        """Write the combined report of the sites added, in their order, and wait for every
        write; returns the combined report's path (None with one site or no ``-o``).
        ``interrupted`` (the signal's name) marks a combined report of the sites done when
        golive was stopped."""
        combined = self.combined_path()
        try:
            if combined is not None:
                done = len(self.heads)  # each site's text is let go once it is in (memory)
                items = ((*self.heads.pop(i), self.texts.pop(i)) for i in sorted(self.heads))
                data = combined_bytes(items, interrupted=interrupted, total=self.sites, done=done)
                if interrupted is None:
                    self.pending.append(self.pool.submit(_write_atomic, combined, data))
                else:  # now, not behind the sites' writes: golive has GRACE seconds to stop
                    _write_atomic(combined, data)
        finally:
            self._wait()
        return combined

    def _wait(self) -> None:
        try:
            for job in self.pending:
                job.result()  # the first OSError, once every write has ended
        except OSError as exc:
            raise ProbeUsage(f"cannot write a report: {exc.strerror or exc}") from None
        finally:
            self.pool.shutdown(wait=True)
            self.pending = []


def _write_atomic(path: Path, data: bytes) -> None:
    from golive.reports import write_atomic

    write_atomic(path, data)


def combined_json(audits: list[Audit], texts: list[bytes | None]) -> bytes:
    """The combined report, ``{"sites": [{"url", "exit_status", "report"}...]}``, in UTF-8,
    of ``audits`` (``texts[i]``: the UTF-8 bytes of ``audits[i]``'s JSON report, rendered
    when None): see :func:`combined_bytes`."""
    from golive.reports import render

    items = [
        (a.project_name, a.exit_status, t if t is not None else render(a, "json").encode("utf-8"))
        for a, t in zip(audits, texts, strict=True)
    ]
    return combined_bytes(items)


def combined_bytes(
    items: Iterable[tuple[str, int, bytes]],
    *,
    interrupted: str | None = None,
    total: int = 0,
    done: int = 0,
) -> bytes:
    """``{"sites": [{"url", "exit_status", "report"}...]}`` of ``(url, exit status, JSON
    report)`` items: the text ``json.dumps(..., indent=2, ensure_ascii=False)`` then
    :func:`golive.reports.controls.json_text` would give, built from each site's JSON
    report instead of encoding every report again: a report nested three levels down is the
    same text with each line after the first indented by six more spaces (its strings hold
    no raw line breaks). With ``interrupted``, a first key says so: ``"interrupted":
    "SIGTERM: 412 of 1000 sites probed"`` (``done`` of ``total``)."""
    from golive.reports.controls import json_text

    out = []
    for url, status, text in items:
        body = text.rstrip(b"\n").replace(b"\n", b"\n      ")
        quoted = json_text(json.dumps(url, ensure_ascii=False))
        head = f'    {{\n      "url": {quoted},\n      "exit_status": {status},\n      "report": '
        out.append(head.encode("utf-8") + body + b"\n    }")
    note = b""
    if interrupted is not None:
        said = json.dumps(f"{interrupted}: {done} of {total} sites probed")
        note = f'  "interrupted": {said},\n'.encode()
    return b"{\n" + note + b'  "sites": [\n' + b",\n".join(out) + b"\n  ]\n}\n"


def probe_sites(
    targets: list[SiteTarget],
    opts: ProbeOptions,
    workers: int,
    reports: Reports,
    *,
    audit_of: Callable[[SiteFacts, float], Audit],
    clock: float,
) -> list[SiteRow]:
    """Probe ``targets`` in ``workers`` processes
    (:func:`golive.collectors.live.workers.probe_in_workers`; with one, in this process's
    event loop, :func:`golive.collectors.live.sites.probe_each`), building each site's audit
    (``audit_of(facts, seconds since clock)``) and writing its reports as it comes back.
    Returns the table's rows in the order of ``targets``. On a signal, the combined report
    of the sites done is written, then :class:`golive.processes.Interrupted` goes on."""
    from golive import processes
    from golive.collectors.live.workers import probe_in_workers

    rows: dict[int, SiteRow] = {}

    def on_site(i: int, facts: SiteFacts) -> None:
        audit = audit_of(facts, time.perf_counter() - clock)
        reports.add(i, audit)
        rows[i] = SiteRow.of(audit)

    try:
        if workers > 1:
            probe_in_workers(targets, opts, workers, on_site)
        else:
            import asyncio

            from golive.collectors.live.sites import probe_each

            async def watched() -> None:
                probes = asyncio.ensure_future(probe_each(targets, opts, on_site))
                while not probes.done():  # a signal asyncio swallowed: see processes.stopping
                    await asyncio.wait([probes], timeout=STOP_POLL)
                    if (signum := processes.stopping()) is not None:
                        raise processes.Interrupted(signum)
                probes.result()

            # not asyncio.run: on a signal, cancelling every site's task first would keep
            # the partial report waiting (golive exits without it: processes.leave)
            loop = asyncio.new_event_loop()
            loop.run_until_complete(watched())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
    except processes.Interrupted as exc:
        import contextlib
        import signal

        with contextlib.suppress(OSError, ProbeUsage):  # stopping: the signal's status wins
            reports.close(interrupted=signal.Signals(exc.signum).name)
        raise
    reports.close()
    return [rows[i] for i in range(len(targets))]


def show_table(console: Console, rows: list[SiteRow], combined: Path | None) -> None:
    """The summary table of many sites, then where the combined report is."""
    from rich.table import Table

    table = Table(title=f"golive probe: {len(rows)} sites", header_style="bold")
    for col in ("site", "critical", "high", "medium", "low", "errors", "exit", "note"):
        table.add_column(col, justify="right" if col not in ("site", "note") else "left")
    for row in rows:
        table.add_row(
            row.url,
            *(str(n) for n in row.failing),
            str(row.errors),
            str(row.exit_status),
            row.note[:80],
            style="red" if row.exit_status == 1 else "magenta" if row.exit_status == 3 else None,
        )
    console.print(table)
    if combined is not None:
        console.print(f"combined report: {combined}", markup=False)


def audit_builder(
    *, insecure: bool, fail_on: str, author: Callable[[], str], started: dt.datetime
) -> Callable[[SiteFacts, float], Audit]:
    """``audit_of(facts, duration)``: one site's audit, as :func:`golive.commands.probe.build_audit`
    builds it, screenshots off."""
    from golive.facts.live import LiveFacts

    def audit_of(site: SiteFacts, duration: float) -> Audit:
        facts = LiveFacts(
            sites=(site,), screenshots=(), screenshots_note="screenshots disabled (--no-screenshots)",
            insecure=insecure,
        )  # fmt: skip
        return build_audit(
            site.url, facts, fail_on=fail_on, author=author(), started=started, duration=duration
        )

    return audit_of
