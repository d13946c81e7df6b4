"""Running gixy-ng on one nginx input, in-process: helpers of :mod:`golive.collectors.nginx`.

gixy-ng's ``Manager`` is driven as its CLI drives it, with the parser's working directory set
to nginx's prefix and missing includes resolved by :mod:`golive.collectors.nginx.includes`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from golive.collectors.nginx.includes import IncludeResolver

#: gixy-ng plugins not run: nginx_cves needs the server's nginx version, which golive does not know.
GIXY_NOT_RUN = ("nginx_cves",)
#: Set once a gixy-ng ``Manager`` has imported its plugin modules, in this process.
_PLUGINS_IMPORTED = threading.Event()


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_gixy(
    path: Path,
    prefix: Path,
    dump_text: str | None,
    resolver: IncludeResolver | None = None,
    text: str | None = None,
) -> tuple[Any, list[dict[str, Any]], list[str]]:
    """Parse ``path`` with gixy-ng and run all its plugins: (gixy's root, reports, warnings).

    This is ``gixy.core.manager.Manager.audit`` with the parser's working directory set to
    ``prefix`` (the Manager hard-codes the file's own directory), and the reports are
    gixy's own formatter's (``BaseFormatter.feed``: plugin, severity, summary, reason,
    excerpt, location). ``text`` is the file's text when it is not read from disk (a
    template after substitution). Raises gixy's ``InvalidConfiguration`` when it cannot parse.
    """
    from gixy.core.config import Config
    from gixy.core.context import purge_context, push_context
    from gixy.core.manager import Manager
    from gixy.core.variable_catalog import load_variable_catalog
    from gixy.formatters.base import BaseFormatter
    from gixy.parser.nginx_parser import NginxParser

    from golive.collectors.nginx.includes import make_gixy_parser

    logger = logging.getLogger("gixy")
    capture = _LogCapture()
    propagate = logger.propagate
    logger.addHandler(capture)
    logger.propagate = False
    try:
        config = Config(allow_includes=True, skips=list(GIXY_NOT_RUN))
        with Manager(config=config) as manager:
            # gixy-ng lists and imports its plugin modules for every Manager; once a Manager
            # has (Plugin's subclasses are then all known), doing it again changes nothing
            manager.auditor.imported = _PLUGINS_IMPORTED.is_set()
            if resolver is None:
                parser = NginxParser(cwd=str(prefix), allow_includes=True)
            else:  # missing includes looked up in the repository and golive's stock files
                parser = make_gixy_parser(prefix, resolver)
            if dump_text is not None or text is not None:
                root = parser.parse_string(dump_text or text, path_info=str(path))
            else:
                root = parser.parse_file(str(path))
            manager.root = root
            manager._declaration_overrides = {}
            purge_context()
            push_context(root, catalog=load_variable_catalog(config.vars_dirs, config.load_default_vars))
            manager._audit_recursive(root.children)
            manager.auditor.post_audit(root)
            formatter = BaseFormatter()
            formatter.feed(str(path), manager)
            reports = list(formatter.reports[str(path)])
            if manager.auditor.imported:  # imported by this Manager (or skipped as imported)
                _PLUGINS_IMPORTED.set()
    finally:
        logger.removeHandler(capture)
        logger.propagate = propagate
    return root, reports, capture.messages
