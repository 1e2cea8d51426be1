"""The site's scripts under its Content-Security-Policy (script-src 'self'): the BACH1
page, the explorer, /api/docs and the editor's live preview all work, and the browser
reports no violation of the policy on any of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scidex.store import Store

pytestmark = pytest.mark.browser

# Runs in every frame before the page's own scripts: records each violation on window.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
}, true);
"""


@pytest.fixture
def csp_page(page: Any) -> Any:
    """``page``, recording CSP violations: ``violations(page)`` lists what it saw."""
    page.add_init_script(RECORD_VIOLATIONS)
    page.csp_console = []
    page.on(
        "console",
        lambda msg: (
            page.csp_console.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    return page


def violations(page: Any) -> list[str]:
    """The violations reported so far: this document's events, every console message."""
    return list(page.evaluate("() => window.__cspViolations || []")) + page.csp_console


def test_the_policy_is_enforced(csp_page: Any, atlas_server: str) -> None:
    """A sanity check that "no violation" below means something: inline script is blocked."""
    csp_page.goto(f"{atlas_server}/about")
    csp_page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.__inline = 1";
            document.body.appendChild(s);
        }"""
    )
    csp_page.wait_for_function("() => window.__cspViolations.length > 0")
    assert csp_page.evaluate("() => window.__inline") is None
    assert any("script-src" in v for v in violations(csp_page))


def test_bach1_page_diagrams_popovers_and_typeahead(csp_page: Any, atlas_server: str) -> None:
    page = csp_page
    page.goto(f"{atlas_server}/artifact/wiki-genes-bach1")
    page.wait_for_selector("#pathway-diagram pre.mermaid svg", timeout=20_000)
    page.wait_for_selector(".article pre.mermaid svg", timeout=20_000)
    assert page.locator("#pathway-diagram svg a").count() > 0
    cite = page.locator("sup.cite").first
    cite.locator("a").first.focus()
    assert cite.locator(".cite-popover").is_visible()
    page.fill("#q", "MAFK")
    option = page.locator("#q-suggestions li").first
    option.wait_for(timeout=10_000)
    assert "MAFK" in option.inner_text()
    assert violations(page) == []


def test_embed_mode(csp_page: Any, atlas_server: str) -> None:
    page = csp_page
    page.goto(f"{atlas_server}/artifact/wiki-genes-bach1?embed=1")
    page.wait_for_selector("pre.mermaid svg", timeout=20_000)
    assert violations(page) == []


def test_explorer(csp_page: Any, atlas_server: str) -> None:
    page = csp_page
    page.goto(f"{atlas_server}/atlas/entity/HGNC:935")
    page.wait_for_function(
        "() => window.scidexExplorer && window.scidexExplorer.cy.nodes().length > 1",
        timeout=20_000,
    )
    page.wait_for_function("() => !document.getElementById('cy').hasAttribute('aria-busy')")
    assert violations(page) == []


def test_api_docs(csp_page: Any, atlas_server: str) -> None:
    page = csp_page
    page.goto(f"{atlas_server}/api/docs")
    operations = page.locator("#swagger-ui .opblock")
    operations.first.wait_for(timeout=20_000)
    assert operations.count() > 5
    operations.first.locator(".opblock-summary").click()  # opens, drawing its parameters
    page.locator("#swagger-ui .opblock-body").first.wait_for(timeout=10_000)
    assert violations(page) == []


def test_sign_in_and_the_edit_forms_live_preview(
    csp_page: Any, browser_atlas_url: str, live_server: Callable[[str], str]
) -> None:
    from scidex.registry.accounts import create_account

    store = Store.open(browser_atlas_url)
    create_account(store, username="ada", password="correct horse battery", role="editor")
    store.close()
    base = live_server(browser_atlas_url)
    page = csp_page
    page.goto(f"{base}/artifact/wiki-genes-bach1/edit")
    page.fill("#username", "ada")
    page.fill("#password", "correct horse battery")
    assert violations(page) == []  # the sign-in page
    page.click("form.login button")
    page.wait_for_url(f"{base}/artifact/wiki-genes-bach1/edit")
    page.wait_for_selector("#preview sup.cite", timeout=20_000)
    area = page.locator("#markdown")
    area.fill(area.input_value() + "\n\n```mermaid\nflowchart LR\n  CSPA --> CSPB\n```\n")
    # The preview redraws the new diagram (the article has one of its own already).
    page.locator("#preview pre.mermaid svg", has_text="CSPB").wait_for(timeout=20_000)
    assert violations(page) == []
