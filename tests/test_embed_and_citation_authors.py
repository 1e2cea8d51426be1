"""An embedded page keeps its in-page links in the frame; a citation names the page's editors,
or the atlas's contributors for text the atlas generated."""

from __future__ import annotations

import re

from scidex.pages.artifact_page import CONTRIBUTORS, citation_author
from scidex.registry.tokens import create_token
from scidex.store import Store

PAGE = "wiki-genes-bach1"


def test_an_embed_keeps_citation_links_in_the_frame(shared_client) -> None:
    html = shared_client.get(f"/artifact/{PAGE}?embed=1").text
    assert '<base target="_blank">' in html  # other links leave the frame
    # The opening of each <a> tag up to its href: the tag's attributes before it.
    fragment_links = re.findall(r'<a\b[^<]*?href="#', html)
    assert len(fragment_links) > 10, "the curated BACH1 article cites its references"
    assert all('target="_self"' in link for link in fragment_links), fragment_links[:3]
    # Links to other pages keep the base target: a new tab.
    others = re.findall(r'<a\b[^<]*?href="/', html)
    assert others and not any('target="_self"' in link for link in others)


def test_the_full_page_is_unchanged(shared_client) -> None:
    html = shared_client.get(f"/artifact/{PAGE}").text
    assert 'target="_self"' not in html


def test_a_generated_page_is_cited_to_the_atlas_contributors(shared_client) -> None:
    cite = shared_client.get("/api/artifacts/wiki-genes-hmox1/cite").json()
    assert cite["text"].startswith(f"{CONTRIBUTORS} (")
    assert "scidex build" not in str(cite)


def test_an_edit_adds_its_editor_to_the_citation(client, atlas_store: Store) -> None:
    _info, secret = create_token(atlas_store, role="editor", label="Jane Q. Curator")
    page = client.get(f"/api/artifacts/{PAGE}").json()
    answer = client.put(
        f"/api/artifacts/{PAGE}",
        json={
            "base_version": page["current_version"],
            "markdown": page["content"]["markdown"] + "\nBACH1 is expressed widely.\n",
            "summary": "add a line",
        },
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 200, answer.text
    text = client.get(f"/artifact/{PAGE}/cite.txt").text
    assert "Jane Q. Curator" in text and CONTRIBUTORS in text
    assert "token:" not in text and "scidex build" not in text


def test_authors_by_kind() -> None:
    assert citation_author("account:alice") == "alice"
    assert citation_author("token:Jane Q. Curator") == "Jane Q. Curator"
    assert citation_author("scidex build") == CONTRIBUTORS
    assert citation_author("scidex import kgx") == CONTRIBUTORS
