"""``golive report AUDIT_ID``: re-render a stored audit in any format."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from golive.commands.history import PATH, CommandError, open_history
from golive.history.store import HistoryError
from golive.model import Audit


@click.command("report")
@click.argument("audit_id")
@click.option("--project", "project_dir", type=PATH, default=".", help="The project whose history to read.")
@click.option("--history", "database", type=PATH, help="History database (default .golive/history.sqlite).")
@click.option(
    "-o",
    "--output",
    type=PATH,
    multiple=True,
    help="Report file; repeat. Format from the extension: .json .md .html .pdf .sarif .xml (JUnit).",
)
@click.option("--format", "fmt", help="Force the format of every -o file (github without -o: stdout).")
@click.option("-v", "--verbose", is_flag=True, help="List passes and skips too (terminal).")
@click.option(
    "--verify",
    metavar="SHA256",
    help="Check a signed copy: exit 0 when its SHA-256 is this stored audit's, 1 when not.",
)
@click.option("--approver", multiple=True, help='Reviewer expected to sign, "Name (Role)"; repeat.')
def report(
    audit_id: str,
    project_dir: Path,
    database: Path | None,
    output: tuple[Path, ...],
    fmt: str | None,
    verbose: bool,
    verify: str | None,
    approver: tuple[str, ...],
) -> None:
    """Re-render a stored audit. AUDIT_ID: a number from `golive history`, `latest` or `previous`.

    Without -o the audit is printed to the terminal (--format github: the annotations).
    The sign-offs recorded on it (`golive signoff`, in the history and golive-signoffs.toml)
    are shown; --verify SHA256 checks the SHA-256 printed on a signed copy instead.
    """
    from golive.reports import ReportError, format_for, render, write
    from golive.reports.terminal import render_console

    try:
        for path in output:
            format_for(path, fmt)
        if fmt and not output:
            format_for(Path("-"), fmt)
            if fmt == "pdf":
                raise ReportError("--format pdf writes a file: give -o report.pdf")
    except ReportError as exc:
        raise click.UsageError(str(exc)) from None
    with open_history(project_dir, database) as db:
        try:
            audit = db.load(audit_id)
        except HistoryError as exc:
            raise CommandError(str(exc)) from None
    if verify is not None:
        _verify(audit, verify)
        return
    audit = with_signoffs(audit, project_dir, approver)
    from golive.reports.pdf import PdfFallback

    written = []
    for path in output:
        try:
            written.append(write(audit, path, fmt))
        except PdfFallback as exc:  # no browser: the HTML was written instead
            click.echo(f"golive: warning: {exc}", err=True)
            written.append(exc.written)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
    if fmt and not output:
        click.echo(render(audit, fmt), nl=False)
    elif written:
        for path in written:
            click.echo(f"wrote {path}")
    else:
        render_console(audit, Console(highlight=False), verbose=verbose)


def _verify(audit: Audit, expected: str) -> None:
    """Print whether ``expected`` is ``audit``'s SHA-256; exit 1 when it is not."""
    from golive.signoff import SignoffError, digest_of, matches

    actual = digest_of(audit)
    number = audit.history.get("id") if audit.history else None
    try:
        same = matches(expected, actual)
    except SignoffError as exc:
        raise click.UsageError(str(exc)) from None
    if same:
        click.echo(f"OK: the SHA-256 is audit #{number}'s ({audit.started_at}): {actual}")
        return
    click.echo(f"MISMATCH: audit #{number} ({audit.started_at}) has SHA-256 {actual}, not {expected.strip()}")
    raise click.exceptions.Exit(1)


def with_signoffs(audit: Audit, project_dir: Path, extra: tuple[str, ...] = ()) -> Audit:
    """``audit`` with the sign-offs of the project's sign-off file that match its SHA-256, and
    the approvers the configuration and ``--approver`` (``extra``) name now. A wrong file or
    configuration is a :class:`CommandError`."""
    from golive import signoff as so
    from golive.config import ConfigError, load_config

    root = project_dir.resolve()
    try:
        config = load_config(root)
        path = so.signoffs_path(root, None, config)
        label = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        in_file = [s for s, _ in so.load_file(path, label)]
        listed = so.approvers(config, extra)
    except (ConfigError, so.SignoffError) as exc:
        raise CommandError(str(exc)) from None
    return so.with_approvers(so.attach(audit, (), in_file), listed)
