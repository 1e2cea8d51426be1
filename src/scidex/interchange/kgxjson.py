"""KGX JSON: one document ``{"nodes": [...], "edges": [...]}`` holding the whole graph.

The format of the KGX library's ``graph.json`` and of many published
releases. A record is named in errors by its place in the document
(``edges[12]``), since a JSON document has no line per record.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from scidex.ingest.sources.errors import SourceFormatError
from scidex.interchange.jsonl import normalised

PARTS = ("nodes", "edges")


def _open(path: Path, mode: str) -> IO[str]:
    if path.name.endswith(".gz"):
        return cast(IO[str], gzip.open(path, mode + "t", encoding="utf-8"))
    return path.open(mode, encoding="utf-8")


def is_graph_document(path: Path) -> bool:
    """Whether a ``.json`` file is one KGX JSON document rather than JSON Lines.

    JSON Lines has a whole object on its first line; a KGX JSON document's
    first line does not parse alone, or parses to an object holding the
    ``nodes`` or ``edges`` list. Only the first MiB is read: a minified
    document is one line.
    """
    with _open(path, "r") as fh:
        first = fh.readline(_CHUNK)
    try:
        head = json.loads(first)
    except ValueError:
        return first.lstrip().startswith("{")
    return isinstance(head, dict) and any(isinstance(head.get(p), list) for p in PARTS)


_CHUNK = 1 << 20
_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


class _Cursor:
    """A KGX JSON document read a chunk at a time, each value decoded as it is met.

    Memory holds one record and one chunk, whatever the document's size. Errors
    name the document's line.
    """

    def __init__(self, fh: IO[str], path: Path) -> None:
        self.fh, self.path = fh, path
        self.buf, self.pos, self.eof, self.lines = "", 0, False, 0

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        # Drop what was read; count its lines so that errors still name one.
        self.lines += self.buf.count("\n", 0, self.pos)
        self.buf, self.pos = self.buf[self.pos :] + chunk, 0
        return True

    def error(self, message: str, field: str = "document") -> SourceFormatError:
        line = self.lines + self.buf.count("\n", 0, self.pos) + 1
        return SourceFormatError(self.path, line, field, f"invalid KGX JSON: {message}")

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.buf) or not self._more():
                return self.buf[self.pos : self.pos + 1]

    def expect(self, chars: str, what: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            raise self.error(f"expected {what}, found {c or 'the end of the file'!r}")
        self.pos += 1
        return c

    def value(self) -> Any:
        """Decode the value that starts here; read on while it runs past the chunk."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                if not self.buf[exc.pos :].strip():
                    # Cut short: name the line where the unfinished value begins.
                    raise self.error("the file ends before this value does") from None
                self.pos = exc.pos
                raise self.error(exc.msg) from None
            # A number cut by the chunk's end would decode short: read on first.
            if end == len(self.buf) and self._more():
                continue
            self.pos = end
            return value

    def items(self) -> Iterator[Any]:
        """The values of the list that starts here, one at a time."""
        self.expect("[", "a list")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            if self.expect(",]", "',' or ']'") == "]":
                return


def read_records(path: Path, part: str) -> Iterator[tuple[str, dict[str, Any] | SourceFormatError]]:
    """The document's ``part`` (``nodes`` or ``edges``), record by record, named ``part[i]``.

    Streams: the document is never held whole, and the other part is passed
    over a record at a time.
    """
    with _open(path, "r") as fh:
        doc = _Cursor(fh, path)
        if doc.peek() != "{":
            raise doc.error("expected an object with nodes and edges")
        doc.pos += 1
        if doc.peek() == "}":
            return
        while True:
            key = doc.value()
            if not isinstance(key, str):
                raise doc.error("expected a name in quotes")
            doc.expect(":", "':'")
            if key == part:
                if doc.peek() != "[":
                    raise SourceFormatError(path, part, part, "expected a list of records")
                for i, record in enumerate(doc.items()):
                    where = f"{part}[{i}]"
                    if isinstance(record, dict):
                        yield where, normalised(record)
                    else:
                        yield (
                            where,
                            SourceFormatError(path, where, "record", "expected a JSON object"),
                        )
            elif doc.peek() == "[":
                for _ in doc.items():
                    pass
            else:
                doc.value()
            if doc.expect(",}", "',' or '}'") == "}":
                break
        if doc.peek():
            raise doc.error("text after the document's end")


def write_graph(
    path: Path,
    parts: dict[str, tuple[list[str], Iterable[dict[str, Any]]]],
) -> dict[str, int]:
    """Write ``{"nodes": [...], "edges": [...]}`` record by record; returns the counts by part."""
    counts: dict[str, int] = {}
    with _open(path, "w") as fh:
        fh.write("{")
        for p, part in enumerate(PARTS):
            columns, rows = parts[part]
            fh.write(f'{"," if p else ""}\n "{part}": [')
            n = 0
            for row in rows:
                record = {c: row[c] for c in columns if row.get(c) not in (None, [], {}, "")}
                fh.write(("," if n else "") + "\n  ")
                fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True))
                n += 1
            fh.write("\n ]")
            counts[part] = n
        fh.write("\n}\n")
    return counts
