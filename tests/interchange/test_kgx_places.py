"""Where published graphs come from: KGX JSON documents, .tar.gz and .zip releases,
several node files, and https:// URLs (served here by a local server)."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scidex.interchange import format_of
from scidex.interchange.export import export_kgx
from scidex.interchange.kgx import import_kgx
from scidex.interchange.places import PlaceError, opened
from scidex.interchange.tsv import read_rows
from scidex.store import Store
from scidex.store.schema import edge, entity, source_release

DATA = Path(__file__).parent / "data"
NODES, EDGES = DATA / "marfan_nodes.tsv", DATA / "marfan_edges.tsv"


def _counts(store: Store) -> tuple[int, int]:
    with store.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(entity)).scalar_one(),
            conn.execute(select(func.count()).select_from(edge)).scalar_one(),
        )


def _graph_json(tmp_path: Path) -> Path:
    """The fixture as one KGX JSON document, typed as the KGX library writes it."""
    nodes = [{k: v for k, v in r.items()} for _line, r in read_rows(NODES)]
    edges = []
    for _line, r in read_rows(EDGES):
        for count in ("has_count", "has_total"):
            if count in r:
                r[count] = int(r[count])
        if "has_percentage" in r:
            r["has_percentage"] = float(r["has_percentage"])
        edges.append(r)
    path = tmp_path / "graph.json"
    path.write_text(json.dumps({"nodes": nodes, "edges": edges}, indent=2))
    return path


def test_kgx_json_in_and_out(store: Store, tmp_path: Path) -> None:
    graph = _graph_json(tmp_path)
    assert format_of(graph) == "json"
    report = import_kgx(store, graph, graph)
    assert (report.nodes, report.edges) == (8, 5)
    export_kgx(store, tmp_path / "out", fmt="json")
    document = json.loads((tmp_path / "out" / "graph.json").read_text())
    given = json.loads(graph.read_text())
    by_id = {e["id"]: e for e in document["edges"]}
    for e in given["edges"]:
        assert {k: by_id[e["id"]].get(k) for k in e} == e
    assert by_id["uuid:1a2b-0001"]["has_count"] == 119  # numbers stay numbers


def test_a_tar_gz_release_and_a_zip_of_it(store: Store, tmp_path: Path) -> None:
    release = tmp_path / "marfan-kg.tar.gz"
    with tarfile.open(release, "w:gz") as tf:
        tf.add(NODES, "marfan-kg/marfan_nodes.tsv")
        tf.add(EDGES, "marfan-kg/marfan_edges.tsv")
        readme = tmp_path / "README.txt"
        readme.write_text("Marfan KG release\n")
        tf.add(readme, "marfan-kg/README.txt")  # beside the graph, not part of it
    with opened([release]) as graph:
        assert [p.name for p in graph.nodes] == ["marfan_nodes.tsv"]
        assert [p.name for p in graph.edges] == ["marfan_edges.tsv"]
        assert graph.name == "marfan-kg"
        report = import_kgx(store, graph.nodes, graph.edges)
        unpacked = graph.nodes[0]
    assert not unpacked.exists()  # the unpacked files are removed
    assert (report.nodes, report.edges) == (8, 5)
    zipped = tmp_path / "marfan-kg.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(NODES, "marfan_nodes.tsv")
        zf.write(EDGES, "marfan_edges.tsv")
    with opened([zipped]) as graph:
        assert len(graph.nodes) == len(graph.edges) == 1


def test_several_node_files(store: Store, tmp_path: Path) -> None:
    lines = NODES.read_text().splitlines(keepends=True)
    first, second = tmp_path / "disease_nodes.tsv", tmp_path / "phenotype_nodes.tsv"
    first.write_text("".join(lines[:3]))
    second.write_text(lines[0] + "".join(lines[3:]))
    edges = tmp_path / "edges.tsv"
    shutil.copy(EDGES, edges)
    with opened([tmp_path]) as graph:  # a directory: every file in it, by its header
        assert sorted(p.name for p in graph.nodes) == ["disease_nodes.tsv", "phenotype_nodes.tsv"]
        report = import_kgx(store, graph.nodes, graph.edges)
    assert (report.nodes, report.edges) == (8, 5)


def test_a_file_that_is_no_graph_is_named(tmp_path: Path) -> None:
    odd = tmp_path / "notes.tsv"
    odd.write_text("colour\tsize\nred\t1\n")
    with pytest.raises(PlaceError, match=r"notes\.tsv: neither a KGX nodes file"), opened([odd]):
        pass
    with pytest.raises(PlaceError, match="no such file"), opened([tmp_path / "missing.tsv"]):
        pass


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """A local HTTPS server over a directory, its self-signed certificate trusted by clients
    through SSL_CERT_FILE."""
    served = tmp_path / "served"
    served.mkdir()
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", served, {"SSL_CERT_FILE": str(cert)}
    finally:
        server.shutdown()
        server.server_close()


def test_a_release_from_an_https_url(
    store: Store, https_server: tuple[str, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, served, env = https_server
    with tarfile.open(served / "marfan-kg.tar.gz", "w:gz") as tf:
        tf.add(NODES, "marfan_nodes.tsv")
        tf.add(EDGES, "marfan_edges.tsv")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with opened([f"{base}/marfan-kg.tar.gz"]) as graph:
        report = import_kgx(store, graph.nodes, graph.edges)
    assert (report.nodes, report.edges) == (8, 5)
    with pytest.raises(PlaceError, match="could not be downloaded"), opened([f"{base}/none.tsv"]):
        pass


def test_the_command_imports_a_url_with_release_metadata_and_exports_json(
    db_url: str, https_server: tuple[str, Path, dict[str, str]], tmp_path: Path
) -> None:
    base, served, env = https_server
    shutil.copy(NODES, served / "nodes.tsv")
    shutil.copy(EDGES, served / "edges.tsv")
    run = partial(
        subprocess.run,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    scidex = [sys.executable, "-m", "scidex", "--db", db_url]
    metadata = ["--release", "marfan-kg", "--version", "2025-03", "--licence", "CC BY 4.0"]
    result = run([*scidex, "import", "kgx", f"{base}/nodes.tsv", f"{base}/edges.tsv", *metadata])
    assert result.returncode == 0, result.stderr
    assert "imported 8 nodes and 5 edges as marfan-kg@2025-03" in result.stdout
    out = tmp_path / "out"
    result = run([*scidex, "export", "kgx", str(out)])
    assert result.returncode == 0, result.stderr
    result = run([*scidex, "export", "kgx", str(out), "--format", "json"])
    assert result.returncode == 0, result.stderr
    assert len(json.loads((out / "graph.json").read_text())["edges"]) == 5
    sources = {r["id"]: r for r in json.loads((out / "sources.json").read_text())}
    assert sources["marfan-kg@2025-03"]["license"] == "CC BY 4.0"


def test_the_command_fails_when_nothing_could_be_imported(db_url: str, tmp_path: Path) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    nodes.write_text("id\tcategory\nHP:1\tphenotype\n")
    edges.write_text("subject\tpredicate\tobject\nHP:1\tbiolink:cures\tHP:2\n")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "scidex", "--db", db_url, "import", "kgx"),
            *(str(nodes), str(edges), "--lenient", "--report", str(tmp_path / "rejected.tsv")),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "nothing imported" in result.stderr


INGEST_METADATA = """\
# A release's ingest metadata, as the Biolink KGX ingest-metadata schema names it.
file_name: marfan-kg ingest metadata
source_infores_id: infores:marfan-kg
source_data_version: "2025-02-28"
target_name: Marfan KG
target_data_version: "2025-03"
target_data_model: Biolink Model
target_data_model_version: 4.2.1
target_license: CC BY 4.0
"""


def test_a_release_states_its_biolink_version_and_licence_in_its_ingest_metadata(
    db_url: str, tmp_path: Path
) -> None:
    release = tmp_path / "marfan-kg"
    release.mkdir()
    shutil.copy(NODES, release / "nodes.tsv")
    shutil.copy(EDGES, release / "edges.tsv")
    (release / "ingest_metadata.yaml").write_text(INGEST_METADATA)
    with opened([release]) as graph:
        assert graph.metadata["target_data_model_version"] == "4.2.1"
        assert [p.name for p in graph.nodes] == ["nodes.tsv"]  # the metadata is no graph file
    scidex = [sys.executable, "-m", "scidex", "--db", db_url, "import", "kgx"]
    result = subprocess.run(
        [*scidex, str(release)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "as kgx-marfan-kg@2025-03" in result.stdout
    opened_store = Store.open(db_url)
    try:
        with opened_store.read() as conn:
            own = conn.execute(
                select(source_release).where(source_release.c.id == "kgx-marfan-kg@2025-03")
            ).one()
    finally:
        opened_store.close()
    assert (own.biolink_version, own.license, own.infores) == (
        "4.2.1",
        "CC BY 4.0",
        "infores:marfan-kg",
    )


def test_ingest_metadata_in_json_in_an_archive_and_the_command_line_wins(
    store: Store, tmp_path: Path
) -> None:
    from scidex.interchange.kgx import ReleaseMeta, with_ingest_metadata

    metadata = tmp_path / "metadata.json"
    metadata.write_text(
        json.dumps({"target_data_model_version": "4.2.1", "source_license": "CC0 1.0"})
    )
    archive = tmp_path / "marfan-kg.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(NODES, "marfan_nodes.tsv")
        tf.add(EDGES, "marfan_edges.tsv")
        tf.add(metadata, "metadata.json")
    with opened([archive]) as graph:
        assert graph.metadata == {"target_data_model_version": "4.2.1", "source_license": "CC0 1.0"}
        given = ReleaseMeta(name="marfan-kg", biolink_version="4.3.0")
        meta = with_ingest_metadata(given, graph.metadata)
        report = import_kgx(store, graph.nodes, graph.edges, meta=meta)
    with store.read() as conn:
        own = conn.execute(
            select(source_release).where(source_release.c.id == report.release_id)
        ).one()
    # The source's licence stands in for the graph's; what the importer said wins.
    assert (own.biolink_version, own.license) == ("4.3.0", "CC0 1.0")
