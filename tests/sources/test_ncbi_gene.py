"""NCBI Gene from org.Hs.eg.db: checked against the package's own SQLite file.

Fast tests run the parser on a small .deb built here; the slow ones parse the
real pinned archive and compare a random sample of genes with direct queries.
"""

from __future__ import annotations

import io
import random
import sqlite3
import tarfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from scidex.ingest.sources import ncbi_gene
from scidex.ingest.sources.archive import member_as_file
from scidex.ingest.sources.errors import SourceFormatError
from scidex.ingest.sources.fetch import load_manifest
from scidex.kg.model import Edge, EntityPatch, EntityPublications

RELEASE = "ncbi_gene@2022-09"
PREDICATES = {"BP": "biolink:participates_in", "MF": "biolink:enables", "CC": "biolink:located_in"}


def make_deb(path: Path, member: str, content: bytes) -> Path:
    """Write a minimal Debian package (ar archive) whose data.tar.xz holds ``member``."""
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w:xz") as tf:
        info = tarfile.TarInfo(f"./{member}")
        info.size = len(content)
        tf.addfile(info, io.BytesIO(content))
    out = bytearray(b"!<arch>\n")
    for name, data in (
        (b"debian-binary", b"2.0\n"),
        (b"data.tar.xz", tar_bytes.getvalue()),
    ):
        out += name.ljust(16) + b"0".ljust(12) + b"0".ljust(6) + b"0".ljust(6)
        out += b"100644".ljust(8) + str(len(data)).encode().ljust(10) + b"`\n"
        out += data + (b"\n" if len(data) % 2 else b"")
    path.write_bytes(bytes(out))
    return path


_SCHEMA = """
CREATE TABLE genes (_id INTEGER PRIMARY KEY, gene_id VARCHAR(10) NOT NULL UNIQUE);
CREATE TABLE gene_info (_id INTEGER NOT NULL UNIQUE, gene_name TEXT NOT NULL, symbol TEXT NOT NULL);
CREATE TABLE omim (_id INTEGER NOT NULL, omim_id CHAR(6) NOT NULL);
CREATE TABLE ensembl (_id INTEGER NOT NULL, ensembl_id TEXT NOT NULL);
CREATE TABLE uniprot (_id INTEGER NOT NULL, uniprot_id TEXT NOT NULL);
CREATE TABLE cytogenetic_locations (_id INTEGER NOT NULL, cytogenetic_location TEXT NOT NULL);
CREATE TABLE pubmed (_id INTEGER NOT NULL, pubmed_id TEXT NOT NULL);
CREATE TABLE alias (_id INTEGER NOT NULL, alias_symbol VARCHAR(80) NOT NULL);
CREATE TABLE go_bp (_id INTEGER NOT NULL, go_id CHAR(10) NOT NULL, evidence CHAR(3) NOT NULL);
CREATE TABLE go_mf (_id INTEGER NOT NULL, go_id CHAR(10) NOT NULL, evidence CHAR(3) NOT NULL);
CREATE TABLE go_cc (_id INTEGER NOT NULL, go_id CHAR(10) NOT NULL, evidence CHAR(3) NOT NULL);
CREATE TABLE go_bp_all (_id INTEGER NOT NULL, go_id CHAR(10) NOT NULL, evidence CHAR(3) NOT NULL);
"""


def small_archive(tmp_path: Path, extra_sql: str = "") -> Path:
    """A .deb whose org.Hs.eg.sqlite holds BACH1 and one pseudoautosomal gene."""
    db = tmp_path / "org.Hs.eg.sqlite"
    with closing(sqlite3.connect(db)) as con:
        con.executescript(
            _SCHEMA
            + """
            INSERT INTO genes VALUES (466, '571'), (200, '293');
            INSERT INTO gene_info VALUES (466, 'BTB domain and CNC homolog 1', 'BACH1'),
                                         (200, 'solute carrier family 25 member 6', 'SLC25A6');
            INSERT INTO omim VALUES (466, '602751');
            INSERT INTO ensembl VALUES (466, 'ENSG00000156273');
            INSERT INTO uniprot VALUES (466, 'O14867');
            INSERT INTO cytogenetic_locations VALUES (466, '21q21.3'), (200, 'X'), (200, 'Y');
            INSERT INTO pubmed VALUES (466, '36074822'), (466, '2'), (466, '2'), (466, '10');
            INSERT INTO alias VALUES (466, 'BACH-1'), (466, 'BTBD24'), (466, 'BACH1');
            INSERT INTO go_bp VALUES (466, 'GO:0000122', 'IMP'), (466, 'GO:0000122', 'IDA'),
                                     (466, 'GO:0045944', 'IEA'), (200, 'GO:0008150', 'ND');
            INSERT INTO go_cc VALUES (466, 'GO:0005634', 'IEA'), (466, 'GO:0005634', 'HDA');
            INSERT INTO go_bp_all VALUES (466, 'GO:0008150', 'IMP');
            """
            + extra_sql
        )
        con.commit()
    return make_deb(tmp_path / "org.deb", ncbi_gene.MEMBER, db.read_bytes())


# --- fast: the parser's rules on a small archive ------------------------------------


def test_small_archive_patches_and_edges(tmp_path: Path) -> None:
    records = list(ncbi_gene.parse(small_archive(tmp_path), RELEASE))
    patches = [r for r in records if isinstance(r, EntityPatch)]
    edges = [r for r in records if isinstance(r, Edge)]
    papers = [r for r in records if isinstance(r, EntityPublications)]
    # Every patch before any edge, every edge before any publication list.
    assert records == patches + edges + papers

    by_id = {p.id: p for p in patches}
    bach1 = by_id["NCBIGene:571"]
    assert bach1.attributes == {
        "ncbi_gene_symbol": "BACH1",
        "chromosome_location": "21q21.3",
        "omim_ids": ["OMIM:602751"],
        "pubmed_count": 3,  # distinct PubMed ids
    }
    assert bach1.xrefs == ("ENSEMBL:ENSG00000156273", "UniProtKB:O14867")
    # NCBI's name and aliases become synonyms, once each.
    assert bach1.synonyms == ("BTB domain and CNC homolog 1", "BACH1", "BACH-1", "BTBD24")
    assert bach1.source_release == RELEASE
    par = by_id["NCBIGene:293"].attributes
    assert par["chromosome_location"] == "X"
    assert par["chromosome_locations"] == ["X", "Y"]
    assert "omim_ids" not in par and par["pubmed_count"] == 0
    # One list for the gene with PubMed links, each id once, as integers in numeric order;
    # none for the gene without.
    assert papers == [EntityPublications("NCBIGene:571", (2, 10, 36074822), source_release=RELEASE)]

    got = {(e.subject, e.predicate, e.object): e for e in edges}
    assert set(got) == {
        ("NCBIGene:571", "biolink:participates_in", "GO:0000122"),
        ("NCBIGene:571", "biolink:participates_in", "GO:0045944"),
        ("NCBIGene:571", "biolink:located_in", "GO:0005634"),
    }  # not the ND annotation, not the propagated go_bp_all row
    merged = got["NCBIGene:571", "biolink:participates_in", "GO:0000122"]
    assert merged.evidence_codes == ("IDA", "IMP")
    assert merged.agent_type == "manual_agent"
    assert got["NCBIGene:571", "biolink:participates_in", "GO:0045944"].agent_type == (
        "automated_agent"
    )
    # IEA together with a manual code is not automated only.
    assert got["NCBIGene:571", "biolink:located_in", "GO:0005634"].agent_type == "manual_agent"
    for e in edges:
        assert e.primary_knowledge_source == "infores:goa"
        assert e.aggregator_knowledge_sources == ("infores:ncbi-gene",)
        assert e.knowledge_level == "knowledge_assertion"
        assert e.source_release == RELEASE


@pytest.mark.parametrize(
    ("sql", "where", "field"),
    [
        ("INSERT INTO omim VALUES (200, '60275X');", "omim rowid 2", "omim_id"),
        ("INSERT INTO ensembl VALUES (200, 'ENST00000000001');", "ensembl rowid 2", "ensembl_id"),
        ("INSERT INTO go_mf VALUES (466, 'GO:123', 'IDA');", "go_mf rowid 1", "go_id"),
        ("INSERT INTO go_mf VALUES (466, 'GO:0005515', 'XYZ');", "go_mf rowid 1", "evidence"),
        ("INSERT INTO go_mf VALUES (999, 'GO:0005515', 'IPI');", "go_mf rowid 1", "_id"),
        ("INSERT INTO genes VALUES (300, 'LOC1'); INSERT INTO gene_info VALUES (300, 'x', 'X');",
         "genes rowid 300", "gene_id"),
        ("INSERT INTO genes VALUES (301, '1');", "genes rowid 301", "symbol"),
        ("INSERT INTO pubmed VALUES (466, 'PMC123');", "pubmed rowid 5", "pubmed_id"),
        ("INSERT INTO pubmed VALUES (466, '0');", "pubmed rowid 5", "pubmed_id"),
        ("INSERT INTO pubmed VALUES (466, '036074822');", "pubmed rowid 5", "pubmed_id"),
        ("INSERT INTO pubmed VALUES (466, '1,2');", "pubmed rowid 5", "pubmed_id"),
        ("INSERT INTO pubmed VALUES (999, '7');", "pubmed rowid 5", "_id"),
    ],
)  # fmt: skip
def test_malformed_rows_raise_naming_file_row_and_field(
    tmp_path: Path, sql: str, where: str, field: str
) -> None:
    archive = small_archive(tmp_path, sql)
    with pytest.raises(SourceFormatError) as info:
        list(ncbi_gene.parse(archive, RELEASE))
    err = info.value
    assert (err.line, err.field) == (where, field)
    assert str(err).startswith(f"org.deb!{ncbi_gene.MEMBER}:{where}: {field}: ")


def test_member_is_the_one_the_manifest_pins() -> None:
    assert load_manifest()["ncbi_gene"].members[0].endswith(ncbi_gene.MEMBER)


# --- slow: the real archive ---------------------------------------------------------


class Parsed:
    """Everything the parser yields from the real archive, indexed for the tests."""

    def __init__(self, records: Iterator[EntityPatch | Edge | EntityPublications]) -> None:
        self.patches: dict[str, EntityPatch] = {}
        self.papers: dict[str, EntityPublications] = {}
        self.edges: dict[str, set[tuple[str, str, tuple[str, ...], str]]] = defaultdict(set)
        self.edge_count = 0
        self.order_ok = True
        self.provenance: set[tuple[object, ...]] = set()
        for rec in records:
            if isinstance(rec, EntityPatch):
                self.order_ok &= self.edge_count == 0 and not self.papers
                assert rec.id not in self.patches, f"duplicate patch {rec.id}"
                self.patches[rec.id] = rec
            elif isinstance(rec, EntityPublications):
                assert rec.id not in self.papers, f"duplicate publication list {rec.id}"
                self.papers[rec.id] = rec
            else:
                self.order_ok &= not self.papers
                self.edge_count += 1
                self.edges[rec.subject].add(
                    (rec.predicate, rec.object, rec.evidence_codes, rec.agent_type)
                )
                self.provenance.add(
                    (
                        rec.primary_knowledge_source,
                        rec.aggregator_knowledge_sources,
                        rec.knowledge_level,
                        rec.source_release,
                    )
                )


@pytest.fixture(scope="module")
def real(source_archive) -> Iterator[tuple[Parsed, sqlite3.Connection]]:
    archive = source_archive("ncbi_gene")
    parsed = Parsed(ncbi_gene.parse(archive, load_manifest()["ncbi_gene"].release_id))
    with (
        member_as_file(archive, ncbi_gene.MEMBER) as db,
        closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as con,
    ):
        yield parsed, con


def _sample_genes(con: sqlite3.Connection, n: int = 50) -> list[tuple[int, str]]:
    rows = con.execute("SELECT _id, gene_id FROM genes ORDER BY _id").fetchall()
    # Half from genes that have GO annotations, so the GO comparison is not
    # mostly about empty sets.
    annotated = {r[0] for r in con.execute("SELECT DISTINCT _id FROM go_bp")}
    rng = random.Random(571)
    with_go = [r for r in rows if r[0] in annotated]
    return rng.sample(with_go, n // 2) + rng.sample(rows, n - n // 2)


def _column(con: sqlite3.Connection, sql: str, gid: int) -> list[str]:
    return [r[0] for r in con.execute(sql, (gid,))]


@pytest.mark.slow
def test_bach1_facts_from_the_seed_page(real) -> None:
    parsed, _con = real
    bach1 = parsed.patches["NCBIGene:571"]
    assert bach1.attributes["ncbi_gene_symbol"] == "BACH1"
    assert bach1.attributes["chromosome_location"] == "21q21.3"
    assert "OMIM:602751" in bach1.attributes["omim_ids"]
    assert "ENSEMBL:ENSG00000156273" in bach1.xrefs
    assert "UniProtKB:O14867" in bach1.xrefs
    assert not any(x.startswith("OMIM:") for x in bach1.xrefs)
    # NCBI's 2022 name survives HGNC's rename as a synonym.
    assert "BTB domain and CNC homolog 1" in bach1.synonyms
    assert "BTBD24" in bach1.synonyms


@pytest.mark.slow
def test_no_patch_claims_an_omim_xref(real) -> None:
    # Gene and phenotype MIMs are mixed in org.Hs.eg.db; none may pose as an xref.
    parsed, _con = real
    assert not any(x.startswith("OMIM:") for p in parsed.patches.values() for x in p.xrefs)


@pytest.mark.slow
def test_one_patch_per_gene_and_one_edge_per_direct_annotation(real) -> None:
    parsed, con = real
    (genes,) = con.execute("SELECT COUNT(*) FROM genes").fetchone()
    assert len(parsed.patches) == genes
    (pairs,) = con.execute(
        "SELECT COUNT(*) FROM (SELECT DISTINCT _id, go_id FROM go_bp WHERE evidence != 'ND' "
        "UNION SELECT DISTINCT _id, go_id FROM go_mf WHERE evidence != 'ND' "
        "UNION SELECT DISTINCT _id, go_id FROM go_cc WHERE evidence != 'ND')"
    ).fetchone()
    assert parsed.edge_count == pairs
    assert parsed.order_ok
    assert parsed.provenance == {
        ("infores:goa", ("infores:ncbi-gene",), "knowledge_assertion", "ncbi_gene@2022-09")
    }


@pytest.mark.slow
def test_sampled_genes_match_the_sqlite(real) -> None:
    parsed, con = real
    for gid, gene_id in _sample_genes(con):
        patch = parsed.patches[f"NCBIGene:{gene_id}"]
        attrs = patch.attributes
        (symbol,) = _column(con, "SELECT symbol FROM gene_info WHERE _id = ?", gid)
        assert attrs["ncbi_gene_symbol"] == symbol
        bands = _column(
            con,
            "SELECT cytogenetic_location FROM cytogenetic_locations WHERE _id = ? ORDER BY rowid",
            gid,
        )
        assert attrs.get("chromosome_location") == (bands[0] if bands else None), gene_id
        mims = _column(con, "SELECT omim_id FROM omim WHERE _id = ?", gid)
        assert set(attrs.get("omim_ids", [])) == {f"OMIM:{m}" for m in mims}, gene_id
        pmids = _column(con, "SELECT pubmed_id FROM pubmed WHERE _id = ?", gid)
        assert attrs["pubmed_count"] == len(set(pmids))
        ens = _column(con, "SELECT ensembl_id FROM ensembl WHERE _id = ?", gid)
        uni = _column(con, "SELECT uniprot_id FROM uniprot WHERE _id = ?", gid)
        assert set(patch.xrefs) == {f"ENSEMBL:{e}" for e in ens} | {f"UniProtKB:{u}" for u in uni}


@pytest.mark.slow
def test_sampled_genes_go_edges_match_the_direct_tables(real) -> None:
    parsed, con = real
    for gid, gene_id in _sample_genes(con):
        expected: dict[tuple[str, str], set[str]] = defaultdict(set)
        for ontology, predicate in PREDICATES.items():
            for go_id, evidence in con.execute(
                f"SELECT go_id, evidence FROM go_{ontology.lower()} WHERE _id = ?", (gid,)
            ):
                if evidence != "ND":
                    expected[predicate, go_id].add(evidence)
        want = {
            (
                predicate,
                go_id,
                tuple(sorted(codes)),
                "automated_agent" if codes == {"IEA"} else "manual_agent",
            )
            for (predicate, go_id), codes in expected.items()
        }
        assert parsed.edges.get(f"NCBIGene:{gene_id}", set()) == want, gene_id


@pytest.mark.slow
def test_publication_lists_match_the_pubmed_table(real) -> None:
    parsed, con = real
    # Every gene with a PubMed link has one list, and the lists hold every distinct link.
    (genes, links) = con.execute(
        "SELECT COUNT(DISTINCT _id), COUNT(*) FROM (SELECT DISTINCT _id, pubmed_id FROM pubmed)"
    ).fetchone()
    assert len(parsed.papers) == genes
    assert sum(len(p.pmids) for p in parsed.papers.values()) == links
    assert {p.source_release for p in parsed.papers.values()} == {"ncbi_gene@2022-09"}
    # BACH1's list, and a sample of others, read straight from the table.
    bach1 = con.execute("SELECT _id FROM genes WHERE gene_id = '571'").fetchone()[0]
    with_links = [r[0] for r in con.execute("SELECT DISTINCT _id FROM pubmed ORDER BY _id")]
    sample = [bach1, *random.Random(157).sample(with_links, 40)]
    for gid in sample:
        (gene_id,) = _column(con, "SELECT gene_id FROM genes WHERE _id = ?", gid)
        want = sorted(
            {int(p) for p in _column(con, "SELECT pubmed_id FROM pubmed WHERE _id = ?", gid)}
        )
        got = parsed.papers[f"NCBIGene:{gene_id}"]
        assert list(got.pmids) == want, gene_id
        assert got.pmids and all(isinstance(p, int) and p > 0 for p in got.pmids)
    assert len(parsed.papers["NCBIGene:571"].pmids) == len(
        set(_column(con, "SELECT pubmed_id FROM pubmed WHERE _id = ?", bach1))
    )
    # A gene without links has no list.
    without = con.execute(
        "SELECT gene_id FROM genes WHERE _id NOT IN (SELECT _id FROM pubmed) LIMIT 1"
    ).fetchone()[0]
    assert f"NCBIGene:{without}" not in parsed.papers
