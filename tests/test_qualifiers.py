"""Qualifiers read as words on every page that lists edges: never the JSON they are kept as."""

from __future__ import annotations

import json

from sqlalchemy import select

from scidex.kg.qualifiers import curies_in, describe
from scidex.store import Store
from scidex.store.schema import artifact, edge

NAMES = {
    "HP:0040283": "Occasional",
    "HP:0003581": "Adult onset",
    "Orphanet:904": "Williams syndrome",
}


def test_hpo_frequency_onset_and_counts_read_as_words() -> None:
    words = describe({"frequency": "HP:0040283", "onset": "HP:0003581"}, NAMES)
    assert words == ["occasional", "onset: adult onset"]
    assert describe({"frequency": "16/18", "sex": "FEMALE"}, NAMES) == [
        "in 16 of 18 patients",
        "in females",
    ]
    assert describe({"frequency": "45%"}, {}) == ["in 45% of patients"]
    assert describe({"has_count": 119, "has_total": 251}, {}) == ["in 119 of 251 patients"]


def test_a_genes_phenotype_names_the_disease_it_comes_from() -> None:
    q = {"diseases": ["Orphanet:904"], "frequency_by_disease": {"Orphanet:904": "HP:0040283"}}
    assert set(curies_in(q)) == {"Orphanet:904", "HP:0040283"}
    assert describe(q, NAMES) == ["occasional in Williams syndrome"]


def test_biolink_qualifier_slots_read_as_words() -> None:
    q = {
        "object_direction_qualifier": "decreased",
        "object_aspect_qualifier": "expression",
        "species_context_qualifier": "NCBITaxon:10090",
        "anatomical_context_qualifier": "UBERON:0002421",
    }
    words = describe(q, {"UBERON:0002421": "hippocampal formation"})
    assert words == [
        "decreases",
        "of expression",
        "in mouse",
        "anatomical context: hippocampal formation",
    ]
    assert not any("{" in w or "_" in w for w in words)


def test_no_edge_table_shows_qualifier_json(shared_client, shared_atlas: Store) -> None:
    """Pages of entities whose edges carry qualifiers show them as words."""
    with shared_atlas.read() as conn:
        rows = conn.execute(
            select(edge.c.subject, edge.c.qualifiers).where(edge.c.qualifiers != "{}").limit(400)
        ).all()
        subjects = list(dict.fromkeys(s for s, _ in rows))[:8]
        pages = {
            kg: aid
            for aid, kg in conn.execute(
                select(artifact.c.id, artifact.c.kg_node_id).where(
                    artifact.c.kg_node_id.in_(subjects)
                )
            )
        }
    assert len(pages) >= 3
    shown = 0
    for aid in pages.values():
        html = shared_client.get(f"/artifact/{aid}").text
        assert '{"' not in html.split("<main", 1)[1].split("</main>", 1)[0], aid
        shown += html.count('class="qualifier-words"')
        edges_html = shared_client.get(f"/artifact/{aid}/edges").text
        assert '{"' not in edges_html.split("<main", 1)[1], aid
    assert shown > 0
    assert any(json.loads(q) for _, q in rows)
