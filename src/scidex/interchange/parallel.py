"""Edge rows built in a second process while this one writes them.

Turning a KGX edge line into a table row (parsing, validation, the edge
id's hash, its evidence score) costs about as much as writing the row. With
two cores one process can do the first while the other does the second:
the child reads the edges file and sends rows back in pickled batches, the
parent only writes. The child is spawned (not forked: the parent may hold
database connections and threads) at the start of an import, so that its
start-up overlaps the parent's work on the nodes; it waits for the set of
known node ids before it reads a line.

Nothing about validation changes: the child runs the same :class:`EdgeRows`
and the same reader. A bad row in strict mode is raised in the parent with
its file, line and field, so the caller's transaction rolls back as it
would have; in lenient mode the rejected rows travel with the batches and
are recorded by the parent in file order.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..sources.errors import SourceFormatError

BATCH_ROWS = 10_000


def _produce(conn: Connection, edges: str, release_id: str) -> None:
    """The child: wait for the known ids, then send ("rows", rows, rejected) batches."""
    from . import FORMATS, format_of
    from .kgx import EdgeRows

    try:
        known = conn.recv()
        if known is None:  # the parent gave up before the edges
            return
        path = Path(edges)
        to_row = EdgeRows(path, release_id, known)
        rows: list[tuple[Any, ...]] = []
        rejected: list[SourceFormatError] = []
        for line, row in FORMATS[format_of(path)][0](path):
            try:
                rows.append(to_row(line, row))
            except SourceFormatError as exc:
                rejected.append(exc)
            if len(rows) + len(rejected) >= BATCH_ROWS:
                conn.send(("rows", rows, rejected))
                rows, rejected = [], []
        conn.send(("rows", rows, rejected))
        conn.send(("done",))
    except BaseException as exc:  # everything goes back to the parent
        try:
            conn.send(("error", exc))
        except Exception:  # not picklable: send what it said
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


class EdgeRowProcess:
    """A child process turning one KGX edges file into ``edge`` rows.

    Use as a context manager: leaving it stops the child whatever happened.
    """

    def __init__(self, edges: Path, release_id: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_produce,
            args=(child, str(edges), release_id),
            name="scidex-kgx-edges",
            daemon=True,
        )
        self._proc.start()
        child.close()
        self._started = False

    def rows(
        self, known: set[str], rejected: Callable[[SourceFormatError], None]
    ) -> Iterator[tuple[Any, ...]]:
        """Rows in file order; each bad row goes to ``rejected``, which raises in strict mode."""
        self._conn.send(known)
        self._started = True
        while True:
            try:
                message = self._conn.recv()
            except EOFError:
                self._proc.join(5)
                raise RuntimeError(
                    f"the process reading edges stopped (exit code {self._proc.exitcode})"
                ) from None
            if message[0] == "rows":
                _, rows, bad = message
                for exc in bad:
                    rejected(exc)
                yield from rows
            elif message[0] == "done":
                return
            else:
                raise message[1]

    def close(self) -> None:
        if self._proc.is_alive():
            if not self._started:
                self._conn.send(None)
            self._proc.join(1)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join()
        self._conn.close()

    def __enter__(self) -> EdgeRowProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
