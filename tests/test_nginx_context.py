"""nginx judged in its context (issue 12): the settings it serves, what stands in front of it.

The Django side is given as the runtime collector's facts (the settings as Django loaded
them); the nginx side is parsed for real from ``tests/fixtures/nginx/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from golive.checks import registry
from golive.collectors.nginx import NginxFacts, collect_files, discover, not_included
from golive.collectors.nginx.context import ComposeContext
from golive.facts.nginx_tree import walk
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Location, Status
from golive.registry import Facts
from golive.runner import run_check

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "nginx"


def settings(**values: Any) -> RuntimeFacts:
    """Runtime facts holding ``values`` as the settings Django loaded."""
    return RuntimeFacts(
        django_version="5.2",
        python_version="3.11",
        settings_file=None,
        settings=values,
        secrets={},
        checks=(),
    )


def run(check_id: str, nginx: NginxFacts, runtime: RuntimeFacts | None = None) -> list[Finding]:
    spec = registry().get(check_id)
    assert spec is not None, check_id
    items: dict[type, Any] = {NginxFacts: nginx}
    if runtime is not None:
        items[RuntimeFacts] = runtime
    return run_check(spec, Facts(items), {})


def nginx(*names: str, project: Path = FIXTURES) -> NginxFacts:
    return collect_files([(project / n, "given") for n in names], None, project)


# --- USE_X_FORWARDED_HOST and X-Forwarded-Host ---------------------------------------------------

FORWARDED = settings(USE_X_FORWARDED_HOST=True, ALLOWED_HOSTS=["shop.example.com"])


@pytest.mark.covers("GL715", "fail")
def test_gl715_django_trusts_x_forwarded_host_that_nginx_lets_through() -> None:
    [finding] = run("GL715", nginx("GL715/fires.conf"), FORWARDED)
    assert (finding.status, finding.subjects, finding.location) == (
        Status.FAIL,
        ("USE_X_FORWARDED_HOST", "proxy_set_header"),
        Location(path="GL715/fires.conf", line=10),
    )
    assert finding.evidence == (
        "proxy_pass http://127.0.0.1:8000; at GL715/fires.conf:10: no X-Forwarded-Host is set,"
        " so a client's own X-Forwarded-Host reaches Django",
        "USE_X_FORWARDED_HOST = True, ALLOWED_HOSTS = ['shop.example.com']",
    )


@pytest.mark.covers("GL715", "pass")
def test_gl715_quiet_when_nginx_sets_x_forwarded_host_or_django_ignores_it() -> None:
    assert [f.status for f in run("GL715", nginx("GL715/quiet.conf"), FORWARDED)] == [Status.PASS]
    assert [f.status for f in run("GL715", nginx("GL715/fires.conf"), settings())] == [Status.PASS]


def test_gl703_x_forwarded_host_with_use_x_forwarded_host_is_a_consistent_pair() -> None:
    """Without Host, nginx sends Host: 127.0.0.1:8000, but Django reads X-Forwarded-Host."""
    quiet = nginx("GL715/quiet.conf")
    assert [f.status for f in run("GL703", quiet, FORWARDED)] == [Status.PASS]
    # Without USE_X_FORWARDED_HOST Django reads Host: GL703 stands.
    [finding] = run("GL703", quiet, settings())
    assert (finding.status, finding.location) == (Status.FAIL, Location(path="GL715/quiet.conf", line=10))
    # With it, but nginx not setting X-Forwarded-Host: GL703 stands too (and GL715 says why).
    assert [f.status for f in run("GL703", nginx("GL715/fires.conf"), FORWARDED)] == [Status.FAIL]


# --- Compose: templates, nginx behind Traefik, paths through volumes -----------------------------

TRAEFIK = FIXTURES / "layouts" / "traefik"
TEMPLATE = "nginx/templates/default.conf.template"
INTERNAL = (
    "nginx (docker-compose.prod.yml service nginx, no published port) is reached only through traefik"
    " (traefik:v3.1): TLS, the https redirect, HSTS and the X-Forwarded-* headers clients send are"
    " that proxy's"
)


def composed(project: Path) -> NginxFacts:
    """The nginx facts of ``project`` as the collector finds them, with its Compose files read."""
    files = discover(project)
    return collect_files([(f, "discovered") for f in files], None, project, ComposeContext(project, {}))


def test_a_template_is_discovered_and_rendered_with_the_values_compose_gives() -> None:
    facts = composed(TRAEFIK)
    [site] = facts.files
    assert (site.path, site.ok) == (TEMPLATE, True)
    assert site.template == (
        "a template (envsubst): APP_HOST, APP_PORT from docker-compose.prod.yml service nginx;"
        " ${NGINX_SERVER_NAME} left as written (no value known)"
    )
    assert site.deployment is not None
    assert site.deployment.how == (
        "docker-compose.prod.yml service nginx mounts it at /etc/nginx/templates/default.conf.template"
    )
    texts = [chain[-1].evidence() for chain in walk((site.root,))]  # type: ignore[arg-type]
    assert f"server django:8000; at {TEMPLATE}:2" in texts
    assert f"server_name ${{NGINX_SERVER_NAME}}; at {TEMPLATE}:7" in texts
    assert f"proxy_set_header Host $host; at {TEMPLATE}:20" in texts  # nginx's own variables untouched
    assert facts.collector_details["files"][0]["nginx -t"] == "not run on a template"


@pytest.mark.covers("GL702", "pass")
def test_an_nginx_reached_only_through_traefik_is_judged_as_internal() -> None:
    facts = composed(TRAEFIK)
    [redirect] = run("GL702", facts)
    assert (redirect.status, redirect.reason) == (Status.SKIPPED, INTERNAL)
    assert (redirect.subjects, redirect.location) == (
        ("listen", "proxy_pass"),
        Location(path=TEMPLATE, line=19),
    )
    [forwarded] = run("GL704", facts)
    assert (forwarded.status, forwarded.reason) == (Status.SKIPPED, INTERNAL)
    [default] = run("GL701", facts)
    assert (default.status, default.reason) == (
        Status.SKIPPED,
        f"{INTERNAL}; it routes only Host(`shop.example.com`) to it",
    )


@pytest.mark.covers("GL702", "fail")
def test_the_same_nginx_publishing_its_port_is_judged_as_the_front(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    shutil.copytree(TRAEFIK, project)
    compose = project / "docker-compose.prod.yml"
    compose.write_text(
        compose.read_text().replace(
            "    image: nginx:1.27-alpine\n", '    image: nginx:1.27-alpine\n    ports: ["80:80"]\n'
        )
    )
    facts = composed(project)
    assert facts.files[0].deployment is not None and facts.files[0].deployment.internal is None
    [redirect] = run("GL702", facts)
    assert (redirect.status, redirect.location) == (Status.FAIL, Location(path=TEMPLATE, line=19))


def _django(project: Path, **values: Any) -> Facts:
    runtime = settings(STATIC_URL="/static/", MEDIA_URL="/media/", **values)
    return Facts(
        {NginxFacts: composed(project), RuntimeFacts: runtime},
        context=SimpleNamespace(project_dir=project, django_dir=project),
    )


@pytest.mark.covers("GL709", "pass")
def test_gl709_follows_both_paths_through_the_compose_volumes() -> None:
    """nginx serves /var/www/static (volume static); Django writes BASE_DIR/staticfiles, which
    the django service mounts from the same volume at /app/staticfiles."""
    facts = _django(TRAEFIK, STATIC_ROOT=str(TRAEFIK / "staticfiles"), MEDIA_ROOT=str(TRAEFIK / "media"))
    spec = registry().get("GL709")
    assert spec is not None
    assert [f.status for f in run_check(spec, facts, {})] == [Status.PASS]


@pytest.mark.covers("GL709", "fail")
def test_gl709_a_volume_django_does_not_write_to_is_another_directory() -> None:
    facts = _django(TRAEFIK, STATIC_ROOT=str(TRAEFIK / "collected"), MEDIA_ROOT=str(TRAEFIK / "media"))
    spec = registry().get("GL709")
    assert spec is not None
    [finding] = run_check(spec, facts, {})
    assert (finding.status, finding.subjects, finding.location) == (
        Status.FAIL,
        ("alias", "STATIC_ROOT"),
        Location(path=TEMPLATE, line=12),
    )
    assert (
        finding.evidence[0]
        == f"alias /var/www/static/; at {TEMPLATE}:12 serves /static/ from /var/www/static"
    )


def test_gl709_never_compares_a_template_placeholder_with_a_path(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    shutil.copytree(TRAEFIK, project)
    template = project / TEMPLATE
    template.write_text(template.read_text().replace("alias /var/www/static/;", "alias ${STATIC_DIR}/;"))
    facts = _django(project, STATIC_ROOT=str(project / "collected"), MEDIA_ROOT=str(project / "media"))
    spec = registry().get("GL709")
    assert spec is not None
    [finding] = run_check(spec, facts, {})
    assert (finding.status, finding.reason) == (
        Status.SKIPPED,
        "alias ${STATIC_DIR}/;: a template placeholder no Compose value sets, directory unknown",
    )


def test_a_template_takes_values_compose_interpolates_from_the_env_file(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    shutil.copytree(TRAEFIK, project)
    compose = project / "docker-compose.prod.yml"
    compose.write_text(
        compose.read_text().replace(
            '      APP_PORT: "8000"\n', '      APP_PORT: "8000"\n      NGINX_SERVER_NAME: ${DOMAIN}\n'
        )
    )
    files = [(f, "discovered") for f in discover(project)]
    given = collect_files(files, None, project, ComposeContext(project, {"DOMAIN": "shop.example.com"}))
    [site] = given.files
    assert site.template == (
        "a template (envsubst): APP_HOST, APP_PORT, NGINX_SERVER_NAME from docker-compose.prod.yml"
        " service nginx"
    )
    texts = [chain[-1].text() for chain in walk((site.root,))]  # type: ignore[arg-type]
    assert "server_name shop.example.com;" in texts
    # Without the --env-file value, Compose keeps ${DOMAIN}, and so does the rendered template.
    [site] = collect_files(files, None, project, ComposeContext(project, {})).files
    assert "server_name ${DOMAIN};" in [chain[-1].text() for chain in walk((site.root,))]  # type: ignore[arg-type]


BIND_COMPOSE = """\
services:
  web:
    build: .
    command: gunicorn shop.wsgi --bind 0.0.0.0:8000
    volumes:
      - .:/app
  nginx:
    image: nginx:stable
    ports:
      - "80:80"
    volumes:
      - ./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro
      - ./staticfiles:/usr/share/nginx/html/static:ro
"""
BIND_SITE = """\
server {
    listen 80;
    server_name shop.example.com;
    location /static/ {
        alias /usr/share/nginx/html/static/;
    }
    location / {
        proxy_pass http://web:8000;
        proxy_set_header Host $host;
    }
}
"""


@pytest.mark.parametrize(
    ("static_root", "status"),
    [
        pytest.param("staticfiles", Status.PASS, marks=pytest.mark.covers("GL709", "pass"), id="same"),
        pytest.param("collected", Status.FAIL, marks=pytest.mark.covers("GL709", "fail"), id="other"),
    ],
)
def test_gl709_a_repository_folder_bind_mounted_in_both_services_is_one_directory(
    tmp_path: Path, static_root: str, status: Status
) -> None:
    """nginx mounts ./staticfiles at /usr/share/nginx/html/static; web mounts the repository
    at /app, so BASE_DIR/staticfiles is that folder too."""
    (tmp_path / "deploy").mkdir()
    (tmp_path / "docker-compose.yml").write_text(BIND_COMPOSE)
    (tmp_path / "deploy" / "nginx.conf").write_text(BIND_SITE)
    facts = _django(tmp_path, STATIC_ROOT=str(tmp_path / static_root), MEDIA_ROOT=str(tmp_path / "media"))
    assert facts[NginxFacts].files[0].deployment is not None
    spec = registry().get("GL709")
    assert spec is not None
    [finding] = run_check(spec, facts, {})
    assert finding.status is status
    if status is Status.FAIL:
        assert finding.location == Location(path="deploy/nginx.conf", line=5)


def test_who_faces_clients_is_read_from_the_published_ports() -> None:
    from golive.facts.compose import Service
    from golive.facts.nginx import NginxDeployment

    caddy = Service(name="caddy", file="compose.yml", image="caddy:2", ports=("80:80", "443:443"))
    web = Service(name="web", file="compose.yml", image="shop:latest")

    def front(*ports: str, siblings: tuple[Service, ...] = (caddy, web)) -> str | None:
        nginx = Service(name="nginx", file="compose.yml", image="nginx:stable", ports=ports)
        found = NginxDeployment(service=nginx, siblings=siblings).front
        return found.name if found else None

    assert front() == "caddy"
    assert front("127.0.0.1:8080:80") == "caddy"  # published on the loopback only: still internal
    assert front("8080:80") is None  # clients reach nginx directly
    assert front(siblings=(web,)) is None  # no proxy in front: nginx is the front


# --- GL631: gunicorn's trust and what nginx sends, through includes ----------------------------

GUNICORN_SITE = """\
server {
    listen 443 ssl;
    server_name shop.example.com;
    ssl_certificate /etc/ssl/certs/shop.pem;
    ssl_certificate_key /etc/ssl/private/shop.key;
    location / {
        %s
        proxy_pass http://unix:/run/gunicorn.sock;
    }
}
"""


@pytest.mark.parametrize(
    ("include", "status", "reason"),
    [
        ("proxy_set_header Host $host;", Status.FAIL, ""),
        ("include proxy_params;", Status.PASS, ""),  # Debian's proxy_params sets X-Forwarded-Proto
        (
            "include snippets/headers.conf;",
            Status.SKIPPED,
            "`include snippets/headers.conf` at deploy/shop.conf:7 is not in the repository:"
            " the X-Forwarded-Proto header nginx sends unknown",
        ),
    ],
    ids=["none", "stock", "unknown"],
)
def test_gl631_reads_what_nginx_sends_through_its_includes(
    tmp_path: Path, include: str, status: Status, reason: str
) -> None:
    from golive.facts.endpoints import gunicorn_bind
    from golive.facts.gunicorn import AppServer, GunicornFacts

    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "shop.conf").write_text(GUNICORN_SITE % include)
    gunicorn = AppServer(
        kind="gunicorn",
        found="deploy/gunicorn.conf.py",
        location=None,
        binds=(gunicorn_bind("unix:/run/gunicorn.sock"),),
        forwarded_allow_ips=("127.0.0.1",),
    )
    facts = Facts({NginxFacts: composed(tmp_path), GunicornFacts: GunicornFacts(servers=(gunicorn,))})
    spec = registry().get("GL631")
    assert spec is not None
    [finding] = run_check(spec, facts, {})
    assert (finding.status, finding.reason) == (status, reason)


# --- includes through the Compose mounts ---------------------------------------------------------

CONFD = FIXTURES / "layouts" / "compose-confd"


def discovered(project: Path, context: ComposeContext | None) -> NginxFacts:
    """What the collector audits in ``project``: discovered files not included by another."""
    inputs = not_included([(f, "discovered") for f in discover(project)], None, project, context)
    return collect_files(inputs, None, project, context)


@pytest.mark.covers("GL711", "GL713", "pass")
def test_an_absolute_include_is_followed_through_the_compose_mounts() -> None:
    """nginx.conf (mounted at /etc/nginx/nginx.conf) includes /etc/nginx/conf.d/*.conf, which
    ./docker/nginx/sites is mounted at: the site is audited inside the http block that sets
    server_tokens off and ssl_protocols."""
    facts = discovered(CONFD, ComposeContext(CONFD, {}))
    [main] = facts.files
    assert (main.path, main.kind, main.included) == (
        "docker/nginx/nginx.conf",
        "config",
        ("docker/nginx/sites/shop.conf",),
    )
    assert main.deployment is not None
    assert main.deployment.how == "docker-compose.yml service nginx mounts it at /etc/nginx/nginx.conf"
    for check_id in ("GL701", "GL711", "GL713"):
        assert [f.status for f in run(check_id, facts)] == [Status.PASS], check_id


@pytest.mark.covers("GL711", "GL713", "fail")
def test_without_the_mounts_the_site_file_is_audited_alone() -> None:
    """The same layout read without Compose: /etc/nginx/conf.d/*.conf matches nothing in the
    repository, so sites/shop.conf is a fragment whose http block golive does not see."""
    facts = discovered(CONFD, None)
    assert [f.path for f in facts.files] == ["docker/nginx/nginx.conf", "docker/nginx/sites/shop.conf"]
    site = "docker/nginx/sites/shop.conf"
    assert [f.location for f in run("GL711", facts) if f.failing] == [
        Location(path=site, line=11),
        Location(path=site, line=17),
    ]
    tls = [f for f in run("GL713", facts) if f.failing]
    assert [f.location for f in tls] == [Location(path=site, line=6), Location(path=site, line=17)]
    assert tls[1].evidence[0].startswith(f"server shop.example.com at {site}:17 listens with ssl and sets no")


def test_an_etc_nginx_include_of_a_repository_file_reads_the_repository_not_this_machine(
    tmp_path: Path,
) -> None:
    """deploy/nginx/ stands for /etc/nginx: ``include /etc/nginx/sites-enabled/*;`` reads
    deploy/nginx/sites-enabled/, never the sites-enabled/ of the machine golive runs on
    (Debian's nginx package puts its default site there)."""
    nginx = tmp_path / "deploy" / "nginx"
    (nginx / "sites-enabled").mkdir(parents=True)
    (nginx / "nginx.conf").write_text(
        "events {}\nhttp {\n    server_tokens off;\n    include /etc/nginx/sites-enabled/*;\n}\n"
    )
    (nginx / "sites-enabled" / "shop").write_text(
        "server {\n    listen 80;\n    server_name shop.example.com;\n    return 301 https://$host$request_uri;\n}\n"
    )
    facts = discovered(tmp_path, None)
    [main] = facts.files
    assert (main.path, main.included) == ("deploy/nginx/nginx.conf", ("deploy/nginx/sites-enabled/shop",))
    paths = {chain[-1].path for chain in walk((main.root,))}  # type: ignore[arg-type]
    assert paths == {"deploy/nginx/nginx.conf", "deploy/nginx/sites-enabled/shop"}


def test_compose_interpolation_keeps_what_it_does_not_know() -> None:
    from golive.facts.compose import interpolate

    env = {"DOMAIN": "shop.example.com", "EMPTY": ""}
    assert interpolate("${DOMAIN}", env) == "shop.example.com"
    assert interpolate("$DOMAIN:8000", env) == "shop.example.com:8000"
    assert interpolate("${PORT:-8000} ${EMPTY:-x} ${EMPTY-x}", env) == "8000 x "
    assert interpolate("${DOMAIN:+tls} ${MISSING:+tls}", env) == "tls "
    assert interpolate("${SECRET:?set it} ${MISSING} $$HOME", env) == "${SECRET:?set it} ${MISSING} $HOME"


def test_a_compose_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    shutil.copytree(TRAEFIK, tmp_path / "shop")
    (tmp_path / "shop" / "compose.override.yml").write_text("services:\n  nginx: [unclosed\n")
    facts = composed(tmp_path / "shop")
    [error] = facts.collector_details["compose files not read"]
    assert error.startswith("compose.override.yml: ")
    assert facts.files[0].deployment is not None  # the other Compose file still counts


@pytest.mark.covers("GL703", "GL704", "pass")
def test_an_nginx_image_built_from_the_repository_is_read_through_its_dockerfile_copies() -> None:
    """nginx/Dockerfile copies nginx.conf into /etc/nginx/conf.d and conf.d/ to
    /etc/nginx/snippets/; nginx.conf includes /etc/nginx/snippets/proxy.conf."""
    project = FIXTURES / "layouts" / "nginx-image"
    facts = discovered(project, ComposeContext(project, {}))
    [site] = facts.files
    assert (site.path, site.included, site.includes) == ("nginx/nginx.conf", ("nginx/conf.d/proxy.conf",), ())
    assert site.deployment is not None
    assert site.deployment.how == (
        "docker-compose.prod.yml service nginx copies it to /etc/nginx/conf.d/nginx.conf in its image"
    )
    for check_id in ("GL703", "GL704"):
        assert [f.status for f in run(check_id, facts)] == [Status.PASS], check_id


UPLOADS = """\
server {
    listen 80;
    server_name shop.example.com;
    location /media/ {
        %s
        alias /srv/shop/media/;
    }
    location / {
        proxy_pass http://127.0.0.1:8000;
    }
}
"""


@pytest.mark.parametrize(
    ("typing", "status"),
    [
        pytest.param("types { }\n        default_type text/plain;", Status.PASS, id="text-plain"),
        pytest.param(
            "types { }\n        default_type application/octet-stream;", Status.PASS, id="octet-stream"
        ),
        pytest.param("default_type text/plain;", Status.FAIL, id="types-inherited"),
        pytest.param(
            "types { text/html html; }\n        default_type text/plain;", Status.FAIL, id="html-typed"
        ),
    ],
)
def test_gl708_media_typed_as_plain_text_needs_no_nosniff(
    tmp_path: Path, typing: str, status: Status
) -> None:
    """Uploads served with an empty types map and an inert default type are never sniffed as
    HTML; a types map in force (the http block's mime.types) or one naming HTML still is."""
    site = tmp_path / "site.conf"
    site.write_text(UPLOADS % typing)
    [finding] = run("GL708", collect_files([(site, "given")], None, tmp_path))
    assert finding.status is status
    if status is Status.FAIL:
        assert (finding.subjects, finding.location) == (
            ("add_header", "X-Content-Type-Options"),
            Location(path="site.conf", line=4),
        )


GENERATED = """\
upstream app {
    include /run/shop/upstream.conf;
}
server {
    listen 443 ssl;
    server_name shop.example.com;
    ssl_certificate /etc/ssl/certs/shop.pem;
    ssl_certificate_key /etc/ssl/private/shop.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    server_tokens off;
    location /static/ {
        include snippets/cache.conf;
        alias /srv/shop/static/;
    }
    location / {
        include /run/shop/uwsgi_pass.conf;
        include uwsgi_params;
    }
}
"""


@pytest.mark.covers("GL703", "GL704", "pass")
def test_a_location_whose_pass_an_entrypoint_writes_at_start_up_is_unknown_not_pass(tmp_path: Path) -> None:
    """The pass itself is in a file the container's entrypoint writes (/run/...): what nginx
    sends the app is unknown; the static location that includes a snippet is not in doubt."""
    site = tmp_path / "site.conf"
    site.write_text(GENERATED)
    facts = collect_files([(site, "given")], None, tmp_path)
    assert [(n.pattern, n.how) for n in facts.files[0].includes] == [
        ("/run/shop/upstream.conf", "unknown"),
        ("snippets/cache.conf", "unknown"),
        ("/run/shop/uwsgi_pass.conf", "unknown"),
        ("uwsgi_params", "stock"),
    ]
    for check_id, what in (
        ("GL704", "the X-Forwarded-Proto header it sends"),
        ("GL703", "the Host header it sends"),
    ):
        [finding] = run(check_id, facts)
        assert (finding.status, finding.location) == (Status.SKIPPED, Location(path="site.conf", line=16))
        assert finding.reason == (
            "`include /run/shop/uwsgi_pass.conf` at site.conf:16 is not in the repository: whether"
            f" location / {{…}} passes requests to the app, and {what}, unknown"
        )


def test_a_dockerfile_copying_several_files_into_etc_nginx_places_each(tmp_path: Path) -> None:
    """``COPY uwsgi_params nginx/nginx.conf /etc/nginx/`` (several sources: each goes into the
    folder); the compose service builds it from the repository root with Dockerfile.nginx."""
    (tmp_path / "nginx").mkdir()
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  nginx:\n    build:\n      context: ./\n      dockerfile: Dockerfile.nginx\n"
        "    ports:\n      - 8080:8080\n"
    )
    (tmp_path / "Dockerfile.nginx").write_text(
        "FROM nginx:alpine AS build\nFROM nginx:alpine\nCOPY uwsgi_params nginx/nginx.conf /etc/nginx/\n"
    )
    (tmp_path / "uwsgi_params").write_text("uwsgi_param HTTP_X_FORWARDED_PROTO $scheme;\n")
    (tmp_path / "nginx" / "nginx.conf").write_text(
        "events {}\nhttp {\n    server {\n        listen 8080;\n        location / {\n"
        "            uwsgi_pass unix:/run/uwsgi.sock;\n            include /etc/nginx/uwsgi_params;\n"
        "        }\n    }\n}\n"
    )
    facts = discovered(tmp_path, ComposeContext(tmp_path, {}))
    [main] = facts.files
    assert main.deployment is not None
    assert (
        main.deployment.how
        == "docker-compose.yml service nginx copies it to /etc/nginx/nginx.conf in its image"
    )
    assert (main.included, main.includes) == (("uwsgi_params",), ())
    assert [f.status for f in run("GL704", facts)] == [Status.PASS]


OFFICIAL_SITE = """\
server {
    listen 443 ssl;
    server_name shop.example.com;
    ssl_certificate /etc/nginx/certs/fullchain.pem;
    ssl_certificate_key /etc/nginx/certs/privkey.pem;
    server_tokens off;
    location / {
        proxy_pass http://web:8000;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-Proto $scheme;
    }
}
"""


@pytest.mark.parametrize(
    ("image", "status"),
    [
        pytest.param("nginx:1.27-alpine", Status.PASS, marks=pytest.mark.covers("GL713", "pass"), id="1.27"),
        pytest.param("nginx:stable-alpine3.20-slim", Status.PASS, id="floating"),
        pytest.param("nginx:1.21.6", Status.FAIL, marks=pytest.mark.covers("GL713", "fail"), id="1.21"),
        pytest.param("bitnami/nginx:1.27", Status.FAIL, id="another-image"),
    ],
)
def test_gl713_a_site_file_in_the_official_image_inherits_nginxs_own_default(
    tmp_path: Path, image: str, status: Status
) -> None:
    """The official image's nginx.conf sets no ssl_protocols; nginx 1.23.4 and later default
    to TLSv1.2 TLSv1.3, older releases (and other images' nginx.conf) to TLSv1 TLSv1.1 too."""
    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "shop.conf").write_text(OFFICIAL_SITE)
    (tmp_path / "docker-compose.yml").write_text(
        f"services:\n  nginx:\n    image: {image}\n    ports: ['443:443']\n"
        "    volumes:\n      - ./nginx:/etc/nginx/conf.d:ro\n"
    )
    [finding] = run("GL713", composed(tmp_path))
    assert finding.status is status


def test_an_env_file_that_is_not_utf8_costs_its_values_only(tmp_path: Path) -> None:
    # A Compose .env in latin-1 must not raise out of the nginx collector (it lost the layer).
    from golive.collectors.nginx.context import _dotenv

    (tmp_path / ".env").write_bytes(b"NGINX_HOST=caf\xe9.example\n")
    (tmp_path / "ok.env").write_text("NGINX_HOST=shop.example\n")
    assert _dotenv(tmp_path / ".env", tmp_path) == {}
    assert _dotenv(tmp_path / "ok.env", tmp_path) == {"NGINX_HOST": "shop.example"}
