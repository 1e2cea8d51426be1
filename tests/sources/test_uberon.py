"""Uberon: inline terms, then the pinned archive checked against its own JSON."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest
import zstandard

from scidex.ingest.sources import uberon
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.ontology_guide import Term
from scidex.kg.model import Edge, Entity

ANATOMY, BRAIN = "UBERON:0001062", "UBERON:0000955"


def term(id: str, label: str, ancestors: dict[str, int], **kw: Any) -> Term:
    return Term(
        id=id, label=label, deprecated=kw.pop("deprecated", False), ancestors=ancestors, **kw
    )


TERMS = [
    term(ANATOMY, "anatomical entity", {}),
    term("UBERON:0000062", "organ", {ANATOMY: 1}),
    term(BRAIN, "brain", {"UBERON:0000062": 1, ANATOMY: 2}),
    term("UBERON:0002616", "regional part of brain", {ANATOMY: 1}),  # is_a-only: not in brain
    # is_a "regional part of brain", part_of "brain": both direct, the file says neither kind.
    term(
        "UBERON:0002421",
        "hippocampal formation",
        {"UBERON:0002616": 1, BRAIN: 1, "UBERON:0000062": 2, ANATOMY: 2},
        synonyms=("hippocampus (Crosby)",),
    ),
    term("UBERON:0001894", "diencephalon", {BRAIN: 2, ANATOMY: 3}),  # under the brain, far
    term("UBERON:0000104", "life cycle", {}),
    term("UBERON:0000105", "life cycle stage", {"UBERON:0000104": 1}),
    term("UBERON:0000346", "obsolete myelin membrane", {}, deprecated=True),
]


def test_anatomy_with_brain_regions_marked() -> None:
    stats: Counter[str] = Counter()
    out = list(uberon.records(TERMS, "uberon@t", stats=stats))
    entities = {r.id: r for r in out if isinstance(r, Entity)}
    edges = [r for r in out if isinstance(r, Edge)]
    assert set(entities) == {
        ANATOMY,
        "UBERON:0000062",
        BRAIN,
        "UBERON:0002616",
        "UBERON:0002421",
        "UBERON:0001894",
    }  # no life cycle stages, no deprecated term
    assert {e.category for e in entities.values()} == {"biolink:AnatomicalEntity"}
    marked = {i for i, e in entities.items() if e.attributes.get("brain_region") is True}
    assert marked == {BRAIN, "UBERON:0002421", "UBERON:0001894"}
    assert all(e.attributes == {} for i, e in entities.items() if i not in marked)
    assert entities["UBERON:0002421"].synonyms == ("hippocampus (Crosby)",)
    assert {(e.subject, e.object) for e in edges} == {
        ("UBERON:0000062", ANATOMY),
        (BRAIN, "UBERON:0000062"),
        ("UBERON:0002616", ANATOMY),
        ("UBERON:0002421", "UBERON:0002616"),
        ("UBERON:0002421", BRAIN),
    }
    # is_a and part_of are not told apart: one predicate true of both
    assert {e.predicate for e in edges} == {"biolink:related_to_at_concept_level"}
    assert {e.primary_knowledge_source for e in edges} == {"infores:uberon"}
    assert stats["skipped:not anatomy"] == 2
    assert stats["brain_regions"] == 3 and stats["no_direct_parent"] == 1


# --------------------------------------------------------------------------
# The pinned archive


@pytest.fixture(scope="module")
def uberon_file(source_archive) -> dict[str, dict[str, Any]]:
    with open_member(source_archive("uberon"), uberon.MEMBER) as fh:
        return json.loads(zstandard.ZstdDecompressor().stream_reader(fh).read())


@pytest.fixture(scope="module")
def uberon_run(source_archive) -> tuple[dict[str, Entity], dict[str, set[str]], Counter[str]]:
    entities: dict[str, Entity] = {}
    parents: dict[str, set[str]] = {}
    stats: Counter[str] = Counter()
    for record in uberon.parse(source_archive("uberon"), "uberon@test", stats=stats):
        if isinstance(record, Entity):
            assert not parents, "an Entity after an Edge"
            assert record.id not in entities
            entities[record.id] = record
        else:
            parents.setdefault(record.subject, set()).add(record.object)
    return entities, parents, stats


def _under(raw: dict[str, Any], curie: str, top: str) -> bool:
    return curie == top or top in raw["ancestors"]


@pytest.mark.slow
def test_every_live_anatomical_term_is_loaded(uberon_file, uberon_run) -> None:
    entities, _parents, stats = uberon_run
    live = {k for k, v in uberon_file.items() if not v["deprecated"]}
    assert set(entities) == {k for k in live if _under(uberon_file[k], k, ANATOMY)}
    assert stats["skipped:not anatomy"] == len(live) - len(entities)
    marked = {i for i, e in entities.items() if e.attributes.get("brain_region")}
    assert marked == {i for i in entities if _under(uberon_file[i], i, BRAIN)}


@pytest.mark.slow
def test_random_sample_matches_the_json(uberon_file, uberon_run) -> None:
    entities, parents, _stats = uberon_run
    for curie in random.Random(955).sample(sorted(entities), 60):
        raw, entity = uberon_file[curie], entities[curie]
        assert entity.name == raw["label"]
        assert entity.description == ((raw.get("description") or "").strip() or None)
        assert set(entity.synonyms) == set(raw.get("synonyms", [])) - {raw["label"]}
        direct = {a for a, d in raw["ancestors"].items() if d == 1 and a in entities}
        assert parents.get(curie, set()) == direct


@pytest.mark.slow
def test_hippocampus_and_substantia_nigra_are_brain_regions(uberon_file, uberon_run) -> None:
    entities, parents, _stats = uberon_run
    hippocampus = entities["UBERON:0002421"]
    assert hippocampus.name == uberon_file["UBERON:0002421"]["label"] == "hippocampal formation"
    [nigra] = [e for e in entities.values() if e.name == "substantia nigra"]
    for region in (hippocampus, nigra, entities[BRAIN]):
        assert region.attributes == {"brain_region": True}
    assert entities["UBERON:0000062"].attributes == {}  # organ: not under the brain
    assert parents["UBERON:0002421"] == {
        a for a, d in uberon_file["UBERON:0002421"]["ancestors"].items() if d == 1
    }
