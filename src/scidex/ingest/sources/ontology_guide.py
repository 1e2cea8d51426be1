"""The ontology digests of ``cellxgene-ontology-guide``: a term reader and the shared records.

The wheel ships each ontology it supports as ``data/<ONTO>-ontology-<version>.json.zst``:
one zstd-compressed JSON object (written with ``json.dumps(indent=2)``) mapping
each term id to

    {"label": "...", "description": "...", "synonyms": ["..."],
     "deprecated": false, "ancestors": {"CL:0000125": 1, "CL:0000000": 4},
     "replaced_by": "...", "consider": [...], "comments": [...], "term_tracker": "..."}

``synonyms`` are the exact synonyms only; there are no cross-references.
``ancestors`` is the closure over ``is_a`` *and* ``part_of`` (BFO_0000050),
each with its distance in steps, restricted to the ontology's own terms (the
guide's builder walks through other ontologies' classes but keeps only its
own ids). Distance 1 is therefore a direct parent, either an ``is_a`` or a
``part_of`` one: the file does not tell which. A term whose nearest own
ancestor is farther than 1 reached it through another ontology's class and
has no direct parent here.

:func:`read_terms` decodes the object one term at a time, so the 115 MB of
ChEBI never sit in memory as one parsed document; errors name the member,
the term's position in the object (``[index]``: the files are one line each)
and the field.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NoReturn

import zstandard

from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.model import Edge, Entity

KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "manual_agent"

_WHITESPACE = frozenset(" \t\n\r")
_CHUNK = 1 << 20  # characters read from the decompressed stream at a time
# A term that does not decode within this many unread characters is malformed,
# not cut at a chunk boundary (the largest term of the pinned files is ~6 kB).
_MAX_TERM = 1 << 22


@dataclass(slots=True)
class Term:
    """One term of an ontology digest, as the file states it."""

    id: str
    label: str
    deprecated: bool
    ancestors: dict[str, int]
    description: str | None = None
    synonyms: tuple[str, ...] = ()
    where: str = ""  # ``[index]``: the term's position in the file's object

    def parents(self) -> list[str]:
        """The direct parents (distance 1), in file order."""
        return [a for a, d in self.ancestors.items() if d == 1]

    def has_ancestor_or_is(self, curie: str) -> bool:
        return self.id == curie or curie in self.ancestors


def read_terms(archive: Path, member: str, id_pattern: re.Pattern[str]) -> Iterator[Term]:
    """Every term of the zstd-compressed JSON ``member`` of ``archive``, in file order."""
    with open_member(archive, member) as raw:
        reader = zstandard.ZstdDecompressor().stream_reader(raw)
        text = io.TextIOWrapper(reader, encoding="utf-8")
        try:
            yield from decode_terms(text, member, id_pattern)
        except zstandard.ZstdError as exc:
            raise SourceFormatError(member, 0, "zstd", f"cannot decompress: {exc}") from None
        except UnicodeDecodeError as exc:
            raise SourceFormatError(member, 0, "utf-8", str(exc)) from None


def decode_terms(text: IO[str], file: str, id_pattern: re.Pattern[str]) -> Iterator[Term]:
    """The terms of the JSON object read from ``text``; ``file`` names it in errors.

    Term ids must match ``id_pattern`` and appear once; ancestors must be ids
    of the same pattern with a positive integer distance.
    """
    stream = _ObjectStream(text, file)
    seen: set[str] = set()
    for key, where, value in stream.members():
        if not id_pattern.match(key):
            raise SourceFormatError(file, where, "id", f"not a term id of this ontology: {key!r}")
        if key in seen:
            raise SourceFormatError(file, where, "id", f"{key} appears twice")
        seen.add(key)
        yield _term(key, value, file, where, id_pattern)


def _term(key: str, value: Any, file: str, where: str, id_pattern: re.Pattern[str]) -> Term:
    if not isinstance(value, dict):
        raise SourceFormatError(file, where, "term", f"{key}: expected an object")
    deprecated = value.get("deprecated")
    if not isinstance(deprecated, bool):
        raise SourceFormatError(file, where, "deprecated", f"{key}: expected true or false")
    label = value.get("label")
    if not isinstance(label, str):
        raise SourceFormatError(file, where, "label", f"{key}: expected a string")
    # Deprecated ChEBI ids (merged into another) carry an empty label.
    if not deprecated and not label.strip():
        raise SourceFormatError(file, where, "label", f"{key} has no label")
    description = value.get("description")
    if description is not None and not isinstance(description, str):
        raise SourceFormatError(file, where, "description", f"{key}: expected a string")
    synonyms = value.get("synonyms", [])
    if not isinstance(synonyms, list) or not all(isinstance(s, str) and s for s in synonyms):
        raise SourceFormatError(file, where, "synonyms", f"{key}: expected a list of names")
    ancestors = value.get("ancestors")
    if not isinstance(ancestors, dict):
        raise SourceFormatError(file, where, "ancestors", f"{key}: expected an object")
    # Checked in bulk (ChEBI has 4.9 million ancestor entries); the loops
    # below only run to name the culprit.
    if not all(map(id_pattern.match, ancestors)):
        bad = next(a for a in ancestors if not id_pattern.match(a))
        raise SourceFormatError(
            file, where, "ancestors", f"{key}: not a term id of this ontology: {bad!r}"
        )
    distances = ancestors.values()
    if not set(map(type, distances)) <= {int} or (distances and min(distances) < 1):
        bad = next(a for a, d in ancestors.items() if type(d) is not int or d < 1)
        raise SourceFormatError(
            file, where, "ancestors", f"{key}: distance of {bad} is {ancestors[bad]!r}"
        )
    if key in ancestors:
        raise SourceFormatError(file, where, "ancestors", f"{key} is its own ancestor")
    return Term(
        id=key,
        label=label,
        deprecated=deprecated,
        ancestors=ancestors,
        description=(description.strip() or None) if description else None,
        synonyms=tuple(dict.fromkeys(s for s in synonyms if s != label)) if synonyms else (),
        where=where,
    )


class _ObjectStream:
    """Reads a top-level JSON object member by member from a text stream.

    Each key and each value is decoded with ``json.JSONDecoder.raw_decode``
    from a window of the stream; a value cut by the window's end is retried
    once more text is read. The pinned files are one line each, so errors
    locate a member by its position in the object, ``[index]`` (from 0),
    and a syntax error also by its character offset.
    """

    def __init__(self, text: IO[str], file: str) -> None:
        self._text = text
        self._file = file
        self._buf = ""
        self._pos = 0
        self._offset = 0  # characters of the stream before self._buf
        self._index = 0  # members read so far
        self._eof = False
        self._decoder = json.JSONDecoder()

    def members(self) -> Iterator[tuple[str, str, Any]]:
        """Yield (key, ``[index]`` of the member, decoded value) for each member."""
        self._expect("{", "'{' opening the object of terms")
        if self._peek() == "}":
            self._pos += 1
        else:
            while True:
                where = self.where
                key = self._value("a term id")
                if not isinstance(key, str):
                    raise SourceFormatError(self._file, where, "id", f"expected a string: {key!r}")
                self._expect(":", "':' after a term id")
                yield key, where, self._value("a term")
                self._index += 1
                if self._peek() == ",":
                    self._pos += 1
                    continue
                self._expect("}", "',' or '}' after a term")
                break
        if self._peek() != "":
            self._fail(self._pos, "text after the object of terms")

    @property
    def where(self) -> str:
        return f"[{self._index}]"

    def _fail(self, pos: int, message: str) -> NoReturn:
        at = self._offset + pos
        raise SourceFormatError(self._file, self.where, "json", f"{message} (character {at})")

    def _more(self) -> bool:
        if self._eof:
            return False
        data = self._text.read(_CHUNK)
        if not data:
            self._eof = True
            return False
        self._offset += self._pos
        self._buf = self._buf[self._pos :] + data
        self._pos = 0
        return True

    def _peek(self) -> str:
        """The next non-blank character ('' at the end), skipping blanks."""
        while True:
            buf, i = self._buf, self._pos
            n = len(buf)
            while i < n and buf[i] in _WHITESPACE:
                i += 1
            self._pos = i
            if i < n:
                return buf[i]
            if not self._more():
                return ""

    def _expect(self, char: str, what: str) -> None:
        got = self._peek()
        if got != char:
            self._fail(self._pos, f"expected {what}, found {repr(got) if got else 'the end'}")
        self._pos += 1

    def _value(self, what: str) -> Any:
        if not self._peek():
            self._fail(self._pos, f"expected {what}, found the end")
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if len(self._buf) - self._pos < _MAX_TERM and self._more():
                    continue
                self._fail(exc.pos, exc.msg)
            # Keys and terms are strings and objects, which cannot end early;
            # a bare number at the window's end might, so read on to be sure.
            if end == len(self._buf) and not isinstance(value, str | dict | list) and self._more():
                continue
            self._pos = end
            return value


# ---------------------------------------------------------------------------
# Records


@dataclass
class Plan:
    """What one source makes of the terms of its ontology.

    ``classify`` gives a live term's Biolink category, or None to leave it
    out (counted under ``stats["skipped:<skip_reason>"]``); ``attributes``
    gives its attributes; ``describe`` cleans a definition for display.
    With ``select``, only the terms it accepts and their ancestors are kept
    (the rest counted under ``stats["not_selected"]``).
    """

    infores: str
    predicate: str
    classify: Callable[[Term], str | None]
    skip_reason: str = "not selected"
    attributes: Callable[[Term], dict[str, Any]] = field(default=lambda _t: {})
    describe: Callable[[str], str] = field(default=lambda d: d)
    select: Callable[[Term], bool] | None = None


def records(
    terms: Iterable[Term], plan: Plan, release_id: str, stats: Counter[str]
) -> Iterator[Entity | Edge]:
    """Yield an Entity per live term the plan keeps, then an Edge per direct parent.

    An edge is made only when both ends are kept; a direct parent that is
    deprecated or left out is counted under ``stats["parent_not_loaded"]``,
    and a kept term whose nearest ancestor is no direct parent under
    ``stats["no_direct_parent"]``. With a ``select``, a term it rejects may
    still turn out to be the ancestor of a later one: it waits until the
    whole file is read.
    """
    kept: set[str] = set()
    wanted: set[str] = set()  # selected terms and all their ancestors
    waiting: list[tuple[Entity, list[str], bool]] = []
    parents: list[tuple[str, list[str]]] = []
    for term in terms:
        if term.deprecated:
            stats["deprecated_terms"] += 1
            continue
        category = plan.classify(term)
        if category is None:
            stats[f"skipped:{plan.skip_reason}"] += 1
            continue
        description = plan.describe(term.description) if term.description else None
        entity = Entity(
            id=term.id,
            category=category,
            name=term.label,
            description=description or None,
            synonyms=term.synonyms,
            attributes=plan.attributes(term),
            source_release=release_id,
        )
        direct = term.parents()
        orphan = not direct and bool(term.ancestors)
        if plan.select is not None:
            if not plan.select(term):
                waiting.append((entity, direct, orphan))
                continue
            wanted.add(term.id)
            wanted.update(term.ancestors)
        kept.add(entity.id)
        stats[f"entities:{category}"] += 1
        if orphan:
            stats["no_direct_parent"] += 1
        parents.append((entity.id, direct))
        yield entity
    for entity, direct, orphan in waiting:
        if entity.id not in wanted:
            stats["not_selected"] += 1
            continue
        kept.add(entity.id)
        stats[f"entities:{entity.category}"] += 1
        if orphan:
            stats["no_direct_parent"] += 1
        parents.append((entity.id, direct))
        yield entity
    waiting.clear()
    for child, direct in parents:
        for parent in direct:
            if parent not in kept:
                stats["parent_not_loaded"] += 1
                continue
            stats[f"edges:{plan.predicate}"] += 1
            yield Edge(
                subject=child,
                predicate=plan.predicate,
                object=parent,
                primary_knowledge_source=plan.infores,
                knowledge_level=KNOWLEDGE_LEVEL,
                agent_type=AGENT_TYPE,
                source_release=release_id,
            )
