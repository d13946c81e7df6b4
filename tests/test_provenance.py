"""What was audited versus what runs (issue 14): the report says where the environment came
from, and a GO earned on example values (example.com hosts, dummy, change-me) is marked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import GOOD_ENV, build_project

from golive.provenance import placeholders, why_example


def golive(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env={**os.environ, **GOOD_ENV, "COLUMNS": "200"},
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


REAL_HOSTS = """
ALLOWED_HOSTS = ["shop.bookshop-real.eu"]
EMAIL_HOST = "smtp.mailgun.org"
DEFAULT_FROM_EMAIL = "Shop <shop@bookshop-real.eu>"
SERVER_EMAIL = "errors@bookshop-real.eu"
ADMINS = [("Ops", "ops@bookshop-real.eu")]
"""


def test_a_go_on_example_hosts_is_marked_and_the_env_file_is_named(tmp_path: Path) -> None:
    project = build_project(tmp_path / "shop")  # hardened, but shop.example.com everywhere
    env_file = tmp_path / "audit.env"
    env_file.write_text("APP_DB_PASSWORD=change-me-please\nAPP_REDIS_URL=redis://127.0.0.1:6379/0\n")
    proc = golive(
        project, "audit", ".", "--no-history", "--env-file", str(env_file), "-o", "r.json", "-o", "r.html",
        "-o", "r.md",
    )  # fmt: skip
    data = json.loads((project / "r.json").read_text(encoding="utf-8"))
    assert data["verdict"] in ("GO", "GO WITH CONDITIONS"), data["verdict_reason"]
    where = [p["where"] for p in data["inputs"]["placeholders"]]
    assert "ALLOWED_HOSTS" in where and "EMAIL_HOST" in where and "APP_DB_PASSWORD (env file)" in where
    assert "change-me-please" not in (project / "r.json").read_text(encoding="utf-8")  # never the value
    assert data["inputs"]["environment"]["env_file"] == str(env_file)
    page = (project / "r.html").read_text(encoding="utf-8")
    assert f"{data['verdict']} on placeholder values" in page
    assert f"{env_file} (--env-file, 2 variables)" in page and "golive&#39;s own process environment" in page
    assert "on placeholder values" in proc.stdout  # the terminal summary says it too
    md = (project / "r.md").read_text(encoding="utf-8")
    assert f"> **{data['verdict']} on placeholder values: " in md
    assert "| Environment | golive's own process environment + " in md


def test_real_looking_values_give_no_note(tmp_path: Path) -> None:
    project = build_project(tmp_path / "real", REAL_HOSTS)
    golive(project, "audit", ".", "--no-history", "-q", "-o", "r.json", "-o", "r.html")
    data = json.loads((project / "r.json").read_text(encoding="utf-8"))
    assert data["inputs"]["placeholders"] == []
    assert "placeholder values" not in (project / "r.html").read_text(encoding="utf-8")


def test_what_looks_like_an_example() -> None:
    assert why_example("shop.example.com").startswith("shop.example.com is reserved")
    assert why_example("ops@mail.example.org") and why_example("db.test") and why_example("dummy-host")
    assert why_example("Shop <shop@example.net>") and why_example("https://x.example/")
    assert not why_example("example-shop.com") and not why_example("db.internal") and not why_example("*")
    found = placeholders(
        {"DATABASES": {"default": {"HOST": "db.example.com"}}, "ADMINS": [["Ops", "ops@real.eu"]]},
        {"SECRET": "dummy-secret-value", "PORT": "80"},
    )
    assert [(p["where"], p["value"]) for p in found] == [
        ("DATABASES['default']['HOST']", "db.example.com"),
        ("SECRET (env file)", ""),
    ]


def test_placeholders_load_the_secret_rules_only_for_env_file_values() -> None:
    """``golive probe`` has no env file: its audit does not import the secret rules (about
    10 ms after the probes, issue 15), and their answer is the same when it does."""
    code = (
        "import sys; from golive.provenance import placeholders; "
        "print(placeholders({'ALLOWED_HOSTS': ['example.com']}), 'golive.facts.secrets.rules' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False")
    assert "'where': 'ALLOWED_HOSTS'" in out.stdout
