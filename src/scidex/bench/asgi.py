"""Calling an ASGI app in-process, without a socket or an HTTP client library.

A request goes through the whole app (routing, dependencies, the threadpool
that runs sync handlers, templates, middleware) exactly as under uvicorn;
only the network is left out, so the time is server time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

BENCH_STATIC_PREFIX = "/__bench_static"


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    content_type: str


async def _call(app: Any, path: str, accept: str) -> Reply:
    raw_path, _, query = path.partition("?")
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench.local"), (b"accept", accept.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("bench.local", 80),
    }
    done = asyncio.Event()
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}
        # A second receive is a response listening for the client going away:
        # it must wait until the response is complete, as a real client would.
        await done.wait()
        return {"type": "http.disconnect"}

    status = 0
    content_type = ""
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, content_type
        if message["type"] == "http.response.start":
            status = message["status"]
            for k, v in message.get("headers", []):
                if k.lower() == b"content-type":
                    content_type = v.decode("latin-1")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    done.set()
    return Reply(status, b"".join(chunks), content_type)


class InProcessClient:
    """GET requests against an ASGI app on one private event loop."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()

    def get(self, path: str, accept: str = "text/html") -> Reply:
        return self.loop.run_until_complete(_call(self.app, path, accept))

    def getter(
        self, path: str, expect: int = 200, accept: str = "text/html"
    ) -> Callable[[], Reply]:
        """A zero-argument call for the timing loop that fails loudly on a wrong status."""

        def call() -> Reply:
            reply = self.get(path, accept)
            if reply.status != expect:
                raise RuntimeError(f"GET {path} answered {reply.status}, expected {expect}")
            return reply

        return call

    def close(self) -> None:
        self.loop.close()


def mount_static_baseline(app: Any, directory: Path) -> None:
    """Serve ``directory`` at BENCH_STATIC_PREFIX through the same app.

    Put first in the routing table: the app's catch-all ``/{section}/{name}``
    route would otherwise answer these paths itself.
    """
    app.router.routes.insert(
        0, Mount(BENCH_STATIC_PREFIX, app=StaticFiles(directory=directory), name="bench_static")
    )
