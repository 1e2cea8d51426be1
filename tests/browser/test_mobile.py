"""The site on a phone (390 px) and on a laptop (1366 px), in a real browser.

On a phone no page scrolls sideways (wide tables scroll inside their own box), the
header's search box is usable, the infobox and the contents stack, and diagrams keep
readable text inside their box. On a laptop the same pages keep their wide layout.
Diagrams also read without JavaScript, and every citation format has a copy button.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from scidex.kg.biolink import predicate_phrase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
BACH1 = "/artifact/wiki-genes-bach1"
DISEASE = "/artifact/wiki-diseases-alzheimer-disease"
SEARCH = "/search?q=heme"
EXPLORER = "/atlas/entity/HGNC:935"
PAGES = [
    BACH1,
    DISEASE,
    SEARCH,
    EXPLORER,
    "/",
    "/atlas",
    "/about",
    "/atlas/path?from=BACH1&to=MONDO:0004975",
]
# Text smaller than this, in CSS pixels on screen, is not readable on a phone.
MIN_FONT_PX = 11.5

# For each drawn diagram: the on-screen size of its label text, and whether it stays
# inside the page (its box may scroll; the page must not).
DIAGRAM_SIZES = """() => Array.from(document.querySelectorAll('pre.mermaid svg')).map(svg => {
  const label = svg.querySelector('.nodeLabel, .label text, text');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const box = svg.closest('pre').getBoundingClientRect();
  return {font: parseFloat(getComputedStyle(label).fontSize) * scale,
          boxRight: box.right, where: svg.closest('figure').id || svg.closest('figure').className};
})"""


@contextmanager
def browsing(browser: Any, viewport: dict[str, int], **options: Any) -> Iterator[Any]:
    """A page in a fresh context of this size; JavaScript errors on it fail the test."""
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def load(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    if page.locator("pre.mermaid").count():  # wait until every diagram is drawn
        page.wait_for_function(
            "Array.from(document.querySelectorAll('pre.mermaid'))"
            ".every(p => p.querySelector('svg'))",
            timeout=20_000,
        )
    if page.locator("#cy").count():
        page.wait_for_selector("html.explorer-ready", timeout=20_000)


def rect(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not on screen"
    return dict(box)


def test_no_page_scrolls_sideways_on_a_phone(
    atlas_server: str, browser: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    with browsing(browser, PHONE) as page:
        for path in PAGES:
            load(page, atlas_server + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width} px wide at 390 px"
            search = rect(page, "header.site #q")
            assert search["width"] >= 250 and search["x"] + search["width"] <= 390, path
            screenshot(page, f"phone{path}")


def test_the_explorer_script_names_categories_and_predicates_in_words(
    atlas_server: str, browser: Any
) -> None:
    with browsing(browser, PHONE) as page:
        load(page, atlas_server + EXPLORER + "?cap=1")
        facets = page.locator('#explorer-filters fieldset[data-facet="category"]').inner_text()
        assert "Gene" in facets and "Biological process" in facets
        assert "BiologicalProcess" not in facets
        capped = page.locator("#explorer-more").inner_text()
        assert "Capped at 1" in capped and "(incoming)" not in capped
        api = page.request.get(atlas_server + "/api/atlas/entity/HGNC:935?cap=1").json()
        names = {n["id"]: n["symbol"] or n["name"] for n in api["nodes"]}
        groups = [g for g in api["groups"] if g["more"]]
        assert any(g["direction"] == "in" for g in groups)
        for g in groups:  # each read from its node's side: in-edges by the Biolink inverse
            said = predicate_phrase(g["predicate"], g["direction"])
            assert f"{names[g['node']]} {said} {g['shown']} of {g['total']:,}" in capped


def test_a_phone_stacks_the_infobox_and_contents_and_scrolls_tables_in_their_box(
    atlas_server: str, browser: Any
) -> None:
    with browsing(browser, PHONE) as page:
        load(page, atlas_server + BACH1)
        infobox, toc, article = rect(page, ".infobox"), rect(page, ".toc"), rect(page, ".article")
        assert infobox["width"] >= article["width"] - 1  # full width, not floated beside text
        assert toc["y"] >= infobox["y"] + infobox["height"]  # contents below the infobox
        assert toc["width"] >= article["width"] - 1
        table = page.locator("table.edges").first
        sizes = table.evaluate(
            "t => [t.scrollWidth, t.clientWidth, t.getBoundingClientRect().right]"
        )
        scroll_width, client_width, right = sizes
        assert right <= PHONE["width"]
        assert scroll_width > client_width  # wider than the screen, so it scrolls itself
        # The Evidence column is reachable by scrolling the table.
        table.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
        evidence = table.locator("thead th").last
        assert evidence.inner_text().strip() == "Evidence"
        assert evidence.bounding_box()["x"] < PHONE["width"]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_diagrams_keep_readable_text_inside_their_box(
    atlas_server: str,
    browser: Any,
    viewport: dict[str, int],
    screenshot: Callable[[Any, str], Path],
) -> None:
    with browsing(browser, viewport) as page:
        load(page, atlas_server + BACH1)
        drawn = page.evaluate(DIAGRAM_SIZES)
        assert {d["where"] for d in drawn} == {"diagram", "pathway-diagram"}
        for d in drawn:
            assert d["font"] >= MIN_FONT_PX, d
            assert d["boxRight"] <= viewport["width"], d
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        # Drawn, the text version folds away but stays one click from the diagram.
        text = page.locator(".article figure.diagram details.diagram-text")
        assert text.count() == 1 and text.get_attribute("open") is None
        page.locator(".article figure.diagram").scroll_into_view_if_needed()
        screenshot(page, f"bach1-diagram-{viewport['width']}")


def test_without_javascript_diagrams_read_as_text(atlas_server: str, browser: Any) -> None:
    with browsing(browser, PHONE, java_script_enabled=False) as page:
        page.goto(atlas_server + BACH1)
        figure = page.locator(".article figure.diagram")
        assert figure.locator("pre.mermaid").is_hidden()
        assert page.locator("#pathway-diagram pre.mermaid").is_hidden()
        text = figure.inner_text()
        assert "→" in text and "BACH1" in text
        visible = page.locator("main").inner_text()
        for source_syntax in ("flowchart", "-->", "classDef", "click n"):
            assert source_syntax not in visible
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_laptop_keeps_the_wide_layout(atlas_server: str, browser: Any) -> None:
    with browsing(browser, LAPTOP) as page:
        for path in PAGES:
            load(page, atlas_server + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"], path
            brand, search = rect(page, "header.site .brand"), rect(page, "header.site #q")
            # One header row: the search box sits beside the brand, at its full width.
            assert search["y"] < brand["y"] + brand["height"] and search["x"] > brand["x"], path
            assert search["width"] >= 480, path
        load(page, atlas_server + BACH1)
        infobox, article = rect(page, ".infobox"), rect(page, ".artifact-body")
        assert infobox["x"] > article["x"] + article["width"] / 2  # floated to the right
        assert infobox["width"] < article["width"] / 2
        toc = rect(page, ".toc")
        assert toc["y"] < infobox["y"] + infobox["height"]  # beside it, not below
        for table in page.locator("table.edges").all():
            assert table.evaluate("t => getComputedStyle(t).display") == "table"
            assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")


def test_each_citation_format_copies_with_one_click(
    atlas_server: str, browser: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    origin = atlas_server
    with browsing(browser, PHONE) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        load(page, origin + BACH1)
        buttons = page.locator("#cite ~ .cite-format button.copy-button")
        assert buttons.count() == 4
        for i in range(buttons.count()):
            button = buttons.nth(i)
            target = page.locator("#" + (button.get_attribute("data-copy") or ""))
            expected = target.evaluate("el => el.textContent")
            button.click()
            page.wait_for_function("b => b.textContent === 'Copied'", arg=button.element_handle())
            assert "copied" in (button.get_attribute("class") or "")
            copied = page.evaluate("navigator.clipboard.readText()")
            if button.get_attribute("data-crlf") is not None:  # RIS keeps its CRLF line ends
                assert copied == expected.replace("\n", "\r\n")
            else:
                assert copied == expected
            assert copied.strip()
        # The copied text is the downloadable file's, format by format.
        bib = page.request.get(
            origin + page.locator("#cite-bibtex a[download]").get_attribute("href")
        )
        button = page.locator("#cite-bibtex button.copy-button")
        button.click()
        assert page.evaluate("navigator.clipboard.readText()") == bib.text()
        button.scroll_into_view_if_needed()
        screenshot(page, "cite-copied")


def test_without_javascript_citations_are_text_to_select(atlas_server: str, browser: Any) -> None:
    with browsing(browser, PHONE, java_script_enabled=False) as page:
        page.goto(atlas_server + BACH1)
        assert page.locator(".cite-format button.copy-button:visible").count() == 0
        assert "SciDEX Atlas" in page.locator("#cite-text-text").inner_text()
        page.locator("#cite-bibtex summary").click()
        assert page.locator("#cite-bibtex-text").inner_text().startswith("@misc{")
