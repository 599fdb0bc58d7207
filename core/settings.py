"""Every option of the project, declared once: paths, the base IRI, build, serve and publish options.

Each field of :class:`Settings` carries its default, its help text and the ``kg`` subcommands it belongs
to. From that one declaration come the command-line options of every subcommand (:func:`add_options`),
the ``KG_*`` environment variables that every subcommand honours (``KG_PORT``, ``KG_BUILD_DIR``...) and
the values the build and the server receive (:mod:`core.options` derives them). Precedence: defaults,
then the environment, then the command line. Nothing here is read at import time: :meth:`Settings.resolve`
reads what it is given.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import options
from core.guard import Limits
from core.iris import DEFAULT_BASE_IRI
from core.options import BUILD, EVERY_COMMAND, PUBLISH, QUERY, SERVE, option

REPO_ROOT = Path(__file__).resolve().parents[1]
_GRAPH_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:.*")


def usable_cores() -> int:
    """The cores this process may run on: the default count of HTTP workers and of evaluators."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class DataFile:
    """An RDF file to serve instead of the build; triples go to ``graph`` (or the default graph)."""

    path: Path
    graph: str | None = None

    @classmethod
    def parse(cls, value: str) -> DataFile:
        """``FILE`` or ``GRAPH-IRI=FILE`` (the part before ``=`` must be an absolute IRI)."""
        graph, equals, path = value.partition("=")
        if equals and _GRAPH_PREFIX.fullmatch(graph):
            return cls(path=Path(path), graph=graph)
        return cls(path=Path(value))


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
    """The options of every ``kg`` subcommand, with their defaults."""

    # where things are ------------------------------------------------------------------------------
    build_dir: Path = option(
        default_factory=lambda: REPO_ROOT / "graph" / "build",
        help="the build: written by kg build, read by the other commands",
        commands=EVERY_COMMAND,
        metavar="DIR",
    )
    seeds_dir: Path = option(
        default_factory=lambda: REPO_ROOT / "seeds",
        help="the source documents and their mapping (the pages quote and highlight the texts)",
        commands=(BUILD, SERVE),
        metavar="DIR",
    )
    ontology_dir: Path = option(
        default_factory=lambda: REPO_ROOT / "ontology",
        help="the ontology and the SHACL shapes",
        commands=(BUILD,),
        metavar="DIR",
    )
    queries_dir: Path = option(
        default_factory=lambda: REPO_ROOT / "queries",
        help="the saved queries and the quality rules",
        commands=(BUILD, QUERY, SERVE),
        metavar="DIR",
    )
    node_modules_dir: Path = option(
        default_factory=lambda: REPO_ROOT / "node_modules",
        help="the query editor's files, installed by npm ci and served locally",
    )
    base_iri: str = option(
        DEFAULT_BASE_IRI,
        help="base IRI of the data (built under it; --data files served under it)",
        commands=(BUILD, SERVE),
    )
    # build -----------------------------------------------------------------------------------------
    reasoner: bool = option(True, help="run HermiT (the inferences graph)", commands=(BUILD,))
    docs: bool = option(True, help="generate the ontology's HTML documentation (pyLODE)", commands=(BUILD,))
    # serve: HTTP -----------------------------------------------------------------------------------
    host: str = option("127.0.0.1", help="interface to listen on", commands=(SERVE,))
    port: int = option(8000, help="TCP port", commands=(SERVE,), minimum=0)
    http_workers: int = option(
        default_factory=usable_cores,
        help="HTTP processes, each with its own answer cache",
        commands=(SERVE,),
        metavar="N",
        minimum=1,
        shown_default="one per core",
    )
    max_connections: int = option(
        16_384,
        help="client connections held at once, idle keep-alive ones included; beyond, 503 with Retry-After",
        commands=(SERVE,),
        metavar="N",
        minimum=1,
    )
    header_timeout: float = option(
        10.0,
        help="seconds a client has to send a request's headers; idle keep-alive connections are closed after it",
        commands=(SERVE,),
        metavar="SECONDS",
        minimum=0.001,
    )
    body_timeout: float = option(
        10.0,
        help="seconds a client has to send a request's body once its headers are in (408 past it)",
        commands=(SERVE,),
        metavar="SECONDS",
        minimum=0.001,
    )
    max_body_bytes: int = option(
        1_048_576, help="largest request body; larger gets 413", commands=(SERVE,), metavar="BYTES", minimum=1
    )
    cache_mb: int = option(
        64,
        help="memory for cached answers per HTTP worker (answer cache and replays together); 0 turns caching off",
        commands=(SERVE,),
        metavar="MB",
        minimum=0,
    )
    cache_max_age: int = option(
        300, help="Cache-Control max-age of query answers and dumps", commands=(SERVE,), metavar="SECONDS", minimum=0
    )
    # serve: evaluation -----------------------------------------------------------------------------
    workers: int = option(
        default_factory=usable_cores,
        help="query evaluator processes",
        commands=(SERVE,),
        metavar="N",
        minimum=1,
        shown_default="one per core",
    )
    query_timeout: float = option(
        10.0,
        help="hard deadline per query; past it the evaluator is killed and the client gets 503",
        commands=(SERVE,),
        metavar="SECONDS",
        minimum=0.001,
    )
    inline_max_triples: int = option(
        2_000_000,
        help="each HTTP worker loads its own copy of data of at most N triples, to answer queries over one "
        "triple pattern of few matches without an evaluator; 0 turns it off",
        commands=(SERVE,),
        metavar="N",
        minimum=0,
    )
    inline_max_matches: int = option(
        1_000,
        help="most matches of a one-pattern query answered by the HTTP worker's copy; more go to an evaluator",
        commands=(SERVE,),
        metavar="N",
        minimum=1,
    )
    queue_size: int = option(
        16, help="queries that may wait for a free evaluator before 503", commands=(SERVE,), metavar="N", minimum=0
    )
    max_rows: int = option(
        10_000,
        help="most rows (or triples) in one answer; more sets X-Result-Truncated",
        commands=(SERVE,),
        metavar="N",
        minimum=1,
    )
    data_files: tuple[DataFile, ...] = option(
        (),
        help="serve these RDF files instead of the build; GRAPH= names the graph of a triples file",
        commands=(SERVE,),
        metavar="[GRAPH=]FILE",
        flag="--data",
        parse=DataFile.parse,
    )
    backlog: int = option(1024, help="new connections the kernel queues until a worker accepts them", minimum=1)
    worker_memory_mb: int = option(2048, help="address space an evaluator may add to the store's", minimum=0)
    isolate_network: bool = option(True, help="put the evaluators in a private network namespace")
    express: bool = option(True, help="answer plain /sparql queries and repeated answers without the web app")
    # serve: from a remote store --------------------------------------------------------------------
    backend: str | None = option(
        None,
        help="answer every query through the SPARQL store at URL (e.g. http://127.0.0.1:7878), filled by "
        "kg publish --to URL; nothing is loaded and no evaluator forked",
        commands=(SERVE,),
        metavar="URL",
    )
    store_timeout_param: str | None = option(
        None,
        help="the store's own per-query timeout parameter, sent with --query-timeout (seconds, or "
        "milliseconds with :ms), e.g. timeout (Fuseki) or timeout:ms (Virtuoso)",
        commands=(SERVE,),
        metavar="NAME[:ms]",
    )
    store_refresh: float = option(
        5.0,
        help="seconds between checks of the store's published version",
        commands=(SERVE,),
        metavar="SECONDS",
        minimum=0.001,
    )
    query_path: str = option("/query", help="the store's SPARQL query endpoint", commands=(SERVE, PUBLISH))
    update_path: str = option("/update", help="the store's SPARQL Update endpoint", commands=(PUBLISH,))
    gsp_path: str = option("/store", help="the store's Graph Store Protocol endpoint", commands=(PUBLISH,))
    # publish ---------------------------------------------------------------------------------------
    publish_to: str | None = option(
        None, help="the store's base URL, e.g. http://127.0.0.1:7878", commands=(PUBLISH,), metavar="URL", flag="--to"
    )
    direct: bool = option(
        False,
        help="PUT each graph onto its name, without staging graphs and MOVE (for stores without SPARQL "
        "Update; not atomic across graphs)",
        commands=(PUBLISH,),
    )
    publish_timeout: float = option(
        300.0,
        help="deadline of each request to the store",
        commands=(PUBLISH,),
        metavar="SECONDS",
        flag="--timeout",
        minimum=0.001,
    )
    # what the service description and VoID say ---------------------------------------------------
    title: str = option("Morocco Digital and AI Policy Knowledge Graph", help="the dataset's title")
    license: str = option("https://creativecommons.org/licenses/by/4.0/", help="the dataset's licence (an IRI)")

    def __post_init__(self) -> None:
        if not self.base_iri.endswith(("/", "#")):
            raise ValueError(f"base IRI must end with '/' or '#': {self.base_iri!r}")

    # derived values --------------------------------------------------------------------------------
    @property
    def limits(self) -> Limits:
        """Query size limits: never more characters than the largest body."""
        default = Limits()
        return dataclasses.replace(default, max_chars=min(default.max_chars, self.max_body_bytes))

    @property
    def cache_bytes(self) -> int:
        return self.cache_mb * 1024 * 1024

    @property
    def store(self) -> StoreLocation | None:
        """The remote store ``kg serve`` answers through, if any."""
        if self.backend is None:
            return None
        return StoreLocation(self.backend, self.query_path, timeout_parameter=self.store_timeout_param)

    @property
    def publish_location(self) -> StoreLocation | None:
        """The store ``kg publish`` writes to."""
        if self.publish_to is None:
            return None
        return StoreLocation(self.publish_to, self.query_path, self.update_path, self.gsp_path)

    @property
    def retry_after(self) -> int:
        """Seconds a client is told to wait after a 503: one deadline, at least one second."""
        return max(1, math.ceil(self.query_timeout))

    @property
    def http_threads(self) -> int:
        """Request threads per HTTP worker: every evaluator busy, a full queue, and room for pages that need
        no evaluator (dumps, health, static files). Waiting connections beyond them cost no thread."""
        return self.workers + self.queue_size + 4

    # where values come from ------------------------------------------------------------------------
    @classmethod
    def resolve(cls, environ: Mapping[str, str] | None = None, arguments: argparse.Namespace | None = None) -> Settings:
        """Defaults, then ``KG_*`` variables of ``environ`` (the process's by default), then the options
        given on the command line (``arguments`` from a parser built by :func:`add_options`)."""
        values = options.from_environment(cls, os.environ if environ is None else environ)
        if arguments is not None:
            values.update(options.from_arguments(cls, arguments))
        return cls(**values)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then the environment, then ``overrides`` (``None`` values are ignored)."""
        values = options.from_environment(cls, os.environ if environ is None else environ)
        values.update({name: value for name, value in overrides.items() if value is not None})
        return cls(**values)


def add_options(parser: argparse.ArgumentParser, command: str) -> None:
    """Add the options of ``command`` to ``parser``; every default shown comes from :class:`Settings`."""
    options.add_options(parser, command, Settings.from_env({}), REPO_ROOT)
