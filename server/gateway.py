"""Between the HTTP front and the Flask app: a request reaches a Python thread only once it is complete.

A WSGI server that calls the app as soon as the headers are in leaves the app's thread blocked while the
body trickles in: 80 clients sending a POST body slowly held every request thread of a worker, and good
clients got no answer. This gateway is called by the front (:mod:`server.front`) on the worker's event
loop with the request's head and the request, whose body it reads there, whole, within ``body_timeout``
(408 past it) and within ``max_body_bytes`` (413 beyond, unread), and only then runs the WSGI app in a
bounded pool of threads with the body in memory. Answers up to ``_BUFFERED_BYTES`` are sent in one piece;
larger ones (the dumps) are streamed chunk by chunk, each chunk read in the pool. The environ is the
minimal PEP 3333 one: nothing of the process environment is copied into every request.
"""

from __future__ import annotations

import asyncio
import io
import logging
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from server.express import Answer, ExpressLane, ReplayKey, replay_key

log = logging.getLogger(__name__)

_BUFFERED_BYTES = 4 * 1024 * 1024
_TEXT = [("content-type", "text/plain; charset=utf-8")]
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Started:
    """The status and headers the app passed to ``start_response``."""

    __slots__ = ("headers", "status")

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[str, str]] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        self.status = int(status.split(" ", 1)[0])
        self.headers = headers
        return _no_write


def _no_write(data: bytes) -> None:
    raise RuntimeError("the WSGI write() callable is not supported: return the body instead")


class _Threads:
    """Request threads fed by one queue; each result goes back to the event loop that asked for it.

    Leaner than ``loop.run_in_executor``: a C queue and one ``call_soon_threadsafe`` per call, where the
    executor adds a concurrent future, its condition variable and a second callback (about 0.7x the CPU
    per hop, measured). Threads are started on first use, in the worker process that serves.
    """

    def __init__(self, count: int) -> None:
        self._count = count
        self._jobs: queue.SimpleQueue[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[], Any]]]
        self._jobs = queue.SimpleQueue()
        self._started = False

    def run(self, function: Callable[[], Any]) -> asyncio.Future[Any]:
        if not self._started:
            self._started = True
            for index in range(self._count):
                threading.Thread(target=self._serve, name=f"request-{index}", daemon=True).start()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._jobs.put((loop, future, function))
        return future

    def _serve(self) -> None:
        while True:
            loop, future, function = self._jobs.get()
            try:
                result = function()
            except BaseException as error:  # handed to the request's coroutine, which re-raises it
                loop.call_soon_threadsafe(_fail, future, error)
            else:
                loop.call_soon_threadsafe(_succeed, future, result)


def _succeed(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


class Gateway:
    """Runs ``app`` (WSGI) for complete requests, in ``threads`` threads; plain queries and replays on the loop."""

    def __init__(
        self,
        app: WsgiApp,
        threads: int,
        body_timeout: float,
        max_body_bytes: int,
        express: ExpressLane | None = None,
    ) -> None:
        self._app = app
        self._express = express
        self._threads = _Threads(threads)
        self._body_timeout = body_timeout
        self._max_body_bytes = max_body_bytes

    @property
    def answers_small_queries(self) -> bool:
        """Whether this worker evaluates small queries itself (:mod:`server.inline`), not only the evaluators."""
        return self._express is not None and self._express.inline is not None

    async def __call__(self, scope: Any, protocol: Any) -> None:
        headers = scope.headers
        body = b""
        key: ReplayKey | None = None
        bodyless = "content-length" not in headers and "transfer-encoding" not in headers
        if self._express is not None and bodyless:
            key = replay_key(scope)
            answer = await self._express.answer(scope, key)
            if answer is not None:
                protocol.response_bytes(answer.status, answer.headers, answer.body)
                return
        if scope.method not in _BODYLESS or "content-length" in headers or "transfer-encoding" in headers:
            declared = headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > self._max_body_bytes):
                protocol.response_bytes(413, _TEXT, b"Request Entity Too Large: the body is larger than allowed\n")
                return
            try:
                body = await asyncio.wait_for(self._read_body(protocol), self._body_timeout)
            except TimeoutError:
                protocol.response_bytes(408, _TEXT, b"Request Timeout: the body did not arrive in time\n")
                return
            except _TooLarge:
                protocol.response_bytes(413, _TEXT, b"Request Entity Too Large: the body is larger than allowed\n")
                return
        environ = _environ(scope, body)
        started, chunks, rest = await self._threads.run(lambda: self._run(environ))
        if rest is None:
            whole = b"".join(chunks)  # one chunk is returned as it is: the answer cache's own bytes
            protocol.response_bytes(started.status, started.headers, whole)
            if key is not None and self._express is not None:
                self._express.keep(key, environ, Answer(started.status, started.headers, whole))
            return
        await self._stream(protocol, started, chunks, rest)

    async def _read_body(self, protocol: Any) -> bytes:
        parts, size = [], 0
        async for chunk in protocol:
            size += len(chunk)
            if size > self._max_body_bytes:
                raise _TooLarge
            parts.append(chunk)
        return b"".join(parts)

    def _run(self, environ: dict[str, Any]) -> tuple[_Started, list[bytes], Iterator[bytes] | None]:
        """Call the app; the body whole if it is small, else what was read and the rest to stream."""
        started = _Started()
        result = self._app(environ, started)
        chunks, size = [], 0
        iterator = iter(result)
        for chunk in iterator:
            chunks.append(chunk)
            size += len(chunk)
            if size > _BUFFERED_BYTES:
                return started, chunks, _closing(iterator, result)
        _close(result)
        return started, chunks, None

    async def _stream(
        self,
        protocol: Any,
        started: _Started,
        first: list[bytes],
        rest: Iterator[bytes],
    ) -> None:
        transport = protocol.response_stream(started.status, started.headers)
        try:
            for chunk in first:
                await transport.send_bytes(chunk)
            while True:
                following = await self._threads.run(lambda: _next_chunk(rest))
                if following is None:
                    break
                await transport.send_bytes(following)
        except Exception:  # the client went away, or the app failed mid-answer: either way it is not whole
            log.debug("a streamed answer was cut short", exc_info=True)
            transport.abort()
        finally:
            await self._threads.run(lambda: _exhaust_close(rest))


class _TooLarge(Exception):
    pass


def _closing(iterator: Iterator[bytes], result: Iterable[bytes]) -> Iterator[bytes]:
    try:
        yield from iterator
    finally:
        _close(result)


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


def _next_chunk(iterator: Iterator[bytes]) -> bytes | None:
    return next(iterator, None)


def _exhaust_close(iterator: Iterator[bytes]) -> None:
    close = getattr(iterator, "close", None)
    if close is not None:
        close()


def _environ(scope: Any, body: bytes) -> dict[str, Any]:
    """The PEP 3333 environ of one request (PATH_INFO as WSGI wants it: UTF-8 bytes read as Latin-1)."""
    host, _, port = scope.server.rpartition(":")
    client, _, client_port = scope.client.rpartition(":")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": host,
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": client,
        "REMOTE_PORT": client_port,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in scope.headers.items():
        if name == "content-type":
            environ["CONTENT_TYPE"] = value
        elif name == "content-length":
            environ["CONTENT_LENGTH"] = value
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
            environ[key] = f"{environ[key]}, {value}" if key in environ else value
    if body and "CONTENT_LENGTH" not in environ:
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ
