"""The evaluation service: one process that loads the store and forks the evaluators that query it.

``kg serve`` starts it as a fresh interpreter (``python -m server.evaluators.service``), so it is always
single-threaded when it forks, whatever the HTTP server around it does with threads. It loads the data,
opens the Unix socket the HTTP workers connect to, reports the dataset's description to its parent, drops
network access and forks the evaluators. Then it lets its own store go (an evaluator copies the pages it
reads, so a store kept as a template would be one more whole copy of the data: see
:class:`~server.dataset.StoreSource`) and only replaces evaluators that exit (killed at a deadline,
crashed, or recycled after a resource error), each from a store loaded again from the same open files.
Each evaluator takes one connection at a time from the shared socket (the kernel hands each to one idle
evaluator), so the socket's backlog is the queue of waiting queries and a full backlog is an immediate,
clean refusal for the client. An evaluator keeps the connection it served last, for the HTTP worker's
next query, until another connection waits in the queue (see :class:`Evaluator`).
"""

from __future__ import annotations

import contextlib
import enum
import gc
import json
import logging
import os
import pickle
import select
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from core.settings import Settings
from server.allocator import release_free_memory
from server.dataset import DatasetError, StoreSource, load_dataset
from server.evaluation import Outcome, evaluate
from server.evaluators import sandbox
from server.evaluators.wire import GREETING, RELEASED, ChannelClosed, read_job, send_outcome

log = logging.getLogger(__name__)

_QUICK_DEATH = 1.0  # an evaluator that exits sooner than this after its start is crashing, not working
_MAX_BACKOFF = 1.0


@dataclass(frozen=True)
class ServiceConfig:
    """What the service needs from ``kg serve``: the settings and where to listen and report."""

    settings: Settings
    socket_path: Path
    status_path: Path


def main() -> int:
    """Read the configuration from stdin, load, report on stdout, then serve until killed."""
    config: ServiceConfig = pickle.load(sys.stdin.buffer)
    report = sys.stdout.buffer
    sandbox.die_with_parent()
    sandbox.set_process_name("kg-evaluation")
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        dataset = load_dataset(config.settings)
    except DatasetError as error:
        pickle.dump(("error", str(error)), report)
        report.flush()
        return 2
    listener = _listen(config.socket_path, config.settings.queue_size)
    if config.settings.isolate_network:
        sandbox.drop_network()
    pickle.dump(("ready", dataset.info), report)
    report.flush()
    os.close(sys.stdout.fileno())
    zygote = Zygote(listener, dataset.store, dataset.source, config)
    del dataset  # the zygote holds the only reference to the store, so that it can let it go
    zygote.run()
    return 0


def _listen(path: Path, queue_size: int) -> socket.socket:
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    # Linux queues backlog + 1 connections on a Unix socket; past that, a non-blocking connect fails at once
    listener.listen(max(0, queue_size - 1))
    # every evaluator waits on it alongside the connection it keeps, and a wake-up may find it taken
    listener.setblocking(False)
    return listener


class Zygote:
    """Forks ``settings.workers`` evaluators and keeps that many running."""

    def __init__(self, listener: socket.socket, store: ox.Store, source: StoreSource, config: ServiceConfig) -> None:
        self._listener = listener
        self._store: ox.Store | None = store
        self._source = source
        self._config = config
        self._started: dict[int, float] = {}
        self._backoff = 0.0

    def run(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))  # evaluators follow by their death signal
        assert self._store is not None
        for _ in range(self._config.settings.workers):
            self._fork(self._store)
        self._write_status()  # they serve from now on: /health says so before the memory is given back
        self._store = None
        _release_memory()
        while True:
            pid, _ = os.wait()
            started = self._started.pop(pid, None)
            if started is None:
                continue
            self._pause_if_crashing(time.monotonic() - started)
            self._replace()
            self._write_status()

    def _replace(self) -> None:
        """Fork one evaluator from a store loaded again, then let that store go too."""
        try:
            store = self._source.load()
        except DatasetError as error:
            log.error("cannot start an evaluator: %s", error)
            os._exit(1)  # kg serve starts a new service, which reports what it can load
        _release_memory()  # the file's bytes, read to load it: not for the new evaluator to inherit
        self._fork(store)
        del store
        _release_memory()

    def _pause_if_crashing(self, lived: float) -> None:
        """Wait a little before replacing an evaluator that died right after its start, doubling each time."""
        if lived >= _QUICK_DEATH:
            self._backoff = 0.0
            return
        self._backoff = min(_MAX_BACKOFF, max(0.05, self._backoff * 2))
        time.sleep(self._backoff)

    def _fork(self, store: ox.Store) -> None:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = Evaluator(self._listener, store, self._config.settings).run()
            finally:
                os._exit(code)
        self._started[pid] = time.monotonic()

    def _write_status(self) -> None:
        """The evaluators running now, for ``/health`` and for operators; replaced atomically."""
        status = {"service": os.getpid(), "evaluators": sorted(self._started)}
        temporary = self._config.status_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(status), encoding="utf-8")
        temporary.replace(self._config.status_path)


class Evaluator:
    """Answers one query at a time, on the connection it accepted last or on a newly accepted one.

    A connection is kept after its answer: the HTTP worker sends its next query on it, which spares a
    connect, an accept and a greeting per query. The evaluator waits on both that connection and the
    shared socket; when another connection is waiting there (queued by any HTTP worker), it lets the kept
    one go, writing :data:`RELEASED` into it, so that a query sent on it meanwhile is sent again through
    the queue rather than lost or taken for a crash. A queued connection goes first, so that one busy
    connection never starves the queue.
    """

    def __init__(self, listener: socket.socket, store: ox.Store, settings: Settings) -> None:
        self._listener = listener
        self._store = store
        self._settings = settings
        self._kept: socket.socket | None = None

    def run(self) -> int:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sandbox.die_with_parent()
        sandbox.set_process_name("kg-evaluator")
        if self._settings.worker_memory_mb:
            sandbox.limit_memory(self._settings.worker_memory_mb)
        greeting = GREETING.pack(os.getpid())
        listening = self._listener.fileno()
        ready = select.epoll()
        # exclusive: a queued connection wakes one idle evaluator, not all of them
        ready.register(listening, select.EPOLLIN | select.EPOLLEXCLUSIVE)
        while True:
            events = {fd for fd, _ in ready.poll()}
            if listening in events:  # a queued connection has waited longest: it goes first
                try:
                    channel, _ = self._listener.accept()
                except BlockingIOError:
                    continue  # another evaluator took it
                self._release(ready)
                self._kept = channel
                ready.register(channel.fileno(), select.EPOLLIN)
                served = self._answer(channel, greeting)
            elif self._kept is not None and self._kept.fileno() in events:
                served = self._answer(self._kept, greeting=None)
            else:
                continue
            if served is _Served.RECYCLE:
                return 0  # recycled after a resource error: the zygote forks a fresh evaluator
            if served is _Served.GONE:
                self._drop(ready)

    def _release(self, ready: select.epoll) -> None:
        """Let the kept connection go for a queued one; a query sent on it meanwhile is sent again."""
        if self._kept is not None:
            with contextlib.suppress(OSError):
                self._kept.send(RELEASED, socket.MSG_DONTWAIT)
            self._drop(ready)

    def _drop(self, ready: select.epoll) -> None:
        if self._kept is not None:
            with contextlib.suppress(OSError, ValueError):
                ready.unregister(self._kept.fileno())
            self._kept.close()
            self._kept = None

    def _answer(self, channel: socket.socket, greeting: bytes | None) -> _Served:
        """Serve one exchange; on a new connection, greet first (the client's deadline starts then)."""
        try:
            if greeting is not None:
                channel.sendall(greeting)
            job = read_job(channel)
        except (OSError, ChannelClosed, ValueError, TypeError):
            return _Served.GONE  # the client gave up while waiting, closed the connection, or sent garbage
        served = _Served.KEPT
        _restore_priority()  # a worker's lowering can land just after the restore below: undo it here too
        try:
            outcome = evaluate(self._store, job)
        except (MemoryError, RecursionError) as error:
            outcome = Outcome(kind="error", message=f"the query needs too many resources ({error!r})")
            served = _Served.RECYCLE
        try:
            send_outcome(channel, outcome)
        except OSError:  # the client went away (its deadline passed, or it disconnected)
            return _Served.GONE if served is _Served.KEPT else served
        finally:
            # idle at full priority: the next query on a kept connection has its deadline running already
            _restore_priority()
        return served


class _Served(enum.Enum):
    """What became of a connection after one exchange."""

    KEPT = "kept"  # answered: wait for the next query on it
    GONE = "gone"  # closed or broken: let it go
    RECYCLE = "recycle"  # answered, but this evaluator must be replaced


def _release_memory() -> None:
    """Give the freed store's pages back to the system: the allocator keeps them otherwise."""
    gc.collect()
    release_free_memory()


def _restore_priority() -> None:
    """Undo the lower priority a long previous query was given (see :mod:`server.evaluators.exchange`)."""
    with contextlib.suppress(OSError):
        if os.getpriority(os.PRIO_PROCESS, 0) != 0:
            os.setpriority(os.PRIO_PROCESS, 0, 0)


if __name__ == "__main__":
    sys.exit(main())
