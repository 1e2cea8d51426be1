"""CL, Uberon and ChEBI identifiers as readers see them, and CL and Uberon built into a store."""

from __future__ import annotations

from pathlib import Path

import pytest

from scidex.ingest.build import build_default_atlas
from scidex.kg.xrefs import external_url, namespace_label
from scidex.queries.graph import get_entity
from scidex.queries.resolve import resolve
from scidex.queries.search import search
from scidex.registry.backfill import EntitySummary, backfill_markdown
from scidex.store import Store


@pytest.mark.parametrize(
    ("curie", "namespace", "url"),
    [
        ("CL:0000129", "Cell Ontology", "http://purl.obolibrary.org/obo/CL_0000129"),
        ("UBERON:0002421", "Uberon", "http://purl.obolibrary.org/obo/UBERON_0002421"),
        ("CHEBI:30413", "ChEBI", "http://purl.obolibrary.org/obo/CHEBI_30413"),
    ],
)
def test_identifiers_link_to_their_ontology(curie: str, namespace: str, url: str) -> None:
    assert namespace_label(curie) == namespace
    assert external_url(curie) == url


@pytest.mark.parametrize(
    ("curie", "category", "name", "intro"),
    [
        ("CL:0000129", "biolink:Cell", "microglial cell", "is a cell type"),
        ("UBERON:0002421", "biolink:AnatomicalEntity", "hippocampal formation", "is an anatomical"),
        ("CHEBI:30413", "biolink:ChemicalEntity", "heme", "is a chemical entity"),
        ("CHEBI:22586", "biolink:ChemicalRole", "antioxidant", "is a chemical role"),
    ],
)
def test_generated_pages_name_what_the_term_is(
    curie: str, category: str, name: str, intro: str
) -> None:
    summary = EntitySummary(curie, category, name, None, None, {}, "x@1")
    assert backfill_markdown(summary, {}).startswith(f"**{name}** {intro}")


@pytest.mark.slow
def test_cell_types_and_brain_regions_in_a_store(
    store: Store, tmp_path: Path, source_archive
) -> None:
    source_archive("cl")  # fetched and verified once, into the cache
    result = build_default_atlas(
        store, sources=("cl", "uberon"), content_dir=tmp_path / "none", log=lambda _m: None
    )
    assert result.failed == {}
    report = result.report
    assert report is not None
    assert report.dropped_edges == {}  # every parent edge has both ends loaded
    with store.read() as conn:
        microglia = get_entity(conn, "CL:0000129")
        assert microglia is not None
        assert (microglia.name, microglia.category) == ("microglial cell", "biolink:Cell")
        hippocampus = get_entity(conn, "UBERON:0002421")
        assert hippocampus is not None
        assert hippocampus.category == "biolink:AnatomicalEntity"
        assert hippocampus.attributes == {"brain_region": True}
        organ = get_entity(conn, "UBERON:0000062")
        assert organ is not None and "brain_region" not in organ.attributes
        found = resolve(conn, "microglial cell").entity
        assert found is not None and found.id == "CL:0000129"
        found = resolve(conn, "hippocampal formation").entity
        assert found is not None and found.id == "UBERON:0002421"
        hits = search(conn, "microglia").hits
        assert "CL:0000129" in {h.id for h in hits}
