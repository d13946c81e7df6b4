"""GL717: files the application hands out with X-Accel-Redirect are also served to anyone
(issue 12: the corpus's umap media row).

A uMap-like nginx written for this test: Django answers a permission-checked download with
``X-Accel-Redirect: /internal/...``, which nginx serves from an ``internal`` location aliased
to the upload folder; another location serves that same folder at ``/uploads/`` to anyone,
so a private file's path is enough to read it without the permission check.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_gunicorn import context, run

from golive.collectors import nginx
from golive.model import Location, Status
from golive.registry import Facts

SITE = (
    "events {}\nhttp {\n  server {\n    listen 80;\n    server_name maps.example.com;\n"
    "    location /static/ {\n      alias /srv/static/;\n    }\n"
    "    location /uploads/ {\n      alias /data/;\n      expires 30d;\n    }\n"
    "    location /internal/ {\n      internal;\n      alias /data/;\n    }\n"
    "    location / {\n      proxy_pass http://127.0.0.1:8000;\n    }\n  }\n}\n"
)


def facts_of(root: Path, site: str) -> Facts:
    (root / "deploy").mkdir(parents=True)
    (root / "deploy" / "nginx.conf").write_text(site)
    ctx = context(root)
    return Facts({nginx.NginxFacts: nginx.collect(ctx)}, context=ctx)


@pytest.mark.covers("GL717", "fail")
def test_the_protected_folder_is_also_served_publicly(tmp_path: Path) -> None:
    [finding] = run("GL717", facts_of(tmp_path, SITE))
    assert (finding.status, finding.location, finding.subjects) == (
        Status.FAIL,
        Location(path="deploy/nginx.conf", line=10),
        ("alias", "internal"),
    )
    assert finding.evidence == (
        "location /uploads/ serves /data: alias /data/; at deploy/nginx.conf:10",
        "location /internal/ serves the same files only to X-Accel-Redirect"
        " (internal; at deploy/nginx.conf:14)",
    )


@pytest.mark.covers("GL717", "pass")
def test_only_the_internal_location_serves_the_folder(tmp_path: Path) -> None:
    public_part = SITE.replace(
        "location /uploads/ {\n      alias /data/;", "location /uploads/ {\n      alias /data/pictures/;"
    )
    assert [f.status for f in run("GL717", facts_of(tmp_path, public_part))] == [Status.PASS]
