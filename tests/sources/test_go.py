"""The Gene Ontology from GO.db: checked against the package's own SQLite file.

Fast tests run the parser on a small .deb built here; the slow ones parse the
real pinned archive and compare a random sample of terms with direct queries.
"""

from __future__ import annotations

import io
import random
import sqlite3
import tarfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from scidex.ingest.sources import go
from scidex.ingest.sources.archive import member_as_file
from scidex.ingest.sources.errors import SourceFormatError
from scidex.ingest.sources.fetch import load_manifest
from scidex.kg.model import Edge, Entity

RELEASE = "go@2022-07"
CATEGORY = {
    "BP": "biolink:BiologicalProcess",
    "MF": "biolink:MolecularActivity",
    "CC": "biolink:CellularComponent",
}
RELATION = {
    "isa": ("biolink:subclass_of", {}),
    "part of": ("biolink:part_of", {}),
    "regulates": ("biolink:regulates", {}),
    "negatively regulates": ("biolink:regulates", {"direction": "negative"}),
    "positively regulates": ("biolink:regulates", {"direction": "positive"}),
}


def make_deb(path: Path, member: str, content: bytes) -> Path:
    """Write a minimal Debian package (ar archive) whose data.tar.xz holds ``member``."""
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w:xz") as tf:
        info = tarfile.TarInfo(f"./{member}")
        info.size = len(content)
        tf.addfile(info, io.BytesIO(content))
    out = bytearray(b"!<arch>\n")
    for name, data in (
        (b"debian-binary", b"2.0\n"),
        (b"data.tar.xz", tar_bytes.getvalue()),
    ):
        out += name.ljust(16) + b"0".ljust(12) + b"0".ljust(6) + b"0".ljust(6)
        out += b"100644".ljust(8) + str(len(data)).encode().ljust(10) + b"`\n"
        out += data + (b"\n" if len(data) % 2 else b"")
    path.write_bytes(bytes(out))
    return path


_SCHEMA = """
CREATE TABLE go_term (_id INTEGER PRIMARY KEY, go_id CHAR(10) NOT NULL UNIQUE,
                      term TEXT NOT NULL, ontology TEXT NOT NULL, definition TEXT NULL);
CREATE TABLE go_obsolete (go_id CHAR(10) PRIMARY KEY, term TEXT NOT NULL,
                          ontology TEXT NOT NULL, definition TEXT NULL);
CREATE TABLE go_synonym (_id INTEGER NOT NULL, synonym TEXT NOT NULL, secondary CHAR(10) NULL,
                         like_go_id SMALLINT);
CREATE TABLE go_bp_parents (_id INTEGER NOT NULL, _parent_id INTEGER NOT NULL,
                            relationship_type TEXT NOT NULL);
CREATE TABLE go_mf_parents (_id INTEGER NOT NULL, _parent_id INTEGER NOT NULL,
                            relationship_type TEXT NOT NULL);
CREATE TABLE go_cc_parents (_id INTEGER NOT NULL, _parent_id INTEGER NOT NULL,
                            relationship_type TEXT NOT NULL);
"""


def small_archive(tmp_path: Path, extra_sql: str = "") -> Path:
    db = tmp_path / "GO.sqlite"
    with closing(sqlite3.connect(db)) as con:
        con.executescript(
            _SCHEMA
            + """
            INSERT INTO go_term VALUES
              (1, 'all', 'all', 'universal', NULL),
              (2, 'GO:0008150', 'biological_process', 'BP', 'A biological process.'),
              (3, 'GO:0006357', 'regulation of transcription by RNA polymerase II', 'BP', NULL),
              (4, 'GO:0000122', 'negative regulation of transcription by RNA polymerase II', 'BP',
                  'Any process that stops transcription.'),
              (5, 'GO:0006366', 'transcription by RNA polymerase II', 'BP', 'Transcription.'),
              (6, 'GO:0005634', 'nucleus', 'CC', 'A membrane-bounded organelle.'),
              (7, 'GO:0003674', 'molecular_function', 'MF', 'A molecular process.');
            INSERT INTO go_obsolete VALUES ('GO:0000005', 'obsolete thing', 'MF', 'OBSOLETE.');
            INSERT INTO go_synonym VALUES
              (4, 'down regulation of transcription', NULL, 0),
              (4, 'down regulation of transcription', NULL, 0),
              (4, 'GO:0010553', 'GO:0010553', 1),
              (2, 'biological_process', NULL, 0),
              (2, 'physiological process', NULL, 0);
            INSERT INTO go_bp_parents VALUES
              (2, 1, 'isa'), (3, 2, 'isa'), (5, 2, 'isa'),
              (3, 5, 'regulates'), (4, 3, 'isa'), (4, 5, 'negatively regulates');
            INSERT INTO go_cc_parents VALUES (6, 1, 'isa');
            INSERT INTO go_mf_parents VALUES (7, 1, 'isa');
            """
            + extra_sql
        )
        con.commit()
    return make_deb(tmp_path / "go.deb", go.MEMBER, db.read_bytes())


# --- fast: the parser's rules on a small archive ------------------------------------


def test_small_archive_terms_and_edges(tmp_path: Path) -> None:
    archive = small_archive(tmp_path)
    records = list(go.parse(archive, RELEASE))
    entities = [r for r in records if isinstance(r, Entity)]
    edges = [r for r in records if isinstance(r, Edge)]
    assert records == entities + edges  # every entity before any edge

    by_id = {e.id: e for e in entities}
    assert set(by_id) == {
        "GO:0008150",
        "GO:0006357",
        "GO:0000122",
        "GO:0006366",
        "GO:0005634",
        "GO:0003674",
    }  # no "all" pseudo-term, no obsolete term
    neg = by_id["GO:0000122"]
    assert neg.category == "biolink:BiologicalProcess"
    assert neg.name == "negative regulation of transcription by RNA polymerase II"
    assert neg.description == "Any process that stops transcription."
    assert neg.synonyms == ("down regulation of transcription",)  # deduplicated, no GO id
    assert neg.attributes == {"namespace": "biological_process", "alt_ids": ["GO:0010553"]}
    assert neg.source_release == RELEASE
    assert by_id["GO:0006357"].description is None
    assert by_id["GO:0008150"].synonyms == ("physiological process",)  # not its own name
    assert by_id["GO:0005634"].category == "biolink:CellularComponent"
    assert by_id["GO:0005634"].attributes == {"namespace": "cellular_component"}
    assert by_id["GO:0003674"].category == "biolink:MolecularActivity"

    got = {(e.subject, e.predicate, e.object): e.qualifiers for e in edges}
    assert got == {
        ("GO:0006357", "biolink:subclass_of", "GO:0008150"): {},
        ("GO:0006366", "biolink:subclass_of", "GO:0008150"): {},
        ("GO:0006357", "biolink:regulates", "GO:0006366"): {},
        ("GO:0000122", "biolink:subclass_of", "GO:0006357"): {},
        ("GO:0000122", "biolink:regulates", "GO:0006366"): {"direction": "negative"},
    }
    for e in edges:
        assert (e.primary_knowledge_source, e.knowledge_level, e.agent_type) == (
            "infores:go",
            "knowledge_assertion",
            "manual_agent",
        )
        assert e.source_release == RELEASE
    assert go.obsolete_count(archive) == 1


@pytest.mark.parametrize(
    ("sql", "where", "field"),
    [
        ("INSERT INTO go_term VALUES (8, 'GO:12', 'x', 'BP', NULL);", "go_term _id 8", "go_id"),
        ("INSERT INTO go_term VALUES (8, 'GO:0000001', 'x', 'XX', NULL);", "go_term _id 8",
         "ontology"),
        ("INSERT INTO go_term VALUES (8, 'GO:0000001', '', 'BP', NULL);", "go_term _id 8", "term"),
        ("INSERT INTO go_synonym VALUES (2, 'x', NULL, 2);", "go_synonym rowid 6", "like_go_id"),
        ("INSERT INTO go_synonym VALUES (2, 'GO:1', 'GO:1', 1);", "go_synonym rowid 6",
         "secondary"),
        ("INSERT INTO go_cc_parents VALUES (6, 7, 'has part');", "go_cc_parents rowid 2",
         "relationship_type"),
        ("INSERT INTO go_mf_parents VALUES (7, 99, 'isa');", "go_mf_parents rowid 2",
         "_parent_id"),
    ],
)  # fmt: skip
def test_malformed_rows_raise_naming_file_row_and_field(
    tmp_path: Path, sql: str, where: str, field: str
) -> None:
    with pytest.raises(SourceFormatError) as info:
        list(go.parse(small_archive(tmp_path, sql), RELEASE))
    err = info.value
    assert (err.line, err.field) == (where, field)
    assert str(err).startswith(f"go.deb!{go.MEMBER}:{where}: {field}: ")


def test_member_is_the_one_the_manifest_pins() -> None:
    assert load_manifest()["go"].members[0].endswith(go.MEMBER)


# --- slow: the real archive ---------------------------------------------------------


class Parsed:
    def __init__(self, records: Iterator[Entity | Edge]) -> None:
        self.entities: dict[str, Entity] = {}
        self.edges: dict[str, list[tuple[str, str, tuple[tuple[str, str], ...]]]] = defaultdict(
            list
        )
        self.edge_count = 0
        self.order_ok = True
        self.provenance: set[tuple[str, ...]] = set()
        for rec in records:
            if isinstance(rec, Entity):
                self.order_ok &= self.edge_count == 0
                assert rec.id not in self.entities, f"duplicate entity {rec.id}"
                self.entities[rec.id] = rec
            else:
                self.edge_count += 1
                self.edges[rec.subject].append(
                    (rec.predicate, rec.object, tuple(sorted(rec.qualifiers.items())))
                )
                self.provenance.add(
                    (
                        rec.primary_knowledge_source,
                        rec.knowledge_level,
                        rec.agent_type,
                        str(rec.source_release),
                    )
                )


@pytest.fixture(scope="module")
def real(source_archive) -> Iterator[tuple[Parsed, sqlite3.Connection]]:
    archive = source_archive("go")
    parsed = Parsed(go.parse(archive, load_manifest()["go"].release_id))
    with (
        member_as_file(archive, go.MEMBER) as db,
        closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as con,
    ):
        yield parsed, con


def _sample_terms(con: sqlite3.Connection, n: int = 50) -> list[tuple[int, str, str]]:
    rows = con.execute(
        "SELECT _id, go_id, ontology FROM go_term WHERE ontology != 'universal' ORDER BY _id"
    ).fetchall()
    return random.Random(2022_07_01).sample(rows, n)


@pytest.mark.slow
def test_every_current_term_once_and_no_obsolete_or_pseudo_term(real) -> None:
    parsed, con = real
    current = {r[0] for r in con.execute("SELECT go_id FROM go_term WHERE ontology != 'universal'")}
    assert set(parsed.entities) == current
    obsolete = {r[0] for r in con.execute("SELECT go_id FROM go_obsolete")}
    assert obsolete and not obsolete & set(parsed.entities)
    assert "all" not in parsed.entities
    assert parsed.order_ok


@pytest.mark.slow
def test_every_parent_row_is_one_edge_except_those_to_the_pseudo_root(real) -> None:
    parsed, con = real
    (rows,) = con.execute(
        "SELECT COUNT(*) FROM (SELECT _id, _parent_id FROM go_bp_parents "
        "UNION ALL SELECT _id, _parent_id FROM go_mf_parents "
        "UNION ALL SELECT _id, _parent_id FROM go_cc_parents) p "
        "JOIN go_term t ON t._id = p._parent_id WHERE t.go_id != 'all'"
    ).fetchone()
    assert parsed.edge_count == rows
    assert parsed.provenance == {("infores:go", "knowledge_assertion", "manual_agent", RELEASE)}
    targets = {o for edges in parsed.edges.values() for _p, o, _q in edges}
    assert targets <= set(parsed.entities)


@pytest.mark.slow
def test_known_terms(real) -> None:
    parsed, _con = real
    for go_id, name in [
        ("GO:0008150", "biological_process"),
        ("GO:0003674", "molecular_function"),
        ("GO:0005575", "cellular_component"),
    ]:
        assert parsed.entities[go_id].name == name
        assert parsed.edges.get(go_id, []) == []  # the roots have no parent once "all" is gone
    # The GO term BACH1 is annotated to with IDA/IMP in NCBI Gene.
    neg = parsed.entities["GO:0000122"]
    assert neg.name == "negative regulation of transcription by RNA polymerase II"
    assert neg.category == "biolink:BiologicalProcess"


@pytest.mark.slow
def test_sampled_terms_match_the_sqlite(real) -> None:
    parsed, con = real
    for tid, go_id, ontology in _sample_terms(con):
        entity = parsed.entities[go_id]
        term, definition = con.execute(
            "SELECT term, definition FROM go_term WHERE _id = ?", (tid,)
        ).fetchone()
        assert (entity.name, entity.description) == (term, definition or None)
        assert entity.category == CATEGORY[ontology]
        assert (
            entity.attributes["namespace"]
            == {
                "BP": "biological_process",
                "MF": "molecular_function",
                "CC": "cellular_component",
            }[ontology]
        )
        synonyms = {
            r[0]
            for r in con.execute(
                "SELECT synonym FROM go_synonym WHERE _id = ? AND like_go_id = 0", (tid,)
            )
        }
        assert set(entity.synonyms) == synonyms - {term}
        assert len(entity.synonyms) == len(set(entity.synonyms))
        alt = {
            r[0]
            for r in con.execute(
                "SELECT secondary FROM go_synonym WHERE _id = ? AND like_go_id = 1", (tid,)
            )
        }
        assert set(entity.attributes.get("alt_ids", [])) == alt
        assert not any(s.startswith("GO:") for s in entity.synonyms)


@pytest.mark.slow
def test_sampled_terms_parent_edges_match_the_sqlite(real) -> None:
    parsed, con = real
    for tid, go_id, ontology in _sample_terms(con):
        rows = con.execute(
            f"SELECT p.go_id, r.relationship_type FROM go_{ontology.lower()}_parents r "
            "JOIN go_term p ON p._id = r._parent_id WHERE r._id = ? AND p.go_id != 'all'",
            (tid,),
        )
        want = sorted(
            (RELATION[rel][0], parent, tuple(sorted(RELATION[rel][1].items())))
            for parent, rel in rows
        )
        assert sorted(parsed.edges.get(go_id, [])) == want, go_id
