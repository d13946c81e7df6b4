"""The gunicorn collector: the application servers that run the project, as configured.

gunicorn instances come from the process commands :mod:`golive.collectors.project`
finds (Procfile, Dockerfile, docker-compose, systemd) and from configuration files:
``--gunicorn FILE`` (repeatable), else ``gunicorn*.py`` files in the project (4 levels
deep: ``gunicorn.conf.py``, ``deploy/gunicorn.py``...). A file named by a command's
``-c`` is loaded with that command; a command without ``-c`` loads ``./gunicorn.conf.py``
of the project when there is one, as gunicorn does from its working directory. Each
instance's effective configuration is built by gunicorn's own machinery (command line,
config file, ``GUNICORN_CMD_ARGS``) in a subprocess of the project's interpreter (else
golive's), with the audit's environment and a timeout: the application is never imported,
and a configuration that raises or hangs is a :class:`CollectorError` with its reason.

uvicorn, daphne, hypercorn and uWSGI started by the same commands are read by
:mod:`golive.collectors.appservers.cmdline`. The collector judges nothing: the checks are
in :mod:`golive.checks.appserver_config`.

Modules: :mod:`.gunicorn_servers` (the instances, from commands and files),
:mod:`.gunicorn_process` (running gunicorn's loader, :mod:`.gunicorn_loader`, started as the
collector starts).
"""

from __future__ import annotations

import re
from pathlib import Path

from golive.collectors import CollectorSpec
from golive.collectors.appservers.gunicorn_cache import cache_for
from golive.collectors.appservers.gunicorn_process import LoaderProcess
from golive.collectors.deployment_files import TEST_FOLDERS, deployment_files
from golive.collectors.layout import GUNICORN as GUNICORN_CONFIG
from golive.collectors.layout import Layout
from golive.context import AuditContext
from golive.facts.gunicorn import GunicornFacts

CONFIG_NAME = re.compile(r"^gunicorn[\w.-]*\.py$")


def discover(project_dir: Path, layout: Layout | None = None, files: list[Path] | None = None) -> list[Path]:
    """gunicorn configuration files in the project (``gunicorn*.py``, 4 levels deep); with a
    ``layout``, those it admits (production or unknown: :mod:`golive.collectors.layout`),
    else without test folders. ``files``: the project's files, every one
    (:func:`golive.collectors.deployment_files.audit_files` with ``every``), else walked now.
    """
    every = layout is not None
    if files is None:
        files = list(deployment_files(project_dir, every=every))
    elif not every:
        files = [p for p in files if not TEST_FOLDERS.intersection(p.relative_to(project_dir).parts[:-1])]
    found = [p for p in files if CONFIG_NAME.match(p.name)]
    return [p for p in found if layout is None or layout.admit(p, GUNICORN_CONFIG)]


def collect(ctx: AuditContext) -> GunicornFacts:
    """Find and load every application server; :class:`Skip` when there is none.

    gunicorn's loader is started first, before the command readers are imported
    (:mod:`golive.collectors.appservers.gunicorn_servers`): its interpreter starts and imports
    gunicorn meanwhile, off the audit's critical path (issue 15). Unless golive's cache
    (:mod:`.gunicorn_cache`) holds an answer for this project whose inputs are unchanged:
    then no loader is started unless the requests turn out to differ.
    """
    cache = cache_for(ctx)
    kept = cache.lookup() if cache is not None else None
    loader = LoaderProcess(ctx.python, ctx) if kept is None else None
    try:
        from golive.collectors.appservers.gunicorn_servers import servers

        return servers(ctx, loader, cache, kept)
    finally:
        if loader is not None:
            loader.cancel()  # when the collector stopped before loading anything


SPEC = CollectorSpec(
    name="gunicorn",
    produces=GunicornFacts,
    collect=collect,
    description="gunicorn (its own config loader), uvicorn, daphne, hypercorn, uWSGI command lines",
    alongside=True,  # gunicorn's loader, in a subprocess (unless golive's cache answers)
)
