"""Django's own check messages judged as deployment risks (issue 12's false-alarm budget).

templates.W003 ("'<name>' is used for multiple template tag modules"): two installed apps ship a
tag library of the same name, as an e-commerce sandbox does with two thumbnail packages. Which
one ``{% load <name> %}`` gets follows INSTALLED_APPS order, the same in every environment: a
correctness matter the tests and development show, not a deployment risk: low with the reason.
The apps are written here; Django's real check framework raises the message.
"""

from __future__ import annotations

from pathlib import Path

from conftest import audit_project, build_project

from golive.model import Severity, Status

TAG_LIBRARY = "from django import template\n\nregister = template.Library()\n"
APPS = {
    "thumbs_a/__init__.py": "",
    "thumbs_a/templatetags/__init__.py": "",
    "thumbs_a/templatetags/thumbnail.py": TAG_LIBRARY,
    "thumbs_b/__init__.py": "",
    "thumbs_b/templatetags/__init__.py": "",
    "thumbs_b/templatetags/thumbnail.py": TAG_LIBRARY,
}


def test_templates_w003_two_tag_libraries_of_one_name_is_low(tmp_path: Path) -> None:
    project = build_project(
        tmp_path / "proj", production='INSTALLED_APPS += ["thumbs_a", "thumbs_b"]\n', files=APPS
    )
    [found] = [f for f in audit_project(project).findings if f.id == "templates.W003"]
    assert found.status is Status.FAIL
    assert found.severity is Severity.LOW
    assert any("INSTALLED_APPS order" in e for e in found.evidence), found.evidence
