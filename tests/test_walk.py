"""One walker for the project's files (review of 0f891f6, item 9).

The project collector, the deployed-settings search and the readers built on them walk the
repository with :mod:`golive.walk`: symbolic links to folders are not followed (a link to
``/`` walked the auditing machine's filesystem, a link to a folder of the repository read
its files twice and doubled their commands), the usual folders are skipped, and the walk
stops after a number of entries with a note saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_gunicorn import context

from golive.collectors import project
from golive.collectors.layout import Layout
from golive.deployed_settings import named_by_deployment


def planted(tmp_path: Path) -> Path:
    repo = tmp_path / "shop"
    (repo / "deploy").mkdir(parents=True)
    (repo / "shop" / "settings").mkdir(parents=True)
    (repo / "shop" / "__init__.py").write_text("")
    (repo / "shop" / "settings" / "__init__.py").write_text("")
    (repo / "shop" / "settings" / "prod.py").write_text("")
    (repo / "shop" / "settings" / "other.py").write_text("")
    (repo / "deploy" / "Procfile").write_text(
        "web: gunicorn shop.wsgi --env DJANGO_SETTINGS_MODULE=shop.settings.prod\n"
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Procfile").write_text(
        "web: gunicorn other.wsgi --env DJANGO_SETTINGS_MODULE=shop.settings.other\n"
    )
    os.symlink(outside, repo / "linked-out")
    os.symlink(repo / "deploy", repo / "deploy-again")
    return repo


def test_symlinked_folders_are_not_followed(tmp_path: Path) -> None:
    repo = planted(tmp_path)
    commands = [
        (c.location.path if c.location else "", c.command) for c in project.collect(context(repo)).commands
    ]
    assert commands == [
        ("deploy/Procfile", "gunicorn shop.wsgi --env DJANGO_SETTINGS_MODULE=shop.settings.prod")
    ]
    named = named_by_deployment(repo, repo, Layout(repo))
    assert [(n.module, n.path) for n in named] == [("shop.settings.prod", "deploy/Procfile")]


def test_the_walk_stops_after_a_number_of_entries_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import golive.walk

    repo = planted(tmp_path)
    for i in range(30):
        (repo / f"note{i:02}.txt").write_text("x")
    monkeypatch.setattr(golive.walk, "MAX_ENTRIES", 10)
    facts = project.collect(context(repo))
    assert any("stopped after 10 entries" in note for note in facts.unread), facts.unread
