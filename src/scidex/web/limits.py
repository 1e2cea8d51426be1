"""Request body limits: a body larger than ``SCIDEX_MAX_BODY_BYTES`` is refused with 413 before
it is read.

``Content-Length`` decides up front: a declared length over the limit is answered at once,
without pulling a byte of the body. A body sent without a length (chunked) is counted as the
application pulls it, and refused as soon as the count passes the limit, so the server never
holds more than the limit (plus one chunk) of any request.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scidex.web.errors import PageError, error_response

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024


def _too_large(limit: int) -> PageError:
    return PageError(
        413,
        f"the request body is larger than this server accepts ({limit} bytes)",
        {"max_body_bytes": limit},
        headers={"Connection": "close"},
    )


class BodyLimitMiddleware:
    """Refuse (413, in the app's error shape) a request body over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the handler's body read: FastAPI passes an HTTPException
                    # through, and the app's handler answers it in the one error shape.
                    raise _too_large(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except PageError as exc:
            # A body read outside a route's error handling (a middleware, a raw ASGI app).
            if exc.status_code != 413 or started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        exc = _too_large(self.max_bytes)
        response = error_response(Request(scope, receive), 413, str(exc.detail), exc.details)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
