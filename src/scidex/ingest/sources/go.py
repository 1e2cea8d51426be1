"""The Gene Ontology from Bioconductor's GO.db, read out of the Debian package.

The .deb holds ``GO.sqlite``, built from go-basic.obo of 2022-07-01. It yields
an :class:`Entity` per current GO term, then the term-to-parent edges of the
``go_{bp,mf,cc}_parents`` tables (direct parents only; the ``*_offspring``
tables are the transitive closure and are not read).

go-basic has only is_a, part_of and the three regulates relations, so those
are all the parents tables hold. GO.db adds a pseudo-term ``all`` (ontology
``universal``) as parent of the three roots; it is no GO term and is skipped
with its edges. Obsolete terms live in their own table ``go_obsolete``; they
have no parents and are skipped too (:func:`obsolete_count` tells how many).
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Generator, Iterator
from contextlib import closing
from pathlib import Path

from scidex.ingest.sources.archive import member_as_file
from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.model import Edge, Entity

MEMBER = "GO.db/extdata/GO.sqlite"
PRIMARY_SOURCE = "infores:go"

CATEGORIES: dict[str, str] = {
    "BP": "biolink:BiologicalProcess",
    "MF": "biolink:MolecularActivity",
    "CC": "biolink:CellularComponent",
}
NAMESPACES: dict[str, str] = {
    "BP": "biological_process",
    "MF": "molecular_function",
    "CC": "cellular_component",
}
# relationship_type as GO.db spells it -> (Biolink predicate, qualifiers).
RELATIONS: dict[str, tuple[str, dict[str, str]]] = {
    "isa": ("biolink:subclass_of", {}),
    "part of": ("biolink:part_of", {}),
    "regulates": ("biolink:regulates", {}),
    "negatively regulates": ("biolink:regulates", {"direction": "negative"}),
    "positively regulates": ("biolink:regulates", {"direction": "positive"}),
}
UNIVERSAL = "all"  # GO.db's pseudo-root above the three ontologies

_GO_ID = re.compile(r"^GO:[0-9]{7}$")


def parse(archive: Path, release_id: str) -> Iterator[Entity | Edge]:
    """Yield every current GO term as an Entity, then every parent edge.

    Entity: ``id`` ``GO:nnnnnnn``; ``category`` by ontology; ``name`` = the
    term label; ``description`` = its definition (None where GO has none);
    ``synonyms`` = the synonym labels; ``attributes`` = ``namespace``
    (``biological_process`` ...) and, when the term merged others,
    ``alt_ids`` (their former GO ids, which GO.db files among the synonyms).
    """
    archive = Path(archive)
    with member_as_file(archive, MEMBER) as db, closing(_connect(db)) as con:
        where = f"{archive.name}!{MEMBER}"
        terms = yield from _entities(con, where, release_id)
        yield from _edges(con, where, release_id, terms)


SOURCE = PinnedSource("go", parse)


def obsolete_count(archive: Path) -> int:
    """How many obsolete GO terms the archive holds (they are not parsed)."""
    with member_as_file(Path(archive), MEMBER) as db, closing(_connect(db)) as con:
        (n,) = con.execute("SELECT COUNT(*) FROM go_obsolete").fetchone()
        return int(n)


def _connect(db: Path) -> sqlite3.Connection:
    # immutable=1: a private temporary copy, so SQLite may skip locking.
    return sqlite3.connect(f"{db.as_uri()}?mode=ro&immutable=1", uri=True)


def _synonyms(
    con: sqlite3.Connection, where: str
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Map term row id -> synonym labels, and -> secondary (merged) GO ids."""
    names: dict[int, list[str]] = defaultdict(list)
    alt_ids: dict[int, list[str]] = defaultdict(list)
    rows = con.execute(
        "SELECT rowid, _id, synonym, secondary, like_go_id FROM go_synonym ORDER BY rowid"
    )
    for rowid, tid, synonym, secondary, like_go_id in rows:
        row = f"go_synonym rowid {rowid}"
        if like_go_id == 1:
            # A secondary id is an identifier, not a name: GO.db stores it in
            # both columns.
            if not isinstance(secondary, str) or not _GO_ID.match(secondary):
                raise SourceFormatError(where, row, "secondary", f"bad GO id {secondary!r}")
            alt_ids[tid].append(secondary)
        elif like_go_id == 0:
            if not isinstance(synonym, str) or not synonym.strip():
                raise SourceFormatError(where, row, "synonym", f"empty synonym {synonym!r}")
            names[tid].append(synonym)
        else:
            raise SourceFormatError(
                where, row, "like_go_id", f"expected 0 or 1, got {like_go_id!r}"
            )
    return names, alt_ids


def _entities(
    con: sqlite3.Connection, where: str, release_id: str
) -> Generator[Entity, None, dict[int, str]]:
    """Yield the terms; return the map term row id -> GO id (the ``all`` root excluded)."""
    names, alt_ids = _synonyms(con, where)
    terms: dict[int, str] = {}
    rows = con.execute("SELECT _id, go_id, term, ontology, definition FROM go_term ORDER BY go_id")
    for tid, go_id, term, ontology, definition in rows:
        row = f"go_term _id {tid}"
        if go_id == UNIVERSAL and ontology == "universal":
            continue
        if not isinstance(go_id, str) or not _GO_ID.match(go_id):
            raise SourceFormatError(where, row, "go_id", f"bad GO id {go_id!r}")
        if ontology not in CATEGORIES:
            raise SourceFormatError(where, row, "ontology", f"unknown ontology {ontology!r}")
        if not isinstance(term, str) or not term.strip():
            raise SourceFormatError(where, row, "term", f"{go_id} has no label")
        terms[tid] = go_id
        attributes: dict[str, object] = {"namespace": NAMESPACES[ontology]}
        if alts := alt_ids.get(tid):
            attributes["alt_ids"] = sorted(set(alts))
        # The same label can appear twice (as exact and as related synonym in
        # the OBO file; GO.db drops the scope): keep the first.
        synonyms = tuple(s for s in dict.fromkeys(names.get(tid, ())) if s != term)
        yield Entity(
            id=go_id,
            category=CATEGORIES[ontology],
            name=term,
            description=definition or None,
            synonyms=synonyms,
            attributes=attributes,
            source_release=release_id,
        )
    return terms


def _edges(
    con: sqlite3.Connection, where: str, release_id: str, terms: dict[int, str]
) -> Iterator[Edge]:
    (universal,) = con.execute(
        "SELECT COALESCE(MAX(_id), -1) FROM go_term WHERE go_id = ?", (UNIVERSAL,)
    ).fetchone()
    for table in ("go_bp_parents", "go_mf_parents", "go_cc_parents"):
        rows = con.execute(
            f"SELECT rowid, _id, _parent_id, relationship_type FROM {table} ORDER BY rowid"
        )
        for rowid, child, parent, relationship in rows:
            row = f"{table} rowid {rowid}"
            if parent == universal:
                continue
            if relationship not in RELATIONS:
                raise SourceFormatError(
                    where, row, "relationship_type", f"unknown relation {relationship!r}"
                )
            if child not in terms:
                raise SourceFormatError(where, row, "_id", f"no GO term with _id {child}")
            if parent not in terms:
                raise SourceFormatError(where, row, "_parent_id", f"no GO term with _id {parent}")
            predicate, qualifiers = RELATIONS[relationship]
            yield Edge(
                subject=terms[child],
                predicate=predicate,
                object=terms[parent],
                primary_knowledge_source=PRIMARY_SOURCE,
                knowledge_level="knowledge_assertion",
                agent_type="manual_agent",
                qualifiers=dict(qualifiers),
                source_release=release_id,
            )
