"""The command line (Typer): parse arguments, build the context, run, render, exit.

Filtering, grading and the exit status live in :mod:`golive.runner` and
:class:`golive.model.Audit`; this module only wires them to the terminal.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from golive import __version__

EXIT_HELP = """
Exit status: 0 nothing failing at or above --fail-on and the audit is complete;
1 failing findings at or above --fail-on; 2 usage or configuration error (nothing
audited); 3 the audit is incomplete (a collector or check errored) and nothing
failing was found. Failing findings take precedence over incompleteness.
"""

app = typer.Typer(
    name="golive",
    help="Is this Django deployment safe and ready? Audits it along Django's deployment"
    " checklist and writes a dated, signed report.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)


def fail_usage(message: str) -> typer.Exit:
    """Print a one-line error and return the exit (status 2) to raise."""
    err.print(f"golive: error: {message}", markup=False)
    return typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        print(f"golive {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """golive: Django deployment audits."""


@app.command(epilog=EXIT_HELP)
def audit(
    project_dir: Annotated[Path, typer.Argument(help="The Django project (where manage.py is).")] = Path("."),
    settings: Annotated[str | None, typer.Option("--settings", help="Settings module to audit.")] = None,
    python: Annotated[
        str | None, typer.Option("--python", help="The project's interpreter (default: this one).")
    ] = None,
    env_file: Annotated[
        Path | None, typer.Option("--env-file", help="Environment variables for the settings (dotenv).")
    ] = None,
    author: Annotated[str | None, typer.Option("--author", help="Who signs the report.")] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "-o",
            "--output",
            help="Report file; repeat. Format from the extension: .json .md .html .sarif .xml (JUnit).",
        ),
    ] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Force the format of every -o file.")] = None,
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", help="Lowest failing severity that exits 1 (default high).")
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only check ids with this prefix; repeat.")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Drop check ids with this prefix; repeat.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Seconds the settings may take to load (default 60).")
    ] = None,
    nginx: Annotated[
        list[Path] | None,
        typer.Option("--nginx", help="nginx config file or `nginx -T` dump; repeat (default: discovered)."),
    ] = None,
    nginx_prefix: Annotated[
        Path | None, typer.Option("--nginx-prefix", help="Directory nginx resolves relative includes from.")
    ] = None,
    gunicorn: Annotated[
        list[Path] | None,
        typer.Option("--gunicorn", help="gunicorn config file; repeat (default: discovered)."),
    ] = None,
    url: Annotated[
        list[str] | None, typer.Option("--url", help="Probe the live site at this URL too; repeat.")
    ] = None,
    resolve_: Annotated[
        list[str] | None,
        typer.Option("--resolve", help="HOST:PORT:ADDR, like curl: probe before DNS points at it; repeat."),
    ] = None,
    cacert: Annotated[
        Path | None, typer.Option("--cacert", help="CA bundle that signs the live site's certificate.")
    ] = None,
    insecure: Annotated[
        bool, typer.Option("--insecure", help="Go on past a bad certificate (still reported).")
    ] = False,
    admin_path: Annotated[
        str | None, typer.Option("--admin-path", help="Where the admin lives on the live site.")
    ] = None,
    no_screenshots: Annotated[
        bool, typer.Option("--no-screenshots", help="Do not take screenshots of the live site.")
    ] = False,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Do not scan the git history for secrets.")
    ] = False,
    since: Annotated[
        str | None, typer.Option("--since", help="Scan git history since this date or revision only.")
    ] = None,
    host: Annotated[
        bool | None,
        typer.Option("--host/--no-host", help="Audit this machine as the server (default: auto)."),
    ] = None,
    history: Annotated[
        Path | None, typer.Option("--history", help="History database (default .golive/history.sqlite).")
    ] = None,
    no_history: Annotated[bool, typer.Option("--no-history", help="Do not store this audit.")] = False,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Baseline file (default golive-baseline.toml).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List passes and skips too.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
) -> None:
    """Audit a Django project: settings as Django loads them, their source, and more."""
    from golive.context import AuditOptions, UsageError, resolve
    from golive.reports import ReportError, format_for

    options = AuditOptions(
        project_dir=project_dir,
        settings=settings,
        python=python,
        env_file=env_file,
        author=author,
        fail_on=fail_on,
        select=tuple(select or ()),
        ignore=tuple(ignore or ()),
        timeout=timeout,
        nginx=tuple(nginx or ()),
        nginx_prefix=nginx_prefix,
        gunicorn=tuple(gunicorn or ()),
        urls=tuple(url or ()),
        resolve=tuple(resolve_ or ()),
        cacert=cacert,
        insecure=insecure,
        admin_path=admin_path,
        screenshots=not no_screenshots,
        no_git=no_git,
        since=since,
        host=host,
        history=history,
        no_history=no_history,
        baseline=baseline,
    )
    try:
        for path in output or []:
            format_for(path, fmt)
        ctx = resolve(options)
    except (UsageError, ReportError) as exc:
        raise fail_usage(str(exc)) from None
    code = run_and_report(ctx, output or [], fmt, verbose=verbose, quiet=quiet)
    raise typer.Exit(code)


def run_and_report(ctx: object, outputs: list[Path], fmt: str | None, *, verbose: bool, quiet: bool) -> int:
    """Run the audit for a resolved context, print it, write the reports; the exit status."""
    from golive.context import AuditContext
    from golive.reports import write
    from golive.reports.terminal import render_console
    from golive.runner import run_audit

    assert isinstance(ctx, AuditContext)
    console = Console(highlight=False)
    with console.status("auditing…", spinner="dots") as status:

        def progress(name: str, state: str) -> None:
            if state == "start":
                status.update(f"collecting: {name}…")
            elif state != "ok":
                status.update(f"{name}: {state}")

        result = run_audit(ctx, progress=progress)
    written: list[Path] = []
    for path in outputs:
        try:
            written.append(write(result, path, fmt))
        except OSError as exc:
            err.print(f"golive: error: cannot write {path}: {exc.strerror or exc}", markup=False)
            return 2
    if quiet:
        from golive.reports.terminal import _summary

        console.print(_summary(result, written))
    else:
        render_console(result, console, verbose=verbose, paths=written)
    for run in result.collectors:
        if run.status == "error":
            err.print(f"golive: {run.name}: {run.reason}", markup=False)
    return result.exit_status


@app.command("checks")
def list_checks() -> None:
    """List every check: id, section, severity, title (golive's and Django's)."""
    from rich.table import Table

    from golive.checks import registry
    from golive.checks.django_checks import CATALOGUE

    table = Table(box=None, header_style="bold")
    for col in ("id", "section", "severity", "title"):
        table.add_column(col)
    for spec in registry():
        table.add_row(
            spec.id,
            spec.section.value,
            spec.severity.label,
            spec.title + (" (manual)" if spec.manual else ""),
        )
    for cid, known in CATALOGUE.items():
        table.add_row(cid, known.section.value, known.severity.label, known.title + " (Django)")
    Console(highlight=False).print(table)


@app.command()
def explain(
    check_id: Annotated[str, typer.Argument(help="A check id, e.g. GL101 or security.W004.")],
) -> None:
    """Explain one check: rationale, remediation and source."""
    from rich.markdown import Markdown

    from golive.checks import registry
    from golive.checks.django_checks import CATALOGUE, CHECKS_DOC

    console = Console(highlight=False)
    spec = registry().get(check_id)
    if spec is not None:
        console.print(f"[bold]{spec.id}[/] {spec.title}", markup=True)
        console.print(
            f"section {spec.section.value} · severity {spec.severity.label}"
            + (f" · manual, signature valid {spec.validity_days} days" if spec.manual else "")
        )
        console.print(Markdown(spec.rationale))
        console.print("[bold]Remediation[/]")
        console.print(spec.remediation, markup=False)
        console.print(f"[bold]Source[/] {spec.reference}")
        return
    known = CATALOGUE.get(check_id) or next(
        (c for k, c in CATALOGUE.items() if k.lower() == check_id.lower()), None
    )
    if known is not None:
        console.print(f"[bold]{known.id}[/] {known.title} (Django's own check)")
        console.print(f"section {known.section.value} · severity {known.severity.label}")
        console.print("[bold]Remediation[/]")
        console.print(known.remediation, markup=False)
        console.print(f"[bold]Source[/] {CHECKS_DOC}#security")
        return
    raise fail_usage(f"unknown check id {check_id!r} (see `golive checks`)")


# Further commands live in golive/commands/, one module each, registered here:
# from golive.commands import probe  →  app.command("probe", epilog=EXIT_HELP)(probe.probe)
# (one line per command, keep them sorted)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("golive: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
