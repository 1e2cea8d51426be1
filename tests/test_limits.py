"""Request body limits, and who may preview: refusals arrive before the work is done."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scidex.registry import editing
from scidex.registry.editing import PREVIEW_MAX_CHARS
from scidex.registry.tokens import create_token
from scidex.store import Store
from scidex.web.limits import DEFAULT_MAX_BODY_BYTES
from scidex.wiki.render import RenderContext, RenderedPage

CHUNK = 1024 * 1024


def _post(app: Any, path: str, total: int, *, declare_length: bool) -> tuple[int, bytes, int]:
    """POST ``total`` bytes in 1 MB chunks at the ASGI level; returns the status, the body and
    how many bytes the app pulled."""
    pulled = 0
    sent: list[dict[str, Any]] = []
    headers = [(b"content-type", b"application/json"), (b"host", b"testserver")]
    if declare_length:
        headers.append((b"content-length", str(total).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        size = min(CHUNK, total - pulled)
        pulled += size
        return {"type": "http.request", "body": b"x" * size, "more_body": pulled < total}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    # In a thread of its own: a browser test earlier in this process may have left
    # this thread with a running event loop, where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, pulled


def test_a_declared_60_mb_body_is_refused_unread(shared_client) -> None:
    status, body, pulled = _post(shared_client.app, "/api/preview", 60 * CHUNK, declare_length=True)
    assert status == 413 and pulled == 0
    assert b'"code":413' in body and b"larger than this server accepts" in body


def test_a_chunked_body_is_refused_when_it_passes_the_limit(shared_client) -> None:
    status, body, pulled = _post(
        shared_client.app, "/api/preview", 60 * CHUNK, declare_length=False
    )
    assert status == 413 and b'"code":413' in body
    assert pulled <= DEFAULT_MAX_BODY_BYTES + CHUNK


def test_a_body_under_the_limit_reaches_the_route(shared_client) -> None:
    status, _body, pulled = _post(shared_client.app, "/api/preview", 10, declare_length=True)
    assert pulled == 10 and status != 413


def test_preview_needs_an_editors_token_and_refuses_long_markdown(
    client, atlas_store: Store
) -> None:
    body = {"markdown": "BACH1 binds [[HMOX1]].\n"}
    assert client.post("/api/preview", json=body).status_code == 401
    _, reader = create_token(atlas_store, role="reader", label="limits reader")
    refused = client.post("/api/preview", json=body, headers={"Authorization": f"Bearer {reader}"})
    assert refused.status_code == 403
    _, editor = create_token(atlas_store, role="editor", label="limits editor")
    auth = {"Authorization": f"Bearer {editor}"}
    ok = client.post("/api/preview", json=body, headers=auth)
    assert ok.status_code == 200 and "wikilink" in ok.json()["html"]
    long = client.post(
        "/api/preview", json={"markdown": "[" * (PREVIEW_MAX_CHARS + 1)}, headers=auth
    )
    assert long.status_code == 413
    assert f"at most {PREVIEW_MAX_CHARS} characters" in long.json()["error"]["message"]
    brackets = client.post("/api/preview", json={"markdown": "[" * PREVIEW_MAX_CHARS}, headers=auth)
    assert brackets.status_code == 200


def test_hostile_markdown_is_refused_once_the_render_budget_is_spent(
    client, atlas_store: Store, monkeypatch
) -> None:
    """Previews and saves render with ``editing.RENDER_BUDGET_SECONDS``; shrunk to 0.1 ms of
    CPU here, hostile markup (about 2 s of CPU for the preview, 5 s for the save unbounded) is
    refused whatever the machine's speed. Markdown over the preview's length cap is refused
    before the renderer runs at all."""
    renders: list[int] = []
    render = editing.render_markdown

    def counted(markdown: str, ctx: RenderContext | None = None) -> RenderedPage:
        renders.append(len(markdown))
        return render(markdown, ctx)

    monkeypatch.setattr(editing, "render_markdown", counted)
    _, editor = create_token(atlas_store, role="editor", label="budget editor")
    auth = {"Authorization": f"Bearer {editor}"}
    # 499,000 brackets: longer than a preview renders, refused without rendering.
    answer = client.post("/api/preview", json={"markdown": "[" * 499_000}, headers=auth)
    assert answer.status_code == 413 and renders == []
    # Saves render with the same (real) budget: 499,000 brackets save, they are only text.
    page = client.get("/api/artifacts/wiki-genes-bach1").json()
    version = page["version"]
    edit = {"base_version": version, "markdown": "[" * 499_000, "override_lint": True}
    answer = client.put("/api/artifacts/wiki-genes-bach1", json=edit, headers=auth)
    assert answer.status_code == 200 and answer.json()["saved"], answer.text
    assert renders and set(renders) == {499_000}  # the save went through the budgeted render
    assert "[[[[" in client.get("/artifact/wiki-genes-bach1").text

    budget = 1e-4
    monkeypatch.setattr(editing, "RENDER_BUDGET_SECONDS", budget)
    renders.clear()
    # Hostile markup within the length cap: rendered until the budget is spent, then refused.
    answer = client.post("/api/preview", json={"markdown": "![a](" * 40_000}, headers=auth)
    assert answer.status_code == 422, answer.text[:300]
    assert renders == [200_000]
    error = answer.json()["error"]
    assert f"more than {budget:g} s of CPU to render" in error["message"]
    assert error["details"] == {"field": "markdown", "budget_seconds": budget}
    # ... and 500,000 characters of images are refused for a save, which stores nothing.
    edit = {"base_version": version + 1, "markdown": "![a](" * 100_000, "override_lint": True}
    answer = client.put("/api/artifacts/wiki-genes-bach1", json=edit, headers=auth)
    assert answer.status_code == 422, answer.text[:300]
    error = answer.json()["error"]
    assert f"more than {budget:g} s of CPU to render" in error["message"]
    assert error["details"]["budget_seconds"] == budget
    assert client.get("/api/artifacts/wiki-genes-bach1").json()["version"] == version + 1


def test_the_edit_forms_preview_needs_a_signed_in_editor(shared_client) -> None:
    answer = shared_client.post(
        "/artifact/wiki-genes-bach1/preview",
        data={"markdown": "# Anonymous\n", "base_version": "1"},
        headers={"Origin": "http://testserver"},
    )
    assert answer.status_code == 401


def test_health_shows_the_bounded_caches(shared_client) -> None:
    shared_client.get("/static/atlas.css", headers={"Accept-Encoding": "gzip"})
    caches = shared_client.get("/health").json()["caches"]
    assert caches["pages"]["limit"] == 512
    assert set(caches) == {
        "pages",
        "compiled_articles",
        "external_urls",
        "static_digests",
        "static_gzipped",
    }
    for name, cache in caches.items():  # every one has a fixed bound
        assert isinstance(cache["limit"], int) and 0 <= cache["size"] <= cache["limit"], name
    assert caches["static_gzipped"]["size"] >= 1


def test_a_body_refused_before_the_app_runs_still_has_the_security_headers(shared_client) -> None:
    answer = shared_client.post(
        "/api/preview", content=b"x", headers={"Content-Length": str(60 * CHUNK)}
    )
    assert answer.status_code == 413
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_health_shows_the_compiled_articles_bound(shared_client) -> None:
    shared_client.get("/genes/bach1", follow_redirects=True)  # compiles BACH1's article
    caches = shared_client.get("/health").json()["caches"]
    compiled = caches["compiled_articles"]
    assert compiled["limit"] == 256
    assert 1 <= compiled["size"] <= compiled["limit"]
