"""The Atlas explorer: whole-graph statistics, an entity's neighbourhood, paths between entities.

Each page has a JSON twin under ``/api/atlas`` built by the same function, so
the two cannot drift apart. The neighbourhood view keeps its whole state
(centre, filters, expanded nodes, cap) in the query string: ``ExplorerState``
parses it and renders its canonical form, which the JSON answer carries as
``url`` and ``explorer.js`` puts in the address bar.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from ..artifacts import page_for_entity
from ..atlas_stats import (
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
from ..biolink import is_category, is_predicate, predicate_label
from ..graph import Cursor, EntityRecord, get_entity, neighbours, predicate_counts
from ..model import KNOWLEDGE_LEVELS
from ..paths import DEFAULT_HOPS, DEFAULT_HUB_DEGREE, MAX_HOPS, find_paths
from ..resolve import resolve
from ..search import search
from .api_entities import (
    AMBIGUOUS,
    CURIE_PATTERN,
    ERRORS,
    NOT_FOUND,
    EntityBriefOut,
    find_entity,
    reject_unknown_params,
)
from .artifact_routes import not_found
from .errors import PageError

router = APIRouter()
api = {"tags": ["atlas"], "dependencies": [Depends(reject_unknown_params)], "responses": ERRORS}
page = {"response_class": HTMLResponse, "include_in_schema": False}

MAX_EXPAND = 20
MAX_FILTER_VALUES = 30
_SOURCE = re.compile(r"^infores:[A-Za-z0-9_.\-]+$")
_CURIE = re.compile(CURIE_PATTERN)
LEVELS = sorted(KNOWLEDGE_LEVELS)


@cache
def cytoscape_file() -> str:
    """The vendored cytoscape build (its version is in the file name)."""
    found = sorted((Path(__file__).parent / "static" / "vendor").glob("cytoscape-*.min.js"))
    if not found:
        raise RuntimeError("vendored cytoscape missing under web/static/vendor (scripts/vendor.sh)")
    return found[-1].name


def _render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Any:
    return request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )


def _brief(b: Any) -> dict[str, Any]:
    return {"id": b.id, "name": b.name, "symbol": b.symbol, "category": b.category}


def _checked(values: list[str] | None, what: str, valid: Any) -> list[str]:
    values = values or []
    if len(values) > MAX_FILTER_VALUES:
        raise PageError(400, f"at most {MAX_FILTER_VALUES} values of {what}")
    for v in values:
        if not valid(v):
            raise PageError(400, f"invalid {what} {v[:100]!r}")
    return values


def _state_params(
    predicate: list[str] | None = Query(None, description="Biolink predicates to show."),
    category: list[str] | None = Query(None, description="Categories of the far ends."),
    source: list[str] | None = Query(None, description="Primary knowledge sources."),
    level: list[str] | None = Query(None, description="Knowledge levels.", examples=[LEVELS]),
    expand: list[str] | None = Query(None, description="Entities whose neighbours are shown."),
    cap: int = Query(DEFAULT_CAP, ge=1, le=MAX_CAP, description="Edges per predicate and node."),
) -> dict[str, Any]:
    expanded = _checked(expand, "expand", lambda v: len(v) <= 200 and _CURIE.match(v))
    if len(set(expanded)) > MAX_EXPAND:
        raise PageError(400, f"at most {MAX_EXPAND} expanded entities")
    return {
        "predicate": _checked(predicate, "predicate", is_predicate),
        "category": _checked(category, "category", is_category),
        "source": _checked(source, "source", lambda v: len(v) <= 200 and _SOURCE.match(v)),
        "level": _checked(level, "level", lambda v: v in KNOWLEDGE_LEVELS),
        "expand": expanded,
        "cap": cap,
    }


class ExplorerEdgeOut(BaseModel):
    id: str
    subject: str
    predicate: str
    object: str
    primary_knowledge_source: str
    aggregator_knowledge_sources: list[str]
    knowledge_level: str
    agent_type: str
    publications: list[str]
    evidence_codes: list[str]
    qualifiers: dict[str, Any]
    confidence: float | None
    score: float
    source_release: str | None


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
        "centre": _brief(centre),
        "state": {k: list(v) if isinstance(v, tuple) else v for k, v in state.as_dict().items()},
        "url": state.url(),
        "api": state.url("/api/atlas/entity/"),
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
    **(api | {"responses": ERRORS | NOT_FOUND | AMBIGUOUS}),
)
def explorer_json(
    request: Request,
    curie: str,
    params: dict[str, Any] = Depends(_state_params),
) -> dict[str, Any]:
    with request.app.state.store.read() as conn:
        record, _ = find_entity(conn, curie)
        return _explorer(conn, record, params)


@router.get("/atlas/entity/{curie:path}", **page)
def explorer_page(
    request: Request,
    curie: str,
    params: dict[str, Any] = Depends(_state_params),
    after: str | None = Query(None, max_length=500),
    limit: int = Query(50, ge=1, le=500),
) -> Response:
    """The interactive neighbourhood, its table, and the whole listing page by page."""
    with request.app.state.store.read() as conn:
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
            "edges": listing.edges,
            "next": listing.next_cursor.encode() if listing.next_cursor else None,
            "limit": limit,
            "cytoscape_file": cytoscape_file(),
            "label": predicate_label,
        }
    return _render(request, "atlas_entity.html", context)


# -- statistics ---------------------------------------------------------------------------


def _stats(conn: Connection) -> dict[str, Any]:
    s = atlas_stats(conn)
    q = lambda **kw: urlencode(kw, safe=":@")  # noqa: E731
    return {
        "entities": {"count": s.entities, "url": "/atlas/entities"},
        "edges": {"count": s.edges, "url": "/atlas/edges"},
        "artifacts": {"count": s.artifacts, "url": "/api/artifacts"},
        "entities_by_category": [
            {"category": c, "count": n, "url": f"/atlas/entities?{q(category=c)}"}
            for c, n in s.entities_by_category
        ],
        "edges_by_predicate": [
            {"predicate": p, "count": n, "url": f"/atlas/edges?{q(predicate=p)}"}
            for p, n in s.edges_by_predicate
        ],
        "edges_by_release": [
            {
                "release": r.id or None,
                "name": r.name,
                "version": r.version,
                "count": r.edges,
                "url": f"/atlas/edges?{q(release=r.id)}" if r.id else None,
            }
            for r in s.edges_by_release
        ],
        "artifacts_by_origin": [
            {
                "type": a.type,
                "origin_type": a.origin_type,
                "count": a.count,
                "url": f"/api/artifacts?{q(type=a.type, origin=a.origin_type)}",
            }
            for a in s.artifacts_by_origin
        ],
        "most_connected": [
            _brief(c.entity) | {"degree": c.degree, "url": f"/atlas/entity/{c.entity.id}"}
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
    store = request.app.state.store
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
    return _render(request, "atlas.html", {"stats": stats, "label": predicate_label})


# -- the lists the statistics link to -----------------------------------------------------


class EntityListOut(BaseModel):
    category: str | None
    entities: list[EntityBriefOut]
    next_after: str | None = Field(description="Pass as `after` for the next page.")


def _entities(conn: Connection, category: str | None, after: str | None, limit: int) -> Any:
    if category and not is_category(category):
        raise PageError(400, f"unknown Biolink category {category!r}")
    listing = list_entities(conn, category=category, after=after, limit=limit)
    return {
        "category": category,
        "entities": [_brief(e) for e in listing.entities],
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
    category: str | None = Query(None, max_length=100, examples=["biolink:Gene"]),
    after: str | None = _after,
    limit: int = Query(50, ge=1, le=500),
) -> Any:
    with request.app.state.store.read() as conn:
        return _entities(conn, category, after, limit)


@router.get("/atlas/entities", **page)
def entities_page(
    request: Request,
    category: str | None = Query(None, max_length=100),
    after: str | None = _after,
    limit: int = Query(50, ge=1, le=500),
) -> Response:
    with request.app.state.store.read() as conn:
        data = _entities(conn, category or None, after, limit)
    return _render(request, "atlas_entities.html", {"data": data, "limit": limit})


class EdgeListOut(BaseModel):
    predicate: str | None
    release: str | None
    edges: list[ExplorerEdgeOut]
    entities: dict[str, EntityBriefOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


def _edges(
    conn: Connection, predicate: str | None, release: str | None, cursor: str | None, limit: int
) -> dict[str, Any]:
    if predicate and not is_predicate(predicate):
        raise PageError(400, f"unknown Biolink predicate {predicate!r}")
    try:
        after = EdgeCursor.decode(cursor) if cursor else None
    except ValueError as exc:
        raise PageError(400, str(exc)) from exc
    listing = list_edges(conn, predicate=predicate, release=release, after=after, limit=limit)
    objects = {e.object: e for e in listing.edges}
    entities = {k: _brief(v) for k, v in listing.entities.items()} | {
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
    predicate: str | None = Query(None, max_length=100, examples=["biolink:has_phenotype"]),
    release: str | None = Query(
        None, max_length=200, pattern=r"^[^\x00-\x1f]+$", examples=["hgnc@2026-06"]
    ),
    cursor: str | None = Query(None, max_length=1000),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    return {"predicate": predicate, "release": release, "cursor": cursor, "limit": limit}


@router.get(
    "/api/atlas/edges",
    summary="Edges of one predicate and/or source release, by subject, page by page",
    response_model=EdgeListOut,
    **api,
)
def edges_json(request: Request, p: dict[str, Any] = Depends(_edge_params)) -> Any:
    with request.app.state.store.read() as conn:
        return _edges(conn, p["predicate"], p["release"], p["cursor"], p["limit"])


@router.get("/atlas/edges", **page)
def edges_page(request: Request, p: dict[str, Any] = Depends(_edge_params)) -> Response:
    p = {k: v or None for k, v in p.items()} | {"limit": p["limit"]}
    with request.app.state.store.read() as conn:
        data = _edges(conn, p["predicate"], p["release"], p["cursor"], p["limit"])
    more = {k: v for k, v in p.items() if k in ("predicate", "release") and v}
    return _render(
        request,
        "atlas_edges.html",
        {"data": data, "params": p, "query": urlencode(more), "label": predicate_label},
    )


# -- paths --------------------------------------------------------------------------------


def _resolve_name(conn: Connection, text: str) -> dict[str, Any]:
    """One name of a path query: the entity, or the candidates to choose from."""
    text = text.strip()
    found = resolve(conn, text) if text else None
    if found is not None and found.entity is not None:
        return {"query": text, "status": "ok", "entity": _brief(found.entity)}
    if found is not None and found.ambiguous:
        return {
            "query": text,
            "status": "ambiguous",
            "candidates": [_brief(m) | {"matched_by": m.matched_by} for m in found.best],
        }
    hits = search(conn, text, limit=8).hits if text else []
    return {
        "query": text,
        "status": "unknown",
        "candidates": [
            {"id": h.id, "name": h.title, "symbol": h.symbol, "category": h.category or ""}
            for h in hits
            if h.kind == "entity"
        ],
    }


def _paths(
    conn: Connection, q: dict[str, Any]
) -> tuple[int, dict[str, Any]]:  # (status, body or error details)
    names = {"from": _resolve_name(conn, q["from"]), "to": _resolve_name(conn, q["to"])}
    for i, text in enumerate(q["exclude"]):
        names[f"exclude.{i}"] = _resolve_name(conn, text)
    bad = {k: v for k, v in names.items() if v["status"] != "ok"}
    if bad:
        status = 300 if all(v["status"] == "ambiguous" for v in bad.values()) else 404
        return status, {"query": q, "names": names}
    a, b = names["from"]["entity"], names["to"]["entity"]
    if a["id"] == b["id"]:
        raise PageError(400, f"{q['from']!r} and {q['to']!r} name the same entity")
    excluded = [v["entity"]["id"] for k, v in names.items() if k.startswith("exclude.")]
    result = find_paths(
        conn,
        a["id"],
        b["id"],
        max_hops=q["max_hops"],
        exclude=excluded,
        hub_degree=q["hub_degree"] if q["exclude_hubs"] else None,
        limit=q["limit"],
    )
    return 200, {"query": q, "source": a, "target": b, "excluded": excluded} | result.as_dict()


def _path_params(required: bool) -> Any:
    """The path query's parameters: required in the API, optional on the page (its form)."""
    need: Any = ... if required else ""

    def params(
        from_: str = Query(need, alias="from", min_length=int(required), max_length=200),
        to: str = Query(need, min_length=int(required), max_length=200, examples=["APOE"]),
        max_hops: int = Query(DEFAULT_HOPS, ge=1, le=MAX_HOPS),
        exclude_hubs: bool = Query(False, description="Never pass through hubs."),
        hub_degree: int = Query(DEFAULT_HUB_DEGREE, ge=1, le=10**9, description="A hub's degree."),
        exclude: list[str] | None = Query(None, description="Entities never passed through."),
        limit: int = Query(10, ge=1, le=50),
    ) -> dict[str, Any]:
        exclude = [e for e in exclude or [] if e.strip()]
        if len(exclude) > MAX_FILTER_VALUES:
            raise PageError(400, f"at most {MAX_FILTER_VALUES} values of exclude")
        if any("\x00" in t or len(t) > 200 for t in (from_, to, *exclude)):
            raise PageError(400, "names must be printable text of at most 200 characters")
        hubs = {"exclude_hubs": exclude_hubs, "hub_degree": hub_degree}
        return {"from": from_, "to": to, "max_hops": max_hops, **hubs, "exclude": exclude} | {
            "limit": limit
        }

    return params


class PathsOut(BaseModel):
    query: dict[str, Any]
    source: EntityBriefOut
    target: EntityBriefOut
    excluded: list[str]
    outcome: str = Field(
        description="found | none_within_hops | disconnected | node_bound | time_bound"
    )
    message: str
    length: int | None = Field(description="Hops of the shortest paths.")
    found: int = Field(ge=0, description="Shortest paths found (ranked among these).")
    more: bool = Field(description="There are more shortest paths than were ranked.")
    reach: dict[str, list[int]] = Field(description="Entities reached per depth, by side.")
    visited: int
    edges_read: int
    hubs_skipped: int
    elapsed_ms: float
    paths: list[dict[str, Any]] = Field(
        description="Best evidence first: node ids, and per hop its statements in their real "
        "direction with publications."
    )
    entities: dict[str, EntityBriefOut] = Field(description="The entities on the paths.")


@router.get(
    "/api/atlas/path",
    summary="How two entities are connected: the shortest paths, ranked by their evidence",
    description=(
        "`from` and `to` are names, symbols or CURIEs. A name several entities share answers "
        "**300**, an unknown one **404**, with the candidates in `details.names`. Paths of at "
        "most `max_hops` (default 3, at most 4), found by a bidirectional search over the edge "
        "indexes, bounded in entities visited and in time (`outcome` says which bound was hit)."
    ),
    response_model=PathsOut,
    **(api | {"responses": ERRORS | NOT_FOUND | AMBIGUOUS}),
)
def paths_json(request: Request, q: dict[str, Any] = Depends(_path_params(True))) -> Any:
    with request.app.state.store.read() as conn:
        status, body = _paths(conn, q)
    if status != 200:
        raise PageError(status, "a name in the query names no entity, or several", body)
    return body


@router.get("/atlas/path", **page)
def paths_page(request: Request, q: dict[str, Any] = Depends(_path_params(False))) -> Response:
    status, body = 200, None
    if q["from"].strip() and q["to"].strip():
        with request.app.state.store.read() as conn:
            status, body = _paths(conn, q)

    def path_url(key: str | None, value: str | None, prefix: str = "/atlas/path") -> str:
        """This query with one name replaced (``from``, ``to``, ``exclude.N``)."""
        changed = dict(q, exclude=list(q["exclude"]))
        if key and key.startswith("exclude."):
            changed["exclude"][int(key.split(".")[1])] = value
        elif key:
            changed[key] = value
        defaults = {"max_hops": DEFAULT_HOPS, "exclude_hubs": False, "limit": 10}
        if not changed["exclude_hubs"]:
            defaults["hub_degree"] = changed["hub_degree"]
        pairs = {k: v for k, v in changed.items() if defaults.get(k, object()) != v}
        if pairs.get("exclude_hubs"):
            pairs["exclude_hubs"] = "true"
        return f"{prefix}?{urlencode(pairs, doseq=True, safe=':')}"

    context = {"q": q, "body": body, "label": predicate_label, "path_url": path_url}
    return _render(request, "atlas_path.html", context, status)
