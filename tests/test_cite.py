"""Citation formats, checked by real parsers: pybtex for BibTeX, the CSL-JSON schema, RIS tags."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from pybtex.database import parse_string
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from scidex.pages.cite import (
    FORMATS,
    CitationRecord,
    bibtex_escape,
    citation_key,
    permalink,
    to_bibtex,
    to_csl_json,
    to_csl_json_text,
    to_ris,
    to_text,
)

CSL_SCHEMA = json.loads((Path(__file__).parent / "data" / "csl-data.json").read_text("utf-8"))

HOSTILE_TITLES = [
    "BACH1 — BTB Domain and CNC Homolog 1",
    "Unbalanced { brace",
    "Unbalanced } brace } twice",
    r"Back\slash \textbf{bold} \end{document}",
    "100% of $5 & #1 in a_b ~ c^2",
    "Café Ångström naïve Żółć 日本語 \u03b1-synuclein",
    "@misc{evil, title={x}}",
    "Quotes \" and ' and , commas = equals",
    "Multi\nline\ttitle",
]


def record(**changes: object) -> CitationRecord:
    base: dict[str, object] = {
        "artifact_id": "wiki-genes-bach1",
        "title": "BACH1 — BTB Domain and CNC Homolog 1",
        "version": 3,
        "url": permalink("https://atlas.example.org/", "wiki-genes-bach1", 3),
        "authors": ["Jane Q. Curator", "scidex-backfill (agent)"],
        "created": "2026-05-13",
        "updated": "2026-06-02T10:11:12Z",
        "accessed": "2026-07-01",
        "content_hash": "sha256:" + "ab" * 32,
    }
    base.update(changes)
    return CitationRecord(**base)  # type: ignore[arg-type]


def latex_to_text(value: str) -> str:
    """Decode a BibTeX field's LaTeX as a reader's LaTeX would print it."""
    db = get_default_latex_context_db().filter_context(keep_categories=None)
    # LaTeX2e's text-mode symbols; pylatexenc lacks some and maps ^ to a modifier letter.
    db.add_context_category(
        "latex2e-text-symbols",
        prepend=True,
        macros=[
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            MacroTextSpec("textbackslash", "\\"),
            MacroTextSpec("textasciitilde", "~"),
            MacroTextSpec("textasciicircum", "^"),
        ],
    )
    return LatexNodes2Text(latex_context=db, math_mode="verbatim").latex_to_text(value)


def parse_bibtex(text: str):  # type: ignore[no-untyped-def]
    # pybtex is strict by default: an unbalanced brace or stray '@' raises.
    data = parse_string(text, "bibtex")
    assert len(data.entries) == 1
    return next(iter(data.entries.items()))


def test_permalink_is_version_pinned() -> None:
    assert (
        permalink("https://atlas.example.org/", "wiki-genes-bach1", 3)
        == "https://atlas.example.org/artifact/wiki-genes-bach1?version=3"
    )
    assert permalink("http://h", "a/b c", 1) == "http://h/artifact/a%2Fb%20c?version=1"


def test_text_citation() -> None:
    assert to_text(record()) == (
        "Jane Q. Curator & scidex-backfill (agent) (2026). "
        "BACH1 — BTB Domain and CNC Homolog 1 (version 3). SciDEX Atlas. "
        "https://atlas.example.org/artifact/wiki-genes-bach1?version=3 (accessed 2026-07-01)"
    )
    three = to_text(record(authors=["A", "B", "C"]))
    assert three.startswith("A, B, & C (2026). ")
    anonymous = to_text(record(authors=[]))
    assert anonymous.startswith("BACH1 — BTB Domain and CNC Homolog 1 (version 3). (2026). ")
    assert "\n" not in to_text(record(title="two\nlines"))


def test_bibtex_fields() -> None:
    key, entry = parse_bibtex(to_bibtex(record()))
    assert key == citation_key(record()) == "scidex-wiki-genes-bach1-v3"
    assert entry.type == "misc"
    assert entry.fields["url"] == record().url
    assert entry.fields["urldate"] == "2026-07-01"
    assert entry.fields["year"] == "2026"
    assert entry.fields["month"] == "June"
    assert entry.fields["version"] == "3"
    assert "Version 3" in entry.fields["note"]
    assert "sha256:" + "ab" * 32 in entry.fields["note"]
    assert latex_to_text(entry.fields["publisher"]) == "SciDEX Atlas"
    # Each author braced: one literal name, never split into given/family.
    authors = entry.persons["author"]
    assert [str(p) for p in authors] == ["{Jane Q. Curator}", "{scidex-backfill (agent)}"]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_bibtex_survives_hostile_titles(title: str) -> None:
    hostile_author = "Ann {and} Bob % \\ #"
    text = to_bibtex(record(title=title, authors=[hostile_author, "Zed"]))
    key, entry = parse_bibtex(text)
    assert key == "scidex-wiki-genes-bach1-v3"
    assert set(entry.fields) >= {"title", "url", "urldate", "year", "version", "note"}
    value = entry.fields["title"]
    assert value.startswith("{") and value.endswith("}")  # protected from case changes
    assert latex_to_text(value[1:-1]) == " ".join(title.split())
    assert entry.fields["url"] == record().url
    names = [latex_to_text(str(p)[1:-1]) for p in entry.persons["author"]]
    assert names == [hostile_author, "Zed"]


def test_bibtex_escape_covers_every_special_character() -> None:
    for ch in "{}%&$#_~^\\":
        escaped = bibtex_escape(f"a{ch}b")
        assert escaped != f"a{ch}b"
        assert latex_to_text(escaped) == f"a{ch}b"


def test_ris_tags_and_terminator() -> None:
    text = to_ris(record(title="A\ntitle"))
    assert text.endswith("ER  - \r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line) >= 6 and line[2:6] == "  - " for line in lines)
    tags = [(line[:2], line[6:]) for line in lines]
    assert tags[0] == ("TY", "ELEC")
    assert tags[-1] == ("ER", "")
    fields: dict[str, list[str]] = {}
    for tag, value in tags:
        fields.setdefault(tag, []).append(value)
    assert fields["AU"] == ["Jane Q. Curator", "scidex-backfill (agent)"]
    assert fields["TI"] == ["A title"]
    assert fields["PY"] == ["2026"]
    assert fields["DA"] == ["2026/06/02/"]
    assert fields["Y2"] == ["2026/07/01/"]
    assert fields["UR"] == [record().url]
    assert fields["PB"] == ["SciDEX Atlas"]
    assert fields["ID"] == ["scidex-wiki-genes-bach1-v3"]
    assert "Version 3" in fields["N1"][0]
    assert to_ris(record(artifact_type="dataset")).startswith("TY  - DATA\r\n")


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_csl_json_validates_against_the_schema(title: str) -> None:
    items = to_csl_json(record(title=title))
    jsonschema.validators.validator_for(CSL_SCHEMA)(CSL_SCHEMA).validate(items)
    (item,) = items
    assert item["title"] == " ".join(title.split())
    assert json.loads(to_csl_json_text(record(title=title))) == items


def test_csl_json_fields() -> None:
    (item,) = to_csl_json(record())
    assert item["id"] == "scidex-wiki-genes-bach1-v3"
    assert item["type"] == "webpage"
    assert item["author"] == [
        {"literal": "Jane Q. Curator"},
        {"literal": "scidex-backfill (agent)"},
    ]
    # The 1.0.1 schema's draft-3 "type: [schema]" lets a bare number pass for a
    # date, so check the shapes here.
    assert item["issued"] == {"date-parts": [[2026, 6, 2]]}
    assert item["accessed"] == {"date-parts": [[2026, 7, 1]]}
    assert item["URL"] == record().url
    assert item["version"] == "3"
    assert item["publisher"] == "SciDEX Atlas"
    assert item["container-title"] == "SciDEX Atlas"
    (data,) = to_csl_json(record(artifact_type="kg_edge", authors=[]))
    assert data["type"] == "dataset" and "author" not in data
    validator = jsonschema.Draft3Validator(CSL_SCHEMA)
    validator.validate([data])
    # The schema really is checking: an unknown field or type fails.
    assert not validator.is_valid([{**item, "bogus": 1}])
    assert not validator.is_valid([{**item, "type": "wiki"}])


def test_formats_table() -> None:
    assert set(FORMATS) == {"text", "bibtex", "ris", "csl-json"}
    for name, (media_type, extension, render) in FORMATS.items():
        out = render(record())
        assert isinstance(out, str) and out, name
        assert "/" in media_type and extension.isalnum()
    assert FORMATS["bibtex"].extension == "bib"
    assert FORMATS["csl-json"].media_type == "application/vnd.citationstyles.csl+json"
    assert FORMATS["text"].render is to_text
