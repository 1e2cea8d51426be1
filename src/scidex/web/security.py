"""Security headers on every response, set here and nowhere else.

``SecurityHeadersMiddleware`` adds to every HTTP response (HTML, JSON, static files,
errors, redirects) ``X-Content-Type-Options: nosniff`` and
``Referrer-Policy: strict-origin-when-cross-origin``, and to every HTML response the
Content-Security-Policy below plus ``X-Frame-Options: DENY`` for browsers that predate
``frame-ancestors``. A route whose page may be framed by any site (the embed mode of an
artifact page, ``?embed=1``) calls ``allow_framing(request)``: the page then gets
``frame-ancestors *`` and no X-Frame-Options; nothing else differs.

Headers a route sets under these names are replaced, so this module is the one
source of truth for the policy. The few responses sent outside this middleware (a 500, which
Starlette answers outside every middleware, and a body refused before the app runs) get the
same headers from ``add_security_headers``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request, Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The scope key a route sets to let its page be framed.
FRAMEABLE = "scidex.frameable"

POLICY = (
    "default-src 'self'",
    # Only our own files run: no inline <script>, no on*= handlers, no javascript: URLs,
    # no eval. Every script lives under /static (Swagger UI's boot code too).
    "script-src 'self'",
    # mermaid draws SVG with inline style attributes and <style> elements, and Swagger UI
    # and the explorer set styles from script; a hash or nonce cannot cover styles
    # generated at run time, so inline styles are allowed. CSS cannot run script, and
    # the markdown sanitizer already strips style attributes from article content.
    "style-src 'self' 'unsafe-inline'",
    # Articles may show images from any web origin (the sanitizer allows http(s) <img>);
    # Swagger UI's stylesheet draws its icons from data: URIs.
    "img-src * data:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)
PAGE_CSP = "; ".join((*POLICY, "frame-ancestors 'none'"))
EMBED_CSP = "; ".join((*POLICY, "frame-ancestors *"))

EVERY_RESPONSE = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"strict-origin-when-cross-origin",
}
HTML_ONLY = (b"content-security-policy", b"x-frame-options")
REPLACED = frozenset((*EVERY_RESPONSE, *HTML_ONLY))


def allow_framing(request: Request) -> None:
    """Let the page answering ``request`` be framed by any site (embed mode)."""
    request.scope[FRAMEABLE] = True


def security_headers(content_type: bytes, frameable: bool) -> list[tuple[bytes, bytes]]:
    """The headers for a response of ``content_type``."""
    headers = list(EVERY_RESPONSE.items())
    if content_type.split(b";")[0].strip().lower() == b"text/html":
        if frameable:
            headers.append((b"content-security-policy", EMBED_CSP.encode()))
        else:
            headers.append((b"content-security-policy", PAGE_CSP.encode()))
            headers.append((b"x-frame-options", b"DENY"))
    return headers


def add_security_headers(response: Response, frameable: bool = False) -> Response:
    """Set the headers on a response sent outside the middleware (a 500 that Starlette answers
    outermost, a body refused before the app is called)."""
    content_type = response.headers.get("content-type", "").encode()
    for name, value in security_headers(content_type, frameable):
        response.headers[name.decode()] = value.decode()
    return response


class SecurityHeadersMiddleware:
    """Pure ASGI middleware: adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() not in REPLACED
                ]
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                headers += security_headers(content_type, bool(scope.get(FRAMEABLE)))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
