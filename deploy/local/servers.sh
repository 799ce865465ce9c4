#!/usr/bin/env bash
# Local PostgreSQL and RabbitMQ for Runstream, run as plain processes (no
# systemd, no containers).
#
# Use it either way:
#   source deploy/local/servers.sh; servers_up; eval "$(servers_env)"
#   bash deploy/local/servers.sh up|down|status|env|install
#
# Public functions: servers_install, servers_up, servers_down, servers_restart, servers_stop, servers_start, servers_status,
# servers_env, servers_pg_running, servers_rabbit_running, rabbitmqctl_local.
#
# Environment (all optional):
#   RUNSTREAM_STATE             state dir (default: <repo root>/.platform)
#   RUNSTREAM_PG_PORT           PostgreSQL port               (55432)
#   RUNSTREAM_DB                database created on start     (runstream)
#   RUNSTREAM_PG_FSYNC          on|off; off only for throwaway test data (on)
#   RUNSTREAM_PG_SYNC_COMMIT    synchronous_commit            (on)
#   RUNSTREAM_PG_DIR            PostgreSQL files: data/, postgres.log, socket
#                               (/var/tmp/runstream-pg-<hash of the state path>)
#   RUNSTREAM_AMQP_PORT         AMQP port                     (56720)
#   RUNSTREAM_RABBIT_MGMT_PORT  management HTTP port          (56721)
#   RUNSTREAM_RABBIT_DIST_PORT  Erlang distribution port      (56722)
#   RUNSTREAM_EPMD_PORT         private epmd port             (56723)
#   RUNSTREAM_RABBIT_NODE       Erlang node name              (runstream@localhost; cluster.sh names its nodes)
#   RUNSTREAM_SERVERS_TIMEOUT   seconds to wait for each server to be ready (120)
#
# Everything listens on 127.0.0.1 only. The library never changes shell
# options, so it is safe to source from a `set -euo pipefail` script.

_RS_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
_RS_REPO_ROOT="$(cd "$_RS_SCRIPT_DIR/../.." && pwd -P)"
_RS_RABBIT_BIN=/usr/lib/rabbitmq/bin

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

_rs_err() { printf 'servers: %s\n' "$*" >&2; }

_rs_is_port() { [[ $1 =~ ^[0-9]+$ ]] && (( $1 > 0 && $1 < 65536 )); }

# Print the last lines of each existing log file to stderr.
_rs_tail_logs() {
    local f
    for f in "$@"; do
        [[ -f $f ]] || continue
        printf -- '--- last lines of %s ---\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
}

# True when something accepts TCP connections on 127.0.0.1:$1.
_rs_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fail with a clear message if any of the given ports is taken.
_rs_ports_free() {
    local p
    for p in "$@"; do
        if _rs_port_busy "$p"; then
            _rs_err "port 127.0.0.1:$p is already in use by another process"
            return 1
        fi
    done
}

# Keeps the kernel from giving our fixed ports to outgoing connections as their local port: they
# lie in the ephemeral range (32768-60999), and a server restarted while clients reconnect could
# find its port taken (seen: RabbitMQ's restart failed with eaddrinuse). Root only; else a no-op.
_rs_reserve_ports() {
    local file=/proc/sys/net/ipv4/ip_local_reserved_ports current
    [[ -w $file ]] || return 0
    current=$(<"$file")
    echo "${current:+$current,}$_rs_pg_port,$_rs_amqp_port,$_rs_mgmt_port,$_rs_dist_port,$_rs_epmd_port" >"$file" 2>/dev/null || true
}

# True when pid $1 is alive (zombies count as dead).
_rs_alive() {
    [[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
    [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

# Wait up to $2 seconds for pid $1 to exit.
_rs_wait_exit() {
    local pid=$1 i
    for (( i = 0; i < $2 * 10; i++ )); do
        _rs_alive "$pid" || return 0
        sleep 0.1
    done
    ! _rs_alive "$pid"
}

# Resolve settings from the environment. Called by every public function so a
# caller can change variables after sourcing.
_rs_config() {
    _rs_pg_port=${RUNSTREAM_PG_PORT:-55432}
    _rs_amqp_port=${RUNSTREAM_AMQP_PORT:-56720}
    _rs_mgmt_port=${RUNSTREAM_RABBIT_MGMT_PORT:-56721}
    _rs_dist_port=${RUNSTREAM_RABBIT_DIST_PORT:-56722}
    _rs_epmd_port=${RUNSTREAM_EPMD_PORT:-56723}
    _rs_db=${RUNSTREAM_DB:-runstream}
    _rs_fsync=${RUNSTREAM_PG_FSYNC:-on}
    _rs_sync_commit=${RUNSTREAM_PG_SYNC_COMMIT:-on}
    _rs_timeout=${RUNSTREAM_SERVERS_TIMEOUT:-120}
    _RS_RABBIT_NODE=${RUNSTREAM_RABBIT_NODE:-runstream@localhost}

    local p
    for p in "$_rs_pg_port" "$_rs_amqp_port" "$_rs_mgmt_port" "$_rs_dist_port" "$_rs_epmd_port"; do
        _rs_is_port "$p" || { _rs_err "invalid port: '$p'"; return 1; }
    done
    # The name ends up unquoted in connection strings; keep it a plain identifier.
    [[ $_rs_db =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { _rs_err "invalid RUNSTREAM_DB: '$_rs_db'"; return 1; }
    [[ $_rs_fsync == on || $_rs_fsync == off ]] || { _rs_err "RUNSTREAM_PG_FSYNC must be on or off"; return 1; }
    [[ $_rs_timeout =~ ^[0-9]+$ ]] || { _rs_err "invalid RUNSTREAM_SERVERS_TIMEOUT"; return 1; }

    mkdir -p "${RUNSTREAM_STATE:-$_RS_REPO_ROOT/.platform}" || return 1
    _rs_state="$(cd "${RUNSTREAM_STATE:-$_RS_REPO_ROOT/.platform}" && pwd -P)" || return 1
    _rs_logs=$_rs_state/logs
    _rs_run=$_rs_state/run

    # PostgreSQL refuses to run as root, so it runs as `postgres`, which must be
    # able to reach its data directory. The repo (and so the state dir) may sit
    # under a directory postgres cannot enter (e.g. /root), so the PostgreSQL
    # files live in /var/tmp instead, one directory per state dir.
    local hash
    hash=$(printf '%s' "$_rs_state" | sha256sum | cut -c1-12)
    _rs_pg_dir=${RUNSTREAM_PG_DIR:-/var/tmp/runstream-pg-$hash}
    [[ $_rs_pg_dir == /* && $_rs_pg_dir != *[[:space:]\'\"]* ]] \
        || { _rs_err "invalid PostgreSQL dir: '$_rs_pg_dir'"; return 1; }
    # Canonical, because running servers are recognised by their cwd.
    _rs_pg_dir=$(realpath -m "$_rs_pg_dir") || return 1
    _rs_pg_data=$_rs_pg_dir/data       # PGDATA
    _rs_pg_log=$_rs_pg_dir/postgres.log  # the unix socket also lives in $_rs_pg_dir

    _rs_rabbit_dir=$_rs_state/rabbitmq
    _rs_rabbit_log=$_rs_logs/rabbitmq/$_RS_RABBIT_NODE.log
    _rs_rabbit_console=$_rs_logs/rabbitmq-console.log

    _rs_rabbit_ports_file=$_rs_run/rabbitmq.ports
    _rs_rabbit_set_env
}

# Environment shared by the server and the CLI tools. HOME carries the Erlang
# cookie; the CLI only talks to the node if both use the same one. The private
# epmd keeps this node away from any system-wide epmd, and
# inet_dist_use_interface keeps the distribution port off other interfaces.
# RABBITMQ_CONF_ENV_FILE / ADVANCED_CONFIG_FILE point into the state dir so
# nothing under /etc/rabbitmq leaks in.
_rs_rabbit_set_env() {
    _rs_rabbit_env=(
        HOME="$_rs_rabbit_dir/home"
        LANG=C.UTF-8 LC_ALL=C.UTF-8
        RABBITMQ_NODENAME="$_RS_RABBIT_NODE"
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        RABBITMQ_NODE_PORT="$_rs_amqp_port"
        # Default is NODE_PORT+20000, which overflows for high ports.
        RABBITMQ_DIST_PORT="$_rs_dist_port"
        RABBITMQ_MNESIA_BASE="$_rs_rabbit_dir/mnesia"
        RABBITMQ_LOG_BASE="$_rs_logs/rabbitmq"
        RABBITMQ_PID_FILE="$_rs_rabbit_dir/beam.pid"
        RABBITMQ_ENABLED_PLUGINS_FILE="$_rs_rabbit_dir/enabled_plugins"
        RABBITMQ_CONFIG_FILE="$_rs_rabbit_dir/rabbitmq.conf"
        RABBITMQ_ADVANCED_CONFIG_FILE="$_rs_rabbit_dir/advanced.config"
        RABBITMQ_CONF_ENV_FILE="$_rs_rabbit_dir/rabbitmq-env.conf"
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        ERL_EPMD_PORT="$_rs_epmd_port"
        ERL_EPMD_ADDRESS=127.0.0.1
        ERL_CRASH_DUMP="$_rs_logs/rabbitmq/erl_crash.dump"
    )
}

# A node started with other ports (env changed since `up`) must still be found
# by down/status: the ports it was started with are recorded at start.
# With `any`, use them whenever recorded; otherwise only while that node is
# registered with its epmd. Returns 1 when nothing was adopted.
_rs_rabbit_adopt_recorded() {
    local amqp mgmt dist epmd
    [[ -s $_rs_rabbit_ports_file ]] || return 1
    read -r amqp mgmt dist epmd <"$_rs_rabbit_ports_file" || return 1
    _rs_is_port "$epmd" || return 1
    if [[ ${1:-} != any ]]; then
        _rs_node_registered_at "$epmd" || return 1
    fi
    _rs_amqp_port=$amqp _rs_mgmt_port=$mgmt _rs_dist_port=$dist _rs_epmd_port=$epmd
    _rs_rabbit_set_env
}

# ---------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------

# Directory holding initdb/pg_ctl: prefer PostgreSQL 15, else the newest.
_rs_pg_bindir() {
    local d
    if [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then
        echo /usr/lib/postgresql/15/bin; return 0
    fi
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -n $d && -x $d/pg_ctl ]]; then echo "$d"; return 0; fi
    d=$(command -v pg_ctl 2>/dev/null) || return 1
    dirname "$(readlink -f "$d")"
}

servers_install() {
    local pkgs=() out
    [[ -x $_RS_RABBIT_BIN/rabbitmq-server ]] || pkgs+=(rabbitmq-server)
    if ! command -v pg_ctl >/dev/null 2>&1 && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
        pkgs+=(postgresql)
    fi
    (( ${#pkgs[@]} )) || return 0
    if (( EUID != 0 )); then
        _rs_err "missing packages (${pkgs[*]}); install them as root"
        return 1
    fi
    _rs_err "installing ${pkgs[*]} ..."
    # The packages' init scripts may try to start the system services; the
    # servers below are our own processes and do not use them.
    if ! out=$(export DEBIAN_FRONTEND=noninteractive
               apt-get update -qq 2>&1 && apt-get install -y -qq --no-install-recommends "${pkgs[@]}" 2>&1); then
        printf '%s\n' "$out" | tail -n 30 >&2
        _rs_err "apt-get failed"
        return 1
    fi
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

# Run a PostgreSQL server tool as the postgres user (when we are root). The cwd
# is / because the caller's directory may be unreadable for postgres.
_rs_pg_as() {
    if (( EUID == 0 )); then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# Print the postmaster pid if a postmaster for our data dir is running. A
# postmaster's cwd is its data dir, which tells a live server from a pid that
# was reused by some other process after a crash or a container restart.
_rs_pg_pid() {
    local pid
    pid=$(head -n 1 "$_rs_pg_data/postmaster.pid" 2>/dev/null) || return 1
    _rs_alive "$pid" || return 1
    [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$_rs_pg_data" ]] || return 1
    echo "$pid"
}

servers_pg_running() { _rs_config || return 1; _rs_pg_pid >/dev/null; }

# Create the PostgreSQL directory in a place the postgres user can reach.
_rs_pg_prepare_dir() {
    local owner
    owner=$( (( EUID == 0 )) && echo postgres || id -un )
    # /var/tmp is world-writable: refuse anything we did not create ourselves.
    if [[ -L $_rs_pg_dir ]] || { [[ -e $_rs_pg_dir ]] && [[ ! -d $_rs_pg_dir ]]; }; then
        _rs_err "$_rs_pg_dir exists and is not a directory"; return 1
    fi
    if [[ -d $_rs_pg_dir ]]; then
        [[ $(stat -c %U "$_rs_pg_dir") == "$owner" ]] \
            || { _rs_err "$_rs_pg_dir is not owned by $owner"; return 1; }
    elif (( EUID == 0 )); then
        install -d -m 700 -o postgres -g postgres "$_rs_pg_dir" || return 1
    else
        install -d -m 700 "$_rs_pg_dir" || return 1
    fi
    # The server appends to this log as postgres, so postgres must own it
    # even though initdb's output is written to it by us.
    if [[ ! -e $_rs_pg_log ]]; then
        : >"$_rs_pg_log" && chmod 600 "$_rs_pg_log" || return 1
    fi
    (( EUID != 0 )) || chown postgres:postgres "$_rs_pg_log" || return 1
    echo "$_rs_pg_data" >"$_rs_state/pgdata.path"
    ln -sfn "$_rs_pg_log" "$_rs_logs/postgres.log"
}

_rs_pg_initdb() {
    local bin=$1 have want
    if [[ -f $_rs_pg_data/PG_VERSION ]]; then
        have=$(<"$_rs_pg_data/PG_VERSION")
        want=$("$bin/postgres" --version | awk '{print $3}')
        want=${want%%.*}
        if [[ $have != "$want" ]]; then
            _rs_err "$_rs_pg_data holds a PostgreSQL $have cluster but the binaries are $want"
            return 1
        fi
        return 0
    fi
    # A data dir without PG_VERSION is a half-finished initdb: start over.
    rm -rf "$_rs_pg_data"
    if ! _rs_pg_as "$bin/initdb" -D "$_rs_pg_data" -U postgres --auth=trust \
            -E UTF8 --locale=C.UTF-8 >>"$_rs_pg_log" 2>&1; then
        _rs_err "initdb failed"; _rs_tail_logs "$_rs_pg_log"; return 1
    fi
}

# After a crash the lock files (postmaster.pid and the socket's .lock) may name
# a dead or unrelated process - or a zombie that PID 1 has not reaped yet, which
# PostgreSQL takes for a live postmaster - and orphaned backends may still hold
# the shared memory. Clear all of it; only called when no postmaster of ours is
# alive, and the socket directory is ours alone.
_rs_pg_clear_stale() {
    local p
    for p in /proc/[0-9]*; do
        [[ $(readlink "$p/cwd" 2>/dev/null) == "$_rs_pg_data" ]] || continue
        [[ $(cat "$p/comm" 2>/dev/null) == postgres ]] || continue
        kill -KILL "${p#/proc/}" 2>/dev/null || true
    done
    rm -f "$_rs_pg_data/postmaster.pid" "$_rs_pg_dir"/.s.PGSQL.*
}

_rs_pg_up() {
    local bin pid running_port opts i out note=""
    bin=$(_rs_pg_bindir) || { _rs_err "PostgreSQL binaries not found"; return 1; }

    if pid=$(_rs_pg_pid); then
        note=" already running"
        running_port=$(sed -n 4p "$_rs_pg_data/postmaster.pid")
        if [[ $running_port != "$_rs_pg_port" ]]; then
            _rs_err "postgres already runs on port $running_port, not $_rs_pg_port; run 'down' first"
            return 1
        fi
    else
        _rs_ports_free "$_rs_pg_port" || return 1
        _rs_pg_prepare_dir || return 1
        _rs_pg_initdb "$bin" || return 1
        _rs_pg_clear_stale
        # Settings go on the command line so each start applies the current
        # environment (e.g. RUNSTREAM_PG_FSYNC) without editing postgresql.conf.
        opts="-c listen_addresses=127.0.0.1 -p $_rs_pg_port"
        opts+=" -c unix_socket_directories=$_rs_pg_dir"
        opts+=" -c max_connections=200 -c shared_buffers=512MB"
        opts+=" -c fsync=$_rs_fsync -c synchronous_commit=$_rs_sync_commit"
        if ! out=$(_rs_pg_as "$bin/pg_ctl" -D "$_rs_pg_data" -l "$_rs_pg_log" -w \
                -t "$_rs_timeout" -o "$opts" start 2>&1); then
            printf '%s\n' "$out" >&2
            _rs_err "PostgreSQL did not start"; _rs_tail_logs "$_rs_pg_log"; return 1
        fi
        pid=$(_rs_pg_pid) || { _rs_err "PostgreSQL exited after start"; _rs_tail_logs "$_rs_pg_log"; return 1; }
        echo "$pid" >"$_rs_run/postgres.pid"
    fi

    # pg_ctl -w already waited; this also proves TCP on 127.0.0.1 works.
    for (( i = 0; ; i++ )); do
        "$bin/psql" -X -q -h 127.0.0.1 -p "$_rs_pg_port" -U postgres -d postgres \
            -tAc 'select 1' >/dev/null 2>&1 && break
        if (( i >= _rs_timeout * 2 )); then
            _rs_err "PostgreSQL does not accept connections on 127.0.0.1:$_rs_pg_port"
            _rs_tail_logs "$_rs_pg_log"; return 1
        fi
        sleep 0.5
    done

    # Create the database if missing (\gexec runs the generated statement).
    if ! "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$_rs_pg_port" -U postgres \
            -d postgres -v db="$_rs_db" >/dev/null <<'SQL'
SELECT format('CREATE DATABASE %I', :'db')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
    then
        _rs_err "could not create database $_rs_db"; return 1
    fi
    echo "postgres  127.0.0.1:$_rs_pg_port pid $pid (data $_rs_pg_data)$note"
}

_rs_pg_down() {
    local bin pid
    pid=$(_rs_pg_pid) || { rm -f "$_rs_run/postgres.pid"; return 0; }
    bin=$(_rs_pg_bindir) || return 1
    if ! _rs_pg_as "$bin/pg_ctl" -D "$_rs_pg_data" -m fast -w -t 60 stop >/dev/null 2>&1; then
        _rs_err "fast shutdown of PostgreSQL timed out; using immediate"
        _rs_pg_as "$bin/pg_ctl" -D "$_rs_pg_data" -m immediate -w -t 30 stop >/dev/null 2>&1 \
            || { kill -KILL "$pid" 2>/dev/null; _rs_wait_exit "$pid" 10; }
    fi
    rm -f "$_rs_run/postgres.pid"
    ! _rs_pg_pid >/dev/null || { _rs_err "PostgreSQL is still running (pid $pid)"; return 1; }
}

# ---------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------

# rabbitmqctl against our node, with the same HOME/cookie/epmd as the server.
rabbitmqctl_local() {
    _rs_config || return 1
    _rs_rabbit_adopt_recorded || true
    _rs_ctl "$@"
}

_rs_ctl() { env "${_rs_rabbit_env[@]}" "$_RS_RABBIT_BIN/rabbitmqctl" "$@"; }

# True when the private epmd is up. `epmd -names` only queries; it never
# starts a daemon (rabbitmqctl would start one, so it is not used for checks).
_rs_epmd_up() {
    env ERL_EPMD_PORT="$_rs_epmd_port" epmd -port "$_rs_epmd_port" -names >/dev/null 2>&1
}

# True when our node is registered with the epmd on port $1, i.e. its VM is
# alive.
_rs_node_registered_at() {
    local names
    names=$(env ERL_EPMD_PORT="$1" epmd -port "$1" -names 2>/dev/null) || return 1
    grep -q "^name ${_RS_RABBIT_NODE%@*} at port" <<<"$names"
}

_rs_rabbit_registered() { _rs_node_registered_at "$_rs_epmd_port"; }

servers_rabbit_running() {
    _rs_config || return 1
    _rs_rabbit_adopt_recorded || true
    _rs_rabbit_registered && _rs_ctl -q ping >/dev/null 2>&1
}

# True when pid $1 is a RabbitMQ process (wrapper or VM) started from this
# state dir; guards against pids reused by unrelated processes.
_rs_is_ours() {
    _rs_alive "$1" || return 1
    grep -qzxF "RABBITMQ_MNESIA_BASE=$_rs_rabbit_dir/mnesia" "/proc/$1/environ" 2>/dev/null
}

_rs_rabbit_prepare() {
    mkdir -p "$_rs_rabbit_dir/home" "$_rs_rabbit_dir/mnesia" "$_rs_logs/rabbitmq" || return 1
    # Create the cookie ourselves so the server and CLI never race to do it.
    local cookie=$_rs_rabbit_dir/home/.erlang.cookie
    if [[ ! -s $cookie ]]; then
        (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$cookie") || return 1
    fi
    chmod 400 "$cookie"
    : >"$_rs_rabbit_dir/rabbitmq-env.conf"
    echo '[rabbitmq_management].' >"$_rs_rabbit_dir/enabled_plugins"
    # The AMQP listener comes from RABBITMQ_NODE_IP_ADDRESS/PORT. guest/guest
    # stays enabled; it is limited to loopback connections, all we serve anyway.
    cat >"$_rs_rabbit_dir/rabbitmq.conf" <<EOF
management.tcp.ip = 127.0.0.1
management.tcp.port = $_rs_mgmt_port
loopback_users.guest = true
log.file.level = info
log.console = false
EOF
}

# Explain a failed start: the console output of this attempt (its BOOT FAILED
# block when there is one, which names the cause) and the end of the node log.
_rs_rabbit_report() {
    local section
    section=$(awk '/^=== start /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' \
        "$_rs_rabbit_console" 2>/dev/null || true)
    if grep -q 'BOOT FAILED' <<<"$section"; then
        printf -- '--- %s ---\n' "$_rs_rabbit_console" >&2
        awk '/BOOT FAILED/{on=1} on && n++ < 20' <<<"$section" >&2
    else
        _rs_tail_logs "$_rs_rabbit_console"
    fi
    _rs_tail_logs "$_rs_rabbit_log"
}

# Stop a node we launched that failed to come up: the launcher leads its own
# session and process group, so this reaches the VM as well.
_rs_rabbit_abort() {
    local launcher=$1
    [[ -n $launcher ]] || return 0
    kill -TERM -- "-$launcher" 2>/dev/null || true
    _rs_wait_exit "$launcher" 15 || kill -KILL -- "-$launcher" 2>/dev/null || true
    rm -f "$_rs_run/rabbitmq-launcher.pid" "$_rs_rabbit_ports_file"
    _rs_rabbit_registered || env ERL_EPMD_PORT="$_rs_epmd_port" \
        epmd -port "$_rs_epmd_port" -kill >/dev/null 2>&1 || true
}

_rs_rabbit_up() {
    local launcher="" deadline i beam note=""
    [[ -x $_RS_RABBIT_BIN/rabbitmq-server ]] || { _rs_err "rabbitmq-server is not installed"; return 1; }
    deadline=$(( SECONDS + _rs_timeout ))

    local want="$_rs_amqp_port $_rs_mgmt_port $_rs_dist_port $_rs_epmd_port"
    if _rs_rabbit_adopt_recorded \
            && [[ "$_rs_amqp_port $_rs_mgmt_port $_rs_dist_port $_rs_epmd_port" != "$want" ]]; then
        _rs_err "rabbitmq already runs with ports (amqp mgmt dist epmd) $(<"$_rs_rabbit_ports_file"), not $want; run 'down' first"
        return 1
    fi

    if _rs_rabbit_registered; then
        # Already running (or still booting from an earlier call): just wait.
        note=" already running"
    else
        _rs_ports_free "$_rs_amqp_port" "$_rs_mgmt_port" "$_rs_dist_port" || return 1
        _rs_rabbit_prepare || return 1
        if ! _rs_epmd_up; then
            env ERL_EPMD_PORT="$_rs_epmd_port" ERL_EPMD_ADDRESS=127.0.0.1 \
                epmd -daemon -port "$_rs_epmd_port" -address 127.0.0.1 \
                || { _rs_err "could not start epmd on port $_rs_epmd_port"; return 1; }
        fi
        rm -f "$_rs_run/rabbitmq-launcher.pid" "$_rs_rabbit_dir/beam.pid"
        echo "$want" >"$_rs_rabbit_ports_file"
        echo "=== start $(date -Is)" >>"$_rs_rabbit_console"
        # Own session so the server survives the caller's terminal; the inner
        # bash records its own pid before exec, which is the real process id
        # whether or not setsid had to fork.
        (cd / && exec setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ \
            "$_rs_run/rabbitmq-launcher.pid" \
            env "${_rs_rabbit_env[@]}" "$_RS_RABBIT_BIN/rabbitmq-server") \
            </dev/null >>"$_rs_rabbit_console" 2>&1 &
        disown $! 2>/dev/null || true   # no job-control "Done" notice
        for (( i = 0; i < 50; i++ )); do
            [[ -s $_rs_run/rabbitmq-launcher.pid ]] && break
            sleep 0.1
        done
        launcher=$(cat "$_rs_run/rabbitmq-launcher.pid" 2>/dev/null || true)
    fi

    # Cheap poll on epmd first (rabbitmqctl boots a VM on every call), then
    # ping, then await_startup (which fails at once if called too early).
    until _rs_rabbit_registered && _rs_ctl -q ping >/dev/null 2>&1; do
        if [[ -n $launcher ]] && ! _rs_alive "$launcher"; then
            _rs_err "RabbitMQ exited during startup"
            _rs_rabbit_report
            _rs_rabbit_abort "$launcher"; return 1
        fi
        if (( SECONDS >= deadline )); then
            _rs_err "RabbitMQ did not answer ping within ${_rs_timeout}s"
            _rs_rabbit_report
            _rs_rabbit_abort "$launcher"; return 1
        fi
        sleep 0.3
    done
    if ! _rs_ctl -q --timeout 60 await_startup >/dev/null 2>&1; then
        _rs_err "RabbitMQ did not finish booting"
        _rs_rabbit_report
        _rs_rabbit_abort "$launcher"; return 1
    fi
    # The launcher is a shell wrapper; the VM writes its own pid here.
    beam=$(cat "$_rs_rabbit_dir/beam.pid" 2>/dev/null || true)
    [[ -n $beam ]] && echo "$beam" >"$_rs_run/rabbitmq.pid"
    echo "rabbitmq  amqp 127.0.0.1:$_rs_amqp_port, management http://127.0.0.1:$_rs_mgmt_port pid ${beam:-?} (node $_RS_RABBIT_NODE)$note"
}

_rs_rabbit_down() {
    local pid launcher
    _rs_rabbit_adopt_recorded any || true
    pid=$(cat "$_rs_run/rabbitmq.pid" 2>/dev/null || cat "$_rs_rabbit_dir/beam.pid" 2>/dev/null || true)
    launcher=$(cat "$_rs_run/rabbitmq-launcher.pid" 2>/dev/null || true)

    if _rs_rabbit_registered; then
        # shutdown stops the node and waits for its VM to exit.
        _rs_ctl -q --timeout 60 shutdown >/dev/null 2>&1 \
            || _rs_err "rabbitmqctl shutdown failed; stopping by pid"
    fi
    if [[ -n $pid ]] && _rs_is_ours "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        _rs_wait_exit "$pid" 30 || { kill -KILL "$pid" 2>/dev/null || true; _rs_wait_exit "$pid" 5 || true; }
    fi
    # The wrapper exits with the VM; only stop it if it is still ours.
    if [[ -n $launcher ]] && _rs_is_ours "$launcher"; then
        kill -TERM "$launcher" 2>/dev/null || true
        _rs_wait_exit "$launcher" 10 || true
    fi
    if _rs_epmd_up; then
        if _rs_rabbit_registered; then
            _rs_err "RabbitMQ node is still registered; epmd left running"; return 1
        fi
        env ERL_EPMD_PORT="$_rs_epmd_port" epmd -port "$_rs_epmd_port" -kill >/dev/null 2>&1 || true
    fi
    rm -f "$_rs_run/rabbitmq.pid" "$_rs_run/rabbitmq-launcher.pid" "$_rs_rabbit_ports_file"
}

# ---------------------------------------------------------------------------
# public entry points
# ---------------------------------------------------------------------------

servers_up() {
    _rs_config || return 1
    servers_install || return 1
    mkdir -p "$_rs_logs" "$_rs_run" || return 1
    _rs_reserve_ports
    _rs_pg_up || return 1
    _rs_rabbit_up || return 1
}

servers_down() {
    _rs_config || return 1
    mkdir -p "$_rs_run" || return 1
    local rc=0
    # Stop RabbitMQ first: its shutdown takes longest.
    _rs_rabbit_down || rc=1
    _rs_pg_down || rc=1
    return "$rc"
}

# Restarts one server (postgres or rabbitmq), for tests of what survives an outage.
servers_restart() {
    _rs_config || return 1
    _rs_reserve_ports
    case ${1:-} in
        postgres) _rs_pg_down && _rs_pg_up ;;
        rabbitmq) _rs_rabbit_down && _rs_rabbit_up ;;
        *) _rs_err "restart what? postgres or rabbitmq"; return 2 ;;
    esac
}

# Stops or starts one server, for tests of a long outage.
servers_stop() {
    _rs_config || return 1
    case ${1:-} in
        postgres) _rs_pg_down ;;
        rabbitmq) _rs_rabbit_down ;;
        *) _rs_err "stop what? postgres or rabbitmq"; return 2 ;;
    esac
}

servers_start() {
    _rs_config || return 1
    mkdir -p "$_rs_logs" "$_rs_run" || return 1
    _rs_reserve_ports
    case ${1:-} in
        postgres) _rs_pg_up ;;
        rabbitmq) _rs_rabbit_up ;;
        *) _rs_err "start what? postgres or rabbitmq"; return 2 ;;
    esac
}

# Prints one line per server; always succeeds (use servers_pg_running /
# servers_rabbit_running for checks).
servers_status() {
    _rs_config || return 1
    local pid
    if pid=$(_rs_pg_pid); then
        echo "postgres  running  127.0.0.1:$(sed -n 4p "$_rs_pg_data/postmaster.pid") pid $pid (data $_rs_pg_data)"
    else
        echo "postgres  stopped"
    fi
    if servers_rabbit_running; then
        pid=$(cat "$_rs_rabbit_dir/beam.pid" 2>/dev/null || echo '?')
        echo "rabbitmq  running  amqp 127.0.0.1:$_rs_amqp_port, management http://127.0.0.1:$_rs_mgmt_port pid $pid"
    elif _rs_rabbit_registered; then
        echo "rabbitmq  starting or unresponsive (node registered with epmd on port $_rs_epmd_port)"
    else
        echo "rabbitmq  stopped"
    fi
}

# Export lines for the .NET services: eval "$(servers_env)".
servers_env() {
    _rs_config || return 1
    printf 'export ConnectionStrings__Postgres="Host=127.0.0.1;Port=%s;Database=%s;Username=postgres"\n' \
        "$_rs_pg_port" "$_rs_db"
    printf 'export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:%s/"\n' "$_rs_amqp_port"
    printf 'export RUNSTREAM_RABBIT_MGMT_URL=http://127.0.0.1:%s\n' "$_rs_mgmt_port"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    case ${1:-} in
        up) servers_up ;;
        down) servers_down ;;
        status) servers_status ;;
        env) servers_env ;;
        install) servers_install ;;
        restart) servers_restart "${2:-}" ;;
        stop) servers_stop "${2:-}" ;;
        start) servers_start "${2:-}" ;;
        *) echo "usage: $0 up|down|status|env|install|restart|stop|start postgres|rabbitmq" >&2; exit 2 ;;
    esac
fi
