"""Entity resolution: any name, symbol, synonym, CURIE or xref -> the entity (or the candidates).

``bach1``, ``BACH1``, ``BTB domain and CNC homolog 1`` and ``NCBIGene:571`` all
resolve to ``HGNC:935``. A name that several entities answer to equally
resolves to the list of candidates, never silently to one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import text as sql

from .curies import CurieError, normalize_curie, split_curie
from .names import normalize_name

# Matches in a better tier win outright: an approved symbol or a label beats
# an alias another entity also uses, as HGNC's own search does.
TIERS: dict[str, int] = {
    "id": 0,
    "label": 1,
    "symbol": 1,
    "xref": 2,
    "previous_symbol": 3,
    "synonym": 3,
}


@dataclass(frozen=True, slots=True)
class Match:
    id: str
    name: str
    symbol: str | None
    category: str
    matched_by: str  # id | label | symbol | xref | previous_symbol | synonym


@dataclass(slots=True)
class Resolution:
    query: str
    matches: list[Match] = field(default_factory=list)  # best tier first

    @property
    def best(self) -> list[Match]:
        """The matches of the best tier."""
        if not self.matches:
            return []
        top = TIERS[self.matches[0].matched_by]
        return [m for m in self.matches if TIERS[m.matched_by] == top]

    @property
    def entity(self) -> Match | None:
        """The one entity the query names, or None when it names none or several."""
        best = self.best
        return best[0] if len(best) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.best) > 1


def _as_curie(text: str) -> str | None:
    try:
        prefix, local = split_curie(text)
    except CurieError:
        return None
    if not local or " " in text:
        return None
    try:
        return normalize_curie(text)
    except CurieError:
        return f"{prefix}:{local}"


# Plain SQL: these run for every wikilink on every page, and building the
# equivalent SQLAlchemy expressions cost more than executing them.
_BY_ID = sql("SELECT id, name, symbol, category FROM entity WHERE id = :v AND lifecycle = 'active'")
_BY_XREF = sql(
    "SELECT e.id, e.name, e.symbol, e.category FROM entity_xref x "
    "JOIN entity e ON e.id = x.entity_id "
    "WHERE x.xref = :v AND e.lifecycle = 'active' LIMIT :limit"
)
_BY_NAME = sql(
    "SELECT e.id, e.name, e.symbol, e.category, n.kind FROM entity_name n "
    "JOIN entity e ON e.id = n.entity_id "
    "WHERE n.norm = :v AND e.lifecycle = 'active' LIMIT :limit"
)


def resolve(
    conn: Connection, text: str, *, category: str | None = None, limit: int = 20
) -> Resolution:
    """Resolve ``text`` through ids, xrefs and the normalised-name index."""
    result = Resolution(text)
    found: dict[str, Match] = {}

    def add(rows: list[Any], how: str) -> None:
        for r in rows:
            if category and r.category != category:
                continue
            prev = found.get(r.id)
            if prev is None or TIERS[how] < TIERS[prev.matched_by]:
                found[r.id] = Match(r.id, r.name, r.symbol, r.category, how)

    curie = _as_curie(text.strip())
    if curie:
        add(conn.execute(_BY_ID, {"v": curie}).all(), "id")
        if not found:
            add(conn.execute(_BY_XREF, {"v": curie, "limit": limit}).all(), "xref")
    norm = normalize_name(text)
    if norm and not found:
        rows = conn.execute(_BY_NAME, {"v": norm, "limit": limit * 4}).all()
        for kind in ("label", "symbol", "previous_symbol", "synonym"):
            add([r for r in rows if r.kind == kind], kind)
    result.matches = sorted(found.values(), key=lambda m: (TIERS[m.matched_by], m.id))[:limit]
    return result
