"""Reads of the artifact registry: artifacts, their revisions, links and listings."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, literal, select, text, tuple_

from scidex.store.schema import alias, artifact, artifact_link, revision


def current_hash_subquery() -> Any:
    return (
        select(revision.c.content_hash)
        .where(
            revision.c.artifact_id == artifact.c.id,
            revision.c.version == artifact.c.current_version,
        )
        .scalar_subquery()
    )


@dataclass(frozen=True, slots=True)
class ArtifactRecord:
    id: str
    type: str
    title: str
    slug: str | None
    kg_node_id: str | None
    entity_type: str | None
    origin_type: str
    lifecycle: str
    merged_into: str | None
    merged_from: list[Any]
    schema_version: int
    current_version: int
    created_at: str
    updated_at: str
    created_by: str | None
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RevisionRecord:
    artifact_id: str
    version: int
    markdown: str
    references: dict[str, Any]
    curated_edges: list[dict[str, Any]]
    summary: str
    author: str
    created_at: str
    content_hash: str
    parent_version: int | None


def _artifact(row: Any) -> ArtifactRecord:
    return ArtifactRecord(
        id=row.id,
        type=row.type,
        title=row.title,
        slug=row.slug,
        kg_node_id=row.kg_node_id,
        entity_type=row.entity_type,
        origin_type=row.origin_type,
        lifecycle=row.lifecycle,
        merged_into=row.merged_into,
        merged_from=json.loads(row.merged_from),
        schema_version=row.schema_version,
        current_version=row.current_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        metadata=json.loads(row.metadata),
    )


# Statements every page view runs, built once (building one per call cost more
# than running it).
_ARTIFACT = select(artifact).where(artifact.c.id == bindparam("key"))
_ARTIFACT_BY_SLUG = select(artifact).where(artifact.c.slug == bindparam("key"))
_ALIAS = select(alias.c.artifact_id).where(alias.c.alias == bindparam("key"))
_PAGES_FOR = select(artifact.c.kg_node_id, artifact.c.id, artifact.c.origin_type).where(
    artifact.c.kg_node_id.in_(bindparam("ids", expanding=True)),
    artifact.c.type == "wiki_page",
    artifact.c.lifecycle == "active",
)
_REVISION = select(revision).where(
    revision.c.artifact_id == bindparam("id"), revision.c.version == bindparam("version")
)


def get_artifact(conn: Connection, artifact_id: str) -> ArtifactRecord | None:
    row = conn.execute(_ARTIFACT, {"key": artifact_id}).first()
    return _artifact(row) if row else None


def find_artifact(conn: Connection, key: str) -> tuple[ArtifactRecord | None, bool]:
    """The artifact named by an id, a slug or an alias; and whether ``key`` is not its id.

    The flag tells the caller to redirect to the canonical URL.
    """
    found = get_artifact(conn, key)
    if found:
        return found, False
    row = conn.execute(_ARTIFACT_BY_SLUG, {"key": key}).first()
    if row:
        return _artifact(row), True
    target = conn.execute(_ALIAS, {"key": key}).scalar()
    if target:
        return get_artifact(conn, target), True
    return None, False


_PAGES_OF_ENTITY = text(
    "SELECT * FROM artifact WHERE kg_node_id = :curie AND type = 'wiki_page' "
    "AND lifecycle = 'active'"
)


def page_for_entity(conn: Connection, curie: str) -> ArtifactRecord | None:
    """The wiki page about an entity: the curated one if there is one, else the backfill."""
    rows = list(conn.execute(_PAGES_OF_ENTITY, {"curie": curie}).all())
    if not rows:
        return None
    rows.sort(key=lambda r: r.origin_type == "backfill")
    return _artifact(rows[0])


def pages_for_entities(conn: Connection, curies: Iterable[str]) -> dict[str, str]:
    """Entity id -> page artifact id, for many entities in one query."""
    ids = list(dict.fromkeys(curies))
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(_PAGES_FOR, {"ids": chunk})
        for r in sorted(rows, key=lambda r: r.origin_type != "backfill"):
            out[r.kg_node_id] = r.id  # curated pages sort last and win
    return out


def get_revision(conn: Connection, artifact_id: str, version: int) -> RevisionRecord | None:
    row = conn.execute(_REVISION, {"id": artifact_id, "version": version}).first()
    if row is None:
        return None
    return RevisionRecord(
        artifact_id=row.artifact_id,
        version=row.version,
        markdown=row.markdown,
        references=json.loads(row.refs),
        curated_edges=json.loads(row.curated_edges),
        summary=row.summary,
        author=row.author,
        created_at=row.created_at,
        content_hash=row.content_hash,
        parent_version=row.parent_version,
    )


@dataclass(frozen=True, slots=True)
class LinkRecord:
    source: str
    link_type: str
    target: str
    created_by: str
    created_at: str


_LINKS_TO_SQLITE = text(
    "SELECT source, link_type, target, created_by, created_at "
    "FROM artifact_link INDEXED BY ix_artifact_link_target WHERE target = :t LIMIT :n"
)


_LINKS_FROM = (
    select(artifact_link).where(artifact_link.c.source == bindparam("t")).limit(bindparam("n"))
)


def links_of(conn: Connection, artifact_id: str, limit: int = 100) -> list[LinkRecord]:
    """Provenance links from and to an artifact."""
    # Two indexed lookups: an OR across both columns makes SQLite scan the table.
    out = conn.execute(_LINKS_FROM, {"t": artifact_id, "n": limit}).all()
    if conn.dialect.name == "sqlite":
        # Every imported page links to one release, so SQLite's statistics (an
        # average per target) rate the target index as useless and it scans
        # the table instead: 15 ms at 237,000 pages. Name the index.
        inc = conn.execute(_LINKS_TO_SQLITE, {"t": artifact_id, "n": limit}).all()
    else:
        inc = conn.execute(
            select(artifact_link).where(artifact_link.c.target == artifact_id).limit(limit)
        ).all()
    rows = [*out, *inc][:limit]
    return [LinkRecord(r.source, r.link_type, r.target, r.created_by, r.created_at) for r in rows]


ARTIFACT_SORTS: dict[str, tuple[str, bool]] = {
    "id": ("id", False),
    "-id": ("id", True),
    "title": ("title", False),
    "-title": ("title", True),
    "updated": ("updated_at", False),
    "-updated": ("updated_at", True),
    "created": ("created_at", False),
    "-created": ("created_at", True),
}


@dataclass(frozen=True, slots=True)
class ArtifactCursor:
    """Keyset position in an artifact listing: the sort and the last row's key and id."""

    sort: str
    key: str
    id: str

    def encode(self) -> str:
        raw = json.dumps([self.sort, self.key, self.id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> ArtifactCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            sort, key, last = json.loads(raw)
            if sort not in ARTIFACT_SORTS or not isinstance(key, str) or not isinstance(last, str):
                raise ValueError
            if "\x00" in key + last:  # no store text holds NUL (PostgreSQL refuses it)
                raise ValueError
            return cls(sort, key, last)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise ValueError(f"malformed cursor {token[:40]!r}") from exc


@dataclass(frozen=True, slots=True)
class ArtifactListing:
    items: list[ArtifactRecord]
    next_cursor: ArtifactCursor | None


def list_artifacts(
    conn: Connection,
    *,
    type: str | None = None,
    entity_category: str | None = None,
    origin: str | None = None,
    lifecycle: str | None = None,
    sort: str = "id",
    after: ArtifactCursor | None = None,
    limit: int = 50,
) -> ArtifactListing:
    """One page of artifacts, filtered, in a stable keyset order (ties broken by id)."""
    if sort not in ARTIFACT_SORTS:
        raise ValueError(f"sort must be one of {', '.join(ARTIFACT_SORTS)}, not {sort!r}")
    if after is not None and after.sort != sort:
        raise ValueError(f"the cursor belongs to sort={after.sort}, not sort={sort}")
    column, descending = ARTIFACT_SORTS[sort]
    key = artifact.c[column]
    # Sort narrow rows, then read the page's full rows: without an index on
    # the sort column the sorter holds every candidate, and narrow ones sort
    # about twice as fast.
    stmt = select(artifact.c.id)
    for col, value in (
        (artifact.c.type, type),
        (artifact.c.entity_type, entity_category),
        (artifact.c.origin_type, origin),
        (artifact.c.lifecycle, lifecycle),
    ):
        if value is not None:
            stmt = stmt.where(col == value)
    if after is not None:
        if column == "id":
            stmt = stmt.where(key < after.id if descending else key > after.id)
        else:
            mark = tuple_(literal(after.key), literal(after.id))
            pair = tuple_(key, artifact.c.id)
            stmt = stmt.where(pair < mark if descending else pair > mark)
    order = [key.desc() if descending else key.asc()]
    if column != "id":
        order.append(artifact.c.id.desc() if descending else artifact.c.id.asc())
    ids = list(conn.execute(stmt.order_by(*order).limit(limit + 1)).scalars())
    rows = {r.id: r for r in conn.execute(select(artifact).where(artifact.c.id.in_(ids[:limit])))}
    items = [_artifact(rows[i]) for i in ids[:limit] if i in rows]
    nxt = None
    if len(ids) > limit and items:
        last = items[-1]
        nxt = ArtifactCursor(sort, str(getattr(last, column)), last.id)
    return ArtifactListing(items, nxt)


@dataclass(frozen=True, slots=True)
class RevisionSummary:
    """A revision without its content: what the history lists."""

    version: int
    summary: str
    author: str
    created_at: str
    content_hash: str
    parent_version: int | None


def revision_log(
    conn: Connection, artifact_id: str, *, before: int | None = None, limit: int = 100
) -> list[RevisionSummary]:
    """Revisions newest first, without markdown or references (a range of the primary key).

    A page's provenance and history list them: reading and decoding every
    version's text would cost more than the rest of the page.
    """
    if before is None:
        rows = conn.execute(_LOG, {"id": artifact_id, "n": limit})
    else:
        rows = conn.execute(_LOG_BEFORE, {"id": artifact_id, "n": limit, "before": before})
    return [RevisionSummary(*r) for r in rows]


# Built once: every page view runs one.
_LOG = (
    select(*(getattr(revision.c, f) for f in RevisionSummary.__dataclass_fields__))
    .where(revision.c.artifact_id == bindparam("id"))
    .order_by(revision.c.version.desc())
    .limit(bindparam("n"))
)
_LOG_BEFORE = _LOG.where(revision.c.version < bindparam("before"))
