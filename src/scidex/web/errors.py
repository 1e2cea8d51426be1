"""Errors: one JSON shape for the API, an HTML page (with suggestions) for readers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from scidex.web.security import FRAMEABLE, add_security_headers

# Versions are stored as 32-bit integers on PostgreSQL; a larger one is a 400, not a 500.
MAX_VERSION = 2**31 - 1


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/openapi")) or path.endswith(".json") or path == "/health"


class PageError(StarletteHTTPException):
    """An HTTP error with structured details (e.g. the closest matches for a 404)."""

    def __init__(
        self,
        status_code: int,
        message: str,
        details: dict | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, message, headers)
        self.details = details


def error_response(request: Request, status: int, message: str, details: Any) -> Response:
    """The app's one error shape: JSON for the API, an HTML page for readers."""
    if _wants_json(request):
        # One stable shape for every API error.
        return JSONResponse(
            {"error": {"code": status, "message": message, "details": details}},
            status_code=status,
        )
    return request.app.state.templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "details": details or {}},
        status_code=status,
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (FastAPI makes one route per method, and
    Starlette's 405 names only the first route's)."""
    matching = [
        route
        for context in iter_route_contexts(request.app.routes)
        if isinstance(route := context.original_route, Route)
        and route.matches(request.scope)[0] is not Match.NONE
    ]
    # A route whose parameter takes whole paths (``/api/entities/{key:path}``) matches more
    # than its resource; it counts only when no route names this path more closely.
    exact = [r for r in matching if ":path}" not in r.path]
    methods: set[str] = set()
    for route in exact or matching:
        methods |= route.methods or set()
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = error_response(
            request, exc.status_code, str(exc.detail), getattr(exc, "details", None)
        )
        for k, v in (getattr(exc, "headers", None) or {}).items():
            response.headers[k] = v
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{p['where']}: {p['problem']}" for p in problems)
        return error_response(request, 400, f"invalid request: {summary}", {"problems": problems})

    @app.exception_handler(Exception)
    async def _failed(request: Request, exc: Exception) -> Response:
        """An unexpected failure: 500 in the error shape, nothing of the failure shown (the
        server logs it). Starlette answers it outside every middleware, so the security
        headers are set here."""
        message = "the server failed to answer this request; it has been logged"
        try:
            response = error_response(request, 500, message, None)
        except Exception:  # the error page itself failed (templates, the session's store)
            response = PlainTextResponse(message, status_code=500)
        return add_security_headers(response, bool(request.scope.get(FRAMEABLE)))
