"""The source collector on real settings files: every way teams read the environment,
nested and subscript assignments, star-import chains; and the checks that read it
(GL101, GL102, GL110, GL221) on projects using django-environ and python-decouple.

django-environ and python-decouple need not be installed: the projects that must run
carry small stand-in modules named ``environ`` and ``decouple``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import BASE_SETTINGS, audit_project, build_project, failing, outcome

from golive.collectors import CollectorError, source
from golive.context import AuditOptions, resolve
from golive.model import Location, Status

PROD = "site_conf/settings/production.py"
LIT = "literal-default-Zk29fQ"


def collect(project: Path, module: str = "site_conf.settings.production") -> source.SourceFacts:
    return source.collect(resolve(AuditOptions(project_dir=project, settings=module)))


@pytest.mark.parametrize(
    ("line", "call", "var", "has_default"),
    [
        ('SECRET_KEY = os.environ["APP_SECRET_KEY"]', "os.environ[]", "APP_SECRET_KEY", False),
        (f'SECRET_KEY = os.environ.get("APP_SECRET_KEY", "{LIT}")', "os.environ.get", "APP_SECRET_KEY", True),
        (f'SECRET_KEY = os.getenv("APP_SECRET_KEY", "{LIT}")', "os.getenv", "APP_SECRET_KEY", True),
        (f'SECRET_KEY = os.environ.setdefault("K", "{LIT}")', "os.environ.setdefault", "K", True),
        (f'SECRET_KEY = env("APP_SECRET_KEY", default="{LIT}")', "env", "APP_SECRET_KEY", True),
        (f'SECRET_KEY = env("K", str, "{LIT}")', "env", "K", True),
        (f'SECRET_KEY = env.str("K", "{LIT}")', "env.str", "K", True),
        (f'SECRET_KEY = env.str("K", default="{LIT}")', "env.str", "K", True),
        (f'SECRET_KEY = config("K", default="{LIT}")', "config", "K", True),
        (f'SECRET_KEY = config("K", "{LIT}")', "config", "K", True),
        ('SECRET_KEY = config("K")', "config", "K", False),
    ],
)
def test_environment_lookups_and_their_literal_defaults(
    make_project: Any, line: str, call: str, var: str, has_default: bool
) -> None:
    facts = collect(make_project(line + "\n"))
    a = facts.last("SECRET_KEY")
    assert a is not None
    assert (a.kind, a.call, a.env_var, a.has_default) == ("env", call, var, has_default)
    assert a.location == Location(path=PROD, line=2)
    if has_default:
        assert a.secret is not None and a.secret.length == len(LIT)
        assert a.default is None  # a secret's default is described, never kept
    else:
        assert a.secret is None
    assert LIT not in repr(facts)


@pytest.mark.parametrize(
    ("line", "truthy"),
    [
        ('DEBUG = env.bool("DEBUG", default=True)', True),
        ('DEBUG = env.bool("DEBUG", True)', True),
        ('DEBUG = env.bool("DEBUG", default=False)', False),
        ('DEBUG = config("DEBUG", default=True, cast=bool)', True),
        ('DEBUG = config("DEBUG", default="False", cast=bool)', False),
        ('DEBUG = os.environ.get("DEBUG", "True") == "True"', True),
        ('DEBUG = os.environ.get("DEBUG", "False") == "True"', False),
        ('DEBUG = os.getenv("DEBUG", "1").lower() in ("1", "true")', True),
        ('DEBUG = os.getenv("DEBUG", "no").lower() in ("1", "true")', False),
        ('DEBUG = os.environ.get("DEBUG", "0") != "0"', False),
        ('DEBUG = bool(int(os.environ.get("DEBUG", "1")))', True),
        ('DEBUG = os.environ["DEBUG"] == "1"', None),
        ('env = environ.Env(DEBUG=(bool, True))\nDEBUG = env("DEBUG")', True),
        ('env = environ.Env(DEBUG=(bool, False))\nDEBUG = env("DEBUG")', False),
    ],
)
def test_what_debug_is_when_the_variable_is_unset(make_project: Any, line: str, truthy: bool | None) -> None:
    a = collect(make_project(line + "\n")).last("DEBUG")
    assert a is not None and a.kind == "env" and a.env_var == "DEBUG"
    assert a.default_truthy is truthy


def test_nested_dicts_subscripts_and_url_parsers(make_project: Any) -> None:
    project = make_project(
        'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "PASSWORD": "nested-lit-pw"}}\n'
        'DATABASES["replica"] = dict(DATABASES["default"])\n'
        'DATABASES["replica"]["PASSWORD"] = "subscript-lit-pw"\n'
        'DATABASES["reports"] = dj_database_url.parse("postgres://u:parsed-pw@db.internal/reports")\n'
        'DATABASES["analytics"] = dj_database_url.config(default="postgres://u:env-default-pw@db/analytics")\n'
    )
    facts = collect(project)
    nested = facts.last("DATABASES.default.PASSWORD")
    assert nested is not None and nested.kind == "literal" and nested.location == Location(path=PROD, line=2)
    assert nested.secret is not None and nested.secret.length == len("nested-lit-pw")
    sub = facts.last("DATABASES.replica.PASSWORD")
    assert sub is not None and sub.kind == "literal" and sub.location == Location(path=PROD, line=4)
    parsed = facts.last("DATABASES.reports")
    assert parsed is not None and parsed.kind == "literal"
    assert parsed.value == "postgres://u:***@db.internal/reports"
    assert parsed.secret is not None and parsed.secret.length == len("parsed-pw")
    env_url = facts.last("DATABASES.analytics")
    assert env_url is not None and (env_url.kind, env_url.env_var, env_url.has_default) == (
        "env",
        "DATABASE_URL",
        True,
    )
    assert env_url.default == "postgres://u:***@db/analytics"
    for pw in ("nested-lit-pw", "subscript-lit-pw", "parsed-pw", "env-default-pw"):
        assert pw not in repr(facts)


def test_a_later_whole_assignment_replaces_nested_keys(make_project: Any) -> None:
    base_pw = 'os.environ.get("APP_DB_PASSWORD", "base-default-pw")'
    base = (
        f'import os\nDATABASES = {{"default": {{"NAME": "shop", "PASSWORD": {base_pw}}}}}\nSECRET_KEY = "x"\n'
    )
    project = make_project(
        'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}\n', base=base
    )
    facts = collect(project)
    assert [a.location for a in facts.history("DATABASES.default.PASSWORD")] == [
        Location(path="site_conf/settings/base.py", line=2)
    ]
    assert facts.last("DATABASES.default.PASSWORD") is None
    assert "DATABASES.default.PASSWORD" not in {a.target for a in facts.effective}
    assert facts.location_of("DATABASES.default.PASSWORD") == Location(path=PROD, line=2)


def test_star_import_chain_in_execution_order(make_project: Any) -> None:
    files = {
        "site_conf/settings/common.py": (
            "from site_conf.settings.base import *  # noqa\nALLOWED_HOSTS = ['a.example']\n"
        ),
        "site_conf/settings/dev.py": 'from .common import *  # noqa\nSECRET_KEY = "dev-literal-key"\n',
    }
    facts = collect(
        make_project("from .common import *  # noqa\nALLOWED_HOSTS = ['b.example']\n", files=files)
    )
    assert [m.module for m in facts.modules] == [
        "site_conf.settings.production",
        "site_conf.settings.base",
        "site_conf.settings.common",
    ]
    assert [str(a.location) for a in facts.history("ALLOWED_HOSTS")] == [
        "site_conf/settings/base.py:7",
        "site_conf/settings/common.py:2",
        f"{PROD}:3",
    ]
    # the other settings modules' literal keys are kept (as fingerprints) for GL103
    [dev_key] = facts.other_modules["site_conf.settings.dev"]
    assert dev_key.location == Location(path="site_conf/settings/dev.py", line=2)
    assert dev_key.secret is not None and dev_key.secret.length == len("dev-literal-key")


def test_if_else_branches_both_count_and_the_last_wins(make_project: Any) -> None:
    facts = collect(
        make_project(
            'if os.environ.get("CI"):\n    DEBUG = False\n'
            'else:\n    DEBUG = os.environ.get("DEBUG", "on") == "on"\n'
        )
    )
    assert [str(a.location) for a in facts.history("DEBUG")] == [
        "site_conf/settings/base.py:6",
        f"{PROD}:3",
        f"{PROD}:5",
    ]
    last = facts.last("DEBUG")
    assert last is not None and last.default_truthy is True and last.location == Location(path=PROD, line=5)


def test_a_module_of_the_chain_that_cannot_be_parsed_is_a_collector_error(make_project: Any) -> None:
    # Reading the rest would let the checks pass on settings nobody saw.
    files = {"site_conf/settings/broken.py": "X = (\n"}
    project = make_project("from .broken import *  # noqa\nDEBUG = False\n", files=files)
    with pytest.raises(CollectorError) as info:
        collect(project)
    assert str(info.value) == (
        "cannot read site_conf/settings/broken.py: SyntaxError at line 1: '(' was never closed: fix the file"
    )


def test_another_settings_module_that_cannot_be_parsed_is_ignored(make_project: Any) -> None:
    facts = collect(make_project(files={"site_conf/settings/dev.py": "SECRET_KEY = (\n"}))
    assert "site_conf.settings.dev" not in facts.other_modules
    assert facts.last("SECRET_KEY") is not None


ENVIRON_STUB = '''
"""A stand-in for django-environ: enough of environ.Env for these settings."""
import os

class Env:
    def __init__(self, **scheme):
        self.scheme = scheme

    def __call__(self, var, cast=None, default=None):
        if var in self.scheme and default is None:
            cast, default = self.scheme[var]
        value = os.environ.get(var)
        if value is None:
            return default
        return value.lower() in ("1", "true", "yes", "on") if cast is bool else value

    def bool(self, var, default=None):
        return self(var, bool, default)

    def str(self, var, default=None):
        return self(var, str, default)
'''
DECOUPLE_STUB = '''
"""A stand-in for python-decouple's config()."""
import os

def config(option, default=None, cast=None):
    value = os.environ.get(option)
    if value is None:
        value = default
    if cast is bool and isinstance(value, str):
        return value.lower() in ("1", "true", "yes", "on")
    return cast(value) if cast is not None and value is not None else value
'''
ENVIRON_SETTINGS = f"""\
import environ
env = environ.Env(DJANGO_DEBUG=(bool, True))
DEBUG = env("DJANGO_DEBUG")
SECRET_KEY = env("APP_SECRET_KEY", default="django-insecure-{LIT}")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "{LIT}")
"""
DECOUPLE_SETTINGS = f"""\
from decouple import config
DEBUG = config("DJANGO_DEBUG", default=True, cast=bool)
SECRET_KEY = config("APP_SECRET_KEY", default="{LIT}")
"""


@pytest.mark.covers("GL102", "GL110", "fail")
def test_django_environ_defaults_are_found(make_project: Any) -> None:
    result = audit_project(make_project(ENVIRON_SETTINGS, files={"environ.py": ENVIRON_STUB}))
    [debug] = failing(result, "GL110")
    assert debug.location == Location(path=PROD, line=4)
    assert debug.evidence == (
        f"DEBUG = env('DJANGO_DEBUG', default True) → True when DJANGO_DEBUG is unset at {PROD}:4",
    )
    found = {f.subjects: f for f in failing(result, "GL102")}
    assert sorted(found) == [("EMAIL_HOST_PASSWORD",), ("SECRET_KEY",)]
    key = found[("SECRET_KEY",)]
    assert key.location == Location(path=PROD, line=5)
    assert key.evidence[0] == f"SECRET_KEY = env('APP_SECRET_KEY', <default>) at {PROD}:5"
    assert "starts with 'django-insecure-'" in key.evidence[1]
    assert found[("EMAIL_HOST_PASSWORD",)].location == Location(path=PROD, line=6)
    # the audit's environment sets APP_SECRET_KEY: the literal is not what runs, so not GL101
    assert outcome(result, "GL101") == [Status.PASS]
    assert [f.location for f in failing(result, "security.W018")] == [Location(path=PROD, line=4)]
    assert LIT not in repr(result)


@pytest.mark.covers("GL102", "GL110", "fail")
def test_python_decouple_defaults_are_found(make_project: Any) -> None:
    result = audit_project(make_project(DECOUPLE_SETTINGS, files={"decouple.py": DECOUPLE_STUB}))
    [debug] = failing(result, "GL110")
    assert debug.location == Location(path=PROD, line=3)
    assert "→ True when DJANGO_DEBUG is unset" in debug.evidence[0]
    [key] = failing(result, "GL102")
    assert key.subjects == ("SECRET_KEY",)
    assert key.location == Location(path=PROD, line=4)
    assert key.evidence == (
        f"SECRET_KEY = config('APP_SECRET_KEY', <default>) at {PROD}:4",
        "default: 22 chars, 15 distinct, ~83 bits, fingerprint " + key.evidence[1][-8:],
    )


@pytest.mark.covers("GL102", "pass")
def test_a_default_replaced_by_a_later_assignment_is_not_reported(make_project: Any) -> None:
    base_pw = f'os.environ.get("APP_DB_PASSWORD", "{LIT}")'
    base = (
        "import os\n"
        f'DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "PASSWORD": {base_pw}}}}}\n'
    )
    project = make_project(
        'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop",'
        ' "PASSWORD": os.environ["APP_DB_PASSWORD"], "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}}\n',
        base=BASE_SETTINGS + base,
    )
    result = audit_project(project)
    assert outcome(result, "GL102") == [Status.PASS]
    assert [f.id for f in failing(result)] == []


@pytest.mark.covers("GL101", "GL221", "fail")
def test_literals_through_a_star_import_chain(tmp_path: Path) -> None:
    files = {
        "site_conf/settings/common.py": (
            "from .base import *  # noqa\n"
            f'SECRET_KEY = "{LIT}-{LIT}-{LIT}-{LIT}"\n'
            'DATABASES["default"]["PASSWORD"] = "common-literal-pw"\n'
        )
    }
    project = build_project(tmp_path / "proj", "", files=files)
    (project / "site_conf/settings/production.py").write_text("from .common import *  # noqa\n")
    result = audit_project(project)
    [key] = failing(result, "GL101")
    assert key.location == Location(path="site_conf/settings/common.py", line=2)
    [pw] = failing(result, "GL221")
    assert pw.location == Location(path="site_conf/settings/common.py", line=3)
    assert pw.evidence[0].startswith(
        "DATABASES.default.PASSWORD at site_conf/settings/common.py:3: literal, 17 chars"
    )
    assert "common-literal-pw" not in repr(result)
