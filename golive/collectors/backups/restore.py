"""``golive verify-backup``: restore a PostgreSQL dump into a scratch database and check it.

Steps: create ``golive_verify_<time>`` (``TEMPLATE template0``) on the server the
connection parameters name; restore the dump into it with PostgreSQL's own tools
(``pg_restore --no-owner --no-privileges --exit-on-error`` for the custom, directory and
tar formats, which start with ``PGDMP``; ``psql -v ON_ERROR_STOP=1`` for plain SQL,
gzip-compressed or not: https://www.postgresql.org/docs/current/backup-dump.html); count
the rows of every base table in the restored and in the live database; drop the scratch
database (``WITH (FORCE)``) whatever happened.

The connection is libpq's (a DSN or keywords, read by psycopg): the password comes from
``PGPASSWORD``/``~/.pgpass`` or the DSN and is never printed or recorded; only host and
port are. Errors: :class:`VerifyError` (one line) for what stops the run before a verdict.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from golive import __version__
from golive.collectors.backups.record import Verification

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


class VerifyError(Exception):
    """The restore test could not run (usage, connection, missing tool); one line."""


def tool(name: str) -> str:
    """The path of a PostgreSQL client tool: PATH first, then Debian's versioned folders."""
    found = shutil.which(name)
    if found:
        return found
    for folder in PG_BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    raise VerifyError(f"{name} not found: install PostgreSQL's client tools (apt install postgresql-client)")


def dump_format(path: Path) -> str:
    """``custom``/``tar``/``directory`` (pg_restore's), ``plain`` or ``plain-gzip`` (psql's)."""
    if path.is_dir():
        return "directory" if (path / "toc.dat").exists() else "unknown"
    with path.open("rb") as handle:
        head = handle.read(512)
    if head.startswith(b"PGDMP"):
        return "custom"
    if head[:2] == b"\x1f\x8b":
        return "plain-gzip"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return "plain"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_dir():
        return ""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _connect(conninfo: str) -> Any:
    try:
        import psycopg
    except ImportError:
        raise VerifyError("psycopg is not installed: pip install 'psycopg[binary]'") from None
    try:
        return psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise VerifyError(f"cannot connect: {' '.join(str(exc).split())[:300]}") from None


def row_counts(conninfo: str) -> dict[str, int]:
    """``{"schema.table": rows}`` of every base table outside the system schemas."""
    from psycopg import sql

    with _connect(conninfo) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        ).fetchall()
        out = {}
        for schema, table in tables:
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            out[f"{schema}.{table}"] = int(conn.execute(query).fetchone()[0])
    return out


def _restore(dump: Path, fmt: str, conninfo: str, timeout: float) -> str | None:
    """Run the restore; None on success, else the tool's last error line.

    A gzip-compressed SQL dump is streamed into psql's standard input, never held in memory.
    A password in ``conninfo`` goes to the tools through ``PGPASSWORD``, never on their
    command line (which every local user can read in ``ps``).
    """
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(conninfo)
    password = params.pop("password", None)
    conninfo = make_conninfo("", **{k: v for k, v in params.items() if v is not None})
    env = dict(os.environ, **({"PGPASSWORD": str(password)} if password else {}))
    if fmt in ("custom", "tar", "directory"):
        cmd = [
            tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "-d",
            conninfo,
            str(dump),
        ]
    elif fmt == "plain":
        cmd = [tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-f", str(dump)]
    elif fmt == "plain-gzip":
        cmd = [tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo]
    else:
        return f"{dump}: not a PostgreSQL dump pg_restore or psql can read"
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE if fmt == "plain-gzip" else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=env,
        )
        try:
            if proc.stdin is not None:
                with gzip.open(dump, "rb") as source, contextlib.suppress(BrokenPipeError):
                    shutil.copyfileobj(source, proc.stdin, 1 << 20)
                proc.stdin.close()
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return f"the restore took longer than {timeout:g} s"
        except (OSError, EOFError) as exc:
            proc.kill()
            proc.wait()
            return f"{dump}: cannot decompress it: {exc}"
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    if code != 0:
        lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
        return f"{Path(cmd[0]).name} exited {code}: {(lines[-1] if lines else 'no output')[:300]}"
    return None


def verify(
    dump: Path,
    dsn: str,
    *,
    scratch: str | None = None,
    timeout: float = 1800.0,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
) -> Verification:
    """Restore ``dump`` next to the live database ``dsn`` names and compare; the record.

    Raises :class:`VerifyError` when nothing could be verified (no dbname, no connection,
    the scratch database cannot be created, a query or the dump file fails midway).
    """
    import psycopg

    try:
        return _verify(dump, dsn, scratch=scratch, timeout=timeout, now=now)
    except psycopg.Error as exc:
        raise VerifyError(f"the database refused: {' '.join(str(exc).split())[:300]}") from None
    except OSError as exc:
        raise VerifyError(f"{dump}: {exc.strerror or exc}") from None


def _verify(
    dump: Path,
    dsn: str,
    *,
    scratch: str | None = None,
    timeout: float = 1800.0,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
) -> Verification:
    """The body of :func:`verify`; psycopg and OS errors propagate to it."""
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        params = conninfo_to_dict(dsn)
    except Exception as exc:
        raise VerifyError(f"--dsn is not a libpq connection string: {type(exc).__name__}") from None
    live = str(params.get("dbname") or "")
    if not live:
        raise VerifyError("name the live database: --dbname NAME or dbname=NAME in --dsn")
    server = f"{params.get('host') or 'localhost'}:{params.get('port') or 5432}"
    started = now()
    scratch = scratch or f"golive_verify_{started.strftime('%Y%m%d_%H%M%S')}"
    fmt = dump_format(dump)
    stat = dump.stat()
    with _connect(dsn) as admin:
        try:
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(scratch)))
        except Exception as exc:
            raise VerifyError(
                f"cannot create the scratch database {scratch}: {' '.join(str(exc).split())}"
            ) from None
    problems: list[str] = []
    tables: dict[str, list[int | None]] = {}
    try:
        failure = _restore(dump, fmt, make_conninfo(dsn, dbname=scratch), timeout)
        if failure:
            problems.append(failure)
        restored = row_counts(make_conninfo(dsn, dbname=scratch))
        current = row_counts(dsn)
        for name in sorted(set(restored) | set(current)):
            tables[name] = [restored.get(name), current.get(name)]
        if not restored:
            problems.append("the restored database has no table")
        missing = [n for n in current if n not in restored]
        if missing:
            problems.append(f"{len(missing)} live table(s) missing from the dump: {', '.join(missing[:10])}")
        emptied = [n for n in current if current[n] > 0 and restored.get(n) == 0]
        if emptied and len(emptied) == len([n for n in current if current[n] > 0]):
            problems.append(f"every table with rows live is empty in the dump ({len(emptied)})")
    finally:
        with _connect(dsn) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
    return Verification(
        verified_at=started.isoformat(timespec="seconds"),
        dump=str(dump),
        dump_size=stat.st_size,
        dump_sha256=_sha256(dump),
        dump_modified=dt.datetime.fromtimestamp(stat.st_mtime).astimezone().isoformat(timespec="seconds"),
        dump_format=fmt,
        server=server,
        live_database=live,
        scratch_database=scratch,
        ok=not problems,
        problems=tuple(problems),
        tables=tables,
        golive_version=__version__,
    )
