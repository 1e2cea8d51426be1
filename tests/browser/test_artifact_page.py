"""The BACH1 page in a real browser: diagrams, popovers, links followed, embeds framed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scidex.registry.curated import load_curated
from scidex.store import Store

pytestmark = pytest.mark.browser

XSS_PAGE = """---
entity: HGNC:5013
---
## Payloads

<script>window.__xss = 1</script>

<img src=x onerror="window.__xss = 2">

[click me](javascript:window.__xss=3) and [also](JaVaScRiPt:window.__xss=4)

[[<img src=x onerror=window.__xss=5>]]

```mermaid
flowchart LR
  A["<img src=x onerror=window.__xss=6>"] --> B
  click A call window.alert()
```
"""


def test_bach1_page_draws_diagrams_opens_popovers_and_follows_links(
    atlas_server: str, page, screenshot
) -> None:
    base = atlas_server
    page.goto(f"{base}/artifact/wiki-genes-bach1")
    # The generated pathway diagram and the article's own diagram become SVG.
    page.wait_for_selector("#pathway-diagram pre.mermaid svg", timeout=20_000)
    page.wait_for_selector(".article pre.mermaid svg", timeout=20_000)
    assert page.locator("#pathway-diagram svg a").count() > 0  # nodes link to their pages
    screenshot(page, "bach1-page")

    cite = page.locator("sup.cite").first
    popover = cite.locator(".cite-popover")
    assert popover.is_hidden()
    cite.locator("a").first.focus()
    assert popover.is_visible()
    assert "PMID" in popover.inner_text() or "doi" in popover.inner_text().lower()
    screenshot(page, "bach1-popover")

    page.locator('a.wikilink[data-curie="HGNC:6782"]').first.click()
    page.wait_for_url(f"{base}/artifact/wiki-genes-mafk")
    assert "MAFK" in page.locator("h1").inner_text()


def test_embed_mode_loads_in_an_iframe_and_the_full_page_does_not(
    atlas_server: str, page, screenshot
) -> None:
    base = atlas_server
    page.goto(f"{base}/about")  # any page of the site, so the iframes are same-site
    page.set_content(
        f'<iframe id="embed" src="{base}/artifact/wiki-genes-bach1?embed=1" width="900" '
        f'height="600"></iframe><iframe id="full" src="{base}/artifact/wiki-genes-bach1" '
        'width="300" height="200"></iframe>'
    )
    embed = page.frame_locator("#embed")
    embed.locator("h1").wait_for(timeout=20_000)
    assert "BACH1" in embed.locator("h1").inner_text()
    assert embed.locator(".site-search").count() == 0
    page.wait_for_timeout(500)
    full = page.frame(url=f"{base}/artifact/wiki-genes-bach1")
    # The full page refuses to be framed (frame-ancestors 'none'): it never renders there.
    assert full is None or full.locator("h1").count() == 0
    screenshot(page, "bach1-embed")


def test_hostile_content_never_executes(
    tmp_path: Path, templates, live_server: Callable[[str], str], page
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "genes-hmox1.md").write_text(XSS_PAGE)
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    with templates.copy("sqlite", "sample", url) as store, store.atomic() as conn:
        load_curated(conn, content)
    base = live_server(url)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{base}/artifact/wiki-genes-hmox1")
    page.wait_for_timeout(1500)
    for link in page.locator(".article a").all():
        href = link.get_attribute("href") or ""
        assert not href.lower().startswith("javascript:")
    assert page.evaluate("window.__xss") is None
    assert dialogs == []


def test_an_editor_edits_with_a_live_preview_and_finds_the_revision(
    browser_atlas_url: str, live_server: Callable[[str], str], page, screenshot
) -> None:
    from scidex.registry.accounts import create_account

    url = browser_atlas_url
    store = Store.open(url)
    create_account(store, username="ada", password="correct horse battery", role="editor")
    store.close()
    base = live_server(url)
    page.goto(f"{base}/artifact/wiki-genes-bach1/edit")
    page.fill("#username", "ada")
    page.fill("#password", "correct horse battery")
    page.click("form.login button")
    page.wait_for_url(f"{base}/artifact/wiki-genes-bach1/edit")
    page.wait_for_selector("#preview sup.cite", timeout=20_000)  # the preview renders citations
    area = page.locator("#markdown")
    area.fill(area.input_value() + "\n\nA sentence typed in the browser about [[HMOX1]].\n")
    page.wait_for_function(
        "() => document.getElementById('preview').innerText.includes('typed in the browser')",
        timeout=20_000,
    )
    screenshot(page, "bach1-edit-preview")
    page.fill("#summary", "a sentence from the browser")
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url(f"{base}/artifact/wiki-genes-bach1")
    assert "typed in the browser" in page.locator(".article").inner_text()
    page.goto(f"{base}/artifact/wiki-genes-bach1/history")
    assert "a sentence from the browser" in page.locator("table.history").inner_text()
    assert "account:ada" in page.locator("table.history").inner_text()
