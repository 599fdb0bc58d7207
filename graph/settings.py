"""One settings object for the build and the command line.

Values come from defaults, then environment variables (``KG_*``), then explicit
arguments: nothing is read at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.iris import DEFAULT_BASE_IRI

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BuildSettings:
    """Where the inputs are, where the build goes, and the base IRI of the data."""

    ontology_dir: Path = field(default_factory=lambda: REPO_ROOT / "ontology")
    seeds_dir: Path = field(default_factory=lambda: REPO_ROOT / "seeds")
    queries_dir: Path = field(default_factory=lambda: REPO_ROOT / "queries")
    build_dir: Path = field(default_factory=lambda: REPO_ROOT / "graph" / "build")
    base_iri: str = DEFAULT_BASE_IRI
    reasoner: bool = True
    docs: bool = True

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> BuildSettings:
        """Defaults, overridden by ``KG_*`` environment variables, then by explicit values."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in ("ontology_dir", "seeds_dir", "queries_dir", "build_dir"):
            if f"KG_{name.upper()}" in env:
                values[name] = Path(env[f"KG_{name.upper()}"])
        if "KG_BASE_IRI" in env:
            values["base_iri"] = env["KG_BASE_IRI"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = replace(cls(), **values)  # type: ignore[arg-type]
        if not settings.base_iri.endswith(("/", "#")):
            raise ValueError(f"base IRI must end with '/' or '#': {settings.base_iri!r}")
        return settings
