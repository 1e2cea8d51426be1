"""Graph queries over a store: counts, neighbourhoods, paths. Pages and the API share these."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from .store.schema import artifact, edge, entity, source_release


@dataclass(frozen=True, slots=True)
class AtlasCounts:
    entities: int
    edges: int
    artifacts: int
    source_releases: int
    entities_by_category: dict[str, int]


def atlas_counts(conn: Connection) -> AtlasCounts:
    """Totals for the whole store, computed on every call (never cached by hand)."""
    by_category = dict(
        conn.execute(
            select(entity.c.category, func.count())
            .where(entity.c.lifecycle == "active")
            .group_by(entity.c.category)
            .order_by(func.count().desc())
        ).all()
    )
    return AtlasCounts(
        entities=sum(by_category.values()),
        edges=conn.execute(select(func.count()).select_from(edge)).scalar_one(),
        artifacts=conn.execute(select(func.count()).select_from(artifact)).scalar_one(),
        source_releases=conn.execute(select(func.count()).select_from(source_release)).scalar_one(),
        entities_by_category=by_category,
    )
