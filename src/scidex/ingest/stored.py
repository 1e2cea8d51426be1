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

from sqlalchemy import Connection, and_, not_, or_, select, true

from scidex.kg.model import Entity
from scidex.store.schema import entity, entity_name, entity_xref


def stored_entities(conn: Connection, rebuilt: Iterable[str]) -> list[Entity]:
    """The active stored entities not defined by a source in ``rebuilt`` (by source name)."""
    # Kept: active entities whose release is of no rebuilt source (or of none).
    kept_where = and_(
        entity.c.lifecycle == "active",
        or_(
            entity.c.source_release.is_(None),
            not_(
                or_(
                    *[
                        entity.c.source_release.startswith(f"{n}@", autoescape=True)
                        for n in sorted(set(rebuilt))
                    ]
                )
            )
            if rebuilt
            else true(),
        ),
    )
    rows = conn.execute(
        select(
            entity.c.id,
            entity.c.category,
            entity.c.name,
            entity.c.symbol,
            entity.c.description,
            entity.c.attributes,
            entity.c.source_release,
        ).where(kept_where)
    ).all()
    if not rows:
        return []
    # Names and xrefs of the kept entities only, filtered by the database: a
    # full rebuild keeps a handful (curated, imported) out of millions of rows.
    names: defaultdict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for eid, name, kind in conn.execute(
        select(entity_name.c.entity_id, entity_name.c.name, entity_name.c.kind)
        .join(entity, entity.c.id == entity_name.c.entity_id)
        .where(kept_where, entity_name.c.kind.in_(("synonym", "previous_symbol")))
    ):
        names[eid][kind].append(name)
    xrefs: defaultdict[str, list[str]] = defaultdict(list)
    for eid, xref in conn.execute(
        select(entity_xref.c.entity_id, entity_xref.c.xref)
        .join(entity, entity.c.id == entity_xref.c.entity_id)
        .where(kept_where)
    ):
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
        for r in rows
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
