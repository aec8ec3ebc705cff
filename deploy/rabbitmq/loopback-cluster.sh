#!/usr/bin/env bash
# A 3-node RabbitMQ cluster with the MQTT plugin on this machine's loopback, as a stand-in for the station's three
# broker hosts in tests and benchmarks (deploy/rabbitmq/README.md has the real hosts).
# Usage: loopback-cluster.sh DIR start|stop|status|kill N|restart N|ctl ARGS...     (N = 1, 2 or 3)
# Node N is rabbitN@localhost with MQTT on port BASE+30+N (BASE: $EDGE_RMQ_BASE, 24000 unless set), AMQP on BASE+10+N;
# its data and logs are under DIR/nodeN. "kill" is SIGKILL; "restart" brings a stopped or killed node back into the
# cluster. Sessions are quorum queues, so a node's death loses no acknowledged message.
# With EDGE_RMQ_TLS=CADIR (made by deploy/certs: edge-ca.crt, station-broker.crt and .key), each node runs the real
# hosts' deploy/rabbitmq/rabbitmq.conf instead: MQTT over TLS only, on BASE+40+N, with client certificates as the only
# login; give the identities their permissions with deploy/rabbitmq/edge-users.sh.
set -euo pipefail
dir=${1:?usage: loopback-cluster.sh DIR start|stop|status|kill N|restart N}
cmd=${2:?command}
base=${EDGE_RMQ_BASE:-24000}
bin=/usr/lib/rabbitmq/bin
[ -x "$bin/rabbitmq-server" ] || { echo "rabbitmq-server is not installed (apt-get install rabbitmq-server)" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export HOME="$dir" ERL_EPMD_PORT=$((base))
[ -f "$dir/.erlang.cookie" ] || { head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/.erlang.cookie"; chmod 0400 "$dir/.erlang.cookie"; }
# With TLS, AMQP logs in by certificate too (EXTERNAL), which takes the rabbitmq_auth_mechanism_ssl plugin.
if [ -n "${EDGE_RMQ_TLS:-}" ]; then
  echo "[rabbitmq_mqtt,rabbitmq_auth_mechanism_ssl]." > "$dir/enabled_plugins"
else
  echo "[rabbitmq_mqtt]." > "$dir/enabled_plugins"
fi

node() {
  local n=$1
  mkdir -p "$dir/node$n"
  if [ -n "${EDGE_RMQ_TLS:-}" ]; then
    # The real hosts' configuration, with this node's ports and the test's certificates; the nodes join by hand.
    sed -e "s/^mqtt.listeners.ssl.default = 8883$/mqtt.listeners.ssl.default = $((base + 40 + n))/" \
        -e "s/^listeners.ssl.default = 5671$/listeners.ssl.default = $((base + 50 + n))/" \
        -e "s#/etc/rabbitmq/tls/#$(cd "$EDGE_RMQ_TLS" && pwd)/#" -e '/^cluster_formation/d' \
        "$(dirname "$0")/rabbitmq.conf" > "$dir/node$n/rabbitmq.conf"
  else
    cat > "$dir/node$n/rabbitmq.conf" <<CONF
listeners.tcp.default = $((base + 10 + n))
mqtt.listeners.tcp.default = $((base + 30 + n))
mqtt.durable_queue_type = quorum
mqtt.allow_anonymous = true
loopback_users = none
CONF
  fi
  export RABBITMQ_NODENAME="rabbit$n@localhost" RABBITMQ_NODE_PORT=$((base + 10 + n)) RABBITMQ_DIST_PORT=$((base + 20 + n)) \
    RABBITMQ_MNESIA_BASE="$dir/node$n/mnesia" RABBITMQ_LOG_BASE="$dir/node$n/log" RABBITMQ_CONFIG_FILE="$dir/node$n/rabbitmq" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_PID_FILE="$dir/node$n/pid"
}

ctl() { local n=$1; shift; "$bin/rabbitmqctl" -n "rabbit$n@localhost" "$@"; }

up() {
  local n=$1
  (node "$n"; "$bin/rabbitmq-server" > "$dir/node$n/console.log" 2>&1 &)
  for _ in $(seq 1 120); do
    [ -s "$dir/node$n/pid" ] && ctl "$n" await_startup --timeout 5 > /dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "rabbit$n did not start: see $dir/node$n/console.log" >&2
  return 1
}

case "$cmd" in
  start)
    for n in 1 2 3; do up "$n"; done
    for n in 2 3; do
      ctl "$n" stop_app > /dev/null && ctl "$n" join_cluster rabbit1@localhost > /dev/null && ctl "$n" start_app > /dev/null
    done
    if [ -n "${EDGE_RMQ_TLS:-}" ]; then
      echo "cluster of 3: MQTT over TLS at 127.0.0.1:$((base + 41)), :$((base + 42)), :$((base + 43))"
    else
      echo "cluster of 3: MQTT at 127.0.0.1:$((base + 31)), :$((base + 32)), :$((base + 33))"
    fi
    ;;
  stop)
    for n in 3 2 1; do ctl "$n" stop > /dev/null 2>&1 || true; done
    # The cluster's own port mapper (ERL_EPMD_PORT) outlives its nodes.
    epmd -port "$ERL_EPMD_PORT" -kill > /dev/null 2>&1 || true
    ;;
  status)
    ctl 1 cluster_status
    ;;
  ctl)
    # rabbitmqctl on node 1, for edge-users.sh: RABBITMQCTL="loopback-cluster.sh DIR ctl" edge-users.sh ...
    shift 2
    ctl 1 "$@"
    ;;
  kill)
    n=${3:?kill N}
    kill -9 "$(cat "$dir/node$n/pid")"
    rm -f "$dir/node$n/pid"
    ;;
  restart)
    n=${3:?restart N}
    up "$n"
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
