"""Small helpers shared by the check modules (no rules live here)."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from golive.collectors.source import SourceFacts
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
