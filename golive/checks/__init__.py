"""The checks, one module per checklist section. The list below is the catalogue.

Add a module here to add its checks; nothing is discovered by side effect.
"""

from __future__ import annotations

from functools import cache

from golive.registry import Registry


@cache
def registry() -> Registry:
    """The registry of every golive check (``GL`` ids), built once."""
    from golive.checks import (
        alerts,
        appserver,
        appserver_config,
        appserver_forwarded,
        appserver_image,
        appserver_uwsgi,
        appserver_uwsgi_deploy,
        backups,
        committed_files,
        critical,
        debug_settings,
        dev_tools,
        env_defaults,
        environment,
        ephemeral_key,
        errors,
        fallback_key,
        front_proxy,
        gixy,
        history_scope,
        host,
        https,
        live,
        live_secrets,
        monitoring,
        operations,
        performance,
        production_settings,
        secret_settings,
        secrets,
        webserver,
        webserver_context,
        webserver_exposure,
        webserver_image_keys,
        webserver_internal,
    )

    return Registry.from_modules(
        [
            # 1 critical settings, 2 environment, 3 HTTPS, 4 performance, 5 error reporting
            live_secrets,  # GL100, the headline: a committed secret production loads now
            production_settings,  # GL114: the settings audited are development settings
            critical,
            debug_settings,  # GL110, GL111
            secret_settings,  # GL112
            fallback_key,
            ephemeral_key,
            dev_tools,
            secrets,
            committed_files,  # GL125, GL126
            history_scope,
            environment,
            https,
            env_defaults,  # GL203, GL305: the insecure fallbacks of those settings
            performance,
            errors,
            monitoring,
            # 6 application server, 7 web server, 8 live site
            appserver,
            appserver_image,  # GL625-GL626: the image builds, no dev dependencies at start
            appserver_config,
            appserver_forwarded,  # GL627: the proxy's forwarded headers thrown away
            appserver_uwsgi,
            appserver_uwsgi_deploy,
            webserver,
            webserver_exposure,  # GL707-GL713, split from webserver (issue 16): same order
            webserver_context,
            webserver_image_keys,  # GL716: nginx's TLS key generated at build time
            webserver_internal,  # GL717: the X-Accel-Redirect folder served publicly
            gixy,
            front_proxy,  # GL790-GL792: Traefik, Caddy, Fly.io in front
            live,
            # 9 security alerts, host, backups, server-side security
            alerts,
            host,
            backups,
            operations,
        ]
    )
