"""GL716: nginx's TLS key generated into the image at build time (issue 12: nginx rows of the
corpus).

A Kiwi-TCMS-like image written for this test: nginx and the app in one image, the Dockerfile
generates a self-signed certificate and its key with ``sscg`` (or ``openssl req``), and the
site's ``ssl_certificate_key`` points at that key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_gunicorn import context, run

from golive.collectors import nginx, project
from golive.model import Location, Status
from golive.registry import Facts

DOCKERFILE = (
    "FROM registry.example.org/ubi9-minimal\n"
    "RUN mkdir -p /Shop/ssl /Shop/static\n"
    "# generate a self-signed certificate\n"
    "RUN /usr/bin/sscg -v -f \\\n"
    "    --ca-file /Shop/static/ca.crt \\\n"
    "    --cert-file /Shop/ssl/localhost.crt \\\n"
    "    --cert-key-file /Shop/ssl/localhost.key\n"
    "COPY ./etc/nginx.conf /etc/nginx/nginx.conf\n"
    'CMD ["/httpd-foreground"]\n'
)
NGINX = (
    "events {}\nhttp {\n  server {\n    listen 8443 ssl;\n    server_name shop.example.com;\n"
    "    ssl_certificate     /Shop/ssl/localhost.crt;\n    ssl_certificate_key /Shop/ssl/localhost.key;\n"
    "    location / { uwsgi_pass unix:///tmp/shop.sock; }\n  }\n}\n"
)


def facts_of(root: Path, dockerfile: str, nginx_conf: str = NGINX) -> Facts:
    (root / "etc").mkdir(parents=True)
    (root / "Dockerfile").write_text(dockerfile)
    (root / "etc" / "nginx.conf").write_text(nginx_conf)
    ctx = context(root)
    return Facts(
        {project.ProjectFacts: project.collect(ctx), nginx.NginxFacts: nginx.collect(ctx)}, context=ctx
    )


@pytest.mark.covers("GL716", "fail")
def test_a_key_generated_at_build_time_is_shared_by_every_container(tmp_path: Path) -> None:
    [finding] = run("GL716", facts_of(tmp_path, DOCKERFILE))
    assert (finding.status, finding.location, finding.subjects) == (
        Status.FAIL,
        Location(path="etc/nginx.conf", line=7),
        ("ssl_certificate_key",),
    )
    assert finding.evidence[1] == (
        "Dockerfile:4: sscg writes this private key when the image is built: every container and"
        " everyone who pulls the image share it (self-signed)"
    )


@pytest.mark.covers("GL716", "fail")
def test_openssl_req_keyout(tmp_path: Path) -> None:
    dockerfile = (
        "FROM nginx:1.27\nRUN openssl req -x509 -nodes -days 365 -newkey rsa:2048 "
        "-keyout /Shop/ssl/localhost.key -out /Shop/ssl/localhost.crt -subj /CN=localhost\n"
    )
    assert [f.status for f in run("GL716", facts_of(tmp_path, dockerfile))] == [Status.FAIL]


@pytest.mark.covers("GL716", "pass")
def test_a_key_mounted_at_run_time(tmp_path: Path) -> None:
    dockerfile = "FROM nginx:1.27\nCOPY ./etc/nginx.conf /etc/nginx/nginx.conf\n"
    assert [f.status for f in run("GL716", facts_of(tmp_path, dockerfile))] == [Status.PASS]
