"""Serving with several worker processes on one listening socket.

uvicorn's own multi-worker mode binds its socket as ``socket(AF_INET)``,
whose protocol number is 0. asyncio turns Nagle's algorithm off
(``TCP_NODELAY``) only on connections accepted from a socket that says
``IPPROTO_TCP``, so with uvicorn's socket every keep-alive response waits
for the client's delayed ACK, about 40 ms. Binding the socket here, with the
protocol given, and handing it to uvicorn's worker supervisor gives the
workers the same low latency as a single process.
"""

from __future__ import annotations

import asyncio
import socket
from functools import cache
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

from scidex.config import Settings

APP_FACTORY = "scidex.web.app:app_from_env"
# The HTTP protocol every server process speaks (an import string, so worker processes
# started by uvicorn's supervisor import it too).
HTTP_PROTOCOL = "scidex.web.serving:DeadlineH11Protocol"


@cache
def request_timeout() -> float:
    """``SCIDEX_REQUEST_TIMEOUT`` (read once per process; ``scidex serve`` has checked it)."""
    return Settings.from_env().request_timeout


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request's head.

    uvicorn arms a timer only after an answer (keep-alive) and drops it at the first byte of
    the next request, so a client that connects and sends nothing, or trickles a head byte by
    byte, would hold its connection for ever. Here a connection waiting for a request's head
    is closed once ``SCIDEX_REQUEST_TIMEOUT`` seconds pass without the whole head; the body's
    own deadline is the app's (``scidex.web.limits``), which answers 408.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout = request_timeout()
        self.head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _watch_head(self) -> None:
        if not self._waiting_for_head():
            self._stop_head_timer()  # a request is in: the app's deadline for its body rules
        elif self.head_timer is None and not self.transport.is_closing():
            self.head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self.transport.close()


class BindError(OSError):
    """The address could not be listened on (in use, not ours, ...)."""


def tcp_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket whose accepted connections get ``TCP_NODELAY`` from asyncio."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise BindError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


def run_workers(host: str, port: int, workers: int) -> None:
    """Serve the app named by the environment (``app_from_env``) in ``workers`` processes."""
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        http=HTTP_PROTOCOL,
    )
    sock = tcp_socket(host, port)
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
