"""What the probes' connections tell as they open: httpcore's ``trace`` request extension
(https://www.encode.io/httpcore/extensions/#trace) on the requests that open connections.

- :data:`connected`: this process's first TCP connect of a probe has ended;
- the protocol an https origin's first connection negotiated (ALPN, RFC 7301), for
  :class:`golive.collectors.live.client.ProbeClient`'s routing.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

#: Set once a probe of this process has ended its first TCP connect (or failed it): from then
#: on its event loop mostly waits on the network, and ``golive probe`` loads the checks and
#: reports in a thread (:func:`golive.commands.probe.probe`); before, that thread's imports
#: would hold the interpreter lock while the first requests are set up (issue 15: about 45 ms
#: of a probe at 50 ms RTT). Never cleared: later probes in the process find it set.
connected = threading.Event()


def request_trace(alpn: asyncio.Future[str] | None) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """A ``trace`` extension for one request: it sets :data:`connected` when the request's
    new connection ends its TCP connect, and ``alpn`` (when given) to the protocol that
    connection negotiated as soon as its TLS handshake ends (``h2``, ``http/1.1``), or to
    ``""`` when connecting failed. httpcore calls it with ``(event name, info)``; names such
    as ``connection.connect_tcp.complete`` and ``connection.start_tls.complete`` are
    httpcore's."""

    async def trace(name: str, info: dict[str, Any]) -> None:
        if name.startswith("connection.connect_tcp.") and not name.endswith(".started"):
            connected.set()
        if alpn is None or alpn.done():
            return
        if name == "connection.start_tls.complete":
            ssl_object = info["return_value"].get_extra_info("ssl_object")
            alpn.set_result((ssl_object.selected_alpn_protocol() if ssl_object is not None else None) or "")
        elif name.startswith("connection.") and name.endswith(".failed"):
            alpn.set_result("")

    return trace
