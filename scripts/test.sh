#!/usr/bin/env bash
# Runs every test: unit tests, in-JVM cluster tests with real redis-server processes, and the
# README quick start (scripts driven end to end). Needs Java 17, Maven and redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null || { echo "test.sh: redis-server not found: apt-get install -y redis-server" >&2; exit 1; }
exec mvn -B -ntp verify "$@"
