"""What the browser tests share besides fixtures: where screenshots go, and how they are kept."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "ui"


def shot(page: object, name: str, full_page: bool = False) -> Path:
    """Keep a screenshot as a test artefact (tests/artifacts/ui/, not versioned)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
    return path
