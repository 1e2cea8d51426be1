"""The closing steps after a bulk write, in one place: edge counts, pages, search documents.

The build, ``scidex import kgx`` and merges all end their transaction with
some of the same steps, in this order:

1. recount the edge summary (``edge_count``) of the entities whose edges changed;
2. give every active entity its generated page (``backfill_pages``);
3. give every source release its dataset page, and every entity page a
   ``derives_from`` link to it (``derive_pages_from_releases``);
4. rebuild the entities' search documents;
5. rebuild the pages' search documents;
6. roll diseases' gene associations up through their subtypes
   (``disease_gene_rollup``, rebuilt whole from the edges: store.rollup).

Each caller says which it needs (see :func:`finish`). The steps write
disjoint tables (edge_count; artifact and revision; artifact and
artifact_link; search_doc of kind entity; of kind artifact;
disease_gene_rollup), and 3 reads what 2 wrote, 5 what 2 and 3 wrote; 6 reads
only the edges, so a caller that writes edges after its first call (the KGX
import) asks for it then.

ANALYZE is the one closing step not here: it must follow the commit (on
PostgreSQL it runs on its own autocommit connection and has to see the
committed rows), so the callers that write in bulk call ``store.analyze()``
after their transaction; a merge, which changes a handful of rows, does not.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import Connection

from scidex.progress import NO_PROGRESS, Progress
from scidex.queries.graph import source_releases
from scidex.registry.backfill import backfill_pages
from scidex.registry.provenance import derive_pages_from_releases
from scidex.registry.search_docs import reindex_pages
from scidex.store import edge_counts
from scidex.store import rollup as rollup_step
from scidex.store.search_index import reindex_entities


@dataclass
class Finished:
    """What :func:`finish` did."""

    counted: int | Literal["all"] | None = None  # entities recounted, "all", or not asked
    pages: Counter[str] = field(default_factory=Counter)  # generated pages: new, updated, ...
    derived_links: int = 0  # derives_from links from entity pages to dataset pages
    entity_docs: int = 0
    page_docs: int = 0
    rollup_rows: int | None = None  # disease_gene_rollup rows written, or not asked
    # Seconds per group of steps run: "edge counts", "pages" (2 and 3), "search index"
    # (4 and 5), "disease rollup" (6).
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def search_docs(self) -> int:
        return self.entity_docs + self.page_docs


def finish(
    conn: Connection,
    *,
    counts: Iterable[str] | Literal["all"] | None = None,
    pages: bool = True,
    author: str = "scidex build",
    datasets: bool = True,
    entity_docs: bool = True,
    page_docs: bool = True,
    rollup: bool | Iterable[str] = False,
    progress: Progress = NO_PROGRESS,
) -> Finished:
    """Run the closing steps after a write, inside the caller's transaction.

    ``counts``: the entities whose edge counts to recount, ``"all"`` for the
    whole summary, or None when the write kept them exact itself (the build's
    write path and the KGX load do). ``pages``: generated pages for every
    active entity, revised only where their text changed, written by
    ``author``. ``datasets``: dataset pages for every source release and the
    entity pages' links to them. ``entity_docs``, ``page_docs``: rebuild those
    search documents (each rebuild covers the whole store). ``rollup``:
    rebuild the diseases' gene associations through their subtypes (True),
    or only those of the entities named and their ancestors (a merge names
    the entities whose edges it moved). ``progress`` shows each step.
    """
    done = Finished()
    if counts is not None:
        t = time.perf_counter()
        if counts == "all":
            edge_counts.refresh_all(conn)
            done.counted = "all"
        else:
            done.counted = edge_counts.refresh(conn, counts)
        done.seconds["edge counts"] = time.perf_counter() - t
    if pages or datasets:
        t = time.perf_counter()
        if pages:
            with progress.task("generated pages", unit="pages"):
                done.pages = backfill_pages(conn, author=author)
        if datasets:
            with progress.task("dataset pages", unit="pages"):
                done.derived_links = derive_pages_from_releases(conn, source_releases(conn))
        done.seconds["pages"] = time.perf_counter() - t
    if entity_docs or page_docs:
        t = time.perf_counter()
        if entity_docs:
            with progress.task("search index: entities", unit="documents"):
                done.entity_docs = reindex_entities(conn)
        if page_docs:
            with progress.task("search index: pages", unit="documents"):
                done.page_docs = reindex_pages(conn)
        done.seconds["search index"] = time.perf_counter() - t
    if rollup is not False:
        t = time.perf_counter()
        with progress.task("disease rollup", unit="rows"):
            if rollup is True:
                done.rollup_rows = rollup_step.refresh_all(conn)
            else:
                done.rollup_rows = rollup_step.refresh(conn, rollup)
        done.seconds["disease rollup"] = time.perf_counter() - t
    return done
