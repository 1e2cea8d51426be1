"""Diseases' gene associations rolled up through subtypes (disease_gene_rollup): the table,
its reads, its refreshes, and the disease page and its JSON twin.

Every expectation is computed from tests/data/atlas-sample itself, walking its
``subclass_of`` edges here; no number is typed in.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select, text

from scidex.interchange.kgx import import_kgx
from scidex.queries.associations import disease_genes, gene_counts
from scidex.registry.finish import finish
from scidex.store import Store
from scidex.store import migrations as m
from scidex.store.rollup import ASSOCIATION, SUBCLASS_OF, refresh_all
from scidex.store.schema import disease_gene_rollup

SAMPLE = Path(__file__).parent / "data" / "atlas-sample"
AD, AD_PAGE = "MONDO:0004975", "wiki-diseases-alzheimer-disease"


def _tsv(name: str) -> list[dict[str, str]]:
    with (SAMPLE / name).open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


EDGES, NODES = _tsv("edges.tsv"), {n["id"]: n for n in _tsv("nodes.tsv")}


def expected(disease: str) -> dict[str, dict[str, set[str]]]:
    """gene -> {"direct": edge ids, "via": subtype ids} for ``disease``, from the sample files."""
    children: dict[str, set[str]] = defaultdict(set)
    assoc: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for e in EDGES:
        if e["predicate"] == SUBCLASS_OF:
            children[e["object"]].add(e["subject"])
        elif e["predicate"] == ASSOCIATION:
            assoc[e["object"]].append((e["subject"], e["id"]))
    seen, todo = {disease}, [disease]
    while todo:
        for child in children[todo.pop()] - seen:
            seen.add(child)
            todo.append(child)
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"direct": set(), "via": set()})
    for d in seen:
        for gene, eid in assoc[d]:
            if d == disease:
                out[gene]["direct"].add(eid)
            else:
                out[gene]["via"].add(d)
    return dict(out)


def expected_in_atlas(disease: str) -> dict[str, dict[str, set[str]]]:
    """``expected`` plus the curated pages' gene-disease edges, as the curated atlas holds them."""
    from scidex.config import default_content_dir
    from scidex.kg.model import CURATED_SOURCE, edge_id
    from scidex.wiki.content import load_pages

    out = expected(disease)
    for page in load_pages(default_content_dir()):
        for ce in page.curated_edges:
            if ce.predicate == ASSOCIATION and ce.object == disease:
                entry = out.setdefault(page.entity, {"direct": set(), "via": set()})
                entry["direct"].add(edge_id(page.entity, ASSOCIATION, disease, CURATED_SOURCE))
    return out


def symbol(curie: str) -> str:
    return NODES[curie]["symbol"] or NODES[curie]["name"]


def stored(store: Store, disease: str) -> dict[str, dict[str, set[str]]]:
    with store.read() as conn:
        page = disease_genes(conn, disease, limit=10_000)
    return {
        g.gene_id: {
            "direct": {v.edge_id for v in g.direct_edges},
            "via": {v.disease_id for v in g.subtypes},
        }
        for g in page.genes
    }


def test_the_sample_has_what_the_issue_describes() -> None:
    ad = {symbol(g) for g in expected(AD)}
    assert {"APP", "PSEN1", "PSEN2", "APOE"} <= ad
    assert not any(v["direct"] for v in expected(AD).values())


def test_alzheimer_genes_roll_up_from_its_subtypes(sample_store: Store) -> None:
    want = expected(AD)
    assert stored(sample_store, AD) == want
    with sample_store.read() as conn:
        counts = gene_counts(conn, AD)
        first = disease_genes(conn, AD, limit=2)
        rest = disease_genes(conn, AD, limit=10_000, cursor=first.next_cursor)
    assert counts.total == len(want)
    assert counts.direct == sum(1 for v in want.values() if v["direct"])
    # Paged: the pages together are the whole list, each gene once.
    ids = [g.gene_id for g in first.genes + rest.genes]
    assert len(first.genes) == 2 and first.next_cursor and rest.next_cursor is None
    assert sorted(ids) == sorted(want) and len(set(ids)) == len(ids)


def test_every_disease_matches_a_walk_of_the_sample_files(sample_store: Store) -> None:
    with sample_store.read() as conn:
        diseases = set(conn.execute(select(disease_gene_rollup.c.disease_id).distinct()).scalars())
    walked = {d for d in {e["object"] for e in EDGES} if expected(d)}
    assert diseases == walked
    for d in sorted(diseases)[:40]:
        assert stored(sample_store, d) == expected(d), d


def test_a_merge_moves_rolled_up_genes_and_undo_restores(atlas_store: Store) -> None:
    from scidex.registry.merge import merge_entities, unmerge
    from scidex.registry.revisions import Actor

    subtype = "MONDO:0007088"  # Alzheimer disease type 1, a subtype of AD
    before = stored(atlas_store, AD)
    moved = {g for g, v in before.items() if subtype in v["via"]}
    assert moved, "the sample's AD type 1 has genes"
    actor = Actor("system", "test", "test", "admin")
    with atlas_store.atomic() as conn:
        result = merge_entities(conn, subtype, AD, actor=actor)
    after = stored(atlas_store, AD)
    assert {g for g, v in after.items() if v["direct"]} >= moved  # now AD's own
    assert all(subtype not in v["via"] for v in after.values())
    with atlas_store.atomic() as conn:
        unmerge(conn, result.merge_id, actor=actor)
    assert stored(atlas_store, AD) == before


def test_an_import_adding_a_subtype_association_refreshes_the_table(
    sample_store: Store, tmp_path: Path
) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    nodes.write_text(
        "id\tcategory\tname\n"
        "MONDO:9999991\tbiolink:Disease\ta made-up Alzheimer subtype\n"
        "HGNC:99999\tbiolink:Gene\ta made-up gene\n"
    )
    edges.write_text(
        "subject\tpredicate\tobject\tprimary_knowledge_source\n"
        f"MONDO:9999991\t{SUBCLASS_OF}\tMONDO:0007088\tinfores:test\n"
        f"HGNC:99999\t{ASSOCIATION}\tMONDO:9999991\tinfores:test\n"
    )
    import_kgx(sample_store, nodes, edges, pages=False)
    got = stored(sample_store, AD)
    assert got["HGNC:99999"] == {"direct": set(), "via": {"MONDO:9999991"}}
    assert stored(sample_store, "MONDO:0007088")["HGNC:99999"]["via"] == {"MONDO:9999991"}


def test_a_subclass_cycle_terminates(sample_store: Store) -> None:
    # AD becomes a subtype of its own subtype: every disease on the cycle gets
    # the genes of all of them, and the refresh ends.
    subtype = "MONDO:0007088"
    with sample_store.atomic() as conn:
        conn.execute(
            text(
                "INSERT INTO edge (id, subject, predicate, object, primary_knowledge_source,"
                " aggregator_knowledge_sources, knowledge_level, agent_type, publications,"
                " evidence_codes, qualifiers, score) VALUES ('Ecycle', :s, :p, :o, 'infores:test',"
                " '[]', 'not_provided', 'not_provided', '[]', '[]', '{}', 0)"
            ),
            {"s": AD, "p": SUBCLASS_OF, "o": subtype},
        )
        done = finish(
            conn, pages=False, datasets=False, entity_docs=False, page_docs=False, rollup=True
        )
        assert done.rollup_rows and "disease rollup" in done.seconds
        partial = finish(
            conn, pages=False, datasets=False, entity_docs=False, page_docs=False, rollup=[AD]
        )
        assert partial.rollup_rows
    assert set(stored(sample_store, subtype)) == set(stored(sample_store, AD))
    assert set(stored(sample_store, AD)) >= set(expected(AD))


def test_a_store_at_the_previous_version_opens_and_gets_the_table(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        with store.atomic() as conn:
            conn.execute(text("DROP TABLE disease_gene_rollup"))
            # Later migrations go too, so that 5 is the one pending.
            conn.execute(text("DROP TABLE retracted_publication"))
            conn.execute(text("DROP TABLE entity_publication"))
            conn.execute(text("DELETE FROM schema_migrations WHERE version >= 5"))
            for e in EDGES:
                if e["predicate"] in (ASSOCIATION, SUBCLASS_OF):
                    conn.execute(
                        text(
                            "INSERT INTO edge (id, subject, predicate, object,"
                            " primary_knowledge_source, aggregator_knowledge_sources,"
                            " knowledge_level, agent_type, publications, evidence_codes,"
                            " qualifiers, score) VALUES (:i, :s, :p, :o, 'infores:test', '[]',"
                            " 'not_provided', 'not_provided', '[]', '[]', '{}', 0)"
                        ),
                        {"i": e["id"], "s": e["subject"], "p": e["predicate"], "o": e["object"]},
                    )
        store.close()
        store = Store.open(db_url)  # migration 5 creates the table and fills it
        assert store.schema_version() == m.LATEST_VERSION
        assert stored(store, AD) == expected(AD)
        with store.atomic() as conn:  # and a later refresh stores the same
            refresh_all(conn)
        assert stored(store, AD) == expected(AD)
    finally:
        store.close()


@pytest.fixture
def ad_page(shared_client):  # type: ignore[no-untyped-def]
    return shared_client.get(f"/artifact/{AD_PAGE}").text


def test_the_alzheimer_page_and_its_json_name_the_subtype_genes(shared_client, ad_page) -> None:
    want = expected_in_atlas(AD)
    api = shared_client.get(f"/api/artifacts/{AD_PAGE}").json()
    genes = {g["symbol"]: g for g in api["disease_genes"]["genes"]}
    counts = api["disease_genes"]["counts"]
    assert counts == {
        "total": len(want),
        "direct": sum(1 for v in want.values() if v["direct"]),
        "through_subtypes": sum(1 for v in want.values() if not v["direct"]),
    }
    for name in ("APP", "PSEN1", "PSEN2", "APOE"):
        gene = next(g for g in want if symbol(g) == name)
        got = genes[name]
        # Direct only where a curated page states the gene-disease association itself.
        assert got["direct"] is bool(want[gene]["direct"])
        assert {v["disease_id"] for v in got["subtypes"]} == want[gene]["via"]
        assert all(v["source"].startswith("infores:") for v in got["subtypes"])
        # The HTML names the gene and a subtype behind it.
        via = NODES[sorted(want[gene]["via"])[0]]["name"]
        assert f'data-curie="{gene}"' in ad_page and via in ad_page
    section = ad_page.split('id="disease-genes"', 1)[1].split("</section>", 1)[0]
    assert f"{counts['direct']} direct" in section
    assert "APP" in section


def test_the_associations_api_pages_through_the_rolled_up_genes(shared_client) -> None:
    want = expected_in_atlas(AD)
    first = shared_client.get(f"/api/entities/{AD}/associations?limit=3").json()
    assert first["include"] == "subtypes" and len(first["genes"]) == 3
    rest = shared_client.get(first["next"]).json()
    ids = [g["id"] for g in first["genes"] + rest["genes"]]
    while rest["next"]:
        rest = shared_client.get(rest["next"]).json()
        ids += [g["id"] for g in rest["genes"]]
    assert sorted(ids) == sorted(want) and first["counts"]["total"] == len(want)
    direct = shared_client.get(f"/api/entities/{AD}/associations?include=direct").json()
    assert [g["id"] for g in direct["genes"]] == sorted(g for g, v in want.items() if v["direct"])
    assert shared_client.get(f"/api/entities/{AD}/associations?bogus=1").status_code == 400
    assert shared_client.get(f"/api/entities/{AD}/associations?cursor=zz").status_code == 400
