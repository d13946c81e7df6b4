"""Environment-specific settings (GL2xx) on real projects: ALLOWED_HOSTS, CACHES, DATABASES,
e-mail, static and media files. Manual items (GL212, GL222, GL223, GL252) are signed in
tests/test_checks_manual.py; here they are asked, or pass when they do not apply.
"""

from __future__ import annotations

import pytest
from conftest import audit_project, build_project, failing, outcome

from golive.model import Audit, Location, Severity, Status

PROD = "site_conf/settings/production.py"
LEGACY_PW = "legacy-db-pw-5d1c"

CACHES_E1 = (
    'CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},'
    ' "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache",'
    ' "LOCATION": "redis://cache.internal:6379/1"}}'
)
DATABASES_E1 = (
    'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"},'
    ' "legacy": {"ENGINE": "django.db.backends.postgresql", "NAME": "legacy", "HOST": "db.internal",'
    f' "PASSWORD": "{LEGACY_PW}", "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}}}}'
)
E1 = f"""\
ALLOWED_HOSTS = ["*", "shop.example.com"]
{CACHES_E1}
{DATABASES_E1}
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "Shop <webmaster@localhost>"
SERVER_EMAIL = "root@localhost"
MEDIA_ROOT = "uploads"
"""
E2 = """\
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
EMAIL_HOST = "smtp.mailgun.org"
EMAIL_USE_TLS = False
STATIC_ROOT = None
MEDIA_URL = "/static/"
STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
MEDIA_ROOT = ""
"""
#: Nothing here needs a cache server, a database server or a media backup.
E3 = """\
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/shop/db.sqlite3"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
MEDIA_ROOT = "/srv/shop/static/uploads"
"""
NO_FILE_FIELDS = """
from django.db import models
class Product(models.Model):
    name = models.CharField(max_length=100)
"""
#: Near misses that are fine: a subdomain wildcard, a remote cache with credentials, a
#: local MTA without TLS, media next to (not inside) static files.
E4 = """\
ALLOWED_HOSTS = [".example.com"]
CACHES["sessions"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": "rediss://:" + os.environ["APP_DB_PASSWORD"] + "@cache.internal:6380/0"}
EMAIL_HOST = "localhost"
EMAIL_USE_TLS = False
MEDIA_ROOT = "/srv/shop/static-media"
"""


@pytest.fixture(scope="module")
def e1(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    return audit_project(build_project(tmp_path_factory.mktemp("e1") / "proj", E1))


@pytest.fixture(scope="module")
def e2(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    return audit_project(build_project(tmp_path_factory.mktemp("e2") / "proj", E2))


@pytest.fixture(scope="module")
def e3(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    root = tmp_path_factory.mktemp("e3") / "proj"
    return audit_project(build_project(root, E3, files={"shop/models.py": NO_FILE_FIELDS}))


@pytest.fixture(scope="module")
def e4(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    return audit_project(build_project(tmp_path_factory.mktemp("e4") / "proj", E4))


@pytest.mark.covers("GL201", "fail")
def test_gl201_allowed_hosts_wildcard(e1: Audit) -> None:
    [f] = failing(e1, "GL201")
    assert f.subjects == ("ALLOWED_HOSTS",)
    assert f.location == Location(path=PROD, line=2)
    assert f.evidence == ("ALLOWED_HOSTS = ['*', 'shop.example.com']",)


@pytest.mark.covers("GL202", "fail")
def test_gl202_only_local_hosts(e2: Audit) -> None:
    [f] = failing(e2, "GL202")
    assert f.subjects == ("ALLOWED_HOSTS",)
    assert f.location == Location(path=PROD, line=2)
    assert f.evidence == ("ALLOWED_HOSTS = ['localhost', '127.0.0.1']",)
    assert outcome(e2, "GL201") == [Status.PASS]


@pytest.mark.covers("GL210", "fail")
def test_gl210_local_memory_default_cache(e1: Audit) -> None:
    [f] = failing(e1, "GL210")
    assert f.subjects == ("CACHES",)
    assert f.location == Location(path=PROD, line=3)
    assert f.severity is Severity.MEDIUM  # sessions live in it, and the settings chose it
    assert f.evidence == (
        "CACHES['default']['BACKEND'] = 'django.core.cache.backends.locmem.LocMemCache'",
        "SESSION_ENGINE = 'django.contrib.sessions.backends.cache': sessions live in that cache",
        f"the settings set CACHES to a per-process backend on purpose ({PROD}:3)",
    )


@pytest.mark.covers("GL210", "fail")
def test_gl210_dummy_cache_too(e3: Audit) -> None:
    [f] = failing(e3, "GL210")
    assert f.evidence == (
        "CACHES['default']['BACKEND'] = 'django.core.cache.backends.dummy.DummyCache'",
        f"the settings set CACHES to a per-process backend on purpose ({PROD}:3)",
    )
    assert f.location == Location(path=PROD, line=3)


@pytest.mark.covers("GL211", "fail")
def test_gl211_remote_cache_without_credentials(e1: Audit) -> None:
    [f] = failing(e1, "GL211")
    assert f.subjects == ("CACHES",)
    assert f.location == Location(path=PROD, line=3)
    assert f.evidence == (
        "CACHES['shared']: RedisCache at redis://cache.internal:6379/1 (host cache.internal, no credentials)",
    )


@pytest.mark.covers("GL212", "manual")
@pytest.mark.covers("GL223", "manual")
def test_gl212_gl223_network_policy_is_asked_when_servers_exist(e1: Audit) -> None:
    [gl212] = [f for f in e1.findings if f.id == "GL212"]
    assert gl212.status is Status.MANUAL
    assert gl212.subjects == ("CACHES",)
    assert gl212.evidence == ("cache server aliases: shared",)
    [gl223] = [f for f in e1.findings if f.id == "GL223"]
    assert gl223.status is Status.MANUAL
    assert gl223.evidence == ("database aliases: legacy",)


@pytest.mark.covers("GL212", "pass")
@pytest.mark.covers("GL223", "pass")
@pytest.mark.covers("GL252", "pass")
def test_manual_items_that_do_not_apply_pass(e3: Audit) -> None:
    by_id = {f.id: f for f in e3.findings if f.id in ("GL212", "GL223", "GL252")}
    assert {cid: f.status for cid, f in by_id.items()} == dict.fromkeys(by_id, Status.PASS)
    assert by_id["GL212"].evidence == ("no cache server configured (nothing to firewall)",)
    assert by_id["GL223"].evidence == ("no database server configured",)
    assert by_id["GL252"].evidence == ("no model has a file field",)


@pytest.mark.covers("GL220", "fail")
def test_gl220_sqlite(e1: Audit) -> None:
    [f] = failing(e1, "GL220")
    assert f.subjects == ("DATABASES",)
    assert f.location == Location(path=PROD, line=4)
    assert f.evidence[0].startswith("DATABASES['default'] ENGINE sqlite3, NAME '")
    assert f.evidence[0].endswith("/db.sqlite3'")


@pytest.mark.covers("GL221", "fail")
def test_gl221_literal_database_password(e1: Audit) -> None:
    [f] = failing(e1, "GL221")
    assert f.subjects == ("DATABASES",)
    assert f.location == Location(path=PROD, line=4)
    assert f.evidence[0].startswith(f"DATABASES.legacy.PASSWORD at {PROD}:4: literal, 17 chars")
    assert LEGACY_PW not in repr(e1.findings)


@pytest.mark.covers("GL230", "fail")
def test_gl230_console_email_backend(e1: Audit) -> None:
    [f] = failing(e1, "GL230")
    assert f.subjects == ("EMAIL_BACKEND",)
    assert f.location == Location(path=PROD, line=5)
    assert f.evidence == (
        "EMAIL_BACKEND = 'django.core.mail.backends.console.EmailBackend' (console: sends nothing)",
    )


@pytest.mark.covers("GL231", "fail")
def test_gl231_localhost_sender_addresses(e1: Audit) -> None:
    found = failing(e1, "GL231")
    assert [(f.subjects, f.location, f.evidence) for f in found] == [
        (
            ("DEFAULT_FROM_EMAIL",),
            Location(path=PROD, line=6),
            ("DEFAULT_FROM_EMAIL = 'Shop <webmaster@localhost>'",),
        ),
        (("SERVER_EMAIL",), Location(path=PROD, line=7), ("SERVER_EMAIL = 'root@localhost'",)),
    ]


@pytest.mark.covers("GL232", "fail")
def test_gl232_smtp_without_tls(e2: Audit) -> None:
    [f] = failing(e2, "GL232")
    assert f.subjects == ("EMAIL_USE_TLS", "EMAIL_HOST")
    assert f.location == Location(path=PROD, line=3)
    assert f.evidence == ("EMAIL_BACKEND: SMTP to 'smtp.mailgun.org' with neither TLS nor SSL",)


@pytest.mark.covers("GL240", "fail")
def test_gl240_static_root_unset(e2: Audit) -> None:
    [f] = failing(e2, "GL240")
    assert f.subjects == ("STATIC_ROOT",)
    assert f.location == Location(path=PROD, line=5)
    assert f.evidence == ("STATIC_ROOT = None",)


@pytest.mark.covers("GL241", "fail")
def test_gl241_static_and_media_url_equal(e2: Audit) -> None:
    [f] = failing(e2, "GL241")
    assert f.subjects == ("STATIC_URL", "MEDIA_URL")
    assert f.location == Location(path=PROD, line=6)
    assert f.evidence == ("STATIC_URL = '/static/', MEDIA_URL = '/static/'",)


@pytest.mark.covers("GL242", "fail")
def test_gl242_static_files_without_hashes(e2: Audit) -> None:
    [f] = failing(e2, "GL242")
    assert f.subjects == ("STORAGES",)
    assert f.location == Location(path=PROD, line=7)
    assert f.evidence == ("staticfiles storage: django.contrib.staticfiles.storage.StaticFilesStorage",)


@pytest.mark.covers("GL250", "fail")
def test_gl250_media_root_unset_with_file_fields(e2: Audit) -> None:
    [f] = failing(e2, "GL250")
    assert f.subjects == ("MEDIA_ROOT",)
    assert f.location == Location(path=PROD, line=9)
    assert f.evidence == ("MEDIA_ROOT = '' and file fields: shop.Product.manual",)
    assert [f.status for f in e2.findings if f.id == "GL252"] == [Status.MANUAL]


@pytest.mark.covers("GL251", "fail")
def test_gl251_relative_media_root_is_inside_the_code_tree(e1: Audit) -> None:
    [f] = failing(e1, "GL251")
    assert f.subjects == ("MEDIA_ROOT",)
    assert f.location == Location(path=PROD, line=8)
    assert f.evidence[0].startswith("MEDIA_ROOT uploads is inside the project directory ")
    assert f.evidence[0].endswith("/proj")


@pytest.mark.covers("GL251", "fail")
def test_gl251_media_root_inside_static_root(e3: Audit) -> None:
    [f] = failing(e3, "GL251")
    assert f.subjects == ("MEDIA_ROOT", "STATIC_ROOT")
    assert f.location == Location(path=PROD, line=5)
    assert f.evidence == ("MEDIA_ROOT /srv/shop/static/uploads is inside STATIC_ROOT /srv/shop/static",)


@pytest.mark.covers("GL201", "GL211", "GL232", "GL251", "pass")
def test_near_misses_pass(e4: Audit) -> None:
    section = [f for f in e4.findings if f.id.startswith("GL2") and f.status is not Status.MANUAL]
    assert {f.id: f.status for f in section} == {f.id: Status.PASS for f in section}
    assert [f.id for f in failing(e4)] == []


@pytest.mark.covers("GL201", "GL202", "GL210", "GL211", "GL220", "GL221", "GL230", "pass")
@pytest.mark.covers("GL231", "GL232", "GL240", "GL241", "GL242", "GL250", "GL251", "pass")
def test_hardened_project_passes_the_environment_section(hardened_audit: Audit) -> None:
    result = hardened_audit
    automatic = ["GL201", "GL202", "GL210", "GL211", "GL220", "GL221", "GL230", "GL231", "GL232"]
    automatic += ["GL240", "GL241", "GL242", "GL250", "GL251"]
    assert {cid: outcome(result, cid) for cid in automatic} == {cid: [Status.PASS] for cid in automatic}
    manual = ["GL212", "GL222", "GL223", "GL252"]
    assert {cid: outcome(result, cid) for cid in manual} == {cid: [Status.MANUAL] for cid in manual}


@pytest.mark.covers("GL250", "GL251", "pass")
def test_uploads_to_object_storage_need_no_media_root(make_project) -> None:  # type: ignore[no-untyped-def]
    production = (
        'STORAGES = {**STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}\nMEDIA_ROOT = ""\n'
    )
    result = audit_project(make_project(production))
    [f] = [f for f in result.findings if f.id == "GL250"]
    assert (f.status, f.evidence) == (Status.PASS, ("uploads go to S3Storage, not to MEDIA_ROOT",))
    assert outcome(result, "GL251") == [Status.PASS]
    assert [f.id for f in failing(result)] == []
