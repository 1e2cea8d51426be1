"""How is X connected to Y: shortest paths between two entities, ranked by their evidence.

Bidirectional breadth-first search over the edge indexes, following edges both
ways (a path may walk a statement against its direction; each statement keeps
its real direction in the answer). Each step expands, layer by layer, the side
whose frontier has fewer edges (read from the ``edge_count`` summary), through
``edge.subject`` and ``edge.object`` index ranges. The last hop is not an
expansion: it looks only for edges between the two frontiers, through
whichever index reads fewer rows, so a 3-hop search between two genes reads
their neighbourhoods and the (small) outgoing ranges of their neighbours,
never the 10,000-edge ranges of hubs such as "protein binding".

The search is bounded in nodes visited and in time; when a bound is hit the
answer says so, and says how far each side reached. Hubs (entities with more
than ``hub_degree`` edges) and named entities can be excluded as intermediates.

Every shortest path found is ranked by its evidence: first by its weakest hop,
then by the sum of its hops, where a hop scores as its best statement (the
edge ``score`` column, see ``model.evidence_score``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import islice, pairwise
from typing import Any

from sqlalchemy import Connection, func, select

from scidex.kg.urls import urls
from scidex.queries.graph import EntityBrief, entity_briefs
from scidex.store.schema import edge, edge_count

DEFAULT_HOPS = 3
MAX_HOPS = 4
DEFAULT_MAX_NODES = 50_000
DEFAULT_SECONDS = 2.0
DEFAULT_HUB_DEGREE = 1_000
MAX_CANDIDATES = 2_000  # shortest paths enumerated before ranking
EDGES_PER_HOP = 10  # statements shown per hop (the strongest)
_IDS_PER_QUERY = 500
_ROWS_PER_QUERY = 20_000  # so that the clock is checked between reads

# Outcomes
FOUND = "found"
NONE_WITHIN = "none_within_hops"  # both sides still had nodes to explore
DISCONNECTED = "disconnected"  # one side ran out of nodes: no path at any length
NODE_BOUND = "node_bound"
TIME_BOUND = "time_bound"
MESSAGES = {
    FOUND: "",
    NONE_WITHIN: "No path of at most {max_hops} hops joins them.",
    DISCONNECTED: "No path joins them at any length{excluding}: one side ran out of entities.",
    NODE_BOUND: "The search stopped after visiting {visited:,} entities without finding a "
    "path; exclude hubs or ask for fewer hops.",
    TIME_BOUND: "The search stopped after {seconds:.1f} s without finding a path; exclude "
    "hubs or ask for fewer hops.",
}


@dataclass(frozen=True, slots=True)
class Statement:
    """An edge on a path, in its real direction."""

    id: str
    subject: str
    predicate: str
    object: str
    primary_knowledge_source: str
    knowledge_level: str
    agent_type: str
    publications: list[str]
    evidence_codes: list[str]
    score: float
    source_release: str | None


@dataclass(frozen=True, slots=True)
class Hop:
    """Two consecutive entities of a path and every statement between them (best first)."""

    left: str
    right: str
    score: float
    statements: list[Statement]
    more: int  # statements between the two not listed


@dataclass(frozen=True, slots=True)
class FoundPath:
    nodes: list[str]
    hops: list[Hop]
    weakest: float  # the score of its weakest hop
    total: float  # the sum of its hops' scores


@dataclass(slots=True)
class PathResult:
    source: str
    target: str
    max_hops: int
    outcome: str = NONE_WITHIN
    length: int | None = None
    paths: list[FoundPath] = field(default_factory=list)
    found: int = 0  # shortest paths enumerated (at most MAX_CANDIDATES)
    more: bool = False  # there are more shortest paths than were enumerated
    reach: dict[str, list[int]] = field(default_factory=dict)  # side -> nodes per depth
    visited: int = 0
    edges_read: int = 0
    hubs_skipped: int = 0
    entities: dict[str, EntityBrief] = field(default_factory=dict)
    seconds: float = 0.0
    excluding: bool = False  # named entities or hubs were left out

    @property
    def message(self) -> str:
        """What a reader is told when no path is shown."""
        return MESSAGES[self.outcome].format(
            max_hops=self.max_hops,
            visited=self.visited,
            seconds=self.seconds,
            excluding=" (with these exclusions)" if self.excluding else "",
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of the result (entities as briefs, statements with their URL)."""
        return {
            "outcome": self.outcome,
            "message": self.message,
            "length": self.length,
            "found": self.found,
            "more": self.more,
            "reach": self.reach,
            "visited": self.visited,
            "edges_read": self.edges_read,
            "hubs_skipped": self.hubs_skipped,
            "elapsed_ms": round(self.seconds * 1000, 1),
            "paths": [
                {
                    "nodes": p.nodes,
                    "weakest": p.weakest,
                    "total": round(p.total, 2),
                    "hops": [
                        asdict(h)
                        | {
                            "statements": [
                                asdict(s) | {"url": urls.api_edge(s.id)} for s in h.statements
                            ]
                        }
                        for h in p.hops
                    ],
                }
                for p in self.paths
            ],
            "entities": {k: asdict(v) for k, v in self.entities.items()},
        }


class _Bound(Exception):
    def __init__(self, outcome: str) -> None:
        self.outcome = outcome


@dataclass(slots=True)
class _Side:
    root: str
    depth: dict[str, int]
    # node -> parent -> [(edge id, score)]: every edge by which the node was
    # reached from the layer before (ties included).
    parents: dict[str, dict[str, list[tuple[str, float]]]]
    frontier: list[str]
    level: int = 0
    layers: list[int] = field(default_factory=lambda: [1])

    @classmethod
    def at(cls, root: str) -> _Side:
        return cls(root, {root: 0}, {}, [root])


class _Search:
    def __init__(
        self,
        conn: Connection,
        *,
        exclude: set[str],
        hub_degree: int | None,
        max_nodes: int,
        deadline: float,
    ) -> None:
        self.conn = conn
        self.exclude = exclude
        self.hub_degree = hub_degree
        self.max_nodes = max_nodes
        self.deadline = deadline
        self.deg: dict[str, tuple[int, int]] = {}  # node -> (out, in)
        self.edges_read = 0
        self.hubs_skipped = 0
        self.visited = 0

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Bound(TIME_BOUND)
        if self.visited > self.max_nodes:
            raise _Bound(NODE_BOUND)

    def degrees(self, nodes: Iterable[str]) -> None:
        """Fill in out- and in-degrees from the summary for nodes not yet known."""
        todo = [n for n in dict.fromkeys(nodes) if n not in self.deg]
        for i in range(0, len(todo), _IDS_PER_QUERY):
            chunk = todo[i : i + _IDS_PER_QUERY]
            found: dict[str, list[int]] = {n: [0, 0] for n in chunk}
            rows = self.conn.execute(
                select(edge_count.c.entity_id, edge_count.c.direction, func.sum(edge_count.c.n))
                .where(edge_count.c.entity_id.in_(chunk))
                .group_by(edge_count.c.entity_id, edge_count.c.direction)
            )
            for node, direction, n in rows:
                found[node][0 if direction == "out" else 1] = int(n)
            self.deg.update({k: (v[0], v[1]) for k, v in found.items()})
            self.check()

    def cost(self, nodes: Sequence[str], direction: str | None = None) -> int:
        """Rows an expansion of ``nodes`` reads: both directions, or ``out`` / ``in``."""
        self.degrees(nodes)
        pick = {None: lambda d: d[0] + d[1], "out": lambda d: d[0], "in": lambda d: d[1]}
        return sum(pick[direction](self.deg[n]) for n in nodes)

    def _batches(self, nodes: Sequence[str], direction: str) -> Iterator[list[str]]:
        """Groups of nodes whose index ranges together stay under _ROWS_PER_QUERY rows."""
        batch: list[str] = []
        rows = 0
        k = 0 if direction == "out" else 1
        for n in nodes:
            d = self.deg.get(n, (0, 0))[k]
            if batch and (rows + d > _ROWS_PER_QUERY or len(batch) >= _IDS_PER_QUERY):
                yield batch
                batch, rows = [], 0
            batch.append(n)
            rows += d
        if batch:
            yield batch

    def incident(
        self, nodes: Sequence[str], direction: str
    ) -> Iterator[tuple[str, str, str, float]]:
        """(edge id, subject, object, score) of the nodes' edges in one direction."""
        near = edge.c.subject if direction == "out" else edge.c.object
        cols = (edge.c.id, edge.c.subject, edge.c.object, edge.c.score)
        live = [n for n in nodes if self.deg.get(n, (1, 1)) != (0, 0)]
        for batch in self._batches(live, direction):
            rows = self.conn.execute(select(*cols).where(near.in_(batch))).all()
            self.edges_read += len(rows)
            yield from ((r[0], r[1], r[2], float(r[3])) for r in rows)
            self.check()

    def is_hub(self, node: str) -> bool:
        if self.hub_degree is None:
            return False
        out, inc = self.deg[node]
        return out + inc > self.hub_degree

    def expand(self, side: _Side, other: _Side) -> None:
        """Read every edge of the frontier; the unseen far ends become the next layer."""
        layer = side.level + 1
        new: list[str] = []
        for direction in ("out", "in"):
            for eid, s, o, score in self.incident(side.frontier, direction):
                near, far = (s, o) if direction == "out" else (o, s)
                if far == near:
                    continue
                if far in self.exclude and far != other.root:
                    continue
                known = side.depth.get(far)
                if known is None:
                    side.depth[far] = layer
                    side.parents[far] = {}
                    new.append(far)
                    self.visited += 1
                elif known != layer:
                    continue
                side.parents[far].setdefault(near, []).append((eid, score))
            self.check()
        if self.hub_degree is not None and new:
            self.degrees(new)
            hubs = [n for n in new if n != other.root and self.is_hub(n)]
            for h in hubs:
                # A hub is not an intermediate: forget it, and never reach it again.
                del side.depth[h], side.parents[h]
                self.exclude.add(h)
            self.hubs_skipped += len(hubs)
            new = [n for n in new if n not in set(hubs)]
        side.frontier = new
        side.level = layer
        side.layers.append(len(new))

    def exhausted(self, side: _Side) -> bool:
        """No edge leads beyond the frontier: its nodes' only edges are those that reached them."""
        inward = sum(len(e) for n in side.frontier for e in side.parents.get(n, {}).values())
        return self.cost(side.frontier) == inward

    def between(self, a: _Side, b: _Side) -> dict[tuple[str, str], list[tuple[str, float]]]:
        """Edges joining the two frontiers (both directions), keyed (a-side node, b-side node).

        For edges a -> b, the subject index over a's frontier reads the a-side
        nodes' out-degrees, the object index over b's reads b-side in-degrees:
        the cheaper is used; likewise for edges b -> a.
        """
        found: dict[tuple[str, str], list[tuple[str, float]]] = {}
        for src, dst, flip in ((a.frontier, b.frontier, False), (b.frontier, a.frontier, True)):
            targets, sources = set(dst), set(src)
            if self.cost(src, "out") <= self.cost(dst, "in"):
                rows = self.incident(src, "out")
            else:
                rows = self.incident(dst, "in")
            for eid, s, o, score in rows:
                if s in sources and o in targets:  # the frontiers never share a node
                    key = (o, s) if flip else (s, o)
                    found.setdefault(key, []).append((eid, score))
        return found


def _chains(side: _Side, node: str) -> Iterator[list[str]]:
    """Every shortest chain root .. node on one side, lazily (ties multiply them)."""
    if node == side.root:
        yield [node]
        return
    for parent in sorted(side.parents[node]):
        for chain in _chains(side, parent):
            yield [*chain, node]


def _hop_edges(
    a: _Side, b: _Side, meet: dict[tuple[str, str], list[tuple[str, float]]], u: str, v: str
) -> list[tuple[str, float]]:
    """The statements between consecutive path nodes u, v (u nearer the source)."""
    if v in a.parents and u in a.parents[v]:
        return a.parents[v][u]
    if u in b.parents and v in b.parents[u]:
        return b.parents[u][v]
    return meet.get((u, v), [])


def _statements(conn: Connection, ids: Sequence[str]) -> dict[str, Statement]:
    out: dict[str, Statement] = {}
    ids = list(dict.fromkeys(ids))
    for i in range(0, len(ids), _IDS_PER_QUERY):
        for r in conn.execute(select(edge).where(edge.c.id.in_(ids[i : i + _IDS_PER_QUERY]))):
            out[r.id] = Statement(
                r.id,
                r.subject,
                r.predicate,
                r.object,
                r.primary_knowledge_source,
                r.knowledge_level,
                r.agent_type,
                json.loads(r.publications),
                json.loads(r.evidence_codes),
                float(r.score),
                r.source_release,
            )
    return out


def find_paths(
    conn: Connection,
    source: str,
    target: str,
    *,
    max_hops: int = DEFAULT_HOPS,
    exclude: Sequence[str] = (),
    hub_degree: int | None = None,
    limit: int = 10,
    max_nodes: int = DEFAULT_MAX_NODES,
    seconds: float = DEFAULT_SECONDS,
) -> PathResult:
    """The shortest paths (up to ``max_hops``) between two entity ids, best evidence first.

    ``exclude`` and, with ``hub_degree``, entities with more edges than that are
    never intermediates. The search stops after visiting ``max_nodes`` entities
    or after ``seconds``; ``outcome`` then says which bound was hit.
    """
    if not 1 <= max_hops <= MAX_HOPS:
        raise ValueError(f"max_hops must be between 1 and {MAX_HOPS}, not {max_hops}")
    if source == target:
        raise ValueError("source and target are the same entity")
    started = time.monotonic()
    result = PathResult(source, target, max_hops, excluding=bool(exclude) or hub_degree is not None)
    search = _Search(
        conn,
        exclude=set(exclude) - {source, target},
        hub_degree=hub_degree,
        max_nodes=max_nodes,
        deadline=started + seconds,
    )
    a, b = _Side.at(source), _Side.at(target)
    meet: dict[tuple[str, str], list[tuple[str, float]]] = {}
    ends: list[tuple[str, str]] = []  # (a-side node, b-side node) joined by a hop or a node
    try:
        while a.level + b.level < max_hops:
            if not a.frontier or not b.frontier:
                result.outcome = DISCONNECTED
                break
            if max_hops - (a.level + b.level) == 1:
                meet = search.between(a, b)
                ends = sorted(meet)
                break
            side, other = (a, b) if search.cost(a.frontier) <= search.cost(b.frontier) else (b, a)
            search.expand(side, other)
            both = [n for n in side.frontier if n in other.depth]
            if both:
                best = min(a.depth[n] + b.depth[n] for n in both)
                ends = sorted((n, n) for n in both if a.depth[n] + b.depth[n] == best)
                break
        if (
            not ends
            and result.outcome == NONE_WITHIN
            and (search.exhausted(a) or search.exhausted(b))
        ):
            result.outcome = DISCONNECTED
    except _Bound as bound:
        result.outcome = bound.outcome
        ends = []
    result.reach = {"from": a.layers, "to": b.layers}
    result.visited = len(a.depth) + len(b.depth)
    result.edges_read = search.edges_read
    result.hubs_skipped = search.hubs_skipped
    if ends:
        _rank(conn, result, a, b, meet, ends, limit)
    result.seconds = time.monotonic() - started
    return result


def _rank(
    conn: Connection,
    result: PathResult,
    a: _Side,
    b: _Side,
    meet: dict[tuple[str, str], list[tuple[str, float]]],
    ends: list[tuple[str, str]],
    limit: int,
) -> None:
    candidates: list[tuple[float, float, list[str]]] = []
    for x, y in ends:
        rights = list(islice(_chains(b, y), MAX_CANDIDATES))
        for left in _chains(a, x):
            for right in rights:
                nodes = left + right[::-1][(1 if x == y else 0) :]
                scores = [
                    max(s for _, s in _hop_edges(a, b, meet, u, v)) for u, v in pairwise(nodes)
                ]
                candidates.append((min(scores), sum(scores), nodes))
                if len(candidates) >= MAX_CANDIDATES:
                    # Ranked among the first MAX_CANDIDATES; the answer says there are more.
                    result.more = True
                    break
            if result.more:
                break
        if result.more:
            break
    result.outcome = FOUND
    result.length = len(candidates[0][2]) - 1
    result.found = len(candidates)
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2]))
    best = candidates[:limit]
    hop_ids = {
        (u, v): sorted(_hop_edges(a, b, meet, u, v), key=lambda e: (-e[1], e[0]))
        for _, _, nodes in best
        for u, v in pairwise(nodes)
    }
    wanted = [eid for edges in hop_ids.values() for eid, _ in edges[:EDGES_PER_HOP]]
    statements = _statements(conn, wanted)
    for weakest, total, nodes in best:
        hops = []
        for u, v in pairwise(nodes):
            edges = hop_ids[(u, v)]
            shown = [statements[e] for e, _ in edges[:EDGES_PER_HOP] if e in statements]
            hops.append(Hop(u, v, edges[0][1], shown, len(edges) - len(shown)))
        result.paths.append(FoundPath(nodes, hops, weakest, total))
    result.entities = entity_briefs(conn, [n for p in result.paths for n in p.nodes])
