"""Answers kept in the HTTP worker process and reused for as long as the dataset they came from is served.

The dataset never changes between builds, so a query's answer is a pure function of the dataset version
and the job the view built from the request: the query text (and its row-capped form), the dataset
parameters, the negotiated result and graph formats, the row cap, the prefixes and the base IRI. The whole
:class:`~server.evaluation.Job` is therefore the key, and the version goes into every ETag, so that an ETag
a client kept from an older build never matches a newer one.

The cache sits in front of the backend (:class:`CachingBackend` wraps the evaluator pool or a remote store),
which is the one path every query takes, ``/sparql`` and saved queries alike. The checks that come before the pool
(SERVICE refusal, nesting and size limits, negotiation) still run on every request; the deadline and the
row cap are properties of the answers themselves: only complete, successful outcomes are kept, with their
truncation flag. Each HTTP worker process has its own cache (nothing is shared between processes, so no
lock crosses a fork); request threads share it under a lock.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import replace

from flask import Response, request

from server.backend import Backend
from server.evaluation import Job, Outcome

# Bookkeeping per entry beyond the body and the query text: the key tuple, the dataclasses, the dict slot.
_ENTRY_OVERHEAD = 600


class ResponseCache:
    """A least-recently-used map from jobs to successful outcomes, bounded by the bytes it holds.

    An answer larger than a quarter of the budget is never kept: one huge result would otherwise evict
    every small, frequently asked one.
    """

    def __init__(self, version: str, max_bytes: int) -> None:
        self.version = version
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Job, tuple[Outcome, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, job: Job) -> Outcome | None:
        with self._lock:
            entry = self._entries.get(job)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(job)
            self.hits += 1
            return entry[0]

    def put(self, job: Job, outcome: Outcome) -> Outcome:
        """Keep ``outcome`` (when it is a complete answer) and return it with its ETag."""
        if outcome.kind != "ok":
            return outcome
        tagged = replace(outcome, etag=self.etag(job))
        size = _size(job, tagged)
        if size > self.max_bytes // 4:
            return tagged
        with self._lock:
            previous = self._entries.pop(job, None)
            if previous is not None:
                self._bytes -= previous[1]
            self._entries[job] = (tagged, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted
        return tagged

    def reset(self, version: str) -> None:
        """Forget every answer: the dataset is now ``version`` (a remote store was published to)."""
        with self._lock:
            self.version = version
            self._entries.clear()
            self._bytes = 0

    def etag(self, job: Job) -> str:
        """A strong validator: the dataset version and every field of the key, hashed."""
        digest = hashlib.sha256(self.version.encode("utf-8"))
        digest.update(repr(job).encode("utf-8"))
        return digest.hexdigest()[:32]

    @property
    def size(self) -> int:
        """Bytes currently held (bodies, query texts and an estimate of the bookkeeping)."""
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _size(job: Job, outcome: Outcome) -> int:
    return len(outcome.body) + len(job.query) + len(job.capped_query or "") + _ENTRY_OVERHEAD


class CachingBackend:
    """A backend (the evaluator pool or a remote store), answering from :class:`ResponseCache` when it can."""

    def __init__(self, backend: Backend, cache: ResponseCache | None) -> None:
        self.backend = backend
        self.cache = cache

    def start(self) -> None:
        self.backend.start()

    def close(self) -> None:
        self.backend.close()

    @property
    def alive(self) -> int:
        return self.backend.alive

    def run(self, job: Job) -> Outcome:
        if self.cache is None:
            return self.backend.run(job)
        cached = self.cache.get(job)
        if cached is not None:
            return cached
        version = self.cache.version
        outcome = self.backend.run(job)
        if self.cache.version != version:  # a new dataset was published while this query ran
            return outcome
        return self.cache.put(job, outcome)


def make_cacheable(response: Response, etag: str, max_age: int) -> Response:
    """Add the validator and freshness headers; answer 304 when the client already holds this ETag."""
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response.make_conditional(request)
