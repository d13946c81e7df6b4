"""nginx judged in its context (issue 12): the settings it serves, what stands in front of it.

The Django side is given as the runtime collector's facts (the settings as Django loaded
them); the nginx side is parsed for real from ``tests/fixtures/nginx/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from golive.checks import registry
from golive.collectors.nginx import NginxFacts, collect_files
from golive.collectors.runtime import RuntimeFacts
from golive.model import Finding, Location, Status
from golive.registry import Facts
from golive.runner import run_check

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "nginx"


def settings(**values: Any) -> RuntimeFacts:
    """Runtime facts holding ``values`` as the settings Django loaded."""
    return RuntimeFacts(
        django_version="5.2",
        python_version="3.11",
        settings_file=None,
        settings=values,
        secrets={},
        checks=(),
    )


def run(check_id: str, nginx: NginxFacts, runtime: RuntimeFacts | None = None) -> list[Finding]:
    spec = registry().get(check_id)
    assert spec is not None, check_id
    items: dict[type, Any] = {NginxFacts: nginx}
    if runtime is not None:
        items[RuntimeFacts] = runtime
    return run_check(spec, Facts(items), {})


def nginx(*names: str, project: Path = FIXTURES) -> NginxFacts:
    return collect_files([(project / n, "given") for n in names], None, project)


# --- USE_X_FORWARDED_HOST and X-Forwarded-Host ---------------------------------------------------

FORWARDED = settings(USE_X_FORWARDED_HOST=True, ALLOWED_HOSTS=["shop.example.com"])


@pytest.mark.covers("GL715", "fail")
def test_gl715_django_trusts_x_forwarded_host_that_nginx_lets_through() -> None:
    [finding] = run("GL715", nginx("GL715/fires.conf"), FORWARDED)
    assert (finding.status, finding.subjects, finding.location) == (
        Status.FAIL,
        ("USE_X_FORWARDED_HOST", "proxy_set_header"),
        Location(path="GL715/fires.conf", line=10),
    )
    assert finding.evidence == (
        "proxy_pass http://127.0.0.1:8000; at GL715/fires.conf:10: no X-Forwarded-Host is set,"
        " so a client's own X-Forwarded-Host reaches Django",
        "USE_X_FORWARDED_HOST = True, ALLOWED_HOSTS = ['shop.example.com']",
    )


@pytest.mark.covers("GL715", "pass")
def test_gl715_quiet_when_nginx_sets_x_forwarded_host_or_django_ignores_it() -> None:
    assert [f.status for f in run("GL715", nginx("GL715/quiet.conf"), FORWARDED)] == [Status.PASS]
    assert [f.status for f in run("GL715", nginx("GL715/fires.conf"), settings())] == [Status.PASS]


def test_gl703_x_forwarded_host_with_use_x_forwarded_host_is_a_consistent_pair() -> None:
    """Without Host, nginx sends Host: 127.0.0.1:8000, but Django reads X-Forwarded-Host."""
    quiet = nginx("GL715/quiet.conf")
    assert [f.status for f in run("GL703", quiet, FORWARDED)] == [Status.PASS]
    # Without USE_X_FORWARDED_HOST Django reads Host: GL703 stands.
    [finding] = run("GL703", quiet, settings())
    assert (finding.status, finding.location) == (Status.FAIL, Location(path="GL715/quiet.conf", line=10))
    # With it, but nginx not setting X-Forwarded-Host: GL703 stands too (and GL715 says why).
    assert [f.status for f in run("GL703", nginx("GL715/fires.conf"), FORWARDED)] == [Status.FAIL]
