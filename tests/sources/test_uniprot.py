"""UniProt parser: the "Protein names" grammar and malformed rows on inline text, then the
pinned archive checked against its own TSV."""

from __future__ import annotations

import random
import re
from collections import Counter
from io import TextIOWrapper

import pytest

from scidex.ingest.sources import uniprot
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.errors import SourceFormatError
from scidex.ingest.sources.uniprot import split_protein_names
from scidex.kg.model import Entity

HEADER = "Entry\tEntry Name\tProtein names\n"


def _tsv(*rows: str) -> list[str]:
    return [HEADER, *(r + "\n" for r in rows)]


# --------------------------------------------------------------------------
# The names cell


def test_recommended_name_then_alternative_names() -> None:
    names = split_protein_names(
        "Transcription regulator protein BACH1 (BTB and CNC homolog 1) (HA2303)"
    )
    assert names.name == "Transcription regulator protein BACH1"
    assert names.synonyms == ["BTB and CNC homolog 1", "HA2303"]
    assert (names.ec_numbers, names.includes, names.cleaved_into) == ([], [], [])


def test_nested_brackets_inside_names_and_groups() -> None:
    names = split_protein_names(
        "DNA (cytosine-5)-methyltransferase 1 (Dnmt1) (EC 2.1.1.37) "
        "([histone H3]-trimethyl-L-lysine(27) demethylase) (NAD(P)HX dehydratase)"
    )
    # A bracket group inside the name (with a space before it) is part of the name.
    assert names.name == "DNA (cytosine-5)-methyltransferase 1"
    assert names.synonyms == [
        "Dnmt1",
        "[histone H3]-trimethyl-L-lysine(27) demethylase",
        "NAD(P)HX dehydratase",
    ]
    assert names.ec_numbers == ["2.1.1.37"]
    assert split_protein_names("Apolipoprotein(a) (Apo(a)) (Lp(a))").name == "Apolipoprotein(a)"
    assert split_protein_names("(3R)-3-hydroxyacyl-CoA dehydrogenase (HCD)").name == (
        "(3R)-3-hydroxyacyl-CoA dehydrogenase"
    )
    # A square-bracket group that is neither Includes nor Cleaved into ends the run.
    sod = split_protein_names("Superoxide dismutase [Cu-Zn] (EC 1.15.1.1) (hSod1)")
    assert (sod.name, sod.synonyms) == ("Superoxide dismutase [Cu-Zn]", ["hSod1"])


def test_ec_numbers_and_cd_antigens_are_not_plain_synonyms() -> None:
    names = split_protein_names(
        "Eicosanoid dehydrogenase (EC 1.1.1.-, EC 1.1.1.232) (EC 3.4.-.-) (CD antigen CD20) (X)"
    )
    assert names.ec_numbers == ["1.1.1.-", "1.1.1.232", "3.4.-.-"]
    assert names.synonyms == ["CD20", "X"]


def test_cleaved_into_and_includes_become_components() -> None:
    names = split_protein_names(
        "Genome polyprotein (GP) [Includes: Reverse transcriptase (EC 2.7.7.49); Endonuclease] "
        "[Cleaved into: Capsid protein C (Capsid protein) (Core protein); "
        "Serine protease NS3 (EC 3.4.21.91) (EC 3.6.1.15) (Flavivirin protease NS3 (catalytic)); "
        "Peptide 2k]"
    )
    assert (names.name, names.synonyms, names.ec_numbers) == ("Genome polyprotein", ["GP"], [])
    assert [c.component() for c in names.includes] == [
        {"name": "Reverse transcriptase", "ec_numbers": ["2.7.7.49"]},
        {"name": "Endonuclease"},
    ]
    assert [c.component() for c in names.cleaved_into] == [
        {"name": "Capsid protein C", "synonyms": ["Capsid protein", "Core protein"]},
        {
            "name": "Serine protease NS3",
            "synonyms": ["Flavivirin protease NS3 (catalytic)"],
            "ec_numbers": ["3.4.21.91", "3.6.1.15"],
        },
        {"name": "Peptide 2k"},
    ]


def test_a_human_row_becomes_a_protein() -> None:
    stats: Counter[str] = Counter()
    lines = _tsv(
        "O14867\tBACH1_HUMAN\tTranscription regulator protein BACH1 (BTB and CNC homolog 1)",
        "A0A068B6Q6\tCA18_CONBE\tConotoxin Bt1.8",
        "P00734\tTHRB_HUMAN\tProthrombin (EC 3.4.21.5) [Cleaved into: Thrombin light chain]",
    )
    bach1, thrombin = uniprot.parse_lines(lines, "inline.tsv", "uniprot@test", stats=stats)
    assert bach1 == Entity(
        id="UniProtKB:O14867",
        category="biolink:Protein",
        name="Transcription regulator protein BACH1",
        synonyms=("BTB and CNC homolog 1", "BACH1_HUMAN"),
        attributes={"entry_name": "BACH1_HUMAN"},
        source_release="uniprot@test",
    )
    # The mnemonic is not a synonym: THRB is another gene's symbol.
    assert "THRB" not in thrombin.synonyms
    assert thrombin.attributes == {
        "entry_name": "THRB_HUMAN",
        "ec_numbers": ["3.4.21.5"],
        "cleaved_into": [{"name": "Thrombin light chain"}],
    }
    assert stats == Counter({"entities": 2, "skipped_non_human": 1})


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("O14867\tBACH1_HUMAN\tBACH1 (unclosed", "Protein names"),
        ("O14867\tBACH1_HUMAN\tBACH1 (a))", "Protein names"),
        ("O14867\tBACH1_HUMAN\tEnzyme (EC 3.4.x)", "Protein names"),
        ("O14867\tBACH1_HUMAN\tA [Cleaved into: B; ]", "Protein names"),
        ("O14867\tBACH1_HUMAN\t", "Protein names"),
        ("14867\tBACH1_HUMAN\tA protein", "Entry"),
        ("P00734\tBACH1_HUMAN\tA protein", "Entry"),  # listed twice
        ("O14867\tBACH1 HUMAN\tA protein", "Entry Name"),
        ("O14867\tBACH1_HUMAN", "row"),
    ],
)
def test_malformed_rows_name_file_line_and_field(row: str, field: str) -> None:
    lines = _tsv("P00734\tTHRB_HUMAN\tProthrombin", row)
    with pytest.raises(SourceFormatError) as err:
        list(uniprot.parse_lines(lines, "bad.tsv", "r"))
    assert (err.value.file, err.value.line, err.value.field) == ("bad.tsv", 3, field)
    assert str(err.value).startswith(f"bad.tsv:3: {field}: ")


def test_a_wrong_header_is_refused() -> None:
    with pytest.raises(SourceFormatError) as err:
        list(uniprot.parse_lines(["Entry\tGene\tProtein names\n"], "bad.tsv", "r"))
    assert (err.value.line, err.value.field) == (1, "header")


# --------------------------------------------------------------------------
# The pinned archive


@pytest.fixture(scope="module")
def tsv_rows(source_archive) -> list[list[str]]:
    """The archive's rows (header dropped), split on tabs independently of the parser."""
    with (
        open_member(source_archive("uniprot"), uniprot.MEMBER) as raw,
        TextIOWrapper(raw, encoding="utf-8") as fh,
    ):
        header, *rows = [line.rstrip("\n").split("\t") for line in fh]
    assert header == ["Entry", "Entry Name", "Protein names"]
    return rows


@pytest.fixture(scope="module")
def proteins(source_archive) -> dict[str, Entity]:
    out: dict[str, Entity] = {}
    for p in uniprot.parse(source_archive("uniprot"), "uniprot@test"):
        assert p.id not in out, f"{p.id} yielded twice"
        out[p.id] = p
    return out


@pytest.mark.slow
def test_every_human_entry_is_a_protein(tsv_rows, proteins) -> None:
    human = {f"UniProtKB:{r[0]}" for r in tsv_rows if r[1].endswith("_HUMAN")}
    assert set(proteins) == human
    assert len(human) < len(tsv_rows)  # the file holds other species too


def _outer_groups(cell: str) -> list[str]:
    """The parenthesised groups at the end of a cell, read with a regex loop: peel a
    balanced ``(...)`` off the end until the end is no longer one."""
    groups = []
    while True:
        m = re.search(r" (\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\))$", cell)
        if not m:
            return groups[::-1]
        groups.append(m.group(1)[1:-1])
        cell = cell[: m.start()]


@pytest.mark.slow
def test_random_sample_matches_the_tsv(tsv_rows, proteins) -> None:
    human = [r for r in tsv_rows if r[1].endswith("_HUMAN") and "[" not in r[2]]
    for accession, entry_name, cell in random.Random(14867).sample(human, 300):
        protein = proteins[f"UniProtKB:{accession}"]
        assert protein.category == "biolink:Protein"
        assert protein.attributes["entry_name"] == entry_name
        assert protein.source_release == "uniprot@test"
        groups = _outer_groups(cell)
        name = cell
        for g in reversed(groups):
            name = name.removesuffix(f" ({g})")
        assert protein.name == name, cell
        ec = [t.removeprefix("EC ") for g in groups if g.startswith("EC ") for t in g.split(", ")]
        assert protein.attributes.get("ec_numbers", []) == ec
        alternatives = [g.removeprefix("CD antigen ") for g in groups if not g.startswith("EC ")]
        assert list(protein.synonyms) == [
            *dict.fromkeys(a for a in alternatives if a != name),
            entry_name,
        ]


@pytest.mark.slow
def test_cleaved_chains_are_an_attribute_not_synonyms(tsv_rows, proteins) -> None:
    cleaved = [r for r in tsv_rows if r[1].endswith("_HUMAN") and "[Cleaved into: " in r[2]]
    for accession, _entry_name, cell in random.Random(2).sample(cleaved, 40):
        protein = proteins[f"UniProtKB:{accession}"]
        assert not protein.name.endswith("]")
        chains = protein.attributes["cleaved_into"]
        assert chains
        for chain in chains:
            assert chain["name"] in cell
            assert chain["name"] not in protein.synonyms


@pytest.mark.slow
def test_bach1(proteins) -> None:
    bach1 = proteins["UniProtKB:O14867"]
    assert bach1.name == "Transcription regulator protein BACH1"
    assert "BTB and CNC homolog 1" in bach1.synonyms
