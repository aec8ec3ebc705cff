#!/usr/bin/env bash
# Gives an identity of the Edge CA its permissions on the RabbitMQ station cluster: the same grants as
# deploy/mosquitto/edge-acl, as RabbitMQ users (the certificate's CN) with topic permissions on amq.topic, where the MQTT
# plugin publishes (a topic's "/" is a "." in the routing key). Run it once per identity on any node; the cluster
# shares users.
#   edge-users.sh gateway COMMUNITY GATEWAY [CLIENT_ID]   user "COMMUNITY/GATEWAY": publishes its own status, heartbeat,
#                                                         events, media and results; reads its own commands
#   edge-users.sh station-app                             the police desk: reads everything, publishes commands
#   edge-users.sh station-probe                           reads everything, publishes nothing
# A station identity's MQTT client ids must begin with its name (station-app, station-app-2, ...): its sessions are
# its own, and no identity may take over another's, a gateway's least of all.
# RABBITMQCTL is the command to run, split at spaces (default: rabbitmqctl; on the loopback cluster:
# "bash deploy/rabbitmq/loopback-cluster.sh DIR ctl").
set -euo pipefail
read -ra ctl <<< "${RABBITMQCTL:-rabbitmqctl}"
kind=${1:?usage: edge-users.sh gateway COMMUNITY GATEWAY [CLIENT_ID] | station-app | station-probe}
id='[A-Za-z0-9_-]{1,64}'

user() {
  # A certificate is the only login: the user exists with no password.
  "${ctl[@]}" add_user "$1" "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > /dev/null 2>&1 || true
  "${ctl[@]}" clear_password "$1" > /dev/null
}

case "$kind" in
  gateway)
    community=${2:?community}; gateway=${3:?gateway}; client=${4:-edge-$community-$gateway}
    [[ "$community" =~ ^$id$ && "$gateway" =~ ^$id$ ]] || { echo "community and gateway must be $id" >&2; exit 2; }
    [[ "$client" =~ ^[A-Za-z0-9_.-]{1,128}$ ]] || { echo "the client id must be [A-Za-z0-9_.-]{1,128}" >&2; exit 2; }
    name="$community/$gateway"; own="edge\\.v1\\.$community\\.$gateway"
    user "$name"
    # Its own MQTT session queues only (mqtt-subscription-CLIENTqos0/1), and the exchange it publishes to.
    queues="mqtt-subscription-${client//./\\.}qos[01]"
    "${ctl[@]}" set_permissions -p / "$name" "^$queues\$" "^(amq\\.topic|$queues)\$" "^(amq\\.topic|$queues)\$" > /dev/null
    "${ctl[@]}" set_topic_permissions -p / "$name" amq.topic \
      "^$own\\.(status|heartbeat|results|events\\..+|media\\..+)\$" "^$own\\.commands\\..+\$" > /dev/null
    ;;
  station-app)
    user station-app
    # Its MQTT sessions, and the desks' quorum queues over AMQP (edge-desk-GROUP or edge-desk-CLIENT_ID).
    own='mqtt-subscription-station-app[A-Za-z0-9_-]*qos[01]|edge-desk-[A-Za-z0-9_-]+'
    "${ctl[@]}" set_permissions -p / station-app "^($own)\$" "^(amq\\.topic|$own)\$" "^(amq\\.topic|$own)\$" > /dev/null
    "${ctl[@]}" set_topic_permissions -p / station-app amq.topic '^edge\.v1\.[^.]+\.[^.]+\.commands\..+$' '^edge\.v1\..+$' > /dev/null
    ;;
  station-probe)
    user station-probe
    own='mqtt-subscription-station-probe[A-Za-z0-9_-]*qos[01]'
    "${ctl[@]}" set_permissions -p / station-probe "^$own\$" "^$own\$" "^(amq\\.topic|$own)\$" > /dev/null
    "${ctl[@]}" set_topic_permissions -p / station-probe amq.topic '^$' '^edge\.v1\..+$' > /dev/null
    ;;
  *) echo "edge-users.sh: unknown identity kind '$kind'" >&2; exit 2 ;;
esac
echo "$kind ${2:-}${3:+/$3}: permissions set" >&2
