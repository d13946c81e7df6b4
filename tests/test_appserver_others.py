"""Other servers (issue 12, part C, "Others"): granian, waitress and mod_wsgi-express are found in the
same commands as gunicorn and their production options judged by the shared rules (GL611–GL616);
Traefik and Caddy configurations are read by the front proxy collector, no longer named as not audited.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_gunicorn import collected, context, run

from golive.collectors import project
from golive.collectors.appservers import gunicorn, unaudited, uwsgi_collector
from golive.model import Location, Status


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


@pytest.mark.covers("GL612", "GL613", "GL616", "fail")
def test_granian_waitress_and_mod_wsgi_options(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "Procfile": (
                "web: granian --interface wsgi --host 0.0.0.0 --port 8000 --workers 1 --reload"
                " shop.wsgi:application\n"
                "alt: waitress-serve --listen=0.0.0.0:8080 --trusted-proxy='*'"
                " --trusted-proxy-headers='x-forwarded-proto' shop.wsgi:application\n"
                "old: mod_wsgi-express start-server shop/wsgi.py --port 8002 --reload-on-changes\n"
            )
        },
    )
    facts = collected(tmp_path)
    servers = facts[gunicorn.GunicornFacts].servers
    assert [(s.kind, [str(b) for b in s.binds], s.workers, s.reload) for s in servers] == [
        ("granian", ["0.0.0.0:8000"], 1, True),
        ("waitress-serve", ["0.0.0.0:8080"], None, False),
        ("mod_wsgi-express", ["0.0.0.0:8002"], None, True),
    ]
    reload = [(f.subjects, f.location) for f in run("GL612", facts) if f.failing]
    assert reload == [
        (("--reload",), Location(path="Procfile", line=1)),
        (("--reload-on-changes",), Location(path="Procfile", line=3)),
    ]
    [workers] = [f for f in run("GL613", facts) if f.failing]
    assert (workers.location, workers.evidence) == (
        Location(path="Procfile", line=1),
        ("granian --workers 1",),
    )
    [trust] = [f for f in run("GL616", facts) if f.failing]
    assert trust.evidence == (
        "waitress-serve --trusted-proxy '*': waitress-serve --listen=0.0.0.0:8080 --trusted-proxy='*'"
        " --trusted-proxy-headers='x-forwarded-proto' shop.wsgi:application",
        "and it listens on 0.0.0.0:8080, which other hosts can reach",
    )


@pytest.mark.covers("GL612", "GL613", "GL616", "pass")
def test_granian_and_waitress_configured_for_production(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "Procfile": (
                "web: granian --interface wsgi --host 127.0.0.1 --workers 5 shop.wsgi:application\n"
                "alt: waitress-serve --listen=127.0.0.1:8080 --trusted-proxy=127.0.0.1"
                " --trusted-proxy-headers=x-forwarded-proto shop.wsgi:application\n"
            )
        },
    )
    facts = collected(tmp_path)
    assert {c: [f.status for f in run(c, facts)] for c in ("GL612", "GL613", "GL616")} == {
        c: [Status.PASS] for c in ("GL612", "GL613", "GL616")
    }


def test_traefik_and_caddy_are_read_by_the_front_proxy_collector(tmp_path: Path) -> None:
    """No longer "not audited yet": golive.collectors.proxies reads them (tests/test_front_proxy.py)."""
    from golive.collectors import proxies

    write(
        tmp_path,
        {
            "traefik/traefik.yml": "entryPoints:\n  web:\n    address: ':80'\n",
            "docker-compose.yml": "services:\n  proxy:\n    image: traefik:v3.1\n  web:\n    image: shop\n",
        },
    )
    assert unaudited.collect(context(tmp_path)) == unaudited.UnauditedFacts()
    assert proxies.collect(context(tmp_path)).files == (
        "docker-compose.yml (Traefik: compose service)",
        "traefik/traefik.yml (Traefik static configuration)",
    )


def test_platform_manifests_are_process_commands(tmp_path: Path) -> None:
    """An Oscar-sandbox-like Heroku app (written for this test): heroku.yml builds the Dockerfile
    and runs uWSGI from its WORKDIR; fly.toml and render.yaml name their commands too."""
    write(
        tmp_path,
        {
            "heroku.yml": (
                "build:\n  docker:\n    web: Dockerfile\nrun:\n  web: uwsgi --ini uwsgi.ini --http 0:$PORT\n"
            ),
            "Dockerfile": "FROM python:3.12\nCOPY . /app\nWORKDIR /app/sandbox/\nCMD uwsgi --ini uwsgi.ini\n",
            "sandbox/uwsgi.ini": "[uwsgi]\nprocesses = 2\nmaster = true\nharakiri = 30\n",
            "fly.toml": 'app = "shop"\n[processes]\napp = "gunicorn shop.wsgi --bind 0.0.0.0:8000"\n',
            "render.yaml": "services:\n  - type: web\n    name: shop\n    startCommand: gunicorn shop.wsgi\n",
        },
    )
    facts = project.collect(context(tmp_path))
    assert [(c.origin, str(c.location), c.command, c.dockerfile, c.cwd) for c in facts.commands] == [
        ("Dockerfile CMD", "Dockerfile:4", "uwsgi --ini uwsgi.ini", "Dockerfile", "/app/sandbox/"),
        ("fly.toml processes", "fly.toml:3", "gunicorn shop.wsgi --bind 0.0.0.0:8000", None, None),
        (
            "heroku.yml run",
            "heroku.yml:5",
            "uwsgi --ini uwsgi.ini --http 0:$PORT",
            "Dockerfile",
            "/app/sandbox/",
        ),
        ("render.yaml startCommand", "render.yaml:4", "gunicorn shop.wsgi", None, None),
    ]
    [instance] = uwsgi_collector.collect(context(tmp_path)).instances  # heroku.yml replaces the CMD
    assert (instance.found, instance.files) == ("heroku.yml run (heroku.yml:5)", ("sandbox/uwsgi.ini",))


def test_heroku_does_not_run_containers_as_root(tmp_path: Path) -> None:
    """Heroku runs a heroku.yml process without root privileges whatever the image's USER
    (https://devcenter.heroku.com/articles/container-registry-and-runtime#dockerfile-commands-and-runtime)."""
    write(
        tmp_path,
        {
            "heroku.yml": (
                "build:\n  docker:\n    web: Dockerfile\n"
                "run:\n  web: gunicorn shop.wsgi --bind 0.0.0.0:$PORT\n"
            ),
            "Dockerfile": 'FROM python:3.12\nCOPY . /app\nCMD ["gunicorn", "shop.wsgi"]\n',
        },
    )
    facts = collected(tmp_path)
    heroku = next(s for s in facts[gunicorn.GunicornFacts].servers if s.found.startswith("heroku.yml"))
    assert (heroku.run_as, heroku.run_as_default) == (None, "")
