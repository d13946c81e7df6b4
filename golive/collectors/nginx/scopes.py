"""Memories that live for the nginx collector's scopes: helpers of :mod:`.paths` and
:mod:`.lexing`.

The collector remembers answers (a path's resolution, a text's tokens) only while an audit
runs: scopes nest and may be open on several threads at once, and the memories are dropped
when the last scope ends, so the next audit sees the file system afresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class Scopes:
    """A count of open scopes (any thread) over ``memories`` (dicts), cleared when the last
    scope ends. ``bool(scopes)``: whether a scope is open, the memories in use."""

    def __init__(self, *memories: dict[Any, Any]) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.memories = memories

    def __bool__(self) -> bool:
        return self.count > 0

    @contextmanager
    def scope(self, on_enter: Callable[[], None] | None = None) -> Iterator[None]:
        """One scope; ``on_enter`` is called first, under the lock (a one-time set-up)."""
        with self.lock:
            if on_enter is not None:
                on_enter()
            self.count += 1
        try:
            yield
        finally:
            with self.lock:
                self.count -= 1
                if not self.count:
                    for memory in self.memories:
                        memory.clear()
