"""The bundled examples the README audits: the careless bookshop shows the mistakes real
teams make, each under its check id; its hardened twin has nothing failing at medium or
above. Both are copied out of golive's repository first, so golive's own history is not
theirs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

from golive.context import AuditOptions, resolve
from golive.model import Audit, Severity, Status
from golive.runner import run_audit

#: Mistakes listed in examples/bookshop/README.md, by the id that reports each one.
CARELESS = {
    "security.W018": "DEBUG defaults to True",
    "security.W009": "startproject's django-insecure- key",
    "GL102": "SECRET_KEY read with a literal default",
    "GL103": "the same key as dev.py",
    "GL110": "DEBUG defaulting to True in source",
    "GL111": "template debug on",
    "GL112": "literal EMAIL_HOST_PASSWORD and STRIPE_SECRET_KEY",
    "GL201": "ALLOWED_HOSTS = ['*']",
    "GL210": "local-memory cache",
    "GL402": "sessions on the local-memory cache",
    "GL220": "SQLite",
    "GL230": "console e-mail backend",
    "GL502": "ADMINS with e-mail that never leaves",
    "GL503": "BrokenLinkEmailsMiddleware without IGNORABLE_404_URLS",
    "GL240": "no STATIC_ROOT",
    "GL251": "MEDIA_ROOT inside the code tree",
    "GL301": "HSTS of an hour",
    "GL303": "SSL redirect without SECURE_PROXY_SSL_HEADER",
    "GL304": "http:// in CSRF_TRUSTED_ORIGINS",
    "security.W012": "SESSION_COOKIE_SECURE off",
    "security.W016": "CSRF_COOKIE_SECURE off",
    "GL504": "no error templates",
    "GL601": "runserver in the Procfile and the Dockerfile",
    "GL602": "no application server in requirements.txt",
    "GL980": "admin at admin/",
    "GL612": "gunicorn reload on",
    "GL615": "gunicorn timeout 0",
    "GL701": "no default server",
    "GL710": "autoindex on",
}


def copy_example(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(
        EXAMPLES / name, target, ignore=shutil.ignore_patterns("db.sqlite3", ".golive", "__pycache__")
    )
    return target


def audit_example(project: Path, env_file: Path | None = None) -> Audit:
    ctx = resolve(
        AuditOptions(project_dir=project, env_file=env_file, python=sys.executable, no_history=True)
    )
    return run_audit(ctx)


def test_careless_bookshop_shows_every_deliberate_mistake(tmp_path: Path) -> None:
    result = audit_example(copy_example("bookshop", tmp_path))
    failing = {f.id for f in result.findings if f.failing}
    missing = {cid: what for cid, what in CARELESS.items() if cid not in failing}
    assert missing == {}
    assert result.settings_module == "bookshop.settings.production"
    assert result.exit_status == 1


@pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import psycopg"], capture_output=True).returncode != 0,
    reason="the hardened example's settings need psycopg (its requirements.txt) to load",
)
def test_hardened_bookshop_has_nothing_failing_at_medium_or_above(tmp_path: Path) -> None:
    project = copy_example("bookshop-hardened", tmp_path)
    env_file = tmp_path / "audit.env"
    subprocess.run([sys.executable, str(project / "deploy" / "make_audit_env.py"), str(env_file)], check=True)
    result = audit_example(project, env_file)
    assert [f.id for f in result.findings if f.failing and f.severity >= Severity.MEDIUM] == []
    assert [c.name for c in result.collectors if c.status == "error"] == []
    assert [f.id for f in result.findings if f.status is Status.ERROR] == []
    assert {"runtime", "source", "nginx", "gunicorn"} <= {
        c.name for c in result.collectors if c.status == "ok"
    }
