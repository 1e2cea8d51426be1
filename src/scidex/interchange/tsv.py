"""KGX TSV: a header row, one record per line, multi-valued fields joined with ``|``."""

from __future__ import annotations

import csv
import gzip
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.fields import KGX_JSON, KGX_MULTI

SEP = "|"
# Fields KGX defines as multi-valued; anything else is a single value. The
# edges' come from their declaration (kg.fields); the nodes' are listed here.
MULTI = frozenset({"category", "xref", "synonym", "provided_by", "previous_symbol"}) | KGX_MULTI
# Fields holding JSON objects in our export: the nodes' attributes, the edges' qualifiers.
JSON_FIELDS = frozenset({"attributes"}) | KGX_JSON

csv.field_size_limit(sys.maxsize)


def _open(path: Path, mode: str) -> IO[str]:
    if path.name.endswith(".gz"):
        # A text mode ("rt", "wt"): typeshed tells gzip's TextIO only from a literal mode.
        return cast(IO[str], gzip.open(path, mode + "t", encoding="utf-8", newline=""))
    return path.open(mode, encoding="utf-8", newline="")


def open_text(path: Path, mode: str = "r") -> IO[str]:
    """A KGX TSV file (``.gz`` allowed) as text."""
    return _open(path, mode)


def reader(fh: IO[str]) -> Iterator[list[str]]:
    """The file's lines as lists of cells: tabs only, no quoting (KGX TSV has none)."""
    return csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def header_of(lines: Iterator[list[str]], path: Path) -> list[str]:
    header = next(lines, None)
    if not header:
        raise SourceFormatError(path, 1, "header", "empty file: expected a header row")
    return header


class Decoder:
    """One line's cells to a KGX record, as :func:`read_rows` gives it.

    A line with fewer cells than the header takes the missing ones as empty,
    as the KGX library reads it (published files omit trailing empty cells);
    one with more is refused. A JSON column (``attributes``, ``qualifiers``)
    whose cell is not a JSON object is kept as text: Biolink's own
    ``qualifiers`` slot is a list of terms (``reviewed_by_expert_panel``).
    """

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.header = header
        self.width = len(header)
        self.multi = [k for k in header if k in MULTI]
        self.as_json = [k for k in header if k in JSON_FIELDS]

    def __call__(self, line: int, values: list[str]) -> dict[str, Any]:
        if len(values) != self.width:
            if len(values) > self.width:
                raise SourceFormatError(
                    self.path,
                    line,
                    "row",
                    f"{len(values)} fields where the header has {self.width}",
                )
            values = values + [""] * (self.width - len(values))
        # Empty cells are absent keys; multi-valued and JSON cells are decoded after.
        row: dict[str, Any] = {k: v for k, v in zip(self.header, values, strict=True) if v}
        for key in self.multi:
            if value := row.get(key):
                row[key] = split_multi(value)
        for key in self.as_json:
            value = row.get(key)
            if not value:
                continue
            if value.lstrip().startswith("{"):
                try:
                    row[key] = json.loads(value)
                except ValueError as exc:
                    raise SourceFormatError(self.path, line, key, f"invalid JSON: {exc}") from exc
            elif SEP in value:
                row[key] = split_multi(value)
        return row


def split_multi(value: str) -> list[str]:
    """A multi-valued cell's values, empty ones left out (``a||b`` is two)."""
    parts = value.split(SEP)
    return [v for v in parts if v] if "" in parts else parts


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | SourceFormatError]]:
    """Every record in file order, or the error refusing its line (the next line is still read)."""
    with _open(path, "r") as fh:
        lines = reader(fh)
        decode = Decoder(path, header_of(lines, path))
        for line, values in enumerate(lines, start=2):
            if values:  # a blank line
                try:
                    yield line, decode(line, values)
                except SourceFormatError as exc:
                    yield line, exc


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every record in file order; the first malformed line raises."""
    for line, record in read_records(path):
        if isinstance(record, SourceFormatError):
            raise record
        yield line, record


def columns_of(path: Path) -> list[str]:
    """The header's column names."""
    with _open(path, "r") as fh:
        return header_of(reader(fh), path)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return SEP.join(_clean(str(v)) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False) if value else ""
    return _clean(str(value))


def _clean(text: str) -> str:
    # TSV has no escaping: tabs and newlines inside a value would break the row.
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def write_rows(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with _open(path, "w") as fh:
        fh.write("\t".join(columns) + "\n")
        for row in rows:
            fh.write("\t".join(_cell(row.get(c)) for c in columns) + "\n")
            n += 1
    return n
