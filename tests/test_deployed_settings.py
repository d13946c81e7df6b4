"""The settings module production runs: DJANGO_SETTINGS_MODULE as the environment or the
production deployment files set it wins over the module manage.py defaults to (issue 13).

Each project is a real one (``make_project``) whose manage.py and wsgi.py default to a
development module, with a production module whose name golive's sibling rule does not
know (``product``): only the source under test can make golive audit it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import audit_project, write_project

from golive.context import AuditOptions, resolve
from golive.discovery import choose_settings

DEV = "site_conf.settings.dev"
PRODUCT = "site_conf.settings.product"
SIBLING_REASON = f"production-looking sibling of {DEV} (the default in manage.py)"


def dev_project(make_project: Callable[..., Path], files: dict[str, str | None]) -> Path:
    """A project whose entry points default to the dev module; ``product.py`` holds production."""
    return make_project(
        files={
            "manage.py": (
                "import os, sys\n"
                f'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{DEV}")\n'
                "from django.core.management import execute_from_command_line\n"
                "execute_from_command_line(sys.argv)\n"
            ),
            "site_conf/wsgi.py": (
                "import os\nfrom django.core.wsgi import get_wsgi_application\n"
                f'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{DEV}")\n'
                "application = get_wsgi_application()\n"
            ),
            "site_conf/settings/dev.py": "from .base import *  # noqa\nDEBUG = True\n",
            "site_conf/settings/product.py": "from .production import *  # noqa\n",
            **files,
        }
    )


def chosen(project: Path, monkeypatch: pytest.MonkeyPatch, **options: object) -> tuple[str, str]:
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    ctx = resolve(AuditOptions(project_dir=project, **options))  # type: ignore[arg-type]
    return ctx.settings_module, ctx.settings_reason


def test_the_env_file_names_the_module(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = dev_project(make_project, {".env.prod": f"DJANGO_SETTINGS_MODULE={PRODUCT}\n"})
    assert chosen(project, monkeypatch, env_file=project / ".env.prod") == (
        PRODUCT,
        f"DJANGO_SETTINGS_MODULE in the --env-file {project / '.env.prod'}",
    )


def test_the_process_environment_names_the_module(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = dev_project(make_project, {})
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", PRODUCT)
    ctx = resolve(AuditOptions(project_dir=project))
    assert (ctx.settings_module, ctx.settings_reason) == (
        PRODUCT,
        "DJANGO_SETTINGS_MODULE in golive's environment",
    )


def test_settings_option_still_wins_over_the_environment(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = dev_project(make_project, {})
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", PRODUCT)
    ctx = resolve(AuditOptions(project_dir=project, settings=DEV))
    assert (ctx.settings_module, ctx.settings_reason) == (DEV, "given with --settings")


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        pytest.param(
            {
                "Dockerfile": "FROM python:3.12\nENV PYTHONUNBUFFERED=1 \\\n"
                f"    DJANGO_SETTINGS_MODULE={PRODUCT}\n"
                'CMD ["gunicorn", "site_conf.wsgi"]\n'
            },
            "DJANGO_SETTINGS_MODULE set by Dockerfile:3, a production deployment file (starts gunicorn)",
            id="dockerfile-env",
        ),
        pytest.param(
            {"Dockerfile": f"FROM python:3.12\nENV DJANGO_SETTINGS_MODULE {PRODUCT}\n"},
            "DJANGO_SETTINGS_MODULE set by Dockerfile:2",
            id="dockerfile-env-space",
        ),
        pytest.param(
            {
                "docker-compose.yml": (
                    "services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n"
                    f"    environment:\n      DJANGO_SETTINGS_MODULE: {DEV}\n"
                ),
                "production.yml": (
                    "services:\n  db:\n    image: postgres:16\n    environment:\n"
                    "      - DJANGO_SETTINGS_MODULE=site_conf.settings.base\n"
                    "  web:\n    build: .\n    command: gunicorn site_conf.wsgi\n    environment:\n"
                    f"      - DJANGO_SETTINGS_MODULE={PRODUCT}\n"
                ),
            },
            "DJANGO_SETTINGS_MODULE set by production.yml:10 (service web)",
            id="compose-web-service",
        ),
        pytest.param(
            {
                "deploy/shop.service": (
                    "[Service]\nWorkingDirectory=/srv/shop\n"
                    f'Environment="PYTHONUNBUFFERED=1" "DJANGO_SETTINGS_MODULE={PRODUCT}"\n'
                    "ExecStart=/srv/venv/bin/gunicorn site_conf.wsgi\n"
                )
            },
            "DJANGO_SETTINGS_MODULE set by deploy/shop.service:3",
            id="systemd-environment",
        ),
        pytest.param(
            {
                "deploy/uwsgi.ini": "[uwsgi]\nmodule = site_conf.wsgi\n"
                f"env = DJANGO_SETTINGS_MODULE={PRODUCT}\n"
            },
            "DJANGO_SETTINGS_MODULE set by deploy/uwsgi.ini:3",
            id="uwsgi-env",
        ),
        pytest.param(
            {
                "Procfile": f"release: python manage.py migrate --settings={PRODUCT}\n"
                "web: gunicorn site_conf.wsgi\n"
            },
            "DJANGO_SETTINGS_MODULE set by Procfile:1 (--settings)",
            id="procfile-settings-option",
        ),
        pytest.param(
            {
                "bin/start.sh": f"#!/bin/sh\nset -e\nexport DJANGO_SETTINGS_MODULE={PRODUCT}\n"
                "exec gunicorn site_conf.wsgi\n",
                "Procfile": "web: sh bin/start.sh\n",
            },
            "DJANGO_SETTINGS_MODULE set by bin/start.sh:3",
            id="start-script-export",
        ),
        pytest.param(
            {
                "bin/start.sh": (
                    f"#!/bin/sh\nexec gunicorn site_conf.wsgi --env DJANGO_SETTINGS_MODULE={PRODUCT}\n"
                ),
            },
            "DJANGO_SETTINGS_MODULE set by bin/start.sh:2",
            id="gunicorn-env-option",
        ),
    ],
)
def test_a_production_deployment_file_names_the_module(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, files: dict[str, str], reason: str
) -> None:
    project = dev_project(make_project, files)
    module, why = chosen(project, monkeypatch)
    assert module == PRODUCT
    assert why.startswith(reason), why


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"compose/local/django/Dockerfile": f"FROM python:3.12\nENV DJANGO_SETTINGS_MODULE={PRODUCT}\n"},
            id="development-folder",
        ),
        pytest.param(
            {"Dockerfile.test": f"FROM python:3.12\nENV DJANGO_SETTINGS_MODULE={PRODUCT}\n"}, id="test-name"
        ),
        pytest.param(
            {"Dockerfile": "FROM python:3.12\n# ENV DJANGO_SETTINGS_MODULE=site_conf.settings.product\n"},
            id="comment",
        ),
        pytest.param(
            {"Dockerfile": "FROM python:3.12\nENV DJANGO_SETTINGS_MODULE=elsewhere.settings\n"},
            id="no-such-module",
        ),
        pytest.param(
            {
                "Dockerfile": "FROM python:3.12\nRUN DJANGO_SETTINGS_MODULE=site_conf.settings.product"
                " python manage.py collectstatic --noinput\n"
            },
            id="dockerfile-run-is-build-time",
        ),
        pytest.param(
            {
                "Procfile": "release: DJANGO_SETTINGS_MODULE=site_conf.settings.product python manage.py"
                " collectstatic\nweb: gunicorn site_conf.wsgi\n"
            },
            id="collectstatic-settings",
        ),
    ],
)
def test_files_that_do_not_describe_production_do_not_count(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, files: dict[str, str]
) -> None:
    project = dev_project(make_project, files)
    assert chosen(project, monkeypatch) == ("site_conf.settings.production", SIBLING_REASON)


def test_the_report_says_which_file_chose_it(make_project: Callable[..., Path]) -> None:
    project = dev_project(
        make_project, {"Dockerfile": f"FROM python:3.12\nENV DJANGO_SETTINGS_MODULE={PRODUCT}\n"}
    )
    result = audit_project(project)
    assert result.settings_module == PRODUCT
    assert result.settings_reason.startswith("DJANGO_SETTINGS_MODULE set by Dockerfile:2")


@pytest.mark.parametrize(
    "stem", ["settings_prod", "production_settings", "prod_settings", "settings_production"]
)
def test_production_settings_named_after_the_module_are_siblings(tmp_path: Path, stem: str) -> None:
    """``mysite/settings.py`` with ``mysite/<stem>.py`` beside it: the sibling rule's
    ``{leaf}_{name}``/``{name}_{leaf}`` forms cover these names; ``product`` is left to the
    deployment files (a ``product.py`` beside ``settings.py`` may well be an app module)."""
    files = {
        "mysite/__init__.py": "",
        "mysite/settings.py": "",
        f"mysite/{stem}.py": "",
        "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
    }
    write_project(tmp_path, files)
    choice = choose_settings(tmp_path, None, None)
    assert (choice.module, choice.reason) == (
        f"mysite.{stem}",
        "production-looking sibling of mysite.settings (the default in manage.py)",
    )


def test_the_application_servers_entry_point_wins_over_manage_py(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kiwi TCMS's shape: manage.py defaults to the development module, wsgi.py (what the
    application server imports) to the production one, under a name the sibling rule does
    not know."""
    project = dev_project(
        make_project,
        {
            "site_conf/wsgi.py": (
                "import os\nfrom django.core.wsgi import get_wsgi_application\n"
                f'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{PRODUCT}")\n'
                "application = get_wsgi_application()\n"
            )
        },
    )
    assert chosen(project, monkeypatch) == (
        PRODUCT,
        "the default in site_conf/wsgi.py, the module the application server imports"
        f" (manage.py defaults to {DEV})",
    )


def test_an_environment_module_not_in_the_project_is_passed_over(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = dev_project(make_project, {})
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "another_project.settings")
    ctx = resolve(AuditOptions(project_dir=project))
    assert (ctx.settings_module, ctx.settings_reason) == (
        "site_conf.settings.production",
        SIBLING_REASON + "; DJANGO_SETTINGS_MODULE=another_project.settings in golive's environment"
        " names no module of the project: passed over",
    )
