"""Error text from the project's code is scrubbed of secrets and of their fragments
(issue 9, item 2).

Settings doing ``urlparse(os.environ["DATABASE_URL"]).port`` on
``postgres://app:abc/def@db:5432/app`` raise "Port could not be cast to integer value as
'abc'": the password's fragment reached stderr, JSON and HTML. Messages that come from the
project's code (the settings, the URLconf, gunicorn's config file) are scrubbed, before
they are stored or shown, of every secret value (secret-named variables of the
environment and the env file, URL userinfo, secret-named settings) and of each of its
parts split on ``: / @ ? # & = ; ,`` that is 3 characters or longer; ordinary variables
(PATH, HOME) stay readable. Real projects, real probe subprocess, real gunicorn loader.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from conftest import audit_project

from golive.model import Audit


def word() -> str:
    """A random fragment (letters only, so that no parser reads it as a number)."""
    return "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(8))


def reason(audit: Audit, collector: str) -> str:
    return next(c.reason for c in audit.collectors if c.name == collector)


def test_a_url_password_fragment_in_the_settings_error(make_project: Callable[..., Path]) -> None:
    first, second = word(), word()
    project = make_project(
        production="""
            from urllib.parse import urlparse
            DB_PORT = urlparse(os.environ["DATABASE_URL"]).port
        """
    )
    audit = audit_project(project, env={"DATABASE_URL": f"postgres://app:{first}/{second}@db:5432/app"})
    text = reason(audit, "runtime")
    assert text.startswith("settings raised ValueError: Port could not be cast to integer value as '***'"), (
        text
    )
    assert first not in text and second not in text


def test_fragments_of_secret_named_variables_and_readable_ordinary_ones(
    make_project: Callable[..., Path],
) -> None:
    head, tail = word(), word()
    project = make_project(
        production="""
            raise ValueError(
                "no tenant " + os.environ["PAYMENT_API_TOKEN"].split(":")[1] + " under " + os.environ["HOME"]
            )
        """
    )
    audit = audit_project(project, env={"PAYMENT_API_TOKEN": f"{head}:{tail}"})
    text = reason(audit, "runtime")
    assert text.startswith(f"settings raised ValueError: no tenant *** under {os.environ['HOME']}"), text
    assert tail not in text


def test_fragments_of_env_file_secrets(make_project: Callable[..., Path]) -> None:
    head, tail = word(), word()
    project = make_project(
        production="""
            raise ValueError("bad region " + os.environ["STORAGE_SECRET"].split("@")[1])
        """,
        files={".env.production": f"STORAGE_SECRET={head}@{tail}\n"},
    )
    audit = audit_project(project, env_file=project / ".env.production")
    text = reason(audit, "runtime")
    assert text.startswith("settings raised ValueError: bad region ***"), text
    assert tail not in text


def test_fragments_of_secret_named_settings_in_the_urlconf_error(make_project: Callable[..., Path]) -> None:
    head, tail = word(), word()
    project = make_project(
        production=f'\nSHIPPING_API_KEY = "{head}:{tail}"\n',
        files={
            "site_conf/urls.py": """
                from django.conf import settings
                raise ValueError("unknown carrier " + settings.SHIPPING_API_KEY.split(":")[1])
            """
        },
    )
    audit = audit_project(project)
    errors = [f.reason for f in audit.findings if f.reason and "unknown carrier" in f.reason]
    assert errors, [f.reason for f in audit.findings if f.reason]
    assert all("unknown carrier ***" in e and tail not in e for e in errors), errors
    assert tail not in repr(audit)


def test_fragments_in_gunicorns_config_error(make_project: Callable[..., Path]) -> None:
    head, tail = word(), word()
    project = make_project(
        files={
            "gunicorn.conf.py": 'import os\nworkers = int(os.environ["WORKER_TOKEN"].split(":")[1])\n',
        }
    )
    audit = audit_project(project, env={"WORKER_TOKEN": f"{head}:{tail}"})
    text = reason(audit, "gunicorn")
    assert "invalid literal for int() with base 10: '***'" in text, text
    assert tail not in text


def test_the_probe_splits_secrets_as_golive_does() -> None:
    """The probe runs under the project's interpreter and cannot import golive: its copy of
    the rule (secret_parts) must give what golive.redact gives."""
    from golive import redact
    from golive.collectors.runtime import settings_loader

    samples = [
        "app:abc/def",
        "k1:k2",
        "ab",
        "x@y.example.com:5432/db?sslmode=require&x=1;y,z#f",
        "",
        "s3cr3t",
    ]
    for sample in samples:
        assert settings_loader.secret_parts(sample) == redact.secret_parts(sample), sample
    url = "postgres://app:abc/def@db:5432/app"
    assert redact.url_password(url) == "abc/def"
    assert redact.env_secrets({"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}) == {
        "app:abc/def",
        "app",
        "abc",
        "def",
    }


def test_the_probe_names_environment_secrets_as_golive_does() -> None:
    from golive.collectors.runtime import settings_loader
    from golive.facts.secrets import NOT_SECRET_NAMES, SECRET_NAME_RE, SECRET_VALUE_SUFFIXES, holds_secret

    assert settings_loader.ENV_SECRET_NAME_RE.pattern == SECRET_NAME_RE.pattern
    assert settings_loader.ENV_NOT_SECRET_NAMES == NOT_SECRET_NAMES
    assert settings_loader.ENV_SECRET_VALUE_SUFFIXES == SECRET_VALUE_SUFFIXES
    names = ["SSH_AUTH_SOCK", "XAUTHORITY", "PATH", "HOME", "APP_SECRET_KEY", "DB_PASS", "SENTRY_DSN", "KEY"]
    names += ["SECRET_KEY_FALLBACKS", "DJANGO_SECRET_KEY_FALLBACKS", "PASSWORD_HASHERS"]
    for name in [*names, "PASSENGER_APP", "STRIPE_API_KEY", "CACHE_KEY_FUNCTION", "GITHUB_TOKEN"]:
        assert settings_loader.env_secret_name(name) == holds_secret(name), name
