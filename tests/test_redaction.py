"""Secrets in command lines and configuration text are redacted when the fact is made
(issue 9, item 1).

A Procfile ``--env STRIPE_SECRET_KEY=...``, a Dockerfile ``CMD`` with ``-e API_TOKEN=...``,
a compose ``command:`` with a broker URL's password, a systemd ``ExecStart`` with
``--password`` and ``Environment=``, gunicorn's ``raw_env`` and an nginx
``proxy_set_header Authorization "Basic ..."`` were copied verbatim into facts, and from
there into evidence (GL530 quotes the process manager's command). Each collector now
passes raw text through :mod:`golive.redact`; the tests read the facts the real
collectors build from real files, and the evidence of a real audit.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import audit_project

from golive.collectors import nginx, project
from golive.collectors.appservers import gunicorn
from golive.context import AuditOptions, resolve
from golive.model import Status


def canary(label: str) -> str:
    return f"{label}{secrets.token_hex(12)}"


@pytest.fixture
def planted(make_project: Callable[..., Path]) -> tuple[Path, dict[str, str]]:
    c = {
        name: canary(name)
        for name in ("stripe", "broker", "token", "compose", "unit", "unitenv", "rawenv", "basic", "option")
    }
    root = make_project(
        files={
            "Procfile": (
                f"web: gunicorn site_conf.wsgi --bind 127.0.0.1:8000 --env STRIPE_SECRET_KEY={c['stripe']}\n"
                f"worker: celery -A shop worker --broker amqp://shop:{c['broker']}@rabbit:5672//\n"
            ),
            "Dockerfile": (
                "FROM python:3.12\n"
                'CMD ["gunicorn", "site_conf.wsgi", "-b", "127.0.0.1:8000",'
                f' "-e", "API_TOKEN={c["token"]}"]\n'
            ),
            "docker-compose.yml": (
                "services:\n  worker:\n"
                f"    command: celery -A shop worker --broker redis://:{c['compose']}@cache:6379/0\n"
                "  web:\n    command: gunicorn -c gunicorn.conf.py site_conf.wsgi\n"
            ),
            "deploy/shop-worker.service": (
                "[Service]\n"
                f'Environment="DB_PASSWORD={c["unitenv"]}"\n'
                f"ExecStart=/usr/bin/celery -A shop worker --password {c['unit']} --api-key={c['option']}\n"
            ),
            "gunicorn.conf.py": f'raw_env = ["DJANGO_API_TOKEN={c["rawenv"]}"]\n',
            "deploy/nginx/shop.conf": (
                "server {\n    listen 80;\n    server_name shop.example.com;\n"
                "    location / {\n"
                f'        proxy_set_header Authorization "Basic {c["basic"]}";\n'
                "        proxy_pass http://127.0.0.1:8000;\n    }\n}\n"
            ),
        }
    )
    return root, c


def leaked(text: str, values: dict[str, str]) -> list[str]:
    return [name for name, value in values.items() if value in text or value[-12:] in text]


def test_command_lines_are_redacted_in_the_project_facts(planted: tuple[Path, dict[str, str]]) -> None:
    root, c = planted
    facts = project.collect(resolve(AuditOptions(project_dir=root)))
    commands = {(cmd.origin, str(cmd.location)): cmd.command for cmd in facts.commands}
    assert commands == {
        (
            "Procfile",
            "Procfile:1",
        ): "gunicorn site_conf.wsgi --bind 127.0.0.1:8000 --env STRIPE_SECRET_KEY=***",
        ("Procfile", "Procfile:2"): "celery -A shop worker --broker amqp://shop:***@rabbit:5672//",
        ("Dockerfile CMD", "Dockerfile:2"): "gunicorn site_conf.wsgi -b 127.0.0.1:8000 -e API_TOKEN=***",
        ("docker-compose command", "docker-compose.yml:3"): (
            "celery -A shop worker --broker redis://:***@cache:6379/0"
        ),
        ("docker-compose command", "docker-compose.yml:5"): "gunicorn -c gunicorn.conf.py site_conf.wsgi",
        ("systemd ExecStart", "deploy/shop-worker.service:3"): (
            "/usr/bin/celery -A shop worker --password *** --api-key=***"
        ),
    }
    assert leaked(repr(facts), c) == []


def test_gunicorn_and_nginx_facts_hold_no_secret(planted: tuple[Path, dict[str, str]]) -> None:
    root, c = planted
    ctx = resolve(AuditOptions(project_dir=root))
    servers = gunicorn.collect(ctx).servers
    assert sorted((s.kind, s.command) for s in servers) == [
        ("gunicorn", "gunicorn -c gunicorn.conf.py site_conf.wsgi"),
        ("gunicorn", "gunicorn site_conf.wsgi --bind 127.0.0.1:8000 --env STRIPE_SECRET_KEY=***"),
        ("gunicorn", "gunicorn site_conf.wsgi -b 127.0.0.1:8000 -e API_TOKEN=***"),
    ]
    assert sorted(tuple(s.setting("raw_env")) for s in servers) == [
        ("API_TOKEN=***",),
        ("DJANGO_API_TOKEN=***",),
        ("STRIPE_SECRET_KEY=***",),
    ]
    web = nginx.collect(ctx)
    root_node = web.parsed[0].root
    assert root_node is not None
    found = []
    stack = [root_node]
    while stack:
        node = stack.pop()
        if node.name == "proxy_set_header":
            found.append(node.text())
        stack.extend(node.children or ())
    assert found == ["proxy_set_header Authorization 'Basic ***';"]
    assert leaked(repr(servers) + repr(web), c) == []


def test_evidence_quotes_the_redacted_command(planted: tuple[Path, dict[str, str]]) -> None:
    root, c = planted
    audit = audit_project(root)
    gl530 = [f for f in audit.findings if f.id == "GL530"]
    assert [f.status for f in gl530] == [Status.PASS]
    assert (
        "collected by the process manager: Procfile at Procfile:1:"
        " gunicorn site_conf.wsgi --bind 127.0.0.1:8000 --env STRIPE_SECRET_KEY=***"
    ) in gl530[0].evidence
    everything = repr(audit.findings) + repr(audit.collectors)
    assert leaked(everything, c) == []


def test_the_redaction_function_keeps_the_rest_readable() -> None:
    from golive import redact

    assert redact.redact_text("gunicorn app.wsgi --env DEBUG=0 --bind 0.0.0.0:8000") == (
        "gunicorn app.wsgi --env DEBUG=0 --bind 0.0.0.0:8000"
    )
    assert redact.redact_text('docker run -e "API_TOKEN=a b" -e PATH=/usr/bin img') == (
        'docker run -e "API_TOKEN=***" -e PATH=/usr/bin img'
    )
    assert redact.redact_words(["--env", "SECRET_KEY=a b", "--password", "pw", "--bind", "x"]) == (
        "--env",
        "SECRET_KEY=***",
        "--password",
        "***",
        "--bind",
        "x",
    )
    assert redact.redact_text("https://example.com/@team postgres://app:abc/def@db:5432/app") == (
        "https://example.com/@team postgres://app:***@db:5432/app"
    )


def test_a_url_password_holding_a_slash_is_redacted_in_the_source_facts(
    make_project: Callable[..., Path],
) -> None:
    from golive.collectors import source

    project = make_project(
        production="""
            CELERY_BROKER_URL = "postgres://app:abc/def@db:5432/app"
            CELERY_RESULT_BACKEND = os.environ.get("RESULTS_URL", "redis://:pw/with/slashes@cache:6379/1")
            DEPLOY_COMMAND = "gunicorn site_conf.wsgi --env STRIPE_SECRET_KEY=sk-abcdefgh12345678"
        """
    )
    facts = source.collect(resolve(AuditOptions(project_dir=project)))
    broker = facts.last("CELERY_BROKER_URL")
    assert broker is not None and broker.secret is not None
    assert (broker.value, broker.secret.length) == ("postgres://app:***@db:5432/app", len("abc/def"))
    results = facts.last("CELERY_RESULT_BACKEND")
    assert results is not None and results.secret is not None
    assert (results.default, results.secret.length) == ("redis://:***@cache:6379/1", len("pw/with/slashes"))
    command = facts.last("DEPLOY_COMMAND")
    assert command is not None
    assert command.value == "gunicorn site_conf.wsgi --env STRIPE_SECRET_KEY=***"
    for fragment in ("abc", "def@", "pw/with", "abcdefgh12345678"):
        assert fragment not in repr(facts)


def test_published_tokens_are_redacted_wherever_they_stand() -> None:
    from golive import redact

    text = 'x AKIAABCDEFGHIJKLMNOP y "K=ghp_' + "a" * 36 + '" --key=sk_live_' + "b" * 24
    assert redact.redact_text(text) == 'x *** y "K=***" --key=***'


def test_nginx_variables_are_no_secret() -> None:
    from golive.redact_nginx import redact_directive

    assert redact_directive("proxy_set_header", ["Authorization", "$http_authorization"]) == (
        "Authorization",
        "$http_authorization",
    )
    assert redact_directive("proxy_set_header", ["Authorization", 'Bearer "x y"']) == (
        "Authorization",
        "Bearer ***",
    )
    assert redact_directive("set", ["$api_token", "abc123"]) == ("$api_token", "***")
    assert redact_directive("map", ["$arg_token", "$token_ok"]) == ("$arg_token", "$token_ok")


def test_credentials_quoted_without_their_scheme_are_redacted_in_any_text() -> None:
    """Tools quote a URL's authority without its scheme (nginx: ``invalid port in upstream
    "user:password@host:8000"``; Python: ``invalid literal for int(): 'app:pw@db:5432'``):
    ``user:password@host`` loses its password wherever it stands. Without the colon before
    the ``@`` it is an address (``ann@example.com``, ``git@github.com:org/repo``), kept."""
    from golive import redact

    password = canary("pw")
    for raw, redacted in (
        (
            f'invalid port in upstream "admin:{password}@backend:8000" in /x.conf:4',
            ('invalid port in upstream "admin:***@backend:8000" in /x.conf:4'),
        ),
        (
            f"invalid literal for int() with base 10: 'app:{password}@db:5432'",
            ("invalid literal for int() with base 10: 'app:***@db:5432'"),
        ),
        (
            f"could not connect to app:{password}/x=@db.internal/app",
            "could not connect to app:***@db.internal/app",
        ),
        (f"--bind=app:{password}@[::1]:8000 DB=:{password}@cache", "--bind=app:***@[::1]:8000 DB=:***@cache"),
    ):
        assert redact.redact_text(raw) == redacted
        assert redact.redact_text(redacted) == redacted
        assert password not in redact.scrub(raw, ())
    for kept in (
        "mail ann@example.com or <bob@example.org>, 'carol@example.net'",
        "git clone git@github.com:org/repo.git; ssh deploy@10.0.0.1:22",
        "image: python:3.12@sha256:" + "ab" * 32,
        "mailto:ann@example.com at 10:30 on host:8000",
        "https://example.com/@team user:@host",
    ):
        assert redact.redact_text(kept) == kept
