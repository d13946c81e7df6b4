"""Which deployment files are production (issue 12, part A.2).

Layouts drawn from real repositories, written anew: cookiecutter-style ``local.yml`` /
``production.yml`` with ``compose/local`` and ``compose/production`` folders; a development
``docker-compose.yml`` that runs runserver next to a Procfile that runs gunicorn; a CI nginx
fixture ``docker/compose/test-nginx.conf`` next to the real ``deploy/nginx.conf``; compose
profiles; the ``[tool.golive]`` corrections.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import audit_project, build_project, failing, outcome

from golive.collectors import layout
from golive.collectors.layout import COMPOSE, DOCKERFILE, NGINX, PROCFILE, Layout, Role, classify
from golive.model import Audit, DeploymentFile, Status
from golive.reports import html, json_report, markdown

RUNSERVER_COMPOSE = (
    "services:\n  web:\n    build: .\n"
    "    command: python manage.py runserver 0.0.0.0:8000\n"
    "    environment:\n      - DEBUG=1\n"
)
GUNICORN_COMPOSE = "services:\n  web:\n    build: .\n    command: gunicorn site_conf.wsgi -b 0.0.0.0:8000\n"
NGINX_SITE = (
    "server {\n    listen 80 default_server;\n    server_name _;\n    return 444;\n}\n"
    "server {\n    listen 80;\n    server_name shop.example.com;\n"
    "    location / { return 301 https://$host$request_uri; }\n}\n"
)


@pytest.mark.parametrize(
    ("rel", "kind", "role", "reason"),
    [
        ("local.yml", COMPOSE, Role.DEVELOPMENT, "its name says 'local'"),
        ("production.yml", COMPOSE, Role.PRODUCTION, "its name says 'production'"),
        ("docker-compose.override.yml", COMPOSE, Role.DEVELOPMENT, "its name says 'override'"),
        ("docker-compose.prod.local.yml", COMPOSE, Role.DEVELOPMENT, "its name says 'local'"),
        ("docker-compose.docs.yml", COMPOSE, Role.EXAMPLE, "its name says 'docs'"),
        ("docker/compose/test-nginx.conf", NGINX, Role.TEST, "its name says 'test'"),
        ("ci/nginx.conf", NGINX, Role.TEST, "in the ci/ folder (tests or CI)"),
        ("tests/fixtures/production.yml", COMPOSE, Role.TEST, "in the tests/ folder (tests or CI)"),
        ("compose/local/django/Dockerfile", DOCKERFILE, Role.DEVELOPMENT, "in the local/ folder ('local')"),
        (
            "compose/production/django/Dockerfile",
            DOCKERFILE,
            Role.PRODUCTION,
            "in the production/ folder ('production')",
        ),
        ("Dockerfile.prod", DOCKERFILE, Role.PRODUCTION, "its name says 'prod'"),
        ("Procfile.dev", PROCFILE, Role.DEVELOPMENT, "its name says 'dev'"),
        ("deploy/nginx.conf", NGINX, Role.PRODUCTION, "in the deploy/ folder ('deploy')"),
        ("docs/nginx.conf.example", NGINX, Role.EXAMPLE, "its name says 'example'"),
        (
            "nginx/site.conf",
            NGINX,
            Role.UNKNOWN,
            "nothing in its path, name or content says production or not: audited",
        ),
        (
            "localhost.conf",
            NGINX,
            Role.UNKNOWN,
            "nothing in its path, name or content says production or not: audited",
        ),
    ],
)
def test_path_and_name_decide(rel: str, kind: str, role: Role, reason: str) -> None:
    found = classify(rel, kind)
    assert (found.role, found.reason, found.audited) == (role.value, reason, role in layout.AUDITED)


def test_content_decides_only_against_a_production_server_elsewhere() -> None:
    elsewhere = "Procfile"
    dev = classify("docker-compose.yml", COMPOSE, RUNSERVER_COMPOSE, elsewhere=elsewhere)
    assert (dev.role, dev.audited) == ("development", False)
    assert dev.reason == (
        "starts runserver (Django's development server), while Procfile starts a production server"
    )
    # the only thing that starts the site: it may be the deployment, so it is audited
    alone = classify("docker-compose.yml", COMPOSE, RUNSERVER_COMPOSE)
    assert (alone.role, alone.audited) == ("unknown", True)
    assert alone.reason == "starts runserver and no other file starts a production server: audited"
    prod = classify("docker-compose.yml", COMPOSE, GUNICORN_COMPOSE)
    assert (prod.role, prod.reason) == ("production", "starts gunicorn")
    # DEBUG=True with gunicorn is a finding, not a hint that the file is development
    debug_prod = classify(
        "Dockerfile", DOCKERFILE, "FROM x\nENV DEBUG=True\nCMD gunicorn a.wsgi\n", elsewhere="x"
    )
    assert debug_prod.role == "production"
    debug_only = classify(
        "docker-compose.yml",
        COMPOSE,
        "services:\n  web:\n    environment:\n      DEBUG: 'true'\n",
        elsewhere="Procfile",
    )
    assert (debug_only.role, debug_only.reason) == (
        "development",
        "sets DEBUG: 'true' and starts no server, while Procfile starts a production server",
    )
    # a commented-out runserver says nothing
    commented = classify("Procfile", PROCFILE, "# web: python manage.py runserver\nweb: gunicorn a.wsgi\n")
    assert commented.role == "production"


def test_compose_profiles_take_services_out() -> None:
    text = (
        "services:\n  web:\n    command: gunicorn a.wsgi\n"
        "  dev:\n    profiles: [dev]\n    command: python manage.py runserver\n"
    )
    assert classify("docker-compose.yml", COMPOSE, text).role == "production"
    assert layout.profile_role(["dev", "local-debug"]) == (
        Role.DEVELOPMENT,
        "compose profile dev, local-debug",
    )
    assert layout.profile_role(["ci"]) == (Role.TEST, "compose profile ci")
    assert layout.profile_role(["worker"]) is None
    assert layout.profile_role(["dev", "worker"]) is None


def test_configuration_corrects_the_classification() -> None:
    kw = {"production_files": ["docker-compose.yml"], "ignore_files": ["deploy/legacy"]}
    assert classify(
        "docker-compose.yml", COMPOSE, RUNSERVER_COMPOSE, elsewhere="Procfile", **kw
    ) == DeploymentFile(
        path="docker-compose.yml",
        kind=COMPOSE,
        role="production",
        reason="[tool.golive] production_files 'docker-compose.yml' in the configuration",
        audited=True,
    )
    ignored = classify("deploy/legacy/nginx.conf", NGINX, **kw)
    assert (ignored.role, ignored.audited) == ("ignored", False)
    assert ignored.reason == "[tool.golive] ignore_files 'deploy/legacy' in the configuration"


def test_layout_remembers_each_file_once(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text("web: gunicorn a.wsgi\n")
    (tmp_path / "docker-compose.yml").write_text(RUNSERVER_COMPOSE)
    seen = Layout(tmp_path)
    assert seen.admit(tmp_path / "docker-compose.yml", COMPOSE) is False
    assert seen.admit(tmp_path / "docker-compose.yml", COMPOSE) is False
    assert seen.admit(tmp_path / "Procfile", PROCFILE) is True
    assert [(f.path, f.role) for f in seen.files()] == [
        ("Procfile", "production"),
        ("docker-compose.yml", "development"),
    ]
    assert seen.admit(Path("/etc/nginx/nginx.conf"), NGINX) is True  # given on the command line


def test_a_collectors_classification_replaces_what_the_inventory_recorded_first(tmp_path: Path) -> None:
    # The inventory runs first and records default.conf.template as a configuration template it
    # does not read; nginx's collector reads it as the official image's envsubst template.
    template = tmp_path / "nginx" / "templates" / "default.conf.template"
    template.parent.mkdir(parents=True)
    template.write_text("server { listen 80; }\n")
    seen = Layout(tmp_path)
    seen.record(template, "env template", read=False, reason="a template: an example, not read")
    assert seen.admit(template, NGINX) is True
    assert [(f.path, f.kind, f.audited) for f in seen.files()] == [
        ("nginx/templates/default.conf.template", NGINX, True)
    ]
    seen.record(template, "env template", read=False, reason="recorded again")
    assert [f.kind for f in seen.files()] == [NGINX]


# --- real audits ---------------------------------------------------------------------------

COOKIECUTTER = {
    "Procfile": None,
    "local.yml": (
        "services:\n  django:\n    build:\n      context: .\n"
        "      dockerfile: compose/local/django/Dockerfile\n    command: /start\n"
    ),
    "production.yml": (
        "services:\n  django:\n    build:\n      context: .\n"
        "      dockerfile: compose/production/django/Dockerfile\n"
        "    command: gunicorn site_conf.wsgi --bind 0.0.0.0:5000\n"
    ),
    "compose/local/django/Dockerfile": (
        'FROM python:3.12\nCMD ["python", "manage.py", "runserver_plus", "0.0.0.0:8000"]\n'
    ),
    "compose/production/django/Dockerfile": 'FROM python:3.12\nCMD ["gunicorn", "site_conf.wsgi"]\n',
    "docker-compose.yml": RUNSERVER_COMPOSE,
    "docker/compose/test-nginx.conf": (
        "server {\n    listen 80;\n    location / { proxy_pass http://web:8000; autoindex on; }\n}\n"
    ),
    "deploy/nginx.conf": NGINX_SITE,
}


@pytest.fixture(scope="module")
def cookiecutter(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    root = tmp_path_factory.mktemp("layout") / "proj"
    return audit_project(build_project(root, files=dict(COOKIECUTTER)))


def test_development_files_give_no_runserver_finding(cookiecutter: Audit) -> None:
    """Before: GL601 failed (critical) on docker-compose.yml and compose/local/django/Dockerfile."""
    assert failing(cookiecutter, "GL601") == []
    assert outcome(cookiecutter, "GL601") == [Status.PASS]


def test_the_ci_nginx_fixture_is_not_audited_the_deploy_one_is(cookiecutter: Audit) -> None:
    """Before: test-nginx.conf was audited as the production nginx (autoindex on: GL710)."""
    nginx = next(c for c in cookiecutter.collectors if c.name == "nginx")
    assert nginx.status == "ok"
    assert [f["path"] for f in nginx.details["files"]] == ["deploy/nginx.conf"]
    assert failing(cookiecutter, "GL710") == []


def test_every_file_seen_is_listed_with_its_role(cookiecutter: Audit) -> None:
    listed = {(f.path, f.kind, f.role, f.audited) for f in cookiecutter.deployment_files}
    assert listed >= {
        ("local.yml", "compose file", "development", False),
        ("production.yml", "compose file", "production", True),
        ("compose/local/django/Dockerfile", "Dockerfile", "development", False),
        ("compose/production/django/Dockerfile", "Dockerfile", "production", True),
        ("docker-compose.yml", "compose file", "development", False),
        ("docker/compose/test-nginx.conf", "nginx config", "test", False),
        ("deploy/nginx.conf", "nginx config", "production", True),
    }


def test_left_out_files_in_every_format(cookiecutter: Audit) -> None:
    md = markdown.render(cookiecutter)
    assert "## Deployment files" in md
    assert (
        "| `docker/compose/test-nginx.conf` | nginx config | test | **left out** | its name says 'test' |"
        in md
    )
    page = html.render(cookiecutter)
    assert (
        "<td><code>local.yml</code></td><td>compose file</td><td>development</td>"
        "<td><strong>left out</strong></td>" in page
    )
    data = json.loads(json_report.render(cookiecutter))
    assert {
        "path": "local.yml",
        "kind": "compose file",
        "role": "development",
        "reason": "its name says 'local'",
        "audited": False,
    } in data["deployment_files"]
    assert json_report.from_dict(data).deployment_files == cookiecutter.deployment_files


def test_terminal_lists_left_out_files(cookiecutter: Audit) -> None:
    from io import StringIO

    from rich.console import Console

    from golive.reports.terminal import render_console

    buffer = StringIO()
    render_console(cookiecutter, Console(file=buffer, width=300, color_system=None))
    assert "left out: local.yml (compose file, development): its name says 'local'" in buffer.getvalue()


def test_a_lone_runserver_compose_is_still_audited(make_project) -> None:  # type: ignore[no-untyped-def]
    """No other file starts a production server: the compose file may be the deployment."""
    audit = audit_project(make_project(files={"Procfile": None, "docker-compose.yml": RUNSERVER_COMPOSE}))
    assert [str(f.location) for f in failing(audit, "GL601")] == ["docker-compose.yml:4"]


def test_production_files_in_the_configuration_bring_a_file_back(make_project) -> None:  # type: ignore[no-untyped-def]
    project = make_project(
        files={
            "docker-compose.yml": RUNSERVER_COMPOSE,
            "pyproject.toml": '[tool.golive]\nproduction_files = ["docker-compose.yml"]\n',
        }
    )
    audit = audit_project(project)
    assert [(f.subjects, str(f.location)) for f in failing(audit, "GL601")] == [
        (("runserver",), "docker-compose.yml:4")
    ]
    entry = next(f for f in audit.deployment_files if f.path == "docker-compose.yml")
    assert entry.reason == "[tool.golive] production_files 'docker-compose.yml' in pyproject.toml"


def test_ignore_files_leaves_the_only_nginx_out_and_says_so(make_project) -> None:  # type: ignore[no-untyped-def]
    project = make_project(
        files={"nginx/site.conf": NGINX_SITE, "pyproject.toml": '[tool.golive]\nignore_files = ["nginx/*"]\n'}
    )
    audit = audit_project(project)
    nginx = next(c for c in audit.collectors if c.name == "nginx")
    assert nginx.status == "skipped"
    assert nginx.reason.endswith(
        "; left out: nginx/site.conf (ignored: [tool.golive] ignore_files 'nginx/*' in pyproject.toml)"
    )


def test_compose_service_in_a_dev_profile_is_left_out(make_project) -> None:  # type: ignore[no-untyped-def]
    compose = (
        "services:\n  web:\n    command: gunicorn site_conf.wsgi\n"
        "  devserver:\n    profiles: [dev]\n    command: python manage.py runserver\n"
    )
    audit = audit_project(make_project(files={"docker-compose.yml": compose}))
    assert failing(audit, "GL601") == []
    assert (
        DeploymentFile(
            path="docker-compose.yml",
            kind="compose service devserver",
            role="development",
            reason="compose profile dev",
            audited=False,
        )
        in audit.deployment_files
    )


def test_gunicorn_config_discovery_asks_the_layout(make_project) -> None:  # type: ignore[no-untyped-def]
    """A development gunicorn config (compose/local/) is left out; the deploy/ one is audited."""
    project = make_project(
        files={
            "compose/local/django/gunicorn.conf.py": "reload = True\n",
            "deploy/gunicorn.conf.py": "workers = 3\nreload = True\n",
        }
    )
    audit = audit_project(project)
    assert [str(f.location) for f in failing(audit, "GL612")] == ["deploy/gunicorn.conf.py:2"]
    assert (
        DeploymentFile(
            path="compose/local/django/gunicorn.conf.py",
            kind="gunicorn config",
            role="development",
            reason="in the local/ folder ('local')",
            audited=False,
        )
        in audit.deployment_files
    )


def test_installing_a_server_is_not_starting_it() -> None:
    """A development Dockerfile installs gunicorn (the image is shared) but runs runserver."""
    text = "FROM python:3.12\nRUN pip install -r requirements.txt gunicorn\nCMD python manage.py runserver\n"
    found = classify("Dockerfile", DOCKERFILE, text, elsewhere="production.yml")
    assert (found.role, found.audited) == ("development", False)


def test_no_server_found_says_which_files_were_left_out(make_project) -> None:  # type: ignore[no-untyped-def]
    """The only server runs from local.yml: the application-server layer is skipped, and the
    reason names the development file it did not audit."""
    local = "services:\n  web:\n    build: .\n    command: gunicorn site_conf.wsgi --reload\n"
    audit = audit_project(make_project(files={"Procfile": None, "local.yml": local}))
    run = next(c for c in audit.collectors if c.name == "gunicorn")
    assert (run.status, run.reason) == (
        "skipped",
        "no gunicorn, uvicorn, daphne, hypercorn or uWSGI found (no config file, no process command);"
        " left out: local.yml (development: its name says 'local')",
    )
    assert failing(audit, "GL612") == []


def test_a_finding_in_a_file_now_left_out_is_not_fixed() -> None:
    """GL601 on docker-compose.yml, then the file is classified development: the finding is
    "not checked", never "fixed"."""
    from msgspec.structs import replace as dc_replace

    from golive.history.compare import compare
    from golive.model import Finding, Location, Section, Severity

    def gl601(status: Status, path: str) -> Finding:
        return Finding(
            id="GL601",
            section=Section.APPLICATION_SERVER,
            status=status,
            severity=Severity.CRITICAL,
            title="runserver",
            subjects=("runserver",),
            location=Location(path=path, line=4),
        )

    base = Audit(
        golive_version="0",
        started_at="2026-12-06T00:00:00+00:00",
        duration=0.0,
        author="a",
        project_name="p",
        project_path="/p",
        git_commit=None,
        git_dirty=None,
        settings_module="s",
        settings_reason="",
        django_version=None,
        python_version=None,
        collectors=(),
        findings=(gl601(Status.FAIL, "docker-compose.yml"), gl601(Status.FAIL, "Procfile")),
    )
    now = dc_replace(
        base,
        findings=(gl601(Status.PASS, ""),),
        deployment_files=(
            DeploymentFile(
                path="docker-compose.yml", kind="compose file", role="development", reason="x", audited=False
            ),
        ),
    )
    diff = compare(base, now)
    assert [f.location.path for f in diff.unverified if f.location] == ["docker-compose.yml"]
    assert [f.location.path for f in diff.fixed if f.location] == ["Procfile"]


def test_hostile_file_names_are_escaped_in_every_format(cookiecutter: Audit) -> None:
    from io import StringIO

    from msgspec.structs import replace as dc_replace
    from rich.console import Console

    from golive.reports.terminal import render_console

    name = "deploy/<script>alert(1)</script>|x\n\x1b[2J.conf"
    hostile = dc_replace(
        cookiecutter,
        deployment_files=(
            DeploymentFile(path=name, kind="nginx config", role="test", reason="a | b <b>", audited=False),
        ),
    )
    md = markdown.render(hostile)
    # inside a code span (CommonMark shows it as text), one table cell, control characters visible
    assert "| `deploy/<script>alert(1)</script>\\|x\\n\\x1b[2J.conf` |" in md and "\x1b" not in md
    assert "a \\| b &lt;b&gt;" in md
    page = html.render(hostile)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    buffer = StringIO()
    render_console(hostile, Console(file=buffer, width=300, color_system=None))
    assert (
        "\x1b[2J" not in buffer.getvalue()
        and "left out: deploy/<script>alert(1)</script>|x\\n\\x1b[2J.conf" in buffer.getvalue()
    )


def test_a_procfile_is_classified_alike_whichever_collector_asks_first(tmp_path: Path) -> None:
    """The platforms collector and the project collector both read the Procfile; the layout
    keeps the first classification, so both must ask for the same kind or the file's kind
    (and its role, rule 5 reading its content) would follow the threads' order."""
    from golive.collectors.platforms import MANIFEST_KIND
    from golive.collectors.platforms import collect as platforms_collect
    from golive.context import AuditOptions, resolve

    (tmp_path / "Procfile").write_text("web: gunicorn a.wsgi\n")
    (tmp_path / "manage.py").write_text("")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "settings.py").write_text("DEBUG = False\n")
    ctx = resolve(AuditOptions(project_dir=tmp_path, settings="a.settings"))
    from golive.collectors.layout import layout_of

    platforms_collect(ctx, {})  # type: ignore[arg-type]
    first = {f.path: (f.kind, f.role) for f in layout_of(ctx).files()}
    other = Layout(tmp_path)
    other.admit(tmp_path / "Procfile", PROCFILE)
    assert first["Procfile"] == {f.path: (f.kind, f.role) for f in other.files()}["Procfile"]
    assert first["Procfile"][0] != MANIFEST_KIND


def test_once_computes_a_task_once_for_every_caller_and_shares_its_exception(tmp_path: Path) -> None:
    """Layout.once (issue 15): the first caller computes, the others (threads of one audit)
    wait for its answer; an exception reaches every caller; another task computes apart."""
    import threading
    import time

    layout = Layout(tmp_path)
    runs: list[str] = []

    def slow() -> list[str]:
        runs.append("slow")
        time.sleep(0.05)
        return ["answer"]

    answers: list[object] = []
    threads = [threading.Thread(target=lambda: answers.append(layout.once("task", slow))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert runs == ["slow"] and len(answers) == 4 and all(a is answers[0] for a in answers)

    def broken() -> None:
        runs.append("broken")
        raise ValueError("cannot read")

    for _ in range(2):
        with pytest.raises(ValueError, match="cannot read"):
            layout.once("other", broken)
    assert runs == ["slow", "broken"]


def test_the_walk_is_shared_by_the_layout_and_the_project_read(tmp_path: Path) -> None:
    """Layout.walk is the project walk (golive.walk.ProjectWalk, 4 levels), made once."""
    from golive.walk import ProjectWalk

    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "Procfile").write_text("web: gunicorn app.wsgi\n")
    (tmp_path / "Dockerfile").write_text("FROM python\n")
    layout = Layout(tmp_path)
    files, note = layout.walk()
    assert list(files) == list(ProjectWalk(tmp_path, max_depth=4)) and note is None
    assert layout.walk()[0] is files
