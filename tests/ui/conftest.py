"""Browser fixtures: headless Debian Chromium driven by Playwright, against a real server on a real build.

Never downloads a browser: Playwright launches ``/usr/bin/chromium`` (or ``chromium`` on the PATH); the
tests skip, saying why, only when no Chromium can be found or Playwright is not installed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.pages.site_support import RunningServer, site_server

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


if TYPE_CHECKING:
    from tests.conftest import RealBuild


def find_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def ui_server(real_build: RealBuild) -> Iterator[RunningServer]:
    with site_server(real_build.directory) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium found (looked for /usr/bin/chromium and chromium on PATH): `make browser` installs it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed: `pip install -e '.[test]'`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, ui_server: RunningServer) -> Iterator[object]:
    """A fresh page whose requests may only go to the test server (nothing else is reachable anyway)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=ui_server.url.rstrip("/"))  # type: ignore[attr-defined]
    context.set_default_timeout(20_000)
    new_page = context.new_page()
    outside: list[str] = []
    new_page.on("request", lambda r: None if r.url.startswith(ui_server.url) else outside.append(r.url))
    yield new_page
    context.close()
    assert not outside, f"the page requested other hosts: {outside}"
