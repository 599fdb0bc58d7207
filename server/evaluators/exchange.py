"""One query's exchange with an evaluator on the HTTP worker's event loop, on a kept or a new channel.

See :class:`Exchange`, and :mod:`server.evaluators.client` for what the worker does with each ending.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal

from server.evaluation import Outcome
from server.evaluators.channels import Channel
from server.evaluators.wire import GREETING, OUTCOME_HEADER_SIZE, RELEASED, ChannelClosed, decode_outcome, outcome_size

LONG_QUERY = 0.1  # seconds of evaluation after which a query yields the CPU to shorter ones
LONG_QUERY_NICENESS = 10


class Expired(Exception):
    """The exchange's timer ran out: before an evaluator greeted (busy) or after (deadline passed)."""


class Released(Exception):
    """A kept connection was let go by its evaluator before it read the job: send it on a new one."""


_READ_SIZE = 256 * 1024
_TIMER_SLACK = 0.001  # the loop may run a timer up to a millisecond early


class Exchange:
    """One query on a channel: the channel's reader hands it the bytes, and one timer runs at a time.

    On a new connection the reader takes the greeting (the evaluator's pid) and then the outcome; on a
    kept one the evaluator is known and idle, so the query starts as it is sent. From the start, one
    timer: at :data:`LONG_QUERY` it lowers the evaluator's priority and waits for the deadline, where it
    kills the evaluator. Only the outcome, the connection's loss or the timer wakes the awaiting task,
    once; a lookup costs one timer handle and no registration with the loop.
    """

    __slots__ = (
        "_buffer",
        "_channel",
        "_deadline",
        "_loop",
        "_on_kept",
        "_outcome",
        "_received",
        "_slows_down",
        "_timer",
        "deadline_at",
        "kept",
        "pid",
        "result",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        channel: Channel,
        give_up_at: float,
        deadline: float,
        deadline_at: float | None,
        slows_down: bool = True,
    ) -> None:
        self._loop = loop
        self._channel = channel
        self._slows_down = slows_down  # lower a long query's priority (see priority_comes_back)
        self.result: asyncio.Future[Outcome] = loop.create_future()
        self.pid = channel.pid  # a kept connection's evaluator is known, and idle: no greeting comes
        self._on_kept = bool(channel.pid)
        self.kept = False  # the outcome came whole: the connection can carry the next query
        self.deadline_at = deadline_at  # kept by a retry: the first start started the clock
        self._deadline = deadline
        self._buffer = bytearray()  # the greeting and the outcome's header
        self._outcome: bytearray | None = None  # a long outcome, allocated once its length is known
        self._received = 0
        channel.reader = self
        if self.pid:
            self._timer = self._started()
        else:
            self._timer = loop.call_at(give_up_at, self._expire)  # no evaluator took it by then: busy

    def readable(self) -> None:
        if self._outcome is not None:
            self._read_outcome()
            return
        try:
            data = self._channel.socket.recv(_READ_SIZE)
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
            self.pid = self._channel.pid = GREETING.unpack_from(buffer)[0]
            del buffer[: GREETING.size]
            self._timer.cancel()
            self._timer = self._started()
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
            count = self._channel.socket.recv_into(memoryview(outcome)[self._received :])
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

    def _started(self) -> asyncio.TimerHandle:
        """The evaluator has the query: the deadline runs (a retry keeps the first one)."""
        now = self._loop.time()
        self.deadline_at = self.deadline_at or now + self._deadline
        return self._loop.call_at(min(now + LONG_QUERY, self.deadline_at), self._running_long)

    def _running_long(self) -> None:
        assert self.deadline_at is not None
        if self._loop.time() + _TIMER_SLACK >= self.deadline_at:
            self._expire()
            return
        if self._slows_down:
            _lower_priority(self.pid)
        self._timer = self._loop.call_at(self.deadline_at, self._expire)

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
        """Stop the timer and leave the channel; close it unless the answer came whole. Safe to call again."""
        self._timer.cancel()
        channel = self._channel
        if channel.reader is self:
            channel.reader = None
            if not self.kept:
                channel.close()


def priority_comes_back(effective_uid: int, nice_limit: int) -> bool:
    """Whether an evaluator may raise its priority back to niceness 0 after a long query.

    Root may; anyone else only with an ``RLIMIT_NICE`` of 20 or more (the ceiling is 20 minus the limit,
    and most systems give 0). Where it may not, an evaluator slowed down once would stay slow for every
    later query, whose deadline runs all the same: long queries then keep their priority instead.
    """
    return effective_uid == 0 or nice_limit == resource.RLIM_INFINITY or nice_limit >= 20


def _lower_priority(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, LONG_QUERY_NICENESS)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
