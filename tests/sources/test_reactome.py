"""Reactome parser: inline rows of each file, malformed rows, then the pinned archive checked
against its own files."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from io import TextIOWrapper

import pytest

from scidex.ingest.sources import reactome
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.model import Edge, Entity
from scidex.kg.xrefs import external_url, namespace_label

URL = "https://reactome.org/PathwayBrowser/#/"


def _lines(*rows: str) -> list[str]:
    return [r + "\n" for r in rows]


def _mapping(acc: str, pathway: str, name: str, code: str, species: str = "Homo sapiens") -> str:
    return "\t".join((acc, pathway, URL + pathway, name, code, species))


def test_human_pathways_become_entities() -> None:
    stats: Counter[str] = Counter()
    lines = _lines(
        "R-BTA-73843\t5-Phosphoribose 1-diphosphate biosynthesis\tBos taurus",
        "R-HSA-9708530\tRegulation of BACH1 activity\tHomo sapiens",
        "R-HSA-9707616\tHeme signaling \tHomo sapiens",
    )
    pathways = list(reactome.pathway_entities(lines, "names.txt", "reactome@test", stats=stats))
    assert pathways == [
        Entity(
            "REACT:R-HSA-9708530",
            "biolink:Pathway",
            "Regulation of BACH1 activity",
            source_release="reactome@test",
        ),
        Entity(
            "REACT:R-HSA-9707616",
            "biolink:Pathway",
            "Heme signaling",
            source_release="reactome@test",
        ),
    ]
    assert stats == Counter({"pathways": 2, "skipped_non_human:pathways": 1})


def test_a_sub_pathway_is_part_of_its_parent() -> None:
    stats: Counter[str] = Counter()
    lines = _lines(
        "R-BTA-109581\tR-BTA-109606",
        "R-HSA-9755511\tR-HSA-9708530",
        "R-HSA-9755511\tR-HSA-9708530",
    )
    (edge,) = reactome.hierarchy_edges(lines, "relation.txt", "reactome@test", stats=stats)
    assert (edge.subject, edge.predicate, edge.object) == (
        "REACT:R-HSA-9708530",
        "biolink:part_of",
        "REACT:R-HSA-9755511",
    )
    assert (edge.primary_knowledge_source, edge.knowledge_level, edge.agent_type) == (
        "infores:reactome",
        "knowledge_assertion",
        "manual_agent",
    )
    assert stats["skipped_non_human:relations"] == 1
    assert stats["duplicate_rows:relations"] == 1


def test_participation_rows_merge_per_entry_and_pathway() -> None:
    stats: Counter[str] = Counter()
    lines = _lines(
        _mapping("O14867", "R-HSA-9708530", "Regulation of BACH1 activity", "TAS"),
        _mapping("O14867", "R-HSA-9708530", "Regulation of BACH1 activity", "TAS"),  # twice
        _mapping("O14867", "R-MMU-9708530", "Regulation of BACH1 activity", "IEA", "Mus musculus"),
        _mapping("Q13950", "R-HSA-8878166", "Transcriptional regulation by RUNX2", "IEA"),
        _mapping("Q13950-2", "R-HSA-8878166", "Transcriptional regulation by RUNX2", "TAS"),
        _mapping("P9WI47", "R-HSA-1", "Automated only", "IEA"),
    )
    edges = list(reactome.participation_edges(lines, "map.txt", "reactome@test", stats=stats))
    got = {(e.subject, e.object): e for e in edges}
    assert set(got) == {
        ("UniProtKB:O14867", "REACT:R-HSA-9708530"),
        ("UniProtKB:Q13950", "REACT:R-HSA-8878166"),
        ("UniProtKB:P9WI47", "REACT:R-HSA-1"),
    }
    bach1 = got["UniProtKB:O14867", "REACT:R-HSA-9708530"]
    assert (bach1.predicate, bach1.primary_knowledge_source) == (
        "biolink:participates_in",
        "infores:reactome",
    )
    assert (bach1.evidence_codes, bach1.agent_type, bach1.knowledge_level) == (
        ("TAS",),
        "manual_agent",
        "knowledge_assertion",
    )
    runx2 = got["UniProtKB:Q13950", "REACT:R-HSA-8878166"]
    assert (runx2.evidence_codes, runx2.agent_type) == (("TAS", "IEA"), "manual_agent")
    assert runx2.qualifiers == {"isoforms": ["UniProtKB:Q13950-2"]}
    inferred = got["UniProtKB:P9WI47", "REACT:R-HSA-1"]
    assert (inferred.evidence_codes, inferred.agent_type) == (("IEA",), "automated_agent")
    assert stats["duplicate_rows:participations"] == 1
    assert stats["skipped_non_human:participations"] == 1


@pytest.mark.parametrize(
    ("function", "row", "field"),
    [
        (reactome.pathway_entities, "R-HSA-1\tA pathway", "row"),
        (reactome.pathway_entities, "HSA-1\tA pathway\tHomo sapiens", "pathway_id"),
        (reactome.pathway_entities, "R-HSA-1\t \tHomo sapiens", "name"),
        (reactome.pathway_entities, "R-HSA-1\tA pathway\tMus musculus", "species"),
        (reactome.pathway_entities, "R-MMU-1\tA pathway\tHomo sapiens", "species"),
        (reactome.pathway_entities, "R-HSA-9\tAgain\tHomo sapiens", "pathway_id"),  # twice
        (reactome.hierarchy_edges, "R-HSA-1\tR-HSA-2\tR-HSA-3", "row"),
        (reactome.hierarchy_edges, "R-HSA-1\tR-HSA-x", "child_id"),
        (reactome.hierarchy_edges, "R_HSA_1\tR-HSA-2", "parent_id"),
        (reactome.hierarchy_edges, "R-HSA-1\tR-MMU-2", "child_id"),
        (reactome.hierarchy_edges, "R-HSA-1\tR-HSA-1", "child_id"),
        (
            reactome.participation_edges,
            _mapping("O1486", "R-HSA-1", "x", "TAS"),
            "uniprot_accession",
        ),
        (reactome.participation_edges, _mapping("O14867", "R-HSA-1", "x", "EXP"), "evidence_code"),
        (reactome.participation_edges, _mapping("O14867", "R-HSA-1", "x", "TAS", "Bos"), "species"),
        (reactome.participation_edges, _mapping("O14867", "1", "x", "TAS"), "pathway_id"),
    ],
)
def test_malformed_rows_name_file_line_and_field(function, row: str, field: str) -> None:  # type: ignore[no-untyped-def]
    good = {
        reactome.pathway_entities: "R-HSA-9\tA pathway\tHomo sapiens",
        reactome.hierarchy_edges: "R-HSA-9\tR-HSA-8",
        reactome.participation_edges: _mapping("O14867", "R-HSA-9", "A pathway", "TAS"),
    }[function]
    with pytest.raises(SourceFormatError) as err:
        list(function(_lines(good, "", row), "bad.txt", "r"))
    assert (err.value.file, err.value.line, err.value.field) == ("bad.txt", 3, field)
    assert str(err.value).startswith(f"bad.txt:3: {field}: ")


def test_reactome_ids_link_to_reactome() -> None:
    assert (
        external_url("REACT:R-HSA-9708530") == "https://reactome.org/content/detail/R-HSA-9708530"
    )
    assert namespace_label("REACT:R-HSA-9708530") == "Reactome"


# --------------------------------------------------------------------------
# The pinned archive


def _read(source_archive, member: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """A file's non-blank lines split on tabs, read independently of the parser."""
    with (
        open_member(source_archive("reactome"), member) as raw,
        TextIOWrapper(raw, encoding="utf-8") as fh,
    ):
        return [line.rstrip("\n").split("\t") for line in fh if line.strip()]


@pytest.fixture(scope="module")
def files(source_archive) -> dict[str, list[list[str]]]:  # type: ignore[no-untyped-def]
    return {
        m: _read(source_archive, m)
        for m in (reactome.NAMES_MEMBER, reactome.RELATION_MEMBER, reactome.UNIPROT_MEMBER)
    }


@pytest.fixture(scope="module")
def records(source_archive) -> list[Entity | Edge]:  # type: ignore[no-untyped-def]
    return list(reactome.parse(source_archive("reactome"), "reactome@test"))


def _human(rows: list[list[str]], column: int) -> list[list[str]]:
    return [r for r in rows if r[column].startswith("R-HSA-")]


@pytest.mark.slow
def test_every_human_pathway_with_its_name(files, records) -> None:
    names = {r[0]: r[1].strip() for r in _human(files[reactome.NAMES_MEMBER], 0)}
    assert len(names) < len(files[reactome.NAMES_MEMBER])  # other species are in the file
    pathways = {e.id: e for e in records if isinstance(e, Entity)}
    assert set(pathways) == {f"REACT:{p}" for p in names}
    for pathway_id in random.Random(9708530).sample(sorted(names), 200):
        entity = pathways[f"REACT:{pathway_id}"]
        assert (entity.name, entity.category) == (names[pathway_id], "biolink:Pathway")


@pytest.mark.slow
def test_the_hierarchy_is_every_human_relation(files, records) -> None:
    expected = {
        (f"REACT:{child}", f"REACT:{parent}")
        for parent, child in _human(files[reactome.RELATION_MEMBER], 0)
    }
    part_of = [e for e in records if isinstance(e, Edge) and e.predicate == "biolink:part_of"]
    assert {(e.subject, e.object) for e in part_of} == expected
    assert len(part_of) == len(expected)


@pytest.mark.slow
def test_random_participations_match_the_mapping_file(files, records) -> None:
    rows = _human(files[reactome.UNIPROT_MEMBER], 1)
    codes: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for acc, pathway, _url, _name, code, species in rows:
        assert species == "Homo sapiens"
        codes[f"UniProtKB:{acc.split('-')[0]}", f"REACT:{pathway}"].add(code)
    edges = {
        (e.subject, e.object): e
        for e in records
        if isinstance(e, Edge) and e.predicate == "biolink:participates_in"
    }
    assert set(edges) == set(codes)
    for key in random.Random(571).sample(sorted(codes), 300):
        edge = edges[key]
        assert set(edge.evidence_codes) == codes[key]
        expected_agent = "manual_agent" if "TAS" in codes[key] else "automated_agent"
        assert edge.agent_type == expected_agent
        assert edge.primary_knowledge_source == "infores:reactome"


@pytest.mark.slow
def test_bach1_takes_part_in_its_pathways(files, records) -> None:
    names = {r[0]: r[1].strip() for r in files[reactome.NAMES_MEMBER]}
    listed = {
        names[pathway]
        for acc, pathway, *_ in files[reactome.UNIPROT_MEMBER]
        if acc == "O14867" and pathway.startswith("R-HSA-")
    }
    assert {
        "Regulation of BACH1 activity",
        "Heme signaling",
        "Regulation of HMOX1 expression and activity",
    } <= listed
    pathway_names = {e.id: e.name for e in records if isinstance(e, Entity)}
    parsed = {
        pathway_names[e.object]
        for e in records
        if isinstance(e, Edge) and e.subject == "UniProtKB:O14867"
    }
    assert parsed == listed
