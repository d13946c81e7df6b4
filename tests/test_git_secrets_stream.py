"""The ``git log -p`` stream reader on a real repository: line numbers across hunks, odd
paths, multi-line keys, earliest sighting, and the same answer whatever the block size."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
from pathlib import Path

import pytest

from golive.collectors.git import find_in_head, history, scan_history, since_args

ALNUM = string.ascii_letters + string.digits
TOKEN = "gh" + "p_" + "".join(secrets.choice(ALNUM) for _ in range(36))
PASSWORD = "pw-" + "".join(secrets.choice(ALNUM) for _ in range(16))
BODY = "".join(secrets.choice(ALNUM + "+/") for _ in range(64))
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Ann Dev",
    "GIT_AUTHOR_EMAIL": "ann@example.com",
    "GIT_COMMITTER_NAME": "Ann Dev",
    "GIT_COMMITTER_EMAIL": "ann@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def git(repo: Path, *args: str, date: str = "2024-01-01T00:00:00+00:00") -> None:
    env = {**ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stream")
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    odd = root / "conf" / "my settings é.py"
    odd.parent.mkdir()
    lines = [f"VALUE_{i} = {i}\n" for i in range(1, 21)]
    odd.write_text("".join(lines), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one", date="2024-01-01T00:00:00+00:00")
    lines[2] = "VALUE_3 = 33\n"
    lines[14] = f'GITHUB_TOKEN = "{TOKEN}"\n'
    lines.insert(17, f'DB_PASSWORD = "{PASSWORD}"\n')
    odd.write_text("".join(lines), encoding="utf-8")
    (root / "keys").mkdir()
    (root / "keys" / "deploy_key").write_text(
        "-----BEGIN OPENSSH " + f"PRIVATE KEY-----\n{BODY}\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    (root / "notes.txt").write_text("++ not a header\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "two", date="2024-02-01T00:00:00+00:00")
    (root / "copy.py").write_text(f'OTHER_TOKEN = "{TOKEN}"\n')
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "three", date="2024-03-01T00:00:00+00:00")
    return root


def summary(root: Path) -> list[tuple[str, str, str, int, int]]:
    scan, partial = scan_history(root, since_args(root, None))
    assert partial == []
    assert scan.commits == 3
    return sorted((s.match.rule, s.match.name, s.path, s.line, s.count) for s in scan.found.values())


def test_line_numbers_paths_and_first_sighting(repo: Path) -> None:
    assert summary(repo) == [
        ("assigned-literal", "DB_PASSWORD", "conf/my settings é.py", 18, 1),
        ("github-token", "GITHUB_TOKEN", "conf/my settings é.py", 15, 2),
        ("private-key", "", "keys/deploy_key", 2, 1),
    ]


def test_block_boundaries_do_not_change_the_answer(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = summary(repo)
    for size in (7, 64, 333):
        monkeypatch.setattr(history, "BLOCK", size)
        assert summary(repo) == expected


def test_head_check_rescans_each_hit(repo: Path) -> None:
    scan, _ = scan_history(repo, ["--all"])
    hits, error = find_in_head(repo, scan.found.values())
    assert error == ""
    assert sorted((p, n) for locations in hits.values() for p, n in locations) == [
        ("conf/my settings é.py", 15),
        ("conf/my settings é.py", 18),
        ("copy.py", 1),
        ("keys/deploy_key", 2),
    ]
