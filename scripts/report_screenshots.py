"""Regenerate the README's pictures of the HTML report (issue 14): the top of the page, a
finding with the screenshot that proves it, and the sign-off block.

Usage: .venv/bin/python scripts/report_screenshots.py [OUT_DIR]   (default docs/)

What it does, in a temporary directory (nothing is written into examples/):
1. copies examples/bookshop into a git repository of its own (so the report names a commit);
2. serves it with ``manage.py runserver`` on a free loopback port, with its production
   settings (DEBUG on, as the example's mistake has it) but no redirect to https (there is no
   TLS proxy in front);
3. ``golive audit --url http://127.0.0.1:PORT --approver ...`` (stored in the example's
   history), then ``golive signoff latest ... --decision no-go`` and ``golive report latest
   -o report.html``;
4. opens the page in Debian's chromium (Playwright, as golive's own screenshots do) and
   writes three PNGs: ``report-top.png``, ``report-finding.png`` (GL831 with the DEBUG page
   beside it) and ``report-signoff.png``.

Needs chromium (``/usr/bin/chromium`` or ``$GOLIVE_CHROMIUM``); exits 1 with the reason
when a step fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WIDTH = 1100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)
    if check and proc.returncode not in (0, 1):  # 1: the audit says NO-GO, as it should
        sys.exit(f"{' '.join(args[:4])}...: exit {proc.returncode}\n{proc.stderr}")
    return proc


def wait_for(port: int, seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    sys.exit(f"runserver did not listen on port {port}")


def shoot(page_path: Path, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    from golive.collectors.live.screenshots import CHROMIUM_ARGS, chromium_path

    exe = chromium_path()
    if exe is None:
        sys.exit("no chromium: apt install chromium, or set GOLIVE_CHROMIUM")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        page.goto(page_path.as_uri())
        page.screenshot(
            path=str(out / "report-top.png"), clip={"x": 0, "y": 0, "width": WIDTH, "height": 900}
        )
        card = page.locator("article.finding", has=page.locator("code.fid", has_text="GL831")).first
        card.scroll_into_view_if_needed()
        card.screenshot(path=str(out / "report-finding.png"))
        page.locator("#signoff").screenshot(path=str(out / "report-signoff.png"))
        browser.close()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs"
    out.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    golive = [python, "-m", "golive.cli"]
    with tempfile.TemporaryDirectory(prefix="golive-shots-") as tmp:
        project = Path(tmp) / "bookshop"
        shutil.copytree(
            REPO / "examples" / "bookshop",
            project,
            ignore=shutil.ignore_patterns("db.sqlite3", ".golive", "__pycache__"),
        )
        for args in (
            ("init", "-q"),
            ("config", "user.name", "Pat Preparer"),
            ("config", "user.email", "pat@bookshop.example"),
            ("add", "-A"),
            ("commit", "-qm", "the bookshop as it would ship"),
        ):
            run("git", *args, cwd=project)
        # served as production runs it behind a TLS proxy, minus the proxy: the production
        # settings with SECURE_SSL_REDIRECT off, from outside the repository (the audit reads
        # the repository's own production settings)
        served = Path(tmp) / "served"
        served.mkdir()
        (served / "served_settings.py").write_text(
            "from bookshop.settings.production import *  # noqa\nSECURE_SSL_REDIRECT = False\n"
        )
        port = free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "served_settings", "PYTHONPATH": str(served)}
        server = subprocess.Popen(
            [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port)
            run(
                *golive, "audit", ".", "--url", f"http://127.0.0.1:{port}/",
                "--approver", "Ann Approver (CTO)", "--approver", "Otto Ops (Head of Ops)", "-q",
                cwd=project,
            )  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=10)
        run(
            *golive, "signoff", "latest", "--by", "Otto Ops", "--role", "Head of Ops",
            "--decision", "no-go", "--note", "DEBUG is on in production: fix the criticals first",
            cwd=project,
        )  # fmt: skip
        run(*golive, "report", "latest", "-o", "report.html", cwd=project)
        shoot(project / "report.html", out)
    for name in ("report-top.png", "report-finding.png", "report-signoff.png"):
        print(f"wrote {out / name} ({(out / name).stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
