"""``partner_count``: how many distinct entities an entity's edges of one predicate reach.

Several sources stating one partner make several edges but one partner, and a
page's sentences ("interacts with A, B and 5 more") count partners. The summary
is derived data, kept exact by every path that writes edges; these tests count
over ``edge`` directly and compare.
"""

from __future__ import annotations

import re
from collections import defaultdict

from sqlalchemy import Connection, select, text

from scidex.kg import biolink
from scidex.registry.finish import finish
from scidex.store import Store, edge_counts
from scidex.store.schema import edge, partner_count


def _direct(conn: Connection) -> dict[tuple[str, str, str], int]:
    ends: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    symmetric = biolink.symmetric_predicates()
    for s, p, o in conn.execute(select(edge.c.subject, edge.c.predicate, edge.c.object)):
        ends[s, "out", p].add(o)
        ends[o, "in", p].add(s)
        if p in symmetric:
            ends[s, "both", p].add(o)
            ends[o, "both", p].add(s)
    return {k: len(v) for k, v in ends.items()}


def _stored(conn: Connection) -> dict[tuple[str, str, str], int]:
    rows = conn.execute(
        select(
            partner_count.c.entity_id,
            partner_count.c.direction,
            partner_count.c.predicate,
            partner_count.c.n,
        )
    )
    return {(e, d, p): n for e, d, p, n in rows}


def test_an_import_counts_every_entity_s_partners(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        direct = _direct(conn)
        assert _stored(conn) == direct
        edges = conn.execute(text("SELECT count(*) FROM edge")).scalar_one()
    # The sample has partners stated by several sources, and symmetric edges both ways.
    assert sum(n for (_e, d, _p), n in direct.items() if d == "out") < edges
    assert any(d == "both" for _e, d, _p in direct)


def test_a_recount_of_some_entities_and_of_all_gives_the_same(sample_store: Store) -> None:
    with sample_store.atomic() as conn:
        before = _stored(conn)
        hub = (
            conn.execute(
                text("SELECT entity_id FROM partner_count GROUP BY entity_id ORDER BY sum(n) DESC")
            )
            .scalars()
            .first()
        )
        conn.execute(text("DELETE FROM partner_count WHERE entity_id = :e"), {"e": hub})
        finish(conn, counts=[hub], pages=False, datasets=False, entity_docs=False, page_docs=False)
        assert _stored(conn) == before
        conn.execute(text("DELETE FROM partner_count"))
        edge_counts.refresh_partners_all(conn)
        assert _stored(conn) == before


def test_the_generated_article_counts_partners_not_edges(
    shared_client, shared_atlas: Store
) -> None:
    """KEAP1's interaction partners are stated both ways and by several sources: the
    sentence names some and says how many more, which add up to its partners."""
    keap1 = "HGNC:23177"
    with shared_atlas.read() as conn:
        partners = _direct(conn)[keap1, "both", "biolink:physically_interacts_with"]
        page = conn.execute(
            text("SELECT id FROM artifact WHERE kg_node_id = :e"), {"e": keap1}
        ).scalar_one()
        edges = conn.execute(
            text(
                "SELECT count(*) FROM edge WHERE predicate = 'biolink:physically_interacts_with' "
                "AND (subject = :e OR object = :e)"
            ),
            {"e": keap1},
        ).scalar_one()
    assert partners < edges
    summary = shared_client.get(f"/api/artifacts/{page}").json()["summary"]["paragraphs"]
    [said] = [
        s
        for p in summary
        for s in p["sentences"]
        if s["text"].startswith("KEAP1 interacts physically with")
    ]
    more = re.search(r"and ([\d,]+) more", said["text"])
    named = len(said["mentions"])
    assert named + (int(more.group(1).replace(",", "")) if more else 0) == partners, said["text"]


def test_the_infobox_counts_associated_diseases_not_their_edges(
    shared_client, shared_atlas: Store
) -> None:
    """A gene whose diseases are stated by several sources: the infobox's diseases, named
    and "and N more", add up to the distinct diseases."""
    predicate = "biolink:gene_associated_with_condition"
    with shared_atlas.read() as conn:
        gene, edges, diseases = conn.execute(
            text(
                "SELECT subject, count(*), count(DISTINCT object) FROM edge "
                "WHERE predicate = :p GROUP BY subject "
                "HAVING count(*) > count(DISTINCT object) "
                "ORDER BY count(*) - count(DISTINCT object) DESC, subject LIMIT 1"
            ),
            {"p": predicate},
        ).one()
        page = conn.execute(
            text("SELECT id FROM artifact WHERE kg_node_id = :e"), {"e": gene}
        ).scalar_one()
    box = shared_client.get(f"/api/artifacts/{page}").json()["infobox"]
    values = next(r["values"] for r in box["rows"] if r["key"] == "diseases")
    more = [v for v in values if v["text"].startswith("and ")]
    shown = len(values) - len(more)
    extra = int(more[0]["text"].split()[1].replace(",", "")) if more else 0
    assert edges > diseases
    assert shown + extra == diseases
