"""Backups (GL940–GL945) and ``golive verify-backup`` against a real PostgreSQL.

Backup files are real files whose size and modification time the tests set; the dumps
that are restored are made by the real ``pg_dump`` from a real PostgreSQL server started
by the ``postgres`` fixture below on 127.0.0.1, with password authentication.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import audit_project, failing, outcome

from golive.collectors.backups.restore import tool
from golive.model import Severity, Status

PASSWORD = "pg-pass-for-golive-tests-5e1"
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=Path("/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*cmd: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, Any]]:
    """A real PostgreSQL from Debian on 127.0.0.1:<free port>, password auth (SCRAM).

    The server refuses to run as root, and the tests run as root, so: the ``postgres``
    system user (created with ``useradd --system`` if the machine has none) runs
    ``initdb --auth=scram-sha-256 --pwfile`` and ``pg_ctl start -w`` through
    ``runuser -u postgres --``, in a fresh directory made with ``tempfile.mkdtemp`` under
    /tmp and chowned to it (pytest's own tmp directories are root-only, 0700). The socket
    directory is that same folder; the server listens on 127.0.0.1 only. Stopped with
    ``pg_ctl stop -m fast`` and the folder removed at the end of the module.
    """
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
        pytest.skip("PostgreSQL server binaries (apt install postgresql) or runuser missing")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True, timeout=60)
    account = pwd.getpwnam("postgres")
    root = Path(tempfile.mkdtemp(prefix="golive-pg-"))
    root.chmod(0o755)
    os.chown(root, account.pw_uid, account.pw_gid)
    pwfile = root / "pwfile"
    pwfile.write_text(PASSWORD + "\n")
    os.chown(pwfile, account.pw_uid, account.pw_gid)
    pwfile.chmod(0o600)
    port = _free_port()
    data = root / "data"
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=scram-sha-256",
                 f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C")  # fmt: skip
    _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60",
                 "-o", f"-h 127.0.0.1 -p {port} -k {root}", "start")  # fmt: skip
    server = {"host": "127.0.0.1", "port": port, "user": "postgres", "password": PASSWORD}
    try:
        yield server
    finally:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def dsn(server: dict[str, Any], dbname: str) -> str:
    return f"host={server['host']} port={server['port']} user={server['user']} dbname={dbname}"


def sql(server: dict[str, Any], dbname: str, *statements: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(dsn(server, dbname), password=server["password"], autocommit=True) as conn:
        rows: list[tuple[Any, ...]] = []
        for statement in statements:
            cur = conn.execute(statement)
            rows = cur.fetchall() if cur.description else []
        return rows


@pytest.fixture(scope="module")
def shop(postgres: dict[str, Any]) -> dict[str, Any]:
    """A live database ``shop`` with two tables and rows, and an empty database ``other``."""
    sql(postgres, "postgres", "CREATE DATABASE shop", "CREATE DATABASE other")
    sql(
        postgres,
        "shop",
        "CREATE TABLE product (id serial PRIMARY KEY, name text NOT NULL)",
        "CREATE TABLE review (id serial PRIMARY KEY, product_id int REFERENCES product, stars int)",
        "INSERT INTO product (name) SELECT 'p' || g FROM generate_series(1, 40) g",
        "INSERT INTO review (product_id, stars) SELECT 1 + g % 40, g % 5 FROM generate_series(1, 100) g",
    )
    sql(postgres, "other", "CREATE TABLE unrelated (id int)")
    return postgres


def pg_dump(server: dict[str, Any], dbname: str, out: Path, *args: str) -> Path:
    env = dict(os.environ, PGPASSWORD=server["password"])
    subprocess.run(
        [tool("pg_dump"), "-h", server["host"], "-p", str(server["port"]), "-U", "postgres", *args,
         "-f", str(out), dbname],
        check=True, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    return out


def backups_config(**keys: object) -> str:
    lines = [f"{k} = {json.dumps(v)}" for k, v in keys.items()]
    return "[tool.golive.backups]\n" + "\n".join(lines) + "\n"


def age(path: Path, hours: float) -> Path:
    stamp = time.time() - hours * 3600
    os.utime(path, (stamp, stamp))
    return path


def golive(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "golive.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )


def only(result: Any, cid: str) -> Any:
    [finding] = [f for f in result.findings if f.id == cid]
    return finding


# --- the audit's backup checks ---------------------------------------------------------


@pytest.mark.covers("GL940", "fail")
def test_no_database_backup_where_configured(make_project, tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    project = make_project(files={"pyproject.toml": backups_config(database=str(tmp_path / "db"))})
    result = audit_project(project)
    [none] = failing(result, "GL940")
    assert none.severity is Severity.HIGH
    assert none.evidence[0] == (
        f"no file matches {tmp_path / 'db' / '*'} (pyproject.toml [tool.golive.backups]"
        f" database = {str(tmp_path / 'db')!r})"
    )
    assert only(result, "GL941").status is Status.SKIPPED


@pytest.mark.covers("GL941", "GL942", "fail")
def test_old_and_tiny_database_backup(make_project, tmp_path: Path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    newest = folder / "shop-2026-11-19.dump"
    newest.write_bytes(b"PGDMP" + b"\0" * 10)
    age(newest, 72)
    older = folder / "shop-2026-11-18.dump"
    older.write_bytes(b"PGDMP" + b"\0" * 4000)
    age(older, 96)
    config = backups_config(database=f"{folder}/*.dump", max_age_hours=26, min_size_bytes=1024)
    result = audit_project(make_project(files={"pyproject.toml": config}))
    [old] = failing(result, "GL941")
    assert old.subjects == ("max_age_hours",)
    assert old.evidence[0].startswith(f"newest {newest}: written ")
    assert old.evidence[0].endswith(", 72.0 h ago (limit 26 h)")
    [tiny] = failing(result, "GL942")
    assert tiny.evidence == (f"newest {newest}: 15 bytes (minimum 1024)",)
    assert outcome(result, "GL940") == [Status.PASS]
    # GL222 (off-site storage) stays a signature, and shows what the machine saw to sign against
    ask = only(result, "GL222")
    assert ask.status is Status.MANUAL
    assert (
        ask.evidence[0]
        == f"database backups: pyproject.toml [tool.golive.backups] database = '{folder}/*.dump'"
    )
    assert ask.evidence[1].startswith(f"newest: {newest} (15 bytes, ")


@pytest.mark.covers("GL940", "GL941", "GL942", "GL943", "GL944", "pass")
def test_fresh_real_dump_and_media_backup(make_project, shop: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    dump = pg_dump(shop, "shop", folder / "shop.dump", "-Fc")
    media_root = tmp_path / "media"
    (media_root / "manuals").mkdir(parents=True)
    (media_root / "manuals" / "a.pdf").write_bytes(b"%PDF-1.4")
    media_backups = tmp_path / "media-backups"
    media_backups.mkdir()
    with tarfile.open(media_backups / "media.tar.gz", "w:gz") as tar:
        tar.add(media_root, arcname="media")
    config = backups_config(database=str(folder), media=str(media_backups), min_size_bytes=1024)
    project = make_project(production=f"MEDIA_ROOT = {str(media_root)!r}\n", files={"pyproject.toml": config})
    result = audit_project(project)
    for cid in ("GL940", "GL941", "GL942", "GL943", "GL944"):
        assert outcome(result, cid) == [Status.PASS], (cid, only(result, cid))
    assert only(result, "GL942").evidence == (f"newest {dump}: {dump.stat().st_size} bytes (minimum 1024)",)
    assert only(result, "GL943").evidence[0] == f"MEDIA_ROOT {media_root} holds 1 file(s)"


@pytest.mark.covers("GL943", "fail")
def test_media_root_with_files_and_no_media_backup(make_project, tmp_path: Path) -> None:
    media_root = tmp_path / "media"
    media_root.mkdir()
    (media_root / "upload.png").write_bytes(b"\x89PNG")
    db = tmp_path / "db"
    db.mkdir()
    (db / "x.dump").write_bytes(b"PGDMP")
    project = make_project(
        production=f"MEDIA_ROOT = {str(media_root)!r}\n",
        files={"pyproject.toml": backups_config(database=str(db))},
    )
    [missing] = failing(audit_project(project), "GL943")
    assert missing.subjects == ("MEDIA_ROOT",)
    assert missing.evidence == (
        f"MEDIA_ROOT {media_root} holds 1 file(s)",
        "[tool.golive.backups] names no media location",
    )


@pytest.mark.covers("GL944", "fail")
def test_old_media_backup(make_project, tmp_path: Path) -> None:
    backups = tmp_path / "media-backups"
    backups.mkdir()
    archive = backups / "media.tar"
    archive.write_bytes(b"\0" * 1024)
    age(archive, 24 * 9)
    config = backups_config(media=str(backups), media_max_age_hours=24 * 8)
    [old] = failing(audit_project(make_project(files={"pyproject.toml": config})), "GL944")
    assert old.evidence[0].endswith(", 216.0 h ago (limit 192 h)")


def test_django_dbbackup_location_is_recognised(make_project, tmp_path: Path) -> None:
    folder = tmp_path / "dbbackup"
    folder.mkdir()
    (folder / "default-shop-2026-11-22-010000.psql.bin").write_bytes(b"PGDMP" + b"\0" * 2000)
    media = folder / "shop-2026-11-22-010000.tar"
    media.write_bytes(b"\0" * 2048)
    production = f"""
STORAGES = {{**STORAGES, "dbbackup": {{"BACKEND": "django.core.files.storage.FileSystemStorage",
             "OPTIONS": {{"location": {str(folder)!r}}}}}}}
"""
    result = audit_project(make_project(production=production))
    assert outcome(result, "GL940") == [Status.PASS]
    assert (
        only(result, "GL941")
        .evidence[0]
        .startswith(f"newest {folder}/default-shop-2026-11-22-010000.psql.bin")
    )
    assert only(result, "GL944").evidence[0].startswith(f"newest {media}: ")


def test_remote_dbbackup_storage_is_not_listed(make_project) -> None:
    production = 'DBBACKUP_STORAGE = "storages.backends.s3.S3Storage"\n'
    production += 'DBBACKUP_STORAGE_OPTIONS = {"bucket_name": "b"}\n'
    result = audit_project(make_project(production=production))
    assert only(result, "GL940").reason == (
        "django-dbbackup stores backups with storages.backends.s3.S3Storage:"
        " golive cannot list them from here"
    )


def test_without_configuration_backups_stay_manual(make_project) -> None:
    result = audit_project(make_project())
    assert only(result, "GL940").reason == (
        "backups: no [tool.golive.backups] and no django-dbbackup settings:"
        " backups stay the manual items GL222 and GL252"
    )
    assert outcome(result, "GL222") == [Status.MANUAL]


# --- golive verify-backup ----------------------------------------------------------------


@pytest.fixture
def dumps(shop: dict[str, Any], tmp_path: Path) -> Path:
    folder = tmp_path / "dumps"
    folder.mkdir()
    pg_dump(shop, "shop", folder / "shop.dump", "-Fc")
    return folder


@pytest.mark.covers("GL945", "pass")
def test_verify_backup_restores_compares_drops_and_records(
    make_project, shop: dict[str, Any], dumps: Path
) -> None:
    project = make_project(files={"pyproject.toml": backups_config(database=f"{dumps}/*.dump")})
    proc = golive(
        "verify-backup", str(project), "--dsn", dsn(shop, "shop"), "--scratch", "golive_scratch_a",
        env={"PGPASSWORD": shop["password"]},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == (
        f"{dumps / 'shop.dump'} (custom, {(dumps / 'shop.dump').stat().st_size} bytes) restored into"
        f" golive_scratch_a on 127.0.0.1:{shop['port']} (dropped)"
    )
    assert "  public.product: 40 restored, 40 live" in lines
    assert "  public.review: 100 restored, 100 live" in lines
    assert lines[-1] == f"restorable: recorded in {project / '.golive' / 'backup-verified.json'}"
    assert PASSWORD not in proc.stdout + proc.stderr
    record = (project / ".golive" / "backup-verified.json").read_text()
    assert PASSWORD not in record and json.loads(record)["ok"] is True
    names = [r[0] for r in sql(shop, "postgres", "SELECT datname FROM pg_database")]
    assert "golive_scratch_a" not in names  # dropped

    result = audit_project(project)
    gl945 = only(result, "GL945")
    assert gl945.status is Status.PASS
    assert gl945.evidence[0].startswith("verified ") and "(0 days ago, valid 90 days)" in gl945.evidence[0]
    assert gl945.evidence[1].endswith(
        f"restored into golive_scratch_a on 127.0.0.1:{shop['port']}, 2 table(s) compared with shop"
    )


@pytest.mark.covers("GL945", "fail")
def test_verify_backup_of_the_wrong_database_fails(
    make_project, shop: dict[str, Any], tmp_path: Path
) -> None:
    """A plain, gzip-compressed dump of another database: it restores, but the live tables
    are missing from it."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    plain = pg_dump(shop, "other", tmp_path / "other.sql")
    with plain.open("rb") as src, gzip.open(folder / "other.sql.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    project = make_project(files={"pyproject.toml": backups_config(database=str(folder))})
    proc = golive("verify-backup", str(project), "--host", "127.0.0.1", "--port", str(shop["port"]),
                  "--user", "postgres", "--dbname", "shop", env={"PGPASSWORD": shop["password"]})  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "problem: 2 live table(s) missing from the dump: public.product, public.review" in proc.stdout
    assert "(plain-gzip, " in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("NOT restorable: recorded in ")
    [failed] = failing(audit_project(project), "GL945")
    assert failed.evidence[0].startswith("golive verify-backup failed: verified ")
    assert failed.evidence[-1] == "2 live table(s) missing from the dump: public.product, public.review"


@pytest.mark.covers("GL945", "manual")
def test_restore_test_missing_or_expired_asks_for_a_signature(
    make_project, shop: dict[str, Any], dumps: Path
) -> None:
    project = make_project(files={"pyproject.toml": backups_config(database=str(dumps))})
    assert only(audit_project(project), "GL945").status is Status.MANUAL
    proc = golive(
        "verify-backup", str(project), "--dsn", dsn(shop, "shop"), env={"PGPASSWORD": shop["password"]}
    )
    assert proc.returncode == 0, proc.stderr
    path = project / ".golive" / "backup-verified.json"
    data = json.loads(path.read_text())
    when = dt.datetime.now().astimezone() - dt.timedelta(days=120)
    data["verified_at"] = when.isoformat(timespec="seconds")  # the same record, 120 days on
    path.write_text(json.dumps(data))
    expired = only(audit_project(project), "GL945")
    assert expired.status is Status.MANUAL
    assert expired.evidence[0].startswith("the last restore test expired: verified ")
    assert "(120 days ago, valid 90 days)" in expired.evidence[0]


def test_verify_backup_without_the_password_is_a_one_line_error(
    make_project, shop: dict[str, Any], dumps: Path, tmp_path: Path
) -> None:
    project = make_project(files={"pyproject.toml": backups_config(database=str(dumps))})
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    env["PGPASSFILE"] = str(tmp_path / "no-pgpass")  # not /nonexistent: a HOME of that name may exist
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", "verify-backup", str(project), "--dsn", dsn(shop, "shop")],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("golive: error: cannot connect: ")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (project / ".golive" / "backup-verified.json").exists()


def test_verify_backup_needs_a_dump(make_project, tmp_path: Path) -> None:
    proc = golive("verify-backup", str(make_project()), "--dsn", "dbname=shop")
    assert proc.returncode == 2
    assert "pass --dump FILE or set [tool.golive.backups] database" in proc.stderr
