"""Failed sign-ins, counted in the store per account name and per client address.

The counters live in the ``login_throttle`` table so that every server process
(``scidex serve --workers N`` on PostgreSQL) sees the same ones. After
``Limit.failures`` failures a key is locked: the next attempt is refused
without checking the password, for ``base`` seconds, doubling with each
further failure up to ``cap``. A key is forgotten ``idle`` seconds after its
last failure or the end of its lock, whichever is later; such rows are pruned
on the next failure, so the table holds only recent failures. A successful
sign-in clears the account's counter, not the address's (else one account of
one's own would reset the address between guesses at another's password).
Unknown usernames are counted like known ones, so a lock tells nothing about
whether an account exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from scidex.store import Store
from scidex.store.schema import login_throttle


@dataclass(frozen=True, slots=True)
class Limit:
    failures: int  # failures allowed before the key is locked
    base: float  # the first lock, in seconds; it doubles with each further failure
    cap: float  # the longest lock
    idle: float  # after this long without a failure (or lock) the counter starts again


# Per account name: 5 failures, then 30 s, 60 s, 2 min, ... up to 15 min.
ACCOUNT = Limit(failures=5, base=30.0, cap=900.0, idle=900.0)
# Per client address: more room, since several people may share one address.
ADDRESS = Limit(failures=20, base=30.0, cap=900.0, idle=900.0)

_KEEP = max(ACCOUNT.cap + ACCOUNT.idle, ADDRESS.cap + ADDRESS.idle)
_MAX_DOUBLINGS = 20


class Throttled(Exception):
    """Too many failed sign-ins: the attempt is refused for ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} seconds")
        self.retry_after = retry_after


def keys(username: str, address: str | None) -> list[tuple[str, Limit]]:
    """The counters one attempt touches: its account name's and its client address's."""
    out = [(f"account:{username.strip().lower()[:100]}", ACCOUNT)]
    if address:
        out.append((f"ip:{address[:64]}", ADDRESS))
    return out


def check(store: Store, counted: list[tuple[str, Limit]], now: float) -> None:
    """Raise Throttled while any of the keys is locked."""
    with store.read() as conn:
        until = conn.execute(
            select(login_throttle.c.locked_until).where(
                login_throttle.c.key.in_([k for k, _ in counted]),
                login_throttle.c.locked_until > now,
            )
        ).scalars()
        latest = max(until, default=None)
    if latest is not None:
        raise Throttled(max(1, math.ceil(latest - now)))


def _ensure_row(conn: Connection, key: str, now: float) -> None:
    values = {"key": key, "failures": 0, "last_failure": now, "locked_until": 0.0}
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(login_throttle).values(**values).on_conflict_do_nothing())


def record_failure(store: Store, counted: list[tuple[str, Limit]], now: float) -> None:
    """Count a failed attempt against every key, locking those past their limit."""
    with store.atomic(content=False) as conn:
        conn.execute(delete(login_throttle).where(login_throttle.c.last_failure < now - _KEEP))
        for key, limit in counted:
            _ensure_row(conn, key, now)
            row = conn.execute(
                select(login_throttle).where(login_throttle.c.key == key).with_for_update()
            ).one()
            failures = row.failures
            if now > max(row.last_failure, row.locked_until) + limit.idle:
                failures = 0
            failures += 1
            locked_until = row.locked_until
            if failures >= limit.failures:
                doublings = min(failures - limit.failures, _MAX_DOUBLINGS)
                locked_until = now + min(limit.base * 2**doublings, limit.cap)
            conn.execute(
                update(login_throttle)
                .where(login_throttle.c.key == key)
                .values(failures=failures, last_failure=now, locked_until=locked_until)
            )


def clear(store: Store, key: str) -> None:
    """Forget a key's failures (after a successful sign-in to that account)."""
    with store.atomic(content=False) as conn:
        conn.execute(delete(login_throttle).where(login_throttle.c.key == key))
