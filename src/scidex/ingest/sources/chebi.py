"""ChEBI: the chemicals the atlas speaks of, and their superclasses.

Reads ``CHEBI-ontology-2026-05-01.json.zst`` out of the pinned
cellxgene-ontology-guide wheel (format: :mod:`.ontology_guide`).

Which terms: ChEBI has 205,304 live terms, and every entity costs a page and
a search document; with all of them a full build took 171 s of CPU time and
1.55 GB at its peak, against 117 s and 1.28 GB with the 57,805 kept here. So
the build keeps the terms that

- carry a ChEBI definition (the entries ChEBI's curators annotated: hemin,
  dimethyl fumarate, dopamine, curcumin, ...),
- are named by a curated page (a ``CHEBI:`` id anywhere in it, or a wikilink
  target or curated edge object spelled as the term's ChEBI name),
- or are listed in :data:`ALWAYS` (heme, hemin, dimethyl fumarate),

and every ancestor of those, so each kept chemical's superclasses up to
"chemical entity" are there too. The rest are counted under
``stats["not_selected"]``; an edge another source makes to one of them is
dropped and counted by the build.

Every live term under ``CHEBI:24431`` (chemical entity) or ``CHEBI:36342``
(subatomic particle) is a ``biolink:ChemicalEntity``; the terms under
``CHEBI:50906`` (role: "antioxidant", "neuroprotective agent") describe what
a chemical does, not a chemical, and are ``biolink:ChemicalRole``.
Deprecated ids (ChEBI's merged secondary ids) are counted under
``stats["deprecated_terms"]``.

This release is ChEBI lite: names, definitions and ``is_a``, without
synonyms or cross-references. ChEBI relates a chemical to its superclasses by
``is_a`` only (has_role, is_conjugate_base_of and the like are not in the
file's ancestors), so each direct parent is a ``biolink:subclass_of`` edge.
Definitions carry ChEBI's inline HTML (``<i>R</i>``, ``H<sub>2</sub>O``,
links); it is reduced to its text.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from scidex.config import Settings
from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.ontology_guide import Plan, Term, read_terms
from scidex.ingest.sources.ontology_guide import records as ontology_records
from scidex.kg.model import Edge, Entity
from scidex.wiki.content import load_pages
from scidex.wiki.links import parse_wikilink

log = logging.getLogger(__name__)

MEMBER = "cellxgene_ontology_guide/data/CHEBI-ontology-2026-05-01.json.zst"
INFORES = "infores:chebi"
CHEMICAL = "biolink:ChemicalEntity"
ROLE_CATEGORY = "biolink:ChemicalRole"
PREDICATE = "biolink:subclass_of"
ROLE = "CHEBI:50906"
ID_PATTERN = re.compile(r"^CHEBI:[1-9][0-9]*$")
# Kept whatever the pages say: heme, hemin, dimethyl fumarate.
ALWAYS = frozenset({"CHEBI:30413", "CHEBI:50385", "CHEBI:76004"})

# The inline markup of ChEBI definitions (with attributes, for <a href=...>).
_MARKUP = re.compile(r"</?(?:a|b|em|i|small|stereo|strong|sub|sup|u)(?:\s[^<>]*)?>")
_SPACES = re.compile(r"\s+")
_CHEBI_ID = re.compile(r"\bCHEBI:([1-9][0-9]*)\b", re.IGNORECASE)
_WIKILINK = re.compile(r"\[\[([^\[\]|]+(?:\|[^\[\]]*)?)\]\]")


def plain_text(definition: str) -> str:
    """``The <i>R</i>-enantiomer`` -> ``The R-enantiomer``."""
    return _SPACES.sub(" ", _MARKUP.sub("", definition)).strip()


def category(term: Term) -> str:
    return ROLE_CATEGORY if term.has_ancestor_or_is(ROLE) else CHEMICAL


@dataclass(frozen=True, slots=True)
class Selection:
    """The ChEBI terms the build keeps (with their ancestors): see the module docstring."""

    ids: frozenset[str] = ALWAYS
    names: frozenset[str] = frozenset()  # casefolded
    defined: bool = True  # keep every term with a definition

    def __call__(self, term: Term) -> bool:
        return (
            (self.defined and term.description is not None)
            or term.id in self.ids
            or term.label.casefold() in self.names
        )


def page_mentions(directory: Path) -> Selection:
    """The ChEBI ids and the link and edge targets the curated pages in ``directory`` name."""
    ids: set[str] = set(ALWAYS)
    names: set[str] = set()
    if not directory.is_dir():
        return Selection(frozenset(ids))
    for page in load_pages(directory):
        texts = [page.entity, page.markdown, *(e.object for e in page.curated_edges)]
        for text in texts:
            ids.update(f"CHEBI:{n}" for n in _CHEBI_ID.findall(text))
        for match in _WIKILINK.finditer(page.markdown):
            if (link := parse_wikilink(match.group(1))) is not None:
                names.add(link.target.casefold())
        names.update(e.object.casefold() for e in page.curated_edges if ":" not in e.object)
    return Selection(frozenset(ids), frozenset(names))


def parse(
    archive: Path,
    release_id: str,
    *,
    stats: Counter[str] | None = None,
    content_dir: Path | None = None,
) -> Iterator[Entity | Edge]:
    """Yield the selected ChEBI terms, then their ``subclass_of`` edges.

    ``content_dir``: the curated pages whose chemicals are kept (default: the
    build's, ``SCIDEX_CONTENT_DIR``).
    """
    selection = page_mentions(content_dir or Settings.from_env().content_dir)
    terms = read_terms(archive, MEMBER, ID_PATTERN)
    yield from records(terms, release_id, selection=selection, stats=stats)


def records(
    terms: Iterable[Term],
    release_id: str,
    *,
    selection: Selection | None = None,
    stats: Counter[str] | None = None,
) -> Iterator[Entity | Edge]:
    """The records of already decoded ChEBI ``terms``; every live one without ``selection``."""
    stats = Counter() if stats is None else stats
    plan = Plan(
        infores=INFORES,
        predicate=PREDICATE,
        classify=category,
        describe=plain_text,
        select=selection,
    )
    yield from ontology_records(terms, plan, release_id, stats)
    log.info("chebi %s: %s", release_id, dict(sorted(stats.items())))


SOURCE = PinnedSource("chebi", parse)
