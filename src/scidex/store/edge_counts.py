"""The ``edge_count`` summary: edges per entity, direction, predicate and source release.

Pages and the API read counts from it in one indexed lookup, so a hub with
100,000 edges costs what a leaf costs. It is derived data: every code path
that writes or deletes edges refreshes it in the same transaction, either
for the entities it touched or (after bulk deletes) entirely, and tests
compare it with direct counts over ``edge``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection, text

from scidex.store.rows import upsert_rows

_BATCH = 500


def refresh_all(conn: Connection) -> None:
    conn.execute(text("DELETE FROM edge_count"))
    for side, direction in (("subject", "out"), ("object", "in")):
        conn.execute(
            text(
                "INSERT INTO edge_count (entity_id, direction, predicate, source_release, n) "
                f"SELECT {side}, '{direction}', predicate, coalesce(source_release, ''), count(*) "
                f"FROM edge GROUP BY {side}, predicate, coalesce(source_release, '')"
            )
        )


def refresh(conn: Connection, entity_ids: Iterable[str]) -> int:
    """Recount the edges of these entities (index range scans, batched)."""
    ids = sorted(set(entity_ids))
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        params = {f"e{i}": v for i, v in enumerate(chunk)}
        inlist = ", ".join(f":e{i}" for i in range(len(chunk)))
        conn.execute(text(f"DELETE FROM edge_count WHERE entity_id IN ({inlist})"), params)
        for side, direction in (("subject", "out"), ("object", "in")):
            conn.execute(
                text(
                    "INSERT INTO edge_count (entity_id, direction, predicate, source_release, n) "
                    f"SELECT {side}, '{direction}', predicate, coalesce(source_release, ''), "
                    f"count(*) FROM edge WHERE {side} IN ({inlist}) "
                    f"GROUP BY {side}, predicate, coalesce(source_release, '')"
                ),
                params,
            )
    return len(ids)


class Tally:
    """Counts kept while edges stream into an empty table, written in one go.

    Recounting a freshly loaded million-edge table costs two sorts of it;
    counting the rows on their way in costs a dictionary update each.
    """

    def __init__(self) -> None:
        self.out: Counter[tuple[str, str, str]] = Counter()
        self.into: Counter[tuple[str, str, str]] = Counter()
        self.rows = 0

    def add(
        self,
        subjects: list[str],
        predicates: list[str],
        objects: list[str],
        releases: list[str | None],
    ) -> None:
        """Count a batch of edges, given column by column (Counter counts in C)."""
        rel = [r or "" for r in releases]
        self.out.update(zip(subjects, predicates, rel, strict=True))
        self.into.update(zip(objects, predicates, rel, strict=True))
        self.rows += len(subjects)

    def write(self, conn: Connection, *, was_empty: bool) -> None:
        """Store the tally, or recount when it cannot be the table's whole truth.

        It is exact only when the table was empty before the load and every
        row counted is a distinct stored edge (no id repeated in the input).
        """
        stored = conn.exec_driver_sql("SELECT count(*) FROM edge").scalar_one()
        if not was_empty or stored != self.rows:
            refresh_all(conn)
            return
        conn.execute(text("DELETE FROM edge_count"))
        rows = [(e, "out", p, r, n) for (e, p, r), n in self.out.items()]
        rows += [(e, "in", p, r, n) for (e, p, r), n in self.into.items()]
        upsert_rows(
            conn,
            "edge_count",
            ("entity_id", "direction", "predicate", "source_release", "n"),
            ("entity_id", "direction", "predicate", "source_release"),
            rows,
        )
