"""What a source is to the build: a name, its pinned spec, and a parser of its archive.

A source module defines ``SOURCE = PinnedSource("<name>", parse)``, where
``parse(archive, release_id)`` yields the source's records (entities and
patches, then edges, then publication lists), and is listed once in ``registry.py``; its spec
(package, sha256, licence, build order, what pages lack without it) is its
table in ``manifest.toml``.

A source whose data are not entities or edges (the list of retracted papers)
also gives ``tables``: ``tables(conn, archive, release_id)`` fills the
source's own tables inside the build's transaction and returns its counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from sqlalchemy import Connection

from scidex.ingest.sources.fetch import SourceSpec, get_spec
from scidex.kg.model import Edge, Entity, EntityPatch, EntityPublications

# Entities and patches first, then edges, then publication lists.
Record = Entity | EntityPatch | Edge | EntityPublications
Parser = Callable[[Path, str], Iterable[Record]]
TableLoader = Callable[[Connection, Path, str], dict[str, int]]


@runtime_checkable
class Source(Protocol):
    """A source the build can fetch (by ``spec``) and parse."""

    @property
    def name(self) -> str: ...

    @property
    def spec(self) -> SourceSpec: ...

    def parse(self, archive: Path, release_id: str) -> Iterable[Record]:
        """The records of the verified ``archive``, each tagged with ``release_id``."""
        ...


@dataclass(frozen=True, slots=True)
class PinnedSource:
    """A source made of a parse function and a pinned spec.

    Without ``pinned`` the spec is the source's table in the packaged
    ``manifest.toml``, read when first asked for; a spec given here (a source
    kept outside the package, or a test's) is used as it is.
    """

    name: str
    parser: Parser
    pinned: SourceSpec | None = None
    tables: TableLoader | None = None

    def __post_init__(self) -> None:
        if self.pinned is not None and self.pinned.name != self.name:
            raise ValueError(f"source {self.name!r} given the spec of {self.pinned.name!r}")

    @property
    def spec(self) -> SourceSpec:
        return self.pinned if self.pinned is not None else get_spec(self.name)

    def parse(self, archive: Path, release_id: str) -> Iterable[Record]:
        return self.parser(archive, release_id)
