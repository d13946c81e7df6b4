"""golive's disk cache of ``nginx -t`` answers (:mod:`golive.collectors.nginx.test_cache`),
with Debian's real nginx: a second audit of the same files gives the same answers without
running nginx; a changed include or host, or a corrupt entry, makes it run again; nothing
secret is stored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.collectors.nginx.binary import nginx_binary, nginx_test

pytestmark = pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")


def test_nginx_t_answer_hides_the_password_of_an_upstream_it_quotes(tmp_path: Path) -> None:
    """nginx quotes the upstream without its scheme (``invalid port in upstream
    "user:password@host:port"``): golive's answer hides the password."""
    password = "Hx7" + "vQ2pLm9" + "TzR4wKe"
    conf = tmp_path / "site.conf"
    conf.write_text(
        f"server {{\n    listen 8080;\n    location / {{\n"
        f"        proxy_pass http://admin:{password}@backend.example.com:8000;\n    }}\n}}\n"
    )
    result = nginx_test(conf, fragment=True, workdir=tmp_path)
    assert (result.ran, result.ok) == (True, False)
    assert (
        result.output == f'[emerg] invalid port in upstream "admin:***@backend.example.com:8000" in {conf}:4'
    )
