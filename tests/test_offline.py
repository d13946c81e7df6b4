"""--offline (issue 14): the dependencies step makes no network call (no PyPI JSON, no
pip-audit run), uses the shipped tables and golive's cache of earlier answers, and the
report says so; without it, the calls made are listed in the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOOD_ENV, build_project

from golive.collectors import dependencies
from golive.collectors.dependencies import pip_audit
from golive.context import AuditOptions, resolve


def test_offline_calls_nothing_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = build_project(tmp_path / "shop")
    for name, value in {**GOOD_ENV, "XDG_CACHE_HOME": str(tmp_path / "cache")}.items():
        monkeypatch.setenv(name, value)

    def no_network(*args: object, **kwargs: object) -> object:
        raise AssertionError("a network call with --offline")

    monkeypatch.setattr(dependencies, "_fetch_latest", no_network)
    monkeypatch.setattr(pip_audit, "run_pip_audit", no_network)
    monkeypatch.setattr(dependencies, "_PYPI_MEMO", {})
    ctx = resolve(AuditOptions(project_dir=project, offline=True, no_history=True))
    facts = dependencies.collect(ctx)
    assert facts.network == () and facts.offline
    assert facts.collector_details == {"network": [], "offline": True}
    assert "--offline" in facts.latest_source and "golive's table of" in facts.latest_source
    assert facts.audit.unavailable == "--offline: no cached pip-audit answer for these packages"


def test_offline_reads_cached_answers_of_any_age(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache" / "golive"
    cache.mkdir(parents=True)
    (cache / "pypi-django.json").write_text(
        json.dumps({"at": 0, "url": dependencies.PYPI_JSON, "latest": {"5.2": "5.2.99"}}), encoding="utf-8"
    )
    project = build_project(tmp_path / "shop")
    for name, value in {**GOOD_ENV, "XDG_CACHE_HOME": str(tmp_path / "cache")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(dependencies, "_PYPI_MEMO", {})
    ctx = resolve(AuditOptions(project_dir=project, offline=True, no_history=True))
    facts = dependencies.collect(ctx)
    assert facts.latest == {"5.2": "5.2.99"}  # decades old, still used: nothing else is allowed
    assert facts.latest_source.endswith("cached answer (--offline)")


def test_the_report_says_offline_and_lists_the_calls_otherwise(tmp_path: Path) -> None:
    project = build_project(tmp_path / "shop")
    env = {**os.environ, **GOOD_ENV, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    subprocess.run(
        [sys.executable, "-m", "golive.cli", "audit", str(project), "--no-history", "--offline", "-q",
         "-o", str(tmp_path / "r.html"), "-o", str(tmp_path / "r.json")],
        env=env, capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    run = next(c for c in data["collectors"] if c["name"] == "dependencies")
    assert run["details"] == {"network": [], "offline": True}
    assert "--offline: no network call" in (tmp_path / "r.html").read_text(encoding="utf-8")
    help_text = subprocess.run(
        [sys.executable, "-m", "golive.cli", "audit", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--offline" in help_text


def test_the_calls_made_are_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = build_project(tmp_path / "shop")
    for name, value in {**GOOD_ENV, "XDG_CACHE_HOME": str(tmp_path / "cache")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(dependencies, "_PYPI_MEMO", {})
    monkeypatch.setattr(dependencies, "_fetch_latest", lambda timeout: {"5.2": "5.2.99"})
    answer = {"json": {"dependencies": [{"name": "django", "version": "5.2", "vulns": []}]}}
    monkeypatch.setattr(pip_audit, "run_pip_audit", lambda *args: answer)
    ctx = resolve(AuditOptions(project_dir=project, no_history=True))
    facts = dependencies.collect(ctx)
    assert facts.network[0] == f"GET {dependencies.PYPI_JSON} (Django's latest releases)"
    assert facts.network[1].startswith("pip-audit queried the pypi vulnerability service (https://pypi.org)")
    again = dependencies.collect(ctx)  # answered from the caches: no call
    assert again.network == ()
