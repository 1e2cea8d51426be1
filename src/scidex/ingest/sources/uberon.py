"""Uberon: one ``biolink:AnatomicalEntity`` per anatomical term, brain regions marked.

Reads ``UBERON-ontology-v2026-04-01.json.zst`` out of the pinned
cellxgene-ontology-guide wheel (format: :mod:`.ontology_guide`).

Kept: ``UBERON:0001062`` (anatomical entity) and every live term under it.
Uberon's other roots, life cycle stages and their temporal boundaries, are no
anatomy; they are counted under ``stats["skipped:not anatomy"]``. Deprecated
terms are counted under ``stats["deprecated_terms"]``.

A term that is the brain (``UBERON:0000955``) or has it among its ancestors
(which follow ``is_a`` and ``part_of``) carries the attribute
``brain_region: true``: the hippocampal formation, the substantia nigra, the
cerebral cortex and the brain's other parts and kinds.

Direct parents: the file's distance-1 ancestors mix ``is_a`` and ``part_of``
without saying which is which (the hippocampal formation's are "regional part
of brain", a superclass, and "pallium", a whole it is part of). Neither
``biolink:subclass_of`` nor ``biolink:part_of`` would be true of all of them,
so each becomes a ``biolink:related_to_at_concept_level`` edge: a relation
between the two terms as classes, which both kinds are.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.ontology_guide import Plan, Term, read_terms
from scidex.ingest.sources.ontology_guide import records as ontology_records
from scidex.kg.model import Edge, Entity

log = logging.getLogger(__name__)

MEMBER = "cellxgene_ontology_guide/data/UBERON-ontology-v2026-04-01.json.zst"
INFORES = "infores:uberon"
CATEGORY = "biolink:AnatomicalEntity"
PREDICATE = "biolink:related_to_at_concept_level"
ANATOMICAL_ENTITY = "UBERON:0001062"
BRAIN = "UBERON:0000955"
BRAIN_REGION = "brain_region"  # attribute name the brain-region pages look up
# Seven digits; one obsolete insect term of this release has eight.
ID_PATTERN = re.compile(r"^UBERON:[0-9]{7,8}$")


def _attributes(term: Term) -> dict[str, Any]:
    return {BRAIN_REGION: True} if term.has_ancestor_or_is(BRAIN) else {}


PLAN = Plan(
    infores=INFORES,
    predicate=PREDICATE,
    classify=lambda t: CATEGORY if t.has_ancestor_or_is(ANATOMICAL_ENTITY) else None,
    skip_reason="not anatomy",
    attributes=_attributes,
)


def parse(
    archive: Path, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """Yield every anatomical Uberon term, then an edge per direct parent."""
    yield from records(read_terms(archive, MEMBER, ID_PATTERN), release_id, stats=stats)


def records(
    terms: Iterable[Term], release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """The records of already decoded Uberon ``terms``."""
    stats = Counter() if stats is None else stats
    for record in ontology_records(terms, PLAN, release_id, stats):
        if isinstance(record, Entity) and record.attributes.get(BRAIN_REGION):
            stats["brain_regions"] += 1
        yield record
    log.info("uberon %s: %s", release_id, dict(sorted(stats.items())))


SOURCE = PinnedSource("uberon", parse)
