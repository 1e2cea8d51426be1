"""`scidex serve` as a real server process on a port, on each backend."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from scidex.store import Store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server did not answer at {url}")


def test_serve_answers_pages_and_health(store: Store) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "scidex", "--db", store.url, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/health")
        with urllib.request.urlopen(base + "/") as page:
            html = page.read().decode()
        assert "SciDEX Atlas" in html
        assert f"Store: {store.dialect}" in html
    finally:
        proc.terminate()
        out, errs = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}" in out
    assert "Traceback" not in errs
