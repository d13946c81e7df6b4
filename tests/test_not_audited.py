"""An input that was not audited is never ✓ (issue 12, part A.3).

A project started by a server whose configuration golive does not read (the issue's case
was ``uwsgi --ini deploy/uwsgi.ini`` before uWSGI files were read; here ``hypercorn --config
deploy/hypercorn.toml``, a TOML file golive does not read) used to get 14 gunicorn checks
"pass" and a ticked "Application server" row, though golive read nothing of the server. Now
the checks that judge gunicorn's settings are skipped ("no gunicorn found"), those that
judge any server's options are skipped when no server's configuration was read, and the
checklist row says "not audited" with the reason in every format. A project whose gunicorn is read keeps its
passes and its tick.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from conftest import audit_project, build_project
from rich.console import Console

from golive.checklist import CHECKLIST, ItemState, checklist
from golive.model import Audit, Finding, Section, Severity, Status
from golive.reports import html, json_report, markdown
from golive.reports.terminal import render_console

GUNICORN_ONLY = ("GL614", "GL615", "GL617", "GL618", "GL619", "GL620", "GL621")
ANY_SERVER = ("GL611", "GL612", "GL613", "GL616", "GL630", "GL632")
DOCKERFILE = (
    "FROM python:3.12-slim\n"
    'CMD ["hypercorn", "--config", "deploy/hypercorn.toml", "site_conf.asgi:application"]\n'
)


@pytest.fixture(scope="module")
def unread_server(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    root = tmp_path_factory.mktemp("unread") / "proj"
    files: dict[str, str | None] = {
        "Procfile": None,
        "Dockerfile": DOCKERFILE,
        "deploy/hypercorn.toml": 'bind = ["0.0.0.0:8000"]\nworkers = 4\n',
        "requirements.txt": "Django>=5.2\nhypercorn\npsycopg[binary]\nredis\n",
    }
    return audit_project(build_project(root, files=files))


def by_id(audit: Audit, check_id: str) -> list[Finding]:
    return [f for f in audit.findings if f.id == check_id]


def test_gunicorn_checks_are_skipped_without_gunicorn(unread_server: Audit) -> None:
    for check_id in GUNICORN_ONLY:
        found = by_id(unread_server, check_id)
        assert [(f.status, f.reason) for f in found] == [
            (Status.SKIPPED, "no gunicorn found: the application server is hypercorn (Dockerfile:2)")
        ], check_id


def test_server_checks_are_skipped_when_no_configuration_was_read(unread_server: Audit) -> None:
    for check_id in ANY_SERVER:
        found = by_id(unread_server, check_id)
        assert [f.status for f in found] == [Status.SKIPPED], check_id
        assert found[0].reason == (
            "no application server's configuration was read: hypercorn (Dockerfile:2):"
            " its configuration file deploy/hypercorn.toml is not read"
        ) or found[0].reason.startswith("nginx:"), check_id


def test_the_application_server_row_is_not_audited_in_every_format(unread_server: Audit) -> None:
    row = next(s for s in checklist(unread_server.findings) if s.item.label == "Application server")
    assert not row.done
    assert row.not_audited is not None and row.not_audited.startswith("no application server's configuration")
    md = markdown.render(unread_server)
    line = next(x for x in md.splitlines() if x.startswith("- [") and "**Application server**" in x)
    assert line.startswith("- [ ]") and "**not audited**: no application server" in line
    page = html.render(unread_server)
    assert "<strong>not audited</strong>: no application server&#39;s configuration was read" in page
    buffer = StringIO()
    render_console(unread_server, Console(file=buffer, width=400, color_system=None))
    assert (
        "not audited  Application server: no application server's configuration was read" in buffer.getvalue()
    )
    data = json.loads(json_report.render(unread_server))
    statuses = {f["id"]: f["status"] for f in data["findings"] if f["id"].startswith("GL61")}
    assert set(statuses.values()) == {"skipped"}


def test_a_read_gunicorn_keeps_its_passes_and_its_tick(hardened_audit: Audit) -> None:
    for check_id in (*GUNICORN_ONLY, "GL612", "GL613"):
        assert [f.status for f in by_id(hardened_audit, check_id)] == [Status.PASS], check_id
    row = next(s for s in checklist(hardened_audit.findings) if s.item.label == "Application server")
    assert row.done and row.not_audited is None


def finding(check_id: str, status: Status, reason: str = "") -> Finding:
    return Finding(
        id=check_id,
        section=Section.APPLICATION_SERVER,
        status=status,
        severity=Severity.MEDIUM,
        title="t",
        reason=reason,
    )


def test_requirements_alone_never_tick_the_application_server() -> None:
    """GL601/GL602 read the process files and requirements, not the server: their passes
    alone are not an audited application server."""
    item = next(i for i in CHECKLIST if i.label == "Application server")
    state = ItemState(
        item=item,
        findings=(
            finding("GL601", Status.PASS),
            finding("GL602", Status.PASS),
            finding(
                "GL612", Status.SKIPPED, "gunicorn: no gunicorn, uvicorn, daphne, hypercorn or uWSGI found"
            ),
        ),
    )
    assert (state.done, state.not_audited) == (
        False,
        "gunicorn: no gunicorn, uvicorn, daphne, hypercorn or uWSGI found",
    )
    audited = ItemState(item=item, findings=(finding("GL601", Status.PASS), finding("GL612", Status.PASS)))
    assert (audited.done, audited.not_audited) == (True, None)
    failing = ItemState(
        item=item, findings=(finding("GL601", Status.FAIL), finding("GL612", Status.SKIPPED, "x"))
    )
    assert (failing.done, failing.not_audited, failing.open_ids) == (False, None, ["GL601"])
