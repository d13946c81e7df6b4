"""Project code and files a deployment relies on are named in the report (issue 12, Measure).

A layout written anew from what real repositories do: the settings take their defaults
from a configuration module they import (``site_conf/config/defaults.py``) and name a
storage backend class of the project (``STORAGES["default"]["BACKEND"]``); a Celery
application module (``site_conf/celery_app.py``, Celery's documented layout); the Django
system checks an app registers (``shop/checks.py``); a management command that creates the
periodic jobs of django-q; Python code that writes supervisord's programs and starts daphne;
a Makefile whose targets build the image and load the data; a README in ``docker/`` that
explains the override settings mechanism. Before: none was named, so the report could not
say golive saw them. Each is listed, never as read.
"""

from __future__ import annotations

import sys

import pytest
from conftest import build_project

from golive.collectors import project
from golive.context import AuditOptions, resolve
from golive.model import DeploymentFile

PRODUCTION = """
from site_conf.config.defaults import env_value
from shop import models as _unrelated_models  # not configuration: not listed

SECRET_KEY = env_value("SECRET_KEY")
STORAGES = {
    "default": {"BACKEND": "site_conf.storage_backends.MediaBucket"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
"""

FILES: dict[str, str | None] = {
    "site_conf/config/__init__.py": "",
    "site_conf/config/defaults.py": (
        "import os\n\ndef env_value(name, default=''):\n    return os.environ.get(name, default)\n"
    ),
    "site_conf/storage_backends.py": (
        "from storages.backends.s3 import S3Storage\n\nclass MediaBucket(S3Storage):\n"
        "    location = 'media'\n"
    ),
    "site_conf/celery_app.py": (
        "from celery import Celery\n\napp = Celery('site_conf')\n"
        "app.config_from_object('django.conf:settings', namespace='CELERY')\n"
    ),
    "shop/__init__.py": "",
    "shop/models.py": "",
    "shop/checks.py": (
        "from django.core.checks import Warning, register\n\n@register()\n"
        "def mail_configured(app_configs, **kwargs):\n    return []\n"
    ),
    "shop/helpers.py": "def price(x):\n    return x\n",
    "shop/management/__init__.py": "",
    "shop/management/commands/__init__.py": "",
    "shop/management/commands/setup_periodic.py": (
        "from django.core.management.base import BaseCommand\nfrom django_q.models import Schedule\n"
        "from django_q.tasks import schedule\n\nclass Command(BaseCommand):\n"
        "    def handle(self, *a, **k):\n"
        "        schedule('shop.jobs.refresh', schedule_type=Schedule.DAILY)\n"
    ),
    "shop/management/commands/rebuild_index.py": (
        "from django.core.management.base import BaseCommand\n\nclass Command(BaseCommand):\n"
        "    def handle(self, *a, **k):\n        pass\n"
    ),
    "shop/workers/__init__.py": "",
    "shop/workers/process_manager.py": (
        "import subprocess, sys\n\nPROGRAMS = {\n"
        "    'web': [sys.executable, '-m', 'daphne', '--bind=0.0.0.0', 'site_conf.asgi:application'],\n"
        "}\n\ndef start():\n    subprocess.Popen(['supervisord', '-c', 'supervisord.conf'])\n"
    ),
    "Makefile": (
        "install:\n\tpip install -e .\n\nimage:\n\tdocker build -t shop .\n\n"
        "load_data: install\n\tpython manage.py migrate\n\tpython manage.py loaddata seed.json\n"
    ),
    "docker/extra_settings/README.md": (
        "Files placed here are copied next to the settings and imported last.\n"
    ),
}


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DeploymentFile]:
    root = build_project(tmp_path_factory.mktemp("inventory_code") / "shop", PRODUCTION, dict(FILES))
    ctx = resolve(AuditOptions(project_dir=root, python=sys.executable))
    project.collect(ctx)
    assert ctx.layout is not None
    return {f.path: f for f in ctx.layout.files()}


@pytest.mark.parametrize(
    ("path", "kind", "said"),
    [
        ("site_conf/config/defaults.py", "configuration module", "site_conf.config.defaults"),
        ("site_conf/storage_backends.py", "backend class", "STORAGES"),
        ("site_conf/celery_app.py", "Celery app", "Celery"),
        ("shop/checks.py", "Django system checks", "system checks"),
        ("shop/management/commands/setup_periodic.py", "scheduled jobs", "periodic"),
        ("shop/workers/process_manager.py", "process launcher", "daphne"),
        ("Makefile", "Makefile", "image"),
        ("docker/extra_settings/README.md", "deployment guide", "docker/"),
    ],
)
def test_code_and_files_the_deployment_relies_on_are_listed_not_audited(
    listed: dict[str, DeploymentFile], path: str, kind: str, said: str
) -> None:
    assert path in listed, sorted(listed)
    entry = listed[path]
    assert (entry.kind, entry.audited) == (kind, False)
    assert said in entry.reason


def test_ordinary_code_is_not_listed(listed: dict[str, DeploymentFile]) -> None:
    for path in ("shop/models.py", "shop/helpers.py", "shop/management/commands/rebuild_index.py"):
        assert path not in listed
