"""First paint, DOMContentLoaded and load of a page in Chromium, for two source trees.

    .venv/bin/python scripts/first_paint.py sqlite:///$PWD/var/atlas.db \\
        /artifact/wiki-genes-bach1 /path/to/older/checkout . 13

Each tree serves the same store on its own port; the page is loaded from each in
turn (which goes first alternates), in a new browser context (nothing cached) and
then again (cached), and the medians are printed. Debian's chromium, never a
downloaded browser. Both trees must read the store's schema version.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.request
from typing import Any

from playwright.sync_api import sync_playwright

TIMINGS = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const p = Object.fromEntries(
    performance.getEntriesByType('paint').map(e => [e.name, e.startTime]));
  return {fcp: p['first-contentful-paint'], dcl: n.domContentLoadedEventEnd,
          load: n.loadEventEnd, html: n.decodedBodySize};
}"""


def serve(tree: str, db: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": f"{os.path.abspath(tree)}/src"}
    cmd = [sys.executable, "-m", "scidex", "--db", db, "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"{tree}: the server on port {port} did not answer")


def main(db: str, path: str, trees: list[str], runs: int) -> None:
    servers = [(tree, 8701 + i, serve(tree, db, 8701 + i)) for i, tree in enumerate(trees)]
    seen: dict[tuple[str, str], list[dict[str, Any]]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-background-networking"],
            )
            for run in range(runs):
                for tree, port, _ in servers if run % 2 == 0 else servers[::-1]:
                    context = browser.new_context(viewport={"width": 1366, "height": 900})
                    page = context.new_page()
                    for kind in ("new context", "reload"):
                        page.goto(f"http://127.0.0.1:{port}{path}", wait_until="load")
                        time.sleep(0.3)
                        if run >= 2:  # the first loads warm the servers up
                            seen.setdefault((tree, kind), []).append(page.evaluate(TIMINGS))
                    context.close()
            browser.close()
    finally:
        for _, _, proc in servers:
            proc.terminate()
    for (tree, kind), rows in seen.items():

        def median(key: str, rows: list[dict[str, Any]] = rows) -> float:
            return statistics.median(r[key] for r in rows if r[key] is not None)

        print(
            f"{tree} ({kind}, n={len(rows)}): first contentful paint {median('fcp'):.0f} ms, "
            f"DOMContentLoaded {median('dcl'):.0f} ms, load {median('load'):.0f} ms, "
            f"HTML {rows[0]['html']:,} B"
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:5], int(sys.argv[5]) if len(sys.argv) > 5 else 13)
