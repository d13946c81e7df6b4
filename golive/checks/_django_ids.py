"""What golive says about a Django check id its own table (:data:`golive.checks.django_checks.
CATALOGUE`) does not describe, from Django's check reference (:mod:`golive.data.django_checks`).

Severity by Django's level (docs/severity.md): ``critical`` critical; ``error`` high (Django
refuses to run management commands, ``migrate`` included, until it is fixed); ``warning``
medium; ``info`` and ``debug`` info. Subjects are the setting the id's prefix is about
(``caches`` → ``CACHES``) and the settings Django's text names. The reference is the id's
section of the check reference of the project's Django series. Source:
https://docs.djangoproject.com/en/stable/ref/checks/.
"""

from __future__ import annotations

import re

from msgspec import Struct

from golive.data.django_checks import DjangoCheckInfo, load_django_checks
from golive.model import Severity

LEVEL_SEVERITY = {
    "critical": Severity.CRITICAL,
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "info": Severity.INFO,
    "debug": Severity.INFO,
}
#: The setting a check-id prefix is about (Django's check reference sections).
PREFIX_SETTING = {
    "caches": "CACHES",
    "templates": "TEMPLATES",
    "database": "DATABASES",
    "mysql": "DATABASES",
    "postgres": "DATABASES",
    "staticfiles": "STATICFILES_DIRS",
    "files": "FILE_UPLOAD_TEMP_DIR",
    "translation": "LANGUAGES",
    "urls": "ROOT_URLCONF",
    "sites": "SITE_ID",
    "async": "DJANGO_ALLOW_ASYNC_UNSAFE",
}
SETTING_RE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


class Described(Struct, frozen=True, kw_only=True):
    """Severity, subjects, remediation and reference of one Django id, and its entry."""

    severity: Severity
    subjects: tuple[str, ...]
    remediation: str
    reference: str
    info: DjangoCheckInfo | None


def _series(django_version: str | None) -> str | None:
    if not django_version:
        return None
    parts = django_version.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


def describe(check_id: str, level: int | str, django_version: str | None = None) -> Described:
    """What golive says about ``check_id`` (raised at ``level``: Django's number, 40, or its
    name, ``error``) for a project on ``django_version``; without an entry in the table,
    severity by level, no subject, and the check reference's front page."""
    info = load_django_checks().lookup(check_id, _series(django_version))
    name = (
        level
        if isinstance(level, str)
        else {50: "critical", 40: "error", 30: "warning", 20: "info"}.get(
            level, "debug" if level < 20 else "warning"
        )
    )
    severity = LEVEL_SEVERITY.get(info.level if info else name, Severity.MEDIUM)
    if info is None:
        return Described(
            severity=severity,
            subjects=(),
            remediation="",
            reference="https://docs.djangoproject.com/en/stable/ref/checks/",
            info=None,
        )
    prefix = check_id.split(".", 1)[0].lower()
    named = [PREFIX_SETTING[prefix]] if prefix in PREFIX_SETTING else []
    named += [s for s in SETTING_RE.findall(info.text) if s not in named]
    return Described(
        severity=severity,
        subjects=tuple(named),
        remediation=(
            f"Django's check reference ({info.section}): {info.text} Change what it names so the"
            f" check no longer fires; see {info.reference}"
        ),
        reference=info.reference,
        info=info,
    )
