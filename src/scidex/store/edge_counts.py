"""The ``edge_count`` summary: edges per entity, direction, predicate and source release;
and ``partner_count``: distinct other ends per entity, direction and predicate.

Pages and the API read counts from them in one indexed lookup, so a hub with
100,000 edges costs what a leaf costs. They are derived data: every code path
that writes or deletes edges refreshes them in the same transaction, either
for the entities it touched or (after bulk deletes) entirely, and tests
compare them with direct counts over ``edge``. Edges and partners differ where
several sources state one partner; a symmetric predicate's partners are also
counted over both directions together (``both``), as a page lists them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection, text

from scidex.kg import biolink
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
    refresh_partners_all(conn)


def _symmetric() -> str:
    """The symmetric predicates as an SQL list (names of the pinned model: no quoting)."""
    return ", ".join(f"'{p}'" for p in sorted(biolink.symmetric_predicates()))


def _partner_inserts(subject_in: str = "", object_in: str = "") -> list[str]:
    """The statements that count partners, over all edges or those of some entities."""
    head = "INSERT INTO partner_count (entity_id, direction, predicate, n) "
    where_s = f"WHERE subject IN ({subject_in})" if subject_in else ""
    where_o = f"WHERE object IN ({object_in})" if object_in else ""
    sym = _symmetric()
    and_s = f"AND subject IN ({subject_in})" if subject_in else ""
    and_o = f"AND object IN ({object_in})" if object_in else ""
    return [
        head + "SELECT subject, 'out', predicate, count(DISTINCT object) FROM edge "
        f"{where_s} GROUP BY subject, predicate",
        head + "SELECT object, 'in', predicate, count(DISTINCT subject) FROM edge "
        f"{where_o} GROUP BY object, predicate",
        head + "SELECT e, 'both', predicate, count(DISTINCT o) FROM ("
        f"SELECT subject AS e, predicate, object AS o FROM edge WHERE predicate IN ({sym}) "
        f"{and_s} UNION ALL "
        f"SELECT object, predicate, subject FROM edge WHERE predicate IN ({sym}) {and_o}"
        ") AS ends GROUP BY e, predicate",
    ]


def refresh_partners_all(conn: Connection) -> None:
    conn.execute(text("DELETE FROM partner_count"))
    for statement in _partner_inserts():
        conn.execute(text(statement))


def refresh(conn: Connection, entity_ids: Iterable[str]) -> int:
    """Recount the edges of these entities (index range scans, batched)."""
    ids = sorted(set(entity_ids))
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        params = {f"e{i}": v for i, v in enumerate(chunk)}
        inlist = ", ".join(f":e{i}" for i in range(len(chunk)))
        conn.execute(text(f"DELETE FROM edge_count WHERE entity_id IN ({inlist})"), params)
        conn.execute(text(f"DELETE FROM partner_count WHERE entity_id IN ({inlist})"), params)
        for statement in _partner_inserts(inlist, inlist):
            conn.execute(text(statement), params)
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
        # Distinct partners need the pairs, not a count of them: counted in SQL.
        refresh_partners_all(conn)
