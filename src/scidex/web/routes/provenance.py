"""The provenance graph of an artifact, as a page and as JSON, and links added by editors."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from scidex.kg.model import LINK_TYPES
from scidex.queries.artifacts import find_artifact
from scidex.registry.provenance import add_link, walk
from scidex.registry.revisions import WriteError
from scidex.web.deps import ActorDep, StoreDep, reject_unknown_params, store_of
from scidex.web.errors import PageError
from scidex.web.params import artifact_id_param
from scidex.web.schemas import errors

router = APIRouter()

DEPTH = Query(2, ge=1, le=6, description="How many links away to follow.")
DIRECTION = Query(
    "both",
    pattern="^(out|in|both)$",
    description="out: what it derives from/cites; in: what uses it.",
)
LIMIT = Query(200, ge=1, le=2000, description="Cap on artifacts; `truncated` says if hit.")


def _walk(request: Request, artifact_id: str, depth: int, direction: str, limit: int) -> Any:
    with store_of(request).read() as conn:
        found, _ = find_artifact(conn, artifact_id)
        if found is None:
            raise PageError(404, f"no artifact {artifact_id!r}")
        try:
            return walk(conn, found.id, depth=depth, direction=direction, limit=limit)
        except WriteError as exc:
            raise PageError(exc.status, str(exc)) from exc


@router.get(
    "/api/artifacts/{artifact_id}/provenance/graph",
    tags=["artifacts"],
    summary="Walk the provenance graph from an artifact",
    dependencies=[Depends(reject_unknown_params)],
    responses=errors(404),
)
def provenance_graph(
    request: Request,
    artifact_id: Annotated[str, artifact_id_param()],
    depth: int = DEPTH,
    direction: str = DIRECTION,
    limit: int = LIMIT,
) -> dict[str, Any]:
    return asdict(_walk(request, artifact_id, depth, direction, limit))


@router.get(
    "/artifact/{artifact_id}/provenance", response_class=HTMLResponse, include_in_schema=False
)
def provenance_page(
    request: Request,
    artifact_id: str,
    depth: int = DEPTH,
    direction: str = DIRECTION,
    limit: int = LIMIT,
) -> Response:
    result = _walk(request, artifact_id, depth, direction, limit)
    by_depth: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for aid, node in result.nodes.items():
        by_depth.setdefault(node["depth"], []).append((aid, node))
    return request.app.state.templates.TemplateResponse(
        request,
        "provenance.html",
        {
            "walk": result,
            "by_depth": sorted(by_depth.items()),
            "direction": direction,
            "limit": limit,
        },
    )


class LinkBody(BaseModel):
    link_type: str = Field(
        ...,
        examples=["derives_from"],
        pattern=f"^({'|'.join(sorted(LINK_TYPES))})$",
        description=", ".join(sorted(LINK_TYPES)),
    )
    target: str = Field(..., max_length=200, examples=["pmid-8887638"])


@router.post(
    "/api/artifacts/{artifact_id}/links",
    tags=["writes"],
    summary="State a provenance link from this artifact to another",
    dependencies=[Depends(reject_unknown_params)],
    responses=errors(404, 409, 422),
)
def post_link(
    request: Request,
    store: StoreDep,
    artifact_id: Annotated[str, artifact_id_param()],
    body: LinkBody,
    actor: ActorDep,
) -> dict[str, Any]:
    try:
        with store.atomic() as conn:
            add_link(conn, artifact_id, body.link_type, body.target, actor)
    except WriteError as exc:
        raise PageError(exc.status, str(exc), exc.details) from exc
    return {
        "source": artifact_id,
        "link_type": body.link_type,
        "target": body.target,
        "created_by": actor.label,
    }
