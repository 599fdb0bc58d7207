"""One client connection: HTTP/1.1 parsed by ``httptools`` on the event loop, requests answered in order.

The gateway (:mod:`server.gateway`) is called once a request's head is complete, with the request's head
(``scope``) and the request itself, which offers what the gateway uses: its body as an async iterator,
``response_bytes`` for a whole answer and ``response_stream`` for one sent in chunks. Requests that a
client pipelines are answered one after the other, in the order they came; reading stops while too many
wait. A head larger than the limit is answered 414 or 431, a request the parser cannot read 400, and the
connection is closed after either; so is one whose body the gateway did not read to its end (a 413 or a
408), since what follows it on the wire cannot be trusted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from http import HTTPStatus
from typing import Protocol
from urllib.parse import unquote_to_bytes

import httptools

from server.front.request import BodyUnreadable, Headers, Request, Scope

log = logging.getLogger(__name__)

_REASONS = {status.value: status.phrase for status in HTTPStatus}
_MOST_WAITING = 16  # pipelined requests read ahead before the connection stops reading
_LINGER = 2.0  # seconds a refused connection is read (and its bytes dropped) before it is closed
MAX_HEADER_BYTES = 64 * 1024  # header fields (and trailers) of one request, the URL apart
MAX_HEADER_COUNT = 200
_HEADER_LINE = "%s: %s\r\n"  # formatted with a (name, value) pair


class Site(Protocol):
    """What a connection needs from the worker that accepted it (:class:`server.front.site.Site`)."""

    app: Callable[[Scope, Request], Awaitable[None]]
    max_head_bytes: int
    address: str
    draining: bool

    def opened(self, connection: Connection) -> None: ...
    def closed(self, connection: Connection) -> None: ...
    def date(self) -> bytes: ...


class _Refusal(Exception):
    """Raised from a parser callback to stop parsing at once and answer ``status`` (the parser hands it
    back as the context of its own error)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Connection(asyncio.Protocol):
    """One client connection (see the module's docstring)."""

    def __init__(self, site: Site) -> None:
        self._site = site
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()  # asked once: each asking costs a getpid() system call
        self._waiting: deque[Request] = deque()
        self._reading: Request | None = None  # the request whose body is being read
        self._url = bytearray()
        self._headers = Headers()
        self._head_bytes = 0  # bytes received since the head began (a bound while it arrives)
        self._header_bytes = 0  # the header lines' own size, trailers included
        self._header_count = 0
        self._in_head = False
        self._serving = False
        self._read_paused = False
        self._write_paused: asyncio.Future[None] | None = None
        self._broken: tuple[int, str] | None = None
        self._dropping = False  # what the client sends is read and dropped, never parsed
        self._eof_sent = False
        self._turned_away = False
        self._client = ""
        self.lost = False
        self.waiting_since: float | None = time.monotonic()  # None while a request is being answered
        self.stalled_since: float | None = None  # since when the client has read nothing of our answers
        self.closing_since: float | None = None

    # connection events
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self._client = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else ""
        self._site.opened(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        for request in self._waiting:
            request.fail()
        if self._write_paused is not None and not self._write_paused.done():
            self._write_paused.set_result(None)
        self._site.closed(self)

    def data_received(self, data: bytes) -> None:
        if self._dropping:
            return
        self._head_bytes += len(data)  # since the head began, give or take the chunk it began in
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._waiting:  # the request is answered as plain HTTP/1.1; nothing after it is read
                self._waiting[-1].keep_alive = False
            self._dropping = True
        except httptools.HttpParserError as error:
            refusal = error.__context__
            if isinstance(refusal, _Refusal):
                self._refuse(refusal.status, refusal.message)
            else:
                self._refuse(400, f"malformed request: {error}")
            return
        if self._in_head and self._head_bytes > self._site.max_head_bytes:
            self._refuse(*self._head_too_large())

    def _head_too_large(self) -> tuple[int, str]:
        if len(self._url) > self._site.max_head_bytes // 2:
            return 414, "the request's URL is too long"
        return 431, "the request's head is too large"

    def pause_writing(self) -> None:
        if self._write_paused is None or self._write_paused.done():
            self._write_paused = asyncio.get_running_loop().create_future()
            self.stalled_since = time.monotonic()

    def resume_writing(self) -> None:
        self.stalled_since = None
        if self._write_paused is not None and not self._write_paused.done():
            self._write_paused.set_result(None)

    # parser callbacks (a _Refusal raised here stops the parser where it is)
    def on_message_begin(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        self._header_bytes = 0
        self._header_count = 0
        self._url.clear()
        self._headers = Headers()
        if not self._waiting and not self._turned_away:  # a turned-away connection keeps its short time
            self.waiting_since = time.monotonic()

    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > self._site.max_head_bytes:
            raise _Refusal(*self._head_too_large())

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        self._header_count += 1
        if self._header_bytes > MAX_HEADER_BYTES or self._header_count > MAX_HEADER_COUNT:
            raise _Refusal(431, "the request has too many or too large header fields")
        if self._in_head:  # trailer fields after a chunked body are counted, never taken as headers
            self._headers.add(name.decode("latin-1").lower(), value.decode("latin-1"))

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._turned_away:
            raise _Refusal(503, "the server holds as many connections as it may; try again shortly")
        parser = self._parser
        try:
            url = httptools.parse_url(bytes(self._url))
        except httptools.HttpParserInvalidURLError:
            raise _Refusal(400, "malformed request: the request target is not a URL") from None
        headers = self._headers.joined()
        version = parser.get_http_version()
        scope = Scope(
            parser.get_method().decode("ascii", "replace"),
            _decoded_path(url.path or b"/"),
            (url.query or b"").decode("latin-1"),
            headers,
            version,
        )
        scope.server = self._site.address
        scope.client = self._client
        expects = version != "1.0" and headers.get("expect", "").lower() == "100-continue"
        request = Request(self, scope, parser.should_keep_alive(), expects)
        self._reading = request
        self._waiting.append(request)
        self.waiting_since = None
        if len(self._waiting) >= _MOST_WAITING:
            self._pause_reading()
        if not self._serving:
            self._serving = True
            self._loop.create_task(self._serve())

    def on_body(self, body: bytes) -> None:
        request = self._reading
        if request is not None:
            request.feed(body)
            if request is not self._waiting[0]:  # a pipelined body waits in the kernel, not in memory
                self._pause_reading()

    def on_message_complete(self) -> None:
        if self._reading is not None:
            self._reading.end()
            self._reading = None

    # answering
    async def _serve(self) -> None:
        """Answer the waiting requests in order, until none is left or the connection must close."""
        app = self._site.app
        try:
            while self._waiting and not self.lost:
                request = self._waiting[0]
                try:
                    await app(request.scope, request)
                except BodyUnreadable:
                    pass  # the refusal of what broke the body is answered below
                except Exception:
                    log.exception("the gateway failed on %s %s", request.scope.method, request.scope.path)
                    if not request.responded:
                        request.response_bytes(500, [("content-type", "text/plain; charset=utf-8")], b"Error\n")
                finally:
                    self._waiting.popleft()
                if not request.responded:
                    if self._broken is not None:
                        break
                    request.response_bytes(500, [("content-type", "text/plain; charset=utf-8")], b"No answer\n")
                if request.stream is not None and not request.stream.finish():
                    self.abort()  # a body cut short must not pass for a whole one
                    return
                await self.drained()  # answers wait in the kernel for a client that reads slowly, not here
                if not request.keep_alive or self._site.draining:
                    self.close()
                    return
                if not request.body_complete:
                    self._linger()  # its body's rest is still coming: read and drop it, then close
                    return
                if self._read_paused and len(self._waiting) < _MOST_WAITING and self._broken is None:
                    self._resume_reading()
        finally:
            self._serving = False
        if self._broken is not None and not self.lost:
            self._send_refusal(*self._broken)
            return
        self.waiting_since = time.monotonic()

    def head(
        self, status: int, headers: list[tuple[str, str]], length: int | None, keep_alive: bool, version: str = "1.1"
    ) -> bytes:
        """The status line and headers of an answer, with ``Date``, the length and ``Connection``."""
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\n", *map(_HEADER_LINE.__mod__, headers)]
        if length is not None:
            lines.append(f"content-length: {length}\r\n")
        if not keep_alive or self._site.draining:
            lines.append("connection: close\r\n")
        elif version == "1.0":
            lines.append("connection: keep-alive\r\n")  # an HTTP/1.0 client reuses the connection only if told
        return "".join(lines).encode("latin-1", "replace") + self._site.date()

    def write(self, data: bytes) -> None:
        transport = self._transport
        if not self.lost and not self._eof_sent and transport is not None and not transport.is_closing():
            transport.write(data)

    async def drained(self) -> None:
        paused = self._write_paused
        if paused is not None and not paused.done():
            await paused

    def close(self) -> None:
        """Close once what is written is sent (the sweep aborts a client that never reads it)."""
        if self._transport is not None and not self._transport.is_closing():
            self.closing_since = time.monotonic()
            self._transport.close()

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()

    def turn_away(self) -> None:
        """Answer this connection's first request 503 with ``Retry-After`` and close it: the worker holds
        as many connections as it may. The request is read first, so the client gets the answer rather
        than a reset."""
        self._turned_away = True

    @property
    def busy(self) -> bool:
        return bool(self._waiting)

    def resume_for_body(self) -> None:
        """The gateway waits for body bytes: read them even if pipelined requests had paused reading."""
        if self._read_paused and not self._dropping:
            self._resume_reading()

    def _pause_reading(self) -> None:
        if not self._read_paused and self._transport is not None and not self.lost:
            self._read_paused = True
            self._transport.pause_reading()

    def _resume_reading(self) -> None:
        if self._read_paused and self._transport is not None and not self.lost:
            self._read_paused = False
            self._transport.resume_reading()

    def _refuse(self, status: int, message: str) -> None:
        """Answer a request that cannot be read, after those before it, then close.

        From here on what the client sends is read and dropped, never parsed; a request whose body was
        being read learns that it will not arrive.
        """
        if self._broken is not None:
            return
        self._broken = (status, message)
        self._dropping = True
        if self._reading is not None:
            self._reading.fail()
            self._reading = None
        if not self._serving:
            self._send_refusal(status, message)

    def _send_refusal(self, status: int, message: str) -> None:
        body = f"{_REASONS.get(status, 'Error')}: {message}\n".encode("utf-8", "replace")
        headers = [("content-type", "text/plain; charset=utf-8")]
        if status == 503:
            headers.append(("retry-after", "1"))
        self.write(self.head(status, headers, len(body), False) + body)
        self._linger()

    def _linger(self) -> None:
        """A lingering close: closing with the client's bytes still arriving would reset the connection,
        and its kernel could drop our answer unread; so end our side, read and drop a while, then close."""
        transport = self._transport
        self._dropping = True
        if transport is None or self.lost or not transport.can_write_eof():
            self.close()
            return
        transport.write_eof()
        self._eof_sent = True
        self._resume_reading()
        self.closing_since = time.monotonic()
        asyncio.get_running_loop().call_later(_LINGER, self.close)


def _decoded_path(raw: bytes) -> str:
    """The path as text: percent escapes and raw bytes alike read as UTF-8 (what the app's routes expect)."""
    return (unquote_to_bytes(raw) if b"%" in raw else raw).decode("utf-8", "replace")


def http_date(now: float) -> bytes:
    """The ``Date`` header line (and the blank line that ends a head) for the second ``now`` falls in."""
    return f"date: {formatdate(now, usegmt=True)}\r\n\r\n".encode("ascii")
