"""The run's own facts: what the user asked for, as the checks may read it (issue 16).

A check never sees the audit's context (:class:`golive.context.AuditContext`, which holds
the configuration, the git state, every option): the runner gives it this frozen, typed
summary instead (:func:`run_facts`), so a check reads the folders, the environment and the
options it depends on the way it reads any other fact, and does no I/O of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from msgspec import field

from golive.redact import PLACEHOLDER, SECRET_WORD_RE, redact_text
from golive.registry import FactsBase

if TYPE_CHECKING:
    from golive.context import AuditContext


class RunFacts(FactsBase, frozen=True, kw_only=True):
    """The audit's resolved inputs that checks read.

    ``project_dir`` is the audited repository (absolute); ``django_dir`` the folder holding
    manage.py, where settings modules resolve and relative ``MEDIA_ROOT``-like paths start
    (``project_dir`` itself in most projects). ``environment`` is the environment the
    project's code runs with (golive's own plus ``--env-file``), each value redacted as it
    is made: a secret-named variable (``SECRET_KEY``, ``DB_PASSWORD``) shows
    :data:`golive.redact.PLACEHOLDER`, any other value goes through
    :func:`golive.redact.redact_text`. ``env_file_keys`` are the variables the env file set.
    ``tls_profile`` is ``[tool.golive] tls_profile`` (Mozilla's profile name), None when
    unset. ``urls`` are the ``--url`` values.
    """

    collector: ClassVar[str] = "run"
    project_dir: Path
    django_dir: Path
    environment: Mapping[str, str] = field(default_factory=dict)
    env_file_keys: tuple[str, ...] = ()
    tls_profile: str | None = None
    settings_module: str = ""
    urls: tuple[str, ...] = ()
    offline: bool = False


def redacted_environment(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with secret-named values replaced and the others redacted (see :class:`RunFacts`)."""
    return {
        name: PLACEHOLDER if SECRET_WORD_RE.search(name) else redact_text(value)
        for name, value in env.items()
    }


def run_facts(ctx: AuditContext) -> RunFacts:
    """The :class:`RunFacts` of an audit's context (no I/O: the context is resolved). Only
    ``project_dir`` is required of ``ctx``: an attribute it lacks (a test's partial context)
    leaves that field at its default, ``django_dir`` at ``project_dir``."""
    options, config = getattr(ctx, "options", None), getattr(ctx, "config", None)
    return RunFacts(
        project_dir=ctx.project_dir,
        django_dir=getattr(ctx, "django_dir", ctx.project_dir),
        environment=redacted_environment(getattr(ctx, "env", {})),
        env_file_keys=tuple(getattr(ctx, "env_file_keys", ())),
        tls_profile=getattr(config, "tls_profile", None),
        settings_module=getattr(ctx, "settings_module", ""),
        urls=tuple(getattr(options, "urls", ())),
        offline=bool(getattr(options, "offline", False)),
    )
