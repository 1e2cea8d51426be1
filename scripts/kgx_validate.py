"""Run the official KGX validator offline, against the Biolink model its packages bundle.

    python -m venv /tmp/kgxvenv && /tmp/kgxvenv/bin/pip install kgx
    /tmp/kgxvenv/bin/python scripts/kgx_validate.py validate -i tsv nodes.tsv edges.tsv
    /tmp/kgxvenv/bin/python scripts/kgx_validate.py validate -i json graph.json

bmt (kgx's Biolink toolkit) reads the model and its predicate map from GitHub
by default. Here the model is the installed biolink-model package's own YAML,
the predicate map (used only to map predicates that are not Biolink's) is
empty, and kgx's JSON-LD prefix contexts are the package's prefix map. Run it
with the kgx environment's Python, never the atlas's.
"""

import json
import sys
from importlib.resources import files

import bmt.toolkit as toolkit

SCHEMA = str(files("biolink_model") / "schema" / "biolink_model.yaml")
_init = toolkit.Toolkit.__init__


def _offline_init(self, schema=SCHEMA, predicate_map=None, **kw):  # type: ignore[no-untyped-def]
    _init(self, schema, predicate_map or {"predicate mappings": []}, **kw)


toolkit.Toolkit.__init__ = _offline_init  # type: ignore[method-assign]
toolkit.REMOTE_PATH = SCHEMA

import kgx.config as config  # noqa: E402 - after the toolkit is pointed at the local model

PREFIXES = files("biolink_model") / "prefixmaps" / "biolink-model-prefix-map.json"
for name in ("biolink", "monarch_context", "obo_context"):
    config.jsonld_context_map[name] = json.loads(PREFIXES.read_text())

from kgx.cli import cli  # noqa: E402

sys.exit(cli())
