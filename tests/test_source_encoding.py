"""Python files are read the way Python reads them: PEP 263 encodings (issue 9, item 8).

A settings module that declares ``# -*- coding: latin-1 -*-`` and holds latin-1 bytes is
valid Python (Django loads it), yet golive read it as UTF-8 and lost the whole source
layer ("UnicodeDecodeError"): GL101 and GL110 never ran. Every reader of ``.py`` files
(the settings chain, the entry points that name the settings, the URLconf, gunicorn's
config file) decodes with :func:`tokenize.open`; a file that truly cannot be decoded
costs that file only. Source: PEP 263 (https://peps.python.org/pep-0263/).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import audit_project

from golive.model import Location, Status

PROD = "site_conf/settings/production.py"
LATIN1 = "# -*- coding: latin-1 -*-\n"


def test_latin1_modules_are_read_as_python_reads_them(make_project: Any) -> None:
    project = make_project(
        files={
            "gunicorn.conf.py": LATIN1 + "# Réglages du serveur\nbind = '127.0.0.1:8000'\nworkers = 1\n",
            "site_conf/urls.py": LATIN1
            + "# Adresses du café\nfrom django.contrib import admin\nfrom django.urls import path\n"
            + 'urlpatterns = [path("admin/", admin.site.urls)]\n',
            # another settings module nobody can decode (not latin-1, not UTF-8): that file only
            "site_conf/settings/staging.py": None,
        }
    )
    (project / PROD).write_bytes(
        (
            LATIN1
            + "from .base import *  # noqa\n"
            + "SITE_NAME = 'Le Café'\n"
            + 'SECRET_KEY = "latin-1-literal-key-QmY2bX8wZk4tNzE3cjlsVnBhc0tuV2Q="\n'
        ).encode("latin-1")
    )
    (project / "site_conf/settings/staging.py").write_bytes(b"from .base import *\nNAME = '\xff\xfe'\n")

    audit = audit_project(project)

    source = next(c for c in audit.collectors if c.name == "source")
    assert (source.status, source.reason) == ("ok", "")
    gl101 = [f for f in audit.findings if f.id == "GL101"]
    assert [(f.status, f.subjects, f.location) for f in gl101] == [
        (Status.FAIL, ("SECRET_KEY",), Location(path=PROD, line=4))
    ]
    gl613 = [f for f in audit.findings if f.id == "GL613" and f.status is Status.FAIL]
    assert [f.location for f in gl613] == [Location(path="gunicorn.conf.py", line=4)]
    gl980 = [f for f in audit.findings if f.id == "GL980"]
    assert [(f.status, f.location) for f in gl980] == [
        (Status.FAIL, Location(path="site_conf/urls.py", line=5))
    ]


def test_the_settings_module_is_found_in_a_latin1_manage_py(tmp_path: Path) -> None:
    from golive.discovery import default_from_entry_points

    (tmp_path / "manage.py").write_bytes(
        (
            LATIN1
            + "# Démarrage\nimport os\n"
            + 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings.production")\n'
        ).encode("latin-1")
    )
    assert default_from_entry_points(tmp_path) == ("site_conf.settings.production", "manage.py")
