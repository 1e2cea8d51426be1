"""CSL-JSON formatting: how a reference reads in the list, the popover and the title."""

from __future__ import annotations

import pytest

from scidex.wiki.citations import (
    doi_url,
    format_author,
    format_authors,
    format_reference,
    issued_year,
    normalize_doi,
    pubmed_url,
    ref_anchor,
    references_html,
)

IGARASHI = {"family": "Igarashi", "given": "Kazuhiko"}
SUN = {"family": "Sun", "given": "Jiying"}


def test_author_is_family_name_and_initials() -> None:
    assert format_author(IGARASHI) == "Igarashi K"
    assert (
        format_author({"family": "Dinkova-Kostova", "given": "Albena T."}) == "Dinkova-Kostova AT"
    )
    assert format_author(
        {"family": "Berg", "given": "Jean-Pierre", "non-dropping-particle": "van den"}
    ) == ("van den Berg JP")
    assert format_author({"literal": "Alzheimer's Disease Neuroimaging Initiative"}) == (
        "Alzheimer's Disease Neuroimaging Initiative"
    )


def test_authors_list_up_to_three_then_et_al() -> None:
    assert format_authors([IGARASHI, SUN]) == "Igarashi K, Sun J"
    three = [IGARASHI, SUN, {"family": "Hoshino", "given": "Hideto"}]
    assert format_authors(three) == "Igarashi K, Sun J, Hoshino H"
    assert format_authors([*three, {"family": "Muto", "given": "Akihiko"}]) == (
        "Igarashi K, Sun J, Hoshino H, et al."
    )
    assert format_authors([]) == ""


@pytest.mark.parametrize(
    ("issued", "year"),
    [
        ({"date-parts": [[2014, 3, 1]]}, "2014"),
        ({"date-parts": [["2002"]]}, "2002"),
        ({"raw": "March 2019"}, "2019"),
        ("2021-05-04", "2021"),
        (None, None),
    ],
)
def test_year_comes_from_issued(issued: object, year: str | None) -> None:
    assert issued_year({"issued": issued} if issued is not None else {}) == year


def test_plain_text_reference() -> None:
    item = {
        "author": [IGARASHI, SUN],
        "issued": {"date-parts": [[2014]]},
        "title": "Transcription regulation by BACH1",
        "container-title": "Free Radic Biol Med",
        "volume": "66",
        "issue": "2",
        "page": "3-10",
        "PMID": "24362264",
        "DOI": "10.1016/j.freeradbiomed.2013.12.011",
    }
    assert format_reference(item) == (
        "Igarashi K, Sun J (2014). Transcription regulation by BACH1. "
        "Free Radic Biol Med 66(2):3-10. PMID 24362264. doi:10.1016/j.freeradbiomed.2013.12.011"
    )
    assert format_reference({"title": "Only a title."}) == "Only a title."


def test_identifier_links() -> None:
    assert pubmed_url("24362264") == "https://pubmed.ncbi.nlm.nih.gov/24362264/"
    assert pubmed_url("PMID: 24362264") == "https://pubmed.ncbi.nlm.nih.gov/24362264/"
    assert pubmed_url("javascript:alert(1)") is None
    assert doi_url("doi:10.1000/xyz") == "https://doi.org/10.1000/xyz"
    assert doi_url("https://doi.org/10.1000/a<b>#c") == "https://doi.org/10.1000/a%3Cb%3E%23c"
    assert normalize_doi("not a doi") is None


def test_anchor_is_fragment_safe() -> None:
    assert ref_anchor("igarashi2014") == "igarashi2014"
    assert ref_anchor('a"b c') == "a-b-c"


def test_references_html_escapes_everything_from_the_item() -> None:
    html = references_html({"k": {"title": "<i>Heme</i> & iron"}}, [("k", 1)])
    assert "&lt;i&gt;Heme&lt;/i&gt; &amp; iron." in html
    assert 'id="ref-k"' in html
