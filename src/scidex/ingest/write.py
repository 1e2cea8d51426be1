"""Turn parsed source records into one graph: canonical ids, merged entities, bulk writes.

Sources name things in their own namespaces (HPO says ``OMIM:104300`` and
``NCBIGene:571``; MONDO and HGNC say ``MONDO:0004975`` and ``HGNC:935``). Ingest
maps every id onto one canonical entity through the xrefs of the
highest-precedence vocabulary for its category, so that a disease is one
entity whatever source names it, and writes everything in bulk inside the
caller's transaction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, select

from scidex.ingest.publications import (
    EdgeStream,
    PublicationReport,
    prune_publications,
    write_publications,
)
from scidex.ingest.sources.base import Record
from scidex.ingest.stored import stored_attributes
from scidex.kg.categories import PRECEDENCE
from scidex.kg.curies import split_curie
from scidex.kg.model import Edge, Entity, EntityPatch, SourceRelease
from scidex.kg.names import normalize_name
from scidex.progress import NO_PROGRESS, Progress, Task, tracked
from scidex.store import bulk, edge_counts
from scidex.store.schema import (
    edge,
    edge_count,
    entity,
    entity_name,
    entity_xref,
)

# Edge endpoints may name a gene by its approved symbol, as ``HGNC.SYMBOL:BACH1``
# (sources such as OmniPath speak in symbols); ingest resolves it to the gene.
SYMBOL_PREFIX = "HGNC.SYMBOL"
# The predicates that relate a gene to its own product. Everywhere else a
# protein named in an edge (``UniProtKB:O14867``) stands for its gene, as the
# Translator node normaliser's gene/protein conflation has it: regulation,
# interactions and pathway participation are read on the gene page, while the
# protein keeps its own page, linked to its gene by these predicates.
PRODUCT_PREDICATES = {
    "biolink:has_gene_product": "object",
    "biolink:gene_product_of": "subject",
}


@dataclass
class SourceInput:
    """One source release and its parsed records (entities and patches before edges)."""

    release: SourceRelease
    records: Iterable[Record]
    # How many entities (with patches) and edges the records hold, when known: the
    # totals of the progress bars.
    expected_entities: int | None = None
    expected_edges: int | None = None


@dataclass
class IngestReport:
    entities: Counter[str] = field(default_factory=Counter)  # by category
    edges: Counter[str] = field(default_factory=Counter)  # by predicate
    edges_by_source: Counter[str] = field(default_factory=Counter)  # by release id
    dropped_edges: Counter[tuple[str, str]] = field(default_factory=Counter)  # (release, reason)
    dropped_examples: dict[tuple[str, str], str] = field(default_factory=dict)
    # The identifiers behind the dropped edges: (release, reason, identifier) -> edges.
    unmapped: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    merged: Counter[str] = field(default_factory=Counter)  # by merged-away prefix
    ambiguous_xrefs: dict[str, list[str]] = field(default_factory=dict)
    unresolved_patches: Counter[str] = field(default_factory=Counter)
    conflated: Counter[str] = field(default_factory=Counter)  # by release id
    release_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    publications: PublicationReport = field(default_factory=PublicationReport)


class IdMap:
    """Source-native CURIE -> canonical entity id, and gene products -> their genes."""

    def __init__(self) -> None:
        self._map: dict[str, str] = {}
        self._claims: defaultdict[str, set[str]] = defaultdict(set)
        # UniProtKB accession -> the one gene that lists it (see PRODUCT_PREDICATES).
        self.products: dict[str, str] = {}

    def claim(self, native: str, canonical: str) -> None:
        self._claims[native].add(canonical)

    def settle(self) -> dict[str, list[str]]:
        """Fix the map from the claims; return the natives claimed by several entities."""
        ambiguous: dict[str, list[str]] = {}
        for native, owners in self._claims.items():
            if len(owners) == 1:
                self._map[native] = next(iter(owners))
            else:
                ambiguous[native] = sorted(owners)
        self._claims.clear()
        return ambiguous

    def set(self, native: str, canonical: str) -> None:
        self._map[native] = canonical

    def get(self, curie: str) -> str:
        return self._map.get(curie, curie)

    def __contains__(self, curie: str) -> bool:
        return curie in self._map


def _prefix(curie: str) -> str:
    return split_curie(curie)[0]


def _merge_into(target: Entity, other: Entity | EntityPatch, *, keep_name: bool = True) -> None:
    """Add what ``other`` knows to ``target`` without losing anything ``target`` had."""
    names = list(target.synonyms)
    if isinstance(other, Entity):
        names += [other.name]
        if other.symbol:
            names.append(other.symbol)
    names += list(other.synonyms)
    known = {target.name, target.symbol}
    target.synonyms = tuple(dict.fromkeys(n for n in names if n and n not in known))
    xrefs = list(target.xrefs) + list(other.xrefs)
    if isinstance(other, Entity):
        xrefs.append(other.id)
    target.xrefs = tuple(dict.fromkeys(x for x in xrefs if x != target.id))
    for key, value in other.attributes.items():
        target.attributes.setdefault(key, value)
    if isinstance(other, Entity) and not target.description and other.description:
        target.description = other.description


# Progress is reported every this many records: often enough to see, cheap enough
# not to matter.
_STRIDE = 1000


def _split(
    records: Iterable[Record], task: Task
) -> tuple[list[Entity], list[EntityPatch], EdgeStream]:
    """Take the entities and patches a source yields first; leave its edges (and then its
    publication lists) as a stream. ``task`` counts the entities and patches read."""
    entities: list[Entity] = []
    patches: list[EntityPatch] = []
    it = iter(records)
    for rec in it:
        if isinstance(rec, Entity):
            entities.append(rec)
        elif isinstance(rec, EntityPatch):
            patches.append(rec)
        else:
            task.advance((len(entities) + len(patches)) % _STRIDE)
            return entities, patches, EdgeStream(it, rec)
        if (len(entities) + len(patches)) % _STRIDE == 0:
            task.advance(_STRIDE)
    task.advance((len(entities) + len(patches)) % _STRIDE)
    return entities, patches, EdgeStream(it, None)


def resolve_entities(
    inputs: list[SourceInput],
    report: IngestReport,
    anchors: Iterable[Entity] = (),
    progress: Progress = NO_PROGRESS,
) -> tuple[dict[str, Entity], IdMap, list[tuple[SourceRelease, EdgeStream]]]:
    """Merge every source's entities and patches onto canonical ids.

    ``anchors`` are entities already stored by sources not being rebuilt
    (see ``ingest.stored``); they take part as if their sources had been parsed.
    """
    by_id: dict[str, Entity] = {a.id: a for a in anchors}
    patches: list[EntityPatch] = []
    streams: list[tuple[SourceRelease, EdgeStream]] = []
    for inp in inputs:
        # A source's parser runs lazily: its entities are parsed here, its edges
        # while they are written (see write_graph).
        with progress.task(
            f"parsing {inp.release.name} entities", total=inp.expected_entities, unit="rows"
        ) as task:
            ents, pats, edges = _split(inp.records, task)
        for e in ents:
            e.source_release = e.source_release or inp.release.id
            if e.id in by_id:
                _merge_into(by_id[e.id], e)
            else:
                by_id[e.id] = e
        for p in pats:
            p.source_release = p.source_release or inp.release.id
        patches += pats
        streams.append((inp.release, edges))

    # Everything parsed so far is merged onto canonical ids: one step, seconds long.
    with progress.task("merging entities onto canonical ids", unit="entities"):
        idmap = IdMap()
        # Canonical entities claim the lower-vocabulary ids in their xrefs.
        for e in by_id.values():
            order = PRECEDENCE.get(e.category)
            if not order or _prefix(e.id) not in order:
                continue
            rank = order.index(_prefix(e.id))
            for x in e.xrefs:
                x_prefix = _prefix(x)
                if x_prefix in order and order.index(x_prefix) > rank:
                    idmap.claim(x, e.id)
        report.ambiguous_xrefs = idmap.settle()
        # An id several canonical entities claim is merged after all when exactly one
        # of them is called by the same name: the sources agree on what it is.
        for native, owners in list(report.ambiguous_xrefs.items()):
            own = by_id.get(native)
            if own is None:
                continue
            key = normalize_name(own.name)
            named = [
                o
                for o in owners
                if o in by_id
                and key in {normalize_name(n) for n in (by_id[o].name, *by_id[o].synonyms)}
            ]
            if len(named) == 1:
                idmap.set(native, named[0])
                del report.ambiguous_xrefs[native]
        # Follow chains (DECIPHER -> OMIM -> MONDO) to the top.
        for native in list(idmap._map):
            target = idmap.get(native)
            seen = {native}
            while target in idmap and target not in seen:
                seen.add(target)
                target = idmap.get(target)
            idmap.set(native, target)

        for native_id in [i for i in by_id if i in idmap]:
            target_id = idmap.get(native_id)
            if target_id in by_id and target_id != native_id:
                absorbed = by_id.pop(native_id)
                _merge_into(by_id[target_id], absorbed)
                report.merged[_prefix(native_id)] += 1

        # Gene ids also resolve through the canonical gene's own xrefs (NCBIGene:571),
        # its approved symbol, and (outside PRODUCT_PREDICATES) its products.
        products: defaultdict[str, set[str]] = defaultdict(set)
        for e in by_id.values():
            if e.category != "biolink:Gene":
                continue
            if e.symbol and _prefix(e.id) == "HGNC":
                idmap.set(f"{SYMBOL_PREFIX}:{e.symbol}", e.id)
            for x in e.xrefs:
                prefix = _prefix(x)
                if x not in idmap and prefix in {"NCBIGene", "ENSEMBL"}:
                    idmap.set(x, e.id)
                elif prefix == "UniProtKB":
                    products[x].add(e.id)
        # An accession two genes list (readthrough loci) names neither of them.
        idmap.products = {acc: next(iter(g)) for acc, g in products.items() if len(g) == 1}

        for p in patches:
            target_id = idmap.get(p.id)
            patched = by_id.get(target_id)
            if patched is None:
                report.unresolved_patches[p.source_release or "?"] += 1
                continue
            _merge_into(patched, p)
    return by_id, idmap, streams


def split_gene_mims(
    genes: Iterable[Entity], idmap: IdMap, release_id: str | None
) -> Iterator[Edge]:
    """Tell a gene's own MIM number from the phenotype MIMs NCBI lists beside it.

    An OMIM number that a disease vocabulary names (MONDO xref or HPO disease)
    is a phenotype: it becomes a gene -> disease edge, OMIM as its primary
    source, NCBI Gene as aggregator. The rest stay on the gene as its xrefs.
    """
    for g in genes:
        mims = g.attributes.pop("omim_ids", None)
        if not mims:
            continue
        own: list[str] = []
        phenotypes: list[str] = []
        for mim in mims:
            curie = mim if ":" in str(mim) else f"OMIM:{mim}"
            (phenotypes if curie in idmap else own).append(curie)
        g.xrefs = tuple(dict.fromkeys([*g.xrefs, *own]))
        if phenotypes:
            g.attributes["phenotype_mims"] = phenotypes
        for curie in phenotypes:
            yield Edge(
                subject=g.id,
                predicate="biolink:gene_associated_with_condition",
                object=idmap.get(curie),
                primary_knowledge_source="infores:omim",
                aggregator_knowledge_sources=("infores:ncbi-gene",),
                knowledge_level="knowledge_assertion",
                agent_type="manual_agent",
                source_release=release_id,
            )


def _fingerprint(e: Entity) -> tuple[Any, ...]:
    return (e.name, e.description, e.synonyms, e.xrefs, repr(sorted(e.attributes.items())))


def write_graph(
    conn: Connection,
    inputs: list[SourceInput],
    *,
    anchors: Iterable[Entity] = (),
    keep_stored_attributes: bool = False,
    progress: Progress = NO_PROGRESS,
) -> IngestReport:
    """Resolve, merge and write every input; the caller owns the transaction.

    ``anchors`` (stored entities of the sources not rebuilt) are resolved
    against but rewritten only where a rebuilt source added to them.
    ``keep_stored_attributes``: an entity rewritten keeps the stored
    attributes its new record lacks, which sources not rebuilt gave it (a
    rebuilt HGNC gene keeps NCBI's cytogenetic band).
    ``progress`` shows each step: parsing every source's entities, writing them,
    parsing and writing every source's edges, the publication lists.
    """
    report = IngestReport()
    releases = {inp.release.id: inp.release for inp in inputs}
    for release in releases.values():
        bulk.upsert_source_release(conn, release)

    anchors = list(anchors)
    held = {a.id: _fingerprint(a) for a in anchors}
    entities, idmap, streams = resolve_entities(inputs, report, anchors, progress)
    ncbi_release = next((r.id for r in releases.values() if r.name == "ncbi_gene"), None)
    mim_edges = list(
        split_gene_mims(
            (e for e in entities.values() if e.category == "biolink:Gene"), idmap, ncbi_release
        )
    )
    written = [e for e in entities.values() if e.id not in held or held[e.id] != _fingerprint(e)]
    for e in written:
        if e.id in held:
            continue
        report.entities[e.category] += 1
        counts = report.release_counts.setdefault(e.source_release or "?", Counter())
        counts["entities"] += 1
    if keep_stored_attributes:
        kept = stored_attributes(conn, [e.id for e in written if e.id not in held])
        for e in written:
            for key, value in kept.get(e.id, {}).items():
                e.attributes.setdefault(key, value)
    with progress.task("writing entities", total=len(written), unit="entities") as task:
        bulk.insert_entities(conn, tracked(written, task))

    known = set(entities)

    def mapped(release: SourceRelease | None, edges: Iterable[Edge]) -> Iterator[Edge]:
        for e in edges:
            rid = e.source_release or (release.id if release else "?")
            s, o = idmap.get(e.subject), idmap.get(e.object)
            keep = PRODUCT_PREDICATES.get(e.predicate)
            if keep != "subject" and s in idmap.products:
                s = idmap.products[s]
                report.conflated[rid] += 1
            if keep != "object" and o in idmap.products:
                o = idmap.products[o]
                report.conflated[rid] += 1
            reason = None
            if s not in known:
                reason, culprit = f"unknown subject {_prefix(s)}", e.subject
            elif o not in known:
                reason, culprit = f"unknown object {_prefix(o)}", e.object
            elif s == o:
                reason, culprit = "self-loop after merging", f"{e.subject} {e.object}"
            if reason:
                report.unmapped[(rid, reason, culprit)] += 1
                report.dropped_edges[(rid, reason)] += 1
                report.dropped_examples.setdefault((rid, reason), f"{e.subject} -> {e.object}")
                continue
            out = e if (s, o) == (e.subject, e.object) else replace(e, subject=s, object=o)
            out.source_release = rid
            report.edges[out.predicate] += 1
            report.edges_by_source[rid] += 1
            yield out

    expected = {inp.release.id: inp.expected_edges for inp in inputs}
    sources = [*streams, (None, iter(mim_edges))]
    # A first build fills an empty table: its indexes are built once, at the end,
    # while the outer step is still shown.
    with (
        progress.task("writing edges", total=len(sources), unit="sources") as all_,
        bulk.loading(conn, edge) as load,
    ):
        for stream_release, edges in sources:
            name = stream_release.name if stream_release else "gene-phenotype MIM"
            # The parser yields the edges as they are written: the two are one step.
            total = expected.get(stream_release.id) if stream_release else len(mim_edges)
            with progress.task(f"writing {name} edges", total=total, unit="edges") as task:
                # One wholesale recount at the end beats recounting per source.
                rows = map(bulk.edge_row, mapped(stream_release, tracked(edges, task)))
                load.write(bulk.EDGE_COLUMNS, rows)
            all_.advance()
    with progress.task("counting edges per entity", unit="entities"):
        edge_counts.refresh_all(conn)
    # Two statements a source gives that land on one edge (a symbol and an
    # accession naming the same gene) are one row: report what is stored, read
    # from the per-entity summary just refreshed.
    stored = _stored_edge_counts(conn, set(report.edges_by_source))
    report.edges = Counter()
    for (rid, predicate), n in stored.items():
        report.edges[predicate] += n
        report.edges_by_source[rid] = 0
    for (rid, _predicate), n in stored.items():
        report.edges_by_source[rid] += n
    for rid, n in report.edges_by_source.items():
        report.release_counts.setdefault(rid, Counter())["edges"] = n
    # The sources' publication lists come after their edges, read only now.
    write_publications(conn, streams, idmap.get, known, report.publications, progress)
    for rid, n in report.publications.links.items():
        report.release_counts.setdefault(rid, Counter())["publication links"] = n
    return report


def _stored_edge_counts(conn: Connection, releases: set[str]) -> Counter[tuple[str, str]]:
    """Stored edges per (release, predicate), from the ``edge_count`` summary."""
    out: Counter[tuple[str, str]] = Counter()
    if not releases:
        return out
    rows = conn.execute(
        select(edge_count.c.source_release, edge_count.c.predicate, func.sum(edge_count.c.n))
        .where(edge_count.c.direction == "out", edge_count.c.source_release.in_(sorted(releases)))
        .group_by(edge_count.c.source_release, edge_count.c.predicate)
    )
    for rid, predicate, n in rows:
        out[(rid, predicate)] += int(n)
    return out


def prune_stale(conn: Connection, current: Iterable[SourceRelease]) -> dict[str, int]:
    """Delete rows written by older releases of the sources just built.

    Upserts re-tag every row a new release still states; what remains tagged
    with an older release of the same source is what the new release dropped.
    Rows of other sources are never touched.
    """
    deleted: dict[str, int] = {}
    for release in current:
        prefix = f"{release.name}@"
        deleted["entity_publication"] = deleted.get("entity_publication", 0) + prune_publications(
            conn, release
        )
        for table in (edge, entity_name, entity_xref, entity):
            col = table.c.source_release
            stmt = delete(table).where(col.like(prefix + "%"), col != release.id)
            deleted[table.name] = deleted.get(table.name, 0) + (conn.execute(stmt).rowcount or 0)
    if deleted.get("edge"):
        edge_counts.refresh_all(conn)
    return deleted


def entity_ids(conn: Connection) -> set[str]:
    return set(conn.execute(select(entity.c.id)).scalars())


def write_unmapped(report: IngestReport, path: Path) -> int:
    """List every identifier behind a dropped edge in ``path`` (TSV); returns the rows."""
    rows = sorted(report.unmapped.items())
    with path.open("w", encoding="utf-8") as out:
        out.write("source_release\treason\tidentifier\tedges\n")
        for (rid, why, ident), n in rows:
            out.write(f"{rid}\t{why}\t{ident}\t{n}\n")
    return len(rows)


def release_summary(report: IngestReport) -> dict[str, Any]:
    return {
        "entities": dict(report.entities),
        "edges": dict(report.edges),
        "edges_by_source": dict(report.edges_by_source),
        "dropped_edges": {f"{r}: {why}": n for (r, why), n in report.dropped_edges.items()},
        "merged": dict(report.merged),
    }
