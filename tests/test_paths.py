"""Path search on small graphs with known answers, and against a brute-force search on real data."""

from __future__ import annotations

from collections import deque
from itertools import pairwise

import pytest
from sqlalchemy import select

from scidex.kg.model import Edge, Entity
from scidex.queries.paths import (
    DISCONNECTED,
    FOUND,
    NODE_BOUND,
    NONE_WITHIN,
    TIME_BOUND,
    PathResult,
    find_paths,
)
from scidex.store import Store
from scidex.store.bulk import insert_edges, insert_entities
from scidex.store.schema import edge

Spec = tuple[str, str, int]  # subject, object, publications (more publications: stronger)


def build(store: Store, edges: list[Spec], *, alone: tuple[str, ...] = ()) -> None:
    """A graph of genes ``T:<name>``; every edge ``regulates`` with its publications."""
    names = sorted({s for s, _, _ in edges} | {o for _, o, _ in edges} | set(alone))
    with store.atomic() as conn:
        insert_entities(
            conn, [Entity(f"T:{n}", "biolink:Gene", f"gene {n}", symbol=n) for n in names]
        )
        insert_edges(
            conn,
            [
                Edge(
                    f"T:{s}",
                    "biolink:regulates",
                    f"T:{o}",
                    "infores:test",
                    knowledge_level="knowledge_assertion",
                    publications=tuple(f"PMID:{i + 1}" for i in range(pubs)),
                )
                for s, o, pubs in edges
            ],
        )


def paths(store: Store, a: str, b: str, **kw: object) -> PathResult:
    with store.read() as conn:
        return find_paths(conn, f"T:{a}", f"T:{b}", **kw)  # type: ignore[arg-type]


def chains(result: PathResult) -> list[list[str]]:
    return [[n.removeprefix("T:") for n in p.nodes] for p in result.paths]


def test_the_shortest_path_wins_over_longer_ones(store: Store) -> None:
    build(store, [("S", "X", 0), ("X", "T", 0), ("S", "Y1", 5), ("Y1", "Y2", 5), ("Y2", "T", 5)])
    result = paths(store, "S", "T")
    assert result.outcome == FOUND and result.length == 2
    assert chains(result) == [["S", "X", "T"]]
    assert result.found == 1 and not result.more


@pytest.mark.parametrize("hops", [1, 2, 3, 4])
def test_paths_of_each_length_are_found_exactly_at_that_length(store: Store, hops: int) -> None:
    line = ["S", "A", "B", "C", "T"][: hops + 1]
    line[-1] = "T"
    build(store, [(x, y, 1) for x, y in pairwise(line)])
    result = paths(store, "S", "T", max_hops=hops)
    assert result.outcome == FOUND and result.length == hops
    assert chains(result) == [line]
    if hops > 1:
        shorter = paths(store, "S", "T", max_hops=hops - 1)
        assert shorter.outcome == NONE_WITHIN and shorter.paths == []


def test_ties_are_all_found_and_ranked_by_their_evidence(store: Store) -> None:
    # Three 2-hop paths. P2's weakest hop is the strongest; P1 and P3 tie on the weakest
    # hop (1 publication) and P3 has more in all.
    ties = [("S", "P1", 1), ("P1", "T", 1), ("S", "P2", 3), ("P2", "T", 2), ("S", "P3", 1)]
    build(store, [*ties, ("P3", "T", 4)])
    result = paths(store, "S", "T")
    assert result.found == 3 and result.length == 2
    assert chains(result) == [["S", "P2", "T"], ["S", "P3", "T"], ["S", "P1", "T"]]
    weakest = [p.weakest for p in result.paths]
    assert weakest == sorted(weakest, reverse=True)
    assert result.paths[1].total > result.paths[2].total
    assert len(paths(store, "S", "T", limit=1).paths) == 1


def test_a_hop_lists_every_statement_between_its_ends_in_their_real_direction(
    store: Store,
) -> None:
    # S <- M (against the walk), M -> T and T -> M (both ways).
    build(store, [("M", "S", 2), ("M", "T", 1), ("T", "M", 0)])
    result = paths(store, "S", "T")
    (path,) = result.paths
    first, second = path.hops
    assert (first.left, first.right) == ("T:S", "T:M")
    assert [(s.subject, s.object) for s in first.statements] == [("T:M", "T:S")]
    assert first.statements[0].publications == ["PMID:1", "PMID:2"]
    assert {(s.subject, s.object) for s in second.statements} == {("T:M", "T:T"), ("T:T", "T:M")}
    assert second.statements[0].score >= second.statements[1].score  # best first
    assert result.entities["T:M"].symbol == "M"


def test_no_path_at_all_says_how_far_each_side_reached(store: Store) -> None:
    build(store, [("S", "A", 0), ("A", "B", 0), ("T", "C", 0)])
    result = paths(store, "S", "T")
    assert result.outcome == DISCONNECTED and result.paths == [] and result.length is None
    assert result.reach["from"][0] == 1 and result.reach["to"][0] == 1
    assert sum(result.reach["from"]) + sum(result.reach["to"]) == result.visited == 4
    assert "any length" in result.message


def test_no_path_within_the_bound_is_not_called_disconnected(store: Store) -> None:
    line = ["S", "A", "B", "C", "D", "T"]
    build(store, [(x, y, 0) for x, y in pairwise(line)])
    result = paths(store, "S", "T", max_hops=3)
    assert result.outcome == NONE_WITHIN
    assert "at most 3 hops" in result.message
    assert len(result.reach["from"]) + len(result.reach["to"]) - 2 <= 3


def test_hubs_can_be_left_out(store: Store) -> None:
    leaves = [("H", f"L{i}", 0) for i in range(30)]
    build(
        store,
        [("S", "H", 5), ("H", "T", 5), ("S", "Q1", 0), ("Q1", "Q2", 0), ("Q2", "T", 0), *leaves],
    )
    assert chains(paths(store, "S", "T")) == [["S", "H", "T"]]
    without = paths(store, "S", "T", hub_degree=10)
    assert chains(without) == [["S", "Q1", "Q2", "T"]]
    assert without.hubs_skipped == 1
    # An endpoint is never left out, however many edges it has.
    assert chains(paths(store, "S", "H", hub_degree=10)) == [["S", "H"]]
    # Leaving out the only way through: no path at any length, with these exclusions.
    assert paths(store, "L1", "S", hub_degree=10).outcome == DISCONNECTED


def test_named_entities_can_be_left_out(store: Store) -> None:
    build(store, [("S", "X", 5), ("X", "T", 5), ("S", "Y", 0), ("Y", "T", 0)])
    assert chains(paths(store, "S", "T", exclude=["T:X"])) == [["S", "Y", "T"]]
    assert paths(store, "S", "T", exclude=["T:X", "T:Y"]).outcome == DISCONNECTED


def test_the_bounds_stop_the_search_and_say_so(store: Store) -> None:
    build(store, [(end, f"{end}{i}", 0) for end in "ST" for i in range(50)])
    assert paths(store, "S", "T", max_nodes=10).outcome == NODE_BOUND
    timed = paths(store, "S", "T", seconds=0.0)
    assert timed.outcome == TIME_BOUND and "stopped after" in timed.message


def test_bad_arguments(store: Store) -> None:
    build(store, [("S", "T", 0)])
    with pytest.raises(ValueError):
        paths(store, "S", "S")
    for hops in (0, 5):
        with pytest.raises(ValueError):
            paths(store, "S", "T", max_hops=hops)


# -- against a brute-force search on the real-data sample ------------------------------------


def _brute(adjacency: dict[str, set[str]], a: str, b: str, max_hops: int) -> tuple[int, int]:
    """(length, number of shortest node sequences) by plain BFS with path counting."""
    dist, count = {a: 0}, {a: 1}
    queue = deque([a])
    while queue:
        u = queue.popleft()
        if dist[u] >= max_hops:
            continue
        for v in adjacency.get(u, ()):
            if v not in dist:
                dist[v], count[v] = dist[u] + 1, count[u]
                queue.append(v)
            elif dist[v] == dist[u] + 1:
                count[v] += count[u]
    return (dist[b], count[b]) if b in dist else (-1, 0)


@pytest.mark.parametrize("max_hops", [2, 3, 4])
def test_the_search_agrees_with_brute_force_on_real_data(
    shared_sample: Store, max_hops: int
) -> None:
    with shared_sample.read() as conn:
        rows = conn.execute(select(edge.c.subject, edge.c.object)).all()
        adjacency: dict[str, set[str]] = {}
        for s, o in rows:
            if s != o:
                adjacency.setdefault(s, set()).add(o)
                adjacency.setdefault(o, set()).add(s)
        pairs = [
            ("HGNC:935", "MONDO:0004975"),
            ("HGNC:935", "HGNC:5013"),
            ("HGNC:935", "HP:0002511"),
            ("HGNC:6782", "GO:0006979"),
            ("MONDO:0004975", "GO:0005634"),
            ("HGNC:11179", "HGNC:935"),
        ]
        for a, b in pairs:
            length, count = _brute(adjacency, a, b, max_hops)
            result = find_paths(conn, a, b, max_hops=max_hops, limit=50)
            if length < 0:
                assert result.outcome in (NONE_WITHIN, DISCONNECTED), (a, b)
                continue
            assert result.outcome == FOUND and result.length == length, (a, b)
            assert result.found == min(count, 2000), (a, b)
            for p in result.paths:
                assert p.nodes[0] == a and p.nodes[-1] == b and len(set(p.nodes)) == len(p.nodes)
                for hop in p.hops:
                    assert hop.right in adjacency[hop.left]
                    for s in hop.statements:
                        assert {s.subject, s.object} == {hop.left, hop.right}
