"""Artifact ids, slugs and content hashes, and the artifact and revision rows written in bulk."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any, NamedTuple

from scidex.kg.categories import section_for
from scidex.kg.names import normalize_name
from scidex.store import bulk


class RevisionRow(NamedTuple):
    """A ``revision`` row written in bulk, its fields in the table's column order.

    A tuple, so that ``bulk.upsert_rows`` takes it as it is; built with
    keywords, so that no value lands in its neighbour's column.
    """

    artifact_id: str
    version: int
    markdown: str
    refs: str  # JSON: CSL-JSON by citation key
    curated_edges: str  # JSON list
    summary: str
    author: str
    created_at: str
    content_hash: str
    parent_version: int | None


class ArtifactRow(NamedTuple):
    """An ``artifact`` row written in bulk (backfill pages, papers, releases), in column order."""

    id: str
    type: str
    title: str
    slug: str | None
    kg_node_id: str | None
    entity_type: str | None
    origin_type: str
    lifecycle: str
    merged_into: str | None
    merged_from: str  # JSON list
    schema_version: int
    current_version: int
    created_at: str
    updated_at: str
    created_by: str | None
    metadata: str  # JSON object


REVISION_COLUMNS = RevisionRow._fields
ARTIFACT_COLUMNS = ArtifactRow._fields

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
