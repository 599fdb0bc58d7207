"""A request as the gateway sees it: its head (:class:`Scope`), its body as it arrives, and its one answer.

The gateway (:mod:`server.gateway`) reads ``scope`` and calls ``response_bytes`` for a whole answer or
``response_stream`` for one sent in pieces; the connection that parsed the request
(:class:`server.front.connection.Connection`) carries the bytes.
"""

from __future__ import annotations

import asyncio
import operator
from collections import deque
from typing import Protocol

NO_BODY_STATUSES = frozenset({204, 304})
_NAME = operator.itemgetter(0)  # of a (name, value) header pair
_DIRECT_WRITE = 64 * 1024  # smaller bodies are copied behind their head and written in one call


class Channel(Protocol):
    """What a request needs from its connection."""

    lost: bool

    def head(
        self, status: int, headers: list[tuple[str, str]], length: int | None, keep_alive: bool, version: str
    ) -> bytes: ...
    def write(self, data: bytes) -> None: ...
    async def drained(self) -> None: ...
    def resume_for_body(self) -> None: ...


class Headers(dict[str, str]):
    """Request headers by lower-case name; a repeated header's values joined with ", " (RFC 9110 5.3).

    Values are collected in lists and joined once (:meth:`joined`): joining as they come cost a copy of
    the whole value per repetition, quadratic in a head of thousands of lines of one name.
    """

    def __init__(self) -> None:
        super().__init__()
        self._repeated: dict[str, list[str]] = {}

    def add(self, name: str, value: str) -> None:
        if name not in self:
            self[name] = value
        elif name in self._repeated:
            self._repeated[name].append(value)
        else:
            self._repeated[name] = [self[name], value]

    def joined(self) -> Headers:
        for name, values in self._repeated.items():
            self[name] = ", ".join(values)
        self._repeated.clear()
        return self


class Scope:
    """A request's head, as the gateway reads it."""

    __slots__ = ("client", "headers", "http_version", "method", "path", "query_string", "scheme", "server")

    def __init__(self, method: str, path: str, query_string: str, headers: Headers, version: str) -> None:
        self.method = method
        self.path = path
        self.query_string = query_string
        self.headers = headers
        self.http_version = version
        self.scheme = "http"
        self.server = ""
        self.client = ""


class BodyUnreadable(Exception):
    """The request's body broke off: the client sent what the parser cannot read, or went away."""


class Request:
    """One request in a connection: its body as it arrives, and the one answer it gets."""

    __slots__ = (
        "_chunks",
        "_connection",
        "_continue",
        "_failed",
        "_waiter",
        "body_complete",
        "keep_alive",
        "responded",
        "scope",
        "stream",
    )

    def __init__(self, connection: Channel, scope: Scope, keep_alive: bool, expects_continue: bool) -> None:
        self._connection = connection
        self.scope = scope
        self.keep_alive = keep_alive
        self.body_complete = False
        self.responded = False
        self.stream: ResponseStream | None = None
        self._chunks: deque[bytes] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._continue = expects_continue  # "100 Continue" is sent when the body is first asked for
        self._failed = False

    # the body, read by the gateway with ``async for``
    def __aiter__(self) -> Request:
        return self

    async def __anext__(self) -> bytes:
        if self._continue:
            self._continue = False
            if not self.body_complete and not self.responded:
                self._connection.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        while not self._chunks:
            if self.body_complete:
                raise StopAsyncIteration
            if self._failed or self._connection.lost:
                raise BodyUnreadable("the request's body did not arrive whole")
            self._waiter = asyncio.get_running_loop().create_future()
            self._connection.resume_for_body()
            await self._waiter
        return self._chunks.popleft()

    def feed(self, chunk: bytes) -> None:
        self._chunks.append(chunk)
        self._wake()

    def end(self) -> None:
        self.body_complete = True
        self._wake()

    def fail(self) -> None:
        self._failed = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # the answer
    @property
    def _keeps_alive(self) -> bool:
        return self.keep_alive and self.body_complete  # an unread body ends the connection after the answer

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        """Send a whole answer; a HEAD request gets the head alone."""
        if self.responded:
            return
        self.responded = True
        self._continue = False
        connection = self._connection
        version = self.scope.http_version
        if status in NO_BODY_STATUSES or 100 <= status < 200:
            connection.write(connection.head(status, headers, None, self._keeps_alive, version))
            return
        has_length = "content-length" in map(str.lower, map(_NAME, headers))
        head = connection.head(status, headers, None if has_length else len(body), self._keeps_alive, version)
        if self.scope.method == "HEAD" or not body:
            connection.write(head)
        elif len(body) <= _DIRECT_WRITE:
            connection.write(head + body)
        else:
            connection.write(head)
            connection.write(body)

    def response_stream(self, status: int, headers: list[tuple[str, str]]) -> ResponseStream:
        """Start an answer whose body follows in pieces: chunked for HTTP/1.1 unless the app gave its
        length; for HTTP/1.0, which knows no chunks, the body ends when the connection closes."""
        self.responded = True
        self._continue = False
        connection = self._connection
        length = next((value for name, value in headers if name.lower() == "content-length"), None)
        version = self.scope.http_version
        chunked = length is None and version != "1.0"
        if chunked:
            headers = [*headers, ("transfer-encoding", "chunked")]
        elif length is None:
            self.keep_alive = False
        connection.write(connection.head(status, headers, None, self._keeps_alive, version))
        declared = int(length) if length is not None and length.isdigit() else None
        self.stream = ResponseStream(connection, chunked and self.scope.method != "HEAD", declared)
        return self.stream


class ResponseStream:
    """An answer's body sent piece by piece, waiting whenever the client reads slower than we write."""

    __slots__ = ("_chunked", "_connection", "_declared", "_sent", "failed")

    def __init__(self, connection: Channel, chunked: bool, declared: int | None) -> None:
        self._connection = connection
        self._chunked = chunked
        self._declared = declared
        self._sent = 0
        self.failed = False

    async def send_bytes(self, data: bytes) -> None:
        connection = self._connection
        if connection.lost:
            raise ConnectionResetError("the client closed the connection")
        if not data:
            return
        self._sent += len(data)
        if self._chunked:
            connection.write(b"%x\r\n" % len(data) + data + b"\r\n")
        else:
            connection.write(data)
        await connection.drained()

    def abort(self) -> None:
        """The answer cannot be completed (the app failed mid-way): the client must not take it as whole."""
        self.failed = True

    def finish(self) -> bool:
        """End the body; ``False`` when it is not whole (failed, or short of its declared length)."""
        if self.failed or self._connection.lost:
            return False
        if self._declared is not None and self._sent != self._declared:
            return False
        if self._chunked:
            self._connection.write(b"0\r\n\r\n")
        return True
