"""``golive history``: the table of past audits and a sparkline of failing findings."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from golive.history.grade import GRADE_HELP
from golive.history.store import History, HistoryError, history_path

PATH = click.Path(path_type=Path)


class CommandError(click.ClickException):
    """A one-line error of a golive sub-command: ``golive: error: ...``, exit status 2."""

    exit_code = 2

    def show(self, file: object = None) -> None:
        """Print the message on standard error."""
        err = Console(stderr=True, highlight=False)
        err.print(f"golive: error: {self.message}", markup=False, soft_wrap=True)


def open_history(project_dir: Path, explicit: Path | None) -> History:
    """The history of ``project_dir`` (``--history`` wins); :class:`CommandError` when absent or damaged."""
    from golive.config import ConfigError, load_config

    try:
        configured = load_config(project_dir).raw.get("history")
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    try:
        return History(history_path(project_dir, explicit, configured), create=False)
    except HistoryError as exc:
        raise CommandError(str(exc)) from None


@click.command("history", epilog=GRADE_HELP)
@click.argument("project_dir", type=PATH, default=".", required=False)
@click.option("--history", "database", type=PATH, help="History database (default .golive/history.sqlite).")
@click.option(
    "-n", "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Audits shown."
)
def history(project_dir: Path, database: Path | None, limit: int) -> None:
    """List past audits (date, author, commit, failing by severity, grade, SHA-256) with a trend sparkline.

    The SHA-256 (first 12 digits) is the one each audit's reports carry: check a signed copy
    with `golive report ID --verify SHA256`.
    """
    from golive.history.trend import sparkline_text
    from golive.reports.terminal import clean

    with open_history(project_dir, database) as db:
        try:
            entries = db.entries(limit=limit)
            digests = {e.id: db.digest(e.id) for e in entries}  # golive.signoff: what a signature covers
        except HistoryError as exc:
            raise CommandError(str(exc)) from None
    console = Console(highlight=False)
    if not entries:
        console.print(f"no audits stored in {db.path} yet", markup=False)
        return
    table = Table(box=None, header_style="bold")
    for col in (
        "id",
        "date",
        "author",
        "commit",
        "settings",
        "crit",
        "high",
        "med",
        "low",
        "grade",
        "sha256",
    ):
        table.add_column(
            col,
            justify="right" if col in ("id", "crit", "high", "med", "low") else "left",
            no_wrap=col == "sha256",
            min_width=12 if col == "sha256" else None,
        )
    for e in entries:
        counts = e.failing_by_severity
        commit = (e.git_commit or "-")[:10] + ("+" if e.git_dirty else "")
        grade = Text(f"{e.grade} {e.score}" if e.grade else "–", style="bold")  # –: no grade
        if e.incomplete:
            grade.append(" incomplete", style="magenta")
        table.add_row(  # stored strings: control characters made visible, never read as markup
            str(e.id),
            Text(clean(e.started_at[:16].replace("T", " "))),
            Text(clean(e.author)),
            Text(clean(commit)),
            Text(clean(e.settings_module or "?")),
            *(str(counts.get(s, 0)) for s in ("critical", "high", "medium", "low")),
            grade,
            (digests.get(e.id) or "?")[:12],
        )
    console.print(table)
    points = [e.trend_point() for e in entries]
    line = Text("failing ", style="dim")
    line.append_text(sparkline_text(points))
    line.append(f"  {entries[0].failing} → {entries[-1].failing}", style="dim")
    console.print(line)
