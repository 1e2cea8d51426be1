"""The store on both backends: migrations, bulk writes, idempotence, refusing newer schemas."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select, text

from scidex.kg.model import Edge, Entity
from scidex.queries.graph import atlas_counts
from scidex.store import SchemaTooNewError, Store, StoreError
from scidex.store import migrations as m
from scidex.store.bulk import insert_edges, insert_entities
from scidex.store.schema import edge, entity_name, entity_xref

BACH1 = Entity(
    id="HGNC:935",
    category="biolink:Gene",
    name="BTB domain and CNC homolog 1",
    symbol="BACH1",
    synonyms=("BACH-1", "BTBD24"),
    xrefs=("NCBIGene:571", "ENSEMBL:ENSG00000156273", "UniProtKB:O14867", "OMIM:602751"),
    attributes={"chromosome_location": "21q21.3"},
    source_release="hgnc@test",
)
HMOX1 = Entity(id="HGNC:5013", category="biolink:Gene", name="heme oxygenase 1", symbol="HMOX1")


def _edges(n: int) -> list[Edge]:
    return [
        Edge(
            subject="HGNC:935",
            predicate="biolink:participates_in",
            object=f"GO:{i:07d}",
            primary_knowledge_source="infores:goa",
            knowledge_level="knowledge_assertion",
            agent_type="manual_agent",
            evidence_codes=("IDA",),
            publications=(f"PMID:{1000 + i}",),
        )
        for i in range(n)
    ]


def test_migrations_bring_an_empty_database_to_the_latest_version(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        assert store.schema_version() == m.LATEST_VERSION
        with store.read() as conn:
            names = [r[0] for r in conn.execute(text("SELECT name FROM schema_migrations"))]
        assert names == [mig.name for mig in m.MIGRATIONS]
        # Opening again applies nothing and changes nothing.
        again = Store.open(db_url)
        assert again.migrate() == []
        again.close()
    finally:
        store.close()


# The edge table as schema version 2 made it: the id its primary key.
_V2_EDGE = (
    "CREATE TABLE edge (id VARCHAR(32) NOT NULL PRIMARY KEY, subject VARCHAR(200) NOT NULL, "
    "predicate VARCHAR(100) NOT NULL, object VARCHAR(200) NOT NULL, "
    "primary_knowledge_source VARCHAR(200) NOT NULL, aggregator_knowledge_sources TEXT NOT NULL, "
    "knowledge_level VARCHAR(40) NOT NULL, agent_type VARCHAR(40) NOT NULL, "
    "publications TEXT NOT NULL, evidence_codes TEXT NOT NULL, qualifiers TEXT NOT NULL, "
    "confidence FLOAT, source_release VARCHAR(200), score FLOAT NOT NULL)",
    "CREATE INDEX ix_edge_subject ON edge (subject, predicate, score, id)",
    "CREATE INDEX ix_edge_object ON edge (object, predicate, score, id)",
    "CREATE INDEX ix_edge_release ON edge (source_release)",
)


def test_a_version_2_edge_table_keeps_its_rows_with_the_id_as_a_unique_index(
    db_url: str,
) -> None:
    store = Store.open(db_url)
    try:
        with store.atomic() as conn:
            conn.execute(text("DROP TABLE edge"))
            for ddl in _V2_EDGE:
                conn.execute(text(ddl))
            insert_edges(conn, _edges(30))
            before = sorted(tuple(r) for r in conn.execute(select(edge)))
            conn.execute(text("DELETE FROM schema_migrations WHERE version >= 3"))
            conn.execute(text("DROP TABLE login_throttle"))
            conn.execute(text("DROP TABLE disease_gene_rollup"))
            conn.execute(text("DROP TABLE retracted_publication"))
            conn.execute(text("DROP TABLE entity_publication"))
            conn.execute(text("DROP TABLE entity_kgx"))
            conn.execute(text("DROP TABLE edge_kgx"))
            conn.execute(text("DROP TABLE partner_count"))
        assert [mig.version for mig in store.migrate()] == [3, 4, 5, 6, 7, 8, 9]
        with store.read() as conn:
            after = sorted(tuple(r) for r in conn.execute(select(edge)))
            indexes = {i["name"]: i["unique"] for i in inspect(conn).get_indexes("edge")}
            primary_key = inspect(conn).get_pk_constraint("edge")["constrained_columns"]
        assert after == before and len(after) == 30
        assert indexes == {
            "ix_edge_subject": False,
            "ix_edge_object": False,
            "ix_edge_release": False,
            "ux_edge_id": True,
        }
        assert primary_key == []
        with store.atomic() as conn:  # the id still refuses a second copy of an edge
            insert_edges(conn, _edges(31))
            assert conn.execute(select(func.count()).select_from(edge)).scalar_one() == 31
    finally:
        store.close()


def test_a_database_from_newer_code_is_refused_and_left_alone(db_url: str) -> None:
    store = Store.open(db_url)
    newer = m.LATEST_VERSION + 1
    with store.atomic() as conn:
        conn.execute(
            text("INSERT INTO schema_migrations VALUES (:v, 'from the future', 'x')"), {"v": newer}
        )
        before = conn.execute(text("SELECT version FROM schema_migrations")).scalars().all()
    with pytest.raises(SchemaTooNewError, match=f"schema version {newer}"):
        Store.open(db_url)
    with store.read() as conn:
        after = conn.execute(text("SELECT version FROM schema_migrations")).scalars().all()
    store.close()
    assert sorted(after) == sorted(before)


def test_inserting_the_same_edges_twice_leaves_one_copy(store: Store) -> None:
    batch = _edges(500)
    with store.atomic() as conn:
        insert_edges(conn, batch)
    with store.atomic() as conn:
        insert_edges(conn, batch)
        # A batch that repeats an edge within itself is fine too.
        insert_edges(conn, batch[:10] + batch[:10])
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(edge)).scalar_one() == 500
        ids = conn.execute(select(edge.c.id)).scalars().all()
    assert sorted(ids) == sorted(e.id for e in batch)


def test_edge_ids_are_deterministic_and_depend_on_the_source() -> None:
    a = _edges(1)[0]
    b = Edge(a.subject, a.predicate, a.object, "infores:other")
    assert a.id == _edges(1)[0].id
    assert a.id != b.id


def test_reinserting_an_edge_updates_its_evidence(store: Store) -> None:
    first = _edges(1)[0]
    with store.atomic() as conn:
        insert_edges(conn, [first])
    newer = Edge(**{**{f: getattr(first, f) for f in first.__slots__}, "evidence_codes": ("IMP",)})
    with store.atomic() as conn:
        insert_edges(conn, [newer])
    with store.read() as conn:
        rows = conn.execute(select(edge.c.evidence_codes)).scalars().all()
    assert rows == ['["IMP"]']


def test_entities_are_stored_with_their_names_and_xrefs(store: Store) -> None:
    with store.atomic() as conn:
        assert insert_entities(conn, [BACH1, HMOX1]) == 2
        insert_entities(conn, [BACH1])  # idempotent
    with store.read() as conn:
        norms = set(
            conn.execute(
                select(entity_name.c.norm, entity_name.c.kind).where(
                    entity_name.c.entity_id == "HGNC:935"
                )
            ).all()
        )
        xrefs = set(
            conn.execute(
                select(entity_xref.c.xref).where(entity_xref.c.entity_id == "HGNC:935")
            ).scalars()
        )
        counts = atlas_counts(conn)
    assert ("bach1", "symbol") in norms
    assert ("btb domain and cnc homolog 1", "label") in norms
    assert ("bach 1", "synonym") in norms
    assert xrefs == set(BACH1.xrefs)
    assert counts.entities == 2
    assert counts.entities_by_category == {"biolink:Gene": 2}


def test_a_failed_transaction_leaves_the_store_as_it_was(store: Store) -> None:
    with store.atomic() as conn:
        insert_edges(conn, _edges(5))
    with pytest.raises(RuntimeError), store.atomic() as conn:
        insert_edges(conn, _edges(50))
        raise RuntimeError("import failed half-way")
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(edge)).scalar_one() == 5


def test_full_text_index_follows_the_documents(store: Store) -> None:
    with store.atomic() as conn:
        conn.execute(
            text(
                "INSERT INTO search_doc (doc_id, kind, category, title, names, body) VALUES "
                "('HGNC:935', 'entity', 'biolink:Gene', 'BACH1', 'BTB domain and CNC homolog 1',"
                " 'transcriptional repressor of heme oxygenase')"
            )
        )
    with store.read() as conn:
        if store.dialect == "sqlite":
            hits = (
                conn.execute(
                    text(
                        "SELECT d.doc_id FROM search_fts f JOIN search_doc d ON d.rowid = f.rowid "
                        "WHERE search_fts MATCH 'repressor'"
                    )
                )
                .scalars()
                .all()
            )
        else:
            hits = (
                conn.execute(
                    text(
                        "SELECT doc_id FROM search_doc "
                        "WHERE tsv @@ plainto_tsquery('english', 'repressors')"
                    )
                )
                .scalars()
                .all()
            )
    assert hits == ["HGNC:935"]


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("mysql://root@localhost/x", "unsupported database URL"),
        ("not a url", "malformed database URL"),
        ("postgresql://alice:s3cret@127.0.0.1:1/atlas", "cannot open database"),
        ("postgresql://127.0.0.1:5432", "names no database"),
    ],
)
def test_bad_database_urls_fail_with_one_clear_line(url: str, fragment: str) -> None:
    with pytest.raises(StoreError) as info:
        Store.open(url)
    message = str(info.value)
    assert fragment in message
    assert "s3cret" not in message
    assert "\n" not in message
