"""The JSON API under /api/. Every handler calls the same query code as the pages."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from scidex import __version__
from scidex.kg.xrefs import external_url
from scidex.queries.atlas_stats import release_contents
from scidex.queries.graph import atlas_counts, source_releases
from scidex.queries.search import search as run_search
from scidex.store import StoreError
from scidex.web.delivery import asset_digest, gzipped_static
from scidex.web.deps import StoreDep, reject_unknown_params
from scidex.web.schemas import errors
from scidex.wiki.compiled import COMPILED

router = APIRouter(dependencies=[Depends(reject_unknown_params)])


def _bounds(cached: Any) -> dict[str, int]:
    info = cached.cache_info()
    return {"limit": info.maxsize, "size": info.currsize}


@router.get(
    "/health",
    tags=["operations"],
    summary="Check that the app and its database answer",
    responses=errors(503),
)
def health(request: Request, store: StoreDep) -> JSONResponse:
    try:
        db: dict[str, Any] = store.health()
    except StoreError as exc:
        return JSONResponse(
            {"status": "error", "version": __version__, "database": {"error": str(exc)}},
            status_code=503,
        )
    caches = {  # every in-process cache is bounded: its limit and how full it is
        "pages": request.app.state.page_cache.stats(),
        "compiled_articles": COMPILED.stats(),
        "external_urls": _bounds(external_url),
        "static_digests": _bounds(asset_digest),
        "static_gzipped": _bounds(gzipped_static),
    }
    return JSONResponse({"status": "ok", "version": __version__, "database": db, "caches": caches})


@router.get("/api/stats", tags=["atlas"], summary="Totals for the whole atlas")
def stats(request: Request, store: StoreDep) -> dict[str, Any]:
    with store.read() as conn:
        return asdict(atlas_counts(conn))


@router.get("/api/sources", tags=["atlas"], summary="The source releases the atlas was built from")
def sources(request: Request, store: StoreDep) -> list[dict[str, Any]]:
    """Each release with ``counts`` (what its build read) and ``in_atlas`` (its entities
    and edges in the store now, the numbers the About page and /atlas show)."""
    with store.read() as conn:
        releases = source_releases(conn)
        contents = release_contents(conn)
    empty = {"entities": 0, "edges": 0}
    return [
        {**asdict(r), "in_atlas": asdict(contents[r.id]) if r.id in contents else empty}
        for r in releases
    ]


@router.get("/api/search", tags=["search"], summary="Search entities and pages")
def search(
    request: Request,
    store: StoreDep,
    q: str = Query(..., max_length=500, description="Name, symbol, identifier or text."),
    category: str | None = Query(None, max_length=100, examples=["biolink:Gene"]),
    limit: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    with store.read() as conn:
        result = run_search(conn, q, category=category, limit=limit)
    return asdict(result)
