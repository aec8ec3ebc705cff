#!/usr/bin/env bash
# Issues a gateway's client certificate. Its CN, "{community}/{gateway}", becomes the MQTT user name at the broker
# (use_identity_as_username), and the ACL patterns in deploy/mosquitto/edge-acl confine it to edge/v1/{community}/{gateway}/.
# Usage: make-gateway.sh CADIR COMMUNITY GATEWAY
set -euo pipefail
ca=${1:?usage: make-gateway.sh CADIR COMMUNITY GATEWAY}; community=${2:?community}; gateway=${3:?gateway}
[[ "$community" =~ ^[A-Za-z0-9_-]{1,64}$ && "$gateway" =~ ^[A-Za-z0-9_-]{1,64}$ ]] || { echo "ids must be letters, digits, - or _" >&2; exit 2; }
name="edge-$community-$gateway"
umask 077
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/O=Edge/CN=$community\/$gateway" \
  -keyout "$ca/$name.key" -out "$ca/$name.csr"
openssl x509 -req -in "$ca/$name.csr" -CA "$ca/edge-ca.crt" -CAkey "$ca/edge-ca.key" -CAcreateserial \
  -days 365 -out "$ca/$name.crt" \
  -extfile <(printf "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature")
rm "$ca/$name.csr"
echo "gateway: copy $ca/$name.crt, $ca/$name.key and $ca/edge-ca.crt to /etc/edge-gateway/ on the device" >&2
