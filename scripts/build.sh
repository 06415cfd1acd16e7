#!/usr/bin/env bash
# Builds Redraft's jars (mvn -DskipTests package), for the scripts' first run: one progress line per
# Maven module on stderr, the full log in a file whose [ERROR] lines are shown if the build fails.
# Debian's Maven writes ESC[0m codes even in batch mode; they are stripped.
#
#   scripts/build.sh [MAVEN_ARGS...]     e.g. scripts/build.sh -pl cli -am (the CLI only)
#
# Exit code: 0 built, 1 the build failed, 2 Maven is not installed.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v mvn >/dev/null 2>&1; then
  echo "build.sh: Maven (mvn) is not installed: install it (Debian: apt-get install -y maven), or build elsewhere with 'mvn -DskipTests package'" >&2
  exit 2
fi

log=$(mktemp "${TMPDIR:-/tmp}/redraft-build.XXXXXX")
started=$SECONDS
echo "Building Redraft, once (mvn -DskipTests package${*:+ $*}: 1-3 minutes; full log in $log)" >&2
if ! (cd "$REPO_DIR" && mvn -B -ntp -Dstyle.color=never -DskipTests "$@" package 2>&1) \
    | sed -u 's/\x1b\[[0-9;]*[A-Za-z]//g' | tee "$log" \
    | sed -un 's/^\[INFO\] Building \(.*\) [0-9][^ ]* *\[\([0-9]*\/[0-9]*\)\]$/  module \2: \1/p' >&2; then
  grep -E '^\[ERROR\]' "$log" | head -n 15 >&2 || true
  echo "build.sh: the build failed (full log: $log): run 'mvn -DskipTests package' in $REPO_DIR to see why" >&2
  exit 1
fi
echo "Built in $(( SECONDS - started )) s." >&2
rm -f "$log"
