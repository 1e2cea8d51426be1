"""Entity resolution on real data: names, symbols, synonyms and identifiers."""

from __future__ import annotations

import pytest

from scidex.kg.names import normalize_name
from scidex.queries.resolve import resolve
from scidex.store import Store


@pytest.mark.parametrize(
    "query",
    [
        "bach1",
        "BACH1",
        "BTB domain and CNC homolog 1",
        "NCBIGene:571",
        "HGNC:935",
        "hgnc:935",
        "  Bach1  ",
    ],
)
def test_every_name_of_bach1_resolves_to_hgnc_935(shared_sample: Store, query: str) -> None:
    with shared_sample.read() as conn:
        found = resolve(conn, query)
    assert found.entity is not None, found.matches
    assert found.entity.id == "HGNC:935"


def test_the_uniprot_accession_resolves_to_the_protein(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        found = resolve(conn, "UniProtKB:O14867")
    assert found.entity is not None and found.entity.id == "UniProtKB:O14867"


def test_als_spellings_are_one_key_and_an_ambiguous_name_gives_the_candidates(
    shared_sample: Store,
) -> None:
    with shared_sample.read() as conn:
        upper, mixed = resolve(conn, "ALS"), resolve(conn, "Als")
    assert [m.id for m in upper.matches] == [m.id for m in mixed.matches]
    # SOD1's previous symbol, a synonym of IGFALS and of the disease: never silently one.
    assert upper.entity is None
    assert upper.ambiguous
    assert {"HGNC:11179", "MONDO:0004976"} <= {m.id for m in upper.best}


def test_a_label_shared_across_categories_is_ambiguous_until_a_category_is_given(
    shared_sample: Store,
) -> None:
    with shared_sample.read() as conn:
        any_category = resolve(conn, "Alzheimer disease")
        disease = resolve(conn, "Alzheimer disease", category="biolink:Disease")
    assert {m.id for m in any_category.best} == {"MONDO:0004975", "HP:0002511"}
    assert disease.entity is not None and disease.entity.id == "MONDO:0004975"


def test_an_approved_symbol_beats_another_genes_alias(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        found = resolve(conn, "SOD1")
    assert found.entity is not None and found.entity.id == "HGNC:11179"


def test_unknown_names_resolve_to_nothing(shared_sample: Store) -> None:
    with shared_sample.read() as conn:
        for query in ("no such gene", "FOO:1", "", "%", "'; DROP TABLE entity; --"):
            assert resolve(conn, query).matches == []


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("BTB domain and CNC homolog 1", "btb domain and cnc homolog 1"),
        ("btb-domain  and CNC homolog 1", "btb domain and cnc homolog 1"),
        ("Alzheimer's disease", "alzheimers disease"),
        ("Alzheimer\u2019s disease", "alzheimers disease"),
        ("A.L.S.", "a l s"),
        ("Sjögren syndrome", "sjogren syndrome"),
        ("Sjo\u0308gren syndrome", "sjogren syndrome"),
        ("TNF-\u03b1", "tnf"),  # a Greek letter is no ASCII letter: not guessed into one
        ("", ""),
    ],
)
def test_names_normalise_to_one_key_whatever_their_spelling(name: str, key: str) -> None:
    assert normalize_name(name) == key
