"""HTML pages. Each page uses the same query functions as its JSON twin."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from scidex.ingest.sources.omnipath_resources import load_resources
from scidex.queries.atlas_stats import release_contents
from scidex.queries.graph import atlas_counts, source_releases
from scidex.queries.search import search as run_search
from scidex.web.deps import StoreDep

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: StoreDep) -> HTMLResponse:
    with store.read() as conn:
        counts = atlas_counts(conn)
    return request.app.state.templates.TemplateResponse(request, "home.html", {"counts": counts})


@router.get("/about", response_class=HTMLResponse)
def about(request: Request, store: StoreDep) -> HTMLResponse:
    """The data sources behind the atlas, with their licences, attribution and what each
    holds in the atlas now (the store's counts, as /atlas shows them); for OmniPath, every
    resource it aggregates, with its licence and whether it was loaded."""
    with store.read() as conn:
        releases = source_releases(conn)
        contents = release_contents(conn)
    # Loaded resources first, then composites, then those left out; most rows first.
    order = {"yes": 0, "composite": 1, "no": 2}
    omnipath = sorted(
        load_resources().values(), key=lambda r: (order[r.allowed], -r.rows, r.name.lower())
    )
    context = {
        "releases": releases,
        "contents": contents,
        "omnipath_resources": omnipath,
        "bioregistry_version": version("bioregistry"),
    }
    return request.app.state.templates.TemplateResponse(request, "about.html", context)


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: StoreDep,
    q: str = Query("", max_length=500),
    category: str | None = Query(None, max_length=100),
) -> HTMLResponse:
    with store.read() as conn:
        result = run_search(conn, q, category=category or None, limit=50)
    return request.app.state.templates.TemplateResponse(request, "search.html", {"result": result})
