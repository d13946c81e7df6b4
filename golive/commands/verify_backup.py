"""``golive verify-backup``: prove the newest database backup restores (GL945's evidence).

See :mod:`golive.collectors.backups.restore` for what it does. The dump is ``--dump`` or the newest
file of ``[tool.golive.backups] database`` in the project's configuration. The record
goes to ``PROJECT_DIR/.golive/backup-verified.json``, where the next ``golive audit``
reads it. Exit status: 0 restorable, 1 the restore or the comparison failed, 2 nothing
could be verified (usage, connection, no dump).
"""

from __future__ import annotations

from pathlib import Path

import click


def _newest_dump(project_dir: Path) -> Path:
    from golive.collectors.backups.scan import scan
    from golive.config import ConfigError, load_config

    try:
        config = load_config(project_dir).section("backups")
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    location = config.get("database")
    if not isinstance(location, str):
        raise click.UsageError(
            "pass --dump FILE or set [tool.golive.backups] database in the project's configuration"
        )
    found = scan(location, project_dir)
    if found.newest is None:
        raise click.UsageError(
            f"no dump matches {found.pattern}" + (f" ({found.error})" if found.error else "")
        )
    return Path(found.newest.path)


@click.command("verify-backup")
@click.argument("project_dir", type=click.Path(path_type=Path, file_okay=False), default=".", required=False)
@click.option(
    "--dump", type=click.Path(path_type=Path, exists=True), help="The dump (default: the newest configured)."
)
@click.option(
    "--dsn",
    default="",
    help='libpq connection string of the live database, e.g. "host=db user=app dbname=shop".',
)
@click.option("--host", help="Database server host (libpq's PGHOST otherwise).")
@click.option("--port", type=int, help="Database server port.")
@click.option("--user", help="Role that may create databases.")
@click.option("--dbname", help="The live database to compare with.")
@click.option("--scratch", help="Name of the scratch database (default golive_verify_<time>).")
@click.option(
    "--timeout", type=float, default=1800.0, show_default=True, help="Seconds the restore may take."
)
def verify_backup(
    project_dir: Path,
    dump: Path | None,
    dsn: str,
    host: str | None,
    port: int | None,
    user: str | None,
    dbname: str | None,
    scratch: str | None,
    timeout: float,
) -> None:
    """Restore the newest PostgreSQL dump into a scratch database and compare row counts with
    the live one; drop the scratch database; record the result for the audit (GL945).

    The password comes from PGPASSWORD (or ~/.pgpass) and is never printed.
    """
    from golive.collectors.backups import record
    from golive.collectors.backups.restore import VerifyError, verify
    from golive.startup import modules_loaded

    modules_loaded()

    project_dir = project_dir.resolve()
    dump = dump.resolve() if dump else _newest_dump(project_dir)
    try:
        from psycopg.conninfo import make_conninfo

        keywords = {"host": host, "port": port, "user": user, "dbname": dbname}
        conninfo = make_conninfo(dsn, **{k: v for k, v in keywords.items() if v is not None})
    except ImportError:
        click.echo("golive: error: psycopg is not installed: pip install 'psycopg[binary]'", err=True)
        raise click.exceptions.Exit(2) from None
    except Exception as exc:
        click.echo(f"golive: error: bad connection parameters ({type(exc).__name__})", err=True)
        raise click.exceptions.Exit(2) from None
    try:
        result = verify(dump, conninfo, scratch=scratch, timeout=timeout)
    except VerifyError as exc:
        click.echo(f"golive: error: {exc}", err=True)
        raise click.exceptions.Exit(2) from None
    try:
        path = record.write(project_dir, result)
    except OSError as exc:
        click.echo(
            f"golive: error: cannot record the result in {project_dir}: {exc.strerror or exc}", err=True
        )
        raise click.exceptions.Exit(2) from None
    click.echo(
        f"{result.dump} ({result.dump_format}, {result.dump_size} bytes) restored into"
        f" {result.scratch_database} on {result.server} (dropped)"
    )
    for name, (restored, live) in result.tables.items():
        mark = "" if restored == live else "  (differs)"
        shown = ["-" if n is None else str(n) for n in (restored, live)]
        click.echo(f"  {name}: {shown[0]} restored, {shown[1]} live{mark}")
    for problem in result.problems:
        click.echo(f"problem: {problem}")
    click.echo(f"{'restorable' if result.ok else 'NOT restorable'}: recorded in {path}")
    raise click.exceptions.Exit(0 if result.ok else 1)
