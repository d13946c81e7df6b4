"""GL602 (no WSGI/ASGI server among the requirements) judged with what the repository shows of
the deployment: a self-hosted product whose install guide has the deployer install gunicorn, or a
package whose repository holds only development files, declares no server and starts none.
Without a production start command, where the server comes from is outside the repository:
low with that reason, never medium.
"""

from __future__ import annotations

import pytest

from golive.checks import registry
from golive.facts.project import Dependency, ProcessCommand, ProjectFacts
from golive.model import Finding, Location, Severity
from golive.registry import Facts
from golive.runner import run_check

DEPS = (
    Dependency(name="django", specifier="~=5.2", location=Location(path="pyproject.toml")),
    Dependency(name="celery", specifier="~=5.6", location=Location(path="pyproject.toml")),
)


def gl602(*commands: ProcessCommand) -> list[Finding]:
    spec = registry().get("GL602")
    assert spec is not None
    facts = ProjectFacts(commands=commands, dependencies=DEPS, requirement_files=())
    return [f for f in run_check(spec, Facts({ProjectFacts: facts}), {}) if f.failing]


@pytest.mark.covers("GL602", "fail")
def test_gl602_without_any_production_start_command_is_low_with_the_reason() -> None:
    [f] = gl602()
    assert f.severity is Severity.LOW
    assert f.location == Location(path="pyproject.toml")
    assert (
        f.evidence[0]
        == "none of gunicorn, uwsgi, uvicorn, daphne, hypercorn, waitress, granian in pyproject.toml"
    )
    assert "no production start command" in f.evidence[1], f.evidence


def test_gl602_a_production_start_command_without_a_server_stays_medium() -> None:
    worker = ProcessCommand(
        origin="Procfile",
        location=Location(path="Procfile", line=1),
        command="celery -A site_conf worker",
        argv=("celery", "-A", "site_conf", "worker"),
    )
    [f] = gl602(worker)
    assert f.severity is Severity.MEDIUM
    assert f.evidence == (
        "none of gunicorn, uwsgi, uvicorn, daphne, hypercorn, waitress, granian in pyproject.toml",
    )
