"""A small on-disk cache for the build's slow, pure stages (HermiT, pyLODE), keyed by a hash of their input.

Entries live in a directory beside the build (``graph/.build.<stage>-cache/``), so they outlive the atomic
swap of the build directory and ``make clean`` removes them. Each entry is written to a temporary file and
renamed into place, so an interrupted build never leaves half an entry to be reused; only a few are kept.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

KEPT = 4  # entries kept per stage: a few, so switching between base IRIs or branches does not recompute


def digest(parts: Iterable[str]) -> str:
    """The SHA-256 of ``parts``, each ended by a newline (pass sorted lines for an order-free key)."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode("utf-8") + b"\n")
    return hashed.hexdigest()


def stage_cache(build_dir: Path, stage: str) -> Path:
    """The cache directory of ``stage`` for builds written to ``build_dir``."""
    return build_dir.parent / f".{build_dir.name}.{stage}-cache"


def read(cache_dir: Path | None, key: str, suffix: str) -> bytes | None:
    """The entry stored under ``key``, or ``None``; a hit is marked most recently used."""
    if cache_dir is None:
        return None
    entry = cache_dir / f"{key}{suffix}"
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    os.utime(entry)
    return data


def write(cache_dir: Path | None, key: str, suffix: str, data: bytes) -> None:
    """Store ``data`` under ``key`` by atomic rename, then drop all but the ``KEPT`` most recent entries."""
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=cache_dir)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, cache_dir / f"{key}{suffix}")
    entries = sorted(cache_dir.glob(f"*{suffix}"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEPT:]:
        old.unlink(missing_ok=True)
