"""An entity's phenotypes grouped by organ system, the way HPO and Monarch group them.

The HPO build gives every phenotypic abnormality its ``hpo_branches``: the
terms right below "Phenotypic abnormality" (HP:0000118) it falls under, such
as "Abnormality of the nervous system". A gene's or a disease's phenotypes
are counted per branch, each branch with its best-supported few.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select

from scidex.queries.graph import entity_names, group_size
from scidex.store.schema import edge, entity

HAS_PHENOTYPE = "biolink:has_phenotype"


@dataclass(frozen=True, slots=True)
class PhenotypeSystem:
    id: str
    name: str
    count: int
    """Distinct phenotypes of the entity under this branch."""
    examples: tuple[tuple[str, str], ...]
    """(id, name) of its first few phenotypes, best-supported first."""


_PHENOTYPES = (
    select(entity.c.id, entity.c.name, entity.c.attributes)
    .select_from(edge)
    .join(entity, entity.c.id == edge.c.object)
    .where(edge.c.subject == bindparam("curie"), edge.c.predicate == HAS_PHENOTYPE)
    .order_by(edge.c.score.desc(), edge.c.id)
)


def phenotype_systems(
    conn: Connection, curie: str, *, examples: int = 3, cap: int = 5000
) -> list[PhenotypeSystem]:
    """``curie``'s phenotypes per HPO branch, the largest branch first.

    Reads the entity's phenotype edges once; entities with more than ``cap``
    of them answer ``[]`` rather than read them all on a page view.
    """
    size = group_size(conn, curie, "out", HAS_PHENOTYPE)
    if not size or size > cap:
        return []
    members: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for pid, name, attributes in conn.execute(_PHENOTYPES, {"curie": curie}):
        if pid in seen:
            continue
        seen.add(pid)
        for branch in _branches(attributes):
            members.setdefault(branch, []).append((pid, name))
    if not members:
        return []
    names = entity_names(conn, members)
    systems = [
        PhenotypeSystem(b, names.get(b, b), len(found), tuple(found[:examples]))
        for b, found in members.items()
    ]
    return sorted(systems, key=lambda s: (-s.count, s.name))


def _branches(attributes: Any) -> list[str]:
    # Most phenotype terms carry few attributes; skip the JSON parse when none is a branch.
    if not attributes or "hpo_branches" not in attributes:
        return []
    found = json.loads(attributes).get("hpo_branches") or []
    return [str(b) for b in found]


def system_label(name: str) -> str:
    """How a sentence names a branch: "Abnormality of the nervous system" -> "the nervous
    system", "Growth abnormality" -> "growth abnormality"."""
    if name.startswith("Abnormality of "):
        return name.removeprefix("Abnormality of ")
    return name[:1].lower() + name[1:]
