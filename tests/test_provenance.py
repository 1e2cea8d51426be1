"""The provenance graph: links recorded by the system and by editors, and walks over them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from scidex.interchange.kgx import import_kgx
from scidex.queries.artifacts import _LINKS_TO_SQLITE, get_artifact, links_of, page_for_entity
from scidex.registry.provenance import release_artifact_id, walk
from scidex.registry.tokens import create_token
from scidex.store import Store


def links_from(client, artifact_id: str) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    graph = client.get(f"/api/artifacts/{artifact_id}/provenance/graph?depth=1&direction=out")
    assert graph.status_code == 200
    return {(ln["link_type"], ln["target"]) for ln in graph.json()["links"]}


def test_a_curated_page_cites_mentions_and_derives(shared_client) -> None:
    page = shared_client.get("/api/artifacts/wiki-genes-bach1").json()
    links = links_from(shared_client, "wiki-genes-bach1")
    cited = {t for kind, t in links if kind == "cites"}
    with_ids = [r for r in page["content"]["references"].values() if r.get("PMID") or r.get("DOI")]
    assert len(cited) == len({r.get("PMID") or r.get("DOI") for r in with_ids})
    assert "pmid-8887638" in cited  # Oyake et al. 1996
    assert ("mentions", "wiki-genes-mafk") in links
    assert ("derives_from", "release-hgnc-2026-06") in links
    paper = shared_client.get("/artifact/pmid-8887638")
    assert paper.status_code == 200 and "pubmed.ncbi.nlm.nih.gov/8887638" in paper.text


def test_walking_both_ways_finds_the_pages_that_cite_a_paper(shared_atlas: Store) -> None:
    with shared_atlas.read() as conn:
        back = walk(conn, "pmid-8887638", depth=1, direction="in")
        assert "wiki-genes-bach1" in back.nodes
        assert all(n["depth"] <= 1 for n in back.nodes.values())
        two = walk(conn, "pmid-8887638", depth=2, direction="both")
        assert len(two.nodes) > len(back.nodes)
        capped = walk(conn, "pmid-8887638", depth=3, direction="both", limit=5)
    assert capped.truncated and len(capped.nodes) <= 5
    assert not back.truncated


def test_editors_add_links_and_the_page_shows_them(client, atlas_store: Store) -> None:
    _info, secret = create_token(atlas_store, role="editor", label="linker")
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"link_type": "supersedes", "target": "wiki-genes-mafk"}
    assert client.post("/api/artifacts/wiki-genes-nfe2l2/links", json=body).status_code == 401
    added = client.post("/api/artifacts/wiki-genes-nfe2l2/links", json=body, headers=headers)
    assert added.status_code == 200
    bad = client.post(
        "/api/artifacts/wiki-genes-nfe2l2/links",
        json={"link_type": "likes", "target": "wiki-genes-mafk"},
        headers=headers,
    )
    assert bad.status_code == 400 and "supersedes" in bad.json()["error"]["message"]
    page = client.get("/artifact/wiki-genes-nfe2l2").text
    assert "supersedes" in page and "token:linker" in page
    html = client.get("/artifact/wiki-genes-nfe2l2/provenance?depth=1").text
    assert "wiki-genes-mafk" in html


def test_an_edit_updates_the_automatic_links(client, atlas_store: Store) -> None:
    _info, secret = create_token(atlas_store, role="editor", label="editor")
    page = client.get("/api/artifacts/wiki-genes-mafk").json()
    answer = client.put(
        "/api/artifacts/wiki-genes-mafk",
        json={
            "base_version": page["current_version"],
            "summary": "short",
            "markdown": "## Overview\n\nMAFK partners with [[BACH1]].\n",
            "references": {},
            "curated_edges": [],
        },
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 200, answer.text
    links = links_from(client, "wiki-genes-mafk")
    assert ("mentions", "wiki-genes-bach1") in links
    assert not any(kind == "cites" for kind, _t in links)


def test_links_to_an_artifact_are_read_through_the_target_index_however_skewed(
    store: Store, tmp_path: Path
) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    genes = "".join(f"HGNC:{i}\tbiolink:Gene\tgene {i}\n" for i in range(1, 60))
    nodes.write_text("id\tcategory\tname\n" + genes)
    edges.write_text("subject\tpredicate\tobject\tprimary_knowledge_source\n")
    report = import_kgx(store, nodes, edges)  # every page derives from one release: skewed
    release = release_artifact_id(report.release_id)
    with store.read() as conn:
        page = page_for_entity(conn, "HGNC:7")
        assert page is not None
        assert (page.id, release) in {
            (link.source, link.target) for link in links_of(conn, page.id)
        }
        into_release = links_of(conn, release, limit=1000)
        assert len({link.source for link in into_release if link.target == release}) == 59
        if store.dialect == "sqlite":
            plan = conn.execute(
                text("EXPLAIN QUERY PLAN " + _LINKS_TO_SQLITE.text), {"t": release, "n": 1}
            ).all()
            assert "USING INDEX ix_artifact_link_target" in " ".join(str(r[-1]) for r in plan)


def test_a_release_named_only_by_edges_gets_its_dataset_artifact(
    store: Store, tmp_path: Path
) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    nodes.write_text("id\tcategory\tname\nHGNC:1\tbiolink:Gene\tA\nHGNC:2\tbiolink:Gene\tB\n")
    edges.write_text(
        "subject\tpredicate\tobject\tprimary_knowledge_source\tprovided_by\n"
        "HGNC:1\tbiolink:interacts_with\tHGNC:2\tinfores:string\tstring@v12\n"
    )
    report = import_kgx(store, nodes, edges)
    with store.read() as conn:
        indexed = set(
            conn.execute(text("SELECT doc_id FROM search_doc WHERE kind = 'artifact'")).scalars()
        )
        for rid in (report.release_id, "string@v12"):
            artifact = get_artifact(conn, release_artifact_id(rid))
            assert artifact is not None and artifact.type == "dataset", rid
            assert release_artifact_id(rid) in indexed, rid  # and it can be searched for


def test_the_release_of_an_import_is_searchable_when_its_edges_name_no_other(
    store: Store, tmp_path: Path
) -> None:
    nodes, edges = tmp_path / "nodes.tsv", tmp_path / "edges.tsv"
    nodes.write_text("id\tcategory\tname\nHGNC:1\tbiolink:Gene\tA\nHGNC:2\tbiolink:Gene\tB\n")
    edges.write_text(
        "subject\tpredicate\tobject\tprimary_knowledge_source\n"
        "HGNC:1\tbiolink:interacts_with\tHGNC:2\tinfores:string\n"
    )
    report = import_kgx(store, nodes, edges)
    with store.read() as conn:
        indexed = set(
            conn.execute(text("SELECT doc_id FROM search_doc WHERE kind = 'artifact'")).scalars()
        )
    assert release_artifact_id(report.release_id) in indexed
