"""The Atlas explorer: whole-graph statistics, an entity's neighbourhood, paths between entities."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..artifacts import page_for_entity
from ..graph import Cursor, get_entity, neighbours, predicate_counts
from ..resolve import resolve
from .artifact_routes import not_found
from .errors import PageError

router = APIRouter(include_in_schema=False)


@router.get("/atlas/entity/{curie:path}", response_class=HTMLResponse)
def atlas_entity(
    request: Request,
    curie: str,
    after: str | None = Query(None, max_length=500),
    limit: int = Query(50, ge=1, le=500),
) -> Response:
    """An entity's whole neighbourhood, page by page, every predicate."""
    with request.app.state.store.read() as conn:
        match = resolve(conn, curie)
        if match.entity is None:
            raise not_found(request, curie, "entity")
        page = page_for_entity(conn, match.entity.id)
        entity = get_entity(conn, match.entity.id)
        counts = predicate_counts(conn, match.entity.id)
        try:
            cursor = Cursor.decode(after) if after else None
        except ValueError as exc:
            raise PageError(400, str(exc)) from exc
        listing = neighbours(conn, match.entity.id, after=cursor, limit=limit)
    return request.app.state.templates.TemplateResponse(
        request,
        "neighbourhood.html",
        {
            "entity": entity,
            "page": page,
            "counts": counts,
            "edges": listing.edges,
            "next": listing.next_cursor.encode() if listing.next_cursor else None,
            "limit": limit,
        },
    )
