"""Papers linked to an entity (``entity_publication``): how many, the most recently indexed,
and all of them page by page.

Only PubMed ids are stored; no titles or dates. PubMed assigns its ids in
increasing order, so the highest PMIDs are the papers most recently added to
PubMed: that is what "newest first" means here, not the date of publication.
Every read is one range of the table's primary key (entity, PMID), walked
backwards for the listing, with a keyset on the PMID for the next page.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from scidex.kg.xrefs import external_url
from scidex.store.schema import entity_publication as p
from scidex.store.schema import source_release as r

RECENT = 5  # papers an entity's page lists
MAX_PMID = 2**31 - 1  # the column is a 32-bit integer on PostgreSQL

# How readers know the sources that link papers, by infores id; others go by
# their release name.
SOURCE_LABELS = {"infores:ncbi-gene": "NCBI Gene"}

ORDER = "most recently indexed in PubMed first (highest PMID)"
"""The order papers are listed in, as the JSON answers say it."""


@dataclass(frozen=True, slots=True)
class Publication:
    pmid: int
    source_release: str

    @property
    def curie(self) -> str:
        return f"PMID:{self.pmid}"

    @property
    def url(self) -> str | None:
        template = _pubmed_url()
        return template.replace("$1", str(self.pmid)) if template else None

    def as_json(self) -> dict[str, Any]:
        """The paper as the JSON answers list it."""
        return {
            "id": self.curie,
            "pmid": self.pmid,
            "url": self.url,
            "source_release": self.source_release,
        }


@cache
def _pubmed_url() -> str | None:
    """A PubMed record's URL with ``$1`` for the id, as ``external_url`` builds it.

    Built once: a bioregistry lookup per id would cost more than the page's queries,
    and would fill ``external_url``'s cache with PMIDs.
    """
    return external_url("PMID:$1")


@dataclass(frozen=True, slots=True)
class PublicationSource:
    """One source release's links to the entity."""

    release: str  # its id, e.g. ``ncbi_gene@2022-09``
    label: str  # how readers know the source: "NCBI Gene"
    version: str
    count: int


@dataclass(frozen=True, slots=True)
class Literature:
    """What a page shows: the count, its sources, and the most recently indexed papers."""

    count: int
    sources: list[PublicationSource]
    recent: list[Publication]
    """The most recently indexed papers (on a later page, those after where it ended)."""
    next_cursor: str | None = None
    """Where the papers after ``recent`` begin, for :func:`decode_cursor`; None after the last."""


@dataclass(frozen=True, slots=True)
class PublicationPage:
    publications: list[Publication]
    next_cursor: str | None


def encode_cursor(pmid: int) -> str:
    raw = json.dumps([pmid]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> int:
    """The PMID a page ended at. Raises ValueError on a token this module did not make."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        (pmid,) = json.loads(raw)
    except Exception as exc:  # any malformed token is the caller's error
        raise ValueError("bad cursor") from exc
    if type(pmid) is not int or not 0 < pmid <= MAX_PMID:
        raise ValueError("bad cursor")
    return pmid


_SOURCES_SPAN = select(
    func.min(p.c.source_release), func.max(p.c.source_release), func.count()
).where(p.c.entity_id == bindparam("e"))
_RELEASES_NAMED = select(r.c.id, r.c.name, r.c.infores, r.c.version).where(
    r.c.id.in_(bindparam("ids", expanding=True))
)
_FIRST_PUBLICATIONS = (
    select(p.c.pmid, p.c.source_release)
    .where(p.c.entity_id == bindparam("e"))
    .order_by(p.c.pmid.desc())
    .limit(bindparam("n"))
)


def publication_sources(conn: Connection, entity_id: str) -> list[PublicationSource]:
    """The source releases linking papers to ``entity_id``, each with its count, most first."""
    # One pass over the entity's range, no sort: nearly always one release links
    # them all (TP53: 11,067 papers), and grouping them costs five times as much.
    first, last, total = conn.execute(_SOURCES_SPAN, {"e": entity_id}).one()
    if not total:
        return []
    counts: list[tuple[str, int]] = [(first, total)]
    if first != last:
        n = func.count().label("n")
        counts = [
            (release, count)
            for release, count in conn.execute(
                select(p.c.source_release, n)
                .where(p.c.entity_id == entity_id)
                .group_by(p.c.source_release)
                .order_by(n.desc(), p.c.source_release)
            )
        ]
    info = {
        row.id: row
        for row in conn.execute(_RELEASES_NAMED, {"ids": [release for release, _ in counts]})
    }
    out = []
    for release, count in counts:
        row = info.get(release)
        label = (SOURCE_LABELS.get(row.infores) or row.name) if row else release
        out.append(PublicationSource(release, label, row.version if row else "", count))
    return out


def publications(
    conn: Connection, entity_id: str, *, limit: int = 100, below: int | None = None
) -> PublicationPage:
    """The papers linked to ``entity_id``, highest (most recently indexed) PMID first.

    ``below``: only PMIDs below it (the ``decode_cursor`` of the page before's ``next_cursor``).
    """
    if below is not None:
        q = _FIRST_PUBLICATIONS.where(p.c.pmid < below)
        rows = conn.execute(q, {"e": entity_id, "n": limit + 1}).all()
    else:  # the first page, which every entity page shows: one statement built once
        rows = conn.execute(_FIRST_PUBLICATIONS, {"e": entity_id, "n": limit + 1}).all()
    page = [Publication(pmid, release) for pmid, release in rows[:limit]]
    more = len(rows) > limit
    return PublicationPage(page, encode_cursor(page[-1].pmid) if more and page else None)


def literature(
    conn: Connection, entity_id: str, *, limit: int = RECENT, below: int | None = None
) -> Literature | None:
    """The count, the sources and ``limit`` most recently indexed papers (below the PMID
    ``below``, for a later page); None when no paper is linked to ``entity_id``."""
    sources = publication_sources(conn, entity_id)
    if not sources:
        return None
    page = publications(conn, entity_id, limit=limit, below=below)
    return Literature(sum(s.count for s in sources), sources, page.publications, page.next_cursor)
