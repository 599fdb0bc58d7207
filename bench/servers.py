"""Starting, measuring and stopping the three servers the benchmark compares, all on 127.0.0.1.

* this server: ``kg serve --build-dir DIR`` (its HTTP workers, the evaluation service, answer cache);
* ``oxigraph serve`` (PyPI package ``oxigraph``, the Rust server) in memory, loaded over its Graph Store
  endpoint, with the union of the named graphs as default graph (as this server has);
* rdflib-endpoint (FastAPI and rdflib's engine under uvicorn), over an rdflib ``Dataset`` with the union
  default graph, as its own ``serve`` command builds it, in two uvicorn worker processes.

The two others live in ``bench/.venv-peers``, a separate virtual environment the benchmark creates, so
that their dependencies never touch the project's.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PEERS_VENV = REPO / "bench" / ".venv-peers"
PEER_PACKAGES = ("oxigraph==0.5.13", "rdflib-endpoint[cli]==0.6.3")
PROBE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def ensure_peers() -> Path:
    """Create ``bench/.venv-peers`` with the other servers, once; return its ``bin`` directory."""
    bin_dir = PEERS_VENV / "bin"
    stamp, wanted = PEERS_VENV / ".installed", " ".join(PEER_PACKAGES)
    if not stamp.is_file() or stamp.read_text() != wanted:
        if not (bin_dir / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True)
        stamp.write_text(wanted)
    return bin_dir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running server process and what the benchmark needs to talk to it."""

    name: str
    port: int
    endpoint: str  # path of the SPARQL query endpoint
    process: subprocess.Popen[bytes]
    cold_start: float = 0.0  # seconds from launch to the first complete answer
    saved_api: bool = False  # has /queries/<name> (this server)
    log: Path | None = None
    notes: list[str] = field(default_factory=list)

    def stop(self) -> None:
        """SIGTERM the process group this server was started in, then SIGKILL what is left."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def pids(self) -> list[int]:
        """The server's process tree: its process and every descendant (evaluators included)."""
        return [self.process.pid, *_descendants(self.process.pid)]


def _launch(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(command, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def _answers(port: int, endpoint: str, timeout: float) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        path = f"{endpoint}?{urllib.parse.urlencode({'query': PROBE})}"
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _wait_for_answer(server: Server, started: float, timeout: float) -> None:
    deadline = started + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}; see {server.log}")
        if _answers(server.port, server.endpoint, timeout=max(1.0, deadline - time.monotonic())):
            server.cold_start = time.monotonic() - started
            return
        time.sleep(0.02)
    raise RuntimeError(f"{server.name} gave no answer within {timeout:.0f} s; see {server.log}")


def start_kg(build_dir: Path, logs: Path, http_workers: int | None = None, workers: int | None = None) -> Server:
    """``kg serve`` as the README starts it (its own defaults), unless told how many processes to use."""
    port = free_port()
    log = logs / f"kg-serve-{port}.log"
    command = [
        str(REPO / ".venv" / "bin" / "kg"),
        "serve",
        "--build-dir",
        str(build_dir),
        "--port",
        str(port),
        *(["--http-workers", str(http_workers)] if http_workers else []),
        *(["--workers", str(workers)] if workers else []),
    ]
    started = time.monotonic()
    server = Server("kg serve", port, "/sparql", _launch(command, log), saved_api=True, log=log)
    _wait_for_answer(server, started, timeout=300)
    return server


def start_oxigraph(peers: Path, nquads: Path, logs: Path) -> Server:
    """``oxigraph serve`` in memory, then the data POSTed to its store; cold start covers both.

    Without ``--timeout-s``: with it, 0.5.13 starts a thread per query and, at a few thousand queries per
    second, fails to create them ("Resource temporarily unavailable") and then aborts.
    """
    port = free_port()
    log = logs / f"oxigraph-{port}.log"
    command = [str(peers / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    started = time.monotonic()
    server = Server("oxigraph serve", port, "/query", _launch(command, log), log=log)
    for _ in range(500):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            break
        time.sleep(0.01)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    with nquads.open("rb") as body:
        size = str(nquads.stat().st_size)
        connection.request(
            "POST", "/store", body=body, headers={"Content-Type": "application/n-quads", "Content-Length": size}
        )
        response = connection.getresponse()
        response.read()
    connection.close()
    if response.status >= 300:
        raise RuntimeError(f"oxigraph refused the data: {response.status}")
    _wait_for_answer(server, started, timeout=600)
    return server


def start_rdflib_endpoint(peers: Path, nquads: Path, logs: Path, workers: int = 2, timeout: float = 300) -> Server:
    """rdflib-endpoint's app, built as its ``serve`` command builds it, under uvicorn with ``workers``."""
    port = free_port()
    log = logs / f"rdflib-endpoint-{port}.log"
    env = {**os.environ, "BENCH_RDF_FILE": str(nquads), "PYTHONPATH": str(REPO / "bench" / "peers")}
    command = [
        str(peers / "uvicorn"),
        "rdflib_app:create",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    started = time.monotonic()
    server = Server("rdflib-endpoint", port, "/", _launch(command, log, env), log=log)
    _wait_for_answer(server, started, timeout=timeout)
    return server


# memory and CPU -----------------------------------------------------------------------------------------
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int | str) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name (the 3rd field first); empty once gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(entry.name)
            if len(fields) > 1:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, frontier = [], [pid]
    while frontier:
        for child in children.get(frontier.pop(), []):
            found.append(child)
            frontier.append(child)
    return found


def memory_of(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes; PSS splits pages shared after fork among their sharers."""
    rss = pss = 0
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) * 1024
    return rss, pss


def cpu_of(pid: int) -> float:
    """CPU seconds a process has used so far, user and system (0 once it has gone)."""
    fields = _stat_fields(pid)
    if len(fields) < 13:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime and stime, fields 14 and 15


def process_kind(pid: int) -> str:
    """The process's name (``/proc/PID/comm``: kg serve names its own), or ``""`` once it has gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


class CpuMeter:
    """CPU seconds each process of a server's tree spends during a run, summed by process name.

    A process that exits during the run (an evaluator killed at a deadline) takes its last seconds with
    it; one that starts during the run counts from its start.
    """

    def __init__(self, server: Server) -> None:
        self.server = server
        self.by_kind: dict[str, float] = {}
        self._before: dict[int, float] = {}

    def __enter__(self) -> CpuMeter:
        self._before = {pid: cpu_of(pid) for pid in self.server.pids()}
        return self

    def __exit__(self, *_: object) -> None:
        for pid in self.server.pids():
            kind = process_kind(pid) or "gone"
            spent = cpu_of(pid) - self._before.get(pid, 0.0)
            self.by_kind[kind] = self.by_kind.get(kind, 0.0) + max(0.0, spent)


def tree_memory(server: Server) -> tuple[int, int, dict[int, tuple[int, int]]]:
    """Summed RSS and PSS of the server's process tree, and each process's own figures."""
    each = {pid: memory_of(pid) for pid in server.pids()}
    return sum(r for r, _ in each.values()), sum(p for _, p in each.values()), each


class MemorySampler:
    """Samples a server's process-tree memory in the background; keeps the peaks."""

    def __init__(self, server: Server, interval: float = 0.25) -> None:
        self.server = server
        self.interval = interval
        self.peak_rss = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            rss, pss, _ = tree_memory(self.server)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            if self._stop.wait(self.interval):
                return
