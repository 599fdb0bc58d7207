"""An HTTP worker's listening side: accepting connections, capping them, timing out heads, draining.

Every worker accepts from the one listening socket the supervisor bound before forking, so a connection
waits in a single kernel queue for whichever worker takes it first. Taken as they come, connections land
on whichever worker the kernel wakes first; so each worker publishes how many connections it holds in a
small array shared by all, and a worker takes its turn by it: the first worker takes connections until it
holds ``fill`` of them, then the next; once every worker holds that many, whichever the kernel wakes. How
many depends on who does the work (measured with four keep-alive clients on two cores):

* when every query goes to the evaluators, filling one worker first (:data:`FILL`) is 1.3x faster than
  two clients on each: the loop handles several ready connections per wake-up, and the other core is
  left to the evaluators;
* when the worker answers the small queries itself (:mod:`server.inline`), it is the one doing the work,
  and two clients on each (:data:`FILL_ANSWERING`) got 4,880 to 6,380 lookups/s against 4,920 for four
  on one, whose worker had one core for all of it.

A worker that is busy leaves the connection to another after a few milliseconds at most. A worker
holding ``max_connections`` answers each further connection's first request 503 with
``Retry-After`` and closes it: a clean refusal, where a full kernel queue would drop the client's packets
without a word.

A client has ``header_timeout`` seconds to send a request's head, whether it just connected, is between
two requests of a keep-alive connection, or trickles header lines; one sweep a second closes those past
it, so ten thousand idle connections cost one pass over a set, not ten thousand timers.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket
import time
from collections.abc import Awaitable, Callable, MutableSequence
from typing import Any

from server.front.connection import Connection, http_date
from server.front.request import Request, Scope

log = logging.getLogger(__name__)

_SWEEP_EVERY = 1.0  # seconds between two passes of the header timeout
_YIELD_FOR = 0.005  # how long a worker stops watching the socket to let the one whose turn it is accept
_STALLED = 60.0  # seconds a client may read nothing of an answer before the connection is dropped
_CLOSING = 10.0  # seconds a closing connection may take to hand over what is left to send
_TURNED_AWAY = 2.0  # seconds a connection beyond the cap has to send the request it is refused
FILL = 8  # connections a worker takes before the next one is given any, when the evaluators do the work
FILL_ANSWERING = 2  # the same, when the workers answer small queries themselves
# the load of a worker that accepts nothing (full, draining, starting or gone): no other waits for it
NOT_ACCEPTING = 1 << 30
_ACCEPT_RETRY = 0.1  # after the process runs out of file descriptors


class Site:
    """One HTTP worker's connections, fed to ``app`` (the gateway) as complete requests arrive."""

    def __init__(
        self,
        app: Callable[[Scope, Request], Awaitable[None]],
        listener: socket.socket,
        loads: MutableSequence[int],
        slot: int,
        max_connections: int,
        header_timeout: float,
        max_head_bytes: int,
        fill: int = FILL,
    ) -> None:
        self.app = app
        self.max_head_bytes = max_head_bytes
        self.draining = False
        host, port = listener.getsockname()[:2]
        self.address = f"{host}:{port}"
        self._listener = listener
        self._loads = loads
        self._slot = slot
        self._max_connections = max_connections
        self._header_timeout = header_timeout
        self._fill = fill
        self._connections: set[Connection] = set()
        self._adopting = 0  # accepted sockets not yet connections
        self._accepting = False
        self._insist = False  # after leaving its turn a while, the worker takes the next connection anyway
        self._date_second = -1
        self._date = b""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sweeper: asyncio.TimerHandle | None = None
        self.finished: asyncio.Future[None] | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.finished = loop.create_future()
        self._accept_more()
        self._sweeper = loop.call_later(_SWEEP_EVERY, self._sweep)

    # accepting
    def _accept_more(self) -> None:
        if not self._accepting and not self.draining and self._loop is not None:
            self._accepting = True
            self._loop.add_reader(self._listener.fileno(), self._accept)
            self._publish_load()

    def _accept_no_more(self) -> None:
        if self._accepting and self._loop is not None:
            self._accepting = False
            self._loop.remove_reader(self._listener.fileno())
            self._loads[self._slot] = NOT_ACCEPTING

    def _accept(self) -> None:
        mine = len(self._connections) + self._adopting
        if not self._insist and self._not_my_turn(mine):
            self._leave_turn()
            return
        try:
            client, _ = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            self._insist = False
            return
        except OSError as error:
            self._insist = False
            if error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                log.warning("cannot accept a connection (%s); pausing for %.1f s", error.strerror, _ACCEPT_RETRY)
                self._accept_no_more()
                assert self._loop is not None
                self._loop.call_later(_ACCEPT_RETRY, self._accept_more)
            return
        self._insist = False
        client.setblocking(False)
        with contextlib.suppress(OSError):
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert self._loop is not None
        self._adopting += 1
        self._publish_load()
        self._loop.create_task(self._adopt(client))

    def _leave_turn(self) -> None:
        """Stop watching the socket for a while (rather than spin on it while it stays readable)."""
        assert self._loop is not None
        self._loop.remove_reader(self._listener.fileno())
        self._loop.call_later(_YIELD_FOR, self._take_turn_back)

    def _take_turn_back(self) -> None:
        if self._accepting and not self.draining and self._loop is not None:
            self._insist = True  # a connection nobody took in the meantime is ours
            self._loop.add_reader(self._listener.fileno(), self._accept)
            self._accept()  # at once: if none waits, the next one is judged by turn again

    def _not_my_turn(self, mine: int) -> bool:
        """Whether another worker should take the next connection: the first worker still under
        ``fill`` connections. Once every worker holds that many, nobody waits for anybody (the
        kernel wakes them all, and a busy one simply accepts less): balancing by counts past that point
        made two workers leave their turn to each other in a burst and accept a connection per 5 ms."""
        fill = self._fill
        for slot, load in enumerate(self._loads):
            if load < fill and slot != self._slot and (mine >= fill or slot < self._slot):
                return True
        return False

    async def _adopt(self, client: socket.socket) -> None:
        assert self._loop is not None
        try:
            await self._loop.connect_accepted_socket(lambda: Connection(self), client)
        except OSError:
            client.close()
        finally:
            self._adopting -= 1

    # what connections report
    def opened(self, connection: Connection) -> None:
        if len(self._connections) >= self._max_connections:
            connection.turn_away()
            connection.waiting_since = time.monotonic() - self._header_timeout + _TURNED_AWAY
        self._connections.add(connection)
        self._publish_load()
        if self.draining:
            connection.close()

    def closed(self, connection: Connection) -> None:
        self._connections.discard(connection)
        self._publish_load()
        if self.draining and not self._connections:
            self._finish()

    def _publish_load(self) -> None:
        held = len(self._connections) + self._adopting
        if self._accepting:
            self._loads[self._slot] = held if held < self._max_connections else NOT_ACCEPTING

    def date(self) -> bytes:
        """The ``Date`` line that ends every head, formatted once a second."""
        now = time.time()
        second = int(now)
        if second != self._date_second:
            self._date_second, self._date = second, http_date(now)
        return self._date

    # timing out and stopping
    def _sweep(self) -> None:
        assert self._loop is not None
        now = time.monotonic()
        for connection in list(self._connections):
            since = connection.waiting_since
            stalled = connection.stalled_since
            closing = connection.closing_since
            if (
                (since is not None and now - since > self._header_timeout)
                or (stalled is not None and now - stalled > _STALLED)
                or (closing is not None and now - closing > _CLOSING)
            ):
                connection.abort()
        self._sweeper = self._loop.call_later(_SWEEP_EVERY, self._sweep)

    def drain(self, timeout: float) -> None:
        """Stop accepting, close idle connections, let requests in flight finish (``timeout`` at most)."""
        if self.draining or self._loop is None:
            return
        self._accept_no_more()
        self.draining = True
        for connection in list(self._connections):
            if not connection.busy:
                connection.close()
        if not self._connections:
            self._finish()
        else:
            self._loop.call_later(timeout, self._give_up)

    def _give_up(self) -> None:
        for connection in list(self._connections):
            connection.abort()
        self._finish()

    def _finish(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self.finished is not None and not self.finished.done():
            self.finished.set_result(None)


def run_site(site: Site, drain_timeout: float, loop_factory: Callable[[], Any]) -> None:
    """Serve on a new event loop until SIGTERM or SIGINT has drained the site."""
    loop: asyncio.AbstractEventLoop = loop_factory()
    asyncio.set_event_loop(loop)
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, site.drain, drain_timeout)
    site.start(loop)
    assert site.finished is not None
    loop.run_until_complete(site.finished)
