"""ETags on every successful GET, and 304 Not Modified for a matching ``If-None-Match``.

The tag is a hash of the response body (with its content type and encoding):
weak (``W/"..."``), since it promises the same content, not byte-identical
transfer encodings. It is correct by construction: whatever a page depends on,
an artifact's version, an edge added elsewhere in its neighbourhood, a source
release, the code's templates or the date in a citation's "accessed" field,
the tag changes exactly when the answer does.

The price is that the response is still computed before the 304 is sent: a
revalidation saves the transfer and the client's work, not the server's. A
tag known before the handler runs needs a version counter every write bumps,
which the store does not keep yet; with one, this middleware can answer
early without changing its contract.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Headers a 304 must repeat (RFC 9110, 15.4.5); the others describe the body it omits.
KEEP_ON_304 = {b"cache-control", b"content-location", b"date", b"etag", b"expires", b"vary"}


def body_etag(body: bytes, content_type: bytes = b"", encoding: bytes = b"") -> str:
    """``W/"<hash>"`` of a representation: its bytes, media type and content coding."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (content_type, b"\x00", encoding, b"\x00", body):
        digest.update(part)
    return f'W/"{digest.hexdigest()}"'


def matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110, 13.1.2): ``W/`` is ignored, ``*`` matches anything."""
    if if_none_match.strip() == "*":
        return True
    wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag.removeprefix("W/") in wanted


class ETagMiddleware:
    """Pure ASGI middleware: buffers successful GET answers to tag them.

    Answers that already carry an ETag (static files), that are not 200, that
    set a cookie (a 304 would drop it) or that say ``Cache-Control: no-store``
    pass through untouched and unbuffered, as does every other method: a HEAD
    answer has no body to hash.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if_none_match = ""
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
        start: Message | None = None
        chunks: list[bytes] = []

        async def tagging_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                if (
                    message["status"] != 200
                    or b"etag" in headers
                    or b"set-cookie" in headers
                    or b"no-store" in headers.get(b"cache-control", b"")
                ):
                    await send(message)  # pass through, unbuffered
                    return
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await _finish(send, start, b"".join(chunks), if_none_match)

        await self.app(scope, receive, tagging_send)


async def _finish(send: Send, start: Message, body: bytes, if_none_match: str) -> None:
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"etag"]
    lookup = {k.lower(): v for k, v in headers}
    etag = body_etag(body, lookup.get(b"content-type", b""), lookup.get(b"content-encoding", b""))
    headers.append((b"etag", etag.encode("latin-1")))
    if if_none_match and matches(if_none_match, etag):
        kept = [(k, v) for k, v in headers if k.lower() in KEEP_ON_304]
        await send({"type": "http.response.start", "status": 304, "headers": kept})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})
