"""The application factory."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from scidex import __version__
from scidex.config import Settings
from scidex.kg.urls import urls
from scidex.store import Store
from scidex.web.deps import current_session
from scidex.web.errors import install_error_handlers
from scidex.web.etag import ETagMiddleware
from scidex.web.rendering import PageCache
from scidex.web.routes import ROUTERS

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
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.page_cache = PageCache()
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.templates.env.globals.update(
        site_name=settings.site_name,
        version=__version__,
        static_url=static_url,
        mermaid_file=vendored("mermaid-*.min.js"),
        signed_in=current_session,
        urls=urls,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)

    install_error_handlers(app)
    app.add_middleware(ETagMiddleware)
    return app


def vendored(pattern: str) -> str:
    """File name of a vendored library (its version is in the name)."""
    matches = sorted((HERE / "static" / "vendor").glob(pattern))
    if not matches:
        raise RuntimeError(f"vendored file {pattern} missing under web/static/vendor")
    return matches[-1].name


@cache
def static_url(name: str) -> str:
    """URL of a static file with its content hash, so browsers never run stale assets."""
    digest = hashlib.sha256((HERE / "static" / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several workers): settings from the environment."""
    return create_app(Settings.from_env())
