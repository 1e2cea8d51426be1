"""Response models of the JSON API: they make /openapi.json describe every answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from scidex.kg.fields import EDGE_FIELD


class ErrorBody(BaseModel):
    code: int = Field(examples=[404])
    message: str = Field(examples=["no entity named 'bach11'"])
    details: Any = None


class ErrorOut(BaseModel):
    """Every error: one stable shape, whatever the status."""

    error: ErrorBody


class EntityBriefOut(BaseModel):
    id: str = Field(examples=["HGNC:935"])
    name: str = Field(examples=["BACH transcriptional regulator 1"])
    symbol: str | None = Field(examples=["BACH1"])
    category: str = Field(examples=["biolink:Gene"])


class XrefOut(BaseModel):
    id: str = Field(examples=["NCBIGene:571"])
    namespace: str = Field(examples=["NCBI Gene"])
    local_id: str = Field(examples=["571"])
    url: str | None = Field(examples=["https://www.ncbi.nlm.nih.gov/gene/571"])


class XrefsOut(BaseModel):
    entity: EntityBriefOut
    xrefs: list[XrefOut]


class PredicateCountOut(BaseModel):
    predicate: str = Field(examples=["biolink:located_in"])
    direction: Literal["out", "in"] = Field(description="out: the entity is the subject.")
    count: int = Field(ge=0)


def edge_field(name: str, **kwargs: Any) -> Any:
    """``Field`` of the declared edge field ``name``: its description comes from the declaration.

    Typed ``Any`` as ``Field`` is, so that the model's annotations stay what
    mypy and OpenAPI read; tests/test_fields.py checks them against it too.
    """
    return Field(description=EDGE_FIELD[name].description, **kwargs)


class EdgeOut(BaseModel):
    """An edge seen from one end: ``other_*`` describe the far end, ``direction`` which way."""

    id: str = edge_field("id", examples=["Ee8cf638a7d3a8c71bb1ce15c"])
    subject: str = edge_field("subject", examples=["HGNC:935"])
    predicate: str = edge_field("predicate", examples=["biolink:regulates"])
    object: str = edge_field("object", examples=["HGNC:5013"])
    direction: Literal["out", "in"]
    other_id: str
    other_name: str
    other_symbol: str | None
    other_category: str
    primary_knowledge_source: str = edge_field(
        "primary_knowledge_source", examples=["infores:scidex"]
    )
    aggregator_knowledge_sources: list[str] = edge_field("aggregator_knowledge_sources")
    knowledge_level: str = edge_field("knowledge_level", examples=["knowledge_assertion"])
    agent_type: str = edge_field("agent_type", examples=["manual_agent"])
    publications: list[str] = edge_field("publications", examples=[["PMID:12356737"]])
    evidence_codes: list[str] = edge_field("evidence_codes")
    qualifiers: dict[str, Any] = edge_field("qualifiers")
    confidence: float | None = edge_field("confidence")
    score: float = edge_field("score")
    source_release: str | None = edge_field("source_release")
    curated: bool


class NeighboursOut(BaseModel):
    entity: EntityBriefOut
    degree: int = Field(ge=0, description="All edges of the entity, unfiltered.")
    counts: list[PredicateCountOut]
    filters: dict[str, str | None]
    edges: list[EdgeOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    next: str | None = Field(description="URL of the next page, filters kept.")


class AssociationViaOut(BaseModel):
    disease_id: str = Field(description="The disease the edge names: this one, or a subtype.")
    disease_name: str
    edge_id: str
    source: str = Field(description="The edge's primary knowledge source.")


class DiseaseGeneOut(BaseModel):
    id: str
    symbol: str | None
    name: str
    direct: bool = Field(description="Some edge names the disease itself.")
    direct_edges: list[AssociationViaOut]
    subtypes: list[AssociationViaOut] = Field(description="Edges naming a subtype, at any depth.")


class GeneCountsOut(BaseModel):
    total: int = Field(ge=0, description="Distinct genes, direct or through subtypes.")
    direct: int = Field(ge=0, description="Genes with an edge to the disease itself.")
    through_subtypes: int = Field(ge=0, description="Genes reached only through subtypes.")


class AssociationsOut(BaseModel):
    entity: EntityBriefOut
    include: str
    counts: GeneCountsOut
    genes: list[DiseaseGeneOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    next: str | None = Field(description="URL of the next page.")


class PublicationOut(BaseModel):
    id: str = Field(examples=["PMID:36074822"])
    pmid: int = Field(gt=0, examples=[36074822])
    url: str | None = Field(examples=["https://pubmed.ncbi.nlm.nih.gov/36074822/"])
    source_release: str = Field(
        description="The source release that links the paper to the entity.",
        examples=["ncbi_gene@2022-09"],
    )


class PublicationSourceOut(BaseModel):
    release: str = Field(examples=["ncbi_gene@2022-09"])
    label: str = Field(examples=["NCBI Gene"])
    version: str = Field(examples=["2022-09"])
    count: int = Field(ge=0, description="Papers this release links to the entity.")


class PublicationsOut(BaseModel):
    entity: EntityBriefOut
    count: int = Field(ge=0, description="Papers linked to the entity, by all sources.")
    sources: list[PublicationSourceOut]
    order: str = Field(description="Highest PMID (most recently added to PubMed) first.")
    publications: list[PublicationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    next: str | None = Field(description="URL of the next page.")


class EntityUrlsOut(BaseModel):
    page: str | None = Field(examples=["/artifact/wiki-genes-bach1"])
    page_json: str | None
    neighbours: str
    xrefs: str


class EntityOut(EntityBriefOut):
    description: str | None
    synonyms: list[str] = Field(examples=[["BTB domain and CNC homolog 1"]])
    previous_symbols: list[str]
    xrefs: list[XrefOut]
    attributes: dict[str, Any] = Field(examples=[{"chromosome_location": "21q21.3"}])
    source_release: str | None = Field(examples=["hgnc@2026-06"])
    lifecycle: str = Field(examples=["active"])
    merged_into: str | None
    matched_by: str = Field(
        description=(
            "How the key named the entity: id | label | symbol | xref | alias | "
            "previous_symbol | synonym (exactly); or, when no entity has it exactly, qualified "
            "(a name without its parenthesised qualifier), singular, or prefix (the start of "
            "its shortest name)"
        ),
        examples=["symbol"],
    )
    degree: int = Field(ge=0)
    predicate_counts: list[PredicateCountOut]
    urls: EntityUrlsOut


class BetweenOut(BaseModel):
    subject: EntityBriefOut
    object: EntityBriefOut
    count: int = Field(ge=0)
    edges: list[EdgeOut] = Field(description="Seen from `subject`: `out` is subject → object.")


class LinkedIdOut(BaseModel):
    id: str = Field(examples=["PMID:12356737"])
    url: str | None = Field(examples=["https://pubmed.ncbi.nlm.nih.gov/12356737"])


class ReleaseOut(BaseModel):
    id: str = Field(examples=["hgnc@2026-06"])
    name: str
    infores: str
    version: str
    license: str
    attribution: str
    fetch: str = Field(description="The command that fetched the archive.")
    archive: str
    sha256: str
    fetched_at: str | None
    counts: dict[str, int]


class EdgeDetailOut(BaseModel):
    edge: EdgeOut
    subject: EntityBriefOut | None
    object: EntityBriefOut | None
    publications: list[LinkedIdOut]
    release: ReleaseOut | None = Field(description="The source release the edge came from.")


class ArtifactUrlsOut(BaseModel):
    page: str
    json_: str = Field(alias="json")


class ArtifactSummaryOut(BaseModel):
    id: str = Field(examples=["wiki-genes-bach1"])
    type: str = Field(examples=["wiki_page"])
    title: str
    slug: str | None
    kg_node_id: str | None
    entity_type: str | None
    origin_type: str = Field(examples=["curated"])
    lifecycle: str
    merged_into: str | None
    current_version: int
    created_at: str
    updated_at: str
    created_by: str | None
    urls: ArtifactUrlsOut


class ArtifactListOut(BaseModel):
    items: list[ArtifactSummaryOut]
    next_cursor: str | None


class RevisionOut(BaseModel):
    version: int = Field(examples=[1])
    summary: str
    author: str
    created_at: str
    content_hash: str
    parent_version: int | None


class ArtifactBriefOut(BaseModel):
    id: str
    title: str
    current_version: int


class HistoryOut(BaseModel):
    artifact: ArtifactBriefOut
    revisions: list[RevisionOut]
    next_before: int | None = Field(description="Pass as `before` for older revisions.")


class ReleaseUseOut(ReleaseOut):
    edges: int = Field(ge=0, description="Edges of the artifact's entity from this release.")
    defines_entity: bool


class LinkOut(BaseModel):
    source: str
    link_type: str = Field(examples=["cites"])
    target: str
    created_by: str
    created_at: str


class ProvenanceOut(BaseModel):
    artifact_id: str
    current_version: int
    origin_type: str
    created_by: str | None
    entity: EntityBriefOut | None
    source_releases: list[ReleaseUseOut]
    revisions: list[RevisionOut] = Field(description="The latest 20, newest first.")
    links: list[LinkOut]


class SearchHitOut(BaseModel):
    id: str = Field(examples=["HGNC:935"])
    kind: str = Field(examples=["entity"])
    category: str | None
    title: str
    symbol: str | None
    snippet: str = Field(description="Escaped HTML with <mark> around what matched.")
    matched_by: str = Field(examples=["symbol"])
    tier: Literal["exact", "prefix", "text"]
    url: str = Field(examples=["/entity/HGNC:935"])


class SearchOut(BaseModel):
    query: str
    category: str | None
    hits: list[SearchHitOut]


# What each error status means, for the API description; every error answer has the one
# shape above (ErrorOut), 304 alone has no body.
STATUS_MEANINGS: dict[int, str] = {
    300: "The name belongs to several entities equally: `details.candidates` lists them, "
    "best first; ask again with one's id.",
    304: "Not Modified: the `If-None-Match` tag matches this answer's `ETag`; no body.",
    400: "A parameter is unknown, malformed or out of range (`details.problems` says which).",
    401: "No `Authorization: Bearer <token>`, or a token that is unknown or revoked.",
    403: "The token's role may not do this.",
    404: "Nothing by that key; `details` has suggestions where there are any.",
    408: "The request body did not arrive in time (`SCIDEX_REQUEST_TIMEOUT`).",
    409: "The write started from a version that is no longer current (`details` has the "
    "other edit), or its target is no longer current.",
    413: "The request body, or the markdown in it, is longer than this server accepts.",
    422: "The content cannot be stored as it is (`details` names the field and line), or "
    "it needs more than the render budget.",
    503: "The database does not answer.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, in the one error shape."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        out[status] = {"description": STATUS_MEANINGS[status]}
        if status != 304:
            out[status]["model"] = ErrorOut
    return out
