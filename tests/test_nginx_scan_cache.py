"""gixy-ng's scan kept on disk (:mod:`golive.collectors.nginx.scan_cache`): a second audit of
the same files gives the same facts without running gixy-ng; a changed include, a new file
matching an include's glob, or golive's code changed scans again; an ``nginx -T`` dump is
kept only when gixy-ng reads it as one; a scan holding what golive would redact is not kept;
a malformed entry is ignored.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from golive.collectors.nginx import collect_files, inputs, scan_cache
from golive.collectors.nginx.test_cache import AnswerCache
from golive.facts.nginx import GixyResult


class Scans:
    """Counts gixy-ng's scans."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = inputs.scan_input

        def scan_input(*args: Any, **kwargs: Any) -> None:
            self.count += 1
            real(*args, **kwargs)

        monkeypatch.setattr(scan_cache, "scan_input", scan_input)


def site(tmp_path: Path) -> list[tuple[Path, str]]:
    project = tmp_path / "project"
    (project / "conf.d").mkdir(parents=True)
    (project / "conf.d" / "a.conf").write_text("client_max_body_size 10m;\n")
    (project / "nginx.conf").write_text(
        "events {}\nhttp {\n    include conf.d/*.conf;\n    server {\n        listen 8081;\n"
        "        server_name shop.example.com;\n        location / {\n            include proxy_params;\n"
        '            add_header X-Frame-Options "DENY";\n            proxy_pass http://127.0.0.1:8000;\n'
        "        }\n        location /static/ {\n            add_header Cache-Control public;\n"
        "            alias /srv/static/;\n        }\n    }\n}\n"
    )
    (project / "site.conf").write_text(
        "server {\n    listen 80;\n    server_name $host;\n    location /files {\n"
        "        alias /srv/files/;\n    }\n}\n"
    )
    return [(project / "nginx.conf", "given"), (project / "site.conf", "given")]


def facts(inputs_: list[tuple[Path, str]], cache: AnswerCache | None) -> str:
    return repr(collect_files(inputs_, None, inputs_[0][0].parent, None, cache))


def test_a_second_audit_gives_the_same_facts_without_scanning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = site(tmp_path)
    uncached = facts(given, None)
    assert "alias_traversal" in uncached  # gixy-ng reported something: its reports are kept too
    scans = Scans(monkeypatch)
    assert facts(given, AnswerCache(tmp_path / "cache", 3600)) == uncached
    assert scans.count == 2
    assert len(list((tmp_path / "cache").glob("scan-*.json"))) == 2
    assert facts(given, AnswerCache(tmp_path / "cache", 3600)) == uncached
    assert scans.count == 2


def test_a_changed_include_or_a_new_file_scans_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given = site(tmp_path)
    project = given[0][0].parent
    facts(given, AnswerCache(tmp_path / "cache", 3600))
    scans = Scans(monkeypatch)
    (project / "conf.d" / "a.conf").write_text("client_max_body_size 20m;\n")
    changed = facts(given, AnswerCache(tmp_path / "cache", 3600))
    assert scans.count == 1 and "'20m'" in changed  # nginx.conf; site.conf kept
    (project / "conf.d" / "b.conf").write_text("server_tokens on;\n")  # matches conf.d/*.conf
    added = facts(given, AnswerCache(tmp_path / "cache", 3600))
    assert scans.count == 2 and "server_tokens" in added
    assert added == facts(given, None)


def test_changed_code_scans_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given = site(tmp_path)
    facts(given, AnswerCache(tmp_path / "cache", 3600))
    monkeypatch.setattr(scan_cache, "_CODE", ["another golive"])
    scans = Scans(monkeypatch)
    facts(given, AnswerCache(tmp_path / "cache", 3600))
    assert scans.count == 2


def test_a_dump_is_kept_when_gixy_reads_it_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dump = tmp_path / "nginx-T.txt"
    dump.write_text(
        "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
        "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n    include conf.d/*.conf;\n}\n\n"
        "# configuration file /etc/nginx/conf.d/site.conf:\nserver {\n    listen 80;\n"
        "    location /files {\n        alias /srv/files/;\n    }\n}\n"
    )
    uncached = facts([(dump, "given")], None)
    assert "alias_traversal" in uncached and "/etc/nginx/conf.d/site.conf" in uncached
    facts([(dump, "given")], AnswerCache(tmp_path / "cache", 3600))
    scans = Scans(monkeypatch)
    assert facts([(dump, "given")], AnswerCache(tmp_path / "cache", 3600)) == uncached
    assert scans.count == 0
    item = inputs.Input(path=dump, found="given", shown="nginx-T.txt", dump=True)
    item.resolver = inputs.IncludeResolver(tmp_path)
    assert scan_cache._entry(item, []) is not None
    item.resolver.file_includes = 1  # gixy-ng read it as a plain file: its includes came from disk
    assert scan_cache._entry(item, []) is None


def test_a_stock_file_with_an_include_is_not_kept(tmp_path: Path) -> None:
    conf = tmp_path / "php.conf"  # Debian's snippets/fastcgi-php.conf includes fastcgi.conf
    conf.write_text(
        "server {\n    listen 80;\n    location ~ \\.php$ {\n        include snippets/fastcgi-php.conf;\n"
        "        fastcgi_pass unix:/run/php/php-fpm.sock;\n    }\n}\n"
    )
    found = facts([(conf, "given")], AnswerCache(tmp_path / "cache", 3600))
    assert "snippets/fastcgi-php.conf as Debian" in found
    assert not list((tmp_path / "cache").glob("scan-*.json"))


def test_a_scan_with_something_golive_redacts_is_not_kept(tmp_path: Path) -> None:
    basic = base64.b64encode(b"admin:" + b"Hx7vQ2pL" + b"m9TzR4wKe").decode()
    item = inputs.Input(path=tmp_path / "a.conf", found="given", shown="a.conf")
    report: dict[str, Any] = dict(
        plugin="add_header_redefinition",
        severity="LOW",
        summary="s",
        description="d",
        reason="r",
        help_url="",
        location=None,
    )
    item.gixy = [GixyResult(**report, excerpt="add_header X-Test 1;")]
    assert scan_cache._entry(item, []) is not None
    item.gixy = [GixyResult(**{**report, "description": f"Authorization: Basic {basic}"}, excerpt="")]
    assert scan_cache._entry(item, []) is None
    item.gixy, item.notes = [], [f"a warning quoting Authorization: Basic {basic}"]
    assert scan_cache._entry(item, []) is None


def test_nothing_redacted_is_stored(tmp_path: Path) -> None:
    password = "Hx7" + "vQ2pLm9" + "TzR4wKe"
    basic = base64.b64encode(f"admin:{password}".encode()).decode()
    conf = tmp_path / "secret.conf"
    conf.write_text(
        "server {\n    listen 8080;\n    location / {\n"
        f'        proxy_set_header Authorization "Basic {basic}";\n'
        f"        proxy_pass http://admin:{password}@backend.example.com:8000;\n"
        "    }\n}\n"
    )
    facts([(conf, "given")], AnswerCache(tmp_path / "cache", 3600))
    [entry] = (tmp_path / "cache").glob("scan-*.json")
    text = entry.read_text()
    assert "proxy_set_header" in text  # the tree, as the facts hold it: redacted
    assert password not in text and basic not in text


def test_a_malformed_entry_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given = site(tmp_path)
    uncached = facts(given, None)
    facts(given, AnswerCache(tmp_path / "cache", 3600))
    for i, entry in enumerate(sorted((tmp_path / "cache").glob("scan-*.json"))):
        kept = json.loads(entry.read_text())
        kept["root"] = [1, 2] if i == 0 else kept["root"]
        kept["at"] = kept["at"] if i == 0 else 0  # expired
        entry.write_text(json.dumps(kept))
    scans = Scans(monkeypatch)
    assert facts(given, AnswerCache(tmp_path / "cache", 3600)) == uncached
    assert scans.count == 2
