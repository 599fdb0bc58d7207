"""The one configuration object of the server.

Every option of ``kg serve`` lands here and is passed down explicitly (app factory, pool, dataset
loader); nothing reads the environment or a global at import time, so tests build their own.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from core.guard import Limits
from core.iris import DEFAULT_BASE_IRI
from server.backend import BackendLimits


def usable_cores() -> int:
    """The cores this process may run on: the default count of HTTP workers and of evaluators."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_build_dir() -> Path:
    """``graph/build`` of the repository this package sits in (where ``kg build`` writes)."""
    return Path(__file__).resolve().parents[1] / "graph" / "build"


def default_queries_dir() -> Path:
    """``queries/`` of the repository: the saved queries served under ``/queries``."""
    return Path(__file__).resolve().parents[1] / "queries"


def default_seeds_dir() -> Path:
    """``seeds/`` of the repository: the source texts the pages quote and highlight."""
    return Path(__file__).resolve().parents[1] / "seeds"


def default_node_modules_dir() -> Path:
    """``node_modules/`` of the repository (``npm ci``): the query editor's files, served locally."""
    return Path(__file__).resolve().parents[1] / "node_modules"


@dataclass(frozen=True, slots=True)
class DataFile:
    """An RDF file to serve instead of the build; triples go to ``graph`` (or the default graph)."""

    path: Path
    graph: str | None = None


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """A SPARQL 1.1 store reached over HTTP: its base URL and where its endpoints are below it.

    The defaults are Oxigraph's (``oxigraph serve``); the README gives the paths of Fuseki and Virtuoso.
    ``timeout_parameter`` is the store's own per-query timeout parameter, ``name`` or ``name:ms`` (the
    value is sent in seconds, or milliseconds), when it has one; the client-side deadline applies anyway.
    """

    url: str
    query_path: str = "/query"
    update_path: str = "/update"
    gsp_path: str = "/store"
    timeout_parameter: str | None = None


@dataclass(frozen=True)
class Settings:
    """Options of the server, with the defaults ``kg serve`` uses."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=usable_cores)
    query_timeout: float = 10.0
    max_rows: int = 10_000
    max_body_bytes: int = 1_048_576
    queue_size: int = 16
    limits: Limits = field(default_factory=Limits)
    build_dir: Path = field(default_factory=default_build_dir)
    data_files: tuple[DataFile, ...] = ()
    queries_dir: Path = field(default_factory=default_queries_dir)
    seeds_dir: Path = field(default_factory=default_seeds_dir)
    node_modules_dir: Path = field(default_factory=default_node_modules_dir)
    base_iri: str = DEFAULT_BASE_IRI
    title: str = "Morocco Digital and AI Policy Knowledge Graph"
    license: str = "https://creativecommons.org/licenses/by/4.0/"
    worker_memory_mb: int = 2048
    isolate_network: bool = True
    cache_bytes: int = 64 * 1024 * 1024  # answers kept per HTTP worker (server.cache); 0 turns the cache off
    cache_max_age: int = 300  # seconds clients and proxies may reuse an answer or a dump without asking
    http_workers: int = field(default_factory=usable_cores)  # HTTP processes, each with its own answer cache
    header_timeout: float = 10.0  # seconds a client has to send a request's headers before it is disconnected
    max_connections: int = 16_384  # open client connections held at once (idle keep-alive ones included)
    backlog: int = 1024  # connections the kernel queues beyond ``max_connections`` before it refuses them
    # Remote mode: answer every query through this store (no embedded store, no evaluator processes);
    # ``workers`` then bounds the concurrent requests (pooled keep-alive connections) to the store.
    store: StoreLocation | None = None
    store_refresh: float = 5.0  # seconds between checks of the store's published dataset version

    @property
    def retry_after(self) -> int:
        """Seconds a client is told to wait after a 503: one deadline, at least one second."""
        return max(1, math.ceil(self.query_timeout))

    @property
    def backend_limits(self) -> BackendLimits:
        return BackendLimits(size=self.workers, deadline=self.query_timeout, queue_size=self.queue_size)

    @property
    def http_threads(self) -> int:
        """Request threads per HTTP worker: every evaluator busy, a full queue, and room for pages that need
        no evaluator (dumps, health, static files). Waiting connections beyond them cost no thread."""
        return self.workers + self.queue_size + 4
