"""A request as the gateway sees it: its head (:class:`Scope`), its body as it arrives, and its one answer.

The gateway (:mod:`server.gateway`) reads ``scope`` and calls ``response_bytes`` for a whole answer or
``response_stream`` for one sent in pieces; the connection that parsed the request
(:class:`server.front.connection.Connection`) carries the bytes.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Protocol

NO_BODY_STATUSES = frozenset({204, 304})
_DIRECT_WRITE = 64 * 1024  # smaller bodies are copied behind their head and written in one call


class Channel(Protocol):
    """What a request needs from its connection."""

    lost: bool

    def head(self, status: int, headers: list[tuple[str, str]], length: int | None, keep_alive: bool) -> bytes: ...
    def write(self, data: bytes) -> None: ...
    async def drained(self) -> None: ...
    def resume_for_body(self) -> None: ...


class Headers(dict[str, str]):
    """Request headers by lower-case name; a repeated header's values joined with ", " (RFC 9110 5.3)."""

    def add(self, name: str, value: str) -> None:
        self[name] = f"{self[name]}, {value}" if name in self else value


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


class Request:
    """One request in a connection: its body as it arrives, and the one answer it gets."""

    __slots__ = ("_chunks", "_connection", "_waiter", "body_complete", "keep_alive", "responded", "scope", "stream")

    def __init__(self, connection: Channel, scope: Scope, keep_alive: bool) -> None:
        self._connection = connection
        self.scope = scope
        self.keep_alive = keep_alive
        self.body_complete = False
        self.responded = False
        self.stream: ResponseStream | None = None
        self._chunks: deque[bytes] = deque()
        self._waiter: asyncio.Future[None] | None = None

    # the body, read by the gateway with ``async for``
    def __aiter__(self) -> Request:
        return self

    async def __anext__(self) -> bytes:
        while not self._chunks:
            if self.body_complete:
                raise StopAsyncIteration
            if self._connection.lost:
                raise ConnectionResetError("the client closed the connection before the body was complete")
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

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # the answer
    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        """Send a whole answer; a HEAD request gets the head alone."""
        if self.responded:
            return
        self.responded = True
        connection = self._connection
        if status in NO_BODY_STATUSES or 100 <= status < 200:
            connection.write(connection.head(status, headers, None, self.keep_alive))
            return
        has_length = any(name.lower() == "content-length" for name, _ in headers)
        head = connection.head(status, headers, None if has_length else len(body), self.keep_alive)
        if self.scope.method == "HEAD" or not body:
            connection.write(head)
        elif len(body) <= _DIRECT_WRITE:
            connection.write(head + body)
        else:
            connection.write(head)
            connection.write(body)

    def response_stream(self, status: int, headers: list[tuple[str, str]]) -> ResponseStream:
        """Start an answer whose body follows in pieces (chunked unless the app gave its length)."""
        self.responded = True
        connection = self._connection
        chunked = not any(name.lower() == "content-length" for name, _ in headers)
        if chunked:
            headers = [*headers, ("transfer-encoding", "chunked")]
        connection.write(connection.head(status, headers, None, self.keep_alive))
        self.stream = ResponseStream(connection, chunked and self.scope.method != "HEAD")
        return self.stream


class ResponseStream:
    """An answer's body sent piece by piece, waiting whenever the client reads slower than we write."""

    __slots__ = ("_chunked", "_connection")

    def __init__(self, connection: Channel, chunked: bool) -> None:
        self._connection = connection
        self._chunked = chunked

    async def send_bytes(self, data: bytes) -> None:
        connection = self._connection
        if connection.lost:
            raise ConnectionResetError("the client closed the connection")
        if not data:
            return
        if self._chunked:
            connection.write(b"%x\r\n" % len(data) + data + b"\r\n")
        else:
            connection.write(data)
        await connection.drained()

    def finish(self) -> None:
        if self._chunked and not self._connection.lost:
            self._connection.write(b"0\r\n\r\n")
