"""Regenerate src/scidex/kg/biolink.json from the biolink-model wheel on PyPI.

    pip download --no-deps biolink-model==4.4.6 -d /tmp/bl
    .venv/bin/python scripts/update_biolink.py /tmp/bl/biolink_model-4.4.6-py3-none-any.whl

Keeps only what the atlas validates against and reads out: predicate and
category names with their parents, each predicate's inverse (declared on one
side in the model, kept here in both directions), the symmetric predicates,
the prefix map, the identifier prefixes each category lists (``id_prefixes``,
in the model's order of preference), and the qualifier and count slots an edge
may carry.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parents[1] / "src" / "scidex" / "kg" / "biolink.json"


def snake(name: str) -> str:
    return name.replace(" ", "_")


def camel(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[ _]", name))


def descendants(items: dict, root: str) -> dict[str, str | None]:
    parents = {k: (v or {}).get("is_a") for k, v in items.items()}
    keep: dict[str, str | None] = {}
    for name in items:
        chain, cur = [], name
        while cur is not None and cur not in keep and cur != root:
            chain.append(cur)
            cur = parents.get(cur)
        if cur == root or cur in keep:
            for c in chain:
                keep[c] = parents.get(c)
    keep[root] = None
    return keep


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as zf:
        model = yaml.safe_load(zf.read("biolink_model/schema/biolink_model.yaml"))
        prefixes = json.loads(zf.read("biolink_model/prefixmaps/biolink-model-prefix-map.json"))
    predicates = descendants(model["slots"], "related to")
    categories = descendants(model["classes"], "named thing")
    inverses: dict[str, str] = {}
    for name in predicates:
        inverse = (model["slots"][name] or {}).get("inverse")
        if inverse in predicates:
            inverses[name] = inverse
            inverses.setdefault(inverse, name)
    symmetric = [n for n in predicates if (model["slots"][n] or {}).get("symmetric")]
    qualifiers = [n for n in descendants(model["slots"], "qualifier") if n != "qualifier"]
    statistics = [
        n for n in descendants(model["slots"], "aggregate statistic") if n != "aggregate statistic"
    ]
    data = {
        "version": model["version"],
        "source": Path(wheel).name,
        "predicates": {
            f"biolink:{snake(k)}": (f"biolink:{snake(v)}" if v else None)
            for k, v in sorted(predicates.items())
        },
        "categories": {
            f"biolink:{camel(k)}": (f"biolink:{camel(v)}" if v else None)
            for k, v in sorted(categories.items())
        },
        "inverses": {
            f"biolink:{snake(k)}": f"biolink:{snake(v)}" for k, v in sorted(inverses.items())
        },
        "symmetric": sorted(f"biolink:{snake(n)}" for n in symmetric),
        "prefixes": sorted(prefixes),
        "id_prefixes": {
            f"biolink:{camel(k)}": list(model["classes"][k]["id_prefixes"])
            for k in sorted(categories)
            if (model["classes"][k] or {}).get("id_prefixes")
        },
        "qualifiers": sorted(snake(n) for n in qualifiers),
        "statistics": sorted(snake(n) for n in statistics),
    }
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"{OUT}: {len(data['predicates'])} predicates, {len(data['categories'])} categories")


if __name__ == "__main__":
    main(sys.argv[1])
