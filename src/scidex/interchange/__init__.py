"""Graph interchange: one module per format, a registry from format name to reader and writer.

Readers yield ``(line, row)`` pairs of plain dicts in KGX's vocabulary, with
empty fields left out and multi-valued fields (``tsv.MULTI``) as lists of
strings whatever the format; writers take such dicts. Validation into model records is shared
(``kgx.py``), so every format is checked the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from scidex.interchange import jsonl, tsv

Row = dict[str, Any]
Reader = Callable[[Path], Iterator[tuple[int, Row]]]
Writer = Callable[[Path, list[str], Iterable[Row]], int]

FORMATS: dict[str, tuple[Reader, Writer]] = {
    "tsv": (tsv.read_rows, tsv.write_rows),
    "jsonl": (jsonl.read_rows, jsonl.write_rows),
}


def format_of(path: Path) -> str:
    """Guess the format from the file name (``nodes.tsv``, ``edges.jsonl``, ``.gz`` allowed)."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".tsv", ".txt")):
        return "tsv"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    raise ValueError(f"{path}: cannot tell the format from the name (expected .tsv or .jsonl)")
