"""Reactome: human pathways, their hierarchy, and the proteins that take part in them.

Reads three tab-separated files (no header) straight out of the pinned binn wheel:

``reactome_pathways_names_2025_01_21.txt``
    ``pathway id, name, species``: one ``biolink:Pathway`` (``REACT:R-HSA-...``)
    per human pathway.
``reactome_pathways_relation_2025_01_14.txt``
    ``parent id, child id``: the child is one of the parent's events (a
    sub-pathway), so ``child biolink:part_of parent``. Biolink's ``part_of``
    "holds between parts and wholes (material entities or processes)" (BFO
    part of), which is what Reactome's event hierarchy is; ``subclass_of``
    would say the child is a kind of its parent, which Reactome does not (a
    pathway may be an event of several parents, as a part may be of several
    wholes). GO's process hierarchy uses the same predicate.
``uniprot_2_reactome_2025_01_14.txt``
    ``UniProt accession, pathway id, URL, pathway name, evidence code, species``:
    ``UniProtKB:<acc> biolink:participates_in REACT:<id>``. The file lists a
    protein with the pathways whose events name it and does not repeat every
    ancestor (BACH1 is under "Regulation of BACH1 activity", not under its
    parent "KEAP1-NFE2L2 pathway"); the hierarchy edges lead there. Ingest
    moves an accession that an HGNC gene lists onto that gene, so the
    pathways show on gene pages.

Every file also holds the pathways Reactome infers for other species
(``R-MMU-``, ``R-DRE-``, ...); only human ones are kept (``R-HSA-`` ids, whose
species column must then say Homo sapiens), the rest counted under
``skipped_non_human:<file kind>``.

Participation rows are merged per (accession, pathway): identical rows
(``duplicate_rows``) collapse, and a pair stated with both TAS (traceable
author statement: curated) and IEA (inferred from electronic annotation:
computed, not reviewed by a curator) keeps both codes and counts as manual
curation. Isoform accessions (``Q13950-2``) stand for their entry
(``UniProtKB:Q13950``); the isoforms Reactome names are kept in the edge's
``isoforms`` qualifier.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import TextIOWrapper
from pathlib import Path
from typing import TextIO

from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.errors import SourceFormatError
from scidex.ingest.sources.uniprot import ACCESSION
from scidex.kg.model import Edge, Entity

log = logging.getLogger(__name__)

NAMES_MEMBER = "reactome_pathways_names_2025_01_21.txt"
RELATION_MEMBER = "reactome_pathways_relation_2025_01_14.txt"
UNIPROT_MEMBER = "uniprot_2_reactome_2025_01_14.txt"

CATEGORY = "biolink:Pathway"
INFORES = "infores:reactome"
PART_OF = "biolink:part_of"
PARTICIPATES_IN = "biolink:participates_in"
HUMAN_PREFIX = "R-HSA-"
HUMAN_SPECIES = "Homo sapiens"
# Reactome's two evidence codes and who made the statement behind each.
AGENT_TYPES = {"TAS": "manual_agent", "IEA": "automated_agent"}

_PATHWAY_ID = re.compile(r"^R-[A-Z]{3}-\d+$")
_ISOFORM = re.compile(r"^(.+)-\d+$")


def parse(
    archive: Path, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """Yield every human pathway, then the hierarchy edges, then participation edges."""
    stats = Counter() if stats is None else stats
    with _text(archive, NAMES_MEMBER) as fh:
        yield from pathway_entities(fh, NAMES_MEMBER, release_id, stats=stats)
    with _text(archive, RELATION_MEMBER) as fh:
        yield from hierarchy_edges(fh, RELATION_MEMBER, release_id, stats=stats)
    with _text(archive, UNIPROT_MEMBER) as fh:
        yield from participation_edges(fh, UNIPROT_MEMBER, release_id, stats=stats)
    log.info("reactome %s: %s", release_id, dict(sorted(stats.items())))


SOURCE = PinnedSource("reactome", parse)


@contextmanager
def _text(archive: Path, member: str) -> Iterator[TextIO]:
    with (
        open_member(archive, member) as raw,
        TextIOWrapper(raw, encoding="utf-8", newline="") as fh,
    ):
        yield fh


def _rows(lines: Iterable[str], file: str, width: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each non-blank line, which must have ``width`` cells."""
    for n, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        cells = text.split("\t")
        if len(cells) != width:
            raise SourceFormatError(file, n, "row", f"expected {width} fields, got {len(cells)}")
        yield n, cells


def _pathway_id(value: str, file: str, line: int, column: str) -> str:
    if not _PATHWAY_ID.match(value):
        raise SourceFormatError(file, line, column, f"not a Reactome stable id: {value!r}")
    return value


def _is_human(pathway: str, species: str, file: str, line: int) -> bool:
    """Whether a row is human; an R-HSA id must come with Homo sapiens and back."""
    human_id = pathway.startswith(HUMAN_PREFIX)
    if human_id != (species == HUMAN_SPECIES):
        raise SourceFormatError(file, line, "species", f"{species!r} for pathway {pathway}")
    return human_id


def pathway_entities(
    lines: Iterable[str], file: str, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity]:
    """One Pathway per human row of the names file."""
    stats = Counter() if stats is None else stats
    seen: dict[str, int] = {}
    for line, (raw_id, raw_name, raw_species) in _rows(lines, file, 3):
        pathway = _pathway_id(raw_id.strip(), file, line, "pathway_id")
        if not _is_human(pathway, raw_species.strip(), file, line):
            stats["skipped_non_human:pathways"] += 1
            continue
        if pathway in seen:
            raise SourceFormatError(
                file, line, "pathway_id", f"{pathway} listed twice (first on line {seen[pathway]})"
            )
        seen[pathway] = line
        name = raw_name.strip()  # 196 names end (or start) with a stray space
        if not name:
            raise SourceFormatError(file, line, "name", f"empty name for {pathway}")
        stats["pathways"] += 1
        yield Entity(
            id=f"REACT:{pathway}",
            category=CATEGORY,
            name=name,
            source_release=release_id,
        )


def hierarchy_edges(
    lines: Iterable[str], file: str, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Edge]:
    """``child part_of parent`` for each human row of the relation file."""
    stats = Counter() if stats is None else stats
    seen: set[tuple[str, str]] = set()
    for line, (raw_parent, raw_child) in _rows(lines, file, 2):
        parent = _pathway_id(raw_parent.strip(), file, line, "parent_id")
        child = _pathway_id(raw_child.strip(), file, line, "child_id")
        human = parent.startswith(HUMAN_PREFIX)
        if human != child.startswith(HUMAN_PREFIX):
            raise SourceFormatError(file, line, "child_id", f"{child} under {parent}: two species")
        if not human:
            stats["skipped_non_human:relations"] += 1
            continue
        if parent == child:
            raise SourceFormatError(file, line, "child_id", f"{child} is its own parent")
        if (parent, child) in seen:
            stats["duplicate_rows:relations"] += 1
            continue
        seen.add((parent, child))
        stats["edges:part_of"] += 1
        yield Edge(
            subject=f"REACT:{child}",
            predicate=PART_OF,
            object=f"REACT:{parent}",
            primary_knowledge_source=INFORES,
            knowledge_level="knowledge_assertion",
            agent_type="manual_agent",
            source_release=release_id,
        )


@dataclass(slots=True)
class _Participation:
    codes: set[str] = field(default_factory=set)
    isoforms: set[str] = field(default_factory=set)


def participation_edges(
    lines: Iterable[str], file: str, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Edge]:
    """``UniProtKB:<acc> participates_in REACT:<id>``, one per human (entry, pathway)."""
    stats = Counter() if stats is None else stats
    pairs: dict[tuple[str, str], _Participation] = {}
    rows: set[tuple[str, ...]] = set()
    for line, cells in _rows(lines, file, 6):
        raw_acc, raw_pathway, _url, _name, raw_code, raw_species = (c.strip() for c in cells)
        pathway = _pathway_id(raw_pathway, file, line, "pathway_id")
        if not _is_human(pathway, raw_species, file, line):
            stats["skipped_non_human:participations"] += 1
            continue
        iso = _ISOFORM.match(raw_acc)
        accession = iso.group(1) if iso else raw_acc
        if not ACCESSION.match(accession):
            raise SourceFormatError(
                file, line, "uniprot_accession", f"not a UniProt accession: {raw_acc!r}"
            )
        if raw_code not in AGENT_TYPES:
            raise SourceFormatError(
                file, line, "evidence_code", f"expected one of {sorted(AGENT_TYPES)}: {raw_code!r}"
            )
        key = (raw_acc, pathway, raw_code)
        if key in rows:
            stats["duplicate_rows:participations"] += 1
            continue
        rows.add(key)
        held = pairs.setdefault((accession, pathway), _Participation())
        held.codes.add(raw_code)
        if iso:
            held.isoforms.add(f"UniProtKB:{raw_acc}")
    for (accession, pathway), held in pairs.items():
        # TAS first: the curated statement is the one the edge stands on.
        codes = tuple(c for c in AGENT_TYPES if c in held.codes)
        stats["edges:participates_in"] += 1
        yield Edge(
            subject=f"UniProtKB:{accession}",
            predicate=PARTICIPATES_IN,
            object=f"REACT:{pathway}",
            primary_knowledge_source=INFORES,
            knowledge_level="knowledge_assertion",
            agent_type=AGENT_TYPES[codes[0]],
            evidence_codes=codes,
            qualifiers={"isoforms": sorted(held.isoforms)} if held.isoforms else {},
            source_release=release_id,
        )
