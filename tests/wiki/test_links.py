"""Wikilink parsing and resolution: one entity, however it is spelled."""

from __future__ import annotations

from scidex.wiki.links import (
    Ambiguous,
    Candidate,
    Resolved,
    TableResolver,
    Unresolved,
    ambiguous,
    parse_wikilink,
    wikilink_html,
)

RESOLVER = TableResolver(
    [
        ("HGNC:935", "BACH1", "/genes/bach1", ["BTB domain and CNC homolog 1"]),
        ("MONDO:0004976", "amyotrophic lateral sclerosis", "/diseases/als", ["ALS"]),
        ("SCIDEX:als-society", "ALS Society", "/entity/SCIDEX:als-society", ["ALS"]),
    ]
)


def test_parse_target_and_label() -> None:
    assert parse_wikilink("BACH1") == parse_wikilink(" BACH1 ")
    assert parse_wikilink("BACH1").target == "BACH1"
    assert parse_wikilink("BACH1").label is None
    link = parse_wikilink("Alzheimer disease|AD")
    assert (link.target, link.label) == ("Alzheimer disease", "AD")
    wrapped = parse_wikilink("amyotrophic lateral\n  sclerosis")
    assert wrapped.target == "amyotrophic lateral sclerosis"
    assert parse_wikilink("BACH1|").label is None
    assert parse_wikilink("  |label") is None


def test_resolver_by_curie_and_by_any_spelling() -> None:
    bach1 = Resolved("/genes/bach1", "HGNC:935", "BACH1")
    assert RESOLVER("HGNC:935") == bach1
    assert RESOLVER("bach1") == bach1
    assert RESOLVER("BTB-domain and CNC homolog 1") == bach1
    assert RESOLVER("Amyotrophic Lateral Sclerosis").curie == "MONDO:0004976"


def test_resolver_ambiguous_and_unresolved() -> None:
    result = RESOLVER("Als")
    assert isinstance(result, Ambiguous)
    assert [c.curie for c in result.candidates] == ["MONDO:0004976", "SCIDEX:als-society"]
    assert isinstance(RESOLVER("no such thing"), Unresolved)


def test_ambiguous_accepts_plain_tuples() -> None:
    result = ambiguous([("A:1", "a", "/a"), ("B:2", "b", "/b")])
    assert result.candidates[1] == Candidate("B:2", "b", "/b")
    assert result == Ambiguous([("A:1", "a", "/a"), ("B:2", "b", "/b")])  # type: ignore[arg-type]


def test_link_html_escapes_labels_and_targets() -> None:
    html = wikilink_html("x", "<b>bold</b>", Resolved('/e?a="1"', "X:1", "x"))
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert 'href="/e?a=&quot;1&quot;"' in html
    missing = wikilink_html('"><script>', None, Unresolved())
    assert "<script>" not in missing
