"""Giving freed memory back to the system, which glibc's allocator does not do by itself.

An HTTP worker builds answers on its event loop and in its request threads; glibc keeps what threads
free in its per-thread arenas, so a worker serving many different small answers grew by about 40 MB in
30 s of light lookups with nothing live to show for it. ``malloc_trim``
returns the free pages; the evaluation service also calls it once it has let its store go.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
import time
from collections.abc import Callable

TRIM_EVERY = 5.0  # seconds between two trims in an HTTP worker: about 10 ms of work, and the growth stays flat


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    library = ctypes.util.find_library("c")
    if not library:
        return None
    try:
        return ctypes.CDLL(library).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def release_free_memory() -> bool:
    """Return the allocator's free pages to the system; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def trim_now_and_then(every: float = TRIM_EVERY) -> None:
    """Return this process's free memory to the system every ``every`` seconds, from a thread of its own:
    a trim takes about 10 ms, which no request waits for (ctypes lets the interpreter go during the call).
    Start it in the process that serves (an HTTP worker), after any fork."""

    def trim() -> None:
        while release_free_memory():
            time.sleep(every)

    threading.Thread(target=trim, name="free-memory", daemon=True).start()
