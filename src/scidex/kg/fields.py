"""The fields of an edge, declared once: their names in the store, the API and KGX.

Everything else that lists an edge's fields is derived from :data:`EDGE_FIELDS`
or checked against it (``tests/test_fields.py``): the ``edge`` table, the bulk
writer's column list (``store.bulk.EDGE_COLUMNS``), the KGX columns and names
and the TSV's multi-valued and JSON sets (``interchange``), an artifact's edges
TSV, the query records and the API models with their field descriptions. A
field added here and nowhere else fails those tests; so does one added
anywhere else but here.

Declared in the store's column order, which is also KGX's (less ``score``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

Kind = Literal["text", "curie", "list", "json", "float"]

# What each kind is in the query records and the API: lists of strings and
# JSON objects are decoded from the text the store keeps them as.
_TYPES: dict[str, Any] = {
    "text": str,
    "curie": str,
    "list": list[str],
    "json": dict[str, Any],
    "float": float,
}


@dataclass(frozen=True, slots=True)
class EdgeField:
    """One field of an edge.

    ``name`` is its name in the store, the model records and the API; ``kgx``
    its KGX column (None: not exported). ``multi`` says KGX holds it as a list
    (joined with ``|`` in TSV), as for every ``list`` field and for
    ``provided_by``, which the store keeps as one release. ``derived`` fields
    are computed by the store from the others, never read. ``listed`` fields
    are the ones a brief listing of edges shows (an artifact's edges TSV).
    """

    name: str
    kind: Kind
    description: str
    kgx: str | None
    multi: bool = False
    optional: bool = False  # may be null
    derived: bool = False
    listed: bool = False

    @property
    def annotation(self) -> Any:
        """Its Python type in the query records and the API models."""
        base = _TYPES[self.kind]
        return base | None if self.optional else base


EDGE_FIELDS: tuple[EdgeField, ...] = (
    EdgeField(
        "id",
        "text",
        "Deterministic id: the same statement from the same source is one edge.",
        kgx="id",
        derived=True,
        listed=True,
    ),
    EdgeField(
        "subject",
        "curie",
        "CURIE of the entity the statement is about.",
        kgx="subject",
        listed=True,
    ),
    EdgeField(
        "predicate",
        "curie",
        "The Biolink predicate.",
        kgx="predicate",
        listed=True,
    ),
    EdgeField(
        "object",
        "curie",
        "CURIE of the entity the predicate points to.",
        kgx="object",
        listed=True,
    ),
    EdgeField(
        "primary_knowledge_source",
        "curie",
        "infores: CURIE of the source that made the statement.",
        kgx="primary_knowledge_source",
        listed=True,
    ),
    EdgeField(
        "aggregator_knowledge_sources",
        "list",
        "infores: CURIEs of the sources that passed the statement on.",
        kgx="aggregator_knowledge_source",
        multi=True,
    ),
    EdgeField(
        "knowledge_level",
        "text",
        "Biolink knowledge level: how the statement was arrived at.",
        kgx="knowledge_level",
        listed=True,
    ),
    EdgeField(
        "agent_type",
        "text",
        "Biolink agent type: who or what made the statement.",
        kgx="agent_type",
        listed=True,
    ),
    EdgeField(
        "publications",
        "list",
        "CURIEs of the publications supporting the statement.",
        kgx="publications",
        multi=True,
        listed=True,
    ),
    EdgeField(
        "evidence_codes",
        "list",
        "Evidence codes of the statement (IDA, IEA, ...).",
        kgx="has_evidence",
        multi=True,
        listed=True,
    ),
    EdgeField(
        "qualifiers",
        "json",
        "Biolink qualifiers of the statement, by name.",
        kgx="qualifiers",
    ),
    EdgeField(
        "confidence",
        "float",
        "The source's own confidence in the statement, where it gives one.",
        kgx="confidence",
        optional=True,
    ),
    EdgeField(
        "source_release",
        "text",
        "The source release the edge came from.",
        kgx="provided_by",  # a list in KGX; the store keeps its first
        multi=True,
        optional=True,
        listed=True,
    ),
    EdgeField(
        "score",
        "float",
        "Evidence score: an ordering key, not a probability.",  # model.evidence_score
        kgx=None,
        derived=True,
    ),
)

EDGE_FIELD: MappingProxyType[str, EdgeField] = MappingProxyType({f.name: f for f in EDGE_FIELDS})
"""Each field by its name."""

# The ``edge`` table's columns, in order (``store.bulk`` writes rows in it).
COLUMNS: tuple[str, ...] = tuple(f.name for f in EDGE_FIELDS)
# KGX edge columns, in the order the export writes them.
KGX_COLUMNS: tuple[str, ...] = tuple(f.kgx for f in EDGE_FIELDS if f.kgx is not None)
# KGX columns a reader gives as lists, and those holding a JSON object.
KGX_MULTI: frozenset[str] = frozenset(f.kgx for f in EDGE_FIELDS if f.kgx and f.multi)
KGX_JSON: frozenset[str] = frozenset(f.kgx for f in EDGE_FIELDS if f.kgx and f.kind == "json")
# The KGX columns an edge is read from: all but the derived ones (the id).
KGX_READ: tuple[str, ...] = tuple(f.kgx for f in EDGE_FIELDS if f.kgx and not f.derived)
