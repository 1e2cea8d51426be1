"""Schemathesis hooks for this API: what each listing's opaque cursor can hold.

The API description names every cursor parameter's format (``scidex-cursor-neighbours``,
``-artifacts``, ``-edges``, ``-publications``, ``-associations``): a token the listing made.
These strategies build such tokens from random positions, so schema-valid requests carry
real cursors. ``tests/test_api_fuzz.py`` registers them; for the command line::

    SCHEMATHESIS_HOOKS=scidex.web.schemathesis_hooks \\
        st run http://127.0.0.1:8000/openapi.json --checks all
"""

from __future__ import annotations

from typing import Any

from scidex.queries import associations, literature
from scidex.queries.artifacts import ARTIFACT_SORTS, ArtifactCursor
from scidex.queries.atlas_stats import EdgeCursor
from scidex.queries.graph import DIRECTIONS, Cursor


def cursor_strategies() -> dict[str, Any]:
    """A Hypothesis strategy per listing, named as the formats are (without the prefix)."""
    from hypothesis import strategies as st

    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=20)
    score = st.floats(-1e6, 1e6, allow_nan=False)
    sorts = st.sampled_from(sorted(ARTIFACT_SORTS))
    return {
        "neighbours": st.builds(Cursor, st.sampled_from(DIRECTIONS), text, score, text).map(
            Cursor.encode
        ),
        "artifacts": st.builds(ArtifactCursor, sorts, text, text).map(ArtifactCursor.encode),
        "edges": st.builds(EdgeCursor, text, text, score, text).map(EdgeCursor.encode),
        "publications": st.integers(1, literature.MAX_PMID).map(literature.encode_cursor),
        "associations": st.builds(associations.encode_cursor, st.integers(0, 1), text),
    }


def register_cursor_formats() -> None:
    import schemathesis

    for kind, strategy in cursor_strategies().items():
        schemathesis.openapi.format(f"scidex-cursor-{kind}", strategy)


try:  # loaded by the schemathesis command line as its hooks module
    import schemathesis as _schemathesis  # noqa: F401
except ImportError:  # the server does not need it
    pass
else:
    register_cursor_formats()
