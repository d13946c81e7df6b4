"""Which settings module is audited, and why (the report says both)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import GOOD_ENV, audit_project, write_project

from golive import discovery
from golive.config import load_config
from golive.context import AuditOptions, UsageError, resolve
from golive.discovery import DiscoveryError, choose_settings


def manage(module: str) -> str:
    return (
        "import os, sys\n"
        f'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")\n'
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n"
    )


def choose(root: Path, files: dict[str, str | None], explicit: str | None = None) -> tuple[str, str]:
    """(module, reason) as ``golive audit`` resolves them for a project of ``files``."""
    write_project(root, files)
    config = load_config(root)
    choice = choose_settings(root, explicit, config.settings, config.path.name if config.path else "")
    return choice.module, choice.reason


PKG = {"mysite/__init__.py": "", "mysite/settings/__init__.py": ""}


@pytest.mark.parametrize(
    ("files", "module", "reason"),
    [
        pytest.param(
            {
                **PKG,
                "manage.py": manage("mysite.settings.dev"),
                "mysite/settings/dev.py": "",
                "mysite/settings/production.py": "",
            },
            "mysite.settings.production",
            "production-looking sibling of mysite.settings.dev (the default in manage.py)",
            id="settings/production.py",
        ),
        pytest.param(
            {
                **PKG,
                "manage.py": manage("mysite.settings.local"),
                "mysite/settings/local.py": "",
                "mysite/settings/prod.py": "",
            },
            "mysite.settings.prod",
            "production-looking sibling of mysite.settings.local (the default in manage.py)",
            id="settings/prod.py",
        ),
        pytest.param(
            {**PKG, "manage.py": manage("mysite.settings"), "mysite/settings/production/__init__.py": ""},
            "mysite.settings.production",
            "production-looking sibling of mysite.settings (the default in manage.py)",
            id="settings/production/ package",
        ),
        pytest.param(
            {
                "mysite/__init__.py": "",
                "manage.py": manage("mysite.settings"),
                "mysite/settings.py": "",
                "mysite/settings_production.py": "",
            },
            "mysite.settings_production",
            "production-looking sibling of mysite.settings (the default in manage.py)",
            id="settings_production.py",
        ),
        pytest.param(
            {"mysite/__init__.py": "", "manage.py": manage("mysite.settings"), "mysite/settings.py": ""},
            "mysite.settings",
            "default in manage.py",
            id="manage.py default",
        ),
        pytest.param(
            {**PKG, "manage.py": manage("mysite.settings.production"), "mysite/settings/production.py": ""},
            "mysite.settings.production",
            "default in manage.py",
            id="manage.py already production",
        ),
        pytest.param(
            {
                "mysite/__init__.py": "",
                "mysite/settings.py": "",
                "mysite/wsgi.py": (
                    'import os\nos.environ["DJANGO_SETTINGS_MODULE"] = "mysite.settings"\n'
                    "from django.core.wsgi import get_wsgi_application\n"
                    "application = get_wsgi_application()\n"
                ),
            },
            "mysite.settings",
            "default in mysite/wsgi.py",
            id="wsgi.py default, no manage.py",
        ),
        pytest.param(
            {
                **PKG,
                "manage.py": manage("mysite.settings.dev"),
                "mysite/settings/dev.py": "",
                "mysite/settings/production.py": "",
                "pyproject.toml": '[tool.golive]\nsettings = "mysite.settings.staging"\n',
            },
            "mysite.settings.staging",
            "[tool.golive] settings in pyproject.toml",
            id="[tool.golive] settings",
        ),
        pytest.param(
            {
                **PKG,
                "manage.py": manage("mysite.settings.dev"),
                "golive.toml": 'settings = "mysite.settings.live"\n',
            },
            "mysite.settings.live",
            "[tool.golive] settings in golive.toml",
            id="golive.toml",
        ),
    ],
)
def test_settings_discovery(tmp_path: Path, files: dict[str, str | None], module: str, reason: str) -> None:
    assert choose(tmp_path, files) == (module, reason)


def test_explicit_settings_win_over_the_configuration(tmp_path: Path) -> None:
    files = {
        **PKG,
        "manage.py": manage("mysite.settings.dev"),
        "pyproject.toml": '[tool.golive]\nsettings = "a.b"\n',
    }
    assert choose(tmp_path, files, explicit="mysite.settings.ci") == (
        "mysite.settings.ci",
        "given with --settings",
    )


def test_pyproject_without_a_golive_table_falls_through_to_golive_toml(tmp_path: Path) -> None:
    files = {
        **PKG,
        "manage.py": manage("mysite.settings.dev"),
        "pyproject.toml": '[project]\nname = "x"\n',
        "golive.toml": '[tool.golive]\nsettings = "mysite.settings.live"\n',
    }
    assert choose(tmp_path, files) == ("mysite.settings.live", "[tool.golive] settings in golive.toml")


def test_no_default_anywhere_says_what_to_pass(tmp_path: Path) -> None:
    files = {**PKG, "manage.py": "print('no settings default here')\n"}
    with pytest.raises(DiscoveryError, match="set no DJANGO_SETTINGS_MODULE default; pass --settings"):
        choose(tmp_path, files)


def test_not_a_django_project(tmp_path: Path) -> None:
    write_project(tmp_path, {"README.md": "hello\n"})
    with pytest.raises(UsageError, match="does not look like a Django project"):
        resolve(AuditOptions(project_dir=tmp_path))


def test_the_report_says_which_module_and_why(make_project) -> None:  # type: ignore[no-untyped-def]
    # manage.py points at dev settings; production.py sits next to them
    project = make_project(
        files={
            "manage.py": manage("site_conf.settings.dev"),
            "site_conf/wsgi.py": None,
            "site_conf/settings/dev.py": "from .base import *  # noqa\nDEBUG = True\n",
        }
    )
    result = audit_project(project)
    assert result.settings_module == "site_conf.settings.production"
    assert (
        result.settings_reason
        == "production-looking sibling of site_conf.settings.dev (the default in manage.py)"
    )
    out = project / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", "audit", str(project), "-o", str(out), "-q", "--no-history"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **GOOD_ENV},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["settings"] == {
        "module": "site_conf.settings.production",
        "reason": "production-looking sibling of site_conf.settings.dev (the default in manage.py)",
    }


def test_settings_modules_lists_the_other_settings_without_entering_skipped_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk does not go into ``.git``, virtualenvs, ``node_modules``... at all: a project
    with its virtualenv inside holds thousands of modules, none of them its settings."""
    for rel in (
        "manage.py",
        "shop/settings/__init__.py",
        "shop/settings/base.py",
        "shop/settings/production.py",
        "shop/test_settings.py",
        "shop/views.py",
        ".venv/lib/site-packages/django/conf/global_settings.py",
        "node_modules/x/settings.py",
        ".git/hooks/settings.py",
        "deploy/.cache/settings.py",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    listed: list[str] = []
    real = os.scandir

    def recorded(path: Any = ".") -> Any:
        listed.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", recorded)
    assert discovery.settings_modules(tmp_path, "shop.settings.production") == [
        "shop.settings",
        "shop.settings.base",
        "shop.test_settings",
    ]
    entered = {Path(p).relative_to(tmp_path).as_posix() for p in listed}
    assert entered == {".", "shop", "shop/settings", "deploy"}
