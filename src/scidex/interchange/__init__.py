"""Graph interchange: one module per format, a registry from format name to reader and writer.

Readers yield ``(line, row)`` pairs of plain dicts in KGX's vocabulary, with
empty fields left out and multi-valued fields (``tsv.MULTI``) as lists of
strings whatever the format; writers take such dicts. Validation into model records is shared
(``kgx.py``), so every format is checked the same way. :func:`read_records` reads
any format, KGX JSON included, giving a malformed record's error in its
place instead of raising, so that a lenient import can skip it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from scidex.ingest.sources.errors import SourceFormatError
from scidex.interchange import jsonl, kgxjson, tsv

Row = dict[str, Any]
Reader = Callable[[Path], Iterator[tuple[int, Row]]]
Writer = Callable[[Path, list[str], Iterable[Row]], int]

# One file per part (nodes, edges).
FORMATS: dict[str, tuple[Reader, Writer]] = {
    "tsv": (tsv.read_rows, tsv.write_rows),
    "jsonl": (jsonl.read_rows, jsonl.write_rows),
}
# What ``export kgx --format`` writes: the above, and KGX JSON (one graph.json).
EXPORT_FORMATS = (*FORMATS, "json")


def format_of(path: Path) -> str:
    """The format from the file name (``nodes.tsv``, ``edges.jsonl``, ``graph.json``; ``.gz`` too).

    A ``.json`` file is KGX JSON or JSON Lines, told apart by its first line.
    """
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".tsv", ".txt")):
        return "tsv"
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json"):
        return "json" if path.exists() and kgxjson.is_graph_document(path) else "jsonl"
    raise ValueError(
        f"{path}: cannot tell the format from the name (expected .tsv, .jsonl or .json)"
    )


def read_records(path: Path, part: str) -> Iterator[tuple[int | str, Row | SourceFormatError]]:
    """The ``part`` (``nodes`` or ``edges``) of a file in any format, record by record.

    A malformed record comes as the error naming it; the records after it
    are still read. A file of one part (TSV, JSON Lines) is all that part.
    """
    fmt = format_of(path)
    if fmt == "json":
        yield from kgxjson.read_records(path, part)
    elif fmt == "tsv":
        yield from tsv.read_records(path)
    else:
        yield from jsonl.read_records(path)
