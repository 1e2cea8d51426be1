"""Schemathesis over /openapi.json, in-process, on both backends: no server error, and every
answer as its schema describes. Bounded: a few examples per operation, each under a deadline.

Each GET operation gets its own Hypothesis runs, with valid input and with
input that breaks the schema (wrong types, out-of-range numbers, odd
characters). Random path parameters mostly name nothing, so every operation
whose path names an entity, an artifact or an edge runs again with a real one
and generated query parameters: that is where filters and cursors are read.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from sqlalchemy import select

from scidex.store.schema import edge

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES = 10
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def _fuzz(operation: Any, mode: GenerationMode, path: dict[str, str] | None = None) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    @settings(
        max_examples=EXAMPLES,
        deadline=3000,
        derandomize=True,
        database=None,
        # No shrinking: a failure is reported as found, and the run stays bounded.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    run()


def _real_keys(client: Any) -> dict[str, str]:
    with client.app.state.store.read() as conn:
        edge_id = conn.execute(select(edge.c.id).where(edge.c.subject == "HGNC:935")).scalar()
    return {"key": "HGNC:935", "curie": "HGNC:935", "artifact_id": "wiki-genes-bach1"} | {
        "edge_id": edge_id
    }


def test_no_server_error_and_answers_match_their_schema(shared_client: Any) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", shared_client.app)
    # Reads only: the write endpoints need a token and have their own tests.
    operations = [r.ok() for r in schema.include(method="GET").get_all_operations()]
    assert len(operations) > 10
    real = _real_keys(shared_client)
    failures: list[str] = []
    for operation in operations:
        names = re.findall(r"{(\w+)", operation.path)
        runs: list[dict[str, str] | None] = [None]
        if names and all(n in real for n in names):
            runs.append({n: real[n] for n in names})
        for path in runs:
            for mode in MODES:
                try:
                    _fuzz(operation, mode, path)
                except Unsatisfiable:
                    assert mode is GenerationMode.NEGATIVE  # nothing to get wrong
                except Exception as exc:  # every operation runs; all failures are listed
                    first = str(exc).strip().splitlines()[0][:300]
                    label = f"{operation.label} {path or ''} ({mode.value})"
                    failures.append(f"{label}: {type(exc).__name__}: {first}")
    assert not failures, "\n".join(failures)
