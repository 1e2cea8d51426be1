"""No page shows the data's raw form: no JSON in the visible text of 200 entity pages."""

from __future__ import annotations

import re

from sqlalchemy import select

from scidex.store import Store
from scidex.store.schema import artifact

_HIDDEN = re.compile(r"<(script|style|pre class=\"mermaid\")[^>]*>.*?</(script|style|pre)>", re.S)
_TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    """The page's text as a reader sees it, less the citation formats (CSL-JSON is one)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r'<section class="cite-embed".*?</section>', " ", main, flags=re.S)
    return _TAG.sub(" ", _HIDDEN.sub(" ", main))


def test_two_hundred_entity_pages_show_no_json(shared_client, shared_atlas: Store) -> None:
    with shared_atlas.read() as conn:
        ids = (
            conn.execute(
                select(artifact.c.id)
                .where(artifact.c.kg_node_id.is_not(None))
                .order_by(artifact.c.id)
            )
            .scalars()
            .all()
        )
    sample = ids[:: max(1, len(ids) // 200)][:200]
    assert len(sample) == 200
    for aid in sample:
        text = visible_text(shared_client.get(f"/artifact/{aid}").text)
        assert '{"' not in text and "&#34;:" not in text, aid
