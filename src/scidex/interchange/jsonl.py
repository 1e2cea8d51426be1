"""KGX JSON Lines: one JSON object per line, multi-valued fields as lists."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from scidex.ingest.sources.errors import SourceFormatError
from scidex.interchange.tsv import MULTI


def _open(path: Path, mode: str) -> IO[str]:
    if path.name.endswith(".gz"):
        # A text mode ("rt", "wt"): typeshed tells gzip's TextIO only from a literal mode.
        return cast(IO[str], gzip.open(path, mode + "t", encoding="utf-8"))
    return path.open(mode, encoding="utf-8")


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | SourceFormatError]]:
    """Every record in file order, or the error refusing its line (the next line is still read)."""
    with _open(path, "r") as fh:
        for line, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except ValueError as exc:
                yield line, SourceFormatError(path, line, "row", f"invalid JSON Lines: {exc}")
                continue
            if not isinstance(row, dict):
                yield line, SourceFormatError(path, line, "row", "expected a JSON object")
                continue
            yield line, normalised(row)


def normalised(row: dict[str, Any]) -> dict[str, Any]:
    """A JSON record as the TSV reader gives it: multi-valued fields as lists of strings."""
    for key in MULTI.intersection(row):
        row[key] = _strings(row[key])
    return row


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every record in file order; the first malformed line raises."""
    for line, record in read_records(path):
        if isinstance(record, SourceFormatError):
            raise record
        yield line, record


def _strings(value: Any) -> list[str]:
    """A multi-valued field as the TSV reader gives it: a list of strings, empties left out."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [v if isinstance(v, str) else str(v) for v in value if v not in (None, "")]
    return [value if isinstance(value, str) else str(value)]


def write_rows(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with _open(path, "w") as fh:
        for row in rows:
            fh.write(
                json.dumps(
                    {c: row[c] for c in columns if row.get(c) not in (None, [], {}, "")},
                    ensure_ascii=False,
                    sort_keys=True,
                )
            )
            fh.write("\n")
            n += 1
    return n
