"""Entity resolution: any name, symbol, synonym, CURIE or xref -> the entity (or the candidates).

``bach1``, ``BACH1``, ``BTB domain and CNC homolog 1`` and ``NCBIGene:571`` all
resolve to ``HGNC:935``. A name that several entities answer to equally
resolves to the list of candidates, never silently to one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from .curies import CurieError, normalize_curie, split_curie
from .names import normalize_name
from .store.schema import entity, entity_name, entity_xref

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


def resolve(
    conn: Connection, text: str, *, category: str | None = None, limit: int = 20
) -> Resolution:
    """Resolve ``text`` through ids, xrefs and the normalised-name index."""
    result = Resolution(text)
    found: dict[str, Match] = {}

    def add(rows: list, how: str) -> None:  # type: ignore[type-arg]
        for r in rows:
            if category and r.category != category:
                continue
            m = Match(r.id, r.name, r.symbol, r.category, how)
            prev = found.get(r.id)
            if prev is None or TIERS[how] < TIERS[prev.matched_by]:
                found[r.id] = m

    cols = (entity.c.id, entity.c.name, entity.c.symbol, entity.c.category)
    active = entity.c.lifecycle == "active"
    curie = _as_curie(text.strip())
    if curie:
        add(conn.execute(select(*cols).where(entity.c.id == curie, active)).all(), "id")
        if not found:
            rows = conn.execute(
                select(*cols)
                .join(entity_xref, entity_xref.c.entity_id == entity.c.id)
                .where(entity_xref.c.xref == curie, active)
                .limit(limit)
            ).all()
            add(rows, "xref")
    norm = normalize_name(text)
    if norm and not found:
        rows = conn.execute(
            select(*cols, entity_name.c.kind)
            .join(entity_name, entity_name.c.entity_id == entity.c.id)
            .where(entity_name.c.norm == norm, active)
            .limit(limit * 4)
        ).all()
        for kind in ("label", "symbol", "previous_symbol", "synonym"):
            add([r for r in rows if r.kind == kind], kind)
    result.matches = sorted(found.values(), key=lambda m: (TIERS[m.matched_by], m.id))[:limit]
    return result
