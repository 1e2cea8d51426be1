#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the test suite.
# Starts the local Debian cluster when it is installed but stopped. Without a
# server the PostgreSQL half of the tests is skipped (or fails when
# SCIDEX_REQUIRE_PG=1, as in CI).
set -u
host=127.0.0.1
port=5432
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$host" -p "$port"; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    echo "starting PostgreSQL cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1 || true
  done
  for _ in $(seq 1 20); do
    pg_isready -q -h "$host" -p "$port" && exit 0
    sleep 0.5
  done
fi
if [ "${SCIDEX_REQUIRE_PG:-}" = "1" ]; then
  echo "PostgreSQL is required (SCIDEX_REQUIRE_PG=1) but nothing answers on $host:$port" >&2
  exit 1
fi
echo "NOTE: no PostgreSQL on $host:$port: the PostgreSQL half of the tests will be skipped."
exit 0
