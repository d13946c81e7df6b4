"""uWSGI (issue 12, part C): golive's own reader of uWSGI's formats, and the uWSGI checks GL640–GL654.

The reader is tested against uWSGI's documented semantics ("Configuring uWSGI", "Configuration
logic", ``core/ini.c``): repeated keys kept in order, a bare key is a flag that is on, ``;``/``#``
comment lines only, ``file.ini:section``, magic variables, ``%(placeholder)`` (the first value)
with its arithmetic, ``$(ENV)``, ``for``/``endfor``, ``if-env``, ``UWSGI_*`` variables, the command
line (long, ``=``, short options, flags, a positional file) and ``ini =`` includes. uWSGI itself is
never run. The checks run on two VPS layouts under ``tests/fixtures/appservers/uwsgi/`` (an
``ini`` discovered in ``deploy/`` and an nginx site): ``fires`` breaks every rule, ``quiet`` is the
fixed deployment.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_gunicorn import context, run

from golive.collectors import nginx, project
from golive.collectors.appservers import gunicorn, uwsgi_collector
from golive.collectors.appservers.uwsgi import read
from golive.facts.appservers import UwsgiFacts
from golive.facts.runtime import RuntimeFacts
from golive.model import Location, Status
from golive.registry import Facts

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "appservers" / "uwsgi"


def options(instance: object) -> list[tuple[str, str, int | None]]:
    return [(o.name, o.value, o.location.line if o.location else None) for o in instance.options]  # type: ignore[attr-defined]


# --- the reader ---------------------------------------------------------------------------------


def test_ini_repeated_keys_flags_comments_sections(tmp_path: Path) -> None:
    (tmp_path / "app.ini").write_text(
        "[uwsgi]\n"
        "; a comment\n"
        "# another\n"
        "socket = /run/app.sock\n"
        "socket = 127.0.0.1:3031 ; not a comment: uWSGI has none inline\n"
        "master\n"
        "workers = 2\n"
        "p = 3\n"
        "[staging]\n"
        "socket = :9999\n"
    )
    instance = read(project_dir=tmp_path, env={}, file=tmp_path / "app.ini", found="t", where=None)
    assert options(instance) == [
        ("socket", "/run/app.sock", 4),
        ("socket", "127.0.0.1:3031 ; not a comment: uWSGI has none inline", 5),
        ("master", "", 6),
        ("processes", "2", 7),
        ("processes", "3", 8),
    ]
    assert (instance.flag("master"), instance.number("processes"), instance.files) == (True, 3, ("app.ini",))
    staging = read(project_dir=tmp_path, env={}, argv=["--ini", "app.ini:staging"], found="t", where=None)
    assert options(staging) == [("socket", ":9999", 10)]


def test_placeholders_magic_environment_and_logic(tmp_path: Path) -> None:
    (tmp_path / "shop.ini").write_text(
        "[uwsgi]\n"
        "project = shop\n"
        "processes = 2\n"
        "chdir = /srv/%(project)\n"
        "socket = /run/%n/%(project).sock\n"
        "home = $(VIRTUAL_ENV)\n"
        "pidfile = %d/uwsgi.pid\n"
        "threads = %(processes 2 * 3)\n"
        "logto = $(LOG_DIR)/uwsgi.log\n"
        "for = 8001 8002\n"
        "http-socket = 127.0.0.1:%(_)\n"
        "endfor =\n"
        "if-env = SHOP_TIMEOUT\n"
        "harakiri = $(SHOP_TIMEOUT)\n"
        "endif =\n"
        "if-exists = /etc/shop/extra\n"
        "vacuum = true\n"
        "endif =\n"
        "master = false\n"
    )
    env = {"VIRTUAL_ENV": "/srv/venv", "SHOP_TIMEOUT": "45"}
    instance = read(project_dir=tmp_path, env=env, file=tmp_path / "shop.ini", found="t", where=None)
    got = {(o.name, o.value, o.unresolved, o.conditional) for o in instance.options}
    assert got == {
        ("project", "shop", (), False),
        ("processes", "2", (), False),
        ("chdir", "/srv/shop", (), False),
        ("socket", "/run/shop/shop.sock", (), False),
        ("home", "/srv/venv", (), False),
        ("pidfile", "%d/uwsgi.pid", ("%d",), False),
        ("threads", "66", (), False),  # "2" and "2" concatenated, then times 3 (uwsgi_manage_placeholder)
        ("logto", "$(LOG_DIR)/uwsgi.log", ("$(LOG_DIR)",), False),
        ("http-socket", "127.0.0.1:8001", (), False),
        ("http-socket", "127.0.0.1:8002", (), False),
        ("harakiri", "45", (), False),
        ("vacuum", "true", (), True),
        ("master", "false", (), False),
    }
    assert (instance.flag("master"), instance.flag("vacuum")) == (False, True)


def test_command_line_env_and_includes(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "base.ini").write_text("[uwsgi]\nmaster = true\nharakiri = 20\n")
    (tmp_path / "deploy" / "uwsgi.ini").write_text(
        "[uwsgi]\nini = base.ini\nini = /etc/uwsgi/missing.ini\nsocket = :3031\n"
        "env = SECRET_KEY=hunter2hunter2\n"
        "env = DATABASE_URL=postgres://shop:pa55word@db/shop\n"
    )
    instance = read(
        project_dir=tmp_path,
        env={"UWSGI_PROCESSES": "3", "UWSGI_HARAKIRI": "5"},
        argv=[
            "--ini",
            "deploy/uwsgi.ini",
            "--http=:8000",
            "-M",
            "-p",
            "4",
            "--enable-threads",
            "--harakiri",
            "60",
        ],
        found="t",
        where=Location(path="Procfile", line=1),
    )
    assert options(instance) == [
        ("processes", "3", 1),  # UWSGI_PROCESSES: before the command line and its files
        ("harakiri", "5", 1),
        ("master", "true", 2),
        ("harakiri", "20", 3),
        ("socket", ":3031", 4),
        ("env", "SECRET_KEY=***", 5),
        ("env", "DATABASE_URL=postgres://shop:***@db/shop", 6),
        ("http", ":8000", 1),
        ("master", "", 1),
        ("processes", "4", 1),
        ("enable-threads", "", 1),
        ("harakiri", "60", 1),
    ]
    assert instance.files == ("deploy/uwsgi.ini", "deploy/base.ini")
    assert instance.unread == (
        "/etc/uwsgi/missing.ini (deploy/uwsgi.ini:3): not in the repository, not read",
    )
    assert (instance.number("harakiri"), instance.number("processes")) == (60, 4)
    assert "hunter2" not in repr(instance) and "pa55word" not in repr(instance)


def test_positional_file_yaml_json_and_xml(tmp_path: Path) -> None:
    (tmp_path / "uwsgi.yaml").write_text(
        "uwsgi:\n  socket:\n    - /run/a.sock\n    - :3031\n  master: true\n"
    )
    (tmp_path / "uwsgi.json").write_text('{"uwsgi": {"http": ":8000", "processes": 2}}')
    (tmp_path / "uwsgi.xml").write_text("<uwsgi><socket>:3031</socket></uwsgi>")
    yaml_ = read(project_dir=tmp_path, env={}, argv=["uwsgi.yaml"], found="t", where=None)
    assert options(yaml_) == [("socket", "/run/a.sock", 3), ("socket", ":3031", 4), ("master", "", 5)]
    json_ = read(project_dir=tmp_path, env={}, argv=["--json", "uwsgi.json"], found="t", where=None)
    assert options(json_) == [("http", ":8000", None), ("processes", "2", None)]
    xml = read(project_dir=tmp_path, env={}, argv=["--xml", "uwsgi.xml"], found="t", where=None)
    assert (xml.options, xml.unread) == ((), ("uwsgi.xml: uWSGI XML configurations are not read yet",))


# --- the collector ------------------------------------------------------------------------------


def test_uwsgi_in_a_dockerfile_with_env_options(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "uwsgi.ini").write_text(
        "[uwsgi]\nmodule = shop.wsgi\nhttp-socket = :8000\nmaster = true\n"
    )
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nWORKDIR /app\nCOPY . /app\nENV UWSGI_PROCESSES=4 UWSGI_ENABLE_THREADS=1\n"
        'CMD ["uwsgi", "--ini", "/app/deploy/uwsgi.ini"]\n'
    )
    [instance] = uwsgi_collector.collect(context(tmp_path)).instances
    assert (instance.found, instance.files, instance.container) == (
        "Dockerfile CMD (Dockerfile:5)",
        ("deploy/uwsgi.ini",),
        True,
    )
    assert (instance.number("processes"), instance.flag("enable-threads")) == (4, True)
    [server] = gunicorn.collect(context(tmp_path)).servers
    assert (server.kind, [str(b) for b in server.binds], server.workers) == ("uwsgi", [":8000"], 4)


def test_no_uwsgi_is_a_skip(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text("web: gunicorn shop.wsgi\n")
    with pytest.raises(uwsgi_collector.Skip) as exc:
        uwsgi_collector.collect(context(tmp_path))
    assert str(exc.value) == "no uWSGI found (no command runs uwsgi, no [uwsgi] configuration file)"


# --- the checks ---------------------------------------------------------------------------------


def collected(folder: Path) -> Facts:
    """uWSGI, gunicorn (the shared app-server view), nginx and project facts of a fixture, collected
    for real, with Django settings that trust X-Forwarded-Proto."""
    ctx = context(folder)
    runtime = RuntimeFacts(
        django_version="5.2.8",
        python_version="3.12.0",
        settings_file=None,
        settings={"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]},
        secrets={},
        checks=(),
    )
    items: dict[type, object] = {
        UwsgiFacts: uwsgi_collector.collect(ctx),
        gunicorn.GunicornFacts: gunicorn.collect(ctx),
        nginx.NginxFacts: nginx.collect(ctx),
        project.ProjectFacts: project.collect(ctx),
        RuntimeFacts: runtime,
    }
    return Facts(items, context=ctx)


INI = "deploy/uwsgi.ini"
SITE = "deploy/nginx/shop.conf"
#: id → (subjects, location, evidence) of the one failing finding on ``fires``.
FIRES: dict[str, tuple[tuple[str, ...], Location, tuple[str, ...]]] = {
    "GL640": (
        ("http-socket",),
        Location(path=INI, line=10),
        ("http-socket = 0.0.0.0:8000 (deploy/uwsgi.ini:10): the workers answer HTTP on every interface",),
    ),
    "GL641": (
        ("socket",),
        Location(path=INI, line=8),
        (
            "socket = :3031 (deploy/uwsgi.ini:8): the uwsgi protocol on every interface; a peer can load and"
            " run code (UWSGI_FILE)",
        ),
    ),
    "GL642": (("master",), Location(path=INI), ("master is not set (deploy/uwsgi.ini)",)),
    "GL643": (("harakiri",), Location(path=INI), ("harakiri is not set (deploy/uwsgi.ini)",)),
    "GL644": (("max-requests",), Location(path=INI), ("max-requests is not set (deploy/uwsgi.ini)",)),
    "GL645": (
        ("enable-threads",),
        Location(path=INI),
        (
            "enable-threads is not set (deploy/uwsgi.ini), nor threads",
            "sentry-sdk is a dependency (requirements.txt:3): its background thread never runs",
        ),
    ),
    "GL646": (
        ("buffer-size",),
        Location(path=INI),
        ("buffer-size is not set (deploy/uwsgi.ini): 4096 bytes",),
    ),
    "GL647": (("uid",), Location(path=INI, line=11), ("uid = root (deploy/uwsgi.ini:11): root",)),
    "GL648": (
        ("chmod-socket",),
        Location(path=INI, line=9),
        ("chmod-socket = 666 (deploy/uwsgi.ini:9): mode 666 lets every local user write the socket",),
    ),
    "GL649": (("die-on-term",), Location(path=INI), ("die-on-term is not set (deploy/uwsgi.ini)",)),
    "GL650": (
        ("vacuum",),
        Location(path=INI),
        ("socket = /run/shop/uwsgi.sock (deploy/uwsgi.ini:7); vacuum is not set (deploy/uwsgi.ini)",),
    ),
    "GL651": (
        ("hook-pre-app",),
        Location(path=INI, line=14),
        ("hook-pre-app = exec:python manage.py migrate --noinput (deploy/uwsgi.ini:14)",),
    ),
    "GL652": (
        ("static-map",),
        Location(path=INI, line=15),
        (
            "static-map = /static=/srv/shop (deploy/uwsgi.ini:15): the folder uWSGI runs the application from"
            " (chdir)",
        ),
    ),
    "GL656": (
        ("SECURE_PROXY_SSL_HEADER", "http-socket"),
        Location(path=INI, line=10),
        (
            "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')",
            "http-socket = 0.0.0.0:8000 (deploy/uwsgi.ini:10): clients reach uWSGI without a proxy to strip"
            " the header",
        ),
    ),
    "GL655": (
        ("disable-logging",),
        Location(path=INI, line=17),
        ("disable-logging = true (deploy/uwsgi.ini:17)",),
    ),
    "GL653": (
        ("proxy_pass", "socket"),
        Location(path=SITE, line=6),
        (
            "proxy_pass http://unix:/run/shop/uwsgi.sock; at deploy/nginx/shop.conf:6 speaks http to"
            " http://unix:/run/shop/uwsgi.sock",
            "but socket = /run/shop/uwsgi.sock (deploy/uwsgi.ini:7) speaks uwsgi (uWSGI (deploy/uwsgi.ini))",
        ),
    ),
    "GL654": (
        ("SECURE_PROXY_SSL_HEADER", "uwsgi_param"),
        Location(path=SITE, line=10),
        (
            "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')",
            "uwsgi_pass 127.0.0.1:3031; at deploy/nginx/shop.conf:10: no uwsgi_param HTTP_X_FORWARDED_PROTO"
            " $scheme in force, so the client's own X-Forwarded-Proto reaches Django",
        ),
    ),
}


@pytest.fixture(scope="module")
def fires() -> Facts:
    return collected(FIXTURES / "fires")


@pytest.fixture(scope="module")
def quiet() -> Facts:
    return collected(FIXTURES / "quiet")


@pytest.mark.parametrize(
    "check_id", [pytest.param(c, marks=pytest.mark.covers(c, "fail"), id=c) for c in FIRES]
)
def test_uwsgi_rule_fires(check_id: str, fires: Facts) -> None:
    found = [f for f in run(check_id, fires) if f.failing]
    assert [f.id for f in found] == [check_id]
    subjects, location, evidence = FIRES[check_id]
    assert (found[0].subjects, found[0].location, found[0].evidence) == (subjects, location, evidence)
    assert found[0].collector == "uwsgi"


@pytest.mark.parametrize(
    "check_id", [pytest.param(c, marks=pytest.mark.covers(c, "pass"), id=c) for c in FIRES]
)
def test_uwsgi_rule_is_quiet_on_the_fixed_deployment(check_id: str, quiet: Facts) -> None:
    assert [f.status for f in run(check_id, quiet)] == [Status.PASS]


def test_shared_app_server_rules_read_uwsgi_ini_options(fires: Facts, quiet: Facts) -> None:
    [reload] = [f for f in run("GL612", fires) if f.failing]
    assert (reload.subjects, reload.location, reload.evidence) == (
        ("py-autoreload",),
        Location(path=INI, line=16),
        ("py-autoreload = 2 (deploy/uwsgi.ini:16)",),
    )
    [bind] = [f for f in run("GL611", fires) if f.failing]
    assert (bind.location, bind.evidence) == (
        Location(path=INI, line=8),
        (
            "uwsgi listens on :3031 (deploy/uwsgi.ini:8)",
            "nginx reaches it over loopback: uwsgi_pass 127.0.0.1:3031; at deploy/nginx/shop.conf:10",
        ),
    )
    assert [f.status for f in run("GL630", fires)] == [Status.PASS]  # every nginx target is a uWSGI socket
    assert [f.status for f in run("GL612", quiet)] == [Status.PASS]


def test_unknown_is_not_pass_nor_fail(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "uwsgi.ini").write_text(
        "[uwsgi]\nini = /etc/uwsgi/base.ini\nsocket = /run/shop.sock\nchmod-socket = $(SOCKET_MODE)\n"
        "buffer-size = %(buffer)\nif-exists = /etc/shop/slow\nharakiri = 30\nendif =\n"
    )
    facts = Facts({UwsgiFacts: uwsgi_collector.collect(context(tmp_path))}, context=context(tmp_path))
    found = {
        cid: [(f.status, f.reason) for f in run(cid, facts)] for cid in ("GL643", "GL644", "GL646", "GL648")
    }
    unread = "/etc/uwsgi/base.ini (deploy/uwsgi.ini:2): not in the repository, not read"
    assert found == {
        "GL643": [
            (Status.SKIPPED, "harakiri = 30 (deploy/uwsgi.ini:7) is inside an if-* block the server decides")
        ],
        "GL644": [(Status.SKIPPED, f"max-requests is not set in what golive read, and {unread}")],
        "GL646": [
            (
                Status.SKIPPED,
                "buffer-size = %(buffer) (deploy/uwsgi.ini:5): %(buffer) is only known on the server",
            )
        ],
        "GL648": [
            (
                Status.SKIPPED,
                "chmod-socket = $(SOCKET_MODE) (deploy/uwsgi.ini:4): $(SOCKET_MODE) is only known"
                " on the server",
            )
        ],
    }


@pytest.mark.covers("GL642", "GL643", "fail")
def test_uwsgi_started_by_a_compose_entrypoint_through_wait_for_it() -> None:
    """A DefectDojo-like layout (written for this test): compose builds the ``release`` stage of
    ``Dockerfile.django-${OS:-debian}``, its entrypoint waits for the database then runs
    ``/entrypoint-uwsgi.sh``, which the stage ``COPY``s from ``docker/``; the uWSGI options come
    from the image's ENV, the service's environment and the script's ``${VAR:-default}``s."""
    folder = FIXTURES.parent / "dojo"
    [instance] = uwsgi_collector.collect(context(folder)).instances
    assert instance.found == (
        "start script (docker/entrypoint-uwsgi.sh:9), run by docker-compose entrypoint"
        " (docker-compose.yml:12); copied to /entrypoint-uwsgi.sh by Dockerfile.django-debian (stage release)"
    )
    assert (instance.container, [(o.name, o.value) for o in instance.options]) == (
        True,
        [
            ("socket", "0.0.0.0:3031"),
            ("protocol", "uwsgi"),
            ("enable-threads", ""),
            ("processes", "4"),
            ("threads", "4"),
            ("module", "shop.wsgi:application"),
            ("buffer-size", "8192"),
            ("http", "0.0.0.0:8081"),
            ("http-to", "0.0.0.0:3031"),
        ],
    )
    facts = Facts({UwsgiFacts: uwsgi_collector.collect(context(folder))}, context=context(folder))
    where = Location(path="docker/entrypoint-uwsgi.sh", line=9)
    assert {c: [(f.status, f.location) for f in run(c, facts)] for c in ("GL641", "GL642", "GL643")} == {
        "GL641": [(Status.PASS, None)],  # inside the container: compose publishes no port of it
        "GL642": [(Status.FAIL, where)],
        "GL643": [(Status.FAIL, where)],
    }


@pytest.mark.covers("GL632", "fail")
def test_cores_placeholder_and_a_local_memory_cache(tmp_path: Path) -> None:
    """A Kiwi-like image (written for this test): CMD runs a script that runs uwsgi --ini with
    ``processes = %k``; with Django's default local-memory cache each process has its own."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "uwsgi.conf").write_text(
        "[uwsgi]\nmaster = true\nsocket = /tmp/shop.sock\nprocesses = %k\n"
    )
    (tmp_path / "httpd-foreground").write_text(
        "#!/bin/bash\nset -u\n/venv/bin/uwsgi --ini /Shop/etc/uwsgi.conf\n"
    )
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nCOPY ./httpd-foreground /httpd-foreground\nCMD /httpd-foreground\n"
    )
    ctx = context(tmp_path)
    [server] = gunicorn.collect(ctx).servers
    cores = os.cpu_count() or 1
    assert (server.kind, server.config_file, server.workers) == ("uwsgi", "etc/uwsgi.conf", cores)
    [instance] = uwsgi_collector.collect(ctx).instances
    assert instance.last("processes").text == (  # type: ignore[union-attr]
        f"processes = {cores} [%k: {cores} cores on this machine, the server's may differ] (etc/uwsgi.conf:4)"
    )
    if cores < 2:
        pytest.skip("one core here: %k gives one process")
    runtime = RuntimeFacts(
        django_version="5.2.8",
        python_version="3.12.0",
        settings_file=None,
        settings={"CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}},
        secrets={},
        checks=(),
    )
    facts = Facts({gunicorn.GunicornFacts: gunicorn.collect(ctx), RuntimeFacts: runtime}, context=ctx)
    [finding] = [f for f in run("GL632", facts) if f.failing]
    assert finding.evidence[0] == "uwsgi: /venv/bin/uwsgi --ini /Shop/etc/uwsgi.conf"
    assert finding.location == Location(path="etc/uwsgi.conf", line=4)


@pytest.mark.covers("GL643", "fail")
def test_a_harakiri_of_days_is_no_timeout(tmp_path: Path) -> None:
    (tmp_path / "uwsgi.ini").write_text("[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 172800\n")
    facts = Facts({UwsgiFacts: uwsgi_collector.collect(context(tmp_path))}, context=context(tmp_path))
    [finding] = [f for f in run("GL643", facts) if f.failing]
    assert (finding.location, finding.evidence) == (
        Location(path="uwsgi.ini", line=3),
        ("harakiri = 172800 (uwsgi.ini:3)",),
    )


def test_an_unreadable_candidate_is_reported(tmp_path: Path) -> None:
    (tmp_path / "uwsgi.ini").write_text("[uwsgi]\nsocket = /run/a.sock\n")
    (tmp_path / "big.ini").write_text("[uwsgi]\n" + "; padding\n" * 120_000)
    facts = uwsgi_collector.collect(context(tmp_path))
    assert facts.unread == ("big.ini: over 1 MB, not read",)
    assert facts.collector_details["notes"] == ["big.ini: over 1 MB, not read"]


def test_an_optional_override_leaves_nothing_unknown(tmp_path: Path) -> None:
    """A Kiwi-like ini (written for this test): an override loaded only if the server has it."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "uwsgi.ini").write_text(
        "[uwsgi]\nmaster = true\nsocket = /tmp/shop.sock\n"
        "if-file = /Shop/etc/uwsgi.override\nini = %(_)\nendif =\n"
    )
    facts = Facts({UwsgiFacts: uwsgi_collector.collect(context(tmp_path))}, context=context(tmp_path))
    [instance] = facts[UwsgiFacts].instances
    assert instance.unread == (
        "/Shop/etc/uwsgi.override (etc/uwsgi.ini:5): not in the repository, not read"
        " (loaded only if it exists on the server)",
    )
    assert [(f.status, f.location) for f in run("GL643", facts)] == [
        (Status.FAIL, Location(path="etc/uwsgi.ini"))
    ]


def test_two_commands_loading_one_file_give_one_finding(tmp_path: Path) -> None:
    """A linkding-like image (written for this test): bootstrap.sh runs uwsgi uwsgi.ini, and a
    supervisord program can run the same file: one finding per option, at the file."""
    (tmp_path / "uwsgi.ini").write_text("[uwsgi]\nmodule = shop.wsgi\nprocesses = 2\n")
    (tmp_path / "bootstrap.sh").write_text("#!/bin/bash\nexec uwsgi --http $HOST:$PORT uwsgi.ini\n")
    (tmp_path / "supervisord-all.conf").write_text(
        "[program:uwsgi]\ncommand=/bin/bash -c 'uwsgi --http ${HOST:-[::]}:${PORT:-9090} uwsgi.ini'\n"
    )
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12\nWORKDIR /etc/shop\nCOPY . .\nCMD ["./bootstrap.sh"]\n'
    )
    facts = Facts({UwsgiFacts: uwsgi_collector.collect(context(tmp_path))}, context=context(tmp_path))
    assert len({i.found for i in facts[UwsgiFacts].instances}) == 2
    assert [(f.status, f.location, f.evidence) for f in run("GL642", facts)] == [
        (Status.FAIL, Location(path="uwsgi.ini"), ("master is not set (uwsgi.ini)",))
    ]


LINKDING_LIKE = (
    "[uwsgi]\nmodule = shop.wsgi:application\nprocesses = 2\nthreads = 2\n"
    "if-env = SHOP_REQUEST_TIMEOUT\nhttp-timeout = %(_)\nharakiri = %(_)\nendif =\n"
)


@pytest.mark.covers("GL642", "GL643", "fail")
def test_a_timeout_set_only_when_a_variable_is_set_is_a_risky_default(tmp_path: Path) -> None:
    """A linkding-like ini (written for this test): ``harakiri`` only inside ``if-env`` on a
    variable the deployer may leave unset. Without it uWSGI has no request timeout and, since
    that harakiri is what would start the master, no master either. Before: GL642 passed (the
    conditional harakiri counted as starting the master) and GL643 was skipped as unknown."""
    (tmp_path / "uwsgi.ini").write_text(LINKDING_LIKE)
    ctx = context(tmp_path)
    facts = Facts({UwsgiFacts: uwsgi_collector.collect(ctx)}, context=ctx)
    [master] = run("GL642", facts)
    assert (master.status, master.location) == (Status.FAIL, Location(path="uwsgi.ini"))
    assert master.evidence == (
        "master is not set (uwsgi.ini); harakiri (uwsgi.ini:7) would start it only inside"
        " if-env = SHOP_REQUEST_TIMEOUT",
    )
    [timeout] = run("GL643", facts)
    assert (timeout.status, timeout.location, timeout.subjects) == (
        Status.FAIL,
        Location(path="uwsgi.ini", line=7),
        ("harakiri",),
    )
    assert timeout.evidence == (
        "harakiri = $(SHOP_REQUEST_TIMEOUT) (uwsgi.ini:7) only inside if-env = SHOP_REQUEST_TIMEOUT:"
        " without that variable uWSGI has no request timeout",
    )


@pytest.mark.covers("GL642", "GL643", "pass")
def test_a_timeout_whose_variable_the_deployment_sets_passes(tmp_path: Path) -> None:
    (tmp_path / "uwsgi.ini").write_text(LINKDING_LIKE)
    ctx = context(tmp_path, SHOP_REQUEST_TIMEOUT="30")
    facts = Facts({UwsgiFacts: uwsgi_collector.collect(ctx)}, context=ctx)
    assert [f.status for f in run("GL642", facts)] == [Status.PASS]
    assert [f.status for f in run("GL643", facts)] == [Status.PASS]
