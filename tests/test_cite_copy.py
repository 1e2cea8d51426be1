"""The "Cite this artifact" block: every format's text on the page, the same as its download,
with a copy button that a static, versioned script shows (the CSP allows no inline script)."""

from __future__ import annotations

import html
import re
from typing import Any

from scidex.web.delivery import IMMUTABLE, static_url

PAGE = "wiki-genes-bach1"
EXTENSIONS = {"text": "txt", "bibtex": "bib", "ris": "ris", "csl-json": "json"}


def test_every_format_is_on_the_page_as_its_download(shared_client: Any) -> None:
    page = shared_client.get(f"/artifact/{PAGE}").text
    block = page.split('<section class="cite-embed"', 1)[1].split("</section>", 1)[0]
    for name, ext in EXTENSIONS.items():
        match = re.search(rf'id="cite-{name}-text">(.*?)</(?:pre|p)>', block, re.S)
        assert match, name
        shown = html.unescape(match[1]).replace("\r\n", "\n")  # as a browser reads it
        download = shared_client.get(f"/artifact/{PAGE}/cite.{ext}?version=2").text
        # The page's text is the file's, with LF line ends (RIS files use CRLF).
        assert shown == download.replace("\r\n", "\n"), name
        button = re.search(rf'<button[^>]*data-copy="cite-{name}-text"[^>]*>', block)
        assert button and " hidden" in button[0]  # shown by cite.js only where it can copy
        assert ("data-crlf" in button[0]) == (ext == "ris")


def test_the_copy_script_is_static_versioned_and_cached_for_good(shared_client: Any) -> None:
    page = shared_client.get(f"/artifact/{PAGE}").text
    url = static_url("cite.js")
    assert f'<script src="{url}"></script>' in page
    assert re.search(r"\?v=[0-9a-f]{10}$", url)
    script = shared_client.get(url)
    assert script.status_code == 200 and script.headers["cache-control"] == IMMUTABLE
    assert "navigator.clipboard" in script.text
    # No inline script or handler: script-src 'self' would refuse it.
    assert not re.search(
        r"<script(?![^>]*\bsrc=)[^>]*>", page.replace('type="application/json"', "")
    )
    assert not re.search(r"\son[a-z]+=", page)
    csp = shared_client.get(f"/artifact/{PAGE}").headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    )
