"""GL303 when nginx terminates TLS and hands the scheme to uWSGI itself (issue 12: the
corpus's kiwi false alarm).

A Kiwi-TCMS-like container written for this test: nginx listens with ``ssl`` and passes
requests with ``uwsgi_pass`` and the stock ``uwsgi_params`` (``uwsgi_param HTTPS $https
if_not_empty``, read from golive's copy of Debian's file when the repository has none), so
uWSGI sets ``wsgi.url_scheme`` to https and Django's ``request.is_secure()`` is right without
SECURE_PROXY_SSL_HEADER: SECURE_SSL_REDIRECT cannot loop. Before: GL303 failed (medium).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_gunicorn import context, run

from golive.collectors import nginx
from golive.facts.runtime import RuntimeFacts
from golive.model import Status
from golive.registry import Facts

SITE = (
    "events {}\nhttp {\n"
    "  server {\n    listen 8080;\n    return 301 https://$host:8443$request_uri;\n  }\n"
    "  server {\n    listen 8443 ssl;\n    server_name shop.example.com;\n"
    "    ssl_certificate /Shop/ssl/shop.crt;\n    ssl_certificate_key /Shop/ssl/shop.key;\n"
    "    location / {\n      include /etc/nginx/uwsgi_params;\n"
    "      uwsgi_pass unix:///tmp/shop.sock;\n    }\n"
    "  }\n}\n"
)
REDIRECT = {"SECURE_SSL_REDIRECT": True, "SECURE_PROXY_SSL_HEADER": None}


def facts_of(root: Path, site: str) -> Facts:
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "nginx.conf").write_text(site)
    ctx = context(root)
    runtime = RuntimeFacts(
        django_version="5.2.8",
        python_version="3.12.0",
        settings_file=None,
        settings=REDIRECT,
        secrets={},
        checks=(),
    )
    return Facts({nginx.NginxFacts: nginx.collect(ctx), RuntimeFacts: runtime}, context=ctx)


@pytest.mark.covers("GL303", "pass")
def test_tls_terminated_by_nginx_and_passed_to_uwsgi(tmp_path: Path) -> None:
    [finding] = run("GL303", facts_of(tmp_path, SITE))
    assert finding.status is Status.PASS
    assert finding.evidence[0].startswith("uwsgi_param HTTPS $https if_not_empty")
    assert "etc/nginx.conf:14" in finding.evidence[1]


@pytest.mark.covers("GL303", "fail")
def test_an_http_proxy_or_a_plain_http_server_still_needs_the_header(tmp_path: Path) -> None:
    proxied = SITE.replace("uwsgi_pass unix:///tmp/shop.sock", "proxy_pass http://127.0.0.1:8000")
    (tmp_path / "a").mkdir()
    assert [f.status for f in run("GL303", facts_of(tmp_path / "a", proxied))] == [Status.FAIL]
    plain = SITE.replace("listen 8443 ssl", "listen 8443")
    (tmp_path / "b").mkdir()
    assert [f.status for f in run("GL303", facts_of(tmp_path / "b", plain))] == [Status.FAIL]
