"""The progress line while an audit runs: what is running now, not what last finished.

Some collectors run alongside the others (:func:`golive.collectors.scheduler.collect_all`):
the runtime probe and the git history scan take seconds while the host or the live-site
collector finishes at once. A line that showed the last step to finish (``host: skipped``)
would stand still for those seconds; :class:`RunningSteps` instead records every
``progress(name, state)`` call of the runner and shows the steps still running, oldest
first, with the elapsed time of those over :data:`SHOW_AFTER` seconds:
``running: runtime 12 s, git 4 s``. It is a Rich renderable computed at each refresh
(``console.status(RunningSteps())``), so the elapsed times advance on their own; it is safe
to call from the collectors' threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when first shown: the audit starts its probe before Rich loads
    from rich.text import Text

#: A step's elapsed time is shown once it has run this many seconds.
SHOW_AFTER = 2.0


class RunningSteps:
    """A ``golive.runner.Progress`` callback that remembers what runs (see the module
    docstring). ``clock`` returns seconds (``time.monotonic`` by default; tests pass a fake)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._running: dict[str, float] = {}
        self._finished = 0

    def __call__(self, name: str, state: str) -> None:
        """Record ``state`` (``start``, ``ok``, ``skipped``, ``error``) of step ``name``."""
        with self._lock:
            if state == "start":
                self._running[name] = self._clock()
            else:
                self._running.pop(name, None)
                self._finished += 1

    def text(self) -> str:
        """``running: runtime 12 s, git`` (oldest first; elapsed shown past :data:`SHOW_AFTER`
        seconds), or ``checking…`` once nothing is collecting."""
        now = self._clock()
        with self._lock:
            steps = sorted(self._running.items(), key=lambda item: item[1])
            finished = self._finished
        if not steps:
            return "checking…" if finished else "starting…"
        shown = [
            name + (f" {int(now - began)} s" if now - began > SHOW_AFTER else "") for name, began in steps
        ]
        return "running: " + ", ".join(shown)

    def __rich__(self) -> Text:
        from rich.text import Text

        return Text(self.text())


__all__ = ["SHOW_AFTER", "RunningSteps"]
