"""Settings split with django-split-settings (``include("components/*.py", optional("local.py"))``,
https://github.com/wemake-services/django-split-settings): the included files run in the
settings' namespace, in order, like a star import, so the source collector follows them
(defectdojo's shape: settings.py includes settings.dist.py and an optional local_settings.py,
and django-environ's FileAwareEnv declares each variable's default). Written anew.
"""

from __future__ import annotations

from pathlib import Path

from conftest import audit_project, build_project, failing

from golive.collectors.source import collect
from golive.context import AuditOptions, resolve
from golive.model import Location, Severity

PROD = "site_conf/settings/production.py"
INCLUDING = """\
from split_settings.tools import include, optional

include(
    "components/*.py",
    optional("local_overrides.py"),
)
"""
ENV_PART = """\
import environ

env = environ.FileAwareEnv(
    APP_SESSION_COOKIE_SECURE=(bool, False),
    APP_FIELD_ENCRYPTION_KEY=(str, "."),
)
SESSION_COOKIE_SECURE = env("APP_SESSION_COOKIE_SECURE")
FIELD_ENCRYPTION_KEY = env("APP_FIELD_ENCRYPTION_KEY")
"""
LOCAL = "SECURE_HSTS_SECONDS = 0\n"
FILES = {
    "site_conf/settings/components/10_env.py": ENV_PART,
    "site_conf/settings/components/00_base.py": "from ..base import *  # noqa\n",
    "site_conf/settings/local_overrides.py": LOCAL,
}


def _project(tmp_path: Path) -> Path:
    root = build_project(tmp_path / "proj", files=FILES)
    (root / PROD).write_text(INCLUDING, encoding="utf-8")
    return root


def test_included_files_are_read_in_order(tmp_path: Path) -> None:
    root = _project(tmp_path)
    facts = collect(resolve(AuditOptions(project_dir=root, settings="site_conf.settings.production")))
    paths = [m.path for m in facts.modules]
    assert paths[:2] == [PROD, "site_conf/settings/components/00_base.py"]
    assert "site_conf/settings/components/10_env.py" in paths
    assert paths[-1] == "site_conf/settings/local_overrides.py"
    cookie = facts.last("SESSION_COOKIE_SECURE")
    assert cookie is not None and cookie.kind == "env" and cookie.default is False
    assert cookie.location == Location(path="site_conf/settings/components/10_env.py", line=7)
    hsts = facts.last("SECURE_HSTS_SECONDS")
    assert hsts is not None and hsts.conditional  # optional(): the file may be missing


def test_a_file_aware_env_default_of_a_key_is_gl102(tmp_path: Path) -> None:
    audit = audit_project(_project(tmp_path), no_runtime=True, no_git=True, no_history=True)
    [f] = [f for f in failing(audit, "GL102") if f.subjects == ("FIELD_ENCRYPTION_KEY",)]
    assert f.severity is Severity.HIGH
    assert f.location == Location(path="site_conf/settings/components/10_env.py", line=8)
    assert any(f.subjects == ("SESSION_COOKIE_SECURE",) for f in failing(audit, "GL305"))
