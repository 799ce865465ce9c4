#!/usr/bin/env bash
# PostgreSQL as the production overlay's CloudNativePG runs it, on this machine: a primary and a streaming
# replica with synchronous replication (a commit returns once the replica has its WAL, so a failover loses
# no committed transaction), and the failover itself: stop the primary, promote the replica. The services
# connect to both with one connection string (hosts listed, Target Session Attributes=read-write) and find
# whichever is the primary. ./platform up --cluster and the failover test use it.
#
#   bash deploy/local/postgres-pair.sh up|down|destroy|status|env
#   bash deploy/local/postgres-pair.sh stop-primary|promote
#
#   up            start both (a fresh pair on first use; a former primary comes back as the new primary's replica,
#                 synchronous once the new primary restarts: a running server keeps the settings it started with)
#   stop-primary  stop the primary at once, as a crash would (pg_ctl -m immediate)
#   promote       promote the replica to primary
#   destroy       down, and remove the pair's data
#
# Environment (all optional):
#   RUNSTREAM_STATE         state dir, which names the pair's data folder (<repo root>/.platform)
#   RUNSTREAM_PAIR_PORT     node a listens on this port, node b on the next (55440)
#   RUNSTREAM_DB            database created on the primary (runstream)
set -euo pipefail

_PP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=deploy/local/servers.sh
source "$_PP_DIR/servers.sh"
_pp_state="$(mkdir -p "${RUNSTREAM_STATE:-$_PP_DIR/../../.platform}" && cd "${RUNSTREAM_STATE:-$_PP_DIR/../../.platform}" && pwd -P)"
_pp_port="${RUNSTREAM_PAIR_PORT:-55440}"
_pp_db="${RUNSTREAM_DB:-runstream}"
# Where postgres can reach, whoever owns the checkout (as servers.sh does for the single server).
_pp_root="/var/tmp/runstream-pgpair-$(printf '%s' "$_pp_state" | sha256sum | cut -c1-12)"
_pp_bin="$(_rs_pg_bindir)"

pp_say() { printf 'postgres-pair: %s\n' "$*"; }
pp_die() { printf 'postgres-pair: %s\n' "$*" >&2; exit 1; }

pp_port() { [[ $1 == a ]] && echo "$_pp_port" || echo $((_pp_port + 1)); }
pp_data() { echo "$_pp_root/$1/data"; }
pp_other() { [[ $1 == a ]] && echo b || echo a; }
# Which node is the primary: recorded, as only a promotion changes it.
pp_primary() { cat "$_pp_root/primary" 2>/dev/null || echo a; }

pp_running() { _rs_pg_as "$_pp_bin/pg_ctl" -D "$(pp_data "$1")" status >/dev/null 2>&1; }

# Its own statements do not wait for a replica (the first ones run before there is one).
pp_psql() { # node sql
    PGOPTIONS="-c synchronous_commit=local" "$_pp_bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pp_port "$1")" -U postgres -d postgres -tAc "$2"
}

pp_start() { # node role
    local node=$1 role=$2 opts
    pp_running "$node" && return 0
    opts="-c listen_addresses=127.0.0.1 -p $(pp_port "$node") -c unix_socket_directories=$_pp_root/$node"
    opts+=" -c max_connections=200 -c shared_buffers=256MB -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on"
    # Only a primary waits for its replica; a replica promoted later must not wait for a standby it lacks.
    [[ $role == primary ]] && opts+=" -c synchronous_standby_names=* -c synchronous_commit=on"
    _rs_pg_as "$_pp_bin/pg_ctl" -D "$(pp_data "$node")" -l "$_pp_root/$node/postgres.log" -w -t 60 -o "$opts" start >/dev/null \
        || { tail -n 20 "$_pp_root/$node/postgres.log" >&2; pp_die "node $node ($role) did not start"; }
}

# A replica cloned from the primary: pg_basebackup -R writes standby.signal and the primary's address.
pp_clone() { # node primary
    local node=$1 primary=$2
    rm -rf "$(pp_data "$node")"
    _rs_pg_as "$_pp_bin/pg_basebackup" -h 127.0.0.1 -p "$(pp_port "$primary")" -U postgres -D "$(pp_data "$node")" -R -X stream -c fast \
        || pp_die "could not clone node $node from node $primary"
}

pair_up() {
    local primary replica
    primary="$(pp_primary)"; replica="$(pp_other "$primary")"
    if [[ ! -d $_pp_root ]]; then
        if (( EUID == 0 )); then install -d -m 700 -o postgres -g postgres "$_pp_root"; else install -d -m 700 "$_pp_root"; fi
    fi
    _rs_pg_as mkdir -p "$_pp_root/a" "$_pp_root/b"
    if [[ ! -f $(pp_data "$primary")/PG_VERSION ]]; then
        _rs_pg_as "$_pp_bin/initdb" -D "$(pp_data "$primary")" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
            || pp_die "initdb failed"
    fi
    pp_start "$primary" primary
    pp_psql "$primary" "select 1 from pg_database where datname = '$_pp_db'" | grep -q 1 \
        || pp_psql "$primary" "create database $_pp_db" >/dev/null
    # A replica that is not one (never made, or the primary before a failover) is cloned afresh.
    if ! pp_running "$replica" && [[ ! -f $(pp_data "$replica")/standby.signal ]]; then
        pp_clone "$replica" "$primary"
    fi
    pp_start "$replica" replica
    pp_say "primary 127.0.0.1:$(pp_port "$primary") (node $primary), synchronous replica 127.0.0.1:$(pp_port "$replica") (node $replica)"
}

pair_down() {
    local node
    for node in a b; do
        pp_running "$node" && _rs_pg_as "$_pp_bin/pg_ctl" -D "$(pp_data "$node")" -m fast -w -t 60 stop >/dev/null
    done
    return 0
}

pair_stop_primary() {
    _rs_pg_as "$_pp_bin/pg_ctl" -D "$(pp_data "$(pp_primary)")" -m immediate -w stop >/dev/null
}

pair_promote() {
    local replica
    replica="$(pp_other "$(pp_primary)")"
    _rs_pg_as "$_pp_bin/pg_ctl" -D "$(pp_data "$replica")" -w promote >/dev/null || pp_die "could not promote node $replica"
    echo "$replica" >"$_pp_root/primary"
    pp_say "node $replica is the primary"
}

pair_status() {
    local node role
    for node in a b; do
        role=replica; [[ $node == "$(pp_primary)" ]] && role=primary
        if pp_running "$node"; then pp_say "node $node ($role) running on 127.0.0.1:$(pp_port "$node")"; else pp_say "node $node ($role) stopped"; fi
    done
}

# Npgsql tries the hosts for one that takes writes; it rechecks a host it found a standby every 2 s rather
# than 10, so a promoted replica is found soon after the promotion.
pair_env() {
    printf 'export ConnectionStrings__Postgres="Host=127.0.0.1:%s,127.0.0.1:%s;Database=%s;Username=postgres;Target Session Attributes=read-write;Host Recheck Seconds=2"\n' \
        "$(pp_port a)" "$(pp_port b)" "$_pp_db"
}

case ${1:-} in
    up) pair_up ;;
    down) pair_down ;;
    destroy) pair_down; rm -rf "$_pp_root" ;;
    status) pair_status ;;
    env) pair_env ;;
    stop-primary) pair_stop_primary ;;
    promote) pair_promote ;;
    *) echo "usage: $0 up|down|destroy|status|env|stop-primary|promote" >&2; exit 2 ;;
esac
