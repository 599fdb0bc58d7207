"""What the views need from whatever answers queries: the evaluation service or a remote SPARQL store.

Every query the server runs (``/sparql``, saved queries, pages, search) is a :class:`~server.evaluation.Job`
turned into an :class:`~server.evaluation.Outcome` by ``Backend.run``; the response cache wraps either
implementation (:class:`server.cache.CachingBackend`). Failures that are nobody's fault but the backend's
are raised as :class:`PoolUnavailable` or one of its subclasses, whose ``status`` is the HTTP status to
answer with; :mod:`server.errors` turns them into answers, so the views need not know which backend they
talk to, nor catch anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from core.settings import Settings
from server.evaluation import Job, Outcome


class PoolUnavailable(Exception):
    """No answer can be given now; the client should retry after ``retry_after`` seconds."""

    status = 503

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class DeadlineExceeded(PoolUnavailable):
    """The query ran past its deadline; its evaluator was killed and replaced."""


class StoreFailed(PoolUnavailable):
    """The remote store answered, but with an error or an answer that cannot be read: 502 Bad Gateway."""

    status = 502


class StoreTimedOut(PoolUnavailable):
    """The remote store did not complete the answer within the deadline: 504 Gateway Timeout."""

    status = 504


@dataclass(frozen=True, slots=True)
class BackendLimits:
    """How many queries run at once, how many may wait, and how long each may take."""

    size: int
    deadline: float
    queue_size: int

    @property
    def retry_after(self) -> int:
        """Seconds a client is told to wait after a 503: one deadline, at least one second."""
        return max(1, math.ceil(self.deadline))

    @classmethod
    def from_settings(cls, settings: Settings) -> BackendLimits:
        return cls(size=settings.workers, deadline=settings.query_timeout, queue_size=settings.queue_size)


class Backend(Protocol):
    """Runs jobs; ``start`` is called once per serving process before it serves.

    ``on_broken`` is how a backend that cannot heal itself asks the serving process to be replaced.
    """

    def start(self, on_broken: Callable[[], None] | None = None) -> None: ...

    def close(self) -> None: ...

    def run(self, job: Job) -> Outcome: ...

    @property
    def alive(self) -> int:
        """Evaluators (embedded) or reachable stores (remote) able to answer now; 0 means degraded."""
        ...
