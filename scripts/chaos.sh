#!/usr/bin/env bash
# Long randomized fault-injection run: separate coordinator JVMs with their own Redis, random
# partitions, pauses, kills, Redis data loss, clock skew and membership changes under a recorded workload, then a
# linearizability check of the history, counter bounds, replica digests at one log index, and a
# scan of the node logs.
#
#   scripts/chaos.sh [--duration 30m] [--seed N] [--nodes 3|5] [--dir DIR]
#
# Prints a summary (operations, faults, verdict). A failed run's files (history.jsonl, every
# node's log, Raft data) stay in its directory (default coordinator/target/chaos/soak-*).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
duration=30m seed="" nodes=3 dir=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --duration=*) duration="${1#*=}"; shift ;;
    --seed) seed="$2"; shift 2 ;;
    --seed=*) seed="${1#*=}"; shift ;;
    --nodes) nodes="$2"; shift 2 ;;
    --nodes=*) nodes="${1#*=}"; shift ;;
    --dir) dir="$2"; shift 2 ;;
    --dir=*) dir="${1#*=}"; shift ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "chaos.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$duration" =~ ^[0-9]+[smh]$ ]] || { echo "chaos.sh: --duration must look like 90s, 30m or 2h" >&2; exit 2; }
[[ "$nodes" == 3 || "$nodes" == 5 ]] || { echo "chaos.sh: --nodes must be 3 or 5" >&2; exit 2; }

props=(-Dchaos.duration="$duration" -Dchaos.nodes="$nodes")
[[ -n "$seed" ]] && props+=(-Dchaos.seed="$seed")
if [[ -n "$dir" ]]; then
  mkdir -p "$dir"
  props+=(-Dchaos.dir="$(cd "$dir" && pwd)")
fi

cd "$REPO_DIR"
log="$(mktemp -t redraft-chaos.XXXXXX.log)"
echo "chaos.sh: building and running a $duration randomized fault run ($nodes nodes); maven output in $log"
set +e
mvn -B -ntp verify -pl coordinator -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ChaosSoakIT -Dfailsafe.failIfNoSpecifiedTests=false "${props[@]}" > "$log" 2>&1
rc=$?
set -e
report="$REPO_DIR/coordinator/target/failsafe-reports/dev.redraft.coordinator.chaos.ChaosSoakIT-output.txt"
if [[ -f "$report" ]]; then
  # The summary block the run prints at its end.
  sed -n '/^chaos run: seed/,/^files: /p' "$report"
fi
if (( rc == 0 )); then
  echo "chaos.sh: verdict PASS"
else
  echo "chaos.sh: verdict FAIL (exit $rc). Details: $log and $REPO_DIR/coordinator/target/failsafe-reports/"
  grep -h "files in\|PROBLEMS" "$report" 2>/dev/null | head -5 || true
fi
exit $rc
