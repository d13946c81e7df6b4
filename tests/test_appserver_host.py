"""GL628: a systemd unit serves the application on every interface of the host, with no proxy
in front (issue 12: the corpus's archivebox systemd-example row).

An ArchiveBox-like example unit written for this test: ``ExecStart=/usr/local/bin/shop server
0.0.0.0:8000`` (the project's own command, which starts its web server) and no nginx of the
repository proxying to port 8000.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from test_gunicorn import context, run

from golive.collectors import Skip, nginx, project
from golive.model import Location, Status
from golive.registry import Facts

UNIT = (
    "[Unit]\nDescription=Shop\n\n[Service]\nType=simple\nWorkingDirectory=/home/shop/data/\n"
    "ExecStart=/usr/local/bin/shop server 0.0.0.0:8000\nUser=shop\n\n[Install]\nWantedBy=multi-user.target\n"
)
PROXY = (
    "events {}\nhttp {\n  server {\n    listen 80;\n    server_name shop.example.com;\n"
    "    location / {\n      proxy_pass http://127.0.0.1:8000;\n    }\n  }\n}\n"
)


def facts_of(root: Path, files: dict[str, str]) -> Facts:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    ctx = context(root)
    items: dict[type, object] = {project.ProjectFacts: project.collect(ctx)}
    with contextlib.suppress(Skip):  # no nginx in the repository
        items[nginx.NginxFacts] = nginx.collect(ctx)
    return Facts(items, context=ctx)


@pytest.mark.covers("GL628", "fail")
def test_a_unit_serving_on_every_interface_with_nothing_in_front(tmp_path: Path) -> None:
    [finding] = run("GL628", facts_of(tmp_path, {"etc/shop.service": UNIT}))
    assert (finding.status, finding.location, finding.subjects) == (
        Status.FAIL,
        Location(path="etc/shop.service", line=7),
        ("ExecStart",),
    )
    assert finding.evidence[1] == (
        "0.0.0.0:8000: every interface of the host, and no nginx of the repository proxies to port 8000:"
        " clients reach the application directly"
    )


@pytest.mark.covers("GL628", "pass")
def test_a_unit_behind_nginx_or_on_loopback(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    assert [
        f.status
        for f in run("GL628", facts_of(tmp_path / "a", {"etc/shop.service": UNIT, "etc/nginx.conf": PROXY}))
    ] == [Status.PASS]
    (tmp_path / "b").mkdir()
    local = UNIT.replace("0.0.0.0:8000", "127.0.0.1:8000")
    assert [f.status for f in run("GL628", facts_of(tmp_path / "b", {"etc/shop.service": local}))] == [
        Status.PASS
    ]
