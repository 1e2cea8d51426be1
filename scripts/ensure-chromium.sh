#!/usr/bin/env bash
# Debian's chromium drives the browser tests (through Playwright, never a
# downloaded browser). Installed with apt-get when missing and we may.
set -u
[ -x /usr/bin/chromium ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "installing Debian's chromium for the browser tests"
  (apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null; }) && exit 0
fi
if [ "${SCIDEX_REQUIRE_BROWSER:-}" = "1" ]; then
  echo "chromium is required but missing: apt-get install chromium" >&2
  exit 1
fi
echo "NOTE: /usr/bin/chromium is missing (apt-get install chromium): browser tests will be skipped."
exit 0
