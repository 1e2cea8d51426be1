"""The infobox: built once, from structured entity data, with rows that fit the category.

No HTML here and none from page content: the template renders these rows,
so an infobox can neither be duplicated by content nor carry raw markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from scidex.kg.categories import label_for
from scidex.kg.xrefs import external_url, local_id
from scidex.queries.graph import EntityRecord, NeighbourEdge

GO_NAMESPACES = {
    "biological_process": "Biological process",
    "molecular_function": "Molecular function",
    "cellular_component": "Cellular component",
}


@dataclass(frozen=True, slots=True)
class InfoValue:
    text: str
    url: str | None = None
    internal: bool = False  # a link inside the atlas rather than to an authority
    curie: str | None = None
    note: str = ""  # shown after the value, e.g. the subtype a rolled-up gene comes through


@dataclass(frozen=True, slots=True)
class InfoRow:
    label: str
    values: list[InfoValue]
    key: str = ""  # stable machine name for the JSON twin


@dataclass(slots=True)
class Infobox:
    title: str
    subtitle: str
    category: str
    rows: list[InfoRow] = field(default_factory=list)
    kg_connections: int = 0
    kg_url: str = ""


def _xref_values(entity: EntityRecord, prefix: str) -> list[InfoValue]:
    return [
        InfoValue(local_id(x), external_url(x), curie=x)
        for x in entity.xrefs
        if x.startswith(prefix + ":")
    ]


def _own_id(entity: EntityRecord) -> InfoValue:
    return InfoValue(entity.id, external_url(entity.id), curie=entity.id)


def _linked_entities(
    edges: Iterable[NeighbourEdge], page_url: Callable[[str], str], cap: int
) -> list[InfoValue]:
    """One value per distinct entity (two sources stating one link show it once)."""
    seen: dict[str, InfoValue] = {}
    for e in edges:
        if e.other_id not in seen:
            label = e.other_symbol or e.other_name
            seen[e.other_id] = InfoValue(label, page_url(e.other_id), True, e.other_id)
        if len(seen) >= cap:
            break
    return list(seen.values())


def build_infobox(
    entity: EntityRecord,
    *,
    degree: int,
    associations: list[NeighbourEdge],
    association_total: int,
    page_url: Callable[[str], str],
    atlas_url: str,
    cap: int = 12,
    disease_genes: list[InfoValue] | None = None,
    products: list[NeighbourEdge] | None = None,
) -> Infobox:
    """Rows for ``entity``; ``associations`` are its gene-disease edges, strongest first.

    ``disease_genes``, for a disease: its genes direct and through subtypes,
    already made values (they replace the direct edges in "Associated genes").
    ``products`` are its ``has_gene_product`` edges (a gene's proteins, or a
    protein's gene).
    """
    cat = entity.category
    title = f"{entity.symbol} — {entity.name}" if entity.symbol else entity.name
    box = Infobox(
        title=title,
        subtitle=label_for(cat),
        category=cat,
        kg_connections=degree,
        kg_url=atlas_url,
    )
    rows = box.rows
    attrs = entity.attributes

    def row(key: str, label: str, values: list[InfoValue]) -> None:
        if values:
            rows.append(InfoRow(label, values, key))

    linked = _linked_entities(associations, page_url, cap)
    more = association_total - len(linked)
    if more > 0:
        linked.append(InfoValue(f"and {more:,} more", atlas_url, True))

    if cat == "biolink:Gene":
        row("symbol", "Symbol", [InfoValue(entity.symbol or "")])
        row("name", "Full name", [InfoValue(entity.name)])
        if entity.previous_symbols:
            row(
                "previous_symbols",
                "Previous symbols",
                [InfoValue(s) for s in entity.previous_symbols],
            )
        row(
            "locus",
            "Locus type",
            [InfoValue(str(attrs["locus_type"]))]
            if attrs.get("locus_type")
            else [InfoValue(str(attrs["locus_group"]))]
            if attrs.get("locus_group")
            else [],
        )
        location = attrs.get("chromosome_location") or attrs.get("hgnc_location")
        row("chromosome", "Chromosome", [InfoValue(str(location))] if location else [])
        row("ncbigene", "NCBI Gene", _xref_values(entity, "NCBIGene"))
        row("ensembl", "Ensembl", _xref_values(entity, "ENSEMBL"))
        row("omim", "OMIM", _xref_values(entity, "OMIM"))
        row("uniprot", "UniProt", _xref_values(entity, "UniProtKB"))
        row("protein", "Protein", _linked_entities(products or [], page_url, cap))
        row("hgnc", "HGNC", [_own_id(entity)] if entity.id.startswith("HGNC:") else [])
        row("diseases", "Associated diseases", linked)
    elif cat == "biolink:Disease":
        row("id", entity.id.split(":")[0], [_own_id(entity)])
        for prefix, label in (
            ("OMIM", "OMIM"),
            ("Orphanet", "Orphanet"),
            ("DOID", "Disease Ontology"),
            ("MESH", "MeSH"),
            ("UMLS", "UMLS"),
            ("NCIT", "NCI Thesaurus"),
        ):
            row(prefix.lower(), label, _xref_values(entity, prefix))
        inheritance = attrs.get("inheritance") or []
        row(
            "inheritance",
            "Inheritance",
            [
                InfoValue(i["name"], page_url(i["id"]), True, i["id"])
                for i in inheritance
                if isinstance(i, dict) and i.get("id")
            ],
        )
        row("genes", "Associated genes", linked if disease_genes is None else disease_genes)
    elif cat == "biolink:PhenotypicFeature":
        row("id", "HPO", [_own_id(entity)])
        for prefix, label in (("UMLS", "UMLS"), ("MESH", "MeSH"), ("SNOMEDCT", "SNOMED CT")):
            row(prefix.lower(), label, _xref_values(entity, prefix))
    elif cat == "biolink:Protein":
        row("id", "UniProt", [_own_id(entity)])
        row("gene", "Gene", _linked_entities(products or [], page_url, cap))
        if name := attrs.get("entry_name"):
            row("entry_name", "Entry name", [InfoValue(str(name))])
        row("ec", "EC numbers", [InfoValue(str(n)) for n in attrs.get("ec_numbers") or []])
    elif entity.id.startswith("GO:"):
        row("id", "GO", [_own_id(entity)])
        ns = attrs.get("namespace")
        row("namespace", "Namespace", [InfoValue(GO_NAMESPACES.get(ns, ns))] if ns else [])
    else:
        row("id", "Identifier", [_own_id(entity)])
    if entity.description and cat != "biolink:Gene":
        row("definition", "Definition", [InfoValue(entity.description)])
    return box
