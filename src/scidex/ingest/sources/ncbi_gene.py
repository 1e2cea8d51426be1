"""NCBI Gene (human) from Bioconductor's org.Hs.eg.db, read out of the Debian package.

The .deb holds ``org.Hs.eg.sqlite`` (NCBI Gene of 2022-09-12 as packaged by
AnnotationDbi). For every gene it yields an :class:`EntityPatch` keyed
``NCBIGene:<id>`` that adds facts HGNC does not give, then one :class:`Edge`
per directly annotated (gene, GO term) pair, then per gene the PubMed ids
NCBI links to it (:class:`EntityPublications`, from the ``pubmed`` table,
NCBI's gene2pubmed: 1.8 million links), which ingest keeps in their own
table rather than as edges.

OMIM numbers: the package's ``omim`` table is NCBI's gene-to-MIM link, which
mixes the gene's own MIM number (an asterisk entry, e.g. BACH1 -> 602751)
with the MIM numbers of phenotypes caused by the gene (number-sign entries:
PSEN1, NCBIGene:5663, links 104311, its own, and 607822, Alzheimer disease 3,
among others). The table has no column that
tells them apart, so all of them go to ``attributes["omim_ids"]`` and none to
``xrefs``: ingest splits them with MONDO/HPO, which name phenotype MIMs as
diseases. An ``OMIM:`` xref on a gene would otherwise claim the gene *is*
that disease.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Generator, Iterator
from contextlib import closing
from itertools import groupby
from pathlib import Path

from scidex.ingest.sources.archive import member_as_file
from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.model import Edge, EntityPatch, EntityPublications

MEMBER = "org.Hs.eg.db/extdata/org.Hs.eg.sqlite"
PRIMARY_SOURCE = "infores:goa"
AGGREGATOR = "infores:ncbi-gene"

# Direct annotations only: org.Hs.eg.db's go_*_all tables repeat every
# annotation on all ancestors of the term, which the GO graph already implies.
GO_TABLES: dict[str, str] = {
    "go_bp": "biolink:participates_in",
    "go_mf": "biolink:enables",
    "go_cc": "biolink:located_in",
}

# GO evidence codes (https://geneontology.org/docs/guide-go-evidence-codes/).
EVIDENCE_CODES = frozenset(
    {
        "EXP", "IDA", "IPI", "IMP", "IGI", "IEP",
        "HTP", "HDA", "HMP", "HGI", "HEP",
        "IBA", "IBD", "IKR", "IRD",
        "ISS", "ISO", "ISA", "ISM", "IGC", "RCA",
        "TAS", "NAS", "IC", "ND", "IEA",
    }
)  # fmt: skip
# "ND" (no biological data available) marks a gene that curators looked at and
# found nothing for; as an edge to the root term it would assert the opposite.
SKIPPED_EVIDENCE = frozenset({"ND"})

_GENE_ID = re.compile(r"^[1-9][0-9]*$")
_MIM = re.compile(r"^[1-6][0-9]{5}$")
_ENSEMBL_GENE = re.compile(r"^ENSG[0-9]{11}$")
# UniProt accession format (https://www.uniprot.org/help/accession_numbers).
_UNIPROT = re.compile(r"^([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2})$")
_GO_ID = re.compile(r"^GO:[0-9]{7}$")
_PMID = re.compile(r"[1-9][0-9]{0,8}")  # 1 to 9 digits, without a leading zero
_PMIDS = re.compile(r"[1-9][0-9]{0,8}(?:,[1-9][0-9]{0,8})*")  # a gene's, comma-joined


def parse(archive: Path, release_id: str) -> Iterator[EntityPatch | Edge | EntityPublications]:
    """Yield an EntityPatch per human gene, then the gene -> GO term edges, then the
    PubMed ids of each gene that has any (distinct, ascending).

    Patch attributes: ``ncbi_gene_symbol``; ``chromosome_location`` (the first
    cytogenetic band listed, e.g. ``21q21.3``) and, when NCBI lists several,
    all of them in ``chromosome_locations``; ``omim_ids`` (``OMIM:`` CURIEs,
    gene and phenotype MIMs mixed, see the module docstring); ``pubmed_count``
    (distinct PubMed ids NCBI links to the gene). Xrefs: ``ENSEMBL:`` and
    ``UniProtKB:``.
    """
    archive = Path(archive)
    with member_as_file(archive, MEMBER) as db, closing(_connect(db)) as con:
        where = f"{archive.name}!{MEMBER}"
        gene_ids = yield from _patches(con, where, release_id)
        yield from _go_edges(con, where, release_id, gene_ids)
        yield from _publications(con, where, release_id, gene_ids)


SOURCE = PinnedSource("ncbi_gene", parse)


def _connect(db: Path) -> sqlite3.Connection:
    # immutable=1: the file is a private temporary copy, so SQLite may skip
    # locking entirely; mode=ro guards against any accidental write.
    return sqlite3.connect(f"{db.as_uri()}?mode=ro&immutable=1", uri=True)


def _grouped(
    con: sqlite3.Connection, where: str, sql: str, field: str, pattern: re.Pattern[str]
) -> dict[int, list[str]]:
    """Map gene row id -> values of ``sql`` (rowid, _id, value), in table order, checked."""
    table = sql.split(" FROM ", 1)[1].split()[0]
    out: dict[int, list[str]] = defaultdict(list)
    for rowid, gid, value in con.execute(sql):
        if not isinstance(value, str) or not pattern.match(value):
            raise SourceFormatError(where, f"{table} rowid {rowid}", field, f"bad value {value!r}")
        out[gid].append(value)
    return out


def _patches(
    con: sqlite3.Connection, where: str, release_id: str
) -> Generator[EntityPatch, None, dict[int, str]]:
    """Yield one patch per gene; return the map gene row id -> NCBI Gene id."""
    omim = _grouped(con, where, "SELECT rowid, _id, omim_id FROM omim", "omim_id", _MIM)
    ensembl = _grouped(
        con, where, "SELECT rowid, _id, ensembl_id FROM ensembl", "ensembl_id", _ENSEMBL_GENE
    )
    uniprot = _grouped(
        con, where, "SELECT rowid, _id, uniprot_id FROM uniprot", "uniprot_id", _UNIPROT
    )
    # Cytogenetic bands are free text in NCBI (genes of the X/Y pseudoautosomal
    # regions have one row per chromosome, a few rows are notes such as
    # "22q11.2 alternate reference locus"): kept verbatim, only emptiness is
    # an error.
    bands = _grouped(
        con,
        where,
        "SELECT rowid, _id, cytogenetic_location FROM cytogenetic_locations ORDER BY rowid",
        "cytogenetic_location",
        re.compile(r"\S"),
    )
    pubmed = dict(con.execute("SELECT _id, COUNT(DISTINCT pubmed_id) FROM pubmed GROUP BY _id"))
    aliases: dict[int, list[str]] = defaultdict(list)
    for gid, alias in con.execute("SELECT _id, alias_symbol FROM alias ORDER BY rowid"):
        if isinstance(alias, str) and alias.strip():
            aliases[gid].append(alias.strip())

    gene_ids: dict[int, str] = {}
    rows = con.execute(
        "SELECT g.rowid, g._id, g.gene_id, i.symbol, i.gene_name "
        "FROM genes g LEFT JOIN gene_info i ON i._id = g._id ORDER BY g._id"
    )
    for rowid, gid, gene_id, symbol, gene_name in rows:
        if not isinstance(gene_id, str) or not _GENE_ID.match(gene_id):
            raise SourceFormatError(where, f"genes rowid {rowid}", "gene_id", f"bad {gene_id!r}")
        if not symbol:
            raise SourceFormatError(
                where, f"genes rowid {rowid}", "symbol", f"gene {gene_id} has no gene_info row"
            )
        gene_ids[gid] = gene_id
        attributes: dict[str, object] = {"ncbi_gene_symbol": symbol}
        if locs := bands.get(gid):
            distinct = list(dict.fromkeys(locs))
            attributes["chromosome_location"] = distinct[0]
            if len(distinct) > 1:
                attributes["chromosome_locations"] = distinct
        if mims := omim.get(gid):
            attributes["omim_ids"] = [f"OMIM:{m}" for m in sorted(set(mims))]
        attributes["pubmed_count"] = pubmed.get(gid, 0)
        xrefs = [f"ENSEMBL:{e}" for e in sorted(set(ensembl.get(gid, ())))]
        xrefs += [f"UniProtKB:{u}" for u in sorted(set(uniprot.get(gid, ())))]
        # NCBI's name and aliases of 2022 keep older names findable after HGNC
        # renames a gene (BACH1: "BTB domain and CNC homolog 1").
        names = [gene_name, symbol, *aliases.get(gid, ())]
        yield EntityPatch(
            id=f"NCBIGene:{gene_id}",
            synonyms=tuple(dict.fromkeys(n for n in names if n)),
            xrefs=tuple(xrefs),
            attributes=attributes,
            source_release=release_id,
        )
    return gene_ids


def _go_edges(
    con: sqlite3.Connection, where: str, release_id: str, gene_ids: dict[int, str]
) -> Iterator[Edge]:
    """One edge per (gene, GO term) of the direct tables, all evidence codes merged."""
    for table, predicate in GO_TABLES.items():
        rows = con.execute(f"SELECT rowid, _id, go_id, evidence FROM {table} ORDER BY _id, go_id")
        for (gid, go_id), group in groupby(rows, key=lambda r: (r[1], r[2])):
            codes: set[str] = set()
            for rowid, _gid, _go, evidence in group:
                if evidence not in EVIDENCE_CODES:
                    raise SourceFormatError(
                        where, f"{table} rowid {rowid}", "evidence", f"unknown code {evidence!r}"
                    )
                codes.add(evidence)
                last_rowid = rowid
            if not isinstance(go_id, str) or not _GO_ID.match(go_id):
                raise SourceFormatError(
                    where, f"{table} rowid {last_rowid}", "go_id", f"bad {go_id!r}"
                )
            if gid not in gene_ids:
                raise SourceFormatError(
                    where, f"{table} rowid {last_rowid}", "_id", f"no gene with row id {gid}"
                )
            codes -= SKIPPED_EVIDENCE
            if not codes:
                continue
            evidence_codes = tuple(sorted(codes))
            yield Edge(
                subject=f"NCBIGene:{gene_ids[gid]}",
                predicate=predicate,
                object=go_id,
                primary_knowledge_source=PRIMARY_SOURCE,
                knowledge_level="knowledge_assertion",
                agent_type="automated_agent" if evidence_codes == ("IEA",) else "manual_agent",
                aggregator_knowledge_sources=(AGGREGATOR,),
                evidence_codes=evidence_codes,
                source_release=release_id,
            )


def _publications(
    con: sqlite3.Connection, where: str, release_id: str, gene_ids: dict[int, str]
) -> Iterator[EntityPublications]:
    """One list per gene with PubMed links: its distinct PMIDs as integers, ascending."""
    # 1.8 million rows: SQLite joins each gene's into one string, checked by one
    # regular expression, so that Python never loops over single rows.
    groups = con.execute(
        "SELECT _id, group_concat(pubmed_id), count(*) FROM pubmed GROUP BY _id ORDER BY _id"
    )
    for gid, joined, n in groups:
        if (
            not isinstance(joined, str)
            or not _PMIDS.fullmatch(joined)
            or joined.count(",") != n - 1
        ):
            rowid, value = _first_bad_pmid(con, gid)
            raise SourceFormatError(
                where, f"pubmed rowid {rowid}", "pubmed_id", f"bad PubMed id {value!r}"
            )
        if gid not in gene_ids:
            (rowid,) = con.execute("SELECT min(rowid) FROM pubmed WHERE _id = ?", (gid,)).fetchone()
            raise SourceFormatError(
                where, f"pubmed rowid {rowid}", "_id", f"no gene with row id {gid}"
            )
        yield EntityPublications(
            id=f"NCBIGene:{gene_ids[gid]}",
            pmids=tuple(sorted(set(map(int, joined.split(","))))),
            source_release=release_id,
        )


def _first_bad_pmid(con: sqlite3.Connection, gid: int) -> tuple[int, object]:
    """The first row of gene ``gid`` whose ``pubmed_id`` is not a PMID."""
    rows = con.execute("SELECT rowid, pubmed_id FROM pubmed WHERE _id = ? ORDER BY rowid", (gid,))
    for rowid, value in rows:
        if not isinstance(value, str) or not _PMID.fullmatch(value):
            return rowid, value
    raise AssertionError(f"no bad PubMed id for gene row {gid}")  # the caller saw one
