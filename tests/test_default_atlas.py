"""The default atlas built from the real pinned archives: genes checked against the files.

Builds HGNC and NCBI Gene (the two sources behind every gene identifier on a
page) into a fresh SQLite store, then compares a random sample of genes with
the source files themselves, read independently here.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select

from scidex.ingest.build import build_default_atlas
from scidex.ingest.sources.archive import member_as_file, open_member
from scidex.queries.graph import get_entity
from scidex.queries.resolve import resolve
from scidex.store import Store
from scidex.store.schema import entity, entity_publication

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def genes_store(tmp_path_factory: pytest.TempPathFactory, source_archive) -> Store:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("atlas") / "atlas.db"
    store = Store.open(f"sqlite:///{path}")
    source_archive("hgnc")
    source_archive("ncbi_gene")
    build_default_atlas(
        store,
        sources=("hgnc", "ncbi_gene"),
        content_dir=path.parent / "no-content",
        log=lambda _m: None,
    )
    yield store
    store.close()


@pytest.fixture(scope="module")
def hgnc_rows(source_archive) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    with open_member(source_archive("hgnc"), "hgnc_complete_set.tsv.gz") as raw:
        text = io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="utf-8")
        return {r["hgnc_id"]: r for r in csv.DictReader(text, delimiter="\t")}


@pytest.fixture(scope="module")
def ncbi_locations(source_archive) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    with member_as_file(source_archive("ncbi_gene"), "org.Hs.eg.sqlite") as db:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT g.gene_id, c.cytogenetic_location FROM genes g "
                "JOIN cytogenetic_locations c ON c._id = g._id"
            ).fetchall()
        finally:
            con.close()
    out: dict[str, set[str]] = {}
    for gene_id, band in rows:
        out.setdefault(gene_id, set()).add(band)
    return out


def test_bach1_has_exactly_the_identifiers_of_the_seed_page(genes_store: Store) -> None:
    with genes_store.read() as conn:
        bach1 = get_entity(conn, "HGNC:935")
        for name in ("bach1", "BACH1", "BTB domain and CNC homolog 1", "NCBIGene:571"):
            assert resolve(conn, name).entity.id == "HGNC:935", name  # type: ignore[union-attr]
    assert bach1 is not None
    assert bach1.attributes["chromosome_location"] == "21q21.3"
    assert {"NCBIGene:571", "ENSEMBL:ENSG00000156273", "UniProtKB:O14867", "OMIM:602751"} <= set(
        bach1.xrefs
    )


def test_a_sample_of_genes_matches_the_source_files(
    genes_store: Store, hgnc_rows: dict[str, dict[str, str]], ncbi_locations: dict[str, set[str]]
) -> None:
    rng = random.Random(20261126)
    with genes_store.read() as conn:
        ids = conn.execute(select(entity.c.id).where(entity.c.category == "biolink:Gene")).scalars()
        sample = rng.sample(sorted(ids), 60)
        for hgnc_id in sample:
            row = hgnc_rows[hgnc_id]
            e = get_entity(conn, hgnc_id)
            assert e is not None
            assert e.symbol == row["symbol"]
            assert e.name == row["name"]
            if row.get("entrez_id"):
                gene = f"NCBIGene:{row['entrez_id']}"
                assert gene in e.xrefs
                bands = ncbi_locations.get(row["entrez_id"])
                if bands:
                    assert e.attributes["chromosome_location"] in bands
            if row.get("ensembl_gene_id"):
                assert f"ENSEMBL:{row['ensembl_gene_id']}" in e.xrefs


def test_every_gene_is_counted_and_every_edge_has_a_primary_source(
    genes_store: Store, hgnc_rows: dict[str, dict[str, str]]
) -> None:
    with genes_store.read() as conn:
        genes = (
            conn.execute(select(entity.c.id).where(entity.c.category == "biolink:Gene"))
            .scalars()
            .all()
        )
        missing_source = conn.exec_driver_sql(
            "SELECT count(*) FROM edge WHERE primary_knowledge_source IS NULL "
            "OR primary_knowledge_source = ''"
        ).scalar_one()
    assert set(genes) == set(hgnc_rows)
    assert missing_source == 0


def test_building_again_changes_no_count(genes_store: Store, tmp_path: Path) -> None:
    def counts() -> tuple[int, ...]:
        with genes_store.read() as conn:
            return tuple(
                conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
                for t in (
                    "entity",
                    "edge",
                    "entity_name",
                    "entity_xref",
                    "artifact",
                    "revision",
                    "entity_publication",
                )
            )

    before = counts()
    build_default_atlas(
        genes_store,
        sources=("hgnc", "ncbi_gene"),
        content_dir=tmp_path / "none",
        log=lambda _m: None,
    )
    assert counts() == before


def test_genes_carry_exactly_the_papers_ncbi_links_to_them(
    genes_store: Store, hgnc_rows: dict[str, dict[str, str]], source_archive
) -> None:  # type: ignore[no-untyped-def]
    def stored(conn, gene: str) -> list[int]:  # type: ignore[no-untyped-def]
        q = select(entity_publication.c.pmid).where(entity_publication.c.entity_id == gene)
        return sorted(conn.execute(q).scalars())

    with (
        member_as_file(source_archive("ncbi_gene"), "org.Hs.eg.sqlite") as db,
        closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as ncbi,
        genes_store.read() as conn,
    ):

        def linked(entrez: str) -> list[int]:
            rows = ncbi.execute(
                "SELECT DISTINCT p.pubmed_id FROM pubmed p JOIN genes g ON g._id = p._id "
                "WHERE g.gene_id = ?",
                (entrez,),
            )
            return sorted(int(r[0]) for r in rows)

        bach1 = stored(conn, "HGNC:935")
        assert bach1 == linked("571") and len(bach1) > 100
        with_entrez = sorted(h for h, r in hgnc_rows.items() if r.get("entrez_id"))
        for hgnc_id in random.Random(157).sample(with_entrez, 60):
            assert stored(conn, hgnc_id) == linked(hgnc_rows[hgnc_id]["entrez_id"]), hgnc_id
