"""Schemathesis over /openapi.json, in-process, on both backends, with every check it has
(the pytest form of ``--checks all``): no server error, every status and every answer as
the description declares, schema-valid requests accepted and schema-invalid ones refused,
authentication not ignored. Bounded: a few examples per operation, each under a deadline.

Every operation runs twice, anonymously (writes then answer 401 and nothing is written:
the shared store checks it) and with an editor's token on a store of the test's own (writes
are accepted, refused as stale, invalid or beyond an editor's role). Each run generates
valid input and input that breaks the schema (wrong types, out-of-range numbers, odd
characters). Random path parameters mostly name nothing, so every operation whose path
names an entity, an artifact or an edge runs again with a real one: that is where filters,
cursors and bodies are read.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTERED
from schemathesis.checks import load_all_checks
from sqlalchemy import select

from scidex.registry.tokens import create_token
from scidex.store import Store
from scidex.store.schema import edge
from scidex.web.schemathesis_hooks import register_cursor_formats

load_all_checks()
CHECKS = list(REGISTERED.get_all())
EXAMPLES = 4
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)

# What a cursor of each listing can hold (the description's scidex-cursor-* formats).
register_cursor_formats()


def _fuzz(
    operation: Any, mode: GenerationMode, path: dict[str, str] | None, headers: dict[str, str]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    @settings(
        max_examples=EXAMPLES,
        deadline=5000,
        derandomize=True,
        database=None,
        # No shrinking: a failure is reported as found, and the run stays bounded.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers or None, checks=CHECKS)

    run()


def _real_keys(store: Store) -> dict[str, str]:
    with store.read() as conn:
        edge_id = conn.execute(select(edge.c.id).where(edge.c.subject == "HGNC:935")).scalar()
    return {
        "key": "HGNC:935",
        "curie": "HGNC:935",
        "artifact_id": "wiki-genes-bach1",
        "edge_id": str(edge_id),
    }


def _findings(exc: BaseException) -> list[str]:
    """The titles of what schemathesis found (one line each)."""
    subs = getattr(exc, "exceptions", None) or [exc]
    return [f"{type(s).__name__}: {str(s).strip().splitlines()[0][:300]}" for s in subs]


def _fuzz_all(app: Any, store: Store, headers: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 20
    real = _real_keys(store)
    failures: list[str] = []
    for operation in operations:
        names = re.findall(r"{(\w+)", operation.path)
        runs: list[dict[str, str] | None] = [None]
        if names and all(n in real for n in names):
            runs.append({n: real[n] for n in names})
        for path in runs:
            for mode in MODES:
                try:
                    _fuzz(operation, mode, path, headers)
                except Unsatisfiable:
                    assert mode is GenerationMode.NEGATIVE  # nothing to get wrong
                # Every operation runs and all failures are listed (schemathesis reports
                # them as a BaseExceptionGroup).
                except (Exception, BaseExceptionGroup) as exc:
                    label = f"{operation.label} {path or ''} ({mode.value})"
                    failures += [f"{label}: {f}" for f in _findings(exc)]
    return failures


def test_anonymous_requests_get_what_the_description_says(shared_client: Any) -> None:
    failures = _fuzz_all(shared_client.app, shared_client.app.state.store, {})
    assert not failures, "\n".join(failures)


def test_an_editors_requests_get_what_the_description_says(client: Any, atlas_store: Store) -> None:
    _, token = create_token(atlas_store, role="editor", label="fuzzing editor")
    failures = _fuzz_all(client.app, atlas_store, {"Authorization": f"Bearer {token}"})
    assert not failures, "\n".join(failures)


def test_the_description_declares_every_status_in_the_error_shape(shared_client: Any) -> None:
    spec = shared_client.get("/openapi.json").json()
    edit = spec["paths"]["/api/artifacts/{artifact_id}"]["put"]
    assert {"400", "401", "403", "404", "408", "409", "413", "422"} <= set(edit["responses"])
    assert edit["security"] == [{"bearer": []}]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    neighbours = spec["paths"]["/api/entities/{key}/neighbours"]["get"]
    assert {"300", "304", "400", "404"} <= set(neighbours["responses"])
    params = {p["name"]: p["schema"] for p in neighbours["parameters"]}
    assert "biolink:has_phenotype" in params["predicate"]["enum"]
    assert "biolink:Gene" in params["category"]["enum"]
    assert params["cursor"]["anyOf"][0]["pattern"] == "^[A-Za-z0-9_-]+$"
    assert params["cursor"]["format"] == "scidex-cursor-neighbours"
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert "422" not in operation["responses"] or method != "get", path
            for status, answer in operation["responses"].items():
                if status not in ("200", "304"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema["$ref"] == "#/components/schemas/ErrorOut", (path, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_a_parameter_taken_once_and_given_twice_is_400(shared_client: Any) -> None:
    answer = shared_client.get("/api/entities/HGNC:935/neighbours?limit=5&limit=9")
    assert answer.status_code == 400
    assert answer.json()["error"]["details"] == {"repeated": ["limit"]}
    several = shared_client.get(
        "/api/atlas/entity/HGNC:935?predicate=biolink:regulates&predicate=biolink:has_phenotype"
    )
    assert several.status_code == 200


def test_a_method_a_path_lacks_is_405_naming_every_method_it_has(shared_client: Any) -> None:
    for method, path, allow in [
        ("GET", "/api/preview", "POST"),  # not a page section's 404
        ("OPTIONS", "/api/artifacts/wiki-genes-bach1", "GET, HEAD, PUT"),
        ("DELETE", "/api/entities/HGNC:935/merge", "POST"),
        ("POST", "/api/stats", "GET, HEAD"),
    ]:
        answer = shared_client.request(method, path)
        assert answer.status_code == 405, (method, path)
        assert answer.headers["allow"] == allow, (method, path)
        assert answer.json()["error"]["code"] == 405
    assert shared_client.get("/genes/bach1", follow_redirects=False).status_code == 308
