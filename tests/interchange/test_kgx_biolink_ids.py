"""``scidex export kgx --biolink-ids``: an export every Biolink tool accepts.

FamPlex's ``FPLX`` has no prefix in the Biolink model's prefix map, so the KGX
validator rejects every node and edge that names one. With ``--biolink-ids``
such a node goes out under a registered identifier it carries as an xref, of
a prefix the model lists for its class, or is left out with its edges.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from scidex.interchange.export import export_kgx
from scidex.interchange.kgx import import_kgx
from scidex.kg import biolink
from scidex.store import Store

NODES = """id\tcategory\tname\txref
FPLX:FAM\tbiolink:GeneFamily\tA family\tPFAM:PF00001|interpro:IPR000001|MESH:D000001
FPLX:MESHONLY\tbiolink:GeneFamily\tKnown only to MeSH\tMESH:D000002
FPLX:TWIN_A\tbiolink:GeneFamily\tOne of two\tHGNC.FAMILY:7|PFAM:PF00009
FPLX:TWIN_B\tbiolink:GeneFamily\tThe other\tHGNC.FAMILY:7
FPLX:CPLX\tbiolink:MacromolecularComplex\tA complex\tGO:0005956|REACT:R-HSA-1
GO:0005956\tbiolink:CellularComponent\tprotein kinase CK2 complex\t
HGNC:1\tbiolink:Gene\tgene one\t
HGNC:2\tbiolink:Gene\tgene two\tOrphanet:558
Orphanet:558\tbiolink:Disease\tMarfan syndrome\tOMIM:154700
"""
EDGES = """subject\tpredicate\tobject\tprimary_knowledge_source
HGNC:1\tbiolink:member_of\tFPLX:FAM\tinfores:famplex
HGNC:2\tbiolink:member_of\tFPLX:MESHONLY\tinfores:famplex
HGNC:1\tbiolink:member_of\tFPLX:TWIN_A\tinfores:famplex
HGNC:2\tbiolink:member_of\tFPLX:TWIN_B\tinfores:famplex
HGNC:1\tbiolink:part_of\tFPLX:CPLX\tinfores:famplex
HGNC:1\tbiolink:interacts_with\tHGNC:2\tinfores:famplex
HGNC:2\tbiolink:causes\tOrphanet:558\tinfores:orphanet
"""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _import(store: Store, tmp_path: Path) -> None:
    (tmp_path / "nodes.tsv").write_text(NODES)
    (tmp_path / "edges.tsv").write_text(EDGES)
    import_kgx(store, tmp_path / "nodes.tsv", tmp_path / "edges.tsv")


def test_each_node_goes_out_under_its_class_s_preferred_registered_id(
    store: Store, tmp_path: Path
) -> None:
    _import(store, tmp_path)
    out = tmp_path / "out"
    report = export_kgx(store, out, biolink_ids=True)

    nodes = {r["id"]: r for r in _rows(out / "nodes.tsv")}
    # A family by interpro before PFAM, as the model orders GeneFamily's prefixes;
    # MeSH is registered but not a family's prefix; its native id is an xref now.
    assert "FPLX:FAM" not in nodes
    assert nodes["interpro:IPR000001"]["name"] == "A family"
    assert "FPLX:FAM" in nodes["interpro:IPR000001"]["xref"].split("|")
    # Two nodes naming one family: neither may take it; one has another way out.
    assert nodes["PFAM:PF00009"]["name"] == "One of two"
    # A complex whose GO term is a node of its own: it is not merged into it.
    assert nodes["REACT:R-HSA-1"]["name"] == "A complex"
    assert nodes["GO:0005956"]["name"] == "protein kinase CK2 complex"
    assert {"FPLX:MESHONLY", "FPLX:TWIN_B"}.isdisjoint(nodes)
    # Orphanet's code as Biolink 4 spells it: the same identifier, before OMIM.
    assert nodes["ORDO:558"]["name"] == "Marfan syndrome"
    assert nodes["HGNC:2"]["xref"] == "ORDO:558"
    assert all(biolink.registers_prefix(i.split(":")[0]) for i in nodes)

    edges = _rows(out / "edges.tsv")
    ends = {(e["subject"], e["object"]): e for e in edges}
    assert set(ends) == {
        ("HGNC:1", "interpro:IPR000001"),
        ("HGNC:1", "PFAM:PF00009"),
        ("HGNC:1", "REACT:R-HSA-1"),
        ("HGNC:1", "HGNC:2"),
        ("HGNC:2", "ORDO:558"),
    }
    assert ends["HGNC:2", "ORDO:558"]["original_object"] == "Orphanet:558"
    assert ends["HGNC:1", "interpro:IPR000001"]["original_object"] == "FPLX:FAM"
    assert ends["HGNC:1", "HGNC:2"]["original_object"] == ""

    listed = {r["id"]: r["exported_as"] for r in _rows(out / "biolink-ids.tsv")}
    assert listed == {
        "FPLX:CPLX": "REACT:R-HSA-1",
        "FPLX:FAM": "interpro:IPR000001",
        "FPLX:MESHONLY": "",
        "FPLX:TWIN_A": "PFAM:PF00009",
        "FPLX:TWIN_B": "",
        "Orphanet:558": "ORDO:558",
    }
    assert report.plan is not None and report.plan.edges_left_out == 2
    assert (report.nodes, report.edges) == (7, 5)


def test_the_default_export_keeps_every_node_and_counts_the_unregistered(
    store: Store, tmp_path: Path
) -> None:
    _import(store, tmp_path)
    report = export_kgx(store, tmp_path / "out")
    assert (report.nodes, report.edges) == (9, 7)
    assert dict(report.unregistered) == {"FPLX": 5, "Orphanet": 1}
    assert not (tmp_path / "out" / "biolink-ids.tsv").exists()


def test_the_test_atlas_exports_with_registered_prefixes_only(
    shared_atlas: Store, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    report = export_kgx(shared_atlas, out, fmt="jsonl", biolink_ids=True)
    assert report.plan is not None
    assert report.plan.renamed == {"FPLX:MAF": "interpro:IPR004826"}
    default = export_kgx(shared_atlas, tmp_path / "default")
    assert (default.nodes, default.edges) == (report.nodes, report.edges)
    assert dict(default.unregistered) == {"FPLX": 1}
    text = (out / "nodes.jsonl").read_text() + (out / "edges.jsonl").read_text()
    assert '"FPLX:MAF"' in text  # only as an xref and an original object
    assert '"id": "FPLX:MAF"' not in text and '"object": "FPLX:MAF"' not in text


@pytest.mark.parametrize("flag", [[], ["--biolink-ids"]])
def test_the_command_says_what_biolink_tools_would_reject(
    store: Store, tmp_path: Path, flag: list[str]
) -> None:
    _import(store, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "scidex", "--db", store.url, "export", "kgx", "out", *flag],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stdout.split())
    if flag:
        assert "4 nodes exported under a Biolink-registered id and 2 left out with 2 edges" in said
        assert "biolink-ids.tsv" in said
    else:
        assert "6 nodes have ids whose prefixes the Biolink model does not register" in said
        assert "FPLX: 5, Orphanet: 1" in said and "--biolink-ids" in said
