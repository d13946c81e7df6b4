"""golive's disk cache of ``nginx -t`` answers (:mod:`golive.collectors.nginx.test_cache`),
with Debian's real nginx: a second audit of the same files gives the same answers without
running nginx; a changed include or host, or a corrupt entry, makes it run again; nothing
secret is stored.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from golive.collectors.nginx import binary as nginx_binary_module
from golive.collectors.nginx import collect_files
from golive.collectors.nginx.binary import nginx_binary, nginx_test
from golive.collectors.nginx.test_cache import AnswerCache, cache_for

pytestmark = pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")

SCRATCH = re.compile(r"/tmp/golive-nginx-[A-Za-z0-9_]+")


class Runs:
    """Counts the ``nginx -t`` processes started."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = subprocess.run

        def run(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
            if "-t" in cmd:
                self.count += 1
            return real(cmd, *args, **kwargs)

        monkeypatch.setattr(nginx_binary_module.subprocess, "run", run)


def site(tmp_path: Path) -> list[tuple[Path, str]]:
    """Four inputs: two fragments tested together... which nginx refuses (two default
    servers), a main file with an include of its folder, a fragment with a stock include
    (tested alone) and one whose relative certificate is missing in the scratch prefix."""
    project = tmp_path / "project"
    (project / "snippets").mkdir(parents=True)
    (project / "a.conf").write_text("server {\n    listen 8080 default_server;\n    server_name a;\n}\n")
    (project / "b.conf").write_text("server {\n    listen 8080 default_server;\n    server_name b;\n}\n")
    (project / "snippets" / "extra.conf").write_text("client_max_body_size 10m;\n")
    (project / "nginx.conf").write_text(
        "events {}\nhttp {\n    include snippets/extra.conf;\n    server {\n        listen 8081;\n    }\n}\n"
    )
    (project / "stock.conf").write_text(
        "server {\n    listen 8082;\n    location / {\n        include proxy_params;\n"
        "        proxy_pass http://127.0.0.1:8000;\n    }\n}\n"
    )
    (project / "tls.conf").write_text(
        "server {\n    listen 8443 ssl;\n    ssl_certificate cert.pem;\n    ssl_certificate_key key.pem;\n}\n"
    )
    names = ["a.conf", "b.conf", "nginx.conf", "stock.conf", "tls.conf"]
    return [(project / n, "given") for n in names]


def answers(inputs: list[tuple[Path, str]], cache: AnswerCache | None) -> list[tuple[bool, bool, str]]:
    facts = collect_files(inputs, None, inputs[0][0].parent, None, cache)
    return [
        (f.nginx_test.ran, f.nginx_test.ok, SCRATCH.sub("SCRATCH", f.nginx_test.output)) for f in facts.files
    ]


def test_a_second_audit_gives_the_same_answers_without_running_nginx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = site(tmp_path)
    runs = Runs(monkeypatch)
    uncached = answers(inputs, None)
    assert [a[:2] for a in uncached] == [(True, True)] * 4 + [(True, False)]
    assert 'cannot load certificate "SCRATCH/cert.pem"' in uncached[4][2]
    without = runs.count

    first = AnswerCache(tmp_path / "cache", 3600)
    assert answers(inputs, first) == uncached
    # and the three fragments' answers alone, kept together under the key of their test together
    assert runs.count == 2 * without and first.hits == 0 and first.stored == without + 1
    second = AnswerCache(tmp_path / "cache", 3600)
    assert answers(inputs, second) == uncached  # the scratch prefix of this run is put back
    assert runs.count == 2 * without and second.hits == without - 2  # 3 fragments alone: 1 entry


def test_a_changed_fragment_runs_nginx_on_it_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = site(tmp_path)
    project = inputs[0][0].parent
    answers(inputs, AnswerCache(tmp_path / "cache", 3600))
    (project / "b.conf").write_text("server {\n    listen 8081;\n    client_max_body_size 10zz;\n}\n")
    runs = Runs(monkeypatch)
    found = answers(inputs, AnswerCache(tmp_path / "cache", 3600))
    assert runs.count == 2  # the fragments together, then b.conf alone; a.conf and tls.conf kept
    assert found[1] == (
        True,
        False,
        f'[emerg] "client_max_body_size" directive invalid value in {project}/b.conf:3',
    )
    assert found == answers(inputs, None)


def test_a_changed_include_runs_nginx_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = site(tmp_path)
    project = inputs[0][0].parent
    answers(inputs, AnswerCache(tmp_path / "cache", 3600))
    (project / "snippets" / "extra.conf").write_text("client_max_body_size 10zz;\n")
    runs = Runs(monkeypatch)
    cache = AnswerCache(tmp_path / "cache", 3600)
    found = answers(inputs, cache)
    assert runs.count == 1  # nginx.conf, which includes it; the others (and the together test) kept
    assert cache.hits == 3  # the fragments together, their answers alone, stock.conf
    assert found[2] == (
        True,
        False,
        f'[emerg] "client_max_body_size" directive invalid value in {project}/snippets/extra.conf:1',
    )


def test_a_host_that_resolves_differently_runs_nginx_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "up.conf"
    conf.write_text(
        "server {\n    listen 8080;\n    location / {\n        proxy_pass http://localhost:8000;\n    }\n}\n"
    )
    answers([(conf, "given")], AnswerCache(tmp_path / "cache", 3600))
    from golive.collectors.nginx import test_cache

    monkeypatch.setattr(test_cache, "_addresses", lambda host: "192.0.2.1")
    cache = AnswerCache(tmp_path / "cache", 3600)
    answers([(conf, "given")], cache)
    assert (cache.hits, cache.stored) == (0, 1)


def test_a_corrupt_or_expired_entry_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = site(tmp_path)
    expected = answers(inputs, AnswerCache(tmp_path / "cache", 3600))
    entries = sorted(p for p in (tmp_path / "cache").glob("*.json") if not p.name.startswith("scan-"))
    for i, entry in enumerate(entries):
        if i % 3 == 0:
            entry.write_text("{not json")
        elif i % 3 == 1:
            entry.write_text(json.dumps({"at": "soon", "returncode": 0, "output": ""}))
        else:
            entry.write_bytes(b"\xff\xfe")
    runs = Runs(monkeypatch)
    cache = AnswerCache(tmp_path / "cache", 3600)
    assert answers(inputs, cache) == expected
    assert cache.hits == 0 and runs.count == len(entries) - 1  # one entry: the fragments' answers alone
    expired = AnswerCache(tmp_path / "cache", 1e-9)
    assert answers(inputs, expired) == expected
    assert expired.hits == 0


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


def test_nginx_t_answer_hides_the_token_of_an_upstream_it_quotes(tmp_path: Path) -> None:
    """A token-only userinfo (``http://TOKEN@host``) makes nginx look the host up as
    ``TOKEN@host`` (``host not found in upstream "TOKEN@host"``): golive's answer hides it."""
    token = "tok" + "Hx7vQ2pLm9" + "TzR4wKe"
    conf = tmp_path / "site.conf"
    conf.write_text(
        f"server {{\n    listen 8080;\n    location / {{\n"
        f"        proxy_pass http://{token}@backend.invalid:8000;\n    }}\n}}\n"
    )
    result = nginx_test(conf, fragment=True, workdir=tmp_path)
    assert (result.ran, result.ok) == (True, False)
    assert result.output == f'[emerg] host not found in upstream "***@backend.invalid" in {conf}:4'


def test_nothing_secret_is_stored(tmp_path: Path) -> None:
    password = "Hx7" + "vQ2pLm9" + "TzR4wKe"
    basic = base64.b64encode(f"admin:{password}".encode()).decode()
    conf = tmp_path / "secret.conf"
    conf.write_text(
        "server {\n    listen 8080;\n    location / {\n"
        f"        auth_basic_user_file /etc/nginx/htpasswd-{password};\n"
        f'        proxy_set_header Authorization "Basic {basic}";\n'
        f"        proxy_pass http://admin:{password}@backend.example.com:8000;\n"
        "    }\n}\n"
    )
    [nfile] = collect_files(
        [(conf, "given")], None, tmp_path, None, AnswerCache(tmp_path / "cache", 3600)
    ).files
    assert (nfile.nginx_test.ran, nfile.nginx_test.ok) == (True, False)
    assert password not in nfile.nginx_test.output  # nginx quotes the upstream without its scheme
    # gixy-ng's scan, kept beside the answers, holds the tree as the facts do (test_nginx_scan_cache)
    stored = [p for p in (tmp_path / "cache").iterdir() if not p.name.startswith("scan-")]
    assert len(stored) == 2  # the key and one answer
    for path in stored:
        text = path.read_bytes()
        assert password.encode() not in text and basic.encode() not in text and b"htpasswd" not in text
    assert (tmp_path / "cache" / "key").stat().st_mode & 0o777 == 0o600  # the HMAC key: the user's only


def test_the_cache_folder_and_switch(tmp_path: Path) -> None:
    cache = cache_for({"XDG_CACHE_HOME": str(tmp_path)}, {})
    assert (
        cache is not None and cache.folder == tmp_path / "golive" / "nginx-t" and cache.max_age == 12 * 3600
    )
    assert cache_for({"XDG_CACHE_HOME": str(tmp_path)}, {"test_cache_hours": 0}) is None
