"""Entity resolution: any name, symbol, synonym, CURIE or xref -> the entity (or the candidates).

``bach1``, ``BACH1``, ``BTB domain and CNC homolog 1`` and ``NCBIGene:571`` all
resolve to ``HGNC:935``. A name that several entities answer to equally
resolves to the list of candidates, never silently to one of them.

:func:`resolve` is exact. :func:`lookup` reads a name as a link writes it
(``/proteins/bach1-protein``, ``/entities/neurons``), within a URL section,
through exact resolution first and then, only when that finds nothing,
looser readings, each named by what it answers (``Lookup.step``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, bindparam
from sqlalchemy import text as sql

from scidex.kg.categories import Section, link_section, search_rank
from scidex.kg.curies import CurieError, normalize_curie, split_curie
from scidex.kg.names import normalize_name
from scidex.store.search_index import name_prefix

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
    # A name that is the query plus a parenthesised qualifier ("hippocampus (Crosby)").
    "qualified": 4,
    # The biological process that is the response to what the query names
    # ("oxidative stress" -> "response to oxidative stress"), as mechanisms read it.
    "response": 4,
}


@dataclass(frozen=True, slots=True)
class Match:
    id: str
    name: str
    symbol: str | None
    category: str
    matched_by: str  # id | label | symbol | xref | alias | previous_symbol | synonym | ...
    # The identifier or name that matched, where it is not the query itself
    # (``UniProtKB:O14867`` for "O14867"; for a gene's product, the gene).
    via: str = ""


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


# -- looser readings of a name ------------------------------------------------------

# Vocabularies whose bare local ids are tried as identifiers: "602751" -> OMIM:602751.
BARE_ID_PREFIXES = (
    "OMIM",
    "NCBIGene",
    "ENSEMBL",
    "UniProtKB",
    "REACT",
    "Orphanet",
    "MESH",
    "HGNC",
)
# Of those, the ones whose accessions are also entities' own ids: "O14867" is the
# protein UniProtKB:O14867 itself, and a gene's xref. (Numeric local ids are
# left to xrefs: "5013" is HGNC:5013 and NCBIGene:5013, two different genes.)
BARE_ENTITY_PREFIXES = ("UniProtKB", "REACT")
_BARE_ID = re.compile(r"^[A-Za-z0-9_.\-]{4,40}$")


def identifier_matches(conn: Connection, text: str, *, limit: int = 20) -> list[Match]:
    """Entities whose id or xref has ``text`` as its local part, ids first.

    ``O14867`` is the protein ``UniProtKB:O14867`` (matched by ``id``) and the
    gene that lists that accession (by ``xref``); ``via`` holds the CURIE.
    """
    text = text.strip()
    if not _BARE_ID.match(text):
        return []
    locals_ = dict.fromkeys([text, text.upper()])
    xrefs = {f"{p}:{x}" for p in BARE_ID_PREFIXES for x in locals_}
    ids = {f"{p}:{x}" for p in BARE_ENTITY_PREFIXES for x in locals_}
    found: dict[str, Match] = {}
    for r in _select(conn, _BY_ID, ids):
        found[r.id] = Match(r.id, r.name, r.symbol, r.category, "id", r.id)
    for r in _select(conn, _BY_XREF, xrefs):
        found.setdefault(r.id, Match(r.id, r.name, r.symbol, r.category, "xref", r.v))
    return sorted(found.values(), key=lambda m: (TIERS[m.matched_by], m.id))[:limit]


# "hippocampus (Crosby)": a name, then a parenthesised qualifier (an author, a taxon).
_QUALIFIED = re.compile(r"^(.*\S)\s+\([^()]+\)$")


def qualified_matches(
    conn: Connection, text: str, *, category: str | None = None, limit: int = 20
) -> list[Match]:
    """Entities with a name that is ``text`` plus a parenthesised qualifier.

    UBERON names the hippocampal formation "hippocampus (Crosby)" (the term as
    one author uses it) and no entity "hippocampus": the name without its
    qualifier is what a reader writes. One prefix scan of the names index.
    """
    norm = normalize_name(text)
    if not norm:
        return []
    names: dict[str, str] = {}
    for r in name_prefix(conn, norm, category=category):
        if not r.norm.startswith(norm + " "):
            continue
        m = _QUALIFIED.match(r.name)
        if m and normalize_name(m.group(1)) == norm:
            names.setdefault(r.entity_id, r.name)
    rows = _select(conn, _BY_ID, set(names))
    out = [Match(r.id, r.name, r.symbol, r.category, "qualified", names[r.id]) for r in rows]
    return sorted(out, key=lambda m: m.id)[:limit]


# A prefix shorter than this completes to too much to mean anything.
MIN_PREFIX = 4


def prefix_matches(
    conn: Connection, text: str, *, category: str | None = None
) -> list[tuple[int, Match]]:
    """(rank, entity) for entities with a name starting with ``text`` once normalised
    ("microglia" -> "microglial cell"), ranked by their best such name: the shortest,
    and at equal length a label, symbol or curated alias before a synonym (MONDO's
    "Alzheimer disease" is Alzheimer disease's label and a synonym of Alzheimer disease
    type 1)."""
    norm = normalize_name(text)
    if len(norm) < MIN_PREFIX:
        return []
    best: dict[str, tuple[int, str]] = {}  # entity -> (rank, name)
    for r in name_prefix(conn, norm, category=category):
        rank = 2 * len(r.norm) + (r.kind not in ("label", "symbol", "alias"))
        if r.entity_id not in best or rank < best[r.entity_id][0]:
            best[r.entity_id] = (rank, r.name)
    rows = _select(conn, _BY_ID, set(best))
    return [
        (best[r.id][0], Match(r.id, r.name, r.symbol, r.category, "prefix", best[r.id][1]))
        for r in rows
    ]


# -- names in links -------------------------------------------------------------------


@dataclass(slots=True)
class Lookup:
    """What a name in a link means within a URL section."""

    query: str
    section: str
    # The equally good matches of the step that answered, in display order.
    matches: list[Match] = field(default_factory=list)
    # exact | identifier | qualified | suffix | singular | prefix; "" when nothing matched.
    step: str = ""

    @property
    def entity(self) -> Match | None:
        return self.matches[0] if len(self.matches) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.matches) > 1


# The last word's plural "s", where dropping it leaves a word: "neurons",
# "alzheimers"; never "stress", "hippocampus", "sclerosis".
_PLURAL = re.compile(r"^(.*[a-z]{2}[a-hj-rtv-z])s$")

Ranked = list[tuple[int, Match]]


def lookup(conn: Connection, section: Section, name: str) -> Lookup:
    """The entity (or the equally good candidates) ``name`` means in ``section``.

    Steps, in order; the first that finds an entity of the section answers:

    1. **exact**: :func:`resolve` of each of the section's forms of the name
       (``oxidative stress``, then ``response to oxidative stress`` for
       mechanisms); the best resolution tier wins;
    2. **identifier**: a bare accession (``O14867``), the entity with that id
       before those listing it as an xref;
    3. **qualified**: a name that is the query plus a parenthesised qualifier;
    4. **suffix**: the name without a last word that is the section's noun
       (``bach1 protein`` -> ``bach1``), exactly;
    5. **singular**: the name without its plural ``s`` (``neurons``), exactly;
    6. **prefix**: the start of one entity's name, shorter than every other
       entity's such name (``microglia`` -> ``microglial cell``; at equal length
       a label beats a synonym); a tie answers nothing, since no entity has the
       name.

    Within a step, only entities of the section count (its classes, the
    attribute it requires); in ``proteins``, a gene's name counts for the
    proteins it encodes. Several equally good matches are the answer, unless the
    section prefers the one with a curated page. A section that finds nothing
    hands the name to the section it names as ``then``.
    """
    current: Section | None = section
    seen: set[str] = set()
    while current is not None and current.name not in seen:
        seen.add(current.name)
        found = _lookup_in(conn, current, name.strip())
        if found.matches:
            return found
        current = link_section(current.then) if current.then else None
    return Lookup(name.strip(), section.name)


def _lookup_in(conn: Connection, section: Section, name: str) -> Lookup:
    norm = normalize_name(name)
    categories = _categories(section)

    def settled(ranked: Ranked) -> list[Match]:
        return _settle(conn, section, ranked)

    def exact(text: str) -> list[Match]:
        for form in section.forms:  # an earlier form that answers wins
            ranked = [
                (TIERS[m.matched_by], m)
                for category in categories
                for m in resolve(conn, form.format(text), category=category, limit=50).matches
            ]
            if matches := settled(ranked):
                return matches
        return []

    def identifier() -> list[Match]:
        return settled([(TIERS[m.matched_by], m) for m in identifier_matches(conn, name)])

    def qualified() -> list[Match]:
        return settled(
            [(0, m) for c in categories for m in qualified_matches(conn, name, category=c)]
        )

    def variant(step: str, text: str) -> list[Match]:
        return [replace(m, matched_by=step, via=m.via or m.name) for m in exact(text)]

    def prefix() -> list[Match]:
        matches = settled(
            [hit for c in categories for hit in prefix_matches(conn, name, category=c)]
        )
        return matches if len(matches) == 1 else []  # a tie: no entity has the name

    steps: list[tuple[str, Callable[[], list[Match]]]] = [
        ("exact", lambda: exact(name)),
        ("identifier", identifier),
        ("qualified", qualified),
    ]
    if norm.endswith(" " + section.suffix):
        stripped = norm.removesuffix(" " + section.suffix)
        steps.append(("suffix", lambda: variant("suffix", stripped)))
    if plural := _PLURAL.match(norm):
        steps.append(("singular", lambda: variant("singular", plural.group(1))))
    steps.append(("prefix", prefix))
    for step, run in steps:
        if matches := run():
            return Lookup(name, section.name, matches, step)
    return Lookup(name, section.name)


def _categories(section: Section) -> list[str | None]:
    """The classes to ask :func:`resolve` for; [None]: every class."""
    if not section.categories:
        return [None]
    extra = ["biolink:Gene"] if section.gene_products else []
    return [*section.categories, *extra]


_ATTRIBUTES = sql(
    "SELECT id, attributes FROM entity WHERE id IN :v AND lifecycle = 'active'"
).bindparams(bindparam("v", expanding=True))
_PRODUCTS = sql(
    "SELECT subject, object FROM edge "
    "WHERE subject IN :v AND predicate = 'biolink:has_gene_product'"
).bindparams(bindparam("v", expanding=True))
_CURATED = sql(
    "SELECT DISTINCT kg_node_id AS id FROM artifact WHERE kg_node_id IN :v "
    "AND type = 'wiki_page' AND origin_type = 'curated' AND lifecycle = 'active'"
).bindparams(bindparam("v", expanding=True))


def _settle(conn: Connection, section: Section, ranked: Ranked) -> list[Match]:
    """The section's best matches among ``ranked`` (lower rank better), ties kept."""
    if section.gene_products:
        ranked = _with_products(conn, ranked)
    if section.categories:
        ranked = [(k, m) for k, m in ranked if m.category in section.categories]
    if section.attribute and ranked:
        rows = _select(conn, _ATTRIBUTES, {m.id for _, m in ranked})
        marked = {r.id for r in rows if json.loads(r.attributes).get(section.attribute) is True}
        ranked = [(k, m) for k, m in ranked if m.id in marked]
    best: dict[str, tuple[int, Match]] = {}
    for k, m in ranked:
        if m.id not in best or k < best[m.id][0]:
            best[m.id] = (k, m)
    if not best:
        return []
    top = min(k for k, _ in best.values())
    tied = [m for k, m in best.values() if k == top]
    if section.curated_first and len(tied) > 1:
        curated = {r.id for r in _select(conn, _CURATED, {m.id for m in tied})}
        if len(curated) == 1:
            tied = [m for m in tied if m.id in curated]
    return sorted(tied, key=lambda m: (search_rank(m.category), m.id))


def _with_products(conn: Connection, ranked: Ranked) -> Ranked:
    """Genes' matches stand for the proteins they encode, at the same rank."""
    genes = {m.id: (k, m) for k, m in ranked if m.category == "biolink:Gene"}
    if not genes:
        return ranked
    links = _select(conn, _PRODUCTS, set(genes))
    products = {r.id: r for r in _select(conn, _BY_ID, {r.object for r in links})}
    out = [(k, m) for k, m in ranked if m.category != "biolink:Gene"]
    for link in links:
        p = products.get(link.object)
        if p is not None:
            k, gene = genes[link.subject]
            out.append((k, Match(p.id, p.name, p.symbol, p.category, gene.matched_by, gene.id)))
    return out
