"""Read files straight out of a downloaded wheel (.whl) or Debian package (.deb).

Nothing is installed or unpacked to disk: a wheel is a zip file, and a .deb
is an ``ar`` archive whose ``data.tar.*`` member holds the payload.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast


class ArchiveError(Exception):
    """An archive is unreadable or lacks the member asked for."""


def _deb_data_member(deb: Path) -> tuple[str, int, int]:
    """Return (name, offset, size) of the data.tar.* member of an ar archive."""
    with deb.open("rb") as fh:
        if fh.read(8) != b"!<arch>\n":
            raise ArchiveError(f"{deb}: not a Debian package (bad ar magic)")
        while header := fh.read(60):
            if len(header) < 60:
                break
            name = header[:16].decode("ascii").strip().rstrip("/")
            size = int(header[48:58].decode("ascii").strip())
            offset = fh.tell()
            if name.startswith("data.tar"):
                return name, offset, size
            fh.seek(size + (size % 2), 1)
    raise ArchiveError(f"{deb}: no data.tar member")


@contextmanager
def open_member(archive: Path, suffix: str) -> Iterator[IO[bytes]]:
    """Open the one member of ``archive`` whose path ends with ``suffix``.

    Works for wheels (zip) and .deb files. Raises ArchiveError naming the
    archive when the member is missing or ambiguous.
    """
    archive = Path(archive)
    if archive.suffix in {".whl", ".zip"}:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if n.endswith(suffix)]
            _check_one(archive, suffix, names)
            with zf.open(names[0]) as fh:
                yield fh
        return
    if archive.suffix == ".deb":
        _name, offset, size = _deb_data_member(archive)
        with archive.open("rb") as raw:
            raw.seek(offset)
            # tarfile needs a seekable stream for random access; the payload
            # is compressed, so stream it once with mode "r|*". In stream mode
            # tarfile only calls read(), which is all _Limited has; typeshed
            # asks every fileobj for the whole file protocol, hence the cast.
            limited = cast(IO[bytes], _Limited(raw, size))
            with tarfile.open(fileobj=limited, mode="r|*") as tf:
                for info in tf:
                    if info.isfile() and info.name.endswith(suffix):
                        member = tf.extractfile(info)
                        assert member is not None
                        yield member
                        return
        raise ArchiveError(f"{archive}: no member ending with {suffix!r}")
    raise ArchiveError(f"{archive}: unknown archive type (expected .whl or .deb)")


@contextmanager
def member_as_file(archive: Path, suffix: str) -> Iterator[Path]:
    """Copy a member to a temporary file, for readers that need a path (SQLite)."""
    with open_member(archive, suffix) as src, tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / Path(suffix).name
        with dest.open("wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
        yield dest


def _check_one(archive: Path, suffix: str, names: list[str]) -> None:
    if not names:
        raise ArchiveError(f"{archive}: no member ending with {suffix!r}")
    if len(names) > 1:
        raise ArchiveError(f"{archive}: several members end with {suffix!r}: {names}")


class _Limited:
    """A read-only view of ``size`` bytes of a file from its current position."""

    def __init__(self, fh: IO[bytes], size: int) -> None:
        self._fh = fh
        self._left = size

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        if n < 0 or n > self._left:
            n = self._left
        data = self._fh.read(n)
        self._left -= len(data)
        return data
