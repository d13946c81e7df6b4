"""``golive probe URL...``: audit live sites from the outside, no project needed.

Every site (one host name; its http and https URLs are grouped) becomes one audit whose
project is the URL, with the live-site checks (GL8xx) only. Sites are probed
concurrently (``--concurrency`` requests in flight overall; per host six HTTP/1.1
connections, or one HTTP/2 connection's streams); the probing
engine is :mod:`golive.collectors.live`. With several sites, screenshots off and no PDF,
each site's reports are written as soon as it is probed, and many sites are shared among
worker processes, one a core (:mod:`golive.collectors.live.workers`,
:mod:`golive.commands.probe_output`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from msgspec.structs import replace

if TYPE_CHECKING:
    from rich.console import Console

    from golive.model import Audit
    from golive.registry import Registry

PATH = click.Path(path_type=Path)
LOAD_WAIT = 1.0  #: seconds the checks and reports wait at most to load (for a first connection)
EPILOG = """
Reports: with one site, each -o PATH is written as given. With several sites, -o
out/report.html writes one file per site, out/report-HOST.html (HOST with its port
when the URL has one, e.g. report-shop.example.com.html), and a combined JSON of every
site, out/report-all.json, next to the first -o path.

Interrupted (Ctrl-C, SIGTERM) while probing several sites with --no-screenshots (and no
.pdf report), the reports of the sites done are kept, and report-all.json lists them
with "interrupted" saying how many of how many.

Screenshots go beside the first report, out/report-screenshots/HOST/, or without -o to
.golive/screenshots/TIME/HOST/ (--no-screenshots to skip them).

Exit status: 0 nothing failing at or above --fail-on on any site and every audit is
complete; 1 failing findings at or above --fail-on on some site; 2 usage error (nothing
probed); 3 some audit is incomplete (a site could not be reached, a probe or check
errored) and nothing failing was found. Failing findings take precedence.
"""


class ProbeUsage(click.ClickException):
    """A usage error of ``golive probe``: ``golive: error: ...``, exit status 2."""

    exit_code = 2

    def show(self, file: object = None) -> None:
        from rich.console import Console

        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"golive: error: {self.message}", markup=False
        )


def read_urls(urls: tuple[str, ...], urls_file: Path | None) -> list[str]:
    """The URLs of the arguments, then those of ``--urls-file`` (one a line, ``#`` comments)."""
    out = list(urls)
    if urls_file is not None:
        try:
            lines = urls_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ProbeUsage(f"--urls-file {urls_file}: {exc.strerror or exc}") from None
        out += [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]
    if not out:
        raise ProbeUsage("give at least one URL (or --urls-file FILE)")
    return out


def site_slug(url: str) -> str:
    """``https://shop.example.com:8443/x`` → ``shop.example.com-8443`` (safe in file names)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    text = (parts.hostname or "site") + (f"-{parts.port}" if parts.port else "")
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text)


def output_paths(path: Path, slugs: list[str]) -> list[Path]:
    """Where ``-o path`` writes each site's report (see the command's help)."""
    if len(slugs) == 1:
        return [path]
    return [path.with_name(f"{path.stem}-{slug}{path.suffix}") for slug in slugs]


def build_audit(
    site_url: str, live: object, *, fail_on: str, author: str, started: dt.datetime, duration: float = 0.0
) -> Audit:
    """One audit of one probed site: the live collector's facts, the GL8xx checks."""
    from golive.collectors import CollectorError, CollectorSpec
    from golive.config import Config
    from golive.context import AuditContext, AuditOptions, GitInfo
    from golive.facts.live import LiveFacts
    from golive.model import Severity
    from golive.runner import run_audit

    assert isinstance(live, LiveFacts)

    def collect(ctx: object) -> LiveFacts:
        site = live.sites[0]
        if site.error:
            raise CollectorError(f"{site.url}: {site.error}")
        return live

    ctx = AuditContext(
        options=AuditOptions(project_dir=Path.cwd(), urls=(site_url,), no_runtime=True),  # no Django here
        project_dir=Path.cwd(),
        project_name=site_url,
        config=Config(),
        settings_module="",
        settings_reason="live probe only: no project",
        python=sys.executable,
        env={},
        env_file_keys=(),
        timeout=0.0,
        author=author,
        fail_on=Severity.parse(fail_on),
        select=(),
        ignore=(),
        git=GitInfo(reason="live probe only: no project"),
        started=started,
    )
    spec = CollectorSpec(name="live", produces=LiveFacts, collect=collect, description="the live site")
    audit = run_audit(ctx, registry=live_registry(), collectors=[spec])
    return replace(audit, project_path=site_url, settings_module=None, duration=round(duration, 3))


@functools.lru_cache(maxsize=1)
def live_registry() -> Registry:
    """The GL8xx checks (:mod:`golive.checks.live`), collected once per run: a thousand
    sites' audits read the same catalogue (the runner only reads it)."""
    from golive.checks import live as live_checks
    from golive.registry import Registry

    return Registry.from_modules([live_checks])


def _author() -> str:
    """Who ran the probe: git's author identity (one ``git var`` call), else ``unknown``."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "var", "GIT_AUTHOR_IDENT"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    ident = out.stdout.strip().rsplit(" ", 2)[0] if out.returncode == 0 else ""
    return ident or "unknown"


@click.command("probe", epilog=EPILOG)
@click.argument("urls", nargs=-1)
@click.option("--urls-file", type=PATH, help="More URLs, one a line (# comments).")
@click.option(
    "--resolve", "resolve_", multiple=True, help="HOST:PORT:ADDR like curl: connect there instead; repeat."
)
@click.option("--cacert", type=PATH, help="CA bundle that signs the sites' certificates.")
@click.option("--insecure", is_flag=True, help="Probe past a bad certificate (still reported).")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds per request.")
@click.option(
    "--concurrency",
    type=int,
    default=24,  # targets.DEFAULT_CONCURRENCY (not imported here: it brings httpx)
    show_default=True,
    help="Requests in flight overall (per site: six HTTP/1.1 connections, or 16 HTTP/2 streams).",
)
@click.option("--admin-path", help="Where the admin lives, besides /admin/.")
@click.option("--no-screenshots", is_flag=True, help="Take no screenshots.")
@click.option(
    "-o", "--output", type=PATH, multiple=True, help="Report file; repeat (.json .md .html .sarif .xml)."
)
@click.option("--format", "fmt", help="Force the format of every -o file.")
@click.option("--fail-on", default="high", show_default=True, help="Lowest failing severity that exits 1.")
@click.option("-v", "--verbose", is_flag=True, help="List passes and skips too (one site).")
@click.option("-q", "--quiet", is_flag=True, help="Only the summary.")
def probe(
    urls: tuple[str, ...],
    urls_file: Path | None,
    resolve_: tuple[str, ...],
    cacert: Path | None,
    insecure: bool,
    timeout: float,
    concurrency: int,
    admin_path: str | None,
    no_screenshots: bool,
    output: tuple[Path, ...],
    fmt: str | None,
    fail_on: str,
    verbose: bool,
    quiet: bool,
) -> None:
    """Probe live sites as the world sees them: HTTPS, TLS, cookies, headers, DEBUG, files.

    GET, HEAD and OPTIONS only, at most 48 requests and 5 TLS handshakes per site, each
    with a timeout; redirects to another host are never followed.
    """
    from golive.collectors.live import LiveFacts, gather, probe_options
    from golive.collectors.live.targets import TargetError, group_targets
    from golive.model import Severity
    from golive.reports import ReportError, format_for

    all_urls = read_urls(urls, urls_file)
    if cacert is not None and insecure:
        raise ProbeUsage("--cacert and --insecure exclude each other")
    try:
        Severity.parse(fail_on)
        for path in output:
            format_for(path, fmt)
        targets = group_targets(all_urls)
        opts = probe_options(
            resolve=resolve_,
            cacert=cacert,
            insecure=insecure,
            timeout=timeout,
            admin_path=admin_path,
            concurrency=max(1, concurrency),
        )
    except (ValueError, TargetError, ReportError) as exc:
        raise ProbeUsage(str(exc)) from None
    # Rich (30 ms of imports) is loaded before the probes only when a spinner may show;
    # elsewhere the console is made once the probes are done.
    console = _console() if _may_be_terminal() else None
    started = dt.datetime.now().astimezone()
    clock = time.perf_counter()
    # The checks and reports load in a thread while the probes wait on the network (the event
    # loop idles most of the time across a real network), a daemon: Ctrl-C never waits for it.
    # Once they are loaded, the garbage collector is switched back on (modules_loaded).
    author: list[str] = []
    import golive.collectors.live.sites  # noqa: F401  # the engine, before the thread competes
    from golive.collectors.live.connection_trace import connected

    # Several sites, screenshots off and no PDF: each site's report is written as soon as it
    # is probed (an interrupted run keeps them); many are shared among worker processes.
    workers = 0
    if len(targets) > 1 and no_screenshots and not any(format_for(p, fmt) == "pdf" for p in output):
        from golive.collectors.live.workers import worker_count

        workers = worker_count(len(targets), opts.concurrency)
    # Probed here (no workers), it waits for the first connection, not to slow its set-up.
    load = functools.partial(_load_then_collect, author, connected if workers < 2 else None)
    loading = threading.Thread(target=load, name="golive-load", daemon=True)
    # That thread holds the GIL for Python's switch interval (5 ms) at a time, each answer would
    # wait as long for the event loop: 0.5 ms while both run (not with workers: their loops).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, 0.0005) if workers < 2 else interval)
    loading.start()
    # The spinner only shows on a terminal; elsewhere it would cost its imports and a thread.
    status = (
        console.status(f"probing {len(targets)} site(s)…", spinner="dots")
        if console is not None and console.is_terminal
        else contextlib.nullcontext()
    )
    if workers:
        with status:
            _probe_many(targets, opts, workers, author, loading, interval, output, fmt, console or _console(),
                        insecure=insecure, fail_on=fail_on, started=started, clock=clock)  # fmt: skip
    with status:
        results = gather(
            all_urls,
            opts,
            screenshots=not no_screenshots,
            screenshot_dir=screenshot_folder(output, started),
            dir_for="host",
        )
    elapsed = time.perf_counter() - clock
    connected.set()
    loading.join()
    sys.setswitchinterval(interval)
    audits = []
    for site, shots, note in results:
        facts = LiveFacts(sites=(site,), screenshots=shots, screenshots_note=note, insecure=insecure)
        audits.append(
            build_audit(site.url, facts, fail_on=fail_on, author=author[0], started=started, duration=elapsed)
        )
    written = _write(audits, output, fmt)
    _show(console or _console(), audits, written, verbose=verbose, quiet=quiet)
    codes = [a.exit_status for a in audits]
    raise click.exceptions.Exit(1 if 1 in codes else 3 if 3 in codes else 0)


def _may_be_terminal() -> bool:
    """Whether Rich's ``Console.is_terminal`` may hold for stdout (a tty, or its variables)."""
    import os

    if "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ:
        return True
    return bool(getattr(sys.stdout, "isatty", lambda: False)())


def _console() -> Console:
    """The console of the results: stdout, no highlighting, ``:name:`` shown as it is."""
    from rich.console import Console

    return Console(highlight=False, emoji=False)


def _probe_many(
    targets: list, opts: object, workers: int, author: list[str], loading: threading.Thread,
    interval: float,
    output: tuple[Path, ...], fmt: str | None, console: Console, *, insecure: bool, fail_on: str,
    started: dt.datetime, clock: float,
) -> None:  # fmt: skip
    """Several sites (:func:`golive.commands.probe_output.probe_sites`), on ``workers``
    processes when more than one: each site's audit is built and its reports written as it
    comes back; then the table, the switch interval back to ``interval``. Exits like the
    command (1, 3 or 0)."""
    from golive.commands.probe_output import Reports, audit_builder, probe_sites, show_table

    def who() -> str:
        if not author:
            loading.join()
        return author[0]

    audit_of = audit_builder(insecure=insecure, fail_on=fail_on, author=who, started=started)
    reports = Reports(output, fmt, len(targets))
    rows = probe_sites(targets, opts, workers, reports, audit_of=audit_of, clock=clock)  # type: ignore[arg-type]
    loading.join()
    sys.setswitchinterval(interval)
    show_table(console, rows, reports.combined_path())
    codes = [row.exit_status for row in rows]
    raise click.exceptions.Exit(1 if 1 in codes else 3 if 3 in codes else 0)


def screenshot_folder(outputs: tuple[Path, ...], started: dt.datetime) -> Path:
    """Where ``golive probe`` puts screenshots (one folder per host under it): beside the
    first report (``out/report.html`` → ``out/report-screenshots/``), else
    ``.golive/screenshots/<time>/`` in the current directory, which ignores itself in git
    (:func:`golive.own_files.make_folder`); never loose in the directory."""
    if outputs:
        return outputs[0].parent / f"{outputs[0].stem}-screenshots"
    return Path(".golive") / "screenshots" / started.strftime("%Y%m%dT%H%M%S")


def _load_then_collect(author: list[str], wait_for: threading.Event | None = None) -> None:
    """Once ``wait_for`` is set (at most :data:`LOAD_WAIT` seconds): who runs the probe
    (:func:`_author`, into ``author``), :func:`_load_checks_and_reports`, then the garbage
    collector back on: all while the probes wait on the network."""
    from golive.startup import modules_loaded

    if wait_for is not None:
        wait_for.wait(LOAD_WAIT)
    author.append(_author())
    _load_checks_and_reports()
    modules_loaded()


def _load_checks_and_reports() -> None:
    """Import what runs after the probes (the checks, the runner, the reports) while the
    garbage collector is still off (see :func:`golive.cli.main`). It runs in a thread of
    its own while the sites answer: on loopback, where the run is CPU-bound, that gains
    nothing, but across a network the probes mostly wait (benchmarks/bench_probe.py at
    50 ms RTT)."""
    import golive.checks.live
    import golive.reports.json_report
    import golive.reports.terminal
    import golive.runner  # noqa: F401


def _write(audits: list[Audit], outputs: tuple[Path, ...], fmt: str | None) -> list[list[Path]]:
    """Write every report (:class:`golive.commands.probe_output.Reports`); ``[[paths of
    site 0], [paths of site 1], ...]``, the combined report last in each."""
    from golive.commands.probe_output import Reports

    reports = Reports(outputs, fmt, len(audits))
    written = [reports.add(i, audit) for i, audit in enumerate(audits)]
    combined = reports.close()
    return [[*paths, combined] for paths in written] if combined is not None else written


def _show(
    console: Console, audits: list[Audit], written: list[list[Path]], *, verbose: bool, quiet: bool
) -> None:
    from golive.reports.terminal import render_console

    if len(audits) == 1:
        if quiet:
            from golive.reports.terminal import summary_panel

            console.print(summary_panel(audits[0], written[0]))
        else:
            render_console(audits[0], console, verbose=verbose, paths=written[0])
        return
    from golive.commands.probe_output import SiteRow, show_table

    combined = {p for paths in written for p in paths if p.name.endswith("-all.json")}
    show_table(console, [SiteRow.of(a) for a in audits], min(combined) if combined else None)
