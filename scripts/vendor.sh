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
#
# swagger-ui-dist: swagger-ui-bundle.js (sets globalThis.SwaggerUIBundle, with every
# dependency inside) and swagger-ui.css, for the API explorer at /api/docs. Its
# NOTICE travels with its LICENSE (Apache-2.0, section 4d).
set -euo pipefail

MERMAID_VERSION=11.17.2
CYTOSCAPE_VERSION=3.35.0
SWAGGER_UI_VERSION=5.35.0

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
# fetch NAME VERSION: the package's published tarball, unpacked under $work/NAME/package.
fetch() {
  local name="$1" version="$2"
  mkdir -p "$work/$name"
  (cd "$work/$name" && npm pack --silent "$name@$version" >/dev/null)
  tar -xzf "$work/$name/$name-$version.tgz" -C "$work/$name"
}
# take NAME FILE TARGET: copy the package's FILE to TARGET in the output.
take() {
  cp "$work/$1/package/$2" "$work/out/$3"
}
fetch mermaid "$MERMAID_VERSION"
take mermaid dist/mermaid.min.js "mermaid-$MERMAID_VERSION.min.js"
take mermaid LICENSE "mermaid-$MERMAID_VERSION.LICENSE.txt"
fetch cytoscape "$CYTOSCAPE_VERSION"
take cytoscape dist/cytoscape.min.js "cytoscape-$CYTOSCAPE_VERSION.min.js"
take cytoscape LICENSE "cytoscape-$CYTOSCAPE_VERSION.LICENSE.txt"
fetch swagger-ui-dist "$SWAGGER_UI_VERSION"
take swagger-ui-dist swagger-ui-bundle.js "swagger-ui-$SWAGGER_UI_VERSION.js"
take swagger-ui-dist swagger-ui.css "swagger-ui-$SWAGGER_UI_VERSION.css"
take swagger-ui-dist LICENSE "swagger-ui-$SWAGGER_UI_VERSION.LICENSE.txt"
take swagger-ui-dist NOTICE "swagger-ui-$SWAGGER_UI_VERSION.NOTICE.txt"

# Verify before touching the tree, so a changed upstream file never lands.
# Every file listed must be there, and nothing unlisted is installed.
cp "$SUMS" "$work/out/SHA256SUMS"
(cd "$work/out" && sha256sum --strict --check SHA256SUMS)

mkdir -p "$VENDOR"
(cd "$work/out" && awk '{print $2}' SHA256SUMS | xargs -I{} cp {} "$VENDOR/")
echo "vendored mermaid $MERMAID_VERSION, cytoscape $CYTOSCAPE_VERSION and swagger-ui $SWAGGER_UI_VERSION into ${VENDOR#"$ROOT"/}"
