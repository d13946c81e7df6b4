"""Settings read through the project's own environment helpers, environs and
pydantic-settings: their call sites are environment lookups with the helper's default
(issue 13, "Project-defined env helpers")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import audit_project, failing

from golive.collectors import source
from golive.context import AuditOptions, resolve
from golive.model import Location

PROD = "site_conf/settings/production.py"
LIT = "helper-default-Qv83xT"

ENV_FLAG = """\
import os
def env_flag(name, default):
    return os.getenv(name, default).lower() in ("1", "true")
"""
READ_SECRET = """\
import os
def read_secret(name, fallback=None):
    path = os.environ.get(f"{name}_FILE")
    if path:
        with open(path) as handle:
            return handle.read().strip()
    return os.environ.get(name, fallback)
"""
CHAINED = """\
import os
def env_str(name, default=None):
    return os.environ.get(name, default)
def env_bool(name, default="false"):
    value = env_str(name, default)
    return value.lower() == "true"
def env_int(name, default=0):
    return int(env_str(name, default))
def required(name):
    return os.environ[name]
"""


def collect(project: Path) -> source.SourceFacts:
    return source.collect(
        resolve(AuditOptions(project_dir=project, settings="site_conf.settings.production"))
    )


def lookup(facts: source.SourceFacts, target: str) -> source.Assignment:
    a = facts.last(target)
    assert a is not None
    return a


@pytest.mark.parametrize(
    ("lines", "call", "var", "truthy"),
    [
        (ENV_FLAG + 'DEBUG = env_flag("DEBUG", "true")\n', "env_flag", "DEBUG", True),
        (ENV_FLAG + 'DEBUG = env_flag("DJANGO_DEBUG", default="no")\n', "env_flag", "DJANGO_DEBUG", False),
        (CHAINED + 'DEBUG = env_bool("DEBUG", "true")\n', "env_bool", "DEBUG", True),
        (CHAINED + 'DEBUG = env_bool("DEBUG")\n', "env_bool", "DEBUG", False),
        (CHAINED + 'DEBUG = required("DEBUG") == "1"\n', "required", "DEBUG", None),
    ],
)
def test_a_project_helper_is_an_environment_lookup(
    make_project: Any, lines: str, call: str, var: str, truthy: bool | None
) -> None:
    a = lookup(collect(make_project(lines)), "DEBUG")
    assert (a.kind, a.call, a.env_var, a.default_truthy) == ("env", call, var, truthy)
    assert a.location == Location(path=PROD, line=lines.count("\n") + 1)


def test_a_helper_imported_from_a_project_module_that_also_reads_a_file_variable(make_project: Any) -> None:
    project = make_project(
        "from site_conf.envtools import read_secret\n"
        f'SECRET_KEY = read_secret("SECRET_KEY", fallback="{LIT}")\n',
        files={"site_conf/envtools.py": READ_SECRET},
    )
    facts = collect(project)
    a = lookup(facts, "SECRET_KEY")
    assert (a.kind, a.call, a.env_var, a.has_default) == ("env", "read_secret", "SECRET_KEY", True)
    assert a.secret is not None and a.secret.length == len(LIT)
    assert a.location == Location(path=PROD, line=3)
    assert LIT not in repr(facts)


def test_a_helper_without_default_has_none(make_project: Any) -> None:
    a = lookup(collect(make_project(CHAINED + 'SECRET_KEY = env_str("SECRET_KEY")\n')), "SECRET_KEY")
    assert (a.kind, a.call, a.env_var, a.has_default) == ("env", "env_str", "SECRET_KEY", False)
    b = lookup(
        collect(make_project(CHAINED + 'CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)\n')), "CONN_MAX_AGE"
    )
    assert (b.kind, b.env_var, b.has_default, b.default) == ("env", "CONN_MAX_AGE", True, 60)


def test_environs_positional_default(make_project: Any) -> None:
    lines = (
        f'from environs import Env\nenv = Env()\nenv.read_env()\nSECRET_KEY = env("SECRET_KEY", "{LIT}")\n'
    )
    a = lookup(collect(make_project(lines)), "SECRET_KEY")
    assert (a.kind, a.env_var, a.has_default) == ("env", "SECRET_KEY", True)
    assert a.secret is not None and a.secret.length == len(LIT)


def test_pydantic_settings_field_defaults(make_project: Any) -> None:
    lines = (
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
        "class AppSettings(BaseSettings):\n"
        '    model_config = SettingsConfigDict(env_prefix="APP_")\n'
        "    debug: bool = True\n"
        f'    secret_key: str = "{LIT}"\n'
        "    database_url: str\n"
        "app = AppSettings()\n"
        "DEBUG = app.debug\n"
        "SECRET_KEY = app.secret_key\n"
        "DATABASE_URL = app.database_url\n"
    )
    facts = collect(make_project(lines))
    debug = lookup(facts, "DEBUG")
    assert (debug.kind, debug.env_var, debug.default_truthy) == ("env", "APP_DEBUG", True)
    key = lookup(facts, "SECRET_KEY")
    assert (key.kind, key.env_var, key.has_default) == ("env", "APP_SECRET_KEY", True)
    assert key.secret is not None and key.secret.length == len(LIT)
    url = lookup(facts, "DATABASE_URL")
    assert (url.kind, url.env_var, url.has_default) == ("env", "APP_DATABASE_URL", False)


def test_the_checks_see_helper_defaults(make_project: Any) -> None:
    project = make_project(
        ENV_FLAG
        + "from site_conf.envtools import read_secret\n"
        + 'DEBUG = env_flag("APP_DEBUG", "true")\n'
        + f'SECRET_KEY = read_secret("APP_SECRET_KEY", fallback="{LIT}")\n',
        files={"site_conf/envtools.py": READ_SECRET},
    )
    result = audit_project(project, env={"APP_DEBUG": "0"})
    [debug] = failing(result, "GL110")
    assert debug.evidence == (
        f"DEBUG = env_flag('APP_DEBUG', default 'true') → True when APP_DEBUG is unset at {PROD}:6",
    )
    [key] = failing(result, "GL102")
    assert key.subjects == ("SECRET_KEY",)
    assert key.location == Location(path=PROD, line=7)
    assert key.evidence[0] == f"SECRET_KEY = read_secret('APP_SECRET_KEY', <default>) at {PROD}:7"


def test_a_helper_that_builds_the_variable_name(make_project: Any) -> None:
    lines = (
        "import os\n"
        "def setting(name, default=None):\n"
        '    return os.environ.get(f"SHOP_{name.upper()}", default)\n'
        "def flag(name, default):\n"
        '    return os.environ.get("SHOP_" + name, default) == "yes"\n'
        f'SECRET_KEY = setting("secret_key", "{LIT}")\n'
        'DEBUG = flag("DEBUG", "yes")\n'
    )
    facts = collect(make_project(lines))
    key = lookup(facts, "SECRET_KEY")
    assert (key.kind, key.env_var, key.has_default) == ("env", "SHOP_SECRET_KEY", True)
    debug = lookup(facts, "DEBUG")
    assert (debug.kind, debug.env_var, debug.default_truthy) == ("env", "SHOP_DEBUG", True)


def test_pydantic_settings_imported_from_a_project_module(make_project: Any) -> None:
    config = (
        "from pydantic import Field\n"
        "from pydantic_settings import BaseSettings\n"
        "class Settings(BaseSettings):\n"
        "    class Config:\n"
        '        env_prefix = "SHOP_"\n'
        "    debug: bool = Field(default=True)\n"
        "settings = Settings()\n"
    )
    project = make_project(
        "from site_conf.config import settings\nDEBUG = settings.debug\n",
        files={"site_conf/config.py": config},
    )
    debug = lookup(collect(project), "DEBUG")
    assert (debug.kind, debug.env_var, debug.default_truthy) == ("env", "SHOP_DEBUG", True)


def test_a_sentry_dsn_read_through_a_helper_is_from_the_environment(make_project: Any) -> None:
    lines = CHAINED + 'import sentry_sdk\nsentry_sdk.init(dsn=env_str("SENTRY_DSN"))\n'
    [init] = collect(make_project(lines)).sentry_inits
    assert (init.dsn, init.location) == ("env", Location(path=PROD, line=lines.count("\n") + 1))
