"""ChEBI: the selection rule, inline terms, then the pinned archive against its own JSON."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import zstandard

from scidex.ingest.sources import chebi
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.chebi import Selection, page_mentions, plain_text
from scidex.ingest.sources.ontology_guide import Term
from scidex.kg.model import Edge, Entity

HEME, HEMIN, DMF = "CHEBI:30413", "CHEBI:50385", "CHEBI:76004"


def term(id: str, label: str, ancestors: dict[str, int], **kw: Any) -> Term:
    return Term(
        id=id, label=label, deprecated=kw.pop("deprecated", False), ancestors=ancestors, **kw
    )


TERMS = [
    term("CHEBI:24431", "chemical entity", {}),
    term("CHEBI:50906", "role", {}, description="A role."),
    term("CHEBI:22586", "antioxidant", {"CHEBI:50906": 1}, description="A substance that..."),
    term("CHEBI:33892", "iron coordination entity", {"CHEBI:24431": 1}),
    term(HEME, "heme", {"CHEBI:33892": 1, "CHEBI:24431": 2}),
    term("CHEBI:26355", "heme b", {HEME: 1, "CHEBI:33892": 2, "CHEBI:24431": 3}),
    term("CHEBI:18248", "iron atom", {"CHEBI:24431": 1}),
    term("CHEBI:99999", "undefined and unnamed", {"CHEBI:24431": 1}),
    term(
        "CHEBI:15377",
        "water",
        {"CHEBI:24431": 1},
        description="An oxygen hydride consisting of an oxygen atom that is covalently bonded "
        "to two hydrogen atoms (H<sub>2</sub>O).",
    ),
    term("CHEBI:1", "", {}, deprecated=True),
]


def run(selection: Selection | None) -> tuple[dict[str, Entity], list[Edge], Counter[str]]:
    stats: Counter[str] = Counter()
    out = list(chebi.records(TERMS, "chebi@t", selection=selection, stats=stats))
    entities = {r.id: r for r in out if isinstance(r, Entity)}
    return entities, [r for r in out if isinstance(r, Edge)], stats


def test_plain_text_drops_chebi_markup() -> None:
    assert plain_text("The <i>R</i>-enantiomer of <em>N</em>-methyl<small>D</small>") == (
        "The R-enantiomer of N-methylD"
    )
    assert plain_text('See <a href="https://x.org/a_b" target="_blank">SERCA</a>.') == "See SERCA."
    assert plain_text("Fe<sup>2+</sup>, H<sub>2</sub>O, x < y > z") == "Fe2+, H2O, x < y > z"


def test_every_live_term_without_a_selection() -> None:
    entities, edges, stats = run(None)
    assert len(entities) == len(TERMS) - 1 and "CHEBI:1" not in entities
    assert entities[HEME].category == "biolink:ChemicalEntity"
    # roles are what a chemical does, not chemicals
    assert entities["CHEBI:50906"].category == "biolink:ChemicalRole"
    assert entities["CHEBI:22586"].category == "biolink:ChemicalRole"
    assert entities["CHEBI:15377"].description is not None
    assert "H2O" in entities["CHEBI:15377"].description
    assert ("CHEBI:26355", "biolink:subclass_of", HEME) in {
        (e.subject, e.predicate, e.object) for e in edges
    }
    assert {e.primary_knowledge_source for e in edges} == {"infores:chebi"}
    assert stats["deprecated_terms"] == 1


def test_selection_keeps_defined_named_and_always_terms_with_their_ancestors() -> None:
    entities, edges, stats = run(Selection(names=frozenset({"iron atom"})))
    assert set(entities) == {
        HEME,  # always kept
        "CHEBI:33892",  # heme's ancestors
        "CHEBI:24431",
        "CHEBI:50906",  # defined
        "CHEBI:22586",
        "CHEBI:15377",
        "CHEBI:18248",  # named by a page
    }
    assert stats["not_selected"] == 2  # heme b (a child, not an ancestor) and the unnamed one
    assert {(e.subject, e.object) for e in edges} == {
        ("CHEBI:22586", "CHEBI:50906"),
        ("CHEBI:33892", "CHEBI:24431"),
        (HEME, "CHEBI:33892"),
        ("CHEBI:18248", "CHEBI:24431"),
        ("CHEBI:15377", "CHEBI:24431"),
    }
    # without the definitions rule: only what is named, always kept, and their ancestors
    entities, _edges, _stats = run(Selection(ids=frozenset({HEME}), defined=False))
    assert set(entities) == {HEME, "CHEBI:33892", "CHEBI:24431"}


PAGE = """---
entity: {entity}
curated_edges:
  - predicate: biolink:related_to
    object: Hemin
  - predicate: biolink:related_to
    object: chebi:16240
---
Heme ([[CHEBI:30413]]) binds [[BACH1]] and [[Iron Atom|iron]]; see also CHEBI:17245.
"""


def test_page_mentions_reads_ids_links_and_edge_objects(tmp_path: Path) -> None:
    (tmp_path / "chemicals-heme.md").write_text(PAGE.format(entity="CHEBI:30413"), "utf-8")
    (tmp_path / "genes-x.md").write_text(PAGE.format(entity="HGNC:935"), "utf-8")
    mentions = page_mentions(tmp_path)
    assert mentions.ids == {HEME, HEMIN, DMF, "CHEBI:16240", "CHEBI:17245"}
    assert {"iron atom", "hemin", "bach1"} <= mentions.names
    assert mentions.defined
    assert page_mentions(tmp_path / "missing") == Selection()


# --------------------------------------------------------------------------
# The pinned archive


@pytest.fixture(scope="module")
def chebi_file(source_archive) -> dict[str, dict[str, Any]]:
    with open_member(source_archive("chebi"), chebi.MEMBER) as fh:
        return json.loads(zstandard.ZstdDecompressor().stream_reader(fh).read())


@pytest.fixture(scope="module")
def chebi_run(
    source_archive, tmp_path_factory
) -> tuple[dict[str, Entity], dict[str, set[str]], Counter[str]]:
    pages = tmp_path_factory.mktemp("pages")
    (pages / "chemicals-water.md").write_text("---\nentity: HGNC:935\n---\nSee [[water]].\n")
    entities: dict[str, Entity] = {}
    parents: dict[str, set[str]] = {}
    stats: Counter[str] = Counter()
    for record in chebi.parse(
        source_archive("chebi"), "chebi@test", stats=stats, content_dir=pages
    ):
        if isinstance(record, Entity):
            assert not parents, "an Entity after an Edge"
            assert record.id not in entities
            entities[record.id] = record
        else:
            assert record.predicate == "biolink:subclass_of"
            parents.setdefault(record.subject, set()).add(record.object)
    return entities, parents, stats


@pytest.mark.slow
def test_the_selection_is_what_the_file_says(chebi_file, chebi_run) -> None:
    entities, _parents, stats = chebi_run
    live = {k: v for k, v in chebi_file.items() if not v["deprecated"]}
    chosen = {
        k
        for k, v in live.items()
        if v.get("description") or k in {HEME, HEMIN, DMF} or v["label"] == "water"
    }
    expected = set(chosen)
    for k in chosen:
        expected.update(live[k]["ancestors"])
    assert set(entities) == expected
    assert stats["not_selected"] == len(live) - len(expected)
    assert stats["deprecated_terms"] == len(chebi_file) - len(live)
    roles = {k for k in expected if k == "CHEBI:50906" or "CHEBI:50906" in live[k]["ancestors"]}
    assert {k for k, e in entities.items() if e.category == "biolink:ChemicalRole"} == roles


@pytest.mark.slow
def test_random_sample_matches_the_json(chebi_file, chebi_run) -> None:
    entities, parents, _stats = chebi_run
    for curie in random.Random(30413).sample(sorted(entities), 80):
        raw, entity = chebi_file[curie], entities[curie]
        assert entity.name == raw["label"]
        if raw.get("description"):
            assert entity.description == plain_text(raw["description"])
        else:
            assert entity.description is None
        direct = {a for a, d in raw["ancestors"].items() if d == 1}
        assert direct <= set(entities)  # a kept term's ancestors are kept
        assert parents.get(curie, set()) == direct


@pytest.mark.slow
def test_heme_hemin_and_dimethyl_fumarate(chebi_file, chebi_run) -> None:
    entities, parents, _stats = chebi_run
    for curie in (HEME, HEMIN, DMF):
        assert entities[curie].name == chebi_file[curie]["label"]
        assert entities[curie].category == "biolink:ChemicalEntity"
    assert (entities[HEME].name, entities[HEMIN].name, entities[DMF].name) == (
        "heme",
        "hemin",
        "dimethyl fumarate",
    )
    assert parents[HEME] == {a for a, d in chebi_file[HEME]["ancestors"].items() if d == 1}
    # hemin is a heme b, which is a heme
    assert HEME in chebi_file[HEMIN]["ancestors"]
    assert any(HEME in parents.get(p, ()) for p in parents[HEMIN])
