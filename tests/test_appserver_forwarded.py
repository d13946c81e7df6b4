"""GL627: the forwarded headers of an nginx in another container are thrown away (issue 12:
app-server rows of the corpus).

A uMap-like layout written for this test: the image's ``docker/entrypoint.sh`` ends in
``exec uvicorn --proxy-headers --host 0.0.0.0 ...`` (uvicorn then trusts X-Forwarded-* from
127.0.0.1 only), and a compose ``proxy`` service runs nginx with ``proxy_pass http://app:8000``,
another container. Django does not set SECURE_PROXY_SSL_HEADER.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_gunicorn import context, run

from golive.collectors import nginx
from golive.collectors.appservers import gunicorn
from golive.facts.runtime import RuntimeFacts
from golive.model import Status
from golive.registry import Facts

LAYOUT = {
    "Dockerfile": (
        "FROM python:3.12\nWORKDIR /srv/shop\nCOPY . /srv/shop\n"
        'ENTRYPOINT ["/srv/shop/docker/entrypoint.sh"]\n'
    ),
    "docker/entrypoint.sh": (
        "#!/usr/bin/env bash\nset -eo pipefail\nshop migrate\n"
        "exec uvicorn --proxy-headers --no-access-log --host 0.0.0.0 shop.asgi:application\n"
    ),
    "docker-compose.yml": (
        "services:\n  app:\n    build: .\n  proxy:\n    image: nginx:1.27\n"
        "    volumes:\n      - ./docker/nginx.conf:/etc/nginx/nginx.conf:ro\n"
        '    ports:\n      - "80:80"\n'
    ),
    "docker/nginx.conf": (
        "events {}\nhttp {\n  server {\n    listen 80;\n    server_name shop.example.com;\n"
        "    location / {\n      proxy_pass http://app:8000;\n"
        "      proxy_set_header X-Forwarded-Proto $scheme;\n    }\n  }\n}\n"
    ),
}


def facts_of(root: Path, settings: dict[str, Any], **changes: str) -> Facts:
    for rel, text in {**LAYOUT, **changes}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    ctx = context(root)
    runtime = RuntimeFacts(
        django_version="5.2.8",
        python_version="3.12.0",
        settings_file=None,
        settings=settings,
        secrets={},
        checks=(),
    )
    items: dict[type, object] = {
        gunicorn.GunicornFacts: gunicorn.collect(ctx),
        nginx.NginxFacts: nginx.collect(ctx),
        RuntimeFacts: runtime,
    }
    return Facts(items, context=ctx)


@pytest.mark.covers("GL627", "fail")
def test_uvicorn_behind_an_nginx_container_drops_its_headers(tmp_path: Path) -> None:
    [finding] = run("GL627", facts_of(tmp_path, {}))
    assert finding.status is Status.FAIL
    assert finding.subjects == ("forwarded-allow-ips", "SECURE_PROXY_SSL_HEADER")
    assert finding.location is not None and finding.location.path == "docker/entrypoint.sh"
    assert finding.evidence[0].startswith("uvicorn trusts X-Forwarded-* only from 127.0.0.1: ")
    assert (
        finding.evidence[1]
        == "nginx connects from another host or container: proxy_pass http://app:8000; at docker/nginx.conf:7"
    )


@pytest.mark.covers("GL627", "pass")
def test_trusted_proxy_network_django_header_or_local_nginx(tmp_path: Path) -> None:
    header = {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]}
    (tmp_path / "a").mkdir()
    assert [f.status for f in run("GL627", facts_of(tmp_path / "a", header))] == [Status.PASS]
    trusted = LAYOUT["docker/entrypoint.sh"].replace(
        "--proxy-headers", "--proxy-headers --forwarded-allow-ips 172.18.0.0/16"
    )
    (tmp_path / "b").mkdir()
    assert [
        f.status for f in run("GL627", facts_of(tmp_path / "b", {}, **{"docker/entrypoint.sh": trusted}))
    ] == [Status.PASS]
    local = LAYOUT["docker/nginx.conf"].replace("http://app:8000", "http://127.0.0.1:8000")
    (tmp_path / "c").mkdir()
    assert [f.status for f in run("GL627", facts_of(tmp_path / "c", {}, **{"docker/nginx.conf": local}))] == [
        Status.PASS
    ]
