"""Edge rows built in a second process while this one writes them.

Turning a KGX edge line into a table row (parsing, validation, the edge
id's hash, its evidence score) costs about as much as writing the row. With
two cores one process can do the first while the other does the second:
the child reads the edges file and sends rows back in pickled batches, the
parent only writes.

The child is a fresh interpreter (``python -m scidex.interchange.parallel``)
rather than a ``multiprocessing`` process: forking would copy the parent's
database connections and threads, and ``multiprocessing``'s spawn re-runs
the caller's main script, which breaks scripts without a ``__main__``
guard. It is started at the beginning of an import, so that its start-up
overlaps the parent's work on the nodes, and waits for the set of known
node ids before it reads a line.

Nothing about validation changes: the child runs the same :class:`EdgeRows`
and the same reader. A bad row is sent back and raised (strict) or recorded
(lenient) by the parent, in file order, so the caller's transaction rolls
back as it would have.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from ..sources.errors import SourceFormatError

BATCH_ROWS = 10_000
_PROTOCOL = pickle.HIGHEST_PROTOCOL


def produce(edges: Path, release_id: str, inp: IO[bytes], out: IO[bytes]) -> None:
    """The child's work: read the known ids from ``inp``, write batches of rows to ``out``.

    Messages are pickles, one after another: ``("rows", rows, rejected)``,
    then ``("done",)`` or ``("error", exception)``.
    """
    from . import FORMATS, format_of
    from .kgx import EdgeRows

    try:
        known = pickle.load(inp)
        to_row = EdgeRows(edges, release_id, known)
        rows: list[tuple[Any, ...]] = []
        rejected: list[SourceFormatError] = []
        for line, row in FORMATS[format_of(edges)][0](edges):
            try:
                rows.append(to_row(line, row))
            except SourceFormatError as exc:
                rejected.append(exc)
            if len(rows) + len(rejected) >= BATCH_ROWS:
                pickle.dump(("rows", rows, rejected), out, _PROTOCOL)
                rows, rejected = [], []
        pickle.dump(("rows", rows, rejected), out, _PROTOCOL)
        pickle.dump(("done",), out, _PROTOCOL)
    except Exception as exc:  # every failure goes back to the parent, which raises it
        try:
            message = pickle.dumps(("error", exc), _PROTOCOL)
        except Exception:  # not picklable: send what it said
            message = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        out.write(message)
    out.flush()


class EdgeRowProcess:
    """A child process turning one KGX edges file into ``edge`` rows.

    Use as a context manager: leaving it stops the child whatever happened.
    """

    def __init__(self, edges: Path, release_id: str) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", __name__, str(edges), release_id],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )

    def _failed(self) -> RuntimeError:
        code = self._proc.wait(10)
        self._stderr.seek(0)
        said = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        tail = f": {said[-1]}" if said else ""
        return RuntimeError(f"the process reading edges stopped (exit code {code}){tail}")

    def rows(
        self, known: set[str], rejected: Callable[[SourceFormatError], None]
    ) -> Iterator[tuple[Any, ...]]:
        """Rows in file order; each bad row goes to ``rejected``, which raises in strict mode."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        try:
            pickle.dump(known, self._proc.stdin, _PROTOCOL)
            self._proc.stdin.close()
        except BrokenPipeError:
            raise self._failed() from None
        while True:
            try:
                message = pickle.load(self._proc.stdout)
            except EOFError:
                raise self._failed() from None
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
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                stream.close()
        self._stderr.close()

    def __enter__(self) -> EdgeRowProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    produce(Path(sys.argv[1]), sys.argv[2], sys.stdin.buffer, sys.stdout.buffer)
