"""How responses travel: HEAD answered like GET, static files with cache lifetimes.

- ``HeadMiddleware`` runs a ``HEAD`` as the ``GET`` of the same URL and drops the
  body, so every GET route answers HEAD with the same status and headers
  (Content-Length, ETag, Location of a redirect) and no route lists HEAD itself.
- ``StaticAssets`` serves ``/static``: a file asked for under its versioned URL
  (``?v=`` with its current content hash, as ``static_url`` writes it, or a
  vendored library, whose version is in its file name) is cached for a year as
  immutable; any other URL of it must be revalidated (``no-cache``; the ETag makes
  that a 304). Its ETag is weak, since gzip may change the bytes on the way out.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATIC = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# A vendored library's file: name-1.2.3.min.js, name-1.2.3.LICENSE.txt, ...
VERSIONED_NAME = re.compile(r"^vendor/[A-Za-z0-9_-]+-\d+\.\d+\.\d+\.[A-Za-z0-9.]+$")


# Bounded like every cache of the server (/health shows them): the static files are a few
# dozen, so these never evict in practice.
STATIC_CACHE_SIZE = 256


@lru_cache(maxsize=STATIC_CACHE_SIZE)
def asset_digest(name: str) -> str:
    """Short content hash of the static file ``name`` (a path under web/static)."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    """URL of a static file with its content hash, so browsers never run stale assets."""
    return f"/static/{name}?v={asset_digest(name)}"


class HeadMiddleware:
    """Pure ASGI middleware: a ``HEAD`` request runs as ``GET``; the body is dropped."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        ended = False

        async def headers_only(message: Message) -> None:
            nonlocal ended
            if message["type"] == "http.response.start":
                await send(message)  # status and headers as the GET's, Content-Length included
            elif message["type"] in ("http.response.body", "http.response.pathsend"):
                if not ended and not message.get("more_body", False):
                    ended = True
                    await send({"type": "http.response.body", "body": b""})
            else:
                await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


COMPRESSIBLE = (".js", ".css", ".txt", ".json", ".svg", ".html")


@lru_cache(maxsize=STATIC_CACHE_SIZE)
def gzipped_static(path: str, mtime: float, size: int) -> bytes:
    """A static file gzipped once per version of it (not again on every request)."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


class StaticAssets(StaticFiles):
    """``StaticFiles`` with Cache-Control by URL and a weak ETag (see the module doc);
    text files go out gzipped from a copy compressed once, when the client accepts it."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code not in (200, 206, 304):
            return response
        request = Headers(scope=scope)
        if (
            isinstance(response, FileResponse)
            and response.status_code == 200
            and response.stat_result is not None
            and response.stat_result.st_size >= 1024
            and str(response.path).endswith(COMPRESSIBLE)
            and "gzip" in request.get("accept-encoding", "")
            and "range" not in request
        ):
            st = response.stat_result
            body = gzipped_static(str(response.path), st.st_mtime, st.st_size)
            headers = {k: v for k, v in response.headers.items() if k not in {"content-length"}}
            headers["content-encoding"] = "gzip"
            headers["vary"] = "Accept-Encoding"
            response = Response(body, headers=headers)
        etag = response.headers.get("etag")
        if etag and not etag.startswith("W/"):
            response.headers["etag"] = "W/" + etag
        response.headers["cache-control"] = IMMUTABLE if _versioned(path, scope) else REVALIDATE
        return response


def _versioned(path: str, scope: Scope) -> bool:
    """Whether this URL names one version of the file for good."""
    name = path.replace("\\", "/").lstrip("/")
    if VERSIONED_NAME.match(name):
        return True  # the library's version is in the file name
    wanted = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [])
    if not wanted:
        return False
    try:
        return wanted[-1] == asset_digest(name)
    except OSError:
        return False
