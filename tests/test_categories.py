"""The categories table (kg/categories.py): one row per Biolink class, and every part of the
atlas reading it."""

from __future__ import annotations

import re

import pytest

from scidex.kg import categories
from scidex.kg.biolink import is_category
from scidex.kg.categories import (
    CATEGORIES,
    DEFAULT_SECTION,
    SECTIONS,
    category_of_section,
    label_for,
    noun_for,
    search_rank,
    section_for,
)
from scidex.wiki.diagram import CLASS_STYLES, category_class


def test_every_row_is_a_biolink_class_listed_once() -> None:
    curies = [c.curie for c in CATEGORIES]
    assert len(curies) == len(set(curies))
    assert [c for c in curies if not is_category(c)] == []


def test_sections_are_url_segments_and_each_names_one_class() -> None:
    for section in SECTIONS:
        assert re.fullmatch(r"[a-z][a-z-]*", section), section
        assert section != DEFAULT_SECTION
        category = category_of_section(section)
        assert category is not None
        assert section_for(category) == section
    assert category_of_section("cell-types") == "biolink:Cell"
    assert category_of_section("no-such-section") is None


def test_search_ranks_are_distinct_and_unlisted_classes_come_last() -> None:
    ranks = [c.search_rank for c in CATEGORIES if c.search_rank is not None]
    assert len(ranks) == len(set(ranks))
    assert search_rank("biolink:Gene") < search_rank("biolink:Disease")
    assert search_rank("biolink:NamedThing") == categories.OTHER_RANK > max(ranks)


def test_every_diagram_class_has_a_style() -> None:
    assert {c.diagram_class for c in CATEGORIES} <= set(CLASS_STYLES)
    assert category_class("biolink:Protein") == "gene"
    assert category_class("biolink:NamedThing") == "other"


@pytest.mark.parametrize(
    ("curie", "section", "label", "noun"),
    [
        ("biolink:Gene", "genes", "Gene", "human gene"),
        ("biolink:Disease", "diseases", "Disease", "disease"),
        ("biolink:PhenotypicFeature", "phenotypes", "Phenotype", "phenotypic feature"),
        ("biolink:Protein", "proteins", "Protein", "human protein"),
        ("biolink:Pathway", "pathways", "Pathway", "pathway"),
        ("biolink:Cell", "cell-types", "Cell type", "cell type"),
        ("biolink:AnatomicalEntity", "anatomy", "Anatomical structure", "anatomical structure"),
        ("biolink:ChemicalEntity", "chemicals", "Chemical", "chemical entity"),
        ("biolink:ChemicalRole", "entities", "Chemical role", "chemical role"),
        ("biolink:NamedThing", "entities", "NamedThing", "NamedThing"),
    ],
)
def test_what_a_class_is_called(curie: str, section: str, label: str, noun: str) -> None:
    assert (section_for(curie), label_for(curie), noun_for(curie)) == (section, label, noun)


def test_precedence_names_canonical_vocabularies_first() -> None:
    assert categories.PRECEDENCE["biolink:Gene"][0] == "HGNC"
    assert categories.PRECEDENCE["biolink:Disease"][0] == "MONDO"
