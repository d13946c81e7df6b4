"""``golive report AUDIT_ID``: re-render a stored audit in any format."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from golive.commands.history import PATH, CommandError, open_history
from golive.history import HistoryError


@click.command("report")
@click.argument("audit_id")
@click.option("--project", "project_dir", type=PATH, default=".", help="The project whose history to read.")
@click.option("--history", "database", type=PATH, help="History database (default .golive/history.sqlite).")
@click.option(
    "-o",
    "--output",
    type=PATH,
    multiple=True,
    help="Report file; repeat. Format from the extension: .json .md .html .sarif .xml (JUnit).",
)
@click.option("--format", "fmt", help="Force the format of every -o file (github without -o: stdout).")
@click.option("-v", "--verbose", is_flag=True, help="List passes and skips too (terminal).")
def report(
    audit_id: str,
    project_dir: Path,
    database: Path | None,
    output: tuple[Path, ...],
    fmt: str | None,
    verbose: bool,
) -> None:
    """Re-render a stored audit. AUDIT_ID: a number from `golive history`, `latest` or `previous`.

    Without -o the audit is printed to the terminal (--format github: the annotations).
    """
    from golive.reports import ReportError, format_for, render, write
    from golive.reports.terminal import render_console

    try:
        for path in output:
            format_for(path, fmt)
        if fmt and not output:
            format_for(Path("-"), fmt)
    except ReportError as exc:
        raise click.UsageError(str(exc)) from None
    with open_history(project_dir, database) as db:
        try:
            audit = db.load(audit_id)
        except HistoryError as exc:
            raise CommandError(str(exc)) from None
    written = []
    for path in output:
        try:
            written.append(write(audit, path, fmt))
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
    if fmt and not output:
        click.echo(render(audit, fmt), nl=False)
    elif written:
        for path in written:
            click.echo(f"wrote {path}")
    else:
        render_console(audit, Console(highlight=False), verbose=verbose)
