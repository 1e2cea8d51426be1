"""KGX records to store records: one validation for every format and path.

:func:`node_from_row` and :func:`edge_from_row` check a record and name the
file, line and field of the first problem. :class:`EdgeRows` turns edge
records into ``edge`` table rows with the same checks, validating a
combination of predicate, source, knowledge level and agent type once;
:func:`edge_rows` reads a whole edges file that way, reading a TSV line's
cells straight into a row when every part of it is already known
(``cells.py``). :func:`node_record` and :func:`edge_record` also give the
columns a record has beyond the store's fields, which the import keeps.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from scidex.ingest.sources.errors import SourceFormatError
from scidex.interchange import format_of, read_records, tsv
from scidex.interchange.cells import EDGE_FIELDS, cells_to_row, statistic
from scidex.kg import biolink, fields
from scidex.kg.curies import CurieError, split_curie
from scidex.kg.model import (
    AGENT_TYPES,
    KNOWLEDGE_LEVELS,
    Edge,
    Entity,
    edge_id,
    qualified_edge_id,
)
from scidex.store import bulk, edge_counts

Row = tuple[Any, ...]

# KGX edge columns, as the export writes them (declared in kg.fields).
EDGE_COLUMNS = list(fields.KGX_COLUMNS)

_SUBJECT, _PREDICATE, _OBJECT, _RELEASE = (
    bulk.EDGE_COLUMNS.index(c) for c in ("subject", "predicate", "object", "source_release")
)


def _curie(value: Any, file: Path, line: int | str, fld: str) -> str:
    if not isinstance(value, str) or not value:
        raise SourceFormatError(file, line, fld, "missing")
    try:
        prefix, _local = split_curie(value)
    except CurieError as exc:
        raise SourceFormatError(file, line, fld, f"not a CURIE: {value!r}") from exc
    if not biolink.is_known_curie_prefix(prefix):
        raise SourceFormatError(file, line, fld, f"unknown CURIE prefix {prefix!r} in {value!r}")
    return value


def as_list(value: Any) -> list[str]:
    """A multi-valued field: the readers give lists of strings; callers may give a string."""
    if not value:
        return []
    if type(value) is list:
        return value
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


# The node columns the entity table has a field for, in the order an export writes them;
# any other is kept (schema.entity_kgx).
NODE_COLUMNS = [
    "id",
    "category",
    "name",
    "symbol",
    "description",
    "synonym",
    "previous_symbol",
    "xref",
    "provided_by",
    "attributes",
]
NODE_FIELDS = frozenset(NODE_COLUMNS)
_BARE_INFORES = re.compile(r"^[A-Za-z0-9][\w.-]*$")


def _release_of(provided: list[str], release_id: str) -> str:
    """The release a record came from: the first ``provided_by`` names, else the import's own."""
    return provided[0] if provided else release_id


def node_from_row(row: dict[str, Any], file: Path, line: int | str, release_id: str) -> Entity:
    """A node record as an entity (see :func:`node_record`)."""
    return node_record(row, file, line, release_id)[0]


def node_record(
    row: dict[str, Any],
    file: Path,
    line: int | str,
    release_id: str,
) -> tuple[Entity, dict[str, Any]]:
    """A node record as an entity, and the columns the entity has no field for.

    Of the listed categories the most specific Biolink class is the entity's
    (published graphs list every ancestor, often alphabetically); the whole
    list is kept with the other columns when it says more than that class.
    """
    curie = _curie(row.get("id"), file, line, "id")
    listed = as_list(row.get("category"))
    category = biolink.most_specific_category(listed)
    if category is None:
        raise SourceFormatError(
            file, line, "category", f"no Biolink category in {row.get('category')!r}"
        )
    columns = {k: v for k, v in row.items() if k not in NODE_FIELDS}
    if listed != [category]:
        columns["category"] = listed
    attributes = row.get("attributes") or {}
    if not isinstance(attributes, dict):
        columns["attributes"] = attributes  # not our JSON object: a column like any other
        attributes = {}
    provided = as_list(row.get("provided_by"))
    release = _release_of(provided, release_id)
    if provided and provided != [release]:
        columns["provided_by"] = provided
    return Entity(
        id=curie,
        category=category,
        name=str(row.get("name") or curie),
        symbol=row.get("symbol") or None,
        description=row.get("description") or None,
        synonyms=tuple(as_list(row.get("synonym"))),
        previous_symbols=tuple(as_list(row.get("previous_symbol"))),
        xrefs=tuple(as_list(row.get("xref"))),
        attributes=attributes,
        source_release=release,
    ), columns


def edge_key(edge: Edge, given: Any) -> str:
    """The stored id of an imported edge: its qualifiers are part of its identity.

    Except where the file's own ``id`` is :func:`model.edge_id` of the edge
    without them: that file is an export of edges whose identity never held
    their qualifiers (the default atlas's), and re-importing it keeps their ids.
    """
    plain = edge_id(edge.subject, edge.predicate, edge.object, edge.primary_knowledge_source)
    if not edge.qualifiers or given == plain:
        return plain
    return qualified_edge_id(
        edge.subject, edge.predicate, edge.object, edge.primary_knowledge_source, edge.qualifiers
    )


def edge_from_row(
    row: dict[str, Any], file: Path, line: int | str, release_id: str, known: set[str]
) -> Edge:
    """An edge record as an edge (see :func:`edge_record`)."""
    return edge_record(row, file, line, release_id, known)[0]


def edge_record(
    row: dict[str, Any],
    file: Path,
    line: int | str,
    release_id: str,
    known: set[str],
    *,
    default_source: str | None = None,
) -> tuple[Edge, str, dict[str, Any]]:
    """An edge record as an edge, its stored id, and the columns the edge has no field for.

    Biolink qualifier and count slots given as columns (``frequency_qualifier``,
    ``has_count``) join the edge's qualifiers; a ``qualifiers`` column that is
    not a JSON object is Biolink's list of qualifier terms and is kept as a
    column. An edge naming no knowledge source takes ``default_source``; one
    naming it without the ``infores:`` prefix (``disbiome``) gets the prefix.
    """
    subject = _curie(row.get("subject"), file, line, "subject")
    obj = _curie(row.get("object"), file, line, "object")
    predicate = row.get("predicate")
    if not isinstance(predicate, str) or not biolink.is_predicate(predicate):
        raise SourceFormatError(file, line, "predicate", f"not a Biolink predicate: {predicate!r}")
    for fld, value in (("subject", subject), ("object", obj)):
        if value not in known:
            raise SourceFormatError(file, line, fld, f"unknown node {value!r}")
    source = row.get("primary_knowledge_source")
    if isinstance(source, list):
        source = source[0] if source else None
    if not source and default_source:
        source = default_source
    elif isinstance(source, str) and _BARE_INFORES.match(source):
        source = f"infores:{source}"
    if not source:
        raise SourceFormatError(
            file,
            line,
            "primary_knowledge_source",
            "missing (name one for such edges with --default-knowledge-source)",
        )
    if not isinstance(source, str) or not source.startswith("infores:"):
        raise SourceFormatError(
            file, line, "primary_knowledge_source", f"expected an infores: CURIE, got {source!r}"
        )
    level = row.get("knowledge_level") or "not_provided"
    if level not in KNOWLEDGE_LEVELS:
        raise SourceFormatError(file, line, "knowledge_level", f"unknown value {level!r}")
    agent = row.get("agent_type") or "not_provided"
    if agent not in AGENT_TYPES:
        raise SourceFormatError(file, line, "agent_type", f"unknown value {agent!r}")
    columns: dict[str, Any] = {}
    qualifiers = row.get("qualifiers") or {}
    if not isinstance(qualifiers, dict):
        columns["qualifiers"] = qualifiers
        qualifiers = {}
    slots, statistics = biolink.qualifier_slots(), biolink.statistic_slots()
    for key, value in row.items():
        if key in slots:
            qualifiers = {**qualifiers, key: value}
        elif key in statistics:
            qualifiers = {**qualifiers, key: statistic(value)}
        elif key not in EDGE_FIELDS:
            columns[key] = value
    confidence = row.get("confidence")
    try:
        conf = float(confidence) if confidence not in (None, "") else None
    except (TypeError, ValueError) as exc:
        raise SourceFormatError(file, line, "confidence", f"not a number: {confidence!r}") from exc
    if conf is not None and not math.isfinite(conf):
        raise SourceFormatError(file, line, "confidence", f"not a finite number: {confidence!r}")
    provided = as_list(row.get("provided_by"))
    release = _release_of(provided, release_id)
    if provided and provided != [release]:
        columns["provided_by"] = provided
    edge = Edge(
        subject=subject,
        predicate=predicate,
        object=obj,
        primary_knowledge_source=source,
        knowledge_level=level,
        agent_type=agent,
        aggregator_knowledge_sources=tuple(as_list(row.get("aggregator_knowledge_source"))),
        publications=tuple(as_list(row.get("publications"))),
        evidence_codes=tuple(as_list(row.get("has_evidence"))),
        qualifiers=qualifiers,
        confidence=conf,
        source_release=release,
    )
    given = row.get("id")
    key = edge_key(edge, given)
    if given and given != key:
        columns["id"] = given  # the publisher's id, exported again
    return edge, key, columns


def accepted_node_ids(path: Path, release_id: str) -> Iterator[str]:
    """The ids of the nodes in ``path`` that :func:`node_from_row` accepts."""
    for line, row in read_records(path, "nodes"):
        if isinstance(row, SourceFormatError):
            continue
        try:
            yield node_from_row(row, path, line, release_id).id
        except SourceFormatError:
            continue


class EdgeRows:
    """KGX edge records to ``edge`` table rows, validated exactly as :func:`edge_from_row`.

    A large graph repeats a handful of predicates, sources, knowledge levels
    and agent types millions of times. Once a combination has passed full
    validation, later rows with it and with two known endpoints go straight
    to a table row; anything unseen or odd takes the full path, which raises
    the same errors with the same file, line and field.
    """

    def __init__(
        self,
        file: Path,
        release_id: str,
        known: set[str],
        *,
        default_source: str | None = None,
    ) -> None:
        self.file = file
        self.release_id = release_id
        self.known = known
        self.default_source = default_source
        # The columns each edge had beyond the edge table's fields, by edge id.
        self.columns: dict[str, dict[str, Any]] = {}
        self.defaulted = 0  # edges that took the default knowledge source
        # Each validated combination, mapped to itself: the cell path puts these
        # first-seen strings in its rows, so a batch's pickle shares them.
        self._checked: dict[tuple[str, str, str, str], tuple[str, str, str, str]] = {}

    def __call__(self, line: int | str, row: dict[str, Any]) -> tuple[Any, ...]:
        out = self._fast(row)
        if out is None:
            edge, key, columns = edge_record(
                row,
                self.file,
                line,
                self.release_id,
                self.known,
                default_source=self.default_source,
            )
            if not row.get("primary_knowledge_source"):
                self.defaulted += 1
            if columns:
                self.columns[key] = columns
            else:
                self.columns.pop(key, None)
            out = bulk.edge_values(
                edge.subject,
                edge.predicate,
                edge.object,
                edge.primary_knowledge_source,
                edge.aggregator_knowledge_sources,
                edge.knowledge_level,
                edge.agent_type,
                edge.publications,
                edge.evidence_codes,
                edge.qualifiers,
                edge.confidence,
                edge.source_release,
                key=key,
            )
            combination = (
                edge.predicate,
                edge.primary_knowledge_source,
                edge.knowledge_level,
                edge.agent_type,
            )
            self._checked.setdefault(combination, combination)
        return out

    def _fast(self, row: dict[str, Any]) -> tuple[Any, ...] | None:
        """The row for a record made only of parts already validated, else None."""
        get = row.get
        subject, predicate, obj = get("subject"), get("predicate"), get("object")
        source = get("primary_knowledge_source")
        level = get("knowledge_level") or "not_provided"
        agent = get("agent_type") or "not_provided"
        qualifiers = get("qualifiers") or {}
        provided = as_list(get("provided_by"))
        if not (
            row.keys() <= EDGE_FIELDS
            and len(provided) < 2
            and type(source) is str
            and type(predicate) is str
            and type(level) is str
            and type(agent) is str
            and (predicate, source, level, agent) in self._checked
            and subject in self.known
            and obj in self.known
            and type(qualifiers) is dict
        ):
            return None
        confidence = get("confidence")
        if confidence is not None and confidence != "":
            try:
                confidence = float(confidence)
            except (TypeError, ValueError):
                return None
            if not math.isfinite(confidence):
                return None
        else:
            confidence = None
        out = bulk.edge_values(
            subject,
            predicate,
            obj,
            source,
            as_list(get("aggregator_knowledge_source")),
            level,
            agent,
            as_list(get("publications")),
            as_list(get("has_evidence")),
            qualifiers,
            confidence,
            provided[0] if provided else self.release_id,
        )
        # An id the file gives must be the one stored; qualified edges need it (edge_key).
        given = get("id")
        if (given is not None and given != out[0]) or (qualifiers and given is None):
            return None
        return out


def edge_rows(
    path: Path, release_id: str, known: set[str], to_row: EdgeRows | None = None
) -> Iterator[Row | SourceFormatError]:
    """Every record of an edges file as an ``edge`` row, or the error refusing it, in file order.

    A malformed record (a TSV line longer than the header, invalid JSON)
    comes as its error too, and the records after it are read on.
    ``to_row`` keeps the columns beyond the edge's fields (see :class:`EdgeRows`).
    """
    to_row = to_row or EdgeRows(path, release_id, known)
    if format_of(path) != "tsv":
        for line, record in read_records(path, "edges"):
            if isinstance(record, SourceFormatError):
                yield record
                continue
            try:
                yield to_row(line, record)
            except SourceFormatError as exc:
                yield exc
        return
    with tsv.open_text(path) as fh:
        lines = tsv.reader(fh)
        header = tsv.header_of(lines, path)
        decode = tsv.Decoder(path, header)
        fast = cells_to_row(header, to_row._checked, to_row.known, to_row.release_id)
        for line, values in enumerate(lines, start=2):
            if not values:  # a blank line
                continue
            row = fast(values)
            if row is None:
                try:
                    record = decode(line, values)
                    row = to_row(line, record)
                except SourceFormatError as exc:
                    yield exc
                    continue
            yield row


TALLY_BATCH = 10_000  # rows counted and sent together


def tallied(
    items: Iterator[Row | SourceFormatError],
    tally: edge_counts.Tally,
    rejected: Callable[[SourceFormatError], None],
) -> Iterator[list[Row]]:
    """:func:`edge_rows` in batches of rows, counted into ``tally``; errors go to ``rejected``."""
    rows: list[Row] = []
    for item in items:
        if type(item) is tuple:
            rows.append(item)
            if len(rows) == TALLY_BATCH:
                _count(tally, rows)
                yield rows
                rows = []
        else:
            # `type(item) is tuple` (faster than isinstance) narrows only the first branch.
            rejected(cast(SourceFormatError, item))
    if rows:
        _count(tally, rows)
        yield rows


_COUNTED = tuple(operator.itemgetter(i) for i in (_SUBJECT, _PREDICATE, _OBJECT, _RELEASE))


def _count(tally: edge_counts.Tally, rows: list[Row]) -> None:
    tally.add(*(list(map(column, rows)) for column in _COUNTED))
