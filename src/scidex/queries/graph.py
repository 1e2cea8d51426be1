"""Graph queries over a store: counts, neighbourhoods, paths. Pages and the API share these."""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, bindparam, func, literal, select, text, tuple_

from scidex.kg.model import CURATED_SOURCE
from scidex.kg.qualifiers import curies_in, describe
from scidex.store.schema import (
    artifact,
    edge,
    edge_count,
    entity,
    entity_name,
    entity_xref,
    partner_count,
    source_release,
)


@dataclass(frozen=True, slots=True)
class AtlasCounts:
    entities: int
    edges: int
    artifacts: int
    source_releases: int
    entities_by_category: dict[str, int]


def atlas_counts(conn: Connection) -> AtlasCounts:
    """Totals for the whole store, computed on every call (never cached by hand)."""
    by_category: dict[str, int] = dict(
        conn.execute(
            select(entity.c.category, func.count())
            .where(entity.c.lifecycle == "active")
            .group_by(entity.c.category)
            .order_by(func.count().desc())
        ).all()
    )
    return AtlasCounts(
        entities=sum(by_category.values()),
        edges=conn.execute(select(func.count()).select_from(edge)).scalar_one(),
        artifacts=conn.execute(select(func.count()).select_from(artifact)).scalar_one(),
        source_releases=conn.execute(select(func.count()).select_from(source_release)).scalar_one(),
        entities_by_category=by_category,
    )


@dataclass(frozen=True, slots=True)
class EntityRecord:
    id: str
    category: str
    name: str
    symbol: str | None
    description: str | None
    attributes: dict[str, Any]
    source_release: str | None
    lifecycle: str
    merged_into: str | None
    synonyms: list[str]
    previous_symbols: list[str]
    xrefs: list[str]


# Statements a page runs on every view are built once, with bound parameters:
# building and keying a SQLAlchemy statement per call cost three times as much
# as running it on SQLite.
_CURIE: Any = bindparam("curie")
_ENTITY = select(entity).where(entity.c.id == _CURIE)
_ENTITY_NAMES = (
    select(entity_name.c.name, entity_name.c.kind)
    .where(entity_name.c.entity_id == _CURIE)
    .order_by(entity_name.c.name)
)
_ENTITY_XREFS = (
    select(entity_xref.c.xref).where(entity_xref.c.entity_id == _CURIE).order_by(entity_xref.c.xref)
)


def get_entity(conn: Connection, curie: str) -> EntityRecord | None:
    """One entity with its names and xrefs (three indexed lookups)."""
    row = conn.execute(_ENTITY, {"curie": curie}).first()
    if row is None:
        return None
    names = conn.execute(_ENTITY_NAMES, {"curie": curie}).all()
    xrefs = conn.execute(_ENTITY_XREFS, {"curie": curie}).scalars()
    return EntityRecord(
        id=row.id,
        category=row.category,
        name=row.name,
        symbol=row.symbol,
        description=row.description,
        attributes=json.loads(row.attributes),
        source_release=row.source_release,
        lifecycle=row.lifecycle,
        merged_into=row.merged_into,
        synonyms=[n.name for n in names if n.kind == "synonym"],
        previous_symbols=[n.name for n in names if n.kind == "previous_symbol"],
        xrefs=list(xrefs),
    )


@dataclass(frozen=True, slots=True)
class PredicateCount:
    predicate: str
    direction: str  # out: the entity is the subject; in: the object
    count: int


_PREDICATE_COUNTS = (
    select(edge_count.c.direction, edge_count.c.predicate, func.sum(edge_count.c.n))
    .where(edge_count.c.entity_id == _CURIE)
    .group_by(edge_count.c.direction, edge_count.c.predicate)
)
_RELEASE_COUNTS = (
    select(edge_count.c.source_release, func.sum(edge_count.c.n))
    .where(edge_count.c.entity_id == _CURIE)
    .group_by(edge_count.c.source_release)
)
# How many edges a (direction, predicate) group has, from the summary.
_GROUP_SIZE = select(func.sum(edge_count.c.n)).where(
    edge_count.c.entity_id == _CURIE,
    edge_count.c.direction == bindparam("direction"),
    edge_count.c.predicate == bindparam("predicate"),
)


def group_size(conn: Connection, curie: str, direction: str, predicate: str) -> int:
    """How many ``predicate`` edges ``curie`` has in ``direction`` (the summary, one lookup)."""
    params = {"curie": curie, "direction": direction, "predicate": predicate}
    return int(conn.execute(_GROUP_SIZE, params).scalar() or 0)


def predicate_counts(conn: Connection, curie: str) -> list[PredicateCount]:
    """Edges per (direction, predicate), from the ``edge_count`` summary (one index lookup)."""
    rows = conn.execute(_PREDICATE_COUNTS, {"curie": curie}).all()
    counts = [PredicateCount(p, d, int(n)) for d, p, n in rows]
    return sorted(counts, key=lambda c: (c.direction != "out", -c.count, c.predicate))


_PARTNER_COUNTS = select(
    partner_count.c.direction, partner_count.c.predicate, partner_count.c.n
).where(partner_count.c.entity_id == _CURIE)


def partner_counts(conn: Connection, curie: str) -> dict[tuple[str, str], int]:
    """Distinct other ends by (direction, predicate), ``both`` for a symmetric predicate's
    two directions together (the ``partner_count`` summary, one lookup). Fewer than the
    edges where several sources state one partner."""
    return {(d, p): int(n) for d, p, n in conn.execute(_PARTNER_COUNTS, {"curie": curie})}


def release_counts(conn: Connection, curie: str) -> dict[str, int]:
    """Edges of an entity per source release (``edge_count`` summary)."""
    rows = conn.execute(_RELEASE_COUNTS, {"curie": curie}).all()
    return {r: int(n) for r, n in rows}


def degree(conn: Connection, curie: str) -> int:
    """Number of edges the entity takes part in (the infobox's KG connections)."""
    return sum(c.count for c in predicate_counts(conn, curie))


# Every declared edge field (kg.fields) with its API type, and the far end's view;
# tests/test_fields.py holds the two to each other.
@dataclass(frozen=True, slots=True)
class NeighbourEdge:
    id: str
    subject: str
    predicate: str
    object: str
    direction: str
    other_id: str
    other_name: str
    other_symbol: str | None
    other_category: str
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
    # The qualifiers in words (kg.qualifiers.describe), where a page asked for them.
    qualifier_words: tuple[str, ...] = ()

    @property
    def curated(self) -> bool:
        return self.primary_knowledge_source == CURATED_SOURCE


@dataclass(frozen=True, slots=True)
class Cursor:
    """Keyset position in a neighbourhood listing: the last row shown."""

    direction: str
    predicate: str
    score: float
    id: str

    def encode(self) -> str:
        raw = json.dumps([self.direction, self.predicate, self.score, self.id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            d, p, s, i = json.loads(raw)
            if d not in DIRECTIONS or not isinstance(p, str) or not isinstance(i, str):
                raise ValueError
            return cls(d, p, float(s), i)
        except (ValueError, TypeError, OverflowError, binascii.Error) as exc:
            raise ValueError(f"malformed cursor {token[:40]!r}") from exc


@dataclass(frozen=True, slots=True)
class NeighbourPage:
    edges: list[NeighbourEdge]
    next_cursor: Cursor | None


DIRECTIONS = ("out", "in")


# The entity at the far end of an edge; one alias for every query (making
# one per call cost a Column construction per column).
_OTHER = entity.alias("other")


def _ends(direction: str) -> tuple[Any, Any]:
    """The edge columns of the entity a page is about (near) and of the other end (far)."""
    if direction == "out":
        return edge.c.subject, edge.c.object
    return edge.c.object, edge.c.subject


def _with_other(far: Any) -> Any:
    """Edges with their other end's id, name, symbol and category (``other_*``)."""
    return select(
        edge,
        _OTHER.c.id.label("other_id"),
        _OTHER.c.name.label("other_name"),
        _OTHER.c.symbol.label("other_symbol"),
        _OTHER.c.category.label("other_category"),
    ).join(_OTHER, _OTHER.c.id == far)


def _neighbour_query(
    curie: str,
    direction: str,
    predicate: str | None,
    after: Cursor | None,
    limit: int,
    category: str | None = None,
    source: str | None = None,
    *,
    to: str | None = None,
    seek_to: bool = False,
) -> Any:
    """Edges of ``curie`` in one direction, in display order; ``to`` keeps those to one entity.

    With ``seek_to`` the index range read is ``to``'s (the other end's) and
    ``curie`` is a filter: wrapping the column in ``coalesce`` hides it from
    the planner, which otherwise picks by average selectivity.
    """
    near, far = _ends(direction)
    other = _OTHER
    stmt = _with_other(far).where(func.coalesce(near, "") == curie if seek_to else near == curie)
    if to is not None:
        stmt = stmt.where(far == to)
    if predicate:
        stmt = stmt.where(edge.c.predicate == predicate)
    # Neither filter is in the index: the walk below skips the rows that fail
    # them, so a page costs limit / (share of edges that pass) index steps.
    if category:
        stmt = stmt.where(other.c.category == category)
    if source:
        stmt = stmt.where(edge.c.primary_knowledge_source == source)
    if after is not None and after.direction == direction:
        stmt = stmt.where(
            tuple_(edge.c.predicate, edge.c.score, edge.c.id)
            < tuple_(literal(after.predicate), literal(after.score), literal(after.id))
        )
    # All descending, so the (near, predicate, score, id) index is read backwards
    # in order and a page costs ``limit`` index steps however large the hub.
    return stmt.order_by(edge.c.predicate.desc(), edge.c.score.desc(), edge.c.id.desc()).limit(
        limit
    )


def _neighbour(row: Any, direction: str) -> NeighbourEdge:
    return NeighbourEdge(
        id=row.id,
        subject=row.subject,
        predicate=row.predicate,
        object=row.object,
        direction=direction,
        other_id=row.other_id,
        other_name=row.other_name,
        other_symbol=row.other_symbol,
        other_category=row.other_category,
        primary_knowledge_source=row.primary_knowledge_source,
        aggregator_knowledge_sources=json.loads(row.aggregator_knowledge_sources),
        knowledge_level=row.knowledge_level,
        agent_type=row.agent_type,
        publications=json.loads(row.publications),
        evidence_codes=json.loads(row.evidence_codes),
        qualifiers=json.loads(row.qualifiers),
        confidence=row.confidence,
        score=row.score,
        source_release=row.source_release,
    )


def neighbours(
    conn: Connection,
    curie: str,
    *,
    predicate: str | None = None,
    direction: str | None = None,
    after: Cursor | None = None,
    limit: int = 50,
    category: str | None = None,
    source: str | None = None,
) -> NeighbourPage:
    """One page of an entity's edges: outgoing first, then incoming; each by predicate,
    strongest evidence first. Costs O(limit), whatever the entity's degree.

    ``category`` keeps edges whose other end is of that Biolink category and
    ``source`` those from that primary knowledge source. The index walk is
    the same, skipping edges that fail them: still O(limit) when most edges
    pass, up to the entity's degree (per predicate, when one is given) when
    almost none do, as for a rare source on a hub.
    """
    if direction is not None and direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    wanted = [d for d in DIRECTIONS if direction in (None, d)]
    if after is not None:
        wanted = [d for d in wanted if DIRECTIONS.index(d) >= DIRECTIONS.index(after.direction)]
    rows: list[NeighbourEdge] = []
    for d in wanted:
        need = limit + 1 - len(rows)
        if need <= 0:
            break
        result = conn.execute(
            _neighbour_query(curie, d, predicate, after, need, category=category, source=source)
        )
        rows += [_neighbour(r, d) for r in result]
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = None
    if more and rows:
        last = rows[-1]
        nxt = Cursor(last.direction, last.predicate, last.score, last.id)
    return NeighbourPage(rows, nxt)


_EDGE_COLUMNS = ", ".join(f"e.{c.name}" for c in edge.columns)


@functools.lru_cache(maxsize=256)
def _previews_sql(directions: tuple[str, ...]) -> Any:
    """One ``UNION ALL`` of per-group first pages, for groups in these directions.

    Plain SQL, built once per shape: a page's groups differ only in their
    parameters, and building the SQLAlchemy form cost more than running it.
    """
    parts = []
    for i, direction in enumerate(directions):
        near, far = ("subject", "object") if direction == "out" else ("object", "subject")
        parts.append(
            f"SELECT * FROM (SELECT {i} AS grp, {_EDGE_COLUMNS}, o.id AS other_id, "
            "o.name AS other_name, o.symbol AS other_symbol, o.category AS other_category "
            f"FROM edge e JOIN entity o ON o.id = e.{far} "
            f"WHERE e.{near} = :curie AND e.predicate = :p{i} "
            f"ORDER BY e.predicate DESC, e.score DESC, e.id DESC LIMIT :n) g{i}"
        )
    return text(" UNION ALL ".join(parts))


def group_previews(
    conn: Connection, curie: str, counts: list[PredicateCount], *, limit: int
) -> list[NeighbourPage]:
    """The first page of each (direction, predicate) group, in one statement.

    One ``UNION ALL`` of the groups' own index-bounded queries (the same
    order and index walk as :func:`neighbours`): a page's previews cost one
    round trip, and each group ``limit + 1`` index steps whatever the
    entity's degree.
    """
    if not counts:
        return []
    params: dict[str, Any] = {"curie": curie, "n": limit + 1}
    params |= {f"p{i}": c.predicate for i, c in enumerate(counts)}
    stmt = _previews_sql(tuple(c.direction for c in counts))
    rows: list[list[NeighbourEdge]] = [[] for _ in counts]
    for r in conn.execute(stmt, params):
        rows[r.grp].append(_neighbour(r, counts[r.grp].direction))
    pages = []
    for edges in rows:
        # Each group arrives in index order, but UNION ALL does not promise to keep it.
        edges.sort(key=lambda e: (e.score, e.id), reverse=True)
        more = len(edges) > limit
        edges = edges[:limit]
        last = edges[-1] if more and edges else None
        nxt = Cursor(last.direction, last.predicate, last.score, last.id) if last else None
        pages.append(NeighbourPage(edges, nxt))
    return pages


def strongest(pages: list[NeighbourPage], *, per_group: int = 6) -> list[NeighbourEdge]:
    """The strongest few edges of each group, strongest first, for diagrams."""
    out = [e for page in pages for e in page.edges[:per_group]]
    return sorted(out, key=lambda e: (-e.score, e.predicate, e.other_name))


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    id: str
    name: str
    infores: str
    version: str
    license: str
    attribution: str
    fetch: str
    archive: str
    sha256: str
    fetched_at: str | None
    counts: dict[str, int]


def _release_info(r: Any) -> ReleaseInfo:
    return ReleaseInfo(
        r.id,
        r.name,
        r.infores,
        r.version,
        r.license,
        r.attribution,
        r.fetch,
        r.archive,
        r.sha256,
        r.fetched_at,
        json.loads(r.counts),
    )


def source_releases(conn: Connection) -> list[ReleaseInfo]:
    rows = conn.execute(_SOURCE_RELEASES)
    return [_release_info(r) for r in rows]


_SOURCE_RELEASES = select(source_release).order_by(source_release.c.id)


def get_release(conn: Connection, release_id: str) -> ReleaseInfo | None:
    """One source release by id (``hgnc@2026-06``)."""
    r = conn.execute(select(source_release).where(source_release.c.id == release_id)).first()
    return None if r is None else _release_info(r)


@dataclass(frozen=True, slots=True)
class EntityBrief:
    id: str
    name: str
    symbol: str | None
    category: str


def entity_briefs(conn: Connection, curies: list[str]) -> dict[str, EntityBrief]:
    """Id, name, symbol and category of each entity, in one query."""
    rows = conn.execute(
        select(entity.c.id, entity.c.name, entity.c.symbol, entity.c.category).where(
            entity.c.id.in_(list(dict.fromkeys(curies)))
        )
    )
    return {r.id: EntityBrief(r.id, r.name, r.symbol, r.category) for r in rows}


def get_edge(conn: Connection, edge_id: str) -> NeighbourEdge | None:
    """One edge with all its provenance, seen from its subject (``other_*`` is the object)."""
    subject = conn.execute(select(edge.c.subject).where(edge.c.id == edge_id)).scalar()
    if subject is None:
        return None
    stmt = _neighbour_query(subject, "out", None, None, 1).where(edge.c.id == edge_id)
    row = conn.execute(stmt).first()
    # An edge whose object entity is missing has no row in the join.
    return _neighbour(row, "out") if row is not None else None


def edges_between(conn: Connection, a: str, b: str, *, limit: int = 100) -> list[NeighbourEdge]:
    """Edges between two entities in both directions, seen from ``a``: ``out`` for a -> b.

    Edges a -> b are both ``a``'s outgoing and ``b``'s incoming edges; each
    direction reads whichever of the two index ranges is shorter (degrees
    from the ``edge_count`` summary), so a hub and a leaf cost the leaf's
    degree, not the hub's.
    """
    degree: dict[tuple[str, str], int] = {}
    for entity_id, direction, n in conn.execute(
        select(edge_count.c.entity_id, edge_count.c.direction, func.sum(edge_count.c.n))
        .where(edge_count.c.entity_id.in_((a, b)))
        .group_by(edge_count.c.entity_id, edge_count.c.direction)
    ):
        degree[entity_id, direction] = int(n)
    out: list[NeighbourEdge] = []
    for direction in DIRECTIONS:
        reverse = "in" if direction == "out" else "out"
        seek_b = degree.get((b, reverse), 0) < degree.get((a, direction), 0)
        stmt = _neighbour_query(a, direction, None, None, limit, to=b, seek_to=seek_b)
        out += [_neighbour(r, direction) for r in conn.execute(stmt)]
    return out[:limit]


def edge_release_counts(conn: Connection, curie: str) -> dict[str | None, int]:
    """Edges of an entity per source release (both directions, each by its own index)."""
    counts: dict[str | None, int] = {}
    # A self-loop is counted once: on its subject side.
    for where in (edge.c.subject == curie, (edge.c.object == curie) & (edge.c.subject != curie)):
        rows = conn.execute(
            select(edge.c.source_release, func.count()).where(where).group_by(edge.c.source_release)
        )
        for release, n in rows:
            counts[release] = counts.get(release, 0) + n
    return counts


_NAMES_OF = select(entity.c.id, entity.c.name).where(
    entity.c.id.in_(bindparam("ids", expanding=True))
)
_NAMES_BY_XREF = (
    select(entity_xref.c.xref, entity.c.name)
    .join(entity, entity.c.id == entity_xref.c.entity_id)
    .where(entity_xref.c.xref.in_(bindparam("ids", expanding=True)))
)


def entity_names(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """Entity id -> name, for those of ``ids`` the store holds (one query)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {r.id: r.name for r in conn.execute(_NAMES_OF, {"ids": wanted})}


def with_qualifier_words(conn: Connection, edges: list[NeighbourEdge]) -> list[NeighbourEdge]:
    """``edges`` with their qualifiers in words; the terms they cite are named in one query."""
    cited = {c for e in edges if e.qualifiers for c in curies_in(e.qualifiers)}
    names: dict[str, str] = {}
    if cited:
        names = entity_names(conn, cited)
        # Sources cite diseases by ids that ingest merged into canonical ones
        # (Orphanet:411602 -> a MONDO disease): name them through the xrefs.
        if missing := sorted(cited - set(names)):
            rows = conn.execute(_NAMES_BY_XREF, {"ids": missing})
            names |= {r.xref: r.name for r in rows}
    return [
        replace(e, qualifier_words=tuple(describe(e.qualifiers, names))) if e.qualifiers else e
        for e in edges
    ]


def other_category_counts(
    conn: Connection, curie: str, direction: str, predicate: str, *, cap: int = 5000
) -> dict[str, int]:
    """How many distinct entities of each category ``curie``'s ``predicate`` edges in
    ``direction`` end at.

    Reads the group's index range, so it costs the group's size; groups larger
    than ``cap`` (ontology hubs) answer ``{}`` rather than count.
    """
    size = group_size(conn, curie, direction, predicate)
    if not size or size > cap:
        return {}
    params = {"curie": curie, "direction": direction, "predicate": predicate}
    rows = conn.execute(_category_counts_stmt(direction), params)
    return {category: int(n) for category, n in rows}


@functools.cache
def _category_counts_stmt(direction: str) -> Any:
    near, far = _ends(direction)
    return (
        select(entity.c.category, func.count(func.distinct(far)))
        .select_from(edge)
        .join(entity, entity.c.id == far)
        .where(near == _CURIE, edge.c.predicate == bindparam("predicate"))
        .group_by(entity.c.category)
    )


def most_specific(
    conn: Connection,
    curie: str,
    direction: str,
    predicate: str,
    *,
    category: str | None = None,
    limit: int = 10,
    cap: int = 2000,
) -> list[NeighbourEdge] | None:
    """A group's edges whose other ends are the least connected (the most specific
    terms, by the information-content reading of annotation counts), fewest first.

    Reads the whole group, so groups larger than ``cap`` answer None.
    """
    size = group_size(conn, curie, direction, predicate)
    if not size or size > cap:
        return None
    params: dict[str, Any] = {"curie": curie, "direction": direction, "predicate": predicate}
    stmt = _most_specific_stmt(direction, bool(category))
    params |= {"category": category, "limit": limit}
    return [_neighbour(r, direction) for r in conn.execute(stmt, params)]


@functools.cache
def _most_specific_stmt(direction: str, by_category: bool) -> Any:
    near, far = _ends(direction)
    degree = (
        select(func.coalesce(func.sum(edge_count.c.n), 0))
        .where(edge_count.c.entity_id == far)
        .scalar_subquery()
    )
    stmt = _with_other(far).where(near == _CURIE, edge.c.predicate == bindparam("predicate"))
    if by_category:
        stmt = stmt.where(_OTHER.c.category == bindparam("category"))
    return stmt.order_by(degree, edge.c.score.desc(), edge.c.id).limit(bindparam("limit"))
