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
guard. It is started at the beginning of an import and works alongside
the parent from there: the parent sends the ids of the entities already
stored, the child reads the nodes file for the ids it adds (through the
same validation, so both agree on which nodes are known) and goes on to
the edges while the parent is still writing the nodes. A thread in the
parent empties the pipe into a queue as the child fills it.

Nothing about validation changes: the child reads the file with the same
:func:`records.edge_rows` as an import without it. A bad row is sent back
and raised (strict) or recorded (lenient) by the parent, in file order, so
the caller's transaction rolls back as it would have.
"""

from __future__ import annotations

import pickle
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from scidex.ingest.sources.errors import SourceFormatError
from scidex.store.edge_counts import Tally

# Batches read ahead of the writer (about 2 MB each): enough to cover the
# parent's work on the nodes and their pages on a graph of a million edges.
QUEUED_BATCHES = 100
_PROTOCOL = pickle.HIGHEST_PROTOCOL


def produce(
    nodes: Path,
    edges: Path,
    release_id: str,
    default_source: str | None,
    inp: IO[bytes],
    out: IO[bytes],
) -> None:
    """The child's work: read the stored ids from ``inp``, write batches of rows to ``out``.

    Messages are framed pickles (:func:`_send`), one after another: ``("rows", rows, rejected)``,
    then ``("done", tally, columns, defaulted)`` (the edge counts of every row sent, the
    columns kept beyond the edges' fields, the edges that took ``default_source``) or
    ``("error", exception)``.
    """
    from scidex.interchange.records import EdgeRows, accepted_node_ids, edge_rows, tallied

    try:
        known = pickle.load(inp)
        known.update(accepted_node_ids(nodes, release_id))
        tally = Tally()
        rejected: list[SourceFormatError] = []
        to_row = EdgeRows(edges, release_id, known, default_source=default_source)
        rows = edge_rows(edges, release_id, known, to_row)
        for batch in tallied(rows, tally, rejected.append):
            _send(out, ("rows", batch, rejected))
            rejected.clear()
        _send(out, ("rows", [], rejected))
        _send(out, ("done", tally, to_row.columns, to_row.defaulted))
    except Exception as exc:  # every failure goes back to the parent, which raises it
        try:
            _send(out, ("error", exc))
        except Exception:  # not picklable: send what it said
            _send(out, ("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    out.flush()


def _send(out: IO[bytes], message: tuple[Any, ...]) -> None:
    """One message as a frame: its pickle's length (8 bytes, big-endian), then the pickle."""
    data = pickle.dumps(message, _PROTOCOL)
    out.write(len(data).to_bytes(8, "big"))
    out.write(data)


def _frames(stream: IO[bytes], into: queue.Queue[bytes | None], stop: threading.Event) -> None:
    """Move the child's frames from its pipe into ``into`` until it ends (then None)."""
    while not stop.is_set():
        head = stream.read(8)
        size = int.from_bytes(head, "big") if len(head) == 8 else -1
        data = stream.read(size) if size >= 0 else None
        if data is not None and len(data) != size:
            data = None  # the child stopped in the middle of a frame
        while not stop.is_set():
            try:
                into.put(data, timeout=0.1)
                break
            except queue.Full:
                continue
        if data is None:
            return


class EdgeRowProcess:
    """A child process turning one KGX edges file into ``edge`` rows.

    Use as a context manager: leaving it stops the child whatever happened.
    """

    def __init__(
        self, nodes: Path, edges: Path, release_id: str, default_source: str | None = None
    ) -> None:
        self.tally: Tally | None = None  # the rows' edge counts, once they have all come
        self.columns: dict[str, dict[str, Any]] = {}  # kept beyond the edges' fields, by id
        self.defaulted = 0  # edges that took the default knowledge source
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                __name__,
                str(nodes),
                str(edges),
                release_id,
                default_source or "",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        # A thread empties the pipe as the child fills it: read only when rows
        # are wanted, the pipe's 64 KiB would stall the child during every write.
        self._queue: queue.Queue[bytes | None] = queue.Queue(QUEUED_BATCHES)
        self._stop = threading.Event()
        assert self._proc.stdout is not None
        self._reader = threading.Thread(
            target=_frames,
            args=(self._proc.stdout, self._queue, self._stop),
            name="edge-rows-reader",
            daemon=True,
        )
        self._reader.start()

    def _failed(self) -> RuntimeError:
        code = self._proc.wait(10)
        self._stderr.seek(0)
        said = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        tail = f": {said[-1]}" if said else ""
        return RuntimeError(f"the process reading edges stopped (exit code {code}){tail}")

    def start(self, stored: set[str]) -> None:
        """Send the ids of the entities stored before the import: the child starts on them."""
        assert self._proc.stdin is not None
        try:
            pickle.dump(stored, self._proc.stdin, _PROTOCOL)
            self._proc.stdin.close()
        except BrokenPipeError:
            raise self._failed() from None

    def rows(self, rejected: Callable[[SourceFormatError], None]) -> Iterator[tuple[Any, ...]]:
        """Rows in file order; each bad row goes to ``rejected``, which raises in strict mode."""
        while True:
            frame = self._queue.get()
            if frame is None:
                raise self._failed()
            message = pickle.loads(frame)
            if message[0] == "rows":
                _, rows, bad = message
                for exc in bad:
                    rejected(exc)
                yield from rows
            elif message[0] == "done":
                _, self.tally, self.columns, self.defaulted = message
                return
            else:
                raise message[1]

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._stop.set()
        self._reader.join()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                stream.close()
        self._stderr.close()

    def __enter__(self) -> EdgeRowProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    produce(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        sys.argv[3],
        sys.argv[4] or None,
        sys.stdin.buffer,
        sys.stdout.buffer,
    )
