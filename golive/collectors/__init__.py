"""Collectors: one per input; each gathers typed facts and judges nothing.

A collector is a function ``collect(ctx: AuditContext) -> FactsBase``; one that reads
another collector's facts declares them in ``uses`` and is called as
``collect(ctx, facts)`` once those collectors are done (the host and backups collectors
read the runtime settings this way instead of loading them a second time). It raises
:class:`Skip` when its input is absent (the checks that need its facts are then
``skipped`` with that reason) and :class:`CollectorError` when the input is there but
cannot be read (those checks are skipped with the reason, and the audit is marked
incomplete). Any other exception is caught by the runner and treated as a
``CollectorError``; a collector never prints and never exits.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

from msgspec import Struct

from golive.registry import FactsBase


class Skip(Exception):
    """The collector's input is absent; the message is the one-line reason."""


class CollectorError(Exception):
    """The collector's input is there but could not be read; one-line message with the fix."""


def one_line(exc: BaseException) -> str:
    """``exc`` as one line of at most 400 characters, its type named unless it is a
    collector's own :class:`CollectorError` or :class:`Skip` (whose message is the reason)."""
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, (CollectorError, Skip)):
        text = f"{type(exc).__name__}: {text}"
    return " ".join(text.split())[:400]


class ProbeFailed(CollectorError):
    """The runtime probe could not load the settings; ``details`` carries what the probe still
    knew (its ``django_version``, ``python.version``), which the run record keeps."""

    def __init__(self, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.details = details


class CollectorSpec(Struct, frozen=True):
    """A collector: its name (the ``collector`` field of findings) and its function.

    ``uses`` lists the facts types of other collectors it reads; with ``uses`` the
    function takes ``(ctx, facts)`` (a :class:`golive.registry.Facts` holding whatever of
    them was produced: a collector that failed is simply absent), else ``(ctx)``.
    ``budget`` is the seconds it may run (None: the runner's default, see
    :func:`golive.runner.collector_budget`); over it, it is an error of its own.
    """

    name: str
    produces: type[FactsBase]
    collect: Callable[..., FactsBase]
    description: str = ""
    uses: tuple[type[FactsBase], ...] = ()
    budget: float | None = None
    #: ``gate(ctx)``, optional, for a collector with ``uses``: decides from the context alone
    #: whether it runs (raises :class:`Skip` when not); the scheduler calls it before waiting
    #: for the facts it uses, and on a raise runs the collector at once, which then gives
    #: that answer (the host collector off the server: issue 15). The gate runs in the
    #: collector's thread and counts against its ``budget`` (the wait for the facts does not).
    gate: Callable[[Any], None] | None = None
    #: True for a collector whose time is mostly spent waiting for a subprocess or the
    #: network (the runtime probe, gunicorn's loader, pip-audit and PyPI, git, the live
    #: site): it runs alongside the others. The rest run one at a time, in order
    #: (:func:`golive.collectors.scheduler.collect_all`).
    alongside: bool = False


#: Every collector, in the order they are started: ``module:attribute`` of its spec.
COLLECTORS = (
    "golive.collectors.runtime:SPEC",  # first: its subprocess is the slowest part of an audit
    # second: gunicorn's own loader is a subprocess too (it imports gunicorn, about half a
    # second); started before the modules of the in-process collectors below are imported,
    # it is off the critical path (issue 15)
    "golive.collectors.appservers.gunicorn:SPEC",
    "golive.collectors.source:SPEC",
    "golive.collectors.project:SPEC",
    "golive.collectors.dependencies:SPEC",
    "golive.collectors.git:SPEC",
    "golive.collectors.live:SPEC",
    "golive.collectors.nginx:SPEC",
    "golive.collectors.appservers.uwsgi_collector:SPEC",
    "golive.collectors.appservers.unaudited:SPEC",
    "golive.collectors.proxies:SPEC",
    "golive.collectors.platforms:SPEC",
    "golive.collectors.host:SPEC",
    "golive.collectors.backups:SPEC",
)


def all_collectors() -> Iterator[CollectorSpec]:
    """Every collector, in :data:`COLLECTORS` order, each module imported only when its turn
    comes: the runner starts the runtime probe before the other collectors are imported."""
    for target in COLLECTORS:
        module_name, _, attr = target.partition(":")
        spec = getattr(importlib.import_module(module_name), attr)
        assert isinstance(spec, CollectorSpec)
        yield spec
