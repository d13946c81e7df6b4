"""One ``git ls-tree -r -t`` gives what ``tracked_files`` and ``tracked_dirs`` give apart
(issue 15: the collector runs one git process for both when it scans the whole tree)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import write_project

from golive.collectors.git.head import tracked_dirs, tracked_files, tracked_files_and_dirs

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "-c", "init.defaultBranch=main"]


def repo(root: Path) -> Path:
    files = {
        "manage.py": "print()\n",
        ".env": "DEBUG=1\n",
        "shop/settings/local_settings.py": "X = 1\n",
        "deploy/keys/server.pem": "-----BEGIN CERTIFICATE-----\n",
        "dumps/db.sqlite3": "SQLite format 3\x00",
        "docs/a b/ümlaut.md": "x\n",
        "empty/deep/nest/file.txt": "x\n",
    }
    write_project(root, files)
    subprocess.run([*GIT, "init", "-q"], cwd=root, check=True)
    subprocess.run([*GIT, "add", "."], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "start"], cwd=root, check=True)
    return root


def test_one_listing_gives_the_files_and_the_folders(tmp_path: Path) -> None:
    root = repo(tmp_path)
    files, error, dirs = tracked_files_and_dirs(root)
    assert (files, error) == tracked_files(root)
    assert dirs == tracked_dirs(root)
    assert {"shop", "shop/settings", "docs/a b", "empty/deep/nest"} <= dirs
    assert {path for path, _, _ in files} >= {".env", "shop/settings/local_settings.py", "dumps/db.sqlite3"}


def test_without_a_head_both_fail_alike(tmp_path: Path) -> None:
    subprocess.run([*GIT, "init", "-q"], cwd=tmp_path, check=True)
    files, error, dirs = tracked_files_and_dirs(tmp_path)
    assert (files, error) == tracked_files(tmp_path)
    assert error and dirs is None is tracked_dirs(tmp_path)
