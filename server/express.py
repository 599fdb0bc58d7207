"""The express lane: answers the HTTP worker's event loop gives itself, without a thread or Flask.

Most requests to a public SPARQL endpoint are of two kinds: a tool sending a plain ``GET /sparql?query=``
and dashboards or pages asking for the same answers again. Through the Flask app, each cost two thread
hops and Werkzeug's request and response objects, about 1 ms of CPU on top of the query itself. Here:

* **Replays.** A successful answer that the app marked as replayable (``/sparql`` and saved-query answers:
  the dataset never changes while the server runs) is kept as the exact status, headers and body it was
  sent with, keyed by everything the answer depends on (method, scheme, host, path, query string,
  ``Accept``, ``Accept-Language``), and sent again from the event loop. Only answers asked for twice are
  kept, so one-off queries never push out the ones that are asked for again, and the bodies are the
  answer cache's own bytes objects, not copies.
* **Plain queries.** ``GET /sparql`` with one ``query`` (and at most one of each format parameter), from a
  client that is not a browser asking for a page, is checked, negotiated and sent to the evaluation
  service on the event loop (:meth:`EvaluatorClient.evaluate`), through the same answer cache and the same
  job builder and error wording as the Flask view (:mod:`server.answering`). A query over one triple
  pattern with few matches is answered by the worker's own copy of the store (:mod:`server.inline`).

Everything else, and anything unusual about these (dataset parameters, conditional or range headers, a
query the guard refuses, a format nobody can serve), goes to the Flask app, which stays the one place
that knows every rule; this lane only ever answers what the app would answer, identically (a test
compares the two, header by header).
"""

from __future__ import annotations

import binascii
import functools
import itertools
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from werkzeug.sansio.utils import get_host

from core.guard import QueryRejected, analyse
from server.answering import REPLAY_MARK, TRUNCATED_HEADER, build_job, failure
from server.backend import PoolUnavailable
from server.cache import CachingBackend
from server.cors import EXPOSED_HEADERS
from server.errors import ApiError
from server.evaluation import Outcome
from server.evaluators.client import EvaluatorClient
from server.inline import InlineStore
from server.negotiation import FORMAT_PARAMETERS, format_parameter, prefers_html
from server.protocol import QueryRequest
from server.state import ServerState

_CORS = [("access-control-allow-origin", "*"), ("access-control-expose-headers", EXPOSED_HEADERS)]
_TEXT = "text/plain; charset=utf-8"
# headers that make an answer differ from the stored one: such requests are the app's
_NOT_REPLAYED = frozenset(
    {"if-none-match", "if-match", "if-modified-since", "if-unmodified-since", "if-range", "range"}
)
_DATASET_PARAMETERS = frozenset(
    {"default-graph-uri", "named-graph-uri", "update", "using-graph-uri", "using-named-graph-uri"}
)
_REMEMBERED_KEYS = 4096
_ENTRY_OVERHEAD = 650  # the key's strings, the header list, the dict slot: measured with tracemalloc (tests/perf)


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete HTTP answer, as the front sends it (:meth:`server.front.connection.Request.response_bytes`)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


ReplayKey = tuple[str, str, str, str, str, str, str]


def replay_key(scope: Any) -> ReplayKey | None:
    """What a replayable answer depends on; ``None`` for a request that must reach the app."""
    if scope.method != "GET":
        return None
    headers = scope.headers
    if not _NOT_REPLAYED.isdisjoint(headers):
        return None
    return (
        scope.scheme,
        headers.get("host", ""),
        scope.path,
        scope.query_string,
        headers.get("accept", ""),
        headers.get("accept-language", ""),
        scope.server,
    )


class ReplayCache:
    """Answers by request, least recently used first out, within ``max_bytes``; used on one event loop."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._answers: OrderedDict[ReplayKey, tuple[Answer, int]] = OrderedDict()
        self._seen: OrderedDict[int, None] = OrderedDict()  # hashes of keys offered once

    def get(self, key: ReplayKey) -> Answer | None:
        entry = self._answers.get(key)
        if entry is None:
            return None
        self._answers.move_to_end(key)
        return entry[0]

    def offer(self, key: ReplayKey, answer: Answer) -> None:
        """Keep ``answer`` if ``key`` was offered before (a second asking), within the budget."""
        size = len(answer.body) + sum(map(len, itertools.chain.from_iterable(answer.headers))) + _ENTRY_OVERHEAD
        if size > self.max_bytes // 4 or key in self._answers:
            return
        fingerprint = hash(key)
        if fingerprint not in self._seen:
            self._seen[fingerprint] = None
            if len(self._seen) > _REMEMBERED_KEYS:
                self._seen.popitem(last=False)
            return
        del self._seen[fingerprint]
        self._answers[key] = (answer, size)
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, (_, dropped) = self._answers.popitem(last=False)
            self.bytes -= dropped

    def __len__(self) -> int:
        return len(self._answers)


class ExpressLane:
    """Replays and plain queries for one HTTP worker (see the module's docstring)."""

    def __init__(self, state: ServerState, client: EvaluatorClient, backend: CachingBackend) -> None:
        self._state = state
        self._client = client
        self._backend = backend
        self._settings = state.settings
        self._limits = state.settings.limits  # derived on every call: read it once
        budget = backend.cache.share_with_replays() if backend.cache is not None else 0  # one --cache-mb for both
        self.replays = ReplayCache(budget) if budget > 0 else None
        self.inline = state.inline  # the worker's copy of the store, if it has one (see for_state)

    @classmethod
    def for_state(cls, state: ServerState) -> ExpressLane | None:
        """The lane for an app in embedded mode (its data cannot change while it serves); else ``None``."""
        backend = state.backend
        if state.settings.store is not None or not isinstance(backend.backend, EvaluatorClient):
            return None
        state.inline = InlineStore.for_dataset(state.settings, state.info)  # /health reports it from the state
        if state.inline is not None:
            state.inline.start()
        return cls(state, backend.backend, backend)

    async def answer(self, scope: Any, key: ReplayKey | None) -> Answer | None:
        """A replayed or an express answer to ``scope``; ``None`` when the app must answer it.

        ``key`` is ``None`` for requests the lane leaves to the app whatever their path: not a GET, or a
        conditional or range request (the app answers 304 and 206).
        """
        if key is None:
            return None
        if self.replays is not None:
            replayed = self.replays.get(key)
            if replayed is not None:
                self._state.answered_on_loop["replayed"] += 1
                return replayed
        answer = await self.query(scope)
        if answer is None:
            return None
        self._state.answered_on_loop["express"] += 1
        if self.replays is not None and answer.status == 200:
            self.replays.offer(key, answer)
        return answer

    def keep(self, key: ReplayKey | None, environ: dict[str, Any], answer: Answer) -> None:
        """Offer the app's answer to the replays, if its view marked it and it is a complete 200."""
        if key is None or self.replays is None or answer.status != 200 or not environ.get(REPLAY_MARK):
            return
        self.replays.offer(key, _without_date(answer))

    async def query(self, scope: Any) -> Answer | None:
        """The answer to a plain ``GET /sparql`` query, or ``None`` when it is the app's to give."""
        if scope.method != "GET" or scope.path != "/sparql" or not scope.query_string:
            return None
        request = _plain_query(scope)
        if request is None:
            return None
        accept = scope.headers.get("accept")
        if not any(request.parameters.values()) and prefers_html(accept):
            return None  # a browser: the app renders a page
        try:
            shape = analyse(request.query, self._limits)
            job = build_job(
                request,
                shape,
                accept,
                format_parameter(request.parameters),
                self._settings.max_rows,
                self._state.prefix_pairs,
                _base_url(scope),
            )
        except (QueryRejected, ApiError):
            return None  # the app gives the refusal, in its words
        cache = self._backend.cache
        outcome = cache.get(job) if cache is not None else None
        if outcome is None:
            inline = self.inline
            outcome = inline.answer(job, shape.pattern) if inline is not None else None
            if outcome is not None:
                self._state.answered_on_loop["inline"] += 1
            else:
                try:
                    outcome = await self._client.evaluate(job)
                except PoolUnavailable as error:
                    return _text(error.status, error.message, [("retry-after", str(error.retry_after))])
            if cache is not None:
                outcome = cache.put(job, outcome)
        return self._answer(outcome)

    def _answer(self, outcome: Outcome) -> Answer:
        error = failure(outcome)
        if error is not None:
            return _text(error.status, error.message, list(error.headers.items()))
        headers = [
            ("content-type", outcome.content_type),
            (TRUNCATED_HEADER.lower(), "true" if outcome.truncated else "false"),
            ("vary", "Accept"),
        ]
        if outcome.etag:
            headers.append(("etag", f'"{outcome.etag}"'))
            headers.append(("cache-control", f"public, max-age={self._settings.cache_max_age}"))
        return Answer(200, headers + _CORS, outcome.body)


def _plain_query(scope: Any) -> QueryRequest | None:
    """The query of a query string with nothing the lane leaves to the app; else ``None``."""
    string = scope.query_string
    if string.startswith("query=") and "&" not in string:  # most tools send the query alone
        text = unquote_plus_fast(string[6:])
        return QueryRequest(query=text, default_graphs=None, named_graphs=None, parameters=_no_format())
    query: str | None = None
    parameters = _no_format()
    seen: set[str] = set()
    for name, value in parse_qsl(scope.query_string, keep_blank_values=True, errors="replace"):
        if name in seen and (name == "query" or name in parameters):
            return None
        seen.add(name)
        if name == "query":
            query = value
        elif name in parameters:
            parameters[name] = value
        elif name in _DATASET_PARAMETERS:
            return None
    if query is None:
        return None
    return QueryRequest(query=query, default_graphs=None, named_graphs=None, parameters=parameters)


def _no_format() -> dict[str, str]:
    return dict.fromkeys(FORMAT_PARAMETERS, "")


_MALFORMED_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def unquote_plus_fast(text: str) -> str:
    """``urllib.parse.unquote_plus(text, errors="replace")``, five times faster on a query string.

    The standard function decodes escapes in a Python loop, about 11 us for a query with prefixes. Here
    the escapes become quoted-printable ones (``%XX`` -> ``=XX``, a literal ``=`` -> ``=3D``), which
    ``binascii`` decodes in C. Text where the two readings could differ (a ``%`` without two hex digits
    after it, or characters beyond ASCII) takes the standard function; a property test holds the two equal.
    """
    if not text.isascii() or _MALFORMED_ESCAPE.search(text):
        return unquote_plus(text, errors="replace")
    quoted = text.replace("=", "=3D").replace("%", "=").replace("+", " ")
    return binascii.a2b_qp(quoted.encode("ascii")).decode("utf-8", "replace")


def _base_url(scope: Any) -> str:
    """The request's URL without its query string, as Werkzeug's ``request.base_url`` spells it."""
    return _spelled_base_url(scope.scheme, scope.headers.get("host"), scope.server, scope.path)


@functools.lru_cache(maxsize=64)  # the same few hosts and one path, request after request
def _spelled_base_url(scheme: str, host_header: str | None, server: str, path: str) -> str:
    host, _, port = server.rpartition(":")
    name = get_host(scheme, host_header, (host, int(port) if port.isdigit() else None))
    return f"{scheme}://{name}{path}"


def _text(status: int, message: str, headers: list[tuple[str, str]]) -> Answer:
    body = (message.rstrip("\n") + "\n").encode("utf-8")
    named = [(name.lower(), value) for name, value in headers]
    return Answer(status, [("content-type", _TEXT), *named, *_CORS], body)


def _without_date(answer: Answer) -> Answer:
    """The answer without its ``Date`` header, which the front sets afresh on every answer it sends."""
    return Answer(answer.status, [(n, v) for n, v in answer.headers if n.lower() != "date"], answer.body)
