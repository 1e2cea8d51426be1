"""Gene associations of diseases rolled up through their subtypes (``disease_gene_rollup``).

A ``gene_associated_with_condition`` edge ``gene -> D`` counts for ``D`` and for
every ancestor of ``D`` along ``subclass_of`` (subtype -> parent), at any
depth, as Monarch rolls them up. The table holds one row per (disease, gene,
subtype, edge), so a disease page reads its genes in one indexed lookup.

Both refreshes are one ``WITH RECURSIVE`` statement each, on SQLite and on
PostgreSQL alike. ``UNION`` (not ``UNION ALL``) keeps each (ancestor, subtype)
pair once, so a cycle in ``subclass_of`` ends the walk instead of looping.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, text

from scidex.store.schema import disease_gene_rollup

ASSOCIATION = "biolink:gene_associated_with_condition"
SUBCLASS_OF = "biolink:subclass_of"
PREDICATES = (ASSOCIATION, SUBCLASS_OF)  # the edges the roll-up is derived from

# Every disease with an association, walked up to all its ancestors.
_ALL = f"""
INSERT INTO disease_gene_rollup (disease_id, gene_id, via_id, edge_id, inherited)
WITH RECURSIVE up(disease_id, via_id) AS (
    SELECT DISTINCT object, object FROM edge WHERE predicate = '{ASSOCIATION}'
    UNION
    SELECT e.object, up.via_id FROM up
    JOIN edge e ON e.subject = up.disease_id AND e.predicate = '{SUBCLASS_OF}'
)
SELECT up.disease_id, a.subject, up.via_id, a.id,
       CASE WHEN up.disease_id = up.via_id THEN 0 ELSE 1 END
FROM up JOIN edge a ON a.object = up.via_id AND a.predicate = '{ASSOCIATION}'
"""

# The given diseases, walked down to all their descendants.
_SOME = f"""
INSERT INTO disease_gene_rollup (disease_id, gene_id, via_id, edge_id, inherited)
WITH RECURSIVE down(disease_id, via_id) AS (
    SELECT id, id FROM entity WHERE id IN :ids
    UNION
    SELECT down.disease_id, e.subject FROM down
    JOIN edge e ON e.object = down.via_id AND e.predicate = '{SUBCLASS_OF}'
)
SELECT down.disease_id, a.subject, down.via_id, a.id,
       CASE WHEN down.disease_id = down.via_id THEN 0 ELSE 1 END
FROM down JOIN edge a ON a.object = down.via_id AND a.predicate = '{ASSOCIATION}'
"""

# The given diseases and all their ancestors.
_ANCESTORS = f"""
WITH RECURSIVE up(id) AS (
    SELECT id FROM entity WHERE id IN :ids
    UNION
    SELECT e.object FROM up JOIN edge e ON e.subject = up.id AND e.predicate = '{SUBCLASS_OF}'
)
SELECT id FROM up
"""


def refresh_all(conn: Connection) -> int:
    """Rebuild the whole table from the edges; returns its row count."""
    conn.execute(disease_gene_rollup.delete())
    return conn.execute(text(_ALL)).rowcount or 0


def refresh(conn: Connection, diseases: Iterable[str]) -> int:
    """Refresh the rows of ``diseases`` and of all their ancestors; returns rows written.

    ``diseases``: those whose associations or ``subclass_of`` edges changed
    (for ``A subclass_of B``, B). Anything not an entity is ignored.
    """
    ids = sorted(set(diseases))
    if not ids:
        return 0
    up = text(_ANCESTORS).bindparams(bindparam("ids", expanding=True))
    affected = sorted(conn.execute(up, {"ids": ids}).scalars())
    written = 0
    for start in range(0, len(affected), 500):
        chunk = affected[start : start + 500]
        conn.execute(
            disease_gene_rollup.delete().where(disease_gene_rollup.c.disease_id.in_(chunk))
        )
        down = text(_SOME).bindparams(bindparam("ids", expanding=True))
        written += conn.execute(down, {"ids": chunk}).rowcount or 0
    return written
