#!/usr/bin/env bash
# Re-fetch the vendored browser assets from the npm registry, by exact version,
# and check them against src/scidex/web/static/vendor/SHA256SUMS.
#
#   scripts/vendor.sh            fetch, verify, install into static/vendor/
#   scripts/vendor.sh --check    only verify the files already in static/vendor/
#
# Nothing is ever loaded from a CDN: the pages serve these files themselves.
#
# mermaid: dist/mermaid.min.js is the self-contained IIFE build (it sets
# globalThis.mermaid and contains every diagram type; it has no import() and
# fetches nothing), so one file is all a page needs.
#
# cytoscape: dist/cytoscape.min.js is the UMD build (it sets globalThis.cytoscape,
# has no dependencies and fetches nothing); the Atlas explorer (/atlas/entity/...)
# draws neighbourhoods with it.
set -euo pipefail

MERMAID_VERSION=11.17.2
CYTOSCAPE_VERSION=3.35.0

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/src/scidex/web/static/vendor"
SUMS="$VENDOR/SHA256SUMS"

check() {
  (cd "$VENDOR" && sha256sum --strict --check SHA256SUMS)
}

if [ "${1:-}" = "--check" ]; then
  check
  exit 0
fi

command -v npm >/dev/null || { echo "npm is needed to fetch the vendored assets" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# `npm pack` downloads the published tarball and checks it against the
# registry's integrity hash; we then check the extracted files against ours.
mkdir -p "$work/out"
# vendor NAME VERSION DIST_FILE: the package's DIST_FILE and LICENSE, renamed with the version.
vendor() {
  local name="$1" version="$2" file="$3"
  mkdir -p "$work/$name"
  (cd "$work/$name" && npm pack --silent "$name@$version" >/dev/null)
  tar -xzf "$work/$name/$name-$version.tgz" -C "$work/$name" "package/dist/$file" package/LICENSE
  cp "$work/$name/package/dist/$file" "$work/out/$name-$version.min.js"
  cp "$work/$name/package/LICENSE" "$work/out/$name-$version.LICENSE.txt"
}
vendor mermaid "$MERMAID_VERSION" mermaid.min.js
vendor cytoscape "$CYTOSCAPE_VERSION" cytoscape.min.js

# Verify before touching the tree, so a changed upstream file never lands.
cp "$SUMS" "$work/out/SHA256SUMS"
(cd "$work/out" && sha256sum --strict --check SHA256SUMS)

mkdir -p "$VENDOR"
cp "$work/out/"*.min.js "$work/out/"*.LICENSE.txt "$VENDOR/"
echo "vendored mermaid $MERMAID_VERSION and cytoscape $CYTOSCAPE_VERSION into ${VENDOR#"$ROOT"/}"
