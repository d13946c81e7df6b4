"""nginx inputs that are not regular files, and includes that never end (issue 9, item 10b).

``--nginx /dev/zero``, a FIFO, and an ``include`` (plain or glob) of either are "not a
regular file", never "no such file", and golive never opens a FIFO (which would wait for a
writer forever) nor reads a device. An include that leads back to a file that includes
it makes nginx recurse until it crashes (nginx 1.22's ``nginx -t`` dies of a segmentation
fault): it is an error naming the chain, while the same snippet included twice (a
diamond, as every site with shared snippets has) stays fine. Through the real CLI, each
run bounded so that a hang fails the test instead of holding the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOOD_ENV, build_project

GOLIVE = (sys.executable, "-m", "golive.cli", "audit", "--no-history", "--no-runtime")
SITE = "server {\n    listen 80;\n    server_name shop.example.com;\n    %s\n}\n"


def nginx_run(tmp_path: Path, *confs: Path) -> tuple[int, str, str]:
    """``golive audit --nginx CONF...``: (exit status, the nginx collector's status, its reason)."""
    project = tmp_path / "proj"
    if not project.exists():
        build_project(project)
    report = tmp_path / "report.json"
    args = [arg for conf in confs for arg in ("--nginx", str(conf))]
    proc = subprocess.run(
        [*GOLIVE, str(project), "--no-git", "--no-host", "-q", "-o", str(report), *args],
        capture_output=True,
        text=True,
        timeout=30,  # a FIFO opened for reading would block until this kills the audit
        env={**os.environ, **GOOD_ENV},
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    run = next(
        c for c in json.loads(report.read_text(encoding="utf-8"))["collectors"] if c["name"] == "nginx"
    )
    return proc.returncode, run["status"], run["reason"]


def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def test_dev_zero_given_with_nginx_is_not_a_regular_file(tmp_path: Path) -> None:
    code, status, reason = nginx_run(tmp_path, Path("/dev/zero"))
    assert (code, status) == (3, "error")
    assert reason.startswith("/dev/zero: not a regular file (a character device)"), reason


def test_a_fifo_given_with_nginx_is_not_a_regular_file(tmp_path: Path) -> None:
    pipe = fifo(tmp_path / "site.conf")
    code, status, reason = nginx_run(tmp_path, pipe)
    assert (code, status) == (3, "error")
    assert reason.startswith(f"{pipe}: not a regular file (a FIFO)"), reason


@pytest.mark.parametrize("target", ["fifo", "device"])
def test_an_include_of_a_fifo_or_device_is_not_a_regular_file(tmp_path: Path, target: str) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    included = str(fifo(conf / "snippets" / "proxy.conf")) if target == "fifo" else "/dev/zero"
    site = conf / "site.conf"
    site.write_text(SITE % f"include {included};", encoding="utf-8")
    code, status, reason = nginx_run(tmp_path, site)
    kind = "a FIFO" if target == "fifo" else "a character device"
    assert (code, status) == (3, "error")
    assert reason.startswith(f"{site}:4: include {included}: not a regular file ({kind})"), reason


def test_a_glob_include_matching_a_fifo_is_reported_without_opening_it(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    (conf / "snippets").mkdir(parents=True)
    (conf / "snippets" / "headers.conf").write_text("add_header X-Frame-Options DENY;\n", encoding="utf-8")
    pipe = fifo(conf / "snippets" / "proxy.conf")
    site = conf / "site.conf"
    site.write_text(SITE % "include snippets/*.conf;", encoding="utf-8")
    code, status, reason = nginx_run(tmp_path, site)
    assert (code, status) == (3, "error")
    assert reason.startswith(f"{site}:4: include snippets/*.conf: not a regular file (a FIFO) {pipe}"), reason


def test_a_file_that_includes_itself_is_an_error(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    site = conf / "site.conf"
    site.write_text(SITE % "include site.conf;", encoding="utf-8")
    code, status, reason = nginx_run(tmp_path, site)
    assert (code, status) == (3, "error")
    assert reason.startswith(f"{site}:4: include site.conf: recursive include (site.conf → site.conf)"), (
        reason
    )


def test_two_files_that_include_each_other_are_an_error(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    site = conf / "site.conf"
    site.write_text(SITE % "include a.conf;", encoding="utf-8")
    (conf / "a.conf").write_text("include b.conf;\n", encoding="utf-8")
    (conf / "b.conf").write_text("add_header X-Frame-Options DENY;\ninclude a.conf;\n", encoding="utf-8")
    code, status, reason = nginx_run(tmp_path, site)
    assert (code, status) == (3, "error")
    assert reason.startswith(
        f"{conf / 'b.conf'}:2: include a.conf: recursive include (a.conf → b.conf → a.conf)"
    )


def test_a_snippet_included_twice_is_not_recursive(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    (conf / "snippets").mkdir(parents=True)
    (conf / "snippets" / "headers.conf").write_text("add_header X-Frame-Options DENY;\n", encoding="utf-8")
    site = conf / "site.conf"
    site.write_text(
        (SITE % "include snippets/headers.conf;")
        + SITE.replace("shop.", "www.") % "include snippets/headers.conf;",
        encoding="utf-8",
    )
    _, status, reason = nginx_run(tmp_path, site)
    assert status == "ok", reason
