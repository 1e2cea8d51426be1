"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware

from scidex import __version__
from scidex.config import Settings
from scidex.kg.biolink import predicate_label, predicate_phrase
from scidex.kg.categories import label_for
from scidex.kg.model import CURATED_SOURCE
from scidex.kg.urls import urls
from scidex.store import Store
from scidex.web.access_log import AccessLogMiddleware
from scidex.web.delivery import HeadMiddleware, StaticAssets, static_url
from scidex.web.deps import current_session
from scidex.web.errors import install_error_handlers
from scidex.web.etag import ETagMiddleware
from scidex.web.limits import BodyLimitMiddleware
from scidex.web.openapi import install_contract
from scidex.web.rendering import PageCache, in_frame
from scidex.web.routes import ROUTERS
from scidex.web.security import SecurityHeadersMiddleware

HERE = Path(__file__).parent


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the app on ``store`` (opened from ``settings`` when not given)."""
    store = store or Store.open(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The pool sync handlers run on (anyio's default holds 40 threads).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        title=settings.site_name,
        version=__version__,
        description="A knowledge-graph wiki of citable artifacts for neurodegeneration research.",
        docs_url=None,  # served below, from the vendored Swagger UI
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.page_cache = PageCache()
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.templates.env.filters["in_frame"] = in_frame
    app.state.templates.env.globals.update(
        site_name=settings.site_name,
        version=__version__,
        static_url=static_url,
        mermaid_file=vendored("mermaid-*.min.js"),
        signed_in=current_session,
        urls=urls,
        # Words for a researcher, from the one table of categories and the Biolink model.
        category_label=label_for,
        predicate_label=predicate_label,
        predicate_phrase=predicate_phrase,
        curated_source=CURATED_SOURCE,
    )
    app.mount("/static", StaticAssets(directory=HERE / "static"), name="static")
    _add_api_docs(app)  # before the routers, whose catch-all paths would take it
    for router in ROUTERS:
        app.include_router(router)

    install_error_handlers(app)
    install_contract(app)
    # Outermost last: a HEAD runs as a GET through everything below it; gzip
    # compresses what the ETag middleware tagged (the tag is weak, so one tag
    # serves both encodings, and a 304's empty body is never compressed).
    app.add_middleware(ETagMiddleware)
    # Inside the HEAD middleware, so it sees the scope the route marks
    # (security.allow_framing); a 304 (no media type) gets only nosniff and the referrer
    # policy, and the browser keeps the policy it stored with the page.
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(HeadMiddleware)
    # Outermost of all: an oversized body is refused before anything reads it, a late one
    # as soon as its time is up.
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        timeout=settings.request_timeout,
    )
    if settings.access_log:  # outside everything: what the client got, and how long it took
        app.add_middleware(AccessLogMiddleware)
    return app


def _add_api_docs(app: FastAPI) -> None:
    """``/api/docs``: Swagger UI from the vendored files, so it works offline.

    Our own page rather than FastAPI's ``get_swagger_ui_html``, whose inline boot
    script the Content-Security-Policy (``script-src 'self'``) would block: the boot
    code is the static ``api-docs.js``, reading the spec's URL from the page.
    """
    context = {
        "swagger_js": static_url("vendor/" + vendored("swagger-ui-*.js")),
        "swagger_css": static_url("vendor/" + vendored("swagger-ui-*.css")),
    }

    @app.get("/api/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs(request: Request) -> HTMLResponse:
        root_path = request.scope.get("root_path", "").rstrip("/")
        openapi_url = root_path + (app.openapi_url or "/openapi.json")
        return app.state.templates.TemplateResponse(
            request, "api_docs.html", {**context, "openapi_url": openapi_url}
        )


def vendored(pattern: str) -> str:
    """File name of a vendored library (its version is in the name)."""
    matches = sorted((HERE / "static" / "vendor").glob(pattern))
    if not matches:
        raise RuntimeError(f"vendored file {pattern} missing under web/static/vendor")
    return matches[-1].name


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several workers): settings from the environment."""
    return create_app(Settings.from_env())
