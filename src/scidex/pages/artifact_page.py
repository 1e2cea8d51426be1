"""Everything an artifact page shows, assembled from the store once.

The HTML page and its JSON twin both call :func:`artifact_page`, so they
cannot disagree. Each part is a bounded query: no part loads more than a
page's worth of edges, whatever the entity's degree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection

from scidex.kg.biolink import predicate_label, predicate_phrase
from scidex.kg.urls import Urls, urls
from scidex.kg.xrefs import external_url, local_id, namespace_label
from scidex.pages.cite import CitationRecord, permalink
from scidex.pages.infobox import Infobox, InfoValue, build_infobox
from scidex.pages.store_links import embedder, link_resolver
from scidex.pages.summary import SYMMETRIC, RolledGene, Summary, SummaryGroup, summarise
from scidex.queries.artifacts import (
    ArtifactRecord,
    LinkRecord,
    RevisionRecord,
    RevisionSummary,
    get_artifact,
    get_revision,
    links_of,
    revision_log,
)
from scidex.queries.associations import (
    DiseaseGene,
    GeneCounts,
    disease_genes,
    gene_counts,
    leading_genes,
)
from scidex.queries.graph import (
    EntityRecord,
    NeighbourEdge,
    PredicateCount,
    ReleaseInfo,
    get_entity,
    group_previews,
    most_specific,
    neighbours,
    other_category_counts,
    partner_counts,
    predicate_counts,
    release_counts,
    source_releases,
    strongest,
    with_qualifier_words,
)
from scidex.queries.literature import Literature, literature
from scidex.queries.phenotypes import HAS_PHENOTYPE, phenotype_systems
from scidex.queries.retractions import retracted_among
from scidex.wiki.compiled import render_page
from scidex.wiki.diagram import Diagram, DiagramEdge, DiagramNode, pathway_mermaid
from scidex.wiki.render import RenderContext, RenderedPage

GROUP_PREVIEW = 10
DISEASE_GENES_PREVIEW = 20  # genes listed on a disease page; the API pages the rest
ASSOCIATION_PREDICATES = ("biolink:gene_associated_with_condition",)


@dataclass(frozen=True, slots=True)
class EdgeGroup:
    direction: str
    predicate: str
    label: str
    count: int
    edges: list[NeighbourEdge]
    next_cursor: str | None

    @property
    def table_id(self) -> str:
        """The id of its table on the page (:func:`edges_id`)."""
        return edges_id(self.direction, self.predicate)


@dataclass(frozen=True, slots=True)
class DiseaseGenes:
    """A disease's genes, direct and through its subtypes: the counts and the first few."""

    counts: GeneCounts
    genes: list[DiseaseGene]
    next_cursor: str | None
    api_url: str  # every gene, paged


@dataclass(frozen=True, slots=True)
class ReleaseUse:
    release: ReleaseInfo
    edges: int
    defines_entity: bool
    papers: int = 0  # papers the release links to the entity


@dataclass(slots=True)
class Provenance:
    releases: list[ReleaseUse]
    revisions: list[RevisionSummary]
    links: list[LinkRecord]


@dataclass(slots=True)
class ArtifactPage:
    artifact: ArtifactRecord
    revision: RevisionRecord
    is_current: bool
    entity: EntityRecord | None
    infobox: Infobox | None
    rendered: RenderedPage
    degree: int
    counts: list[PredicateCount]
    groups: list[EdgeGroup]
    diagram: Diagram | None
    see_also: list[tuple[str, str, str]]  # label, url, why
    external_links: list[tuple[str, str]]  # label, url
    provenance: Provenance
    metadata: list[tuple[str, Any]]
    page_urls: dict[str, str] = field(default_factory=dict)
    disease_genes: DiseaseGenes | None = None
    # The generated article; it stands in for the text when no one has written
    # any (a page the build generated), and shows beneath a written article.
    summary: Summary | None = None
    summary_is_article: bool = False
    retracted: frozenset[str] = frozenset()
    """Retracted papers among the publications of the edges shown."""
    literature: Literature | None = None  # papers linked to the entity

    @property
    def sections(self) -> list[EdgeGroup]:
        """The edge tables as the page shows them: :func:`edge_sections` of the groups."""
        return edge_sections(self.groups)


class PageNotFound(LookupError):
    pass


def edge_sections(groups: list[EdgeGroup]) -> list[EdgeGroup]:
    """The groups as tables: a symmetric predicate's two directions in one table.

    "A interacts with B" and "B interacts with A" say the same thing, so the
    page shows one table of both (direction ``both``, each row still stated
    as its source has it), where the JSON keeps the two groups apart.
    """
    out: list[EdgeGroup] = []
    held: dict[str, int] = {}
    for g in groups:
        if g.predicate not in SYMMETRIC:
            out.append(g)
        elif g.predicate in held:
            first = out[held[g.predicate]]
            out[held[g.predicate]] = replace(
                first,
                count=first.count + g.count,
                edges=[*first.edges, *g.edges],
                # Either direction has more than its preview: the table links to all of them.
                next_cursor=first.next_cursor or g.next_cursor,
            )
        else:
            held[g.predicate] = len(out)
            out.append(replace(g, direction="both", label=predicate_phrase(g.predicate, "out")))
    return out


def edges_id(direction: str, predicate: str) -> str:
    """The id of a page's edge table (a symmetric predicate has one, ``both``)."""
    direction = "both" if predicate in SYMMETRIC else direction
    return f"edges-{direction}-{predicate.removeprefix('biolink:')}"


def edges_anchor(direction: str, predicate: str) -> str:
    """The fragment of a page's edge table."""
    return "#" + edges_id(direction, predicate)


# Groups whose other ends are of several kinds read better as one sentence per kind
# (a gene's Reactome pathways apart from its GO processes).
SPLIT_BY_KIND = ("biolink:participates_in",)


ANNOTATION_KINDS = frozenset(
    {"biolink:BiologicalProcess", "biolink:MolecularActivity", "biolink:CellularComponent"}
)


def _by_kind(
    conn: Connection, curie: str, groups: list[EdgeGroup], partners: dict[tuple[str, str], int]
) -> list[Any]:
    """The page's groups as the summary tells them: split by the kind of entity at the
    other end where they mix kinds, and ontology terms most specific first; counted in
    partners, not edges (several sources may state one partner)."""
    out: list[Any] = []
    for g in groups:
        counts = (
            other_category_counts(conn, curie, g.direction, g.predicate)
            if g.predicate in SPLIT_BY_KIND and g.direction == "out"
            else {}
        )
        if len(counts) < 2:
            counts = {}
        parts: list[tuple[str | None, int]] = [
            *sorted(counts.items(), key=lambda kv: (kv[0] != "biolink:Pathway", kv[0]))
        ] or [(None, partners.get((g.direction, g.predicate), g.count))]
        for kind, n in parts:
            edges = [e for e in g.edges if kind is None or e.other_category == kind]
            kinds = {e.other_category for e in edges} or ({kind} if kind else set())
            if g.direction == "out" and kinds and kinds <= ANNOTATION_KINDS:
                specific = most_specific(
                    conn, curie, g.direction, g.predicate, category=kind, limit=GROUP_PREVIEW
                )
                edges = specific if specific is not None else edges
            elif kind is not None and len(edges) < min(n, 6):
                # The preview is ranked across kinds: read this kind's own first page.
                edges = neighbours(
                    conn,
                    curie,
                    predicate=g.predicate,
                    direction=g.direction,
                    category=kind,
                    limit=GROUP_PREVIEW,
                ).edges
            out.append(SummaryGroup(g.direction, g.predicate, n, edges))
    return out


def _diagram(entity: EntityRecord, edges: list[NeighbourEdge], pages: dict[str, str]) -> Diagram:
    def node(curie: str, label: str, category: str) -> DiagramNode:
        url = urls.artifact(pages[curie]) if curie in pages else urls.entity(curie)
        return DiagramNode(curie, label, category, url)

    center = node(entity.id, entity.symbol or entity.name, entity.category)
    dedges = []
    for e in edges:
        other = node(e.other_id, e.other_symbol or e.other_name, e.other_category)
        subj, obj = (center, other) if e.direction == "out" else (other, center)
        dedges.append(DiagramEdge(subj, e.predicate, obj, e.curated, e.score))
    return pathway_mermaid(center, dedges)


def _release_uses(
    conn: Connection, entity: EntityRecord, papers: Literature | None
) -> list[ReleaseUse]:
    counts = release_counts(conn, entity.id)
    linked = {s.release: s.count for s in papers.sources} if papers else {}
    releases = {r.id: r for r in source_releases(conn)}
    wanted = set(counts) | set(linked)
    wanted |= {entity.source_release} if entity.source_release else set()
    return [
        ReleaseUse(
            releases[rid], counts.get(rid, 0), rid == entity.source_release, linked.get(rid, 0)
        )
        for rid in sorted(wanted)
        if rid in releases
    ]


def _gene_values(rolled: DiseaseGenes, pages: dict[str, str], *, cap: int) -> list[InfoValue]:
    """The infobox's "Associated genes": direct first, each rolled-up one with a subtype."""

    def url(curie: str) -> str:
        return urls.artifact(pages[curie]) if curie in pages else urls.entity(curie)

    values = []
    for g in rolled.genes[:cap]:
        note = ""
        if not g.direct:
            names = g.via_names
            note = f"via {names[0]}" + (f" and {len(names) - 1} more" if len(names) > 1 else "")
        values.append(InfoValue(g.label, url(g.gene_id), True, g.gene_id, note))
    c = rolled.counts
    more = c.total - len(values)
    values.append(
        InfoValue(
            f"{c.direct:,} direct, {c.through_subtypes:,} through subtypes"
            + (f"; {more:,} more" if more > 0 else ""),
            "#disease-genes",
            True,
        )
    )
    return values


def artifact_page(
    conn: Connection,
    artifact: ArtifactRecord | str,
    *,
    version: int | None = None,
    base_url: str = "",
) -> ArtifactPage:
    """Everything an artifact page shows, each thing read once.

    ``artifact`` is the record the caller already found on ``conn`` (or an id to
    look up).
    """
    art = get_artifact(conn, artifact) if isinstance(artifact, str) else artifact
    if art is None:
        raise PageNotFound(str(artifact))
    rev = get_revision(conn, art.id, version or art.current_version)
    if rev is None:
        raise PageNotFound(f"{art.id} version {version}")
    entity = get_entity(conn, art.kg_node_id) if art.kg_node_id else None

    links = link_resolver(conn)
    ctx = RenderContext(resolve_link=links, embed=embedder(conn), references=rev.references)
    rendered = render_page(rev.markdown, ctx, content_hash=rev.content_hash)

    counts: list[PredicateCount] = []
    groups: list[EdgeGroup] = []
    infobox = diagram = None
    degree = 0
    see_also: list[tuple[str, str, str]] = []
    external: list[tuple[str, str]] = []
    releases: list[ReleaseUse] = []
    rolled: DiseaseGenes | None = None
    summary: Summary | None = None
    papers: Literature | None = None
    if entity is not None:
        counts = predicate_counts(conn, entity.id)
        degree = sum(c.count for c in counts)
        previews = group_previews(conn, entity.id, counts, limit=GROUP_PREVIEW)
        worded = iter(with_qualifier_words(conn, [e for p in previews for e in p.edges]))
        for c, page in zip(counts, previews, strict=True):
            groups.append(
                EdgeGroup(
                    c.direction,
                    c.predicate,
                    predicate_phrase(c.predicate, c.direction),
                    c.count,
                    [next(worded) for _ in page.edges],
                    page.next_cursor.encode() if page.next_cursor else None,
                )
            )
        top = strongest(previews, per_group=6)
        partners = partner_counts(conn, entity.id)
        shown = {e.other_id for g in groups for e in g.edges} | {e.other_id for e in top}
        assoc_dir = "out" if entity.category == "biolink:Gene" else "in"
        assoc = [
            g for g in groups if g.predicate in ASSOCIATION_PREDICATES and g.direction == assoc_dir
        ]
        assoc_edges = [e for g in assoc for e in g.edges]
        box_genes: list[InfoValue] | None = None
        if entity.category == "biolink:Disease":
            counts_ = gene_counts(conn, entity.id)
            if counts_.total:
                first = disease_genes(conn, entity.id, limit=DISEASE_GENES_PREVIEW)
                rolled = DiseaseGenes(
                    counts_,
                    first.genes,
                    first.next_cursor,
                    urls.api_associations(entity.id, {"include": "subtypes"}),
                )
                shown |= {g.gene_id for g in first.genes}
                shown |= {v.disease_id for g in first.genes for v in g.subtypes}
        pages = links.pages_of([entity.id, *shown])
        if rolled is not None:
            box_genes = _gene_values(rolled, pages, cap=12)
        infobox = build_infobox(
            entity,
            degree=degree,
            associations=assoc_edges,
            # Partners, not edges (one association predicate: no partner counted twice).
            association_total=sum(partners.get((g.direction, g.predicate), g.count) for g in assoc),
            page_url=lambda c: urls.artifact(pages[c]) if c in pages else urls.entity(c),
            atlas_url=urls.explorer(entity.id),
            disease_genes=box_genes,
            products=[
                e for g in groups if g.predicate == "biolink:has_gene_product" for e in g.edges
            ],
        )
        diagram = _diagram(entity, top, pages)
        summary = summarise(
            entity,
            _by_kind(conn, entity.id, groups, partners),
            lambda c: urls.artifact(pages[c]) if c in pages else urls.entity(c),
            lambda g: edges_anchor(g.direction, g.predicate),
            disease_genes=None
            if rolled is None
            else (
                [
                    RolledGene(
                        g.gene_id,
                        g.label,
                        g.direct,
                        tuple((v.disease_id, v.disease_name) for v in g.subtypes),
                    )
                    for g in leading_genes(conn, entity.id, limit=12)
                ],
                rolled.counts.total,
                rolled.counts.direct,
            ),
            genes_anchor="#disease-genes",
            phenotype_systems=phenotype_systems(conn, entity.id)
            if any(c.predicate == HAS_PHENOTYPE and c.direction == "out" for c in counts)
            else (),
            symmetric_partners={p: n for (d, p), n in partners.items() if d == "both"},
        )
        curated = [e for e in top if e.curated]
        for e in curated + [e for e in top if not e.curated][: max(0, 8 - len(curated))]:
            url = (
                urls.artifact(pages[e.other_id]) if e.other_id in pages else urls.entity(e.other_id)
            )
            why = ("curated: " if e.curated else "") + predicate_label(e.predicate)
            item = (e.other_symbol or e.other_name, url, why)
            if item[1] not in {s[1] for s in see_also}:
                see_also.append(item)
        for x in [entity.id, *entity.xrefs]:
            if link := external_url(x):
                external.append((f"{namespace_label(x)}: {local_id(x)}", link))
        papers = literature(conn, entity.id)
        releases = _release_uses(conn, entity, papers)

    provenance = Provenance(releases, revision_log(conn, art.id, limit=20), links_of(conn, art.id))
    metadata: list[tuple[str, Any]] = [
        ("id", art.id),
        ("slug", art.slug),
        ("kg_node_id", art.kg_node_id),
        ("entity_type", art.entity_type),
        ("origin_type", art.origin_type),
        ("source_table", art.metadata.get("source_table")),
        ("wiki_page_id", art.id),
        ("lifecycle", art.lifecycle),
        ("merged_from", ", ".join(map(str, art.merged_from)) or "none"),
        ("schema_version", art.schema_version),
        ("version", f"{rev.version} of {art.current_version}"),
        ("last edit", f"{rev.created_at} by {rev.author}"),
        ("content_hash", rev.content_hash),
    ]
    site = Urls(base_url)  # absolute links, to cite and to embed
    return ArtifactPage(
        artifact=art,
        revision=rev,
        is_current=rev.version == art.current_version,
        entity=entity,
        infobox=infobox,
        rendered=rendered,
        degree=degree,
        counts=counts,
        groups=groups,
        diagram=diagram,
        see_also=see_also,
        external_links=external,
        provenance=provenance,
        metadata=metadata,
        disease_genes=rolled,
        summary=summary,
        summary_is_article=summary is not None
        and art.origin_type == "backfill"
        and citation_author(rev.author) == CONTRIBUTORS,
        retracted=retracted_among(
            conn, (p for g in groups for e in g.edges for p in e.publications)
        ),
        literature=papers,
        page_urls={
            "canonical": site.artifact(art.id),
            "permalink": site.artifact(art.id, rev.version),
            "embed": site.embed(art.id),
            "json": urls.api_artifact(art.id),
            "history": urls.history(art.id),
        }
        | (
            {
                "publications": urls.publications(art.id),
                "publications_json": urls.api_publications(entity.id),
            }
            if papers is not None and entity is not None
            else {}
        ),
    )


# Who a citation names for text the atlas wrote itself (the build, an import).
CONTRIBUTORS = "SciDEX Atlas contributors"


def citation_author(revision_author: str) -> str:
    """The name a citation gives a revision's author: an editor's or token's own name, or
    the atlas's contributors for revisions written by the build or an import."""
    kind, _, name = revision_author.partition(":")
    return name if kind in ("account", "token") and name else CONTRIBUTORS


def citation_record(page: ArtifactPage, base_url: str, accessed: str) -> CitationRecord:
    """The artifact as a citable work, pinned to the version shown."""
    authors = list(
        dict.fromkeys(
            citation_author(r.author)
            for r in reversed(page.provenance.revisions)
            if r.version <= page.revision.version
        )
    )
    return CitationRecord(
        artifact_id=page.artifact.id,
        title=page.artifact.title,
        version=page.revision.version,
        url=permalink(base_url, page.artifact.id, page.revision.version),
        authors=authors,
        created=page.artifact.created_at,
        updated=page.revision.created_at,
        accessed=accessed,
        content_hash=page.revision.content_hash,
        artifact_type=page.artifact.type,
    )
