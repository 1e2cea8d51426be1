"""Ingest: records from several sources become one graph with canonical ids."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from scidex.ingest.write import SourceInput, prune_stale, write_graph, write_unmapped
from scidex.kg.model import Edge, Entity, EntityPatch, SourceRelease
from scidex.store import Store
from scidex.store.schema import edge, entity, entity_xref


def release(name: str, version: str = "1") -> SourceRelease:
    return SourceRelease(
        id=f"{name}@{version}",
        name=name,
        infores=f"infores:{name}",
        version=version,
        license="CC0",
    )


def gene_source(version: str = "1") -> SourceInput:
    return SourceInput(
        release("hgnc", version),
        [
            Entity(
                "HGNC:935",
                "biolink:Gene",
                "BTB domain and CNC homolog 1",
                symbol="BACH1",
                xrefs=("NCBIGene:571",),
            ),
            Entity(
                "HGNC:5013",
                "biolink:Gene",
                "heme oxygenase 1",
                symbol="HMOX1",
                xrefs=("NCBIGene:3162",),
            ),
        ],
    )


def disease_source() -> SourceInput:
    return SourceInput(
        release("mondo"),
        [
            Entity(
                "MONDO:0004975",
                "biolink:Disease",
                "Alzheimer disease",
                xrefs=("OMIM:104300", "DOID:10652"),
            ),
            Entity("MONDO:0000001", "biolink:Disease", "disease"),
            # Two MONDO terms claim one Orphanet id: it must not be merged into either.
            Entity("MONDO:0000002", "biolink:Disease", "twin a", xrefs=("Orphanet:9",)),
            Entity("MONDO:0000003", "biolink:Disease", "twin b", xrefs=("Orphanet:9",)),
            Edge("MONDO:0004975", "biolink:subclass_of", "MONDO:0000001", "infores:mondo"),
        ],
    )


def phenotype_source() -> SourceInput:
    return SourceInput(
        release("hpo"),
        [
            Entity("HP:0002511", "biolink:PhenotypicFeature", "Alzheimer disease (phenotype)"),
            Entity("OMIM:104300", "biolink:Disease", "ALZHEIMER DISEASE; AD"),
            Entity("Orphanet:9", "biolink:Disease", "twin disease"),
            Edge(
                "OMIM:104300",
                "biolink:has_phenotype",
                "HP:0002511",
                "infores:hpo-annotations",
                publications=("PMID:1",),
            ),
            Edge("NCBIGene:571", "biolink:has_phenotype", "HP:0002511", "infores:hpo-annotations"),
            Edge(
                "NCBIGene:999999", "biolink:has_phenotype", "HP:0002511", "infores:hpo-annotations"
            ),
        ],
    )


def ncbi_source() -> SourceInput:
    return SourceInput(
        release("ncbi_gene"),
        [
            EntityPatch(
                "NCBIGene:571",
                xrefs=("ENSEMBL:ENSG00000156273",),
                attributes={"chromosome_location": "21q21.3", "omim_ids": ["602751", "104300"]},
            ),
        ],
    )


def build(store: Store, *inputs: SourceInput):  # type: ignore[no-untyped-def]
    with store.atomic() as conn:
        return write_graph(conn, list(inputs))


def test_a_disease_is_one_entity_whatever_source_names_it(store: Store) -> None:
    report = build(store, gene_source(), disease_source(), phenotype_source())
    with store.read() as conn:
        ids = set(conn.execute(select(entity.c.id)).scalars())
        edges = conn.execute(select(edge.c.subject, edge.c.predicate, edge.c.object)).all()
    assert "OMIM:104300" not in ids
    assert ("MONDO:0004975", "biolink:has_phenotype", "HP:0002511") in edges
    assert ("HGNC:935", "biolink:has_phenotype", "HP:0002511") in edges
    # The ambiguous Orphanet id stays its own entity, and the clash is reported.
    assert "Orphanet:9" in ids
    assert report.ambiguous_xrefs == {"Orphanet:9": ["MONDO:0000002", "MONDO:0000003"]}
    # The unknown gene's edge is not silently lost: it is counted with a reason.
    assert report.dropped_edges == {("hpo@1", "unknown subject NCBIGene"): 1}


def test_ncbi_facts_land_on_the_hgnc_gene_and_mims_are_told_apart(store: Store) -> None:
    build(store, gene_source(), disease_source(), phenotype_source(), ncbi_source())
    with store.read() as conn:
        row = conn.execute(select(entity).where(entity.c.id == "HGNC:935")).one()
        xrefs = set(
            conn.execute(
                select(entity_xref.c.xref).where(entity_xref.c.entity_id == "HGNC:935")
            ).scalars()
        )
        gene_disease = conn.execute(
            select(edge.c.object, edge.c.primary_knowledge_source).where(
                edge.c.predicate == "biolink:gene_associated_with_condition"
            )
        ).all()
    assert '"chromosome_location":"21q21.3"' in row.attributes
    # 602751 is BACH1's own MIM number; 104300 names a disease, so it is an edge.
    assert {"OMIM:602751", "ENSEMBL:ENSG00000156273", "NCBIGene:571"} <= xrefs
    assert "OMIM:104300" not in xrefs
    assert gene_disease == [("MONDO:0004975", "infores:omim")]


def test_building_twice_leaves_the_same_counts(store: Store) -> None:
    inputs = [gene_source, disease_source, phenotype_source, ncbi_source]
    build(store, *(f() for f in inputs))
    with store.read() as conn:
        first = (
            conn.execute(select(func.count()).select_from(entity)).scalar_one(),
            conn.execute(select(func.count()).select_from(edge)).scalar_one(),
        )
    build(store, *(f() for f in inputs))
    with store.read() as conn:
        second = (
            conn.execute(select(func.count()).select_from(entity)).scalar_one(),
            conn.execute(select(func.count()).select_from(edge)).scalar_one(),
        )
    assert first == second


def test_a_newer_release_replaces_only_its_own_sources_edges(store: Store) -> None:
    build(store, gene_source(), disease_source(), phenotype_source())
    newer = SourceInput(
        release("hpo", "2"),
        [
            Entity("HP:0002511", "biolink:PhenotypicFeature", "Alzheimer disease (phenotype)"),
            Edge("NCBIGene:3162", "biolink:has_phenotype", "HP:0002511", "infores:hpo-annotations"),
        ],
    )
    with store.atomic() as conn:
        write_graph(conn, [gene_source(), newer])
        prune_stale(conn, [newer.release])
    with store.read() as conn:
        edges = set(conn.execute(select(edge.c.subject, edge.c.object, edge.c.source_release)))
    assert ("HGNC:5013", "HP:0002511", "hpo@2") in edges
    assert not any(r == "hpo@1" for _s, _o, r in edges)  # the old release's edges are gone
    assert ("MONDO:0004975", "MONDO:0000001", "mondo@1") in edges  # other sources untouched


def test_an_id_claimed_twice_merges_into_the_claimant_with_its_name(store: Store) -> None:
    mondo = SourceInput(
        release("mondo"),
        [
            Entity(
                "MONDO:0004976",
                "biolink:Disease",
                "amyotrophic lateral sclerosis",
                xrefs=("Orphanet:803",),
            ),
            Entity(
                "MONDO:0100000", "biolink:Disease", "juvenile form of it", xrefs=("Orphanet:803",)
            ),
        ],
    )
    hpo = SourceInput(
        release("hpo"),
        [Entity("Orphanet:803", "biolink:Disease", "Amyotrophic lateral sclerosis")],
    )
    report = build(store, mondo, hpo)
    with store.read() as conn:
        ids = set(conn.execute(select(entity.c.id)).scalars())
    assert "Orphanet:803" not in ids
    assert report.ambiguous_xrefs == {}


def test_symbols_and_products_name_their_gene(store: Store, tmp_path: Path) -> None:
    """Sources that speak in symbols or accessions reach the gene; the protein keeps its page."""
    genes = SourceInput(
        release("hgnc"),
        [
            Entity(
                "HGNC:935",
                "biolink:Gene",
                "BACH1 gene",
                symbol="BACH1",
                xrefs=("UniProtKB:O14867",),
            ),
            Entity(
                "HGNC:5013",
                "biolink:Gene",
                "HMOX1 gene",
                symbol="HMOX1",
                xrefs=("UniProtKB:P09601",),
            ),
            # Two genes listing one accession: it names neither.
            Entity("HGNC:1", "biolink:Gene", "a", symbol="A", xrefs=("UniProtKB:Q99999",)),
            Entity("HGNC:2", "biolink:Gene", "b", symbol="B", xrefs=("UniProtKB:Q99999",)),
            Edge("HGNC:935", "biolink:has_gene_product", "UniProtKB:O14867", "infores:hgnc"),
            Edge("HGNC:935", "biolink:has_gene_product", "UniProtKB:P00000", "infores:hgnc"),
        ],
    )
    proteins = SourceInput(
        release("uniprot"),
        [
            Entity("UniProtKB:O14867", "biolink:Protein", "Transcription regulator protein BACH1"),
            Entity("UniProtKB:Q99999", "biolink:Protein", "shared"),
        ],
    )
    statements = SourceInput(
        release("omnipath"),
        [
            Edge("HGNC.SYMBOL:BACH1", "biolink:regulates", "UniProtKB:P09601", "infores:signor"),
            # The same statement by accession: one edge, counted once.
            Edge("UniProtKB:O14867", "biolink:regulates", "HGNC.SYMBOL:HMOX1", "infores:signor"),
            Edge("UniProtKB:Q99999", "biolink:regulates", "HGNC.SYMBOL:HMOX1", "infores:signor"),
            Edge("HGNC.SYMBOL:NOSUCH", "biolink:regulates", "HGNC:935", "infores:signor"),
        ],
    )
    report = build(store, genes, proteins, statements)
    with store.read() as conn:
        rows = set(conn.execute(select(edge.c.subject, edge.c.predicate, edge.c.object)))
    assert rows == {
        ("HGNC:935", "biolink:has_gene_product", "UniProtKB:O14867"),
        ("HGNC:935", "biolink:regulates", "HGNC:5013"),
        ("UniProtKB:Q99999", "biolink:regulates", "HGNC:5013"),
    }
    assert report.dropped_edges[("hgnc@1", "unknown object UniProtKB")] == 1
    assert report.dropped_edges[("omnipath@1", "unknown subject HGNC.SYMBOL")] == 1
    assert report.conflated["omnipath@1"] == 2
    assert report.edges_by_source["omnipath@1"] == 2  # stored rows, not statements sent
    assert report.release_counts["omnipath@1"]["edges"] == 2
    # Every identifier behind a dropped edge is listed, not only counted.
    assert report.unmapped[("omnipath@1", "unknown subject HGNC.SYMBOL", "HGNC.SYMBOL:NOSUCH")] == 1
    listing = tmp_path / "unmapped.tsv"
    assert write_unmapped(report, listing) == 2
    lines = listing.read_text().splitlines()
    assert lines[0] == "source_release\treason\tidentifier\tedges"
    assert "omnipath@1\tunknown subject HGNC.SYMBOL\tHGNC.SYMBOL:NOSUCH\t1" in lines


def _graph(store: Store) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]], set[str]]:
    with store.read() as conn:
        entities = set(conn.execute(select(entity.c.id, entity.c.name, entity.c.attributes)))
        edges = set(
            conn.execute(select(edge.c.subject, edge.c.predicate, edge.c.object, edge.c.id))
        )
        xrefs = {
            f"{a} {b}" for a, b in conn.execute(select(entity_xref.c.entity_id, entity_xref.c.xref))
        }
    return entities, edges, xrefs  # type: ignore[return-value]


def test_rebuilding_one_source_resolves_against_the_stored_rest(store: Store) -> None:
    """Rebuilding HPO alone writes what a full build writes: OMIM diseases and NCBI genes
    still land on the stored MONDO diseases and HGNC genes; nothing else changes."""
    from scidex.ingest.stored import stored_entities

    build(store, gene_source(), disease_source(), phenotype_source(), ncbi_source())
    full = _graph(store)
    for rebuilt in (phenotype_source, ncbi_source, gene_source):
        with store.atomic() as conn:
            anchors = stored_entities(conn, {rebuilt().release.name})
            report = write_graph(conn, [rebuilt()], anchors=anchors, keep_stored_attributes=True)
        assert _graph(store) == full, rebuilt.__name__
        assert not report.dropped_edges.get(("hpo@1", "unknown subject HGNC")), report
