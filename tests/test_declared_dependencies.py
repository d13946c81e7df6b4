"""Requirement lines read without importing ``packaging`` when they are plain (issue 15):
the same :class:`Dependency` as ``packaging.requirements.Requirement`` gives, for every line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement

from golive.collectors.declared_dependencies import pyproject_dependencies, requirements_file
from golive.facts.project import dependency_name

LINES = [
    "Django>=5.2,<6.0",
    "Django >= 5.2 , < 6.0",
    "django==5.1.4",
    "psycopg2-binary",
    "a.b_c-d==1.0",
    "X_Y==1",
    "x >=1",
    "x<2",
    "x>1",
    "x!=1.0",
    "x~=1.2",
    "x~=1",
    "x==1.*",
    "x>=1.0a1",
    "x==1.0,==1.0.0",
    "x>=1,>=2",
    "x[extra]==1.0",
    'x==1.0; python_version < "3.12"',
    "x @ https://example.com/x-1.0.tar.gz",
    "x===1.0-local",
    "x==",
    "==1.0",
    "x==1.0,",
    "x==1.0 ,",
    "x,==1.0",
    "-x==1",
    "x-==1",
    "x ==1.0 extra",
    "x(>=1.0)",
    "x>=1.0.post1.dev2",
    "x>=v1.0",
    "x<=01.02",
    "x>=1.0+local",
    "x\t==\t1.0",
    "gunicorn==23.0.0",
]


def expected(line: str) -> tuple[str, str] | None:
    try:
        req = Requirement(line)
    except InvalidRequirement:
        return None
    return dependency_name(req.name), str(req.specifier)


def test_every_line_reads_as_packaging_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("\n".join(LINES) + "\n")
    found = {d.location.line: (d.name, d.specifier) for d in requirements_file(path, "requirements.txt")}
    for lineno, line in enumerate(LINES, 1):
        assert found.get(lineno) == expected(line), line


def test_pyproject_dependencies_read_as_packaging_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    quoted = ", ".join(repr(line).replace("'", '"') if '"' not in line else repr(line) for line in LINES)
    path.write_text(f"[project]\nname = 'p'\ndependencies = [{quoted}]\n")
    found = [(d.name, d.specifier) for d in pyproject_dependencies(path, "pyproject.toml")]
    assert found == [e for line in LINES if (e := expected(line)) is not None]


def test_plain_requirement_lines_do_not_import_packaging(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("Django>=5.2,<6.0\ngunicorn==23.0.0\npsycopg[binary]==3.2\n# comment\n")
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from golive.collectors.declared_dependencies import requirements_file\n"
        f"deps = list(requirements_file(Path({str(path)!r}), 'requirements.txt'))\n"
        "print(len(deps), 'packaging.requirements' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["3", "True"]  # the line with extras needs packaging
    path.write_text("Django>=5.2,<6.0\ngunicorn==23.0.0\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2", "False"]


@pytest.mark.parametrize("line", LINES)
def test_line(line: str, tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(line + "\n")
    found = [(d.name, d.specifier) for d in requirements_file(path, "requirements.txt")]
    assert found == ([e] if (e := expected(line)) else [])
