"""How answers travel: HEAD wherever GET, gzip, cache lifetimes of static files."""

from __future__ import annotations

from typing import Any

from scidex.web.delivery import IMMUTABLE, REVALIDATE, static_url

# Headers that may differ between two answers to the same request.
VOLATILE = {"date", "server"}


def _same_headers(a: Any, b: Any) -> dict[str, str]:
    one = {k: v for k, v in a.headers.items() if k not in VOLATILE}
    two = {k: v for k, v in b.headers.items() if k not in VOLATILE}
    assert one == two
    return one


def test_head_answers_like_get_without_a_body(shared_client: Any) -> None:
    urls = [
        "/artifact/wiki-genes-bach1",  # an HTML page
        "/api/entities/HGNC:935",  # the JSON API
        static_url("atlas.css"),  # a static file
        "/genes/bach1",  # a redirect
        "/api/docs",
        "/no/such/page/at/all",  # an error keeps its status
    ]
    for encoding in ("gzip", "identity"):
        headers = {"Accept-Encoding": encoding}
        for url in urls:
            get = shared_client.get(url, headers=headers, follow_redirects=False)
            head = shared_client.head(url, headers=headers, follow_redirects=False)
            assert head.status_code == get.status_code, url
            assert head.content == b"", url
            same = _same_headers(get, head)
            if get.status_code == 200:
                if encoding == "identity":
                    assert int(same["content-length"]) == len(get.content), url
                assert "etag" in same, url
    assert shared_client.head("/artifact/wiki-genes-bach1").status_code == 200
    assert shared_client.head("/genes/bach1", follow_redirects=False).status_code == 308


def test_head_revalidates_like_get(shared_client: Any) -> None:
    tag = shared_client.get("/artifact/wiki-genes-bach1").headers["etag"]
    head = shared_client.head("/artifact/wiki-genes-bach1", headers={"If-None-Match": tag})
    assert head.status_code == 304 and head.content == b""


def test_pages_json_js_and_css_are_gzipped_when_accepted(shared_client: Any) -> None:
    for url in [
        "/artifact/wiki-genes-bach1",
        "/openapi.json",
        "/api/entities/HGNC:935/neighbours?limit=50",
        static_url("atlas.js"),
        static_url("atlas.css"),
    ]:
        plain = shared_client.get(url, headers={"Accept-Encoding": "identity"})
        packed = shared_client.get(url, headers={"Accept-Encoding": "gzip"})
        assert plain.status_code == packed.status_code == 200, url
        assert "content-encoding" not in plain.headers, url
        assert packed.headers["content-encoding"] == "gzip", url
        assert "accept-encoding" in packed.headers["vary"].lower(), url
        # httpx decodes the body; the length on the wire is the compressed one.
        assert packed.content == plain.content, url
        assert int(packed.headers["content-length"]) < len(plain.content), url


def test_small_answers_are_not_compressed(shared_client: Any) -> None:
    health = shared_client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert health.status_code == 200 and len(health.content) < 1024
    assert "content-encoding" not in health.headers


def test_etags_revalidate_in_either_encoding(shared_client: Any) -> None:
    for url in ["/artifact/wiki-genes-bach1", "/openapi.json", static_url("atlas.js")]:
        packed = shared_client.get(url, headers={"Accept-Encoding": "gzip"})
        plain = shared_client.get(url, headers={"Accept-Encoding": "identity"})
        tag = packed.headers["etag"]
        # Weak: one tag for the same content in any content coding.
        assert tag.startswith('W/"') and plain.headers["etag"] == tag, url
        for encoding in ("gzip", "identity"):
            again = shared_client.get(
                url, headers={"Accept-Encoding": encoding, "If-None-Match": tag}
            )
            assert again.status_code == 304 and again.content == b"", url
            assert "content-encoding" not in again.headers, url


def test_versioned_static_urls_are_immutable_others_revalidate(shared_client: Any) -> None:
    page = shared_client.get("/artifact/wiki-genes-bach1").text
    versioned = [static_url("atlas.css"), static_url("atlas.js")]
    assert all(url in page for url in versioned)
    for url in versioned:
        assert shared_client.get(url).headers["cache-control"] == IMMUTABLE, url
    vendored = page.split('src="/static/vendor/')[1].split('"')[0]
    assert shared_client.get("/static/vendor/" + vendored).headers["cache-control"] == IMMUTABLE
    assert (
        shared_client.get("/static/vendor/" + vendored.split("?")[0]).headers["cache-control"]
        == IMMUTABLE
    )  # the version is in the file's name
    for url in ["/static/atlas.css", "/static/atlas.js?v=0000000000", "/static/vendor/SHA256SUMS"]:
        answer = shared_client.get(url)
        assert answer.status_code == 200 and answer.headers["cache-control"] == REVALIDATE, url
        again = shared_client.get(url, headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304 and again.headers["cache-control"] == REVALIDATE, url
    assert "cache-control" not in shared_client.get("/static/no-such-file.css").headers


def test_api_docs_use_the_vendored_swagger_ui(shared_client: Any) -> None:
    docs = shared_client.get("/api/docs")
    assert docs.status_code == 200 and 'data-openapi-url="/openapi.json"' in docs.text
    boot = docs.text.split('src="/static/api-docs.js')[1].split('"')[0]  # no inline script
    assert "SwaggerUIBundle(" in shared_client.get("/static/api-docs.js" + boot).text
    assert "http://" not in docs.text and "https://" not in docs.text
    for ref in ('src="/static/vendor/swagger-ui-', 'href="/static/vendor/swagger-ui-'):
        url = docs.text.split(ref)[1].split('"')[0]
        prefix = ref.split('"')[1]
        assert shared_client.get(prefix + url).status_code == 200
    spec = shared_client.get("/openapi.json").json()
    assert "/api/docs" not in spec["paths"] and "/api/stats" in spec["paths"]


def test_mermaid_loads_only_where_a_diagram_is_drawn(shared_client: Any) -> None:
    # Papers (no entity) draw nothing; entity pages draw their neighbourhood.
    papers = shared_client.get("/api/artifacts?limit=10&type=paper").json()["items"]
    pages = shared_client.get("/api/artifacts?limit=40&type=wiki_page").json()["items"]
    drawn = {True: 0, False: 0}
    for item in papers + pages:
        for url in (f"/artifact/{item['id']}", f"/artifact/{item['id']}?embed=1"):
            page = shared_client.get(url)
            assert page.status_code == 200, url
            diagram = '<pre class="mermaid"' in page.text
            assert ("/static/vendor/mermaid-" in page.text) == diagram, url
            assert "/static/vendor/cytoscape-" not in page.text, url
            drawn[diagram] += 1
    assert drawn[True] and drawn[False]
    home = shared_client.get("/").text
    assert "/static/vendor/mermaid-" not in home and "/static/vendor/cytoscape-" not in home
    explorer = shared_client.get("/atlas/entity/HGNC:935").text
    assert "/static/vendor/cytoscape-" in explorer and "/static/vendor/mermaid-" not in explorer
