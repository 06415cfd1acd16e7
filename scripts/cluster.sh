#!/usr/bin/env bash
# Starts, inspects, grows, shrinks and stops a local Redraft cluster: N redis-server processes
# (loopback only, each with its own password) and N coordinator nodes, all files under one directory.
#
#   scripts/cluster.sh start [--nodes N] [--dir DIR] [--base-port PORT]
#   scripts/cluster.sh status [--dir DIR] [-o table|json]
#   scripts/cluster.sh add-node [--learner] [--dir DIR]    one more node (n4, n5, ...), joined through the admin API
#   scripts/cluster.sh remove-node ID [--dir DIR]          removes it through the admin API, then stops it
#   scripts/cluster.sh stop   [--dir DIR]
#   scripts/cluster.sh clean  [--dir DIR]
#   scripts/cluster.sh logs   [NODE] [--dir DIR]
#
# DIR defaults to $REDRAFT_HOME or ./.redraft. Works from any directory.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
COORDINATOR_JAR="$REPO_DIR/coordinator/target/redraft-coordinator.jar"
CLI_JAR="$REPO_DIR/client/target/redraft-cli.jar"

die() { echo "cluster.sh: $*" >&2; exit 1; }

# JVM settings for small machines, measured with scripts/bench.sh on 2 cores (3 coordinators, 50 clients):
# the C2 compiler still took ~47% of the leader's CPU 40 s after start, so the coordinators use C1 only
# (-XX:TieredStopAtLevel=1); the serial collector has no concurrent GC threads to compete for the
# cores and its young pauses stay in the milliseconds with this heap. Together: 1,849 -> 2,305
# writes/s, 761 -> 606 us of CPU per write (all processes). REDRAFT_JAVA_OPTS replaces them.
DEFAULT_JAVA_OPTS="-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

ensure_jars() {
  if [[ ! -f "$COORDINATOR_JAR" || ! -f "$CLI_JAR" ]]; then
    echo "Building Redraft (the jars are missing): mvn -DskipTests package ..." >&2
    (cd "$REPO_DIR" && mvn -B -q -ntp -DskipTests package) >&2 || die "build failed: run 'mvn -DskipTests package' in $REPO_DIR to see why"
  fi
}

require_tools() {
  command -v redis-server >/dev/null || die "redis-server not found: install it (Debian: apt-get install -y redis-server)"
  command -v java >/dev/null || die "java not found: install a Java 17 runtime"
}

# Is anything listening on this loopback TCP port?
port_in_use() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && { return 0; }
  return 1
}

# Picks a base port with 4*N free ports above it (Raft, API, Redis, admin HTTP for each node).
pick_base_port() {
  local nodes=$1 tries=0 base
  while (( tries < 50 )); do
    # Below Linux' ephemeral range (32768+): a port an outgoing connection uses locally looks free to
    # the checks above, but Redis could not bind it.
    base=$(( 20000 + (RANDOM % 1200) * 10 ))
    local ok=1 i
    for (( i = 0; i < nodes * 4; i++ )); do
      if port_in_use $(( base + i )); then ok=0; break; fi
    done
    if (( ok )); then echo "$base"; return 0; fi
    tries=$(( tries + 1 ))
  done
  die "no free ports found between 20000 and 32000"
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

endpoints_csv() { paste -sd, "$DIR/endpoints"; }

cli() { java -jar "$CLI_JAR" --endpoints "$(endpoints_csv)" "$@"; }

# Writes node NODE's files under DIR/NODE (a Redis config with a fresh password, node.env) and
# starts its Redis: loopback only, its own password, its own config.
create_node() {
  local node=$1 raft=$2 api=$3 redis=$4 http=$5
  local ndir="$DIR/$node"
  mkdir -p "$ndir/redis" "$ndir/data"
  local password
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  umask 077
  printf '%s\n' "$password" > "$ndir/redis.password"
  cat > "$ndir/redis.conf" <<CONF
# Only this node's coordinator may reach and write this Redis.
bind 127.0.0.1
port $redis
protected-mode yes
requirepass $password
dir $ndir/redis
daemonize no
logfile $ndir/redis.log
appendonly yes
appendfsync everysec
save ""
maxmemory-policy noeviction
enable-debug-command local
CONF
  umask 022
  redis-server "$ndir/redis.conf" >/dev/null 2>&1 &
  echo $! > "$ndir/redis.pid"
  cat > "$ndir/node.env" <<ENV
NODE=$node
RAFT=127.0.0.1:$raft
API=127.0.0.1:$api
REDIS=127.0.0.1:$redis
HTTP=127.0.0.1:$http
ENV
  echo "$node http://127.0.0.1:$http" >> "$DIR/http-endpoints"
}

# Waits for the Redis of the node in directory $1, then starts its coordinator with the given peers;
# further arguments go to the coordinator.
start_coordinator() {
  local ndir=$1 peers=$2; shift 2
  # shellcheck disable=SC1091
  source "$ndir/node.env"
  local waited=0
  until redis-cli -p "${REDIS##*:}" -a "$(cat "$ndir/redis.password")" --no-auth-warning ping >/dev/null 2>&1; do
    sleep 0.1; waited=$(( waited + 1 ))
    if ! pid_alive "$ndir/redis.pid" || (( waited >= 300 )); then
      die "redis for $NODE did not start (port ${REDIS##*:}): $(tail -n 3 "$ndir/redis.log" 2>/dev/null | tr '\n' ' ')(see $ndir/redis.log)"
    fi
  done
  REDRAFT_REDIS_PASSWORD="$(cat "$ndir/redis.password")" nohup java ${REDRAFT_JAVA_OPTS:-$DEFAULT_JAVA_OPTS} -jar "$COORDINATOR_JAR" \
    --node-id "$NODE" --raft-address "$RAFT" --api-address "$API" --peers "$peers" \
    --redis-address "$REDIS" --http-address "$HTTP" --data-dir "$ndir/data" "$@" > "$ndir/coordinator.log" 2>&1 &
  echo $! > "$ndir/coordinator.pid"
}

cmd_start() {
  local nodes=3 base=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --nodes) nodes="$2"; shift 2 ;;
      --nodes=*) nodes="${1#*=}"; shift ;;
      --base-port) base="$2"; shift 2 ;;
      --base-port=*) base="${1#*=}"; shift ;;
      *) die "start: unknown option '$1' (see: scripts/cluster.sh help)" ;;
    esac
  done
  [[ "$nodes" =~ ^[0-9]+$ ]] && (( nodes >= 1 && nodes <= 9 )) || die "--nodes must be 1..9, got '$nodes'"
  require_tools
  if compgen -G "$DIR/n*/coordinator.pid" >/dev/null; then
    for pidfile in "$DIR"/n*/coordinator.pid "$DIR"/n*/redis.pid; do
      pid_alive "$pidfile" && die "a cluster is already running in $DIR: run 'scripts/cluster.sh stop' (or 'clean') first"
    done
  fi
  ensure_jars
  [[ -n "$base" ]] || base=$(pick_base_port "$nodes")
  mkdir -p "$DIR"
  : > "$DIR/endpoints"
  : > "$DIR/http-endpoints"
  local peers="" i
  for (( i = 1; i <= nodes; i++ )); do
    peers+="${peers:+,}n$i=127.0.0.1:$(( base + (i - 1) * 4 ))"
  done
  for (( i = 1; i <= nodes; i++ )); do
    local port=$(( base + (i - 1) * 4 ))
    create_node "n$i" "$port" $(( port + 1 )) $(( port + 2 )) $(( port + 3 ))
    echo "127.0.0.1:$(( port + 1 ))" >> "$DIR/endpoints"
  done
  for (( i = 1; i <= nodes; i++ )); do
    start_coordinator "$DIR/n$i" "$peers"
  done
  echo "Waiting for a leader and a first write ..."
  local deadline=$(( SECONDS + 90 ))
  until cli set redraft:cluster-check started >/dev/null 2>&1; do
    if (( SECONDS > deadline )); then
      die "the cluster did not accept a write within 90 s: see $DIR/n*/coordinator.log"
    fi
    for (( i = 1; i <= nodes; i++ )); do
      pid_alive "$DIR/n$i/coordinator.pid" || die "coordinator n$i exited: see $DIR/n$i/coordinator.log"
    done
    sleep 0.5
  done
  echo "Redraft cluster of $nodes nodes is up (files in $DIR)."
  local extra
  for extra in "$DIR"/n*/; do
    extra=$(basename "$extra")
    if [[ "$extra" =~ ^n[0-9]+$ ]] && (( ${extra#n} > nodes )); then
      echo "Note: $extra (from add-node) was not started again and may still be a member:" \
        "'scripts/cluster.sh clean' first for a fresh cluster, or 'scripts/redraft member remove $extra'." >&2
    fi
  done
  echo "Endpoints: $(endpoints_csv)"
  echo "Metrics and health: $(awk '{print $2}' "$DIR/http-endpoints" | paste -sd' ') (/metrics, /livez, /readyz)"
  echo "Try: scripts/redraft set greeting hello && scripts/redraft get greeting"
}

# The members this script started and has not removed: the node directories DIR/n<number>.
member_dirs() {
  local ndir
  for ndir in "$DIR"/n*/; do
    [[ -f "$ndir/node.env" && "$(basename "$ndir")" =~ ^n[0-9]+$ ]] && echo "${ndir%/}"
  done
}

# The next node id: one above every id used so far, removed nodes included (ids are never reused).
next_node_id() {
  local highest=0 ndir number
  for ndir in "$DIR"/n*/ "$DIR"/removed/n*/; do
    [[ -d "$ndir" ]] || continue
    number=$(basename "$ndir"); number=${number#n}
    [[ "$number" =~ ^[0-9]+$ ]] && (( number > highest )) && highest=$number
  done
  echo "n$(( highest + 1 ))"
}

# Moves a node's directory (logs, data) out of the cluster's, to DIR/removed/NODE.
retire_node_dir() {
  local node=$1
  mkdir -p "$DIR/removed"
  rm -rf "${DIR:?}/removed/$node"
  mv "$DIR/$node" "$DIR/removed/$node"
}

cmd_add_node() {
  local learner=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --learner) learner=(--learner); shift ;;
      *) die "add-node: unknown option '$1' (see: scripts/cluster.sh help)" ;;
    esac
  done
  [[ -s "$DIR/endpoints" ]] || die "no cluster in $DIR: start one with 'scripts/cluster.sh start'"
  require_tools
  ensure_jars
  local peers="" ndir
  while read -r ndir; do
    # shellcheck disable=SC1091
    source "$ndir/node.env"
    pid_alive "$ndir/coordinator.pid" || die "coordinator $NODE is not running: start the cluster first"
    peers+="${peers:+,}$NODE=$RAFT"
  done < <(member_dirs)
  [[ -n "$peers" ]] || die "no running members in $DIR"
  local node base
  node=$(next_node_id)
  base=$(pick_base_port 1)
  create_node "$node" "$base" $(( base + 1 )) $(( base + 2 )) $(( base + 3 ))
  ndir="$DIR/$node"
  start_coordinator "$ndir" "$peers" --initial-cluster-state existing
  # shellcheck disable=SC1091
  source "$ndir/node.env"
  echo "Started $node (Raft $RAFT, API $API); waiting for it to answer ..."
  local deadline=$(( SECONDS + 60 ))
  until port_in_use "${API##*:}"; do
    if ! pid_alive "$ndir/coordinator.pid" || (( SECONDS > deadline )); then
      add_node_failed "$node" "it did not start"
    fi
    sleep 0.2
  done
  echo "Adding $node to the cluster (it catches up from a snapshot and the log) ..."
  if ! cli member add "$node" "$RAFT" "${learner[@]+"${learner[@]}"}"; then
    add_node_failed "$node" "'redraft member add $node $RAFT' failed"
  fi
  echo "$API" >> "$DIR/endpoints"
  echo "Added $node: API $API, Raft $RAFT${learner:+ (learner: promote it with 'scripts/redraft member promote $node')}."
}

add_node_failed() {
  local node=$1 why=$2
  stop_node "$node"
  retire_node_dir "$node"
  die "$node was not added: $why. Its logs: $DIR/removed/$node/coordinator.log"
}

cmd_remove_node() {
  [[ $# -eq 1 ]] || die "remove-node: give exactly one node id, e.g. 'scripts/cluster.sh remove-node n4'"
  local node=$1
  [[ "$node" =~ ^n[0-9]+$ && -f "$DIR/$node/node.env" ]] || die "no node '$node' in $DIR"
  ensure_jars
  echo "Removing $node from the cluster ..."
  cli member remove "$node" || die "'redraft member remove $node' failed: $node is still running and a member"
  # shellcheck disable=SC1091
  source "$DIR/$node/node.env"
  local kept
  kept=$(grep -vxF "$API" "$DIR/endpoints" || true)
  printf '%s\n' "$kept" | sed '/^$/d' > "$DIR/endpoints"
  kept=$(grep -v "^$node " "$DIR/http-endpoints" || true)
  printf '%s\n' "$kept" | sed '/^$/d' > "$DIR/http-endpoints"
  stop_node "$node"
  retire_node_dir "$node"
  echo "Removed $node; its files are in $DIR/removed/$node."
}

cmd_status() {
  [[ -s "$DIR/endpoints" ]] || die "no cluster in $DIR: start one with 'scripts/cluster.sh start'"
  ensure_jars
  cli cluster status "$@"
}

stop_pid() {
  local pidfile=$1 what=$2
  [[ -f "$pidfile" ]] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null && (( waited < 100 )); do sleep 0.1; waited=$(( waited + 1 )); done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$what (pid $pid) did not stop in 10 s: killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

# Stops exactly the processes of one node, by the PIDs in its pid files.
stop_node() {
  local node=$1
  stop_pid "$DIR/$node/coordinator.pid" "coordinator $node"
  stop_pid "$DIR/$node/redis.pid" "redis of $node"
}

cmd_stop() {
  local stopped=0 ndir
  for ndir in "$DIR"/n*/; do
    [[ -d "$ndir" ]] || continue
    stop_node "$(basename "$ndir")"
    stopped=$(( stopped + 1 ))
  done
  echo "Stopped $stopped node(s) in $DIR."
}

cmd_clean() {
  cmd_stop
  [[ -d "$DIR" ]] && rm -rf "$DIR"
  echo "Removed $DIR."
}

cmd_logs() {
  local node="${1:-}"
  if [[ -n "$node" ]]; then
    [[ -f "$DIR/$node/coordinator.log" ]] || die "no node '$node' in $DIR"
    tail -n 100 -F "$DIR/$node/coordinator.log"
  else
    tail -n 20 -F "$DIR"/n*/coordinator.log
  fi
}

main() {
  [[ $# -ge 1 ]] || usage
  local command=$1; shift
  DIR="${REDRAFT_HOME:-./.redraft}"
  local rest=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dir) DIR="$2"; shift 2 ;;
      --dir=*) DIR="${1#*=}"; shift ;;
      *) rest+=("$1"); shift ;;
    esac
  done
  mkdir -p "$(dirname "$DIR")"
  DIR="$(cd "$(dirname "$DIR")" && pwd)/$(basename "$DIR")"
  export REDRAFT_HOME="$DIR"
  case "$command" in
    start) cmd_start "${rest[@]+"${rest[@]}"}" ;;
    status) cmd_status "${rest[@]+"${rest[@]}"}" ;;
    add-node) cmd_add_node "${rest[@]+"${rest[@]}"}" ;;
    remove-node) cmd_remove_node "${rest[@]+"${rest[@]}"}" ;;
    stop) cmd_stop ;;
    clean) cmd_clean ;;
    logs) cmd_logs "${rest[@]+"${rest[@]}"}" ;;
    help|-h|--help) usage ;;
    *) echo "cluster.sh: unknown command '$command'" >&2; usage ;;
  esac
}

main "$@"
