"""A closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending its next request as soon as
the previous answer is complete, for T seconds.

Written on bare asyncio protocols (no HTTP library) so that one client core can drive several thousand
requests per second: the servers under test share the same two cores, and a client that spends
milliseconds per request would measure itself. Requests are pre-encoded bytes; the response parser only
reads the status line, ``Content-Length`` or chunked framing, and ``Connection: close``.
:func:`measure_ceiling` runs it against a trivial server to show how much headroom it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

RequestSource = Callable[[int], bytes]  # client index -> the next request's bytes


@dataclass
class LoadResult:
    """What one run measured: answers completed within the window, their latencies, failures."""

    seconds: float
    completed: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def merge(self, other: LoadResult) -> LoadResult:
        statuses = dict(self.statuses)
        for status, count in other.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
        return LoadResult(
            seconds=self.seconds + other.seconds,
            completed=self.completed + other.completed,
            errors=self.errors + other.errors,
            latencies=self.latencies + other.latencies,
            statuses=statuses,
        )


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class _Response:
    """Incremental parser of one HTTP/1.1 response (enough framing to find where it ends)."""

    __slots__ = ("body_left", "buffer", "chunked", "close", "done", "headers_done", "status")

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.headers_done = False
        self.status = 0
        self.body_left = 0
        self.chunked = False
        self.close = False
        self.done = False

    def feed(self, data: bytes) -> bytes:
        """Consume ``data``; return bytes that belong to the next response (none in a closed loop)."""
        self.buffer += data
        if not self.headers_done:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return b""
            self._headers(bytes(self.buffer[:end]).decode("latin-1"))
            del self.buffer[: end + 4]
        if self.chunked:
            return self._chunks()
        if len(self.buffer) >= self.body_left:
            rest = bytes(self.buffer[self.body_left :])
            self.done = True
            return rest
        return b""

    def _headers(self, head: str) -> None:
        lines = head.split("\r\n")
        self.status = int(lines[0].split(" ", 2)[1])
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                self.body_left = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                self.chunked = True
            elif name == "connection" and "close" in value.lower():
                self.close = True
        if self.status in (204, 304) or (100 <= self.status < 200):
            self.body_left = 0
        self.headers_done = True

    def _chunks(self) -> bytes:
        while True:
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return b""
            size = int(bytes(self.buffer[:line_end]).split(b";")[0], 16)
            if size == 0:
                trailer_end = self.buffer.find(b"\r\n\r\n", line_end)
                if trailer_end < 0:
                    if self.buffer[line_end : line_end + 4] == b"\r\n\r\n":
                        trailer_end = line_end
                    else:
                        return b""
                rest = bytes(self.buffer[trailer_end + 4 :])
                self.done = True
                return rest
            if len(self.buffer) < line_end + 2 + size + 2:
                return b""
            del self.buffer[: line_end + 2 + size + 2]


class _Client(asyncio.Protocol):
    """One connection of the closed loop."""

    def __init__(self, runner: _Run, index: int) -> None:
        self.runner = runner
        self.index = index
        self.transport: asyncio.Transport | None = None
        self.response = _Response()
        self.sent_at = 0.0
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.send()

    def send(self) -> None:
        if not self.runner.running or self.transport is None:
            if self.transport is not None:
                self.transport.close()
            return
        self.response = _Response()
        self.sent_at = time.perf_counter()
        self.transport.write(self.runner.source(self.index))

    def data_received(self, data: bytes) -> None:
        try:
            self.response.feed(data)
        except (ValueError, IndexError):
            self.runner.error()
            if self.transport is not None:
                self.transport.close()
            return
        if not self.response.done:
            return
        self.runner.answer(self.response.status, time.perf_counter() - self.sent_at)
        if self.response.close:
            if self.transport is not None:
                self.transport.close()
            return
        self.send()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.runner.running and not self.response.done:
            self.runner.error()
        self.transport = None
        if not self.lost.done():
            self.lost.set_result(None)


class _Run:
    def __init__(self, source: RequestSource, seconds: float) -> None:
        self.source = source
        self.running = True
        self.result = LoadResult(seconds=seconds)

    def answer(self, status: int, latency: float) -> None:
        if not self.running:
            return
        self.result.statuses[status] = self.result.statuses.get(status, 0) + 1
        if 200 <= status < 400:
            self.result.completed += 1
            self.result.latencies.append(latency)
        else:
            self.result.errors += 1

    def error(self) -> None:
        if self.running:
            self.result.errors += 1


async def _drive(host: str, port: int, clients: int, seconds: float, source: RequestSource) -> LoadResult:
    loop = asyncio.get_running_loop()
    run = _Run(source, seconds)
    deadline = loop.time() + seconds

    async def client(index: int) -> None:
        while loop.time() < deadline:  # reconnect after a server closed the connection
            try:
                _, protocol = await asyncio.wait_for(
                    loop.create_connection(lambda: _Client(run, index), host, port),
                    timeout=max(0.01, deadline - loop.time()),
                )
            except (OSError, TimeoutError):
                run.error()
                await asyncio.sleep(0.05)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(protocol.lost), timeout=max(0.0, deadline - loop.time()))
            if protocol.transport is not None:
                protocol.transport.abort()

    tasks = [asyncio.create_task(client(index)) for index in range(clients)]
    await asyncio.sleep(seconds)
    run.running = False
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return run.result


def run_load(host: str, port: int, clients: int, seconds: float, source: RequestSource) -> LoadResult:
    """Drive ``host:port`` with ``clients`` connections for ``seconds``; answers in the window count."""
    return asyncio.run(_drive(host, port, clients, seconds, source))


def http_get(host: str, path: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def http_post(host: str, path: str, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


# the client's own ceiling --------------------------------------------------------------------------------
_FIXED_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


class _Trivial(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            _, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self.transport.write(_FIXED_ANSWER)  # type: ignore[attr-defined]


def serve_trivial(port: int) -> None:
    """A server that answers every GET at once (run in its own process by :func:`measure_ceiling`)."""

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(_Trivial, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def measure_ceiling(port: int, clients: int, seconds: float) -> LoadResult:
    """Requests per second this client completes against a server that does no work."""
    repo = Path(__file__).resolve().parents[1]
    code = f"from bench.loadgen import serve_trivial; serve_trivial({port})"
    process = subprocess.Popen([sys.executable, "-c", code], cwd=repo)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.05)
        request = http_get("127.0.0.1", "/sparql?query=ASK%7B%7D")
        return run_load("127.0.0.1", port, clients, seconds, lambda _: request)
    finally:
        process.terminate()
        process.wait(timeout=5)
