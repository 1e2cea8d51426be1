"""Editing through the registry: revisions, conflicts, reverts, diffs, tokens and audit."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from scidex.queries.graph import predicate_counts
from scidex.registry.editing import EditRequest, submit_edit
from scidex.registry.revisions import Actor, Conflict
from scidex.registry.tokens import create_token, revoke_token
from scidex.store import Store

PAGE = "/api/artifacts/wiki-genes-bach1"


def token(store: Store, role: str) -> dict[str, str]:
    _info, secret = create_token(store, role=role, label=f"test {role}")
    return {"Authorization": f"Bearer {secret}"}


def current_version(client) -> int:  # type: ignore[no-untyped-def]
    return client.get(PAGE).json()["current_version"]


def edit(client, headers, **body):  # type: ignore[no-untyped-def]
    return client.put(PAGE, json=body, headers=headers)


def test_an_edit_is_a_new_attributed_revision(client, atlas_store: Store) -> None:
    v = current_version(client)
    before = client.get(PAGE).json()["content"]["markdown"]
    answer = edit(
        client,
        token(atlas_store, "editor"),
        base_version=v,
        markdown=before + "\nBACH1 is expressed widely.\n",
        summary="add a line",
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == v + 1
    page = client.get(PAGE).json()
    assert page["current_version"] == v + 1
    assert page["content"]["markdown"].endswith("BACH1 is expressed widely.\n")
    history = client.get("/artifact/wiki-genes-bach1/history").text
    assert "add a line" in history and "token:test editor" in history
    old = client.get(f"{PAGE}?version={v}").json()["content"]["markdown"]
    assert old == before  # nothing was overwritten


def test_writes_need_a_token_with_the_right_role(client, atlas_store: Store) -> None:
    v = current_version(client)
    body = {"base_version": v, "markdown": "x"}
    assert client.put(PAGE, json=body).status_code == 401
    assert edit(client, {"Authorization": "Bearer nonsense"}, **body).status_code == 401
    assert edit(client, token(atlas_store, "reader"), **body).status_code == 403
    info, secret = create_token(atlas_store, role="editor", label="soon revoked")
    revoke_token(atlas_store, info.id)
    assert edit(client, {"Authorization": f"Bearer {secret}"}, **body).status_code == 401
    assert current_version(client) == v


def test_a_stale_edit_is_refused_and_shows_the_other_edit(client, atlas_store: Store) -> None:
    headers = token(atlas_store, "editor")
    v = current_version(client)
    md = client.get(PAGE).json()["content"]["markdown"]
    first = edit(client, headers, base_version=v, markdown=md + "\nFirst.\n", summary="first")
    assert first.status_code == 200
    second = edit(client, headers, base_version=v, markdown=md + "\nSecond.\n", summary="second")
    assert second.status_code == 409
    details = second.json()["error"]["details"]
    assert details["current_version"] == v + 1
    assert details["current"]["markdown"].endswith("First.\n")
    assert current_version(client) == v + 1


def test_lint_findings_block_a_save_unless_overridden(client, atlas_store: Store) -> None:
    headers = token(atlas_store, "editor")
    v = current_version(client)
    bad = "## Overview\n\nBACH1 binds [[no such gene]] [@nobody2020].\n\n## Empty\n"
    refused = edit(client, headers, base_version=v, markdown=bad, references={}, curated_edges=[])
    assert refused.status_code == 422
    kinds = {f["kind"] for f in refused.json()["error"]["details"]["findings"]}
    assert {"broken-link", "unknown-citation", "empty-section"} <= kinds
    assert current_version(client) == v
    saved = edit(
        client,
        headers,
        base_version=v,
        markdown=bad,
        references={},
        curated_edges=[],
        summary="draft",
        override_lint=True,
    )
    assert saved.status_code == 200
    assert "lint overridden" in client.get(PAGE).json()["provenance"]["revisions"][0]["summary"]


def test_curated_edges_of_an_edit_enter_the_graph(client, atlas_store: Store) -> None:
    headers = token(atlas_store, "editor")
    page = client.get(PAGE).json()
    refs = page["content"]["references"]
    key = next(iter(refs))
    edges = [
        {
            "predicate": "biolink:physically_interacts_with",
            "object": "HGNC:7782",
            "publications": [key],
        }
    ]
    answer = edit(
        client,
        headers,
        base_version=page["current_version"],
        markdown=page["content"]["markdown"],
        curated_edges=edges,
        summary="edges",
    )
    assert answer.status_code == 200, answer.text
    with atlas_store.read() as conn:
        rows = conn.execute(
            text(
                "SELECT object, publications FROM edge WHERE subject = 'HGNC:935' "
                "AND primary_knowledge_source = 'infores:scidex'"
            )
        ).all()
        counts = {(c.direction, c.predicate): c.count for c in predicate_counts(conn, "HGNC:935")}
    assert [r.object for r in rows] == ["HGNC:7782"]  # the old curated edges were replaced
    assert counts[("out", "biolink:physically_interacts_with")] >= 1
    bad = edit(
        client,
        headers,
        base_version=page["current_version"] + 1,
        markdown=page["content"]["markdown"],
        curated_edges=[{"predicate": "biolink:cures", "object": "HGNC:7782"}],
    )
    assert bad.status_code == 422


def test_revert_diff_and_audit(client, atlas_store: Store) -> None:
    editor, curator, admin = (token(atlas_store, r) for r in ("editor", "curator", "admin"))
    v = current_version(client)
    md = client.get(PAGE).json()["content"]["markdown"]
    assert edit(client, editor, base_version=v, markdown=md + "\nAdded.\n").status_code == 200
    lines = client.get(f"{PAGE}/diff?from={v}&to={v + 1}").json()["lines"]
    assert [ln["text"] for ln in lines if ln["kind"] == "add"] == ["", "Added."] or any(
        ln["text"] == "Added." and ln["kind"] == "add" for ln in lines
    )
    body = {"to_version": v, "base_version": v + 1}
    assert client.post(f"{PAGE}/revert", json=body, headers=editor).status_code == 403
    reverted = client.post(f"{PAGE}/revert", json=body, headers=curator)
    assert reverted.status_code == 200
    assert client.get(PAGE).json()["content"]["markdown"] == md
    assert client.get("/api/audit", headers=editor).status_code == 403
    log = client.get("/api/audit?target=wiki-genes-bach1", headers=admin).json()
    assert [e["action"] for e in log[:2]] == ["edit", "edit"]
    assert log[0]["actor"] == "token:test curator"


def test_a_merged_page_refuses_edits_naming_the_current_one(client, atlas_store: Store) -> None:
    with atlas_store.atomic() as conn:
        conn.execute(
            text(
                "UPDATE artifact SET lifecycle = 'merged', "
                "merged_into = 'wiki-genes-nfe2l2' WHERE id = 'wiki-genes-bach1'"
            )
        )
    answer = edit(client, token(atlas_store, "editor"), base_version=1, markdown="x")
    assert answer.status_code == 409
    assert answer.json()["error"]["details"]["current"] == "wiki-genes-nfe2l2"


def test_concurrent_writers_lose_no_accepted_edit(atlas_store: Store) -> None:
    writers, rounds = 6, 4
    accepted: list[tuple[int, str]] = []
    refused = 0
    lock = threading.Lock()

    def writer(n: int) -> None:
        nonlocal refused
        actor = Actor("token", f"w{n}", f"writer {n}", "editor")
        for r in range(rounds):
            marker = f"writer {n} round {r}"
            for _attempt in range(50):
                with atlas_store.read() as conn:
                    v = conn.execute(
                        text("SELECT current_version FROM artifact WHERE id = 'wiki-genes-nfe2l2'")
                    ).scalar_one()
                try:
                    with atlas_store.atomic() as conn:
                        res = submit_edit(
                            conn,
                            "wiki-genes-nfe2l2",
                            EditRequest(
                                f"## Note\n\n{marker}.\n", v, summary=marker, override_lint=True
                            ),
                            actor,
                        )
                    assert res.revision is not None
                    with lock:
                        accepted.append((res.revision.version, marker))
                    break
                except Conflict:
                    with lock:
                        refused += 1
            else:
                raise AssertionError(f"{marker} never got through")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with atlas_store.read() as conn:
        history = dict(
            conn.execute(
                text(
                    "SELECT version, summary FROM revision WHERE artifact_id = 'wiki-genes-nfe2l2'"
                )
            ).all()
        )
    assert len(accepted) == writers * rounds
    versions = [v for v, _ in accepted]
    assert len(set(versions)) == len(versions)  # no two accepted edits share a version
    for version, marker in accepted:
        assert history[version].startswith(marker)  # every accepted edit is in the history
    assert refused > 0 or writers == 1  # the race was real
    with pytest.raises(Conflict), atlas_store.atomic() as conn:
        submit_edit(
            conn,
            "wiki-genes-nfe2l2",
            EditRequest("x", 1, override_lint=True),
            Actor("token", "late", "late", "editor"),
        )
