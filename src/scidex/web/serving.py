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

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

APP_FACTORY = "scidex.web.app:app_from_env"


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
    )
    sock = tcp_socket(host, port)
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
