"""Parameters the JSON API and the pages share: entity keys and categories, their checks, and
the lookup of an entity by CURIE or name (300 with candidates when a name is ambiguous)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Path, Query
from pydantic import BaseModel
from sqlalchemy import Connection

from scidex.kg.biolink import categories, is_category, is_predicate, predicates
from scidex.kg.categories import LINK_SECTIONS
from scidex.kg.curies import CurieError, normalize_curie
from scidex.kg.urls import urls
from scidex.queries.graph import EntityBrief, EntityRecord, get_entity
from scidex.queries.resolve import Match, lookup
from scidex.queries.search import search
from scidex.web.errors import PageError
from scidex.web.schemas import EntityBriefOut, SearchHitOut

_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*:\S+$")


# Names given to the API are looked up among every entity, as /entities/{name} does.
ANY_ENTITY = LINK_SECTIONS["entities"]

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


CURIE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.\-]*:[^\s\x00-\x1f]+$"
# Printable text with something in it: what ``check_text`` accepts, as the description says it.
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
# The vocabularies a filter takes, as enums in the API description (the checks below refuse
# anything else with 400).
PREDICATES = predicates()
CATEGORIES = categories()


# Factories, not shared objects: FastAPI records each parameter's name on its FieldInfo.
def key_param() -> Any:
    return Path(
        min_length=1,
        max_length=200,
        pattern=TEXT_PATTERN,
        description="A CURIE (`HGNC:935`, `NCBIGene:571`) or any name or symbol (`BACH1`).",
        examples=["HGNC:935"],
    )


def category_param(description: str = "A Biolink category.") -> Any:
    return Query(
        None,
        max_length=100,
        description=description,
        examples=["biolink:Gene"],
        json_schema_extra={"enum": CATEGORIES},
    )


def predicate_param(description: str = "A Biolink predicate.") -> Any:
    return Query(
        None,
        max_length=100,
        description=description,
        examples=["biolink:has_phenotype"],
        json_schema_extra={"enum": PREDICATES},
    )


# A cursor is opaque: the ``next_cursor`` of the page before, base64url without padding. Its
# format names which listing made it (``scidex-cursor-neighbours``...): a token that listing
# did not make is refused with 400 ("malformed cursor").
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"


def cursor_param(kind: str, max_length: int = 1000) -> Any:
    return Query(
        None,
        max_length=max_length,
        pattern=CURSOR_PATTERN,
        description="`next_cursor` of the page before (an opaque token this listing made).",
        json_schema_extra={"format": f"scidex-cursor-{kind}"},
    )


def text_path_param(description: str) -> Any:
    """A path parameter of printable text (an id or a CURIE)."""
    return Path(min_length=1, max_length=200, pattern=TEXT_PATTERN, description=description)


def text_param(description: str, **kwargs: Any) -> Any:
    """A required query parameter of printable text (an entity's CURIE or name)."""
    return Query(
        ..., min_length=1, max_length=200, pattern=TEXT_PATTERN, description=description, **kwargs
    )


def artifact_id_param() -> Any:
    return Path(
        min_length=1,
        max_length=200,
        pattern=TEXT_PATTERN,
        description="An artifact id, slug or alias.",
        examples=["wiki-genes-bach1"],
    )


def check_text(value: str, what: str) -> str:
    value = value.strip()
    if not value or CONTROL_CHARS.search(value):
        raise PageError(400, f"{what} must be non-empty printable text")
    return value


def check_vocab(predicate: str | None, category: str | None) -> None:
    """400 for a predicate or category the Biolink model lacks (an empty one included)."""
    if predicate is not None and not is_predicate(predicate):
        raise PageError(
            400, f"unknown Biolink predicate {predicate!r}", {"example": "biolink:has_phenotype"}
        )
    if category is not None and not is_category(category):
        raise PageError(400, f"unknown Biolink category {category!r}", {"example": "biolink:Gene"})


def pick(obj: Any, model: type[BaseModel]) -> dict[str, Any]:
    """The model's fields, read from a record with the same attribute names."""
    return {f: getattr(obj, f) for f in model.model_fields}


def brief(b: EntityBrief | EntityRecord | Match) -> dict[str, Any]:
    return pick(b, EntityBriefOut)


def find_entity(conn: Connection, key: str) -> tuple[EntityRecord, str]:
    """The entity a CURIE or name denotes and how it matched; 300, 404 or 400 otherwise.

    A name is read as ``/entities/{name}`` reads it (``scidex.queries.resolve.lookup``):
    exactly first, then as a bare accession, a qualified name, a singular, or the
    start of one entity's shortest name; ``matched_by`` says which.
    """
    key = check_text(key, "an entity id or name")
    if _CURIE.match(key):
        try:
            curie = normalize_curie(key, strict=False)
        except CurieError as exc:
            raise PageError(400, str(exc)) from exc
        record = get_entity(conn, curie)
        if record is not None:  # merged entities too: the answer says where they went
            return record, "id"
    found = lookup(conn, ANY_ENTITY, key)
    if found.entity is not None:
        record = get_entity(conn, found.entity.id)
        if record is not None:
            return record, found.entity.matched_by
    if found.ambiguous:
        order = {h.id: i for i, h in enumerate(search(conn, key, text=False).hits)}
        best = sorted(found.matches, key=lambda c: (order.get(c.id, len(order)), c.id))
        raise PageError(
            300,
            f"{key!r} names {len(best)} entities equally; ask again with one of their ids",
            {
                "query": key,
                "candidates": [
                    brief(c) | {"matched_by": c.matched_by, "url": urls.api_entity(c.id)}
                    for c in best
                ],
            },
        )
    hits = search(conn, key, limit=8).hits
    raise PageError(
        404,
        f"no entity named {key!r}",
        {
            "query": key,
            "suggestions": [pick(h, SearchHitOut) for h in hits],
        },
    )
