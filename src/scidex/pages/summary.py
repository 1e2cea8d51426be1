"""A generated article for every entity: plain sentences written from its stored statements.

Each sentence is made from one group of the entity's edges (one predicate in
one direction), the disease-gene roll-up, or the entity's own record; every
entity it names links to that entity's page, and the sentence links to the
statements behind it (the edge group on the same page). Nothing is said that
the store does not state, and counts are the store's counts.

The templates follow what a researcher would write (in the spirit of the
Alliance of Genome Resources' automated gene summaries and Monarch's entity
pages): a gene's product, pathways, regulators and targets with their sign,
interaction partners, diseases and phenotypes, then its GO annotations; a
disease's genes (direct and through subtypes), phenotypes, parents and
subtypes; for any other kind, its definition, parents and what the graph links
to it. A curated article keeps precedence: this text shows beneath it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from scidex.kg.biolink import predicate_label
from scidex.kg.categories import noun_for
from scidex.queries.graph import EntityRecord, NeighbourEdge
from scidex.queries.phenotypes import HAS_PHENOTYPE, PhenotypeSystem, system_label

# How many entities one sentence names before it says "and N more".
NAMED = 6
SYSTEMS = 4  # organ systems named in a phenotype summary


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity named in a sentence, linked to its page."""

    label: str
    curie: str
    url: str
    note: str | None = None  # e.g. "through Alzheimer disease type 1"


Part = str | Mention


@dataclass(frozen=True, slots=True)
class Sentence:
    parts: tuple[Part, ...]
    evidence: str | None = None  # where the statements behind it are listed

    @property
    def text(self) -> str:
        """The sentence as plain text (for JSON, search and tests)."""
        out = []
        for p in self.parts:
            if isinstance(p, Mention):
                out.append(p.label + (f" ({p.note})" if p.note else ""))
            else:
                out.append(p)
        return "".join(out)


@dataclass(slots=True)
class Paragraph:
    topic: str  # what the sentences are about: "Regulation", "Diseases", ...
    sentences: list[Sentence] = field(default_factory=list)


@dataclass(slots=True)
class Summary:
    paragraphs: list[Paragraph]

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p.sentences]

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {
                "topic": p.topic,
                "sentences": [
                    {
                        "text": s.text,
                        "evidence": s.evidence,
                        "mentions": [
                            {"id": m.curie, "label": m.label, "url": m.url}
                            for m in s.parts
                            if isinstance(m, Mention)
                        ],
                    }
                    for s in p.sentences
                ],
            }
            for p in self.paragraphs
            if p.sentences
        ]


class Group(Protocol):
    """One predicate's edges in one direction: the first few, and how many in all."""

    @property
    def direction(self) -> str: ...
    @property
    def predicate(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def edges(self) -> list[NeighbourEdge]: ...


@dataclass(frozen=True, slots=True)
class RolledGene:
    """A disease's gene for the summary: how it is reached."""

    gene_id: str
    label: str
    direct: bool
    subtypes: tuple[tuple[str, str], ...]  # (disease id, name) of the subtypes behind it


UrlOf = Callable[[str], str]


# --------------------------------------------------------------------------
# Words


def _name(e: EntityRecord) -> str:
    return e.symbol or e.name


def _mention(edge: NeighbourEdge, url_of: UrlOf, note: str | None = None) -> Mention:
    return Mention(edge.other_symbol or edge.other_name, edge.other_id, url_of(edge.other_id), note)


def _series(items: Sequence[Part], more: int = 0, conj: str = "and") -> list[Part]:
    """``A, B and C`` (or ``A, B, C and 4 more``) with the items kept as parts; names that
    hold commas themselves are separated by semicolons."""
    if more > 0:
        items = [*items, f"{more:,} more"]
    comma = any("," in (i.label if isinstance(i, Mention) else i) for i in items)
    sep = "; " if comma else ", "
    out: list[Part] = []
    for i, item in enumerate(items):
        if i and i == len(items) - 1:
            out.append(f"{sep.strip()} {conj} " if comma else f" {conj} ")
        elif i:
            out.append(sep)
        out.append(item)
    return out


def _unique(edges: Sequence[NeighbourEdge]) -> list[NeighbourEdge]:
    seen: set[str] = set()
    out = []
    for e in edges:
        if e.other_id not in seen:
            seen.add(e.other_id)
            out.append(e)
    return out


def _listing(
    edges: Sequence[NeighbourEdge], total: int, url_of: UrlOf, cap: int = NAMED
) -> list[Part]:
    shown = _unique(edges)[:cap]
    return _series([_mention(e, url_of) for e in shown], max(0, total - len(shown)))


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


# The direction a regulation edge states, in words (Biolink 4 qualifiers).
_SIGN = {
    "increased": "activates",
    "upregulated": "activates",
    "decreased": "represses",
    "downregulated": "represses",
}
_SIGN_PASSIVE = {"activates": "activated", "represses": "repressed", "regulates": "regulated"}


def _sign(edge: NeighbourEdge) -> str:
    direction = str(edge.qualifiers.get("object_direction_qualifier", ""))
    return _SIGN.get(direction, "regulates")


def _aspect(edges: Sequence[NeighbourEdge]) -> str | None:
    aspects = {str(e.qualifiers.get("object_aspect_qualifier", "")) for e in edges}
    if aspects == {"expression"}:
        return "expression"
    if aspects == {"activity_or_abundance"}:
        return "activity or abundance"
    return None


# Verb phrases for predicates read from the entity outwards ("BACH1 encodes ...")
# and inwards ("... take part in it"); others use the Biolink label.
_OUT = {
    "biolink:has_gene_product": "encodes",
    "biolink:gene_product_of": "is the product of",
    "biolink:participates_in": "takes part in",
    "biolink:enables": "enables",
    "biolink:located_in": "is located in",
    "biolink:active_in": "is active in",
    "biolink:part_of": "is part of",
    "biolink:subclass_of": "is a kind of",
    "biolink:member_of": "belongs to",
    "biolink:has_phenotype": "has the phenotypes",
    "biolink:gene_associated_with_condition": "is associated with",
    "biolink:physically_interacts_with": "interacts physically with",
    "biolink:interacts_with": "interacts with",
    "biolink:related_to": "is related to",
    "biolink:associated_with": "is associated with",
    "biolink:correlated_with": "is correlated with",
    "biolink:genetically_interacts_with": "interacts genetically with",
    "biolink:regulated_by": "is regulated by",
}
# Inward phrases, for one subject and for several: "X takes part in it".
_IN = {
    "biolink:participates_in": ("takes part in it", "take part in it"),
    "biolink:enables": ("enables it", "enable it"),
    "biolink:located_in": ("is located in it", "are located in it"),
    "biolink:active_in": ("is active in it", "are active in it"),
    "biolink:part_of": ("is one of its parts", "are among its parts"),
    "biolink:member_of": ("is a member", "are its members"),
    "biolink:has_phenotype": ("has it as a phenotype", "have it as a phenotype"),
    "biolink:gene_associated_with_condition": ("is associated with it", "are associated with it"),
    "biolink:regulated_by": ("is regulated by it", "are regulated by it"),
}
# Predicates that read the same both ways: one sentence for both directions.
SYMMETRIC = frozenset(
    {
        "biolink:physically_interacts_with",
        "biolink:interacts_with",
        "biolink:genetically_interacts_with",
        "biolink:associated_with",
        "biolink:correlated_with",
        "biolink:related_to",
        "biolink:coexists_with",
    }
)

# Where a group's sentence goes, by predicate and the other end's category.
_GO = {"biolink:MolecularActivity", "biolink:BiologicalProcess", "biolink:CellularComponent"}


def _topic(g: Group) -> str:
    p = g.predicate
    others = {e.other_category for e in g.edges}
    if p in {"biolink:has_gene_product", "biolink:gene_product_of"}:
        return "Product"
    if p in {
        "biolink:regulates",
        "biolink:regulated_by",
        "biolink:physically_interacts_with",
        "biolink:interacts_with",
        "biolink:genetically_interacts_with",
    }:
        return "Regulation and interactions"
    if p in {"biolink:gene_associated_with_condition", "biolink:has_phenotype"}:
        return "Diseases and phenotypes"
    if p in {"biolink:subclass_of", "biolink:part_of", "biolink:member_of", _KIND_OR_PART} and not (
        others & _GO and g.direction == "out" and p == "biolink:part_of"
    ):
        return "Classification"
    if others and others <= _GO:
        return "Gene Ontology"
    if "biolink:Pathway" in others:
        return "Pathways"
    return "Other statements"


_TOPICS = (
    "Product",
    "Classification",
    "Pathways",
    "Regulation and interactions",
    "Diseases and phenotypes",
    "Gene Ontology",
    "Other statements",
)


# --------------------------------------------------------------------------
# Sentences


def _identity(e: EntityRecord) -> list[Sentence]:
    """What the entity is: its kind, names and definition."""
    out: list[Sentence] = []
    noun = noun_for(e.category)
    if e.category == "biolink:Gene":
        locus = str(e.attributes.get("locus_group") or "").replace(" gene", "")
        kind = f"{locus} human gene" if locus else "human gene"
        where = e.attributes.get("chromosome_location") or e.attributes.get("hgnc_location")
        text = f"{_name(e)} ({e.name}) is a {kind}"
        text += f" at cytogenetic band {where}." if where else "."
        out.append(Sentence((text,)))
    else:
        article = "an" if noun[:1].lower() in "aeiou" else "a"
        out.append(Sentence((f"{e.name} is {article} {noun} ({e.id}).",)))
    names = [n for n in e.synonyms if n != e.name][:8]
    if names:
        out.append(Sentence(("It is also known as " + ", ".join(names) + ".",)))
    if e.previous_symbols:
        out.append(Sentence(("Its previous symbols are " + ", ".join(e.previous_symbols) + ".",)))
    if e.description:
        text = e.description.strip()
        out.append(Sentence((text if text.endswith(".") else text + ".",)))
    return out


def _regulation(e: EntityRecord, g: Group, url_of: UrlOf, anchor: str) -> list[Sentence]:
    """Targets (out) or regulators (in), grouped by sign."""
    by_sign: dict[str, list[NeighbourEdge]] = {}
    for edge in _unique(g.edges):
        by_sign.setdefault(_sign(edge), []).append(edge)
    aspect = _aspect(g.edges)
    clauses: list[Part] = []
    for sign in ("represses", "activates", "regulates"):
        edges = by_sign.get(sign)
        if not edges:
            continue
        mentions = [_mention(x, url_of) for x in edges[:NAMED]]
        if g.direction == "out":
            what = f"the {aspect} of " if aspect else ""
            verb = sign if sign != "regulates" else "regulates, without a stated sign,"
            clause: list[Part] = [f"{verb} {what}", *_series(mentions)]
        else:
            clause = [f"is {_SIGN_PASSIVE[sign]} by ", *_series(mentions)]
        if clauses:
            clauses.append("; it ")
        clauses += clause
    if not clauses:
        return []
    total = _plural(g.count, "target") if g.direction == "out" else _plural(g.count, "regulator")
    lead = (
        f"{_name(e)} "
        if g.direction == "out"
        else (f"The {aspect} of {_name(e)} " if aspect else f"{_name(e)} ")
    )
    return [
        Sentence(
            (
                lead,
                *clauses,
                f" ({total} in all).",
            ),
            anchor,
        )
    ]


# Uberon's digest gives each term's direct parents without saying which are
# superclasses and which are wholes it is part of; its edges say both at once.
_KIND_OR_PART = "biolink:related_to_at_concept_level"


def _kind_or_part(g: Group) -> bool:
    return g.predicate == _KIND_OR_PART and all(
        x.primary_knowledge_source == "infores:uberon" for x in g.edges
    )


def _group_sentence(e: EntityRecord, g: Group, url_of: UrlOf, anchor: str) -> list[Sentence]:
    if not g.edges:
        return []
    if _kind_or_part(g):
        listing = _listing(g.edges, g.count, url_of)
        if g.direction == "out":
            return [Sentence((f"{_name(e)} is a kind or a part of ", *listing, "."), anchor)]
        return [Sentence(("Its kinds and parts include ", *listing, "."), anchor)]
    if g.predicate == "biolink:regulates":
        return _regulation(e, g, url_of, anchor)
    listing = _listing(g.edges, g.count, url_of)
    if g.direction == "out":
        verb = _OUT.get(g.predicate) or predicate_label(g.predicate)
        kinds = {x.other_category for x in g.edges}
        if g.predicate == "biolink:participates_in" and kinds == {"biolink:Pathway"}:
            verb = f"takes part in {_plural(g.count, 'pathway')}:"
        elif g.predicate == "biolink:participates_in" and kinds == {"biolink:BiologicalProcess"}:
            verb = (
                f"takes part in {_plural(g.count, 'biological process', 'biological processes')}:"
            )
        elif g.predicate == "biolink:gene_associated_with_condition":
            verb = f"is associated with {_plural(g.count, 'disease')}:"
        elif g.predicate == "biolink:has_phenotype":
            return [
                Sentence(
                    (
                        f"Phenotypes recorded for {_name(e)} ({g.count:,} in all) include ",
                        *_series([_mention(x, url_of) for x in _unique(g.edges)[:NAMED]]),
                        ".",
                    ),
                    anchor,
                )
            ]
        return [Sentence((f"{_name(e)} {verb} ", *listing, "."), anchor)]
    one, many = _IN.get(g.predicate) or (f"{predicate_label(g.predicate)} it",) * 2
    verb = one if len(_unique(g.edges)) == 1 and g.count == 1 else many
    if verb.endswith(" it"):
        verb = verb[:-3] + " " + _name(e)
    if g.predicate == "biolink:subclass_of":
        return [
            Sentence(
                (
                    f"Its subtypes ({g.count:,} in all) include ",
                    *_series([_mention(x, url_of) for x in _unique(g.edges)[:NAMED]]),
                    ".",
                ),
                anchor,
            )
        ]
    if g.predicate == "biolink:has_gene_product":
        return [Sentence((f"{e.name} is the product of the gene ", *listing, "."), anchor)]
    return [Sentence((*listing, f" {verb}."), anchor)]


def _disease_genes(
    e: EntityRecord,
    genes: Sequence[RolledGene],
    total: int,
    direct: int,
    url_of: UrlOf,
    anchor: str,
) -> list[Sentence]:
    if not total:
        return []
    out: list[Sentence] = []
    direct_genes = [g for g in genes if g.direct][:NAMED]
    via = [g for g in genes if not g.direct][:NAMED]
    if direct:
        out.append(
            Sentence(
                (
                    f"{_plural(direct, 'gene')} {'is' if direct == 1 else 'are'} associated with "
                    f"{e.name} itself: ",
                    *_series(
                        [Mention(g.label, g.gene_id, url_of(g.gene_id)) for g in direct_genes],
                        max(0, direct - len(direct_genes)),
                    ),
                    ".",
                ),
                anchor,
            )
        )
    through = total - direct
    if through:
        mentions = [
            Mention(
                g.label,
                g.gene_id,
                url_of(g.gene_id),
                f"through {g.subtypes[0][1]}" if g.subtypes else None,
            )
            for g in via
        ]
        verb = "is" if through == 1 else "are"
        lead = (
            f"{_plural(through, 'more gene')} {verb} associated with its subtypes: "
            if direct
            else f"No gene association names {e.name} itself; {_plural(through, 'gene')} "
            f"{verb} associated with its subtypes: "
        )
        out.append(Sentence((lead, *_series(mentions, max(0, through - len(via))), "."), anchor))
    return out


@dataclass(frozen=True, slots=True)
class SummaryGroup:
    """A group made for the summary: one predicate's edges to one kind of entity, say."""

    direction: str
    predicate: str
    count: int
    edges: list[NeighbourEdge]


def _merge_symmetric(groups: Sequence[Group], partners: Mapping[str, int]) -> list[Group]:
    """One group per symmetric predicate, its two directions together (each partner once:
    ``partners`` counts them; without it, those both previews show are counted once)."""
    out: list[Group] = []
    seen: dict[str, int] = {}
    for g in groups:
        if g.predicate not in SYMMETRIC:
            out.append(g)
            continue
        if g.predicate in seen:
            held = out[seen[g.predicate]]
            edges = _unique([*held.edges, *g.edges])
            # Partners named both ways are counted once where both previews show them.
            twice = len(held.edges) + len(g.edges) - len(edges)
            count = partners.get(g.predicate, held.count + g.count - twice)
            out[seen[g.predicate]] = SummaryGroup("out", g.predicate, count, edges)
        else:
            seen[g.predicate] = len(out)
            count = partners.get(g.predicate, g.count)
            out.append(SummaryGroup("out", g.predicate, count, list(g.edges)))
    return out


def _by_system(systems: Sequence[PhenotypeSystem], url_of: UrlOf, anchor: str) -> Sentence:
    """ "By organ system, they concern the nervous system (56, such as A, B and C); ..." """
    shown = systems[:SYSTEMS]
    parts: list[Part] = [
        "By organ system (the branches of the Human Phenotype Ontology), "
        + ("they concern " if len(systems) <= SYSTEMS else "most concern ")
    ]
    for i, s in enumerate(shown):
        if i:
            parts.append("; and " if i == len(shown) - 1 and len(systems) <= SYSTEMS else "; ")
        examples = [Mention(name, pid, url_of(pid)) for pid, name in s.examples]
        such = ", such as " if s.count > len(examples) else ": "
        parts += [f"{system_label(s.name)} ({s.count:,}{such}", *_series(examples), ")"]
    if len(systems) > SYSTEMS:
        parts.append(f"; and {_plural(len(systems) - SYSTEMS, 'other system')}")
    parts.append(".")
    return Sentence(tuple(parts), anchor)


def summarise(
    entity: EntityRecord,
    groups: Sequence[Group],
    url_of: UrlOf,
    anchor_of: Callable[[Group], str],
    *,
    disease_genes: tuple[Sequence[RolledGene], int, int] | None = None,
    genes_anchor: str = "#genes",
    phenotype_systems: Sequence[PhenotypeSystem] = (),
    symmetric_partners: Mapping[str, int] | None = None,
) -> Summary:
    """The generated article of ``entity`` from the groups its page already read.

    ``disease_genes`` is (the first genes, total, direct) of a disease's
    roll-up, when it is a disease; ``phenotype_systems`` its phenotypes by
    organ system, when it has any; ``symmetric_partners`` the distinct partners
    of each symmetric predicate over both directions (``partner_count``).
    """
    paragraphs = {t: Paragraph(t) for t in _TOPICS}
    lead = Paragraph("Overview", _identity(entity))
    skip_assoc = disease_genes is not None
    groups = _merge_symmetric(groups, symmetric_partners or {})
    for g in groups:
        if skip_assoc and g.predicate == "biolink:gene_associated_with_condition":
            continue  # said once, with the subtypes, below
        paragraphs[_topic(g)].sentences += _group_sentence(entity, g, url_of, anchor_of(g))
        if g.predicate == HAS_PHENOTYPE and g.direction == "out" and phenotype_systems:
            paragraphs[_topic(g)].sentences.append(
                _by_system(phenotype_systems, url_of, anchor_of(g))
            )
    if disease_genes is not None:
        genes, total, direct = disease_genes
        paragraphs["Diseases and phenotypes"].sentences[:0] = _disease_genes(
            entity, genes, total, direct, url_of, genes_anchor
        )
    return Summary([lead, *(p for p in paragraphs.values() if p.sentences)])
