"""own_files.cache_key: the HMAC key the on-disk caches share (nginx -t and gixy-ng's scans,
gunicorn's loader): made once with mode 0600, read back, never a damaged one."""

from __future__ import annotations

import stat
from pathlib import Path

from golive.own_files import cache_key


def test_made_once_private_then_read_back(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "key"
    first = cache_key(path)
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert cache_key(path) == first


def test_a_damaged_key_gives_no_key(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text("abcd\n", encoding="ascii")  # 2 bytes: too short to key anything
    assert cache_key(path) == b""
    path.write_text("not hex\n", encoding="ascii")
    assert cache_key(path) == b""


def test_an_unwritable_folder_gives_no_key(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert cache_key(blocker / "key") == b""  # its folder is a file
