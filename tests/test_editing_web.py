"""Editing in the browser's way (forms, cookies, CSRF), in-process on both backends."""

from __future__ import annotations

import re

from scidex.registry.accounts import create_account
from scidex.store import Store

PASSWORD = "correct horse battery"


def login_token(client) -> str:  # type: ignore[no-untyped-def]
    """The sign-in form's CSRF token (its SameSite=Strict cookie lands in the client's jar)."""
    page = client.get("/login").text.split('class="login"', 1)[1]  # not the sign-out form's
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def sign_in(client, store: Store, name: str, role: str) -> str:  # type: ignore[no-untyped-def]
    create_account(store, username=name, password=PASSWORD, role=role)
    answer = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "next": "/", "csrf": login_token(client)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    form = client.get("/artifact/wiki-genes-bach1/edit").text
    return re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]


def form_fields(html: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    md = re.search(r'<textarea id="markdown" name="markdown"[^>]*>(.*?)</textarea>', html, re.S)
    refs = re.search(
        r'<textarea id="references" name="references"[^>]*>(.*?)</textarea>', html, re.S
    )
    edges = re.search(
        r'<textarea id="curated_edges" name="curated_edges"[^>]*>(.*?)</textarea>', html, re.S
    )
    import html as h

    fields["markdown"] = h.unescape(md.group(1)) if md else ""
    fields["references"] = h.unescape(refs.group(1)) if refs else ""
    fields["curated_edges"] = h.unescape(edges.group(1)) if edges else ""
    return fields


def test_anonymous_readers_are_sent_to_sign_in(client) -> None:
    answer = client.get("/artifact/wiki-genes-bach1/edit", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")
    bad = client.post(
        "/login", data={"username": "nobody", "password": "x" * 12, "csrf": login_token(client)}
    )
    assert bad.status_code == 401 and "wrong password" in bad.text


def test_edit_save_and_find_it_in_the_history(client, atlas_store: Store) -> None:
    sign_in(client, atlas_store, "ada", "editor")
    fields = form_fields(client.get("/artifact/wiki-genes-bach1/edit").text)
    preview = client.post(
        "/artifact/wiki-genes-bach1/preview",
        data={**fields, "markdown": fields["markdown"] + "\nA new line.\n"},
    )
    assert "A new line." in preview.json()["html"]
    assert preview.json()["findings"] == []
    saved = client.post(
        "/artifact/wiki-genes-bach1/edit",
        data={
            **fields,
            "markdown": fields["markdown"] + "\nA new line.\n",
            "summary": "a new line",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert "A new line." in client.get("/artifact/wiki-genes-bach1").text
    history = client.get("/artifact/wiki-genes-bach1/history").text
    assert "a new line" in history and "account:ada" in history


def test_a_form_without_the_csrf_token_is_refused(client, atlas_store: Store) -> None:
    sign_in(client, atlas_store, "eve", "editor")
    fields = form_fields(client.get("/artifact/wiki-genes-bach1/edit").text)
    before = client.get("/api/artifacts/wiki-genes-bach1").json()["current_version"]
    for forged in ("", "forged-token"):
        answer = client.post(
            "/artifact/wiki-genes-bach1/edit", data={**fields, "csrf": forged, "summary": "forged"}
        )
        assert answer.status_code == 403
    assert client.get("/api/artifacts/wiki-genes-bach1").json()["current_version"] == before


def test_a_stale_form_shows_the_other_edit_as_a_diff(client, atlas_store: Store) -> None:
    sign_in(client, atlas_store, "bob", "editor")
    fields = form_fields(client.get("/artifact/wiki-genes-bach1/edit").text)
    first = client.post(
        "/artifact/wiki-genes-bach1/edit",
        data={**fields, "markdown": fields["markdown"] + "\nTheirs.\n", "summary": "theirs"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    second = client.post(
        "/artifact/wiki-genes-bach1/edit",
        data={**fields, "markdown": fields["markdown"] + "\nMine.\n", "summary": "mine"},
    )
    assert second.status_code == 409
    assert "Someone saved in between" in second.text
    assert 'class="diff-add"' in second.text and "Theirs." in second.text
    assert "Mine." in second.text  # the user's own text is kept in the form


def test_lint_findings_are_shown_and_can_be_overridden(client, atlas_store: Store) -> None:
    sign_in(client, atlas_store, "cy", "editor")
    fields = form_fields(client.get("/artifact/wiki-genes-bach1/edit").text)
    broken = {
        **fields,
        "markdown": fields["markdown"] + "\nSee [[no such gene]].\n",
        "summary": "broken link",
    }
    refused = client.post("/artifact/wiki-genes-bach1/edit", data=broken)
    assert refused.status_code == 422 and "broken-link" in refused.text
    saved = client.post(
        "/artifact/wiki-genes-bach1/edit",
        data={**broken, "override_lint": "on"},
        follow_redirects=False,
    )
    assert saved.status_code == 303


def test_curators_revert_from_the_history_and_admins_read_the_audit_log(
    client, atlas_store: Store
) -> None:
    csrf = sign_in(client, atlas_store, "cu", "curator")
    page = client.get("/api/artifacts/wiki-genes-bach1").json()
    v = page["current_version"]
    history = client.get("/artifact/wiki-genes-bach1/history").text
    assert "Revert to 1" in history
    reverted = client.post(
        "/artifact/wiki-genes-bach1/revert",
        data={"to_version": 1, "base_version": v, "csrf": csrf},
        follow_redirects=False,
    )
    assert reverted.status_code == 303
    assert client.get("/api/artifacts/wiki-genes-bach1").json()["current_version"] == v + 1
    diff = client.get(f"/artifact/wiki-genes-bach1/diff?from={v}&to={v + 1}")
    assert diff.status_code == 200 and 'class="diff-del"' in diff.text
    assert client.get("/admin/audit").status_code == 403
    client.post("/logout", data={"csrf": csrf})
    sign_in(client, atlas_store, "root", "admin")
    audit = client.get("/admin/audit").text
    assert "account:cu" in audit and "revert to version 1" in audit
