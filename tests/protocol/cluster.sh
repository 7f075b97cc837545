#!/usr/bin/env bash
# Scale-out under faults (issue 5): two PostgreSQL clusters as shards (the
# directory lives in the first), three `cosmo serve`, haproxy, 200 users.
# tests/protocol/cluster_driver.py drives a mixed CalDAV load on every user's
# default calendar through haproxy (creates, updates with If-Match, deletes,
# listings, sync-collection with two replicas per user) while this script, in
# turn: moves 20 users between the shards, kills one app server with SIGKILL
# and starts it again, stops shard 2's PostgreSQL for 10 s and starts it
# again. The driver then checks every acknowledged write byte for byte, that
# nothing deleted came back, that users of the healthy shard saw no error,
# that the other users saw only 503 during the outage, and that every
# replica, after a final sync from its last token, equals the server's
# calendar (hrefs, ETags, bodies), with no token refused across the moves.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../scripts/lib/pg.sh
source "$ROOT/scripts/lib/pg.sh"
COSMO_BINARY=${COSMO_BINARY:-$ROOT/build/cosmo}
USERS=${CLUSTER_USERS:-200}
DURATION=${CLUSTER_DURATION:-75}

work=$(mktemp -d /tmp/cosmo-cluster.XXXXXX)
chmod 755 "$work"
declare -A pids=()
cleanup() {
    local rc=$?
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if ((rc != 0)); then
        for f in "$work"/*.log; do
            echo "----- $(basename "$f") (last 40 lines)" >&2
            tail -n 40 "$f" >&2 || true
        done
    fi
    pg_throwaway_stop "$work/pg1"
    pg_throwaway_stop "$work/pg2"
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
log() { printf '[cluster %(%T)T] %s\n' -1 "$*" >&2; }

pg_throwaway_start "$work/pg1"; PG1=$PG_BASE_DSN
pg_throwaway_start "$work/pg2"; PG2=$PG_BASE_DSN
pg_sql "$PG1" postgres "CREATE DATABASE cosmo_directory" >/dev/null
pg_sql "$PG1" postgres "CREATE DATABASE cosmo_shard1" >/dev/null
pg_sql "$PG2" postgres "CREATE DATABASE cosmo_shard2" >/dev/null
export COSMO_DIRECTORY_DSN="${PG1/dbname=postgres/dbname=cosmo_directory}"
S1="${PG1/dbname=postgres/dbname=cosmo_shard1}"
S2="${PG2/dbname=postgres/dbname=cosmo_shard2}"
export COSMO_LOG_LEVEL=warning COSMO_ACCESS_LOG=false
cosmo() { "$COSMO_BINARY" "$@"; }
cosmo migrate >/dev/null
cosmo shard add shard1 "$S1" >/dev/null
cosmo shard add shard2 "$S2" >/dev/null
log "creating $USERS users"
seq 1 "$USERS" | xargs -P 4 -I{} sh -c \
    'echo "pw-u{}" | "$0" user add "u{}" --password-stdin >/dev/null' "$COSMO_BINARY"
cosmo user list | awk 'NR > 1 { print $1, $2 }' >"$work/placement-before.txt"

# Three app servers on free ports. Short timeouts so that faults show fast.
server_args=(--db-connect-timeout-ms 2000 --db-statement-timeout-ms 8000
             --directory-cache-ttl-ms 30000 --worker-threads 24 --db-pool-size 12)
declare -A port=() admin=()
start_app() {
    local n=$1
    "$COSMO_BINARY" serve --listen "127.0.0.1:${port[$n]}" --admin-listen \
        "127.0.0.1:${admin[$n]}" "${server_args[@]}" >>"$work/app$n.log" 2>&1 &
    pids[app$n]=$!
    for _ in $(seq 300); do
        curl -fsS -o /dev/null "http://127.0.0.1:${admin[$n]}/readyz" 2>/dev/null && return 0
        sleep 0.1
    done
    log "app$n did not start"; return 1
}
for n in 1 2 3; do port[$n]=$(free_port); admin[$n]=$(free_port); start_app "$n"; done

lb=$(free_port)
cat >"$work/haproxy.cfg" <<CFG
global
    maxconn 2000
defaults
    mode http
    option http-keep-alive
    timeout connect 2s
    retries 2
    option redispatch 1
    retry-on conn-failure empty-response
    option http-buffer-request
    timeout server 60s
    timeout client 120s
    timeout http-request 30s
    timeout check 3s
frontend dav
    bind 127.0.0.1:$lb
    http-request deny deny_status 413 if { req.hdr_val(content-length) gt 10485760 }
    default_backend cosmo
backend cosmo
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    server app1 127.0.0.1:${port[1]} check port ${admin[1]} inter 500ms fall 2 rise 2
    server app2 127.0.0.1:${port[2]} check port ${admin[2]} inter 500ms fall 2 rise 2
    server app3 127.0.0.1:${port[3]} check port ${admin[3]} inter 500ms fall 2 rise 2
CFG
haproxy -W -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids[haproxy]=$!
sleep 1

# Warm-up: every user's password verified once on each app server (scrypt
# costs ~0.1 s of CPU each; later requests hit the credential cache).
/usr/bin/python3 "$ROOT/tests/protocol/cluster_driver.py" warmup \
    --url "http://127.0.0.1:$lb" --users "$USERS" --out /dev/null >"$work/warmup.log" 2>&1
log "load for ${DURATION}s through haproxy on $lb"
/usr/bin/python3 "$ROOT/tests/protocol/cluster_driver.py" load \
    --url "http://127.0.0.1:$lb" --users "$USERS" --duration "$DURATION" \
    --out "$work/result.json" --events "$work/events.txt" >"$work/driver.log" 2>&1 &
driver=$!
event() { echo "$(date +%s.%N) $*" >>"$work/events.txt"; log "$*"; }

sleep 8
# 1. Move 20 users between the shards (10 each way), one at a time.
moved=0
while read -r name shard; do
    ((moved < 20)) || break
    target=shard2; [[ "$shard" == 2 ]] && target=shard1
    event "move-start $name"
    cosmo user move "$name" --to "$target" >>"$work/moves.log" 2>&1
    event "move-end $name"
    moved=$((moved + 1))
done < <(awk '$2 == 1' "$work/placement-before.txt" | head -10; \
         awk '$2 == 2' "$work/placement-before.txt" | head -10)
sleep 3
# 2. SIGKILL one app server, start it again.
event "kill app2"
kill -KILL "${pids[app2]}"; wait "${pids[app2]}" 2>/dev/null || true
sleep 3
start_app 2
event "restarted app2"
sleep 3
# 3. Stop shard 2's PostgreSQL for 10 s.
event "outage-start shard2"
pg_as_owner "$PG_BIN/pg_ctl" stop -D "$work/pg2/data" -m fast -w >/dev/null
sleep 10
pg_as_owner "$PG_BIN/pg_ctl" start -D "$work/pg2/data" -w -t 60 -l "$work/pg2/postgres.log" \
    >/dev/null
event "outage-end shard2"

wait "$driver" || { log "driver failed"; cat "$work/driver.log" >&2; exit 1; }
cosmo user list | awk 'NR > 1 { print $1, $2 }' >"$work/placement-after.txt"
/usr/bin/python3 "$ROOT/tests/protocol/cluster_driver.py" verify \
    --url "http://127.0.0.1:$lb" --users "$USERS" --out "$work/result.json" \
    --events "$work/events.txt" --before "$work/placement-before.txt" \
    --after "$work/placement-after.txt"
