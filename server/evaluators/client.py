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


class _Expired(Exception):
    """The exchange's timer ran out: before an evaluator greeted (busy) or after (deadline passed)."""


_READ_SIZE = 256 * 1024


class _Exchange:
    """One query's connection, driven by the event loop's reader and one timer, without a transport.

    The reader callback takes the greeting (the evaluator's pid: from then on the deadline runs and the
    renice timer is armed) and then the outcome; only the outcome, the connection's loss or the timer
    wakes the awaiting task, once. A query costs one socket, one reader registration and two timer
    handles on the loop, which is most of what made asyncio's streams cost more than the rest of a
    lookup's path in the HTTP worker.
    """

    __slots__ = (
        "_buffer",
        "_channel",
        "_deadline",
        "_fd",
        "_loop",
        "_outcome",
        "_received",
        "_renice",
        "_timer",
        "deadline_at",
        "pid",
        "result",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        channel: socket.socket,
        give_up_at: float,
        deadline: float,
        deadline_at: float | None,
    ) -> None:
        self._loop = loop
        self._channel = channel
        self._fd = channel.fileno()
        self.result: asyncio.Future[Outcome] = loop.create_future()
        self.pid = 0
        self.deadline_at = deadline_at  # kept by a retry: the first greeting started the clock
        self._deadline = deadline
        self._timer = loop.call_at(give_up_at, self._expire)
        self._renice: asyncio.TimerHandle | None = None
        self._buffer = bytearray()  # the greeting and the outcome's header
        self._outcome: bytearray | None = None  # a long outcome, allocated once its length is known
        self._received = 0
        loop.add_reader(self._fd, self._readable)

    def _readable(self) -> None:
        if self._outcome is not None:
            self._read_outcome()
            return
        try:
            data = self._channel.recv(_READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._finish(exception=ChannelClosed())
            return
        buffer = self._buffer
        buffer += data
        if not self.pid:
            if len(buffer) < GREETING.size:
                return
            self.pid = GREETING.unpack_from(buffer)[0]
            del buffer[: GREETING.size]
            self._greeted()
        if len(buffer) < OUTCOME_HEADER_SIZE:
            return
        expected = outcome_size(buffer)
        if len(buffer) >= expected:
            self._finish(outcome=decode_outcome(buffer))
            return
        # a long answer: from here on the kernel copies it straight into one buffer of its final size
        self._outcome = bytearray(expected)
        self._outcome[: len(buffer)] = buffer
        self._received = len(buffer)
        self._buffer = bytearray()

    def _read_outcome(self) -> None:
        outcome = self._outcome
        assert outcome is not None
        try:
            count = self._channel.recv_into(memoryview(outcome)[self._received :])
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            count = 0
        if not count:
            self._finish(exception=ChannelClosed())
            return
        self._received += count
        if self._received == len(outcome):
            self._finish(outcome=decode_outcome(outcome))

    def _greeted(self) -> None:
        now = self._loop.time()
        self.deadline_at = self.deadline_at or now + self._deadline
        self._timer.cancel()
        self._timer = self._loop.call_at(self.deadline_at, self._expire)
        self._renice = self._loop.call_at(min(now + LONG_QUERY, self.deadline_at), _lower_priority, self.pid)

    def _expire(self) -> None:
        if self.pid:
            _kill(self.pid)
        self._finish(exception=_Expired())

    def _finish(self, outcome: Outcome | None = None, exception: Exception | None = None) -> None:
        self.close()
        if self.result.done():
            return
        if exception is not None:
            self.result.set_exception(exception)
        else:
            self.result.set_result(outcome)  # type: ignore[arg-type]

    def close(self) -> None:
        """Stop the timers and forget the connection; safe to call more than once."""
        self._timer.cancel()
        if self._renice is not None:
            self._renice.cancel()
        if self._fd >= 0:
            self._loop.remove_reader(self._fd)
            self._fd = -1
            self._channel.close()


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
        give_up_at = started + self._deadline
        channel = await self._connect(loop, give_up_at)
        exchange = _Exchange(loop, channel, give_up_at, self._deadline, deadline_at)
        try:
            sent = channel.send(payload)  # a job fits the socket's buffer: the evaluator reads it at once
            if sent < len(payload):
                await loop.sock_sendall(channel, memoryview(payload)[sent:])
            return await exchange.result
        except _Expired:
            if not exchange.pid:
                raise self._busy("no evaluator became free in time") from None
            raise self._deadline_exceeded() from None
        except (ChannelClosed, OSError):
            if exchange.pid and exchange.deadline_at is not None and loop.time() >= exchange.deadline_at:
                raise self._deadline_exceeded() from None
            raise _EvaluatorLost(exchange.deadline_at) from None
        finally:
            exchange.close()

    async def _connect(self, loop: asyncio.AbstractEventLoop, give_up_at: float) -> socket.socket:
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
        return channel

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
