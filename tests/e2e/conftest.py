"""Real-browser fixtures: headless Debian Chromium driven by Playwright, a live server."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.helpers import wait_until

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (never downloaded: Debian's package)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("STUDIO_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
        pytest.skip("Debian's chromium package is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; a screenshot is kept in test-artifacts/."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def closing(app: Flask) -> Callable[[dict[str, Any], Any], Iterator[bytes]]:
    """The app, its response closed however the request ends.

    werkzeug's dev server skips `close()` when a client's reset surfaces while it drains the
    socket after the response (browsers reset when they navigate away mid-download); the
    unclosed static file then warns when collected, in whichever test runs next. A
    generator's `finally` also runs when the generator is collected, so the file is closed.
    """

    def serve(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


class LiveServer:
    """The app served over real HTTP on a loopback port in a background thread.

    The app's PUBLIC_URL becomes the server's address, as `flask demo` does for its port.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, closing(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        app.config["PUBLIC_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


def wait_in_page(
    page: Any, condition: Callable[[], Any], timeout: float, what: str, every: float = 0.05
) -> Any:
    """`tests.helpers.wait_until` for browser tests: polls with `page.wait_for_timeout`, so
    Playwright keeps dispatching the page's events (routes, dialogs) between the checks."""
    return wait_until(condition, timeout, what, every=every, pause=page.wait_for_timeout)
