"""The supervisor: binds the listening socket, forks the HTTP workers from it, replaces one that dies.

Workers are forked with every signal blocked, and each sets its own handlers before it lets them in, so a
SIGTERM sent to the whole process group never runs the supervisor's handler in a worker. Each worker
builds its application after the fork (the Flask app, its caches, the threads it starts: nothing of
them crosses a fork) and asks the kernel to send it SIGTERM if the supervisor dies, so no worker is ever
left serving alone. On SIGTERM or SIGINT the supervisor passes SIGTERM on; each worker stops accepting,
finishes the requests in flight and exits; one still running ``drain_timeout`` later is killed. Workers
are watched by their own pids (``waitpid`` on each), never with ``waitpid(-1)``, which would also reap
the evaluation service the supervisor started as a subprocess.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable, MutableSequence
from dataclasses import dataclass
from typing import Any

from server.front.site import NOT_ACCEPTING

log = logging.getLogger(__name__)

_RESPAWN_PAUSE = 0.5  # between a dead worker and its replacement, so a crash loop cannot spin
_POLL = 0.05  # seconds between two looks at the workers
_PR_SET_PDEATHSIG = 1
_KILL_MARGIN = 2.0  # beyond a worker's own drain deadline, before it is killed


@dataclass(frozen=True, slots=True)
class WorkerPlan:
    """How many HTTP workers, and what each runs once forked: ``serve(listener, loads, slot)``."""

    workers: int
    serve: Callable[[socket.socket, MutableSequence[int], int], None]
    drain_timeout: float


def listen(host: str, port: int, backlog: int) -> socket.socket:
    """The listening socket every worker accepts from (IPv4 or IPv6, by the host's address family)."""
    family, kind, protocol, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    listener = socket.socket(family, kind, protocol)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            with contextlib.suppress(OSError):
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        listener.bind(address)
        listener.listen(backlog)
        listener.setblocking(False)
    except OSError:
        listener.close()
        raise
    return listener


class Supervisor:
    """Runs ``plan.workers`` workers on ``listener`` until SIGTERM or SIGINT (see the module's docstring)."""

    def __init__(self, listener: socket.socket, plan: WorkerPlan) -> None:
        self._listener = listener
        self._plan = plan
        self._loads: MutableSequence[int] = multiprocessing.RawArray("i", plan.workers)
        self._workers: dict[int, int] = {}  # pid -> slot
        self._stopping_since: float | None = None
        _libc()

    def run(self, on_ready: Callable[[], None]) -> None:
        previous = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
        for number in previous:
            signal.signal(number, self._stop)
        try:
            for slot in range(self._plan.workers):
                self._spawn(slot)
            on_ready()
            self._watch()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _stop(self, number: int, frame: Any) -> None:
        if self._stopping_since is None:
            self._stopping_since = time.monotonic()
            for pid in self._workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)

    def _watch(self) -> None:
        while self._workers:
            time.sleep(_POLL)
            for pid, slot in list(self._workers.items()):
                try:
                    done, status = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done, status = pid, 0
                if not done:
                    continue
                del self._workers[pid]
                self._loads[slot] = NOT_ACCEPTING
                if self._stopping_since is None:
                    log.error("HTTP worker %d ended (%s); starting another", pid, _how(status))
                    time.sleep(_RESPAWN_PAUSE)
                    if self._stopping_since is None:
                        self._spawn(slot)
            stopping = self._stopping_since
            if stopping is not None and time.monotonic() - stopping > self._plan.drain_timeout + _KILL_MARGIN:
                for pid in self._workers:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)

    def _spawn(self, slot: int) -> None:
        self._loads[slot] = NOT_ACCEPTING  # until the worker's loop runs, no other waits for it
        parent = os.getpid()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
        try:
            pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            raise
        if pid:
            self._workers[pid] = slot  # before the signals come back: a SIGTERM now reaches this worker too
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            return
        code = 1
        try:
            for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(number, signal.SIG_DFL)
            _die_with_parent()
            if os.getppid() != parent:  # the supervisor died before the kernel was asked to tell us
                os._exit(0)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            self._plan.serve(self._listener, self._loads, slot)
            code = 0
        except BaseException:
            log.exception("HTTP worker %d failed", os.getpid())
        finally:
            os._exit(code)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library (found once, in the supervisor: ``find_library`` runs ``ldconfig``)."""
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def _die_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent, the supervisor, dies."""
    libc = _libc()
    if libc is not None:
        with contextlib.suppress(OSError, AttributeError):
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.waitstatus_to_exitcode(status)}"
