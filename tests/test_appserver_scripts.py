"""Application servers on real layouts (issue 12, part C): start scripts, Dockerfile names, systemd
paths, supervisord programs.

Each layout under ``tests/fixtures/appservers/`` is drawn from a common real one (written for
these tests): ``cookiecutter`` (compose ``command: /start``, the Dockerfile ``COPY``ing
``compose/production/django/start`` to ``/start``, an entrypoint ending in ``exec "$@"``, a
local/development twin), ``bootsh`` (a multi-stage ``Dockerfile.prod`` whose final stage runs
``./boot.sh``), ``vps`` (a systemd unit naming ``/etc/shop/gunicorn.py``, a supervisord program),
``s6`` (an s6-overlay ``run`` script). They are collected for real: gunicorn's own loader builds
each configuration.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from msgspec.structs import replace
from test_gunicorn import collected, context, run

from golive.collectors import CollectorError, project
from golive.collectors.appservers import gunicorn, scripts
from golive.context import AuditOptions
from golive.model import Confidence, Location, Status

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "appservers"


def servers(folder: str) -> list[gunicorn.AppServer]:
    return list(gunicorn.collect(context(FIXTURES / folder)).servers)


# --- the shell reader --------------------------------------------------------------------------


def test_script_lines_are_read_as_a_shell_splits_them() -> None:
    text = (
        "#!/bin/sh\n"
        "set -e\n"
        "export PORT=8000 WEB_CONCURRENCY=3\n"
        ": ${TIMEOUT:=45}\n"
        "umask 0002\n"
        "cd /srv/app && python manage.py migrate --noinput  # first\n"
        "cat > /tmp/x <<EOF\n"
        "gunicorn not.a.command\n"
        "EOF\n"
        'if [ "$DEBUG" = 1 ]; then exec python manage.py runserver; else\n'
        "  exec gunicorn app.wsgi --workers $(nproc) \\\n"
        "     --bind 0.0.0.0:$PORT 2>&1 | tee /var/log/app.log; fi\n"
    )
    found = [(c.line, c.words, c.umask, c.cwd) for c in scripts.read_script(text)]
    assert found == [
        (2, ("set", "-e"), None, None),
        (6, ("python", "manage.py", "migrate", "--noinput"), "0002", "/srv/app"),
        (7, ("cat",), "0002", "/srv/app"),
        (10, ("[", "$DEBUG", "=", "1", "]"), "0002", "/srv/app"),
        (10, ("exec", "python", "manage.py", "runserver"), "0002", "/srv/app"),
        (
            11,
            ("exec", "gunicorn", "app.wsgi", "--workers", "${__golive_subst}", "--bind", "0.0.0.0:$PORT"),
            "0002",
            "/srv/app",
        ),
        (11, ("tee", "/var/log/app.log"), "0002", "/srv/app"),
    ]
    gunicorn_line = scripts.read_script(text)[-2]
    assert dict(gunicorn_line.env) == {"PORT": "8000", "WEB_CONCURRENCY": "3", "TIMEOUT": "45"}


def test_a_long_word_is_split_in_linear_time() -> None:
    word = "a" * 1_000_000
    assert scripts.words(f"exec gunicorn --bind {word} app.wsgi") == [
        "exec",
        "gunicorn",
        "--bind",
        word,
        "app.wsgi",
    ]


# --- start scripts: cookiecutter-django's layout ----------------------------------------------


def test_compose_command_is_followed_into_the_script_the_dockerfile_copies() -> None:
    [server] = servers("cookiecutter")
    assert server.found == (
        "start script (compose/production/django/start:11), run by docker-compose command"
        " (production.yml:11); copied to /start by compose/production/django/Dockerfile;"
        " --chdir /app read as the repository's ."
    )
    assert [str(b) for b in server.binds] == ["0.0.0.0:5000"]
    assert (server.workers, server.sources["workers"]) == (
        4,
        "WEB_CONCURRENCY in the environment it declares",
    )
    assert (server.setting("timeout"), server.sources["timeout"]) == (0, "GUNICORN_CMD_ARGS")
    assert (server.process_umask, server.process_umask_at) == (
        "0",
        Location(path="compose/production/django/start", line=7),
    )


@pytest.mark.covers("GL615", "GL622", "fail")
def test_the_start_scripts_timeout_and_umask_are_judged() -> None:
    facts = collected(FIXTURES / "cookiecutter")
    [timeout] = [f for f in run("GL615", facts) if f.failing]
    assert (timeout.subjects, timeout.location, timeout.evidence) == (
        ("timeout",),
        Location(path="compose/production/django/start", line=11),
        ("timeout = 0 (GUNICORN_CMD_ARGS): workers are never killed",),
    )
    [umask] = [f for f in run("GL622", facts) if f.failing]
    assert (umask.subjects, umask.location) == (
        ("umask",),
        Location(path="compose/production/django/start", line=7),
    )
    assert umask.evidence == (
        "umask 0 (compose/production/django/start:7) before gunicorn (compose/production/django/start:11)",
        "directories it creates are mode 0777, files 0666 (upload directories when"
        " FILE_UPLOAD_DIRECTORY_PERMISSIONS is unset, logs, SQLite files)",
    )


@pytest.mark.covers("GL601", "pass")
def test_the_development_twin_is_left_out() -> None:
    facts = project.collect(context(FIXTURES / "cookiecutter"))
    shown = [(c.origin, str(c.location)) for c in facts.commands]
    assert ("start script", "compose/local/django/start:4") not in shown
    assert ("start script", "compose/production/django/start:8") in shown  # manage.py collectstatic
    assert [f.status for f in run("GL601", collected_project(FIXTURES / "cookiecutter"))] == [Status.PASS]
    assert facts.unread == ()


def collected_project(folder: Path) -> object:
    from golive.registry import Facts

    return Facts({project.ProjectFacts: project.collect(context(folder))}, context=context(folder))


@pytest.mark.covers("GL601", "fail")
def test_runserver_in_a_production_start_script(tmp_path: Path) -> None:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "entrypoint.sh").write_text(
        "#!/bin/sh\npython manage.py migrate\nexec python manage.py runserver 0.0.0.0:8000\n"
    )
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12\nWORKDIR /code\nCOPY . /code/\nENTRYPOINT ["/code/docker/entrypoint.sh"]\n'
    )
    [finding] = [f for f in run("GL601", collected_project(tmp_path)) if f.failing]
    assert finding.location == Location(path="docker/entrypoint.sh", line=3)
    assert finding.evidence == ("start script: exec python manage.py runserver 0.0.0.0:8000",)


# --- Dockerfile names and stages ---------------------------------------------------------------


@pytest.mark.covers("GL615", "GL622", "pass")
def test_dockerfile_prod_final_stage_runs_boot_sh() -> None:
    facts = collected(FIXTURES / "bootsh")
    [server] = facts[gunicorn.GunicornFacts].servers
    assert server.found == (
        "start script (boot.sh:12), run by Dockerfile ENTRYPOINT (Dockerfile.prod:15); copied to"
        " /home/microblog/boot.sh by Dockerfile.prod"
    )
    assert ([str(b) for b in server.binds], server.setting("timeout"), server.process_umask) == (
        [":5000"],
        30,
        "0027",
    )
    assert [f.status for f in run("GL615", facts)] == [Status.PASS]
    assert [f.status for f in run("GL622", facts)] == [Status.PASS]


@pytest.mark.parametrize("name", ["Dockerfile.worker", "web.Dockerfile", "Containerfile", "Dockerfile-prod"])
def test_dockerfile_variants_are_files(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text('FROM python:3.12\nCMD ["gunicorn", "--workers", "2", "x.wsgi"]\n')
    [cmd] = project.collect(context(tmp_path)).commands
    assert (cmd.origin, cmd.location, cmd.argv) == (
        "Dockerfile CMD",
        Location(path=name, line=2),
        ("gunicorn", "--workers", "2", "x.wsgi"),
    )


def test_an_unreadable_dockerfile_or_missing_script_is_reported(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile.prod").write_bytes(b"FROM python\n\xff\xfe CMD x\n")
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  web:\n    image: shop\n    command: /start-web.sh\n"
    )
    facts = project.collect(context(tmp_path))
    assert facts.unread == (
        "Dockerfile.prod: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 12: invalid"
        " start byte",
        "docker-compose command (docker-compose.yml:4) runs /start-web.sh: /start-web.sh is neither copied"
        " there by a Dockerfile nor a file of the repository: not audited",
    )
    assert facts.collector_details == {"notes": list(facts.unread)}


# --- systemd, supervisord, s6 ------------------------------------------------------------------


@pytest.mark.covers("GL622", "fail")
def test_systemd_config_path_maps_to_the_repository_and_supervisord_umask() -> None:
    facts = collected(FIXTURES / "vps")
    unit, program = facts[gunicorn.GunicornFacts].servers
    assert unit.found == (
        "systemd ExecStart (deploy/shop.service:10); /etc/shop/gunicorn.py does not exist here: read the"
        " repository's deploy/gunicorn.py, the file of that name"
    )
    assert (unit.config_file, unit.setting("timeout"), unit.where("timeout")) == (
        "deploy/gunicorn.py",
        600,
        Location(path="deploy/gunicorn.py", line=4),
    )
    assert (program.found, [str(b) for b in program.binds], program.workers) == (
        "supervisord command (deploy/supervisor/shop-worker.conf:2)",
        ["127.0.0.1:8001"],
        2,
    )
    [umask] = [f for f in run("GL622", facts) if f.failing]
    assert umask.location == Location(path="deploy/supervisor/shop-worker.conf", line=5)


def test_secrets_of_units_and_programs_stay_out_of_the_facts() -> None:
    facts = project.collect(context(FIXTURES / "vps"))
    text = repr(facts)
    assert "s3cr3t" not in text and "pa55word" not in text
    program = next(c for c in facts.commands if c.origin == "supervisord command" and "gunicorn" in c.command)
    assert dict(program.env) == {
        "DJANGO_SETTINGS_MODULE": "shop.settings.production",
        "DATABASE_URL": "postgres://shop:***@db/shop",
    }


def test_script_secrets_are_redacted(tmp_path: Path) -> None:
    (tmp_path / "start.sh").write_text(
        "#!/bin/sh\nexport API_TOKEN=abc123abc123\nexec gunicorn x.wsgi --env STRIPE_SECRET_KEY=sk_live_zzz\n"
    )
    (tmp_path / "Procfile").write_text("web: sh start.sh\n")
    facts = project.collect(context(tmp_path))
    [cmd] = [c for c in facts.commands if c.origin == "start script"]
    assert cmd.argv == ("exec", "gunicorn", "x.wsgi", "--env", "STRIPE_SECRET_KEY=***")
    assert "abc123" not in repr(facts) and "sk_live" not in repr(facts)


def test_s6_run_script() -> None:
    [server] = servers("s6")
    assert (
        server.found
        == "start script (docker/s6/services.d/web/run:4), run by s6 service (docker/s6/services.d/web/run)"
    )
    assert ([str(b) for b in server.binds], server.reload, server.process_umask) == (
        ["0.0.0.0:8000"],
        True,
        "022",
    )


# --- --gunicorn SCRIPT --------------------------------------------------------------------------


def test_gunicorn_option_takes_a_start_script(tmp_path: Path) -> None:
    script = FIXTURES / "bootsh" / "boot.sh"
    ctx = context(tmp_path)
    ctx = replace(ctx, options=AuditOptions(project_dir=tmp_path, gunicorn=(script,)))
    [server] = gunicorn.collect(ctx).servers
    assert (server.kind, server.setting("timeout"), [str(b) for b in server.binds]) == (
        "gunicorn",
        30,
        [":5000"],
    )
    assert server.found.startswith("start script (")


def test_gunicorn_option_with_a_script_that_runs_no_gunicorn(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\necho hello\n")
    ctx = context(tmp_path)
    ctx = replace(ctx, options=AuditOptions(project_dir=tmp_path, gunicorn=(script,)))
    with pytest.raises(CollectorError) as exc:
        gunicorn.collect(ctx)
    assert str(exc.value) == (
        "--gunicorn run.sh: neither a gunicorn config file (.py) nor a start script or supervisord file"
        " that runs gunicorn"
    )


def test_runserver_as_the_other_branch_of_a_production_start(tmp_path: Path) -> None:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "entrypoint.sh").write_text(
        "#!/bin/sh\n"
        'if [ "$DJANGO_DEBUG" = "1" ]; then\n'
        "    exec python manage.py runserver 0.0.0.0:8000\n"
        "else\n"
        "    exec gunicorn shop.wsgi --bind 0.0.0.0:8000\n"
        "fi\n"
        'case "$1" in\n'
        "  dev) python manage.py runserver ;;\n"
        "  *) exec gunicorn shop.wsgi ;;\n"
        "esac\n"
        "python manage.py runserver 0.0.0.0:9000\n"
    )
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12\nCOPY . /app\nENTRYPOINT ["/app/docker/entrypoint.sh"]\n'
    )
    facts = project.collect(context(tmp_path))
    assert [(str(c.location), c.command) for c in facts.commands if c.origin == "start script"] == [
        ("docker/entrypoint.sh:5", "exec gunicorn shop.wsgi --bind 0.0.0.0:8000"),
        ("docker/entrypoint.sh:9", "*) exec gunicorn shop.wsgi ;;"),
        ("docker/entrypoint.sh:11", "python manage.py runserver 0.0.0.0:9000"),
    ]


# --- who the process runs as (GL623) ------------------------------------------------------------


def gl623(folder: Path) -> list[tuple[str, tuple[str, ...], Location | None, tuple[str, ...], object]]:
    found = run("GL623", collected(folder))
    rows = [(f.status.value, f.subjects, f.location, f.evidence, f.confidence) for f in found]
    return sorted(rows, key=lambda f: str(f[2]))


@pytest.mark.covers("GL623", "fail")
def test_a_server_started_as_root(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "Dockerfile").write_text(
        'FROM python:3.12\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "x.wsgi"]\n'
    )
    (tmp_path / "worker").mkdir()
    (tmp_path / "worker" / "Dockerfile").write_text(
        'FROM python:3.12\nUSER root\nCMD ["uvicorn", "x.asgi:app"]\n'
    )
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "shop.service").write_text(
        "[Service]\nExecStart=/srv/venv/bin/daphne x.asgi:application\n"
    )
    found = gl623(tmp_path)
    assert found == [
        (
            "fail",
            ("User",),
            Location(path="deploy/shop.service"),
            ("deploy/shop.service sets no User=: systemd starts daphne (deploy/shop.service:2) as root",),
            Confidence.LIKELY,
        ),
        (
            "fail",
            ("USER",),
            Location(path="web/Dockerfile"),
            (
                "web/Dockerfile sets no USER (nor compose user:): Docker starts gunicorn"
                " (web/Dockerfile:2) as root",
            ),
            Confidence.LIKELY,
        ),
        (
            "fail",
            ("USER",),
            Location(path="worker/Dockerfile", line=2),
            ("uvicorn (worker/Dockerfile:3) is started as root (worker/Dockerfile:2)",),
            Confidence.CONFIRMED,
        ),
    ]


@pytest.mark.covers("GL623", "pass")
def test_servers_started_unprivileged(tmp_path: Path) -> None:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "start.sh").write_text(
        "#!/bin/sh\nexec gosu app gunicorn x.wsgi -b 0.0.0.0:8000\n"
    )
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12\nCOPY docker/start.sh /start.sh\nCMD ["/start.sh"]\n'
    )
    (tmp_path / "docker-compose.yml").write_text(
        'services:\n  api:\n    image: shop\n    user: "1000"\n    command: uvicorn x.asgi:app\n'
    )
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "shop.service").write_text(
        "[Service]\nUser=shop\nExecStart=/srv/venv/bin/daphne x:a\n"
    )
    assert [f[0] for f in gl623(tmp_path)] == ["pass"]
    servers = collected(tmp_path)[gunicorn.GunicornFacts].servers
    assert sorted((s.kind, s.run_as) for s in servers) == [
        ("daphne", "shop"),
        ("gunicorn", "app"),
        ("uvicorn", "1000"),
    ]


@pytest.mark.covers("GL624", "fail")
def test_migrations_at_every_start() -> None:
    facts = collected_project(FIXTURES / "bootsh")
    [finding] = [f for f in run("GL624", facts) if f.failing]
    assert (finding.subjects, finding.location, finding.evidence) == (
        ("migrate",),
        Location(path="boot.sh", line=5),
        ("start script: python manage.py migrate --noinput",),
    )


@pytest.mark.covers("GL624", "pass")
def test_no_migrations_in_the_start_command(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text("release: python manage.py migrate\nweb: gunicorn x.wsgi\n")
    assert [f.status for f in run("GL624", collected_project(tmp_path))] == [Status.PASS]
    assert [f.status for f in run("GL624", collected_project(FIXTURES / "cookiecutter"))] == [Status.PASS]


def test_a_wrapper_script_and_a_runit_service(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text("web: bin/start-pgbouncer gunicorn shop.wsgi --workers 3\n")
    (tmp_path / "etc" / "service" / "web").mkdir(parents=True)
    (tmp_path / "etc" / "service" / "web" / "run").write_text(
        "#!/bin/sh\ncd /home/app\nexec chpst -u app gunicorn shop.wsgi -b 127.0.0.1:8000\n"
    )
    facts = project.collect(context(tmp_path))
    assert [(c.origin, str(c.location), c.command, c.user) for c in facts.commands] == [
        ("Procfile", "Procfile:1", "bin/start-pgbouncer gunicorn shop.wsgi --workers 3", None),
        ("Procfile", "Procfile:1", "gunicorn shop.wsgi --workers 3", None),
        (
            "start script",
            "etc/service/web/run:3",
            "exec chpst -u app gunicorn shop.wsgi -b 127.0.0.1:8000",
            "app",
        ),
    ]
    assert facts.unread == (
        "Procfile (Procfile:1) runs bin/start-pgbouncer: bin/start-pgbouncer is neither copied there by a"
        " Dockerfile nor a file of the repository: not audited",
    )
