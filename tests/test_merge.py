"""Merging duplicates and undoing it: counts, redirects and the store checked before and after."""

from __future__ import annotations

from sqlalchemy import func, or_, select, text

from scidex.registry.tokens import create_token
from scidex.store import Store
from scidex.store.schema import edge

SOURCE, TARGET = "MONDO:0007088", "MONDO:0004975"  # Alzheimer disease type 1 -> Alzheimer disease


def degree(store: Store, curie: str) -> int:
    with store.read() as conn:
        return conn.execute(
            select(func.count())
            .select_from(edge)
            .where(or_(edge.c.subject == curie, edge.c.object == curie))
        ).scalar_one()


def edges_snapshot(store: Store) -> set[tuple[object, ...]]:
    with store.read() as conn:
        return {tuple(r) for r in conn.execute(select(edge))}


def headers(store: Store, role: str) -> dict[str, str]:
    _i, secret = create_token(store, role=role, label=f"merge {role}")
    return {"Authorization": f"Bearer {secret}"}


def test_merge_moves_everything_redirects_and_undo_restores(client, atlas_store: Store) -> None:
    before_edges = edges_snapshot(atlas_store)
    d_source, d_target = degree(atlas_store, SOURCE), degree(atlas_store, TARGET)
    source_page = client.get(f"/entity/{SOURCE}", follow_redirects=False).headers["location"]
    target_page = client.get(f"/entity/{TARGET}", follow_redirects=False).headers["location"]
    curator = headers(atlas_store, "curator")

    assert (
        client.post(
            f"/api/entities/{SOURCE}/merge",
            json={"into": TARGET},
            headers=headers(atlas_store, "editor"),
        ).status_code
        == 403
    )
    merged = client.post(
        f"/api/entities/{SOURCE}/merge",
        json={"into": TARGET, "reason": "a subtype, not a duplicate? test"},
        headers=curator,
    )
    assert merged.status_code == 200, merged.text
    result = merged.json()
    assert degree(atlas_store, SOURCE) == 0
    assert degree(atlas_store, TARGET) == d_target + d_source - result["edges_collapsed"]
    # The duplicate's page and entity now lead to the survivor.
    assert client.get(source_page, follow_redirects=False).headers["location"] == target_page
    assert client.get(f"/entity/{SOURCE}", follow_redirects=False).headers["location"] == (
        target_page
    )
    page = client.get(f"/api{target_page.replace('/artifact/', '/artifacts/')}").json()
    assert source_page.removeprefix("/artifact/") in page["metadata"]["merged_from"]
    assert page["provenance"]["revisions"][0]["summary"].startswith(f"merge {SOURCE}")
    counts = client.get(target_page).text
    assert f"{degree(atlas_store, TARGET):,} edges" in counts  # the infobox agrees
    # Edits to the merged page are refused, naming the survivor.
    token = headers(atlas_store, "editor")
    stale = client.put(
        f"/api{source_page.replace('/artifact/', '/artifacts/')}",
        json={"base_version": 1, "markdown": "x"},
        headers=token,
    )
    assert stale.status_code == 409

    undone = client.post(f"/api/merges/{result['merge_id']}/undo", headers=curator)
    assert undone.status_code == 200
    assert edges_snapshot(atlas_store) == before_edges
    assert degree(atlas_store, SOURCE) == d_source
    assert client.get(f"/entity/{SOURCE}", follow_redirects=False).headers["location"] == (
        source_page
    )
    assert client.get(source_page).status_code == 200
    again = client.post(f"/api/merges/{result['merge_id']}/undo", headers=curator)
    assert again.status_code == 409


def test_entities_of_different_categories_do_not_merge(client, atlas_store: Store) -> None:
    answer = client.post(
        "/api/entities/HP:0002511/merge",
        json={"into": TARGET},
        headers=headers(atlas_store, "curator"),
    )
    assert answer.status_code == 422
    with atlas_store.read() as conn:
        assert (
            conn.execute(text("SELECT lifecycle FROM entity WHERE id = 'HP:0002511'")).scalar_one()
            == "active"
        )


def test_renaming_a_slug_leaves_a_redirect(client, atlas_store: Store) -> None:
    curator = headers(atlas_store, "curator")
    answer = client.post(
        "/api/artifacts/wiki-genes-mafk/rename",
        json={"slug": "genes-mafk-small-maf"},
        headers=curator,
    )
    assert answer.status_code == 200
    assert (
        client.get("/wiki/genes-mafk-small-maf", follow_redirects=False).headers["location"]
        == "/artifact/wiki-genes-mafk"
    )
    assert (
        client.get("/wiki/genes-mafk", follow_redirects=False).headers["location"]
        == "/artifact/wiki-genes-mafk"
    )
    taken = client.post(
        "/api/artifacts/wiki-genes-bach1/rename", json={"slug": "genes-mafk"}, headers=curator
    )
    assert taken.status_code == 409
