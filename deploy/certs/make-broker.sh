#!/usr/bin/env bash
# Issues the station broker's server certificate.
# Usage: make-broker.sh CADIR HOSTNAME [IP]
set -euo pipefail
ca=${1:?usage: make-broker.sh CADIR HOSTNAME [IP]}; host=${2:?hostname}; ip=${3:-}
umask 077
san="DNS:$host"; [ -n "$ip" ] && san="$san,IP:$ip"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/O=Edge/CN=$host" \
  -keyout "$ca/station-broker.key" -out "$ca/station-broker.csr"
openssl x509 -req -in "$ca/station-broker.csr" -CA "$ca/edge-ca.crt" -CAkey "$ca/edge-ca.key" -CAcreateserial \
  -days 365 -out "$ca/station-broker.crt" \
  -extfile <(printf "subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature" "$san")
rm "$ca/station-broker.csr"
echo "broker: $ca/station-broker.crt, $ca/station-broker.key"
