#!/usr/bin/env bash
# Starts, inspects, grows, shrinks and stops a local Redraft cluster: N redis-server processes
# (loopback only; default user off; ACL users 'redraft' for the coordinator and read-only 'reader',
# passwords in DIR/NODE/redis.password and redis-reader.password) and N coordinator nodes, all files
# under one directory.
#
#   scripts/cluster.sh start [--nodes N] [--groups G] [--dir DIR] [--base-port PORT] [--tls]
#       A new cluster; or, on a DIR that holds a stopped one, the same cluster again: same ids, ports
#       and data (--nodes, --groups and --base-port only shape a new cluster). Nodes already running are kept.
#       --groups G: a sharded cluster of G Raft groups (default 1), the 16384 key slots split evenly over
#       them, every node with a replica of each group and a Redis per group (DIR/NODE/groupN/ for groups 1..).
#       --tls: TLS on the API and Raft ports with a throw-away CA made by openssl under DIR/tls/ (owner-only):
#       ca.pem, ca-key.pem, NODE.pem/NODE-key.pem (OU=node), one client identity per role (admin.pem,
#       readwrite.pem, read.pem and their -key.pem), one token per role (admin.token, readwrite.token,
#       read.token; the nodes get only their hashes, in DIR/tls/tokens). Remembered: later starts,
#       start-node and add-node keep TLS, and scripts/redraft uses DIR/tls/ (admin identity) by itself.
#   scripts/cluster.sh status [--dir DIR] [-o table|json]
#   scripts/cluster.sh start-node ID [--dir DIR]           starts one stopped node (its Redis and coordinator)
#   scripts/cluster.sh stop-node ID [--dir DIR]            stops one node; it stays a member (start-node resumes it)
#   scripts/cluster.sh restart-node ID [--dir DIR]         stop-node, then start-node
#   scripts/cluster.sh add-node [--learner] [--dir DIR]    one more node (n4, n5, ...), joined through the admin API
#   scripts/cluster.sh remove-node ID [--dir DIR]          removes it from the membership (if it still is a member),
#       stops it and moves its files to DIR/removed/ID; safe to repeat
#   scripts/cluster.sh add-group [--count K] [--no-balance] [--dir DIR]   K more Raft groups (default 1) while
#       the cluster serves: every node in turn gets a Redis per new group (DIR/NODE/groupN/) and its coordinator
#       restarts with it; then 'redraft slots balance' gives the new groups their share of the slots. Stopped
#       during the restarts, run it again: it finishes the nodes still without the new groups.
#   scripts/cluster.sh stop   [--dir DIR]
#   scripts/cluster.sh clean  [--dir DIR]
#   scripts/cluster.sh logs   [NODE] [--dir DIR]
#   scripts/cluster.sh redis-cli [--node ID] [--cluster] [REDIS-CLI ARGS...]   redis-cli on a node's RESP port
#       (default: the leader's), with the cluster's password from DIR/resp.password (through the environment);
#       --cluster: redis-cli -c on a node's port for cluster-aware clients (DIR/resp-cluster-endpoints)
#
# DIR defaults to $REDRAFT_HOME or ./.redraft. Works from any directory.
set -euo pipefail
# Everything this script creates, and everything the processes it starts write (Raft logs, snapshots,
# AOF files, logs, passwords), is readable by its owner only.
umask 077

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
COORDINATOR_JAR="$REPO_DIR/coordinator/target/redraft-coordinator.jar"
CLI_JAR="$REPO_DIR/cli/target/redraft-cli.jar"

die() { echo "cluster.sh: $*" >&2; exit 1; }

# JVM settings for small machines, measured on 2 cores (3 coordinators, 3 Redis and the load generator,
# 50 clients, 15 s windows from a cold start): the tiered JIT's C2 compiler works for ~90 s after start
# (~25% of the machine at first), and until then C1-only code is cheaper; once it is done, C2 code needs
# far less CPU per write (leader 57 -> 32 us, followers 25 -> 17 us; all processes 190 -> 137 us). A
# server runs for days, so the coordinators keep the default tiered JIT (benchmarks prewarm 120 s). The
# serial collector has no concurrent GC threads to compete for the cores, and its young pauses stay in
# the milliseconds with this heap. The metaspace threshold is above what a node loads: at the default one,
# the class loading of a node's first seconds set off two full collections (90-300 ms each on a loaded
# machine, measured in the fault suite), just when a restarted or re-added node catches up.
# REDRAFT_JAVA_OPTS replaces these settings.
DEFAULT_JAVA_OPTS="-Xmx512m -XX:+UseSerialGC -XX:MetaspaceSize=128m"

# Class data sharing for the coordinators' JVMs: set_cds_opts, adopt_cds_archive.
# shellcheck source=scripts/class-sharing.sh
source "$SCRIPT_DIR/class-sharing.sh"

# usage [EXIT_CODE]: the header above; 'help' exits 0 (on stdout), a wrong command 2 (on stderr).
usage() {
  local code=${1:-2}
  if (( code == 0 )); then
    awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  else
    awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  fi
  exit "$code"
}

# The first run builds the jars (scripts/build.sh: a progress line per module, no stray escape codes).
ensure_jars() {
  if [[ ! -f "$COORDINATOR_JAR" || ! -f "$CLI_JAR" ]]; then
    "$SCRIPT_DIR/build.sh" || die "build failed (see above)"
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

# Ports each node listens on: Raft, API, Redis, admin HTTP, RESP (Redis protocol), in that order from
# its first port; then, in a sharded cluster, the Redis of groups 1, 2, ...; then the RESP port for
# cluster-aware clients (-MOVED). Groups added later (add-group) get a free port each, recorded in
# node.env (GROUP_REDIS) like every other.
PORTS_PER_NODE=6

# Picks a base port with N*PORTS (default PORTS_PER_NODE) free ports above it.
pick_base_port() {
  local nodes=$1 ports=${2:-$PORTS_PER_NODE} tries=0 base
  while (( tries < 50 )); do
    # Below Linux' ephemeral range (32768+): a port an outgoing connection uses locally looks free to
    # the checks above, but Redis could not bind it.
    base=$(( 20000 + (RANDOM % 1200) * 10 ))
    local ok=1 i
    for (( i = 0; i < nodes * ports; i++ )); do
      if port_in_use $(( base + i )); then ok=0; break; fi
    done
    if (( ok )); then echo "$base"; return 0; fi
    tries=$(( tries + 1 ))
  done
  die "no free ports found between 20000 and 32000"
}

# Does the process in this pid file run, and is it one this script starts (a redis-server or a
# coordinator), not another process that got the same PID after ours exited (e.g. after a reboot)?
pid_alive() {
  [[ -f "$1" ]] || return 1
  local pid
  pid=$(cat "$1")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ -d /proc/$pid ]] || return 0
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qE 'redis-server|redraft-coordinator' && return 0
  # A process this script has just started may not have exec'd yet (its command line is still this
  # shell's: a restarted node under load was taken for dead and stopped): alive if it is a child of this
  # shell and not a zombie.
  local ppid state
  ppid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
  state=$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
  [[ -n "$state" && "$state" != Z && ( "$ppid" == "$$" || "$ppid" == "$BASHPID" ) ]]
}

# The pid files of the processes this command started. If the command fails, it stops exactly these
# again (see on_exit), so a failed start leaves nothing of its own running.
STARTED=()

on_exit() {
  local rc=$?
  trap - EXIT
  if (( rc != 0 && ${#STARTED[@]} > 0 )); then
    local i pidfile
    for (( i = ${#STARTED[@]} - 1; i >= 0; i-- )); do
      pidfile=${STARTED[i]}
      if pid_alive "$pidfile"; then
        echo "cluster.sh: stopping what this command started: $(basename "$(dirname "$pidfile")") $(basename "$pidfile" .pid) (pid $(cat "$pidfile"))" >&2
      fi
      stop_pid "$pidfile" "$(basename "$(dirname "$pidfile")") $(basename "$pidfile" .pid)"
    done
  fi
  exit "$rc"
}

# The last lines of a log file since this script last started the process (its marker line), on one
# line, for an error message.
log_tail() {
  [[ -f "$1" ]] || return 0
  awk -v n="${2:-5}" '/^---- .* cluster.sh starts / { c = 0; next } { l[++c] = $0 }
    END { for (i = (c > n ? c - n + 1 : 1); i <= c; i++) printf "%s ", l[i] }' "$1"
}

endpoints_csv() { paste -sd, "$DIR/endpoints"; }

# The CLI's quick start (as scripts/redraft runs it): C1 only and the serial collector, for a short command,
# and the archive of its classes the build wrote (scripts/cli-class-sharing.sh), when there is one.
CLI_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
CLI_CDS_OPTS=()
[[ ! -f "${CLI_JAR%.jar}.jsa" ]] \
  || CLI_CDS_OPTS=("-XX:SharedArchiveFile=${CLI_JAR%.jar}.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
# cli_at ENDPOINTS ARGS...: the tool against those nodes; cli ARGS...: against this cluster's.
cli_at() {
  local endpoints=$1
  shift
  java $CLI_JAVA_OPTS "${CLI_CDS_OPTS[@]+"${CLI_CDS_OPTS[@]}"}" -jar "$CLI_JAR" --endpoints "$endpoints" "$@"
}
cli() { cli_at "$(endpoints_csv)" "$@"; }

# members_json ENDPOINTS CMD...: 'redraft CMD -o json' (cluster status, member list) for scripts. Those
# exit 1 when a member is down or not ready, with the table still printed: that is an answer here;
# only no answer at all (exit 2, 3) fails. Its stderr goes to ours on failure.
members_json() {
  local endpoints=$1 out rc=0 err
  shift
  err=$(mktemp)
  out=$(cli_at "$endpoints" "$@" -o json 2>"$err") || rc=$?
  if (( rc == 0 || rc == 1 )) && [[ -n "$out" ]]; then
    rm -f "$err"
    printf '%s\n' "$out"
  else
    cat "$err" >&2
    rm -f "$err"
    return 1
  fi
}

# ---- TLS (start --tls): a throw-away CA and certificates under DIR/tls, made with openssl ----

tls_on() { [[ -f "$DIR/tls/ca.pem" ]]; }

# The roles of a TLS cluster's client identities and tokens (see README, Security).
CLIENT_ROLES=(admin readwrite read)

# Commands of this script that run the redraft tool use the cluster's CA and admin identity.
export_tls_env() {
  export REDRAFT_CACERT="$DIR/tls/ca.pem" REDRAFT_CERT="$DIR/tls/admin.pem" REDRAFT_KEY="$DIR/tls/admin-key.pem"
}

# openssl ARGS...: runs openssl, failing with its own words.
run_openssl() {
  local out
  out=$(openssl "$@" 2>&1) || die "openssl $1 failed: $(tr '\n' ' ' <<<"$out")"
}

# A new CA (EC P-256, 10 years) in DIR/tls; the directory and every file in it are owner-only.
make_ca() {
  command -v openssl >/dev/null || die "--tls needs openssl (Debian: apt-get install -y openssl)"
  local tdir="$DIR/tls"
  mkdir -p "$tdir"
  chmod 700 "$tdir"
  run_openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tdir/ca-key.pem" -out "$tdir/ca.pem" -days 3650 -subj "/CN=Redraft local CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# issue_cert NAME ROLE USAGES: DIR/tls/NAME.pem and NAME-key.pem (PKCS#8), signed by the CA, for
# 127.0.0.1 and localhost; ROLE goes into the subject's OU (node, admin, readwrite, read), USAGES is the
# extended key usage (a node: serverAuth,clientAuth; a client: clientAuth).
issue_cert() {
  local name=$1 role=$2 usages=$3 tdir="$DIR/tls"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' \
    "$usages" > "$tdir/$name.ext"
  run_openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tdir/$name-key.pem" -out "$tdir/$name.csr" -subj "/O=Redraft/OU=$role/CN=$name"
  run_openssl x509 -req -in "$tdir/$name.csr" -CA "$tdir/ca.pem" -CAkey "$tdir/ca-key.pem" \
    -set_serial "0x$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" -days 825 -extfile "$tdir/$name.ext" \
    -out "$tdir/$name.pem"
  rm -f "$tdir/$name.csr" "$tdir/$name.ext"
}

# One random token per client role: DIR/tls/ROLE.token (the token, for clients) and DIR/tls/tokens
# (NAME ROLE SHA256 lines, for the nodes: only hashes).
make_tokens() {
  local tdir="$DIR/tls" role token
  : > "$tdir/tokens"
  for role in "${CLIENT_ROLES[@]}"; do
    token=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$token" > "$tdir/$role.token"
    printf '%s %s %s\n' "$role" "$role" "$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)" >> "$tdir/tokens"
  done
}

# upgrade_tls_identities RUNNING: a TLS cluster made before roles existed has certificates that name no
# role (and client.pem instead of one identity per role): issue new ones from its own CA, with roles,
# and tokens. Only with every node stopped (RUNNING = 0): new and old certificates do not mix.
upgrade_tls_identities() {
  tls_on && [[ -f "$DIR/tls/client.pem" && ! -f "$DIR/tls/admin.pem" ]] || return 0
  (( $1 == 0 )) || die "the TLS certificates in $DIR/tls predate roles: stop the whole cluster ('$CS stop')" \
    "and start it again, which re-issues them from its CA"
  echo "Re-issuing the certificates in $DIR/tls from its CA with roles (OU=node; admin, readwrite, read) ..."
  local ndir role
  for ndir in "$DIR"/n*/; do
    [[ -f "$ndir/node.env" ]] && issue_cert "$(basename "$ndir")" node serverAuth,clientAuth
  done
  for role in "${CLIENT_ROLES[@]}"; do issue_cert "$role" "$role" clientAuth; done
  make_tokens
  rm -f "$DIR/tls/client.pem" "$DIR/tls/client-key.pem"
}

# Redis ACL users of every node's Redis (the default user is off, so a client without a user name is
# refused). 'redraft', the coordinator's: everything but the dangerous commands (CONFIG SET, SHUTDOWN,
# MODULE, ACL, DEBUG, REPLICAOF, MIGRATE, SAVE, MONITOR, ...), pub/sub and functions; then exactly the
# dangerous ones Redraft sends: INFO and CONFIG GET (start-up checks), DEBUG DIGEST (verification),
# RESTORE and FLUSHALL (snapshots), KEYS and FLUSHDB (catalog commands). Redis 7.0 logs a deprecation
# warning for '+debug|digest' (DEBUG has no subcommand table), and takes it. The Lua scripts run the
# catalog's data commands, which the ACL checks too: hence +@all, not a list of data commands.
# 'reader': read-only commands, for applications that read one node's Redis directly (stale reads).
# The coordinator's tests read these two lines (keep them on one line each, in single quotes).
REDRAFT_ACL='+@all -@dangerous -@pubsub -function +info +config|get +debug|digest +restore +flushall +flushdb +keys'
READER_ACL='-@all +@read +@connection -@dangerous'

# A new random password in FILE (owner-only, as everything under DIR), unless FILE has one already.
ensure_password() {
  [[ -s "$1" ]] || { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; echo; } > "$1"
}

# SHA-256 of the password in FILE, in hex: redis.conf names a password by its hash ('#HASH'), so the
# config holds no secret.
password_hash() {
  head -n 1 "$1" | tr -d '\n' | sha256sum | cut -d' ' -f1
}

# Writes the Redis config of the node in directory $1 (Redis port $2) into directory $3 (default $1; a
# group's Redis: $1/groupN), with its ACL users: 'redraft' (password in $1/redis.password, given to the
# coordinator through the environment; the same for every group) and 'reader' (redis-reader.password);
# makes the password files it lacks.
write_redis_conf() {
  local ndir=$1 port=$2 rdir=${3:-$1}
  ensure_password "$ndir/redis.password"
  ensure_password "$ndir/redis-reader.password"
  mkdir -p "$rdir/redis"
  cat > "$rdir/redis.conf" <<CONF
# Only this node's coordinator may reach and write this Redis.
bind 127.0.0.1
port $port
protected-mode yes
dir $rdir/redis
daemonize no
logfile $rdir/redis.log
appendonly yes
appendfsync everysec
save ""
maxmemory-policy noeviction
enable-debug-command local
user default off
user redraft on #$(password_hash "$ndir/redis.password") ~* resetchannels $REDRAFT_ACL
user reader on #$(password_hash "$ndir/redis-reader.password") ~* resetchannels $READER_ACL
CONF
}

# Writes node NODE's files under DIR/NODE (a Redis config with fresh passwords, node.env) and
# starts its Redis: loopback only, its own users and passwords, its own config. With GROUPS > 1 (a
# sharded cluster) it has a Redis per further group too, on the ports after RESP, in DIR/NODE/groupN.
create_node() {
  local node=$1 raft=$2 api=$3 redis=$4 http=$5 resp=$6 groups=${7:-1}
  local resp_cluster=$(( resp + groups ))
  local ndir="$DIR/$node" group_redis="" g
  mkdir -p "$ndir/redis" "$ndir/data"
  if tls_on; then issue_cert "$node" node serverAuth,clientAuth; fi
  write_redis_conf "$ndir" "$redis"
  for (( g = 1; g < groups; g++ )); do
    write_redis_conf "$ndir" $(( resp + g )) "$ndir/group$g"
    group_redis+="${group_redis:+,}127.0.0.1:$(( resp + g ))"
  done
  start_redis "$ndir"
  cat > "$ndir/node.env" <<ENV
NODE=$node
RAFT=127.0.0.1:$raft
API=127.0.0.1:$api
REDIS=127.0.0.1:$redis
HTTP=127.0.0.1:$http
RESP=127.0.0.1:$resp
RESP_CLUSTER=127.0.0.1:$resp_cluster
ENV
  [[ -z "$group_redis" ]] || echo "GROUP_REDIS=$group_redis" >> "$ndir/node.env"
  echo "$node http://127.0.0.1:$http" >> "$DIR/http-endpoints"
  echo "127.0.0.1:$resp" >> "$DIR/resp-endpoints"
  echo "127.0.0.1:$resp_cluster" >> "$DIR/resp-cluster-endpoints"
}

# The Redis user the coordinator of the node in directory $1 logs in as: 'redraft' if its redis.conf
# has the ACL users, empty (the default user) for a Redis still running from an older config.
redis_user() {
  grep -q '^user redraft ' "$1/redis.conf" && echo redraft || true
}

# The directories of the node in directory $1 that hold a Redis (redis.conf, redis.pid, redis.log):
# the node's own (group 0), then one per further group of a sharded cluster (groupN).
redis_dirs() {
  local ndir=$1 g=1
  echo "$ndir"
  while [[ -f "$ndir/group$g/redis.conf" ]]; do echo "$ndir/group$g"; g=$(( g + 1 )); done
}

# Does any Redis of the node in directory $1 run?
redis_any_alive() {
  local rdir
  while read -r rdir; do pid_alive "$rdir/redis.pid" && return 0; done < <(redis_dirs "$1")
  return 1
}

# Does every Redis of the node in directory $1 run?
redis_alive() {
  local rdir
  while read -r rdir; do pid_alive "$rdir/redis.pid" || return 1; done < <(redis_dirs "$1")
}

# Starts each Redis of the node in directory $1 that does not run, from its own config (its data and
# log, appended, stay). A config written before the ACL users existed (requirepass) is rewritten with
# them first; the password in redis.password stays, now the 'redraft' user's.
start_redis() {
  local ndir=$1 rdir
  if [[ -z "$(redis_user "$ndir")" ]]; then
    local port
    port=$(sed -n 's/^port //p' "$ndir/redis.conf")
    [[ "$port" =~ ^[0-9]+$ ]] || die "no port in $ndir/redis.conf"
    write_redis_conf "$ndir" "$port"
  fi
  while read -r rdir; do
    pid_alive "$rdir/redis.pid" && continue
    redis-server "$rdir/redis.conf" >/dev/null 2>&1 &
    echo $! > "$rdir/redis.pid"
    STARTED+=("$rdir/redis.pid")
  done < <(redis_dirs "$ndir")
}

# How many Raft groups the node in directory $1 has a replica of (GROUP_REDIS in its node.env).
node_groups() {
  local list
  list=$(sed -n 's/^GROUP_REDIS=//p' "$1/node.env")
  if [[ -z "$list" ]]; then echo 1; else echo $(( $(tr -cd , <<<"$list" | wc -c) + 2 )); fi
}

# How many Raft groups the cluster in DIR has (its first member's count).
cluster_groups() {
  local ndir
  while read -r ndir; do
    node_groups "$ndir"
    return 0
  done < <(member_dirs)
  echo 1
}

# Keeps a log from growing without bound across restarts: past 64 MiB it moves to LOG.1 (replacing an
# older LOG.1) and a new one starts. Logs are never truncated otherwise.
rotate_log() {
  local log=$1 size
  [[ -f "$log" ]] || return 0
  size=$(stat -c %s "$log" 2>/dev/null || echo 0)
  if (( size > 64 * 1024 * 1024 )); then
    mv -f "$log" "$log.1"
  fi
}

# The password RESP clients give with AUTH (DIR/resp.password, one for the cluster; made on first use).
# An empty file turns AUTH off (the RESP ports are on loopback; scripts/bench.sh does this so that
# redis-benchmark needs no password on its command line).
resp_password() {
  if [[ ! -f "$DIR/resp.password" ]]; then
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$DIR/resp.password"
    echo >> "$DIR/resp.password"
  fi
  head -n 1 "$DIR/resp.password"
}

# Waits for the Redis of the node in directory $1, then starts its coordinator with the given peers;
# further arguments go to the coordinator. Its log is appended to, so earlier runs' lines stay.
start_coordinator() {
  local ndir=$1 peers=$2; shift 2
  local RESP="" GROUP_REDIS="" RESP_CLUSTER=""
  # shellcheck disable=SC1091
  source "$ndir/node.env"
  local waited=0
  local user rdir port
  user=$(redis_user "$ndir")
  # The password goes through the environment: on the command line, ps would show it to every user.
  # redis-cli exits 0 on an error reply too: only PONG means Redis is up and takes the login.
  while read -r rdir; do
    port=$(sed -n 's/^port //p' "$rdir/redis.conf")
    until [[ "$(REDISCLI_AUTH="$(head -n 1 "$ndir/redis.password")" redis-cli -p "$port" ${user:+--user "$user"} \
        ping 2>/dev/null)" == PONG ]]; do
      sleep 0.1; waited=$(( waited + 1 ))
      if ! pid_alive "$rdir/redis.pid" || (( waited >= 300 )); then
        die "redis for $NODE did not start or refused its coordinator's login (port $port):" \
          "$(log_tail "$rdir/redis.log" 3)(see $rdir/redis.log)"
      fi
    done
  done < <(redis_dirs "$ndir")
  rotate_log "$ndir/coordinator.log"
  echo "---- $(date -u +%Y-%m-%dT%H:%M:%SZ) cluster.sh starts coordinator $NODE ----" >> "$ndir/coordinator.log"
  # A node recorded before RESP ports (or cluster ports) existed has none (no such line in its node.env).
  local resp_flags=()
  [[ -n "$RESP" ]] && resp_flags=(--resp-address "$RESP")
  [[ -n "$RESP" && -n "$RESP_CLUSTER" ]] && resp_flags+=(--resp-cluster-address "$RESP_CLUSTER")
  [[ -n "$GROUP_REDIS" ]] && resp_flags+=(--group-redis-addresses "$GROUP_REDIS")
  local tls=()
  if tls_on; then
    tls=(--tls-cert "$DIR/tls/$NODE.pem" --tls-key "$DIR/tls/$NODE-key.pem" --tls-ca "$DIR/tls/ca.pem")
    [[ -f "$DIR/tls/tokens" ]] && tls+=(--tokens-file "$DIR/tls/tokens")
  fi
  set_cds_opts "$ndir"
  REDRAFT_REDIS_USER="$user" REDRAFT_REDIS_PASSWORD="$(head -n 1 "$ndir/redis.password")" \
    REDRAFT_RESP_PASSWORD="$(resp_password)" \
    nohup java ${REDRAFT_JAVA_OPTS:-$DEFAULT_JAVA_OPTS} "${CDS_OPTS[@]+"${CDS_OPTS[@]}"}" -jar "$COORDINATOR_JAR" \
    --node-id "$NODE" --raft-address "$RAFT" --api-address "$API" --peers "$peers" \
    --redis-address "$REDIS" --http-address "$HTTP" "${resp_flags[@]+"${resp_flags[@]}"}" --data-dir "$ndir/data" \
    "${tls[@]+"${tls[@]}"}" "$@" \
    >> "$ndir/coordinator.log" 2>&1 &
  echo $! > "$ndir/coordinator.pid"
  STARTED+=("$ndir/coordinator.pid")
}

cmd_start() {
  local nodes=3 nodes_given="" base="" tls="" groups=1 groups_given=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --tls) tls=1; shift ;;
      --groups) groups="${2:-}"; groups_given=$groups; shift $(( $# > 1 ? 2 : 1 )) ;;
      --groups=*) groups="${1#*=}"; groups_given=$groups; shift ;;
      --nodes) nodes="${2:-}"; nodes_given=$nodes; shift $(( $# > 1 ? 2 : 1 )) ;;
      --nodes=*) nodes="${1#*=}"; nodes_given=$nodes; shift ;;
      --base-port) base="${2:-}"; shift $(( $# > 1 ? 2 : 1 )) ;;
      --base-port=*) base="${1#*=}"; shift ;;
      *) die "start: unknown option '$1' (see: scripts/cluster.sh help)" ;;
    esac
  done
  [[ "$nodes" =~ ^[0-9]+$ ]] && (( nodes >= 1 && nodes <= 9 )) || die "--nodes must be 1..9, got '$nodes'"
  [[ -z "$base" || "$base" =~ ^[0-9]+$ ]] || die "--base-port must be a port number, got '$base'"
  [[ "$groups" =~ ^[0-9]+$ ]] && (( groups >= 1 && groups <= 16 )) || die "--groups must be 1..16, got '$groups'"
  require_tools
  if [[ -n "$(member_dirs)" ]]; then
    local recorded
    recorded=$(node_groups "$(member_dirs | head -n 1)")
    if [[ -n "$groups_given" ]] && (( groups_given != recorded )); then
      die "$DIR holds a cluster of $recorded group(s): '$CS start' without --groups starts it again; for a new" \
        "cluster of $groups_given groups run '$CS clean' first (it deletes $DIR) or use another --dir"
    fi
    if [[ -n "$tls" ]] && ! tls_on; then
      die "$DIR holds a cluster started without TLS: '$CS start' starts it as it was; for a TLS cluster run" \
        "'$CS clean' first (it deletes $DIR) or use another --dir"
    fi
    restart_cluster "$nodes_given" "$base"
    return
  fi
  if compgen -G "$DIR/n*/coordinator.pid" >/dev/null; then
    for pidfile in "$DIR"/n*/coordinator.pid "$DIR"/n*/redis.pid "$DIR"/n*/group*/redis.pid; do
      pid_alive "$pidfile" && die "a cluster is already running in $DIR: run '$CS stop' (or 'clean') first"
    done
  fi
  ensure_jars
  local ports=$(( PORTS_PER_NODE + groups - 1 ))
  [[ -n "$base" ]] || base=$(pick_base_port "$nodes" "$ports")
  mkdir -p "$DIR"
  # A new cluster: certificates left by an earlier one are not reused.
  rm -rf "${DIR:?}/tls"
  if [[ -n "$tls" ]]; then
    make_ca
    for role in "${CLIENT_ROLES[@]}"; do issue_cert "$role" "$role" clientAuth; done
    make_tokens
    export_tls_env
  fi
  : > "$DIR/endpoints"
  : > "$DIR/http-endpoints"
  : > "$DIR/resp-endpoints"
  : > "$DIR/resp-cluster-endpoints"
  local peers="" i
  for (( i = 1; i <= nodes; i++ )); do
    peers+="${peers:+,}n$i=127.0.0.1:$(( base + (i - 1) * ports ))"
  done
  for (( i = 1; i <= nodes; i++ )); do
    local port=$(( base + (i - 1) * ports ))
    create_node "n$i" "$port" $(( port + 1 )) $(( port + 2 )) $(( port + 3 )) $(( port + 4 )) "$groups"
    echo "127.0.0.1:$(( port + 1 ))" >> "$DIR/endpoints"
  done
  local started=()
  for (( i = 1; i <= nodes; i++ )); do
    start_coordinator "$DIR/n$i" "$peers"
    started+=("n$i")
  done
  wait_for_write "${started[@]}"
  (( groups == 1 )) || wait_for_ready "${started[@]}"
  echo "Redraft cluster of $nodes nodes$( (( groups == 1 )) || echo " x $groups Raft groups") is up (files in $DIR)${tls:+, with mutual TLS}."
  print_endpoints
}

# Waits (90 s at most) until the cluster takes a write; fails if one of the given nodes' coordinators
# exits meanwhile. A failure stops what this command started (on_exit).
wait_for_write() {
  echo "Waiting for a leader and a first write ..."
  local deadline=$(( SECONDS + 90 )) node
  until cli set redraft:cluster-check started >/dev/null 2>&1; do
    if (( SECONDS > deadline )); then
      die "the cluster did not accept a write within 90 s: see $DIR/n*/coordinator.log"
    fi
    for node in "$@"; do
      pid_alive "$DIR/$node/coordinator.pid" \
        || die "coordinator $node exited: $(log_tail "$DIR/$node/coordinator.log")(see $DIR/$node/coordinator.log)"
    done
    sleep 0.5
  done
}

# Waits (60 s at most) until every given node reports ready (/readyz): in a sharded cluster, that each of
# its groups has a leader and the node caught up in each.
wait_for_ready() {
  local deadline=$(( SECONDS + 60 )) node HTTP verdict
  for node in "$@"; do
    # shellcheck disable=SC1091
    HTTP=$(sed -n 's/^HTTP=//p' "$DIR/$node/node.env")
    until verdict=$(http_get "$HTTP" /readyz) && [[ "$verdict" == "200 "* ]]; do
      (( SECONDS <= deadline )) || die "$node is not ready after 60 s (/readyz: ${verdict:-no answer}): see $DIR/$node/coordinator.log"
      pid_alive "$DIR/$node/coordinator.pid" \
        || die "coordinator $node exited: $(log_tail "$DIR/$node/coordinator.log")(see $DIR/$node/coordinator.log)"
      sleep 0.5
    done
  done
}

# Starts the stopped cluster in DIR again with what each node kept: its id and ports (DIR/NODE/node.env),
# its Redis config, password and data, its Raft log. Nodes that still run are left alone.
restart_cluster() {
  local nodes_given=$1 base=$2 dirs=() ndir ids=""
  mapfile -t dirs < <(member_dirs)
  for ndir in "${dirs[@]}"; do ids+="${ids:+ }$(basename "$ndir")"; done
  if [[ -n "$nodes_given" ]] && (( nodes_given != ${#dirs[@]} )); then
    die "$DIR holds a cluster of ${#dirs[@]} node(s) ($ids): '$CS start' without --nodes starts" \
      "it again; for a new cluster of $nodes_given nodes run '$CS clean' first (it deletes $DIR) or use another --dir"
  fi
  if [[ -n "$base" ]]; then
    # shellcheck disable=SC1091
    source "${dirs[0]}/node.env"
    [[ "${RAFT##*:}" == "$base" ]] || die "$DIR holds a cluster whose ports are recorded in DIR/NODE/node.env ($NODE: Raft $RAFT):" \
      "start it without --base-port; for a new cluster on port $base run '$CS clean' first or use another --dir"
  fi
  ensure_jars
  local peers running=() stopped=() node
  peers=$(peers_csv)
  for ndir in "${dirs[@]}"; do
    node=$(basename "$ndir")
    if pid_alive "$ndir/coordinator.pid" && redis_alive "$ndir"; then running+=("$node"); else stopped+=("$node"); fi
  done
  (( ${#stopped[@]} > 0 )) || die "a cluster is already running in $DIR: run '$CS stop' (or 'clean') first"
  upgrade_tls_identities "${#running[@]}"
  if (( ${#running[@]} > 0 )); then
    echo "Already running: ${running[*]}. Starting ${stopped[*]} ..."
  else
    echo "Starting the cluster in $DIR again ($ids, same ports and data$(tls_on && echo ", mutual TLS")) ..."
  fi
  for node in "${stopped[@]}"; do check_ports_free "$DIR/$node"; done
  write_endpoint_files "${dirs[@]}"
  for node in "${stopped[@]}"; do
    start_redis "$DIR/$node"
  done
  for node in "${stopped[@]}"; do
    pid_alive "$DIR/$node/coordinator.pid" || start_coordinator "$DIR/$node" "$peers"
  done
  wait_for_write "${stopped[@]}"
  (( $(node_groups "${dirs[0]}") == 1 )) || wait_for_ready "${stopped[@]}"
  echo "Redraft cluster of ${#dirs[@]} nodes is up again (files in $DIR)."
  print_endpoints
}

print_endpoints() {
  echo "Endpoints: $(endpoints_csv)"
  if tls_on; then
    echo "TLS: CA $DIR/tls/ca.pem; identities admin.pem, readwrite.pem, read.pem and tokens admin.token, ... in"
    echo "     $DIR/tls (scripts/redraft uses the admin identity for this DIR; other tools: --cacert, --cert,"
    echo "     --key or --token, or REDRAFT_CACERT, REDRAFT_CERT, REDRAFT_KEY, REDRAFT_TOKEN)"
  fi
  echo "Metrics and health: $(awk '{print $2}' "$DIR/http-endpoints" | paste -sd' ') (/metrics, /livez, /readyz)"
  if [[ -s "$DIR/resp-endpoints" ]]; then
    echo "Redis protocol (RESP): $(paste -sd' ' "$DIR/resp-endpoints") (password in $DIR/resp.password)"
  fi
  if [[ -s "$DIR/resp-cluster-endpoints" ]]; then
    echo "RESP for cluster-aware clients (-MOVED; redis-cli -c, RedisCluster): $(paste -sd' ' "$DIR/resp-cluster-endpoints")"
  fi
  # A command that works as printed: from another directory the tool needs its path, and with a DIR
  # other than ./.redraft it needs REDRAFT_HOME to find the endpoints.
  local tool="scripts/redraft" env=""
  [[ "$(pwd)" == "$REPO_DIR" ]] || tool="$REPO_DIR/scripts/redraft"
  [[ "$DIR" == "$(pwd)/.redraft" ]] || env="REDRAFT_HOME=$(printf %q "$DIR") "
  echo "Try: ${env:+export $env&& }$tool set greeting hello && $tool get greeting"
  if [[ -s "$DIR/resp-endpoints" ]]; then
    local first
    first=$(head -n 1 "$DIR/resp-endpoints")
    if tls_on; then
      echo "Or:  $CS redis-cli get greeting   (the RESP ports speak TLS: redis-cli --tls --cacert ... --cert ... --key ...)"
    else
      echo "Or:  REDISCLI_AUTH=\$(cat $(printf %q "$DIR")/resp.password) redis-cli -p ${first##*:} get greeting"
    fi
  fi
}

# The members this script started and has not removed: the node directories DIR/n<number>.
member_dirs() {
  local ndir
  for ndir in "$DIR"/n*/; do
    [[ -f "$ndir/node.env" && "$(basename "$ndir")" =~ ^n[0-9]+$ ]] && echo "${ndir%/}"
  done | sort -V
}

# The ids of the node directories, for messages.
node_ids() {
  local ids
  ids=$(member_dirs | xargs -r -n1 basename | paste -sd' ')
  echo "${ids:-none}"
}

# NODE=RAFT_ADDRESS of every node directory: the peers a (re)started coordinator is given. A node
# that has Raft data recovers its membership from it; the list names the members for its client.
peers_csv() {
  local ndir peers=""
  while read -r ndir; do
    # shellcheck disable=SC1091
    source "$ndir/node.env"
    peers+="${peers:+,}$NODE=$RAFT"
  done < <(member_dirs)
  echo "$peers"
}

# Rewrites DIR/endpoints and DIR/http-endpoints from the given node directories' node.env files.
write_endpoint_files() {
  local ndir endpoints="" http="" resp="" resp_cluster="" RESP RESP_CLUSTER
  for ndir in "$@"; do
    RESP="" RESP_CLUSTER=""
    # shellcheck disable=SC1091
    source "$ndir/node.env"
    endpoints+="$API"$'\n'
    http+="$NODE http://$HTTP"$'\n'
    [[ -z "$RESP" ]] || resp+="$RESP"$'\n'
    [[ -z "$RESP_CLUSTER" ]] || resp_cluster+="$RESP_CLUSTER"$'\n'
  done
  printf '%s' "$endpoints" > "$DIR/endpoints"
  printf '%s' "$http" > "$DIR/http-endpoints"
  printf '%s' "$resp" > "$DIR/resp-endpoints"
  printf '%s' "$resp_cluster" > "$DIR/resp-cluster-endpoints"
}

# Fails, naming the port, if a port the node in directory $1 is about to listen on is taken.
check_ports_free() {
  local ndir=$1 checks=() check port RESP="" RESP_CLUSTER=""
  # shellcheck disable=SC1091
  source "$ndir/node.env"
  local rdir
  while read -r rdir; do
    pid_alive "$rdir/redis.pid" || checks+=("Redis=127.0.0.1:$(sed -n 's/^port //p' "$rdir/redis.conf")")
  done < <(redis_dirs "$ndir")
  pid_alive "$ndir/coordinator.pid" || checks+=("Raft=$RAFT" "API=$API" "admin HTTP=$HTTP" ${RESP:+"RESP=$RESP"} \
    ${RESP_CLUSTER:+"RESP for cluster clients=$RESP_CLUSTER"})
  for check in "${checks[@]}"; do
    port=${check##*:}
    [[ "$port" =~ ^[0-9]+$ ]] || continue
    if port_in_use "$port"; then
      die "port $port (${check%%=*} of $NODE, recorded in $ndir/node.env) is in use by another process:" \
        "stop that process ('ss -ltnp sport = :$port' names it), then start $NODE again"
    fi
  done
}

# The node id argument of a single-node command: a node of the cluster in DIR.
node_arg() {
  local command=$1; shift
  [[ $# -eq 1 ]] || die "$command: give exactly one node id, e.g. '$CS $command n2'"
  local node=$1
  [[ "$node" =~ ^n[0-9]+$ ]] || die "$command: '$node' is not a node id (n1, n2, ...; nodes in $DIR: $(node_ids))"
  if [[ ! -f "$DIR/$node/node.env" ]]; then
    [[ -d "$DIR/removed/$node" ]] && die "$command: $node was removed from the cluster (its files are in" \
      "$DIR/removed/$node); '$CS add-node' adds a new node"
    die "$command: no node '$node' in $DIR (nodes: $(node_ids))"
  fi
  echo "$node"
}

# "STATUS BODY" of an HTTP GET to a node's admin server (bash only: no curl needed); each read is
# bounded by 5 s.
http_get() {
  local address=$1 path=$2
  (
    exec 3<>"/dev/tcp/${address%:*}/${address##*:}" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$address" >&3
    status="" line="" body=""
    IFS= read -r -t 5 status <&3 || exit 1
    while IFS= read -r -t 5 line <&3 && [[ -n "${line%$'\r'}" ]]; do :; done
    while IFS= read -r -t 5 line <&3; do body+="${line%$'\r'} "; done
    body+=$line
    body=${body% }
    status=${status#* }
    echo "${status%% *} $body"
  ) 2>/dev/null
}

# Starts whichever of the node's processes is not running (Redis first), with its recorded ports and
# data, then waits for the coordinator to answer and, for up to 60 s, to be ready (caught up).
start_one_node() {
  local node=$1 ndir="$DIR/$1"
  if pid_alive "$ndir/coordinator.pid" && redis_alive "$ndir"; then
    echo "$node is already running (coordinator pid $(cat "$ndir/coordinator.pid"), Redis pid(s) $(while read -r rdir; do cat "$rdir/redis.pid"; done < <(redis_dirs "$ndir") | paste -sd' '))."
    return 0
  fi
  check_ports_free "$ndir"
  local peers
  peers=$(peers_csv)
  start_redis "$ndir"
  pid_alive "$ndir/coordinator.pid" || start_coordinator "$ndir" "$peers"
  # shellcheck disable=SC1091
  source "$ndir/node.env"
  echo "Started $node (Raft $RAFT, API $API); waiting for it to answer ..."
  local deadline=$(( SECONDS + 60 ))
  until port_in_use "${API##*:}"; do
    pid_alive "$ndir/coordinator.pid" \
      || die "coordinator $node exited: $(log_tail "$ndir/coordinator.log")(see $ndir/coordinator.log)"
    (( SECONDS <= deadline )) || die "coordinator $node did not open its API port ${API##*:} within 60 s: see $ndir/coordinator.log"
    sleep 0.2
  done
  # Caught up: ready (/readyz) and applied what the leader had committed when the node came up.
  local verdict="" indexes applied commit target=""
  deadline=$(( SECONDS + 60 ))
  while :; do
    pid_alive "$ndir/coordinator.pid" \
      || die "coordinator $node exited: $(log_tail "$ndir/coordinator.log")(see $ndir/coordinator.log)"
    # /readyz first: it is cheap, the cluster status a JVM start.
    if verdict=$(http_get "$HTTP" /readyz) && [[ "$verdict" == "200 "* ]] && indexes=$(catch_up_indexes "$node"); then
      read -r applied commit <<<"$indexes"
      [[ -n "$target" ]] || target=$commit
      if (( applied >= target )); then
        echo "$node is up and has caught up (applied index $applied; the leader's commit index was $target)."
        return 0
      fi
    fi
    if (( SECONDS > deadline )); then
      verdict=$(http_get "$HTTP" /readyz || true)
      echo "$node runs but has not caught up after 60 s (applied index ${applied:-unknown}, leader's commit index ${target:-unknown}; /readyz: ${verdict:-no answer})." >&2
      echo "It catches up once a majority of the members runs: see '$CS status' and $ndir/coordinator.log." >&2
      return 0
    fi
    sleep 2
  done
}

# "APPLIED LEADER_COMMIT": the node's applied index and the leader's commit index, from
# 'redraft cluster status -o json' (one member per line). Fails while there is no leader.
catch_up_indexes() {
  local node=$1 status applied commit
  status=$(members_json "$(endpoints_csv)" cluster status 2>/dev/null) || return 1
  applied=$(grep -E "\"node_id\": *\"$node\"" <<<"$status" | grep -oE '"applied_index": *[0-9]+' | grep -oE '[0-9]+$') || return 1
  commit=$(grep -E '"role": *"LEADER"' <<<"$status" | head -n 1 | grep -oE '"commit_index": *[0-9]+' | grep -oE '[0-9]+$') || return 1
  echo "$applied $commit"
}

cmd_start_node() {
  local node
  node=$(node_arg start-node "$@")
  require_tools
  ensure_jars
  start_one_node "$node"
}

cmd_stop_node() {
  local node
  node=$(node_arg stop-node "$@")
  if ! pid_alive "$DIR/$node/coordinator.pid" && ! redis_any_alive "$DIR/$node"; then
    stop_node "$node"
    echo "$node is not running."
    return 0
  fi
  stop_node "$node"
  echo "Stopped $node (its coordinator and its Redis). It is still a member: '$CS start-node $node' starts it again."
}

cmd_restart_node() {
  local node
  node=$(node_arg restart-node "$@")
  require_tools
  ensure_jars
  stop_node "$node"
  echo "Stopped $node."
  start_one_node "$node"
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
  [[ -s "$DIR/endpoints" ]] || die "no cluster in $DIR: start one with '$CS start'"
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
  local node base groups
  node=$(next_node_id)
  # In a sharded cluster the node gets a Redis per group too, and the coordinators add it to every group.
  groups=$(cluster_groups)
  base=$(pick_base_port 1 $(( PORTS_PER_NODE + groups - 1 )))
  create_node "$node" "$base" $(( base + 1 )) $(( base + 2 )) $(( base + 3 )) $(( base + 4 )) "$groups"
  ndir="$DIR/$node"
  # The groups the slots are split over (fewer than the groups if some were added later): as the members have it.
  local first
  first=$(member_dirs | head -n 1)
  [[ -f "$first/data/groups" ]] && cp "$first/data/groups" "$ndir/data/groups"
  start_coordinator "$ndir" "$peers" --initial-cluster-state existing
  # shellcheck disable=SC1091
  source "$ndir/node.env"
  echo "Started $node (Raft $RAFT, API $API); waiting for it to answer ..."
  local deadline=$(( SECONDS + 60 ))
  until port_in_use "${API##*:}"; do
    if ! pid_alive "$ndir/coordinator.pid"; then
      add_node_failed "$node" "its coordinator exited: $(log_tail "$ndir/coordinator.log")"
    elif (( SECONDS > deadline )); then
      add_node_failed "$node" "its API port ${API##*:} did not open within 60 s: $(log_tail "$ndir/coordinator.log")"
    fi
    sleep 0.2
  done
  echo "Adding $node to the cluster (it catches up from a snapshot and the log) ..."
  if ! cli member add "$node" "$RAFT" "${learner[@]+"${learner[@]}"}"; then
    add_node_failed "$node" "'redraft member add $node $RAFT' failed"
  fi
  echo "$API" >> "$DIR/endpoints"
  echo "Added $node: API $API, RESP $RESP, Raft $RAFT${learner:+ (learner: promote it with 'scripts/redraft member promote $node')}."
}

cmd_add_group() {
  local count=1 balance=1
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --count) count="${2:-}"; shift $(( $# > 1 ? 2 : 1 )) ;;
      --count=*) count="${1#*=}"; shift ;;
      --no-balance) balance=""; shift ;;
      *) die "add-group: unknown option '$1' (see: scripts/cluster.sh help)" ;;
    esac
  done
  [[ "$count" =~ ^[0-9]+$ ]] && (( count >= 1 )) || die "add-group: --count must be 1 or more, got '$count'"
  [[ -s "$DIR/endpoints" ]] || die "no cluster in $DIR: start one with '$CS start'"
  require_tools
  ensure_jars
  local dirs=() ndir lowest=99 highest=0 groups
  mapfile -t dirs < <(member_dirs)
  for ndir in "${dirs[@]}"; do
    pid_alive "$ndir/coordinator.pid" && redis_alive "$ndir" \
      || die "$(basename "$ndir") is not running: every member restarts in turn, so start the cluster first ('$CS start')"
    groups=$(node_groups "$ndir")
    (( groups < lowest )) && lowest=$groups
    (( groups > highest )) && highest=$groups
  done
  local target=$(( highest + count ))
  if (( lowest < highest )); then
    # An earlier add-group stopped midway: its nodes are finished first (--count is not added again).
    target=$highest
    echo "Finishing an earlier add-group: every node gets $target groups."
  fi
  (( target <= 16 )) || die "add-group: a cluster has 16 Raft groups at most; it has $highest"
  for ndir in "${dirs[@]}"; do
    if (( $(node_groups "$ndir") < target )); then
      add_groups_to_node "$ndir" "$target"
    fi
    # Restarted and caught up: a later failure must not stop it (on_exit stops what STARTED names).
    STARTED=()
  done
  echo "Waiting for every group to have a leader and every node to be ready ..."
  local nodes=()
  for ndir in "${dirs[@]}"; do nodes+=("$(basename "$ndir")"); done
  wait_for_ready "${nodes[@]}"
  echo "Every node has $target Raft groups."
  if [[ -n "$balance" ]]; then
    echo "Balancing the slots over the groups ('redraft slots balance') ..."
    cli slots balance || die "the balance stopped (see above); the cluster serves with every group: run" \
      "'scripts/redraft slots balance' to finish it (not add-group again: that would add one more group)"
  else
    echo "The new groups own no slot yet: 'scripts/redraft slots balance' gives them their share."
  fi
}

# Gives the node in directory $1 a Redis for each group up to $2 (exclusive) and restarts its coordinator
# with them; waits until it answers and has applied what group 0's leader had committed when it came back
# (a node still catching up after 60 s stops the command, the node left running: the next restart could
# otherwise leave a group without a majority).
add_groups_to_node() {
  local ndir=$1 target=$2 node g port list
  node=$(basename "$ndir")
  list=$(sed -n 's/^GROUP_REDIS=//p' "$ndir/node.env")
  for (( g = $(node_groups "$ndir"); g < target; g++ )); do
    port=$(pick_base_port 1 1)
    write_redis_conf "$ndir" "$port" "$ndir/group$g"
    start_redis "$ndir" # now: the next group's port is picked with this one taken
    list+="${list:+,}127.0.0.1:$port"
  done
  if grep -q '^GROUP_REDIS=' "$ndir/node.env"; then
    sed -i "s|^GROUP_REDIS=.*|GROUP_REDIS=$list|" "$ndir/node.env"
  else
    echo "GROUP_REDIS=$list" >> "$ndir/node.env"
  fi
  echo "Restarting $node with $target groups ..."
  stop_pid "$ndir/coordinator.pid" "coordinator $node"
  start_coordinator "$ndir" "$(peers_csv)"
  # shellcheck disable=SC1091
  source "$ndir/node.env"
  local deadline=$(( SECONDS + 60 )) indexes="" applied="" commit target_index=""
  while :; do
    pid_alive "$ndir/coordinator.pid" \
      || die "coordinator $node exited: $(log_tail "$ndir/coordinator.log")(see $ndir/coordinator.log)"
    if port_in_use "${API##*:}" && indexes=$(catch_up_indexes "$node"); then
      read -r applied commit <<<"$indexes"
      [[ -n "$target_index" ]] || target_index=$commit
      (( applied >= target_index )) && break
    fi
    if (( SECONDS > deadline )); then
      STARTED=() # it runs: leave it running
      die "$node has not caught up 60 s after its restart (applied index ${applied:-unknown}, the leader's commit" \
        "index was ${target_index:-unknown}): see $ndir/coordinator.log and '$CS status'; run '$CS add-group' again" \
        "once it has (it goes on with the nodes still without the new groups)"
    fi
    sleep 0.5
  done
  echo "$node is back with $target groups (applied index $applied)."
}

add_node_failed() {
  local node=$1 why=$2
  # The addition may have reached the membership (of some groups) before it failed: take it out again
  # (best effort; a node that is no member is refused, which is fine), so no group keeps a dead voter.
  cli member remove "$node" >/dev/null 2>&1 || true
  stop_node "$node"
  retire_node_dir "$node"
  die "$node was not added: $why. Its logs: $DIR/removed/$node/coordinator.log"
}

# Drops a node from DIR/endpoints and DIR/http-endpoints (its node.env is in directory $2).
drop_endpoints() {
  local node=$1 ndir=$2 kept RESP="" RESP_CLUSTER=""
  # shellcheck disable=SC1091
  source "$ndir/node.env"
  if [[ -f "$DIR/endpoints" ]]; then
    kept=$(grep -vxF "$API" "$DIR/endpoints" || true)
    printf '%s\n' "$kept" | sed '/^$/d' > "$DIR/endpoints"
  fi
  if [[ -f "$DIR/http-endpoints" ]]; then
    kept=$(grep -v "^$node " "$DIR/http-endpoints" || true)
    printf '%s\n' "$kept" | sed '/^$/d' > "$DIR/http-endpoints"
  fi
  if [[ -f "$DIR/resp-endpoints" && -n "${RESP:-}" ]]; then
    kept=$(grep -vxF "$RESP" "$DIR/resp-endpoints" || true)
    printf '%s\n' "$kept" | sed '/^$/d' > "$DIR/resp-endpoints"
  fi
  if [[ -f "$DIR/resp-cluster-endpoints" && -n "${RESP_CLUSTER:-}" ]]; then
    kept=$(grep -vxF "$RESP_CLUSTER" "$DIR/resp-cluster-endpoints" || true)
    printf '%s\n' "$kept" | sed '/^$/d' > "$DIR/resp-cluster-endpoints"
  fi
}

# Is NODE in the membership, as the given endpoints report it? Prints yes or no; fails if they cannot
# be reached.
membership_of() {
  local node=$1 endpoints=$2 members
  members=$(members_json "$endpoints" member list) || return 1
  if grep -Eq "\"node_id\" *: *\"$node\"" <<<"$members"; then echo yes; else echo no; fi
}

# Retires a node whatever state it is in: removes it from the membership if it still is a member
# (asking the other nodes: a removed node may still believe it is one), stops its processes, moves its
# files to DIR/removed/NODE and drops it from the endpoints files. Safe to repeat.
cmd_remove_node() {
  [[ $# -eq 1 ]] || die "remove-node: give exactly one node id, e.g. '$CS remove-node n4'"
  local node=$1
  [[ "$node" =~ ^n[0-9]+$ ]] || die "remove-node: '$node' is not a node id (n1, n2, ...; nodes in $DIR: $(node_ids))"
  if [[ ! -f "$DIR/$node/node.env" ]]; then
    [[ -f "$DIR/removed/$node/node.env" ]] || die "no node '$node' in $DIR (nodes: $(node_ids))"
    stop_pid "$DIR/removed/$node/coordinator.pid" "coordinator $node"
    stop_redis "$DIR/removed/$node"
    drop_endpoints "$node" "$DIR/removed/$node"
    echo "$node was already removed; its files are in $DIR/removed/$node."
    return 0
  fi
  ensure_jars
  # shellcheck disable=SC1091
  source "$DIR/$node/node.env"
  local others
  others=$(grep -vxF "$API" "$DIR/endpoints" 2>/dev/null | sed '/^$/d' | paste -sd, || true)
  [[ -n "$others" ]] || die "remove-node: $node is the only node in $DIR: use '$CS stop' (or 'clean') instead"
  local member
  member=$(membership_of "$node" "$others") \
    || die "cannot reach the other nodes ($others) to remove $node from the membership: start them ('$CS start'), then run remove-node again"
  if [[ "$member" == yes ]]; then
    echo "Removing $node from the cluster ..."
    if ! cli_at "$others" member remove "$node"; then
      member=$(membership_of "$node" "$others" || echo unknown)
      [[ "$member" == no ]] || die "'redraft member remove $node' failed: $node is still a member and was left running"
    fi
  else
    echo "$node is no longer a member of the cluster; retiring it."
  fi
  drop_endpoints "$node" "$DIR/$node"
  stop_node "$node"
  retire_node_dir "$node"
  echo "Removed $node; its files are in $DIR/removed/$node."
}

cmd_status() {
  [[ -s "$DIR/endpoints" ]] || die "no cluster in $DIR: start one with '$CS start'"
  ensure_jars
  local rc=0
  cli cluster status "$@" || rc=$?
  # RESP addresses are per-node settings (DIR/NODE/node.env), not part of the replicated membership.
  if [[ -s "$DIR/resp-endpoints" && " $* " != *" -o json "* && " $* " != *" --output json "* ]]; then
    local ndir RESP RESP_CLUSTER
    echo "Redis protocol (RESP) ports (AUTH password in $DIR/resp.password), and for cluster-aware clients (-MOVED):"
    while read -r ndir; do
      RESP="" RESP_CLUSTER=""
      # shellcheck disable=SC1091
      source "$ndir/node.env"
      [[ -z "$RESP" ]] || printf '  %-4s %-17s %s\n' "$NODE" "$RESP" "${RESP_CLUSTER:-}"
    done < <(member_dirs)
  fi
  return "$rc"
}

# Has this PID not exited yet? (A zombie has exited: only its parent has not reaped it yet.)
pid_running() {
  kill -0 "$1" 2>/dev/null || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Stops the process in a pid file (only if it is still the one this script started), waiting for it
# to exit: SIGTERM, then SIGKILL after 10 s (20 s for a JVM writing its class archive).
stop_pid() {
  local pidfile=$1 what=$2
  [[ -f "$pidfile" ]] || return 0
  local pid
  pid=$(cat "$pidfile")
  if pid_alive "$pidfile"; then
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0 bound=100
    # A JVM writing its class archive at exit (~60 MB) gets 10 s more.
    ! grep -q ArchiveClassesAtExit "/proc/$pid/cmdline" 2>/dev/null || bound=200
    # Until it has exited (a zombie holds no port or file; init reaps it, which took ~2 s per process on
    # machines whose init reaps slowly: 12 s of a 3-node stop).
    while pid_running "$pid" && (( waited < bound )); do sleep 0.1; waited=$(( waited + 1 )); done
    if pid_running "$pid"; then
      echo "$what (pid $pid) did not stop in $(( bound / 10 )) s: killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      waited=0
      while pid_running "$pid" && (( waited < 50 )); do sleep 0.1; waited=$(( waited + 1 )); done
    fi
  fi
  rm -f "$pidfile"
  [[ "$(basename "$pidfile")" != coordinator.pid ]] || adopt_cds_archive "$(dirname "$pidfile")"
}

# Stops exactly the processes of one node, by the PIDs in its pid files.
stop_node() {
  local node=$1
  stop_pid "$DIR/$node/coordinator.pid" "coordinator $node"
  stop_redis "$DIR/$node"
}

# Stops every Redis of the node in directory $1 (group 0's, then each further group's).
stop_redis() {
  local rdir node
  node=$(basename "$1")
  while read -r rdir; do
    stop_pid "$rdir/redis.pid" "redis of $node${rdir#"$1"}"
  done < <(redis_dirs "$1")
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

cmd_redis_cli() {
  local address="" node="" cluster=() key=RESP
  [[ -s "$DIR/resp-endpoints" ]] || die "no RESP ports in $DIR: start a cluster with '$CS start'"
  command -v redis-cli >/dev/null || die "redis-cli not found: install it (Debian: apt-get install -y redis-tools)"
  while [[ "${1:-}" == "--node" || "${1:-}" == "--cluster" ]]; do
    if [[ "$1" == "--cluster" ]]; then
      # redis-cli -c on the ports for cluster-aware clients: it follows each -MOVED to the key's group's leader.
      [[ -s "$DIR/resp-cluster-endpoints" ]] || die "no ports for cluster-aware clients in $DIR (a cluster set up" \
        "before they existed): use redis-cli without --cluster"
      cluster=(-c) key=RESP_CLUSTER
      shift
    else
      node=${2:-}
      [[ -f "$DIR/$node/node.env" ]] || die "no node '$node' in $DIR (nodes: $(node_ids))"
      shift 2
    fi
  done
  if [[ -n "$node" ]]; then
    address=$(sed -n "s/^$key=//p" "$DIR/$node/node.env")
    [[ -n "$address" ]] || die "node $node has no $( [[ $key == RESP ]] && echo "RESP port" || echo "port for cluster-aware clients") (it was set up before they existed)"
  elif (( ${#cluster[@]} )); then
    address=$(head -n 1 "$DIR/resp-cluster-endpoints")
  fi
  local password=""
  [[ -f "$DIR/resp.password" ]] && password=$(head -n 1 "$DIR/resp.password")
  # A TLS cluster's RESP ports speak TLS; the admin identity authenticates the connection.
  local tls_args=()
  if tls_on; then
    tls_args=(--tls --cacert "$DIR/tls/ca.pem" --cert "$DIR/tls/admin.pem" --key "$DIR/tls/admin-key.pem")
  fi
  if [[ -z "${address:-}" ]]; then
    # The leader's port when a node names it (lowest latency: a follower learns of a commit only with
    # the leader's next message), else the first.
    local first leader
    first=$(head -n 1 "$DIR/resp-endpoints")
    leader=$(REDISCLI_AUTH="$password" redis-cli "${tls_args[@]+"${tls_args[@]}"}" -h "${first%:*}" \
      -p "${first##*:}" info raft 2>/dev/null \
      | tr -d '\r' | sed -n 's/^raft_leader_id://p')
    [[ -n "$leader" && -f "$DIR/$leader/node.env" ]] && address=$(sed -n 's/^RESP=//p' "$DIR/$leader/node.env")
    [[ -n "${address:-}" ]] || address=$first
  fi
  trap - EXIT
  if [[ -n "$password" ]]; then
    REDISCLI_AUTH="$password" exec redis-cli "${tls_args[@]+"${tls_args[@]}"}" "${cluster[@]+"${cluster[@]}"}" \
      -h "${address%:*}" -p "${address##*:}" "$@"
  fi
  exec redis-cli "${tls_args[@]+"${tls_args[@]}"}" "${cluster[@]+"${cluster[@]}"}" -h "${address%:*}" \
    -p "${address##*:}" "$@"
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
  if tls_on; then export_tls_env; fi
  # This script as a command that works in the messages it prints: with --dir unless DIR is the default.
  CS="scripts/cluster.sh"
  [[ "$DIR" == "$(pwd)/.redraft" ]] || CS="scripts/cluster.sh --dir $(printf %q "$DIR")"
  trap on_exit EXIT
  case "$command" in
    start) cmd_start "${rest[@]+"${rest[@]}"}" ;;
    start-node) cmd_start_node "${rest[@]+"${rest[@]}"}" ;;
    stop-node) cmd_stop_node "${rest[@]+"${rest[@]}"}" ;;
    restart-node) cmd_restart_node "${rest[@]+"${rest[@]}"}" ;;
    status) cmd_status "${rest[@]+"${rest[@]}"}" ;;
    add-node) cmd_add_node "${rest[@]+"${rest[@]}"}" ;;
    add-group) cmd_add_group "${rest[@]+"${rest[@]}"}" ;;
    remove-node) cmd_remove_node "${rest[@]+"${rest[@]}"}" ;;
    stop) cmd_stop ;;
    clean) cmd_clean ;;
    logs) cmd_logs "${rest[@]+"${rest[@]}"}" ;;
    redis-cli) cmd_redis_cli "${rest[@]+"${rest[@]}"}" ;;
    help|-h|--help) usage 0 ;;
    *) echo "cluster.sh: unknown command '$command'" >&2; usage ;;
  esac
}

main "$@"
