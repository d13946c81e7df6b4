"""The canary matrix: secrets planted in every input golive reads never come out of it.

Inputs (one project holds them all, planted at test time, distinct random canaries):

* the settings source: a SECRET_KEY literal, a database password, EMAIL_HOST_PASSWORD,
  credentials inside a cache URL, a literal default of ``os.environ.get``, a secret-named
  dict (``SECRETS = {...}``) whose values are copied into other settings;
* the process environment and an ``--env-file``;
* command lines in each file type: Procfile (``--env K=V``, a broker URL's userinfo),
  Dockerfile ``CMD`` (``-e K=V``), compose ``command:``, systemd ``ExecStart``
  (``--password``, ``Environment=``);
* gunicorn's ``raw_env`` in its config file;
* nginx ``proxy_set_header Authorization "Basic ..."``;
* values golive fills in from an environment: an nginx ``*.template`` rendered with its Compose
  service's ``env_file:``, a Procfile's ``--env DB=$DATABASE_PASSWORD`` and uWSGI's
  ``env = CACHE=$(CACHE_PASSWORD)`` taking the ``--env-file``'s values;
* ``SECRET_KEY_FALLBACKS=...`` in a systemd ``Environment=``;
* settings error text: settings that raise with a URL password's fragment
  (``urlparse(DATABASE_URL).port``) and with a whole environment value (a second project,
  since settings that raise hide the rest of the runtime layer).

Outputs, each checked for every canary (whole, and a 12-character slice of its random
part that catches truncation): the terminal with ``-v`` (stdout and stderr), every ``-o``
format (json md html sarif xml), ``--format github``, the history database and every
file under ``.golive/``, and ``golive report`` re-renders of the stored audit into every
format and the terminal. The real CLI runs in a subprocess. DESIGN.md, "Conventions":
secrets never leave the collector that reads them (issue 9, items 1-3).
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

#: Input kind → the canaries planted in it (test_every_input_kind_is_planted keeps this honest).
INPUTS = {
    "settings source": ("source_key", "dev_key", "db_password", "email_password", "redis_password"),
    "literal default": ("stripe_default",),
    "secret-named dict": ("dict_token",),
    "environment": ("env_key",),
    "env file": ("env_file_token", "env_file_db"),
    "Procfile --env": ("procfile_env",),
    "Procfile URL userinfo": ("procfile_broker",),
    "Dockerfile CMD -e": ("docker_env",),
    "compose command": ("compose_url",),
    "systemd ExecStart": ("unit_password",),
    "systemd Environment=": ("unit_env",),
    "gunicorn raw_env": ("raw_env",),
    "nginx Authorization": ("nginx_basic",),
    "nginx template from env_file": ("template_key",),
    "command line $VAR": ("expanded_password",),
    "uWSGI $(VAR)": ("uwsgi_expanded",),
    "SECRET_KEY_FALLBACKS assignment": ("fallback_key",),
}
RAISING = ("env_raise", "url_part_a", "url_part_b")


def canary(label: str) -> str:
    """A random-looking secret, distinct per run (letters, digits and a few symbols)."""
    return f"{label}-{secrets.token_urlsafe(24)}"


def fragment() -> str:
    """A random fragment of a URL password: letters only, so no parser takes it for a number."""
    return "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(12))


def needles(values: dict[str, str]) -> dict[str, list[bytes]]:
    """Each canary whole, plus the first 8 characters and a 12-character slice of its random
    part (catch truncation)."""
    out = {}
    for name, value in values.items():
        random_part = value.split("-", 1)[1] if "-" in value else value
        out[name] = (
            [value.encode(), random_part[6:18].encode()] if len(random_part) > 18 else [value.encode()]
        )
    return out


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GOLIVE_")}
    full_env.update(env)
    full_env["COLUMNS"] = "200"
    return subprocess.run([str(GOLIVE), *args], capture_output=True, env=full_env, timeout=240, check=False)


def outputs(folder: Path) -> list[str]:
    return [arg for fmt in FORMATS for arg in ("-o", str(folder / f"report.{fmt}"))]


def leaks(blobs: dict[str, bytes], places: list[Path], values: dict[str, str]) -> list[str]:
    """``name in place`` for every canary found in ``blobs`` or in any file of ``places``."""
    found_in = dict(blobs)
    for place in places:
        files = [place] if place.is_file() else sorted(p for p in place.rglob("*") if p.is_file())
        for path in files:
            found_in[str(path)] = path.read_bytes()
    found = []
    for name, pins in needles(values).items():
        for where, blob in found_in.items():
            if any(pin in blob for pin in pins):
                found.append(f"{name} in {where}")
    return found


def every_output(
    project: Path, tmp: Path, env: dict[str, str], *extra: str
) -> tuple[dict[str, bytes], list[Path], dict[str, bytes]]:
    """Run every output family once: (terminal and github streams, report folders, JSON texts)."""
    audit_out, rerender = tmp / "audit", tmp / "rerender"
    audit_out.mkdir()
    rerender.mkdir()
    audit = run(["audit", str(project), "-v", "--python", sys.executable, *extra, *outputs(audit_out)], env)
    assert audit.returncode in (0, 1, 3), audit.stderr.decode()
    github = run(
        ["audit", str(project), "--python", sys.executable, "--no-history", "--format", "github", *extra], env
    )
    assert github.returncode in (0, 1, 3), github.stderr.decode()
    report = run(["report", "latest", "--project", str(project), *outputs(rerender)], env)
    assert report.returncode == 0, report.stderr.decode()
    terminal = run(["report", "latest", "--project", str(project), "-v"], env)
    assert terminal.returncode == 0, terminal.stderr.decode()
    github_again = run(["report", "latest", "--project", str(project), "--format", "github"], env)
    assert github_again.returncode == 0, github_again.stderr.decode()
    streams = {
        "audit -v stdout": audit.stdout,
        "audit -v stderr": audit.stderr,
        "audit --format github stdout": github.stdout,
        "audit --format github stderr": github.stderr,
        "report -v stdout": terminal.stdout,
        "report --format github stdout": github_again.stdout,
        "report stderr": report.stderr + terminal.stderr + github_again.stderr,
    }
    for folder in (audit_out, rerender):
        assert sorted(p.name for p in folder.iterdir()) == sorted(f"report.{fmt}" for fmt in FORMATS)
    assert (project / ".golive" / "history.sqlite").is_file()
    return (
        streams,
        [audit_out, rerender, project / ".golive"],
        {"json": (audit_out / "report.json").read_bytes()},
    )


@pytest.fixture
def canaries() -> dict[str, str]:
    names = [name for planted in INPUTS.values() for name in planted]
    values = {name: canary(name.replace("_", "")) for name in names}
    values["env_raise"] = canary("envraise")
    values["url_part_a"], values["url_part_b"] = fragment(), fragment()
    return values


def planted_project(make_project: Callable[..., Path], c: dict[str, str]) -> Path:
    return make_project(
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
            SECRETS = {{"cache": "redis://127.0.0.1:6379/1", "stripe": "{c["dict_token"]}"}}
            PAYMENTS = {{"live": SECRETS["stripe"]}}
        """,
        files={
            "site_conf/settings/dev.py": (
                f'from .base import *  # noqa\nSECRET_KEY = "{c["dev_key"]}"\nDEBUG = True\n'
            ),
            ".env.production": (
                f"PAYMENT_API_TOKEN={c['env_file_token']}\nREPLICA_DB_PASSWORD='{c['env_file_db']}'\n"
                f"DATABASE_PASSWORD={c['expanded_password']}\nCACHE_PASSWORD={c['uwsgi_expanded']}\n"
            ),
            "Procfile": (
                f"web: gunicorn --env STRIPE_SECRET_KEY={c['procfile_env']}"
                " site_conf.wsgi --bind 127.0.0.1:8000\n"
                f"worker: celery --broker amqp://shop:{c['procfile_broker']}@rabbit:5672// -A shop worker\n"
                "api: gunicorn site_conf.wsgi --env DB=$DATABASE_PASSWORD --bind 127.0.0.1:8001\n"
                "queue: uwsgi --ini deploy/uwsgi.ini\n"
            ),
            "deploy/uwsgi.ini": "[uwsgi]\nmodule = site_conf.wsgi\nenv = CACHE=$(CACHE_PASSWORD)\n",
            "Dockerfile": (
                "FROM python:3.12\n"
                f'CMD ["gunicorn", "-e", "API_TOKEN={c["docker_env"]}",'
                ' "site_conf.wsgi", "-b", "127.0.0.1:8000"]\n'
            ),
            "docker-compose.yml": (
                "services:\n  worker:\n"
                f"    command: celery --broker redis://:{c['compose_url']}@cache:6379/0 -A shop worker\n"
                "  web:\n    command: gunicorn -c gunicorn.conf.py site_conf.wsgi\n"
                "  nginx:\n    image: nginx:1.27-alpine\n    env_file: deploy/nginx.env\n"
                "    volumes:\n      - ./deploy/templates:/etc/nginx/templates:ro\n"
            ),
            "deploy/nginx.env": f"API_KEY={c['template_key']}\n",
            "deploy/templates/api.conf.template": (
                "server {\n    listen 80;\n    server_name api.example.com;\n"
                '    add_header X-Frame-Options "${API_KEY}";\n'
                "    location / {\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n"
            ),
            "deploy/shop-worker.service": (
                "[Service]\n"
                f'Environment="DB_PASSWORD={c["unit_env"]}"\n'
                f'Environment="SECRET_KEY_FALLBACKS={c["fallback_key"]}"\n'
                f"ExecStart=/usr/bin/celery --password {c['unit_password']} -A shop worker\n"
            ),
            "gunicorn.conf.py": f'bind = "127.0.0.1:8000"\nraw_env = ["DJANGO_API_TOKEN={c["raw_env"]}"]\n',
            "deploy/nginx/shop.conf": (
                "server {\n    listen 80;\n    server_name shop.example.com;\n"
                "    location / {\n"
                f'        proxy_set_header Authorization "Basic {c["nginx_basic"]}";\n'
                "        proxy_pass http://127.0.0.1:8000;\n    }\n}\n"
            ),
        },
    )


def test_every_input_kind_is_planted(canaries: dict[str, str]) -> None:
    planted = {name for names in INPUTS.values() for name in names} | set(RAISING)
    assert planted == set(canaries)


def test_no_canary_leaves_golive(
    make_project: Callable[..., Path], tmp_path: Path, canaries: dict[str, str]
) -> None:
    c = canaries
    project = planted_project(make_project, c)
    env = dict(GOOD_ENV, APP_SECRET_KEY=c["env_key"])
    streams, places, texts = every_output(
        project, tmp_path, env, "--env-file", str(project / ".env.production")
    )

    # the audit did see the planted inputs (so the test is not vacuous) ...
    report = texts["json"].decode()
    for check_id in ('"GL101"', '"GL102"', '"GL112"', '"GL221"', '"GL530"'):
        assert check_id in report
    assert any(b"::error" in s or b"::warning" in s for s in streams.values())
    # ... and wrote none of them anywhere
    planted = {k: v for k, v in c.items() if k not in RAISING}
    assert leaks(streams, places, planted) == []
    assert "gunicorn --env STRIPE_SECRET_KEY=*** site_conf.wsgi" in report  # GL530 quotes it, redacted


@pytest.mark.parametrize("source", ["env-file", "environment"])
def test_no_canary_when_the_settings_raise(
    make_project: Callable[..., Path], tmp_path: Path, canaries: dict[str, str], source: str
) -> None:
    c = canaries
    url = f"postgres://shop:{c['env_raise']}@10.1.2.5/shop"
    part_url = f"postgres://app:{c['url_part_a']}/{c['url_part_b']}@db:5432/app"
    project = make_project(
        production="""
            from urllib.parse import urlparse
            from django.core.exceptions import ImproperlyConfigured
            if os.environ.get("RAISE_WHOLE"):
                raise ImproperlyConfigured("DATABASE_URL is malformed: " + os.environ["DATABASE_URL"])
            DB_PORT = urlparse(os.environ["REPLICA_URL"]).port
        """,
        files={".env.production": f"DATABASE_URL={url}\nREPLICA_URL={part_url}\n"},
    )
    values = {k: c[k] for k in RAISING}
    for whole in ("1", ""):
        out = tmp_path / f"whole{whole}"
        out.mkdir()
        env = dict(GOOD_ENV, RAISE_WHOLE=whole)
        if source == "env-file":
            streams, places, _ = every_output(
                project, out, env, "--env-file", str(project / ".env.production")
            )
        else:
            streams, places, _ = every_output(project, out, dict(env, DATABASE_URL=url, REPLICA_URL=part_url))
        stderr = streams["audit -v stderr"].decode()
        expected = (
            "settings raised ImproperlyConfigured: DATABASE_URL is malformed"
            if whole
            else "settings raised ValueError: Port could not be cast to integer value as '***'"
        )
        assert leaks(streams, places, values) == []
        assert expected in stderr, stderr
