"""What was audited versus what runs (issue 14): where the environment of the audited
settings came from, and the values that look like examples rather than production's.

An audit loads the settings with golive's own process environment plus the ``--env-file``
(or ``[tool.golive] env_file``); production runs with its own. When the values golive saw
are placeholders (``dummy``, ``change-me``, hosts at a domain reserved for documentation),
a GO says little about the site: the report says where the environment came from and
marks such a GO (:func:`note`).

Looked at (values that are not secrets, as the runtime probe returned them):
``ALLOWED_HOSTS``, ``EMAIL_HOST``, ``DEFAULT_FROM_EMAIL``, ``SERVER_EMAIL``, the e-mail
addresses of ``ADMINS`` and ``MANAGERS``, and each ``DATABASES`` ``HOST``; and the
variables of the env file, by :func:`golive.facts.secrets.rules.placeholder_reason` (only the
variable's name and the reason are kept, never its value). Reserved names: RFC 2606
(``example.com``/``.net``/``.org``, the ``.example``, ``.test``, ``.invalid`` top-level
domains) and RFC 6761.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

#: Domains reserved for documentation and testing (RFC 2606, RFC 6761).
_RESERVED = re.compile(
    r"(?:^|\.)(?:example\.(?:com|net|org)|[a-z0-9-]+\.(?:example|test|invalid))\.?$|^(?:example|test|invalid)$",
    re.I,
)
#: Words that make a plain value an example (compared lower-case).
_WORDS = ("dummy", "change-me", "changeme", "change_me", "placeholder", "your-domain", "yourdomain")


def _host(value: str) -> str:
    """The host part of an address, a URL or a host name (``a@b.example.com`` → ``b.example.com``)."""
    text = value.strip().lower()
    text = text.rsplit("<", 1)[-1].rstrip(">")  # "Shop <shop@example.com>"
    text = text.split("@")[-1]
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    return text.split("/")[0].split(":")[0].lstrip(".")


def why_example(value: str) -> str:
    """Why ``value`` (a host, an address) looks like an example, or ``""``."""
    lower = value.lower()
    for word in _WORDS:
        if word in lower:
            return f"placeholder word {word!r}"
    host = _host(value)
    if host and _RESERVED.search(host):
        return f"{host} is reserved for documentation (RFC 2606)"
    return ""


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def placeholders(
    settings: Mapping[str, Any], env_file_values: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """The example-looking values: each ``{"where": "ALLOWED_HOSTS", "value": ..., "why": ...}``
    (``value`` empty for env-file variables, which may be secrets)."""
    out: list[dict[str, str]] = []

    def look(where: str, value: Any) -> None:
        for text in _strings(value):
            why = why_example(text)
            if why:
                out.append({"where": where, "value": text, "why": why})

    for name in ("ALLOWED_HOSTS", "EMAIL_HOST", "DEFAULT_FROM_EMAIL", "SERVER_EMAIL"):
        look(name, settings.get(name))
    for name in ("ADMINS", "MANAGERS"):
        for entry in settings.get(name) or ():
            look(name, entry[-1] if isinstance(entry, (list, tuple)) and entry else entry)
    databases = settings.get("DATABASES")
    if isinstance(databases, Mapping):
        for alias, db in databases.items():
            if isinstance(db, Mapping):
                look(f"DATABASES[{alias!r}]['HOST']", db.get("HOST"))
    for key, value in (env_file_values or {}).items():
        from golive.facts.secrets.rules import placeholder_reason  # the rules: only for env files

        why = placeholder_reason(value) if len(value) >= 4 else ""
        if why and why != "template marker":
            out.append({"where": f"{key} (env file)", "value": "", "why": why})
    return out


def environment(ctx: Any) -> dict[str, Any]:
    """Where the audited settings' environment came from: ``{"sources": [...], "env_file":
    path or None, "env_file_variables": n}``."""
    options = ctx.options
    env_file = options.env_file or (
        ctx.project_dir / ctx.config.env_file if getattr(ctx.config, "env_file", None) else None
    )
    sources = ["golive's own process environment"]
    if env_file is not None:
        how = (
            "--env-file"
            if options.env_file
            else f"env_file of {ctx.config.path.name if ctx.config.path else 'the configuration'}"
        )
        sources.append(f"{env_file} ({how}, {len(ctx.env_file_keys)} variables)")
    return {
        "sources": sources,
        "env_file": str(env_file) if env_file is not None else None,
        "env_file_variables": len(ctx.env_file_keys),
    }


def audit_inputs(ctx: Any, settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """``environment`` and ``placeholders`` for :attr:`golive.model.Audit.inputs` (the runner's
    step; ``settings``: the runtime probe's, None when they did not load)."""
    env_values = {k: ctx.env.get(k, "") for k in ctx.env_file_keys}
    return {
        "environment": environment(ctx),
        "placeholders": placeholders(settings or {}, env_values),
    }


def note(audit: Any) -> str:
    """The note beside the verdict when example values were audited, or ``""``: "GO on
    placeholder values: ..." for GO and GO WITH CONDITIONS, "placeholder values audited: ..."
    otherwise."""
    found = audit.inputs.get("placeholders") or []
    if not found:
        return ""
    where = ", ".join(dict.fromkeys(str(p.get("where", "")) for p in found if isinstance(p, Mapping)))
    word = audit.decision.word.value
    head = (
        f"{word} on placeholder values"
        if word in ("GO", "GO WITH CONDITIONS")
        else "placeholder values audited"
    )
    return (
        f"{head}: {where} look like examples, not production's;"
        " audit with production's environment (--env-file)"
    )
