"""Helpers for the server tests: a fixture build, a real server process, and a small HTTP client.

The server is always exercised as a real process over loopback HTTP, as clients see it.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
W3C_SPARQL11 = SHARED / "w3c-rdf-tests" / "sparql11"
BASE = "https://w3id.org/morocco-digital-kg/"
KG = BASE + "ontology/"
ID = BASE + "id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ACTOR_COUNT = 12


@dataclass(frozen=True)
class Answer:
    """An HTTP response, read completely."""

    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> object:
        return json.loads(self.body)


@dataclass(frozen=True)
class RunningServer:
    """A server process listening on ``host:port``."""

    host: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def endpoint(self) -> str:
        return self.url + "sparql"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Answer:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            payload = body.encode("utf-8") if isinstance(body, str) else body
            connection.request(method, path, body=payload, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()

    def query(self, query: str, accept: str | None = None, method: str = "GET", **params: str) -> Answer:
        headers = {"Accept": accept} if accept else {}
        if method == "GET":
            return self.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query, **params}), None, headers)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request("POST", "/sparql", urllib.parse.urlencode({"query": query, **params}), headers)


class ConnectionCounter:
    """A socket on 127.0.0.1 that accepts and counts every connection: a stand-in for any remote host.

    Whatever the server might be tricked into fetching (a SERVICE endpoint, a FROM graph, a JSON-LD
    context, an XML external entity) points here, so one number says whether anything left the server.
    """

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.socket.settimeout(0.1)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> int:
        """Stop listening (after a moment for late connections) and return the count."""
        time.sleep(0.2)
        self._stop.set()
        self._thread.join()
        self.socket.close()
        return self.connections


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_server(arguments: list[str], startup_timeout: float = 90) -> Iterator[RunningServer]:
    """Start ``python -m server serve`` with ``arguments`` on a free port; stop it afterwards."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [
        sys.executable,
        "-m",
        "server",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *arguments,
    ]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = RunningServer("127.0.0.1", port, process)
    try:
        _wait_until_healthy(server, startup_timeout)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def _wait_until_healthy(server: RunningServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            output = server.process.stdout.read().decode("utf-8", "replace") if server.process.stdout else ""
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{output}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if server.request("GET", "/health", timeout=2).status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("server did not become healthy in time")


def descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid`` mapped to its depth (1 = child), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    depth: dict[int, int] = {}
    frontier = [(pid, 0)]
    while frontier:
        parent, level = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent:
                depth[child] = level + 1
                frontier.append((child, level + 1))
    return depth


def processes_named(server: RunningServer, name: str) -> list[int]:
    """The server's descendants whose process name (``/proc/PID/comm``) is ``name``: ``kg-http`` (HTTP
    workers), ``kg-evaluation`` (the service holding the store) or ``kg-evaluator``."""
    found = []
    for pid in descendants(server.process.pid):
        with contextlib.suppress(OSError):
            if (Path("/proc") / str(pid) / "comm").read_text().strip() == name:
                found.append(pid)
    return sorted(found)


def evaluator_pids(server: RunningServer, expected: int | None = None, timeout: float = 10) -> list[int]:
    """The evaluators, forked by the evaluation service; with ``expected``, once that many run (a killed
    one is replaced within a moment, after a short pause if it had just started)."""
    deadline = time.monotonic() + timeout
    while True:
        found = processes_named(server, "kg-evaluator")
        if expected is None or len(found) == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


# the fixture build ------------------------------------------------------------------------------------
def _quad(s: str, p: str, o: ox.NamedNode | ox.Literal, g: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(g))


def fixture_quads() -> list[ox.Quad]:
    """A miniature policy graph: ontology, facts of one interview, provenance, inferences."""
    ontology, facts = BASE + "graph/ontology", BASE + "graph/facts/interview-1"
    provenance, inferences = BASE + "graph/provenance", BASE + "graph/inferences"
    owl_class = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
    quads = [
        _quad(KG + "Actor", RDF_TYPE, owl_class, ontology),
        _quad(KG + "Initiative", RDF_TYPE, owl_class, ontology),
        _quad(KG + "Actor", RDFS_LABEL, ox.Literal("Actor", language="en"), ontology),
        _quad(ID + "digital-morocco-2030", RDF_TYPE, ox.NamedNode(KG + "Initiative"), facts),
        _quad(ID + "digital-morocco-2030", RDFS_LABEL, ox.Literal("Maroc Digital 2030", language="fr"), facts),
        _quad(ID + "digital-morocco-2030", KG + "ledBy", ox.NamedNode(ID + "actor-1"), facts),
        _quad(
            ID + "digital-morocco-2030",
            "http://www.w3.org/ns/prov#wasDerivedFrom",
            ox.NamedNode(BASE + "source/interview-1"),
            provenance,
        ),
        _quad(ID + "actor-1", RDF_TYPE, ox.NamedNode(KG + "Agent"), inferences),
    ]
    for index in range(1, ACTOR_COUNT + 1):
        quads.append(_quad(ID + f"actor-{index}", RDF_TYPE, ox.NamedNode(KG + "Actor"), facts))
        quads.append(_quad(ID + f"actor-{index}", RDFS_LABEL, ox.Literal(f"Acteur {index}", language="fr"), facts))
    return quads


def write_fixture_build(directory: Path) -> Path:
    """Write ``kg.nq``, the dumps and ``manifest.json`` the way ``kg build`` does."""
    directory.mkdir(parents=True, exist_ok=True)
    store = ox.Store()
    store.extend(fixture_quads())
    roles = {"ontology": "ontology", "facts": "facts", "provenance": "provenance", "inferences": "inferences"}
    graphs: dict[str, dict[str, object]] = {}
    for graph in sorted(store.named_graphs(), key=lambda g: g.value):
        role = roles[graph.value.removeprefix(BASE + "graph/").split("/")[0]]
        graphs[graph.value] = {
            "role": role,
            "triples": len(list(store.quads_for_pattern(None, None, None, graph))),
        }
    union = [ox.Triple(q.subject, q.predicate, q.object) for q in store]
    outputs = {
        "nquads": ("kg.nq", ox.RdfFormat.N_QUADS, store.dump(format=ox.RdfFormat.N_QUADS)),
        "trig": ("kg.trig", ox.RdfFormat.TRIG, store.dump(format=ox.RdfFormat.TRIG)),
        "turtle": ("kg.ttl", ox.RdfFormat.TURTLE, ox.serialize(union, format=ox.RdfFormat.TURTLE)),
        "ntriples": ("kg.nt", ox.RdfFormat.N_TRIPLES, ox.serialize(union, format=ox.RdfFormat.N_TRIPLES)),
        "jsonld": ("kg.jsonld", ox.RdfFormat.JSON_LD, ox.serialize(union, format=ox.RdfFormat.JSON_LD)),
        "rdfxml": ("kg.rdf", ox.RdfFormat.RDF_XML, ox.serialize(union, format=ox.RdfFormat.RDF_XML)),
    }
    dumps = {}
    for key, (name, rdf_format, content) in outputs.items():
        (directory / name).write_bytes(content)
        dumps[key] = {
            "file": name,
            "media_type": rdf_format.media_type,
            "sha256": hashlib.sha256(content).hexdigest(),
            "bytes": len(content),
        }
    manifest = {
        "version": dumps["nquads"]["sha256"],
        "base_iri": BASE,
        "graphs": graphs,
        "dumps": dumps,
        "triples": len(store),
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return directory
