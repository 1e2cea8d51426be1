"""Route modules, one per resource: each holds a page and its JSON twin or one part of the JSON
API. They never import each other (``make lint`` checks it); what they share lives in
``web.deps``, ``web.params``, ``web.rendering`` and ``web.schemas``."""

from __future__ import annotations

from fastapi import APIRouter

from scidex.web.routes import (
    artifact_json,
    artifacts,
    atlas,
    edit,
    entities,
    home,
    literature,
    paths,
    provenance,
    stats,
    writes,
)

# Inclusion order: the artifact pages come last, because their catch-all
# /{section}/{name} would otherwise shadow more specific routes.
ROUTERS: tuple[APIRouter, ...] = (
    stats.router,
    artifact_json.router,
    literature.router,  # before entities: its /api/entities/{key:path} takes any tail
    entities.router,
    writes.router,
    home.router,
    edit.router,
    provenance.router,
    atlas.router,
    paths.router,
    artifacts.router,
)
