"""golive.reports.json_dump.dumps gives exactly ``json.dumps(value, indent=2,
ensure_ascii=False)``: on a real audit's report data, on every kind of JSON value, and on
values its fast path leaves to the library (NaN, non-string keys, enums, tuples as
lists), errors included.
"""

from __future__ import annotations

import enum
import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from conftest import GOOD_ENV

from golive.context import AuditOptions, resolve
from golive.reports import json_dump, json_report
from golive.reports.json_dump import dumps
from golive.runner import run_audit


def library(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Word(str, enum.Enum):
    GO = "GO"


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        (),
        "",
        0,
        None,
        True,
        False,
        -0.0,
        1e100,
        1.5,
        10**40,
        '\x00\x1f\x7f\u2028\ud800 é " \\ / \t\n',
        {"a": {"b": [1, {"c": []}, {}, [[]]]}, "d": (1, "x", None)},
        [{"k": [True, False, None, 2.25]}, "end"],
        float("nan"),
        [float("inf"), float("-inf")],
        {3: "int key", 2.5: "float key", True: "bool key", None: "none key"},
        {"level": Level.HIGH, "word": Word.GO, Word.GO: [Level.HIGH, (Word.GO,)]},
        OrderedDict([("b", 1), ("a", [2])]),
    ],
)
def test_the_same_text_as_the_library(value: Any) -> None:
    assert dumps(value) == library(value)


@pytest.mark.parametrize("value", [{"c": Colour.RED}, [object()], {(1, 2): "tuple key"}])
def test_the_same_error_as_the_library(value: Any) -> None:
    with pytest.raises(TypeError) as expected:
        library(value)
    with pytest.raises(TypeError) as got:
        dumps(value)
    assert str(got.value) == str(expected.value)


def test_a_real_audit_report(make_project, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GOOD_ENV.items():
        monkeypatch.setenv(name, value)
    project: Path = make_project(production="DEBUG = True\n")
    audit = run_audit(resolve(AuditOptions(project_dir=project, no_git=True)))
    data = json_report.to_dict(audit)
    assert len(data["findings"]) > 100
    expected = library(data)
    monkeypatch.setattr(json_dump, "json", None)  # the report's data (enums too) never falls back
    assert dumps(data) == expected
