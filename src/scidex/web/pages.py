"""HTML pages. Each page uses the same query functions as its JSON twin."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..graph import atlas_counts
from ..store import Store

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    store: Store = request.app.state.store
    with store.read() as conn:
        counts = atlas_counts(conn)
    return request.app.state.templates.TemplateResponse(
        request, "home.html", {"counts": counts, "backend": store.dialect}
    )
