"""The checks, one module per checklist section. The list below is the catalogue.

Add a module here to add its checks; nothing is discovered by side effect.
"""

from __future__ import annotations

from functools import cache

from golive.registry import Registry


@cache
def registry() -> Registry:
    """The registry of every golive check (``GL`` ids), built once."""
    from golive.checks import alerts, appserver, critical, environment, errors, https, operations, performance
    from golive.checks import live
    from golive.checks import monitoring, secrets
    from golive.checks import appserver_config, webserver
    from golive.checks import backups, host

    return Registry.from_modules(
        [critical, environment, https, performance, errors, appserver, live, operations, alerts]
        + [secrets, monitoring]
        + [webserver, appserver_config]
        + [host, backups]
    )
