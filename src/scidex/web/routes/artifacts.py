"""Artifact pages, their canonical URLs and redirects, and the edge listings behind them."""

from __future__ import annotations

import csv
import io
import operator
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection

from scidex.kg.biolink import predicate_label, predicate_phrase
from scidex.kg.categories import LINK_SECTIONS, Section, link_section
from scidex.kg.fields import EDGE_FIELDS, EdgeField
from scidex.kg.urls import urls
from scidex.pages.artifact_page import PageNotFound, artifact_page, citation_record
from scidex.pages.cite import FORMATS, to_text
from scidex.queries.artifacts import find_artifact, page_for_entity, revision_log
from scidex.queries.graph import (
    Cursor,
    NeighbourEdge,
    get_entity,
    neighbours,
    with_qualifier_words,
)
from scidex.queries.resolve import lookup
from scidex.queries.retractions import retracted_among
from scidex.web.deps import StoreDep, current_session, store_of
from scidex.web.errors import MAX_VERSION, PageError
from scidex.web.rendering import (
    PageCache,
    disambiguation,
    moved_artifact,
    not_found,
    redirect,
    unknown_section,
)
from scidex.web.security import allow_framing

router = APIRouter(include_in_schema=False)

CITE_LABELS = {"text": "Plain text", "bibtex": "BibTeX", "ris": "RIS", "csl-json": "CSL-JSON"}


@router.get("/artifact/{artifact_id}", response_class=HTMLResponse)
def artifact(
    request: Request,
    store: StoreDep,
    artifact_id: str,
    version: int | None = Query(None, ge=1, le=MAX_VERSION),
    embed: bool = Query(False),
) -> Response:
    if embed:
        allow_framing(request)  # embed mode may be framed by any site; every other page not
    anonymous = "scidex_session" not in request.cookies
    cache: PageCache = request.app.state.page_cache
    # The data version is read before the page's snapshot: a write landing
    # between the two makes the page newer than its key, never staler.
    data_version = store.data_version()
    today = datetime.now(UTC).date().isoformat()
    with store.read() as conn:
        found, moved = find_artifact(conn, artifact_id)
        if found is None:
            raise not_found(request, artifact_id)
        if (elsewhere := moved_artifact(request, found, moved, urls.artifact)) is not None:
            return elsewhere
        key = (found.id, version, embed, data_version, today)
        if anonymous and (body := cache.get(key)) is not None:
            return HTMLResponse(body)
        try:
            page = artifact_page(
                conn, found, version=version, base_url=request.app.state.settings.base_url
            )
        except PageNotFound as exc:
            raise PageError(404, f"{found.id} has no version {version}.") from exc
    template = "artifact_embed.html" if embed else "artifact.html"
    record = citation_record(page, request.app.state.settings.base_url, today)
    # Every format's text is on the page: selectable without JavaScript, copied with it.
    cite = {
        "text": to_text(record),
        "formats": [
            {
                "name": name,
                "label": label,
                "ext": FORMATS[name].extension,
                "text": FORMATS[name].render(record),
            }
            for name, label in CITE_LABELS.items()
        ],
    }
    response = request.app.state.templates.TemplateResponse(
        request, template, {"page": page, "embed": embed, "cite": cite}
    )
    if anonymous:
        cache.put(key, bytes(response.body))
    return response


def _to_page(request: Request, conn: Connection, section: Section, name: str) -> Response:
    """Redirect to the page of the entity ``name`` means in ``section``; the candidates when it
    means several equally (300), a 404 with suggestions when it means none."""
    found = lookup(conn, section, name)
    if found.ambiguous:
        return disambiguation(request, conn, found, section)
    if found.entity is None:
        raise not_found(request, name, section.noun)
    page = page_for_entity(conn, found.entity.id)
    if page is None:
        raise PageError(404, f"{found.entity.id} has no page yet.")
    return redirect(urls.artifact(page.id))


@router.get("/wiki/{slug}")
def wiki_slug(request: Request, store: StoreDep, slug: str) -> Response:
    """An artifact's id, slug or alias, else the entity the name means (``/wiki/als``)."""
    with store.read() as conn:
        found, _ = find_artifact(conn, slug)
        if found is None:
            found, _ = find_artifact(conn, f"wiki-{slug}")
        if found is None:
            return _to_page(request, conn, LINK_SECTIONS["wiki"], slug)
    return redirect(urls.artifact(found.id))


@router.get("/entity/{curie:path}")
def entity_page(request: Request, store: StoreDep, curie: str) -> Response:
    with store.read() as conn:
        return _to_page(request, conn, LINK_SECTIONS["entities"], curie)


@router.get("/{section:section}/{name}")
def section_page(request: Request, store: StoreDep, section: str, name: str) -> Response:
    """``/genes/bach1``, ``/brain-regions/hippocampus``: a name within a URL section (see
    ``scidex.queries.resolve.lookup`` for how it is read)."""
    view = link_section(section)
    if view is None:
        raise unknown_section(request, section, name)
    with store.read() as conn:
        found, _ = find_artifact(conn, f"{section}-{name}")
        if found is not None:
            return redirect(urls.artifact(found.id))
        return _to_page(request, conn, view, name)


def edge_rows(
    request: Request,
    artifact_id: str,
    direction: str | None,
    predicate: str | None,
    after: str | None,
    limit: int,
    *,
    words: bool = True,
) -> tuple[Any, list[Any], str | None]:
    """One page of an artifact's edges; ``words``: with their qualifiers in words (the
    HTML list shows them, the TSV has its own qualifier columns)."""
    store = store_of(request)
    with store.read() as conn:
        found, _ = find_artifact(conn, artifact_id)
        if found is None or not found.kg_node_id:
            raise not_found(request, artifact_id)
        try:
            cursor = Cursor.decode(after) if after else None
            page = neighbours(
                conn,
                found.kg_node_id,
                predicate=predicate,
                direction=direction,
                after=cursor,
                limit=limit,
            )
        except ValueError as exc:
            raise PageError(400, str(exc)) from exc
        entity = get_entity(conn, found.kg_node_id)
        edges = with_qualifier_words(conn, page.edges) if words else page.edges
    nxt = page.next_cursor.encode() if page.next_cursor else None
    return (found, entity), edges, nxt


Cell = Callable[[NeighbourEdge], Any]


def _cell(field: EdgeField) -> Cell:
    get = operator.attrgetter(field.name)
    if field.kind == "list":
        return lambda e: "|".join(get(e))
    return get  # csv writes None as an empty cell


def _tsv_columns() -> list[tuple[str, Cell]]:
    """(header, cell) of each column of an edges TSV: the listed edge fields (kg.fields) in
    their declared order, with the far end's name after the object and the edge's id last,
    named ``edge_id`` as the file has always had them."""
    columns = [(f.name, _cell(f)) for f in EDGE_FIELDS if f.listed and f.name != "id"]
    after_object = [name for name, _ in columns].index("object") + 1
    columns.insert(after_object, ("object_name", operator.attrgetter("other_name")))
    return [*columns, ("edge_id", operator.attrgetter("id"))]


_TSV = _tsv_columns()
TSV_COLUMNS = [name for name, _ in _TSV]


@router.get("/artifact/{artifact_id}/edges.tsv")
def edges_tsv(
    request: Request,
    artifact_id: str,
    direction: str | None = Query(None, pattern="^(out|in)$"),
    predicate: str | None = Query(None, max_length=100),
    after: str | None = Query(None, max_length=500),
    limit: int = Query(10, ge=1, le=1000),
) -> Response:
    """Exactly the rows the page shows for the same parameters, as TSV."""
    (found, _entity), edges, _nxt = edge_rows(
        request, artifact_id, direction, predicate, after, limit, words=False
    )
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n")
    w.writerow(TSV_COLUMNS)
    for e in edges:
        w.writerow([cell(e) for _, cell in _TSV])
    name = f"{found.id}-{direction or 'all'}-{(predicate or 'all').replace(':', '_')}.tsv"
    return Response(
        buf.getvalue(),
        media_type="text/tab-separated-values; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/artifact/{artifact_id}/edges", response_class=HTMLResponse)
def edges_page(
    request: Request,
    artifact_id: str,
    direction: str | None = Query(None, pattern="^(out|in)$"),
    predicate: str | None = Query(None, max_length=100),
    after: str | None = Query(None, max_length=500),
    limit: int = Query(50, ge=1, le=500),
) -> Response:
    (found, entity), edges, nxt = edge_rows(
        request, artifact_id, direction, predicate, after, limit
    )
    params = {"direction": direction, "predicate": predicate, "limit": limit, "after": after}
    with store_of(request).read() as conn:
        retracted = retracted_among(conn, (p for e in edges for p in e.publications))
    return request.app.state.templates.TemplateResponse(
        request,
        "edges.html",
        {
            "retracted": retracted,
            "artifact": found,
            "entity": entity,
            "edges": edges,
            "next": nxt,
            "params": params,
            "heading": _edges_heading(predicate, direction),
        },
    )


def _edges_heading(predicate: str | None, direction: str | None) -> str:
    """What a list of edges holds, in words: "regulated by", "regulates, both ways"."""
    if predicate and direction:
        return predicate_phrase(predicate, direction)
    if predicate:
        return f"{predicate_label(predicate)}, both ways"
    return {"out": "its own statements", "in": "statements about it"}.get(direction or "", "all")


@router.get("/artifact/{artifact_id}/history", response_class=HTMLResponse)
def history(request: Request, store: StoreDep, artifact_id: str) -> Response:
    """Every revision of an artifact, newest first."""
    with store.read() as conn:
        found, moved = find_artifact(conn, artifact_id)
        if found is None:
            raise not_found(request, artifact_id)
        if moved:
            return redirect(urls.history(found.id))
        revisions = revision_log(conn, found.id, limit=500)
    info = current_session(request)
    return request.app.state.templates.TemplateResponse(
        request,
        "history.html",
        {
            "artifact": found,
            "revisions": revisions,
            "can_revert": info is not None and info.actor.role in ("curator", "admin"),
            "csrf": info.csrf if info else "",
        },
    )
