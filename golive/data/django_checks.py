"""Django's own check ids, per Django series: the shipped ``django_checks.json``.

Written by ``golive update-data`` from ``docs/ref/checks.txt`` of each supported Django
release's sdist (:mod:`golive.commands.django_checks_data`). Read by the Django checks'
findings (:mod:`golive.checks.django_checks`: severity, remediation and reference of an id
golive's own table does not describe) and by ``golive explain``. Source:
https://docs.djangoproject.com/en/stable/ref/checks/.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from msgspec import Struct

DOCS = "https://docs.djangoproject.com/en/{series}/ref/checks/"


class DjangoCheckInfo(Struct, frozen=True, kw_only=True):
    """One id of Django's check reference in one series: its ``level`` (``error``,
    ``warning``, ``critical``, ``info``, ``debug``), Django's ``text``, the ``section`` it is
    listed under and that section's ``anchor``."""

    id: str
    series: str
    level: str
    text: str
    section: str
    anchor: str

    @property
    def reference(self) -> str:
        """The URL of its section in that series' check reference."""
        return DOCS.format(series=self.series) + (f"#{self.anchor}" if self.anchor else "")


class DjangoChecksTable(Struct, frozen=True):
    """``series`` → id → the raw entry (``level``, ``text``, ``section``, ``anchor``)."""

    series: dict[str, dict[str, dict[str, str]]]

    def lookup(self, check_id: str, series: str | None = None) -> DjangoCheckInfo | None:
        """``check_id`` (case-insensitive) as ``series`` documents it; when that series is not
        in the table or does not list the id, as the newest series listing it does; None
        when no series does."""
        order = sorted(self.series, key=_series_key, reverse=True)
        if series in self.series:
            order.remove(series)
            order.insert(0, series)
        wanted = check_id.lower()
        for name in order:
            for cid, entry in self.series[name].items():
                if cid.lower() == wanted:
                    return DjangoCheckInfo(id=cid, series=name, **entry)
        return None


def _series_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split(".") if p.isdigit())


@functools.cache
def load_django_checks() -> DjangoChecksTable:
    """The shipped table (an empty one when the file is missing or unreadable: golive then
    shows Django's own message and hint, as for any id the table lacks)."""
    try:
        text = resources.files("golive").joinpath("data/django_checks.json").read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(text)
    except (OSError, ValueError):
        return DjangoChecksTable({})
    return DjangoChecksTable(
        {name: dict(s.get("checks") or {}) for name, s in (data.get("series") or {}).items()}
    )
