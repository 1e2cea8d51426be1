"""The Atlas explorer in a real browser: BACH1's neighbourhood drawn, expanded, filtered,
reloaded from its URL, and exported."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def graph(page: Any) -> dict[str, Any]:
    """What the canvas draws: its node and edge ids, and the view's state."""
    return page.evaluate(
        """() => {
            const cy = window.scidexExplorer.cy;
            return {
                nodes: cy.nodes().map(n => n.id()).sort(),
                edges: cy.edges().map(e => e.id()).sort(),
                expanded: cy.nodes('[?expanded]').map(n => n.id()).sort(),
                predicates: [...new Set(cy.edges().map(e => e.data('predicate')))],
                state: window.scidexExplorer.data().state,
            };
        }"""
    )


def settled(page: Any) -> None:
    page.wait_for_function("() => !document.getElementById('cy').hasAttribute('aria-busy')")
    page.wait_for_function(
        "() => !document.getElementById('explorer-status').textContent.startsWith('Loading')"
    )


def node_point(page: Any, node_id: str) -> tuple[float, float]:
    """Where a node is drawn, in viewport coordinates, scrolled into view first: the layout
    places nodes at random, and a click below the fold would land nowhere."""
    page.evaluate(
        """id => {
            const cy = window.scidexExplorer.cy;
            const p = cy.getElementById(id).renderedPosition();
            const box = cy.container().getBoundingClientRect();
            window.scrollBy(0, box.top + p.y - window.innerHeight / 2);
        }""",
        node_id,
    )
    box = page.locator("#cy").bounding_box()
    pos = page.evaluate(
        "id => window.scidexExplorer.cy.getElementById(id).renderedPosition()", node_id
    )
    return box["x"] + pos["x"], box["y"] + pos["y"]


def click_node_for_card(page: Any, node_id: str, symbol: str) -> Any:
    """Click a node until its card opens (at most three tries), and return the card.

    A try can miss: the layout is random, so another element may sit over the node's
    centre. Each try scrolls the node into view again and checks what the point hits;
    three misses fail with what was there."""
    card = page.locator("#node-card")
    seen = []
    for attempt in range(3):
        x, y = node_point(page, node_id)
        hit = page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y);"
            " return e ? e.tagName + '#' + e.id + '.' + e.className : null; }",
            [x, y],
        )
        seen.append((round(x), round(y), hit))
        page.mouse.click(x + attempt * 2, y + attempt * 2)
        try:
            card.wait_for(state="visible", timeout=5000)
        except PlaywrightTimeout:  # a miss: try again
            continue
        if symbol in card.inner_text():
            return card
    raise AssertionError(f"the card of {node_id} did not open; clicked at {seen}")


def double_click_node(page: Any, node_id: str) -> None:
    page.mouse.dblclick(*node_point(page, node_id))


def test_bach1_neighbourhood_expands_filters_reloads_and_exports(
    atlas_server: str, page: Any, screenshot: Any
) -> None:
    base = atlas_server
    page.goto(f"{base}/atlas/entity/HGNC:935")
    page.wait_for_function("() => window.scidexExplorer && window.scidexExplorer.cy.nodes().length")
    first = graph(page)
    assert "HGNC:935" in first["nodes"] and len(first["nodes"]) > 5
    # The text alternative lists the same statements the canvas draws.
    rows = page.locator("#graph-table table.statements tbody tr").count()
    assert rows == len(first["edges"])
    screenshot(page, "explorer-bach1")

    # Click HMOX1 for its card; double-click it to show its neighbours.
    hmox1 = "HGNC:5013"
    assert hmox1 in first["nodes"]
    settled(page)
    card = click_node_for_card(page, hmox1, "HMOX1")
    assert "HMOX1" in card.inner_text() and hmox1 in card.inner_text()
    screenshot(page, "explorer-card")
    double_click_node(page, hmox1)
    page.wait_for_function(
        "id => window.scidexExplorer.data().state.expand.includes(id)", arg=hmox1
    )
    settled(page)
    expanded = graph(page)
    assert hmox1 in expanded["expanded"]
    assert len(expanded["nodes"]) > len(first["nodes"])
    assert parse_qs(urlparse(page.url).query)["expand"] == [hmox1]

    # Filter: only the biolink:regulates statements (the curated ones among them).
    page.locator('fieldset[data-facet="predicate"] input[value="biolink:regulates"]').check()
    page.wait_for_function("() => window.scidexExplorer.data().state.predicate.length === 1")
    settled(page)
    filtered = graph(page)
    assert filtered["predicates"] == ["biolink:regulates"]
    assert filtered["state"]["expand"] == [hmox1]
    assert set(filtered["nodes"]) < set(expanded["nodes"])
    query = parse_qs(urlparse(page.url).query)
    assert query["predicate"] == ["biolink:regulates"] and query["expand"] == [hmox1]
    screenshot(page, "explorer-filtered")

    # Reload the URL: the same view.
    shared = page.url
    page.goto(shared)
    page.wait_for_function("() => window.scidexExplorer && window.scidexExplorer.cy.nodes().length")
    again = graph(page)
    assert again["nodes"] == filtered["nodes"] and again["edges"] == filtered["edges"]
    assert again["state"] == filtered["state"]
    # Back in history: the expanded, unfiltered view.
    page.go_back()
    page.wait_for_function("() => window.scidexExplorer.data().state.predicate.length === 0")
    settled(page)
    assert graph(page)["nodes"] == expanded["nodes"]
    page.go_forward()

    # Export as PNG: a download happens, and it is a PNG.
    page.goto(shared)
    page.wait_for_function("() => window.scidexExplorer && window.scidexExplorer.cy.nodes().length")
    with page.expect_download() as info:
        page.locator('button[data-export="png"]').click()
    download = info.value
    assert download.suggested_filename == "neighbourhood-HGNC_935.png"
    assert Path(download.path()).read_bytes()[:8] == PNG_MAGIC
    data_url = page.evaluate("() => window.scidexExplorer.png()")
    assert data_url.startswith("data:image/png;base64,")
    assert base64.b64decode(data_url.split(",", 1)[1])[:8] == PNG_MAGIC
    # The KGX edges of the visible subgraph: one row per statement drawn.
    with page.expect_download() as info:
        page.locator('button[data-export="kgx-edges"]').click()
    lines = Path(info.value.path()).read_text("utf-8").splitlines()
    assert lines[0].split("\t")[:4] == ["id", "subject", "predicate", "object"]
    assert sorted(line.split("\t")[0] for line in lines[1:]) == again["edges"]
    with page.expect_download() as info:
        page.locator('button[data-export="json"]').click()
    assert info.value.suggested_filename.endswith(".json")
    screenshot(page, "explorer-reloaded")


def test_the_view_works_without_javascript(
    atlas_server: str, browser: Any, screenshot: Any
) -> None:
    base = atlas_server
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(f"{base}/atlas/entity/HGNC:935")
        assert page.locator("#cy").is_hidden()  # no canvas without a script to draw it
        page.locator("#graph-table summary").click()
        assert page.locator("#graph-table table.statements tbody tr").count() > 5
        # The filters are a plain form.
        page.locator('fieldset[data-facet="predicate"] input[value="biolink:regulates"]').check()
        page.locator("#explorer-filters button[type=submit]").click()
        page.wait_for_url("**predicate=biolink%3Aregulates**")
        page.locator("#graph-table summary").click()
        cells = page.locator("#graph-table table.statements tbody tr td:nth-child(2)")
        assert set(cells.all_inner_texts()) == {"regulates"}
        screenshot(page, "explorer-no-javascript")
    finally:
        context.close()


def test_statistics_and_paths_pages(atlas_server: str, page: Any, screenshot: Any) -> None:
    base = atlas_server
    page.goto(f"{base}/atlas")
    page.locator("table.counts a").first.click()
    page.wait_for_url("**/atlas/entities?category=**")
    page.goto(f"{base}/atlas")
    screenshot(page, "atlas-statistics")
    page.goto(f"{base}/atlas/path?from=BACH1&to=Alzheimer disease")
    page.get_by_role("link", name="Alzheimer disease").last.click()
    page.wait_for_selector("article.path")
    assert "MONDO:0004975" in page.url
    screenshot(page, "atlas-path")
