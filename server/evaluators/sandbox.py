"""What a process of the evaluation service does to itself: forget the server's state, die with its
parent, lose network access, and cap its memory.

These are the properties that make killing an evaluator a safe way to stop a query: it holds no socket of
the HTTP server, reaches no host (SERVICE calls out from inside pyoxigraph, where no Python hook sees it),
never outlives the service, and a query that exhausts its address space takes down only that evaluator.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import resource
import signal

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_PR_SET_NAME = 15
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> None:
    """Be killed when the parent process exits, so that no evaluator outlives a stopped server."""
    with contextlib.suppress(OSError, AttributeError):
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def set_process_name(name: str) -> None:
    """Name the process (``/proc/PID/comm``, shown by ``ps`` and ``top``), at most 15 bytes."""
    with contextlib.suppress(OSError, AttributeError):
        _libc().prctl(_PR_SET_NAME, name.encode("ascii")[:15])


def close_inherited_files(keep: tuple[int, ...]) -> None:
    """Close every descriptor above stderr but ``keep`` (the parent's sockets, above all)."""
    highest = max(keep, default=2)
    for fd in range(3, highest + 1):
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)
    os.closerange(highest + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])


def drop_network() -> bool:
    """Move into an empty network namespace (no interface but a down loopback), where permitted.

    Filesystem Unix sockets still work across network namespaces, so the HTTP workers keep reaching the
    evaluators while the evaluators reach nothing else.
    """
    libc = _libc()
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    log.warning("evaluators keep network access: this system does not permit a private network namespace")
    return False


def limit_memory(extra_mb: int) -> None:
    """Cap the address space at the current size plus ``extra_mb`` (relative: the store is already mapped)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = current + extra_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def raise_open_files_limit() -> int:
    """Lift the soft limit on open files to the hard one: every idle client connection costs one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            return hard
    return soft
