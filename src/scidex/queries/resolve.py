"""Entity resolution: any name, symbol, synonym, CURIE or xref -> the entity (or the candidates).

``bach1``, ``BACH1``, ``BTB domain and CNC homolog 1`` and ``NCBIGene:571`` all
resolve to ``HGNC:935``. A name that several entities answer to equally
resolves to the list of candidates, never silently to one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam
from sqlalchemy import text as sql

from scidex.kg.curies import CurieError, normalize_curie, split_curie
from scidex.kg.names import normalize_name

# Matches in a better tier win outright: an approved symbol or a label beats
# an alias another entity also uses, as HGNC's own search does.
TIERS: dict[str, int] = {
    "id": 0,
    "label": 1,
    "symbol": 1,
    "xref": 2,
    # A curated page's alias ("AD", "PD") is what researchers mean by the name:
    # it beats the synonyms other entities happen to share.
    "alias": 2,
    "previous_symbol": 3,
    "synonym": 3,
}


@dataclass(frozen=True, slots=True)
class Match:
    id: str
    name: str
    symbol: str | None
    category: str
    matched_by: str  # id | label | symbol | xref | alias | previous_symbol | synonym


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


# Plain SQL: these run for every page's wikilinks, and building the
# equivalent SQLAlchemy expressions cost more than executing them.
_BY_ID = sql(
    "SELECT id, name, symbol, category FROM entity WHERE id IN :v AND lifecycle = 'active'"
).bindparams(bindparam("v", expanding=True))
_BY_XREF = sql(
    "SELECT x.xref AS v, e.id, e.name, e.symbol, e.category FROM entity_xref x "
    "JOIN entity e ON e.id = x.entity_id "
    "WHERE x.xref IN :v AND e.lifecycle = 'active'"
).bindparams(bindparam("v", expanding=True))
# At most :per rows per name, best kinds first, so a common word cannot flood the answer.
_BY_NAME = sql(
    "SELECT v, id, name, symbol, category, kind FROM ("
    " SELECT n.norm AS v, e.id, e.name, e.symbol, e.category, n.kind,"
    "  row_number() OVER (PARTITION BY n.norm ORDER BY"
    "   CASE n.kind WHEN 'label' THEN 0 WHEN 'symbol' THEN 0 WHEN 'alias' THEN 1"
    "   WHEN 'previous_symbol' THEN 1 ELSE 2 END, e.id) AS k"
    " FROM entity_name n JOIN entity e ON e.id = n.entity_id"
    " WHERE n.norm IN :v AND e.lifecycle = 'active') t "
    "WHERE k <= :per"
).bindparams(bindparam("v", expanding=True))
_CHUNK = 500


def resolve(
    conn: Connection, text: str, *, category: str | None = None, limit: int = 20
) -> Resolution:
    """Resolve ``text`` through ids, xrefs and the normalised-name index."""
    return resolve_many(conn, [text], category=category, limit=limit)[text]


def resolve_many(
    conn: Connection, texts: Iterable[str], *, category: str | None = None, limit: int = 20
) -> dict[str, Resolution]:
    """Resolve many texts at once (a page's wikilinks): a few queries, whatever their number.

    Each text resolves as :func:`resolve` would resolve it alone: by id, else
    by xref, else by name, the best tier winning.
    """
    found: dict[str, dict[str, Match]] = {t: {} for t in texts}

    def add(text: str, rows: Iterable[Any], how: str) -> None:
        matches = found[text]
        for r in rows:
            if category and r.category != category:
                continue
            prev = matches.get(r.id)
            if prev is None or TIERS[how] < TIERS[prev.matched_by]:
                matches[r.id] = Match(r.id, r.name, r.symbol, r.category, how)

    curies = {t: c for t in found if (c := _as_curie(t.strip()))}
    by_id = {r.id: r for r in _select(conn, _BY_ID, set(curies.values()))}
    for t, c in curies.items():
        if c in by_id:
            add(t, [by_id[c]], "id")
    wanted = {c for t, c in curies.items() if not found[t]}
    by_xref: dict[str, list[Any]] = {}
    for r in _select(conn, _BY_XREF, wanted):
        by_xref.setdefault(r.v, []).append(r)
    for t, c in curies.items():
        if not found[t]:
            add(t, by_xref.get(c, [])[:limit], "xref")
    norms = {t: n for t in found if not found[t] and (n := normalize_name(t))}
    by_name: dict[str, list[Any]] = {}
    for r in _select(conn, _BY_NAME, set(norms.values()), per=limit * 4):
        by_name.setdefault(r.v, []).append(r)
    for t, n in norms.items():
        rows = by_name.get(n, [])
        for kind in ("label", "symbol", "alias", "previous_symbol", "synonym"):
            add(t, [r for r in rows if r.kind == kind], kind)
    out: dict[str, Resolution] = {}
    for t, matches in found.items():
        result = out[t] = Resolution(t)
        result.matches = sorted(matches.values(), key=lambda m: (TIERS[m.matched_by], m.id))[:limit]
    return out


def _select(conn: Connection, stmt: Any, values: set[str], **params: Any) -> list[Any]:
    ordered = sorted(values)
    rows: list[Any] = []
    for start in range(0, len(ordered), _CHUNK):
        rows += conn.execute(stmt, {"v": ordered[start : start + _CHUNK], **params}).all()
    return rows
