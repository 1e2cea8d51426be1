"""Retracted papers: the pinned list into its table, the lint's refusal, the pages' flag."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scidex.ingest.build import build_default_atlas
from scidex.ingest.sources import retractions
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.model import CURATED_SOURCE, Edge
from scidex.queries.graph import neighbours
from scidex.queries.retractions import only_retracted, retracted_among, retraction_count
from scidex.registry.content_check import check_content
from scidex.store import Store
from scidex.store.bulk import insert_edges
from scidex.store.schema import retracted_publication


def _independent_list(archive: Path) -> list[str]:
    """The member read with zipfile alone, not through the parser."""
    with zipfile.ZipFile(archive) as zf:
        return zf.read(retractions.MEMBER).decode("utf-8").split()


def _wheel(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fake-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(retractions.MEMBER, text)
    return path


def test_every_pmid_of_the_pinned_list_is_read(source_archive) -> None:  # type: ignore[no-untyped-def]
    archive = source_archive("retractions")
    expected = _independent_list(archive)
    parsed = list(retractions.retracted_pmids(archive))
    assert parsed == expected
    assert len(set(parsed)) == len(parsed) > 10_000
    assert list(retractions.parse(archive, "retractions@test")) == []


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [("12\n34\nPMC99\n", 3, "not a PubMed id: 'PMC99'"), ("12\n12\n", 2, "listed twice")],
)
def test_a_line_that_is_not_a_pmid_is_an_error_naming_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    with pytest.raises(SourceFormatError) as err:
        list(retractions.retracted_pmids(_wheel(tmp_path, text)))
    assert err.value.line == line and err.value.field == "pmid"
    assert message in err.value.message
    assert str(err.value).startswith(f"{retractions.MEMBER}:{line}: pmid:")


def test_the_build_fills_the_table_and_records_the_release(
    store: Store,
    source_archive,  # type: ignore[no-untyped-def]
) -> None:
    archive = source_archive("retractions")
    expected = _independent_list(archive)
    result = build_default_atlas(
        store, cache_dir=archive.parent, sources=["retractions"], content_dir=Path("/nonexistent")
    )
    assert not result.failed
    release = next(r for r in result.releases if r.name == "retractions")
    assert release.counts["retracted publications"] == len(expected)
    with store.read() as conn:
        assert retraction_count(conn) == len(expected)
        sample = random.Random(18).sample(expected, 25)
        assert retracted_among(conn, [f"PMID:{p}" for p in sample]) == {f"PMID:{p}" for p in sample}
        tags = conn.execute(
            select(func.count(func.distinct(retracted_publication.c.source_release)))
        )
        assert tags.scalar_one() == 1
    # A second build replaces the list rather than adding to it.
    build_default_atlas(
        store, cache_dir=archive.parent, sources=["retractions"], content_dir=Path("/nonexistent")
    )
    with store.read() as conn:
        assert retraction_count(conn) == len(expected)


def _load(store: Store, archive: Path) -> None:
    with store.atomic() as conn:
        retractions.load(conn, archive, "retractions@test")


PAGE = """---
entity: HGNC:935
references:
  - id: gone
    title: A retracted paper
    PMID: "{pmid}"
    species: [NCBITaxon:9606]
  - id: fine
    title: A paper still standing
    PMID: "12356737"
    species: [NCBITaxon:9606]
---
## Overview

BACH1 represses heme oxygenase-1 in human cells [@gone; @fine].
"""


def test_the_lint_fails_on_a_curated_citation_of_a_retracted_paper(
    sample_store: Store,
    tmp_path: Path,
    source_archive,  # type: ignore[no-untyped-def]
) -> None:
    archive = source_archive("retractions")
    pmid = random.Random(7).choice(_independent_list(archive))
    (tmp_path / "genes-bach1.md").write_text(PAGE.format(pmid=pmid))
    with sample_store.read() as conn:
        before = check_content(conn, tmp_path)
    assert before.findings == [] and before.retractions_known == 0
    _load(sample_store, archive)
    with sample_store.read() as conn:
        after = check_content(conn, tmp_path)
    assert [(f.line, f.kind) for f in after.findings] == [(4, "retracted-citation")]
    assert pmid in after.findings[0].message


def test_an_edge_whose_only_publications_are_retracted_is_flagged_on_its_page(
    sample_store: Store,
    source_archive,  # type: ignore[no-untyped-def]
) -> None:
    archive = source_archive("retractions")
    gone = random.Random(3).sample(_independent_list(archive), 2)
    _load(sample_store, archive)
    retracted_only = Edge(
        "HGNC:935",
        "biolink:regulates",
        "HGNC:2874",
        CURATED_SOURCE,
        publications=tuple(f"PMID:{p}" for p in gone),
        source_release="test",
    )
    mixed = Edge(
        "HGNC:935",
        "biolink:regulates",
        "HGNC:5013",
        CURATED_SOURCE,
        publications=(f"PMID:{gone[0]}", "PMID:12356737"),
        source_release="test",
    )
    with sample_store.atomic() as conn:
        insert_edges(conn, [retracted_only, mixed])
    with sample_store.read() as conn:
        edges = neighbours(conn, "HGNC:935", predicate="biolink:regulates", limit=500).edges
        shown = {e.object: e for e in edges if e.primary_knowledge_source == CURATED_SOURCE}
        retracted = retracted_among(conn, (p for e in edges for p in e.publications))
    assert only_retracted(shown["HGNC:2874"].publications, retracted)
    assert not only_retracted(shown["HGNC:5013"].publications, retracted)

    from fastapi.testclient import TestClient

    from scidex.config import Settings
    from scidex.web import create_app

    with TestClient(create_app(Settings(database_url=sample_store.url), sample_store)) as client:
        page = client.get("/entity/HGNC:935", follow_redirects=True)
        twin = client.get(page.url.path.replace("/artifact/", "/api/artifacts/"))
    assert page.status_code == 200
    rows = [row for row in page.text.split("<tr")[1:] if "retracted-only" in row.split(">", 1)[0]]
    assert len(rows) == 1 and "HGNC:2874" in rows[0]
    assert "Every publication behind this statement is retracted." in rows[0]
    assert f'PMID:{gone[0]}</a> <span class="retracted"' in page.text
    assert set(twin.json()["retracted_publications"]) >= {f"PMID:{p}" for p in gone}
    assert "PMID:12356737" not in twin.json()["retracted_publications"]


def test_the_list_is_empty_until_built(store: Store) -> None:
    with store.read() as conn:
        assert retraction_count(conn) == 0
        assert retracted_among(conn, ["PMID:1", "DOI:10.1/x"]) == frozenset()
