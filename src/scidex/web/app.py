"""The application factory."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..config import Settings
from ..store import Store
from . import api, pages

HERE = Path(__file__).parent


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the app on ``store`` (opened from ``settings`` when not given)."""
    store = store or Store.open(settings.database_url)
    app = FastAPI(
        title=settings.site_name,
        version=__version__,
        description="A knowledge-graph wiki of citable artifacts for neurodegeneration research.",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.templates.env.globals.update(
        site_name=settings.site_name, version=__version__, static_url=static_url
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Stable error shape for the API; pages get the same shape until they
        # render their own error template.
        return JSONResponse(
            {"error": {"code": exc.status_code, "message": str(exc.detail), "details": None}},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    return app


@cache
def static_url(name: str) -> str:
    """URL of a static file with its content hash, so browsers never run stale assets."""
    digest = hashlib.sha256((HERE / "static" / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several workers): settings from the environment."""
    return create_app(Settings.from_env())
