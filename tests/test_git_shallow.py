"""is_shallow reads the repository's ``shallow`` file where git would, and asks git
otherwise: the same answer as ``git rev-parse --is-shallow-repository`` (issue 15)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from golive.collectors.git import is_shallow

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "-c", "init.defaultBranch=main"]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def asked(root: Path) -> bool:
    return git(root, "rev-parse", "--is-shallow-repository").strip() == "true"


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("shallow")
    full = base / "full"
    full.mkdir()
    git(full, "init", "-q")
    for n in range(3):
        (full / "f.txt").write_text(f"{n}\n", encoding="utf-8")
        git(full, "add", "f.txt")
        git(full, "commit", "-q", "-m", f"c{n}")
    git(base, "clone", "-q", "--depth", "1", f"file://{full}", "shallow")
    git(full, "worktree", "add", "-q", str(base / "tree"))
    git(base / "shallow", "worktree", "add", "-q", str(base / "shallow-tree"))
    return {name: base / name for name in ("full", "shallow", "tree", "shallow-tree")}


@pytest.mark.parametrize("name", ["full", "shallow", "tree", "shallow-tree"])
def test_same_answer_as_git(repos: dict[str, Path], name: str) -> None:
    assert is_shallow(repos[name]) is asked(repos[name]) is name.startswith("shallow")


def test_a_moved_repository_is_asked(repos: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_DIR", str(repos["shallow"] / ".git"))
    assert is_shallow(repos["full"]) is True
