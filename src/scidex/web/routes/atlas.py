"""The Atlas explorer: whole-graph statistics, an entity's neighbourhood, entity and edge lists.

Each page has a JSON twin under ``/api/atlas`` built by the same function, so
the two cannot drift apart. The neighbourhood view keeps its whole state
(centre, filters, expanded nodes, cap) in the query string: ``ExplorerState``
parses it and renders its canonical form, which the JSON answer carries as
``url`` and ``explorer.js`` puts in the address bar.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from scidex.kg.biolink import is_category, is_predicate, predicate_label, predicate_phrase
from scidex.kg.categories import label_for
from scidex.kg.model import KNOWLEDGE_LEVELS
from scidex.kg.urls import urls
from scidex.queries.artifacts import page_for_entity
from scidex.queries.atlas_stats import (
    DEFAULT_CAP,
    MAX_CAP,
    EdgeCursor,
    ExplorerState,
    Neighbourhood,
    atlas_stats,
    list_edges,
    list_entities,
    neighbourhood,
)
from scidex.queries.graph import (
    Cursor,
    EntityRecord,
    PredicateCount,
    get_entity,
    neighbours,
    predicate_counts,
    with_qualifier_words,
)
from scidex.queries.resolve import resolve
from scidex.web.deps import StoreDep, store_of
from scidex.web.errors import PageError
from scidex.web.params import (
    CATEGORIES,
    CURIE_PATTERN,
    PREDICATES,
    category_param,
    check_vocab,
    cursor_param,
    find_entity,
    key_param,
    predicate_param,
)
from scidex.web.rendering import (
    MAX_FILTER_VALUES,
    api,
    cytoscape_file,
    entity_brief,
    not_found,
    page,
    render_page,
)
from scidex.web.schemas import EntityBriefOut, edge_field, errors

router = APIRouter()

MAX_EXPAND = 20
_SOURCE = re.compile(r"^infores:[A-Za-z0-9_.\-]+$")
_CURIE = re.compile(CURIE_PATTERN)
LEVELS = sorted(KNOWLEDGE_LEVELS)


def _checked(values: list[str] | None, what: str, valid: Any) -> list[str]:
    values = values or []
    if len(values) > MAX_FILTER_VALUES:
        raise PageError(400, f"at most {MAX_FILTER_VALUES} values of {what}")
    for v in values:
        if not valid(v):
            raise PageError(400, f"invalid {what} {v[:100]!r}")
    return values


def _list(description: str, items: dict[str, Any], most: int = MAX_FILTER_VALUES) -> Any:
    """A repeatable filter: its values' constraints and how many it takes, as checked below."""
    return Query(
        None,
        description=description,
        json_schema_extra={"items": {"type": "string", **items}, "maxItems": most},
    )


def _state_params(
    predicate: list[str] | None = _list("Biolink predicates to show.", {"enum": PREDICATES}),
    category: list[str] | None = _list("Categories of the far ends.", {"enum": CATEGORIES}),
    source: list[str] | None = _list(
        "Primary knowledge sources.", {"pattern": _SOURCE.pattern, "maxLength": 200}
    ),
    level: list[str] | None = _list("Knowledge levels.", {"enum": LEVELS}),
    expand: list[str] | None = _list(
        "Entities whose neighbours are shown (CURIEs).",
        {"pattern": CURIE_PATTERN, "maxLength": 200},
        MAX_EXPAND,
    ),
    cap: int = Query(DEFAULT_CAP, ge=1, le=MAX_CAP, description="Edges per predicate and node."),
) -> dict[str, Any]:
    expanded = _checked(expand, "expand", lambda v: len(v) <= 200 and _CURIE.match(v))
    if len(expanded) > MAX_EXPAND:
        raise PageError(400, f"at most {MAX_EXPAND} expanded entities")
    return {
        "predicate": _checked(predicate, "predicate", is_predicate),
        "category": _checked(category, "category", is_category),
        "source": _checked(source, "source", lambda v: len(v) <= 200 and _SOURCE.match(v)),
        "level": _checked(level, "level", lambda v: v in KNOWLEDGE_LEVELS),
        "expand": expanded,
        "cap": cap,
    }


# An edge as the explorer draws it: the declared fields (kg.fields), no view from either end.
class ExplorerEdgeOut(BaseModel):
    id: str = edge_field("id")
    subject: str = edge_field("subject")
    predicate: str = edge_field("predicate")
    object: str = edge_field("object")
    primary_knowledge_source: str = edge_field("primary_knowledge_source")
    aggregator_knowledge_sources: list[str] = edge_field("aggregator_knowledge_sources")
    knowledge_level: str = edge_field("knowledge_level")
    agent_type: str = edge_field("agent_type")
    publications: list[str] = edge_field("publications")
    evidence_codes: list[str] = edge_field("evidence_codes")
    qualifiers: dict[str, Any] = edge_field("qualifiers")
    confidence: float | None = edge_field("confidence")
    score: float = edge_field("score")
    source_release: str | None = edge_field("source_release")


def _edge(e: Any) -> dict[str, Any]:
    return {k: getattr(e, k) for k in ExplorerEdgeOut.model_fields}


def _explorer(conn: Connection, centre: EntityRecord, params: dict[str, Any]) -> dict[str, Any]:
    """The neighbourhood view's data: the page embeds it, the API answers it."""
    state = ExplorerState.of(centre.id, **params)
    hood: Neighbourhood = neighbourhood(
        conn, centre.id, expand=state.expand, filters=state.filters, cap=state.cap
    )
    counts = predicate_counts(conn, centre.id)
    edges = [_edge(e) for e in hood.edges]
    nodes = [asdict(n) for n in hood.nodes.values()]
    return {
        "centre": entity_brief(centre),
        "state": {k: list(v) if isinstance(v, tuple) else v for k, v in state.as_dict().items()},
        "url": state.url(),
        "api": state.url(api=True),
        "degree": sum(c.count for c in counts),
        "nodes": nodes,
        "edges": edges,
        "groups": [
            asdict(g) | {"more_url": state.url(cap=min(state.cap * 4, MAX_CAP)) if g.more else None}
            for g in hood.groups
        ],
        "facets": {
            "predicate": sorted({c.predicate for c in counts} | set(state.predicate)),
            "category": sorted({n["category"] for n in nodes} | set(state.category)),
            "source": sorted({e["primary_knowledge_source"] for e in edges} | set(state.source)),
            "level": LEVELS,
        },
        "unknown": hood.unknown,
        "words": _words(nodes, edges, counts, state),
    }


def _words(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    counts: list[PredicateCount],
    state: ExplorerState,
) -> dict[str, dict[str, Any]]:
    """What the view calls each category and predicate it shows, in words."""
    categories = {n["category"] for n in nodes} | set(state.category)
    predicates = {e["predicate"] for e in edges} | {c.predicate for c in counts}
    return {
        "categories": {c: label_for(c) for c in sorted(categories)},
        "predicates": {
            p: {"out": predicate_phrase(p, "out"), "in": predicate_phrase(p, "in")}
            for p in sorted(predicates | set(state.predicate))
        },
    }


class NodeOut(EntityBriefOut):
    degree: int = Field(ge=0)
    expanded: bool = Field(description="Its neighbours are loaded (the centre or in `expand`).")


class GroupOut(BaseModel):
    node: str
    direction: str = Field(description="out: the node is the subject.")
    predicate: str
    total: int = Field(ge=0, description="All its edges of this predicate, unfiltered.")
    shown: int = Field(ge=0)
    more: bool = Field(description="More edges pass the filters than the cap shows.")
    more_url: str | None


class ExplorerOut(BaseModel):
    centre: EntityBriefOut
    state: dict[str, Any] = Field(description="The parsed view state, canonical.")
    url: str = Field(description="The page showing this view.")
    api: str
    degree: int = Field(ge=0, description="All edges of the centre.")
    nodes: list[NodeOut]
    edges: list[ExplorerEdgeOut]
    groups: list[GroupOut]
    facets: dict[str, list[str]] = Field(description="Values the filters offer.")
    unknown: list[str] = Field(description="Expanded ids the atlas does not hold.")
    words: dict[str, dict[str, Any]] = Field(
        description="Labels to show: `categories` (each category's), `predicates` (each "
        "predicate read from either end: `out` from its subject, `in` from its object)."
    )


@router.get(
    "/api/atlas/entity/{curie:path}",
    summary="An entity's neighbourhood as the explorer draws it: capped, filtered, expandable",
    description=(
        "The strongest `cap` edges of each predicate and direction of the centre and of "
        "each `expand`ed entity, filtered by `predicate`, `category` (of the far end), "
        "`source` (primary knowledge source) and `level` (knowledge level). A hub's first "
        "screen costs `cap` index steps per predicate, never its whole neighbourhood; "
        "`groups` say where more edges wait (`more_url`)."
    ),
    response_model=ExplorerOut,
    **api,
    responses=errors(404, 300),
)
def explorer_json(
    request: Request,
    store: StoreDep,
    curie: str = key_param(),
    params: dict[str, Any] = Depends(_state_params),
) -> dict[str, Any]:
    with store.read() as conn:
        record, _ = find_entity(conn, curie)
        return _explorer(conn, record, params)


@router.get("/atlas/entity/{curie:path}", **page)
def explorer_page(
    request: Request,
    store: StoreDep,
    curie: str,
    params: dict[str, Any] = Depends(_state_params),
    after: str | None = Query(None, max_length=500),
    limit: int = Query(50, ge=1, le=500),
) -> Response:
    """The interactive neighbourhood, its table, and the whole listing page by page."""
    with store.read() as conn:
        match = resolve(conn, curie)
        if match.entity is None:
            raise not_found(request, curie, "entity")
        record = get_entity(conn, match.entity.id)
        assert record is not None
        data = _explorer(conn, record, params)
        try:
            cursor = Cursor.decode(after) if after else None
        except ValueError as exc:
            raise PageError(400, str(exc)) from exc
        listing = neighbours(conn, record.id, after=cursor, limit=limit)
        context = {
            "entity": record,
            "page": page_for_entity(conn, record.id),
            "counts": predicate_counts(conn, record.id),
            "data": data,
            "names": {n["id"]: n for n in data["nodes"]},
            "state": ExplorerState.of(record.id, **params),
            "edges": with_qualifier_words(conn, listing.edges),
            "next": listing.next_cursor.encode() if listing.next_cursor else None,
            "limit": limit,
            "cytoscape_file": cytoscape_file(),
            "label": predicate_label,
        }
    return render_page(request, "atlas_entity.html", context)


# -- statistics ---------------------------------------------------------------------------


def _stats(conn: Connection) -> dict[str, Any]:
    s = atlas_stats(conn)
    return {
        "entities": {"count": s.entities, "url": urls.atlas_entities()},
        "edges": {"count": s.edges, "url": urls.atlas_edges()},
        "artifacts": {"count": s.artifacts, "url": urls.api_artifacts()},
        "entities_by_category": [
            {"category": c, "count": n, "url": urls.atlas_entities({"category": c})}
            for c, n in s.entities_by_category
        ],
        "edges_by_predicate": [
            {"predicate": p, "count": n, "url": urls.atlas_edges({"predicate": p})}
            for p, n in s.edges_by_predicate
        ],
        "edges_by_release": [
            {
                "release": r.id or None,
                "name": r.name,
                "version": r.version,
                "count": r.edges,
                "url": urls.atlas_edges({"release": r.id}) if r.id else None,
            }
            for r in s.edges_by_release
        ],
        "artifacts_by_origin": [
            {
                "type": a.type,
                "origin_type": a.origin_type,
                "count": a.count,
                "url": urls.api_artifacts({"type": a.type, "origin": a.origin_type}),
            }
            for a in s.artifacts_by_origin
        ],
        "most_connected": [
            entity_brief(c.entity) | {"degree": c.degree, "url": urls.explorer(c.entity.id)}
            for c in s.most_connected
        ],
    }


class CountOut(BaseModel):
    count: int = Field(ge=0)
    url: str | None = Field(description="The list this number counts.")


class CategoryCountOut(CountOut):
    category: str


class PredicateCountOut(CountOut):
    predicate: str


class ReleaseCountOut(CountOut):
    release: str | None
    name: str | None
    version: str | None


class OriginCountOut(CountOut):
    type: str
    origin_type: str


class ConnectedOut(EntityBriefOut):
    degree: int = Field(ge=0)
    url: str


class StatsOut(BaseModel):
    entities: CountOut
    edges: CountOut
    artifacts: CountOut
    entities_by_category: list[CategoryCountOut]
    edges_by_predicate: list[PredicateCountOut]
    edges_by_release: list[ReleaseCountOut]
    artifacts_by_origin: list[OriginCountOut]
    most_connected: list[ConnectedOut] = Field(description="The 20 entities with most edges.")


@router.get(
    "/api/atlas",
    summary="Statistics of the whole graph, each with the URL of the list it counts",
    response_model=StatsOut,
    **api,
)
def stats_json(request: Request) -> dict[str, Any]:
    return _current_stats(request)


def _current_stats(request: Request) -> dict[str, Any]:
    """The statistics for the store's data version, computed once per version.

    They group the whole graph (hundreds of milliseconds on a large one) and
    change only when something is written, which advances the data version.
    """
    store = store_of(request)
    version = store.data_version()  # read first: a write meanwhile only forces a recount
    held: tuple[int, dict[str, Any]] | None = getattr(request.app.state, "atlas_stats", None)
    if held is None or held[0] != version:
        with store.read() as conn:
            held = (version, _stats(conn))
        request.app.state.atlas_stats = held
    return held[1]


@router.get("/atlas", **page)
def stats_page(request: Request) -> Response:
    stats = _current_stats(request)
    return render_page(request, "atlas.html", {"stats": stats, "label": predicate_label})


# -- the lists the statistics link to -----------------------------------------------------


class EntityListOut(BaseModel):
    category: str | None
    entities: list[EntityBriefOut]
    next_after: str | None = Field(description="Pass as `after` for the next page.")


def _entities(conn: Connection, category: str | None, after: str | None, limit: int) -> Any:
    check_vocab(None, category)
    listing = list_entities(conn, category=category, after=after, limit=limit)
    return {
        "category": category,
        "entities": [entity_brief(e) for e in listing.entities],
        "next_after": listing.next_after,
    }


_after = Query(None, max_length=200, pattern=r"^[^\x00-\x1f]+$", description="Last id shown.")


@router.get(
    "/api/atlas/entities",
    summary="Entities, optionally of one category, by id, page by page",
    response_model=EntityListOut,
    **api,
)
def entities_json(
    request: Request,
    store: StoreDep,
    category: str | None = category_param(),
    after: str | None = _after,
    limit: int = Query(50, ge=1, le=500),
) -> Any:
    with store.read() as conn:
        return _entities(conn, category, after, limit)


@router.get("/atlas/entities", **page)
def entities_page(
    request: Request,
    store: StoreDep,
    category: str | None = Query(None, max_length=100),
    after: str | None = _after,
    limit: int = Query(50, ge=1, le=500),
) -> Response:
    with store.read() as conn:
        data = _entities(conn, category or None, after, limit)
    return render_page(request, "atlas_entities.html", {"data": data, "limit": limit})


class EdgeListOut(BaseModel):
    predicate: str | None
    release: str | None
    edges: list[ExplorerEdgeOut]
    entities: dict[str, EntityBriefOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


def _edges(
    conn: Connection, predicate: str | None, release: str | None, cursor: str | None, limit: int
) -> dict[str, Any]:
    check_vocab(predicate, None)
    try:
        after = EdgeCursor.decode(cursor) if cursor else None
    except ValueError as exc:
        raise PageError(400, str(exc)) from exc
    listing = list_edges(conn, predicate=predicate, release=release, after=after, limit=limit)
    objects = {e.object: e for e in listing.edges}
    entities = {k: entity_brief(v) for k, v in listing.entities.items()} | {
        o: {"id": o, "name": e.other_name, "symbol": e.other_symbol, "category": e.other_category}
        for o, e in objects.items()
    }
    return {
        "predicate": predicate,
        "release": release,
        "edges": [_edge(e) for e in listing.edges],
        "entities": entities,
        "next_cursor": listing.next_cursor.encode() if listing.next_cursor else None,
    }


def _edge_params(
    predicate: str | None = predicate_param(),
    release: str | None = Query(
        None, max_length=200, pattern=r"^[^\x00-\x1f]+$", examples=["hgnc@2026-06"]
    ),
    cursor: str | None = cursor_param("edges"),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    return {"predicate": predicate, "release": release, "cursor": cursor, "limit": limit}


@router.get(
    "/api/atlas/edges",
    summary="Edges of one predicate and/or source release, by subject, page by page",
    response_model=EdgeListOut,
    **api,
)
def edges_json(request: Request, store: StoreDep, p: dict[str, Any] = Depends(_edge_params)) -> Any:
    with store.read() as conn:
        return _edges(conn, p["predicate"], p["release"], p["cursor"], p["limit"])


@router.get("/atlas/edges", **page)
def edges_page(
    request: Request, store: StoreDep, p: dict[str, Any] = Depends(_edge_params)
) -> Response:
    # The page's form sends an empty field for "any".
    p = {k: v or None for k, v in p.items()} | {"limit": p["limit"]}
    with store.read() as conn:
        data = _edges(conn, p["predicate"], p["release"], p["cursor"], p["limit"])
    more = {k: v for k, v in p.items() if k in ("predicate", "release") and v}
    return render_page(
        request,
        "atlas_edges.html",
        {"data": data, "params": p, "query": urlencode(more), "label": predicate_label},
    )
