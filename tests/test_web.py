"""The web app in-process: home page, health check, OpenAPI, on both backends."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from scidex.config import Settings
from scidex.kg.model import Entity
from scidex.store import Store
from scidex.store.bulk import insert_entities
from scidex.store.migrations import LATEST_VERSION
from scidex.web import create_app


def client_for(store: Store) -> TestClient:
    return TestClient(create_app(Settings(database_url=store.url), store))


def test_home_page_shows_counts_from_the_store(store: Store) -> None:
    with store.atomic() as conn:
        insert_entities(
            conn,
            [Entity(id="HGNC:935", category="biolink:Gene", name="BTB domain", symbol="BACH1")],
        )
    with client_for(store) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert '<th scope="row">Gene</th><td>1</td>' in page.text  # the category's label
    assert "biolink:Gene" not in page.text and "Store:" not in page.text


def test_empty_store_home_page_says_how_to_build(store: Store) -> None:
    with client_for(store) as client:
        page = client.get("/")
    assert "scidex build" in page.text


def test_health_checks_the_database(store: Store) -> None:
    with client_for(store) as client:
        ok = client.get("/health")
    assert ok.status_code == 200
    assert ok.json()["status"] == "ok"
    assert ok.json()["database"] == {"backend": store.dialect, "schema_version": LATEST_VERSION}


def test_health_reports_an_unreachable_database_as_503() -> None:
    url = "postgresql://postgres:hidden@127.0.0.1:1/atlas"
    gone = Store(create_engine("postgresql+psycopg://postgres:hidden@127.0.0.1:1/atlas"), url)
    with TestClient(create_app(Settings(database_url=url), gone)) as client:
        answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.json()["status"] == "error"
    assert "127.0.0.1:1" in answer.json()["database"]["error"]
    assert "hidden" not in answer.text


def test_openapi_describes_the_api(store: Store) -> None:
    with client_for(store) as client:
        spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "SciDEX Atlas"
    assert "/health" in spec["paths"]
    assert "/api/stats" in spec["paths"]


def test_static_files_carry_a_content_hash(store: Store) -> None:
    with client_for(store) as client:
        page = client.get("/")
        href = page.text.split('rel="stylesheet" href="')[1].split('"')[0]
        assert "?v=" in href
        assert client.get(href).status_code == 200
