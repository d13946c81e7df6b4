"""Performance (GL4xx) on real projects: sessions, persistent connections, template loaders."""

from __future__ import annotations

import pytest
from conftest import audit_project, build_project, failing, outcome

from golive.model import Audit, Location, Status

PROD = "site_conf/settings/production.py"

P1 = """\
CACHES["sessions"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
SESSION_CACHE_ALIAS = "sessions"
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
DATABASES["default"]["CONN_MAX_AGE"] = None
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
DATABASES["replica"] = {"ENGINE": "django.db.backends.postgresql", "NAME": "shop", "HOST": "replica.internal",
                        "PASSWORD": os.environ["APP_DB_PASSWORD"]}
TEMPLATES[0]["APP_DIRS"] = False
TEMPLATES[0]["OPTIONS"]["loaders"] = ["django.template.loaders.filesystem.Loader",
                                      "django.template.loaders.app_directories.Loader"]
"""
#: Near misses: SQLite needs no persistent connections; loaders wrapped in the cached loader.
P2 = """\
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/shop/db.sqlite3"}}
TEMPLATES[0]["APP_DIRS"] = False
TEMPLATES[0]["OPTIONS"]["loaders"] = [("django.template.loaders.cached.Loader", [
    "django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"])]
"""


@pytest.fixture(scope="module")
def p1(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    return audit_project(build_project(tmp_path_factory.mktemp("p1") / "proj", P1))


@pytest.fixture(scope="module")
def p2(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    return audit_project(build_project(tmp_path_factory.mktemp("p2") / "proj", P2))


@pytest.mark.covers("GL401", "manual")
def test_gl401_database_sessions_ask_for_clearsessions(p1: Audit) -> None:
    [f] = [f for f in p1.findings if f.id == "GL401"]
    assert f.status is Status.MANUAL
    assert f.subjects == ("SESSION_ENGINE",)
    assert f.evidence == ("SESSION_ENGINE = 'django.contrib.sessions.backends.cached_db'",)


@pytest.mark.covers("GL402", "fail")
def test_gl402_sessions_on_a_per_process_cache(p1: Audit) -> None:
    [f] = failing(p1, "GL402")
    assert f.subjects == ("SESSION_ENGINE", "CACHES")
    assert f.location == Location(path=PROD, line=4)
    assert f.evidence == (
        "SESSION_ENGINE = 'django.contrib.sessions.backends.cached_db'",
        "CACHES['sessions']['BACKEND'] = 'django.core.cache.backends.locmem.LocMemCache'",
    )
    # the default cache is still Redis: GL210 is about the default alias only
    assert outcome(p1, "GL210") == [Status.PASS]


@pytest.mark.covers("GL403", "fail")
def test_gl403_non_persistent_connections(p1: Audit) -> None:
    # CONN_MAX_AGE = None (unlimited) on "default" is persistent: only the replica fails.
    [f] = failing(p1, "GL403")
    assert f.subjects == ("CONN_MAX_AGE",)
    assert f.location == Location(path=PROD, line=7)
    assert f.evidence == ("DATABASES['replica']['CONN_MAX_AGE'] = 0",)  # Django's default, filled in


@pytest.mark.covers("GL404", "fail")
def test_gl404_persistent_connections_without_health_checks(p1: Audit) -> None:
    [f] = failing(p1, "GL404")
    assert f.subjects == ("CONN_HEALTH_CHECKS", "CONN_MAX_AGE")
    assert f.location == Location(path=PROD, line=6)
    assert f.evidence == ("DATABASES['default']: CONN_MAX_AGE = None, CONN_HEALTH_CHECKS off",)


@pytest.mark.covers("GL405", "fail")
def test_gl405_explicit_loaders_without_the_cached_loader(p1: Audit) -> None:
    [f] = failing(p1, "GL405")
    assert f.subjects == ("TEMPLATES",)
    assert f.location == Location(path=PROD, line=10)
    assert f.evidence == (
        "TEMPLATES[0]['OPTIONS']['loaders'] = ['django.template.loaders.filesystem.Loader',"
        " 'django.template.loaders.app_directories.Loader']",
    )


@pytest.mark.covers("GL403", "GL405", "pass")
def test_sqlite_and_wrapped_loaders_pass(p2: Audit) -> None:
    assert outcome(p2, "GL403") == [Status.PASS]
    assert outcome(p2, "GL404") == [Status.PASS]
    assert outcome(p2, "GL405") == [Status.PASS]
    assert [f.id for f in failing(p2)] == ["GL220"]


@pytest.mark.covers("GL401", "GL402", "GL403", "GL404", "GL405", "pass")
def test_hardened_project_passes_performance(hardened_audit: Audit) -> None:
    result = hardened_audit
    for cid in ("GL401", "GL402", "GL403", "GL404", "GL405"):
        assert outcome(result, cid) == [Status.PASS], cid
    [gl401] = [f for f in result.findings if f.id == "GL401"]
    assert gl401.evidence == (
        "SESSION_ENGINE = 'django.contrib.sessions.backends.cache' (no session table to clear)",
    )
