"""The JSON API for agents and scripts: entities, edges, artifact listings, typeahead.

Every handler calls the same query functions as the pages. Errors share one
shape (``{"error": {"code", "message", "details"}}``); a name that several
entities answer to equally is answered with **300 Multiple Choices** and the
candidates, best first, never silently with one of them. Unknown query
parameters are refused (400), so a misspelt filter cannot pass unnoticed.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import Connection

from scidex.kg.urls import urls
from scidex.kg.xrefs import external_url, local_id, namespace_label
from scidex.queries.artifacts import (
    ARTIFACT_SORTS,
    ArtifactCursor,
    ArtifactRecord,
    find_artifact,
    links_of,
    list_artifacts,
    page_for_entity,
    revision_log,
)
from scidex.queries.associations import decode_cursor, disease_genes, gene_counts
from scidex.queries.graph import (
    Cursor,
    EntityRecord,
    NeighbourEdge,
    ReleaseInfo,
    edge_release_counts,
    edges_between,
    entity_briefs,
    get_edge,
    get_entity,
    get_release,
    neighbours,
    predicate_counts,
    source_releases,
)
from scidex.queries.search import SearchResult, typeahead
from scidex.web.deps import StoreDep, reject_unknown_params
from scidex.web.errors import PageError
from scidex.web.params import (
    CONTROL_CHARS,
    artifact_id_param,
    brief,
    category_param,
    check_text,
    check_vocab,
    cursor_param,
    find_entity,
    key_param,
    pick,
    predicate_param,
    text_param,
)
from scidex.web.schemas import (
    ArtifactListOut,
    ArtifactSummaryOut,
    AssociationsOut,
    BetweenOut,
    EdgeDetailOut,
    EdgeOut,
    EntityOut,
    HistoryOut,
    LinkOut,
    NeighboursOut,
    PredicateCountOut,
    ProvenanceOut,
    ReleaseOut,
    RevisionOut,
    SearchHitOut,
    SearchOut,
    XrefsOut,
    errors,
)

# -- parameters -----------------------------------------------------------------


router = APIRouter(dependencies=[Depends(reject_unknown_params)])


# -- entities ---------------------------------------------------------------------


def _xrefs(record: EntityRecord) -> list[dict[str, Any]]:
    return [
        {
            "id": x,
            "namespace": namespace_label(x),
            "local_id": local_id(x),
            "url": external_url(x),
        }
        for x in record.xrefs
    ]


@router.get(
    "/api/entities/{key}/xrefs",
    tags=["entities"],
    summary="An entity's identifiers in other vocabularies, with links",
    response_model=XrefsOut,
    responses=errors(404, 300),
)
def entity_xrefs(request: Request, store: StoreDep, key: str = key_param()) -> dict[str, Any]:
    with store.read() as conn:
        record, _ = find_entity(conn, key)
    return {"entity": brief(record), "xrefs": _xrefs(record)}


def _edge(e: NeighbourEdge) -> dict[str, Any]:
    return pick(e, EdgeOut)  # ``curated`` is a property of the record


def _counts(conn: Connection, curie: str) -> list[dict[str, Any]]:
    return [pick(c, PredicateCountOut) for c in predicate_counts(conn, curie)]


@router.get(
    "/api/entities/{key}/neighbours",
    tags=["entities"],
    summary="An entity's edges, page by page, with counts per predicate",
    description=(
        "Outgoing edges first, then incoming; within each, by predicate, strongest evidence "
        "first. Pass `next_cursor` back as `cursor` for the next page. `predicate` and "
        "`direction` narrow the index range read; `category` (of the other end) and `source` "
        "(primary knowledge source) are checked edge by edge along it, so a filter that "
        "almost nothing passes reads the whole neighbourhood. `counts` are per predicate "
        "and direction, unfiltered."
    ),
    response_model=NeighboursOut,
    responses=errors(404, 300),
)
def entity_neighbours(
    request: Request,
    store: StoreDep,
    key: str = key_param(),
    predicate: str | None = predicate_param(),
    category: str | None = category_param("Category of the other end."),
    direction: Literal["out", "in"] | None = Query(
        None, description="`out`: the entity is the subject; `in`: the object."
    ),
    source: str | None = Query(
        None,
        max_length=200,
        pattern=r"^infores:[A-Za-z0-9_.\-]+$",
        description="Primary knowledge source.",
        examples=["infores:goa"],
    ),
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = cursor_param("neighbours", 500),
) -> dict[str, Any]:
    check_vocab(predicate, category)
    try:
        after = Cursor.decode(cursor) if cursor else None
    except ValueError as exc:
        raise PageError(400, str(exc)) from exc
    if after is not None and CONTROL_CHARS.search(after.predicate + after.id):
        raise PageError(400, "malformed cursor")  # PostgreSQL text cannot hold NUL
    with store.read() as conn:
        record, _ = find_entity(conn, key)
        page = neighbours(
            conn,
            record.id,
            predicate=predicate,
            direction=direction,
            category=category,
            source=source,
            after=after,
            limit=limit,
        )
        counts = _counts(conn, record.id)
    filters = dict(predicate=predicate, category=category, direction=direction, source=source)
    nxt = page.next_cursor.encode() if page.next_cursor else None
    query = {k: v for k, v in filters.items() if v} | {"limit": limit}
    return {
        "entity": brief(record),
        "degree": sum(c["count"] for c in counts),
        "counts": counts,
        "filters": filters,
        "edges": [_edge(e) for e in page.edges],
        "next_cursor": nxt,
        "next": urls.api_neighbours(record.id, urlencode(query | {"cursor": nxt})) if nxt else None,
    }


@router.get(
    "/api/entities/{key}/associations",
    tags=["entities"],
    summary="A disease's associated genes, direct and through its subtypes",
    description=(
        "Genes with a `biolink:gene_associated_with_condition` edge to the disease "
        "(`include=direct`) or also to any of its subtypes along `biolink:subclass_of`, at any "
        "depth (`include=subtypes`, the default, as Monarch rolls them up). Direct genes "
        "first, then by id; each carries the edges behind it, with the subtype each names "
        "and its source. Pass `next_cursor` back as `cursor` for the next page."
    ),
    response_model=AssociationsOut,
    responses=errors(404, 300),
)
def entity_associations(
    request: Request,
    store: StoreDep,
    key: str = key_param(),
    include: Literal["subtypes", "direct"] = Query(
        "subtypes", description="`subtypes`: roll up through subtypes; `direct`: only direct."
    ),
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = cursor_param("associations", 500),
) -> dict[str, Any]:
    if cursor:
        try:
            _inherited, gene = decode_cursor(cursor)
        except ValueError as exc:
            raise PageError(400, "malformed cursor") from exc
        if CONTROL_CHARS.search(gene):
            raise PageError(400, "malformed cursor")  # PostgreSQL text cannot hold NUL
    with store.read() as conn:
        record, _ = find_entity(conn, key)
        counts = gene_counts(conn, record.id)
        page = disease_genes(
            conn, record.id, limit=limit, cursor=cursor, direct_only=include == "direct"
        )
    nxt = page.next_cursor
    query = {"include": include, "limit": limit}
    return {
        "entity": brief(record),
        "include": include,
        "counts": counts.as_json(),
        "genes": [g.as_json() for g in page.genes],
        "next_cursor": nxt,
        "next": urls.api_associations(record.id, urlencode(query | {"cursor": nxt}))
        if nxt
        else None,
    }


@router.get(
    "/api/entities/{key:path}",
    tags=["entities"],
    summary="An entity by CURIE or by any of its names",
    description=(
        "`HGNC:935`, `NCBIGene:571`, `BACH1` and `bach1` all answer BACH1. A name no entity "
        "has exactly is read as `/entities/{name}` reads it: a bare accession (`O14867`, the "
        "protein), a name without its parenthesised qualifier (`hippocampus`), a singular "
        "(`neurons`), or the start of one entity's shortest name (`microglia`); "
        "`matched_by` says which. A name several entities share equally (an alias two genes "
        "use) answers **300** with the candidates; an unknown one **404** with suggestions "
        "from search."
    ),
    response_model=EntityOut,
    responses=errors(404, 300),
)
def get_entity_json(request: Request, store: StoreDep, key: str = key_param()) -> dict[str, Any]:
    with store.read() as conn:
        record, how = find_entity(conn, key)
        counts = _counts(conn, record.id)
        page = page_for_entity(conn, record.id)
    own = set(EntityOut.model_fields) - {"xrefs", "matched_by", "degree", "predicate_counts"}
    return {f: getattr(record, f) for f in own - {"urls"}} | {
        "xrefs": _xrefs(record),
        "matched_by": how,
        "degree": sum(c["count"] for c in counts),
        "predicate_counts": counts,
        "urls": {
            "page": urls.artifact(page.id) if page else None,
            "page_json": urls.api_artifact(page.id) if page else None,
            "neighbours": urls.api_neighbours(record.id),
            "xrefs": urls.api_xrefs(record.id),
        },
    }


# -- edges ------------------------------------------------------------------------


def _release(r: ReleaseInfo) -> dict[str, Any]:
    return pick(r, ReleaseOut)


@router.get(
    "/api/edges/between",
    tags=["edges"],
    summary="The edges between two entities, both directions, with their evidence",
    description="`direction` is `out` for subject → object, `in` for object → subject.",
    response_model=BetweenOut,
    responses=errors(404, 300),
)
def between(
    request: Request,
    store: StoreDep,
    subject: str = text_param("One end: a CURIE or a name.", examples=["HGNC:935"]),
    object: str = text_param("The other end: a CURIE or a name.", examples=["HGNC:5013"]),
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    with store.read() as conn:
        a, _ = find_entity(conn, subject)
        b, _ = find_entity(conn, object)
        edges = edges_between(conn, a.id, b.id, limit=limit)
    return {
        "subject": brief(a),
        "object": brief(b),
        "count": len(edges),
        "edges": [_edge(e) for e in edges],
    }


@router.get(
    "/api/edges/{edge_id}",
    tags=["edges"],
    summary="One edge with its full provenance and the source release it came from",
    response_model=EdgeDetailOut,
    responses=errors(404),
)
def edge_json(
    request: Request,
    store: StoreDep,
    edge_id: str = Path(
        pattern=r"^E[0-9a-f]{24}$",
        description="An edge id (`E` and 24 hex digits, a hash of the statement and its source).",
        examples=["Ee8cf638a7d3a8c71bb1ce15c"],
    ),
) -> dict[str, Any]:
    with store.read() as conn:
        e = get_edge(conn, edge_id)
        if e is None:
            raise PageError(404, f"no edge {edge_id!r}")
        ends = entity_briefs(conn, [e.subject, e.object])
        release = get_release(conn, e.source_release) if e.source_release else None
    return {
        "edge": _edge(e),
        "subject": brief(ends[e.subject]) if e.subject in ends else None,
        "object": brief(ends[e.object]) if e.object in ends else None,
        "publications": [{"id": p, "url": external_url(p)} for p in e.publications],
        "release": _release(release) if release else None,
    }


# -- artifacts --------------------------------------------------------------------


def _artifact_summary(a: ArtifactRecord) -> dict[str, Any]:
    fields = set(ArtifactSummaryOut.model_fields) - {"urls"}
    links = {"page": urls.artifact(a.id), "json": urls.api_artifact(a.id)}
    return {f: getattr(a, f) for f in fields} | {"urls": links}


@router.get(
    "/api/artifacts",
    tags=["artifacts"],
    summary="List artifacts, filtered and sorted, page by page",
    description=(
        "`sort=id` (the default) walks the primary key: a page costs `limit` steps. Other "
        "orders, and filters on a rare value, read every artifact on the full atlas "
        "(tens of milliseconds). Pass `next_cursor` back as `cursor`: it continues in the "
        "order it was made in, whatever `sort` says."
    ),
    response_model=ArtifactListOut,
)
def artifacts_list(
    request: Request,
    store: StoreDep,
    type: str | None = Query(None, max_length=40, pattern=r"^[a-z_]+$", examples=["wiki_page"]),
    entity_category: str | None = category_param(),
    origin: Literal["curated", "backfill", "import", "agent"] | None = Query(None),
    lifecycle: Literal["active", "superseded", "merged"] | None = Query(None),
    sort: Literal[tuple(ARTIFACT_SORTS)] = Query("id"),  # type: ignore[valid-type]
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = cursor_param("artifacts"),
) -> dict[str, Any]:
    check_vocab(None, entity_category)
    try:
        after = ArtifactCursor.decode(cursor) if cursor else None
        if after is not None:
            sort = after.sort  # a cursor continues the listing that made it
        with store.read() as conn:
            listing = list_artifacts(
                conn,
                type=type,
                entity_category=entity_category,
                origin=origin,
                lifecycle=lifecycle,
                sort=sort,
                after=after,
                limit=limit,
            )
    except ValueError as exc:
        raise PageError(400, str(exc)) from exc
    nxt = listing.next_cursor.encode() if listing.next_cursor else None
    return {"items": [_artifact_summary(a) for a in listing.items], "next_cursor": nxt}


def _find_artifact(conn: Connection, key: str) -> ArtifactRecord:
    key = check_text(key, "an artifact id")
    found, _ = find_artifact(conn, key)
    if found is None:
        raise PageError(404, f"no artifact {key!r}")
    return found


def _revisions(conn: Connection, artifact_id: str, before: int | None, limit: int) -> list[Any]:
    return [
        pick(r, RevisionOut) for r in revision_log(conn, artifact_id, before=before, limit=limit)
    ]


@router.get(
    "/api/artifacts/{artifact_id}/history",
    tags=["artifacts"],
    summary="An artifact's revisions, newest first (without their content)",
    response_model=HistoryOut,
    responses=errors(404),
)
def artifact_history(
    request: Request,
    store: StoreDep,
    artifact_id: str = artifact_id_param(),
    before: int | None = Query(None, ge=1, le=2**31 - 1, description="Versions below this one."),
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    with store.read() as conn:
        art = _find_artifact(conn, artifact_id)
        revisions = _revisions(conn, art.id, before, limit + 1)
    more = len(revisions) > limit
    revisions = revisions[:limit]
    return {
        "artifact": {"id": art.id, "title": art.title, "current_version": art.current_version},
        "revisions": revisions,
        "next_before": revisions[-1]["version"] if more and revisions else None,
    }


@router.get(
    "/api/artifacts/{artifact_id}/provenance",
    tags=["artifacts"],
    summary="Where an artifact came from: source releases, revisions, links",
    response_model=ProvenanceOut,
    responses=errors(404),
)
def artifact_provenance(
    request: Request, store: StoreDep, artifact_id: str = artifact_id_param()
) -> dict[str, Any]:
    with store.read() as conn:
        art = _find_artifact(conn, artifact_id)
        record = get_entity(conn, art.kg_node_id) if art.kg_node_id else None
        uses: list[dict[str, Any]] = []
        if record is not None:
            counts = edge_release_counts(conn, record.id)
            for r in source_releases(conn):
                if r.id in counts or r.id == record.source_release:
                    uses.append(
                        _release(r)
                        | {
                            "edges": counts.get(r.id, 0),
                            "defines_entity": r.id == record.source_release,
                        }
                    )
        revisions = _revisions(conn, art.id, None, 20)
        links = links_of(conn, art.id)
    return {
        "artifact_id": art.id,
        "current_version": art.current_version,
        "origin_type": art.origin_type,
        "created_by": art.created_by,
        "entity": brief(record) if record else None,
        "source_releases": uses,
        "revisions": revisions,
        "links": [pick(x, LinkOut) for x in links],
    }


# -- typeahead ----------------------------------------------------------------------


def _search_out(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "category": result.category,
        "hits": [pick(h, SearchHitOut) for h in result.hits],
    }


@router.get(
    "/api/typeahead",
    tags=["search"],
    summary="The first few matches while someone types",
    description=(
        "Same ranking as `/api/search` (exact name or identifier, then names starting with "
        "the query, shortest first, then text), answered from the names index alone until "
        "the query has three characters."
    ),
    response_model=SearchOut,
)
def typeahead_json(
    request: Request,
    store: StoreDep,
    q: str = Query(
        ..., max_length=500, description="What has been typed so far.", examples=["bac"]
    ),
    category: str | None = category_param(),
    limit: int = Query(8, ge=1, le=20),
) -> dict[str, Any]:
    check_vocab(None, category)
    with store.read() as conn:
        return _search_out(typeahead(conn, q, category=category, limit=limit))
