"""The live client's per-process work is done once per process, not once per site (issue 15)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from golive.collectors.live import client as live_client


def test_http2_import_thread_starts_at_most_once_for_many_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []

    class CountingThread(threading.Thread):
        def start(self) -> None:
            started.append(self.name)
            super().start()

    monkeypatch.setattr(live_client.threading, "Thread", CountingThread)

    async def three_sites() -> None:
        limit = asyncio.Semaphore(4)
        for _ in range(3):  # three sites, each with its https client
            async with live_client.ProbeClient(
                live_client.ClientConfig(insecure=True), per_host=limit, global_=limit
            ) as site:
                site._client("https")

    asyncio.run(three_sites())
    # once per process: none if an earlier test's client already started it, never one a site
    assert started.count("golive-http2") <= 1


def test_the_client_module_brings_httpcore_but_not_h2s_connection() -> None:
    """httpcore is imported with the client module, without h2's connection (hpack and all):
    that loads in a thread once the first https client is made (:func:`_preload_http2`),
    while its connection is set up, and HTTP/2 still works (tests/test_live_http2.py)."""
    import subprocess
    import sys

    code = (
        "import sys, golive.collectors.live.client; "
        "print('httpcore' in sys.modules, 'h2.connection' in sys.modules, 'httpx._main' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "False"]
