"""The checks, one module per checklist section or topic. :data:`MODULES` is the catalogue.

Add a module there to add its checks; nothing is discovered by side effect. The table is also
the one place check modules are imported from (:func:`registry`), lazily: an audit imports them
while the runtime probe runs, and a selection (``--select GL8``) imports only the modules that
can hold a selected id.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import cache

from golive.registry import Registry

#: Every check module under ``golive.checks`` and the id prefixes of the checks it holds (as
#: ``--select`` matches them), in checklist order. A prefix may cover more ids than the module
#: holds (loading a module too many is harmless); every id it holds must start with one of
#: them (``tests/test_check_modules.py``).
MODULES: tuple[tuple[str, str], ...] = (
    # 1 critical settings
    ("live_secrets", "GL100"),  # the headline: a committed secret production loads now
    ("production_settings", "GL114"),  # the settings audited are development settings
    ("critical", "GL10"),
    ("debug_settings", "GL110 GL111"),
    ("secret_settings", "GL112"),
    ("fallback_key", "GL107"),
    ("ephemeral_key", "GL108"),
    ("dev_tools", "GL113"),
    ("secrets", "GL12"),
    ("committed_files", "GL125 GL126"),
    ("history_scope", "GL127"),
    # 2 environment, 3 HTTPS, 4 performance, 5 error reporting
    ("environment", "GL20 GL21 GL23"),
    ("databases", "GL22"),
    ("static_media", "GL24 GL25"),
    ("https", "GL30"),
    ("env_defaults", "GL203 GL305"),  # the insecure fallbacks of those settings
    ("performance", "GL4"),
    ("errors", "GL50"),
    ("monitoring", "GL52 GL53"),
    # 6 application server, 7 web server, 8 live site
    ("appserver", "GL60 GL62"),
    ("appserver_image", "GL625 GL626"),  # the image builds, no dev dependencies at start
    ("appserver_config", "GL61"),
    ("appserver_process", "GL61 GL62"),
    ("appserver_context", "GL63"),
    ("appserver_forwarded", "GL627"),  # the proxy's forwarded headers thrown away
    ("appserver_host", "GL628"),  # a systemd unit on every interface, nothing in front
    ("appserver_uwsgi", "GL64"),
    ("appserver_uwsgi_deploy", "GL64 GL65"),
    ("webserver", "GL70"),
    ("webserver_exposure", "GL70 GL71"),
    ("webserver_context", "GL70 GL71"),
    ("webserver_image_keys", "GL716"),  # nginx's TLS key generated at build time
    ("webserver_internal", "GL717"),  # the X-Accel-Redirect folder served publicly
    ("gixy", "GL75 GL76 GL77 GL78"),
    ("front_proxy", "GL79"),  # Traefik, Caddy, Fly.io in front
    ("live", "GL8"),
    # 9 security alerts, host, backups, server-side security
    ("alerts", "GL90"),
    ("host", "GL92"),
    ("backups", "GL94"),
    ("operations", "GL98"),
)


#: The facts types (class names) the checks of each :data:`MODULES` entry need
#: (:attr:`golive.registry.CheckSpec.needs`), so that :func:`registry_needing` imports only the
#: modules that may hold a check needing given facts; ``tests/test_check_needs.py`` holds it
#: to the checks themselves.
NEEDS: dict[str, str] = {
    "live_secrets": "RuntimeFacts",
    "production_settings": "SourceFacts",
    "critical": "RuntimeFacts SourceFacts",
    "debug_settings": "RuntimeFacts SourceFacts",
    "secret_settings": "SourceFacts",
    "fallback_key": "SourceFacts",
    "ephemeral_key": "SourceFacts",
    "dev_tools": "RuntimeFacts",
    "secrets": "GitFacts",
    "committed_files": "GitFacts",
    "history_scope": "GitFacts",
    "environment": "RuntimeFacts",
    "databases": "RuntimeFacts SourceFacts",
    "static_media": "RuntimeFacts",
    "https": "RuntimeFacts",
    "env_defaults": "SourceFacts",
    "performance": "RuntimeFacts",
    "errors": "RuntimeFacts",
    "monitoring": "ProjectFacts RuntimeFacts SourceFacts",
    "appserver": "GunicornFacts ProjectFacts",
    "appserver_image": "ProjectFacts",
    "appserver_config": "GunicornFacts",
    "appserver_process": "GunicornFacts",
    "appserver_context": "GunicornFacts NginxFacts RuntimeFacts",
    "appserver_forwarded": "GunicornFacts NginxFacts",
    "appserver_host": "ProjectFacts",
    "appserver_uwsgi": "ProjectFacts UwsgiFacts",
    "appserver_uwsgi_deploy": "NginxFacts RuntimeFacts UwsgiFacts",
    "webserver": "NginxFacts",
    "webserver_exposure": "NginxFacts",
    "webserver_context": "NginxFacts RuntimeFacts",
    "webserver_image_keys": "NginxFacts ProjectFacts",
    "webserver_internal": "NginxFacts",
    "gixy": "NginxFacts",
    "front_proxy": "ProxyFacts",
    "live": "LiveFacts",
    "alerts": "DependencyFacts",
    "host": "HostFacts",
    "backups": "BackupFacts",
    "operations": "RuntimeFacts",
}


def _overlap(selected: str, held: str) -> bool:
    """True when an id starting with ``selected`` may start with ``held`` too."""
    a, b = selected.lower(), held.lower()
    return a.startswith(b) or b.startswith(a)


def modules_for(prefixes: Iterable[str] = ()) -> list[str]:
    """The :data:`MODULES` that may hold an id starting with one of ``prefixes`` (all when
    there are none), in the table's order."""
    wanted = tuple(prefixes)
    return [
        name
        for name, held in MODULES
        if not wanted or any(_overlap(p, h) for p in wanted for h in held.split())
    ]


@cache
def registry(prefixes: tuple[str, ...] = ()) -> Registry:
    """The registry of the golive checks (``GL`` ids), built once per selection: every check,
    or (with ``prefixes``, e.g. ``("GL8",)``) at least those whose id starts with one of them,
    from the modules that may hold them."""
    return Registry.from_modules(importlib.import_module(f"golive.checks.{m}") for m in modules_for(prefixes))


def modules_needing(kinds: Iterable[type | str]) -> list[str]:
    """The :data:`MODULES` holding a check that needs one of ``kinds`` (facts types, or their
    class names), in the table's order (:data:`NEEDS`)."""
    wanted = {k if isinstance(k, str) else k.__name__ for k in kinds}
    return [name for name, _ in MODULES if wanted & set(NEEDS[name].split())]


@cache
def registry_needing(kinds: tuple[type, ...]) -> Registry:
    """The checks that need one of the facts types ``kinds`` (e.g. ``(NginxFacts,
    GunicornFacts)``), importing only the modules that hold them (:func:`modules_needing`):
    for callers that run only some steps, such as the nginx stage's benchmark. An audit
    loads every module (:func:`registry`): each check not run is still reported, skipped
    with its title and severity."""
    chosen = Registry.from_modules(
        importlib.import_module(f"golive.checks.{m}") for m in modules_needing(kinds)
    )
    return Registry(spec for spec in chosen if set(spec.needs) & set(kinds))
