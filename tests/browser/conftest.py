"""Browser tests: Playwright's sync API driving Debian's chromium, never a downloaded browser.

Without /usr/bin/chromium these tests are skipped (``scripts/ensure-chromium.sh``
installs it), unless SCIDEX_REQUIRE_BROWSER=1 (CI), where that is a failure.

Fixtures:
- ``page``: a fresh page in its own browser context; one headless chromium per session.
- ``live_server``: a factory, ``live_server(store_url) -> base_url``, that runs
  ``python -m scidex --db URL serve`` on a free port for the rest of the test.
- ``browser_store_url``: a migrated, empty SQLite store; write into it with
  ``Store.open`` before starting the server to give a test its data.
- ``browser_atlas_url``: a SQLite store of the test's own with the curated sample atlas.
- ``atlas_server``: the base URL of one server for the session over the curated sample
  atlas, for tests that only read (writes and server tracebacks fail the test).
- ``screenshot``: ``screenshot(page, name) -> Path`` under test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from scidex.store import Store

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root, where chromium's sandbox refuses to start
    "--disable-background-networking",  # no update checks or field trials: the network is not ours
    "--disable-gpu",
    "--disable-dev-shm-usage",  # /dev/shm is small in containers
]
REQUIRE_BROWSER = os.environ.get("SCIDEX_REQUIRE_BROWSER") == "1"
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
SERVER_START_TIMEOUT = 30.0


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing (scripts/ensure-chromium.sh installs it)"
    if REQUIRE_BROWSER:
        pytest.fail(f"the browser tests are required (SCIDEX_REQUIRE_BROWSER=1): {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    # start()/stop() rather than a `with` block spanning the session: the same
    # thing, but pytest owns the lifetime and stop() always runs on teardown.
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page; JavaScript errors on it fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """``screenshot(page, name)`` saves a full-page PNG and returns its path."""

    def take(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '-', name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def browser_store_url(tmp_path: Path) -> str:
    """A migrated, empty SQLite store for a live server."""
    url = f"sqlite:///{tmp_path / 'browser-atlas.db'}"
    Store.open(url).close()
    return url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"server did not answer at {url}:\n{log.read_text()}")


def _start_server(store_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m scidex --db URL serve`` on a free port, answering; output into ``log``."""
    port = _free_port()
    # A file, not a pipe: nobody reads a pipe while the test runs, and a full
    # pipe would block the server.
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scidex", "--db", store_url, "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/health", proc, log)
    except BaseException:
        _stop(proc)
        raise
    return proc, base


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Factory: ``live_server(store_url)`` serves that store and returns its base URL.

    Each server is stopped when the test ends; a traceback in its log fails the test.
    """
    running: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(store_url: str) -> str:
        log = tmp_path / f"server-{len(running)}.log"
        proc, base = _start_server(store_url, log)
        running.append((proc, log))
        return base

    yield start

    problems = []
    for proc, log in running:
        _stop(proc)
        text = log.read_text(errors="replace")
        if "Traceback" in text:
            problems.append(text)
    assert not problems, "the server logged a traceback:\n" + "\n".join(problems)


@pytest.fixture
def browser_atlas_url(templates: Any, tmp_path: Path) -> str:
    """A SQLite store of the test's own holding the curated sample atlas (the real-data
    sample plus content/pages), closed: for a test that writes before or through its server."""
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    with templates.copy("sqlite", "atlas", url):
        pass
    return url


@pytest.fixture(scope="session")
def _atlas_server(
    templates: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, Store]]:
    """The server behind ``atlas_server``: base URL, log file, and its store (open here
    too, to check for writes). A traceback in the log when it stops fails the session."""
    log = tmp_path_factory.mktemp("atlas-server") / "server.log"
    with templates.copy("sqlite", "atlas") as store:
        proc, base = _start_server(store.url, log)
        try:
            yield base, log, store
        finally:
            _stop(proc)
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, "the shared server logged a traceback:\n" + text


@pytest.fixture
def atlas_server(_atlas_server: tuple[str, Path, Store], templates: Any) -> Iterator[str]:
    """Base URL of one server for the whole session over a SQLite copy of the curated
    sample atlas, for tests that only read. A traceback the server logs during the
    test, or any write to its store, fails the test."""
    base, log, store = _atlas_server
    start = log.stat().st_size
    with templates.unwritten(store, "give it its own store (browser_atlas_url, live_server)"):
        yield base
    text = log.read_bytes()[start:].decode(errors="replace")
    assert "Traceback" not in text, "the server logged a traceback:\n" + text
