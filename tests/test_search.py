"""Search ranking on real data, the same on SQLite (FTS5) and PostgreSQL (tsvector + pg_trgm).

Exact names and identifiers first, then names starting with the query
(shorter first), then text; hostile queries give results or nothing, never
an error.
"""

from __future__ import annotations

import pytest

from scidex.kg.model import Entity
from scidex.queries.search import search, typeahead
from scidex.registry.search_docs import reindex_pages
from scidex.store import Store
from scidex.store.bulk import insert_entities
from scidex.store.search_index import reindex_entities


def ids(store: Store, q: str, **kw: object) -> list[str]:
    with store.read() as conn:
        return [h.id for h in search(conn, q, **kw).hits]  # type: ignore[arg-type]


@pytest.mark.parametrize("q", ["bach1", "BACH1", "Bach1", " bach1 "])
def test_a_symbol_finds_its_gene_first(shared_sample: Store, q: str) -> None:
    with shared_sample.read() as conn:
        hits = search(conn, q).hits
    assert hits[0].id == "HGNC:935"
    assert (hits[0].tier, hits[0].matched_by) == ("exact", "symbol")
    assert hits[0].snippet == "<mark>BACH1</mark>"
    assert hits[0].url == "/entity/HGNC:935"


@pytest.mark.parametrize(
    "q",
    ["602751", "ENSG00000156273", "NCBIGene:571", "ncbigene:571", "HGNC:935"],
)
def test_identifiers_find_bach1_first(shared_sample: Store, q: str) -> None:
    with shared_sample.read() as conn:
        hits = search(conn, q).hits
    assert hits[0].id == "HGNC:935"
    assert hits[0].tier == "exact"
    assert hits[0].matched_by in ("xref", "id")
    assert "<mark>" in hits[0].snippet


@pytest.mark.parametrize("q", ["O14867", "o14867"])
def test_a_uniprot_accession_finds_the_protein_then_its_gene(shared_sample: Store, q: str) -> None:
    with shared_sample.read() as conn:
        hits = search(conn, q).hits
    assert [h.id for h in hits[:2]] == ["UniProtKB:O14867", "HGNC:935"]
    assert [h.matched_by for h in hits[:2]] == ["id", "xref"]


def test_a_bare_number_is_highlighted_within_its_curie(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        hit = search(conn, "602751").hits[0]
    assert hit.snippet == "OMIM:<mark>602751</mark>"


def test_a_shared_ensembl_id_ranks_the_protein_coding_gene_first(sample_store: Store) -> None:
    # As in the default atlas: NCBI Gene lists BACH1's Ensembl id for the
    # overlapping antisense RNA too. The id sorts before HGNC:935 on purpose.
    with sample_store.atomic() as conn:
        insert_entities(
            conn,
            [
                Entity(
                    id="HGNC:1282",
                    category="biolink:Gene",
                    name="GRIK1 antisense RNA 2",
                    symbol="GRIK1-AS2",
                    xrefs=("ENSEMBL:ENSG00000156273", "NCBIGene:114034"),
                    attributes={"locus_group": "non-coding RNA"},
                    source_release="hgnc@2026-06",
                )
            ],
        )
        reindex_entities(conn)
    for q in ("ENSG00000156273", "ENSEMBL:ENSG00000156273", "ensembl:ENSG00000156273"):
        assert ids(sample_store, q)[:2] == ["HGNC:935", "HGNC:1282"], q


def test_a_prefix_ranks_the_shortest_name_first(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        hits = search(conn, "alzh", limit=30).hits
    order = [h.id for h in hits]
    # Both "Alzheimer disease" entries (the disease first, by category), then longer names.
    assert order[:2] == ["MONDO:0004975", "HP:0002511"]
    assert order.index("MONDO:0004975") < order.index("MONDO:0014265")  # Alzheimer disease 18
    assert all(h.tier == "prefix" for h in hits[:2])
    assert hits[0].snippet == "<mark>Alzh</mark>eimer disease"


def test_an_exact_name_shared_by_two_categories_keeps_both_disease_first(
    shared_sample: Store,
) -> None:
    with shared_sample.read() as conn:
        hits = search(conn, "alzheimer disease").hits
    assert [h.id for h in hits[:2]] == ["MONDO:0004975", "HP:0002511"]
    assert [h.matched_by for h in hits[:2]] == ["label", "label"]
    # A synonym match is exact too, but ranks after the labels.
    assert hits[2].matched_by == "synonym"


def test_the_category_filter_applies_to_every_tier(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        hits = search(conn, "alzheimer disease", category="biolink:PhenotypicFeature").hits
    assert hits[0].id == "HP:0002511"
    assert {h.category for h in hits} == {"biolink:PhenotypicFeature"}


def test_case_and_punctuation_do_not_change_the_answer(shared_sample: Store) -> None:
    assert ids(shared_sample, "ALS") == ids(shared_sample, "Als") == ids(shared_sample, "als")
    assert "MONDO:0004976" in ids(shared_sample, "ALS")[:3]
    assert ids(shared_sample, "Alzheimer's disease")[0] == "MONDO:0004975"


def test_text_matches_come_after_names_with_highlighted_snippets(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        hits = search(conn, "insidious onset of dementia").hits
    assert "HP:0002511" in [h.id for h in hits]
    text = next(h for h in hits if h.id == "HP:0002511")
    assert text.tier == "text" and "<mark>" in text.snippet.lower()


def test_snippets_escape_the_data(store: Store) -> None:
    with store.atomic() as conn:
        insert_entities(
            conn,
            [Entity(id="SCIDEX:1", category="biolink:Gene", name="<b>bold</b> & co", symbol="XS1")],
        )
        reindex_entities(conn)
    with store.read() as conn:
        prefix = search(conn, "b bold").hits[0]
        text = search(conn, "co").hits
    assert prefix.snippet == "<mark>&lt;b&gt;bold</mark>&lt;/b&gt; &amp; co"
    assert all("<b>" not in h.snippet for h in text)


def test_curated_page_text_is_searchable_once_indexed(atlas_store: Store) -> None:
    with atlas_store.atomic() as conn:
        assert reindex_pages(conn) >= 1
    with atlas_store.read() as conn:
        hits = search(conn, "heme oxygenase repression", limit=50).hits
    pages = [h for h in hits if h.kind == "artifact"]
    assert pages and pages[0].url.startswith("/artifact/wiki-")


HOSTILE = [
    '"',
    "'",
    '"unterminated',
    "bach1*",
    "*",
    "AND",
    "OR NOT",
    "NEAR(a b)",
    "title:bach1",
    "{title}: x",
    "a:b:c",
    "(((",
    ")",
    "^",
    "-",
    "--bach1",
    "bach1 -",
    "! & | <-> :*",
    "'; DROP TABLE entity; --",
    "%",
    "_",
    "\\",
    "\x00",
    "bach1\x00",
    "阿尔茨海默病",
    "\u03b1-synuclein",
    "Ωμέγα",
    "🧠",
    "x" * 10_000,
    "bach1 " * 500,
    "a " * 300,
    "   ",
    "",
]


def test_hostile_queries_answer_with_results_or_nothing(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        for q in HOSTILE:
            for category in (None, "biolink:Gene"):
                full = search(conn, q, category=category)
                quick = typeahead(conn, q, category=category)
                assert isinstance(full.hits, list) and len(quick.hits) <= 8, q
        assert search(conn, "bach1*").hits[0].id == "HGNC:935"
        assert search(conn, '"bach1"').hits[0].id == "HGNC:935"


def test_typeahead_answers_from_the_first_keystroke(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        answers = {q: [h.id for h in typeahead(conn, q).hits] for q in ("b", "ba", "bac", "bach")}
        assert typeahead(conn, "bach1").hits[0].id == "HGNC:935"
    assert all(0 < len(a) <= 8 for a in answers.values())
    assert "HGNC:935" in answers["bac"] and "HGNC:935" in answers["bach"]


def test_typeahead_and_search_share_one_ranking(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        for q in ("alzh", "bach1", "602751", "ALS"):
            assert [h.id for h in typeahead(conn, q).hits] == [
                h.id for h in search(conn, q, limit=8).hits
            ]
