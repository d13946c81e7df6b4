"""Inlining the settings' environment helpers has a node budget (review of 0f891f6, item 16).

A helper with ``r`` returns each calling the helper below it twice costs ``(2r)^6`` inlining
attempts six levels down (:data:`golive.collectors.env_helpers.MAX_DEPTH`); past a node
budget the call is left as written (the setting is then read as not from the environment,
as for any call golive cannot follow). A behaviour bound, not a speed test.
"""

from __future__ import annotations

import ast
import time

from golive.collectors.env_helpers import Helpers
from golive.collectors.source.expressions import any_lookup


def source(returns: int = 4, depth: int = 7) -> str:
    lines = ["import os", "def h0(name):"]
    lines += [f"    if name == {i}:\n        return os.environ.get('FIXED')" for i in range(returns)]
    for level in range(1, depth):
        lines.append(f"def h{level}(name):")
        for i in range(returns):
            lines.append(f"    if name == {i}:\n        return h{level - 1}(name) or h{level - 1}(name)")
    return "\n".join(lines) + "\n"


def test_helpers_that_multiply_stop_at_a_budget() -> None:
    helpers = Helpers()
    for stmt in ast.parse(source()).body:
        helpers.note_statement(stmt)
    call = ast.parse("h6('DEBUG')", mode="eval").body
    started = time.monotonic()
    expanded, label = helpers.expand(call, any_lookup)
    assert time.monotonic() - started < 5  # (2 * 4) ** 6 = 262,144 attempts without a budget
    assert label == "" and ast.dump(expanded) == ast.dump(call)


def test_a_helper_within_the_budget_is_still_inlined() -> None:
    helpers = Helpers()
    text = "import os\ndef env_flag(name, default):\n    return os.environ.get(name, default) == 'true'\n"
    for stmt in ast.parse(text).body:
        helpers.note_statement(stmt)
    expanded, label = helpers.expand(
        ast.parse("env_flag('SHOP_DEBUG', 'false')", mode="eval").body, any_lookup
    )
    assert label == "env_flag" and "SHOP_DEBUG" in ast.unparse(expanded)
