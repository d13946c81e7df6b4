"""Report formats: one module per format, each a pure ``render(audit) -> str``.

The format of an output file follows its extension (:data:`EXTENSIONS`). Files are
written whole or not at all (:func:`write_atomic`).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from golive.model import Audit

#: Extension → format name.
EXTENSIONS = {
    ".json": "json",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
    ".sarif": "sarif",
    ".xml": "junit",
    ".pdf": "pdf",
}
#: Format name → module under golive.reports.
MODULES = {
    "json": "json_report",
    "markdown": "markdown",
    "html": "html",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "pdf": "pdf",
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


def preload(formats: Iterable[str]) -> None:
    """Import the renderers of ``formats`` (names of :data:`MODULES`) now rather than when
    the report is written: the CLI does while the runtime probe runs."""
    for fmt in dict.fromkeys(formats):
        importlib.import_module(f"golive.reports.{MODULES[fmt]}")


def render(audit: Audit, fmt: str, *, output: Path | None = None) -> str:
    """Render ``audit`` in format ``fmt`` (``output`` lets HTML/Markdown place assets)."""
    module = importlib.import_module(f"golive.reports.{MODULES[fmt]}")
    if output is not None and hasattr(module, "render_to"):
        return str(module.render_to(audit, output))
    return str(module.render(audit))


def write(audit: Audit, path: Path, fmt: str | None = None, *, data: Mapping[str, Any] | None = None) -> Path:
    """Write one report file (:func:`write_atomic`); returns its path. ``OSError``
    propagates to the CLI, and the file that was there stays as it was. A PDF without a
    browser raises :class:`golive.reports.pdf.PdfFallback` once the HTML is written instead.
    ``data``: ``audit``'s :func:`golive.reports.json_report.to_dict` when the caller has it
    (the CLI made it for the SHA-256): a JSON report is written from it, not made again."""
    chosen = format_for(path, fmt)
    if chosen == "pdf":  # bytes, printed by Chromium; golive.reports.pdf.PdfFallback without one
        from golive.reports.pdf import write_pdf

        return write_pdf(audit, path)
    if chosen == "json" and data is not None:
        from golive.reports.json_report import text_of

        text = text_of(data)
    else:
        text = render(audit, chosen, output=path)
    write_atomic(path, text)
    return path


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (UTF-8; bytes as they are) to ``path`` so that it holds either its old
    content or all of the new one, never a truncated file (a full disk, a file-size limit, an
    interrupt).

    The text goes to a temporary file in the same directory (``.NAME.RANDOM.tmp``, created
    exclusively, with the permissions the umask gives a new file, or those of the file it
    replaces), is flushed to disk (``fsync``), then renamed over ``path`` (``rename`` is
    atomic within a file system: POSIX.1-2017 ``rename()``, Python's ``os.replace``). On
    any error the temporary file is removed and the ``OSError`` raised. A symbolic link is
    followed (its target is replaced, the link kept). A path that exists and is not a
    regular file (``/dev/stdout``, a FIFO) is written directly: it cannot be renamed over.
    Missing parent directories are created.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(path, "wb") as raw:
            raw.write(text.encode("utf-8") if isinstance(text, str) else text)
        return
    target = Path(os.path.realpath(path))
    temp = target.parent / f".{target.name}.{os.urandom(4).hex()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            if st is not None:
                os.fchmod(handle.fileno(), stat.S_IMODE(st.st_mode))
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
