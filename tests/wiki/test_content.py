"""Loading curated pages: front matter in, a page (or an error naming file:line) out."""

from __future__ import annotations

from pathlib import Path

import pytest

from scidex.wiki import ContentError, CuratedEdge, load_page, load_pages

BACH1 = """\
---
entity: HGNC:935
title: BACH1, the heme-regulated repressor
summary: Transcriptional repressor competing with NRF2.
references:
  - id: igarashi2014
    type: article-journal
    title: Transcription regulation by BACH1
    author: [{family: Igarashi, given: Kazuhiko}]
    issued: {date-parts: [[2014]]}
    container-title: Free Radic Biol Med
    PMID: 24362264
    DOI: doi:10.1016/j.freeradbiomed.2013.12.011
    supports: BACH1 represses HMOX1
    checked: https://pubmed.ncbi.nlm.nih.gov/24362264/
  - id: sun2002
    title: Hemoprotein Bach1 regulates enhancer availability
    accessed: 2024-05-01
curated_edges:
  - predicate: biolink:interacts_with
    object: HGNC:6782
    publications: [igarashi2014]
  - predicate: biolink:regulates
    object: HMOX1
    publications: sun2002
    qualifiers: {object_direction_qualifier: decreased}
---
# BACH1

BACH1 represses [[HMOX1]] [@igarashi2014].
"""


def write(tmp_path: Path, text: str, name: str = "page.md") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_load_page(tmp_path: Path) -> None:
    page = load_page(write(tmp_path, BACH1))
    assert page.entity == "HGNC:935"
    assert page.title == "BACH1, the heme-regulated repressor"
    assert page.summary == "Transcriptional repressor competing with NRF2."
    assert list(page.references) == ["igarashi2014", "sun2002"]
    igarashi = page.references["igarashi2014"]
    assert igarashi["id"] == "igarashi2014"
    assert igarashi["PMID"] == "24362264"  # an unquoted YAML number, kept as CSL's string
    assert igarashi["DOI"] == "10.1016/j.freeradbiomed.2013.12.011"
    assert page.references["sun2002"]["accessed"] == "2024-05-01"  # JSON-safe, not a date
    lines = BACH1.splitlines()

    def line_of(text: str, start: int = 0) -> int:
        return lines.index(text, start) + 1

    assert page.reference_lines == {
        "igarashi2014": line_of("  - id: igarashi2014"),
        "sun2002": line_of("  - id: sun2002"),
    }
    first_edge = line_of("  - predicate: biolink:interacts_with")
    assert page.curated_edges == [
        CuratedEdge("biolink:interacts_with", "HGNC:6782", ("igarashi2014",), {}, first_edge),
        CuratedEdge(
            "biolink:regulates",
            "HMOX1",
            ("sun2002",),
            {"object_direction_qualifier": "decreased"},
            line_of("  - predicate: biolink:regulates"),
        ),
    ]
    assert page.markdown.startswith("# BACH1\n")
    assert page.body_line == line_of("---", 1) + 1
    assert lines[page.body_line - 1] == "# BACH1"


def test_minimal_page(tmp_path: Path) -> None:
    page = load_page(write(tmp_path, "---\nentity: MONDO:0004975\n---\nText.\n"))
    assert (page.title, page.summary, page.references, page.curated_edges) == (None, None, {}, [])
    assert (page.markdown, page.body_line) == ("Text.\n", 4)


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("# No front matter\n", 1, "front matter", "must start"),
        ("---\nentity: HGNC:935\n# body\n", 1, "front matter", "not closed"),
        ("---\ntitle: x\n---\n", 1, "entity", "missing"),
        ("---\n---\nbody\n", 1, "entity", "missing"),
        ("---\ntitle: x\nentity: [unclosed\n---\n", 4, "front matter", "invalid YAML"),
        ("---\ntitle: x\n  bad: indent\n---\n", 3, "front matter", "invalid YAML"),
        ("---\nentity: BACH1\n---\n", 2, "entity", "not a CURIE"),
        ("---\nentity: HGNC:935\ntitel: x\n---\n", 3, "titel", "unknown field"),
        ("---\n- a list\n---\n", 2, "front matter", "mapping"),
        (
            "---\nentity: HGNC:935\nreferences:\n  - title: no id\n---\n",
            4,
            "references",
            "needs an id",
        ),
        (
            "---\nentity: HGNC:935\nreferences:\n  - id: a\n  - id: b\n  - id: a\n---\n",
            6,
            "references.id",
            "duplicate id 'a' (line 4)",
        ),
        (
            "---\nentity: HGNC:935\nreferences:\n  - id: a\n    PMID: PMC123\n---\n",
            5,
            "references.PMID",
            "malformed PMID",
        ),
        (
            "---\nentity: HGNC:935\nreferences: {a: 1}\n---\n",
            3,
            "references",
            "must be a list",
        ),
        (
            "---\nentity: HGNC:935\ncurated_edges:\n  - object: HGNC:6782\n---\n",
            4,
            "curated_edges.predicate",
            "missing",
        ),
        (
            "---\nentity: HGNC:935\ncurated_edges:\n  - predicate: biolink:regulates\n---\n",
            4,
            "curated_edges.object",
            "missing",
        ),
        (
            "---\nentity: HGNC:935\nreferences:\n  - id: a\ncurated_edges:\n"
            "  - predicate: biolink:regulates\n    object: HMOX1\n    publications:\n"
            "      - a\n      - nobody2020\n---\n",
            10,
            "curated_edges.publications",
            "'nobody2020', which is not in references",
        ),
        (
            "---\nentity: HGNC:935\ncurated_edges:\n"
            "  - predicate: biolink:regulates\n    object: HMOX1\n    subject: HGNC:1\n---\n",
            6,
            "curated_edges.subject",
            "unknown field",
        ),
    ],
)
def test_errors_name_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        load_page(path)
    error = caught.value
    assert (error.line, error.field) == (line, field), str(error)
    assert message in error.message
    assert str(error).startswith(f"{path}:{line}: {field}: ")
    assert isinstance(error, ValueError)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("---\nentity: HGNC:935\ntitle: caf\xe9\n---\n".encode("latin-1"))
    with pytest.raises(ContentError, match="not UTF-8"):
        load_page(path)


def test_load_pages_reads_every_markdown_file_sorted(tmp_path: Path) -> None:
    write(tmp_path, "---\nentity: MONDO:0004975\n---\nAD\n", "diseases/alzheimer.md")
    write(tmp_path, "---\nentity: HGNC:935\n---\nBACH1\n", "genes/bach1.md")
    write(tmp_path, "not a page", "notes.txt")
    pages = load_pages(tmp_path)
    assert [p.entity for p in pages] == ["MONDO:0004975", "HGNC:935"]
    assert pages[1].path == tmp_path / "genes/bach1.md"


def test_two_pages_for_one_entity_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "---\nentity: HGNC:935\n---\n", "a.md")
    write(tmp_path, "---\nentity: HGNC:935\n---\n", "b.md")
    with pytest.raises(ContentError, match="HGNC:935 already has a page"):
        load_pages(tmp_path)
