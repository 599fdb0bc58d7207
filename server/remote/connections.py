"""Keep-alive HTTP connections to one store, shared by the request threads of an HTTP worker.

A TCP (and HTTP) handshake per query would cost more than many answers, so connections are reused; the
standard library's ``http.client`` is enough for that and keeps the server free of a new dependency. Each
request has an absolute deadline: every socket operation gets the time that is left, so a store that
trickles its answer cannot hold a thread past the deadline either. Requests are retried once, on a fresh
connection, only when a *reused* connection turns out to have been closed by the store while it sat idle
(every request sent here is idempotent: queries, graph reads, graph replacement).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

CHUNK = 64 * 1024


class Unreachable(Exception):
    """No connection could be made, or the store dropped it before answering."""


class TimedOut(Exception):
    """The deadline passed before the complete answer arrived."""


class BadAnswer(Exception):
    """The store's answer broke off or is not HTTP."""


@dataclass(frozen=True)
class Reply:
    """A complete answer (or its first part, when the reader stopped early)."""

    status: int
    content_type: str
    body: bytes
    complete: bool = True
    challenge: str = ""  # WWW-Authenticate of a 401

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace").strip()


class Connections:
    """At most ``size`` connections to the store of ``base_url``; idle ones are kept for reuse."""

    def __init__(self, base_url: str, size: int) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._auth = {}
        self._credentials: tuple[str, str] | None = None
        self._challenge = ""  # the store's last Digest challenge, answered with each request from then on
        self._count = 0  # Digest nonce count
        if parts.username is not None:
            self._credentials = (unquote(parts.username), unquote(parts.password or ""))
            pair = f"{self._credentials[0]}:{self._credentials[1]}".encode()
            self._auth = {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        self._size = size
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def request(
        self,
        method: str,
        path: str,
        deadline_at: float,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        enough: Callable[[str, bytearray], bool] | None = None,
    ) -> Reply:
        """Send one request and read the whole answer, or until ``enough(content_type, body_so_far)``.

        A 401 with an HTTP Digest challenge (Virtuoso's Graph Store endpoint wants Digest, not Basic)
        is answered once with the URL's credentials.
        """
        if self._challenge:  # the store wants Digest: answer the last challenge with the next nonce count
            reply = self._request(method, path, deadline_at, body, self._digest_headers(method, path, headers), enough)
            if reply.status != 401 or not reply.challenge:
                return reply
        else:
            reply = self._request(method, path, deadline_at, body, headers, enough, basic=True)
        if reply.status == 401 and self._credentials and not reply.challenge:
            # Virtuoso answers a Basic attempt with a bare 401: a GET without credentials (safe, and without the
            # body the store would not read) brings its challenge
            reply = self._request("GET", path, deadline_at, None, None, None, basic=False)
        if reply.status == 401 and self._credentials and reply.challenge.lower().startswith("digest"):
            self._challenge, self._count = reply.challenge, 0
            reply = self._request(method, path, deadline_at, body, self._digest_headers(method, path, headers), enough)
        return reply

    def _digest_headers(self, method: str, path: str, headers: dict[str, str] | None) -> dict[str, str]:
        assert self._credentials is not None
        with self._lock:
            self._count += 1
            count = self._count
        answer = digest_authorization(self._challenge, method, self._prefix + path, *self._credentials, count)
        return {**(headers or {}), "Authorization": answer}

    def _request(
        self,
        method: str,
        path: str,
        deadline_at: float,
        body: bytes | None,
        headers: dict[str, str] | None,
        enough: Callable[[str, bytearray], bool] | None,
        basic: bool = False,
    ) -> Reply:
        for attempt in (0, 1):
            connection, reused = self._take(deadline_at)
            try:
                sent = {**(self._auth if basic else {}), **(headers or {})}
                reply, reusable = self._exchange(connection, method, path, deadline_at, body, sent, enough)
            except _StaleConnection as stale:
                connection.close()
                if reused and attempt == 0:
                    continue
                raise Unreachable(f"the store closed the connection ({stale.__cause__!r})") from None
            except BaseException:
                connection.close()
                raise
            if reusable:
                self._give_back(connection)
            else:
                connection.close()
            return reply
        raise Unreachable("the store closed the connection")  # pragma: no cover - the loop always returns

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    # internals -------------------------------------------------------------------------------------
    def _take(self, deadline_at: float) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        remaining = _remaining(deadline_at)
        factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        connection = factory(self._host, self._port, timeout=remaining)
        try:
            connection.connect()
        except TimeoutError as error:
            raise TimedOut("connecting to the store took longer than the deadline") from error
        except OSError as error:
            raise Unreachable(_describe(error)) from error
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, False

    def _give_back(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self._size:
                self._idle.append(connection)
                return
        connection.close()

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        method: str,
        path: str,
        deadline_at: float,
        body: bytes | None,
        headers: dict[str, str] | None,
        enough: Callable[[str, bytearray], bool] | None,
    ) -> tuple[Reply, bool]:
        sent = False
        try:
            connection.sock.settimeout(_remaining(deadline_at))
            connection.request(method, self._prefix + path, body=body, headers=headers or {})
            sent = True
            sock = connection.sock  # kept: http.client drops its own reference when the store closes after answering
            sock.settimeout(_remaining(deadline_at))
            response = connection.getresponse()
        except TimeoutError as error:
            raise TimedOut("the store did not answer within the deadline") from error
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
            raise _StaleConnection from error
        except (OSError, http.client.HTTPException) as error:
            if not sent:
                raise _StaleConnection from error
            raise BadAnswer(f"the store's answer is not valid HTTP ({error!r})") from error
        buffer = bytearray()
        content_type = response.getheader("Content-Type", "")
        try:
            while True:
                sock.settimeout(_remaining(deadline_at))
                chunk = response.read1(CHUNK)
                if not chunk:
                    break
                buffer += chunk
                if enough is not None and enough(content_type, buffer):
                    return Reply(response.status, content_type, bytes(buffer), False), False
        except TimeoutError as error:
            raise TimedOut("the store did not complete its answer within the deadline") from error
        except (OSError, http.client.HTTPException) as error:
            raise BadAnswer(f"the store's answer broke off ({error!r})") from error
        reusable = not response.will_close
        response.close()  # read to the end: marks the connection ready for its next request
        challenge = response.getheader("WWW-Authenticate", "") if response.status == 401 else ""
        return Reply(response.status, content_type, bytes(buffer), challenge=challenge), reusable


def digest_authorization(challenge: str, method: str, uri: str, user: str, password: str, count: int = 1) -> str:
    """The ``Authorization`` header answering an RFC 7616 Digest challenge (MD5, qop=auth or none)."""
    pairs = re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', challenge[len("digest") :])
    fields = {key: quoted or bare for key, quoted, bare in pairs}
    realm, nonce = fields.get("realm", ""), fields.get("nonce", "")

    def md5(text: str) -> str:
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    ha1, ha2 = md5(f"{user}:{realm}:{password}"), md5(f"{method}:{uri}")
    parts = [f'username="{user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"', "algorithm=MD5"]
    if "auth" in [q.strip() for q in fields.get("qop", "").split(",")]:
        cnonce = secrets.token_hex(8)
        response = md5(f"{ha1}:{nonce}:{count:08x}:{cnonce}:auth:{ha2}")
        parts += ["qop=auth", f"nc={count:08x}", f'cnonce="{cnonce}"']
    else:
        response = md5(f"{ha1}:{nonce}:{ha2}")
    parts.append(f'response="{response}"')
    if "opaque" in fields:
        parts.append(f'opaque="{fields["opaque"]}"')
    return "Digest " + ", ".join(parts)


class _StaleConnection(Exception):
    """The connection failed before an answer began (a kept-alive connection the store had closed)."""


def _remaining(deadline_at: float) -> float:
    remaining = deadline_at - time.monotonic()
    if remaining <= 0:
        raise TimedOut("the deadline passed")
    return remaining


def _describe(error: OSError) -> str:
    with contextlib.suppress(Exception):
        if isinstance(error, socket.gaierror):
            return f"cannot resolve the store's host ({error.strerror})"
    return error.strerror or repr(error)
