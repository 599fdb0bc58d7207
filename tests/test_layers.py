"""The packages are layers: ``core`` below ``graph`` and ``server``, which do not know each other, and
``kg`` (the command line) above them all.

Read from the source (every ``import``, also those inside functions), so a late import cannot hide a
dependency the wrong way. The contract is data: a new exception is one line in ``ALLOWED``, with its reason.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# package -> the top-level packages its modules must not import
FORBIDDEN = {
    "core": frozenset({"kg", "graph", "server", "flask", "werkzeug", "rdflib", "pyshacl", "pylode"}),
    "graph": frozenset({"kg", "server", "flask", "werkzeug"}),
    "server": frozenset({"kg", "graph"}),
}
# files allowed to break the rules (none: the command line is the package kg/, above all three)
EXEMPT: frozenset[str] = frozenset()
# (importing file, imported module) pairs allowed despite FORBIDDEN, each with why
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Violation:
    file: str
    line: int
    imported: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.imported}"


def imported_modules(source: str) -> list[tuple[int, str]]:
    """Every absolute module named by an import statement in ``source``, with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(root: Path) -> list[Violation]:
    """Every import under ``root`` that goes against ``FORBIDDEN``, minus the exempt files and pairs."""
    found = []
    for package, forbidden in FORBIDDEN.items():
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if relative in EXEMPT:
                continue
            for line, module in imported_modules(path.read_text(encoding="utf-8")):
                if module.split(".")[0] in forbidden and (relative, module) not in ALLOWED:
                    found.append(Violation(relative, line, module))
    return found


def test_no_import_goes_against_the_layers() -> None:
    found = violations(REPO_ROOT)
    assert not found, "imports against the layers:\n" + "\n".join(f"  {v}" for v in found)


def test_every_layer_has_modules_to_check() -> None:
    """A renamed package must not make the contract pass by checking nothing."""
    for package in FORBIDDEN:
        assert len(list((REPO_ROOT / package).rglob("*.py"))) > 3, package


def test_a_wrong_way_import_is_caught(tmp_path: Path) -> None:
    """The checker itself: late imports, ``import x.y`` and ``from x import y`` are all seen."""
    (tmp_path / "core").mkdir()
    (tmp_path / "graph").mkdir()
    (tmp_path / "server").mkdir()
    (tmp_path / "core" / "lexer.py").write_text("import flask\n", encoding="utf-8")
    (tmp_path / "graph" / "build.py").write_text("def f():\n    from server.app import create_app\n")
    (tmp_path / "graph" / "cli.py").write_text("import server.cli\n", encoding="utf-8")
    (tmp_path / "server" / "app.py").write_text("from . import state\nimport graph.build\n", encoding="utf-8")
    found = {str(v) for v in violations(tmp_path)}
    assert found == {
        "core/lexer.py:1 imports flask",
        "graph/build.py:2 imports server.app",
        "graph/cli.py:1 imports server.cli",
        "server/app.py:2 imports graph.build",
    }
