"""The PDF report: the HTML report (:mod:`golive.reports.html`) printed by the Chromium that
screenshots already use (Debian's ``/usr/bin/chromium`` or ``$GOLIVE_CHROMIUM``, driven by
Playwright's ``page.pdf``, never ``playwright install``).

A4, the page's own print stylesheet (findings kept whole, passes folded into a short
appendix, the sign-off block on a page of its own), and a footer on every page with the
page number, the audit id, its date and its SHA-256 (:func:`golive.signoff.digest_of`), so
a printed, signed copy can be checked against the stored audit. Chromium gets the page with
``set_content`` and every request it would send is refused: the report is self-contained
(images are ``data:`` URIs), so nothing is loaded from the network. The fonts are the
system's (DejaVu, Liberation: ``scripts/test.sh`` installs them).

When there is no browser, the HTML is written next to the PDF (``report.html`` for
``report.pdf``) and :class:`PdfFallback` says so. The PDF is written atomically
(:func:`golive.reports.write_atomic`).

Sources: Playwright ``page.pdf`` (https://playwright.dev/python/docs/api/class-page#page-pdf),
Chromium's header/footer template classes ``pageNumber``, ``totalPages``.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from golive.model import Audit

#: Milliseconds Chromium may take to start and to print.
TIMEOUT_MS = 60_000
FOOTER = (
    '<div style="font: 7pt DejaVu Sans, Liberation Sans, sans-serif; color: #59636e;'
    ' width: 100%; box-sizing: border-box; padding: 0 10mm;">'
    '<div style="display: flex; justify-content: space-between;"><span>{left}</span>'
    '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
    "<div>{sha}</div></div>"
)


class PdfFallback(Exception):
    """No PDF could be made (no browser, or it failed); the HTML was written at ``written``
    instead. The message is one line and says why."""

    def __init__(self, message: str, written: Path) -> None:
        super().__init__(message)
        self.written = written


def footer(audit: Audit) -> str:
    """The footer template of every page: audit id and date, SHA-256, page N of M (escaped)."""
    from golive.signoff import digest_of

    number = audit.history.get("id") if audit.history else None
    left = f"{audit.project_name} · audit #{number}" if number else f"{audit.project_name} · audit not stored"
    left += f" · {audit.started_at[:16].replace('T', ' ')}"
    return FOOTER.format(left=html_lib.escape(left), sha=html_lib.escape(f"SHA-256 {digest_of(audit)}"))


def pdf_bytes(page_html: str, footer_html: str) -> bytes:
    """Print ``page_html`` to an A4 PDF with ``footer_html`` on every page.

    Raises ``FileNotFoundError`` when there is no browser
    (:func:`golive.collectors.live.screenshots.chromium_path`) and ``RuntimeError`` when
    Chromium cannot be driven (the message says why).
    """
    from golive.collectors.live.screenshots import CHROMIUM_ARGS, chromium_path, no_browser_reason

    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError(no_browser_reason())
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dependency
        raise RuntimeError(f"playwright is not installed ({exc})") from None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=exe, headless=True, args=list(CHROMIUM_ARGS), timeout=TIMEOUT_MS
            )
            try:
                page = browser.new_page()
                page.route("**/*", lambda route: route.abort())  # nothing from the network
                page.set_content(page_html, wait_until="load", timeout=TIMEOUT_MS)
                page.emulate_media(media="print")
                data = page.pdf(
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=footer_html,
                    margin={"top": "10mm", "bottom": "15mm", "left": "10mm", "right": "10mm"},
                )
            finally:
                browser.close()
    except Exception as exc:  # playwright's own errors: one line for the user
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise RuntimeError(f"chromium could not print the PDF: {first}") from None
    return bytes(data)


def write_pdf(audit: Audit, path: Path) -> Path:
    """Write the PDF report of ``audit`` at ``path`` (atomically); returns ``path``.

    Without a browser (or when it fails) the HTML report is written next to it (same name,
    ``.html``) and :class:`PdfFallback` raised; ``OSError`` when a file cannot be written.
    """
    from golive.reports import write_atomic
    from golive.reports.html import render_to

    page_html = render_to(audit, path)
    try:
        data = pdf_bytes(page_html, footer(audit))
    except (FileNotFoundError, RuntimeError) as exc:
        fallback = path.with_suffix(".html")
        write_atomic(fallback, page_html)
        raise PdfFallback(
            f"{path}: not written ({exc}); the HTML report is at {fallback}", fallback
        ) from None
    write_atomic(path, data)
    return path


def page_count(data: bytes) -> int:
    """The number of pages of a PDF made by Chromium (Skia): the ``/Count`` of its page tree's
    root, else the number of ``/Type /Page`` objects. For tests and scripts; ``ValueError``
    when neither is found."""
    counts = [int(m) for m in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    counts += [int(m) for m in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    if counts:
        return max(counts)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    if not pages:
        raise ValueError("not a PDF with a page tree")
    return pages
