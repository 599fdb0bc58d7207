"""What the views need from whatever answers queries: the embedded evaluator pool or a remote SPARQL store.

Every query the server runs (``/sparql``, saved queries, pages, search) is a :class:`~server.evaluation.Job`
turned into an :class:`~server.evaluation.Outcome` by ``Backend.run``; the response cache wraps either
implementation (:class:`server.cache.CachingBackend`). Failures that are nobody's fault but the backend's
are raised as :class:`~server.pool.PoolUnavailable` or one of its subclasses, whose ``status`` is the HTTP
status to answer with, so the views need not know which backend they talk to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from server.evaluation import Job, Outcome
from server.pool import PoolUnavailable


class Backend(Protocol):
    """Runs jobs; ``start`` is called once per serving process before its request threads exist.

    ``on_broken`` is how a backend that cannot heal itself asks the serving process to be replaced.
    """

    def start(self, on_broken: Callable[[], None] | None = None) -> None: ...

    def close(self) -> None: ...

    def run(self, job: Job) -> Outcome: ...

    @property
    def alive(self) -> int:
        """Evaluators (embedded) or reachable stores (remote) able to answer now; 0 means degraded."""
        ...


class StoreFailed(PoolUnavailable):
    """The remote store answered, but with an error or an answer that cannot be read: 502 Bad Gateway."""

    status = 502


class StoreTimedOut(PoolUnavailable):
    """The remote store did not complete the answer within the deadline: 504 Gateway Timeout."""

    status = 504
