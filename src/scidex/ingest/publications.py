"""Papers linked to entities: routed from a source's record stream into ``entity_publication``.

A source yields its publication lists (:class:`EntityPublications`) after its
edges. :class:`EdgeStream` hands the write path a source's edges and stops at
the first publication list, leaving the rest of the source unread until the
edges are written; :func:`write_publications` then reads the lists straight
into the table, so 1.8 million links are never held in memory at once. Ids
are mapped onto canonical entities like edge endpoints; lists whose id names
no entity are left out and counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Any

from sqlalchemy import Connection, delete, select

from scidex.ingest.sources.base import Record
from scidex.kg.model import Edge, EntityPublications, SourceRelease
from scidex.progress import NO_PROGRESS, Progress, tracked
from scidex.store import bulk
from scidex.store.schema import entity_publication, source_release

COLUMNS = ("entity_id", "pmid", "source_release")


@dataclass
class PublicationReport:
    """What a build did with the publication lists, by source release id."""

    links: Counter[str] = field(default_factory=Counter)  # (entity, PMID) rows written
    unmapped: Counter[str] = field(default_factory=Counter)  # lists whose id names no entity
    unmapped_links: Counter[str] = field(default_factory=Counter)  # the links of those
    examples: dict[str, str] = field(default_factory=dict)  # one unmapped id per release


class EdgeStream(Iterator[Edge]):
    """A source's records after its entities and patches: its edges, then its publication lists.

    Iterating gives the edges and stops at the first publication list;
    :meth:`publications` then gives the lists. Anything out of that order is
    a TypeError naming what came where.
    """

    def __init__(self, records: Iterator[Record], first: Record | None) -> None:
        self._records = records
        self._held = first  # the next record, not yet handed out

    def __next__(self) -> Edge:
        rec = self._held
        if rec is None or isinstance(rec, EntityPublications):
            raise StopIteration
        if not isinstance(rec, Edge):
            raise TypeError(f"{type(rec).__name__} after the first edge of a source")
        self._held = next(self._records, None)
        return rec

    def publications(self) -> Iterator[EntityPublications]:
        """The publication lists, once the edges have been read."""
        if isinstance(self._held, Edge):
            raise RuntimeError("publication lists read before the source's edges")
        while (rec := self._held) is not None:
            if not isinstance(rec, EntityPublications):
                raise TypeError(f"{type(rec).__name__} after a publication list of a source")
            self._held = next(self._records, None)
            yield rec


def write_publications(
    conn: Connection,
    streams: Iterable[tuple[SourceRelease, EdgeStream]],
    resolve: Callable[[str], str],
    known: set[str],
    report: PublicationReport,
    progress: Progress = NO_PROGRESS,
) -> int:
    """Write the publication lists left in ``streams`` (edges read); returns the rows sent.

    ``resolve`` maps a source's id to its canonical one; ``known`` are the
    entity ids. Rows are upserted by (entity, PMID), so a rebuild re-tags
    them with its release and stale ones are pruned with the rest
    (``write.prune_stale``).
    """

    def rows() -> Iterator[tuple[Any, ...]]:
        for release, stream in streams:
            for rec in stream.publications():
                rid = rec.source_release or release.id
                target = resolve(rec.id)
                if target not in known:
                    report.unmapped[rid] += 1
                    report.unmapped_links[rid] += len(rec.pmids)
                    report.examples.setdefault(rid, rec.id)
                    continue
                n = len(rec.pmids)
                report.links[rid] += n
                yield from zip(repeat(target, n), rec.pmids, repeat(rid, n), strict=True)

    it = rows()
    first = next(it, None)
    if first is None:  # nothing to write: leave the table (and its key) alone
        return 0
    # An empty table (a first build) gets its key built once, after the rows; a
    # rebuild rewrites only the rows whose release changed.
    with (
        progress.task("writing publication links", unit="links") as task,
        bulk.loading(conn, entity_publication) as load,
    ):
        return load.write(COLUMNS, tracked(chain([first], it), task), changed_only=True)


def prune_publications(conn: Connection, release: SourceRelease) -> int:
    """Delete the links older releases of ``release``'s source wrote and it no longer states.

    Only when the store knows an older release of the source: otherwise nothing
    can be stale, and the table (1.8 million rows, not indexed by release) is
    not read at all, where a scan per source of every build cost 3 s.
    """
    older = (
        conn.execute(
            select(source_release.c.id).where(
                source_release.c.name == release.name, source_release.c.id != release.id
            )
        )
        .scalars()
        .all()
    )
    if not older:
        return 0
    col = entity_publication.c.source_release
    return conn.execute(delete(entity_publication).where(col.in_(older))).rowcount or 0
