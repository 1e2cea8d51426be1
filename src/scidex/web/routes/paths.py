"""Paths between two entities: ``/atlas/path`` and its JSON twin ``/api/atlas/path``.

Both take names, symbols or CURIEs; a name that several entities share, or
none, answers with the candidates instead of guessing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from scidex.kg.biolink import predicate_label
from scidex.kg.urls import urls
from scidex.queries.paths import DEFAULT_HOPS, DEFAULT_HUB_DEGREE, MAX_HOPS, find_paths
from scidex.queries.resolve import resolve
from scidex.queries.search import search
from scidex.web.deps import StoreDep
from scidex.web.errors import PageError
from scidex.web.rendering import MAX_FILTER_VALUES, api, entity_brief, page, render_page
from scidex.web.schemas import EntityBriefOut, errors

router = APIRouter()


def _resolve_name(conn: Connection, text: str) -> dict[str, Any]:
    """One name of a path query: the entity, or the candidates to choose from."""
    text = text.strip()
    found = resolve(conn, text) if text else None
    if found is not None and found.entity is not None:
        return {"query": text, "status": "ok", "entity": entity_brief(found.entity)}
    if found is not None and found.ambiguous:
        return {
            "query": text,
            "status": "ambiguous",
            "candidates": [entity_brief(m) | {"matched_by": m.matched_by} for m in found.best],
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
    **api,
    responses=errors(404, 300),
)
def paths_json(
    request: Request, store: StoreDep, q: dict[str, Any] = Depends(_path_params(True))
) -> Any:
    with store.read() as conn:
        status, body = _paths(conn, q)
    if status != 200:
        raise PageError(status, "a name in the query names no entity, or several", body)
    return body


@router.get("/atlas/path", **page)
def paths_page(
    request: Request, store: StoreDep, q: dict[str, Any] = Depends(_path_params(False))
) -> Response:
    status, body = 200, None
    if q["from"].strip() and q["to"].strip():
        with store.read() as conn:
            status, body = _paths(conn, q)

    def path_url(key: str | None, value: str | None, api: bool = False) -> str:
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
        query = urlencode(pairs, doseq=True, safe=":")
        return urls.api_paths(query) if api else urls.paths(query)

    context = {"q": q, "body": body, "label": predicate_label, "path_url": path_url}
    return render_page(request, "atlas_path.html", context, status)
