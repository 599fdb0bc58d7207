"""Queries the data bounds, answered in the HTTP worker itself: no evaluator, no second process woken.

An evaluator runs each query in a process of its own so that a query past its deadline can be killed with
it. That costs a round trip between two processes, about two thirds of the server's CPU for a query of one
triple pattern with a handful of matches (a label lookup, the triples of one subject), which is also what
linked-data clients send most. Such a query needs no deadline when its cost is known before it starts:

* :mod:`core.pattern` recognises a SELECT, ASK or CONSTRUCT over one triple pattern, with nothing that
  costs much more than the matches themselves (no path, sub-query or expression beyond a few cheap FILTER
  tests);
* the pattern's matches are counted in the worker's own copy of the store, up to ``--inline-max-matches``
  (a count over every graph, with a wildcard for each variable: never less than what the engine reads),
  and a broad pattern's count is remembered for the next query with the same pattern;
* within the bound, the query is evaluated and serialised by the very function the evaluators run
  (:func:`server.evaluation.evaluate`), so the answer is byte for byte theirs; past it, or while the
  copy is still loading, the query goes to an evaluator as before.

The copy costs memory (the data once more per HTTP worker), so it is loaded only for data of at most
``--inline-max-triples`` triples, in a thread once the worker serves (the load releases the interpreter
lock), and only used if its version is the one the evaluators serve.
"""

from __future__ import annotations

import itertools
import logging
import threading
from typing import Literal

import pyoxigraph as ox

from core.pattern import Iri, OnePattern, Term, Text
from core.settings import Settings
from server.allocator import release_free_memory
from server.dataset import DatasetError, DatasetInfo, load_dataset
from server.evaluation import Job, Outcome, evaluate

log = logging.getLogger(__name__)

Status = Literal["loading", "ready", "failed"]
# Counts remembered: only those past _WORTH_REMEMBERING (a count costs a step per match) and of patterns
# whose constants are short, so that queries with long literals cannot fill a worker's memory with them
_COUNTS_KEPT = 4096
_WORTH_REMEMBERING = 64
_LONGEST_REMEMBERED = 2048  # characters of the pattern's constants: at most 8 MiB of keys in all


class InlineStore:
    """The HTTP worker's copy of the store, and the count that decides whether a query may use it."""

    def __init__(self, settings: Settings, version: str) -> None:
        self._settings = settings
        self._version = version
        self._most_matches = settings.inline_max_matches
        self._store: ox.Store | None = None
        # the data never changes while the worker serves, so a pattern's count holds for good; a broad
        # pattern (every label) comes back with each new FILTER, and counting it costs more than answering
        self._counts: dict[OnePattern, int] = {}
        self.status: Status = "loading"

    @classmethod
    def for_dataset(cls, settings: Settings, info: DatasetInfo) -> InlineStore | None:
        """A copy to load for ``info``'s data, unless it is larger than the settings allow (or turned off)."""
        if info.triples > settings.inline_max_triples:
            return None
        return cls(settings, info.version)

    def start(self) -> None:
        """Load the copy in a thread; queries go to the evaluators until it is ready."""
        threading.Thread(target=self._load, name="inline-store", daemon=True).start()

    def _load(self) -> None:
        try:
            loaded = load_dataset(self._settings)
        except DatasetError as error:
            log.warning("one-pattern queries go to the evaluators: the worker's copy did not load (%s)", error)
            self.status = "failed"
            return
        if loaded.info.version != self._version:  # a new build was swapped in since the evaluators loaded
            log.warning("one-pattern queries go to the evaluators: the data changed on disk since they loaded it")
            self.status = "failed"
            return
        self._store = loaded.store
        del loaded  # the files' bytes and handles
        release_free_memory()
        self.status = "ready"

    def answer(self, job: Job, pattern: OnePattern | None) -> Outcome | None:
        """``job``'s outcome if its one pattern has few enough matches; ``None`` for an evaluator to answer."""
        store = self._store
        if store is None or pattern is None or job.default_graphs is not None or job.named_graphs is not None:
            return None
        if job.query_has_dataset or self._count(store, pattern) > self._most_matches:
            return None
        try:
            return evaluate(store, job)
        except BaseException as error:
            # evaluate() turns the engine's errors into outcomes; anything else (a panic in the engine is
            # a BaseException) must not take the worker's loop down: an evaluator answers, in a process
            # of its own, as it would have without the copy
            if not isinstance(error, Exception) and type(error).__name__ != "PanicException":
                raise
            log.error("one-pattern query failed in the HTTP worker; sent to an evaluator", exc_info=True)
            return None

    def _count(self, store: ox.Store, pattern: OnePattern) -> int:
        known = self._counts.get(pattern)
        if known is not None:
            return known
        count = count_matches(store, pattern, self._most_matches)
        if count > _WORTH_REMEMBERING and _constants_size(pattern) <= _LONGEST_REMEMBERED:
            if len(self._counts) >= _COUNTS_KEPT:
                del self._counts[next(iter(self._counts))]  # the oldest
            self._counts[pattern] = count
        return count


def count_matches(store: ox.Store, pattern: OnePattern, most: int) -> int:
    """The quads matching ``pattern``'s constants in any graph, counted up to ``most + 1``: never fewer than
    the triples the engine reads to answer the query (each variable, and each constant left open, is a
    wildcard here), and a cost of at most ``most + 1`` steps whatever the data."""
    quads = store.quads_for_pattern(_iri(pattern.subject), _iri(pattern.predicate), _node(pattern.object), None)
    return sum(1 for _ in itertools.islice(quads, most + 1))


def _constants_size(pattern: OnePattern) -> int:
    terms = (pattern.subject, pattern.predicate, pattern.object)
    return sum(len(term.value) + len(getattr(term, "datatype", "")) for term in terms if term is not None)


def _iri(term: Term) -> ox.NamedNode | None:
    """The store's IRI for a constant subject or predicate; ``None`` (any term) for a variable, or an IRI
    the engine's parser refuses (it gives the client its error; the count stays an upper bound)."""
    if isinstance(term, Iri):
        try:
            return ox.NamedNode(term.value)
        except ValueError:
            return None
    return None


def _node(term: Term) -> ox.NamedNode | ox.Literal | None:
    """The store's term for a constant object; ``None`` as for :func:`_iri`."""
    if not isinstance(term, Text):
        return _iri(term)
    try:
        if term.language:
            return ox.Literal(term.value, language=term.language)
        if term.datatype:
            return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype))
        return ox.Literal(term.value)
    except ValueError:
        return None
