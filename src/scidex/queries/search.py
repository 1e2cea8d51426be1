"""Search as a researcher expects it: exact names and identifiers first, then prefixes, then text.

Three tiers, each ranked within itself and never mixed:

1. **exact**: the query is an entity's id, an identifier it is cross-referenced
   to (``NCBIGene:571``, or a bare local part such as ``602751``, ``O14867``,
   ``ENSG00000156273``), or one of its names once normalised (``ALS`` = ``Als``);
   failing those, a name qualified in parentheses ("hippocampus" for UBERON's
   "hippocampus (Crosby)"). A bare accession that is an entity's own id
   (``O14867``, ``R-HSA-9708530``) finds that entity (the protein) before the
   ones listing it as an xref (its gene).
   Ordered by what matched (id, then label or approved symbol, then xref, then
   synonym or previous symbol, then qualified name: the resolution tiers), then by category
   (:func:`scidex.kg.categories.search_rank`), then protein-coding genes before other loci, then id.
2. **prefix**: a name starts with the query ("alzh" -> "Alzheimer disease").
   Labels and symbols before synonyms, then the shorter name (so "Alzheimer
   disease" comes before "Alzheimer disease 18"), then category, then id.
3. **text**: the full-text engine's relevance (bm25 / ts_rank_cd) over titles,
   names, identifiers and descriptions, every word required, the last one as
   a prefix.

Ties between entities sharing a name are kept, not hidden: both "Alzheimer
disease" entries (MONDO:0004975 and the phenotype HP:0002511) are exact label
matches and both are listed, the disease first by category order.

An identifier shared by several entities ranks protein-coding genes first.
NCBI Gene attaches BACH1's Ensembl id ENSG00000156273 to the overlapping
antisense RNA GRIK1-AS2 as well; HGNC assigns it to BACH1 only. The store
cannot tell which source contributed an xref (ingest tags every xref with the
entity's own release), so the locus group stands in: an Ensembl gene or
UniProt accession names the protein-coding locus when there is one.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from scidex.kg.categories import search_rank
from scidex.kg.names import normalize_name
from scidex.kg.urls import urls
from scidex.queries.resolve import TIERS, identifier_matches, qualified_matches, resolve
from scidex.store.schema import artifact, edge_count, entity
from scidex.store.search_index import (
    MAX_QUERY_CHARS,
    Hit,
    NameRow,
    fts_search,
    name_prefix,
    query_tokens,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

MAX_LIMIT = 100
RESPONSE_CATEGORY = "biolink:BiologicalProcess"


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    kind: str  # entity | artifact
    category: str | None
    title: str
    symbol: str | None
    snippet: str  # safe HTML: escaped text with <mark> around what matched
    matched_by: str  # id | symbol | label | xref | synonym | previous_symbol | prefix | text
    tier: str = "text"  # exact | prefix | text
    url: str = ""


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    category: str | None
    hits: list[SearchHit]


def clean_query(q: str) -> str:
    """The query as searched: control characters out, trimmed, bounded in length."""
    return _CONTROL.sub(" ", q).strip()[:MAX_QUERY_CHARS]


def search(
    conn: Connection,
    q: str,
    *,
    category: str | None = None,
    limit: int = 20,
    text: bool = True,
) -> SearchResult:
    """Ranked hits for ``q`` (see the module docstring); ``text=False`` skips the text tier."""
    q = clean_query(q)
    limit = max(1, min(limit, MAX_LIMIT))
    if not q:
        return SearchResult(q, category, [])
    norm = normalize_name(q)
    names = name_prefix(conn, norm, category=category) if norm else []
    matched = _exact_matches(conn, q, category, limit)
    if category in (None, RESPONSE_CATEGORY) and not q.lower().startswith("response to "):
        # What a researcher calls a mechanism ("oxidative stress") is, in GO, the
        # response to it: that process matches as well as a name does.
        for m in resolve(conn, f"response to {q}", category=RESPONSE_CATEGORY, limit=3).matches:
            if m.matched_by in ("label", "synonym"):
                matched.setdefault(m.id, ("response", f"response to {q}"))
    candidates = _prefix_candidates(names, limit + len(matched))
    facts = _facts(conn, [*matched, *(r.entity_id for r in candidates)])
    hits: dict[str, SearchHit] = {}
    # Several entities matching alike are ordered by how established each is.
    priors = _priors(conn, list(matched)) if len(matched) > 1 else {}
    for hit in _exact(q, norm, matched, names, facts, category, priors):
        hits.setdefault(hit.id, hit)
    if len(hits) < limit:
        for hit in _prefix(norm, candidates, facts):
            hits.setdefault(hit.id, hit)
    # An identifier that matched (NCBIGene:571, 602751) is answered: text
    # matches on its digits would only be noise.
    identifier = any(how in ("id", "xref") for how, _ in matched.values())
    if text and not identifier and len(hits) < limit and query_tokens(q):
        # Read past the page: the engine's relevance is re-ordered below.
        pool = fts_search(conn, q, category=category, limit=max(3 * limit, TEXT_POOL))
        found = _by_title([h for h in pool if h.doc_id not in hits], q)[: limit - len(hits)]
        symbols = _facts(conn, [h.doc_id for h in found if h.kind == "entity"])
        for h in found:
            f = symbols.get(h.doc_id)
            hits[h.doc_id] = SearchHit(
                h.doc_id,
                h.kind,
                h.category,
                h.title,
                f.symbol if f else None,
                _safe_snippet(h.snippet),
                "text",
                "text",
                _url(h.kind, h.doc_id),
            )
    return SearchResult(q, category, list(hits.values())[:limit])


TYPEAHEAD_LIMIT = 8
TEXT_POOL = 30  # text matches read before re-ordering


def _by_title(found: list[Hit], q: str) -> list[Hit]:
    """Text matches whose title holds every word of the query first, shortest title first
    ("response to oxidative stress" before a long name or a description that mentions
    it); the rest keep the engine's relevance order."""
    words = query_tokens(q)

    def key(item: tuple[int, Hit]) -> tuple[int, int, int]:
        i, h = item
        title = set(query_tokens(h.title))
        whole = all(w in title for w in words[:-1]) and any(t.startswith(words[-1]) for t in title)
        return (0, len(h.title), i) if whole else (1, 0, i)

    return [h for _, h in sorted(enumerate(found), key=key)]


def typeahead(
    conn: Connection, q: str, *, category: str | None = None, limit: int = TYPEAHEAD_LIMIT
) -> SearchResult:
    """The first few hits while someone types: the same ranking as :func:`search`.

    The text tier is skipped until the query has three characters: a one- or
    two-letter prefix is answered from the names index alone.
    """
    return search(conn, q, category=category, limit=limit, text=len(clean_query(q)) >= 3)


def _url(kind: str, doc_id: str) -> str:
    return urls.artifact(doc_id) if kind == "artifact" else urls.entity(doc_id)


@dataclass(frozen=True, slots=True)
class _Facts:
    name: str
    symbol: str | None
    category: str
    protein_coding: bool


def _facts(conn: Connection, ids: list[str]) -> dict[str, _Facts]:
    if not ids:
        return {}
    rows = conn.execute(
        select(entity.c.id, entity.c.name, entity.c.symbol, entity.c.category, entity.c.attributes)
        .where(entity.c.id.in_(ids))
        .where(entity.c.lifecycle == "active")
    )
    out = {}
    for r in rows:
        coding = False
        if r.category == "biolink:Gene" and "protein-coding" in r.attributes:
            coding = json.loads(r.attributes).get("locus_group") == "protein-coding gene"
        out[r.id] = _Facts(r.name, r.symbol, r.category, coding)
    return out


def _priors(conn: Connection, ids: list[str]) -> dict[str, tuple[bool, int]]:
    """How established each entity is: a curated page, then its number of edges.

    Orders entities that match a query equally well (two genes sharing the alias
    NRF2: NFE2L2, which the literature means, before GABPA).
    """
    if not ids:
        return {}
    degree = {
        eid: int(n)
        for eid, n in conn.execute(
            select(edge_count.c.entity_id, func.sum(edge_count.c.n))
            .where(edge_count.c.entity_id.in_(ids))
            .group_by(edge_count.c.entity_id)
        )
    }
    curated = set(
        conn.execute(
            select(artifact.c.kg_node_id).where(
                artifact.c.kg_node_id.in_(ids), artifact.c.origin_type == "curated"
            )
        ).scalars()
    )
    return {eid: (eid in curated, degree.get(eid, 0)) for eid in ids}


def _exact_matches(
    conn: Connection, q: str, category: str | None, limit: int
) -> dict[str, tuple[str, str]]:
    """Entity id -> (what matched, the identifier or name that matched, if not the query).

    Exact resolution first; when it finds nothing, a bare accession (``O14867``:
    the protein by its id, then the gene listing it), and failing that a name
    qualified in parentheses ("hippocampus" for "hippocampus (Crosby)").
    """
    found = resolve(conn, q, category=category, limit=limit)
    matched = {m.id: (m.matched_by, "") for m in found.matches}
    if not matched:
        for m in identifier_matches(conn, q, limit=limit):
            matched.setdefault(m.id, (m.matched_by, m.via))
    if not matched:
        for m in qualified_matches(conn, q, category=category, limit=limit):
            matched.setdefault(m.id, (m.matched_by, m.via))
    return matched


def _exact(
    q: str,
    norm: str,
    matched: dict[str, tuple[str, str]],
    names: list[NameRow],
    facts: dict[str, _Facts],
    category: str | None,
    priors: dict[str, tuple[bool, int]],
) -> list[SearchHit]:
    exact_names = {r.entity_id: r for r in names if r.norm == norm}
    hits = []
    for eid, (how, shown) in matched.items():
        f = facts.get(eid)
        if f is None or (category and f.category != category):
            continue
        if how in ("label", "symbol", "alias", "synonym", "previous_symbol") and eid in exact_names:
            snippet = _mark_whole(exact_names[eid].name)
        elif how in ("id", "xref"):
            snippet = _mark_xref(shown or (eid if how == "id" else q), q)
        elif how == "qualified":
            snippet = _mark_qualified(shown)
        elif how == "response":
            snippet = html.escape("response to ", quote=False) + _mark_whole(q)
        else:
            snippet = _mark_whole(q)
        curated, degree = priors.get(eid, (False, 0))
        key = (TIERS[how], search_rank(f.category), not f.protein_coding, not curated, -degree, eid)
        hit = SearchHit(
            eid, "entity", f.category, f.name, f.symbol, snippet, how, "exact", _url("entity", eid)
        )
        hits.append((key, hit))
    hits.sort(key=lambda h: h[0])
    return [h for _, h in hits]


_PRIMARY_NAMES = ("label", "symbol")


def _name_key(r: NameRow) -> tuple[int, int]:
    return (0 if r.kind in _PRIMARY_NAMES else 1, len(r.norm))


def _prefix_candidates(names: list[NameRow], want: int) -> list[NameRow]:
    """Each entity's best-matching name, best first, cut after ``want`` entities.

    The cut keeps every entity tied with the last one kept, so the category
    order applied afterwards (it needs the entity rows) sees all of a tie.
    """
    best: dict[str, NameRow] = {}
    for r in names:
        if r.entity_id not in best or _name_key(r) < _name_key(best[r.entity_id]):
            best[r.entity_id] = r
    ranked = sorted(best.values(), key=lambda r: (_name_key(r), r.entity_id))
    # Room for entities that turn out to be merged away or already listed.
    want += 8
    if len(ranked) > want:
        edge = _name_key(ranked[want - 1])
        ranked = [r for i, r in enumerate(ranked) if i < want or _name_key(r) == edge][:MAX_PREFIX]
    return ranked


MAX_PREFIX = 120


def _prefix(norm: str, candidates: list[NameRow], facts: dict[str, _Facts]) -> list[SearchHit]:
    ranked = []
    for r in candidates:
        f = facts.get(r.entity_id)
        if f is None:  # merged or withdrawn since its names were indexed
            continue
        key = (*_name_key(r), search_rank(f.category), r.entity_id)
        hit = SearchHit(
            r.entity_id,
            "entity",
            f.category,
            f.name,
            f.symbol,
            _mark_prefix(r.name, norm),
            "prefix",
            "prefix",
            _url("entity", r.entity_id),
        )
        ranked.append((key, hit))
    ranked.sort(key=lambda kh: kh[0])
    return [h for _, h in ranked]


def _mark_whole(text: str) -> str:
    return f"<mark>{html.escape(text, quote=False)}</mark>"


def _mark_xref(xref: str, q: str) -> str:
    """``OMIM:<mark>602751</mark>`` for a bare local id, the whole CURIE otherwise."""
    prefix, _, local = xref.partition(":")
    if local and local.casefold() == q.casefold():
        return f"{html.escape(prefix, quote=False)}:{_mark_whole(local)}"
    return _mark_whole(xref)


def _mark_qualified(name: str) -> str:
    """``<mark>hippocampus</mark> (Crosby)``: the name marked, its qualifier not."""
    head, _, qualifier = name.rpartition(" (")
    return _mark_whole(head) + html.escape(f" ({qualifier}", quote=False)


def _mark_prefix(name: str, norm: str) -> str:
    """``<mark>Alzh</mark>eimer disease``: mark the shortest start normalising to ``norm``."""
    for i in range(1, min(len(name), 300) + 1):
        if normalize_name(name[:i]) == norm:
            return _mark_whole(name[:i]) + html.escape(name[i:], quote=False)
    return html.escape(name, quote=False)


def _safe_snippet(snippet: str) -> str:
    """Escape everything but the engine's own <mark> tags."""
    escaped = html.escape(snippet, quote=False)
    return escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
