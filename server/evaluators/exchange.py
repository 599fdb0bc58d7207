"""One query's exchange with an evaluator on the HTTP worker's event loop: a socket, a reader, two timers.

The evaluator's greeting (on a new connection) starts the query's deadline and arms the timer that lowers
the priority of a query that runs long; a kept connection's evaluator is known and idle, so both start at
once. The outcome, the connection's loss or the timer wakes the awaiting task, once. See
:mod:`server.evaluators.client` for what the worker does with each ending.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket

from server.evaluation import Outcome
from server.evaluators.wire import GREETING, OUTCOME_HEADER_SIZE, RELEASED, ChannelClosed, decode_outcome, outcome_size

LONG_QUERY = 0.1  # seconds of evaluation after which a query yields the CPU to shorter ones
LONG_QUERY_NICENESS = 10


class Expired(Exception):
    """The exchange's timer ran out: before an evaluator greeted (busy) or after (deadline passed)."""


class Released(Exception):
    """A kept connection was let go by its evaluator before it read the job: send it on a new one."""


_READ_SIZE = 256 * 1024


class Exchange:
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
        "_on_kept",
        "_outcome",
        "_received",
        "_renice",
        "_timer",
        "deadline_at",
        "kept",
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
        kept_by: int = 0,
    ) -> None:
        self._loop = loop
        self._channel = channel
        self._fd = channel.fileno()
        self.result: asyncio.Future[Outcome] = loop.create_future()
        self.pid = kept_by  # a kept connection's evaluator is known, and idle: no greeting comes
        self._on_kept = bool(kept_by)
        self.kept = False  # the outcome came whole: the connection can carry the next job
        self.deadline_at = deadline_at  # kept by a retry: the first greeting started the clock
        self._deadline = deadline
        self._timer = loop.call_at(give_up_at, self._expire)
        self._renice: asyncio.TimerHandle | None = None
        self._buffer = bytearray()  # the greeting and the outcome's header
        self._outcome: bytearray | None = None  # a long outcome, allocated once its length is known
        self._received = 0
        loop.add_reader(self._fd, self._readable)
        if kept_by:
            self._greeted()

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
        if self._on_kept and not buffer and data[:1] == RELEASED:
            self._finish(exception=Released())
            return
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
            if len(buffer) > expected:  # the evaluator let the connection go right after answering
                del buffer[expected:]
                self._finish(outcome=decode_outcome(buffer), keep=False)
                return
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
        self._finish(exception=Expired())

    def _finish(self, outcome: Outcome | None = None, exception: Exception | None = None, keep: bool = True) -> None:
        self.kept = keep and exception is None and not self.result.done()
        self.close()
        if self.result.done():
            return
        if exception is not None:
            self.result.set_exception(exception)
        else:
            self.result.set_result(outcome)  # type: ignore[arg-type]

    def close(self) -> None:
        """Stop the timers and the reader; close the connection unless it is kept. Safe to call again."""
        self._timer.cancel()
        if self._renice is not None:
            self._renice.cancel()
        if self._fd >= 0:
            self._loop.remove_reader(self._fd)
            self._fd = -1
            if not self.kept:
                self._channel.close()


def _lower_priority(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, LONG_QUERY_NICENESS)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
