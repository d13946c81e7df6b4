"""The terminal report names the files each collector read and how each was found."""

from __future__ import annotations

import io

from msgspec.structs import replace
from rich.console import Console
from test_reports import hostile_audit

from golive.model import CollectorRun
from golive.reports.terminal import render_console


def test_terminal_lists_the_audited_server_files() -> None:
    runs = (
        CollectorRun(
            name="nginx",
            status="ok",
            details={"files": [{"path": "deploy/site.conf", "found": "given with --nginx deploy/site.conf"}]},
        ),
        CollectorRun(
            name="gunicorn",
            status="ok",
            details={"servers": [{"kind": "gunicorn", "found": "discovered deploy/gunicorn.conf.py"}]},
        ),
    )
    out = io.StringIO()
    render_console(replace(hostile_audit(), collectors=runs), Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert "  nginx: given with --nginx deploy/site.conf\n" in text
    assert "  gunicorn: discovered deploy/gunicorn.conf.py\n" in text
