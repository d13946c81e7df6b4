"""The pre-commit hooks of .pre-commit-hooks.yaml, run for real by pre-commit on a temporary repository.

pre-commit builds its own virtualenv and pip-installs golive into it (dependencies from
the package index), once for the module: the hooks are taken from a snapshot of this
work tree committed to a temporary repository, so its environment is reused by every run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOOD_ENV, REPO, build_project

pytestmark = pytest.mark.slow

GIT = [
    "git",
    "-c",
    "user.name=golive tests",
    "-c",
    "user.email=tests@example.com",
    "-c",
    "commit.gpgsign=false",
]
LITERAL_KEY = 'SECRET_KEY = "Zx9#Lq2!vR7$mT4^wK8&pN3*bH6(jD1)fG5-sA0_cE+yU=iO~lM[rQ]tV{nB}xW"\n'


def git(cwd: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This work tree committed to a fresh repository: the tracked files as they are on disk,
    plus new files under golive/ (not yet committed), never virtualenvs or other untracked files.
    """
    dest = tmp_path_factory.mktemp("golive-repo")

    def files(*args: str) -> list[str]:
        out = subprocess.run(
            ["git", "ls-files", "-z", *args], cwd=REPO, check=True, capture_output=True, timeout=60
        ).stdout.decode()
        return [rel for rel in out.split("\0") if rel]

    listed = files("--cached") + files("--others", "--exclude-standard", "--", "golive")
    for rel in listed:
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot")
    return dest


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def project_repo(root: Path, production: str, pyproject: str = "") -> Path:
    project = build_project(root, production, files={"pyproject.toml": pyproject or None})
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "init")
    return project


def try_repo(project: Path, repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GOOD_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(repo), *args, "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def hook_output(output: str, name: str) -> str:
    """The part of pre-commit's output that belongs to the hook whose name starts with ``name``."""
    start = output.index(name)
    following = [output.find("\ngolive (", start + 1)]
    end = min([i for i in following if i != -1], default=len(output))
    return output[start:end]


def test_fast_and_full_hooks_fail_on_what_each_can_see(
    tmp_path: Path, hooks_repo: Path, pre_commit_home: Path
) -> None:
    pyproject = f'[tool.golive]\npython = "{sys.executable}"\n'
    project = project_repo(tmp_path / "bad", LITERAL_KEY + 'ALLOWED_HOSTS = ["*"]\n', pyproject)
    result = try_repo(project, hooks_repo, pre_commit_home, "--hook-stage", "manual")
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    fast = hook_output(out, "golive (settings source and secrets, no runtime)")
    full = hook_output(out, "golive (full audit)")
    assert "Failed" in fast.splitlines()[0] and "Failed" in full.splitlines()[0]
    # the fast hook reads the source only: the literal key, not the runtime ALLOWED_HOSTS check
    assert "GL101" in fast and "GL201" not in fast
    assert "runtime skipped: switched off with --no-runtime" in fast
    # the full hook loads the settings with the project's interpreter ([tool.golive] python)
    assert "GL101" in full and "GL201" in full
    assert not (project / ".golive").exists()  # --no-history


def test_fast_hook_passes_on_a_clean_project(tmp_path: Path, hooks_repo: Path, pre_commit_home: Path) -> None:
    project = project_repo(tmp_path / "good", "")
    result = try_repo(project, hooks_repo, pre_commit_home, "golive")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "golive (settings source and secrets, no runtime)" in result.stdout
    assert "Passed" in result.stdout
