"""The HTTP worker's side of the evaluation service: Unix connections to the evaluators, a hard deadline.

A query goes on a connection an evaluator has kept from one of this loop's previous queries, if one is
idle (:mod:`server.evaluators.channels`): that evaluator is idle too, so the query's deadline runs from the
moment it is sent. Otherwise the worker connects to the service's socket; the kernel queues the
connection until an evaluator accepts it, the evaluator greets with its pid, and from then on the deadline
runs. A kept connection the evaluator has let go for a queued one (it says so, see
:mod:`server.evaluators.wire`) costs one more try. If the answer is not complete by the deadline, the
worker kills that evaluator (the service forks a replacement) and the client gets 503 with
``Retry-After``. A full queue refuses the connection at once, which is the server's backpressure. An
evaluator that dies for another reason (killed from outside, crashed) costs a retry on another one,
within what is left of the deadline.

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
import resource
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from server.backend import DeadlineExceeded, PoolUnavailable
from server.evaluation import Job, Outcome
from server.evaluators.channels import Channel, ChannelPool
from server.evaluators.exchange import Exchange, Expired, Released, priority_comes_back
from server.evaluators.wire import ChannelClosed, encode_job

log = logging.getLogger(__name__)

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

    def __init__(self, address: ServiceAddress, deadline: float, retry_after: int, evaluators: int = 1) -> None:
        self._address = address
        self._socket_path = str(address.socket_path)
        self._deadline = deadline
        self._retry_after = retry_after
        self._evaluators = max(1, evaluators)  # an evaluator keeps one connection: more would be let go
        self._pools: dict[asyncio.AbstractEventLoop, ChannelPool] = {}
        self._slows_down = priority_comes_back(os.geteuid(), resource.getrlimit(resource.RLIMIT_NICE)[0])
        if not self._slows_down:
            log.info("long queries keep their priority: this user may not restore an evaluator's (RLIMIT_NICE)")
        os.register_at_fork(after_in_child=self._pools.clear)  # a forked worker keeps none of its parent's

    def start(self, on_broken: Callable[[], None] | None = None) -> None:
        """Nothing to start: the service is supervised by ``kg serve``, not by each HTTP worker."""

    def close(self) -> None:
        """Close the idle connections kept for the next queries."""
        for pool in self._pools.values():
            pool.close()

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
        """One try: on a kept channel (its evaluator idle), else on a new one."""
        give_up_at = started + self._deadline
        pool = self._pool_of(loop)
        while True:
            channel = pool.take()
            if channel is None:
                channel = pool.open(await self._connect(loop, give_up_at))
            try:
                return await self._exchange_on(loop, pool, channel, payload, give_up_at, deadline_at)
            except Released:
                continue  # the evaluator let it go before reading the query

    async def _exchange_on(
        self,
        loop: asyncio.AbstractEventLoop,
        pool: ChannelPool,
        channel: Channel,
        payload: bytes,
        give_up_at: float,
        deadline_at: float | None,
    ) -> Outcome:
        exchange = Exchange(loop, channel, give_up_at, self._deadline, deadline_at, self._slows_down)
        try:
            try:
                sent = channel.socket.send(payload)  # a job fits the socket's buffer: read at once
            except OSError:
                if channel.pid:
                    raise Released from None  # the evaluator let it go (or exited) while it was idle
                raise
            if sent < len(payload):
                await loop.sock_sendall(channel.socket, memoryview(payload)[sent:])
            outcome = await exchange.result
        except Expired:
            if not exchange.pid:
                raise self._busy("no evaluator became free in time") from None
            raise self._deadline_exceeded() from None
        except (ChannelClosed, OSError):
            if exchange.pid and exchange.deadline_at is not None and loop.time() >= exchange.deadline_at:
                raise self._deadline_exceeded() from None
            raise _EvaluatorLost(exchange.deadline_at) from None
        finally:
            exchange.close()
        if exchange.kept:
            pool.put_back(channel)
        return outcome

    def _pool_of(self, loop: asyncio.AbstractEventLoop) -> ChannelPool:
        """The channels of ``loop``."""
        pool = self._pools.get(loop)
        if pool is None:
            pool = self._pools[loop] = ChannelPool(loop, self._evaluators)
        return pool

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
                channel.connect(self._socket_path)
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


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
