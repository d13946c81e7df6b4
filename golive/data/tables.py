"""golive's shipped Django tables (``django_releases.json``, ``django_cves.json`` beside this
module), written by ``golive update-data`` (:mod:`golive.commands.update_data`), and the
version rules they need: Django's ``A.B.C`` series and, from 2028, DEP 20's calendar
versions ``YYYY.N`` (https://github.com/django/deps/blob/main/accepted/0020-annual-release-cycle.rst).
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from msgspec import Struct

CALENDAR_FROM = 2028
DEP20 = "https://github.com/django/deps/blob/main/accepted/0020-annual-release-cycle.rst"


class TablesError(Exception):
    """The shipped tables cannot be read (a broken install); one line with the fix."""


def series_of(version: str) -> str:
    """``"5.2.19"`` → ``"5.2"``; a calendar version (DEP 20) ``"2028.3"`` → ``"2028"``."""
    parts = version.split(".")
    if parts and parts[0].isdigit() and int(parts[0]) >= CALENDAR_FROM:
        return parts[0]
    return ".".join(parts[:2])


def end_of(text: str) -> dt.date:
    """A table date: ``"2026-04-07"`` is that day, ``"2028-04"`` (announced month) its last day."""
    if len(text) == 7:
        year, month = int(text[:4]), int(text[5:])
        return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date.fromisoformat(text)


class SeriesSupport(Struct, frozen=True, kw_only=True):
    """One Django release series: dates as in the table (``YYYY-MM-DD`` or announced ``YYYY-MM``)."""

    series: str
    lts: bool
    released: str | None
    mainstream_end: str
    extended_end: str
    latest: str | None
    source: str

    @property
    def supported_until(self) -> dt.date:
        """The last day of extended (security) support."""
        return end_of(self.extended_end)


class DjangoCve(Struct, frozen=True, kw_only=True):
    """One CVE of Django's security archive: ``fixed`` maps each affected series to its fix
    (None when Django's notes do not say which release fixed it)."""

    id: str
    date: str
    summary: str
    severity: str | None
    url: str | None
    fixed: dict[str, str | None]


class DjangoTables(Struct, frozen=True, kw_only=True):
    """golive's shipped tables: ``generated`` is when ``golive update-data`` wrote them."""

    generated: dt.date
    cves_generated: dt.date
    cves_source: str
    releases: tuple[SeriesSupport, ...]
    cves: tuple[DjangoCve, ...]

    def series(self, name: str) -> SeriesSupport | None:
        """The table row of ``name``; a calendar series past the table follows DEP 20's rule
        (January release, mainstream until December, extended until December two years on)."""
        for row in self.releases:
            if row.series == name:
                return row
        if name.isdigit() and int(name) >= CALENDAR_FROM:
            year = int(name)
            return SeriesSupport(
                series=name,
                lts=False,
                released=f"{year}-01",
                mainstream_end=f"{year}-12",
                extended_end=f"{year + 2}-12",
                latest=None,
                source=DEP20 + " (rule for calendar versions)",
            )
        return None

    @property
    def oldest(self) -> SeriesSupport:
        """The oldest series in the table."""
        return self.releases[0]


def load_tables() -> DjangoTables:
    """Read the shipped tables. Raises :class:`TablesError` when golive's install is broken."""
    try:
        folder = resources.files("golive") / "data"
        releases = json.loads((folder / "django_releases.json").read_text(encoding="utf-8"))
        cves = json.loads((folder / "django_cves.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TablesError(
            f"golive's Django tables are unreadable ({exc}): run `golive update-data`"
        ) from None
    return DjangoTables(
        generated=dt.date.fromisoformat(releases["generated"]),
        cves_generated=dt.date.fromisoformat(cves["generated"]),
        cves_source=str(cves.get("source", "")),
        releases=tuple(
            SeriesSupport(
                series=r["series"],
                lts=bool(r["lts"]),
                released=r.get("released"),
                mainstream_end=r["mainstream_end"],
                extended_end=r["extended_end"],
                latest=r.get("latest"),
                source=r.get("source", ""),
            )
            for r in releases["series"]
        ),
        cves=tuple(
            DjangoCve(
                id=c["id"],
                date=c["date"],
                summary=c.get("summary", ""),
                severity=c.get("severity"),
                url=c.get("url"),
                fixed=dict(c.get("fixed") or {}),
            )
            for c in cves["cves"]
        ),
    )
