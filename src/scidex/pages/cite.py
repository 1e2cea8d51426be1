"""Citation formats for an artifact at one version: text, BibTeX, RIS and CSL-JSON.

Every format cites the version-pinned permanent link (``{base}/artifact/{id}?version={n}``),
so a citation keeps pointing at the exact content it was made from; the content
hash goes into the note so a reader can check it. The date of the cited version
(``updated``) is the publication date; ``created`` is the artifact's first version.

Pure functions, no I/O: the web layer builds a ``CitationRecord`` from the store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple
from urllib.parse import quote

__all__ = [
    "FORMATS",
    "CitationRecord",
    "CiteFormat",
    "bibtex_escape",
    "citation_key",
    "csl_type",
    "permalink",
    "to_bibtex",
    "to_csl_json",
    "to_csl_json_text",
    "to_ris",
    "to_text",
]

PUBLISHER = "SciDEX Atlas"

# Artifact types that are data rather than prose; everything else is a web page.
_DATASET_TYPES = frozenset({"dataset", "kg_edge", "kg_subgraph", "table"})


@dataclass(kw_only=True, slots=True)
class CitationRecord:
    """What a citation of one artifact version says.

    ``url`` is the version-pinned permanent link (see ``permalink``);
    ``authors`` are people or agent names, cited as given (never re-ordered
    into family/given parts); dates are ISO ``YYYY-MM-DD`` (a longer ISO
    timestamp is cut to its date).
    """

    artifact_id: str
    title: str
    version: int
    url: str
    authors: list[str] = field(default_factory=list)
    publisher: str = PUBLISHER
    created: str
    updated: str
    accessed: str
    content_hash: str = ""
    artifact_type: str = "wiki_page"


class CiteFormat(NamedTuple):
    """A downloadable citation format: ``render(record)`` returns the file's text."""

    media_type: str
    extension: str
    render: Callable[[CitationRecord], str]


def permalink(base_url: str, artifact_id: str, version: int) -> str:
    """``{base}/artifact/{id}?version={n}``, the id percent-encoded as a path segment."""
    return f"{base_url.rstrip('/')}/artifact/{quote(artifact_id, safe='')}?version={version}"


def csl_type(record: CitationRecord) -> str:
    """CSL item type: ``dataset`` for data artifacts, else ``webpage``.

    CSL 1.0.2 defines ``webpage`` as "a website or page on a website" (a wiki
    page, read in a browser) and ``dataset`` as "a recorded data set" (KG
    edges, tables, exported graphs).
    """
    return "dataset" if record.artifact_type in _DATASET_TYPES else "webpage"


def _date(iso: str) -> date:
    return date.fromisoformat(iso[:10])


def _ascii_only(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def citation_key(record: CitationRecord) -> str:
    """A BibTeX/RIS key: ``scidex-<id>-v<n>``, reduced to ASCII letters, digits and '-'."""
    return f"scidex-{_ascii_only(record.artifact_id) or 'artifact'}-v{record.version}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- formatted text ---------------------------------------------------------


def _join_authors(names: list[str]) -> str:
    names = [_one_line(n) for n in names if n.strip()]
    if len(names) <= 2:
        return " & ".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def to_text(record: CitationRecord) -> str:
    """An APA-like reference:

    ``Authors (Year). Title (version N). SciDEX Atlas. URL (accessed YYYY-MM-DD)``.
    Without authors the title moves to the front, as APA does for works without one.
    """
    year = _date(record.updated).year
    title = _one_line(record.title)
    work = f"{title} (version {record.version})"
    authors = _join_authors(record.authors)
    lead = f"{authors} ({year}). {work}." if authors else f"{work}. ({year})."
    accessed = _date(record.accessed).isoformat()
    return f"{lead} {_one_line(record.publisher)}. {record.url} (accessed {accessed})"


# --- BibTeX -----------------------------------------------------------------

# BibTeX counts braces without regard to backslashes, so '\{' would unbalance a
# field: braces become text-mode macros instead. Each replacement is a LaTeX
# command every LaTeX2e kernel knows, wrapped in braces so that a following
# letter cannot run into the command name.
_BIBTEX_ESCAPES = {
    "\\": r"{\textbackslash}",
    "{": r"{\textbraceleft}",
    "}": r"{\textbraceright}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"{\textasciitilde}",
    "^": r"{\textasciicircum}",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _BIBTEX_ESCAPES))


def bibtex_escape(text: str) -> str:
    """Plain text as a BibTeX field value (UTF-8 kept as is: biber and bibtex8 read it)."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES[m[0]], _one_line(text))


def _bibtex_url(url: str) -> str:
    # url fields are verbatim for biblatex/hyperref; only braces (which BibTeX
    # counts), backslashes and whitespace need percent-encoding.
    return quote(url, safe="/:?=&%#@!$'()*+,;~-._^[]|`\"<>")


def to_bibtex(record: CitationRecord) -> str:
    """A ``@misc`` entry with ``url``, ``urldate``, ``version`` and a note naming both.

    Author names are braced, so BibTeX keeps each as one literal name (agent
    names and organisations must not be split into given and family names).
    The title is double-braced so styles do not lower-case gene symbols.
    """
    updated = _date(record.updated)
    authors = " and ".join("{" + bibtex_escape(a) + "}" for a in record.authors if a.strip())
    note = f"Version {record.version}"
    if record.content_hash:
        note += f"; content hash {record.content_hash}"
    fields: list[tuple[str, str]] = []
    if authors:
        fields.append(("author", authors))
    fields += [
        ("title", "{" + bibtex_escape(record.title) + "}"),
        ("howpublished", bibtex_escape(record.publisher)),
        ("publisher", bibtex_escape(record.publisher)),
        ("year", str(updated.year)),
        ("month", _MONTHS[updated.month - 1]),
        ("version", str(record.version)),
        ("url", _bibtex_url(record.url)),
        ("urldate", _date(record.accessed).isoformat()),
        ("note", bibtex_escape(note)),
    ]
    body = ",\n".join(
        # month is BibTeX's own macro (jan..dec), unbraced, so every style can name it.
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
    )
    return f"@misc{{{citation_key(record)},\n{body}\n}}\n"


# --- RIS --------------------------------------------------------------------


def _ris_date(iso: str) -> str:
    d = _date(iso)
    return f"{d.year:04d}/{d.month:02d}/{d.day:02d}/"


def to_ris(record: CitationRecord) -> str:
    """An RIS record (``TY  - ELEC`` or ``DATA``), CRLF line ends as the RIS spec asks."""
    kind = "DATA" if csl_type(record) == "dataset" else "ELEC"
    lines = [("TY", kind), ("ID", citation_key(record))]
    lines += [("AU", _one_line(a)) for a in record.authors if a.strip()]
    lines += [
        ("TI", _one_line(record.title)),
        ("PY", str(_date(record.updated).year)),
        ("DA", _ris_date(record.updated)),
        ("ET", f"version {record.version}"),
        ("PB", _one_line(record.publisher)),
        ("UR", _one_line(record.url)),
        ("Y2", _ris_date(record.accessed)),
    ]
    note = f"Version {record.version}"
    if record.content_hash:
        note += f"; content hash {record.content_hash}"
    lines.append(("N1", note))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


# --- CSL-JSON ---------------------------------------------------------------


def _csl_date(iso: str) -> dict[str, Any]:
    d = _date(iso)
    return {"date-parts": [[d.year, d.month, d.day]]}


def to_csl_json(record: CitationRecord) -> list[dict[str, Any]]:
    """A CSL-JSON data file: a list holding one item, authors as ``literal`` names."""
    item: dict[str, Any] = {
        "id": citation_key(record),
        "type": csl_type(record),
        "title": _one_line(record.title),
        "author": [{"literal": _one_line(a)} for a in record.authors if a.strip()],
        "issued": _csl_date(record.updated),
        "accessed": _csl_date(record.accessed),
        "URL": _one_line(record.url),
        "version": str(record.version),
        "publisher": _one_line(record.publisher),
    }
    if item["type"] == "webpage":
        item["container-title"] = _one_line(record.publisher)  # the website's name
    if not item["author"]:
        del item["author"]
    if record.content_hash:
        item["note"] = f"content hash {record.content_hash}"
    return [item]


def to_csl_json_text(record: CitationRecord) -> str:
    """``to_csl_json`` serialised, UTF-8 kept readable."""
    return json.dumps(to_csl_json(record), ensure_ascii=False, indent=2) + "\n"


FORMATS: dict[str, CiteFormat] = {
    "text": CiteFormat("text/plain; charset=utf-8", "txt", to_text),
    "bibtex": CiteFormat("application/x-bibtex; charset=utf-8", "bib", to_bibtex),
    "ris": CiteFormat("application/x-research-info-systems; charset=utf-8", "ris", to_ris),
    "csl-json": CiteFormat("application/vnd.citationstyles.csl+json", "json", to_csl_json_text),
}
"""Format name -> (media type, file extension, render function returning the file's text)."""
