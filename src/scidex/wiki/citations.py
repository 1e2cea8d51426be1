"""Citations: ``[@key]`` syntax and CSL-JSON formatting for popovers and the reference list.

References are CSL-JSON items keyed by citation key; two extra keys are
allowed: ``supports`` (the claim the reference is cited for) and ``checked``
(the URL where a curator verified it).

Markup produced (the web layer styles/scripts these classes):

- a citation: ``<sup class="cite"><a href="#ref-K" id="cite-K-N" data-ref="K"
  title="plain-text reference">[1]</a></sup>``; N counts the uses of K. The
  reference itself is written once, in the list: the page's script shows it as
  a popover on hover or focus (copied from ``#ref-K``), and without JS the
  ``title`` attribute carries the same text. A reference cited twenty times
  is not repeated twenty times in the page.
- an unknown key: ``<span class="cite-missing" data-ref="K">[@K?]</span>``.
- the list: ``<ol class="references"><li class="reference" id="ref-K">`` with
  ``ref-authors``, ``ref-year``, ``ref-title``, ``ref-journal``, ``ref-pmid``,
  ``ref-doi``, ``ref-supports``, ``ref-checked`` and ``ref-backlinks`` parts;
  references never cited come last with the extra class ``reference-uncited``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote

from markdown_it.rules_inline import StateInline

CslItem = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Citation:
    """A cited key, its number (order of first use) and how often the page cites it."""

    key: str
    number: int
    uses: int


MAX_AUTHORS = 3


def format_author(author: Mapping[str, Any]) -> str:
    """``{family: Igarashi, given: Kazuhiko}`` -> ``Igarashi K`` (Vancouver style)."""
    literal = author.get("literal")
    if literal:
        return str(literal).strip()
    family = " ".join(
        str(part).strip()
        for part in (author.get("non-dropping-particle"), author.get("family"))
        if part
    )
    given = str(author.get("given") or "")
    initials = "".join(part[0].upper() for part in re.split(r"[\s.\-]+", given) if part)
    return f"{family} {initials}".strip()


def format_authors(authors: Sequence[Mapping[str, Any]], limit: int = MAX_AUTHORS) -> str:
    """``Igarashi K, Sun J``; more than ``limit`` authors end in ``et al.``."""
    # Only as many as are shown (and one to know there are more): author lists run to hundreds.
    names: list[str] = []
    for a in authors:
        if name := format_author(a):
            names.append(name)
            if len(names) > limit:
                break
    if len(names) > limit:
        return ", ".join(names[:limit]) + ", et al."
    return ", ".join(names)


def issued_year(item: CslItem) -> str | None:
    """The year from CSL ``issued`` (``date-parts``, or a ``raw``/``literal`` date)."""
    issued = item.get("issued")
    if isinstance(issued, Mapping):
        parts = issued.get("date-parts")
        if parts and isinstance(parts, Sequence) and parts[0]:
            return str(parts[0][0])
        issued = issued.get("raw") or issued.get("literal")
    if issued is None:
        return None
    found = re.search(r"\b\d{4}\b", str(issued))
    return found[0] if found else None


def container_title(item: CslItem) -> str | None:
    value = item.get("container-title")
    if isinstance(value, Sequence) and not isinstance(value, str):
        value = value[0] if value else None
    return str(value).strip() if value else None


def normalize_pmid(pmid: object) -> str | None:
    """``"PMID: 24362264"`` -> ``"24362264"``; ``None`` unless it is all digits."""
    text = str(pmid or "").strip().removeprefix("PMID:").strip()
    return text if text.isdigit() else None


def normalize_doi(doi: object) -> str | None:
    """Strip ``doi:`` / resolver prefixes; ``None`` unless it starts with ``10.``."""
    text = str(doi or "").strip()
    text = re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", text, flags=re.IGNORECASE)
    return text if text.startswith("10.") else None


def pubmed_url(pmid: object) -> str | None:
    value = normalize_pmid(pmid)
    return f"https://pubmed.ncbi.nlm.nih.gov/{value}/" if value else None


def doi_url(doi: object) -> str | None:
    value = normalize_doi(doi)
    # DOIs may hold '<', '#', '?' and spaces; percent-encode all but the path-safe set.
    return "https://doi.org/" + quote(value, safe="/:;()._-") if value else None


def _locator(item: CslItem) -> str:
    volume, issue, page = (str(item.get(k) or "").strip() for k in ("volume", "issue", "page"))
    text = volume + (f"({issue})" if issue else "")
    if page:
        text = f"{text}:{page}" if text else page
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def format_reference(item: CslItem) -> str:
    """One-line plain text: ``Igarashi K, Sun J (2014). Title. Journal 5(2):1-9. PMID 1.``"""
    parts: list[str] = []
    head = format_authors(item.get("author") or [])
    year = issued_year(item)
    if year:
        head = f"{head} ({year})" if head else f"({year})"
    if head:
        parts.append(_sentence(head))
    if item.get("title"):
        parts.append(_sentence(str(item["title"])))
    journal = " ".join(filter(None, (container_title(item), _locator(item))))
    if journal:
        parts.append(_sentence(journal))
    if pmid := normalize_pmid(item.get("PMID")):
        parts.append(f"PMID {pmid}.")
    if doi := normalize_doi(item.get("DOI")):
        parts.append(f"doi:{doi}")
    return " ".join(parts)


def reference_body_html(item: CslItem) -> str:
    """The formatted reference as HTML (shared by the popover and the list)."""
    out: list[str] = []
    authors = format_authors(item.get("author") or [])
    if authors:
        out.append(f'<span class="ref-authors">{escape(authors)}</span>')
    if year := issued_year(item):
        out.append(f'<span class="ref-year">({escape(year)})</span>')
    if out:
        out[-1] += "."
    if item.get("title"):
        out.append(f'<span class="ref-title">{escape(_sentence(str(item["title"])))}</span>')
    journal = container_title(item)
    locator = _locator(item)
    if journal or locator:
        text = f'<em class="ref-journal">{escape(journal)}</em>' if journal else ""
        out.append(" ".join(filter(None, (text, escape(locator)))) + ".")
    if url := pubmed_url(item.get("PMID")):
        pmid = normalize_pmid(item.get("PMID"))
        out.append(f'<a class="ref-pmid" href="{escape(url)}">PMID {pmid}</a>')
    if url := doi_url(item.get("DOI")):
        doi = normalize_doi(item.get("DOI")) or ""
        out.append(f'<a class="ref-doi" href="{escape(url)}">doi:{escape(doi)}</a>')
    return " ".join(out)


def _supports_html(item: CslItem) -> str:
    claim = item.get("supports")
    if not claim:
        return ""
    return f' <span class="ref-supports">Supports: {escape(str(claim))}</span>'


def ref_anchor(key: str) -> str:
    """A fragment-safe form of a citation key for ids and hrefs."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", key) or "ref"


def citation_title(item: CslItem) -> str:
    """The plain-text reference a citation shows as its tooltip (format once per key)."""
    title = format_reference(item)
    if item.get("supports"):
        title += f" Supports: {item['supports']}"
    return title


def citation_html(key: str, number: int, use: int, item: CslItem, title: str | None = None) -> str:
    """The numbered superscript for the ``use``-th citation of ``key``, linking its reference."""
    anchor = ref_anchor(key)
    title = citation_title(item) if title is None else title
    return (
        f'<sup class="cite"><a href="#ref-{anchor}" id="cite-{anchor}-{use}" '
        f'data-ref="{escape(key)}" title="{escape(title)}">[{number}]</a></sup>'
    )


def missing_citation_html(key: str) -> str:
    return (
        f'<span class="cite-missing" data-ref="{escape(key)}" '
        f'title="Unknown citation key: {escape(key)}">[@{escape(key)}?]</span>'
    )


def references_html(references: Mapping[str, CslItem], cited: Sequence[tuple[str, int]]) -> str:
    """The numbered References list: cited keys by number, then uncited ones.

    ``cited`` holds ``(key, uses)`` in citation-number order. Empty when there
    are no references at all, so a page never shows an empty References section.
    """
    items: list[str] = []
    cited_keys = set()
    for key, uses in cited:
        cited_keys.add(key)
        anchor = ref_anchor(key)
        backlinks = " ".join(
            f'<a class="ref-backlink" href="#cite-{anchor}-{n}" '
            f'aria-label="Back to citation {n}">\u21a9</a>'
            for n in range(1, uses + 1)
        )
        items.append(
            _reference_li(key, references[key], "reference", backlinks),
        )
    for key, item in references.items():
        if key not in cited_keys:
            items.append(_reference_li(key, item, "reference reference-uncited", ""))
    if not items:
        return ""
    return '<ol class="references">\n' + "\n".join(items) + "\n</ol>\n"


def _reference_li(key: str, item: CslItem, css: str, backlinks: str) -> str:
    checked = str(item.get("checked") or "")
    checked_html = (
        f' <a class="ref-checked" href="{escape(checked)}">verified</a>'
        if checked.startswith(("https://", "http://"))
        else ""
    )
    back = f' <span class="ref-backlinks">{backlinks}</span>' if backlinks else ""
    return (
        f'<li class="{css}" id="ref-{ref_anchor(key)}" data-ref="{escape(key)}">'
        f"{reference_body_html(item)}{_supports_html(item)}{checked_html}{back}</li>"
    )


# `[@a]` or `[@a; @b]`: keys are anything but whitespace, ';', '@' and brackets,
# so odd keys (quotes and all) still parse and then show up as unknown, escaped.
_CITATION = re.compile(r"\[(@[^\[\]\n]*)\]")
_KEY = re.compile(r"@([^\s;@\[\]]+)")


def citation_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it inline rule: ``[@key; @key2]`` becomes a ``citation`` token."""
    if not state.src.startswith("[@", state.pos):
        return False
    match = _CITATION.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    # `[@handle](url)` is an ordinary link, not a citation.
    if state.src.startswith("(", match.end()) and match.end() < state.posMax:
        return False
    keys: list[str] = []
    for part in match[1].split(";"):
        key = _KEY.fullmatch(part.strip())
        if key is None:
            return False
        keys.append(key[1])
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"keys": keys, "offset": state.pos}
    state.pos = match.end()
    return True
