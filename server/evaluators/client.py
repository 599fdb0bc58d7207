"""The HTTP worker's side of the evaluation service: one Unix connection per query, a hard deadline.

Every HTTP worker (and every request thread in it) connects to the service's socket for each query. The
kernel queues the connection until an evaluator accepts it; the evaluator greets with its pid, and from
then on the query's deadline runs. If the answer is not complete by the deadline, the worker kills that
evaluator (the service forks a replacement) and the client gets 503 with ``Retry-After``. A full queue
refuses the connection at once, which is the server's backpressure. An evaluator that dies for another
reason (killed from outside, crashed) costs a retry on another one, within what is left of the deadline.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from server.backend import DeadlineExceeded, PoolUnavailable
from server.evaluation import Job, Outcome
from server.evaluators.wire import GREETING, ChannelClosed, encode_job, read_exactly, read_outcome

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
        payload = encode_job(job)
        started = time.monotonic()
        deadline_at: float | None = None  # set when the first evaluator greets; a retry keeps it
        for attempt in (1, 2):
            try:
                return self._exchange(payload, started, deadline_at)
            except _EvaluatorLost as lost:
                deadline_at = lost.args[0] if lost.args else deadline_at
                if attempt == 1:
                    log.warning("an evaluator died during a query; retrying it once on another one")
        raise PoolUnavailable(
            "the query could not be evaluated (its worker process stopped); try again later", self._retry_after
        )

    def _exchange(self, payload: bytes, started: float, deadline_at: float | None) -> Outcome:
        channel = self._connect(started + self._deadline)
        with channel:
            try:
                channel.sendall(payload)
                pid = GREETING.unpack(read_exactly(channel, GREETING.size, started + self._deadline))[0]
            except TimeoutError:
                raise self._busy("no evaluator became free in time") from None
            except (OSError, ChannelClosed):
                raise _EvaluatorLost(deadline_at) from None
            deadline_at = deadline_at or time.monotonic() + self._deadline
            try:
                return self._read_outcome(channel, pid, deadline_at)
            except TimeoutError:
                _kill(pid)
                raise self._deadline_exceeded() from None
            except (OSError, ChannelClosed):
                if time.monotonic() >= deadline_at:
                    raise self._deadline_exceeded() from None
                raise _EvaluatorLost(deadline_at) from None

    def _read_outcome(self, channel: socket.socket, pid: int, deadline_at: float) -> Outcome:
        """The answer; a query still running after :data:`LONG_QUERY` seconds loses CPU priority.

        Its evaluator is reniced (it restores its own priority before the next query), so that on a
        machine with few cores, long queries slow each other down rather than the short ones beside them.
        """
        if time.monotonic() + LONG_QUERY < deadline_at:
            readable, _, _ = select.select([channel], [], [], LONG_QUERY)
            if not readable:
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, pid, LONG_QUERY_NICENESS)
        return read_outcome(channel, deadline_at)

    def _connect(self, give_up_at: float) -> socket.socket:
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
                if time.monotonic() + _RECONNECT_PAUSE >= give_up_at:
                    raise PoolUnavailable(
                        "the query evaluators are restarting; try again shortly", self._retry_after
                    ) from None
                time.sleep(_RECONNECT_PAUSE)
                continue
            channel.setblocking(True)
            return channel

    def _busy(self, why: str) -> PoolUnavailable:
        return PoolUnavailable(f"the server is busy: {why}", self._retry_after)

    def _deadline_exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"the query ran longer than the {self._deadline:g} s limit and was stopped", self._retry_after
        )


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
