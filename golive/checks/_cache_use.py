"""Does anything rely on a cache shared by every worker process? (GL210, GL632.)

Django's cache docs: with the local-memory cache "each process will have its own private
cache instance" (https://docs.djangoproject.com/en/stable/topics/cache/#local-memory-caching).
That costs only cache misses, unless something relies on the cache holding the same
thing for every request: sessions stored there (``SESSION_ENGINE``), the per-site cache
middleware, DRF throttles and rate limiters that count there, code that calls the cache
API, ``cache_page`` or ``{% cache %}`` (the source collector's scan), or CACHES set to a
per-process backend on purpose in the settings.
"""

from __future__ import annotations

from golive.checks._util import where
from golive.facts.runtime import RuntimeFacts
from golive.facts.source import SourceFacts
from golive.registry import Facts

#: The per-site cache (https://docs.djangoproject.com/en/stable/topics/cache/#the-per-site-cache).
CACHE_MIDDLEWARE = ("UpdateCacheMiddleware", "FetchFromCacheMiddleware", "CacheMiddleware")
#: Installed apps that keep counters or query results in Django's cache.
CACHE_APPS = {
    "django_ratelimit": "django-ratelimit counts requests in the cache",
    "ratelimit": "django-ratelimit counts requests in the cache",
    "allauth.account": "django-allauth's rate limits (ACCOUNT_RATE_LIMITS) count in the cache",
    "cachalot": "django-cachalot keeps query results in the cache",
    "cacheops": "django-cacheops keeps query results in the cache",
}
#: The low-severity reason when nothing relies on a shared cache.
NOTHING = (
    "nothing in the project's code uses Django's cache (no django.core.cache import, cache_page,"
    " {% cache %}, cache middleware or cache-backed rate limit) and sessions are not in it:"
    " each process's own cache costs only cache misses: low"
)


def sessions_in_cache(runtime: RuntimeFacts) -> str:
    """The SESSION_ENGINE when sessions live in the cache (``cache``, ``cached_db``), else ``""``."""
    engine = str(runtime.setting("SESSION_ENGINE", ""))
    return engine if ".cache" in engine or engine.endswith("cached_db") else ""


def cache_reliance(facts: Facts) -> tuple[list[str], bool]:
    """``(reasons, known)``: one evidence line per thing that relies on a shared cache, and
    whether the project's code was scanned (without the source facts, no reasons is not
    "nothing": the caller keeps its severity)."""
    runtime = facts[RuntimeFacts]
    reasons: list[str] = []
    engine = sessions_in_cache(runtime)
    if engine:
        reasons.append(f"SESSION_ENGINE = {engine!r}: sessions live in that cache")
    for path in runtime.setting("MIDDLEWARE") or []:
        if str(path).rsplit(".", 1)[-1] in CACHE_MIDDLEWARE:
            reasons.append(f"MIDDLEWARE holds {path}: the per-site cache")
    rest = runtime.setting("REST_FRAMEWORK") or {}
    if isinstance(rest, dict) and rest.get("DEFAULT_THROTTLE_CLASSES"):
        reasons.append("REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES count requests in the cache")
    for app in runtime.setting("INSTALLED_APPS") or []:
        if str(app) in CACHE_APPS:
            reasons.append(f"INSTALLED_APPS has {app}: {CACHE_APPS[str(app)]}")
    source = facts.get(SourceFacts)
    explicit = where(facts, "CACHES.default.BACKEND") if source else None
    if explicit is not None:
        reasons.append(f"the settings set CACHES to a per-process backend on purpose ({explicit})")
    uses = source.cache_uses if source else None
    if uses:
        reasons.append("the project's code uses Django's cache: " + "; ".join(uses))
    return reasons, uses is not None
