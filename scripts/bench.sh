#!/usr/bin/env bash
# Benchmarks Redraft against plain Redis, in one run, with one load generator (redraft bench):
# starts a Redraft cluster (scripts/cluster.sh, its own directory) and three Redis baselines from
# the system's redis-server, all on free loopback ports, runs the benchmark, then stops exactly
# what it started (by PID, also on Ctrl-C or failure).
#
#   scripts/bench.sh [--nodes N] [--groups G[,G...]] [--baselines raw,aof,wait2|none] [--tls] [--keep-dir]
#                    [BENCH OPTIONS...]
#   scripts/bench.sh --resp [--resp-tests set,get] [--resp-clients 1,50] [--resp-pipeline 1,16]
#                    [--resp-requests 20000] [--resp-via leader|follower] [--repeat 3] [--baselines raw,aof,wait2]
#
# --resp runs redis-benchmark (unchanged) against the leader's RESP port and against the Redis
# baselines, interleaved, and prints the median requests/s of each, Redraft's ratio to each baseline,
# and the CPU time per request of Redraft's processes (all coordinators and Redis) and of the baseline
# Redis processes. redis-benchmark cannot send WAIT, so the wait2 baseline is the primary alone there.
# --resp-via follower aims redis-benchmark at a follower's RESP port instead (writes forwarded to the
# leader and answered once that follower applied them), e.g. --resp-clients 1 for a lone client's latency.
#
# --groups 1,2,4 benchmarks a cluster of each number of Raft groups in turn (cluster.sh start --groups G,
# one cluster at a time, the same baselines beside each), results in --out DIR/groups-G/, and ends with a
# table per group count: writes/s, CPU time per write of all of Redraft's processes (coordinators and every
# group's Redis), and writes per CPU-second (what the processes would reach with a core each), and how much of
# that CPU the coordinators' JIT compilers still took. Each cluster is prewarmed 360 s unless --prewarm says
# otherwise (a node's JIT compiles for 4-6 minutes on a loaded 2-core machine, a sharded node's longest).
#
# --tls starts the cluster with cluster.sh start --tls (TLS and roles on every API and Raft connection;
# the load generator uses the cluster's readwrite identity), to measure what TLS costs.
#
# Baselines: redis-raw (no persistence), redis-aof (appendonly yes, appendfsync always),
# redis-wait2 (a primary with 2 replicas; every write is followed by WAIT 2 0) and resp (Redraft
# itself through the leader's RESP port, driven like a Redis baseline).
# BENCH OPTIONS go to 'redraft bench' (see: scripts/redraft bench --help), e.g.
#   scripts/bench.sh --clients 1,4,16,50,200,500 --duration 10s --repeat 3
# Results (results.csv, results.json, chart.svg, heap.csv) go to --out DIR (default
# bench-results/<date-time>). REDRAFT_JAVA_OPTS reaches the coordinators (e.g. a JFR recording),
# BENCH_JAVA_OPTS the load generator.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
CLI_JAR="$REPO_DIR/cli/target/redraft-cli.jar"

die() { echo "bench.sh: $*" >&2; exit 1; }

nodes=3
groups_list=""
baselines="raw,aof,wait2"
keep_dir=0
tls=""
out=""
bench_args=()
resp=0
resp_tests="set,get"
resp_clients="1,50"
resp_pipeline="1,16"
resp_requests=20000
resp_repeat=3
resp_via=leader
while [[ $# -gt 0 ]]; do
  case "$1" in
    --resp) resp=1; shift ;;
    --resp-tests) resp_tests="$2"; shift 2 ;;
    --resp-clients) resp_clients="$2"; shift 2 ;;
    --resp-pipeline) resp_pipeline="$2"; shift 2 ;;
    --resp-requests) resp_requests="$2"; shift 2 ;;
    --resp-via) resp_via="$2"; shift 2 ;;
    --repeat) resp_repeat="$2"; bench_args+=("$1" "$2"); shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --groups) groups_list="$2"; shift 2 ;;
    --groups=*) groups_list="${1#*=}"; shift ;;
    --baselines) baselines="$2"; shift 2 ;;
    --baselines=*) baselines="${1#*=}"; shift ;;
    --keep-dir) keep_dir=1; shift ;;
    --tls) tls=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) bench_args+=("$1"); shift ;;
  esac
done
[[ "$resp_via" == leader || "$resp_via" == follower ]] || die "--resp-via takes leader or follower, not '$resp_via'"
if [[ -n "$groups_list" ]]; then
  [[ "$groups_list" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--groups takes group counts like 1,2,4, not '$groups_list'"
  (( resp == 0 )) || die "--groups measures the gRPC path: drop --resp"
  [[ ",$baselines," != *,resp,* ]] || die "--groups starts a cluster per group count: drop the resp baseline"
  # A node of a sharded cluster runs a leader's and a follower's path for several groups: on 2 cores the
  # JIT compiled for ~3 minutes (C2 threads at 5-9% of a core each 150 s in), which the default 120 s
  # prewarm left inside the measurement (2 groups: 2.1x the CPU per write of one group, 1.4x once warm).
  # Session 23, other tenants keeping the machine loaded: C2 still took ~5% of a core per node 250-300 s
  # after start under 50 clients, and 2-3% at 7 minutes; the JIT column of the table says what is left.
  if [[ " ${bench_args[*]-} " != *" --prewarm"* ]]; then
    bench_args+=(--prewarm 360s)
    echo "bench.sh: --groups: prewarming each cluster for 360 s (give --prewarm to change it)"
  fi
fi
[[ -n "$out" ]] || out="bench-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

command -v redis-server >/dev/null || die "redis-server not found: apt-get install -y redis-server"
command -v redis-cli >/dev/null || die "redis-cli not found: apt-get install -y redis-tools"
if [[ -n "$tls" ]] && { (( resp == 1 )) || [[ ",$baselines," == *,resp,* ]]; }; then
  die "--tls measures the gRPC path; redis-benchmark cannot present the cluster's certificates here: drop --resp and the resp baseline"
fi
if [[ ! -f "$CLI_JAR" || ! -f "$REPO_DIR/coordinator/target/redraft-coordinator.jar" ]]; then
  "$REPO_DIR/scripts/build.sh" || die "build failed (see above)"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/redraft-bench.XXXXXX")"
redis_pids=()
heap_pid=""
cluster_started=0

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n "$heap_pid" ]] && kill "$heap_pid" 2>/dev/null || true
  if (( cluster_started )); then
    "$SCRIPT_DIR/cluster.sh" stop --dir "$CLUSTER" >/dev/null 2>&1 || true
  fi
  local pid
  for pid in "${redis_pids[@]+"${redis_pids[@]}"}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${redis_pids[@]+"${redis_pids[@]}"}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if (( keep_dir )); then
    echo "bench.sh: kept $WORK (cluster logs, Redis files)" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
  return 1
}

free_port() {
  local p
  for _ in $(seq 200); do
    p=$(( 40000 + RANDOM % 20000 ))
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  die "no free loopback port found"
}

# start_redis NAME PORT [redis-server options...]
start_redis() {
  local name=$1 port=$2; shift 2
  mkdir -p "$WORK/$name"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$WORK/$name" --save "" --daemonize no \
    --logfile "$WORK/$name/redis.log" "$@" >/dev/null 2>&1 &
  redis_pids+=("$!")
  eval "pid_of_$name=\$!"
  for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "redis $name did not start: see $WORK/$name/redis.log"
}

# start_cluster GROUPS: a Redraft cluster of $nodes nodes and GROUPS Raft groups in $CLUSTER; sets
# endpoints, tls_env and redraft_cpu_args (every coordinator and Redis of the cluster).
start_cluster() {
  local groups=$1 ndir node rdir
  echo "Starting a $nodes-node Redraft cluster$( (( groups == 1 )) || echo " of $groups Raft groups") in $CLUSTER ..."
  cluster_started=1
  # No AUTH on the benchmark cluster's RESP ports (loopback only; with --tls they are not benchmarked):
  # redis-benchmark takes a password only on its command line.
  mkdir -p "$CLUSTER" && : > "$CLUSTER/resp.password"
  "$SCRIPT_DIR/cluster.sh" start --nodes "$nodes" --groups "$groups" --dir "$CLUSTER" ${tls:+--tls} >/dev/null
  # With --tls the generator finds the CA in the cluster's directory; it acts with the readwrite identity.
  tls_env=()
  if [[ -n "$tls" ]]; then
    echo "TLS on: every call of the load generator and between the nodes is encrypted and authorized"
    tls_env=(REDRAFT_CACERT="$CLUSTER/tls/ca.pem" REDRAFT_CERT="$CLUSTER/tls/readwrite.pem"
      REDRAFT_KEY="$CLUSTER/tls/readwrite-key.pem")
  fi
  endpoints="$(paste -sd, "$CLUSTER/endpoints")"
  # Every process of the target, so the bench reports CPU time per operation of each (from /proc).
  redraft_cpu_args=()
  for ndir in "$CLUSTER"/n*/; do
    node=$(basename "$ndir")
    redraft_cpu_args+=(--cpu-pid "redraft/$node=$(cat "$ndir/coordinator.pid")" --cpu-pid "redraft/redis-$node=$(cat "$ndir/redis.pid")")
    for rdir in "$ndir"group*/; do
      [[ -f "$rdir/redis.pid" ]] || continue
      redraft_cpu_args+=(--cpu-pid "redraft/redis-$node-$(basename "$rdir")=$(cat "$rdir/redis.pid")")
    done
  done
}

echo "Load average before the run (1, 5, 15 min): $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) cores"
first_groups=${groups_list%%,*}
first_groups_listed=$first_groups
CLUSTER="$WORK/cluster${groups_list:+-g$first_groups}"
start_cluster "${first_groups:-1}"
cpu_args=()

baseline_args=()
for b in ${baselines//,/ }; do
  case "$b" in
    raw)
      raw=$(free_port); start_redis raw "$raw" --appendonly no
      baseline_args+=(--baseline "redis-raw=127.0.0.1:$raw")
      cpu_args+=(--cpu-pid "redis-raw/redis=$pid_of_raw") ;;
    aof)
      aof=$(free_port); start_redis aof "$aof" --appendonly yes --appendfsync always
      baseline_args+=(--baseline "redis-aof=127.0.0.1:$aof")
      cpu_args+=(--cpu-pid "redis-aof/redis=$pid_of_aof") ;;
    wait2)
      primary=$(free_port); start_redis primary "$primary" --appendonly no
      replica1=$(free_port); start_redis replica1 "$replica1" --appendonly no --replicaof 127.0.0.1 "$primary"
      replica2=$(free_port); start_redis replica2 "$replica2" --appendonly no --replicaof 127.0.0.1 "$primary"
      for _ in $(seq 100); do
        connected=$(redis-cli -p "$primary" info replication | tr -d '\r' | sed -n 's/^connected_slaves://p')
        [[ "${connected:-0}" -ge 2 ]] && break
        sleep 0.1
      done
      [[ "${connected:-0}" -ge 2 ]] || die "the replicas did not connect to the primary"
      baseline_args+=(--baseline "redis-wait2=127.0.0.1:$primary,wait=2")
      cpu_args+=(--cpu-pid "redis-wait2/primary=$pid_of_primary" --cpu-pid "redis-wait2/replica1=$pid_of_replica1"
        --cpu-pid "redis-wait2/replica2=$pid_of_replica2") ;;
    resp)
      # Redraft itself through the leader's RESP port, driven by the same generator as a Redis baseline.
      first=$(head -n 1 "$CLUSTER/resp-endpoints")
      leader=$(redis-cli -p "${first##*:}" info raft | tr -d '\r' | sed -n 's/^raft_leader_id://p')
      [[ -n "$leader" ]] || die "no leader reported by the RESP port $first"
      baseline_args+=(--baseline "redraft-resp=$(sed -n 's/^RESP=//p' "$CLUSTER/$leader/node.env")")
      for ndir in "$CLUSTER"/n*/; do
        node=$(basename "$ndir")
        cpu_args+=(--cpu-pid "redraft-resp/$node=$(cat "$ndir/coordinator.pid")"
          --cpu-pid "redraft-resp/redis-$node=$(cat "$ndir/redis.pid")")
      done ;;
    none) ;;
    *) die "unknown baseline '$b' (use raw, aof, wait2, resp or none)" ;;
  esac
done
echo "Started the Redis baselines: ${baselines}"

if (( resp )); then
  # shellcheck source=resp-bench.sh
  source "$SCRIPT_DIR/resp-bench.sh"
  resp_bench
  exit 0
fi

# run_bench OUT: the load generator against the cluster in $CLUSTER and the baselines, results in OUT.
run_bench() {
  local dir=$1 rc
  mkdir -p "$dir"
  # Heap of every coordinator every 5 s (used = survivors + eden + old, in MB).
  (
    echo "time_s,node,heap_used_mb"
    start=$SECONDS
    while true; do
      for pidfile in "$CLUSTER"/n*/coordinator.pid; do
        node=$(basename "$(dirname "$pidfile")")
        used=$(jstat -gc "$(cat "$pidfile")" 2>/dev/null | awk 'NR==2 {printf "%.1f", ($3+$4+$6+$8)/1024}')
        [[ -n "$used" ]] && echo "$(( SECONDS - start )),$node,$used"
      done
      sleep 5
    done
  ) > "$dir/heap.csv" 2>/dev/null &
  heap_pid=$!
  echo "Running redraft bench ..."
  set +e
  env "${tls_env[@]+"${tls_env[@]}"}" java ${BENCH_JAVA_OPTS:-} -jar "$CLI_JAR" --endpoints "$endpoints" bench \
    "${baseline_args[@]+"${baseline_args[@]}"}" "${redraft_cpu_args[@]}" "${cpu_args[@]+"${cpu_args[@]}"}" \
    --out "$dir" "${bench_args[@]+"${bench_args[@]}"}"
  rc=$?
  set -e
  kill "$heap_pid" 2>/dev/null || true
  heap_pid=""
  if command -v jstat >/dev/null && [[ -s "$dir/heap.csv" ]]; then
    awk -F, 'NR>1 { if (!($2 in first)) first[$2]=$3; last[$2]=$3; if ($3>max[$2]) max[$2]=$3 }
      END { for (n in first) printf "Coordinator %s heap used: first %.0f MB, last %.0f MB, max %.0f MB\n", n, first[n], last[n], max[n] }' \
      "$dir/heap.csv" | sort
  fi
  return "$rc"
}

if [[ -z "$groups_list" ]]; then
  run_bench "$out"
  exit $?
fi

# One cluster per group count, one at a time (the machine's cores are shared by all of them).
rc=0
for groups in ${groups_list//,/ }; do
  if [[ "$groups" != "$first_groups" ]]; then
    "$SCRIPT_DIR/cluster.sh" stop --dir "$CLUSTER" >/dev/null 2>&1 || true
    CLUSTER="$WORK/cluster-g$groups"
    start_cluster "$groups"
  fi
  run_bench "$out/groups-$groups" || rc=$?
  first_groups=""
done
echo
echo "Writes per number of Raft groups (Redraft's median per client count; CPU: all coordinators and every Redis,"
echo "not the load generator; the last two columns compare each row with the first group count's at as many clients):"
rows=$(for groups in ${groups_list//,/ }; do
  [[ -s "$out/groups-$groups/results.csv" ]] || { echo "$groups no-results"; continue; }
  # The mix column is quoted and may hold commas: dropped before splitting on commas.
  sed 's/"[^"]*"//' "$out/groups-$groups/results.csv" | awk -F, -v g="$groups" 'NR > 1 && $2 == "redraft" && $4 == "all" && $17 != "" {
      key = $3; n[key]++; rate[key, n[key]] = $9; cpu[key, n[key]] = ($19 != "" ? $19 : $17)
      p50[key, n[key]] = ($10 != "" ? $10 : 0); jit[key, n[key]] = ($20 != "" ? $20 : 0); seen[key] = 1 }
    function median(a, k, count,   i, j, t, v) {
      for (i = 1; i <= count; i++) v[i] = a[k, i]
      for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return v[int((count + 1) / 2)] }
    END { for (k in seen) print g, k, median(rate, k, n[k]), median(cpu, k, n[k]), median(p50, k, n[k]),
      median(jit, k, n[k]) }' \
    | sort -k2,2n
done)
printf '%-7s %-8s %12s %14s %18s %9s %14s %12s %12s\n' groups clients "writes/s" "CPU us/write" \
  "writes/CPU-second" "p50 ms" "JIT us (median)" "writes/s x" "CPU/write x"
awk -v first="$first_groups_listed" '
  $2 == "no-results" { rows[NR] = sprintf("%-7s (no results: see above)", $1); next }
  { if ($1 == first) { baseRate[$2] = $3; baseCpu[$2] = $4 }
    line[NR] = $0 }
  END { for (i = 1; i <= NR; i++) {
      if (i in rows) { print rows[i]; continue }
      split(line[i], f, " ")
      rateX = (f[2] in baseRate && baseRate[f[2]] > 0) ? sprintf("%.2f", f[3] / baseRate[f[2]]) : "-"
      cpuX = (f[2] in baseCpu && baseCpu[f[2]] > 0) ? sprintf("%.2f", f[4] / baseCpu[f[2]]) : "-"
      printf "%-7s %-8s %12.0f %14.1f %18.0f %9.2f %14.1f %12s %12s\n", f[1], f[2], f[3], f[4],
        (f[4] > 0 ? 1e6 / f[4] : 0), f[5], f[6], rateX, cpuX } }' <<< "$rows"
exit "$rc"
