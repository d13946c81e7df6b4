"""The scales a finding and an audit are placed on: severity, confidence, status, the checklist
section and the verdict's word. Enumerations, re-exported by :mod:`golive.model` (import them
from there); field names follow ``DESIGN.md`` ("Contracts").
"""

from __future__ import annotations

import enum


class Severity(enum.IntEnum):
    """How bad a failing finding is; ordered, so ``Severity.HIGH > Severity.LOW``."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """The lower-case name used in reports and on the command line (``"high"``)."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``"High"`` → ``Severity.HIGH``. Raises ``ValueError`` on an unknown name."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (one of: {names})") from None


class Confidence(str, enum.Enum):
    """How sure golive is that a failing finding is real (``DESIGN.md``, "Confidence
    travels with a finding").

    ``confirmed`` rests on a fact: a value production loads, a vendor's published token
    format, a private key block, a response the site sent; ``likely`` on strong evidence
    from the value itself (a random-looking value of a credential's length under a
    secret's name); ``possible`` on weak evidence (a name that looks secret and a value
    that could be one). Severity follows it: see :meth:`cap`.
    """

    CONFIRMED = "confirmed"
    LIKELY = "likely"
    POSSIBLE = "possible"

    def cap(self, severity: Severity) -> Severity:
        """``severity`` as this confidence allows: ``confirmed`` keeps it, ``likely`` at
        most ``high`` (a heuristic is never ``critical``), ``possible`` at most ``low``."""
        ceiling = {Confidence.CONFIRMED: Severity.CRITICAL, Confidence.LIKELY: Severity.HIGH}
        return min(severity, ceiling.get(self, Severity.LOW))


class Status(str, enum.Enum):
    """The outcome of one check on one subject.

    ``fail`` a problem was found; ``pass`` the check ran and found none; ``manual`` a
    person must attest it; ``skipped`` the input the check needs is missing (``reason``
    says which); ``error`` the check or its collector crashed (``reason`` says how).
    """

    FAIL = "fail"
    PASS = "pass"
    MANUAL = "manual"
    SKIPPED = "skipped"
    ERROR = "error"


class Section(str, enum.Enum):
    """The checklist sections, in the checklist's order.

    The hundreds digit of a ``GL`` id names its section (``DESIGN.md``); Django's own
    check ids are filed under the section of the setting they are about, or under
    ``check-deploy`` when no section fits.
    """

    CHECK_DEPLOY = "check-deploy"
    CRITICAL_SETTINGS = "critical-settings"
    ENVIRONMENT_SETTINGS = "environment-settings"
    HTTPS = "https"
    PERFORMANCE = "performance"
    ERROR_REPORTING = "error-reporting"
    APPLICATION_SERVER = "application-server"
    WEB_SERVER = "web-server"
    LIVE_SITE = "live-site"
    OPERATIONS = "operations"

    @property
    def heading(self) -> str:
        """The heading shown in reports."""
        return _SECTION_TITLES[self]

    @property
    def digit(self) -> int | None:
        """The hundreds digit of the ``GL`` ids in this section (None for check-deploy)."""
        return _SECTION_DIGITS.get(self)

    @classmethod
    def for_digit(cls, digit: int) -> Section:
        """The section whose ``GL`` ids start with ``digit``; ``KeyError`` if none."""
        for section, d in _SECTION_DIGITS.items():
            if d == digit:
                return section
        raise KeyError(digit)


_SECTION_TITLES = {
    Section.CHECK_DEPLOY: "manage.py check --deploy",
    Section.CRITICAL_SETTINGS: "Critical settings: SECRET_KEY and DEBUG",
    Section.ENVIRONMENT_SETTINGS: "Environment-specific settings",
    Section.HTTPS: "HTTPS and cookies",
    Section.PERFORMANCE: "Performance: sessions, CONN_MAX_AGE, templates",
    Section.ERROR_REPORTING: "Error reporting, logging and metrics",
    Section.APPLICATION_SERVER: "Application server",
    Section.WEB_SERVER: "Web server",
    Section.LIVE_SITE: "Live site",
    Section.OPERATIONS: "Security alerts, host and backups",
}


_SECTION_DIGITS = {
    Section.CRITICAL_SETTINGS: 1,
    Section.ENVIRONMENT_SETTINGS: 2,
    Section.HTTPS: 3,
    Section.PERFORMANCE: 4,
    Section.ERROR_REPORTING: 5,
    Section.APPLICATION_SERVER: 6,
    Section.WEB_SERVER: 7,
    Section.LIVE_SITE: 8,
    Section.OPERATIONS: 9,
}


class VerdictWord(str, enum.Enum):
    """The word a report opens with (``DESIGN.md``, "Verdict"): :class:`Verdict` says why."""

    GO = "GO"
    GO_WITH_CONDITIONS = "GO WITH CONDITIONS"
    NO_GO = "NO-GO"
    INCOMPLETE = "INCOMPLETE"


class CollectorStatus(str, enum.Enum):
    """What one collector did (:class:`golive.model.CollectorRun`): ``ok`` (its facts are
    there), ``skipped`` (its input is absent, or it was not needed: the reason says which) or
    ``error`` (the input is there and could not be read, or the collector crashed or overran
    its budget). A member is its value as a string: ``CollectorStatus.OK == "ok"``, and
    ``f"{CollectorStatus.OK}"`` is ``ok``, so reports and JSON show the value."""

    OK = "ok"
    SKIPPED = "skipped"
    ERROR = "error"

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)
