"""Writes through the JSON API: edits, reverts, previews, diffs and the audit log.

Reads are anonymous; every write names its actor with ``Authorization:
Bearer <token>`` (``scidex token create``). Refusals keep one JSON shape:
401 without credentials, 403 for a role that may not, 404 unknown, 409 for a
stale version (with the other edit in ``details``) or an artifact that is
no longer current, 422 for invalid content (with line and field).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from scidex.queries.artifacts import get_revision
from scidex.registry.editing import PREVIEW_MAX_CHARS, EditRequest, preview, submit_edit
from scidex.registry.merge import merge_entities, rename_slug, unmerge
from scidex.registry.revisions import WriteError, diff_revisions, require, revert
from scidex.store.schema import audit_log
from scidex.web.deps import ActorDep, StoreDep, check_preview_size, reject_unknown_params
from scidex.web.errors import MAX_VERSION, PageError
from scidex.web.params import artifact_id_param, text_path_param
from scidex.web.schemas import errors

router = APIRouter(tags=["writes"], dependencies=[Depends(reject_unknown_params)])

# What the registry's refusals can be (WriteError's subclasses): unknown, stale, invalid.
REFUSALS = errors(404, 409, 422)


def _refusal(exc: WriteError) -> PageError:
    return PageError(exc.status, str(exc), exc.details)


class EditBody(BaseModel):
    base_version: int = Field(
        ..., ge=0, le=MAX_VERSION, description="The version this edit started from."
    )
    markdown: str = Field(..., max_length=500_000)
    summary: str = Field("", max_length=500, description="What changed and why.")
    references: dict[str, dict[str, Any]] | None = Field(
        None, description="CSL-JSON items by citation key; omit to keep the current ones."
    )
    curated_edges: list[dict[str, Any]] | None = Field(
        None, description="[{predicate, object, publications, qualifiers}]; omit to keep."
    )
    override_lint: bool = Field(False, description="Save despite lint findings (recorded).")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "base_version": 2,
                    "markdown": "## Overview\n\nBACH1 represses [[HMOX1]] [@sun2002].\n",
                    "summary": "tighten the overview",
                }
            ]
        }
    }


@router.put(
    "/api/artifacts/{artifact_id}", summary="Edit a page (a new revision)", responses=REFUSALS
)
def edit_artifact(
    request: Request,
    store: StoreDep,
    artifact_id: Annotated[str, artifact_id_param()],
    body: EditBody,
    actor: ActorDep,
) -> dict[str, Any]:
    try:
        with store.atomic() as conn:
            result = submit_edit(conn, artifact_id, EditRequest(**body.model_dump()), actor)
    except WriteError as exc:
        raise _refusal(exc) from exc
    rev = result.revision
    return {
        "saved": rev is not None,
        "version": rev.version if rev else body.base_version,
        "revision": None
        if rev is None
        else {k: v for k, v in asdict(rev).items() if k != "markdown"},
        "lint_overridden": [asdict(f) for f in result.findings],
    }


class RevertBody(BaseModel):
    to_version: int = Field(..., ge=1, le=MAX_VERSION)
    base_version: int = Field(..., ge=1, le=MAX_VERSION)


@router.post(
    "/api/artifacts/{artifact_id}/revert", summary="Revert to a past version", responses=REFUSALS
)
def revert_artifact(
    request: Request,
    store: StoreDep,
    artifact_id: Annotated[str, artifact_id_param()],
    body: RevertBody,
    actor: ActorDep,
) -> dict[str, Any]:
    try:
        with store.atomic() as conn:
            rev = revert(
                conn, artifact_id, body.to_version, base_version=body.base_version, actor=actor
            )
    except WriteError as exc:
        raise _refusal(exc) from exc
    return {"saved": True, "version": rev.version, "summary": rev.summary}


@router.get(
    "/api/artifacts/{artifact_id}/diff",
    tags=["artifacts"],
    summary="Line diff between two versions",
    responses=errors(404),
)
def diff(
    request: Request,
    store: StoreDep,
    artifact_id: Annotated[str, artifact_id_param()],
    from_version: int = Query(..., alias="from", ge=1, le=MAX_VERSION),
    to_version: int = Query(..., alias="to", ge=1, le=MAX_VERSION),
) -> dict[str, Any]:
    with store.read() as conn:
        old = get_revision(conn, artifact_id, from_version)
        new = get_revision(conn, artifact_id, to_version)
    if old is None or new is None:
        missing = from_version if old is None else to_version
        raise PageError(404, f"{artifact_id} has no version {missing}")
    return {
        "from": from_version,
        "to": to_version,
        "lines": [asdict(d) for d in diff_revisions(old, new)],
    }


class PreviewBody(BaseModel):
    markdown: str = Field(..., description=f"At most {PREVIEW_MAX_CHARS} characters.")
    references: dict[str, dict[str, Any]] = Field(default_factory=dict)


@router.post(
    "/api/preview",
    tags=["artifacts"],
    summary="Render markdown as a page would (no write)",
    responses=errors(422),
)
def preview_markdown(
    request: Request, store: StoreDep, body: PreviewBody, actor: ActorDep
) -> dict[str, Any]:
    """Editors (and above) only, like the writes: rendering is the costly part of an edit."""
    try:
        require(actor, "editor")
    except WriteError as exc:
        raise _refusal(exc) from exc
    check_preview_size(body.markdown)
    try:
        with store.read() as conn:
            page = preview(conn, body.markdown, body.references)
    except WriteError as exc:  # markdown that needs more than the render budget
        raise _refusal(exc) from exc
    return {
        "html": page.html,
        "references_html": page.references_html,
        "problems": [asdict(p) for p in page.problems],
    }


@router.get("/api/audit", summary="The audit log (admins only), newest first")
def audit_entries(
    request: Request,
    store: StoreDep,
    actor: ActorDep,
    target: str | None = Query(None, max_length=200),
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    try:
        require(actor, "admin")
    except WriteError as exc:
        raise _refusal(exc) from exc
    stmt = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if target:
        stmt = stmt.where(audit_log.c.target == target)
    with store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


class MergeBody(BaseModel):
    into: str = Field(
        ..., max_length=200, description="The surviving entity's CURIE.", examples=["MONDO:0004976"]
    )
    reason: str = Field("", max_length=500)


@router.post(
    "/api/entities/{curie}/merge",
    summary="Merge a duplicate entity into another",
    responses=REFUSALS,
)
def merge_entity(
    request: Request,
    store: StoreDep,
    curie: Annotated[str, text_path_param("The duplicate entity's CURIE.")],
    body: MergeBody,
    actor: ActorDep,
) -> dict[str, Any]:
    try:
        with store.atomic() as conn:
            result = merge_entities(conn, curie, body.into, actor, reason=body.reason)
    except WriteError as exc:
        raise _refusal(exc) from exc
    return asdict(result)


@router.post("/api/merges/{merge_id}/undo", summary="Undo a merge", responses=REFUSALS)
def undo_merge(
    request: Request,
    store: StoreDep,
    actor: ActorDep,
    merge_id: Annotated[str, text_path_param("The merge's id, as the merge answered it.")],
) -> dict[str, Any]:
    try:
        with store.atomic() as conn:
            unmerge(conn, merge_id, actor)
    except WriteError as exc:
        raise _refusal(exc) from exc
    return {"merge_id": merge_id, "undone": True}


class RenameBody(BaseModel):
    slug: str = Field(..., max_length=200, examples=["genes-bach1-transcription-factor"])


@router.post(
    "/api/artifacts/{artifact_id}/rename", summary="Give a page a new slug", responses=REFUSALS
)
def rename(
    request: Request,
    store: StoreDep,
    artifact_id: Annotated[str, artifact_id_param()],
    body: RenameBody,
    actor: ActorDep,
) -> dict[str, Any]:
    try:
        with store.atomic() as conn:
            slug = rename_slug(conn, artifact_id, body.slug, actor)
    except WriteError as exc:
        raise _refusal(exc) from exc
    return {"artifact_id": artifact_id, "slug": slug}
