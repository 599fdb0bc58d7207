"""The HTTP worker's side of the evaluation service: one Unix connection per query, a hard deadline.

Every HTTP worker connects to the service's socket for each query. The kernel queues the connection until
an evaluator accepts it; the evaluator greets with its pid, and from then on the query's deadline runs. If
the answer is not complete by the deadline, the worker kills that evaluator (the service forks a
replacement) and the client gets 503 with ``Retry-After``. A full queue refuses the connection at once,
which is the server's backpressure. An evaluator that dies for another reason (killed from outside,
crashed) costs a retry on another one, within what is left of the deadline.

The exchange is written once, as a coroutine (:meth:`EvaluatorClient.evaluate`): the HTTP worker's event
loop awaits it directly for plain queries (:mod:`server.express`), so a query in flight holds no thread.
The Flask views, which run in threads, call :meth:`EvaluatorClient.run`, which runs the same coroutine
on a small event loop of the process's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from server.backend import DeadlineExceeded, PoolUnavailable
from server.evaluation import Job, Outcome
from server.evaluators.wire import (
    GREETING,
    OUTCOME_HEADER_SIZE,
    ChannelClosed,
    decode_outcome,
    encode_job,
    outcome_size,
)

log = logging.getLogger(__name__)

LONG_QUERY = 0.1  # seconds of evaluation after which a query yields the CPU to shorter ones
LONG_QUERY_NICENESS = 10
_RECONNECT_PAUSE = 0.05  # seconds between two attempts to reach a service that is restarting


@dataclass(frozen=True, slots=True)
class ServiceAddress:
    """Where the evaluation service listens and writes its status (a private directory of ``kg serve``)."""

    socket_path: Path
    status_path: Path

    @classmethod
    def in_directory(cls, directory: Path) -> ServiceAddress:
        return cls(socket_path=directory / "evaluators.sock", status_path=directory / "status.json")


class _EvaluatorLost(Exception):
    """The evaluator's connection broke before the answer was complete, not by our deadline."""


class _Exchange(asyncio.Protocol):
    """One connection's messages as they arrive: the greeting (a pid), then one outcome."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.greeting: asyncio.Future[int] = loop.create_future()
        self.outcome: asyncio.Future[Outcome] = loop.create_future()
        self._buffer = bytearray()
        self._expected = 0  # the outcome's length, once its header is in

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self.greeting.done():
            if len(self._buffer) < GREETING.size:
                return
            self.greeting.set_result(GREETING.unpack_from(self._buffer)[0])
            del self._buffer[: GREETING.size]
        if not self._expected and len(self._buffer) >= OUTCOME_HEADER_SIZE:
            self._expected = outcome_size(self._buffer)
        if self._expected and len(self._buffer) >= self._expected and not self.outcome.done():
            self.outcome.set_result(decode_outcome(bytes(self._buffer)))

    def connection_lost(self, exc: Exception | None) -> None:
        for future in (self.greeting, self.outcome):
            if not future.done():
                future.set_exception(ChannelClosed())
                future.exception()  # read here, so that an unawaited one is not reported as lost


class EvaluatorClient:
    """A :class:`~server.backend.Backend` that sends every job to the evaluation service."""

    def __init__(self, address: ServiceAddress, deadline: float, retry_after: int) -> None:
        self._address = address
        self._deadline = deadline
        self._retry_after = retry_after

    def start(self, on_broken: Callable[[], None] | None = None) -> None:
        """Nothing to start: the service is supervised by ``kg serve``, not by each HTTP worker."""

    def close(self) -> None:
        """Nothing to close: no connection outlives its query."""

    @property
    def alive(self) -> int:
        """Evaluators the service reports running (0 while it is down or restarting)."""
        try:
            status = json.loads(self._address.status_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        pid = int(status.get("service", 0))
        if not pid or not _process_exists(pid):
            return 0
        return len(status.get("evaluators", ()))

    def pids(self) -> list[int]:
        """The evaluators' process ids (for operators and tests)."""
        with contextlib.suppress(OSError, ValueError):
            status = json.loads(self._address.status_path.read_text(encoding="utf-8"))
            return [int(pid) for pid in status.get("evaluators", ())]
        return []

    def run(self, job: Job) -> Outcome:
        """Evaluate ``job`` from a thread (a Flask view): the exchange runs on this process's own loop."""
        return asyncio.run_coroutine_threadsafe(self.evaluate(job), _own_loop()).result()

    async def evaluate(self, job: Job) -> Outcome:
        """Evaluate ``job`` on the running event loop; raises :class:`PoolUnavailable` and its kinds."""
        payload = encode_job(job)
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline_at: float | None = None  # set when the first evaluator greets; a retry keeps it
        for attempt in (1, 2):
            try:
                return await self._exchange(loop, payload, started, deadline_at)
            except _EvaluatorLost as lost:
                deadline_at = lost.args[0] if lost.args else deadline_at
                if attempt == 1:
                    log.warning("an evaluator died during a query; retrying it once on another one")
        raise PoolUnavailable(
            "the query could not be evaluated (its worker process stopped); try again later", self._retry_after
        )

    async def _exchange(
        self, loop: asyncio.AbstractEventLoop, payload: bytes, started: float, deadline_at: float | None
    ) -> Outcome:
        transport, exchange = await self._connect(loop, started + self._deadline)
        try:
            transport.write(payload)
            try:
                async with asyncio.timeout_at(started + self._deadline):
                    pid = await exchange.greeting
            except TimeoutError:
                raise self._busy("no evaluator became free in time") from None
            except ChannelClosed:
                raise _EvaluatorLost(deadline_at) from None
            deadline_at = deadline_at or loop.time() + self._deadline
            return await self._outcome(loop, exchange, pid, deadline_at)
        finally:
            transport.abort()

    async def _outcome(
        self, loop: asyncio.AbstractEventLoop, exchange: _Exchange, pid: int, deadline_at: float
    ) -> Outcome:
        """The answer, or the evaluator killed at ``deadline_at``.

        A query still running after :data:`LONG_QUERY` seconds loses CPU priority: its evaluator is reniced
        (it restores its own priority before the next query), so that on a machine with few cores, long
        queries slow each other down rather than the short ones beside them.
        """
        renice = loop.call_at(min(loop.time() + LONG_QUERY, deadline_at), _lower_priority, pid)
        try:
            async with asyncio.timeout_at(deadline_at):
                return await exchange.outcome
        except TimeoutError:
            _kill(pid)
            raise self._deadline_exceeded() from None
        except ChannelClosed:
            if loop.time() >= deadline_at:
                raise self._deadline_exceeded() from None
            raise _EvaluatorLost(deadline_at) from None
        finally:
            renice.cancel()

    async def _connect(self, loop: asyncio.AbstractEventLoop, give_up_at: float) -> tuple[asyncio.Transport, _Exchange]:
        """A connection queued for an evaluator; a full queue is refused at once.

        While the service is down (killed, restarting: no socket, or nobody listening), keep trying until
        ``give_up_at``: a restart takes well under a second on the interview graph, so clients only see a
        slower answer.
        """
        while True:
            channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            channel.setblocking(False)
            try:
                channel.connect(str(self._address.socket_path))
            except BlockingIOError:
                channel.close()
                raise self._busy("too many queries waiting") from None
            except OSError:
                channel.close()
                if loop.time() + _RECONNECT_PAUSE >= give_up_at:
                    raise PoolUnavailable(
                        "the query evaluators are restarting; try again shortly", self._retry_after
                    ) from None
                await asyncio.sleep(_RECONNECT_PAUSE)
                continue
            break
        exchange = _Exchange(loop)
        transport, _ = await loop.create_unix_connection(lambda: exchange, sock=channel)
        return transport, exchange

    def _busy(self, why: str) -> PoolUnavailable:
        return PoolUnavailable(f"the server is busy: {why}", self._retry_after)

    def _deadline_exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"the query ran longer than the {self._deadline:g} s limit and was stopped", self._retry_after
        )


_loop_lock = threading.Lock()
_loop_of_process: tuple[int, asyncio.AbstractEventLoop] | None = None


def _own_loop() -> asyncio.AbstractEventLoop:
    """This process's event loop for exchanges started from threads; started on first use (after a fork)."""
    global _loop_of_process
    with _loop_lock:
        if _loop_of_process is None or _loop_of_process[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="evaluator-exchanges", daemon=True).start()
            _loop_of_process = (os.getpid(), loop)
        return _loop_of_process[1]


def _lower_priority(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, LONG_QUERY_NICENESS)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
