"""Name normalisation for entity resolution: "ALS", "Als" and "A.L.S." are one key."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize_name(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key for a name.

    Apostrophes vanish ("Alzheimer's" -> "alzheimers") and every other run of
    punctuation or space becomes one space, so "BTB domain and CNC homolog 1"
    and "btb-domain and cnc homolog 1" share a key. Greek letters keep their
    identity through NFKD (a Greek alpha does not become "a": the sources spell
    such names apart and we do not guess).
    """
    if name.isascii():  # most names: nothing to decompose, no accents to drop
        stripped = name
    else:
        decomposed = unicodedata.normalize("NFKD", name)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = _APOSTROPHES.sub("", stripped.casefold())
    return _NON_WORD.sub(" ", lowered).strip()
