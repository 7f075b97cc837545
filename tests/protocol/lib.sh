# shellcheck shell=bash
# Common set-up for the protocol tests (sourced). Real clients against the
# real binary (DESIGN.md, "Tests"):
#   proto_init            temp dir, databases (fresh ones in $COSMO_TEST_PG,
#                         or a throwaway cluster of our own), migrate, two
#                         shards, users alice and bob
#   proto_start NAME      start `cosmo serve` NAME on free ports, wait for
#                         /healthz; sets URL_<NAME> and ADMIN_<NAME>
#   proto_kill NAME [SIG] stop server NAME (default TERM) and wait for it
# Everything started is killed and removed at exit; on failure the server
# logs are printed. Inputs: COSMO_BINARY (default build/cosmo).

set -euo pipefail

PROTO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../scripts/lib/pg.sh
source "$PROTO_ROOT/scripts/lib/pg.sh"

COSMO_BINARY=${COSMO_BINARY:-$PROTO_ROOT/build/cosmo}
# Credentials of the two test users (only in this throwaway set-up).
ALICE_PW='alice-Pw:1x'
BOB_PW='bob-secret-2'

proto_work=""
proto_own_pg=""
proto_dbs=()
declare -A proto_pids=()
proto_failed_msgs=()

log() { printf '%s\n' "$*" >&2; }

# Records a failed check; the test exits non-zero at the end.
fail() {
    proto_failed_msgs+=("$*")
    log "FAIL: $*"
}
pass() { log "ok: $*"; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
    if [[ "$2" == "$3" ]]; then
        pass "$1 ($3)"
    else
        fail "$1: expected $2, got $3"
    fi
}

proto_cleanup() {
    local rc=$?
    local name
    for name in "${!proto_pids[@]}"; do
        kill -KILL "${proto_pids[$name]}" 2>/dev/null || true
        wait "${proto_pids[$name]}" 2>/dev/null || true
    done
    if ((rc != 0)) && [[ -n "$proto_work" ]]; then
        local f
        for f in "$proto_work"/server-*.log; do
            [[ -f "$f" ]] || continue
            log "----- $(basename "$f") (last 200 lines) -----"
            tail -n 200 "$f" >&2
        done
    fi
    if [[ -n "${COSMO_TEST_PG:-}" && -z "$proto_own_pg" ]]; then
        local db
        for db in "${proto_dbs[@]}"; do
            pg_sql "$PROTO_PG" postgres "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
                >/dev/null 2>&1 || true
        done
    fi
    pg_throwaway_stop "$proto_own_pg"
    [[ -n "$proto_work" ]] && rm -rf "$proto_work"
    exit "$rc"
}

# Ends the test: non-zero if any check failed.
proto_finish() {
    # A server that died on its own (a crash) fails the test even when the
    # checks that ran before passed.
    local name rc
    for name in "${!proto_pids[@]}"; do
        if ! kill -0 "${proto_pids[$name]}" 2>/dev/null; then
            rc=0
            wait "${proto_pids[$name]}" 2>/dev/null || rc=$?
            local why="exit status $rc"
            ((rc > 128)) && why="killed by signal $((rc - 128))"
            fail "server $name died during the test ($why)"
            unset "proto_pids[$name]"
        fi
    done
    if ((${#proto_failed_msgs[@]} > 0)); then
        log ""
        log "${#proto_failed_msgs[@]} check(s) failed:"
        local m
        for m in "${proto_failed_msgs[@]}"; do
            log "  - $m"
        done
        exit 1
    fi
    log "all checks passed"
    exit 0
}

# cosmo with the test configuration.
cosmo() { "$COSMO_BINARY" "$@" --config "$proto_work/cosmo.conf"; }

proto_init() {
    [[ -x "$COSMO_BINARY" ]] || { log "no cosmo binary at $COSMO_BINARY"; exit 1; }
    proto_work=$(mktemp -d /tmp/cosmo-proto.XXXXXX)
    trap proto_cleanup EXIT
    trap 'exit 130' INT TERM

    if [[ -z "${COSMO_TEST_PG:-}" ]]; then
        proto_own_pg="$proto_work/pg"
    fi
    # If this script is killed outright (SIGKILL, e.g. a ctest timeout), no
    # trap runs: a watchdog then kills the servers and our own cluster.
    local parent=$$ work=$proto_work own_pg=$proto_own_pg
    (
        while kill -0 "$parent" 2>/dev/null; do sleep 1; done
        [[ -f "$work/server-pids" ]] && xargs -r kill -KILL <"$work/server-pids"
        [[ -n "$own_pg" ]] && pg_throwaway_stop "$own_pg"
        rm -rf "$work"
    ) </dev/null >/dev/null 2>&1 &
    if [[ -n "$proto_own_pg" ]]; then
        pg_throwaway_start "$proto_own_pg"
        PROTO_PG=$PG_BASE_DSN
    else
        PROTO_PG=$COSMO_TEST_PG
    fi
    # Unique names: several tests may share one cluster.
    local tag
    tag="p$$_$(date +%s%N | tail -c 7)"
    DIRECTORY_DB="cosmo_${tag}_dir"
    local db
    for db in "$DIRECTORY_DB" "cosmo_${tag}_s1" "cosmo_${tag}_s2"; do
        pg_sql "$PROTO_PG" postgres "CREATE DATABASE \"$db\"" >/dev/null
        proto_dbs+=("$db")
    done
    mkdir -p "$proto_work/data"
    cat >"$proto_work/cosmo.conf" <<CONF
# Written by tests/protocol/lib.sh
directory-dsn = $PROTO_PG dbname=$DIRECTORY_DB
data-dir = $proto_work/data
log-level = ${PROTO_LOG_LEVEL:-info}
CONF
    cosmo migrate >"$proto_work/setup.log" 2>&1 || { cat "$proto_work/setup.log" >&2; exit 1; }
    cosmo shard add shard1 "$PROTO_PG dbname=cosmo_${tag}_s1" >>"$proto_work/setup.log" 2>&1 \
        || { cat "$proto_work/setup.log" >&2; exit 1; }
    cosmo shard add shard2 "$PROTO_PG dbname=cosmo_${tag}_s2" >>"$proto_work/setup.log" 2>&1 \
        || { cat "$proto_work/setup.log" >&2; exit 1; }
    cosmo migrate >>"$proto_work/setup.log" 2>&1 || { cat "$proto_work/setup.log" >&2; exit 1; }
    printf '%s\n' "$ALICE_PW" | cosmo user add alice --email alice@example.com --password-stdin \
        >>"$proto_work/setup.log" 2>&1 || { cat "$proto_work/setup.log" >&2; exit 1; }
    printf '%s\n' "$BOB_PW" | cosmo user add bob --email bob@example.com --password-stdin \
        >>"$proto_work/setup.log" 2>&1 || { cat "$proto_work/setup.log" >&2; exit 1; }
    WORK=$proto_work
}

proto_start() {
    local name=$1 port admin
    port=${2:-$(free_port)}
    admin=${3:-$(free_port)}
    local logf="$proto_work/server-$name.log"
    # The binary itself, not the cosmo function: $! must be the server's pid
    # (a function would run in a subshell, and killing that orphans the server).
    "$COSMO_BINARY" serve --config "$proto_work/cosmo.conf" --listen "127.0.0.1:$port" \
        --admin-listen "127.0.0.1:$admin" >>"$logf" 2>&1 &
    proto_pids[$name]=$!
    echo "$!" >>"$proto_work/server-pids"
    local i
    for ((i = 0; i < 300; i++)); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$admin/healthz" 2>/dev/null; then
            printf -v "URL_$name" '%s' "http://127.0.0.1:$port"
            printf -v "ADMIN_$name" '%s' "http://127.0.0.1:$admin"
            printf -v "PORT_$name" '%s' "$port"
            printf -v "APORT_$name" '%s' "$admin"
            log "server $name up on 127.0.0.1:$port (admin $admin)"
            return 0
        fi
        if ! kill -0 "${proto_pids[$name]}" 2>/dev/null; then
            log "server $name exited during start-up"
            return 1
        fi
        sleep 0.1
    done
    log "server $name did not answer /healthz within 30 s"
    return 1
}

proto_kill() {
    local name=$1 sig=${2:-TERM}
    local pid=${proto_pids[$name]:-}
    [[ -n "$pid" ]] || return 0
    kill "-$sig" "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "proto_pids[$name]"
}

# http METHOD URL USER [curl args...]: prints the status code only.
# USER "-" means anonymous.
http() {
    local method=$1 url=$2 user=$3
    shift 3
    local auth=()
    case "$user" in
        alice) auth=(-u "alice:$ALICE_PW") ;;
        bob) auth=(-u "bob:$BOB_PW") ;;
        -) ;;
        *) auth=(-u "$user") ;;
    esac
    curl -s -o /dev/null -w '%{http_code}' -X "$method" "${auth[@]}" "$@" "$url" || true
}
