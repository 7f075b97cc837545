# shellcheck shell=bash
# Throwaway PostgreSQL clusters for tests (sourced, not run).
#   pg_throwaway_start DIR   initdb into DIR (fresh), start on a Unix socket in
#                            DIR and a free loopback port; sets PG_BASE_DSN.
#   pg_throwaway_stop DIR    stop it (fast) and remove DIR; safe to call twice.
# PostgreSQL refuses to run as root, so as root the cluster runs as `postgres`.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [[ ! -x "$PG_BIN/initdb" ]]; then
    PG_BIN=$(pg_config --bindir)
fi

# Runs a PostgreSQL server tool as the user the cluster belongs to.
pg_as_owner() {
    if ((EUID == 0)); then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Prints a free TCP port on 127.0.0.1 (the kernel picks it).
free_port() {
    /usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

pg_throwaway_start() {
    local dir=$1
    mkdir -p "$dir"
    if ((EUID == 0)); then
        chown postgres: "$dir"
        # The postgres user must be able to reach DIR (mktemp makes 0700 dirs).
        local p=$dir
        while [[ "$p" != / && -n "$p" ]]; do
            [[ -x "$p" ]] && chmod o+x "$p"
            p=$(dirname "$p")
        done
    fi
    pg_as_owner "$PG_BIN/initdb" -D "$dir/data" -A trust -U cosmo --encoding UTF8 \
        --locale C --no-instructions >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; return 1; }
    PG_PORT=$(free_port)
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$dir'
max_connections = 300
fsync = on
CONF
    # Settings of the caller's (scripts/bench sizes memory as the embedded
    # server does), one per line.
    if [[ -n "${PG_EXTRA_CONF:-}" ]]; then
        printf '%s\n' "$PG_EXTRA_CONF" >>"$dir/data/postgresql.conf"
    fi
    pg_as_owner "$PG_BIN/pg_ctl" start -D "$dir/data" -w -t 60 -l "$dir/postgres.log" \
        >/dev/null || { cat "$dir/postgres.log" >&2; return 1; }
    PG_BASE_DSN="host=$dir port=$PG_PORT user=cosmo dbname=postgres"
    export PG_BASE_DSN PG_PORT
}

pg_throwaway_stop() {
    local dir=$1
    [[ -n "$dir" && -d "$dir" ]] || return 0
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        pg_as_owner "$PG_BIN/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

# Runs SQL against the database named $2 of the libpq base DSN $1.
pg_sql() {
    psql -X -q -v ON_ERROR_STOP=1 "$1 dbname=$2" -c "$3"
}
