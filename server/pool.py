"""A pre-forked pool of evaluator processes that gives every query a hard deadline.

Neither pyoxigraph nor Python threads can be cancelled, so a query that runs too long is stopped by
killing the process that evaluates it. The pool owns a *zygote*: a process forked once, while the web
worker is still single-threaded and after the store is loaded, whose only job is to fork evaluators. New
evaluators (at start, and to replace one that was killed or crashed) are therefore always forked from a
clean single-threaded process and share the store's memory copy-on-write. The zygote also drops network
access (a fresh network namespace, where the system allows it) so that no evaluator can reach any host.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import pickle
import queue
import resource
import select
import signal
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from server.evaluation import Job, Outcome, evaluate

log = logging.getLogger(__name__)

_HEADER = struct.Struct("!Q")
_PR_SET_PDEATHSIG = 1
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_RESET_SIGNALS = (
    "SIGTERM",
    "SIGINT",
    "SIGQUIT",
    "SIGHUP",
    "SIGUSR1",
    "SIGUSR2",
    "SIGWINCH",
    "SIGTTIN",
    "SIGTTOU",
)


class PoolUnavailable(Exception):
    """No answer can be given now; the client should retry after ``retry_after`` seconds."""

    status = 503  # the HTTP status to answer with (server.backend has the remote store's 502 and 504)

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class DeadlineExceeded(PoolUnavailable):
    """The query ran past its deadline; its evaluator was killed and replaced."""


@dataclass(frozen=True, slots=True)
class PoolOptions:
    """How many evaluators, how long a query may run, how many may wait, and evaluator limits."""

    size: int
    deadline: float
    queue_size: int
    retry_after: int
    memory_mb: int = 0
    isolate_network: bool = True


@dataclass(slots=True)
class _Evaluator:
    pid: int
    channel: socket.socket


class EvaluatorPool:
    """Dispatches jobs to evaluator processes; safe to call from many request threads."""

    def __init__(self, store: ox.Store, options: PoolOptions) -> None:
        self._store = store
        self._options = options
        self._idle: queue.Queue[_Evaluator] = queue.Queue()
        self._members: dict[int, _Evaluator] = {}
        self._lock = threading.Lock()
        self._pending = 0
        self._control: socket.socket | None = None
        self._zygote_pid = 0
        self._stopping = threading.Event()
        self._on_broken: Callable[[], None] | None = None
        self._broken_reported = False

    # lifecycle -------------------------------------------------------------------------------------
    def start(self, on_broken: Callable[[], None] | None = None) -> None:
        """Fork the zygote and the first evaluators; call while the process is single-threaded.

        If the zygote dies, no evaluator can be forked any more (forking from this process, which now
        has threads, is not safe): ``on_broken`` is then called once, for the serving process to be
        replaced by a fresh one with a fresh pool (under gunicorn: a graceful worker restart).
        """
        self._on_broken = on_broken
        self._broken_reported = False
        parent_end, zygote_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            parent_end.close()
            _zygote_main(zygote_end, self._store, self._options)
        zygote_end.close()
        self._control, self._zygote_pid = parent_end, pid
        for _ in range(self._options.size):
            self._idle.put(self._spawn())
        self._stopping.clear()
        threading.Thread(target=self._watch_idle, name="evaluator-watchdog", daemon=True).start()

    def close(self) -> None:
        """Stop every evaluator and the zygote."""
        self._stopping.set()
        with self._lock:
            members = list(self._members.values())
            self._members.clear()
        for evaluator in members:
            _kill(evaluator)
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._zygote_pid:
            with contextlib.suppress(ChildProcessError, ProcessLookupError):
                os.kill(self._zygote_pid, signal.SIGKILL)
                os.waitpid(self._zygote_pid, 0)
            self._zygote_pid = 0

    @property
    def alive(self) -> int:
        """Number of evaluator processes the pool currently has."""
        with self._lock:
            return len(self._members)

    def pids(self) -> list[int]:
        """Process ids of the evaluators (for operators and tests)."""
        with self._lock:
            return sorted(self._members)

    # dispatch --------------------------------------------------------------------------------------
    def run(self, job: Job) -> Outcome:
        """Evaluate ``job`` in an evaluator; retry once on a worker that died under another cause.

        The retry runs within what is left of the first attempt's deadline: a query that kills its own
        evaluator (by exhausting its memory, say) must not get the deadline twice over.
        """
        with self._admission():
            evaluation = _Evaluation()
            try:
                return self._run_once(job, evaluation)
            except _EvaluatorLost:
                log.warning("an evaluator died during a query; retrying it once on a fresh one")
            try:
                return self._run_once(job, evaluation)
            except _EvaluatorLost as error:
                raise PoolUnavailable(
                    "the query could not be evaluated (its worker process stopped); try again later",
                    self._options.retry_after,
                ) from error

    @contextlib.contextmanager
    def _admission(self) -> Iterator[None]:
        with self._lock:
            if self._pending >= self._options.size + self._options.queue_size:
                raise PoolUnavailable("the server is busy: too many queries waiting", self._options.retry_after)
            self._pending += 1
        try:
            yield
        finally:
            with self._lock:
                self._pending -= 1

    def _run_once(self, job: Job, evaluation: _Evaluation) -> Outcome:
        try:
            evaluator = self._idle.get(timeout=self._options.deadline)
        except queue.Empty:
            raise PoolUnavailable(
                "the server is busy: no worker became free in time", self._options.retry_after
            ) from None
        if evaluation.deadline_at is None:
            evaluation.deadline_at = time.monotonic() + self._options.deadline
        deadline_at = evaluation.deadline_at
        if deadline_at <= time.monotonic():
            self._idle.put(evaluator)
            raise self._deadline_exceeded()
        try:
            _send(evaluator.channel, job, deadline_at)
            outcome = _receive(evaluator.channel, deadline_at)
        except TimeoutError:
            self._replace(evaluator)
            raise self._deadline_exceeded() from None
        except (OSError, EOFError, pickle.UnpicklingError):
            self._replace(evaluator)
            raise _EvaluatorLost from None
        if not isinstance(outcome, Outcome):
            self._replace(evaluator)
            raise _EvaluatorLost
        self._idle.put(evaluator)
        return outcome

    def _deadline_exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"the query ran longer than the {self._options.deadline:g} s limit and was stopped",
            self._options.retry_after,
        )

    # membership ------------------------------------------------------------------------------------
    def _spawn(self) -> _Evaluator:
        if self._control is None:
            raise PoolUnavailable("the evaluation pool is not running", self._options.retry_after)
        ours, theirs = socket.socketpair()
        with self._lock:
            try:
                socket.send_fds(self._control, [b"S"], [theirs.fileno()])
                pid = _HEADER.unpack(_read_exactly(self._control, _HEADER.size))[0]
            except (OSError, EOFError) as error:
                ours.close()
                raise PoolUnavailable("the evaluation pool stopped", self._options.retry_after) from error
            finally:
                theirs.close()
            evaluator = _Evaluator(pid=pid, channel=ours)
            self._members[pid] = evaluator
        return evaluator

    def _watch_idle(self, interval: float = 0.5) -> None:
        """Replace evaluators that die while idle (killed from outside, out of memory).

        A request would find such an evaluator dead and retry on another, but until then the pool runs
        short: after a burst of kills it could stay one worker down for as long as traffic is light.
        """
        while not self._stopping.wait(interval):
            if not self._zygote_alive():
                self._report_broken()
                return
            with self._idle.mutex:
                idle = list(self._idle.queue)
            dead = [e for e in idle if not _is_alive(e)]
            with self._idle.mutex:  # a request may have taken one meanwhile: it will find it dead itself
                dead = [e for e in dead if e in self._idle.queue]
                for evaluator in dead:
                    self._idle.queue.remove(evaluator)
            for evaluator in dead:
                log.warning("evaluator %d died while idle; replacing it", evaluator.pid)
                self._replace(evaluator)

    def _replace(self, evaluator: _Evaluator) -> None:
        with self._lock:
            self._members.pop(evaluator.pid, None)
        _kill(evaluator)
        try:
            self._idle.put(self._spawn())
        except PoolUnavailable:
            log.error("could not replace an evaluator: the pool has %d left", self.alive)
            if not self._zygote_alive():
                self._report_broken()

    def _zygote_alive(self) -> bool:
        """Whether the zygote still runs (reaping it if it has exited)."""
        if not self._zygote_pid:
            return False
        try:
            pid, _ = os.waitpid(self._zygote_pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return pid == 0

    def _report_broken(self) -> None:
        with self._lock:
            if self._broken_reported or self._stopping.is_set():
                return
            self._broken_reported = True
        log.error("the evaluator zygote is gone: no evaluator can be replaced; asking for a fresh process")
        if self._on_broken is not None:
            self._on_broken()


@dataclass(slots=True)
class _Evaluation:
    """One query's evaluation across its attempts: the deadline starts with the first."""

    deadline_at: float | None = None


class _EvaluatorLost(Exception):
    """The evaluator's channel broke: it crashed or was killed from outside."""


# wire format ---------------------------------------------------------------------------------------
def _send(channel: socket.socket, message: object, deadline_at: float | None = None) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    channel.settimeout(None if deadline_at is None else max(0.001, deadline_at - time.monotonic()))
    channel.sendall(_HEADER.pack(len(payload)) + payload)


def _receive(channel: socket.socket, deadline_at: float | None = None) -> object:
    size = _HEADER.unpack(_read_exactly(channel, _HEADER.size, deadline_at))[0]
    return pickle.loads(_read_exactly(channel, size, deadline_at))


def _read_exactly(channel: socket.socket, size: int, deadline_at: float | None = None) -> bytes:
    buffer = bytearray(size)
    view, received = memoryview(buffer), 0
    while received < size:
        if deadline_at is not None:
            remaining = deadline_at - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            channel.settimeout(remaining)
        count = channel.recv_into(view[received:])
        if count == 0:
            raise EOFError
        received += count
    return bytes(buffer)


def _is_alive(evaluator: _Evaluator) -> bool:
    """An idle evaluator's channel reads end-of-file (or resets) once its process is gone.

    ``select`` with a zero timeout first: a socket with a timeout set would make ``recv`` wait for it.
    """
    try:
        readable, _, _ = select.select([evaluator.channel], [], [], 0)
        return not readable or evaluator.channel.recv(1, socket.MSG_PEEK) != b""
    except (OSError, ValueError):
        return False


def _kill(evaluator: _Evaluator) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(evaluator.pid, signal.SIGKILL)
    evaluator.channel.close()


# child processes -----------------------------------------------------------------------------------
def _zygote_main(control: socket.socket, store: ox.Store, options: PoolOptions) -> None:
    """Fork an evaluator for every request on ``control``; exit when the pool's owner goes away."""
    code = 0
    try:
        _become_child(keep=(control.fileno(),))
        if options.isolate_network:
            _drop_network()
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # evaluators are reaped automatically
        while True:
            message, fds, _, _ = socket.recv_fds(control, 16, 1)
            if not message or not fds:
                break
            pid = os.fork()
            if pid == 0:
                control.close()
                _evaluator_main(socket.socket(fileno=fds[0]), store, options)
            os.close(fds[0])
            control.sendall(_HEADER.pack(pid))
    except BaseException:  # the zygote must never return into the web server's code
        code = 1
    finally:
        os._exit(code)


def _evaluator_main(channel: socket.socket, store: ox.Store, options: PoolOptions) -> None:
    """Serve jobs from ``channel`` until it closes; exit (to be replaced) after a resource error."""
    code = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _set_parent_death_signal()
        if options.memory_mb:
            _limit_memory(options.memory_mb)
        while True:
            try:
                job = _receive(channel)
            except EOFError:
                break
            try:
                outcome = evaluate(store, job)  # type: ignore[arg-type]
            except (MemoryError, RecursionError) as error:
                _send(channel, Outcome(kind="error", message=f"the query needs too many resources ({error!r})"))
                break
            _send(channel, outcome)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _become_child(keep: tuple[int, ...]) -> None:
    """Forget the web server's signal handlers and file descriptors (its listening socket above all)."""
    for name in _RESET_SIGNALS:
        with contextlib.suppress(AttributeError, ValueError, OSError):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    _set_parent_death_signal()
    highest = max(keep)
    for fd in range(3, highest + 1):
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)
    os.closerange(highest + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _set_parent_death_signal() -> None:
    """Die with the parent, so a stopped server leaves no evaluator running a long query."""
    with contextlib.suppress(OSError, AttributeError):
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _drop_network() -> None:
    """Move into an empty network namespace (no interface but a down loopback), where permitted."""
    libc = _libc()
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return
    log.warning("evaluators keep network access: this system does not permit a private network namespace")


def _limit_memory(extra_mb: int) -> None:
    """Cap the address space at the current size plus ``extra_mb`` (relative: the store is already mapped)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = current + extra_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
