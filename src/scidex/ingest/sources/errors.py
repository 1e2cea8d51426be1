"""Errors shared by the source parsers."""

from __future__ import annotations

from pathlib import Path


class SourceFormatError(ValueError):
    """A source file holds a row the parser cannot read.

    Rendered as ``file:line: field: message`` so that the row can be found
    with an editor or ``sqlite3``; for database tables ``line`` is the table
    name and rowid (``genes#466``).
    """

    def __init__(self, file: str | Path, line: int | str, field: str, message: str) -> None:
        self.file = str(file)
        self.line = line
        self.field = field
        self.message = message
        super().__init__(f"{self.file}:{line}: {field}: {message}")

    def __reduce__(self) -> tuple[type[SourceFormatError], tuple[str, int | str, str, str]]:
        # Keep the exception picklable (multiprocessing, pytest-xdist) despite
        # the custom signature.
        return (type(self), (self.file, self.line, self.field, self.message))
