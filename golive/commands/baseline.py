"""``golive baseline``: accept the current failing findings, with a reason and an expiry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from golive.commands.history import PATH, CommandError

DEFAULT_DAYS = 90


@click.command("baseline")
@click.argument("project_dir", type=PATH, default=".", required=False)
@click.option("--reason", required=True, help="Why these findings are accepted (stored with each entry).")
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day accepted (YYYY-MM-DD).")
@click.option(
    "--days", type=click.IntRange(min=1), help=f"Accept for this many days (default {DEFAULT_DAYS})."
)
@click.option("--by", "by", help="Who accepts them (default: the audit's author).")
@click.option("--baseline", "output", type=PATH, help="Baseline file (default golive-baseline.toml).")
@click.option(
    "--from", "from_audit", help="Take the findings of a stored audit (id, latest) instead of running one."
)
@click.option("--history", type=PATH, help="History database for --from (default .golive/history.sqlite).")
@click.option("--settings", help="Settings module to audit.")
@click.option("--python", help="The project's interpreter (default: this one).")
@click.option("--env-file", type=PATH, help="Environment variables for the settings (dotenv).")
@click.option("--select", multiple=True, help="Only check ids with this prefix; repeat.")
@click.option("--ignore", multiple=True, help="Drop check ids with this prefix; repeat.")
@click.option("--no-runtime", is_flag=True, help="Do not load the settings (source and files only).")
@click.option("--timeout", type=float, help="Seconds the settings may take to load (default 60).")
def baseline(
    project_dir: Path,
    reason: str,
    expires: dt.datetime | None,
    days: int | None,
    by: str | None,
    output: Path | None,
    from_audit: str | None,
    history: Path | None,
    settings: str | None,
    python: str | None,
    env_file: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_runtime: bool,
    timeout: float | None,
) -> None:
    """Write the failing findings to golive-baseline.toml so later audits accept them until expiry.

    Entries already in the file are kept as they are; new failing findings are added with
    --reason and --expires (or --days, default 90). Later audits show them as accepted, not
    failing, until that day, then as failing again. Review and commit the file.
    """
    from golive import baseline as bl
    from golive.config import ConfigError, load_config
    from golive.context import AuditOptions, UsageError, resolve
    from golive.reports import write_atomic
    from golive.startup import modules_loaded

    if expires and days:
        raise CommandError("give --expires or --days, not both")
    if not reason.strip():
        raise CommandError("--reason must say why the findings are accepted")
    today = dt.date.today()
    until = expires.date() if expires else today + dt.timedelta(days=days or DEFAULT_DAYS)
    if until < today:
        raise CommandError(f"--expires {until} is in the past")
    if from_audit is not None:
        from golive.commands.history import open_history
        from golive.history.store import HistoryError

        with open_history(project_dir, history) as db:
            try:
                audit = db.load(from_audit)
            except HistoryError as exc:
                raise CommandError(str(exc)) from None
        root = project_dir.resolve()
        try:
            configured = load_config(root).raw.get("baseline")
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
    else:
        from golive.runner import run_audit

        options = AuditOptions(
            project_dir=project_dir,
            settings=settings,
            python=python,
            env_file=env_file,
            select=select,
            ignore=ignore,
            timeout=timeout,
            no_runtime=no_runtime,
            baseline=output,
        )
        try:
            ctx = resolve(options)
        except UsageError as exc:
            raise CommandError(str(exc)) from None
        modules_loaded()
        with Console(stderr=True).status("auditing…"):
            audit = run_audit(ctx)
        root, configured = ctx.project_dir, ctx.config.raw.get("baseline")
    path = bl.baseline_path(root, output, configured)
    try:
        existing = bl.load(path) if path.is_file() else []
    except bl.BaselineError as exc:
        raise CommandError(str(exc)) from None
    new = bl.entries_for(
        audit.findings, reason=reason.strip(), by=by or audit.author, on=today, expires=until
    )
    entries, added = bl.merge(existing, new)
    try:
        write_atomic(path, bl.dumps(entries))  # a full disk never leaves half a baseline
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
    console = Console(highlight=False)
    for e in added:
        console.print(Text.assemble(("  + ", "green"), (f"{e.id:<14}", "bold"), e.title))
    console.print(
        f"{path}: {len(added)} added, {len(entries) - len(added)} kept, accepted until {until}",
        markup=False,
    )
    from golive.reports.terminal import clean

    for run in audit.collectors:
        if run.status == "error":
            line = f"golive: {clean(run.name)}: {clean(run.reason)}"  # controls in the reason made visible
            Console(stderr=True, highlight=False).print(line, markup=False)
