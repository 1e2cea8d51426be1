"""The app in a real browser, and the vendored mermaid drawing a generated pathway diagram."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, Route

from scidex.wiki.diagram import DiagramEdge, DiagramNode, pathway_mermaid

pytestmark = pytest.mark.browser

VENDOR = Path(__file__).resolve().parents[2] / "src" / "scidex" / "web" / "static" / "vendor"


def mermaid_bundle() -> Path:
    (bundle,) = VENDOR.glob("mermaid-*.min.js")
    return bundle


def test_home_page(
    page: Page,
    live_server: Callable[[str], str],
    browser_store_url: str,
    screenshot: Callable[[Page, str], Path],
) -> None:
    base = live_server(browser_store_url)
    response = page.goto(base + "/")
    assert response is not None and response.ok
    assert page.title() == "SciDEX Atlas"
    assert "This store is empty" in page.inner_text("main")
    assert screenshot(page, "home-empty").stat().st_size > 0


def _bach1_diagram():  # type: ignore[no-untyped-def]
    bach1 = DiagramNode("HGNC:935", "BACH1", "biolink:Gene", "/genes/bach1")
    nodes = [
        DiagramNode("HGNC:7782", "NFE2L2", "biolink:Gene", "/genes/nfe2l2"),
        DiagramNode("HGNC:5013", "HMOX1", "biolink:Gene", "/genes/hmox1"),
        DiagramNode("MONDO:0004975", "Alzheimer disease", "biolink:Disease", "/entity/x1"),
        DiagramNode(
            "GO:0006979", "response to oxidative stress", "biolink:BiologicalProcess", "/entity/x2"
        ),
        DiagramNode(
            "GO:0003700", "DNA-binding TF activity", "biolink:MolecularActivity", "/entity/x3"
        ),
        DiagramNode("GO:0005634", "nucleus", "biolink:CellularComponent", "/entity/x4"),
        # Hostile: tries to close the label, inject a node, markup and a directive.
        DiagramNode(
            "HP:0000001",
            '"]) --> x[pwned] <img src=x onerror="window.__pwned=1"> %%{init: {}}%% #; `md`',
            "biolink:PhenotypicFeature",
            "/entity/x5",
        ),
    ]
    predicates = [
        "biolink:interacts_with",
        "biolink:regulates",
        "biolink:gene_associated_with_condition",
        "biolink:participates_in",
        "biolink:enables",
        "biolink:located_in",
        "biolink:has_phenotype",
    ]
    edges = [
        DiagramEdge(bach1, p, n, curated=i < 2, evidence_score=1 - i / 10)
        for i, (p, n) in enumerate(zip(predicates, nodes, strict=True))
    ]
    # A second predicate to a node already boxed under "interacts with": drawn with a label.
    edges.append(DiagramEdge(bach1, "biolink:regulates", nodes[0], evidence_score=0.2))
    # An incoming edge: its own box, titled "regulates BACH1".
    fbxo22 = DiagramNode("HGNC:13593", "FBXO22", "biolink:Gene", "/genes/fbxo22")
    edges.append(DiagramEdge(fbxo22, "biolink:regulates", bach1, evidence_score=0.3))
    return pathway_mermaid(bach1, edges)


# The artifact page draws the pathway with "antiscript" (HTML labels allowed,
# scripts stripped); "strict" is mermaid's default.
@pytest.mark.parametrize("security_level", ["strict", "antiscript"])
def test_vendored_mermaid_draws_pathway_diagram(
    page: Page, screenshot: Callable[[Page, str], Path], security_level: str
) -> None:
    diagram = _bach1_diagram()
    outside: list[str] = []

    def block(route: Route, request: Request) -> None:
        # The bundle must be self-contained: any request it makes is a failure.
        outside.append(request.url)
        route.abort()

    page.route("**/*", block)
    page.set_content('<!doctype html><html><body><pre class="mermaid"></pre></body></html>')
    # textContent, not HTML: the source reaches mermaid exactly as the page's
    # escaped <pre> would deliver it.
    page.eval_on_selector("pre.mermaid", "(el, src) => { el.textContent = src; }", diagram.source)
    page.add_script_tag(path=str(mermaid_bundle()))
    page.evaluate(
        """async (level) => {
            mermaid.initialize({startOnLoad: false, securityLevel: level});
            await mermaid.run({querySelector: 'pre.mermaid'});
        }""",
        security_level,
    )
    svg = page.locator("pre.mermaid svg")
    assert svg.count() == 1
    assert page.locator("pre.mermaid svg g.node").count() == len(diagram.nodes)
    hrefs = page.eval_on_selector_all(
        "pre.mermaid svg a",
        "links => links.map(a => a.getAttribute('href') || a.getAttribute('xlink:href'))",
    )
    assert sorted(hrefs) == sorted(node.url for node in diagram.nodes)
    # One box per predicate; only the arrow its box does not name carries a label.
    clusters = page.locator("pre.mermaid svg g.cluster")
    assert clusters.count() == len(diagram.nodes) - 1
    assert clusters.filter(has_text="has phenotype").count() == 1
    assert clusters.filter(has_text="regulates BACH1").count() == 1
    labels = page.locator("pre.mermaid svg g.edgeLabel").all_text_contents()
    assert [t for t in labels if t.strip()] == ["regulates"]
    # The hostile label is text in the drawing; none of it ran or became markup.
    text = page.text_content("pre.mermaid svg") or ""
    assert '"]) --> x[pwned] <img src=x onerror="window.__pwned=1"> %%{' in text
    assert page.evaluate("window.__pwned") is None
    assert page.locator("pre.mermaid svg img, pre.mermaid svg script").count() == 0
    assert page.locator("pre.mermaid svg g.node").filter(has_text="pwned").count() == 1
    assert outside == [], json.dumps(outside)
    screenshot(page, f"pathway-diagram-{security_level}")
