"""Retracted papers among publications: what the lint refuses and the pages flag."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, func, select

from scidex.store.schema import retracted_publication

_CHUNK = 500


_RETRACTED = select(retracted_publication.c.publication).where(
    retracted_publication.c.publication.in_(bindparam("ids", expanding=True))
)


def retracted_among(conn: Connection, publications: Iterable[str]) -> frozenset[str]:
    """The retracted ones among ``publications`` (CURIEs as edges spell them: ``PMID:123``)."""
    wanted = sorted({p for p in publications if p.startswith("PMID:")})
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(conn.execute(_RETRACTED, {"ids": chunk}).scalars())
    return frozenset(found)


def retracted_pmids(conn: Connection, pmids: Iterable[str]) -> frozenset[str]:
    """The retracted ones among bare PMIDs (``"123"``), as references carry them."""
    hits = retracted_among(conn, (f"PMID:{p}" for p in pmids))
    return frozenset(h.removeprefix("PMID:") for h in hits)


def retraction_count(conn: Connection) -> int:
    """How many retracted papers the store knows (0 when the list was not loaded)."""
    return int(conn.execute(select(func.count()).select_from(retracted_publication)).scalar_one())


def only_retracted(publications: Iterable[str], retracted: frozenset[str]) -> bool:
    """True when there are publications and every one of them is retracted."""
    pubs = list(publications)
    return bool(pubs) and all(p in retracted for p in pubs)
