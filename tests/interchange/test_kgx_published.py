"""Graphs as the Biolink ecosystem publishes them: ancestor category lists, qualifier and
count slots, Biolink's own ``qualifiers`` list, short rows, bare or missing knowledge
sources, and what the release record says about them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scidex.ingest.sources.errors import SourceFormatError
from scidex.interchange.kgx import NothingImported, ReleaseMeta, import_kgx
from scidex.store import Store
from scidex.store.schema import edge, entity, source_release

DATA = Path(__file__).parent / "data"
NODES, EDGES = DATA / "marfan_nodes.tsv", DATA / "marfan_edges.tsv"
MARFAN = "MONDO:0007947"


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    shutil.copy(NODES, nodes)
    shutil.copy(EDGES, edges)
    return nodes, edges


def _edges_of(store: Store, subject: str, obj: str) -> list[dict[str, object]]:
    with store.read() as conn:
        rows = conn.execute(
            select(edge.c.id, edge.c.qualifiers, edge.c.publications).where(
                edge.c.subject == subject, edge.c.object == obj
            )
        ).all()
    return [
        {"id": r.id, "qualifiers": json.loads(r.qualifiers), "pubs": json.loads(r.publications)}
        for r in rows
    ]


def test_the_most_specific_listed_category_wins_and_pages_answer(store: Store) -> None:
    from fastapi.testclient import TestClient

    from scidex.config import Settings
    from scidex.web import create_app

    report = import_kgx(store, NODES, EDGES)
    # Listed alphabetically with every ancestor and mixin, as Monarch does.
    assert report.categories == {
        "biolink:Disease": 1,
        "biolink:Gene": 1,
        "biolink:PhenotypicFeature": 6,
    }
    with TestClient(create_app(Settings(database_url=store.url), store)) as client:
        disease = client.get("/diseases/marfan-syndrome")
        gene = client.get("/genes/fbn1")
    assert disease.status_code == 200 and "Marfan syndrome" in disease.text
    assert gene.status_code == 200 and "FBN1" in gene.text
    # The frequency and the counts read as words, not JSON.
    assert "frequent; in 119 of 251 patients" in disease.text
    assert "onset: congenital onset" in disease.text
    assert "frequency_qualifier" not in disease.text


def test_edges_differing_only_in_qualifiers_are_two_edges_with_their_counts(
    store: Store,
) -> None:
    report = import_kgx(store, NODES, EDGES)
    assert report.edges == 5
    two = sorted(_edges_of(store, MARFAN, "HP:0001166"), key=lambda e: str(e["pubs"]))
    assert [e["qualifiers"] for e in two] == [
        {
            "frequency_qualifier": "HP:0040282",
            "has_count": 119,
            "has_total": 251,
            "has_percentage": 47.41035856573705,
        },
        {
            "frequency_qualifier": "HP:0040283",
            "has_count": 3,
            "has_total": 20,
            "has_percentage": 15,
        },
    ]
    assert two[0]["id"] != two[1]["id"]
    # An unqualified edge keeps the id every other path gives it.
    from scidex.kg.model import edge_id

    plain = _edges_of(store, MARFAN, "HP:0002616")
    assert [e["id"] for e in plain] == [
        edge_id(MARFAN, "biolink:has_phenotype", "HP:0002616", "infores:hpo-annotations")
    ]


def test_rows_missing_trailing_cells_take_them_as_empty(store: Store) -> None:
    # Three node rows and one edge row of the fixture stop short of the header's width.
    report = import_kgx(store, NODES, EDGES)
    assert (report.nodes, report.edges, sum(report.rejected.values())) == (8, 5, 0)
    with store.read() as conn:
        name = conn.execute(select(entity.c.name).where(entity.c.id == "HP:0001083")).scalar()
    assert name == "Ectopia lentis"


def test_lenient_skips_malformed_rows_and_names_them(store: Store, tmp_path: Path) -> None:
    nodes, edges = _copy(tmp_path)
    with edges.open("a") as fh:
        fh.write("uuid:x\t" + "\t".join(["a"] * 30) + "\n")  # wider than the header
    bad_json = tmp_path / "more_nodes.jsonl"
    bad_json.write_text(
        '{"id": "HP:0000545", "category": ["biolink:PhenotypicFeature"], "name": "Myopia"}\n'
        "{not json\n"
    )
    listed = tmp_path / "rejected.tsv"
    with pytest.raises(SourceFormatError, match=r"more_nodes.jsonl:2: row: invalid JSON Lines"):
        import_kgx(store, [nodes, bad_json], edges)
    with pytest.raises(SourceFormatError, match=r"edges.tsv:7: row: 31 fields"):
        import_kgx(store, nodes, edges)
    report = import_kgx(store, [nodes, bad_json], edges, lenient=True, report_path=listed)
    assert (report.nodes, report.edges) == (9, 5)
    lines = listed.read_text().splitlines()
    assert lines[0] == "file\tline\tfield\tproblem"
    assert any(f"{bad_json}\t2\trow\tinvalid JSON Lines" in line for line in lines)
    assert any(f"{edges}\t7\trow\t31 fields where the header has 21" in line for line in lines)


def test_max_errors_stops_a_lenient_import_and_stores_nothing(store: Store, tmp_path: Path) -> None:
    nodes, edges = _copy(tmp_path)
    with edges.open("a") as fh:
        for _ in range(3):
            fh.write("uuid:x\tMONDO:0007947\tbiolink:cures\tHP:0001166\n")
    with pytest.raises(SourceFormatError, match="more than 2 bad rows"):
        import_kgx(store, nodes, edges, lenient=True, max_errors=2)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(entity)).scalar_one() == 0
    report = import_kgx(store, nodes, edges, lenient=True, max_errors=3)
    assert report.rejected == {"predicate: not a Biolink predicate": 3}


def test_nothing_importable_is_an_error_and_records_no_release(
    store: Store, tmp_path: Path
) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    nodes.write_text("id\tcategory\nHP:1\tphenotype\n")
    edges.write_text("subject\tpredicate\tobject\nHP:1\tbiolink:cures\tHP:2\n")
    with pytest.raises(NothingImported, match="nothing imported: all 2 rows were refused"):
        import_kgx(store, nodes, edges, lenient=True)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(source_release)).scalar_one() == 0


def test_a_default_knowledge_source_for_edges_naming_none(store: Store, tmp_path: Path) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    shutil.copy(NODES, nodes)
    edges.write_text(
        "subject\tpredicate\tobject\tprimary_knowledge_source\n"
        "MONDO:0007947\tbiolink:has_phenotype\tHP:0001166\n"
        "MONDO:0007947\tbiolink:has_phenotype\tHP:0001083\tdisbiome\n"
    )
    with pytest.raises(SourceFormatError, match="--default-knowledge-source"):
        import_kgx(store, nodes, edges)
    report = import_kgx(store, nodes, edges, default_source="infores:marfan-kg")
    assert report.defaulted_sources == 1
    with store.read() as conn:
        sources = dict(conn.execute(select(edge.c.object, edge.c.primary_knowledge_source)).all())
    # A bare name is an infores name without its prefix.
    assert sources == {"HP:0001166": "infores:marfan-kg", "HP:0001083": "infores:disbiome"}


def test_the_release_says_what_the_importer_states_and_nothing_more(store: Store) -> None:
    import_kgx(store, NODES, EDGES)
    with store.read() as conn:
        releases = {r.id: r for r in conn.execute(select(source_release))}
    own = releases["kgx-data@" + next(k for k in releases if k.startswith("kgx-data@"))[9:]]
    assert own.license == "licence not stated"
    # The provided_by values are listed, not glued into a sentence.
    assert own.attribution == (
        "provided_by values in the graph: hgnc_gene_nodes, hpoa_disease_to_phenotype_edges, "
        "hpoa_gene_to_disease_edges, phenio_nodes"
    )
    named = releases["hpoa_disease_to_phenotype_edges"]
    assert json.loads(named.counts) == {"edges": 3}
    assert json.loads(releases["phenio_nodes"].counts) == {"nodes": 3}
    assert json.loads(own.counts) == {"nodes": 4, "edges": 1}


def test_release_metadata_given_by_the_importer(store: Store) -> None:
    meta = ReleaseMeta(
        name="marfan-kg",
        version="2025-03",
        licence="CC BY 4.0",
        attribution="Marfan KG, Example Consortium",
        infores="infores:marfan-kg",
        biolink_version="4.2.1",
    )
    report = import_kgx(store, NODES, EDGES, meta=meta)
    assert report.release_id == "marfan-kg@2025-03"
    with store.read() as conn:
        rows = {r.id: r for r in conn.execute(select(source_release))}
    own = rows["marfan-kg@2025-03"]
    assert (own.license, own.attribution, own.infores, own.biolink_version) == (
        "CC BY 4.0",
        "Marfan KG, Example Consortium",
        "infores:marfan-kg",
        "4.2.1",
    )
    # The releases the graph names share its licence and publisher.
    assert rows["phenio_nodes"].license == "CC BY 4.0"
    assert rows["phenio_nodes"].biolink_version == "4.2.1"


def test_a_store_from_before_migration_8_gains_the_kgx_tables_and_keeps_its_rows(
    db_url: str,
) -> None:
    from sqlalchemy import inspect, text

    store = Store.open(db_url)
    try:
        import_kgx(store, NODES, EDGES)
        with store.atomic() as conn:
            before = {r.id for r in conn.execute(select(source_release.c.id))}
            conn.execute(text("DROP TABLE entity_kgx"))
            conn.execute(text("DROP TABLE edge_kgx"))
            conn.execute(text("ALTER TABLE source_release DROP COLUMN biolink_version"))
            conn.execute(text("DELETE FROM schema_migrations WHERE version >= 8"))
        assert [m.version for m in store.migrate()] == [8, 9]
        with store.read() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("source_release")}
            after = {r.id for r in conn.execute(select(source_release.c.id))}
        assert "biolink_version" in columns and after == before
        import_kgx(store, NODES, EDGES, meta=ReleaseMeta(biolink_version="4.2.1"))
    finally:
        store.close()


def test_qualifier_slots_of_published_graphs_read_as_words() -> None:
    from scidex.kg.qualifiers import describe

    words = describe(
        {
            "qualified_predicate": "biolink:causes",
            "frequency_qualifier": "HP:0040282",
            "has_count": 119,
            "has_total": 251,
            "has_percentage": 47.41,
            "disease_context_qualifier": "MONDO:0007947",
        },
        {"HP:0040282": "Frequent", "MONDO:0007947": "Marfan syndrome"},
    )
    assert words == [
        "qualified as causes",
        "frequent",
        "disease context: Marfan syndrome",
        "in 119 of 251 patients",
    ]


def test_edges_alone_between_stored_entities(store: Store, tmp_path: Path) -> None:
    from scidex.interchange.places import opened

    nodes, edges = _copy(tmp_path)
    import_kgx(store, [nodes], [])
    more = tmp_path / "more"
    more.mkdir()
    edges.rename(more / "edges.tsv")
    with opened([more]) as graph:
        assert graph.nodes == []
        report = import_kgx(store, graph.nodes, graph.edges)
    assert (report.nodes, report.edges) == (0, 5)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(edge)).scalar_one() == 5
