"""The dependency facts: the installed and pinned packages and what pip-audit and PyPI said of
them, as the dependencies collector (:mod:`golive.collectors.dependencies`) gathered them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from msgspec import Struct, field

from golive.data.tables import DjangoTables
from golive.model import Location
from golive.registry import FactsBase


def canonical(name: str) -> str:
    """PEP 503 normalised name: ``Django_Foo.bar`` → ``django-foo-bar``."""
    return re.sub(r"[-_.]+", "-", name).lower()


class Package(Struct, frozen=True, kw_only=True):
    """A distribution: PEP 503 ``name``, ``version``, and where it comes from
    (``environment`` or a requirements file with line)."""

    name: str
    version: str
    origin: str = "environment"
    location: Location | None = None
    direct_url: str | None = None
    """PEP 610: where a package installed from a local directory or a VCS came from."""


class Vulnerability(Struct, frozen=True, kw_only=True):
    """One known vulnerability pip-audit reported for one package."""

    package: Package
    id: str
    aliases: tuple[str, ...]
    fix_versions: tuple[str, ...]
    description: str


class AuditResult(Struct, frozen=True, kw_only=True):
    """What pip-audit said. ``unavailable`` is the reason when it could check nothing
    (switched off, not installed, service unreachable); ``not_checked`` lists the
    packages it skipped, with its reason."""

    tool: str = "pip-audit"
    service: str = "pypi"
    unavailable: str | None = None
    checked: tuple[Package, ...] = ()
    vulnerabilities: tuple[Vulnerability, ...] = ()
    not_checked: tuple[tuple[Package, str], ...] = ()
    cached_minutes: float | None = None
    #: pip-audit runs that queried the service (the others were answered from the cache).
    queried: int = 0


class DependencyFacts(FactsBase, frozen=True, kw_only=True):
    """The project's dependencies and what is known about their security.

    ``latest`` maps a Django series to its latest patch; ``latest_source`` says where that
    came from (PyPI now, or the shipped table and why). ``environment`` is what
    ``python`` has installed (empty with ``environment_error`` when it could not be read).
    """

    collector: ClassVar[str] = "dependencies"
    tables: DjangoTables
    latest: dict[str, str]
    latest_source: str
    python: str
    environment: tuple[Package, ...]
    environment_error: str | None
    pins: tuple[Package, ...]
    audit: AuditResult
    today: dt.date = field(default_factory=dt.date.today)
    #: The network calls this collector made, one line each (issue 14); ``offline``: none allowed.
    network: tuple[str, ...] = ()
    offline: bool = False

    @property
    def collector_details(self) -> dict[str, Any]:
        """What the report shows beside the collector: the network calls made, and --offline."""
        return {"network": list(self.network), "offline": self.offline}

    def installed(self, name: str) -> Package | None:
        """The installed distribution called ``name`` (any spelling), if any."""
        wanted = canonical(name)
        return next((p for p in self.environment if p.name == wanted), None)

    @property
    def tables_age_days(self) -> int:
        """How many days old the shipped tables are."""
        return (self.today - min(self.tables.generated, self.tables.cves_generated)).days
