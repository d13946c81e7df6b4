"""nginx on real repository layouts (issue 12): includes of files the repository does not ship.

Fixtures under ``tests/fixtures/nginx/layouts/`` are written after the layouts seen in real
projects (not copied from them): a Debian site file certbot edited (``include
proxy_params;``, ``include /etc/letsencrypt/options-ssl-nginx.conf;``), a tutorial's TLS
site (``include snippets/ssl-params.conf;``, a file no package ships), uWSGI's nginx
tutorial (``include /srv/shop/uwsgi_params;``). Before issue 12 each of them was a
collector error ("the nginx checks need every file to parse") and every nginx check skipped.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from golive.checks import registry
from golive.collectors.nginx import NginxFacts, collect_files, discover
from golive.collectors.nginx.read import validate
from golive.facts.nginx_tree import walk
from golive.model import Finding, Location, Status
from golive.registry import Facts
from golive.runner import run_check

LAYOUTS = Path(__file__).resolve().parent / "fixtures" / "nginx" / "layouts"
NGINX_FIXTURES = LAYOUTS.parent
DEBIAN = "Debian nginx-common 1.22.1-9+deb12u12"
CERTBOT = "certbot-nginx 2.1.0 (Debian python3-certbot-nginx 2.1.0-2)"


def layout_facts(project: Path) -> NginxFacts:
    """The nginx facts of ``project`` as the collector's discovery finds it (a file another
    includes is audited through it; paths relative to the project)."""
    found = discover(project)
    included = {p.resolve() for f in found for p in validate(f, f.parent, project)[1]}
    return collect_files([(p, "discovered") for p in found if p.resolve() not in included], None, project)


def run(check_id: str, facts: NginxFacts) -> list[Finding]:
    spec = registry().get(check_id)
    assert spec is not None, check_id
    return run_check(spec, Facts({NginxFacts: facts}), {})


def where(findings: list[Finding], status: Status) -> list[tuple[str, int | None]]:
    return [(f.location.path, f.location.line) for f in findings if f.status is status and f.location]


# --- stock files: golive's copy of what Debian's nginx and certbot install ---------------------


def test_debian_and_certbot_includes_are_read_from_golives_copy() -> None:
    facts = layout_facts(LAYOUTS / "certbot")
    [site] = facts.files
    site_path = "deploy/nginx/sites-available/shop"
    assert (site.path, site.kind, site.ok) == (site_path, "fragment", True)
    assert [str(n) for n in site.includes] == [
        f"{site_path}:10: include proxy_params: not in the repository: read golive's copy of"
        f" proxy_params as {DEBIAN} ships it",
        f"{site_path}:17: include /etc/letsencrypt/options-ssl-nginx.conf: not in the repository:"
        f" read golive's copy of /etc/letsencrypt/options-ssl-nginx.conf as {CERTBOT} ships it",
    ]
    assert facts.collector_details["files"][0]["nginx -t"] == (
        "not run: some includes are not where nginx would read them"
    )
    # The stock directives are in the tree, shown at the include that brings them.
    nodes = {chain[-1].text(): chain[-1].where for chain in walk((site.root,))}  # type: ignore[arg-type]
    assert nodes["proxy_set_header X-Forwarded-Proto $scheme;"] == (
        f"{site_path}:10 (golive's copy of proxy_params as {DEBIAN} ships it)"
    )
    assert nodes["ssl_protocols TLSv1.2 TLSv1.3;"] == (
        f"{site_path}:17 (golive's copy of /etc/letsencrypt/options-ssl-nginx.conf as {CERTBOT} ships it)"
    )
    # proxy_params sets Host and X-Forwarded-Proto, certbot's options set ssl_protocols.
    for check_id in ("GL703", "GL704", "GL713"):
        assert [f.status for f in run(check_id, facts)] == [Status.PASS], check_id
    # The rest of the layer is audited: certbot's port-80 server leaks the version, and the
    # app is the implicit default server of *:443.
    assert where(run("GL711", facts), Status.FAIL) == [(site_path, 21)]
    assert where(run("GL701", facts), Status.FAIL) == [(site_path, 14)]


def test_a_file_named_like_a_stock_file_elsewhere_is_taken_for_it() -> None:
    """uWSGI's tutorial copies uwsgi_params to the project and includes it by absolute path."""
    facts = layout_facts(LAYOUTS / "uwsgi-tutorial")
    [site] = facts.files
    assert [str(n) for n in site.includes] == [
        "deploy/shop_nginx.conf:19: include /srv/shop/uwsgi_params: not in the repository: read"
        f" golive's copy of uwsgi_params as {DEBIAN} ships it"
    ]
    # uwsgi_params sets no X-Forwarded-Proto: a client's own header reaches Django (GL704).
    [finding] = [f for f in run("GL704", facts) if f.failing]
    assert (finding.subjects, finding.location) == (
        ("uwsgi_param", "X-Forwarded-Proto"),
        Location(path="deploy/shop_nginx.conf", line=18),
    )


def test_a_copy_kept_in_the_repository_wins_over_golives(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    shutil.copytree(LAYOUTS / "uwsgi-tutorial", project)
    (project / "uwsgi_params").write_text(
        "uwsgi_param QUERY_STRING $query_string;\nuwsgi_param HTTP_X_FORWARDED_PROTO $scheme;\n"
    )
    facts = layout_facts(project)
    [site] = facts.files
    assert [str(n) for n in site.includes] == [
        "deploy/shop_nginx.conf:19: include /srv/shop/uwsgi_params: read from the repository's uwsgi_params"
    ]
    assert site.included == ("uwsgi_params",)
    assert [f.status for f in run("GL704", facts)] == [Status.PASS]


# --- an include found nowhere: the rest is audited, what it could set is unknown ----------------


def test_an_include_found_nowhere_leaves_what_it_could_set_unknown_and_the_rest_audited() -> None:
    facts = layout_facts(LAYOUTS / "tutorial")
    [site] = facts.files
    site_path = "deploy/nginx/sites-available/shop.conf"
    assert site.ok
    assert [(n.pattern, n.how) for n in site.includes] == [
        ("snippets/self-signed.conf", "unknown"),
        ("snippets/ssl-params.conf", "unknown"),
        ("proxy_params", "stock"),
    ]
    unknown = (
        f"`include snippets/self-signed.conf` at {site_path}:10, `include snippets/ssl-params.conf`"
        f" at {site_path}:11 are not in the repository"
    )
    [tls] = run("GL713", facts)
    assert (tls.status, tls.reason) == (Status.SKIPPED, f"{unknown}: TLS protocols unknown")
    assert (tls.subjects, tls.location) == (("ssl_protocols",), Location(path=site_path, line=7))
    tokens = run("GL711", facts)
    assert where(tokens, Status.FAIL) == [(site_path, 1)]  # the redirect server has no include
    assert where(tokens, Status.SKIPPED) == [(site_path, 7)]
    assert tokens[1].reason == f"{unknown}: server_tokens unknown"
    # What was read is still judged: autoindex on the media location.
    [autoindex] = [f for f in run("GL710", facts) if f.failing]
    assert autoindex.location == Location(path=site_path, line=15)


def test_an_include_kept_elsewhere_in_the_repository_is_read_by_its_path(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    shutil.copytree(LAYOUTS / "tutorial", project)
    snippets = project / "deploy" / "nginx" / "snippets"
    snippets.mkdir()
    (snippets / "ssl-params.conf").write_text(
        "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\nssl_session_tickets off;\n"
    )
    (snippets / "self-signed.conf").write_text(
        "ssl_certificate /etc/ssl/certs/shop.crt;\nssl_certificate_key /etc/ssl/private/shop.key;\n"
    )
    facts = layout_facts(project)
    [site] = facts.files
    assert site.included == (
        "deploy/nginx/snippets/self-signed.conf",
        "deploy/nginx/snippets/ssl-params.conf",
    )
    assert [f.status for f in run("GL713", facts)] == [Status.PASS]
    [weak] = [f for f in run("GL760", facts) if f.failing]
    assert weak.location == Location(path="deploy/nginx/snippets/ssl-params.conf", line=1)


def test_a_missing_include_is_no_collector_error() -> None:
    facts = collect_files([(NGINX_FIXTURES / "bad" / "missing-include.conf", "given")], None, NGINX_FIXTURES)
    [site] = facts.files
    assert site.ok
    assert [str(n) for n in site.includes] == [
        "bad/missing-include.conf:4: include snippets/missing.conf: not in the repository, not a stock"
        f" file ({NGINX_FIXTURES}/bad/snippets/missing.conf): what it sets is unknown"
    ]
    assert facts.collector_details["files"][0]["includes not on disk"] == [str(site.includes[0])]


@pytest.mark.covers("GL777", "pass")
def test_a_gixy_report_of_something_missing_is_unknown_when_an_unread_include_may_hold_it(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site.conf"
    site.write_text(
        "server {\n    listen 80;\n    server_name shop.example.com;\n    include snippets/cache.conf;\n"
        "    location / {\n        try_files $uri @app;\n    }\n"
        "    location @app {\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n"
    )
    [finding] = run("GL777", collect_files([(site, "given")], None, tmp_path))
    assert (finding.status, finding.subjects, finding.location) == (
        Status.SKIPPED,
        ("try_files", "open_file_cache"),
        Location(path="site.conf", line=6),
    )
    assert finding.reason == (
        "`include snippets/cache.conf` at site.conf:4 is not in the repository: open_file_cache unknown"
    )


# --- context: a port-80 server that only redirects is not the app as default server -------------


@pytest.mark.covers("GL701", "pass")
def test_a_redirect_only_default_server_is_not_the_app() -> None:
    facts = layout_facts(LAYOUTS / "tutorial")
    # *:80's default server only returns 301 https://...: only *:443 (the app) is reported.
    assert where(run("GL701", facts), Status.FAIL) == [("deploy/nginx/sites-available/shop.conf", 8)]


# --- the whole audit: the layer is kept ---------------------------------------------------------


def test_a_site_file_including_stock_and_unknown_files_keeps_the_nginx_layer_in_the_audit(
    tmp_path: Path,
) -> None:
    """Before issue 12: 'include proxy_params: no such file ... (the nginx checks need every
    file to parse)', every GL7xx skipped, exit 3."""
    from conftest import audit_project, build_project

    root = build_project(tmp_path / "proj")
    shutil.copytree(LAYOUTS / "tutorial" / "deploy", root / "deploy")
    result = audit_project(root)
    nginx = next(c for c in result.collectors if c.name == "nginx")
    assert nginx.status == "ok"
    [site] = nginx.details["files"]
    assert site["path"] == "deploy/nginx/sites-available/shop.conf"
    assert site["includes not on disk"][2] == (
        "deploy/nginx/sites-available/shop.conf:18: include proxy_params: not in the repository:"
        f" read golive's copy of proxy_params as {DEBIAN} ships it"
    )
    [tls] = [f for f in result.findings if f.id == "GL713"]
    assert tls.status is Status.SKIPPED and tls.reason.endswith(": TLS protocols unknown")
    [autoindex] = [f for f in result.findings if f.id == "GL710"]
    assert (autoindex.status, autoindex.location) == (
        Status.FAIL,
        Location(path="deploy/nginx/sites-available/shop.conf", line=15),
    )


# --- the stock data is what the packages ship ---------------------------------------------------


def _directives(text: str) -> list[tuple[str, tuple[str, ...], Any]]:
    import crossplane

    def walk_block(block: list[dict[str, Any]]) -> list[tuple[str, tuple[str, ...], Any]]:
        return [(s["directive"], tuple(s["args"]), walk_block(s.get("block") or [])) for s in block]

    parsed = crossplane.parse_string(text, single=True, strict=False, check_ctx=False, check_args=False)
    return walk_block(parsed["config"][0]["parsed"])


def _installed(package: str) -> str:
    import subprocess

    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True, check=False
    )
    return out.stdout.strip() if out.returncode == 0 else ""


@pytest.mark.skipif(
    _installed("nginx-common") != "1.22.1-9+deb12u12", reason="needs Debian's nginx-common 1.22.1-9+deb12u12"
)
def test_the_stock_copies_hold_the_directives_of_the_installed_debian_files() -> None:
    from golive.data.nginx_stock import stock_files

    debian = {k: v for k, v in stock_files().items() if not k.startswith("/")}
    assert sorted(debian) == [
        "fastcgi.conf",
        "fastcgi_params",
        "mime.types",
        "proxy_params",
        "scgi_params",
        "snippets/fastcgi-php.conf",
        "snippets/snakeoil.conf",
        "uwsgi_params",
    ]
    for key, stock in debian.items():
        assert stock.origin == DEBIAN
        assert _directives(stock.text) == _directives((Path("/etc/nginx") / key).read_text()), key


def test_the_files_real_site_configurations_name_are_known() -> None:
    from golive.data.nginx_stock import stock_file

    for pattern in (
        "proxy_params",
        "/etc/nginx/proxy_params",
        "fastcgi_params",
        "fastcgi.conf",
        "uwsgi_params",
        "scgi_params",
        "mime.types",
        "/etc/nginx/mime.types",
        "snippets/fastcgi-php.conf",
        "/etc/nginx/snippets/snakeoil.conf",
        "/etc/letsencrypt/options-ssl-nginx.conf",
    ):
        assert stock_file(pattern) is not None, pattern
    for pattern in ("snippets/ssl-params.conf", "conf.d/*.conf", "/etc/letsencrypt/live/x/fullchain.pem"):
        assert stock_file(pattern) is None, pattern
    certbot = stock_file("/etc/letsencrypt/options-ssl-nginx.conf")
    assert certbot is not None and ("ssl_protocols", ("TLSv1.2", "TLSv1.3"), []) in _directives(certbot.text)


def test_fastcgi_includes_are_read_and_the_php_location_still_judged(tmp_path: Path) -> None:
    """A Django site sharing its server with a PHP tool (Debian's snippets/fastcgi-php.conf,
    which includes fastcgi.conf, and fastcgi_params): before issue 12 the layer was lost."""
    site = tmp_path / "deploy" / "nginx" / "shop.conf"
    site.parent.mkdir(parents=True)
    site.write_text(
        "server {\n    listen 80;\n    server_name shop.example.com;\n"
        "    location /media/ {\n        alias /srv/shop/media/;\n    }\n"
        "    location ~ \\.php$ {\n        include snippets/fastcgi-php.conf;\n"
        "        fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n    }\n"
        "    location /stats/ {\n        include fastcgi_params;\n"
        "        fastcgi_pass 127.0.0.1:9000;\n    }\n}\n"
    )
    facts = layout_facts(tmp_path)
    [nfile] = facts.files
    assert [(n.line, n.pattern, n.how) for n in nfile.includes] == [
        (8, "snippets/fastcgi-php.conf", "stock"),
        (8, "fastcgi.conf", "stock"),
        (12, "fastcgi_params", "stock"),
    ]
    # nginx -t runs on it with golive's copies where the wrapper's prefix reads them.
    assert facts.collector_details["files"][0]["nginx -t"] == "ok"
    [php] = [f for f in run("GL707", facts) if f.failing]
    assert php.evidence[0].startswith(
        "GET /media/upload.php goes to location ~ \\.php$ {…} at deploy/nginx/shop.conf:7"
    )
