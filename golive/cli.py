"""The command line (Click): parse arguments, build the context, run, render, exit.

Filtering, grading and the exit status live in :mod:`golive.runner` and
:class:`golive.model.Audit`; this module only wires them to the terminal.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import msgspec.structs

from golive import __version__
from golive.startup import modules_loaded

if TYPE_CHECKING:  # Rich is imported once the runtime probe runs (see run_and_report)
    from rich.console import Console

    from golive.reports.pdf import PdfFallback

EXIT_HELP = """
Verdict and exit status: every report opens with GO, GO WITH CONDITIONS (nothing failing
at or above --fail-on; manual items to sign off or findings accepted in the baseline),
NO-GO (failing findings at or above --fail-on) or INCOMPLETE (an input found or asked for
could not be audited: a collector or check errored, the settings did not load, a file did
not parse); inputs not given (no --url, not on the server) are listed as not audited.
Exit status: 0 GO or GO WITH CONDITIONS; 1 NO-GO (also when incomplete: failing findings
take precedence); 2 usage or configuration error (nothing audited); 3 INCOMPLETE without
failures (or a report could not be written). 130 (SIGINT, Ctrl-C) or 143 (SIGTERM):
interrupted; every process golive started is killed and nothing is stored.
"""


#: Commands beyond audit: one module each in golive/commands/, written as
#: Click commands (not Typer: Typer 0.2x imports pydantic to parse arguments, a quarter of
#: a second on every run). Imported only when invoked, so `golive audit` starts fast.
LAZY_COMMANDS = {
    "baseline": "golive.commands.baseline:baseline",
    "checks": "golive.commands.catalogue:list_checks",
    "explain": "golive.commands.catalogue:explain",
    "history": "golive.commands.history:history",
    "probe": "golive.commands.probe:probe",
    "report": "golive.commands.report:report",
    "signoff": "golive.commands.signoff:signoff",
    "update-data": "golive.commands.update_data:update_data",
    "verify-backup": "golive.commands.verify_backup:verify_backup",
}


class LazyGroup(click.Group):
    """A group that imports :data:`LAZY_COMMANDS` on demand (Click's "lazily loading
    subcommands" pattern, https://click.palletsprojects.com/en/stable/complex/#lazily-loading-subcommands).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(
    cls=LazyGroup,
    help="Is this Django deployment safe and ready? Audits it along Django's deployment"
    " checklist and writes a dated, signed report.",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="golive", message="%(prog)s %(version)s")
def app() -> None:
    """golive: Django deployment audits."""


@functools.cache
def err() -> Console:
    """The console of golive's messages: stderr, one line per message, never wrapped."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail_usage(message: str) -> click.exceptions.Exit:
    """Print a one-line error and return the exit (status 2) to raise."""
    err().print(f"golive: error: {message}", markup=False)
    return click.exceptions.Exit(2)


PATH = click.Path(path_type=Path)


@app.command(epilog=EXIT_HELP)
@click.argument("project_dir", type=PATH, default=".", required=False)
@click.option("--settings", help="Settings module to audit.")
@click.option(
    "--django-root",
    type=PATH,
    help="Folder holding manage.py, when not the project directory (default: found below it).",
)
@click.option("--python", help="The project's interpreter (default: this one).")
@click.option("--env-file", type=PATH, help="Environment variables for the settings (dotenv).")
@click.option("--author", help="Who prepares the report (default: git's user).")
@click.option(
    "--approver",
    multiple=True,
    help='Reviewer expected to sign, "Name (Role)"; repeat (also [tool.golive.signoff] approvers).',
)
@click.option(
    "-o",
    "--output",
    type=PATH,
    multiple=True,
    help="Report file; repeat. Format from the extension: .json .md .html .pdf .sarif .xml (JUnit).",
)
@click.option("--format", "fmt", help="Force the format of every -o file.")
@click.option("--fail-on", help="Lowest failing severity that exits 1 (default high).")
@click.option("--select", multiple=True, help="Only check ids with this prefix; repeat.")
@click.option("--ignore", multiple=True, help="Drop check ids with this prefix; repeat.")
@click.option(
    "--timeout",
    type=float,
    help="Seconds the settings may take to load (default 60); any other collector, 5 times as long.",
)
@click.option(
    "--nginx",
    type=PATH,
    multiple=True,
    help="nginx config or `nginx -T` dump; repeat (default: discovered).",
)
@click.option("--nginx-prefix", type=PATH, help="Directory nginx resolves relative includes from.")
@click.option(
    "--gunicorn",
    type=PATH,
    multiple=True,
    help="gunicorn config, start script or supervisord file; repeat (default: discovered).",
)
@click.option("--url", multiple=True, help="Probe the live site at this URL too; repeat.")
@click.option(
    "--resolve",
    "resolve_",
    multiple=True,
    help="HOST:PORT:ADDR like curl: probe before DNS points at it; repeat.",
)
@click.option("--cacert", type=PATH, help="CA bundle that signs the live site's certificate.")
@click.option("--insecure", is_flag=True, help="Go on past a bad certificate (still reported).")
@click.option("--admin-path", help="Where the admin lives on the live site.")
@click.option("--no-screenshots", is_flag=True, help="Do not take screenshots of the live site.")
@click.option("--no-git", is_flag=True, help="Do not scan the git history for secrets.")
@click.option(
    "--offline",
    is_flag=True,
    help="No call to PyPI or OSV: shipped tables and cached answers only (the report says so).",
)
@click.option("--since", help="Scan git history since this date or revision only.")
@click.option("--host/--no-host", default=None, help="Audit this machine as the server (default: auto).")
@click.option("--history", type=PATH, help="History database (default .golive/history.sqlite).")
@click.option("--no-history", is_flag=True, help="Do not store this audit.")
@click.option(
    "--no-runtime", is_flag=True, help="Do not load the settings (source, git, files only: fast, no Django)."
)
@click.option("--baseline", type=PATH, help="Baseline file (default golive-baseline.toml).")
@click.option("-v", "--verbose", is_flag=True, help="List passes and skips too.")
@click.option("-q", "--quiet", is_flag=True, help="Only the summary.")
def audit(
    project_dir: Path,
    settings: str | None,
    django_root: Path | None,
    python: str | None,
    env_file: Path | None,
    author: str | None,
    approver: tuple[str, ...],
    output: tuple[Path, ...],
    fmt: str | None,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    timeout: float | None,
    nginx: tuple[Path, ...],
    nginx_prefix: Path | None,
    gunicorn: tuple[Path, ...],
    url: tuple[str, ...],
    resolve_: tuple[str, ...],
    cacert: Path | None,
    insecure: bool,
    admin_path: str | None,
    no_screenshots: bool,
    no_git: bool,
    offline: bool,
    since: str | None,
    host: bool | None,
    history: Path | None,
    no_history: bool,
    baseline: Path | None,
    no_runtime: bool,
    verbose: bool,
    quiet: bool,
) -> None:
    """Audit a Django project: settings as Django loads them, their source, and more."""
    from golive.context import AuditOptions, UsageError, resolve
    from golive.reports import ReportError, format_for

    options = AuditOptions(
        project_dir=project_dir,
        settings=settings,
        django_root=django_root,
        python=python,
        env_file=env_file,
        author=author,
        approvers=approver,
        fail_on=fail_on,
        select=select,
        ignore=ignore,
        timeout=timeout,
        nginx=nginx,
        nginx_prefix=nginx_prefix,
        gunicorn=gunicorn,
        urls=url,
        resolve=resolve_,
        cacert=cacert,
        insecure=insecure,
        admin_path=admin_path,
        screenshots=not no_screenshots,
        no_git=no_git,
        offline=offline,
        since=since,
        host=host,
        history=history,
        no_history=no_history,
        baseline=baseline,
        no_runtime=no_runtime,
    )
    try:
        for path in output:
            format_for(path, fmt)
        ctx = resolve(options)
    except (UsageError, ReportError) as exc:
        raise fail_usage(str(exc)) from None
    code = run_and_report(ctx, list(output), fmt, verbose=verbose, quiet=quiet)
    raise click.exceptions.Exit(code)


def run_and_report(ctx: object, outputs: list[Path], fmt: str | None, *, verbose: bool, quiet: bool) -> int:
    """Run the audit for a resolved context, print it, write the reports; the exit status.

    The runtime probe, the longest step, is launched first
    (:func:`golive.collectors.scheduler.launch_first`); the runner, the other collectors,
    the checks and Rich are imported while it runs. Whatever stops the audit here (Ctrl-C
    is handled by :func:`main`) kills every process it started.
    """
    from golive import processes
    from golive.collectors.scheduler import launch_first
    from golive.context import AuditContext
    from golive.progress import RunningSteps

    assert isinstance(ctx, AuditContext)
    steps = RunningSteps()  # what runs now, with elapsed time past 2 s (golive.progress)
    launched = launch_first(ctx, steps)
    try:
        from rich.console import Console

        from golive.reports import format_for, preload, write
        from golive.runner import run_audit

        # emoji=False: golive writes no emoji code, and a path or reason holding ":name:"
        # is shown as it is (Rich would also import its emoji table for every summary)
        console = Console(highlight=False, emoji=False)
        formats = [format_for(path, fmt) for path in outputs]
        formats += ["github"] if fmt == "github" and not outputs else []

        def prepare() -> None:  # while the probe runs: what the end of the audit imports
            importlib.import_module("golive.reports.terminal")
            preload(formats)  # the PDF renderer among them when a .pdf is asked for
            if not ctx.options.no_history:
                importlib.import_module("golive.history.store")
            # the collectors and the checks are imported by now: what they made is frozen,
            # and the collector is on for the rest of the audit, which may be long
            modules_loaded()

        with console.status(steps, spinner="dots") if console.is_terminal else contextlib.nullcontext():
            result = run_audit(ctx, progress=steps, launched=launched, prepare=prepare)
    except BaseException:
        processes.kill_all()
        raise
    from golive.reports.terminal import clean, render_console

    if not ctx.options.no_history:  # (record_audit stores nothing with --no-history)
        from golive.history.store import record_audit

        result, history_warning = record_audit(ctx, result)
        if history_warning:
            err().print(f"golive: warning: {history_warning}", markup=False, soft_wrap=True)
    # its SHA-256 once (about 2 ms: keys sorted at every level), not again by every report
    # and the summary that shows it: the digest of the JSON report's data without history
    # and sign-offs (golive.signoff.NOT_HASHED), which record_audit attached; a JSON report
    # is written from the same data (golive.signoff.digest_of would make it once more)
    from golive.reports.json_report import to_dict

    data = to_dict(result)
    result = msgspec.structs.replace(result, sha256=str(data["audit_sha256"]))
    written: list[Path] = []
    unwritten = False
    pdf_fallback: tuple[type[PdfFallback], ...] = ()
    if "pdf" in formats:
        from golive.reports.pdf import PdfFallback

        pdf_fallback = (PdfFallback,)
    for path in outputs:
        try:
            written.append(write(result, path, fmt, data=data))
        except pdf_fallback as exc:  # no browser: the HTML was written instead, and said so
            err().print(f"golive: warning: {exc}", markup=False)
            written.append(exc.written)
        except OSError as exc:  # the audit ran: its verdict stands, a lost report makes it incomplete
            err().print(f"golive: error: cannot write {path}: {exc.strerror or exc}", markup=False)
            unwritten = True
    if quiet:
        from golive.reports.terminal import summary_panel

        console.print(summary_panel(result, written))
    else:
        render_console(result, console, verbose=verbose, paths=written)
    if result.history is not None:
        from golive.history.compare import since_line

        console.print(since_line(result.history), markup=False, soft_wrap=True)
    for run in result.collectors:
        if run.status == "error":  # the reason may quote the project: controls made visible
            err().print(f"golive: {clean(run.name)}: {clean(run.reason)}", markup=False)
    if fmt == "github" and not outputs:
        from golive.reports import render

        sys.stdout.write(render(result, "github"))
    if unwritten and result.exit_status == 0:
        return 3
    return result.exit_status


def main() -> None:
    """Console-script entry point: exit statuses as documented (Ctrl-C is 130, never 1;
    SIGTERM 143). A signal stops the audit at once: every process group golive started is
    killed, nothing is stored in the history, and golive exits without waiting for its
    threads (:mod:`golive.processes`).

    Start-up and shutdown, measured by ``benchmarks/bench_probe.py``: importing golive's
    libraries makes a few hundred thousand long-lived objects and next to no garbage, yet
    the collector would traverse them again and again while they load, and once more at
    interpreter shutdown. So the collector is off until the command calls
    :func:`modules_loaded` (audit, baseline, probe, update-data and verify-backup do; audit
    once its collectors, checks and renderers are imported, while the runtime probe runs;
    checks, explain, history and report are short and bounded), and
    everything still alive is frozen (``gc.freeze``, Python's documented way to exempt
    objects from collection) before the interpreter exits. Together about a tenth of a
    second per run. The interpreter's teardown is skipped too (:func:`golive.quick_exit.leave`).
    """
    from golive import processes, quick_exit

    gc.disable()
    processes.install_signal_handlers()
    try:
        status = app.main(prog_name="golive", standalone_mode=False)
    except processes.Interrupted as exc:  # SIGINT, SIGTERM, SIGHUP: 128 + the signal's number
        err().print("golive: interrupted")
        status = exc.status
    except (click.exceptions.Abort, KeyboardInterrupt):
        err().print("golive: interrupted")
        status = 130
    except click.ClickException as exc:  # usage errors: Click's one-line message, exit 2
        exc.show()
        status = exc.exit_code
    except BaseException:
        # the signal's Interrupted, turned into another exception where it landed (Python
        # 3.11 wraps one raised in a class's __set_name__, as a module loads, in RuntimeError)
        signum = processes.stopping()
        if signum is None:
            raise
        err().print("golive: interrupted")
        status = 128 + signum
    finally:
        gc.freeze()
    quick_exit.leave(status if isinstance(status, int) else 0)


if __name__ == "__main__":
    main()
