"""Neighbourhoods on real data: counts agree with direct queries, pages cover every edge once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, or_, select

from scidex.queries.graph import (
    Cursor,
    degree,
    edges_between,
    get_entity,
    group_previews,
    neighbours,
    predicate_counts,
    strongest,
)
from scidex.store import Store
from scidex.store.schema import edge


def direct_count(store: Store, curie: str) -> int:
    with store.read() as conn:
        return conn.execute(
            select(func.count())
            .select_from(edge)
            .where(or_(edge.c.subject == curie, edge.c.object == curie))
        ).scalar_one()


@pytest.mark.parametrize("curie", ["HGNC:935", "MONDO:0004975", "GO:0006979", "HGNC:11179"])
def test_paging_through_a_neighbourhood_shows_every_edge_once(
    shared_sample: Store, curie: str
) -> None:
    seen: list[str] = []
    after = None
    with shared_sample.read() as conn:
        while True:
            page = neighbours(conn, curie, limit=7, after=after)
            seen += [e.id for e in page.edges]
            if page.next_cursor is None:
                break
            after = Cursor.decode(page.next_cursor.encode())
        total = degree(conn, curie)
    assert len(seen) == len(set(seen)) == total == direct_count(shared_sample, curie)


def test_edges_come_grouped_by_direction_and_predicate_strongest_first(
    shared_sample: Store,
) -> None:
    with shared_sample.read() as conn:
        edges = neighbours(conn, "MONDO:0004975", limit=500).edges
    keys = [(e.direction != "out", e.predicate, -e.score) for e in edges]
    # Outgoing before incoming; within a direction predicates in one block each.
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    for direction in (False, True):
        preds = [k[1] for k in keys if k[0] == direction]
        blocks = [p for i, p in enumerate(preds) if i == 0 or preds[i - 1] != p]
        assert len(blocks) == len(set(blocks))
        for p in set(preds):
            scores = [-k[2] for k in keys if k[0] == direction and k[1] == p]
            assert scores == sorted(scores, reverse=True)


def test_predicate_counts_match_direct_queries(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        counts = predicate_counts(conn, "HGNC:935")
        for c in counts:
            column = edge.c.subject if c.direction == "out" else edge.c.object
            direct = conn.execute(
                select(func.count())
                .select_from(edge)
                .where(column == "HGNC:935", edge.c.predicate == c.predicate)
            ).scalar_one()
            assert c.count == direct


def test_filters_and_the_other_end_of_each_edge(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        page = neighbours(conn, "HGNC:935", predicate="biolink:located_in", direction="out")
        bach1 = get_entity(conn, "HGNC:935")
    assert page.edges and all(e.predicate == "biolink:located_in" for e in page.edges)
    assert all(e.subject == "HGNC:935" and e.other_id == e.object for e in page.edges)
    assert all(e.other_category == "biolink:CellularComponent" for e in page.edges)
    assert bach1 is not None and bach1.symbol == "BACH1"
    assert "NCBIGene:571" in bach1.xrefs


def test_the_strongest_edges_take_a_few_of_each_group(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        groups = predicate_counts(conn, "MONDO:0004975")
        top = strongest(group_previews(conn, "MONDO:0004975", groups, limit=2), per_group=2)
    assert len(top) == sum(min(2, g.count) for g in groups)
    assert [e.score for e in top] == sorted((e.score for e in top), reverse=True)


@pytest.mark.parametrize("token", ["", "abc", "W10", "WyJ4IiwgInAiLCAxLCAiaSJd"])
def test_malformed_cursors_are_refused(token: str) -> None:
    with pytest.raises(ValueError, match="malformed cursor"):
        Cursor.decode(token)


def test_the_count_summary_equals_direct_counts_after_every_kind_of_write(
    shared_atlas: Store,
) -> None:
    from sqlalchemy import text

    from scidex.queries.graph import release_counts

    # shared_atlas was written by a KGX import and then by the curated pages.
    with shared_atlas.read() as conn:
        ids = conn.execute(text("SELECT id FROM entity ORDER BY id")).scalars().all()
        for curie in [*ids[::7], "HGNC:935", "MONDO:0004975"]:
            direct = dict(
                conn.execute(
                    text(
                        "SELECT coalesce(source_release, ''), count(*) FROM edge "
                        "WHERE subject = :c OR object = :c GROUP BY 1"
                    ),
                    {"c": curie},
                ).all()
            )
            assert release_counts(conn, curie) == direct, curie


def test_edges_between_a_hub_and_a_leaf_read_from_either_end_agree(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        hub, leaf = conn.execute(
            select(edge.c.object, edge.c.subject)
            .where(
                edge.c.object
                == select(edge.c.object)
                .group_by(edge.c.object)
                .order_by(func.count().desc())
                .limit(1)
                .scalar_subquery()
            )
            .limit(1)
        ).one()
        direct = {
            r
            for r in conn.execute(
                select(edge.c.id).where(
                    or_(
                        (edge.c.subject == hub) & (edge.c.object == leaf),
                        (edge.c.subject == leaf) & (edge.c.object == hub),
                    )
                )
            ).scalars()
        }
        assert direct
        # From the hub, the leaf's range is the shorter one; from the leaf, its own.
        for a, b in ((hub, leaf), (leaf, hub)):
            found = edges_between(conn, a, b)
            assert {e.id for e in found} == direct
            assert all(e.other_id == b for e in found)


@pytest.mark.parametrize("curie", ["HGNC:935", "MONDO:0004975", "GO:0006979"])
def test_group_previews_in_one_statement_equal_each_groups_first_page(
    shared_sample: Store, curie: str
) -> None:
    with shared_sample.read() as conn:
        counts = predicate_counts(conn, curie)
        previews = group_previews(conn, curie, counts, limit=3)
        for c, page in zip(counts, previews, strict=True):
            alone = neighbours(conn, curie, predicate=c.predicate, direction=c.direction, limit=3)
            assert [e.id for e in page.edges] == [e.id for e in alone.edges]
            assert page.next_cursor == alone.next_cursor
            assert (page.next_cursor is not None) == (c.count > 3)
        assert strongest(previews, per_group=2) == strongest(
            group_previews(conn, curie, counts, limit=2), per_group=2
        )
