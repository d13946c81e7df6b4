"""The canary test: secrets planted everywhere golive reads never come out of it.

Distinct random canaries are planted in the settings source (a SECRET_KEY literal, a
database password, EMAIL_HOST_PASSWORD, credentials inside a cache URL, a literal default
of ``os.environ.get``), in the process environment and in an ``--env-file``; the real CLI
runs in a subprocess writing every report format, verbosely, and no canary may appear in
any report, on the terminal, or in any file golive keeps under the project's ``.golive/``.
A second case makes the settings raise an exception whose message holds an environment
canary. DESIGN.md, "Conventions": secrets never leave the collector that reads them.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import GOOD_ENV

GOLIVE = Path(sys.executable).parent / "golive"
FORMATS = ("json", "md", "html", "sarif", "xml")


def canary(label: str) -> str:
    """A random-looking secret, distinct per run (letters, digits and a few symbols)."""
    return f"{label}-{secrets.token_urlsafe(24)}"


def needles(values: dict[str, str]) -> dict[str, list[bytes]]:
    """Each canary whole, plus a 12-character slice of its random part (catches truncation)."""
    out = {}
    for name, value in values.items():
        random_part = value.split("-", 1)[1]
        out[name] = [value.encode(), random_part[6:18].encode()]
    return out


def run_cli(project: Path, out: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[bytes]:
    args = [str(GOLIVE), "audit", str(project), "-v", "--python", sys.executable, *extra]
    for fmt in FORMATS:
        args += ["-o", str(out / f"report.{fmt}")]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GOLIVE_")}
    full_env.update(env)
    full_env["COLUMNS"] = "200"
    return subprocess.run(args, capture_output=True, env=full_env, timeout=240, check=False)


def leaks(
    result: subprocess.CompletedProcess[bytes], places: list[Path], values: dict[str, str]
) -> list[str]:
    """``name in place`` for every canary found; the terminal and every file of ``places``."""
    blobs: dict[str, bytes] = {"stdout": result.stdout, "stderr": result.stderr}
    for place in places:
        files = [place] if place.is_file() else sorted(p for p in place.rglob("*") if p.is_file())
        for path in files:
            blobs[str(path)] = path.read_bytes()
    found = []
    for name, pins in needles(values).items():
        for where, blob in blobs.items():
            if any(pin in blob for pin in pins):
                found.append(f"{name} in {where}")
    return found


@pytest.fixture
def canaries() -> dict[str, str]:
    names = ("source_key", "dev_key", "db_password", "email_password", "redis_password", "stripe_default")
    names += ("env_key", "env_file_token", "env_file_db", "env_raise")
    return {name: canary(name.replace("_", "")) for name in names}


def test_no_canary_leaves_golive(
    make_project: Callable[..., Path], tmp_path: Path, canaries: dict[str, str]
) -> None:
    c = canaries
    project = make_project(
        production=f"""
            SECRET_KEY = "{c["source_key"]}"
            SECRET_KEY_FALLBACKS = [os.environ["APP_SECRET_KEY"]]
            DATABASES["default"]["PASSWORD"] = "{c["db_password"]}"
            DATABASES["replica"] = {{"ENGINE": "django.db.backends.postgresql", "NAME": "shop",
                                     "HOST": "10.1.2.4", "PASSWORD": os.environ["REPLICA_DB_PASSWORD"]}}
            EMAIL_HOST_PASSWORD = "{c["email_password"]}"
            CACHES = {{"default": {{"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://:{c["redis_password"]}@10.1.2.3:6379/0"}}}}
            STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "{c["stripe_default"]}")
            PAYMENT_API_TOKEN = os.environ["PAYMENT_API_TOKEN"]
        """,
        files={
            "site_conf/settings/dev.py": (
                f'from .base import *  # noqa\nSECRET_KEY = "{c["dev_key"]}"\nDEBUG = True\n'
            ),
            ".env.production": (
                f"PAYMENT_API_TOKEN={c['env_file_token']}\nREPLICA_DB_PASSWORD='{c['env_file_db']}'\n"
            ),
        },
    )
    out = tmp_path / "reports"
    env = dict(GOOD_ENV, APP_SECRET_KEY=c["env_key"])
    result = run_cli(project, out, env, "--env-file", str(project / ".env.production"))

    assert result.returncode in (0, 1), result.stderr.decode()
    assert sorted(p.name for p in out.iterdir()) == sorted(f"report.{fmt}" for fmt in FORMATS)
    # the audit did see the planted secrets (so the test is not vacuous) ...
    report = (out / "report.json").read_text(encoding="utf-8")
    for check_id in ("GL101", "GL102", "GL112", "GL221"):
        assert (
            f'"id": "{check_id}",\n      "section": "critical-settings",\n      "status": "fail"' in report
            or (f'"id": "{check_id}"' in report)
        )
    assert '"status": "fail"' in report
    # ... and wrote none of them anywhere (the history database under .golive/ included)
    assert any((project / ".golive").rglob("*"))
    assert leaks(result, [out, project / ".golive"], canaries) == []


@pytest.mark.parametrize(
    "source",
    ["env-file", "environment"],
)
def test_no_canary_when_the_settings_raise(
    make_project: Callable[..., Path], tmp_path: Path, canaries: dict[str, str], source: str
) -> None:
    c = canaries
    url = f"postgres://shop:{c['env_raise']}@10.1.2.5/shop"
    project = make_project(
        production="""
            from django.core.exceptions import ImproperlyConfigured
            raise ImproperlyConfigured("DATABASE_URL is malformed: " + os.environ["DATABASE_URL"])
        """,
        files={".env.production": f"DATABASE_URL={url}\n"},
    )
    out = tmp_path / "reports"
    if source == "env-file":
        result = run_cli(project, out, dict(GOOD_ENV), "--env-file", str(project / ".env.production"))
    else:
        result = run_cli(project, out, dict(GOOD_ENV, DATABASE_URL=url))

    assert result.returncode in (1, 3), result.stderr.decode()
    assert "settings raised ImproperlyConfigured: DATABASE_URL is malformed" in result.stderr.decode()
    assert leaks(result, [out, project / ".golive"], canaries) == []
