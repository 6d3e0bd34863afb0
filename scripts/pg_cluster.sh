#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: fresh data dir under /tmp, listens
# on 127.0.0.1 only, on a free port, trust auth for loopback, with an empty
# database "dispensary_test". Needs the Debian server binaries
# (/usr/lib/postgresql/*/bin; set PG_BINDIR to use others).
#
# Sourced (as scripts/test does):
#   pg_ensure_installed    apt-get install postgresql if missing (root only);
#                          returns 1 with a message if it is not to be had
#   pg_cluster_start       sets PG_CLUSTER_DIR, PG_CLUSTER_PORT, PG_CLUSTER_URL
#   pg_cluster_stop        stops and deletes it (safe to call twice; use in a trap)
#
# Run by hand:
#   scripts/pg_cluster.sh start        prints export lines (URL, dir, port)
#   scripts/pg_cluster.sh stop DIR     stops and deletes the cluster in DIR
#
# As root, initdb/pg_ctl run as the "postgres" system user (initdb refuses
# root); otherwise as the current user. The superuser is always "postgres".

# shellcheck source=scripts/_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"

PG_DBNAME=dispensary_test
PG_SUPERUSER=postgres
PG_CLUSTER_DIR=""
PG_CLUSTER_PORT=""
PG_CLUSTER_URL=""

# The newest /usr/lib/postgresql/N/bin holding pg_ctl (or $PG_BINDIR).
pg_bindir() {
    if [[ -n ${PG_BINDIR:-} ]]; then
        [[ -x $PG_BINDIR/pg_ctl ]] && printf '%s\n' "$PG_BINDIR"
        return
    fi
    local d
    d="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    if [[ -x $d/pg_ctl ]]; then
        printf '%s\n' "$d"
    fi
}

pg_ensure_installed() {
    if [[ -n "$(pg_bindir)" ]]; then
        return 0
    fi
    if ! is_root; then
        say "PostgreSQL server not installed (no pg_ctl in /usr/lib/postgresql/*/bin) and not root."
        say "To run these tests: sudo apt-get install postgresql"
        return 1
    fi
    say "PostgreSQL server not installed: installing Debian's postgresql"
    apt_install postgresql || die "apt-get install postgresql failed"
    [[ -n "$(pg_bindir)" ]] || die "postgresql installed, but no pg_ctl in /usr/lib/postgresql/*/bin"
}

# Run a command as the cluster's owner: "postgres" when we are root.
_pg_as_owner() {
    if ! is_root; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
}

_pg_free_port() {
    local py
    py="$(command -v python3 || printf '%s' "$VENV/bin/python")"
    "$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

pg_cluster_start() {
    local bindir parent tries rc=0
    bindir="$(pg_bindir)"
    [[ -n $bindir ]] || die "no PostgreSQL server binaries (pg_ctl) found"

    if is_root && ! id postgres >/dev/null 2>&1; then
        say "creating the 'postgres' system user"
        useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
            --shell /bin/sh postgres || die "could not create user postgres"
    fi

    # The owner must be able to reach the directory: use /tmp when $TMPDIR isn't.
    parent="${TMPDIR:-/tmp}"
    if is_root && ! runuser -u postgres -- test -w "$parent" -a -x "$parent" 2>/dev/null; then
        parent=/tmp
    fi
    PG_CLUSTER_DIR="$(mktemp -d "$parent/dispensary-pg.XXXXXX")"
    mkdir "$PG_CLUSTER_DIR/data" "$PG_CLUSTER_DIR/sock"
    chmod 700 "$PG_CLUSTER_DIR/data"
    if is_root; then
        chown -R postgres: "$PG_CLUSTER_DIR"
    fi

    if ! _pg_as_owner "$bindir/initdb" -D "$PG_CLUSTER_DIR/data" -U "$PG_SUPERUSER" \
        -A trust -E UTF8 --no-locale --no-sync >"$PG_CLUSTER_DIR/initdb.log" 2>&1; then
        cat "$PG_CLUSTER_DIR/initdb.log" >&2
        die "initdb failed"
    fi
    # Trust, but only over the unix socket in our private dir and loopback TCP.
    cat >"$PG_CLUSTER_DIR/data/pg_hba.conf" <<'EOF'
local all all               trust
host  all all 127.0.0.1/32  trust
EOF
    cat >>"$PG_CLUSTER_DIR/data/postgresql.conf" <<EOF

# --- throwaway test cluster (scripts/pg_cluster.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_CLUSTER_DIR/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

    # A free port can be taken between asking and binding: retry a few times.
    for tries in 1 2 3 4 5; do
        PG_CLUSTER_PORT="$(_pg_free_port)"
        printf 'port = %s\n' "$PG_CLUSTER_PORT" >>"$PG_CLUSTER_DIR/data/postgresql.conf"
        rm -f "$PG_CLUSTER_DIR/server.log"
        rc=0
        _pg_as_owner "$bindir/pg_ctl" -D "$PG_CLUSTER_DIR/data" -l "$PG_CLUSTER_DIR/server.log" \
            -w -t 60 start >/dev/null 2>&1 || rc=$?
        ((rc == 0)) && break
        grep -q 'could not bind\|already in use' "$PG_CLUSTER_DIR/server.log" 2>/dev/null || break
        say "port $PG_CLUSTER_PORT was taken (try $tries); retrying"
    done
    if ((rc != 0)); then
        tail -n 30 "$PG_CLUSTER_DIR/server.log" >&2 2>/dev/null || true
        die "PostgreSQL did not start (log above)"
    fi

    "$bindir/createdb" -h 127.0.0.1 -p "$PG_CLUSTER_PORT" -U "$PG_SUPERUSER" "$PG_DBNAME" ||
        die "createdb $PG_DBNAME failed"
    "$bindir/psql" -h 127.0.0.1 -p "$PG_CLUSTER_PORT" -U "$PG_SUPERUSER" -d "$PG_DBNAME" \
        -qAtX -c 'select 1' >/dev/null || die "cannot connect to the test cluster"

    PG_CLUSTER_URL="postgresql+psycopg://$PG_SUPERUSER@127.0.0.1:$PG_CLUSTER_PORT/$PG_DBNAME"
    export PG_CLUSTER_DIR PG_CLUSTER_PORT PG_CLUSTER_URL
    say "PostgreSQL $("$bindir/postgres" -V | awk '{print $3}') on 127.0.0.1:$PG_CLUSTER_PORT (data in $PG_CLUSTER_DIR)"
}

# Stop and delete the cluster in $1 (default: the one pg_cluster_start made).
pg_cluster_stop() {
    local dir=${1:-$PG_CLUSTER_DIR} bindir pid
    [[ -n $dir && -d $dir ]] || return 0
    bindir="$(pg_bindir)"
    if [[ -f $dir/data/postmaster.pid && -n $bindir ]]; then
        _pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            _pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 ||
            true
    fi
    # Last resort: the postmaster we started is still there.
    if [[ -f $dir/data/postmaster.pid ]]; then
        pid="$(head -n 1 "$dir/data/postmaster.pid")"
        if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf -- "$dir"
    if [[ $dir == "$PG_CLUSTER_DIR" ]]; then
        PG_CLUSTER_DIR=""
    fi
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    case "${1:-}" in
    start)
        pg_ensure_installed || exit 1
        pg_cluster_start >&2
        printf 'export PG_CLUSTER_DIR=%q\n' "$PG_CLUSTER_DIR"
        printf 'export PG_CLUSTER_PORT=%q\n' "$PG_CLUSTER_PORT"
        printf 'export DISPENSARY_TEST_DB=%q\n' "$PG_CLUSTER_URL"
        printf '# stop it with: %q stop %q\n' "$0" "$PG_CLUSTER_DIR"
        ;;
    stop)
        [[ -n ${2:-} ]] || die "usage: $0 stop DIR"
        [[ -f $2/data/PG_VERSION || ! -e $2 ]] || die "$2 is not a cluster made by this script"
        pg_cluster_stop "$2"
        ;;
    *)
        printf 'usage: %s start | stop DIR\n' "$0" >&2
        exit 2
        ;;
    esac
fi
