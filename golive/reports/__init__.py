"""Report formats: one module per format, each a pure ``render(audit) -> str``.

The format of an output file follows its extension (:data:`EXTENSIONS`).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from golive.model import Audit

#: Extension → format name.
EXTENSIONS = {
    ".json": "json",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
    ".sarif": "sarif",
    ".xml": "junit",
}
#: Format name → module under golive.reports.
MODULES = {
    "json": "json_report",
    "markdown": "markdown",
    "html": "html",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
}


class ReportError(Exception):
    """An unknown format or extension (exit status 2)."""


def format_for(path: Path, explicit: str | None = None) -> str:
    """The format for an output path: ``explicit`` if given, else from the extension."""
    if explicit:
        if explicit not in MODULES:
            raise ReportError(f"unknown format {explicit!r} (one of: {', '.join(MODULES)})")
        return explicit
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise ReportError(
            f"{path}: cannot tell the format from the extension (use one of"
            f" {', '.join(sorted(EXTENSIONS))} or --format)"
        )
    return fmt


def render(audit: Audit, fmt: str, *, output: Path | None = None) -> str:
    """Render ``audit`` in format ``fmt`` (``output`` lets HTML/Markdown place assets)."""
    module = importlib.import_module(f"golive.reports.{MODULES[fmt]}")
    if output is not None and hasattr(module, "render_to"):
        return str(module.render_to(audit, output))
    return str(module.render(audit))


def write(audit: Audit, path: Path, fmt: str | None = None) -> Path:
    """Write one report file; returns its path. ``OSError`` propagates to the CLI."""
    chosen = format_for(path, fmt)
    text = render(audit, chosen, output=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
