"""A TCP relay on loopback that adds network latency: this kernel has no ``netem``.

Each connection accepted on ``127.0.0.1:PORT`` is held for one round trip (the TCP
handshake a real network would cost) before the relay connects to the upstream address;
then every chunk read in either direction is written on after half a round trip, in
order, so a request and its answer cost one RTT, a TLS 1.3 handshake one more. The relay
is the same for every tool measured through it, and it runs on the same cores as they do.

Use it in a benchmark::

    with Relay(upstream_port, rtt=0.05) as relay:   # a thread with its own event loop
        url = f"https://127.0.0.1:{relay.port}/"

or alone: ``python benchmarks/latency_relay.py UPSTREAM_PORT --rtt-ms 50 [--port N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import threading
import time
from types import TracebackType


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Copy ``reader`` to ``writer``, each chunk ``delay`` seconds after it was read."""
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def read() -> None:
        while True:
            try:
                chunk = await reader.read(65536)
            except OSError:  # reset by the peer: an end like any other
                chunk = b""
            await queue.put((time.monotonic() + delay, chunk))
            if not chunk:
                return

    async def write() -> None:
        while True:
            due, chunk = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not chunk:
                with contextlib.suppress(OSError):
                    if writer.can_write_eof():
                        writer.write_eof()
                return
            try:
                writer.write(chunk)
                await writer.drain()
            except OSError:
                return

    reading = asyncio.ensure_future(read())
    try:
        await write()
    finally:
        reading.cancel()


class Relay:
    """A latency relay to ``127.0.0.1:upstream`` (see the module docstring), in a thread."""

    def __init__(self, upstream: int, *, rtt: float, port: int = 0, host: str = "127.0.0.1") -> None:
        self.upstream = upstream
        self.rtt = rtt
        self.host = host
        self.port = port
        self.connections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        with contextlib.suppress(asyncio.CancelledError):
            await self._relay(client_r, client_w)

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await asyncio.sleep(self.rtt)  # the TCP handshake
            up_r, up_w = await asyncio.open_connection(self.host, self.upstream)
        except OSError:
            client_w.close()
            return
        try:
            await asyncio.gather(
                _pipe(client_r, up_w, self.rtt / 2),
                _pipe(up_r, client_w, self.rtt / 2),
                return_exceptions=True,
            )
        finally:
            for w in (up_w, client_w):
                with contextlib.suppress(OSError):
                    w.close()

    async def serve(self) -> None:
        """Listen until :meth:`stop` (or cancellation)."""
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, self.host, self.port, backlog=1024)
        self.port = server.sockets[0].getsockname()[1]
        self._loop = asyncio.get_running_loop()
        self._ready.set()
        async with server:
            await self._stop.wait()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def __enter__(self) -> Relay:
        self._thread = threading.Thread(target=asyncio.run, args=(self.serve(),), daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the latency relay did not start")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", type=int, help="port on 127.0.0.1 to relay to")
    parser.add_argument("--rtt-ms", type=float, default=50.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    relay = Relay(args.upstream, rtt=args.rtt_ms / 1000, port=args.port)
    with relay:
        print(f"127.0.0.1:{relay.port} -> 127.0.0.1:{args.upstream}, {args.rtt_ms:g} ms RTT (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
