"""Plain records shared by every layer: no I/O here.

Source parsers yield these, the ingest path normalises them, the store keeps
them, and the web layer renders them. Identifiers are CURIEs throughout.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# Biolink knowledge levels and agent types (biolink-model 4.x enumerations).
KNOWLEDGE_LEVELS = frozenset(
    {
        "knowledge_assertion",
        "logical_entailment",
        "prediction",
        "statistical_association",
        "observation",
        "not_provided",
    }
)
AGENT_TYPES = frozenset(
    {
        "manual_agent",
        "automated_agent",
        "data_analysis_pipeline",
        "computational_model",
        "text_mining_agent",
        "image_processing_agent",
        "manual_validation_of_automated_agent",
        "not_provided",
    }
)


def edge_id(subject: str, predicate: str, object: str, primary_knowledge_source: str) -> str:
    """Deterministic edge id: the same statement from the same source is one edge.

    96 bits of SHA-256 keep collisions negligible at 10^7-10^8 edges while
    staying short enough to index cheaply.
    """
    key = f"{subject}\x1f{predicate}\x1f{object}\x1f{primary_knowledge_source}"
    return "E" + hashlib.sha256(key.encode()).hexdigest()[:24]


def qualified_edge_id(
    subject: str,
    predicate: str,
    object: str,
    primary_knowledge_source: str,
    qualifiers: dict[str, Any],
) -> str:
    """:func:`edge_id` with the qualifiers part of the statement's identity.

    Two edges of an imported graph that differ only in their qualifiers (a
    phenotype's frequency in two cohorts) are two statements. Without
    qualifiers it is :func:`edge_id`, so unqualified edges keep their ids.
    """
    if not qualifiers:
        return edge_id(subject, predicate, object, primary_knowledge_source)
    canonical = json.dumps(qualifiers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    key = f"{subject}\x1f{predicate}\x1f{object}\x1f{primary_knowledge_source}\x1f{canonical}"
    return "E" + hashlib.sha256(key.encode()).hexdigest()[:24]


_LEVEL_WEIGHT = {
    "knowledge_assertion": 2.0,
    "logical_entailment": 1.0,
    "statistical_association": 1.0,
    "observation": 1.0,
    "prediction": 0.5,
    "not_provided": 0.0,
}
CURATED_SOURCE = "infores:scidex"


def evidence_score(
    knowledge_level: str,
    agent_type: str,
    publications: Sequence[str],
    evidence_codes: Sequence[str],
    primary_knowledge_source: str,
) -> float:
    """How strongly an edge is supported, for ordering neighbourhoods and diagrams.

    Curated statements (written by editors with their publications) come
    first; then asserted over inferred knowledge, manual over automated
    curation, and more publications and non-electronic evidence codes. It is
    an ordering key, not a probability.
    """
    score = _LEVEL_WEIGHT.get(knowledge_level, 0.0)
    n = len(publications)
    score += 0.5 * (n if n < 10 else 10)
    if evidence_codes:
        n = len(evidence_codes) - evidence_codes.count("IEA")
        score += 0.3 * (n if n < 5 else 5)
    if agent_type == "manual_agent":
        score += 1.0
    if primary_knowledge_source == CURATED_SOURCE:
        score += 100.0
    return round(score, 2)


@dataclass(slots=True)
class Entity:
    """A knowledge-graph node.

    ``id`` is a CURIE in the source's own namespace until ingest maps it onto
    the canonical one (``NCBIGene:571`` -> ``HGNC:935``). ``attributes`` holds
    category-specific facts (``chromosome_location``, ``locus_group``,
    ``namespace``, ...) as JSON-serialisable values.
    """

    id: str
    category: str
    name: str
    symbol: str | None = None
    description: str | None = None
    synonyms: tuple[str, ...] = ()
    previous_symbols: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)
    source_release: str | None = None


@dataclass(slots=True)
class EntityPatch:
    """Facts one source adds to an entity another source defines.

    NCBI Gene adds the cytogenetic location and OMIM numbers to the HGNC gene
    with the same NCBIGene id; ingest resolves ``id`` through the xrefs.
    """

    id: str
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)
    source_release: str | None = None


@dataclass(slots=True)
class EntityPublications:
    """The papers a source links to one entity, by PubMed id.

    ``id`` is in the source's own namespace, as with :class:`EntityPatch`
    (NCBI Gene's gene-to-PubMed table says ``NCBIGene:571``); ingest maps it
    onto the canonical entity and stores one row per (entity, PMID) in its
    own table, outside the edge table. ``pmids`` are PubMed ids as integers.
    A source yields these after its edges.
    """

    id: str
    pmids: tuple[int, ...]
    source_release: str | None = None


@dataclass(slots=True)
class Edge:
    """A statement ``subject predicate object`` with Biolink provenance."""

    subject: str
    predicate: str
    object: str
    primary_knowledge_source: str
    knowledge_level: str = "not_provided"
    agent_type: str = "not_provided"
    aggregator_knowledge_sources: tuple[str, ...] = ()
    publications: tuple[str, ...] = ()
    evidence_codes: tuple[str, ...] = ()
    qualifiers: dict[str, Any] = field(default_factory=dict)
    confidence: float | None = None
    source_release: str | None = None

    @property
    def id(self) -> str:
        return edge_id(self.subject, self.predicate, self.object, self.primary_knowledge_source)

    @property
    def score(self) -> float:
        return evidence_score(
            self.knowledge_level,
            self.agent_type,
            self.publications,
            self.evidence_codes,
            self.primary_knowledge_source,
        )


@dataclass(slots=True)
class SourceRelease:
    """One pinned release of a public source, and what it produced."""

    id: str  # e.g. "hgnc@2026-06"
    name: str
    infores: str
    version: str
    license: str
    attribution: str = ""
    fetch: str = ""  # the command that fetched the archive
    archive: str = ""  # file name of the archive
    sha256: str = ""
    fetched_at: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    biolink_version: str = ""  # the Biolink model an imported graph states it follows


@dataclass(slots=True)
class Artifact:
    """Anything citable: a wiki page, a paper, a dataset, a KG edge."""

    id: str
    type: str
    title: str
    slug: str | None = None
    kg_node_id: str | None = None
    entity_type: str | None = None
    origin_type: str = "curated"
    lifecycle: str = "active"
    merged_into: str | None = None
    merged_from: tuple[str, ...] = ()
    schema_version: int = 1
    current_version: int = 0
    created_at: str | None = None
    updated_at: str | None = None
    created_by: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Revision:
    """An artifact's content at one version; revisions are never overwritten."""

    artifact_id: str
    version: int
    markdown: str
    references: dict[str, Any] = field(default_factory=dict)  # CSL-JSON by citation key
    summary: str = ""
    author: str = "system"
    created_at: str | None = None
    content_hash: str = ""
    parent_version: int | None = None


@dataclass(slots=True)
class Link:
    """A provenance edge between artifacts."""

    source: str
    link_type: str  # derives_from | cites | supersedes | embeds | mentions
    target: str
    created_by: str = "system"
    created_at: str | None = None


LINK_TYPES = frozenset({"derives_from", "cites", "supersedes", "embeds", "mentions"})
