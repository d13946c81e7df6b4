"""The documentation site builds with `mkdocs build --strict`, and its generated pages cover every check."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO

from golive.checks import registry
from golive.checks.django_checks import CATALOGUE
from golive.history.grade import DEDUCTIONS, GRADES
from golive.model import Section, Severity


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_check_docs", REPO / "scripts" / "gen_check_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_check_docs = _load_generator()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    return out


def test_every_check_has_its_section_page_and_anchor(site: Path) -> None:
    for spec in registry():
        page = (site / "checks" / spec.section.value / "index.html").read_text()
        assert f'id="{spec.id.lower()}"' in page, spec.id
    for cid, known in CATALOGUE.items():
        page = (site / "checks" / known.section.value / "index.html").read_text()
        assert f'id="{cid.lower().replace(".", "-")}"' in page, cid
    index = (site / "checks" / "index.html").read_text()
    listed = re.findall(r'href="[\w-]+/#(gl\d{3})"', index)
    assert listed == [s.id.lower() for s in sorted(registry(), key=_order)]


def _order(spec: object) -> tuple[int, str]:
    section: Section = spec.section  # type: ignore[attr-defined]
    return list(Section).index(section), spec.id  # type: ignore[attr-defined]


def test_site_loads_nothing_from_the_network(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', text), page


def test_cli_reference_lists_every_command(site: Path) -> None:
    from golive.cli import app

    page = (site / "reference" / "cli" / "index.html").read_text()
    for name in app.commands:
        assert f"golive {name}" in page
    assert "--no-runtime" in page and "--baseline" in page


def test_schema_page_is_the_shipped_schema(site: Path) -> None:
    page = (site / "reference" / "schema" / "index.html").read_text()
    assert "urn:django-golive:schema:audit:1" in page
    assert "history_finding" in page and "acceptance" in page


def test_documented_grade_formula_is_the_code() -> None:
    text = " ".join((REPO / "docs" / "history.md").read_text().split())
    d = DEDUCTIONS
    assert (
        f"**{d[Severity.CRITICAL]} points if critical, {d[Severity.HIGH]} if high, {d[Severity.MEDIUM]} if"
        f" medium, {d[Severity.LOW]} if low, {d[Severity.INFO]} if info**"
    ) in text
    letters = ", ".join(f"**{letter}** from {low}" for letter, low in GRADES[:-1])
    assert f"The letter is {letters}, **F** below." in text


def test_generator_writes_the_same_pages(tmp_path: Path) -> None:
    assert gen_check_docs.main([str(tmp_path)]) == 0
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.md"))
    assert written == sorted(gen_check_docs.pages())
    assert {f"checks/{s.value}.md" for s in Section} <= set(written)
