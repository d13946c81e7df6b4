"""The project's process commands are read once per audit (issue 15): the project, gunicorn
and uWSGI collectors each ask :func:`golive.collectors.project.collect`, concurrently; the
audit's first call reads the files, the others get its answer."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import audit_project, build_project

from golive.collectors import project
from golive.context import AuditOptions, resolve


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders :class:`golive.walk.ProjectWalk` was started on by the project collector or
    the audit's layout (which walks for the project collector and its own search)."""
    from golive.collectors import layout

    seen: list[Path] = []
    walk = project.ProjectWalk

    def counting(root: Path, **kwargs: object) -> object:
        seen.append(root)
        return walk(root, **kwargs)

    monkeypatch.setattr(project, "ProjectWalk", counting)
    monkeypatch.setattr(layout, "ProjectWalk", counting)
    return seen


def test_concurrent_calls_of_one_audit_read_the_project_once(tmp_path: Path, walks: list[Path]) -> None:
    root = build_project(tmp_path / "proj", files={"Procfile": "web: gunicorn site_conf.wsgi -w 4\n"})
    ctx = resolve(AuditOptions(project_dir=root, settings="site_conf.settings.production"))
    answers: list[object] = []
    threads = [threading.Thread(target=lambda: answers.append(project.collect(ctx))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(walks) == 1
    assert len(answers) == 3 and all(a is answers[0] for a in answers)
    assert [c.command for c in answers[0].commands] == ["gunicorn site_conf.wsgi -w 4"]  # type: ignore[attr-defined]
    other = resolve(AuditOptions(project_dir=root, settings="site_conf.settings.production"))
    project.collect(other)  # another audit reads again
    assert len(walks) == 2


def test_a_context_without_the_audit_layout_reads_every_time(tmp_path: Path, walks: list[Path]) -> None:
    root = build_project(tmp_path / "proj", files={"Procfile": "web: gunicorn site_conf.wsgi\n"})
    ctx = resolve(AuditOptions(project_dir=root, settings="site_conf.settings.production"))
    from msgspec.structs import replace

    bare = replace(ctx, layout=None)
    project.collect(bare)
    project.collect(bare)
    assert len(walks) == 2


def test_an_audit_reads_the_project_once(tmp_path: Path, walks: list[Path]) -> None:
    root = build_project(
        tmp_path / "proj",
        files={
            "Procfile": "web: gunicorn site_conf.wsgi -c deploy/gunicorn.conf.py\n",
            "deploy/gunicorn.conf.py": "workers = 4\n",
        },
    )
    audit = audit_project(root, no_runtime=True)
    assert {c.name for c in audit.collectors if c.status == "ok"} >= {"project", "gunicorn"}
    assert walks == [root.resolve()]


def test_the_application_server_collectors_reuse_the_audits_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gunicorn's, uWSGI's and the unaudited servers' collectors list the project's files from
    the walk the project collector made, instead of walking the tree again each."""
    import sys as _sys

    from golive.collectors import deployment_files

    callers: list[str] = []
    walk = deployment_files.project_files

    def counting(root: Path, **kwargs: object) -> object:
        callers.append(str(_sys._getframe(2).f_globals.get("__name__")))
        return walk(root, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(deployment_files, "project_files", counting)
    root = build_project(
        tmp_path / "proj",
        files={
            "Procfile": "web: gunicorn site_conf.wsgi -c deploy/gunicorn.conf.py\n",
            "deploy/gunicorn.conf.py": "workers = 4\n",
            "deploy/uwsgi.ini": "[uwsgi]\nmodule = site_conf.wsgi\nhttp = :8000\n",
        },
    )
    audit = audit_project(root, no_runtime=True)
    runs = {c.name: c.status for c in audit.collectors}
    assert runs["gunicorn"] == "ok" and runs["uwsgi"] == "ok", runs
    assert not [c for c in callers if c.startswith("golive.collectors.appservers")], callers
