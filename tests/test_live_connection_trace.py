"""``golive probe`` loads its checks and reports once the probes' first connection is open,
not while the first requests are set up (issue 15): the signal is
:data:`golive.collectors.live.connection_trace.connected`, set by the requests' trace."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "live"))

import live_servers

from golive.collectors.live import client as live_client
from golive.collectors.live.connection_trace import connected
from golive.commands import probe as probe_command
from golive.facts.live import Exchange


def _get(url: str) -> Exchange:
    async def one() -> Exchange:
        limit = asyncio.Semaphore(4)
        async with live_client.ProbeClient(live_client.ClientConfig(), per_host=limit, global_=limit) as site:
            return await site.request("GET", url)

    return asyncio.run(one())


def test_connected_is_set_by_the_first_connection_of_a_probe() -> None:
    server = live_servers.scenario_server({"/": (200, [], b"home")}, host="127.0.0.1")
    try:
        connected.clear()
        assert not connected.is_set()
        answer = _get(f"http://127.0.0.1:{server.port}/")
        assert answer.status == 200
        assert connected.is_set()
    finally:
        server.stop()
        connected.set()


def test_connected_is_set_when_the_first_connect_fails() -> None:
    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        connected.clear()
        answer = _get(f"http://127.0.0.1:{port}/")
    try:
        assert answer.error and answer.status is None
        assert connected.is_set()  # the loop no longer waits for it: loading may start
    finally:
        connected.set()


def test_checks_and_reports_load_only_once_the_event_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    event = threading.Event()
    seen: list[bool] = []
    monkeypatch.setattr(probe_command, "LOAD_WAIT", 60.0)
    monkeypatch.setattr(probe_command, "_author", lambda: seen.append(event.is_set()) or "someone")
    author: list[str] = []
    loading = threading.Thread(target=probe_command._load_then_collect, args=(author, event), daemon=True)
    loading.start()
    loading.join(0.2)
    assert loading.is_alive() and not seen  # waiting: nothing loaded, no git call yet
    event.set()
    loading.join(60)
    assert seen == [True] and author == ["someone"]
