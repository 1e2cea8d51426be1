"""HPO parser: the OBO reader and row parsing on inline text, then the pinned archive."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from scidex.ingest.sources import hpo
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.curies import normalize_curie
from scidex.kg.model import Edge, Entity

OBO = r"""format-version: 1.2
data-version: hp/releases/2025-01-16
! a comment line
ontology: hp.obo

[Term]
id: HP:0000001
name: All
xref: UMLS:C0444868

[Term]
id: HP:0000002
name: Abnormality of body height
alt_id: HP:0000003
def: "Deviation from the \"norm\" of height; see [x]." [https://orcid.org/0000-0002-0736-9199]
synonym: "Abnormality of body height" EXACT layperson []
synonym: "Height abnormality" RELATED []
synonym: "Stature anomaly" BROAD [HPO:skoehler]
xref: UMLS:C4025901
xref: MSH:D001827
xref: SNOMEDCT_US:204962002
xref: ORPHA:123
xref: MEDDRA:10022016 "Inguinal hernia"
is_a: HP:0000001 ! All
is_a: HP:0000118 {source="x"} ! Phenotypic abnormality

[Term]
id: HP:0000004
name: obsolete Onset and clinical course
is_obsolete: true

[Typedef]
id: part_of
name: part of
"""


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def test_iter_obo_splits_stanzas_with_line_numbers() -> None:
    stanzas = list(hpo.iter_obo(_lines(OBO), "hp.obo"))
    assert [s.kind for s in stanzas] == ["header", "Term", "Term", "Term", "Typedef"]
    header, _all, height, *_ = stanzas
    assert header.first("data-version") == "hp/releases/2025-01-16"
    assert height.line == 11
    assert height.tags["alt_id"] == [(14, "HP:0000003")]
    assert height.values("is_a") == [
        "HP:0000001 ! All",
        'HP:0000118 {source="x"} ! Phenotypic abnormality',
    ]


def test_obo_quoted_unescapes_and_returns_the_rest() -> None:
    text, rest = hpo.obo_quoted(r'"a \"b\" c\\d" EXACT [x]', "f", 1, "synonym")
    assert (text, rest) == ('a "b" c\\d', "EXACT [x]")
    assert hpo.obo_ref('HP:0000118 {source="x"} ! Phenotypic abnormality') == "HP:0000118"


def test_obo_records() -> None:
    stats: Counter[str] = Counter()
    records = list(hpo.obo_records(_lines(OBO), "hp.obo", "hpo@test", stats=stats))
    assert [type(r).__name__ for r in records] == ["Entity", "Entity", "Edge", "Edge"]
    root, height, to_root, to_abnormality = records
    assert root.xrefs == ("UMLS:C0444868",)
    assert height == Entity(
        id="HP:0000002",
        category="biolink:PhenotypicFeature",
        name="Abnormality of body height",
        description='Deviation from the "norm" of height; see [x].',
        synonyms=("Height abnormality", "Stature anomaly"),
        # SNOMED CT and MedDRA are kept under their Biolink prefixes.
        xrefs=("UMLS:C4025901", "MESH:D001827", "SNOMEDCT:204962002", "MEDDRA:10022016"),
        attributes={"alt_ids": ["HP:0000003"]},
        source_release="hpo@test",
    )
    assert (to_root.subject, to_root.predicate, to_root.object) == (
        "HP:0000002",
        "biolink:subclass_of",
        "HP:0000001",
    )
    assert to_abnormality.object == "HP:0000118"
    assert (to_root.primary_knowledge_source, to_root.knowledge_level, to_root.agent_type) == (
        "infores:hpo",
        "knowledge_assertion",
        "manual_agent",
    )
    assert stats["obsolete_terms"] == 1
    assert stats["xref_dropped:ORPHA"] == 1  # a disease id on a phenotype


BRANCHES_OBO = """[Term]
id: HP:0000118
name: Phenotypic abnormality

[Term]
id: HP:0000707
name: Abnormality of the nervous system
is_a: HP:0000118

[Term]
id: HP:0000478
name: Abnormality of the eye
is_a: HP:0000118

[Term]
id: HP:0012638
name: Abnormal nervous system physiology
is_a: HP:0000707

[Term]
id: HP:0000496
name: Abnormality of eye movement
is_a: HP:0012638
is_a: HP:0000478

[Term]
id: HP:0000005
name: Mode of inheritance
"""


def test_each_abnormality_knows_the_organ_systems_it_falls_under() -> None:
    records = list(hpo.obo_records(_lines(BRANCHES_OBO), "hp.obo", "hpo@test"))
    terms = [r for r in records if isinstance(r, Entity)]
    edges = [r for r in records if isinstance(r, Edge)]
    # Parents listed after their children, as a file may have them.
    branches = {
        t.id: t.attributes.get("hpo_branches") for t in hpo.with_branches(terms[::-1], edges)
    }
    assert branches == {
        "HP:0000118": None,  # the root is no branch of itself
        "HP:0000707": ["HP:0000707"],
        "HP:0000478": ["HP:0000478"],
        "HP:0012638": ["HP:0000707"],
        "HP:0000496": ["HP:0000478", "HP:0000707"],  # two parents, two systems
        "HP:0000005": None,  # outside the phenotypic abnormalities
    }


@pytest.mark.parametrize(
    ("bad", "line", "field"),
    [
        ('def: "unterminated [x]', 4, "def"),
        ("is_a: GO:0000001 ! not HP", 4, "is_a"),
        ("no tag value here", 4, "tag"),
    ],
)
def test_malformed_obo_names_file_line_and_field(bad: str, line: int, field: str) -> None:
    text = f"format-version: 1.2\n\n[Term]\n{bad}\nid: HP:0000001\nname: x\n"
    with pytest.raises(SourceFormatError) as err:
        list(hpo.obo_records(_lines(text), "hp.obo", "r"))
    assert (err.value.file, err.value.line, err.value.field) == ("hp.obo", line, field)


# --------------------------------------------------------------------------
# phenotype.hpoa and genes_to_phenotype.txt on inline text

HPOA_HEADER = "\t".join(hpo.HPOA_COLUMNS)


def _hpoa(*rows: str) -> list[str]:
    return _lines("#version: 2025-01-16\n" + HPOA_HEADER + "\n" + "".join(r + "\n" for r in rows))


def _row(*cells: str) -> str:
    assert len(cells) == 12
    return "\t".join(cells)


HPOA_ROWS = (
    _row(
        "OMIM:1", "Dis one", "", "HP:0000002", "PMID:11;PMID:12", "PCS", "", "1/2", "", "", "P", "c"
    ),
    _row(
        "OMIM:1",
        "Dis one",
        "",
        "HP:0000002",
        "OMIM:1",
        "TAS",
        "HP:0003577",
        "2/2",
        "",
        "",
        "P",
        "c",
    ),
    _row("OMIM:1", "Dis One", "", "HP:0000007", "OMIM:1", "TAS", "", "", "", "", "I", "c"),
    _row("OMIM:1", "Dis one", "NOT", "HP:0000009", "PMID:13", "PCS", "", "", "", "", "P", "c"),
    _row(
        "ORPHA:558",
        "Marfan",
        "",
        "HP:0000002",
        "ORPHA:558",
        "TAS",
        "",
        "HP:0040283",
        "MALE",
        "HP:0012825;HP:0012825",
        "P",
        "c",
    ),
)


def test_hpoa_diseases_and_edges() -> None:
    stats: Counter[str] = Counter()
    names = {"HP:0000007": "Autosomal recessive inheritance"}
    diseases = list(hpo.hpoa_diseases(_hpoa(*HPOA_ROWS), "p.hpoa", "r", hp_names=names))
    assert diseases == [
        Entity(
            id="OMIM:1",
            category="biolink:Disease",
            name="Dis one",
            synonyms=("Dis One",),
            attributes={
                "hpo_disease": True,
                "inheritance": [{"id": "HP:0000007", "name": "Autosomal recessive inheritance"}],
            },
            source_release="r",
        ),
        Entity(
            id="Orphanet:558",
            category="biolink:Disease",
            name="Marfan",
            attributes={"hpo_disease": True},
            source_release="r",
        ),
    ]
    edges = list(hpo.hpoa_edges(_hpoa(*HPOA_ROWS), "p.hpoa", "r", stats=stats))
    assert [(e.subject, e.object) for e in edges] == [
        ("OMIM:1", "HP:0000002"),
        ("Orphanet:558", "HP:0000002"),
    ]
    merged, marfan = edges
    assert merged.publications == ("PMID:11", "PMID:12")
    assert merged.evidence_codes == ("PCS", "TAS")
    assert merged.qualifiers == {
        "frequency": ["1/2", "2/2"],
        "onset": "HP:0003577",
        "references": ["OMIM:1"],
    }
    assert (merged.primary_knowledge_source, merged.knowledge_level, merged.agent_type) == (
        "infores:hpo-annotations",
        "knowledge_assertion",
        "manual_agent",
    )
    assert marfan.qualifiers == {
        "frequency": "HP:0040283",
        "sex": "MALE",
        "modifiers": ["HP:0012825"],
        "references": ["Orphanet:558"],
    }
    assert stats["hpoa_negated_rows"] == 1
    assert stats["edges:biolink:has_phenotype"] == 2


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ({3: "HP:12"}, "hpo_id"),
        ({0: "NOPE:1"}, "database_id"),
        ({10: "X"}, "aspect"),
        ({2: "MAYBE"}, "qualifier"),
        ({6: "early"}, "onset"),
    ],
)
def test_malformed_hpoa_row_names_file_line_and_field(cells: dict[int, str], field: str) -> None:
    good = HPOA_ROWS[0].split("\t")
    bad = [cells.get(i, v) for i, v in enumerate(good)]
    with pytest.raises(SourceFormatError) as err:
        list(hpo.hpoa_rows(_hpoa(HPOA_ROWS[0], "\t".join(bad)), "phenotype.hpoa"))
    # line 1 is "#version", 2 the header, 3 the good row
    assert (err.value.file, err.value.line, err.value.field) == ("phenotype.hpoa", 4, field)
    assert str(err.value).startswith(f"phenotype.hpoa:4: {field}: ")


def test_hpoa_short_row_and_scattered_disease() -> None:
    with pytest.raises(SourceFormatError) as err:
        list(hpo.hpoa_rows(_hpoa("OMIM:1\tx"), "p.hpoa"))
    assert (err.value.line, err.value.field) == (3, "row")
    scattered = _hpoa(HPOA_ROWS[0], HPOA_ROWS[4], HPOA_ROWS[1])
    with pytest.raises(SourceFormatError) as err:
        list(hpo.hpoa_edges(scattered, "p.hpoa", "r"))
    assert (err.value.line, err.value.field) == (5, "database_id")


G2P = """ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id
16\tAARS1\tHP:0002460\tDistal muscle weakness\t15/15\tOMIM:613287
16\tAARS1\tHP:0002460\tDistal muscle weakness\t-\tORPHA:33364
16\tAARS1\tHP:0001197\tAbnormality of prenatal development\tHP:0040283\tORPHA:33364
10\tNAT2\tHP:0000007\tAutosomal recessive inheritance\t-\tOMIM:243400
"""


def test_gene_edges() -> None:
    stats: Counter[str] = Counter()
    edges = list(hpo.gene_edges(_lines(G2P), "g2p.txt", "r", stats=stats))
    assert [(e.subject, e.predicate, e.object, e.qualifiers) for e in edges] == [
        (
            "NCBIGene:16",
            "biolink:has_phenotype",
            "HP:0002460",
            {
                "diseases": ["OMIM:613287", "Orphanet:33364"],
                "frequency_by_disease": {"OMIM:613287": "15/15"},
            },
        ),
        (
            "NCBIGene:16",
            "biolink:has_phenotype",
            "HP:0001197",
            {
                "diseases": ["Orphanet:33364"],
                "frequency_by_disease": {"Orphanet:33364": "HP:0040283"},
            },
        ),
        ("NCBIGene:16", "biolink:gene_associated_with_condition", "OMIM:613287", {}),
        ("NCBIGene:16", "biolink:gene_associated_with_condition", "Orphanet:33364", {}),
        ("NCBIGene:10", "biolink:has_phenotype", "HP:0000007", {"diseases": ["OMIM:243400"]}),
        ("NCBIGene:10", "biolink:gene_associated_with_condition", "OMIM:243400", {}),
    ]
    assert {(e.knowledge_level, e.agent_type, e.primary_knowledge_source) for e in edges} == {
        ("logical_entailment", "automated_agent", "infores:hpo-annotations")
    }
    assert stats == {
        "edges:biolink:has_phenotype": 3,
        "edges:biolink:gene_associated_with_condition": 3,
    }


def test_malformed_gene_row() -> None:
    text = G2P + "x7\tNAT2\tHP:0000007\tAR\t-\tOMIM:243400\n"
    with pytest.raises(SourceFormatError) as err:
        list(hpo.gene_edges(_lines(text), "g2p.txt", "r"))
    assert (err.value.file, err.value.line, err.value.field) == ("g2p.txt", 6, "ncbi_gene_id")


# --------------------------------------------------------------------------
# The pinned archive, checked against its own files


def _member_text(archive, member: str) -> str:
    with open_member(archive, member) as fh:
        return fh.read().decode("utf-8")


def _table(text: str) -> tuple[list[str], list[list[str]]]:
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


@dataclass
class HpoRun:
    """What one pass of hpo.parse yielded, kept small: counts plus the sampled records."""

    stats: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    entity_after_edge: bool = False
    duplicate_edge_ids: int = 0
    entities: dict[str, Entity] = field(default_factory=dict)
    disease_ids: set[str] = field(default_factory=set)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)
    subclass: dict[str, set[str]] = field(default_factory=dict)
    sample_terms: set[str] = field(default_factory=set)
    sample_hpoa: list[list[str]] = field(default_factory=list)
    sample_g2p: list[list[str]] = field(default_factory=list)
    negated: list[list[str]] = field(default_factory=list)


@pytest.fixture(scope="module")
def hpo_files(source_archive) -> dict[str, Any]:
    archive = source_archive("hpo")
    obo = _member_text(archive, hpo.OBO_MEMBER)
    hpoa_text = _member_text(archive, hpo.HPOA_MEMBER)
    _h, hpoa = _table(hpoa_text)
    _g, g2p = _table(_member_text(archive, hpo.G2P_MEMBER))
    terms = [s for s in obo.split("\n[") if s.startswith("Term]")]
    return {
        "archive": archive,
        "obo": obo,
        "terms": {re.search(r"^id: (\S+)", t, re.M).group(1): t for t in terms},
        "hpoa_text": hpoa_text,
        "hpoa": hpoa,
        "g2p": g2p,
    }


@pytest.fixture(scope="module")
def hpo_run(hpo_files) -> HpoRun:
    run = HpoRun()
    rng = random.Random(20250116)
    live_terms = [t for t, text in hpo_files["terms"].items() if "\nis_obsolete: true" not in text]
    run.sample_terms = sample_terms = set(rng.sample(live_terms, 50))
    hpoa, g2p = hpo_files["hpoa"], hpo_files["g2p"]
    run.sample_hpoa = rng.sample([r for r in hpoa if r[10] == "P" and r[2] == ""], 50)
    run.negated = [r for r in hpoa if r[2] == "NOT"]
    run.sample_g2p = rng.sample(g2p, 50)
    wanted = {
        (normalize_curie(r[0]), "biolink:has_phenotype", r[3])
        for r in (*run.sample_hpoa, *run.negated)
    }
    for r in run.sample_g2p:
        gene, disease = f"NCBIGene:{r[0]}", normalize_curie(r[5])
        wanted.add((gene, "biolink:has_phenotype", r[2]))
        wanted.add((gene, "biolink:gene_associated_with_condition", disease))

    seen_edge = False
    edge_ids: set[str] = set()
    for record in hpo.parse(hpo_files["archive"], "hpo@test", stats=run.stats):
        if isinstance(record, Entity):
            run.entity_after_edge |= seen_edge
            run.counts[record.category] += 1
            if record.category == "biolink:Disease":
                run.disease_ids.add(record.id)
            if record.id in sample_terms or record.category == "biolink:Disease":
                run.entities[record.id] = record
            continue
        seen_edge = True
        run.counts[record.predicate] += 1
        if record.id in edge_ids:
            run.duplicate_edge_ids += 1
        edge_ids.add(record.id)
        key = (record.subject, record.predicate, record.object)
        if record.predicate == "biolink:subclass_of":
            if record.subject in sample_terms:
                run.subclass.setdefault(record.subject, set()).add(record.object)
        elif key in wanted:
            run.edges[key] = record
    return run


def _under_abnormality(term_id: str, terms: dict[str, str]) -> bool:
    todo, seen = [term_id], set()
    while todo:
        t = todo.pop()
        for parent in re.findall(r"^is_a: (HP:\d+)", terms.get(t, ""), re.M):
            if parent == "HP:0000118":
                return True
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return False


@pytest.mark.slow
def test_entities_come_first_and_edge_ids_are_unique(hpo_run) -> None:
    assert not hpo_run.entity_after_edge
    assert hpo_run.duplicate_edge_ids == 0


@pytest.mark.slow
def test_counts_follow_the_files(hpo_files, hpo_run) -> None:
    terms = hpo_files["terms"]
    live = [t for t in terms.values() if "\nis_obsolete: true" not in t]
    assert hpo_run.counts["biolink:PhenotypicFeature"] == len(live)
    assert hpo_run.stats["obsolete_terms"] == len(terms) - len(live)
    assert hpo_run.counts["biolink:subclass_of"] == sum(t.count("\nis_a: ") for t in live)

    hpoa, g2p = hpo_files["hpoa"], hpo_files["g2p"]
    assert hpo_run.disease_ids == {normalize_curie(r[0]) for r in hpoa}
    disease_pairs = {(r[0], r[3]) for r in hpoa if r[10] == "P" and r[2] == ""}
    gene_pairs = {(r[0], r[2]) for r in g2p}
    assert hpo_run.counts["biolink:has_phenotype"] == len(disease_pairs) + len(gene_pairs)
    assert hpo_run.counts["biolink:gene_associated_with_condition"] == len(
        {(r[0], r[5]) for r in g2p}
    )


@pytest.mark.slow
def test_sampled_terms_match_the_obo(hpo_files, hpo_run) -> None:
    for term_id in hpo_run.sample_terms:
        text = hpo_files["terms"][term_id]
        entity = hpo_run.entities[term_id]
        assert entity.name == re.search(r"^name: (.*)$", text, re.M).group(1)
        assert hpo_run.subclass.get(term_id, set()) == set(
            re.findall(r"^is_a: (HP:\d+)", text, re.M)
        )
        assert entity.attributes.get("alt_ids", []) == re.findall(r"^alt_id: (\S+)", text, re.M)
        # Under HP:0000118 exactly when some chain of is_a lines leads there.
        assert ("hpo_branches" in entity.attributes) == _under_abnormality(
            term_id, hpo_files["terms"]
        )
        umls = {f"UMLS:{u}" for u in re.findall(r"^xref: UMLS:(\S+)", text, re.M)}
        assert umls <= set(entity.xrefs)
        if match := re.search(r'^def: "(.*)" \[', text, re.M):
            assert entity.description == match.group(1).replace('\\"', '"')


@pytest.mark.slow
def test_sampled_annotations_match_the_hpoa(hpo_run) -> None:
    for (
        db_id,
        name,
        _q,
        hpo_id,
        reference,
        evidence,
        onset,
        freq,
        sex,
        _m,
        _a,
        _b,
    ) in hpo_run.sample_hpoa:
        disease = normalize_curie(db_id)
        edge = hpo_run.edges[(disease, "biolink:has_phenotype", hpo_id)]
        pmids = {r for r in reference.split(";") if re.fullmatch(r"PMID:\d+", r)}
        assert pmids <= set(edge.publications)
        assert evidence in edge.evidence_codes
        for key, value in (("frequency", freq), ("onset", onset), ("sex", sex)):
            if value:
                got = edge.qualifiers[key]
                assert value == got or value in got
        entity = hpo_run.entities[disease]
        assert name in (entity.name, *entity.synonyms)
        assert entity.attributes["hpo_disease"] is True


@pytest.mark.slow
def test_negated_rows_are_counted_not_emitted(hpo_files, hpo_run) -> None:
    assert hpo_run.stats["hpoa_negated_rows"] == len(hpo_run.negated)
    positive = {(r[0], r[3]) for r in hpo_files["hpoa"] if r[2] == "" and r[10] == "P"}
    for row in hpo_run.negated:
        db_id, hpo_id = row[0], row[3]
        key = (normalize_curie(db_id), "biolink:has_phenotype", hpo_id)
        assert (key in hpo_run.edges) == ((db_id, hpo_id) in positive)


@pytest.mark.slow
def test_sampled_gene_rows_match_genes_to_phenotype(hpo_run) -> None:
    for gene_id, _symbol, hpo_id, _name, freq, disease_id in hpo_run.sample_g2p:
        gene, disease = f"NCBIGene:{gene_id}", normalize_curie(disease_id)
        edge = hpo_run.edges[(gene, "biolink:has_phenotype", hpo_id)]
        assert disease in edge.qualifiers["diseases"]
        assert edge.qualifiers.get("frequency_by_disease", {}).get(disease) == (
            None if freq == "-" else freq
        )
        assert (gene, "biolink:gene_associated_with_condition", disease) in hpo_run.edges


@pytest.mark.slow
def test_data_versions_are_the_file_headers(hpo_files) -> None:
    versions = hpo.data_versions(hpo_files["archive"])
    obo_version = re.search(r"^data-version: (\S+)", hpo_files["obo"], re.M).group(1)
    hpoa_version = re.search(r"^#version: (\S+)", hpo_files["hpoa_text"], re.M).group(1)
    assert versions == {"hp.obo": obo_version, "phenotype.hpoa": hpoa_version}
