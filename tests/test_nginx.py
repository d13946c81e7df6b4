"""nginx (GL7xx): the collector on real files and every rule on a pair of real configurations.

Each rule has ``tests/fixtures/nginx/<ID>/fires.conf`` (the rule reports it) and
``quiet.conf`` (the same configuration done right: it must not). Every fixture that
should be valid passes the real ``nginx -t`` (Debian's nginx), wrapped in a minimal main
file in a temporary prefix. The rules that compare nginx with Django's settings are
proven on real projects audited for real (``tests/test_nginx_django.py``).
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest

from golive.checks import registry
from golive.checks.gixy import GIXY_GOLIVE, GIXY_PLUGINS, GIXY_SUBJECTS, GIXY_TEXT, gixy_subjects
from golive.collectors import CollectorError
from golive.collectors.nginx import GixyResult, NginxFacts, collect_files
from golive.collectors.nginx.binary import nginx_binary, nginx_test
from golive.collectors.nginx.read import top_level
from golive.collectors.nginx.scan import GIXY_NOT_RUN
from golive.model import Finding, Location, Status
from golive.registry import Facts
from golive.runner import run_check

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "nginx"

#: id → every failing finding of ``<ID>/fires.conf``: (subjects, line, start of the first evidence line).
#: A gixy-ng finding's subjects are the directives (and HTTP headers) its plugin is about, never
#: the block gixy-ng hangs the report on (``server`` for a missing HSTS header).
FIRES: dict[str, list[tuple[tuple[str, ...], int, str]]] = {
    "GL701": [
        (("default_server", "listen"), 2, "listen *:80: the default server is server shop.example.com at")
    ],
    "GL702": [
        (("listen", "proxy_pass"), 11, "server shop.example.com at GL702/fires.conf:6 listens on *:80")
    ],
    "GL703": [
        (("proxy_set_header", "Host"), 13, "proxy_pass http://127.0.0.1:8000; at GL703/fires.conf:13: no")
    ],
    "GL704": [
        (
            ("proxy_set_header", "X-Forwarded-Proto"),
            11,
            "proxy_pass http://127.0.0.1:8000; at GL704/fires.conf:11: no",
        ),
        (
            ("proxy_set_header", "X-Forwarded-Proto"),
            15,
            "proxy_pass http://127.0.0.1:8000; at GL704/fires.conf:15: proxy",
        ),
    ],
    "GL706": [(("client_max_body_size",), 10, "client_max_body_size 2g; at GL706/fires.conf:10: 2 GiB")],
    "GL707": [
        (("MEDIA_URL", "location", "fastcgi_pass"), 14, "GET /media/upload.php goes to location ~ \\.php$")
    ],
    "GL708": [
        (("add_header", "X-Content-Type-Options"), 11, "location /media/ {…} at GL708/fires.conf:11 serves")
    ],
    "GL710": [(("autoindex",), 12, "autoindex on; at GL710/fires.conf:12")],
    "GL711": [
        (("server_tokens",), 6, "server shop.example.com at GL711/fires.conf:6: no server_tokens in force")
    ],
    "GL712": [
        (
            ("location", "root"),
            10,
            "GET /.git/config in server shop.example.com at GL712/fires.conf:6 is read",
        )
    ],
    "GL713": [
        (("ssl_protocols",), 1, "server _ at GL713/fires.conf:1 listens with ssl and sets no ssl_protocols"),
        (("ssl_protocols",), 7, "server shop.example.com at GL713/fires.conf:7 listens with ssl and sets no"),
    ],
    "GL750": [(("proxy_set_header", "Host"), 11, "The proxied Host header may be spoofed.")],
    "GL751": [(("return",), 11, "Possible HTTP-Splitting vulnerability.")],
    "GL752": [(("proxy_pass",), 11, "Possible SSRF (Server Side Request Forgery) vulnerability.")],
    "GL753": [(("alias", "location"), 11, "Path traversal via misconfigured alias.")],
    "GL754": [
        (
            ("if", "Origin", "Referer"),
            10,
            'Validation regex for "origin" or "referer" matches untrusted domain',
        )
    ],
    "GL755": [(("valid_referers", "Referer"), 11, 'Used "none" as valid referer.')],
    "GL756": [(("add_header",), 10, 'Nested "add_header" drops parent headers.')],
    "GL757": [(("add_header",), 10, "Found a multi-line header.")],
    "GL758": [(("add_header", "Content-Type"), 11, "Found add_header usage for setting Content-Type.")],
    "GL759": [(("server_tokens",), 9, "Do not enable server_tokens on or server_tokens build")],
    "GL760": [(("ssl_protocols",), 12, "Insecure TLS protocols enabled: Insecure protocols enabled: TLSv1.")],
    "GL761": [(("Strict-Transport-Security", "add_header"), 8, "Missing HSTS header")],
    "GL762": [(("listen",), 5, "Multiple servers share listen socket without default_server.")],
    "GL763": [(("if", "location"), 12, "If is Evil... when used in location context.")],
    "GL764": [(("allow", "deny"), 11, "Found allow directive(s) without deny in the same context.")],
    "GL765": [
        (
            ("return", "allow", "deny"),
            11,
            "Return directive bypasses allow/deny restrictions in the same context.",
        )
    ],
    "GL766": [(("stub_status",), 11, "stub_status is publicly accessible without IP restrictions.")],
    "GL767": [(("root",), 10, "Filesystem root used as a document path")],
    "GL768": [(("error_log",), 1, "The error_log directive does not take the off parameter.")],
    "GL769": [(("map",), 5, "Detect when a hash block (map, geo) is used without a default value.")],
    "GL770": [(("rewrite",), 11, "Using a nonexistent regex capture group.")],
    "GL771": [(("location",), 10, "Regex vulnerable to ReDoS")],
    "GL772": [(("location",), 10, "Regular expressions without anchors can be slow")],
    "GL773": [(("location",), 10, "Regex location can be replaced with exact match")],
    "GL774": [(("proxy_pass",), 11, "Detect path after host in proxy_pass")],
    "GL775": [
        (
            ("proxy_pass", "resolver"),
            11,
            "Proxy target uses static DNS resolution (resolved only at startup).",
        )
    ],
    "GL776": [(("resolver",), 10, 'Do not use external nameservers for "resolver"')],
    "GL777": [
        (("try_files", "open_file_cache"), 12, "The try_files directive is evil without open_file_cache")
    ],
    "GL778": [(("keepalive_requests",), 10, "The keepalive_requests directive should be at least 1000.")],
    "GL779": [
        (
            ("worker_rlimit_nofile", "worker_connections"),
            3,
            "The worker_rlimit_nofile should be at least twice than worker_conn",
        )
    ],
    "GL780": [(("default_server", "return"), 4, "Missing HTTP/2 misdirected-request safeguard (return 421)")],
    "GL781": [(("ssl_stapling", "resolver"), 13, "ssl_stapling is enabled but no resolver is configured")],
    "GL782": [(("ssl_stapling",), 13, "OCSP stapling is enabled for a Let's Encrypt certificate")],
    "GL783": [(("ssl_ecdh_curve",), 13, "ssl_ecdh_curve names a post-quantum group")],
    "GL784": [(("quic_bpf", "listen"), 1, "quic_bpf with reuseport may drop QUIC connections after reload")],
}

#: Fixtures the nginx of Debian 12 (1.22, OpenSSL 3.0) cannot load, and why.
NOT_NGINX_T = {
    "GL775/fires.conf": "resolves backend.example.com at start-up (no DNS in the sandbox)",
    "GL782/fires.conf": "needs a Let's Encrypt certificate under /etc/letsencrypt",
    "GL782/quiet.conf": "needs a Let's Encrypt certificate under /etc/letsencrypt",
    "GL783/fires.conf": "names a post-quantum group OpenSSL 3.0 lacks: the very mistake it shows",
    "GL784/fires.conf": "QUIC needs nginx >= 1.25 built with HTTP/3",
    "GL784/quiet.conf": "QUIC needs nginx >= 1.25 built with HTTP/3",
}


def nginx_facts(*files: Path, prefix: Path | None = None) -> NginxFacts:
    """The nginx collector's facts for ``files`` (paths shown relative to the fixtures)."""
    return collect_files([(f, "given") for f in files], prefix, FIXTURES)


def run(check_id: str, facts: NginxFacts) -> list[Finding]:
    """The findings of one check on these facts (no Django settings: runtime absent)."""
    spec = registry().get(check_id)
    assert spec is not None, check_id
    return run_check(spec, Facts({NginxFacts: facts}), {})


@pytest.mark.parametrize(
    "check_id", [pytest.param(cid, marks=pytest.mark.covers(cid, "fail"), id=cid) for cid in FIRES]
)
def test_rule_fires(check_id: str) -> None:
    found = [f for f in run(check_id, nginx_facts(FIXTURES / check_id / "fires.conf")) if f.failing]
    assert [f.id for f in found] == [check_id] * len(FIRES[check_id])
    for finding, (subjects, line, evidence) in zip(found, FIRES[check_id], strict=True):
        assert finding.subjects == subjects
        assert finding.location == Location(path=f"{check_id}/fires.conf", line=line)
        assert finding.evidence[0].startswith(evidence), finding.evidence
        assert finding.collector == "nginx"


@pytest.mark.parametrize(
    "check_id", [pytest.param(cid, marks=pytest.mark.covers(cid, "pass"), id=cid) for cid in FIRES]
)
def test_rule_is_quiet_on_the_fixed_config(check_id: str) -> None:
    assert [f.status for f in run(check_id, nginx_facts(FIXTURES / check_id / "quiet.conf"))] == [Status.PASS]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate (cert.pem, key.pem) made by openssl."""
    folder = tmp_path_factory.mktemp("cert")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=shop.example.com",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return folder


VALID = sorted(
    str(p.relative_to(FIXTURES))
    for p in FIXTURES.glob("GL*/*.conf")
    if str(p.relative_to(FIXTURES)) not in NOT_NGINX_T
)


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")
@pytest.mark.parametrize("fixture", VALID)
def test_valid_fixture_passes_nginx_t(fixture: str, certificate: Path, tmp_path: Path) -> None:
    for name in ("cert.pem", "key.pem"):
        shutil.copy(certificate / name, tmp_path / name)
    conf = tmp_path / "site.conf"
    shutil.copy(FIXTURES / fixture, conf)
    fragment = not any(s.get("directive") in ("http", "events") for s in top_level(conf.read_text()))
    result = nginx_test(conf, fragment=fragment, workdir=tmp_path)
    assert (result.ran, result.ok, result.output) == (True, True, "")


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")
def test_nginx_t_names_the_error_of_a_config_it_refuses(tmp_path: Path) -> None:
    conf = tmp_path / "site.conf"
    conf.write_text("server {\n    listen 80;\n    proxy_buffer_sise 16k;\n}\n")
    result = nginx_test(conf, fragment=True, workdir=tmp_path)
    assert (result.ran, result.ok) == (True, False)
    assert result.output == f'[emerg] unknown directive "proxy_buffer_sise" in {conf}:3'


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")
def test_nginx_t_runs_with_the_stock_includes_only_gixy_follows(tmp_path: Path) -> None:
    """nginx -t runs while gixy-ng scans; Debian's snippets/fastcgi-php.conf includes
    fastcgi.conf, which only gixy-ng's pass follows: the test is run again with both in place."""
    site = tmp_path / "site.conf"
    site.write_text(
        "server {\n    listen 8080;\n    location ~ \\.php$ {\n"
        "        include snippets/fastcgi-php.conf;\n        fastcgi_pass 127.0.0.1:9000;\n    }\n}\n"
    )
    [nfile] = collect_files([(site, "given")], None, tmp_path).files
    assert [n.pattern for n in nfile.includes] == ["snippets/fastcgi-php.conf", "fastcgi.conf"]
    assert (nfile.nginx_test.ran, nfile.nginx_test.ok, nfile.nginx_test.output) == (True, True, "")


def test_every_gixy_plugin_has_one_golive_id_and_records_gixys_own_severity() -> None:
    from gixy.core.plugins_manager import PluginsManager

    shipped = {c.__name__: c.severity for c in PluginsManager().plugins_classes}
    assert set(shipped) == set(GIXY_PLUGINS) | set(GIXY_NOT_RUN)
    assert set(GIXY_TEXT) == set(GIXY_PLUGINS)
    for plugin, (check_id, severity) in GIXY_PLUGINS.items():
        assert shipped[plugin] == severity, plugin
        spec = registry().get(check_id)
        assert spec is not None and spec.severity is GIXY_GOLIVE[plugin]  # calibrated: docs/severity.md
        assert spec.reference == f"https://gixy.getpagespeed.com/checks/{plugin.replace('_', '-')}/"
    ids = sorted(i for i, _ in GIXY_PLUGINS.values())
    assert ids == [f"GL{n}" for n in range(750, 750 + len(ids))]


# --- bad input: an error with file, line and message, never "no issues" ---------------------


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("bad/unbalanced.conf", 'bad/unbalanced.conf:8: unexpected end of file, expecting "}"'),
        ("bad/unknown-directive.conf", 'bad/unknown-directive.conf:4: unknown directive "proxy_buffer_sise"'),
    ],
)
def test_broken_config_is_a_collector_error_with_file_line_and_message(fixture: str, message: str) -> None:
    with pytest.raises(CollectorError) as exc:
        nginx_facts(FIXTURES / fixture)
    assert str(exc.value) == f"{message} (the nginx checks need every file to parse)"


def test_binary_file_is_a_collector_error(tmp_path: Path) -> None:
    binary = tmp_path / "site.conf"
    binary.write_bytes(gzip.compress(b"server { listen 80; }\n"))
    with pytest.raises(CollectorError) as exc:
        collect_files([(binary, "given")], None, tmp_path)
    assert (
        str(exc.value)
        == "site.conf: binary file, not an nginx configuration (the nginx checks need every file to parse)"
    )


def test_an_apache_file_given_as_nginx_is_named_as_such(tmp_path: Path) -> None:
    site = tmp_path / "site.conf"
    site.write_text("<VirtualHost *:80>\n    ServerName shop.example.com\n</VirtualHost>\n")
    with pytest.raises(CollectorError) as exc:
        collect_files([(site, "given")], None, tmp_path)
    assert str(exc.value) == (
        "site.conf: an Apache configuration, not nginx (not audited yet)"
        " (the nginx checks need every file to parse)"
    )


def test_one_broken_file_among_several_is_still_an_error() -> None:
    with pytest.raises(CollectorError) as exc:
        nginx_facts(FIXTURES / "GL701" / "quiet.conf", FIXTURES / "bad" / "unbalanced.conf")
    assert str(exc.value).startswith('bad/unbalanced.conf:8: unexpected end of file, expecting "}"')


# --- includes, the prefix, nginx -T dumps -------------------------------------------------------


def test_includes_are_followed_relative_to_the_main_files_directory() -> None:
    facts = nginx_facts(FIXTURES / "includes" / "nginx.conf")
    [nfile] = facts.files
    assert (nfile.kind, nfile.included) == (
        "config",
        ("includes/snippets/tls.conf", "includes/sites/shop.conf", "includes/snippets/proxy.conf"),
    )
    [finding] = [f for f in run("GL710", facts) if f.failing]
    assert finding.location == Location(path="includes/sites/shop.conf", line=14)
    # proxy_set_header lines come from an included snippet: Host and X-Forwarded-Proto are in force.
    assert [f.status for f in run("GL703", facts)] == [Status.PASS]
    assert [f.status for f in run("GL704", facts)] == [Status.PASS]
    assert [f.status for f in run("GL713", facts)] == [Status.PASS]


def test_a_site_files_includes_resolve_against_the_prefix_else_by_their_path_in_the_repository() -> None:
    site = FIXTURES / "includes" / "sites" / "shop.conf"
    facts = nginx_facts(site, prefix=FIXTURES / "includes")
    assert facts.files[0].included == ("includes/snippets/proxy.conf",)
    assert (facts.files[0].kind, facts.files[0].includes) == ("fragment", ())
    assert [f.status for f in run("GL703", facts)] == [Status.PASS]
    # Without the prefix, snippets/proxy.conf is not next to the site file: the repository's
    # file of that path is read, and the report says so (issue 12).
    facts = nginx_facts(site)
    assert facts.files[0].included == ("includes/snippets/proxy.conf",)
    assert [str(n) for n in facts.files[0].includes] == [
        "includes/sites/shop.conf:20: include snippets/proxy.conf:"
        " read from the repository's includes/snippets/proxy.conf"
    ]
    assert [f.status for f in run("GL703", facts)] == [Status.PASS]


def test_the_default_tls_server_decides_the_protocols_of_its_address() -> None:
    """A catch-all default server that rejects handshakes still agrees the protocol version
    (before SNI picks the named server), so it needs ssl_protocols of its own."""
    facts = nginx_facts(FIXTURES / "GL713" / "fires.conf")
    default = [f for f in run("GL713", facts) if f.failing and f.location and f.location.line == 1]
    assert [f.evidence[0].rsplit("; ", 1)[1] for f in default] == [
        "as the default server of listen *:443 its list is the one the TLS handshake is agreed with,"
        " whatever the named servers set"
    ]


def test_nginx_dump_is_audited_with_each_file_named() -> None:
    facts = nginx_facts(FIXTURES / "dump" / "nginx-T.txt")
    [nfile] = facts.files
    assert nfile.kind == "dump"
    weak = [f for f in run("GL760", facts) if f.failing and f.location and f.location.line == 36]
    assert [f.subjects for f in weak] == [("ssl_protocols",)]
    assert weak[0].location == Location(path="dump/nginx-T.txt", line=36)
    assert weak[0].evidence[:2] == (
        "Insecure TLS protocols enabled: Insecure protocols enabled: TLSv1, TLSv1.1. TLSv1.0 and TLSv1.1"
        " are vulnerable to POODLE, BEAST, and other attacks.",
        "in /etc/nginx/nginx.conf (nginx -T dump)",
    )
    # The TLS server inherits the http block's ssl_protocols (seen in the dump): not GL713's case.
    assert [f.status for f in run("GL713", facts)] == [Status.PASS]
    [default] = [f for f in run("GL701", facts) if f.failing]
    assert default.evidence == (
        "listen *:443: the default server is server shop.example.com at dump/nginx-T.txt:202"
        " (/etc/nginx/sites-enabled/shop) (marked default_server), which serves requests for any Host",
    )
    # include proxy_params (relative, inside the dump) is followed: Host is set.
    assert [f.status for f in run("GL703", facts)] == [Status.PASS]


def test_every_gixy_plugin_names_its_subjects() -> None:
    assert set(GIXY_SUBJECTS) == set(GIXY_PLUGINS)
    assert all(s and "server" not in s for s in GIXY_SUBJECTS.values())


@pytest.mark.parametrize(
    ("summary", "subjects"),
    [
        ("Insecure TLS protocols enabled", ("ssl_protocols",)),
        ("Weak SSL/TLS ciphers enabled", ("ssl_ciphers",)),
        ("Server cipher preference enabled unnecessarily", ("ssl_prefer_server_ciphers",)),
    ],
)
def test_weak_tls_subjects_follow_what_gixy_reported(summary: str, subjects: tuple[str, ...]) -> None:
    result = GixyResult(
        plugin="weak_ssl_tls",
        severity="MEDIUM",
        summary=summary,
        description="",
        reason="",
        help_url="",
        excerpt="",
        location=None,
        directive="server",
    )
    assert gixy_subjects(result) == subjects
