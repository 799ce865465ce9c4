#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine, as production runs the broker: ./platform up --cluster
# and the cluster tests use it. Each node is a plain process started by servers.sh with a name, ports
# and data of its own; they share an Erlang cookie and a private epmd, and nodes 2 and 3 join node 1.
# Quorum queues (RabbitMq:QuorumQueues) are replicated to all three.
#
#   bash deploy/local/cluster.sh up|down|status|env
#   bash deploy/local/cluster.sh stop-node N|start-node N
#
# Environment (all optional):
#   RUNSTREAM_STATE          state dir; the nodes live under $RUNSTREAM_STATE/cluster/node{1,2,3} (<repo root>/.platform)
#   RUNSTREAM_CLUSTER_PORT   node N takes AMQP PORT+10*(N-1), management +1, distribution +2; epmd PORT+3 (56730)
set -euo pipefail

_CL_SERVERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/servers.sh"
_CL_ROOT="$(cd "$(dirname "$_CL_SERVERS")/../.." && pwd -P)"
_cl_state="${RUNSTREAM_STATE:-$_CL_ROOT/.platform}/cluster"
_cl_port="${RUNSTREAM_CLUSTER_PORT:-56730}"
_cl_epmd=$((_cl_port + 3))
NODES=(1 2 3)

cl_say() { printf 'cluster: %s\n' "$*"; }
cl_die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

cl_node_name() { echo "runstream-$1@localhost"; }
cl_amqp_port() { echo $((_cl_port + 10 * ($1 - 1))); }
cl_mgmt_port() { echo $((_cl_port + 10 * ($1 - 1) + 1)); }

# servers.sh's environment for node N: its own state dir, name and ports, the shared epmd.
cl_node_env() {
    local n=$1
    echo RUNSTREAM_STATE="$_cl_state/node$n" RUNSTREAM_RABBIT_NODE="$(cl_node_name "$n")" \
        RUNSTREAM_AMQP_PORT="$(cl_amqp_port "$n")" RUNSTREAM_RABBIT_MGMT_PORT="$(cl_mgmt_port "$n")" \
        RUNSTREAM_RABBIT_DIST_PORT=$((_cl_port + 10 * (n - 1) + 2)) RUNSTREAM_EPMD_PORT="$_cl_epmd"
}

# servers.sh VERB rabbitmq for node N.
cl_servers() {
    # shellcheck disable=SC2046
    env $(cl_node_env "$1") bash "$_CL_SERVERS" "$2" rabbitmq
}

# rabbitmqctl against node N.
cl_ctl() {
    local n=$1; shift
    # shellcheck disable=SC2046
    env $(cl_node_env "$n") bash -c 'source "$1"; shift; rabbitmqctl_local "$@"' cluster "$_CL_SERVERS" "$@"
}

cl_running() { cl_ctl "$1" -q ping >/dev/null 2>&1; }

# One cookie for all nodes (Erlang distribution refuses peers with another), written before any starts.
cl_prepare() {
    local cookie="" n home
    mkdir -p "$_cl_state"
    [[ -s $_cl_state/cookie ]] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$_cl_state/cookie")
    cookie="$(cat "$_cl_state/cookie")"
    for n in "${NODES[@]}"; do
        home="$_cl_state/node$n/rabbitmq/home"
        mkdir -p "$home"
        if [[ ! -s $home/.erlang.cookie || $(cat "$home/.erlang.cookie") != "$cookie" ]]; then
            rm -f "$home/.erlang.cookie"
            (umask 077; printf '%s' "$cookie" >"$home/.erlang.cookie")
            chmod 400 "$home/.erlang.cookie"
        fi
    done
    # The shared epmd, started once here rather than raced for by three nodes.
    env ERL_EPMD_PORT="$_cl_epmd" epmd -port "$_cl_epmd" -names >/dev/null 2>&1 \
        || env ERL_EPMD_PORT="$_cl_epmd" ERL_EPMD_ADDRESS=127.0.0.1 epmd -daemon -port "$_cl_epmd" -address 127.0.0.1
}

# Node N has joined node 1 when node 1's cluster status lists it among the disc nodes.
cl_joined() { cl_ctl 1 -q cluster_status 2>/dev/null | grep -q "$(cl_node_name "$1")"; }

cluster_up() {
    cl_prepare
    # All nodes start together: a node that was not the last to stop waits at boot for the peers it
    # remembers, so starting them one after the other could wait forever.
    local n pids=() failed=0
    for n in "${NODES[@]}"; do
        cl_servers "$n" start >"$_cl_state/node$n-start.log" 2>&1 &
        pids+=($!)
    done
    for n in "${!pids[@]}"; do
        wait "${pids[$n]}" || { failed=1; cat "$_cl_state/node$((n + 1))-start.log" >&2; }
    done
    ((failed == 0)) || cl_die "a node did not start"
    for n in 2 3; do
        cl_joined "$n" && continue
        cl_ctl "$n" -q stop_app >/dev/null
        cl_ctl "$n" -q join_cluster "$(cl_node_name 1)" >/dev/null || cl_die "node $n could not join node 1"
        cl_ctl "$n" -q start_app >/dev/null
    done
    cl_ctl 1 -q --timeout 60 await_online_nodes 3 >/dev/null || cl_die "the three nodes are not all online"
    cl_say "3 RabbitMQ nodes, AMQP on 127.0.0.1:$(cl_amqp_port 1),$(cl_amqp_port 2),$(cl_amqp_port 3), management http://127.0.0.1:$(cl_mgmt_port 1)"
}

cluster_down() {
    local n pids=()
    for n in "${NODES[@]}"; do
        cl_servers "$n" stop >/dev/null 2>&1 &
        pids+=($!)
    done
    wait "${pids[@]}" || true
    env ERL_EPMD_PORT="$_cl_epmd" epmd -port "$_cl_epmd" -kill >/dev/null 2>&1 || true
}

cluster_status() {
    local n
    for n in "${NODES[@]}"; do
        if cl_running "$n"; then cl_say "node $n ($(cl_node_name "$n")) running, AMQP 127.0.0.1:$(cl_amqp_port "$n")"; else cl_say "node $n stopped"; fi
    done
}

# The connection string of all three nodes, as the services take it, and node 1's management API.
cluster_env() {
    printf 'export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:%s,127.0.0.1:%s,127.0.0.1:%s/"\n' \
        "$(cl_amqp_port 1)" "$(cl_amqp_port 2)" "$(cl_amqp_port 3)"
    printf 'export RUNSTREAM_RABBIT_MGMT_URL=http://127.0.0.1:%s\n' "$(cl_mgmt_port 1)"
    printf 'export RUNSTREAM_RABBIT_MGMT_URLS=http://127.0.0.1:%s,http://127.0.0.1:%s,http://127.0.0.1:%s\n' \
        "$(cl_mgmt_port 1)" "$(cl_mgmt_port 2)" "$(cl_mgmt_port 3)"
}

cl_check_node() { [[ ${1:-} =~ ^[123]$ ]] || cl_die "which node? 1, 2 or 3"; }

case ${1:-} in
    up) cluster_up ;;
    down) cluster_down ;;
    status) cluster_status ;;
    env) cluster_env ;;
    stop-node) cl_check_node "${2:-}"; cl_servers "$2" stop ;;
    start-node) cl_check_node "${2:-}"; cl_prepare; cl_servers "$2" start ;;
    *) echo "usage: $0 up|down|status|env|stop-node N|start-node N" >&2; exit 2 ;;
esac
