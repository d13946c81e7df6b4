"""The catalogue keeps itself honest (STYLE.md's meta-test), and `golive checks` / `explain`.

How to declare the test cases of a check (for everyone adding GLnnn checks)
---------------------------------------------------------------------------
Mark each test that proves a check with ``@pytest.mark.covers(ID, ..., CASE)``:

    @pytest.mark.covers("GL701", "fail")            # this test makes GL701 fail
    def test_gl701_server_tokens_on(...): ...

    @pytest.mark.covers("GL701", "GL702", "pass")   # several ids, one case
    def test_hardened_nginx(...): ...

    pytest.param(..., marks=pytest.mark.covers("GL703", "fail"))   # one parametrized case

CASE is ``fail`` (the check reports a failing finding), ``pass`` (it runs and passes) or
``manual`` (a manual check asks for a signature). Every check in ``golive.checks.registry()``
must have a ``fail`` and a ``pass`` case, a manual check a ``manual`` and a ``pass`` case
(pass = attested, or not applicable). The marks are read statically from every
``tests/test_*.py`` module (imported, never run here), so this meta-test works when it runs
alone. Only ids in the registry are demanded: a check module not yet listed in
``golive/checks/__init__.py`` asks for nothing, and a mark naming an id that does not exist
(yet) is ignored. The test asserts on the ids, subjects, location and evidence, never only
that something ran.
"""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from golive.checks import registry
from golive.checks.django_checks import CATALOGUE
from golive.registry import CheckSpec

TESTS = Path(__file__).resolve().parent
CASES = ("fail", "pass", "manual")
ID_RE = re.compile(r"^GL\d{3}$")


def _marks(obj: Any) -> list[Any]:
    marks = list(getattr(obj, "pytestmark", []) or [])
    for mark in list(marks):
        if mark.name == "parametrize":
            values = mark.args[1] if len(mark.args) > 1 else mark.kwargs.get("argvalues", [])
            for value in values:
                marks += list(getattr(value, "marks", ()) or ())
    return marks


def _test_modules() -> list[ModuleType]:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    return [importlib.import_module(path.stem) for path in sorted(TESTS.glob("test_*.py"))]


def covered_cases() -> dict[str, dict[str, list[str]]]:
    """``{check id: {case: [test names]}}`` from every ``covers`` mark in tests/test_*.py."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for module in _test_modules():
        for name, obj in vars(module).items():
            items: list[tuple[str, Any]] = []
            if name.startswith("test") and callable(obj):
                items.append((name, obj))
            elif name.startswith("Test") and inspect.isclass(obj):
                items += [(f"{name}.{n}", m) for n, m in vars(obj).items() if n.startswith("test")]
                items = [(n, m) for n, m in items]
            for test_name, func in items:
                marks = _marks(func) + (_marks(obj) if inspect.isclass(obj) else [])
                for mark in marks:
                    if mark.name != "covers":
                        continue
                    *ids, case = mark.args
                    assert case in CASES, (
                        f"{module.__name__}.{test_name}: covers(...) case must be one of {CASES}"
                    )
                    assert ids, f"{module.__name__}.{test_name}: covers() names no check id"
                    for cid in ids:
                        found[cid][case].append(f"{module.__name__}.{test_name}")
    return found


def required_cases(spec: CheckSpec) -> tuple[str, str]:
    """What a check must have: fail + pass, or manual + pass for a manual check."""
    return ("manual", "pass") if spec.manual else ("fail", "pass")


def test_every_check_has_a_failing_and_a_passing_case() -> None:
    covered = covered_cases()
    missing = [
        f"{spec.id} has no {case!r} case"
        for spec in registry()
        for case in required_cases(spec)
        if not covered.get(spec.id, {}).get(case)
    ]
    assert missing == []


def test_covers_marks_name_well_formed_ids() -> None:
    for cid in covered_cases():
        assert ID_RE.match(cid) or re.match(r"^[a-z_]+\.[A-Z]\d{3}$", cid), cid


def test_ids_are_unique_well_formed_and_filed_in_their_section() -> None:
    specs = list(registry())
    ids = [s.id for s in specs]
    assert len(ids) == len(set(ids))
    for spec in specs:
        assert ID_RE.match(spec.id), spec.id
        assert spec.section.digit == int(spec.id[2]), spec.id
        # The module holding the check says which section (GLnxx) it implements.
        module_doc = sys.modules[spec.func.__module__].__doc__ or ""
        assert f"GL{spec.id[2]}" in module_doc, (
            f"{spec.id}: {spec.func.__module__} docstring names no GL{spec.id[2]}xx"
        )


@pytest.mark.parametrize("spec", list(registry()), ids=lambda s: s.id)
def test_check_is_documented(spec: CheckSpec) -> None:
    assert spec.title and spec.title == spec.title.strip() and "\n" not in spec.title
    assert spec.remediation.strip()
    assert spec.reference.startswith("https://")
    assert spec.rationale.strip(), f"{spec.id}: the function's docstring is its rationale"
    # The rationale cites its source: a quotation of the doc it enforces, or a URL.
    assert '"' in spec.rationale or "https://" in spec.rationale, f"{spec.id}: rationale cites no source"
    if spec.manual:
        assert "[tool.golive.attest." in spec.remediation, f"{spec.id}: tell people how to sign it"


def test_django_catalogue_is_filed_and_remediated() -> None:
    for cid, known in CATALOGUE.items():
        assert cid == known.id
        assert known.subjects and known.remediation and known.title


def golive(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "golive.cli", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_golive_checks_lists_every_id() -> None:
    proc = golive("checks")
    assert proc.returncode == 0, proc.stderr
    listed = [line.split()[0] for line in proc.stdout.splitlines()[1:] if line.strip()]
    assert listed[: len(registry())] == [s.id for s in registry()]
    assert set(CATALOGUE) <= set(listed)
    gl101 = next(line for line in proc.stdout.splitlines() if line.strip().startswith("GL101"))
    assert "critical-settings" in gl101 and "critical" in gl101 and "literal" in gl101
    gl222 = next(line for line in proc.stdout.splitlines() if line.strip().startswith("GL222"))
    assert "(manual)" in gl222


def test_golive_explain_a_golive_check() -> None:
    proc = golive("explain", "gl101")
    assert proc.returncode == 0, proc.stderr
    spec = registry().get("GL101")
    assert spec is not None
    assert proc.stdout.startswith(f"GL101 {spec.title}")
    assert "section critical-settings · severity critical" in proc.stdout
    assert "avoid committing it to source control" in proc.stdout  # the rationale
    assert 'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]' in proc.stdout  # the remediation
    assert f"Source {spec.reference}" in proc.stdout


def test_golive_explain_a_manual_check_says_how_long_a_signature_lasts() -> None:
    proc = golive("explain", "GL222")
    assert proc.returncode == 0, proc.stderr
    assert "manual, signature valid 90 days" in proc.stdout
    assert "[tool.golive.attest.GL222]" in proc.stdout


def test_golive_explain_a_django_check() -> None:
    proc = golive("explain", "security.W004")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("security.W004 SECURE_HSTS_SECONDS is not set (Django's own check)")
    assert "SECURE_HSTS_SECONDS = 31536000" in proc.stdout
    assert "https://docs.djangoproject.com/en/stable/ref/checks/#security" in proc.stdout


def test_golive_explain_an_unknown_id_is_a_usage_error() -> None:
    proc = golive("explain", "GL000")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip() == "golive: error: unknown check id 'GL000' (see `golive checks`)"
