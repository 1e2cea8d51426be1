"""Curated pages: markdown files with YAML front matter.

::

    ---
    entity: HGNC:935            # required: the page's KG entity CURIE
    title: optional override
    summary: optional one-line summary
    aliases: [AD]               # optional: other names researchers use for the entity
    references:                 # CSL-JSON items; `id` is the citation key
      - id: igarashi2014
        title: ...
        PMID: "24362264"
        supports: optional claim text
        checked: URL where the reference was verified
        species: [NCBITaxon:10090]   # organisms its data come from (see wiki.policy)
    curated_edges:
      - predicate: biolink:interacts_with
        object: HGNC:6782       # CURIE or a name, resolved by the caller
        publications: [igarashi2014]
        qualifiers: {}
    ---
    markdown body

Every error is a ``ContentError`` naming the file, the line and the field,
so a curator can jump straight to it. Line numbers come from the YAML node
tree (``yaml.compose``), not from guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scidex.wiki.citations import normalize_doi, normalize_pmid

TOP_LEVEL_FIELDS = ("entity", "title", "summary", "aliases", "references", "curated_edges")
EDGE_FIELDS = ("predicate", "object", "publications", "qualifiers")
_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:\S+$")


class ContentError(ValueError):
    """A curated page that cannot be loaded; ``str()`` is ``path:line: field: message``."""

    def __init__(self, path: Path | str, line: int, field: str, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        self.message = message
        super().__init__(f"{path}:{line}: {field}: {message}")


@dataclass(frozen=True, slots=True)
class CuratedEdge:
    predicate: str
    object: str
    publications: tuple[str, ...] = ()
    qualifiers: dict[str, Any] = field(default_factory=dict)
    line: int = 0
    """Line of this edge in the page file (for lint findings)."""


@dataclass(slots=True)
class CuratedPage:
    path: Path
    entity: str
    title: str | None
    summary: str | None
    references: dict[str, dict[str, Any]]
    curated_edges: list[CuratedEdge]
    markdown: str
    body_line: int
    """1-based line of the body's first line in the file."""
    reference_lines: dict[str, int] = field(default_factory=dict)
    """Line of each reference's entry in the file, by citation key."""
    aliases: tuple[str, ...] = ()
    """Other names of the entity, as researchers write them ("AD", "PD")."""


def _jsonable(value: Any) -> Any:
    """YAML turns ``2024-05-01`` into a date; references must stay JSON (CSL-JSON)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


class _Page:
    """Validation state for one file: its path and how to turn nodes into file lines."""

    def __init__(self, path: Path, first_line: int) -> None:
        self.path = path
        self.first_line = first_line  # file line of the YAML text's line 0

    def line(self, node: yaml.Node | None) -> int:
        return node.start_mark.line + self.first_line if node is not None else 1

    def error(self, node: yaml.Node | None, name: str, message: str) -> ContentError:
        return ContentError(self.path, self.line(node), name, message)

    def fields(self, node: yaml.Node, name: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, name, "must be a mapping of fields")
        return {str(key.value): (key, value) for key, value in node.value}

    def text(self, node: yaml.Node, value: Any, name: str) -> str:
        if isinstance(value, dict | list) or value is None or value == "":
            raise self.error(node, name, "must be a non-empty string")
        return str(value)

    def items(self, node: yaml.Node, value: Any, name: str) -> list[tuple[yaml.Node, Any]]:
        if value is None:
            return []
        if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
            raise self.error(node, name, "must be a list")
        return list(zip(node.value, value, strict=True))


def _split(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter YAML, body, 1-based body line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, 1, "front matter", "a page must start with a '---' line")
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise ContentError(path, 1, "front matter", "not closed: no '---' line ends it")


def _compose(source: str, page: _Page) -> tuple[yaml.Node | None, Any]:
    loader = yaml.SafeLoader(source)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + page.first_line if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContentError(page.path, line, "front matter", f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ContentError(page.path, 1, "front matter", f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def parse_page(text: str, path: Path | str) -> CuratedPage:
    """Parse one page's text; ``path`` is only used for errors and the result."""
    path = Path(path)
    source, body, body_line = _split(text.removeprefix("\ufeff"), path)
    page = _Page(path, first_line=2)
    root, data = _compose(source, page)
    if root is None:
        raise ContentError(path, 1, "entity", "missing: the front matter must name the entity")
    fields = page.fields(root, "front matter")
    for name, (key, _value) in fields.items():
        if name not in TOP_LEVEL_FIELDS:
            known = ", ".join(TOP_LEVEL_FIELDS)
            raise page.error(key, name, f"unknown field (known: {known})")
    if "entity" not in fields:
        raise ContentError(path, 1, "entity", "missing: the front matter must name the entity")
    entity_node = fields["entity"][1]
    entity = page.text(entity_node, data["entity"], "entity")
    if not _CURIE.match(entity):
        raise page.error(entity_node, "entity", f"{entity!r} is not a CURIE like HGNC:935")
    optional = {
        name: page.text(fields[name][1], data[name], name) if data.get(name) is not None else None
        for name in ("title", "summary")
    }
    aliases: list[str] = []
    if "aliases" in fields:
        for node, value in page.items(fields["aliases"][1], data["aliases"], "aliases"):
            aliases.append(page.text(node, value, "aliases"))
    references, ref_lines = _references(page, fields.get("references"), data.get("references"))
    edges = _edges(page, fields.get("curated_edges"), data.get("curated_edges"), references)
    return CuratedPage(
        path=path,
        entity=entity,
        title=optional["title"],
        summary=optional["summary"],
        references=references,
        curated_edges=edges,
        markdown=body,
        body_line=body_line,
        reference_lines=ref_lines,
        aliases=tuple(dict.fromkeys(aliases)),
    )


def _references(
    page: _Page, nodes: tuple[yaml.Node, yaml.Node] | None, value: Any
) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    references: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}
    if nodes is None:
        return references, lines
    for node, item in page.items(nodes[1], value, "references"):
        fields = page.fields(node, "references")
        if "id" not in fields:
            raise page.error(node, "references", "a reference needs an id (its citation key)")
        key = page.text(fields["id"][1], item["id"], "references.id")
        if key in references:
            first = lines[key]
            raise page.error(
                fields["id"][1], "references.id", f"duplicate id {key!r} (line {first})"
            )
        cleaned = {**_jsonable(item), "id": key}
        for name, check in (("PMID", normalize_pmid), ("DOI", normalize_doi)):
            if item.get(name) is not None:
                normal = check(item[name])
                if normal is None:
                    msg = f"malformed {name}: {item[name]!r}"
                    raise page.error(fields[name][1], f"references.{name}", msg)
                cleaned[name] = normal
        references[key] = cleaned
        lines[key] = page.line(node)
    return references, lines


def _edges(
    page: _Page,
    nodes: tuple[yaml.Node, yaml.Node] | None,
    value: Any,
    references: dict[str, dict[str, Any]],
) -> list[CuratedEdge]:
    edges: list[CuratedEdge] = []
    if nodes is None:
        return edges
    for node, item in page.items(nodes[1], value, "curated_edges"):
        fields = page.fields(node, "curated_edges")
        for name, (key, _value) in fields.items():
            if name not in EDGE_FIELDS:
                known = ", ".join(EDGE_FIELDS)
                raise page.error(key, f"curated_edges.{name}", f"unknown field (known: {known})")
        for name in ("predicate", "object"):
            if name not in fields:
                raise page.error(node, f"curated_edges.{name}", "missing")
        predicate = page.text(fields["predicate"][1], item["predicate"], "curated_edges.predicate")
        obj = page.text(fields["object"][1], item["object"], "curated_edges.object")
        publications: list[str] = []
        if "publications" in fields:
            pub_node = fields["publications"][1]
            raw = item["publications"]
            # A single key is a common slip for a one-element list; accept it.
            pairs = (
                [(pub_node, raw)]
                if isinstance(raw, str)
                else page.items(pub_node, raw, "curated_edges.publications")
            )
            for key_node, raw_key in pairs:
                cited = page.text(key_node, raw_key, "curated_edges.publications")
                if cited not in references:
                    msg = f"cites {cited!r}, which is not in references"
                    raise page.error(key_node, "curated_edges.publications", msg)
                publications.append(cited)
        qualifiers = item.get("qualifiers") or {}
        if not isinstance(qualifiers, dict):
            raise page.error(
                fields["qualifiers"][1], "curated_edges.qualifiers", "must be a mapping"
            )
        edges.append(
            CuratedEdge(predicate, obj, tuple(publications), _jsonable(qualifiers), page.line(node))
        )
    return edges


def load_page(path: Path | str) -> CuratedPage:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(path, 1, "file", f"not UTF-8 ({exc.reason})") from None
    return parse_page(text, path)


def load_pages(directory: Path | str) -> list[CuratedPage]:
    """Every ``*.md`` under ``directory`` (sorted); two pages for one entity is an error."""
    pages: list[CuratedPage] = []
    owners: dict[str, Path] = {}
    for path in sorted(Path(directory).rglob("*.md")):
        page = load_page(path)
        if page.entity in owners:
            msg = f"{page.entity} already has a page: {owners[page.entity]}"
            raise ContentError(path, 1, "entity", msg)
        owners[page.entity] = path
        pages.append(page)
    return pages
