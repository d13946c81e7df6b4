"""The host names of an ``nginx -t`` key (:func:`golive.collectors.nginx.test_cache._addresses`):
what a name resolves to now, or the resolver's error; a name the IDNA codec refuses (an empty
or over-long label, as in ``proxy_pass http://a..b:8000``) is the resolver's error too, not
an exception that fails the nginx collector. Names are passed to the resolver as ASCII bytes
(they are ``[A-Za-z0-9_.-]+``), so the IDNA codec is not imported for them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.collectors.nginx import collect_files, test_cache
from golive.collectors.nginx.binary import nginx_binary
from golive.collectors.nginx.test_cache import AnswerCache


def test_a_name_with_an_empty_label_is_a_resolver_error() -> None:
    assert test_cache._addresses("a..b").startswith("error")
    assert test_cache._addresses("x" * 64 + ".example").startswith("error")


def test_localhost_resolves() -> None:
    assert "127.0.0.1" in test_cache._addresses("localhost").split()


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")
def test_the_collector_keeps_a_key_for_such_a_name(tmp_path: Path) -> None:
    conf = tmp_path / "site.conf"
    conf.write_text(
        "server {\n    listen 8080;\n    location / {\n        proxy_pass http://a..b:8000;\n    }\n}\n"
    )
    facts = collect_files([(conf, "given")], None, tmp_path, None, AnswerCache(tmp_path / "cache", 3600))
    [nfile] = facts.files
    assert nfile.nginx_test.ran and not nfile.nginx_test.ok  # nginx cannot resolve it either
