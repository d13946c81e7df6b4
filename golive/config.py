"""Project configuration: ``[tool.golive]`` in pyproject.toml, or golive.toml.

Read with :mod:`tomllib` (``tomli`` before Python 3.11). In ``golive.toml`` the keys sit at
the top level or under ``[tool.golive]``; pyproject.toml wins when both exist.

Recognised keys::

    [tool.golive]
    settings = "mysite.settings.production"   # module to audit
    author = "Jane Ops <jane@example.com>"
    fail_on = "high"
    select = ["GL", "security."]
    ignore = ["GL405"]
    python = ".venv/bin/python"
    env_file = "deploy/audit.env"
    timeout = 60
    django_root = "src"                      # the folder holding manage.py (default: found)
    production_files = ["deploy/*.yml"]      # deployment files to audit whatever they look like
    ignore_files = ["docker/dev/*"]          # deployment files never to audit

    [tool.golive.attest.GL222]               # sign a manual check
    by = "Jane Ops"
    on = 2026-11-01
    note = "restored last night's dump on staging"

    [tool.golive.secrets]                    # docs/secrets.md
    exclude = [{ path = "frontend/legacy/**", reason = "vendored bundle" }]
    allow = [{ path = "deploy/demo.env", name = "DEMO_API_KEY", reason = "the vendor's public demo key" }]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from golive.model import Attestation

if TYPE_CHECKING:  # imported when a rule is read: the secret scanner's package is large
    from golive.collectors.git.policy import PathRule


class ConfigError(Exception):
    """The configuration file cannot be read or holds a wrong value (exit status 2)."""


class Config(Struct, frozen=True, kw_only=True):
    """The ``[tool.golive]`` table, validated. ``path`` is the file it came from, if any."""

    path: Path | None = None
    settings: str | None = None
    author: str | None = None
    fail_on: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    python: str | None = None
    env_file: str | None = None
    timeout: float | None = None
    django_root: str | None = None
    production_files: tuple[str, ...] = ()
    ignore_files: tuple[str, ...] = ()
    attestations: tuple[Attestation, ...] = ()
    #: ``[tool.golive.secrets]``: files not scanned by name, and keys allowed in some files.
    secrets_exclude: tuple[PathRule, ...] = ()
    secrets_allow: tuple[PathRule, ...] = ()
    #: Mozilla's server-side TLS profile the TLS rules judge by (``modern``, ``intermediate``,
    #: ``old``); None: golive's default (:mod:`golive.checks._tls`).
    tls_profile: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        """A sub-table such as ``[tool.golive.backups]`` (empty dict when absent)."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


def load_config(project_dir: Path) -> Config:
    """Read the configuration of the project at ``project_dir``.

    Returns an empty :class:`Config` when neither file has a golive table. Raises
    :class:`ConfigError` with a one-line message for invalid TOML or wrong value types.
    """
    for name in ("pyproject.toml", "golive.toml"):
        path = project_dir / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{name}: cannot read it: {exc}") from None
        table = data.get("tool", {}).get("golive")
        if table is None and name == "golive.toml":
            table = data
        if table is not None:
            return _validate(table, path)
    return Config()


def _str(table: dict[str, Any], key: str, path: Path) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{path.name}: [tool.golive] {key} must be a string")
    return value


def _strs(table: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path.name}: [tool.golive] {key} must be a list of strings")
    return tuple(value)


def _validate(table: dict[str, Any], path: Path) -> Config:
    timeout = table.get("timeout")
    if timeout is not None and (not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ConfigError(f"{path.name}: [tool.golive] timeout must be a positive number")
    tls_profile = _str(table, "tls_profile", path)
    if tls_profile is not None and tls_profile not in ("modern", "intermediate", "old"):
        raise ConfigError(
            f"{path.name}: [tool.golive] tls_profile must be modern, intermediate or old"
            " (Mozilla's server-side TLS profiles)"
        )
    return Config(
        path=path,
        settings=_str(table, "settings", path),
        author=_str(table, "author", path),
        fail_on=_str(table, "fail_on", path),
        select=_strs(table, "select", path),
        ignore=_strs(table, "ignore", path),
        python=_str(table, "python", path),
        env_file=_str(table, "env_file", path),
        timeout=float(timeout) if timeout is not None else None,
        django_root=_str(table, "django_root", path),
        production_files=_strs(table, "production_files", path),
        ignore_files=_strs(table, "ignore_files", path),
        attestations=_attestations(table.get("attest", {}), path),
        secrets_exclude=_secret_rules(table.get("secrets", {}), "exclude", path),
        secrets_allow=_secret_rules(table.get("secrets", {}), "allow", path),
        tls_profile=tls_profile,
        raw=table,
    )


def _attestations(table: Any, path: Path) -> tuple[Attestation, ...]:
    if not isinstance(table, dict):
        raise ConfigError(f"{path.name}: [tool.golive.attest] must be a table of check ids")
    out = []
    for check_id, entry in table.items():
        where = f"{path.name}: [tool.golive.attest.{check_id}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a table with by, on and note")
        by, on = entry.get("by"), entry.get("on")
        if not isinstance(by, str) or not by.strip():
            raise ConfigError(f'{where} needs by = "who signed"')
        if isinstance(on, dt.datetime):
            on = on.date()
        if isinstance(on, str):
            try:
                on = dt.date.fromisoformat(on)
            except ValueError:
                raise ConfigError(f"{where} on must be a date (YYYY-MM-DD)") from None
        if not isinstance(on, dt.date):
            raise ConfigError(f"{where} needs on = YYYY-MM-DD")
        note = entry.get("note", "")
        out.append(Attestation(check_id=check_id.upper(), by=by.strip(), on=on.isoformat(), note=str(note)))
    return tuple(out)


def _secret_rules(table: Any, key: str, path: Path) -> tuple[PathRule, ...]:
    """``[tool.golive.secrets] exclude`` (``path``, ``reason``) or ``allow`` (``path``,
    ``name``, ``reason``): a list of tables, each field a non-empty string."""
    where = f"{path.name}: [tool.golive.secrets] {key}"
    if not isinstance(table, dict):
        raise ConfigError(f"{path.name}: [tool.golive.secrets] must be a table")
    entries = table.get(key, [])
    if not isinstance(entries, list):
        raise ConfigError(f"{where} must be a list of tables")
    needed = ("path", "name", "reason") if key == "allow" else ("path", "reason")
    if not entries:
        return ()
    from golive.collectors.git.policy import PathRule

    out = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a list of tables ({', '.join(needed)})")
        for field_name in needed:
            value = entry.get(field_name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f'{where}: each entry needs {field_name} = "..." ({", ".join(needed)})')
        name = entry.get("name", "")
        out.append(PathRule(path=entry["path"].strip(), reason=entry["reason"].strip(), name=name.strip()))
    return tuple(out)
