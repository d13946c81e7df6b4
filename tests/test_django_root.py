"""The Django root in a subfolder (issue 12, part A.1): one run from the repository root audits
the settings (imported from the folder of manage.py) and the deployment files at the root,
with every path relative to the repository root and the report saying which folder is the
Django root and why.

The layouts are those of real repositories, written anew: ``src/manage.py`` with ``docker/``
and ``deploy/`` at the top; ``<name>/manage.py`` next to ``docs/`` and ``tests/`` that hold
small Django projects of their own; a repository with only ``src/<pkg>/wsgi.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASE_SETTINGS, GOOD_ENV, PROJECT_FILES, audit_project, failing, write_project

from golive.context import AuditOptions, UsageError, resolve
from golive.django_root import find_django_root
from golive.model import Audit, Status
from golive.reports import html, json_report, markdown

MANAGE = (
    "import os, sys\n"
    'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")\n'
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(sys.argv)\n"
)


def in_subfolder(
    folder: str, production: str = "", extra: dict[str, str] | None = None
) -> dict[str, str | None]:
    """The conftest project moved under ``folder``/, deployment files at the repository root."""
    files: dict[str, str | None] = {
        f"{folder}/{k}": v for k, v in PROJECT_FILES.items() if k not in ("Procfile", "requirements.txt")
    }
    files[f"{folder}/site_conf/settings/base.py"] = BASE_SETTINGS
    files[f"{folder}/site_conf/settings/production.py"] = "from .base import *  # noqa\n" + production
    files["requirements.txt"] = PROJECT_FILES["requirements.txt"]
    files["docker/Dockerfile"] = (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY src/ .\n"
        'CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]\n'
    )
    files.update(extra or {})
    return files


# --- where the root is ------------------------------------------------------------------


def test_manage_py_at_the_root_is_the_root_as_before(tmp_path: Path) -> None:
    write_project(tmp_path, {"manage.py": MANAGE.format(module="a.settings"), "src/manage.py": "x"})
    root = find_django_root(tmp_path)
    assert (root.path, root.rel, root.reason) == (
        tmp_path.resolve(),
        ".",
        "manage.py in the project directory",
    )


def test_src_manage_py_is_found_below_the_root(tmp_path: Path) -> None:
    write_project(
        tmp_path, {"src/manage.py": MANAGE.format(module="a.settings"), "docker/Dockerfile": "FROM x\n"}
    )
    root = find_django_root(tmp_path)
    assert (root.rel, root.reason) == (
        "src",
        "src/manage.py: the shallowest manage.py below the repository root",
    )


def test_shallowest_wins_and_the_others_are_named(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "backend/app/manage.py": MANAGE.format(module="app_conf.settings"),
            "shop/manage.py": MANAGE.format(module="shop_conf.settings"),
            "shop/shop_conf/settings.py": "",
            "example/manage.py": MANAGE.format(module="demo.settings"),
            "tests/manage.py": MANAGE.format(module="testproj.settings"),
            "docs/manage.py": MANAGE.format(module="docsproj.settings"),
            "node_modules/pkg/manage.py": "",
            "venv/lib/manage.py": "",
        },
    )
    root = find_django_root(tmp_path)
    # equal depth: shop/ holds the settings its manage.py names, example/ does not
    assert root.rel == "shop"
    assert root.others == ("example/manage.py", "backend/app/manage.py")
    assert root.reason.startswith("shop/manage.py: the shallowest manage.py below the repository root (rule:")
    assert root.reason.endswith("also seen: example/manage.py, backend/app/manage.py")


def test_a_virtualenv_under_any_name_is_skipped(tmp_path: Path) -> None:
    write_project(tmp_path, {"py311/pyvenv.cfg": "home = /usr\n", "py311/manage.py": "", "app/manage.py": ""})
    assert find_django_root(tmp_path).rel == "app"


def test_without_manage_py_the_folder_above_the_wsgi_package(tmp_path: Path) -> None:
    write_project(tmp_path, {"src/mysite/__init__.py": "", "src/mysite/wsgi.py": "application = None\n"})
    root = find_django_root(tmp_path)
    assert (root.rel, root.reason) == (
        "src",
        "src/mysite/wsgi.py: no manage.py found; the folder above the package holding it",
    )


def test_django_root_option_and_configuration_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"src/manage.py": "", "app/manage.py": ""})
    monkeypatch.chdir(tmp_path)
    assert find_django_root(tmp_path, explicit=Path("app")).rel == "app"
    assert find_django_root(tmp_path, explicit=Path("app")).reason == "given with --django-root"
    configured = find_django_root(tmp_path, configured="app", config_name="pyproject.toml")
    assert (configured.rel, configured.reason) == (
        "app",
        "given with [tool.golive] django_root in pyproject.toml",
    )


def test_a_django_root_outside_the_repository_is_a_usage_error(tmp_path: Path) -> None:
    write_project(tmp_path / "repo", {"src/manage.py": MANAGE.format(module="a.settings")})
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(UsageError, match="not inside the project directory"):
        resolve(AuditOptions(project_dir=tmp_path / "repo", django_root=tmp_path / "elsewhere"))
    with pytest.raises(UsageError, match=r"--django-root .*: no such directory"):
        resolve(AuditOptions(project_dir=tmp_path / "repo", django_root=tmp_path / "repo" / "nope"))


# --- a real audit of a project in src/ ----------------------------------------------------


@pytest.fixture(scope="module")
def src_audit(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    repo = tmp_path_factory.mktemp("srcroot") / "repo"
    write_project(repo, in_subfolder("src", production="DEBUG = True\n"))
    return audit_project(repo)


def test_settings_in_src_load_from_the_repository_root(src_audit: Audit) -> None:
    """Before: the probe ran with the repository root on sys.path and failed with "No module
    named 'site_conf'"; the source collector skipped. Now both read src/site_conf."""
    runs = {c.name: c for c in src_audit.collectors}
    assert (runs["runtime"].status, runs["source"].status) == ("ok", "ok")
    assert src_audit.settings_module == "site_conf.settings.production"
    assert src_audit.settings_reason == "default in src/manage.py"
    assert src_audit.django_version


def test_finding_paths_are_relative_to_the_repository_root(src_audit: Audit) -> None:
    debug = failing(src_audit, "GL110")
    assert [(f.subjects, f.location.path if f.location else None) for f in debug] == [
        (("DEBUG",), "src/site_conf/settings/production.py")
    ]
    # the deployment file at the root is found from the repository root
    runserver = failing(src_audit, "GL601")
    assert [(f.subjects, str(f.location)) for f in runserver] == [(("runserver",), "docker/Dockerfile:4")]


def test_every_report_says_which_folder_is_the_django_root_and_why(src_audit: Audit) -> None:
    reason = "src/manage.py: the shallowest manage.py below the repository root"
    assert (src_audit.django_root, src_audit.django_root_reason) == ("src", reason)
    assert f"| Django root | `src`: {markdown.text(reason)} |" in markdown.render(src_audit)
    assert f"<dt>Django root</dt><dd><code>src</code>: {reason}</dd>" in html.render(src_audit)
    data = json.loads(json_report.render(src_audit))
    assert data["django_root"] == {"path": "src", "reason": reason}
    back = json_report.from_dict(data)
    assert (back.django_root, back.django_root_reason) == ("src", reason)


def test_terminal_report_names_the_django_root(tmp_path: Path) -> None:
    repo = write_project(tmp_path / "repo", in_subfolder("src"))
    env = {**os.environ, **GOOD_ENV, "COLUMNS": "200"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "golive.cli",
            "audit",
            str(repo),
            "--no-history",
            "--no-git",
            "--python",
            sys.executable,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert "Django root src (src/manage.py: the shallowest manage.py below the repository root)" in out.stdout
    assert "runtime error" not in out.stdout


def test_root_project_identity_is_unchanged(hardened_audit: Audit) -> None:
    """manage.py at the root: the Django root is the project directory, paths as before."""
    assert (hardened_audit.django_root, hardened_audit.django_root_reason) == (
        ".",
        "manage.py in the project directory",
    )
    keys = {f.key for f in hardened_audit.findings if f.location}
    assert all(not k.split("|")[2].startswith(("src/", "/")) for k in keys)


def test_a_wrong_django_root_says_so_in_the_error(tmp_path: Path) -> None:
    manage = MANAGE.format(module="site_conf.settings.production")
    repo = write_project(tmp_path / "repo", in_subfolder("src", extra={"app/manage.py": manage}))
    audit = audit_project(repo, django_root=repo / "app")
    runtime = next(c for c in audit.collectors if c.name == "runtime")
    assert runtime.status == "error"
    assert "No module named 'site_conf'" in runtime.reason
    assert "the settings are imported from the Django root app (given with --django-root)" in runtime.reason
    assert "pass --django-root DIR" in runtime.reason
    # with the right one, everything loads
    fixed = audit_project(repo, django_root=repo / "src")
    assert {c.name: c.status for c in fixed.collectors}["runtime"] == "ok"
    assert all(f.status is not Status.ERROR for f in fixed.findings)


NGINX_MEDIA = """
server {
    listen 80 default_server;
    server_name _;
    return 444;
}
server {
    listen 80;
    server_name shop.example.com;
    location /media/ { alias /app/media/; }
    location / { proxy_pass http://127.0.0.1:8000; proxy_set_header Host $host; }
}
"""


@pytest.mark.covers("GL709", "pass")
def test_media_root_under_the_django_root_matches_nginx_by_its_tail(tmp_path: Path) -> None:
    """MEDIA_ROOT = BASE_DIR / "media" with BASE_DIR = src/: nginx's /app/media/ (the image
    copies src/ to /app) is that directory. Compared from the repository root the tail was
    src/media and GL709 failed."""
    files = in_subfolder("src", production='MEDIA_ROOT = str(BASE_DIR / "media")\n')
    files["deploy/nginx.conf"] = NGINX_MEDIA
    audit = audit_project(write_project(tmp_path / "repo", files))
    assert [f.status for f in audit.findings if f.id == "GL709"] == [Status.PASS]


def test_running_in_a_subfolder_says_where_the_repository_root_is(tmp_path: Path) -> None:
    """Run from src/, the deployment files at the repository root are out of reach: the
    report says so and how to reach them."""
    repo = write_project(tmp_path / "repo", in_subfolder("src"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=60)
    ctx = resolve(AuditOptions(project_dir=repo / "src"))
    assert ctx.django_root_reason == (
        "manage.py in the project directory; golive runs in a subfolder of the git repository, whose"
        " root (..) holds docker/: deployment files outside src/ are not searched, run golive from .."
        " to audit them"
    )
    # a monorepo whose top holds no deployment files: nothing to say
    (repo / "docker" / "Dockerfile").unlink()
    (repo / "docker").rmdir()
    assert (
        resolve(AuditOptions(project_dir=repo / "src")).django_root_reason
        == "manage.py in the project directory"
    )
    assert resolve(AuditOptions(project_dir=repo)).django_root_reason == (
        "src/manage.py: the shallowest manage.py below the repository root"
    )


def test_live_probe_looks_for_the_settings_file_under_both_roots(tmp_path: Path) -> None:
    """A web server rooted at src/ or at the repository would serve the settings file at
    /site_conf/... or /src/site_conf/...: the live probe asks for both."""
    from golive.collectors.live import _settings_urls

    repo = write_project(tmp_path / "repo", in_subfolder("src"))
    ctx = resolve(AuditOptions(project_dir=repo))
    assert _settings_urls(ctx) == (
        "/site_conf/settings/production.py",
        "/src/site_conf/settings/production.py",
    )


def test_a_settings_error_in_src_is_located_from_the_repository_root(tmp_path: Path) -> None:
    repo = write_project(tmp_path / "repo", in_subfolder("src", production="raise RuntimeError('boom')\n"))
    audit = audit_project(repo)
    runtime = next(c for c in audit.collectors if c.name == "runtime")
    assert runtime.status == "error"
    assert "RuntimeError: boom (src/site_conf/settings/production.py:2)" in runtime.reason


def test_a_wsgi_py_whose_settings_do_not_resolve_from_the_root_does_not_make_it_the_root(
    tmp_path: Path,
) -> None:
    # a sandbox/ folder holding manage.py, wsgi.py and settings.py side by side, the entry
    # points defaulting to the bare module "settings": it resolves from sandbox/, not the root
    write_project(
        tmp_path,
        {
            "setup.py": "",
            "shopapp/__init__.py": "",
            "demo/__init__.py": "",
            "demo/manage.py": MANAGE.format(module="settings"),
            "demo/wsgi.py": MANAGE.format(module="settings"),
            "demo/settings.py": "SECRET_KEY = 'x'\n",
        },
    )
    root = find_django_root(tmp_path)
    assert (root.rel, root.reason) == (
        "demo",
        "demo/manage.py: the shallowest manage.py below the repository root",
    )


def test_a_wsgi_py_whose_settings_resolve_from_the_root_still_makes_it_the_root(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "mysite/__init__.py": "",
            "mysite/wsgi.py": MANAGE.format(module="mysite.settings"),
            "mysite/settings.py": "",
        },
    )
    root = find_django_root(tmp_path)
    assert (root.rel, root.reason) == (".", "mysite/wsgi.py in the project directory")
