"""The progress line shows what is running now (issue 14): not the last step that finished."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from golive.progress import RunningSteps


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_names_what_still_runs_with_its_elapsed_time() -> None:
    clock = Clock()
    steps = RunningSteps(clock)
    assert steps.text() == "starting…"
    steps("runtime", "start")
    clock.now += 0.5
    steps("git", "start")
    steps("host", "start")
    steps("host", "skipped")  # finished at once: not what the line shows
    assert steps.text() == "running: runtime, git"
    clock.now += 11.7
    assert steps.text() == "running: runtime 12 s, git 11 s"
    steps("runtime", "ok")
    assert steps.text() == "running: git 11 s"
    steps("git", "error")
    steps("checks", "ok")
    assert steps.text() == "checking…"


def test_rich_renders_the_current_text_at_each_refresh() -> None:
    clock = Clock()
    steps = RunningSteps(clock)
    steps("runtime", "start")
    buffer = StringIO()
    console = Console(file=buffer, width=80, color_system=None)
    console.print(steps)
    clock.now += 3
    console.print(steps)
    assert buffer.getvalue().splitlines() == ["running: runtime", "running: runtime 3 s"]
