"""JSON twins of artifact pages, and their citations in every format."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from scidex.pages.artifact_page import PageNotFound, artifact_page, citation_record
from scidex.pages.cite import FORMATS
from scidex.pages.page_json import page_json
from scidex.queries.artifacts import find_artifact
from scidex.web.deps import reject_unknown_params, store_of
from scidex.web.errors import MAX_VERSION, PageError
from scidex.web.params import artifact_id_param
from scidex.web.schemas import errors

router = APIRouter(dependencies=[Depends(reject_unknown_params)], responses=errors(404))

BY_EXTENSION = {f.extension: name for name, f in FORMATS.items()}


def _page(request: Request, artifact_id: str, version: int | None) -> Any:
    store = store_of(request)
    with store.read() as conn:
        found, _ = find_artifact(conn, artifact_id)
        if found is None:
            raise PageError(404, f"no artifact {artifact_id!r}")
        try:
            return artifact_page(
                conn, found, version=version, base_url=request.app.state.settings.base_url
            )
        except PageNotFound as exc:
            raise PageError(404, f"{found.id} has no version {version}") from exc


@router.get(
    "/api/artifacts/{artifact_id}",
    tags=["artifacts"],
    summary="An artifact page as JSON (the page's twin)",
)
def get_artifact_json(
    request: Request,
    artifact_id: Annotated[str, artifact_id_param()],
    version: int | None = Query(
        None, ge=1, le=MAX_VERSION, description="A past version; default current."
    ),
) -> dict[str, Any]:
    return page_json(_page(request, artifact_id, version))


@router.get(
    "/api/artifacts/{artifact_id}/cite",
    tags=["artifacts"],
    summary="How to cite an artifact, in every format",
)
def cite_json(
    request: Request,
    artifact_id: Annotated[str, artifact_id_param()],
    version: int | None = Query(None, ge=1, le=MAX_VERSION),
) -> dict[str, Any]:
    page = _page(request, artifact_id, version)
    record = citation_record(
        page, request.app.state.settings.base_url, datetime.now(UTC).date().isoformat()
    )
    return {name: f.render(record) for name, f in FORMATS.items()}


@router.get("/artifact/{artifact_id}/cite.{extension}", include_in_schema=False)
def cite_file(
    request: Request,
    artifact_id: Annotated[str, artifact_id_param()],
    extension: str,
    version: int | None = Query(None, ge=1, le=MAX_VERSION),
) -> Response:
    name = BY_EXTENSION.get(extension)
    if name is None:
        raise PageError(
            404, f"no citation format .{extension}; try " + ", ".join(f".{e}" for e in BY_EXTENSION)
        )
    page = _page(request, artifact_id, version)
    fmt = FORMATS[name]
    record = citation_record(
        page, request.app.state.settings.base_url, datetime.now(UTC).date().isoformat()
    )
    filename = f"{page.artifact.id}-v{page.revision.version}.{fmt.extension}"
    return Response(
        fmt.render(record),
        media_type=fmt.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
