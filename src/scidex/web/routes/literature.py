"""Papers linked to an entity: the paged list and its JSON twin, read by the same query.

Only PubMed ids are stored (the sources give no titles): each paper is
shown as its PMID, linked to PubMed. The list runs from the highest PMID,
the paper most recently added to PubMed, down, page by page.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from scidex.kg.urls import urls
from scidex.queries.artifacts import find_artifact
from scidex.queries.graph import get_entity
from scidex.queries.literature import ORDER, Literature, decode_cursor, literature
from scidex.web.deps import StoreDep, reject_unknown_params
from scidex.web.errors import PageError
from scidex.web.params import brief, cursor_param, find_entity, key_param
from scidex.web.rendering import moved_artifact, not_found, render_page
from scidex.web.schemas import PublicationsOut, errors

router = APIRouter()

# An entity no paper is linked to: its list is empty, not missing.
NO_PAPERS = Literature(0, [], [])


def _limit(default: int) -> Any:
    return Query(default, ge=1, le=1000, description="Papers per page.")


def _cursor() -> Any:
    return cursor_param("publications", 100)


def _below(cursor: str | None) -> int | None:
    """The PMID the page before ended at; 400 for a cursor this listing did not make (before
    the entity is looked up, so a malformed cursor is a 400 whatever the key)."""
    if not cursor:
        return None
    try:
        return decode_cursor(cursor)
    except ValueError as exc:
        raise PageError(400, "malformed cursor") from exc


@router.get(
    "/api/entities/{key}/publications",
    tags=["entities"],
    summary="The papers linked to an entity, most recently indexed first, page by page",
    description=(
        "PubMed ids that the sources link to the entity (NCBI Gene's gene-to-PubMed links "
        "for genes), highest PMID first: PubMed numbers papers in the order it adds them, so "
        "that is the most recently indexed first. Only the ids are stored, no titles. "
        "`count` and `sources` cover every page. Pass `next_cursor` back as `cursor` for the "
        "next page."
    ),
    response_model=PublicationsOut,
    responses=errors(404, 300),
    dependencies=[Depends(reject_unknown_params)],
)
def entity_publications(
    request: Request,
    store: StoreDep,
    key: str = key_param(),
    limit: int = _limit(100),
    cursor: str | None = _cursor(),
) -> dict[str, Any]:
    below = _below(cursor)
    with store.read() as conn:
        record, _ = find_entity(conn, key)
        papers = literature(conn, record.id, limit=limit, below=below) or NO_PAPERS
    nxt = papers.next_cursor
    return {
        "entity": brief(record),
        "count": papers.count,
        "sources": [asdict(s) for s in papers.sources],
        "order": ORDER,
        "publications": [x.as_json() for x in papers.recent],
        "next_cursor": nxt,
        "next": urls.api_publications(record.id, urlencode({"limit": limit, "cursor": nxt}))
        if nxt
        else None,
    }


@router.get(
    "/artifact/{artifact_id}/publications", response_class=HTMLResponse, include_in_schema=False
)
def publications_page(
    request: Request,
    store: StoreDep,
    artifact_id: str,
    limit: int = _limit(100),
    cursor: str | None = _cursor(),
) -> Response:
    below = _below(cursor)
    with store.read() as conn:
        found, moved = find_artifact(conn, artifact_id)
        if found is None or not found.kg_node_id:
            raise not_found(request, artifact_id)
        if (elsewhere := moved_artifact(request, found, moved, urls.publications)) is not None:
            return elsewhere
        entity = get_entity(conn, found.kg_node_id)
        if entity is None:
            raise not_found(request, artifact_id)
        papers = literature(conn, entity.id, limit=limit, below=below) or NO_PAPERS
    nxt = papers.next_cursor
    return render_page(
        request,
        "publications.html",
        {
            "artifact": found,
            "entity": entity,
            "count": papers.count,
            "sources": papers.sources,
            "publications": papers.recent,
            "first": not cursor,
            "next": urls.publications(found.id, {"limit": limit, "cursor": nxt}) if nxt else None,
            "json": urls.api_publications(entity.id, {"limit": limit, "cursor": cursor}),
        },
    )
