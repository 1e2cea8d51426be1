"""The reference policy: each rule fails on a bad example and stays quiet on a good one."""

from __future__ import annotations

import pytest

from scidex.kg.biolink import is_predicate
from scidex.wiki import RenderContext, TableResolver, lint_page, parse_page
from scidex.wiki.policy import link_problem, policy_issues

CTX = RenderContext(
    resolve_link=TableResolver(
        [
            ("HGNC:935", "BACH1", "/genes/bach1", []),
            ("HGNC:3976", "FTH1", "/genes/fth1", []),
        ]
    )
)


def page(references: str, body: str, edges: str = "") -> list[tuple[int, str, str]]:
    text = f"---\nentity: HGNC:935\nreferences:\n{references}"
    if edges:
        text += f"curated_edges:\n{edges}"
    text += f"---\n{body}"
    return policy_issues(parse_page(text, "genes-bach1.md"))


def kinds(issues: list[tuple[int, str, str]]) -> list[str]:
    return [kind for _line, kind, _message in issues]


HUMAN_REF = '- id: a\n  title: A\n  PMID: "12356737"\n  species: [NCBITaxon:9606]\n'
MOUSE_REF = '- id: m\n  title: M\n  PMID: "31740582"\n  species: [NCBITaxon:10090]\n'


# --- reference-id -----------------------------------------------------------------


def test_a_reference_without_pmid_or_doi_is_reported_at_its_line() -> None:
    issues = page("- id: a\n  title: A\n  PMCID: PMC129038\n", "Claim [@a].\n")
    assert [(line, kind) for line, kind, _ in issues] == [(4, "reference-id")]


@pytest.mark.parametrize("ids", ['PMID: "12356737"', "DOI: 10.1038/s41573-018-0008-x"])
def test_a_pmid_or_a_doi_is_enough(ids: str) -> None:
    assert page(f"- id: a\n  title: A\n  {ids}\n", "Claim [@a].\n") == []


def test_a_malformed_pmcid_is_reported() -> None:
    issues = page('- id: a\n  PMID: "1"\n  PMCID: "129038"\n', "Claim [@a].\n")
    assert kinds(issues) == ["reference-id"]


# --- reference-link ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://47.251.13.51:8081/15734732",
        "https://[2001:db8::1]/paper",
        "https://app.altruwe.org/proxy?url=https%3A%2F%2Fpubmed.ncbi.nlm.nih.gov%2F9887101%2F",
        "https://dokumen.tips/documents/wearing-red-for-signaling.html",
        "https://homsy-staging.cambridgecore.org/core/journals/x",
        "https://staging.cambridge.org/core/article",
        "https://suppr.wilddata.cn/browses/detail/pubmed/19805328",
        "https://friendlywiki.com/article/index.php?title=Small_Maf",
        "http://wikidoc.org/index.php/BACH1",
        "https://www.ncbi.nlm.nih.gov.proxy.example.edu/pmc/articles/PMC1/",
        "https://bvbvf1.bib-bvb.de/vufind/PrimoRecord/x",
        "https://ouci.dntb.gov.ua/works/4OzJ0mm7",
        "https://www.ncbi.nlm.nih.gov/gene/571",
        "http://www.ncbi.nlm.nih.gov/pmc/articles/PMC129038/",
        "https://pubmed.ncbi.nlm.nih.gov:8443/1/",
        "https://example.org/redirect?URL=https://doi.org/10.1/x",
        "https://www.jneurosci.org/lookup/external-ref?access_num=8030754&link_type=MED",
    ],
)
def test_links_off_the_literature_and_publishers_are_refused(url: str) -> None:
    assert link_problem(url) is not None
    issues = page(f'- id: a\n  PMID: "1"\n  checked: "{url}"\n', "Claim [@a].\n")
    assert kinds(issues) == ["reference-link"]


@pytest.mark.parametrize(
    "url",
    [
        "https://pubmed.ncbi.nlm.nih.gov/12356737/",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC129038/",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC129038/",
        "https://doi.org/10.1074/jbc.RA119.009548",
        "https://www.nature.com/articles/s41573-018-0008-x",
        "https://journals.asm.org/doi/10.1128/mcb.02415-06",
        "https://www.jstage.jst.go.jp/article/tjem/232/4/232_229/_article",
        "https://academic.oup.com/nar/article/35/21/7074/2401032",
    ],
)
def test_pubmed_pmc_doi_and_publisher_links_pass(url: str) -> None:
    assert link_problem(url) is None
    assert page(f'- id: a\n  PMID: "1"\n  URL: "{url}"\n', "Claim [@a].\n") == []


# --- retracted-citation -----------------------------------------------------------


def test_a_retracted_pmid_is_reported_only_when_retracted() -> None:
    text = f"---\nentity: HGNC:935\nreferences:\n{HUMAN_REF}---\nClaim in human cells [@a].\n"
    parsed = parse_page(text, "p.md")
    assert kinds(policy_issues(parsed, frozenset({"12356737"}))) == ["retracted-citation"]
    assert policy_issues(parsed, frozenset({"31740582"})) == []


# --- species-context --------------------------------------------------------------

MOUSE_EDGE = (
    "- predicate: biolink:regulates\n  object: HGNC:3976\n  publications: [m]\n"
    "  qualifiers: {species_context_qualifier: 'NCBITaxon:10090'}\n"
)


def test_a_mouse_only_edge_with_its_qualifier_and_a_mouse_sentence_passes() -> None:
    body = "In mouse embryonic fibroblasts BACH1 repressed [[FTH1]] [@m].\n"
    assert page(MOUSE_REF, body, MOUSE_EDGE) == []


def test_a_mouse_only_edge_without_the_qualifier_is_reported_at_the_edge() -> None:
    edge = "- predicate: biolink:regulates\n  object: HGNC:3976\n  publications: [m]\n"
    issues = page(MOUSE_REF, "In mice BACH1 represses [[FTH1]] [@m].\n", edge)
    assert [(line, kind) for line, kind, _ in issues] == [(9, "species-context")]
    assert "species_context_qualifier: NCBITaxon:10090" in issues[0][2]


def test_a_wrong_species_qualifier_is_reported() -> None:
    edge = MOUSE_EDGE.replace("10090", "10116")
    issues = page(MOUSE_REF, "In mice BACH1 represses [[FTH1]] [@m].\n", edge)
    assert kinds(issues) == ["species-context"]


def test_a_sentence_resting_on_mouse_data_must_say_so() -> None:
    issues = page(MOUSE_REF, "Intro.\n\nBACH1 represses [[FTH1]] [@m].\n", MOUSE_EDGE)
    assert [(line, kind) for line, kind, _ in issues] == [(16, "species-context")]


def test_a_sentence_citing_human_data_too_needs_no_species_word() -> None:
    body = "BACH1 represses [[FTH1]] [@m; @a].\n"
    assert page(MOUSE_REF + HUMAN_REF, body, MOUSE_EDGE) == []


def test_an_edge_whose_reference_declares_no_species_is_reported() -> None:
    ref = '- id: m\n  PMID: "31740582"\n'
    edge = "- predicate: biolink:regulates\n  object: HGNC:3976\n  publications: [m]\n"
    issues = page(ref, "BACH1 represses [[FTH1]] [@m].\n", edge)
    assert kinds(issues) == ["species-context"]
    assert "does not say which species" in issues[0][2]


def test_a_malformed_taxon_is_reported() -> None:
    ref = '- id: m\n  PMID: "31740582"\n  species: [mouse]\n'
    assert kinds(page(ref, "BACH1 binds heme [@m].\n")) == ["species-context"]


# --- self-reference ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "That claim from the earlier version of this page has been removed.",
        "No primary study addressing it was verified for this article, so no claim is made here.",
        "A study reporting altered BACH1 was not verified, so it is omitted.",
        "The case for NRF2 in motor neuron disease is summarised on the disease page.",
        "Expression in the human brain is therefore not described here.",
        "The sources cited here report no clinical trial.",
        "This was not covered by the verified sources.",
        "See the Alzheimer disease page for the amyloid cascade.",
        "The previous version of the article overstated the effect.",
        "Claims about BACH1 in Down syndrome brain were removed.",
        "This section summarises the evidence.",
    ],
)
def test_sentences_about_the_page_or_its_editing_are_reported(sentence: str) -> None:
    issues = page(HUMAN_REF, f"## Overview\n\n{sentence} [@a]\n")
    assert [(line, kind) for line, kind, _ in issues] == [(11, "self-reference")]


@pytest.mark.parametrize(
    "sentence",
    [
        "The N-terminal tag was removed by TEV protease before the assay.",
        "An earlier version of the assay used radiolabelled heme.",
        "Exon 2 has been removed in the knockout allele.",
        "No clinical trial of a BACH1 inhibitor in a neurodegenerative disease has been reported.",
        "The heme-binding motifs were verified by mutagenesis.",
        "BACH1 binds the enhancers cited in earlier studies.",
        "The protein is expressed in this region of the hippocampus.",
    ],
)
def test_biology_that_shares_the_words_is_not_reported(sentence: str) -> None:
    assert page(HUMAN_REF, f"{sentence} [@a]\n") == []


def test_a_self_referential_summary_is_reported() -> None:
    text = (
        '---\nentity: HGNC:935\nsummary: "This page covers BACH1."\n'
        f"references:\n{HUMAN_REF}---\nClaim [@a].\n"
    )
    assert kinds(policy_issues(parse_page(text, "p.md"))) == ["self-reference"]


def test_code_blocks_are_not_prose() -> None:
    body = "Claim [@a].\n\n```mermaid\nflowchart LR\n  A[this page] --> B\n```\n"
    assert page(HUMAN_REF, body) == []


def test_the_lint_reports_policy_findings_with_the_page_path() -> None:
    text = (
        "---\nentity: HGNC:935\nreferences:\n- id: a\n  title: A\n"
        '  checked: "http://47.251.13.51:8081/1"\n---\nThis article is about BACH1 [@a].\n'
    )
    findings = lint_page(parse_page(text, "genes-bach1.md"), CTX, is_predicate=is_predicate)
    assert {(f.path, f.kind) for f in findings} == {
        ("genes-bach1.md", "reference-id"),
        ("genes-bach1.md", "reference-link"),
        ("genes-bach1.md", "self-reference"),
    }
