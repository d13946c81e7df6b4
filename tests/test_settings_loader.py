"""The runtime probe script, run for real against small Django projects written to tmp_path.

Each test runs the probe as golive does (``golive/collectors/runtime/loader_main.py``, which
starts ``settings_loader.py``) in a subprocess of an interpreter with Django (this one; the
Django 6.1 venv too where it exists) and reads the JSON file it writes. Only the standard
library and pytest are used here.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "golive" / "collectors" / "runtime" / "settings_loader.py"
MAIN = SCRIPT.with_name("loader_main.py")
FINGERPRINT_KEY = "00112233445566778899aabbccddeeff"
SECRET_KEY = "k3y-Qw8!zR2#pL5$vN7^tY1&uI4*oP6(aS9)dF0_gH3+jK-Lx7mZc2Vb"
ENV_SECRET = "env-only-s3cr3t-v4lue-Zy8Wq"
FALLBACK_KEY = "old-fallback-key-0123456789abcdefghijklmnopqrstuvwxyzAB"
DB_PASSWORD = "db-password-Zq9xT"
OTHER_PYTHONS = ["/work/venv312/bin/python", str(SCRIPT.parents[3] / ".venv-django61" / "bin" / "python")]
#: ^ Django 6.1, where those venvs exist

GOOD_SETTINGS = f"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
print("settings printed this to stdout")
SECRET_KEY = os.environ["PROBE_TEST_SECRET_KEY"]
SECRET_KEY_FALLBACKS = ["{FALLBACK_KEY}"]
DEBUG = True
ALLOWED_HOSTS = ["example.com"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "catalog",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "mysite.urls"
TEMPLATES = [
    {{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {{
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        }},
    }},
]
WSGI_APPLICATION = "mysite.wsgi.application"
DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
        "PASSWORD": "{DB_PASSWORD}",
    }}
}}
CACHES = {{
    "default": {{
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://:hunter2secret@cache:6379/0",
    }}
}}
SILENCED_SYSTEM_CHECKS = ["security.W004"]
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""

URLS = """
from django.contrib import admin
from django.urls import path

urlpatterns = [path("control/", admin.site.urls)]
"""

MODELS = """
from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=100)
    cover = models.FileField(upload_to="covers/")
"""


def django_version(python: str) -> str | None:
    """Django's version in ``python``, or None when it has none."""
    proc = subprocess.run(
        [python, "-c", "import django; print(django.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() if proc.returncode == 0 else None


def interpreters() -> list[Any]:
    """This interpreter and the other test venvs, each skipped when unusable."""
    params = [pytest.param(sys.executable, id="current")]
    for python in OTHER_PYTHONS:
        usable = os.path.exists(python)
        params.append(
            pytest.param(
                python,
                id=Path(python).parents[1].name,
                marks=pytest.mark.skipif(not usable, reason=f"{python} does not exist"),
            )
        )
    return params


def write_project(root: Path, settings: str = GOOD_SETTINGS, urls: str = URLS) -> Path:
    """A small Django project: mysite (settings, urls), app catalog, templates/404.html."""
    files = {
        "mysite/__init__.py": "",
        "mysite/settings.py": textwrap.dedent(settings).lstrip("\n"),
        "mysite/urls.py": urls,
        "catalog/__init__.py": "",
        "catalog/models.py": MODELS,
        "templates/404.html": "<h1>Not found</h1>",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run_probe(
    project: Path,
    settings_module: str = "mysite.settings",
    python: str = sys.executable,
    env: dict[str, str] | None = None,
    flags: tuple[str, ...] = (),
    script: Path = MAIN,
    follow: list[str] | None = None,
    indent: int | None = None,
    extra: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], str, subprocess.CompletedProcess[str]]:
    """Run the probe (``script``) on ``project``; return its JSON, the file's text and the process.

    ``follow``: token patterns sent after the request line (``token_patterns_follow``), as golive
    sends them; ``indent``: the request written over several lines; ``extra``: more keys."""
    if django_version(python) is None and not flags:
        pytest.skip(f"Django is not importable in {python}")
    output = project.parent / f"{project.name}-probe.json"
    request = {
        "settings_module": settings_module,
        "project_dir": str(project),
        "output": str(output),
        "fingerprint_key": FINGERPRINT_KEY,
    } | (extra or {})
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    full_env.update({"PROBE_TEST_SECRET_KEY": SECRET_KEY, "PYTHONDONTWRITEBYTECODE": "1"} | (env or {}))
    proc = subprocess.run(
        [python, *flags, str(script)],
        input=(
            json.dumps({**request, "token_patterns_follow": True}) + "\n" + json.dumps(follow)
            if follow is not None
            else json.dumps(request, indent=indent)
        ),
        capture_output=True,
        text=True,
        cwd=project,
        env=full_env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    text = output.read_text(encoding="utf-8")
    return json.loads(text), text, proc


def load_script() -> ModuleType:
    """The probe script as a module (it imports only the standard library at top level)."""
    spec = importlib.util.spec_from_file_location("golive_settings_loader", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("python", interpreters())
def test_good_project(tmp_path: Path, python: str) -> None:
    project = write_project(tmp_path / "proj")
    data, text, proc = run_probe(project, python=python)

    assert data["error"] is None
    assert data["probe_errors"] == []
    assert data["probe_version"] == 1
    assert data["django_version"] == django_version(python)
    assert data["settings_file"] == str(project / "mysite" / "settings.py")
    assert "settings printed this to stdout" in proc.stdout
    assert "probe_version" not in proc.stdout

    checks = {c["id"]: c for c in data["checks"]}
    assert checks["security.W018"]["level_name"] == "WARNING"
    assert checks["security.W018"]["silenced"] is False
    assert checks["security.W004"]["silenced"] is True
    assert data["checks_error"] is None

    secrets = data["secrets"]
    key_info = secrets["SECRET_KEY"]
    expected = hmac.new(bytes.fromhex(FINGERPRINT_KEY), SECRET_KEY.encode(), hashlib.sha256)
    assert key_info["length"] == len(SECRET_KEY)
    assert key_info["distinct"] == len(set(SECRET_KEY))
    assert re.fullmatch(r"[0-9a-f]{8}", key_info["fingerprint"])
    assert key_info["fingerprint"] == expected.hexdigest()[:8]
    assert key_info["insecure_prefix"] is False and key_info["empty"] is False
    assert data["settings"]["SECRET_KEY"] == {"__secret__": key_info}
    assert "SECRET_KEY_FALLBACKS[0]" in secrets
    assert data["settings"]["SECRET_KEY_FALLBACKS"] == [{"__secret__": secrets["SECRET_KEY_FALLBACKS[0]"]}]
    db = data["settings"]["DATABASES"]["default"]
    assert db["PASSWORD"] == {"__secret__": secrets["DATABASES.default.PASSWORD"]}
    assert db["NAME"] == str(project / "db.sqlite3")
    cache = data["settings"]["CACHES"]["default"]
    assert cache["LOCATION"] == "redis://:***@cache:6379/0"
    assert secrets["CACHES.default.LOCATION"]["length"] == len("hunter2secret")
    for literal in (SECRET_KEY, FALLBACK_KEY, DB_PASSWORD, "hunter2secret"):
        assert literal not in text

    # Names that look secret but are not stay readable.
    assert data["settings"]["AUTH_USER_MODEL"] == "auth.User"
    assert data["settings"]["SESSION_COOKIE_NAME"] == "sessionid"
    assert isinstance(data["settings"]["PASSWORD_HASHERS"], list)
    assert data["settings"]["DEBUG"] is True
    assert data["settings"]["ALLOWED_HOSTS"] == ["example.com"]

    assert data["error_templates"] == {
        "400.html": False,
        "403.html": False,
        "404.html": True,
        "500.html": False,
    }
    assert data["admin_urls"] == ["control/"]
    assert data["file_fields"] == ["catalog.Book.cover"]
    assert data["wsgi_application"] == "mysite.wsgi.application"
    assert data["asgi_application"] is None
    assert data["sentry_active"] is False
    assert data["database_vendors"] == {"default": "sqlite"}


@pytest.mark.parametrize("python", interpreters())
def test_settings_key_error(tmp_path: Path, python: str) -> None:
    settings = 'import os\n\nDEBUG = False\nSECRET_KEY = os.environ["GOLIVE_TEST_UNSET_VAR"]\n'
    project = write_project(tmp_path / "proj", settings=settings)
    data, _, _ = run_probe(project, python=python)

    error = data["error"]
    assert error["phase"] == "settings"
    assert error["type"] == "KeyError"
    assert error["message"] == "'GOLIVE_TEST_UNSET_VAR'"
    assert error["file"] == os.path.join("mysite", "settings.py")
    assert error["line"] == 4
    assert "--env-file" in error["hint"]
    assert data["settings"] == {} and data["checks"] == []
    assert data["django_version"] == django_version(python)
    assert data["settings_file"] == str(project / "mysite" / "settings.py")


def test_env_secret_is_scrubbed_from_messages(tmp_path: Path) -> None:
    settings = """
    import os
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("bad key: " + os.environ["APP_SECRET_KEY"])
    """
    project = write_project(tmp_path / "proj", settings=settings)
    data, text, _ = run_probe(project, env={"APP_SECRET_KEY": ENV_SECRET})

    assert data["error"]["type"] == "ImproperlyConfigured"
    assert data["error"]["message"] == "bad key: ***"
    assert data["error"]["hint"] == "fix the settings or pass --env-file"
    assert ENV_SECRET not in text


def test_env_secret_never_in_output_of_a_good_load(tmp_path: Path) -> None:
    settings = GOOD_SETTINGS + '\nSIGNING_SALT = "salt-" + os.environ["APP_SECRET_KEY"]\n'
    project = write_project(tmp_path / "proj", settings=settings)
    data, text, _ = run_probe(project, env={"APP_SECRET_KEY": ENV_SECRET})

    assert data["error"] is None
    assert data["settings"]["SIGNING_SALT"] == "salt-***"
    assert ENV_SECRET not in text


def test_syntax_error(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", settings="DEBUG = True\nALLOWED_HOSTS = [\n")
    data, _, _ = run_probe(project)

    error = data["error"]
    assert error["phase"] == "settings"
    assert error["type"] == "SyntaxError"
    assert error["file"] == os.path.join("mysite", "settings.py")
    assert error["line"] == 2
    assert error["hint"] == "fix the syntax error"


def test_missing_settings_module(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj")
    data, _, _ = run_probe(project, settings_module="mysite.nope")

    error = data["error"]
    assert error["phase"] == "settings"
    assert error["type"] == "ModuleNotFoundError"
    assert "--settings" in error["hint"]
    assert error["file"] is None and error["line"] is None
    assert data["settings_file"] is None


def test_missing_third_party_module(tmp_path: Path) -> None:
    settings = "import golive_test_not_installed_pkg\n"
    project = write_project(tmp_path / "proj", settings=settings)
    data, _, _ = run_probe(project)

    error = data["error"]
    assert error["type"] == "ModuleNotFoundError"
    assert error["hint"] == ("install golive_test_not_installed_pkg in that interpreter or pass --python")
    assert (error["file"], error["line"]) == (os.path.join("mysite", "settings.py"), 1)


def test_missing_driver_hint(tmp_path: Path) -> None:
    settings = """
    from django.core.exceptions import ImproperlyConfigured

    try:
        import golive_test_missing_driver
    except ImportError as exc:
        raise ImproperlyConfigured("Error loading the driver") from exc
    """
    project = write_project(tmp_path / "proj", settings=settings)
    data, _, _ = run_probe(project)

    assert data["error"]["type"] == "ImproperlyConfigured"
    assert data["error"]["hint"] == (
        "install golive_test_missing_driver in that interpreter or pass --python"
    )


def test_setup_error_still_snapshots_settings(tmp_path: Path) -> None:
    settings = GOOD_SETTINGS.replace('"catalog",', '"catalog", "golive_test_missing_app",')
    project = write_project(tmp_path / "proj", settings=settings)
    data, text, _ = run_probe(project)

    assert data["error"]["phase"] == "setup"
    assert data["error"]["type"] == "ModuleNotFoundError"
    assert data["settings"]["DEBUG"] is True
    assert "SECRET_KEY" in data["secrets"]
    assert SECRET_KEY not in text
    assert data["checks"] == [] and data["checks_error"].startswith("not run")
    assert data["admin_urls"] is None and data["file_fields"] is None


def test_broken_urlconf(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", urls="raise RuntimeError('broken urls')\n")
    data, _, _ = run_probe(project)

    assert data["error"] is None
    assert data["admin_urls"] is None
    assert data["urls_error"] == "RuntimeError: broken urls"
    assert data["file_fields"] == ["catalog.Book.cover"]


def test_import_django_fails(tmp_path: Path) -> None:
    # -S leaves site-packages (and so Django) off sys.path.
    probe = subprocess.run([sys.executable, "-S", "-c", "import django"], check=False)
    if probe.returncode == 0:
        pytest.skip("Django importable without site-packages")
    project = write_project(tmp_path / "proj")
    data, _, _ = run_probe(project, flags=("-S",))

    assert data["error"]["phase"] == "import-django"
    assert data["error"]["hint"] == "install Django in that interpreter or pass --python"
    assert data["django_version"] is None
    assert data["python"]["version"] == "{}.{}.{}".format(*sys.version_info[:3])


def test_bad_input_exits_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT)],
        input="not json",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SECRET_KEY", True),
        ("EMAIL_HOST_PASSWORD", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("SENTRY_DSN", True),
        ("GITHUB_TOKEN", True),
        ("api_key", True),
        ("SECRET_KEY_FALLBACKS", True),
        ("AUTH_USER_MODEL", False),
        ("AUTHENTICATION_BACKENDS", False),
        ("AUTH_PASSWORD_VALIDATORS", False),
        ("PASSWORD_HASHERS", False),
        ("PASSWORD_RESET_TIMEOUT", False),
        ("KEY_PREFIX", False),
        ("CACHE_MIDDLEWARE_KEY_PREFIX", False),
        ("KEY_FUNCTION", False),
        ("SESSION_COOKIE_NAME", False),
        ("CSRF_COOKIE_NAME", False),
        ("SECURE_PROXY_SSL_HEADER", None),
        ("DEFAULT_AUTHENTICATION_CLASSES", False),
        ("DEBUG", None),
        ("LOCATION", None),
    ],
)
def test_name_sensitivity(name: str, expected: bool | None) -> None:
    assert load_script().name_sensitivity(name) is expected


def test_convert_redacts_nested_values_and_urls() -> None:
    script = load_script()
    redactor = script.Redactor(bytes.fromhex(FINGERPRINT_KEY))
    value = {
        "OPTIONS": {"access_key": "AKIAEXAMPLE", "bucket": "media", "timeout": 5},
        "URLS": ["https://user:p4ss@db.example.com/x", "https://tok3n@api.example.com/"],
        "KEY": b"bytes-secret",
        "EMPTY_PASSWORD": "",
        "PATH": Path("/srv/app"),
        "OBJ": object(),
    }
    out = redactor.convert(value, "S", False)

    assert out["OPTIONS"]["access_key"] == {"__secret__": redactor.secrets["S.OPTIONS.access_key"]}
    assert out["OPTIONS"]["bucket"] == "media" and out["OPTIONS"]["timeout"] == 5
    assert out["URLS"] == ["https://user:***@db.example.com/x", "https://***@api.example.com/"]
    assert redactor.secrets["S.URLS[0]"]["length"] == 4
    assert redactor.secrets["S.URLS[1]"]["length"] == 5
    assert redactor.secrets["S.KEY"]["length"] == len("bytes-secret")
    assert out["EMPTY_PASSWORD"] == ""
    assert out["PATH"] == str(Path("/srv/app"))
    assert out["OBJ"] == {"__type__": "builtins.object"}
    assert "AKIAEXAMPLE" not in json.dumps(out) and "p4ss" not in json.dumps(out)


def test_installed_packages_layouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``NAME-VERSION.dist-info`` name says both; other layouts are read from their metadata;
    a PEP 610 ``direct_url.json`` is kept, and an unreadable one is None."""
    site = tmp_path / "site"
    files = {
        "foo-1.0.dist-info/direct_url.json": '{"url": "file:///src/foo", "dir_info": {"editable": true}}',
        "Bar.egg-info/PKG-INFO": "Metadata-Version: 2.1\nName: Bar\nVersion: 2.0\n",
        "odd_name-1.0-x.dist-info/METADATA": "Metadata-Version: 2.1\nName: odd-name\nVersion: 1.0x\n",
        "baz-3.dist-info/direct_url.json/unreadable": "",
        "q.egg-info": "Name: q\n",
        "notes.txt": "not a distribution",
    }
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    script = load_script()
    monkeypatch.setattr(sys, "path", [str(site)])

    assert script.installed_packages() == [
        ["Bar", "2.0", None],
        ["baz", "3", None],
        ["foo", "1.0", {"url": "file:///src/foo", "dir_info": {"editable": True}}],
        ["odd-name", "1.0x", None],
        ["q", None, None],
    ]


def test_loader_main_and_the_script_agree(tmp_path: Path) -> None:
    """``loader_main.py`` (what golive runs) and ``settings_loader.py`` run as a script (the
    dependencies collector's ``--packages``) are the same probe."""
    project = write_project(tmp_path / "proj")
    _, by_main, _ = run_probe(project)
    _, by_script, _ = run_probe(project, script=SCRIPT)

    assert by_main == by_script


def test_project_module_named_settings_loader(tmp_path: Path) -> None:
    """The loader runs under a name of its own: the project's ``settings_loader`` module is the
    one its settings import."""
    project = write_project(tmp_path / "proj", GOOD_SETTINGS + "\nfrom settings_loader import ORIGIN\n")
    (project / "settings_loader.py").write_text('ORIGIN = "the project"\n', encoding="utf-8")
    data, _, _ = run_probe(project)

    assert data["error"] is None
    assert data["settings"]["ORIGIN"] == "the project"


def test_checks_in_the_order_manage_py_check_prints_them(tmp_path: Path) -> None:
    """Django runs its checks in an order that follows memory addresses; the probe lists their
    messages as ``manage.py check --deploy`` prints them (by level, then by text)."""
    project = write_project(tmp_path / "proj")
    data, _, _ = run_probe(project)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(project), DJANGO_SETTINGS_MODULE="mysite.settings")
    env["PROBE_TEST_SECRET_KEY"] = SECRET_KEY
    django = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy"],
        capture_output=True, text=True, cwd=project, env=env, timeout=120, check=False,
    )  # fmt: skip
    printed = re.findall(r"^\S.*?: \((\S+)\) ", django.stderr + django.stdout, re.MULTILINE)

    assert len(printed) >= 3
    assert [c["id"] for c in data["checks"] if not c["silenced"]] == printed


#: A Slack bot token's shape, built here so that no real-format token is written in the repository.
SLACK_TOKEN = "xox" + "b-" + "1234567890" + "-" + "abcdefghijABCDEFGHIJ12"
SLACK_PATTERN = r"(?<![A-Za-z0-9])xox[abposre]-[A-Za-z0-9-]{10,250}"


def test_token_patterns_after_the_request(tmp_path: Path) -> None:
    """golive sends the token patterns after the request line, once the probe runs: they are
    applied to every setting, and the project's code reads an empty stdin, not them."""
    settings = (
        GOOD_SETTINGS
        + f"""
import sys
STDIN_SEEN = sys.stdin.read()
NOTIFY = {{"hook": "{SLACK_TOKEN}"}}
"""
    )
    project = write_project(tmp_path / "proj", settings)
    data, text, _ = run_probe(project, follow=[SLACK_PATTERN])

    assert data["error"] is None
    assert data["settings"]["STDIN_SEEN"] == ""
    assert data["settings"]["NOTIFY"] == {"hook": "***"}
    assert data["secrets"]["NOTIFY.hook"]["length"] == len(SLACK_TOKEN)
    assert SLACK_TOKEN not in text


def test_token_patterns_after_a_request_whose_settings_fail(tmp_path: Path) -> None:
    """Settings that fail to import end the probe before it reads the patterns: no error of
    its own, the settings' error is reported."""
    project = write_project(tmp_path / "proj", "raise RuntimeError('boom')\n")
    data, _, _ = run_probe(project, follow=[SLACK_PATTERN])

    assert data["error"]["phase"] == "settings"
    assert data["error"]["message"] == "boom"
    assert data["probe_errors"] == []


def test_request_over_several_lines(tmp_path: Path) -> None:
    """A request written over several lines (no ``token_patterns_follow``) is read whole."""
    data, _, _ = run_probe(write_project(tmp_path / "proj"), indent=2)

    assert data["error"] is None
    assert data["settings"]["ALLOWED_HOSTS"] == ["example.com"]


def test_done_on_stdout(tmp_path: Path) -> None:
    """With ``done_on_stdout``, stdout carries only the probe's line saying it is done: what
    the settings print goes to /dev/null (golive discarded it before)."""
    data, _, proc = run_probe(write_project(tmp_path / "proj"), extra={"done_on_stdout": True})

    assert data["error"] is None
    assert proc.stdout == "done\n"
