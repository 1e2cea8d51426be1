"""`scidex serve` as a real server process on a port, on each backend."""

from __future__ import annotations

import json
import socket
import subprocess
import urllib.request

import pytest

from helpers import serve_argv, serving
from scidex.store import Store


def test_serve_answers_pages_and_health(store: Store) -> None:
    with serving(store) as served:
        with urllib.request.urlopen(served.base + "/") as page:
            html = page.read().decode()
        assert "SciDEX Atlas" in html
        with urllib.request.urlopen(served.base + "/health") as health:
            assert json.loads(health.read())["database"]["backend"] == store.dialect
    assert served.base in served.out
    assert "Traceback" not in served.errs


def test_several_workers_share_one_socket_that_says_tcp(store: Store) -> None:
    from scidex.web.serving import tcp_socket

    with tcp_socket("127.0.0.1", 0) as sock:
        # asyncio sets TCP_NODELAY only on connections accepted from such a socket.
        assert sock.proto == socket.IPPROTO_TCP
    with serving(store, "--workers", "2") as served:
        for _ in range(4):
            with urllib.request.urlopen(served.base + "/") as page:
                assert "SciDEX Atlas" in page.read().decode()
    assert "Traceback" not in served.errs


def test_a_port_in_use_is_refused_with_one_line(store: Store) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(
            serve_argv(store, port, "--workers", "2"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("threads", [1, 3])
def test_the_handlers_run_on_as_many_threads_as_configured(store: Store, threads: int) -> None:
    import anyio.to_thread
    from fastapi.testclient import TestClient

    from scidex.config import Settings
    from scidex.web import create_app

    app = create_app(Settings(database_url=store.url, threads=threads), store)
    with TestClient(app) as client:
        limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)
        assert limiter.total_tokens == threads
        assert client.get("/health").status_code == 200


def _unanswered(base: str, head: bytes, timeout: float) -> tuple[bytes, bool]:
    """Send ``head`` on a raw connection and read until the server closes it; returns what
    the server sent and whether it closed the connection (an end of file read) before
    ``timeout`` passed without a byte."""
    host, port = base.removeprefix("http://").split(":")
    received = b""
    with socket.create_connection((host, int(port))) as conn:
        conn.settimeout(timeout)
        conn.sendall(head)
        try:
            while chunk := conn.recv(65536):
                received += chunk
        except TimeoutError:
            return received, False  # still open
    return received, True


def test_a_request_that_stops_short_is_answered_408_and_closed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body shorter than its Content-Length, or a head that never ends, holds no connection
    longer than SCIDEX_REQUEST_TIMEOUT (here 1 s): the server closes it, where the reader
    would wait 15 s for a byte."""
    monkeypatch.setenv("SCIDEX_REQUEST_TIMEOUT", "1")
    head = (
        b"POST /api/preview HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        b'{"markdown": "short'
    )
    with serving(store) as served:
        received, closed = _unanswered(served.base, head, timeout=15)
        assert closed, "the connection stayed open"
        assert received.startswith(b"HTTP/1.1 408 ")
        assert b'"code":408' in received and b"within 1 s" in received
        # A request that stops inside its head is closed too, without an answer.
        received, closed = _unanswered(served.base, b"GET / HTTP/1.1\r\nHost: x", timeout=15)
        assert closed, "the connection stayed open"
        assert received == b"" or received.startswith(b"HTTP/1.1 408 ")
        # The server still answers.
        with urllib.request.urlopen(served.base + "/health") as health:
            assert health.status == 200
    assert "Traceback" not in served.errs


@pytest.mark.parametrize("value", ["0", "soon", "-1", "inf", "nan"])
def test_a_bad_request_timeout_is_refused(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from scidex.config import ConfigError, Settings

    monkeypatch.setenv("SCIDEX_REQUEST_TIMEOUT", value)
    with pytest.raises(ConfigError, match="SCIDEX_REQUEST_TIMEOUT must be a number of seconds"):
        Settings.from_env()
    monkeypatch.setenv("SCIDEX_REQUEST_TIMEOUT", "2.5")
    assert Settings.from_env().request_timeout == 2.5
