"""The remote backend: every job answered by an external SPARQL 1.1 store over the SPARQL Protocol.

The server then holds no data and no state of its own, so any number of replicas can share one store. The
guarantees of the embedded mode are kept here, before and after the store: the views refuse SERVICE and
oversized or too deeply nested queries before a job exists; the row cap is the same ``LIMIT`` wrapping
(graphs are cut after ``max_rows`` triples while they stream in); the deadline is a client-side one on
every socket operation (plus the store's own timeout parameter when configured). The store's answer is
read completely and parsed before any status is sent, then serialised by the same code as the embedded
evaluators, so both modes give the same bytes, and an answer the store cut off is a 502, never a 200.

Which graphs make up the default graph, and the dataset version, come from the metadata graph ``kg
publish`` writes (:mod:`server.remote.meta`); it is re-read every ``refresh`` seconds so that a publish
is picked up by every replica without a restart.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from core.settings import StoreLocation
from server.backend import BackendLimits, PoolUnavailable, StoreFailed, StoreTimedOut
from server.dataset import DatasetError, DatasetInfo, Dump, dumps_from_manifest
from server.evaluation import Job, Outcome, serialise
from server.remote.connections import BadAnswer, Connections, Reply, TimedOut, Unreachable
from server.remote.meta import FIND_QUERY, Published, meta_graph_iri, read_published

log = logging.getLogger(__name__)

ACCEPT = "application/sparql-results+xml, application/sparql-results+json;q=0.9, application/n-triples;q=0.8"
RESULT_TYPES = {
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": ox.QueryResultsFormat.CSV,
}
MAX_ANSWER_BYTES = 256 * 1024 * 1024  # beyond this the store's answer is refused (502) rather than held
PING_SECONDS = 3.0


class RemoteBackend:
    """Sends jobs to the store at ``location``; thread-safe, one per HTTP worker process."""

    def __init__(
        self,
        location: StoreLocation,
        options: BackendLimits,
        refresh: float,
        base_iri: str,
        build_dir: Path | None = None,
    ) -> None:
        self.location = location
        self._options = options
        self._refresh = refresh
        self._base_iri = base_iri
        self._build_dir = build_dir
        try:
            self._connections = Connections(location.url, options.size)
        except ValueError as error:
            raise DatasetError(f"--backend: {error}") from None
        self._slots = threading.BoundedSemaphore(options.size)
        self._lock = threading.Lock()
        self._pending = 0
        self._published: Published | None = None
        self._checked_at = 0.0
        self._refresh_lock = threading.Lock()
        self._infos: dict[str, DatasetInfo] = {}

    # lifecycle -------------------------------------------------------------------------------------
    def start(self, on_broken: Callable[[], None] | None = None) -> None:
        """Forget connections inherited across a fork: a socket must never be shared by two processes.

        Nothing local can break beyond repair (the store's outages are answered with 502/503 until it is
        back), so ``on_broken`` is never called.
        """
        self._connections.close()

    def close(self) -> None:
        self._connections.close()

    @property
    def alive(self) -> int:
        """1 when the store answers now (the metadata graph is re-read), 0 otherwise."""
        try:
            self.published(force=True, timeout=min(PING_SECONDS, self._options.deadline))
        except PoolUnavailable:
            return 0
        return 1

    # the dataset -----------------------------------------------------------------------------------
    def published(self, force: bool = False, timeout: float | None = None) -> Published:
        """What ``kg publish`` last wrote to the store, re-read when older than ``refresh`` seconds."""
        current = self._published
        if current is not None and not force and time.monotonic() < self._checked_at + self._refresh:
            return current
        with self._refresh_lock:
            if self._published is not None and not force and time.monotonic() < self._checked_at + self._refresh:
                return self._published
            try:
                found = self._find_published(timeout or self._options.deadline)
            except PoolUnavailable:
                if self._published is None or force:
                    raise
                self._checked_at = time.monotonic()  # keep serving the last known version; retry later
                return self._published
            if self._published is not None and found.version != self._published.version:
                log.warning("the store now holds dataset version %s", found.version[:16])
            self._published, self._checked_at = found, time.monotonic()
            return found

    def info(self) -> DatasetInfo:
        """The published dataset's description; dumps come from the local build when it is the same version."""
        published = self.published()
        info = self._infos.get(published.version)
        if info is None:
            info = published.info()
            dumps = local_dumps(self._build_dir, published.version) if self._build_dir else {}
            if dumps:
                info = dataclasses.replace(info, dumps=dumps)
            self._infos = {published.version: info}
        return info

    def _find_published(self, timeout: float) -> Published:
        deadline_at = time.monotonic() + timeout
        reply = self._send(FIND_QUERY, (), (), deadline_at, accept="application/sparql-results+json")
        if reply.status != 200:
            self._raise_for(reply)
        try:
            rows = json.loads(reply.body)["results"]["bindings"]
            found = [read_published(row["g"]["value"], row["m"]["value"]) for row in rows]
        except (ValueError, KeyError, TypeError) as error:
            message = f"the store's metadata graph cannot be read ({error})"
            raise StoreFailed(message, self._options.retry_after) from None
        if not found:
            raise PoolUnavailable(
                f"the store at {self.location.url} holds no dataset published by `kg publish`; "
                f"run `kg publish --to {self.location.url}`",
                self._options.retry_after,
            )
        preferred = meta_graph_iri(self._base_iri)
        return next((p for p in found if p.iri == preferred), found[0])

    # queries ---------------------------------------------------------------------------------------
    def run(self, job: Job) -> Outcome:
        published = self.published()
        graphs = published.data_graphs
        if job.default_graphs is not None or job.named_graphs is not None:
            default, named = job.default_graphs or (), job.named_graphs or ()
        elif job.query_has_dataset:
            default, named = (), ()
        else:  # the union of the published graphs, stated in the protocol so that it works on any store
            default, named = graphs, graphs
        with self._admission() as deadline_at:
            capped = job.capped_query is not None
            reply = self._send(job.capped_query or job.query, default, named, deadline_at, enough=_enough(job))
            if reply.status == 400 and capped:  # the original text gives the client a message about what it sent
                reply, capped = self._send(job.query, default, named, deadline_at, enough=_enough(job)), False
                if reply.status == 200:
                    log.warning("row cap not applied: the wrapped query was refused by the store")
            return self._outcome(reply, job, capped)

    @contextlib.contextmanager
    def _admission(self) -> Iterator[float]:
        options = self._options
        with self._lock:
            if self._pending >= options.size + options.queue_size:
                raise PoolUnavailable("the server is busy: too many queries waiting", options.retry_after)
            self._pending += 1
        deadline_at = time.monotonic() + options.deadline
        try:
            if not self._slots.acquire(timeout=options.deadline):
                raise PoolUnavailable(
                    "the server is busy: no connection to the store became free in time", options.retry_after
                )
            try:
                yield deadline_at
            finally:
                self._slots.release()
        finally:
            with self._lock:
                self._pending -= 1

    def _send(
        self,
        query: str,
        default: tuple[str, ...],
        named: tuple[str, ...],
        deadline_at: float,
        accept: str = ACCEPT,
        enough: object = None,
    ) -> Reply:
        fields = [("query", query), *(("default-graph-uri", g) for g in default)]
        fields += [("named-graph-uri", g) for g in named]
        if self.location.timeout_parameter:
            name, _, unit = self.location.timeout_parameter.partition(":")
            seconds = self._options.deadline
            fields.append((name, str(int(seconds * 1000)) if unit == "ms" else f"{seconds:g}"))
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        try:
            return self._connections.request(
                "POST",
                self.location.query_path,
                deadline_at,
                urlencode(fields).encode("utf-8"),
                headers,
                enough,  # type: ignore[arg-type]
            )
        except Unreachable as error:
            raise PoolUnavailable(
                f"the SPARQL store at {self.location.url} is unreachable ({error}); try again later",
                self._options.retry_after,
            ) from None
        except TimedOut:
            raise StoreTimedOut(
                f"the SPARQL store did not answer within the {self._options.deadline:g} s limit",
                self._options.retry_after,
            ) from None
        except BadAnswer as error:
            raise StoreFailed(f"the SPARQL store sent a broken answer: {error}", self._options.retry_after) from None

    def _outcome(self, reply: Reply, job: Job, capped: bool) -> Outcome:
        if reply.status == 400:
            return Outcome(kind="syntax", message=_short(reply.text))
        if reply.status != 200:
            self._raise_for(reply)
        media_type = reply.content_type.split(";")[0].strip().lower()
        if media_type in RESULT_TYPES:
            if not reply.complete:
                raise StoreFailed(
                    f"the store's answer is larger than {MAX_ANSWER_BYTES} bytes", self._options.retry_after
                )
            try:
                result = ox.parse_query_results(reply.body, format=RESULT_TYPES[media_type])
            except (SyntaxError, ValueError) as error:
                raise StoreFailed(
                    f"the store's answer is incomplete or malformed ({error})", self._options.retry_after
                ) from None
            outcome = serialise(_standard_ask(result), job, capped)
            if outcome.kind == "error":  # parsing is lazy: a cut-off answer shows up while re-serialising
                raise StoreFailed(
                    f"the store's answer is incomplete or malformed ({outcome.message})", self._options.retry_after
                )
            return outcome
        if media_type in ("application/n-triples", "text/plain"):
            return serialise(self._triples(reply, job), job, False)
        raise StoreFailed(
            f"the store answered in an unexpected format ({media_type or 'none'})", self._options.retry_after
        )

    def _triples(self, reply: Reply, job: Job) -> list[ox.Triple]:
        lines = [line for line in reply.body.split(b"\n") if line.strip() and not line.lstrip().startswith(b"#")]
        if not reply.complete:
            lines = lines[: job.max_rows + 1]
        try:
            quads = ox.parse(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_TRIPLES)
            return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        except (SyntaxError, ValueError) as error:
            raise StoreFailed(f"the store's graph is malformed ({error})", self._options.retry_after) from None

    def _raise_for(self, reply: Reply) -> None:
        detail = f"{reply.status}: {_short(reply.text)}" if reply.text else str(reply.status)
        if reply.status in (429, 503):
            raise PoolUnavailable(f"the SPARQL store refused the query for now ({detail})", self._options.retry_after)
        if reply.status == 504:
            raise StoreTimedOut(f"the SPARQL store gave up on the query ({detail})", self._options.retry_after)
        raise StoreFailed(f"the SPARQL store answered with an error ({detail})", self._options.retry_after)


_VIRTUOSO_ASK = ox.Variable("__ASK_RETVAL")


def _standard_ask(result: object) -> object:
    """Virtuoso answers ASK as one solution binding ``__ASK_RETVAL`` to 1 or 0, in JSON and XML alike and
    whatever the Accept header asks; this turns that into the standard boolean answer."""
    if not isinstance(result, ox.QuerySolutions) or result.variables != [_VIRTUOSO_ASK]:
        return result
    values = [solution[_VIRTUOSO_ASK] for solution in result]
    truth = bool(values) and values[0] is not None and values[0].value in ("1", "true")
    document = b'{"head": {}, "boolean": ' + (b"true" if truth else b"false") + b"}"
    return ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)


def local_dumps(build_dir: Path, version: str) -> dict[str, Dump]:
    """The dumps of a local build, when it is the build the store holds (same version); else none.

    Dumps are byte-for-byte reproducible files whose SHA-256 is their ETag; a replica that has the build
    directory serves them as the embedded mode does, instead of streaming the whole store at each download.
    """
    try:
        manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if manifest.get("version") != version:
        return {}
    return dumps_from_manifest(manifest, build_dir)


def _enough(job: Job):
    """Stop reading a graph after ``max_rows + 1`` triples, and any answer past ``MAX_ANSWER_BYTES``."""
    lines_wanted = job.max_rows + 2  # one more triple than the cap, and a possible comment line

    def enough(content_type: str, body: bytearray) -> bool:
        if len(body) > MAX_ANSWER_BYTES:
            return True
        return content_type.startswith("application/n-triples") and body.count(b"\n") > lines_wanted

    return enough


def _short(text: str, limit: int = 500) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."
