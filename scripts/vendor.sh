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
set -euo pipefail

MERMAID_VERSION=11.17.2

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
(cd "$work" && npm pack --silent "mermaid@$MERMAID_VERSION" >/dev/null)
tar -xzf "$work/mermaid-$MERMAID_VERSION.tgz" -C "$work" package/dist/mermaid.min.js package/LICENSE

mkdir -p "$work/out"
cp "$work/package/dist/mermaid.min.js" "$work/out/mermaid-$MERMAID_VERSION.min.js"
cp "$work/package/LICENSE" "$work/out/mermaid-$MERMAID_VERSION.LICENSE.txt"

# Verify before touching the tree, so a changed upstream file never lands.
cp "$SUMS" "$work/out/SHA256SUMS"
(cd "$work/out" && sha256sum --strict --check SHA256SUMS)

mkdir -p "$VENDOR"
cp "$work/out/mermaid-$MERMAID_VERSION.min.js" "$work/out/mermaid-$MERMAID_VERSION.LICENSE.txt" "$VENDOR/"
echo "vendored mermaid $MERMAID_VERSION into ${VENDOR#"$ROOT"/}"
