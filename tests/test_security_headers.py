"""Security headers on every response: a script-src 'self' policy on every HTML page,
framing refused except in embed mode, nosniff and a referrer policy everywhere."""

from __future__ import annotations

import re

import pytest

from scidex.registry.accounts import create_account

PASSWORD = "correct horse battery"

PAGES = [
    "/",
    "/artifact/wiki-genes-bach1",
    "/artifact/wiki-genes-bach1?version=1",
    "/artifact/wiki-genes-bach1/history",
    "/login",
    "/login?next=/artifact/wiki-genes-bach1/edit",
    "/search?q=bach1",
    "/atlas",
    "/atlas/entities",
    "/atlas/entity/HGNC:935",
    "/atlas/path?from=HGNC:935&to=HGNC:6782",
    "/about",
    "/api/docs",
    "/artifact/no-such-page",  # an error page
    "/search?limit=nope",  # a 400 page
]
EMBED = "/artifact/wiki-genes-bach1?embed=1"


def directives(csp: str) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in (p.strip() for p in csp.split(";"))}


def assert_policy(response, frameable: bool) -> None:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    csp = directives(response.headers["content-security-policy"])
    assert csp["script-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert "'unsafe-inline'" not in csp["default-src"] + csp["script-src"]
    assert len(response.headers.get_list("content-security-policy")) == 1
    if frameable:
        assert csp["frame-ancestors"] == "*"
        assert "x-frame-options" not in response.headers
    else:
        assert csp["frame-ancestors"] == "'none'"
        assert response.headers["x-frame-options"] == "DENY"


def assert_no_inline_script(html: str) -> None:
    """Nothing the policy would block: inline scripts, on*= handlers, javascript: URLs."""
    for tag in re.findall(r"<script\b[^>]*>", html, re.I):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.I)
    assert "javascript:" not in html.lower()


@pytest.mark.parametrize("url", PAGES)
def test_every_html_page_refuses_framing_and_inline_script(shared_client, url: str) -> None:
    response = shared_client.get(url)
    assert response.status_code in (200, 400, 404), response.status_code
    assert_policy(response, frameable=False)
    assert_no_inline_script(response.text)


def test_embed_mode_alone_may_be_framed_by_any_site(shared_client) -> None:
    for _ in range(2):  # rendered, then from the page cache
        embed = shared_client.get(EMBED)
        assert embed.status_code == 200
        assert_policy(embed, frameable=True)
        assert_no_inline_script(embed.text)
        full = shared_client.get("/artifact/wiki-genes-bach1")
        assert_policy(full, frameable=False)
    head = shared_client.head(EMBED)
    assert head.headers["content-security-policy"] == embed.headers["content-security-policy"]


def test_a_304_leaves_the_stored_policy_alone(shared_client) -> None:
    # A 304 has no body and no media type: the browser keeps the headers it stored
    # with the page (RFC 9111, 4.3.4), so the 304 must not send a policy of its own.
    first = shared_client.get(EMBED)
    again = shared_client.get(EMBED, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert "content-security-policy" not in again.headers
    assert "x-frame-options" not in again.headers
    assert again.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "url",
    ["/api/stats", "/openapi.json", "/api/artifacts/no-such", "/health", "/static/atlas.js"],
)
def test_json_and_static_are_not_sniffed(shared_client, url: str) -> None:
    response = shared_client.get(url)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "content-security-policy" not in response.headers


def test_the_edit_form_and_the_way_to_it(client, atlas_store) -> None:  # type: ignore[no-untyped-def]
    redirect = client.get("/artifact/wiki-genes-bach1/edit", follow_redirects=False)
    assert redirect.headers["location"].startswith("/login?next=")
    assert redirect.headers["x-content-type-options"] == "nosniff"
    create_account(atlas_store, username="ada", password=PASSWORD, role="editor")
    login = client.get("/login").text.split('class="login"', 1)[1]
    csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    answer = client.post(
        "/login",
        data={"username": "ada", "password": PASSWORD, "next": "/", "csrf": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    form = client.get("/artifact/wiki-genes-bach1/edit")
    assert form.status_code == 200 and 'id="edit-form"' in form.text
    assert_policy(form, frameable=False)
    assert_no_inline_script(form.text)
    # A signed-in reader's artifact page is never cached and still gets the same policy.
    assert_policy(client.get(EMBED), frameable=True)
    assert_policy(client.get("/artifact/wiki-genes-bach1"), frameable=False)


def test_an_unexpected_failure_answers_500_with_the_same_headers(shared_atlas) -> None:  # type: ignore[no-untyped-def]
    """A handler that fails (a bug, a lost database) answers 500 in the error shape of its
    kind (an HTML page for readers, JSON for the API) with every security header."""
    from fastapi.testclient import TestClient
    from starlette.routing import Route

    from scidex.config import Settings
    from scidex.web import create_app

    app = create_app(Settings(database_url=shared_atlas.url), shared_atlas)

    def fail(request: object) -> None:
        raise RuntimeError("a handler failed")

    # A page and an API answer, ahead of the catch-all page routes.
    app.router.routes[0:0] = [Route("/fails", fail), Route("/api/fails", fail)]
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/fails")
        assert page.status_code == 500
        assert_policy(page, frameable=False)
        assert "a handler failed" not in page.text  # no internals shown to readers
        api = client.get("/api/fails")
        assert api.status_code == 500
        assert api.headers["x-content-type-options"] == "nosniff"
        assert api.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert api.json()["error"]["code"] == 500
        assert "a handler failed" not in api.text
