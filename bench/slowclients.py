"""Connections that cost the server nothing: slow and idle clients next to a well-behaved one.

Two scenarios, each against a server already running on 127.0.0.1:

* **trickle**: N connections each send a request line and then one header line per second, never
  finishing their headers (the classic slow-loris), while a good client sends ``ASK {}`` on a fresh
  connection every 0.1 s;
* **idle**: N keep-alive connections are opened, each sends one complete request and reads its answer,
  then stays open saying nothing, while the good client keeps asking.

The result counts the good client's failures and its latencies. Traffic goes to loopback only, the loops
are bounded in count and in time, and every socket is closed at the end. ``python -m bench.slowclients
--port P`` runs both against a server on port P; ``bench.run --slow-clients`` runs them against this server
and ``oxigraph serve`` side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

GOOD_PATH = "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
GOOD_INTERVAL = 0.1


@dataclass
class GoodClientFigures:
    """What the well-behaved client saw while the others held their connections."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p99(self) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


@dataclass
class ScenarioResult:
    scenario: str
    connections_wanted: int
    connections_opened: int
    connections_dropped_by_server: int
    good: GoodClientFigures

    def line(self) -> str:
        good = self.good
        return (
            f"{self.scenario}: {self.connections_opened}/{self.connections_wanted} connections held "
            f"({self.connections_dropped_by_server} closed by the server); good client: {len(good.latencies)} "
            f"requests, {len(good.failures)} failed, p50 {good.p50 * 1000:.1f} ms, p99 {good.p99 * 1000:.1f} ms"
        )


def _good_client(host: str, port: int, path: str, stop: threading.Event, figures: GoodClientFigures) -> None:
    while not stop.is_set():
        started = time.monotonic()
        connection = http.client.HTTPConnection(host, port, timeout=10)
        try:
            connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                figures.failures.append(f"status {response.status}")
        except (OSError, http.client.HTTPException) as error:
            figures.failures.append(repr(error))
        finally:
            connection.close()
        figures.latencies.append(time.monotonic() - started)
        stop.wait(max(0.0, GOOD_INTERVAL - (time.monotonic() - started)))


Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]
CONNECT_TIMEOUT = 3.0  # seconds for one connection to open before it counts as refused


async def _open(host: str, port: int, count: int, batch: int = 100, per_second: int = 2000) -> list[Stream]:
    """Open ``count`` connections, ``batch`` at a time and at most ``per_second`` a second (the kernel's
    accept queue is finite); the ones that could not be opened within ``CONNECT_TIMEOUT`` are left out
    (a server whose accept queue is full leaves them in SYN retries for minutes)."""
    streams: list[Stream] = []
    for start in range(0, count, batch):
        attempts = [
            asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT)
            for _ in range(min(batch, count - start))
        ]
        results = await asyncio.gather(*attempts, return_exceptions=True)
        streams += [opened for opened in results if isinstance(opened, tuple)]
        await asyncio.sleep(batch / per_second)
    return streams


async def _trickle(host: str, port: int, count: int, seconds: float) -> tuple[int, int]:
    writers = [writer for _, writer in await _open(host, port, count)]
    head = f"GET {GOOD_PATH} HTTP/1.1\r\nHost: {host}\r\n".encode("ascii")
    alive = set(writers)
    for writer in writers:
        writer.write(head)
    ends = time.monotonic() + seconds
    while time.monotonic() < ends and alive:
        await asyncio.sleep(1.0)
        for writer in list(alive):
            if writer.is_closing() or writer.transport.get_extra_info("socket") is None:
                alive.discard(writer)
                continue
            try:
                writer.write(b"X-a: b\r\n")
                await asyncio.wait_for(writer.drain(), 0.5)
            except (OSError, TimeoutError, ConnectionError):
                alive.discard(writer)
    dropped = len(writers) - len(alive)
    await _close(writers)
    return len(writers), dropped


async def _idle(host: str, port: int, count: int, seconds: float) -> tuple[int, int]:
    streams = await _open(host, port, count, batch=200, per_second=4000)
    readers, writers = [reader for reader, _ in streams], [writer for _, writer in streams]
    request = f"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode("ascii")
    for writer in writers:
        writer.write(request)
    answered = await asyncio.gather(*(_read_answer(reader) for reader in readers), return_exceptions=True)
    opened = sum(1 for ok in answered if ok is True)
    await asyncio.sleep(seconds)
    # of the connections that were answered (held), how many the server has closed since
    still = sum(1 for reader, ok in zip(readers, answered, strict=True) if ok is True and not reader.at_eof())
    await _close(writers)
    return opened, opened - still


async def _read_answer(reader: asyncio.StreamReader) -> bool:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        length = next(
            (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")),
            0,
        )
        await asyncio.wait_for(reader.readexactly(length), 30)
        return head.startswith(b"HTTP/1.1 200")
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
        return False


async def _close(writers: list[asyncio.StreamWriter]) -> None:
    for writer in writers:
        with contextlib.suppress(OSError, RuntimeError):
            writer.close()
    await asyncio.sleep(0.1)


def run(scenario: str, host: str, port: int, connections: int, seconds: float, path: str = GOOD_PATH) -> ScenarioResult:
    """Hold ``connections`` slow (``trickle``) or idle (``idle``) connections for ``seconds`` while the good
    client asks every 0.1 s; ``path`` is what it asks (the SPARQL endpoint's path differs between servers)."""
    figures = GoodClientFigures()
    stop = threading.Event()
    good = threading.Thread(target=_good_client, args=(host, port, path, stop, figures), daemon=True)
    attack = _trickle if scenario == "trickle" else _idle
    good.start()
    try:
        opened, dropped = asyncio.run(attack(host, port, connections, seconds))
    finally:
        stop.set()
        good.join(timeout=15)
    return ScenarioResult(scenario, connections, opened, dropped, figures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slowclients", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default=GOOD_PATH, help="what the good client asks (default: %(default)s)")
    parser.add_argument("--trickle", type=int, default=1000, help="slow connections (default: %(default)s)")
    parser.add_argument("--idle", type=int, default=10_000, help="idle keep-alive connections (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=15.0)
    options = parser.parse_args(argv)
    for scenario, count in (("trickle", options.trickle), ("idle", options.idle)):
        print(run(scenario, "127.0.0.1", options.port, count, options.seconds, options.path).line(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
