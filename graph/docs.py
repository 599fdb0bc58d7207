"""HTML documentation of the ontology, generated with pyLODE at build time.

pyLODE takes about a second, and its page depends only on the ontology graph and on pyLODE's version, so
a page is cached (:mod:`graph.cache`) under the hash of both and reused until the ontology changes. When
it must be rendered, it is rendered in a child interpreter (``python -m graph.docs``, the ontology as
Turtle on its standard input) while the build goes on writing the dumps: pyLODE is pure Python, so a
thread would only wait for the same lock, whereas a process uses the machine's other core.
"""

from __future__ import annotations

import contextlib
import io
import logging
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from rdflib import Graph

from graph import cache

_PROJECT_ROOT = Path(__file__).resolve().parents[1]


def ontology_hash(ontology: Graph) -> str:
    """A digest of the ontology's triples (order-free) and of the pyLODE version that renders them."""
    return cache.digest([_pylode_version(), *sorted(ontology.serialize(format="nt").splitlines())])


class DocsError(RuntimeError):
    """pyLODE could not render the ontology; the message is what the renderer printed."""


@dataclass
class PendingDocs:
    """An ontology page being written: from the cache at once, or by a renderer process still running."""

    target: Path
    cache_dir: Path | None
    key: str
    renderer: subprocess.Popen[bytes] | None = None

    def finish(self) -> Path:
        """Wait for the renderer, if any, write its page (and cache it); the page's path."""
        if self.renderer is not None:
            page, errors = self.renderer.communicate()
            if self.renderer.returncode != 0:  # the last line of the traceback says what went wrong
                said = errors.decode("utf-8", "replace").strip().splitlines()
                raise DocsError(said[-1] if said else f"the renderer exited with {self.renderer.returncode}")
            self.renderer = None
            cache.write(self.cache_dir, self.key, ".html", page)
            self.target.write_bytes(page)
        return self.target

    def cancel(self) -> None:
        """Stop a renderer still running (the build failed before its page was needed)."""
        if self.renderer is not None:
            self.renderer.kill()
            self.renderer.communicate()
            self.renderer = None


def start_ontology_docs(ontology: Graph, destination: Path, cache_dir: Path | None = None) -> PendingDocs:
    """Begin writing ``index.html`` for the ontology: copied from the cache when this ontology was
    rendered before, otherwise rendered by a child process; call :meth:`PendingDocs.finish` to end."""
    destination.mkdir(parents=True, exist_ok=True)
    pending = PendingDocs(destination / "index.html", cache_dir, ontology_hash(ontology) if cache_dir else "")
    page = cache.read(cache_dir, pending.key, ".html")
    if page is not None:
        pending.target.write_bytes(page)
        return pending
    with tempfile.TemporaryFile() as source:  # a file, not a pipe: writing it never waits for the child
        source.write(ontology.serialize(format="turtle", encoding="utf-8"))
        source.seek(0)
        pending.renderer = subprocess.Popen(
            [sys.executable, "-m", "graph.docs"],
            stdin=source,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=_PROJECT_ROOT,
        )
    return pending


def write_ontology_docs(ontology: Graph, destination: Path, cache_dir: Path | None = None) -> Path:
    """Write ``index.html`` for the ontology, from the cache when this ontology was rendered before."""
    return start_ontology_docs(ontology, destination, cache_dir).finish()


def _render(ontology: Graph) -> str:
    """pyLODE's page; pyLODE prints progress, which is silenced."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from pylode import OntPub  # late: slow to import, and it configures the root logger at import

    root.handlers[:], root.level = handlers, level  # undo pyLODE's logging.basicConfig(level=DEBUG)
    with contextlib.redirect_stdout(io.StringIO()):
        return str(OntPub(ontology=ontology, sort_subjects=True).make_html())


def _pylode_version() -> str:
    try:
        return "pylode " + metadata.version("pylode")
    except metadata.PackageNotFoundError:
        return "pylode"


def main() -> int:
    """The renderer process: the ontology as Turtle on standard input, its page on standard output."""
    ontology = Graph().parse(data=sys.stdin.buffer.read(), format="turtle")
    sys.stdout.buffer.write(_render(ontology).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
