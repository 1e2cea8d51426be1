"""Rows into a table in bulk, inside the caller's transaction: ``executemany`` on SQLite,
``COPY`` through a temporary table on PostgreSQL. The lowest writer of the store: bulk loads,
edge counts and the registry all go through it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Connection

BATCH_SIZE = 20_000


def batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def executemany(raw: Any, sql: str, rows: Iterable[tuple[Any, ...]]) -> int:
    """Run ``sql`` over ``rows`` in batches on a raw SQLite connection; returns the rows sent."""
    total = 0
    cur = raw.cursor()
    try:
        for batch in batches(rows, BATCH_SIZE):
            cur.executemany(sql, batch)
            total += len(batch)
    finally:
        cur.close()
    return total


def upsert_rows(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    key: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    update: bool = True,
    keep: Sequence[str] = (),
    changed_only: bool = False,
) -> int:
    """Insert ``rows`` into ``table``; on a key conflict update (or keep) the stored row.

    With ``update``, every non-key column is overwritten except those in ``keep``;
    with ``changed_only`` too, only rows that differ are (a rewrite that restates
    most rows then writes none of them: PostgreSQL keeps no dead copy of each).

    Returns the number of rows sent. Runs inside the caller's transaction.
    """
    # Quoted: some column names ("fetch") are reserved words on PostgreSQL.
    cols = ", ".join(f'"{c}"' for c in columns)
    keys = ", ".join(f'"{c}"' for c in key)
    non_key = [c for c in columns if c not in key and c not in keep]
    if update and non_key:
        action = "DO UPDATE SET " + ", ".join(f'"{c}" = excluded."{c}"' for c in non_key)
        if changed_only:
            differs = "IS NOT" if conn.dialect.name == "sqlite" else "IS DISTINCT FROM"
            action += " WHERE " + " OR ".join(
                f'{table}."{c}" {differs} excluded."{c}"' for c in non_key
            )
    else:
        action = "DO NOTHING"
    raw = conn.connection.driver_connection
    assert raw is not None
    total = 0
    if conn.dialect.name == "sqlite":
        placeholders = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({cols}) VALUES ({placeholders}) ON CONFLICT ({keys}) {action}"
        return executemany(raw, sql, rows)
    tmp = f"_bulk_{table}"
    with raw.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {tmp} (LIKE {table} INCLUDING DEFAULTS) "
            "ON COMMIT DROP"
        )
        for batch in batches(rows, BATCH_SIZE * 5):
            cur.execute(f"TRUNCATE {tmp}")
            with cur.copy(f"COPY {tmp} ({cols}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
            # DISTINCT ON: a batch may repeat a key, which ON CONFLICT DO UPDATE refuses.
            # ctid DESC keeps the last copy, as executemany on SQLite would.
            cur.execute(
                f"INSERT INTO {table} ({cols}) SELECT DISTINCT ON ({keys}) {cols} FROM {tmp} "
                f"ORDER BY {keys}, ctid DESC ON CONFLICT ({keys}) {action}"
            )
            total += len(batch)
    return total
