"""Development tools in the production settings (issue 13): django-debug-toolbar, silk,
django-extensions and django-browser-reload in INSTALLED_APPS or MIDDLEWARE, and their
URL patterns in the URLconf (GL113).

golive's virtualenv has none of these packages: the project carries small stand-ins with
the same module names, URL namespaces and middleware paths, which is all the settings and
the URLconf see of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import GOOD_ENV, audit_project, failing, outcome
from test_deploy_e2e import accepts, free_port, stop, wait_for

from golive.model import Location, Severity, Status

PROD = "site_conf/settings/production.py"
STUBS = {
    "debug_toolbar/__init__.py": "",
    "debug_toolbar/middleware.py": "class DebugToolbarMiddleware:\n"
    "    def __init__(self, get_response):\n        self.get_response = get_response\n"
    "    def __call__(self, request):\n        return self.get_response(request)\n",
    "debug_toolbar/urls.py": 'app_name = "djdt"\nurlpatterns = []\n',
    "silk/__init__.py": "",
    "silk/urls.py": 'from django.urls import path\nfrom django.http import HttpResponse\napp_name = "silk"\n'
    'urlpatterns = [path("", lambda request: HttpResponse("silk"), name="summary")]\n',
    "django_extensions/__init__.py": "",
}
URLS = {
    "site_conf/urls.py": """
        from django.contrib import admin
        from django.urls import include, path
        urlpatterns = [
            path("backstage/", admin.site.urls),
            path("__debug__/", include("debug_toolbar.urls")),
            path("silk/", include("silk.urls", namespace="silk")),
        ]
    """
}
SETTINGS = """
INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar", "silk", "django_extensions"]
MIDDLEWARE = [*MIDDLEWARE, "debug_toolbar.middleware.DebugToolbarMiddleware"]
"""


@pytest.mark.covers("GL113", "fail")
def test_development_tools_in_the_production_settings(make_project: Any) -> None:
    result = audit_project(make_project(SETTINGS, files={**STUBS, **URLS}))
    found = {f.subjects[0]: f for f in failing(result, "GL113")}
    assert sorted(found) == ["debug_toolbar", "django_extensions", "silk"]
    toolbar = found["debug_toolbar"]
    assert toolbar.severity is Severity.HIGH
    assert toolbar.location == Location(path=PROD, line=3)
    assert toolbar.evidence == (
        "'debug_toolbar' in INSTALLED_APPS",
        "'debug_toolbar.middleware.DebugToolbarMiddleware' in MIDDLEWARE",
        "URL pattern '__debug__/' includes debug_toolbar.urls",
    )
    assert found["silk"].evidence == ("'silk' in INSTALLED_APPS", "URL pattern 'silk/' includes silk.urls")
    assert found["silk"].severity is Severity.HIGH
    extensions = found["django_extensions"]
    assert extensions.severity is Severity.LOW
    assert extensions.evidence == (
        "'django_extensions' in INSTALLED_APPS",
        "no production command runs runserver_plus (its Werkzeug debugger runs code sent by the browser)",
    )


@pytest.mark.covers("GL113", "fail")
def test_runserver_plus_in_a_production_command_is_high(make_project: Any) -> None:
    files = {**STUBS, "Procfile": "web: python manage.py runserver_plus 0.0.0.0:$PORT\n"}
    result = audit_project(
        make_project('INSTALLED_APPS = [*INSTALLED_APPS, "django_extensions"]\n', files=files)
    )
    [f] = failing(result, "GL113")
    assert f.subjects == ("django_extensions",)
    assert f.severity is Severity.HIGH
    assert f.evidence == (
        "'django_extensions' in INSTALLED_APPS",
        "Procfile:1 runs runserver_plus: the Werkzeug debugger runs code sent by the browser",
    )


@pytest.mark.covers("GL113", "pass")
def test_no_development_tools(hardened_audit: Any) -> None:
    assert outcome(hardened_audit, "GL113") == [Status.PASS]


@pytest.fixture
def served_silk(make_project: Any) -> Iterator[tuple[Path, int]]:
    """The project, with silk's URLs in its URLconf, served by a real gunicorn on loopback."""
    production = 'INSTALLED_APPS = [*INSTALLED_APPS, "silk"]\nSECURE_SSL_REDIRECT = False\n'
    project = make_project(production, files={**STUBS, **URLS})
    port = free_port()
    env = {**os.environ, **GOOD_ENV, "DJANGO_SETTINGS_MODULE": "site_conf.settings.production"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "site_conf.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(lambda: accepts(port), "gunicorn")
        yield project, port
    finally:
        stop(proc)


@pytest.mark.covers("GL113", "fail")
def test_the_live_probe_checks_the_tools_paths(served_silk: tuple[Path, int]) -> None:
    project, port = served_silk
    result = audit_project(
        project,
        urls=(f"http://shop.example.com:{port}/",),
        resolve=(f"shop.example.com:{port}:127.0.0.1",),
        screenshots=False,
    )
    found = {f.subjects[0]: f for f in failing(result, "GL113")}
    assert found["silk"].evidence == (
        "'silk' in INSTALLED_APPS",
        "URL pattern 'silk/' includes silk.urls",
        f"GET http://shop.example.com:{port}/silk/ answered 200: reachable on the live site",
    )
    assert found["debug_toolbar"].evidence == (
        "URL pattern '__debug__/' includes debug_toolbar.urls",
        f"GET http://shop.example.com:{port}/__debug__/ answered 404",
    )
