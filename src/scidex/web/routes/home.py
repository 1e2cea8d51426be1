"""HTML pages. Each page uses the same query functions as its JSON twin."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from scidex.queries.graph import atlas_counts, source_releases
from scidex.queries.search import search as run_search
from scidex.store import Store
from scidex.web.deps import store_of

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    store: Store = store_of(request)
    with store.read() as conn:
        counts = atlas_counts(conn)
    return request.app.state.templates.TemplateResponse(
        request, "home.html", {"counts": counts, "backend": store.dialect}
    )


@router.get("/about", response_class=HTMLResponse)
def about(request: Request) -> HTMLResponse:
    """The data sources behind the atlas, with their licences and attribution."""
    store: Store = store_of(request)
    with store.read() as conn:
        releases = source_releases(conn)
    return request.app.state.templates.TemplateResponse(
        request, "about.html", {"releases": releases}
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = Query("", max_length=500),
    category: str | None = Query(None, max_length=100),
) -> HTMLResponse:
    store: Store = store_of(request)
    with store.read() as conn:
        result = run_search(conn, q, category=category or None, limit=50)
    return request.app.state.templates.TemplateResponse(request, "search.html", {"result": result})
