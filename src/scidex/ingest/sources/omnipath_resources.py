"""The resources behind OmniPath's interactions, and which of them the atlas may load.

OmniPath aggregates some hundred resources under their own terms. The table
``omnipath_resources.tsv`` (its header says where each column comes from)
records, for every resource the pinned snapshot names, OmniPath's own licence
classification, the decision taken from it, the Biolink ``infores`` id the
atlas credits, the resource's Bioregistry prefix, what kind of statement the
resource makes and how it makes it.

Two licence records are weighed: OmniPath's, and the one Bioregistry (the
pinned ``bioregistry`` package) holds for the resource's prefix. Either one
saying non-commercial leaves the resource out: :func:`parse_table` refuses a
row that allows a resource whose Bioregistry licence is non-commercial.

The snapshot's ``sources`` column names resources as ``X`` or ``X_Y`` (X's
statement as passed on by Y, e.g. ``TRRUST_CollecTRI``). :func:`entry` turns
either spelling into an :class:`Entry`: loaded only when X is allowed and Y,
if any, is allowed or is a composite whose constituents decide for themselves.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import bioregistry

from scidex.kg.model import AGENT_TYPES, KNOWLEDGE_LEVELS

TABLE = "omnipath_resources.tsv"
COLUMNS = (
    "name",
    "omnipath_key",
    "licence",
    "purpose",
    "sharing",
    "allowed",
    "reason",
    "infores",
    "catalogued",
    "bioregistry",
    "kind",
    "knowledge_level",
    "agent_type",
    "rows",
    "rows_via",
)
DECISIONS = ("yes", "no", "composite")
# What a resource's post-translational statements are: the first two are directed
# regulation, the last two binding (pypath's network classes).
KINDS = (
    "activity_flow",
    "enzyme_substrate",
    "interaction",
    "ligand_receptor",
    "transcription",
    "mirna",
    "composite",
)
REGULATION_KINDS = frozenset({"activity_flow", "enzyme_substrate", "transcription", "mirna"})
# A non-commercial term: the NC of an SPDX id (CC-BY-NC-4.0), a spelled-out name
# (CC BY-NC-SA 3.0) or a Creative Commons URL (.../by-nc/4.0/).
_NC = re.compile(r"(?<![a-z0-9])nc(?![a-z0-9])", re.IGNORECASE)


class ResourceTableError(ValueError):
    """``omnipath_resources.tsv`` holds a row the loader cannot use."""


@dataclass(frozen=True, slots=True)
class Resource:
    """One row of the table: a resource as the snapshot spells it."""

    name: str
    omnipath_key: str
    licence: str
    purpose: str
    sharing: str
    allowed: str  # yes | no | composite
    reason: str
    infores: str
    catalogued: bool
    bioregistry: str  # the resource's Bioregistry prefix, "" when it has none
    kind: str
    knowledge_level: str
    agent_type: str
    rows: int
    rows_via: int

    @property
    def composite(self) -> bool:
        return self.allowed == "composite"

    @property
    def loaded(self) -> bool:
        return self.allowed == "yes"

    @property
    def registry_licence(self) -> str | None:
        """The licence Bioregistry records for the resource's prefix, if any."""
        return registry_licence(self.bioregistry)


def registry_licence(prefix: str) -> str | None:
    """The licence Bioregistry records for ``prefix``; None without one (or without a prefix)."""
    return bioregistry.get_license(prefix) if prefix else None


def non_commercial(licence: str | None) -> bool:
    """Whether ``licence`` carries a non-commercial (NC) term.

    >>> [non_commercial(x) for x in ("CC-BY-NC-4.0", "CC BY-NC-SA 3.0", "CC-BY-4.0", None)]
    [True, True, False, False]
    """
    return licence is not None and _NC.search(licence) is not None


@dataclass(frozen=True, slots=True)
class Entry:
    """A name of the snapshot's ``sources`` column: a resource, maybe passed on by another."""

    name: str
    resource: Resource
    via: Resource | None = None

    @property
    def allowed(self) -> bool:
        if not self.resource.loaded:
            return False
        return self.via is None or self.via.loaded or self.via.composite

    @property
    def reason(self) -> str:
        """Why the entry is left out ("" when it is loaded)."""
        if not self.resource.loaded:
            return f"{self.resource.name}: {self.resource.licence}, {self.resource.reason}"
        if self.via is not None and not self.allowed:
            return f"via {self.via.name}: {self.via.licence}, {self.via.reason}"
        return ""

    @property
    def reference_name(self) -> str:
        """The prefix under which the snapshot's ``references`` give this entry's PMIDs:
        the entry's own name, or the passing-on resource's."""
        return self.via.name if self.via is not None else self.name

    @property
    def kind(self) -> str:
        """What the statement is: the passing-on resource's kind, unless it is a composite
        (then the constituent's)."""
        if self.via is not None and not self.via.composite:
            return self.via.kind
        return self.resource.kind


def parse_table(lines: list[str], file: str = TABLE) -> dict[str, Resource]:
    """Read the table's text (comment lines start with ``#``) into resources by name."""
    body = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and line[0] != "#"]
    if not body:
        raise ResourceTableError(f"{file}: no header")
    reader = csv.reader([line for _, line in body], delimiter="\t")
    header = next(reader)
    if tuple(header) != COLUMNS:
        raise ResourceTableError(f"{file}:{body[0][0]}: header must be {', '.join(COLUMNS)}")
    table: dict[str, Resource] = {}
    for (line_no, _), cells in zip(body[1:], reader, strict=True):
        table_row = _resource(cells, f"{file}:{line_no}")
        if table_row.name in table:
            raise ResourceTableError(f"{file}:{line_no}: {table_row.name!r} listed twice")
        table[table_row.name] = table_row
    return table


def _resource(cells: list[str], where: str) -> Resource:
    if len(cells) != len(COLUMNS):
        raise ResourceTableError(f"{where}: expected {len(COLUMNS)} fields, got {len(cells)}")
    row = dict(zip(COLUMNS, cells, strict=True))
    for name in ("name", "omnipath_key", "licence", "reason"):
        if not row[name].strip():
            raise ResourceTableError(f"{where}: {name} is empty")
    checks = {
        "allowed": DECISIONS,
        "catalogued": ("yes", "no"),
        "kind": KINDS,
        "knowledge_level": tuple(KNOWLEDGE_LEVELS),
        "agent_type": tuple(AGENT_TYPES),
    }
    for name, allowed in checks.items():
        if row[name] not in allowed:
            raise ResourceTableError(f"{where}: {name} {row[name]!r} is not one of {allowed}")
    if not row["infores"].startswith("infores:") or " " in row["infores"]:
        raise ResourceTableError(f"{where}: infores {row['infores']!r} is not an infores CURIE")
    prefix = row["bioregistry"]
    if prefix and bioregistry.normalize_prefix(prefix) != prefix:
        raise ResourceTableError(f"{where}: bioregistry {prefix!r} is not a Bioregistry prefix")
    licence = registry_licence(prefix)
    if row["allowed"] == "yes" and non_commercial(licence):
        raise ResourceTableError(
            f"{where}: allowed is 'yes' but Bioregistry records {licence} for {prefix!r}, "
            "a non-commercial licence"
        )
    counts = {}
    for name in ("rows", "rows_via"):
        if not row[name].isdigit():
            raise ResourceTableError(f"{where}: {name} {row[name]!r} is not a count")
        counts[name] = int(row[name])
    return Resource(
        name=row["name"],
        omnipath_key=row["omnipath_key"],
        licence=row["licence"],
        purpose=row["purpose"],
        sharing=row["sharing"],
        allowed=row["allowed"],
        reason=row["reason"],
        infores=row["infores"],
        catalogued=row["catalogued"] == "yes",
        bioregistry=prefix,
        kind=row["kind"],
        knowledge_level=row["knowledge_level"],
        agent_type=row["agent_type"],
        rows=counts["rows"],
        rows_via=counts["rows_via"],
    )


@cache
def load_resources() -> dict[str, Resource]:
    """The packaged table, by the resource name the snapshot uses."""
    text = resources.files("scidex.ingest.sources").joinpath(TABLE).read_text(encoding="utf-8")
    return parse_table(text.splitlines())


def entry(name: str, table: dict[str, Resource] | None = None) -> Entry:
    """The entry a ``sources`` name stands for; KeyError when the table lacks a part of it.

    A name the table lists is that resource (``SPIKE_LC``, ``PhosphoSite_noref``);
    otherwise ``X_Y`` is X passed on by Y, split at the first underscore.
    """
    table = load_resources() if table is None else table
    if name in table:
        return Entry(name, table[name])
    original, sep, via = name.partition("_")
    if not sep or original not in table or via not in table:
        raise KeyError(name)
    return Entry(name, table[original], table[via])
