"""Cell Ontology (CL): one ``biolink:Cell`` per cell type, linked to its direct parents.

Reads ``CL-ontology-v2026-03-26.json.zst`` out of the pinned
cellxgene-ontology-guide wheel (format: :mod:`.ontology_guide`). Biolink 4
has no CellType class; a CL term is the class of its cells, so cell types are
``biolink:Cell``.

Kept: every live term that is ``CL:0000000`` (cell) or has a CL term among
its direct (distance 1) ancestors. The few live CL terms without one are
parts of cells ("basophilic cytoplasm", "banded nucleus"), whose nearest CL
ancestor the file reaches through a GO class; they are no cell types and are
counted under ``stats["skipped:not a cell type"]``. Deprecated terms are
counted under ``stats["deprecated_terms"]``.

Each direct parent becomes a ``biolink:subclass_of`` edge. The file does not
say whether a direct parent is an ``is_a`` or a ``part_of`` one; the Cell
Ontology relates cell types to other cell types by ``is_a`` (its ``part_of``
axioms name anatomy and cell components, which the file leaves out), so a
cell type's direct CL parents are its superclasses.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.ontology_guide import Plan, Term, read_terms
from scidex.ingest.sources.ontology_guide import records as ontology_records
from scidex.kg.model import Edge, Entity

log = logging.getLogger(__name__)

MEMBER = "cellxgene_ontology_guide/data/CL-ontology-v2026-03-26.json.zst"
INFORES = "infores:cl"
CATEGORY = "biolink:Cell"
PREDICATE = "biolink:subclass_of"
ROOT = "CL:0000000"
ID_PATTERN = re.compile(r"^CL:[0-9]{7}$")


def is_cell_type(term: Term) -> bool:
    """The root, or a term with a CL term among its direct parents."""
    return term.id == ROOT or bool(term.parents())


PLAN = Plan(
    infores=INFORES,
    predicate=PREDICATE,
    classify=lambda t: CATEGORY if is_cell_type(t) else None,
    skip_reason="not a cell type",
)


def parse(
    archive: Path, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """Yield every CL cell type, then its ``subclass_of`` edges."""
    yield from records(read_terms(archive, MEMBER, ID_PATTERN), release_id, stats=stats)


def records(
    terms: Iterable[Term], release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """The records of already decoded CL ``terms``."""
    stats = Counter() if stats is None else stats
    yield from ontology_records(terms, PLAN, release_id, stats)
    log.info("cl %s: %s", release_id, dict(sorted(stats.items())))


SOURCE = PinnedSource("cl", parse)
