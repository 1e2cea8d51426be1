"""Every link form lands on a real page, on both backends: ``/{section}/{name}``,
``/wiki/{name}``, ``/entity/{name}``; several equally good entities give a disambiguation
page, none a 404 with suggestions; and the new kinds of entity (proteins, pathways,
chemicals, cell types, anatomy) are found by label, synonym and identifier.

The store is written through the canonical write path: genes, diseases, phenotypes and GO
terms are rows of the real-data sample (tests/data/atlas-sample); the other records are
copied from the pinned sources (UniProt and Reactome from binn 0.1.1; CL 2026-03, UBERON
2026-04 and ChEBI 2026-05 from cellxgene-ontology-guide 1.11.1; GO 2022-07), and the
``has_gene_product`` edges are HGNC's own UniProt accessions.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scidex.config import Settings
from scidex.ingest.write import SourceInput, write_graph
from scidex.interchange.records import node_from_row
from scidex.interchange.tsv import read_rows
from scidex.kg.biolink import is_category
from scidex.kg.categories import LINK_SECTIONS
from scidex.kg.model import Edge, Entity, SourceRelease
from scidex.queries.artifacts import page_for_entity
from scidex.queries.resolve import lookup
from scidex.queries.search import search, typeahead
from scidex.registry.curated import load_curated
from scidex.registry.finish import finish
from scidex.store import Store
from scidex.web import create_app

SAMPLE = Path(__file__).parent / "data" / "atlas-sample" / "nodes.tsv"
FROM_SAMPLE = {
    "HGNC:935",  # BACH1
    "HGNC:14078",  # BACH2
    "HGNC:620",  # APP
    "HGNC:11179",  # SOD1 (previous symbol ALS)
    "HGNC:5468",  # IGFALS (alias ALS)
    "HGNC:5013",  # HMOX1, "heme oxygenase 1"
    "MONDO:0004975",
    "MONDO:0007088",  # Alzheimer disease type 1, whose synonyms include "Alzheimer disease"
    "MONDO:0004976",
    "MONDO:0005180",
    "HP:0002511",  # the phenotype "Alzheimer disease"
    "GO:0006979",
    "GO:0007568",
}


def release(name: str, version: str) -> SourceRelease:
    return SourceRelease(f"{name}@{version}", name, f"infores:{name}", version, "CC-BY-4.0")


def term(curie: str, category: str, name: str, *synonyms: str, **attributes: Any) -> Entity:
    return Entity(curie, category, name, synonyms=synonyms, attributes=dict(attributes))


PROTEINS = [
    term(
        "UniProtKB:O14867",
        "biolink:Protein",
        "Transcription regulator protein BACH1",
        "BTB and CNC homolog 1",
        "HA2303",
        "BACH1_HUMAN",
        entry_name="BACH1_HUMAN",
    ),
    term(
        "UniProtKB:Q9BYV9",
        "biolink:Protein",
        "Transcription regulator protein BACH2",
        "BTB and CNC homolog 2",
        "BACH2_HUMAN",
        entry_name="BACH2_HUMAN",
    ),
    term(
        "UniProtKB:P05067",
        "biolink:Protein",
        "Amyloid-beta precursor protein",
        "APP",
        "ABPP",
        "APPI",
        "Alzheimer disease amyloid A4 protein homolog",
        "Alzheimer disease amyloid protein",
        "Amyloid precursor protein",
        "Amyloid-beta (A4) precursor protein",
        "Amyloid-beta A4 protein",
        "Cerebral vascular amyloid peptide",
        "CVAP",
        "PreA4",
        "Protease nexin-II",
        "PN-II",
        "A4_HUMAN",
        entry_name="A4_HUMAN",
    ),
    term(
        "UniProtKB:P00441",
        "biolink:Protein",
        "Superoxide dismutase [Cu-Zn]",
        "Superoxide dismutase 1",
        "hSod1",
        "SODC_HUMAN",
        entry_name="SODC_HUMAN",
    ),
]
# HGNC's UniProt column for these genes.
PRODUCTS = [
    ("HGNC:935", "UniProtKB:O14867"),
    ("HGNC:14078", "UniProtKB:Q9BYV9"),
    ("HGNC:620", "UniProtKB:P05067"),
    ("HGNC:11179", "UniProtKB:P00441"),
]
PATHWAYS = [
    term("REACT:R-HSA-9707616", "biolink:Pathway", "Heme signaling"),
    term("REACT:R-HSA-9708530", "biolink:Pathway", "Regulation of BACH1 activity"),
    term("REACT:R-HSA-9612973", "biolink:Pathway", "Autophagy"),
]
PROCESSES = [
    term("GO:0006914", "biolink:BiologicalProcess", "autophagy"),
    term(
        "GO:0014005",
        "biolink:BiologicalProcess",
        "microglia development",
        "microglial cell development",
    ),
    term(
        "GO:0014004",
        "biolink:BiologicalProcess",
        "microglia differentiation",
        "microglial cell differentiation",
    ),
    term(
        "GO:0021766",
        "biolink:BiologicalProcess",
        "hippocampus development",
        "hippocampal formation development",
    ),
]
CELLS = [
    term(
        "CL:0000129",
        "biolink:Cell",
        "microglial cell",
        "brain-resident macrophage",
        "hortega cells",
        "microgliocyte",
    ),
    term("CL:4307132", "biolink:Cell", "microglial cell (Mmus)", "334 Microglia NN"),
    term("CL:0000540", "biolink:Cell", "neuron", "nerve cell"),
]
ANATOMY = [
    term("UBERON:0000955", "biolink:AnatomicalEntity", "brain", brain_region=True),
    term(
        "UBERON:0002421",
        "biolink:AnatomicalEntity",
        "hippocampal formation",
        "hippocampus (Crosby)",
        brain_region=True,
    ),
    term(
        "UBERON:0001954",
        "biolink:AnatomicalEntity",
        "Ammon's horn",
        "ammon gyrus",
        "ammon horn",
        "hippocampus major",
        "hippocampus proper",
        "hippocampus proprius",
        brain_region=True,
    ),
    term(
        "UBERON:0003881",
        "biolink:AnatomicalEntity",
        "CA1 field of hippocampus",
        "CA1",
        "CA1 field",
        "hippocampus CA1",
        "cornu ammonis 1",
        brain_region=True,
    ),
    term("UBERON:0002107", "biolink:AnatomicalEntity", "liver"),
]
CHEMICALS = [
    term("CHEBI:30413", "biolink:ChemicalEntity", "heme"),
    term("CHEBI:26355", "biolink:ChemicalEntity", "heme b"),
    term("CHEBI:24479", "biolink:ChemicalEntity", "heme a"),
    term("CHEBI:50385", "biolink:ChemicalEntity", "hemin"),
]

# Curated pages (their front matter and a line of text): the wiki's articles.
CURATED = {
    "diseases-amyotrophic-lateral-sclerosis.md": (
        "MONDO:0004976",
        "Amyotrophic lateral sclerosis",
        "A fatal motor neuron disease.",
    ),
    "diseases-alzheimer-disease.md": (
        "MONDO:0004975",
        "Alzheimer disease",
        "A neurodegenerative disease.",
    ),
}


def sample_entities() -> list[Entity]:
    return [
        node_from_row(row, SAMPLE, line, "sample")
        for line, row in read_rows(SAMPLE)
        if row["id"] in FROM_SAMPLE
    ]


def fill(store: Store, content: Path) -> None:
    for name, (curie, title, text) in CURATED.items():
        (content / name).write_text(f"---\nentity: {curie}\ntitle: {title}\n---\n{text}\n")
    inputs = [
        SourceInput(release("sample", "1"), sample_entities()),
        SourceInput(
            release("uniprot", "2025-01"),
            [
                *PROTEINS,
                *(Edge(g, "biolink:has_gene_product", p, "infores:hgnc") for g, p in PRODUCTS),
            ],
        ),
        SourceInput(release("reactome", "2025-01"), PATHWAYS),
        SourceInput(release("go", "2022-07"), PROCESSES),
        SourceInput(release("cl", "2026-03"), CELLS),
        SourceInput(release("uberon", "2026-04"), ANATOMY),
        SourceInput(release("chebi", "2026-05"), CHEMICALS),
    ]
    with store.atomic() as conn:
        write_graph(conn, inputs)
        finish(conn)
        load_curated(conn, content)
        finish(conn, datasets=False, entity_docs=False)
    store.analyze()


class _Stores:
    def __init__(self, templates: Any, workdir: Path) -> None:
        self.templates = templates
        self.workdir = workdir
        self.stack = ExitStack()
        self.made: dict[str, Store] = {}

    def get(self, backend: str) -> Store:
        if backend not in self.made:
            store = self.stack.enter_context(self.templates.copy(backend, "empty"))
            content = self.workdir / f"content-{backend}"
            content.mkdir()
            fill(store, content)
            self.made[backend] = store
        return self.made[backend]


@pytest.fixture(scope="module")
def _stores(templates: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Stores]:
    made = _Stores(templates, tmp_path_factory.mktemp("links"))
    with made.stack:
        yield made


@pytest.fixture
def links_store(backend: str, _stores: _Stores) -> Store:
    """The store above on each backend, built once per module; tests only read it."""
    return _stores.get(backend)


@pytest.fixture
def client(links_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=links_store.url), links_store)) as c:
        yield c


def page_of(store: Store, curie: str) -> str:
    with store.read() as conn:
        page = page_for_entity(conn, curie)
    assert page is not None, curie
    return f"/artifact/{page.id}"


# -- every link form ----------------------------------------------------------------


def test_every_section_is_a_url_segment_over_real_classes() -> None:
    for name, section in LINK_SECTIONS.items():
        assert re.fullmatch(r"[a-z][a-z-]*", name) and section.name == name
        assert all(is_category(c) for c in section.categories), name
        assert section.then is None or section.then in LINK_SECTIONS
        assert all(form.count("{}") == 1 for form in section.forms)
    assert LINK_SECTIONS["brain-regions"].categories == LINK_SECTIONS["anatomy"].categories
    assert LINK_SECTIONS["proteins"].gene_products
    assert LINK_SECTIONS["entities"].categories == ()


LINKS = [
    # A gene symbol in the proteins section means that gene's product.
    ("/proteins/bach1-protein", "UniProtKB:O14867"),
    ("/proteins/BACH1", "UniProtKB:O14867"),
    ("/proteins/O14867", "UniProtKB:O14867"),
    ("/proteins/bach1_human", "UniProtKB:O14867"),
    ("/proteins/amyloid-beta", "UniProtKB:P05067"),
    ("/proteins/app", "UniProtKB:P05067"),
    ("/pathways/heme-signaling", "REACT:R-HSA-9707616"),
    ("/pathways/R-HSA-9708530", "REACT:R-HSA-9708530"),
    ("/chemicals/heme", "CHEBI:30413"),
    ("/chemicals/CHEBI:30413", "CHEBI:30413"),
    ("/cell-types/microglia", "CL:0000129"),
    ("/cell-types/microglial-cell", "CL:0000129"),
    ("/brain-regions/hippocampus", "UBERON:0002421"),
    ("/brain-regions/brain", "UBERON:0000955"),
    ("/brain-regions/hippocampus-proper", "UBERON:0001954"),
    ("/anatomy/liver", "UBERON:0002107"),
    ("/anatomy/hippocampus", "UBERON:0002421"),
    ("/mechanisms/oxidative-stress", "GO:0006979"),
    ("/mechanisms/autophagy", "GO:0006914"),
    ("/mechanisms/heme-signaling", "REACT:R-HSA-9707616"),
    ("/entities/neurons", "CL:0000540"),
    ("/entities/sod1", "HGNC:11179"),
    ("/entities/hippocampus", "UBERON:0002421"),
    ("/entities/heme", "CHEBI:30413"),
    ("/diseases/alzheimers", "MONDO:0004975"),
    ("/diseases/alzheimer", "MONDO:0004975"),
    ("/diseases/alzheimers-disease", "MONDO:0004975"),
    ("/diseases/parkinsons-disease", "MONDO:0005180"),
    ("/diseases/als", "MONDO:0004976"),
    ("/diseases/als-disease", "MONDO:0004976"),
    ("/wiki/als", "MONDO:0004976"),
    ("/wiki/alzheimer", "MONDO:0004975"),
    ("/wiki/aging", "GO:0007568"),
    ("/genes/bach1", "HGNC:935"),
    ("/genes/O14867", "HGNC:935"),
    ("/entity/O14867", "UniProtKB:O14867"),
    ("/entity/microglia", "CL:0000129"),
]


@pytest.mark.parametrize(("url", "curie"), LINKS)
def test_every_link_form_lands_on_its_entitys_page(
    client: TestClient, links_store: Store, url: str, curie: str
) -> None:
    first = client.get(url, follow_redirects=False)
    assert first.status_code == 308, (url, first.status_code, first.text[:300])
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.url.path == page_of(links_store, curie)
    assert f'data-curie="{curie}"' in answer.text or curie in answer.text


def test_what_each_reading_of_a_name_is_called(links_store: Store) -> None:
    steps = {
        ("proteins", "bach1-protein"): ("suffix", "UniProtKB:O14867"),
        ("proteins", "BACH1"): ("exact", "UniProtKB:O14867"),
        ("proteins", "O14867"): ("identifier", "UniProtKB:O14867"),
        ("brain-regions", "hippocampus"): ("qualified", "UBERON:0002421"),
        ("entities", "neurons"): ("singular", "CL:0000540"),
        ("cell-types", "microglia"): ("prefix", "CL:0000129"),
        ("mechanisms", "oxidative-stress"): ("exact", "GO:0006979"),
    }
    with links_store.read() as conn:
        for (section, name), (step, curie) in steps.items():
            found = lookup(conn, LINK_SECTIONS[section], name)
            assert (found.step, found.entity and found.entity.id) == (step, curie), name
        # The product answers for its gene, and says which gene.
        bach1 = lookup(conn, LINK_SECTIONS["proteins"], "BACH1").entity
        assert bach1 is not None and (bach1.matched_by, bach1.via) == ("symbol", "HGNC:935")


def test_a_filtered_section_keeps_out_what_it_does_not_hold(client: TestClient) -> None:
    # The liver is anatomy, not a brain region; a gene is not a chemical.
    assert client.get("/brain-regions/liver").status_code == 404
    assert client.get("/anatomy/liver", follow_redirects=False).status_code == 308
    assert client.get("/chemicals/bach1").status_code == 404


# -- several entities, or none --------------------------------------------------------


def candidates(html: str) -> list[tuple[str, str, str]]:
    """(href, category, id) of each candidate of a disambiguation page."""
    items = re.findall(
        r'<li>\s*<a href="([^"]+)">[^<]*</a>\s*<span class="muted">([^·<]+) · ([^ ·<]+) ·',
        html,
    )
    return [(href, category.strip(), curie) for href, category, curie in items]


def test_a_name_several_entities_share_gives_a_disambiguation_page(
    client: TestClient, links_store: Store
) -> None:
    answer = client.get("/entities/ALS")
    assert answer.status_code == 300
    listed = candidates(answer.text)
    assert {c for _, _, c in listed} == {"HGNC:11179", "HGNC:5468", "MONDO:0004976"}
    for href, category, curie in listed:
        assert href == page_of(links_store, curie)
        assert category == ("Disease" if curie.startswith("MONDO") else "Gene")
    # Within a section only its own entities compete.
    genes = candidates(client.get("/genes/als").text)
    assert {c for _, _, c in genes} == {"HGNC:11179", "HGNC:5468"}
    # The JSON twin answers the same name with the same candidates.
    body = client.get("/api/entities/ALS")
    assert body.status_code == 300
    ids = {c["id"] for c in body.json()["error"]["details"]["candidates"]}
    assert ids == {c for _, _, c in listed}


def test_a_label_two_categories_share_is_ambiguous_outside_a_section(
    client: TestClient,
) -> None:
    both = candidates(client.get("/entities/alzheimer-disease").text)
    assert {(cat, c) for _, cat, c in both} == {
        ("Disease", "MONDO:0004975"),
        ("Phenotype", "HP:0002511"),
    }
    assert client.get("/diseases/alzheimer-disease", follow_redirects=False).status_code == 308


def test_a_name_nothing_has_is_a_404_with_suggestions(client: TestClient) -> None:
    # "bach" starts BACH1's and BACH2's names equally: it names neither.
    answer = client.get("/genes/bach")
    assert answer.status_code == 404
    text = html.unescape(answer.text)
    assert "No gene named 'bach'" in text and "Did you mean" in text
    assert "HGNC:935" in text and "HGNC:14078" in text
    text = html.unescape(client.get("/brain-regions/liver").text)
    assert "No brain region named 'liver'" in text and "UBERON:0002107" in text


def test_an_unknown_section_is_a_404_listing_the_sections(client: TestClient) -> None:
    answer = client.get("/protein/bach1")
    assert answer.status_code == 404
    assert "No section 'protein'" in html.unescape(answer.text)
    for section in LINK_SECTIONS:
        assert f"<code>/{section}/{{name}}</code>" in answer.text
    assert 'href="/atlas/entities?category=biolink:Protein"' in answer.text
    # And the entities the name may mean.
    assert "HGNC:935" in answer.text


# -- findability ----------------------------------------------------------------------

FINDS = [
    # query, entity, what matched
    ("heme", "CHEBI:30413", "label"),
    ("microglia", "CL:0000129", "prefix"),
    ("hippocampus", "UBERON:0002421", "qualified"),
    ("O14867", "UniProtKB:O14867", "id"),
    ("microgliocyte", "CL:0000129", "synonym"),
    ("hippocampus proper", "UBERON:0001954", "synonym"),
    ("BACH1_HUMAN", "UniProtKB:O14867", "synonym"),
    ("R-HSA-9707616", "REACT:R-HSA-9707616", "id"),
    ("CL:0000129", "CL:0000129", "id"),
]


@pytest.mark.parametrize(("q", "curie", "how"), FINDS)
def test_new_kinds_of_entity_are_found_first_in_search_and_typeahead(
    links_store: Store, q: str, curie: str, how: str
) -> None:
    with links_store.read() as conn:
        hits = search(conn, q).hits
        typed = typeahead(conn, q).hits
    assert hits[0].id == curie, [h.id for h in hits[:5]]
    assert hits[0].matched_by == how
    assert typed[0].id == curie


def test_a_bare_accession_finds_the_protein_then_its_gene(links_store: Store) -> None:
    with links_store.read() as conn:
        hits = search(conn, "O14867").hits
    assert [h.id for h in hits[:2]] == ["UniProtKB:O14867", "HGNC:935"]
    assert hits[0].snippet == "UniProtKB:<mark>O14867</mark>"


def test_words_inside_new_kinds_of_names_are_in_the_text_index(links_store: Store) -> None:
    with links_store.read() as conn:
        macrophage = search(conn, "macrophage").hits
        ammonis = search(conn, "ammonis").hits
    # Words inside synonyms ("brain-resident macrophage", "cornu ammonis 1").
    assert [(h.id, h.tier) for h in macrophage] == [("CL:0000129", "text")]
    assert [(h.id, h.tier) for h in ammonis] == [("UBERON:0003881", "text")]


@pytest.mark.parametrize(("q", "curie", "how"), FINDS[:4])
def test_the_api_finds_them_by_name(client: TestClient, q: str, curie: str, how: str) -> None:
    answer = client.get(f"/api/entities/{q}")
    assert answer.status_code == 200, answer.text[:300]
    assert (answer.json()["id"], answer.json()["matched_by"]) == (curie, how)
