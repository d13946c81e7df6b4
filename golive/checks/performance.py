"""Performance: sessions, CONN_MAX_AGE, templates (checklist section 4, ids GL4xx).

Source: Django's deployment checklist, "Performance optimizations"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#performance-optimizations).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from golive.checks._util import CHECKLIST, PROCESS_LOCAL_CACHES, SETTINGS, where
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

DB_SESSIONS = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")
CACHE_SESSIONS = ("django.contrib.sessions.backends.cache", "django.contrib.sessions.backends.cached_db")
CACHED_LOADER = "django.template.loaders.cached.Loader"


@check(
    "GL401",
    title="expired database sessions are cleared regularly",
    severity=Severity.LOW,
    needs=(RuntimeFacts,),
    reference="https://docs.djangoproject.com/en/stable/topics/http/sessions/#clearing-the-session-store",
    remediation="""
    Run `python manage.py clearsessions` daily (cron, a systemd timer, a scheduled job),
    then sign it:

        [tool.golive.attest.GL401]
        by = "Jane Ops"
        on = 2026-11-22
        note = "systemd timer clearsessions.timer, daily"
    """,
    manual=True,
    validity_days=365,
)
def clear_sessions(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "If using database-backed sessions, regularly clear old sessions to avoid storing
    unnecessary data." Django never deletes expired rows itself. Asked only for the db
    and cached_db engines.
    """
    engine = str(facts[RuntimeFacts].setting("SESSION_ENGINE", ""))
    if engine in DB_SESSIONS:
        yield spec.ask(subjects=["SESSION_ENGINE"], evidence=[f"SESSION_ENGINE = {engine!r}"])
    else:
        yield spec.passed(evidence=[f"SESSION_ENGINE = {engine!r} (no session table to clear)"])


@check(
    "GL402",
    title="sessions are kept in a per-process cache",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    reference="https://docs.djangoproject.com/en/stable/topics/http/sessions/#using-cached-sessions",
    remediation="""
    Put sessions on a shared cache (Redis, Memcached) or in the database:

        SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                              "LOCATION": os.environ["REDIS_URL"]}}
    """,
)
def session_cache(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's sessions docs: "You should only use cache-based sessions if you're using
    the Memcached or Redis cache backend. The local-memory cache backend doesn't retain
    data long enough." With several worker processes each has its own sessions: users
    are logged out at random, and a logout in one process leaves the session alive in
    the others.
    """
    runtime = facts[RuntimeFacts]
    engine = str(runtime.setting("SESSION_ENGINE", ""))
    if engine not in CACHE_SESSIONS:
        return
    alias = str(runtime.setting("SESSION_CACHE_ALIAS", "default"))
    caches: dict[str, Any] = runtime.setting("CACHES") or {}
    backend = str((caches.get(alias) or {}).get("BACKEND", ""))
    if backend in PROCESS_LOCAL_CACHES:
        yield spec.fail(
            subjects=["SESSION_ENGINE", "CACHES"],
            location=where(facts, "SESSION_ENGINE"),
            evidence=[f"SESSION_ENGINE = {engine!r}", f"CACHES[{alias!r}]['BACKEND'] = {backend!r}"],
        )


def _databases(runtime: RuntimeFacts) -> dict[str, dict[str, Any]]:
    dbs = runtime.setting("DATABASES") or {}
    return {a: c for a, c in dbs.items() if isinstance(c, dict)}


@check(
    "GL403",
    title="database connections are not persistent (CONN_MAX_AGE = 0)",
    severity=Severity.LOW,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#conn-max-age",
    remediation='"CONN_MAX_AGE": 60,  "CONN_HEALTH_CHECKS": True,  # in DATABASES["default"]',
)
def conn_max_age(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Enabling persistent database connections can result in a nice speed-up when
    connecting to the database accounts for a significant part of the request
    processing time." SQLite is left out (connecting is free).
    """
    runtime = facts[RuntimeFacts]
    for alias, conf in _databases(runtime).items():
        if runtime.database_vendors.get(alias) == "sqlite":
            continue
        if conf.get("CONN_MAX_AGE", 0) == 0:  # None means "unlimited": persistent
            yield spec.fail(
                subjects=["CONN_MAX_AGE"],
                location=where(facts, f"DATABASES.{alias}.CONN_MAX_AGE"),
                evidence=[f"DATABASES[{alias!r}]['CONN_MAX_AGE'] = {conf.get('CONN_MAX_AGE')!r}"],
            )


@check(
    "GL404",
    title="persistent connections without CONN_HEALTH_CHECKS",
    severity=Severity.LOW,
    needs=(RuntimeFacts,),
    reference=SETTINGS + "#conn-health-checks",
    remediation='"CONN_HEALTH_CHECKS": True,  # in DATABASES[alias]',
)
def conn_health(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A persistent connection that the database server or a proxy closed makes the next
    request on that worker fail with an error; ``CONN_HEALTH_CHECKS`` (Django 4.1+)
    tests it first.
    Source: CONN_HEALTH_CHECKS
    (https://docs.djangoproject.com/en/stable/ref/settings/#conn-health-checks) and
    persistent connections
    (https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections).
    """
    runtime = facts[RuntimeFacts]
    for alias, conf in _databases(runtime).items():
        age = conf.get("CONN_MAX_AGE", 0)
        persistent = age is None or (isinstance(age, (int, float)) and age > 0)
        if persistent and not conf.get("CONN_HEALTH_CHECKS"):
            yield spec.fail(
                subjects=["CONN_HEALTH_CHECKS", "CONN_MAX_AGE"],
                location=where(facts, f"DATABASES.{alias}.CONN_HEALTH_CHECKS"),
                evidence=[f"DATABASES[{alias!r}]: CONN_MAX_AGE = {age!r}, CONN_HEALTH_CHECKS off"],
            )


def _has_cached(loaders: list[Any]) -> bool:
    for loader in loaders:
        if isinstance(loader, list) and loader and loader[0] == CACHED_LOADER:
            return True
        if loader == CACHED_LOADER:
            return True
    return False


@check(
    "GL405",
    title="TEMPLATES sets loaders without the cached loader",
    severity=Severity.LOW,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#templates",
    remediation="""
    Remove "loaders" (Django then caches automatically when DEBUG is False), or wrap them:

        "OPTIONS": {"loaders": [("django.template.loaders.cached.Loader", [
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ])]}
    """,
)
def cached_loader(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Enabling the cached template loader often improves performance drastically."
    Django enables it on its own only when ``loaders`` is not given; an explicit list
    without it compiles every template on every render.
    """
    for i, engine in enumerate(facts[RuntimeFacts].setting("TEMPLATES") or []):
        if not isinstance(engine, dict) or not str(engine.get("BACKEND", "")).endswith("DjangoTemplates"):
            continue
        loaders = (engine.get("OPTIONS") or {}).get("loaders")
        if isinstance(loaders, list) and not _has_cached(loaders):
            yield spec.fail(
                subjects=["TEMPLATES"],
                location=where(facts, f"TEMPLATES.{i}.OPTIONS.loaders"),
                evidence=[f"TEMPLATES[{i}]['OPTIONS']['loaders'] = {loaders!r}"],
            )
