"""Request body limits: a body larger than ``SCIDEX_MAX_BODY_BYTES`` is refused with 413 before
it is read.

``Content-Length`` decides up front: a declared length over the limit is answered at once,
without pulling a byte of the body. A body sent without a length (chunked) is counted as the
application pulls it, and refused as soon as the count passes the limit, so the server never
holds more than the limit (plus one chunk) of any request.

A body must also arrive in time: once the head is in, the whole body has ``timeout`` seconds
(``SCIDEX_REQUEST_TIMEOUT``). A body shorter than its ``Content-Length``, or one trickled in,
is answered 408 and the connection closed, so it holds no handler thread or connection. (The
head's own deadline is the server protocol's: ``scidex.web.serving``.)
"""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scidex.web.errors import PageError, error_response
from scidex.web.security import add_security_headers

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
DEFAULT_REQUEST_TIMEOUT = 30.0


def _too_large(limit: int) -> PageError:
    return PageError(
        413,
        f"the request body is larger than this server accepts ({limit} bytes)",
        {"max_body_bytes": limit},
        headers={"Connection": "close"},
    )


def _too_slow(timeout: float) -> PageError:
    return PageError(
        408,
        f"the request body did not arrive within {timeout:g} s",
        {"timeout_seconds": timeout},
        headers={"Connection": "close"},
    )


class BodyLimitMiddleware:
    """Refuse (in the app's error shape) a request body over ``max_bytes`` (413), or one not
    complete ``timeout`` seconds after the request's head (408)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

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
        complete = False
        deadline = anyio.current_time() + self.timeout

        async def counting_receive() -> Message:
            nonlocal received, complete
            if complete:  # after the body: waiting for a disconnect is not bounded
                return await receive()
            with anyio.move_on_after(deadline - anyio.current_time()) as waited:
                message = await receive()
            if waited.cancelled_caught:
                raise _too_slow(self.timeout)
            if message["type"] == "http.request":
                complete = not message.get("more_body", False)
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
            if exc.status_code not in (408, 413) or started:
                raise
            await self._refuse(scope, receive, send, exc)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, exc: PageError | None = None
    ) -> None:
        exc = exc or _too_large(self.max_bytes)
        request = Request(scope, receive)
        response = error_response(request, exc.status_code, str(exc.detail), exc.details)
        response.headers["Connection"] = "close"
        # Outside the security middleware (this one is outermost): its headers are set here.
        await add_security_headers(response)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
