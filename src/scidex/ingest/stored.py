"""What a partial build keeps: the stored entities of the sources it does not rebuild.

``scidex build --source hpo`` re-parses HPO alone, but HPO names its diseases
by OMIM number and its genes by NCBI Gene id; what they resolve to (MONDO
diseases, HGNC genes) is in the store, written by earlier builds of the other
sources. Those stored entities join the build as anchors: they claim ids
through their xrefs exactly as in a full build, and edges may end at them, so
a one-source rebuild writes the same graph as a full one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from scidex.kg.model import Entity
from scidex.store.schema import entity, entity_name, entity_xref


def _source_of(release: str | None) -> str | None:
    return release.split("@", 1)[0] if release else None


def stored_entities(conn: Connection, rebuilt: Iterable[str]) -> list[Entity]:
    """The active stored entities not defined by a source in ``rebuilt`` (by source name)."""
    skip = set(rebuilt)
    rows = conn.execute(
        select(
            entity.c.id,
            entity.c.category,
            entity.c.name,
            entity.c.symbol,
            entity.c.description,
            entity.c.attributes,
            entity.c.source_release,
        ).where(entity.c.lifecycle == "active")
    ).all()
    kept = {r.id: r for r in rows if _source_of(r.source_release) not in skip}
    if not kept:
        return []
    names: defaultdict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for eid, name, kind in conn.execute(
        select(entity_name.c.entity_id, entity_name.c.name, entity_name.c.kind)
    ):
        if eid in kept and kind in {"synonym", "previous_symbol"}:
            names[eid][kind].append(name)
    xrefs: defaultdict[str, list[str]] = defaultdict(list)
    for eid, xref in conn.execute(select(entity_xref.c.entity_id, entity_xref.c.xref)):
        if eid in kept:
            xrefs[eid].append(xref)
    return [
        Entity(
            id=r.id,
            category=r.category,
            name=r.name,
            symbol=r.symbol,
            description=r.description,
            synonyms=tuple(names[r.id]["synonym"]),
            previous_symbols=tuple(names[r.id]["previous_symbol"]),
            xrefs=tuple(sorted(xrefs[r.id])),
            attributes=json.loads(r.attributes or "{}"),
            source_release=r.source_release,
        )
        for r in kept.values()
    ]


def stored_attributes(conn: Connection, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored attributes of the entities ``ids`` (those stored), by id."""
    out: dict[str, dict[str, Any]] = {}
    wanted = list(ids)
    for i in range(0, len(wanted), 5000):
        chunk = wanted[i : i + 5000]
        for eid, attrs in conn.execute(
            select(entity.c.id, entity.c.attributes).where(entity.c.id.in_(chunk))
        ):
            out[eid] = json.loads(attrs or "{}")
    return out
