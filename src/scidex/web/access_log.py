"""The server's access log: one line per request, in the Combined Log Format plus its duration.

Each line is what Apache's and nginx's ``combined`` format write, followed by the
time the request took in seconds (nginx's ``$request_time``)::

    127.0.0.1 - - [05/Dec/2026:15:04:47 +0000] "GET /health HTTP/1.1" 200 61 "-" "curl/8" 0.004

that is: client address, ident and user (always ``-``), time, request line, status,
bytes of body sent (``-`` for none), Referer, User-Agent, seconds. The Combined
Log Format is the one format that log analysers (GoAccess, AWStats), intrusion
tools (fail2ban) and log shippers (the nginx and Apache parsers of Elastic,
Loki, Vector) all read without configuration; the duration at the end is what
GoAccess reads as ``%T``. A JSON line per request would need a parser
configured everywhere and is no easier to read in a terminal.

Text taken from the request (path, Referer, User-Agent) is escaped as nginx
does it (``"``, ``\\``, control and non-ASCII bytes as ``\\xHH``), so a request
cannot forge a log line or break the quoting. Lines go to standard output
(where uvicorn and gunicorn put theirs), each written and flushed whole, so
several worker processes sharing the stream do not interleave within a line.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLogMiddleware", "escape", "format_line"]


def escape(raw: bytes) -> str:
    """``raw`` as printable ASCII: quote, backslash, control and non-ASCII bytes as ``\\xHH``."""
    return "".join(
        chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else f"\\x{b:02X}" for b in raw
    )


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return escape(value) or "-"
    return "-"


def format_line(
    scope: Scope, status: int, sent: int, seconds: float, when: datetime | None = None
) -> str:
    """One Combined Log Format line, with the duration appended."""
    client = scope.get("client")
    host = client[0] if client else "-"
    when = when or datetime.now().astimezone()
    target = scope.get("raw_path") or scope.get("path", "").encode("utf-8")
    if scope.get("query_string"):
        target += b"?" + scope["query_string"]
    request = (
        f"{escape(scope.get('method', '-').encode())} {escape(target)} "
        f"HTTP/{scope.get('http_version', '1.1')}"
    )
    return (
        f'{host} - - [{when.strftime("%d/%b/%Y:%H:%M:%S %z")}] "{request}" {status} '
        f'{sent or "-"} "{_header(scope, b"referer")}" "{_header(scope, b"user-agent")}" '
        f"{seconds:.3f}"
    )


class AccessLogMiddleware:
    """Write an access-log line for every HTTP request once its response is sent.

    Put it outermost, so that the status and byte count are those the client got
    (after compression, after a refused body) and the duration is the whole of it.
    """

    def __init__(self, app: ASGIApp, stream: TextIO | None = None) -> None:
        self.app = app
        self.stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before a response starts
        sent = 0

        async def logging_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, logging_send)
        finally:
            self._write(format_line(scope, status, sent, time.perf_counter() - started))

    def _write(self, line: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(line + "\n")
        stream.flush()
