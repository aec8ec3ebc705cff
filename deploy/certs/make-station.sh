#!/usr/bin/env bash
# Issues a station identity's client certificate: station-app (the police desk, the only identity that may publish
# commands) or station-probe (reads everything, writes nothing). Its CN becomes the MQTT user name and client id at the
# broker (use_identity_as_username, use_username_as_clientid), which deploy/mosquitto/edge-acl grants by name.
# Usage: make-station.sh CADIR station-app|station-probe
set -euo pipefail
ca=${1:?usage: make-station.sh CADIR station-app|station-probe}; name=${2:?identity}
case "$name" in station-app|station-probe) ;; *) echo "identity must be station-app or station-probe" >&2; exit 2 ;; esac
umask 077
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/O=Edge/CN=$name" \
  -keyout "$ca/$name.key" -out "$ca/$name.csr"
openssl x509 -req -in "$ca/$name.csr" -CA "$ca/edge-ca.crt" -CAkey "$ca/edge-ca.key" -CAcreateserial \
  -days 365 -out "$ca/$name.crt" \
  -extfile <(printf "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature")
rm "$ca/$name.csr"
echo "station: copy $ca/$name.crt, $ca/$name.key and $ca/edge-ca.crt to the station server (/etc/edge/certs/ for the desk)" >&2
