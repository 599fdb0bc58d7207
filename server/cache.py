"""Answers kept in the HTTP worker process and reused for as long as the dataset they came from is served.

The dataset never changes between builds, so a query's answer is a pure function of the dataset version
and the job the view built from the request: the query text (and its row-capped form), the dataset
parameters, the negotiated result and graph formats, the row cap, the prefixes and the base IRI. The whole
:class:`~server.evaluation.Job` is therefore the key, and the version goes into every ETag, so that an ETag
a client kept from an older build never matches a newer one.

The cache sits in front of the backend (:class:`CachingBackend` wraps the evaluation service's client or a
remote store), the one path every query takes, ``/sparql`` and saved queries alike. The checks that come first
(SERVICE refusal, nesting and size limits, negotiation) still run on every request; the deadline and the
row cap are properties of the answers themselves: only complete, successful outcomes are kept, with their
truncation flag. Each HTTP worker process has its own cache (nothing is shared between processes, so no
lock crosses a fork); request threads share it under a lock.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Response, request

from server.backend import Backend
from server.evaluation import Job, Outcome

# Bookkeeping per entry beyond the body and the query texts: the job and outcome objects, the strings of
# their other fields, the dict slot; measured with tracemalloc on small answers (tests/perf).
_ENTRY_OVERHEAD = 980  # 850 before jobs kept their hash
_PROBATION_SHARE = 5  # probation holds 1/5 of the budget, protected the rest
_REPLAY_SHARE = 4  # with the express lane, its replays get 1/4 of the answer memory and this cache the rest
_REMEMBERED_KEYS = 4096
_FRAMING = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class ResponseCache:
    """A segmented least-recently-used map from jobs to successful outcomes, bounded by the bytes it holds.

    A new answer waits in a small *probation* segment (a fifth of the budget); asked for again there, or
    computed again while its key is still remembered (the last :data:`_REMEMBERED_KEYS` keys put, kept as
    hashes), it goes to the *protected* segment, whose overflow falls back to probation rather than out.
    Answers asked for once (ad-hoc queries, however large and however many) therefore only displace each
    other, never the answers that dashboards and pages keep asking for, even when those come round in a
    cycle longer than probation: with a single LRU list, two seconds of one-off queries at a million triples
    emptied the cache of a saved-query cycle that fitted it. An answer larger than probation is never kept.
    """

    def __init__(self, version: str, max_bytes: int) -> None:
        self.version = version
        self.max_bytes = max_bytes
        self.probation_bytes = max_bytes // _PROBATION_SHARE
        self._probation = _Segment()
        self._protected = _Segment()
        self._remembered: OrderedDict[int, None] = OrderedDict()  # hashes of recently put jobs
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, job: Job) -> Outcome | None:
        with self._lock:
            entry = self._protected.touch(job)
            if entry is None:
                entry = self._probation.pop(job)
                if entry is None:
                    self.misses += 1
                    return None
                self._protected.add(job, entry)
                self._shrink()
            self.hits += 1
            return entry[0]

    def put(self, job: Job, outcome: Outcome) -> Outcome:
        """Keep ``outcome`` (when it is a complete answer) on probation and return it with its ETag."""
        if outcome.kind != "ok":
            return outcome
        tagged = Outcome(  # dataclasses.replace costs three times this
            kind=outcome.kind,
            body=outcome.body,
            content_type=outcome.content_type,
            truncated=outcome.truncated,
            message=outcome.message,
            etag=self.etag(job),
        )
        size = _size(job, tagged)
        if size > self.probation_bytes:
            return tagged
        key = hash(job)  # a collision only decides which segment an answer starts in
        with self._lock:
            self._probation.pop(job)
            self._protected.pop(job)
            segment = self._protected if key in self._remembered else self._probation
            segment.add(job, (tagged, size))
            self._remembered[key] = None
            self._remembered.move_to_end(key)
            if len(self._remembered) > _REMEMBERED_KEYS:
                self._remembered.popitem(last=False)
            self._shrink()
        return tagged

    def _shrink(self) -> None:
        """Demote protected overflow to probation, then drop probation's oldest while over budget."""
        while self._protected.bytes > self.max_bytes - self.probation_bytes:
            self._probation.add(*self._protected.pop_oldest())
        while self._probation.bytes + self._protected.bytes > self.max_bytes and self._probation.entries:
            self._probation.pop_oldest()

    def share_with_replays(self) -> int:
        """Hand a quarter of this worker's answer memory (``--cache-mb``) to the express lane's replays
        (:class:`server.express.ReplayCache`), which live beside this cache; the bytes handed over.

        Called once, when the lane is made: an app run without the lane keeps the whole budget.
        """
        replays = self.max_bytes // _REPLAY_SHARE
        with self._lock:
            self.max_bytes -= replays
            self.probation_bytes = self.max_bytes // _PROBATION_SHARE
            self._shrink()
        return replays

    def reset(self, version: str) -> None:
        """Forget every answer: the dataset is now ``version`` (a remote store was published to)."""
        with self._lock:
            self.version = version
            self._probation = _Segment()
            self._protected = _Segment()
            self._remembered.clear()

    def etag(self, job: Job) -> str:
        """A strong validator: the dataset version and every field of the key, hashed.

        The fields are framed as a JSON array (strings quoted and escaped, ``null`` apart from ``""``), so
        no two keys spell alike; the prefixes, the same tuple in every job, are hashed once.
        """
        framed = _FRAMING.encode(
            [
                self.version,
                job.query,
                job.capped_query,
                job.default_graphs,
                job.named_graphs,
                job.results_format.name if job.results_format else None,
                job.graph_format.name if job.graph_format else None,
                job.max_rows,
                job.base_iri,
                job.query_has_dataset,
            ]
        )
        digest = hashlib.sha256(framed.encode("utf-8", "surrogatepass"))
        digest.update(_prefixes_digest(job.prefixes))
        return digest.hexdigest()[:32]

    @property
    def size(self) -> int:
        """Bytes currently held (bodies, query texts and an estimate of the bookkeeping)."""
        with self._lock:
            return self._probation.bytes + self._protected.bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._probation.entries) + len(self._protected.entries)


@functools.lru_cache(maxsize=8)
def _prefixes_digest(prefixes: tuple[tuple[str, str], ...]) -> bytes:
    return hashlib.sha256(repr(prefixes).encode("utf-8")).digest()


class _Segment:
    """Entries in least-recently-used order, with the bytes they hold."""

    def __init__(self) -> None:
        self.entries: OrderedDict[Job, tuple[Outcome, int]] = OrderedDict()
        self.bytes = 0

    def add(self, job: Job, entry: tuple[Outcome, int]) -> None:
        self.entries[job] = entry
        self.bytes += entry[1]

    def touch(self, job: Job) -> tuple[Outcome, int] | None:
        """The entry, now the most recently used; None when absent."""
        entry = self.entries.get(job)
        if entry is not None:
            self.entries.move_to_end(job)
        return entry

    def pop(self, job: Job) -> tuple[Outcome, int] | None:
        entry = self.entries.pop(job, None)
        if entry is not None:
            self.bytes -= entry[1]
        return entry

    def pop_oldest(self) -> tuple[Job, tuple[Outcome, int]]:
        job, entry = self.entries.popitem(last=False)
        self.bytes -= entry[1]
        return job, entry


def _size(job: Job, outcome: Outcome) -> int:
    return len(outcome.body) + len(job.query) + len(job.capped_query or "") + _ENTRY_OVERHEAD


class CachingBackend:
    """A backend (the evaluation service or a remote store), answering from :class:`ResponseCache` when it can."""

    def __init__(self, backend: Backend, cache: ResponseCache | None) -> None:
        self.backend = backend
        self.cache = cache

    def start(self, on_broken: Callable[[], None] | None = None) -> None:
        self.backend.start(on_broken)

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
    response.make_conditional(request)  # in place: the same response, made 304 when the client holds it
    return response
