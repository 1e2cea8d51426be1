"""Curated pages against a store that lacks some of what they name: the build goes on,
the lint says what waits and what is wrong; and front-matter aliases become names."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete

from scidex.queries.resolve import resolve
from scidex.registry.content_check import check_content
from scidex.registry.curated import load_curated
from scidex.store import Store
from scidex.store.schema import entity

REF = """references:
  - id: sun2002
    title: Hemoprotein Bach1 regulates enhancer availability of heme oxygenase-1 gene
    PMID: "12356737"
    species: [NCBITaxon:10090]
"""


def _write(directory: Path, name: str, text: str) -> None:
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text)


def test_a_page_whose_vocabulary_is_not_built_waits_instead_of_breaking_the_build(
    sample_store: Store, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    _write(
        pages,
        "cell-types-microglia.md",
        f"---\nentity: CL:0000129\n{REF}---\n## Overview\n\n"
        "Mouse microglia express heme oxygenase-1 [@sun2002].\n",
    )
    _write(
        pages,
        "genes-bach1.md",
        f"---\nentity: HGNC:935\n{REF}---\n## Overview\n\n"
        "In mice BACH1 represses heme oxygenase-1 in [[CL:0000129|microglia]] [@sun2002].\n",
    )
    with sample_store.atomic() as conn:
        # A store built without the Cell Ontology.
        conn.execute(delete(entity).where(entity.c.id.startswith("CL:")))
        result = load_curated(conn, pages)
    assert result.pages["waiting"] == 1
    with sample_store.read() as conn:
        report = check_content(conn, pages)
    assert report.findings == []
    assert [(Path(w.path).name, w.kind) for w in report.waiting] == [
        ("cell-types-microglia.md", "waiting-entity"),
        ("genes-bach1.md", "waiting-entity"),
    ]
    assert "[[CL:0000129]] waits" in report.waiting[1].message


def test_an_edge_to_a_missing_gene_is_left_out_and_reported(
    sample_store: Store, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    _write(
        pages,
        "genes-bach1.md",
        f"---\nentity: HGNC:935\n{REF}curated_edges:\n"
        "  - predicate: biolink:regulates\n    object: HGNC:99999999\n"
        "    qualifiers: {species_context_qualifier: 'NCBITaxon:10090'}\n"
        "    publications: [sun2002]\n"
        "---\n## Overview\n\nIn mice BACH1 represses heme oxygenase-1 [@sun2002].\n",
    )
    with sample_store.atomic() as conn:
        result = load_curated(conn, pages)
    assert result.edges == 0 and result.pages["edges skipped"] == 1
    with sample_store.read() as conn:
        report = check_content(conn, pages)
    assert [(f.line, f.kind) for f in report.findings] == [(9, "broken-edge")]
    assert "HGNC:99999999" in report.findings[0].message


def test_front_matter_aliases_name_the_entity_and_are_replaced_on_reload(
    sample_store: Store, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    page = "---\nentity: MONDO:0004976\naliases: [{alias}]\n---\n## Overview\n\nText.\n"
    with sample_store.read() as conn:
        before = resolve(conn, "ALS")
    assert before.entity is None and before.ambiguous  # SOD1's old symbol, IGFALS, the disease
    _write(pages, "diseases-als.md", page.format(alias="ALS"))
    with sample_store.atomic() as conn:
        assert load_curated(conn, pages).pages["aliases"] == 1
    with sample_store.read() as conn:
        found = resolve(conn, "als")
        assert found.entity is not None and found.entity.id == "MONDO:0004976"
        assert found.entity.matched_by == "alias"
    _write(pages, "diseases-als.md", page.format(alias="Lou Gehrig disease"))
    with sample_store.atomic() as conn:
        load_curated(conn, pages)
    with sample_store.read() as conn:
        assert resolve(conn, "ALS").ambiguous
        gehrig = resolve(conn, "lou gehrig disease").entity
        assert gehrig is not None and gehrig.id == "MONDO:0004976"
