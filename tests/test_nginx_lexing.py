"""Each nginx file lexed once per audit (:mod:`golive.collectors.nginx.lexing`), and the
``nginx -t`` key's file digests remembered (:func:`golive.collectors.nginx.test_cache._state`):
the payloads crossplane gives inside the scope are the ones it gives outside, errors
included; a file changed within the scope is lexed again; a file changed after its digest
was remembered gets a new one.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import crossplane
import pytest

from golive.collectors.nginx import lexing, test_cache
from golive.collectors.nginx.lexing import lexed_once

TEXTS = [
    "server {\n    listen 80;\n    server_name a.example;\n"
    "    location / { proxy_pass http://app:8000; }\n}\n",
    'server {\n    add_header X-Test "a \\" b";\n    # a comment\n    return 200 \'ok\';\n}\n',
    "server {\n    listen 80;\n",  # unbalanced: crossplane's lexer raises at the end
    'server { return 200 "open quote; }\n',
    "events {}\r\nhttp {\r\n    server { listen 81; }\r\n}\r\n",
]


def _parses(text: str, path: Path) -> list[Any]:
    """crossplane's payloads of ``text``: as a string (two file names, the options of each
    golive pass and gixy-ng's) and as the file ``path`` holding it."""
    path.write_text(text, encoding="utf-8", newline="")
    out = []
    for filename in (str(path), "other.conf", None):
        for options in (
            {"strict": True, "check_args": True, "comments": False},
            {"strict": False, "check_args": False, "comments": True},
        ):
            out.append(
                crossplane.parse_string(text, filename=filename, single=True, check_ctx=False, **options)
            )
    out.append(crossplane.parse(str(path), single=True, check_ctx=False, comments=True))
    out.append(crossplane.parse(str(path), check_ctx=False, catch_errors=True))
    return out


@pytest.mark.parametrize("text", TEXTS)
def test_payloads_are_the_same_inside_the_scope(tmp_path: Path, text: str) -> None:
    outside = _parses(text, tmp_path / "a.conf")
    with lexed_once():
        first = _parses(text, tmp_path / "a.conf")
        again = _parses(text, tmp_path / "a.conf")  # from memory
        assert lexing._MEMO
    assert first == outside
    assert again == outside
    assert not lexing._MEMO  # dropped with the last scope


def test_an_error_names_the_file_it_was_lexed_for(tmp_path: Path) -> None:
    text = "server {\n    listen 80;\n"
    with lexed_once():
        crossplane.parse_string(text, filename="first.conf", single=True, check_ctx=False)
        payload = crossplane.parse_string(text, filename="second.conf", single=True, check_ctx=False)
    assert payload["errors"][0]["error"] == 'unexpected end of file, expecting "}" in second.conf:2'


def test_a_file_changed_within_the_scope_is_lexed_again(tmp_path: Path) -> None:
    conf = tmp_path / "a.conf"
    conf.write_text("server { listen 80; }\n", encoding="utf-8")
    with lexed_once():
        before = crossplane.parse(str(conf), single=True, check_ctx=False)
        conf.write_text("server { listen 81; }\n", encoding="utf-8")
        after = crossplane.parse(str(conf), single=True, check_ctx=False)
    assert before["config"][0]["parsed"][0]["block"][0]["args"] == ["80"]
    assert after["config"][0]["parsed"][0]["block"][0]["args"] == ["81"]


def test_nested_scopes_keep_the_memory_until_the_last_ends() -> None:
    with lexed_once():
        with lexed_once():
            crossplane.parse_string("events {}\n", single=True)
        assert lexing._MEMO
    assert not lexing._MEMO


def test_a_file_changed_after_its_digest_was_remembered_gets_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "a.conf"
    conf.write_text("listen 80;\n", encoding="utf-8")
    old = time.time() - 60
    os.utime(conf, (old, old))
    fresh = test_cache._state(conf, tmp_path)
    assert fresh is not None and fresh.startswith("file ")
    assert not [k for k in test_cache._STATES if k[0] == str(conf)]  # just written: not remembered
    monkeypatch.setattr(test_cache, "SETTLED", 0.0)
    assert test_cache._state(conf, tmp_path) == fresh
    assert [k for k in test_cache._STATES if k[0] == str(conf)]  # remembered now
    time.sleep(0.05)  # past the file system's timestamp granularity
    conf.write_text("listen 81;\n", encoding="utf-8")  # same size
    os.utime(conf, (old, old))  # and the same modification time as before
    assert test_cache._state(conf, tmp_path) not in (None, fresh)
