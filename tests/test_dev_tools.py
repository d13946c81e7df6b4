"""Development tools in the production settings (issue 13): django-debug-toolbar, silk,
django-extensions and django-browser-reload in INSTALLED_APPS or MIDDLEWARE, and their
URL patterns in the URLconf (GL113).

golive's virtualenv has none of these packages: the project carries small stand-ins with
the same module names, URL namespaces and middleware paths, which is all the settings and
the URLconf see of them.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import audit_project, failing, outcome

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
