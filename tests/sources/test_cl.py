"""Cell Ontology: inline terms, then the pinned archive checked against its own JSON."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest
import zstandard

from scidex.ingest.sources import cl
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.ontology_guide import Term
from scidex.kg.model import Edge, Entity


def term(id: str, label: str, ancestors: dict[str, int], **kw: Any) -> Term:
    return Term(
        id=id, label=label, deprecated=kw.pop("deprecated", False), ancestors=ancestors, **kw
    )


TERMS = [
    term("CL:0000000", "cell", {}, description="A material entity."),
    term("CL:0000125", "glial cell", {"CL:0000000": 1}, synonyms=("glia",)),
    term("CL:0000878", "central nervous system macrophage", {"CL:0000000": 1}),
    term(
        "CL:0000129",
        "microglial cell",
        {"CL:0000125": 1, "CL:0000878": 1, "CL:0000000": 2},
        synonyms=("microgliocyte",),
    ),
    term("CL:0000002", "obsolete immortal cell line cell", {}, deprecated=True),
    # A part of a cell: its nearest CL ancestor lies beyond a GO class.
    term("CL:0017503", "basophilic cytoplasm", {"CL:0000000": 3}),
]


def test_cell_types_and_their_superclasses() -> None:
    stats: Counter[str] = Counter()
    out = list(cl.records(TERMS, "cl@t", stats=stats))
    entities = {r.id: r for r in out if isinstance(r, Entity)}
    edges = [r for r in out if isinstance(r, Edge)]
    assert list(entities) == ["CL:0000000", "CL:0000125", "CL:0000878", "CL:0000129"]
    assert entities["CL:0000129"] == Entity(
        id="CL:0000129",
        category="biolink:Cell",
        name="microglial cell",
        synonyms=("microgliocyte",),
        source_release="cl@t",
    )
    assert entities["CL:0000000"].description == "A material entity."
    assert {(e.subject, e.predicate, e.object) for e in edges} == {
        ("CL:0000125", "biolink:subclass_of", "CL:0000000"),
        ("CL:0000878", "biolink:subclass_of", "CL:0000000"),
        ("CL:0000129", "biolink:subclass_of", "CL:0000125"),
        ("CL:0000129", "biolink:subclass_of", "CL:0000878"),
    }
    assert {e.primary_knowledge_source for e in edges} == {"infores:cl"}
    assert stats["deprecated_terms"] == 1
    assert stats["skipped:not a cell type"] == 1


# --------------------------------------------------------------------------
# The pinned archive


@pytest.fixture(scope="module")
def cl_file(source_archive) -> dict[str, dict[str, Any]]:
    with open_member(source_archive("cl"), cl.MEMBER) as fh:
        return json.loads(zstandard.ZstdDecompressor().stream_reader(fh).read())


@pytest.fixture(scope="module")
def cl_run(source_archive) -> tuple[dict[str, Entity], dict[str, set[str]], Counter[str]]:
    entities: dict[str, Entity] = {}
    parents: dict[str, set[str]] = {}
    stats: Counter[str] = Counter()
    for record in cl.parse(source_archive("cl"), "cl@test", stats=stats):
        if isinstance(record, Entity):
            assert not parents, "an Entity after an Edge"
            assert record.id not in entities
            entities[record.id] = record
        else:
            assert record.predicate == "biolink:subclass_of"
            parents.setdefault(record.subject, set()).add(record.object)
    return entities, parents, stats


def _direct(raw: dict[str, Any]) -> set[str]:
    return {a for a, d in raw["ancestors"].items() if d == 1}


@pytest.mark.slow
def test_every_live_cell_type_is_loaded(cl_file, cl_run) -> None:
    entities, _parents, stats = cl_run
    live = {k for k, v in cl_file.items() if not v["deprecated"]}
    # Left out: only live terms without a direct CL parent, other than the root.
    assert set(entities) == {k for k in live if k == "CL:0000000" or _direct(cl_file[k])}
    assert stats["deprecated_terms"] == len(cl_file) - len(live)
    assert stats["skipped:not a cell type"] == len(live) - len(entities)
    assert {e.category for e in entities.values()} == {"biolink:Cell"}


@pytest.mark.slow
def test_random_sample_matches_the_json(cl_file, cl_run) -> None:
    entities, parents, _stats = cl_run
    for curie in random.Random(129).sample(sorted(entities), 60):
        raw, entity = cl_file[curie], entities[curie]
        assert entity.name == raw["label"]
        assert entity.description == ((raw.get("description") or "").strip() or None)
        assert set(entity.synonyms) == set(raw.get("synonyms", [])) - {raw["label"]}
        assert parents.get(curie, set()) == _direct(raw)


@pytest.mark.slow
def test_microglia(cl_file, cl_run) -> None:
    entities, parents, _stats = cl_run
    [microglia] = [e for e in entities.values() if e.name == "microglial cell"]
    assert microglia.id == "CL:0000129"
    assert parents[microglia.id] == _direct(cl_file["CL:0000129"])
    assert {entities[p].name for p in parents[microglia.id]} == {
        "glial cell",
        "central nervous system macrophage",
    }
