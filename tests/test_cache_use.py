"""A per-process cache matters only when something relies on a shared one (issue 10-13,
case G): GL210 and GL632 are medium/high when sessions live in the cache or the project's
code uses Django's cache (``django.core.cache``, ``cache_page``, ``{% cache %}``, the cache
middleware, a rate limiter or throttle that counts there, or a CACHES the settings set to
local memory on purpose); otherwise low, with the reason. The fact comes from the source
collector's cheap scan of the project's Python and templates.

The shape is a self-hosted app written anew: sessions in the database, Django's default
CACHES, several worker processes, no cache anywhere in the code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE_SETTINGS, audit_project, build_project, failing

from golive.collectors.source import collect
from golive.context import AuditOptions, resolve
from golive.model import Audit, Location, Severity

NO_CACHE_BASE = BASE_SETTINGS.replace(
    'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",\n'
    '          "LOCATION": os.environ["APP_REDIS_URL"]}}\n',
    "",
).replace(
    'SESSION_ENGINE = "django.contrib.sessions.backends.cache"',
    'SESSION_ENGINE = "django.contrib.sessions.backends.db"',
)
SERVER = {
    "Procfile": "web: gunicorn site_conf.wsgi -c deploy/gunicorn.conf.py\n",
    "deploy/gunicorn.conf.py": "bind = 'unix:/run/shop/gunicorn.sock'\numask = 0o007\nworkers = 3\n",
}
NOTHING = (
    "nothing in the project's code uses Django's cache (no django.core.cache import, cache_page,"
    " {% cache %}, cache middleware or cache-backed rate limit) and sessions are not in it:"
    " each process's own cache costs only cache misses: low"
)


def _project(root: Path, files: dict[str, str | None] | None = None) -> Path:
    assert "CACHES" not in NO_CACHE_BASE and "backends.db" in NO_CACHE_BASE
    return build_project(root, base=NO_CACHE_BASE, files={**SERVER, **(files or {})})


@pytest.fixture(scope="module")
def unused(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    return audit_project(_project(tmp_path_factory.mktemp("unused") / "proj"), no_git=True, no_history=True)


@pytest.mark.covers("GL210", "fail")
def test_gl210_is_low_when_nothing_uses_the_cache(unused: Audit) -> None:
    [f] = failing(unused, "GL210")
    assert (f.subjects, f.severity, f.location) == (("CACHES",), Severity.LOW, None)
    assert f.evidence == (
        "CACHES['default']['BACKEND'] = 'django.core.cache.backends.locmem.LocMemCache' (Django's default)",
        NOTHING,
    )


@pytest.mark.covers("GL632", "fail")
def test_gl632_is_low_when_nothing_uses_the_cache(unused: Audit) -> None:
    [f] = failing(unused, "GL632")
    assert (f.subjects, f.severity) == (("CACHES", "workers"), Severity.LOW)
    assert f.evidence[-1] == NOTHING


@pytest.mark.parametrize(
    ("files", "seen"),
    [
        pytest.param(
            {"shop/views.py": "from django.core.cache import cache\n\ndef v(request):\n    cache.get('x')\n"},
            "shop/views.py:1 imports cache from django.core.cache",
            id="import",
        ),
        pytest.param(
            {"shop/views.py": "from django.views.decorators.cache import cache_page, never_cache\n"},
            "shop/views.py:1 imports cache_page from django.views.decorators.cache",
            id="cache_page",
        ),
        pytest.param(
            {
                "shop/templates/shop/home.html": "<p>\n{% load static cache %}\n"
                "{% cache 500 sidebar %}{% endcache %}"
            },
            "shop/templates/shop/home.html:2 loads the {% cache %} template tag",
            id="template",
        ),
        pytest.param(
            {"shop/api.py": "from django_ratelimit.decorators import ratelimit\n"},
            "shop/api.py:1 imports django_ratelimit (its counters live in the cache)",
            id="ratelimit",
        ),
    ],
)
def test_code_that_uses_the_cache_keeps_medium_and_high(
    tmp_path: Path, files: dict[str, str | None], seen: str
) -> None:
    audit = audit_project(_project(tmp_path / "proj", files), no_git=True, no_history=True)
    [local] = failing(audit, "GL210")
    assert local.severity is Severity.MEDIUM
    assert local.evidence[-1] == f"the project's code uses Django's cache: {seen}"
    [workers] = failing(audit, "GL632")
    assert workers.severity is Severity.HIGH
    assert workers.evidence[-1] == f"the project's code uses Django's cache: {seen}"


def test_the_source_collector_says_where_the_cache_is_used(tmp_path: Path) -> None:
    root = _project(
        tmp_path / "proj",
        {
            "shop/views.py": "import os\nfrom django.core.cache import caches\n",
            "shop/tests/test_views.py": "from django.core.cache import cache\n",  # tests: not deployed code
            "shop/util.py": "from functools import lru_cache\n"
            "from django.views.decorators.cache import never_cache\n",
        },
    )
    source = collect(resolve(AuditOptions(project_dir=root, settings="site_conf.settings.production")))
    assert source.cache_uses == ("shop/views.py:2 imports caches from django.core.cache",)
    nothing = collect(
        resolve(AuditOptions(project_dir=_project(tmp_path / "p2"), settings="site_conf.settings.production"))
    )
    assert nothing.cache_uses == ()


def test_explicit_local_memory_caches_in_the_settings_count_as_use(tmp_path: Path) -> None:
    root = _project(
        tmp_path / "proj",
        {
            "site_conf/settings/production.py": "from .base import *  # noqa\n"
            'CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}\n'
        },
    )
    audit = audit_project(root, no_git=True, no_history=True)
    [f] = failing(audit, "GL210")
    assert (f.severity, f.location) == (
        Severity.MEDIUM,
        Location(path="site_conf/settings/production.py", line=2),
    )
    assert f.evidence[-1] == (
        "the settings set CACHES to a per-process backend on purpose (site_conf/settings/production.py:2)"
    )
