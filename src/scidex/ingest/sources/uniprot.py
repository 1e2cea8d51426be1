"""UniProt: one ``biolink:Protein`` per human UniProtKB entry, with its names.

Reads ``uniprotkb_human_2025_01_21.tsv`` (columns Entry, Entry Name, Protein
names) straight out of the pinned binn wheel. Despite its name the file also
holds entries of other species (mouse, zebrafish, viruses...); only entries
whose entry name ends in ``_HUMAN`` are kept, the rest counted under
``stats["skipped_non_human"]``.

UniProt writes all of a protein's names in one cell::

    RecName (AltName) (ShortName) (EC 1.2.3.4) [Includes: ...] [Cleaved into: ...]

The recommended name comes first, then a trailing run of groups, each opened
by `` (`` or by `` [Includes: `` / `` [Cleaved into: ``. The name is what
precedes that run: names themselves hold brackets, with or without a space
before them ("DNA (cytosine-5)-methyltransferase 1", "Superoxide dismutase
[Cu-Zn]", "Apolipoprotein(a)"), so the groups are peeled off from the end,
each one balanced, and the first ``[`` group that is neither Includes nor
Cleaved into ends the run. Parenthesised groups become synonyms, except EC
numbers (``(EC 3.4.21.91)``, one group may list several) which go to the
``ec_numbers`` attribute, and CD antigen names (``(CD antigen CD20)``), kept
as the synonym ``CD20``. ``[Includes: A; B]`` (domains of a multifunctional
protein) and ``[Cleaved into: A; B]`` (chains cut from the precursor) go to
the ``includes`` and ``cleaved_into`` attributes, each component with its own
name, synonyms and EC numbers: a chain's names are not names of the whole
protein.

The protein's gene is not linked here: HGNC lists each gene's UniProt
accessions, and its parser emits the ``has_gene_product`` edges.
"""

from __future__ import annotations

import csv
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from io import TextIOWrapper
from pathlib import Path
from typing import Any

from scidex.ingest.sources.archive import open_member
from scidex.ingest.sources.base import PinnedSource
from scidex.ingest.sources.errors import SourceFormatError
from scidex.kg.model import Entity

log = logging.getLogger(__name__)

MEMBER = "uniprotkb_human_2025_01_21.tsv"
CATEGORY = "biolink:Protein"
COLUMNS = ("Entry", "Entry Name", "Protein names")
HUMAN_SUFFIX = "_HUMAN"

# UniProt's accession format (https://www.uniprot.org/help/accession_numbers).
ACCESSION = re.compile(
    r"^(?:[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2})$"
)
_ENTRY_NAME = re.compile(r"^[A-Z0-9]{1,10}_[A-Z0-9]{1,5}$")
# One EC number, complete or partial: "EC 3.4.21.91", "EC 3.4.-.-", "EC 3.6.1.n1".
_EC = re.compile(r"^EC (\d+\.(?:\d+|-)\.(?:\d+|-)\.(?:n?\d+|-))$")
_CD_ANTIGEN = "CD antigen "
_COMPONENT_GROUPS = {"[Includes: ": "includes", "[Cleaved into: ": "cleaved_into"}
_CLOSE = {")": "(", "]": "["}


@dataclass(slots=True)
class ProteinNames:
    """What one "Protein names" cell (or one Includes / Cleaved into part) says."""

    name: str
    synonyms: list[str] = field(default_factory=list)
    ec_numbers: list[str] = field(default_factory=list)
    includes: list[ProteinNames] = field(default_factory=list)
    cleaved_into: list[ProteinNames] = field(default_factory=list)

    def component(self) -> dict[str, Any]:
        """This part as an attribute value: its name, and synonyms and EC numbers if any."""
        out: dict[str, Any] = {"name": self.name}
        if self.synonyms:
            out["synonyms"] = self.synonyms
        if self.ec_numbers:
            out["ec_numbers"] = self.ec_numbers
        return out


class NamesError(ValueError):
    """A "Protein names" cell that cannot be split; the caller adds file and line."""


def parse(archive: Path, release_id: str, *, stats: Counter[str] | None = None) -> Iterator[Entity]:
    """Yield one Protein per human entry of the UniProt TSV in ``archive``."""
    with (
        open_member(archive, MEMBER) as raw,
        TextIOWrapper(raw, encoding="utf-8", newline="") as fh,
    ):
        yield from parse_lines(fh, MEMBER, release_id, stats=stats)


SOURCE = PinnedSource("uniprot", parse)


def parse_lines(
    lines: Iterable[str], file: str, release_id: str, *, stats: Counter[str] | None = None
) -> Iterator[Entity]:
    """Parse the TSV text (header line first); ``file`` names it in errors."""
    stats = Counter() if stats is None else stats
    # UniProt's TSV never quotes: a name may hold a double quote of its own.
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None:
        raise SourceFormatError(file, 1, "header", "file is empty")
    if tuple(header) != COLUMNS:
        raise SourceFormatError(file, 1, "header", f"expected columns {COLUMNS}, got {header}")
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != len(COLUMNS):
            raise SourceFormatError(
                file, line, "row", f"expected {len(COLUMNS)} fields, got {len(row)}"
            )
        accession, entry_name, names_cell = (cell.strip() for cell in row)
        if not _ENTRY_NAME.match(entry_name):
            raise SourceFormatError(file, line, "Entry Name", f"not an entry name: {entry_name!r}")
        if not entry_name.endswith(HUMAN_SUFFIX):
            stats["skipped_non_human"] += 1
            continue
        if not ACCESSION.match(accession):
            raise SourceFormatError(file, line, "Entry", f"not a UniProt accession: {accession!r}")
        if accession in seen:
            raise SourceFormatError(
                file, line, "Entry", f"{accession} listed twice (first on line {seen[accession]})"
            )
        seen[accession] = line
        try:
            names = split_protein_names(names_cell)
        except NamesError as exc:
            raise SourceFormatError(file, line, "Protein names", str(exc)) from None
        stats["entities"] += 1
        yield protein_entity(accession, entry_name, names, release_id)
    log.info(
        "%s: %d human proteins, skipped %d entries of other species",
        file,
        stats["entities"],
        stats["skipped_non_human"],
    )


def protein_entity(accession: str, entry_name: str, names: ProteinNames, release_id: str) -> Entity:
    """The Protein entity of one entry.

    The entry name (``BACH1_HUMAN``) is an attribute and a synonym: it is
    unique in UniProt, so it finds the protein without ever naming another
    one. Its mnemonic part (``BACH1``) is not a synonym: UniProt chose many
    mnemonics before the gene symbols settled, and about a hundred human ones
    are the approved symbol of another gene (CASK_HUMAN is kappa-casein, the
    product of CSN3, not of CASK).
    """
    attributes: dict[str, Any] = {"entry_name": entry_name}
    if names.ec_numbers:
        attributes["ec_numbers"] = names.ec_numbers
    if names.includes:
        attributes["includes"] = [c.component() for c in names.includes]
    if names.cleaved_into:
        attributes["cleaved_into"] = [c.component() for c in names.cleaved_into]
    synonyms = [s for s in dict.fromkeys([*names.synonyms, entry_name]) if s != names.name]
    return Entity(
        id=f"UniProtKB:{accession}",
        category=CATEGORY,
        name=names.name,
        synonyms=tuple(synonyms),
        attributes=attributes,
        source_release=release_id,
    )


def split_protein_names(cell: str) -> ProteinNames:
    """Split a "Protein names" cell into the recommended name and its groups.

    >>> n = split_protein_names("Serine protease NS3 (EC 3.4.21.91) (Flavivirin protease NS3)")
    >>> n.name, n.synonyms, n.ec_numbers
    ('Serine protease NS3', ['Flavivirin protease NS3'], ['3.4.21.91'])
    """
    text = cell.strip()
    if not text:
        raise NamesError("empty")
    _check_balanced(text)
    groups: list[str] = []
    while text.endswith((")", "]")):
        start = _group_start(text)
        if start <= 0 or text[start - 1] != " ":
            break  # a bracket inside the name itself: "Apolipoprotein(a)"
        group = text[start:]
        if group[0] == "[" and not group.startswith(tuple(_COMPONENT_GROUPS)):
            break  # part of the name: "Superoxide dismutase [Cu-Zn]"
        groups.append(group)
        text = text[: start - 1].rstrip()
    # Never empty: a group at the very start is part of the name ("(3R)-3-hydroxy...").
    names = ProteinNames(text)
    for group in reversed(groups):  # peeled from the end: put back in reading order
        if group[0] == "[":
            prefix = next(p for p in _COMPONENT_GROUPS if group.startswith(p))
            parts = [_component(p) for p in _split_top_level(group[len(prefix) : -1], "; ")]
            getattr(names, _COMPONENT_GROUPS[prefix]).extend(parts)
        else:
            _add_group(names, group[1:-1])
    names.synonyms = [s for s in dict.fromkeys(names.synonyms) if s != names.name]
    return names


def _component(text: str) -> ProteinNames:
    """One part of an Includes / Cleaved into list: a name and its own groups."""
    part = split_protein_names(text)
    if part.includes or part.cleaved_into:
        raise NamesError(f"nested Includes or Cleaved into in {text!r}")
    return part


def _add_group(names: ProteinNames, inner: str) -> None:
    inner = inner.strip()
    if not inner:
        raise NamesError("empty parenthesised group")
    if inner.startswith("EC "):
        for token in inner.split(", "):
            m = _EC.match(token.strip())
            if not m:
                raise NamesError(f"not an EC number: {token!r}")
            names.ec_numbers.append(m.group(1))
    elif inner.startswith(_CD_ANTIGEN):
        names.synonyms.append(inner.removeprefix(_CD_ANTIGEN).strip())
    else:
        names.synonyms.append(inner)


def _check_balanced(text: str) -> None:
    stack: list[str] = []
    for i, c in enumerate(text):
        if c in "([":
            stack.append(c)
        elif c in _CLOSE and (not stack or stack.pop() != _CLOSE[c]):
            raise NamesError(f"unbalanced {c!r} at character {i + 1}")
    if stack:
        raise NamesError(f"unclosed {stack[-1]!r}")


def _group_start(text: str) -> int:
    """Index of the bracket opening the group that closes at the end of ``text``."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        c = text[i]
        if c in ")]":
            depth += 1
        elif c in "([":
            depth -= 1
            if depth == 0:
                return i
    return -1  # unreachable once _check_balanced has passed


def _split_top_level(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside brackets ("A (x; y); B" -> ["A (x; y)", "B"])."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
            i = start
            continue
        i += 1
    parts.append(text[start:])
    if any(not p.strip() for p in parts):
        raise NamesError(f"empty part in {text!r}")
    return [p.strip() for p in parts]
