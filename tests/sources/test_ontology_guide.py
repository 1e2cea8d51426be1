"""The reader of cellxgene-ontology-guide's ontology digests, and the records it makes.

Inline JSON here; the pinned archive is read in test_cl, test_uberon and test_chebi.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import zstandard

from scidex.ingest.sources import ontology_guide
from scidex.ingest.sources.errors import SourceFormatError
from scidex.ingest.sources.ontology_guide import Plan, Term, decode_terms, read_terms, records
from scidex.kg.model import Edge, Entity

PATTERN = re.compile(r"^X:[0-9]{3}$")
TERMS: dict[str, Any] = {
    "X:001": {"ancestors": {}, "label": "root", "description": "The top.", "deprecated": False},
    "X:002": {
        "ancestors": {"X:001": 1},
        "label": "middle",
        "synonyms": ["mid", "middle", "mid"],
        "deprecated": False,
    },
    "X:003": {
        "ancestors": {"X:002": 1, "X:004": 1, "X:001": 2},
        "label": "leaf",
        "description": "  A leaf.  ",
        "deprecated": False,
    },
    "X:004": {"ancestors": {"X:001": 1}, "label": "side", "description": "", "deprecated": False},
    "X:009": {"ancestors": {}, "label": "", "deprecated": True, "replaced_by": "X:003"},
}


def decode(obj: Any, *, text: str | None = None) -> list[Term]:
    return list(decode_terms(io.StringIO(text or json.dumps(obj)), "x.json", PATTERN))


def test_terms_as_the_file_states_them() -> None:
    terms = {t.id: t for t in decode(TERMS)}
    assert list(terms) == list(TERMS)  # file order
    leaf = terms["X:003"]
    assert leaf == Term(
        id="X:003",
        label="leaf",
        deprecated=False,
        ancestors={"X:002": 1, "X:004": 1, "X:001": 2},
        description="A leaf.",
        where="[2]",
    )
    assert leaf.parents() == ["X:002", "X:004"]
    assert leaf.has_ancestor_or_is("X:001") and leaf.has_ancestor_or_is("X:003")
    assert terms["X:002"].synonyms == ("mid",)  # deduplicated, not its own label
    assert terms["X:004"].description is None  # empty definition
    assert terms["X:009"].deprecated and terms["X:009"].label == ""


@pytest.mark.parametrize("chunk", [1, 2, 7, 64])
def test_window_boundaries_change_nothing(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """Keys and terms cut anywhere by the read window decode as json.loads reads them."""
    monkeypatch.setattr(ontology_guide, "_CHUNK", chunk)
    text = json.dumps(TERMS, indent=1) + "\n"
    got = {t.id: (t.label, t.ancestors, t.deprecated) for t in decode(None, text=text)}
    assert got == {k: (v["label"], v["ancestors"], v["deprecated"]) for k, v in TERMS.items()}


def test_an_empty_object_has_no_terms() -> None:
    assert decode({}) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"X:002": ["not", "an", "object"]}, "term"),
        ({"Y:002": {"ancestors": {}, "label": "y", "deprecated": False}}, "id"),
        ({"X:002": {"ancestors": {}, "label": "y", "deprecated": "no"}}, "deprecated"),
        ({"X:002": {"ancestors": {}, "deprecated": False}}, "label"),
        ({"X:002": {"ancestors": {}, "label": " ", "deprecated": False}}, "label"),
        (
            {"X:002": {"ancestors": {}, "label": "y", "description": 3, "deprecated": False}},
            "description",
        ),
        (
            {"X:002": {"ancestors": {}, "label": "y", "synonyms": "y2", "deprecated": False}},
            "synonyms",
        ),
        (
            {"X:002": {"ancestors": {}, "label": "y", "synonyms": [""], "deprecated": False}},
            "synonyms",
        ),
        ({"X:002": {"ancestors": [], "label": "y", "deprecated": False}}, "ancestors"),
        ({"X:002": {"ancestors": {"CL:001": 1}, "label": "y", "deprecated": False}}, "ancestors"),
        ({"X:002": {"ancestors": {"X:001": 0}, "label": "y", "deprecated": False}}, "ancestors"),
        ({"X:002": {"ancestors": {"X:001": True}, "label": "y", "deprecated": False}}, "ancestors"),
        ({"X:002": {"ancestors": {"X:001": "1"}, "label": "y", "deprecated": False}}, "ancestors"),
        ({"X:002": {"ancestors": {"X:002": 1}, "label": "y", "deprecated": False}}, "ancestors"),
    ],
)
def test_a_malformed_term_names_file_position_and_field(change: dict[str, Any], field: str) -> None:
    obj = {"X:001": TERMS["X:001"], **change}
    with pytest.raises(SourceFormatError) as err:
        decode(obj)
    assert (err.value.file, err.value.line, err.value.field) == ("x.json", "[1]", field)
    assert str(err.value).startswith(f"x.json:[1]: {field}: ")


def test_a_repeated_id_is_an_error() -> None:
    text = (
        '{"X:001": ' + json.dumps(TERMS["X:001"]) + ', "X:001": ' + json.dumps(TERMS["X:001"]) + "}"
    )
    with pytest.raises(SourceFormatError, match=r"x.json:\[1\]: id: X:001 appears twice"):
        decode(None, text=text)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('["X:001"]', "[0]"),  # not an object
        ('{"X:001": {"ancestors": {}, "label": "a", "deprecated": false}', "[1]"),  # cut short
        ('{"X:001": {"ancestors": {}, "label": "a", "deprecated": fals}}', "[0]"),
        ('{"X:001": {"ancestors": {}, "label": "a", "deprecated": false} "X:002": {}}', "[1]"),
        ('{"X:001" {}}', "[0]"),
        ('{"X:001": {"ancestors": {}, "label": "a", "deprecated": false}} trailing', "[1]"),
        ("", "[0]"),
    ],
)
def test_broken_json_names_the_term_and_character(text: str, where: str) -> None:
    with pytest.raises(SourceFormatError) as err:
        decode(None, text=text)
    assert (err.value.file, err.value.line, err.value.field) == ("x.json", where, "json")
    assert re.search(r"\(character \d+\)$", err.value.message)


def _wheel(path: Path, member: str, payload: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member, payload)
    return path


def test_read_terms_decompresses_the_member(tmp_path: Path) -> None:
    member = "pkg/data/X-ontology-v1.json.zst"
    payload = zstandard.ZstdCompressor().compress(json.dumps(TERMS).encode())
    wheel = _wheel(tmp_path / "x.whl", member, payload)
    assert [t.id for t in read_terms(wheel, member, PATTERN)] == list(TERMS)


def test_a_corrupt_member_is_named(tmp_path: Path) -> None:
    member = "pkg/data/X-ontology-v1.json.zst"
    wheel = _wheel(tmp_path / "x.whl", member, b"\x28\xb5\x2f\xfd not zstd at all")
    with pytest.raises(SourceFormatError) as err:
        list(read_terms(wheel, member, PATTERN))
    assert (err.value.file, err.value.field) == (member, "zstd")


# --- records -----------------------------------------------------------------------


def plan(**kwargs: Any) -> Plan:
    return Plan(
        infores="infores:x",
        predicate="biolink:subclass_of",
        classify=kwargs.pop("classify", lambda t: "biolink:NamedThing"),
        **kwargs,
    )


def run(terms: list[Term], p: Plan) -> tuple[list[Entity], list[Edge], Counter[str]]:
    stats: Counter[str] = Counter()
    out = list(records(terms, p, "x@1", stats))
    entities = [r for r in out if isinstance(r, Entity)]
    edges = [r for r in out if isinstance(r, Edge)]
    assert out == [*entities, *edges]  # every entity before any edge
    return entities, edges, stats


def test_live_terms_become_entities_and_direct_parents_edges() -> None:
    entities, edges, stats = run(decode(TERMS), plan(describe=str.upper))
    assert [e.id for e in entities] == ["X:001", "X:002", "X:003", "X:004"]  # no deprecated
    leaf = entities[2]
    assert (leaf.name, leaf.description, leaf.source_release) == ("leaf", "A LEAF.", "x@1")
    assert entities[1].synonyms == ("mid",)
    assert {(e.subject, e.object) for e in edges} == {
        ("X:002", "X:001"),
        ("X:003", "X:002"),
        ("X:003", "X:004"),
        ("X:004", "X:001"),
    }  # the distance-2 ancestor is no edge
    assert edges[0] == Edge(
        subject="X:002",
        predicate="biolink:subclass_of",
        object="X:001",
        primary_knowledge_source="infores:x",
        knowledge_level="knowledge_assertion",
        agent_type="manual_agent",
        source_release="x@1",
    )
    assert stats["deprecated_terms"] == 1 and stats["edges:biolink:subclass_of"] == 4


def test_a_term_left_out_takes_its_edges_along() -> None:
    p = plan(
        classify=lambda t: None if t.id == "X:004" else "biolink:NamedThing", skip_reason="odd"
    )
    entities, edges, stats = run(decode(TERMS), p)
    assert "X:004" not in {e.id for e in entities}
    assert ("X:003", "X:004") not in {(e.subject, e.object) for e in edges}
    assert stats["skipped:odd"] == 1 and stats["parent_not_loaded"] == 1


def test_selection_keeps_the_chosen_terms_and_all_their_ancestors() -> None:
    # X:003 is chosen; its ancestors X:001, X:002 and X:004 come before it in the file.
    extra = {"X:005": {"ancestors": {"X:001": 1}, "label": "other", "deprecated": False}}
    entities, edges, stats = run(decode(TERMS | extra), plan(select=lambda t: t.id == "X:003"))
    assert sorted(e.id for e in entities) == ["X:001", "X:002", "X:003", "X:004"]
    assert entities[0].id == "X:003"  # the chosen at once, the rest once the file is read
    assert len(edges) == 4 and stats["not_selected"] == 1


def test_a_term_whose_nearest_ancestor_is_far_has_no_edge() -> None:
    far = {"X:007": {"ancestors": {"X:001": 3}, "label": "far", "deprecated": False}}
    entities, edges, stats = run(decode(far), plan())
    assert [e.id for e in entities] == ["X:007"] and edges == []
    assert stats["no_direct_parent"] == 1
