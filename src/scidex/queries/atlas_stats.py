"""The Atlas explorer's queries: whole-graph statistics, the lists they link to, and the
filtered, capped neighbourhood an interactive graph view draws (with the view's
state, ``ExplorerState``, whose canonical query string is the view's permalink).

Everything is computed from the store on every call. Counts of edges come from
the ``edge_count`` summary (each edge is counted once, on its ``out`` row), so
no statistic scans the edge table.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from sqlalchemy import Connection, func, literal, select, tuple_

from scidex.kg.urls import urls
from scidex.queries.graph import (
    EntityBrief,
    NeighbourEdge,
    _neighbour,
    _neighbour_query,
    entity_briefs,
    predicate_counts,
)
from scidex.store.schema import artifact, edge, edge_count, entity, source_release

# -- statistics ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleaseEdges:
    id: str  # "" for edges without a release
    name: str | None
    version: str | None
    edges: int


@dataclass(frozen=True, slots=True)
class ArtifactCount:
    type: str
    origin_type: str
    count: int


@dataclass(frozen=True, slots=True)
class Connected:
    entity: EntityBrief
    degree: int


@dataclass(frozen=True, slots=True)
class AtlasStats:
    entities: int
    edges: int
    artifacts: int
    entities_by_category: list[tuple[str, int]]
    edges_by_predicate: list[tuple[str, int]]
    edges_by_release: list[ReleaseEdges]
    artifacts_by_origin: list[ArtifactCount]
    most_connected: list[Connected]


def _by_count(rows: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(((k, int(n)) for k, n in rows), key=lambda r: (-r[1], r[0]))


def _edge_totals(conn: Connection) -> tuple[Counter[str], Counter[str]]:
    """Edges by predicate and by source release, in one pass over the ``edge_count``
    summary: each edge is counted once, on its subject's row."""
    by_predicate: Counter[str] = Counter()
    by_release: Counter[str] = Counter()
    for predicate, release, n in conn.execute(
        select(edge_count.c.predicate, edge_count.c.source_release, func.sum(edge_count.c.n))
        .where(edge_count.c.direction == "out")
        .group_by(edge_count.c.predicate, edge_count.c.source_release)
    ):
        by_predicate[predicate] += int(n)
        by_release[release] += int(n)
    return by_predicate, by_release


@dataclass(frozen=True, slots=True)
class ReleaseContents:
    """What one source release holds in the atlas now."""

    entities: int  # active entities whose record comes from the release
    edges: int


def release_contents(conn: Connection) -> dict[str, ReleaseContents]:
    """Entities and edges in the store by source release id: the edge counts are
    ``atlas_stats``'s (the same query), so the About page and /atlas agree."""
    _, by_release = _edge_totals(conn)
    entities: dict[str | None, int] = dict(
        conn.execute(
            select(entity.c.source_release, func.count())
            .where(entity.c.lifecycle == "active")
            .group_by(entity.c.source_release)
        ).all()
    )
    ids = {r for r in (*by_release, *entities) if r}
    return {r: ReleaseContents(int(entities.get(r, 0)), by_release.get(r, 0)) for r in ids}


def atlas_stats(conn: Connection, *, top: int = 20) -> AtlasStats:
    """Statistics of the whole graph.

    The most connected entities are a scan of ``edge_count`` (one row per
    entity, direction, predicate and release: about a quarter of the edge
    count), grouped by its primary key's first column.
    """
    categories = _by_count(
        conn.execute(
            select(entity.c.category, func.count())
            .where(entity.c.lifecycle == "active")
            .group_by(entity.c.category)
        ).all()
    )
    by_predicate, by_release = _edge_totals(conn)
    predicates = _by_count(list(by_predicate.items()))
    per_release = _by_count(list(by_release.items()))
    names = {
        r.id: r
        for r in conn.execute(
            select(source_release.c.id, source_release.c.name, source_release.c.version)
        )
    }
    releases = [
        ReleaseEdges(
            rid,
            names[rid].name if rid in names else None,
            names[rid].version if rid in names else None,
            n,
        )
        for rid, n in per_release
    ]
    artifacts = [
        ArtifactCount(t, o, int(n))
        for t, o, n in conn.execute(
            select(artifact.c.type, artifact.c.origin_type, func.count())
            .group_by(artifact.c.type, artifact.c.origin_type)
            .order_by(func.count().desc(), artifact.c.type, artifact.c.origin_type)
        )
    ]
    total = func.sum(edge_count.c.n)
    hubs = conn.execute(
        select(edge_count.c.entity_id, total)
        .group_by(edge_count.c.entity_id)
        .order_by(total.desc(), edge_count.c.entity_id)
        .limit(top)
    ).all()
    briefs = entity_briefs(conn, [h[0] for h in hubs]) if hubs else {}
    connected = [
        Connected(briefs.get(eid) or EntityBrief(eid, eid, None, ""), int(n)) for eid, n in hubs
    ]
    return AtlasStats(
        entities=sum(n for _, n in categories),
        edges=sum(n for _, n in predicates),
        artifacts=sum(a.count for a in artifacts),
        entities_by_category=categories,
        edges_by_predicate=predicates,
        edges_by_release=releases,
        artifacts_by_origin=artifacts,
        most_connected=connected,
    )


# -- the lists the statistics link to -------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntityListing:
    entities: list[EntityBrief]
    next_after: str | None


def list_entities(
    conn: Connection, *, category: str | None = None, after: str | None = None, limit: int = 50
) -> EntityListing:
    """Active entities by id, optionally of one category; keyset paging on the primary key."""
    stmt = select(entity.c.id, entity.c.name, entity.c.symbol, entity.c.category).where(
        entity.c.lifecycle == "active"
    )
    if category:
        stmt = stmt.where(entity.c.category == category)
    if after:
        stmt = stmt.where(entity.c.id > after)
    rows = conn.execute(stmt.order_by(entity.c.id).limit(limit + 1)).all()
    items = [EntityBrief(r.id, r.name, r.symbol, r.category) for r in rows[:limit]]
    return EntityListing(items, items[-1].id if len(rows) > limit and items else None)


@dataclass(frozen=True, slots=True)
class EdgeCursor:
    """Keyset position in an edge listing: subject, then the subject's index order."""

    subject: str
    predicate: str
    score: float
    id: str

    def encode(self) -> str:
        raw = json.dumps([self.subject, self.predicate, self.score, self.id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> EdgeCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            s, p, sc, i = json.loads(raw)
            if not all(isinstance(v, str) and "\x00" not in v for v in (s, p, i)):
                raise ValueError
            return cls(s, p, float(sc), i)
        except (ValueError, TypeError, OverflowError, binascii.Error) as exc:
            raise ValueError(f"malformed cursor {token[:40]!r}") from exc


@dataclass(frozen=True, slots=True)
class EdgeListing:
    edges: list[NeighbourEdge]  # seen from the subject: ``other_*`` is the object
    entities: dict[str, EntityBrief]
    next_cursor: EdgeCursor | None


_SUBJECT_BATCH = 200


def list_edges(
    conn: Connection,
    *,
    predicate: str | None = None,
    release: str | None = None,
    after: EdgeCursor | None = None,
    limit: int = 50,
) -> EdgeListing:
    """Edges of one predicate and/or source release, by subject, strongest first per subject.

    The subjects come from ``edge_count`` (walked in primary-key order, so a
    page reads a few hundred summary rows however common the predicate), and
    each subject's edges from its ``(subject, predicate, score, id)`` index range.
    A rare predicate costs one pass over the summary, never over the edges.
    """
    wanted = edge_count.c.direction == "out"
    if predicate:
        wanted &= edge_count.c.predicate == predicate
    if release:
        wanted &= edge_count.c.source_release == release
    rows: list[NeighbourEdge] = []
    start, inclusive = (after.subject, True) if after else (None, True)
    while len(rows) <= limit:
        stmt = select(edge_count.c.entity_id).where(wanted)
        if start is not None:
            stmt = stmt.where(
                edge_count.c.entity_id >= start if inclusive else edge_count.c.entity_id > start
            )
        subjects = list(
            conn.execute(
                stmt.group_by(edge_count.c.entity_id)
                .order_by(edge_count.c.entity_id)
                .limit(_SUBJECT_BATCH)
            ).scalars()
        )
        if not subjects:
            break
        for subject in subjects:
            q = _neighbour_query(subject, "out", predicate, None, limit + 1 - len(rows))
            if release:
                q = q.where(edge.c.source_release == release)
            if after is not None and subject == after.subject:
                q = q.where(
                    tuple_(edge.c.predicate, edge.c.score, edge.c.id)
                    < tuple_(literal(after.predicate), literal(after.score), literal(after.id))
                )
            rows += [_neighbour(r, "out") for r in conn.execute(q)]
            if len(rows) > limit:
                break
        start, inclusive = subjects[-1], False
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = None
    if more and rows:
        last = rows[-1]
        nxt = EdgeCursor(last.subject, last.predicate, last.score, last.id)
    briefs = entity_briefs(conn, [e.subject for e in rows]) if rows else {}
    return EdgeListing(rows, briefs, nxt)


# -- the explorer's neighbourhood --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    """What the explorer shows: empty means everything."""

    predicates: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # of the far end
    sources: tuple[str, ...] = ()  # primary knowledge source
    levels: tuple[str, ...] = ()  # knowledge level


DEFAULT_CAP = 10  # edges per (node, direction, predicate) on the first screen
MAX_CAP = 200


@dataclass(frozen=True, slots=True)
class ExplorerState:
    """What the neighbourhood view shows; its canonical query string is its permalink.

    Multi-valued parameters are sorted and deduplicated, and ``cap`` is left
    out at its default, so one view has one URL (``explorer.js`` shows the one the
    server answers with).
    """

    centre: str
    predicate: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    expand: tuple[str, ...] = ()
    cap: int = DEFAULT_CAP

    @classmethod
    def of(cls, centre: str, cap: int = DEFAULT_CAP, **lists: Any) -> ExplorerState:
        clean = {k: tuple(sorted(set(v or ()))) for k, v in lists.items()}
        clean["expand"] = tuple(e for e in clean.get("expand", ()) if e != centre)
        return cls(centre, cap=cap, **clean)

    @classmethod
    def parse(cls, centre: str, query: str) -> ExplorerState:
        """From a query string (unknown parameters are ignored, as the page does)."""
        # The fields between the centre (first) and the cap (last) are the lists.
        lists: dict[str, list[str]] = {f.name: [] for f in fields(cls)[1:-1]}
        cap = DEFAULT_CAP
        for key, value in parse_qsl(query, keep_blank_values=False):
            if key in lists:
                lists[key].append(value)
            elif key == "cap" and value.isascii() and value.isdigit():
                cap = min(max(int(value), 1), MAX_CAP)
        return cls.of(centre, cap, **lists)

    def query(self, **changes: Any) -> str:
        state = self if not changes else ExplorerState.of(**(self.as_dict() | changes))
        pairs = [(f.name, v) for f in fields(state)[1:-1] for v in getattr(state, f.name)]
        if state.cap != DEFAULT_CAP:
            pairs.append(("cap", str(state.cap)))
        return urlencode(pairs, quote_via=quote, safe=":")

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def url(self, *, api: bool = False, **changes: Any) -> str:
        """This view (``api``: its JSON twin), with ``changes`` to its state."""
        q = self.query(**changes)
        return (urls.api_explorer if api else urls.explorer)(self.centre, q)

    @property
    def filters(self) -> Filters:
        return Filters(self.predicate, self.category, self.source, self.level)


@dataclass(frozen=True, slots=True)
class Group:
    """One node's edges of one predicate and direction: how many exist, how many are shown."""

    node: str
    direction: str
    predicate: str
    total: int  # all of them, unfiltered (the edge_count summary)
    shown: int
    more: bool  # further edges pass the filters beyond the cap


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    name: str
    symbol: str | None
    category: str
    degree: int
    expanded: bool


@dataclass(slots=True)
class Neighbourhood:
    centre: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[NeighbourEdge] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # expanded ids the store does not hold


def _group_edges(
    conn: Connection, node: str, direction: str, predicate: str, filters: Filters, limit: int
) -> list[NeighbourEdge]:
    stmt = _neighbour_query(node, direction, predicate, None, limit)
    # Filters other than the predicate are not in the index: the walk skips the
    # edges that fail them (cheap when most pass; a hub's whole group at worst).
    if filters.categories:
        stmt = stmt.where(stmt.selected_columns.other_category.in_(filters.categories))
    if filters.sources:
        stmt = stmt.where(edge.c.primary_knowledge_source.in_(filters.sources))
    if filters.levels:
        stmt = stmt.where(edge.c.knowledge_level.in_(filters.levels))
    return [_neighbour(r, direction) for r in conn.execute(stmt)]


def degrees(conn: Connection, curies: Sequence[str]) -> dict[str, int]:
    """Edges per entity, from the summary (one index range per entity, batched)."""
    out: dict[str, int] = {}
    ids = list(dict.fromkeys(curies))
    for i in range(0, len(ids), 500):
        rows = conn.execute(
            select(edge_count.c.entity_id, func.sum(edge_count.c.n))
            .where(edge_count.c.entity_id.in_(ids[i : i + 500]))
            .group_by(edge_count.c.entity_id)
        )
        out.update({k: int(n) for k, n in rows})
    return out


def neighbourhood(
    conn: Connection,
    centre: str,
    *,
    expand: Sequence[str] = (),
    filters: Filters = Filters(),
    cap: int = DEFAULT_CAP,
) -> Neighbourhood:
    """The centre's and each expanded node's strongest ``cap`` edges per (direction,
    predicate), filtered. Costs O(groups x cap) index steps per node when the filters
    pass most edges, whatever the node's degree: never the whole neighbourhood.
    """
    result = Neighbourhood(centre)
    loaded = list(dict.fromkeys([centre, *expand]))
    seen: set[str] = set()
    for node in loaded:
        for pc in predicate_counts(conn, node):
            if filters.predicates and pc.predicate not in filters.predicates:
                continue
            found = _group_edges(conn, node, pc.direction, pc.predicate, filters, cap + 1)
            shown = found[:cap]
            result.groups.append(
                Group(node, pc.direction, pc.predicate, pc.count, len(shown), len(found) > cap)
            )
            for e in shown:
                if e.id not in seen:
                    seen.add(e.id)
                    result.edges.append(e)
    far = {e.other_id: e for e in result.edges}
    briefs = entity_briefs(conn, loaded)
    result.unknown = [n for n in loaded if n not in briefs]
    ids = [n for n in loaded if n in briefs] + [i for i in far if i not in briefs]
    degree = degrees(conn, ids)
    expanded = set(loaded)
    for i in ids:
        b = briefs.get(i)
        name, symbol, category = (
            (b.name, b.symbol, b.category)
            if b
            else (far[i].other_name, far[i].other_symbol, far[i].other_category)
        )
        result.nodes[i] = Node(i, name, symbol, category, degree.get(i, 0), i in expanded)
    return result
