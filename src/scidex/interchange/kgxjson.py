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
    ``nodes`` or ``edges`` list.
    """
    with _open(path, "r") as fh:
        first = fh.readline()
    try:
        head = json.loads(first)
    except ValueError:
        return first.lstrip().startswith("{")
    return isinstance(head, dict) and any(isinstance(head.get(p), list) for p in PARTS)


def read_records(path: Path, part: str) -> Iterator[tuple[str, dict[str, Any] | SourceFormatError]]:
    """The document's ``part`` (``nodes`` or ``edges``), record by record, named ``part[i]``."""
    try:
        with _open(path, "r") as fh:
            document = json.load(fh)
    except ValueError as exc:
        raise SourceFormatError(path, 1, "document", f"invalid KGX JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise SourceFormatError(path, 1, "document", "expected an object with nodes and edges")
    records = document.get(part) or []
    if not isinstance(records, list):
        raise SourceFormatError(path, 1, part, "expected a list of records")
    for i, record in enumerate(records):
        where = f"{part}[{i}]"
        if isinstance(record, dict):
            yield where, normalised(record)
        else:
            yield where, SourceFormatError(path, where, "record", "expected a JSON object")


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
