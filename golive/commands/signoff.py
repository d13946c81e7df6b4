"""``golive signoff AUDIT_ID``: record a person's go / no-go on a stored audit.

The approval goes to the history (shown when the audit is re-rendered) and to
``golive-signoffs.toml`` in the project, a file to review and commit (:mod:`golive.signoff`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.console import Console

from golive.commands.history import PATH, CommandError, open_history


@click.command("signoff")
@click.argument("audit_id")
@click.option("--by", "by", help="Who signs (default: git's user.name and user.email).")
@click.option("--role", default="", help="Their role: CTO, Head of Ops, ...")
@click.option("--decision", required=True, type=click.Choice(["go", "no-go"]), help="The decision recorded.")
@click.option("--note", default="", help="Why, or the conditions of the decision.")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Day signed (default today).")
@click.option("--project", "project_dir", type=PATH, default=".", help="The project whose history to read.")
@click.option("--history", "database", type=PATH, help="History database (default .golive/history.sqlite).")
@click.option("--file", "output", type=PATH, help="Sign-off file (default golive-signoffs.toml).")
def signoff(
    audit_id: str,
    by: str | None,
    role: str,
    decision: str,
    note: str,
    on: dt.datetime | None,
    project_dir: Path,
    database: Path | None,
    output: Path | None,
) -> None:
    """Record a go / no-go on a stored audit. AUDIT_ID: a number, `latest` or `previous`.

    The sign-off is stored in the history and appended to golive-signoffs.toml (review and
    commit it); `golive report AUDIT_ID -o report.html` then shows it in the sign-off block,
    with the audit's SHA-256 the signature covers.
    """
    from golive import signoff as so
    from golive.config import ConfigError, load_config
    from golive.context import git_info
    from golive.history.store import HistoryError
    from golive.model import Signoff
    from golive.reports import write_atomic
    from golive.reports.terminal import clean

    root = project_dir.resolve()
    try:
        config = load_config(root)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    who = (by or "").strip() or git_info(root).user
    if not who:
        raise CommandError("say who signs: --by NAME (git has no user.name here)")
    with open_history(project_dir, database) as db:
        try:
            number = db.resolve(audit_id)
            audit = db.load(number)
            record = Signoff(
                by=who,
                role=role.strip(),
                decision=decision,
                on=(on.date() if on else dt.date.today()).isoformat(),
                audit_sha256=so.digest_of(audit),
                note=note.strip(),
                audit_id=number,
            )
            path = so.signoffs_path(root, output, config)
            try:
                tables = [t for _, t in so.load_file(path)]
            except so.SignoffError as exc:
                raise CommandError(f"{exc}; fix it, nothing was recorded") from None
            tables.append(so.file_entry(audit, record))
            try:
                write_atomic(path, so.dumps(tables))
            except OSError as exc:
                raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
            db.add_signoff(number, record)
        except HistoryError as exc:
            raise CommandError(str(exc)) from None
    console = Console(highlight=False, soft_wrap=True)
    verdict = audit.decision.word.value
    console.print(
        f"audit #{number} ({clean(audit.started_at)}, verdict {verdict}): {decision} by {clean(who)}"
        + (f", {clean(record.role)}" if record.role else "")
        + f" on {record.on}",
        markup=False,
    )
    console.print(f"SHA-256 {record.audit_sha256}", markup=False)
    console.print(f"recorded in the history and in {path}: review and commit it", markup=False)
    if decision == "go" and verdict in ("NO-GO", "INCOMPLETE"):
        Console(stderr=True, highlight=False).print(
            f"golive: warning: go recorded on an audit whose verdict is {verdict}", markup=False
        )
