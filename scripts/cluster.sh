#!/usr/bin/env bash
# Starts, inspects and stops a local Redraft cluster: N redis-server processes (loopback only, each
# with its own password) and N coordinator nodes, all files under one directory.
#
#   scripts/cluster.sh start [--nodes N] [--dir DIR] [--base-port PORT]
#   scripts/cluster.sh status [--dir DIR] [-o table|json]
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

usage() {
  sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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
    base=$(( 20000 + (RANDOM % 2000) * 10 ))
    local ok=1 i
    for (( i = 0; i < nodes * 4; i++ )); do
      if port_in_use $(( base + i )); then ok=0; break; fi
    done
    if (( ok )); then echo "$base"; return 0; fi
    tries=$(( tries + 1 ))
  done
  die "no free ports found between 20000 and 40000"
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

endpoints_csv() { paste -sd, "$DIR/endpoints"; }

cli() { java -jar "$CLI_JAR" --endpoints "$(endpoints_csv)" "$@"; }

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
    local node="n$i" raft=$(( base + (i - 1) * 4 )) api=$(( base + (i - 1) * 4 + 1 )) redis=$(( base + (i - 1) * 4 + 2 ))
    local http=$(( base + (i - 1) * 4 + 3 ))
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
    echo "127.0.0.1:$api" >> "$DIR/endpoints"
    echo "$node http://127.0.0.1:$http" >> "$DIR/http-endpoints"
  done
  for (( i = 1; i <= nodes; i++ )); do
    local ndir="$DIR/n$i"
    # shellcheck disable=SC1091
    source "$ndir/node.env"
    local waited=0
    until redis-cli -p "${REDIS##*:}" -a "$(cat "$ndir/redis.password")" --no-auth-warning ping >/dev/null 2>&1; do
      sleep 0.1; waited=$(( waited + 1 ))
      (( waited < 100 )) || die "redis for $NODE did not start: see $ndir/redis.log"
    done
    REDRAFT_REDIS_PASSWORD="$(cat "$ndir/redis.password")" nohup java ${REDRAFT_JAVA_OPTS:--Xmx512m} -jar "$COORDINATOR_JAR" \
      --node-id "$NODE" --raft-address "$RAFT" --api-address "$API" --peers "$peers" \
      --redis-address "$REDIS" --http-address "$HTTP" --data-dir "$ndir/data" > "$ndir/coordinator.log" 2>&1 &
    echo $! > "$ndir/coordinator.pid"
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
  echo "Endpoints: $(endpoints_csv)"
  echo "Metrics and health: $(awk '{print $2}' "$DIR/http-endpoints" | paste -sd' ') (/metrics, /livez, /readyz)"
  echo "Try: scripts/redraft set greeting hello && scripts/redraft get greeting"
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

cmd_stop() {
  local stopped=0 ndir
  for ndir in "$DIR"/n*/; do
    [[ -d "$ndir" ]] || continue
    stop_pid "$ndir/coordinator.pid" "coordinator $(basename "$ndir")"
    stop_pid "$ndir/redis.pid" "redis of $(basename "$ndir")"
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
    stop) cmd_stop ;;
    clean) cmd_clean ;;
    logs) cmd_logs "${rest[@]+"${rest[@]}"}" ;;
    help|-h|--help) usage ;;
    *) echo "cluster.sh: unknown command '$command'" >&2; usage ;;
  esac
}

main "$@"
