"""A hand-written mermaid diagram as text: what a reader without JavaScript sees.

``describe(source)`` reads a diagram's title and accessible description
(mermaid's front matter ``title:``, ``accTitle:`` and ``accDescr:``) and, for a
flowchart, its nodes and edges, so that the page can show "Heme rises or
oxidants -> BACH1 loses DNA binding" instead of the diagram's source. It covers
the flowchart syntax people write by hand: node shapes (``A[..]``, ``A(..)``,
``A{..}``, ``A((..))``, ``A>..]``, quoted labels), arrows of every style and
length with ``|label|`` or ``-- label -->`` text, chains (``A --> B --> C``) and
``&`` (``A & B --> C``); styling, ``click``, ``class`` and subgraph lines are
skipped. Other diagram types are described by their title and description alone.

Pure and total: any input gives a description (possibly with no edges), never an
error; the lint (``wiki.lint.check_mermaid``) is what reports malformed diagrams.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

__all__ = ["DiagramEdgeText", "DiagramText", "describe"]


@dataclass(frozen=True, slots=True)
class DiagramEdgeText:
    """One drawn edge as text: node labels, the edge's own label, and whether it points."""

    source: str
    target: str
    label: str = ""
    directed: bool = True


@dataclass(slots=True)
class DiagramText:
    """What a diagram says, in reading order."""

    kind: str  # flowchart, sequenceDiagram, ... ("" when the source names none)
    title: str = ""
    description: str = ""
    edges: list[DiagramEdgeText] = field(default_factory=list)
    lone_nodes: list[str] = field(default_factory=list)  # nodes on no edge

    @property
    def empty(self) -> bool:
        return not (self.title or self.description or self.edges or self.lone_nodes)


_FLOWCHART = {"flowchart", "graph", "flowchart-elk"}
# Lines of a flowchart that draw nothing a reader needs in words.
_SKIP = re.compile(
    r"^(?:style|classDef|class|click|linkStyle|direction|subgraph|end)\b", re.IGNORECASE
)
_ACC = re.compile(r"^(accTitle|accDescr)\s*:\s*(.*)$")
_ACC_BLOCK = re.compile(r"^accDescr\s*\{(.*)$")
_ID = re.compile(r"[A-Za-z0-9_]+")
# Shape openers, longest first, with the closer each one needs.
_SHAPES = (
    ("(((", ")))"),
    ("((", "))"),
    ("([", "])"),
    ("[[", "]]"),
    ("[(", ")]"),
    ("{{", "}}"),
    ("[/", "/]"),
    ("[\\", "\\]"),
    ("[", "]"),
    ("(", ")"),
    ("{", "}"),
    (">", "]"),
)
# An arrow: an optional head at the start, a run of -, = or dots, a head or tail at the
# end ("-->", "---", "-.->", "==>", "<-->", "--o", "~~~" for an invisible link).
_ARROW = re.compile(
    r"(?P<start>[<xo]?)(?P<body>-{2,}|={2,}|-?\.+-|~{3,})(?P<end>>|[xo](?![A-Za-z0-9_])|)"
)
# An arrow with its text inside: "-- text -->", "== text ==>", "-. text .->".
_TEXT_ARROW = re.compile(
    r"(?P<start>[<xo]?)(?P<open>--|==|-\.)\s+(?P<text>[^|]+?)\s+"
    r"(?P<close>-{2,}[>xo-]|={2,}[>xo=]|\.+-[>xo]?)"
)
_PIPE_LABEL = re.compile(r"\|(?P<text>[^|]*)\|")
_TAGS = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"#(\w+);")


def _entity(match: re.Match[str]) -> str:
    """Mermaid's ``#quot;`` and ``#35;`` entity codes as the characters they stand for."""
    code = match[1]
    return html.unescape(f"&#{code};" if code.isdigit() else f"&{code};")


def _clean(text: str) -> str:
    """A label as plain text: quotes, mermaid's ``#NN;`` codes, markdown-string backticks
    and ``<br>`` tags undone, whitespace collapsed."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == "`":
        text = text[1:-1]
    text = _ENTITY.sub(_entity, text)
    text = _TAGS.sub(" ", text)
    return " ".join(text.split())


def _statements(body: list[str]) -> list[str]:
    """Statements of the diagram body: lines split at semicolons outside quotes."""
    out: list[str] = []
    for line in body:
        current: list[str] = []
        quoted = False
        for ch in line:
            if ch == '"':
                quoted = not quoted
            if ch == ";" and not quoted:
                out.append("".join(current))
                current = []
            else:
                current.append(ch)
        out.append("".join(current))
    return [s.strip() for s in out if s.strip()]


class _Flowchart:
    """Nodes and edges of a flowchart, read statement by statement."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.order: list[str] = []
        self.edges: list[tuple[str, str, str, bool]] = []

    def node(self, text: str, pos: int) -> tuple[str, int] | None:
        """The node reference at ``pos``: its id and where it ends, or None."""
        match = _ID.match(text, pos)
        if match is None:
            return None
        node_id, pos = match[0], match.end()
        if text.startswith("@{", pos):  # mermaid 11 shape syntax: id@{ shape: ..., label: "..." }
            end = text.find("}", pos)
            end = len(text) if end < 0 else end + 1
            label = re.search(r'label\s*:\s*"([^"]*)"', text[pos:end])
            self.define(node_id, _clean(label[1]) if label else "")
            return node_id, end
        for opener, closer in _SHAPES:
            if text.startswith(opener, pos):
                start = pos + len(opener)
                if text.startswith('"', start):
                    quote_end = text.find('"', start + 1)
                    end = text.find(closer, quote_end + 1 if quote_end >= 0 else start)
                else:
                    end = text.find(closer, start)
                    if closer == "]" and opener in ("[/", "[\\"):
                        end = text.find("]", start)
                if end < 0:
                    self.define(node_id, _clean(text[start:]))
                    return node_id, len(text)
                inner = text[start:end]
                if opener in ("[/", "[\\") and inner[-1:] in "/\\":
                    inner = inner[:-1]
                self.define(node_id, _clean(inner))
                return node_id, end + len(closer)
        self.define(node_id, "")
        return node_id, pos

    def define(self, node_id: str, label: str) -> None:
        if node_id not in self.labels:
            self.order.append(node_id)
            self.labels[node_id] = label or node_id
        elif label:
            self.labels[node_id] = label

    def group(self, text: str, pos: int) -> tuple[list[str], int]:
        """``A & B & C`` at ``pos``: their ids and where the group ends."""
        ids: list[str] = []
        while True:
            pos = _skip_space(text, pos)
            found = self.node(text, pos)
            if found is None:
                return ids, pos
            ids.append(found[0])
            pos = _skip_space(text, found[1])
            if not text.startswith("&", pos):
                return ids, pos
            pos += 1

    def arrow(self, text: str, pos: int) -> tuple[str, bool, bool, int] | None:
        """The link at ``pos``: (label, directed, drawn, end), or None."""
        match = _TEXT_ARROW.match(text, pos)
        if match is not None:
            directed = match["close"][-1] in ">xo" or match["start"] in ("<", "x", "o")
            return _clean(match["text"]), directed, True, match.end()
        match = _ARROW.match(text, pos)
        if match is None:
            return None
        body, heads = match["body"], match["start"] + match["end"]
        end = _skip_space(text, match.end())
        label = ""
        pipe = _PIPE_LABEL.match(text, end)
        if pipe is not None:
            label, end = _clean(pipe["text"]), pipe.end()
        return label, bool(heads), not body.startswith("~"), end

    def statement(self, text: str) -> None:
        if _SKIP.match(text):
            return
        previous, pos = self.group(text, 0)
        while previous:
            pos = _skip_space(text, pos)
            link = self.arrow(text, pos)
            if link is None:
                return
            label, directed, drawn, pos = link
            targets, pos = self.group(text, pos)
            if drawn:
                for a in previous:
                    for b in targets:
                        self.edges.append((a, b, label, directed))
            previous = targets


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def describe(source: str) -> DiagramText:
    """The title, description, edges and lone nodes of a mermaid diagram's ``source``."""
    lines = source.splitlines()
    title = ""
    if lines and lines[0].strip() == "---":  # front matter: title and config
        ends = [i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"]
        end = ends[0] if ends else len(lines)
        for line in lines[1:end]:
            key, _, value = line.partition(":")
            if key.strip() == "title":
                title = _clean(value)
        lines = lines[end + 1 :]
    body = [line.strip() for line in lines]
    body = [line for line in body if line and not line.startswith("%%")]
    kind = body[0].split()[0].rstrip(";") if body else ""
    result = DiagramText(kind=kind, title=title)
    rest: list[str] = []
    block: list[str] | None = None
    for line in body[1:]:
        if block is not None:  # inside accDescr { ... }
            if "}" in line:
                block.append(line[: line.index("}")])
                result.description = _clean(" ".join(block))
                block = None
            else:
                block.append(line)
            continue
        acc = _ACC.match(line)
        if acc is not None:
            if acc[1] == "accTitle":
                result.title = _clean(acc[2])
            else:
                result.description = _clean(acc[2])
            continue
        opened = _ACC_BLOCK.match(line)
        if opened is not None:
            block = [opened[1]]
            if "}" in opened[1]:
                result.description = _clean(opened[1][: opened[1].index("}")])
                block = None
            continue
        rest.append(line)
    if kind not in _FLOWCHART:
        return result
    # The header line may carry a first statement after a semicolon: "graph LR; A-->B".
    header_rest = body[0].split(";", 1)[1] if body and ";" in body[0] else ""
    chart = _Flowchart()
    for statement in _statements([header_rest, *rest]):
        chart.statement(statement)
    on_edge: set[str] = set()
    for a, b, label, directed in chart.edges:
        on_edge.update((a, b))
        result.edges.append(DiagramEdgeText(chart.labels[a], chart.labels[b], label, directed))
    result.lone_nodes = [chart.labels[n] for n in chart.order if n not in on_edge]
    return result
