"""The runtime facts: what the settings loader saw inside the project's own interpreter.

The settings (secrets redacted to a :class:`~golive.facts.secrets.SecretInfo`), Django's own
system-check messages, and what else the loader read (URLconf, error templates, installed
distributions). Built by :mod:`golive.collectors.runtime`; read by the checks.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from msgspec import Struct, field

from golive.facts.secrets import SecretInfo
from golive.model import Location
from golive.registry import FactsBase

#: A list index (``[0]``) or the probe's ``#2`` suffix of a second value at one path.
_INDEX = re.compile(r"\[\d+\]|#\d+$")


def secret_leaf(path: str) -> str:
    """The last name of a secret's dotted path, indexes dropped:
    ``CACHES.default.LOCATION`` → ``LOCATION``, ``API_KEYS[0]`` → ``API_KEYS``."""
    return _INDEX.sub("", path).rsplit(".", 1)[-1]


class DjangoMessage(Struct, frozen=True, kw_only=True):
    """One message of Django's system check framework, as Django gave it."""

    id: str
    level: int
    level_name: str
    msg: str
    hint: str | None = None
    obj: str | None = None
    silenced: bool = False


class RuntimeFacts(FactsBase, frozen=True, kw_only=True):
    """What the probe saw inside the project's interpreter.

    ``settings`` maps every upper-case setting to its JSON value, with secrets replaced
    by ``{"__secret__": {...}}`` and URL passwords by ``***``; ``secrets`` maps the dotted
    path of each redacted value to its :class:`SecretInfo`.
    """

    collector: ClassVar[str] = "runtime"
    django_version: str
    python_version: str
    settings_file: str | None
    settings: dict[str, Any]
    secrets: dict[str, SecretInfo]
    checks: tuple[DjangoMessage, ...]
    #: The paths of :attr:`secrets` whose own last name (:func:`secret_leaf`) the probe calls
    #: secret (its ``name_sensitivity``): ``EMAIL_HOST_PASSWORD``, ``AWS_S3_SIGNATURE_VERSION``;
    #: the others are passwords inside URLs, vendor tokens inside values, or values under a
    #: secret-named dict whose own key says nothing.
    named_secrets: frozenset[str] = frozenset()
    checks_error: str | None = None
    error_templates: dict[str, bool] = field(default_factory=dict)
    admin_urls: tuple[str, ...] | None = None
    wsgi_application: str | None = None
    asgi_application: str | None = None
    file_fields: tuple[str, ...] = ()
    sentry_active: bool = False
    #: sentry_sdk was imported once the settings loaded (None: not known): when it was and no
    #: client is active, an ``init()`` the settings hold did not run or got no DSN.
    sentry_imported: bool | None = None
    #: ``(route, urlconf module)`` of each URL prefix that includes a development tool's
    #: URLconf (``("__debug__/", "debug_toolbar.urls")``); None when the URLconf was not read.
    dev_tool_urls: tuple[tuple[str, str], ...] | None = None
    database_vendors: dict[str, str] = field(default_factory=dict)
    probe_errors: tuple[str, ...] = ()
    urls_error: str | None = None
    #: Where ROOT_URLCONF writes the admin's default route ``admin/`` (path relative to the
    #: project, line), when the admin is mounted there and the line was found
    #: (:mod:`golive.collectors.runtime.urlconf`).
    admin_route: Location | None = None
    #: The settings evaluated a second time in the probe gave the same SECRET_KEY (None: not
    #: compared); the second key's fingerprint (issue 13, ephemeral keys).
    secret_key_stable: bool | None = None
    secret_key_second_fingerprint: str | None = None
    #: ``(name, version, PEP 610 direct_url or None)`` of each distribution installed for the
    #: project's interpreter, as ``python -I`` lists them (None: not listed); the
    #: dependencies collector reads it instead of starting that interpreter again.
    packages: tuple[tuple[str, str, Any], ...] | None = None

    def step_error(self, step: str) -> str | None:
        """Why the probe step ``step`` (``file_fields``, ``error_templates``...) crashed, or None."""
        return next((e.split(": ", 1)[1] for e in self.probe_errors if e.startswith(step + ": ")), None)

    def setting(self, name: str, default: Any = None) -> Any:
        """The runtime value of a setting (redacted for secrets), or ``default``."""
        return self.settings.get(name, default)

    def secret(self, path: str) -> SecretInfo | None:
        """The description of the secret at dotted ``path`` (``SECRET_KEY``), if any."""
        return self.secrets.get(path)

    @property
    def silenced(self) -> frozenset[str]:
        """The ids listed in SILENCED_SYSTEM_CHECKS."""
        value = self.settings.get("SILENCED_SYSTEM_CHECKS") or []
        return frozenset(str(v) for v in value if isinstance(v, str))
