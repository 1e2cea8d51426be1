"""The reference policy of curated pages, checked by the lint (and so at every save).

- ``reference-id``: every reference carries a PMID or a DOI; a PMCID, when
  given, is spelled ``PMC<digits>``.
- ``reference-link``: a link in a reference (``checked``, ``URL``, any other
  URL-valued field) goes to PubMed, PMC, doi.org or a publisher's own site,
  over https: never an IP address, a proxy, a mirror or a staging host.
- ``retracted-citation``: no reference is a retracted paper (the caller
  passes the retracted PMIDs among the page's references).
- ``species-context``: a reference that backs a curated edge says which
  organism its data come from (``species``, NCBITaxon CURIEs); an edge all
  of whose references rest on non-human data carries a
  ``species_context_qualifier`` naming that organism; a sentence whose
  citations are all non-human names the organism in words.
- ``self-reference``: no sentence speaks of the page itself or its editing
  ("this article", "an earlier version of this page", "no claim is made
  here"): a page states what is known about its subject and cites it.

Each check yields ``(line, kind, message)``; the lint turns them into findings.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping, Set
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scidex.wiki.citations import normalize_pmid
from scidex.wiki.content import CuratedPage

Issue = tuple[int, str, str]

KINDS = frozenset(
    {
        "reference-id",
        "reference-link",
        "retracted-citation",
        "species-context",
        "self-reference",
    }
)

# Hosts a reference may link to: the literature databases and the resolver
# everyone can reach, then publishers' own sites (a host matches its domain
# and every subdomain of it). A publisher missing here is added here, once.
LITERATURE_HOSTS = frozenset(
    {"pubmed.ncbi.nlm.nih.gov", "pmc.ncbi.nlm.nih.gov", "doi.org", "dx.doi.org"}
)
# www.ncbi.nlm.nih.gov serves PMC under /pmc/ (and much else that is not a paper).
NCBI_PMC = ("www.ncbi.nlm.nih.gov", "/pmc/")
PUBLISHER_DOMAINS = frozenset(
    {
        "aacrjournals.org",
        "academic.oup.com",
        "acs.org",
        "ahajournals.org",
        "alzheimersanddementia.com",
        "annualreviews.org",
        "asm.org",
        "biologists.com",
        "biomedcentral.com",
        "bmj.com",
        "cambridge.org",
        "cell.com",
        "cshlp.org",
        "elifesciences.org",
        "embopress.org",
        "frontiersin.org",
        "iospress.com",
        "jamanetwork.com",
        "jbc.org",
        "jci.org",
        "jneurosci.org",
        "jstage.jst.go.jp",
        "karger.com",
        "liebertpub.com",
        "lww.com",
        "mdpi.com",
        "nature.com",
        "nejm.org",
        "neurology.org",
        "physiology.org",
        "plos.org",
        "pnas.org",
        "portlandpress.com",
        "rupress.org",
        "science.org",
        "sciencedirect.com",
        "sciencemag.org",
        "springer.com",
        "tandfonline.com",
        "thelancet.com",
        "wiley.com",
    }
)
# Never a reference link, even under an allowed domain: copies of papers on
# other sites, proxies that wrap a real address, pre-release servers.
MIRROR_HOSTS = frozenset(
    {
        "app.altruwe.org",
        "dokumen.tips",
        "friendlywiki.com",
        "pdfslide.tips",
        "suppr.wilddata.cn",
        "wikidoc.org",
        "sci-hub.se",
        "libgen.rs",
    }
)
_DENIED_WORDS = ("staging", "proxy", "mirror", "sci-hub", "libgen", "webcache", "translate.goog")
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_PMCID = re.compile(r"^PMC\d+$")


def _host_in(host: str, domains: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def link_problem(url: str) -> str | None:
    """Why ``url`` may not be a reference link, or ``None`` when it may."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return f"{url!r} is not a valid URL"
    if not host:
        return f"{url!r} has no host"
    try:
        ipaddress.ip_address(host)
        return f"{url} links to an IP address, not to the paper's publisher or database"
    except ValueError:
        pass
    if _host_in(host, MIRROR_HOSTS):
        return f"{url} links to a copy of the paper on {host}, not to its source"
    if any(word in host for word in _DENIED_WORDS):
        return f"{url} links to a proxy, mirror or staging host ({host})"
    if any(k.lower() == "url" for k in parse_qs(parts.query)):
        return f"{url} wraps another address (a proxy link)"
    if "external-ref" in parts.path or "access_num" in parts.query:
        return f"{url} is a link resolver on {host}, not the paper's own page"
    if parts.scheme.lower() != "https":
        return f"{url} is not https"
    if port is not None and port != 443:
        return f"{url} names a port ({port}); link the public site"
    allowed = (
        host in LITERATURE_HOSTS
        or (host == NCBI_PMC[0] and parts.path.startswith(NCBI_PMC[1]))
        or _host_in(host, PUBLISHER_DOMAINS)
    )
    if not allowed:
        return f"{url}: {host} is not PubMed, PMC, doi.org or a publisher's site"
    return None


def _urls(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from _URL.findall(value)
    elif isinstance(value, list):
        for item in value:
            yield from _urls(item)


def reference_issues(page: CuratedPage, retracted: Set[str] = frozenset()) -> Iterator[Issue]:
    """``reference-id``, ``reference-link`` and ``retracted-citation`` for every reference."""
    for key, ref in page.references.items():
        line = page.reference_lines.get(key, 1)
        if not ref.get("PMID") and not ref.get("DOI"):
            yield line, "reference-id", f"reference {key!r} has neither a PMID nor a DOI"
        pmcid = ref.get("PMCID")
        if pmcid is not None and not _PMCID.match(str(pmcid).strip()):
            yield line, "reference-id", f"reference {key!r}: PMCID {pmcid!r} is not PMC<digits>"
        for name, value in ref.items():
            if name in ("title", "supports"):
                continue
            for url in _urls(value):
                problem = link_problem(url)
                if problem:
                    yield line, "reference-link", f"reference {key!r} ({name}): {problem}"
        pmid = normalize_pmid(ref.get("PMID"))
        if pmid and pmid in retracted:
            yield (
                line,
                "retracted-citation",
                f"reference {key!r} (PMID {pmid}) is a retracted publication",
            )


# --- species ---------------------------------------------------------------

HUMAN = "NCBITaxon:9606"
# The words a sentence uses to say which organism its evidence is from.
SPECIES_WORDS: dict[str, tuple[str, ...]] = {
    HUMAN: ("human", "humans", "patient", "patients", "people", "person", "individuals"),
    "NCBITaxon:10090": ("mouse", "mice", "murine"),
    "NCBITaxon:10116": ("rat", "rats"),
    "NCBITaxon:10029": ("hamster", "hamsters", "CHO"),
    "NCBITaxon:9544": ("macaque", "macaques", "monkey", "monkeys", "rhesus"),
    "NCBITaxon:9541": ("macaque", "macaques", "monkey", "monkeys", "cynomolgus"),
    "NCBITaxon:9913": ("bovine", "cow", "cattle"),
    "NCBITaxon:9823": ("pig", "pigs", "porcine"),
    "NCBITaxon:9615": ("dog", "dogs", "canine"),
    "NCBITaxon:9031": ("chicken", "chick", "avian"),
    "NCBITaxon:8355": ("Xenopus", "frog", "frogs"),
    "NCBITaxon:7955": ("zebrafish",),
    "NCBITaxon:7227": ("Drosophila", "fly", "flies"),
    "NCBITaxon:6239": ("elegans", "Caenorhabditis", "nematode", "nematodes", "worm", "worms"),
    "NCBITaxon:4932": ("yeast",),
    "NCBITaxon:559292": ("yeast",),
    "NCBITaxon:4896": ("yeast", "pombe"),
}
_TAXON = re.compile(r"^NCBITaxon:\d+$")
QUALIFIER = "species_context_qualifier"


def reference_species(ref: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The NCBITaxon CURIEs of a reference's ``species``; ``None`` when it declares none."""
    value = ref.get("species")
    if value is None or value == [] or value == "":
        return None
    items = value if isinstance(value, list) else [value]
    return tuple(str(v).strip() for v in items)


def _non_human(species: tuple[str, ...] | None) -> bool:
    return species is not None and HUMAN not in species


def species_issues(page: CuratedPage) -> Iterator[Issue]:
    """``species-context``: declared species, edge qualifiers, and the words in sentences."""
    declared: dict[str, tuple[str, ...] | None] = {}
    for key, ref in page.references.items():
        species = declared[key] = reference_species(ref)
        line = page.reference_lines.get(key, 1)
        for taxon in species or ():
            if not _TAXON.match(taxon):
                yield line, "species-context", f"reference {key!r}: {taxon!r} is not NCBITaxon:<id>"
    for edge in page.curated_edges:
        missing = [k for k in edge.publications if declared.get(k) is None]
        for key in missing:
            yield (
                edge.line,
                "species-context",
                f"reference {key!r} backs a curated edge but does not say which species its "
                "data come from (species: [NCBITaxon:...])",
            )
        if missing or not edge.publications:
            continue
        if all(_non_human(declared[k]) for k in edge.publications):
            taxa = {t for k in edge.publications for t in declared[k] or ()}
            stated = edge.qualifiers.get(QUALIFIER)
            if stated not in taxa:
                yield (
                    edge.line,
                    "species-context",
                    f"the edge to {edge.object} rests only on non-human data "
                    f"({', '.join(sorted(taxa))}): give it {QUALIFIER}: "
                    f"{'one of those' if len(taxa) > 1 else min(taxa)}",
                )
    for line, sentence in _sentences(page):
        keys = [k for k in _cited(sentence) if k in declared]
        if not keys or not all(_non_human(declared[k]) for k in keys):
            continue
        taxa = {t for k in keys for t in declared[k] or ()}
        words = {w.casefold() for t in taxa for w in SPECIES_WORDS.get(t, ())}
        said = {w.casefold() for w in re.findall(r"[A-Za-z]+", _plain(sentence))}
        if words and not words & said:
            yield (
                line,
                "species-context",
                "this sentence cites only non-human data "
                f"({', '.join(sorted(taxa))}) but does not name the organism",
            )


# --- sentences about the page itself ------------------------------------------

# Each pattern names the page, its versions or its editing: things a reader of
# an encyclopedia article is never told. Kept narrow so that biology that
# happens to use the same words ("the tag was removed", "an earlier version of
# the assay") is not caught; tests hold examples of both.
SELF_REFERENCE = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bthis (?:page|article|entry|wiki|section)\b",
        r"\b(?:earlier|previous|prior|older|first) (?:version|revision|draft)s? of (?:this|the) "
        r"(?:page|article|entry|text)\b",
        r"\b(?:on|in|see) the (?:[\w-]+ ){1,3}page\b",
        r"\bclaims? (?:\w+ ){0,6}(?:has|have|was|were|is|are) (?:been )?"
        r"(?:removed|deleted|dropped|withdrawn)\b",
        r"\b(?:was|were|is|are|has|have|had) (?:not )?(?:been )?verified for\b",
        r"\b(?:was|were|could|has|have) not (?:been )?verified\b",
        r"\bno claims? (?:is|are) made\b",
        r"\b(?:not|therefore not) (?:described|covered|discussed|stated|included) here\b",
        r"\b(?:the )?sources? cited here\b",
        r"\b(?:the )?verified sources?\b",
        r"\b(?:this|the last|a later) (?:edit|revision)\b",
    )
)


def self_reference_issues(page: CuratedPage) -> Iterator[Issue]:
    """``self-reference``: sentences of the body (and the summary) about the page itself."""
    texts: list[tuple[int, str]] = []
    if page.summary:
        texts.append((1, page.summary))
    texts += _prose_lines(page)
    for line, text in texts:
        plain = _plain(text)
        for pattern in SELF_REFERENCE:
            found = pattern.search(plain)
            if found:
                yield (
                    line,
                    "self-reference",
                    f"{found[0]!r}: state what is known about the subject (with a citation), "
                    "not what the page does or once said",
                )
                break


# --- text helpers ----------------------------------------------------------------

_CITE = re.compile(r"\[@[^\[\]\n]*\]")
_CITE_KEY = re.compile(r"@([^\s;@\[\]]+)")
_WIKILINK = re.compile(r"\[\[([^\[\]|]*)(?:\|([^\[\]]*))?\]\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def _plain(text: str) -> str:
    """Text as read: citations dropped, wikilinks as their labels, code spans removed."""
    text = _CITE.sub("", text)
    text = _WIKILINK.sub(lambda m: m[2] or m[1], text)
    return re.sub(r"`[^`]*`", "", text)


def _cited(sentence: str) -> list[str]:
    return [k for c in _CITE.findall(sentence) for k in _CITE_KEY.findall(c)]


def _prose_lines(page: CuratedPage) -> Iterator[tuple[int, str]]:
    """Body lines outside fenced code, with their line numbers in the file."""
    fence: str | None = None
    for i, text in enumerate(page.markdown.splitlines()):
        stripped = text.lstrip()
        marker = stripped[:3]
        if fence is None and marker in ("```", "~~~"):
            fence = marker
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if stripped:
            yield page.body_line + i, text


def _sentences(page: CuratedPage) -> Iterator[tuple[int, str]]:
    for line, text in _prose_lines(page):
        if text.lstrip().startswith("#"):
            continue
        for sentence in _SENTENCE_END.split(text):
            yield line, sentence


def policy_issues(page: CuratedPage, retracted: Set[str] = frozenset()) -> list[Issue]:
    """Every reference-policy issue of ``page``."""
    return [
        *reference_issues(page, retracted),
        *species_issues(page),
        *self_reference_issues(page),
    ]
