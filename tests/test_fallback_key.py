"""The key production really loads (issue 11, item 5): a literal SECRET_KEY production can
silently fall back to is reported even when the environment overrides it today.

Real projects on disk, audited for real (source collector; no runtime, no git: the
literal is judged from the settings the deploy would import). Three ways the literal
stays reachable: the module ``wsgi.py`` defaults to (a deploy that forgets
DJANGO_SETTINGS_MODULE serves it), an environment lookup whose fallback is the literal
(``os.environ.get("X", SECRET_KEY)``), and an override inside an ``if``. The passing case:
production replaces the literal unconditionally with a required variable, and wsgi.py
defaults to production.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE_SETTINGS, audit_project, build_project, failing, outcome

from golive.checks.fallback_key import reachable_literal
from golive.collectors.source import collect
from golive.context import AuditOptions, resolve
from golive.model import Audit, Location, Status

BASE = "site_conf/settings/base.py"
DEV = "site_conf/settings/dev.py"
WSGI = "site_conf/wsgi.py"
#: Made up for these tests (a dev key as startproject writes them, minus the prefix).
DEV_KEY = "dev-literal-" + "Qm3#Zt8!Lw5$Xr2^Nv9&Kb4*Hc7(Jd1)Fg6-Sp0_Ya+Ue"
BASE_KEY = "base-literal-" + "Wn4!Rt7#Ye2$Ui9^Op5&As8*Df3(Gh6)Jk1-Lz0_Xc+Vb"

DEV_SETTINGS = f'from .base import *  # noqa\nSECRET_KEY = "{DEV_KEY}"\nDEBUG = True\n'
WSGI_DEV = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings.dev")
application = get_wsgi_application()
"""
MANAGE_DEV = """
import os, sys
if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings.dev")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
"""
LITERAL_BASE = BASE_SETTINGS.replace(
    'SECRET_KEY = os.environ["APP_SECRET_KEY"]', f'SECRET_KEY = "{BASE_KEY}"'
)
#: Line of the literal in base.py (BASE_SETTINGS is dedented and stripped of its first newline).
BASE_LINE = LITERAL_BASE.lstrip("\n").splitlines().index(f'SECRET_KEY = "{BASE_KEY}"') + 1


def _audit(root: Path) -> Audit:
    return audit_project(root, no_runtime=True, no_git=True, no_history=True)


def _no_key_in(audit: Audit) -> None:
    text = repr(audit.findings)
    assert DEV_KEY not in text and BASE_KEY not in text


@pytest.mark.covers("GL107", "fail")
def test_the_module_wsgi_defaults_to_holds_a_literal_key(tmp_path: Path) -> None:
    # manage.py and wsgi.py default to dev; discovery audits the production sibling, which
    # reads the key from the environment. A container started without
    # DJANGO_SETTINGS_MODULE serves dev.py and its literal key.
    root = build_project(
        tmp_path / "proj", files={DEV: DEV_SETTINGS, WSGI: WSGI_DEV, "manage.py": MANAGE_DEV}
    )
    audit = _audit(root)
    assert audit.settings_module == "site_conf.settings.production"
    [f] = failing(audit, "GL107")
    assert f.subjects == ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")
    assert f.location == Location(path=DEV, line=2)
    assert f.evidence[0] == (
        f"{WSGI}:3 defaults DJANGO_SETTINGS_MODULE to site_conf.settings.dev,"
        " not the audited site_conf.settings.production"
    )
    assert f.evidence[1].startswith(f"SECRET_KEY at {DEV}:2 is a literal there: 57 chars")
    assert "fingerprint" in f.evidence[1]
    assert failing(audit, "GL101") == []
    _no_key_in(audit)


@pytest.mark.covers("GL107", "fail")
def test_an_environment_lookup_falling_back_to_the_literal(tmp_path: Path) -> None:
    root = build_project(
        tmp_path / "proj",
        'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", SECRET_KEY)\n',
        base=LITERAL_BASE,
    )
    audit = _audit(root)
    [f] = failing(audit, "GL107")
    assert f.subjects == ("SECRET_KEY",)
    assert f.location == Location(path=BASE, line=BASE_LINE)
    assert f.evidence[0] == (
        "site_conf/settings/production.py:2 reads SECRET_KEY from DJANGO_SECRET_KEY"
        " and falls back to the earlier SECRET_KEY when it is unset"
    )
    assert f.evidence[1].startswith(f"SECRET_KEY at {BASE}:{BASE_LINE} is a literal there: ")
    assert failing(audit, "GL101") == []
    _no_key_in(audit)


@pytest.mark.covers("GL107", "fail")
def test_an_override_inside_an_if_leaves_the_literal_in_force(tmp_path: Path) -> None:
    root = build_project(
        tmp_path / "proj",
        'if "DJANGO_SECRET_KEY" in os.environ:\n    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\n',
        base=LITERAL_BASE,
    )
    audit = _audit(root)
    [f] = failing(audit, "GL107")
    assert f.location == Location(path=BASE, line=BASE_LINE)
    assert f.evidence[0] == (
        "site_conf/settings/production.py:3 reads SECRET_KEY from DJANGO_SECRET_KEY"
        " only under a condition (if/try): otherwise the earlier SECRET_KEY stays"
    )
    assert failing(audit, "GL101") == []


@pytest.mark.covers("GL107", "pass")
def test_an_unconditional_required_override_and_wsgi_on_production(tmp_path: Path) -> None:
    # base.py's literal is the development value: production replaces it with a variable
    # that must be set (os.environ[...] raises when it is not), so no deploy can load it.
    root = build_project(
        tmp_path / "proj",
        'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\n',
        base=LITERAL_BASE,
        files={DEV: DEV_SETTINGS},
    )
    audit = _audit(root)
    assert outcome(audit, "GL107") == [Status.PASS]
    [f] = [f for f in audit.findings if f.id == "GL107"]
    assert f.evidence == (
        "site_conf/wsgi.py:3 defaults to the audited site_conf.settings.production",
        "the effective SECRET_KEY is read from DJANGO_SECRET_KEY with no fallback"
        " (site_conf/settings/production.py:2)",
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        pytest.param(
            'SECRET_KEY = os.getenv("DJANGO_SECRET_KEY") or SECRET_KEY',
            "falls back to the earlier SECRET_KEY when it is unset",
            id="or",
        ),
        pytest.param(
            'SECRET_KEY = env("DJANGO_SECRET_KEY", default=SECRET_KEY)',
            "falls back to the earlier SECRET_KEY when it is unset",
            id="django-environ",
        ),
        pytest.param(
            'SECRET_KEY = config("DJANGO_SECRET_KEY", default=SECRET_KEY)',
            "falls back to the earlier SECRET_KEY when it is unset",
            id="decouple",
        ),
        pytest.param(
            'try:\n    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\nexcept KeyError:\n    pass',
            "only under a condition (if/try): otherwise the earlier SECRET_KEY stays",
            id="try",
        ),
    ],
)
def test_other_fallback_forms(tmp_path: Path, line: str, reason: str) -> None:
    head = "from environ import Env\nfrom decouple import config\nenv = Env()\n"
    root = build_project(tmp_path / "proj", head + line + "\n", base=LITERAL_BASE)
    source = collect(resolve(AuditOptions(project_dir=root, settings="site_conf.settings.production")))
    found = reachable_literal(source.history("SECRET_KEY"))
    assert found is not None
    literal, reasons = found
    assert literal.location == Location(path=BASE, line=BASE_LINE)
    [why] = reasons
    assert why.endswith(reason)


@pytest.mark.covers("GL107", "pass")
@pytest.mark.parametrize(
    "override",
    [
        pytest.param(
            "try:\n"
            '    with open(os.path.join(BASE_DIR, "data", "secretkey.txt")) as f:\n'
            "        SECRET_KEY = f.read().strip()\n"
            "except Exception:\n"
            "    SECRET_KEY = get_random_secret_key()\n",
            id="try-file-except-generate",
        ),
        pytest.param(
            'if os.environ.get("KEY_FILE"):\n'
            '    SECRET_KEY = open(os.environ["KEY_FILE"]).read()\n'
            "else:\n"
            '    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\n',
            id="if-else",
        ),
        pytest.param(
            "try:\n"
            '    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\n'
            "except KeyError:\n"
            '    raise RuntimeError("DJANGO_SECRET_KEY is required")\n',
            id="try-except-raise",
        ),
    ],
)
def test_an_override_on_every_branch_makes_the_literal_unreachable(tmp_path: Path, override: str) -> None:
    # every branch of the if/else (every handler of the try) assigns SECRET_KEY or stops the
    # import: the override is unconditional, base.py's literal can never be what loads
    head = "from django.core.management.utils import get_random_secret_key\n"
    root = build_project(tmp_path / "proj", head + override, base=LITERAL_BASE)
    audit = _audit(root)
    assert outcome(audit, "GL107") == [Status.PASS]
    source = collect(resolve(AuditOptions(project_dir=root, settings="site_conf.settings.production")))
    assert reachable_literal(source.history("SECRET_KEY")) is None


def test_a_try_whose_handler_does_not_assign_stays_conditional(tmp_path: Path) -> None:
    override = (
        'try:\n    SECRET_KEY = open("/run/secrets/key").read()\n'
        'except KeyError:\n    SECRET_KEY = os.environ["K2"]\n'
        "except OSError:\n    pass\n"
    )
    root = build_project(tmp_path / "proj", override, base=LITERAL_BASE)
    source = collect(resolve(AuditOptions(project_dir=root, settings="site_conf.settings.production")))
    found = reachable_literal(source.history("SECRET_KEY"))
    assert found is not None
    assert found[0].location == Location(path=BASE, line=BASE_LINE)


@pytest.mark.covers("GL107", "fail")
def test_one_literal_reached_two_ways_is_one_finding(tmp_path: Path) -> None:
    # the audited production chain overrides the key only under an if, and wsgi.py defaults
    # to dev.py, which keeps base.py's literal: one literal, one location, one finding
    root = build_project(
        tmp_path / "proj",
        'if "DJANGO_SECRET_KEY" in os.environ:\n    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\n',
        base=LITERAL_BASE,
        files={DEV: "from .base import *  # noqa\nDEBUG = True\n", WSGI: WSGI_DEV, "manage.py": MANAGE_DEV},
    )
    audit = _audit(root)
    [f] = failing(audit, "GL107")
    assert f.location == Location(path=BASE, line=BASE_LINE)
    assert f.subjects == ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")
    assert f.evidence[0] == (
        "site_conf/settings/production.py:3 reads SECRET_KEY from DJANGO_SECRET_KEY"
        " only under a condition (if/try): otherwise the earlier SECRET_KEY stays"
    )
    assert f.evidence[-1] == (
        f"{WSGI}:3 defaults DJANGO_SETTINGS_MODULE to site_conf.settings.dev,"
        " not the audited site_conf.settings.production"
    )
    assert sum(e.startswith(f"SECRET_KEY at {BASE}:{BASE_LINE} is a literal") for e in f.evidence) == 1
