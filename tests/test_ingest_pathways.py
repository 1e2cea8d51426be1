"""Ingest of proteins and pathways: what the HGNC, UniProt and Reactome parsers yield for a
few real rows becomes one graph, with pathway participation read on the gene page."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from scidex.ingest.sources import hgnc, reactome, uniprot
from scidex.ingest.write import SourceInput, write_graph
from scidex.kg.model import Edge, Entity, SourceRelease
from scidex.store import Store
from scidex.store.schema import edge, entity

URL = "https://reactome.org/PathwayBrowser/#/"


def _release(name: str) -> SourceRelease:
    return SourceRelease(f"{name}@1", name, f"infores:{name}", "1", "CC0")


def _lines(*rows: tuple[str, ...]) -> list[str]:
    return ["\t".join(r) + "\n" for r in rows]


def _genes() -> SourceInput:
    header = ("hgnc_id", "symbol", "name", "status", "uniprot_ids")
    lines = _lines(
        header,
        ("HGNC:935", "BACH1", "BACH transcriptional regulator 1", "Approved", "O14867"),
        ("HGNC:5013", "HMOX1", "heme oxygenase 1", "Approved", "P09601"),
        # Two genes list one accession: it stands for neither.
        ("HGNC:5417", "IFNA1", "interferon alpha 1", "Approved", "P01562"),
        ("HGNC:5419", "IFNA13", "interferon alpha 13", "Approved", "P01562"),
    )
    return SourceInput(_release("hgnc"), list(hgnc.parse_lines(lines, "hgnc.tsv", "hgnc@1")))


def _proteins() -> SourceInput:
    lines = _lines(
        ("Entry", "Entry Name", "Protein names"),
        ("O14867", "BACH1_HUMAN", "Transcription regulator protein BACH1 (BTB and CNC homolog 1)"),
        ("P09601", "HMOX1_HUMAN", "Heme oxygenase 1 (HO-1) (EC 1.14.14.18)"),
        ("P01562", "IFNA1_HUMAN", "Interferon alpha-1/13 (IFN-alpha-1/13)"),
        # No gene lists it.
        ("O60361", "NDK8_HUMAN", "Putative nucleoside diphosphate kinase (NDK) (EC 2.7.4.6)"),
    )
    records = list(uniprot.parse_lines(lines, "uniprot.tsv", "uniprot@1"))
    return SourceInput(_release("uniprot"), records)


def _pathways() -> SourceInput:
    names = _lines(
        ("R-HSA-9755511", "KEAP1-NFE2L2 pathway", "Homo sapiens"),
        ("R-HSA-9708530", "Regulation of BACH1 activity", "Homo sapiens"),
        ("R-HSA-9707616", "Heme signaling", "Homo sapiens"),
        ("R-HSA-9707587", "Regulation of HMOX1 expression and activity", "Homo sapiens"),
        ("R-HSA-909733", "Interferon alpha/beta signaling", "Homo sapiens"),
        ("R-HSA-499943", "Interconversion of nucleotide di- and triphosphates", "Homo sapiens"),
    )
    relations = _lines(("R-HSA-9755511", "R-HSA-9708530"))

    def row(acc: str, pathway: str, code: str = "TAS") -> tuple[str, ...]:
        return (acc, pathway, URL + pathway, "name", code, "Homo sapiens")

    mapping = _lines(
        row("O14867", "R-HSA-9707587"),
        row("O14867", "R-HSA-9707616"),
        row("O14867", "R-HSA-9708530"),
        row("P09601", "R-HSA-9707587"),
        row("P01562", "R-HSA-909733"),
        row("O60361", "R-HSA-499943"),
        row("A2KUC3", "R-HSA-909733"),  # neither a gene nor a protein of the atlas
    )
    stats: Counter[str] = Counter()
    records: list[Entity | Edge] = [
        *reactome.pathway_entities(names, "names.txt", "reactome@1", stats=stats),
        *reactome.hierarchy_edges(relations, "relation.txt", "reactome@1", stats=stats),
        *reactome.participation_edges(mapping, "mapping.txt", "reactome@1", stats=stats),
    ]
    return SourceInput(_release("reactome"), records)


def test_pathways_land_on_the_gene_and_the_protein_keeps_its_gene(store: Store) -> None:
    with store.atomic() as conn:
        report = write_graph(conn, [_genes(), _proteins(), _pathways()])
    with store.read() as conn:
        rows = set(conn.execute(select(edge.c.subject, edge.c.predicate, edge.c.object)))
        categories = {
            r.id: r.category for r in conn.execute(select(entity.c.id, entity.c.category))
        }
        evidence = conn.execute(
            select(edge.c.evidence_codes, edge.c.agent_type, edge.c.primary_knowledge_source)
            .where(edge.c.subject == "HGNC:935")
            .where(edge.c.object == "REACT:R-HSA-9708530")
        ).one()

    bach1_pathways = {o for s, p, o in rows if s == "HGNC:935" and p == "biolink:participates_in"}
    assert bach1_pathways == {"REACT:R-HSA-9707587", "REACT:R-HSA-9707616", "REACT:R-HSA-9708530"}
    assert ("HGNC:5013", "biolink:participates_in", "REACT:R-HSA-9707587") in rows
    # The protein is its own entity, linked from its gene, and states nothing the gene does.
    assert categories["UniProtKB:O14867"] == "biolink:Protein"
    assert ("HGNC:935", "biolink:has_gene_product", "UniProtKB:O14867") in rows
    assert not {r for r in rows if r[0] == "UniProtKB:O14867"}
    # An accession with no single gene keeps its statements on the protein.
    assert ("UniProtKB:P01562", "biolink:participates_in", "REACT:R-HSA-909733") in rows
    assert ("UniProtKB:O60361", "biolink:participates_in", "REACT:R-HSA-499943") in rows
    assert ("REACT:R-HSA-9708530", "biolink:part_of", "REACT:R-HSA-9755511") in rows
    assert categories["REACT:R-HSA-9708530"] == "biolink:Pathway"
    assert '"TAS"' in evidence.evidence_codes
    assert (evidence.agent_type, evidence.primary_knowledge_source) == (
        "manual_agent",
        "infores:reactome",
    )
    # The accession nothing names is counted, not lost.
    assert report.dropped_edges == {("reactome@1", "unknown subject UniProtKB"): 1}
    assert report.conflated["reactome@1"] == 4


def test_the_protein_page_names_its_gene_and_the_gene_page_its_protein(store: Store) -> None:
    from scidex.pages.artifact_page import artifact_page
    from scidex.queries.artifacts import page_for_entity
    from scidex.registry.finish import finish

    with store.atomic() as conn:
        write_graph(conn, [_genes(), _proteins(), _pathways()])
        finish(conn)
    with store.read() as conn:
        protein = artifact_page(conn, page_for_entity(conn, "UniProtKB:O14867"))
        gene = artifact_page(conn, page_for_entity(conn, "HGNC:935"))
        pathway = artifact_page(conn, page_for_entity(conn, "REACT:R-HSA-9708530"))
    assert protein.infobox is not None and gene.infobox is not None
    rows = {r.key: r.values for r in protein.infobox.rows}
    assert [(v.text, v.curie) for v in rows["gene"]] == [("BACH1", "HGNC:935")]
    assert [v.text for v in rows["entry_name"]] == ["BACH1_HUMAN"]
    gene_rows = {r.key: r.values for r in gene.infobox.rows}
    assert [v.curie for v in gene_rows["protein"]] == ["UniProtKB:O14867"]
    texts = [s.text for s in protein.summary.sentences]
    assert "Transcription regulator protein BACH1 is the product of the gene BACH1." in texts
    assert any(
        t.startswith("BACH1 takes part in 3 pathways: ")
        for t in (s.text for s in gene.summary.sentences)
    )
    texts = [s.text for s in pathway.summary.sentences]
    assert "BACH1 takes part in Regulation of BACH1 activity." in texts
