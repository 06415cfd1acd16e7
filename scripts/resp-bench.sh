# shellcheck shell=bash
# The RESP mode of scripts/bench.sh (sourced by it, after it started the cluster and the baselines):
# redis-benchmark against the leader's RESP port and each baseline, interleaved per repeat.

# CPU time (clock ticks: utime + stime) of the given PIDs together.
cpu_ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    # After the command name: field 12 is utime, 13 stime (14 and 15 of the whole line).
    total=$(( total + $(awk '{print $12 + $13}' <<<"$fields") ))
  done
  echo "$total"
}

# One redis-benchmark run: prints "RPS P50_MS CPU_US_PER_REQUEST" (CPU of the target's processes).
resp_run() {
  local port=$1 test=$2 clients=$3 pipeline=$4 pids=$5 before after csv
  before=$(cpu_ticks $pids)
  csv=$(redis-benchmark -p "$port" -t "$test" -n "$resp_requests" -c "$clients" -P "$pipeline" --csv 2>/dev/null \
    | grep -i "^\"$test\"") || die "redis-benchmark -p $port -t $test failed"
  after=$(cpu_ticks $pids)
  # CSV columns: test, rps, avg, min, p50, p95, p99, max latency (ms).
  tr -d '"' <<<"$csv" | awk -F, -v ticks=$(( after - before )) -v hz="$(getconf CLK_TCK)" -v n="$resp_requests" \
    '{printf "%s %s %.1f\n", $2, $5, ticks / hz * 1e6 / n}' 
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

resp_bench() {
  local first leader target_node ndir redraft_port redraft_pids="" targets=() names=()
  first=$(head -n 1 "$WORK/cluster/resp-endpoints")
  leader=$(redis-cli -p "${first##*:}" info raft | tr -d '\r' | sed -n 's/^raft_leader_id://p')
  [[ -n "$leader" ]] || die "no leader reported by the RESP port $first"
  target_node=$leader
  if [[ "$resp_via" == follower ]]; then
    for ndir in "$WORK"/cluster/n*/; do
      [[ "$(basename "$ndir")" != "$leader" ]] && { target_node=$(basename "$ndir"); break; }
    done
    [[ "$target_node" != "$leader" ]] || die "--resp-via follower: the cluster has no follower (--nodes 1)"
  fi
  redraft_port=$(sed -n 's/^RESP=.*://p' "$WORK/cluster/$target_node/node.env")
  for ndir in "$WORK"/cluster/n*/; do
    redraft_pids+=" $(cat "$ndir/coordinator.pid") $(cat "$ndir/redis.pid")"
  done
  names+=(redraft); targets+=("$redraft_port|$redraft_pids")
  [[ -n "${raw:-}" ]] && { names+=(redis-raw); targets+=("$raw|$pid_of_raw"); }
  [[ -n "${aof:-}" ]] && { names+=(redis-aof); targets+=("$aof|$pid_of_aof"); }
  [[ -n "${primary:-}" ]] && { names+=(redis-primary-2-replicas); targets+=("$primary|$pid_of_primary $pid_of_replica1 $pid_of_replica2"); }

  echo "RESP mode: redis-benchmark -n $resp_requests against $target_node's RESP port (leader: $leader) and the baselines;"
  echo "warming the coordinators up (3 x $resp_requests SET and GET at 50 connections) ..."
  for _ in 1 2 3; do
    redis-benchmark -p "$redraft_port" -t set,get -n "$resp_requests" -c 50 -P 16 -q >/dev/null 2>&1 || true
  done
  local results="$out/resp.csv" rep test c p i
  echo "target,test,clients,pipeline,repeat,rps,p50_ms,cpu_us_per_request" > "$results"
  for (( rep = 1; rep <= resp_repeat; rep++ )); do
    for test in ${resp_tests//,/ }; do
      for c in ${resp_clients//,/ }; do
        for p in ${resp_pipeline//,/ }; do
          for i in "${!targets[@]}"; do
            read -r rps p50 cpu < <(resp_run "${targets[i]%%|*}" "$test" "$c" "$p" "${targets[i]#*|}")
            echo "${names[i]},$test,$c,$p,$rep,$rps,$p50,$cpu" >> "$results"
          done
        done
      done
    done
    echo "repeat $rep of $resp_repeat done"
  done

  echo
  printf '%-6s %7s %8s | %-24s %12s %8s %10s %8s\n' test clients pipeline target "requests/s" "p50 ms" "CPU us/req" ratio
  for test in ${resp_tests//,/ }; do
    for c in ${resp_clients//,/ }; do
      for p in ${resp_pipeline//,/ }; do
        local redraft_rps=""
        for i in "${!names[@]}"; do
          local rows rps p50 cpu ratio
          rows=$(awk -F, -v t="${names[i]}" -v x="$test" -v c="$c" -v p="$p" '$1==t && $2==x && $3==c && $4==p' "$results")
          rps=$(cut -d, -f6 <<<"$rows" | median)
          p50=$(cut -d, -f7 <<<"$rows" | median)
          cpu=$(cut -d, -f8 <<<"$rows" | median)
          [[ -n "$redraft_rps" ]] || redraft_rps=$rps
          ratio=$(awk -v a="$redraft_rps" -v b="$rps" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }')
          printf '%-6s %7s %8s | %-24s %12.0f %8s %10s %8s\n' "$test" "$c" "$p" "${names[i]}" "$rps" "$p50" "$cpu" \
            "$([[ $i == 0 ]] && echo "" || echo "${ratio}x")"
        done
      done
    done
  done
  echo
  echo "Medians of $resp_repeat; ratio = Redraft's requests/s over the baseline's. Every run: $results"
}
