"""Small helpers shared by the check modules (no rules live here)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from msgspec import Struct

from golive.facts.runtime import RuntimeFacts
from golive.facts.source import SourceFacts
from golive.model import Location
from golive.registry import Facts

CHECKLIST = "https://docs.djangoproject.com/en/stable/howto/deployment/checklist/"
SETTINGS = "https://docs.djangoproject.com/en/stable/ref/settings/"

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]", "ip6-localhost"}

PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
NON_SENDING_EMAIL = {
    "django.core.mail.backends.console.EmailBackend": "console",
    "django.core.mail.backends.filebased.EmailBackend": "file",
    "django.core.mail.backends.locmem.EmailBackend": "locmem",
    "django.core.mail.backends.dummy.EmailBackend": "dummy",
}


def where(facts: Facts, setting: str) -> Location | None:
    """The file and line where ``setting`` is last assigned, when the source is known."""
    source = facts.get(SourceFacts)
    return source.location_of(setting) if source else None


def is_loopback(host: str) -> bool:
    """True for localhost names, 127.0.0.0/8 and ::1 (unix socket paths count as local)."""
    host = host.strip("[]").lower()
    if not host or host.startswith("/") or host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(location: str) -> tuple[str, bool]:
    """``(host, has_credentials)`` of a cache/broker URL (``redis://:***@h:6379/0``).

    A location without a scheme (``127.0.0.1:11211``, ``unix:/tmp/sock``) has no credentials.
    """
    if location.startswith("unix:") or location.startswith("/"):
        return "/", False
    if "://" not in location:
        return location.rsplit(":", 1)[0], False
    parts = urlsplit(location)
    has_credentials = "@" in parts.netloc and bool(parts.netloc.split("@")[0])
    return parts.hostname or "", has_credentials


def locations(value: Any) -> list[str]:
    """A cache LOCATION as a list of strings (it may be a string, a list, or ``;``-joined)."""
    if isinstance(value, str):
        return [v.strip() for v in value.replace(",", ";").split(";") if v.strip()]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def backend_name(path: str) -> str:
    """``django.core.cache.backends.locmem.LocMemCache`` → ``LocMemCache``."""
    return path.rsplit(".", 1)[-1]


class Mailer(Struct, frozen=True, kw_only=True):
    """One way e-mail leaves Django: the EMAIL_* settings, or one MAILERS alias (Django 6.1+).

    ``label`` is what evidence shows (``EMAIL_BACKEND``, ``MAILERS['default']``);
    ``alias`` is None for the EMAIL_* settings; ``host`` and ``tls`` are what the SMTP
    backend would use (``tls`` True for TLS or SSL).
    """

    label: str
    alias: str | None
    backend: str
    host: str
    tls: bool

    @property
    def subject(self) -> str:
        """The setting to name as the finding's subject."""
        return "EMAIL_BACKEND" if self.alias is None else "MAILERS"

    @property
    def source_target(self) -> str:
        """Where in the settings source this mailer is configured (for :func:`where`)."""
        return "EMAIL_BACKEND" if self.alias is None else f"MAILERS.{self.alias}"


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def django_at_least(runtime: RuntimeFacts, major: int, minor: int) -> bool:
    """True when the Django that loaded the settings is at least ``major.minor``."""
    parts = runtime.django_version.split(".")
    try:
        return (int(parts[0]), int(parts[1])) >= (major, minor)
    except (ValueError, IndexError):
        return False


def mailers(runtime: RuntimeFacts) -> list[Mailer]:
    """How the project sends e-mail, as the running Django version reads it.

    Django 6.1 added the ``MAILERS`` setting (a dict of aliases, each with ``BACKEND``,
    default SMTP, and ``OPTIONS`` such as ``host``, ``use_tls``, ``use_ssl``); when it is
    set, the EMAIL_* settings are ignored. Before 6.1, or without MAILERS, the EMAIL_*
    settings apply. Source: https://docs.djangoproject.com/en/6.1/ref/settings/#mailers
    """
    configured = runtime.setting("MAILERS")
    if django_at_least(runtime, 6, 1) and isinstance(configured, dict):
        out = []
        for alias, conf in configured.items():
            conf = conf if isinstance(conf, dict) else {}
            raw = conf.get("OPTIONS")
            options: dict[str, Any] = raw if isinstance(raw, dict) else {}
            out.append(
                Mailer(
                    label=f"MAILERS[{alias!r}]",
                    alias=str(alias),
                    backend=str(conf.get("BACKEND") or SMTP_BACKEND),
                    host=str(options.get("host") or ""),
                    tls=bool(options.get("use_tls") or options.get("use_ssl")),
                )
            )
        return out
    return [
        Mailer(
            label="EMAIL_BACKEND",
            alias=None,
            backend=str(runtime.setting("EMAIL_BACKEND") or SMTP_BACKEND),
            host=str(runtime.setting("EMAIL_HOST") or "localhost"),
            tls=bool(runtime.setting("EMAIL_USE_TLS") or runtime.setting("EMAIL_USE_SSL")),
        )
    ]


def default_mailer(runtime: RuntimeFacts) -> Mailer | None:
    """The mailer error reports and password resets go through (None: MAILERS has no default)."""
    found = mailers(runtime)
    return next((m for m in found if m.alias in (None, "default")), None)


def attest_fix(check_id: str, note: str) -> str:
    """The remediation's closing lines for a manual check: how to sign ``check_id`` in the
    configuration (``[tool.golive.attest.GL222]``), with an example ``note``."""
    return f"""
    Then sign it:

        [tool.golive.attest.{check_id}]
        by = "Jane Ops"
        on = 2026-11-22
        note = "{note}"
    """


def inside(child: Path, parent: Path) -> bool:
    """True when path ``child`` is ``parent`` or under it (compared as written, no disk access)."""
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False
