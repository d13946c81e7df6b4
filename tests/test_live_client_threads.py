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
