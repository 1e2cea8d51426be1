"""The entity categories the atlas knows, in one table.

Each row says, for one Biolink class, everything the rest of the code needs to
know about it: the URL section of its pages (``/genes/bach1``, and the slug
prefix ``wiki-genes-bach1``), how an infobox titles it, the noun a generated
sentence uses, where it ranks among equally good search matches, which
vocabularies' identifiers are canonical for it, and how a diagram draws it.
Adding a category is one row here (plus a template, if its pages need one).

A class without a row still works: its pages live under ``/entities/``, its
label is the class name, it ranks after every listed category and diagrams
draw it as "other".
"""

from __future__ import annotations

from dataclasses import dataclass, replace

DEFAULT_SECTION = "entities"
DEFAULT_DIAGRAM_CLASS = "other"


@dataclass(frozen=True, slots=True)
class Category:
    """What the atlas does with entities of one Biolink class."""

    curie: str
    # URL section of its pages; None: pages under DEFAULT_SECTION.
    section: str | None = None
    # Infobox subtitle ("Gene"); None: the class name.
    label: str | None = None
    # Noun of a generated page's first sentence ("human gene"); None: the class name.
    noun: str | None = None
    # Order among equally good search matches, lowest first: what a
    # neurodegeneration researcher most often means. None: after all ranked ones.
    search_rank: int | None = None
    # Vocabularies whose ids become canonical, best first. An entity from a
    # lower vocabulary that a higher one names in its xrefs (one and only one
    # of them) is merged into it.
    precedence: tuple[str, ...] = ()
    # Style class of its nodes in diagrams.
    diagram_class: str = DEFAULT_DIAGRAM_CLASS

    @property
    def name(self) -> str:
        """The class name without its prefix: ``Gene``."""
        return self.curie.removeprefix("biolink:")


# Every row is a class of the pinned Biolink model (tests/test_categories.py).
# Where two classes share a section, the first row is the one that section's
# URLs look names up in.
CATEGORIES: tuple[Category, ...] = (
    Category(
        "biolink:Gene",
        section="genes",
        label="Gene",
        noun="human gene",
        search_rank=0,
        precedence=("HGNC", "NCBIGene", "ENSEMBL"),
        diagram_class="gene",
    ),
    # Proteins are drawn as genes: gene pages cover their products.
    Category(
        "biolink:Protein",
        section="proteins",
        label="Protein",
        noun="human protein",
        # After diseases and phenotypes: a protein shares its gene's names, and the
        # gene page, which states what is known of both, comes first.
        search_rank=3,
        diagram_class="gene",
    ),
    # FamPlex families and complexes: groups of genes, drawn as genes.
    Category(
        "biolink:GeneFamily",
        section="families",
        label="Gene family",
        noun="gene family",
        diagram_class="gene",
    ),
    Category(
        "biolink:MacromolecularComplex",
        section="complexes",
        label="Protein complex",
        noun="protein complex",
        diagram_class="gene",
    ),
    Category(
        "biolink:Disease",
        section="diseases",
        label="Disease",
        noun="disease",
        search_rank=1,
        precedence=("MONDO", "OMIM", "Orphanet", "DECIPHER", "DOID"),
        diagram_class="disease",
    ),
    Category("biolink:DiseaseOrPhenotypicFeature", diagram_class="disease"),
    Category(
        "biolink:PhenotypicFeature",
        section="phenotypes",
        label="Phenotype",
        noun="phenotypic feature",
        search_rank=2,
        diagram_class="phenotype",
    ),
    Category(
        "biolink:BiologicalProcess",
        section="processes",
        label="Biological process",
        noun="biological process",
        search_rank=4,
        diagram_class="process",
    ),
    Category(
        "biolink:MolecularActivity",
        section="activities",
        label="Molecular activity",
        noun="molecular activity",
        search_rank=5,
        diagram_class="activity",
    ),
    Category(
        "biolink:CellularComponent",
        section="components",
        label="Cellular component",
        noun="cellular component",
        search_rank=6,
        diagram_class="component",
    ),
    Category("biolink:BiologicalProcessOrActivity", diagram_class="process"),
    # Biolink has no CellType class: cell types (CL terms) are biolink:Cell.
    Category(
        "biolink:Cell",
        section="cell-types",
        label="Cell type",
        noun="cell type",
        search_rank=8,
    ),
    # Uberon terms; those under the brain carry the attribute brain_region.
    Category(
        "biolink:AnatomicalEntity",
        section="anatomy",
        label="Anatomical structure",
        noun="anatomical structure",
        search_rank=9,
    ),
    Category(
        "biolink:ChemicalEntity",
        section="chemicals",
        label="Chemical",
        noun="chemical entity",
        search_rank=10,
    ),
    # ChEBI roles ("antioxidant"): what a chemical does, not a chemical.
    Category("biolink:ChemicalRole", label="Chemical role", noun="chemical role"),
    # After the ontologies' classes: a pathway that shares its name with a GO term
    # ("Autophagy", "Mitophagy") ranks after the process.
    Category(
        "biolink:Pathway",
        section="pathways",
        label="Pathway",
        noun="pathway",
        search_rank=7,
        diagram_class="process",
    ),
)

BY_CURIE: dict[str, Category] = {c.curie: c for c in CATEGORIES}
_BY_SECTION: dict[str, Category] = {}
for _c in CATEGORIES:
    if _c.section is not None:
        _BY_SECTION.setdefault(_c.section, _c)

# The URL sections with pages, in table order, each once.
SECTIONS: tuple[str, ...] = tuple(_BY_SECTION)
# Ranked categories come first; every other one after them all.
OTHER_RANK = 1 + max(c.search_rank for c in CATEGORIES if c.search_rank is not None)
# Vocabulary precedence of the categories that have one.
PRECEDENCE: dict[str, tuple[str, ...]] = {c.curie: c.precedence for c in CATEGORIES if c.precedence}


def category(curie: str) -> Category:
    """The row of a class; an unlisted class gets the defaults."""
    return BY_CURIE.get(curie) or Category(curie)


def section_for(curie: str) -> str:
    """URL section of a class's pages: ``genes``; ``entities`` for unlisted classes."""
    return category(curie).section or DEFAULT_SECTION


def category_of_section(section: str) -> str | None:
    """The class a URL section looks names up in (``diseases`` -> ``biolink:Disease``)."""
    row = _BY_SECTION.get(section)
    return row.curie if row else None


def label_for(curie: str) -> str:
    c = category(curie)
    return c.label or c.name


def noun_for(curie: str) -> str:
    c = category(curie)
    return c.noun or c.name


def search_rank(curie: str) -> int:
    rank = category(curie).search_rank
    return OTHER_RANK if rank is None else rank


def diagram_class(curie: str) -> str:
    return category(curie).diagram_class


# -- URL sections -----------------------------------------------------------------------
#
# ``/{section}/{name}`` names an entity within a section. Every section of the
# table above looks names up among the classes whose rows name it; the views
# below add sections that are not one class: any class, a filtered part of
# one, or a name read as another vocabulary spells it.


@dataclass(frozen=True, slots=True)
class Section:
    """A URL section, ``/{name}/{an entity's name}``: the entities its names are looked up among.

    The rules that read a section are ``scidex.queries.resolve.lookup``'s.
    """

    name: str
    # What one of its entities is called ("gene", "brain region"); a URL may end
    # with its last word when no name does ("/proteins/bach1-protein").
    noun: str
    # Classes its names are looked up among; () for every class.
    categories: tuple[str, ...] = ()
    # Only entities whose attributes hold this key as true (brain regions among anatomy).
    attribute: str | None = None
    # How a name in the URL reads as an entity's name, in order.
    forms: tuple[str, ...] = ("{}",)
    # A gene's names also mean the products it encodes (``biolink:has_gene_product``).
    gene_products: bool = False
    # Of several entities a name fits equally, the one with a curated page is meant.
    curated_first: bool = False
    # The section looked in when this one finds nothing.
    then: str | None = None

    @property
    def label(self) -> str:
        """``Brain regions``."""
        return self.name.replace("-", " ").capitalize()

    @property
    def suffix(self) -> str:
        """The word a URL may end with: the noun's last (``protein``, ``region``)."""
        return self.noun.rsplit(" ", 1)[-1]


def _singular(section: str) -> str:
    """``cell-types`` -> ``cell type``, ``families`` -> ``family``, ``complexes`` -> ``complex``."""
    words = section.replace("-", " ")
    for plural, one in (("ies", "y"), ("xes", "x"), ("s", "")):
        if words.endswith(plural):
            return words.removesuffix(plural) + one
    return words


def _classes_of(section: str) -> tuple[str, ...]:
    return tuple(c.curie for c in CATEGORIES if c.section == section)


def _category_section(section: str) -> Section:
    first = _BY_SECTION[section]
    noun = first.label.lower() if first.label else _singular(section)
    return Section(section, noun, _classes_of(section))


_VIEWS = (
    Section("entities", "entity"),
    # The wiki's names: of the entities a name fits equally, the one with an
    # article (a curated page) is the wiki's article of that name.
    Section("wiki", "page", curated_first=True),
    # The brain and the structures in it: anatomy whose ingest marked it so.
    Section("brain-regions", "brain region", _classes_of("anatomy"), attribute="brain_region"),
    # A mechanism is a curated page of that slug, else the GO process of that
    # name or of the response to it ("oxidative stress" -> "response to
    # oxidative stress"), else a pathway of that name.
    Section(
        "mechanisms",
        "mechanism",
        _classes_of("processes"),
        forms=("{}", "response to {}"),
        then="pathways",
    ),
)

# Every URL section: the table's, each once and in its order, then the views.
LINK_SECTIONS: dict[str, Section] = {s: _category_section(s) for s in SECTIONS} | {
    v.name: v for v in _VIEWS
}
# Names in the proteins section also mean genes' products: /proteins/BACH1.
LINK_SECTIONS["proteins"] = replace(LINK_SECTIONS["proteins"], gene_products=True)


def link_section(name: str) -> Section | None:
    """The URL section ``name`` (``genes``, ``brain-regions``), or None."""
    return LINK_SECTIONS.get(name)
