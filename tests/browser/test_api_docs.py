"""/api/docs: Swagger UI from the vendored files, drawn with no request leaving the machine."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route

pytestmark = pytest.mark.browser

LOCAL = {"127.0.0.1", "localhost"}


def test_api_docs_render_offline(page: Page, atlas_server: str) -> None:
    outside: list[str] = []

    def local_only(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in {"data", "blob"} or urlsplit(url).hostname in LOCAL:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", local_only)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    response = page.goto(atlas_server + "/api/docs")
    assert response is not None and response.ok
    operations = page.locator("#swagger-ui .opblock")
    operations.first.wait_for(timeout=20_000)
    assert operations.count() > 5
    assert page.locator("#swagger-ui .opblock-summary-path").filter(has_text="/api/stats").count()
    assert page.locator("#swagger-ui .info .title").inner_text().startswith("SciDEX Atlas")
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert errors == [], f"console errors: {errors}"
