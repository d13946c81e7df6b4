"""Paths resolved once per audit (:mod:`golive.collectors.nginx.paths`): within the scope an
absolute path's resolution and where it is shown are remembered (one state of the symbolic
links per audit); outside it, and for a relative path, they are computed each time; the
memory is dropped with the last scope.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from golive.collectors.nginx import paths
from golive.collectors.nginx.paths import resolved, resolved_once, shown


@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """A project with a symbolic link ``deploy/site.conf`` to ``nginx/a.conf``."""
    project = tmp_path / "project"
    (project / "nginx").mkdir(parents=True)
    (project / "deploy").mkdir()
    (project / "nginx" / "a.conf").write_text("events {}\n")
    (project / "nginx" / "b.conf").write_text("events {}\n")
    (project / "deploy" / "site.conf").symlink_to(project / "nginx" / "a.conf")
    return project, project / "deploy" / "site.conf"


def test_remembered_within_the_scope(linked: tuple[Path, Path]) -> None:
    project, link = linked
    with resolved_once():
        assert resolved(link) == project / "nginx" / "a.conf"
        assert shown(link, project) == "nginx/a.conf"
        link.unlink()
        link.symlink_to(project / "nginx" / "b.conf")
        assert resolved(link) == project / "nginx" / "a.conf"  # the audit's one state of the links
        assert shown(link, project) == "nginx/a.conf"
    assert not paths._RESOLVED and not paths._SHOWN
    assert resolved(link) == project / "nginx" / "b.conf"  # outside a scope: asked each time
    assert shown(link, project) == "nginx/b.conf"


def test_a_relative_path_is_resolved_each_time(
    linked: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, _ = linked
    with resolved_once():
        monkeypatch.chdir(project / "nginx")
        assert resolved(Path("a.conf")) == project / "nginx" / "a.conf"
        monkeypatch.chdir(project / "deploy")
        assert resolved(Path("a.conf")) == project / "deploy" / "a.conf"
        assert shown(Path("site.conf"), project) == "nginx/a.conf"
    assert os.path.isabs(str(resolved(Path("x"))))
