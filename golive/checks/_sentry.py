"""Which ``sentry_sdk.init()`` calls are error monitoring (issue 13, guarded initialisation).

``if SENTRY_ENABLED: sentry_sdk.init(...)`` is error monitoring only when the flag is on:
the runtime decides, not the presence of the call. An ``init()`` of the settings chain
under an ``if`` does not count when the probe loaded the settings, sentry_sdk was imported,
and no Sentry client is active after ``django.setup()`` (``sentry_sdk.get_client().is_active()``,
or ``Hub.current.client`` on sentry-sdk 1.x:
https://docs.sentry.io/platforms/python/configuration/options/). When the runtime cannot
tell (no runtime facts, sentry_sdk not importable in the audit's interpreter, an ``init()``
in wsgi.py, which the probe does not import), the call counts, as before.
"""

from __future__ import annotations

from golive.facts.runtime import RuntimeFacts
from golive.facts.source import SentryInit, SourceFacts
from golive.registry import Facts


def sentry_inits(facts: Facts) -> tuple[list[SentryInit], list[str]]:
    """``(inits that count as error monitoring, one evidence line per init that does not)``."""
    source = facts.get(SourceFacts)
    runtime = facts.get(RuntimeFacts)
    inits = list(source.sentry_inits) if source else []
    if source is None or runtime is None or not runtime.settings or runtime.sentry_active:
        return inits, []
    if not runtime.sentry_imported:
        return inits, []
    chain = {m.path for m in source.modules}
    kept: list[SentryInit] = []
    notes: list[str] = []
    for init in inits:
        if not init.guard or init.location.path not in chain:
            kept.append(init)
            continue
        value = runtime.settings.get(init.guard) if init.guard in runtime.settings else None
        seen = f" ({init.guard} = {value!r} at runtime)" if init.guard in runtime.settings else ""
        notes.append(
            f"sentry_sdk.init() at {init.location} runs only if {init.guard}{seen}:"
            " no Sentry client is active after django.setup()"
        )
    return kept, notes
