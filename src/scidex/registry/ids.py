"""Artifact ids, slugs and content hashes, and the column order of bulk-written artifact rows."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from scidex.kg.categories import section_for
from scidex.kg.names import normalize_name
from scidex.store import bulk

REVISION_COLUMNS = (
    "artifact_id",
    "version",
    "markdown",
    "refs",
    "curated_edges",
    "summary",
    "author",
    "created_at",
    "content_hash",
    "parent_version",
)

# Column order of artifact rows written in bulk (backfill pages, papers, releases).
ARTIFACT_COLUMNS = (
    "id",
    "type",
    "title",
    "slug",
    "kg_node_id",
    "entity_type",
    "origin_type",
    "lifecycle",
    "merged_into",
    "merged_from",
    "schema_version",
    "current_version",
    "created_at",
    "updated_at",
    "created_by",
    "metadata",
)

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def slugify(text: str) -> str:
    return _SLUG_JUNK.sub("-", normalize_name(text)).strip("-")[:80].strip("-")


def base_slug(category: str, name: str, symbol: str | None) -> str:
    """``genes-bach1``: section, then the symbol (genes) or the name."""
    return f"{section_for(category)}-{slugify(symbol or name) or 'unnamed'}"


def page_id(slug: str) -> str:
    return f"wiki-{slug}"


def content_hash(markdown: str, references: dict[str, Any]) -> str:
    payload = markdown + "\x1e" + bulk.dumps(references)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
