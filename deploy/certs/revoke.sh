#!/usr/bin/env bash
# Revokes certificates of the Edge CA and issues its certificate revocation list (CRL), which the station broker reads
# (crlfile in deploy/mosquitto/station.conf): a revoked gateway or station identity can no longer connect.
# With no certificate named, the CRL is issued again as it is. A CRL lives a year: issue it again before then, or the
# broker refuses every client once it has expired.
# Usage: revoke.sh CADIR [CERT.crt ...]        then copy CADIR/edge-ca.crl to /etc/mosquitto/certs/ and
#                                              restart mosquitto (it reads the CRL at start).
set -euo pipefail
ca=${1:?usage: revoke.sh CADIR [CERT.crt ...]}; shift
[ -f "$ca/edge-ca.key" ] || { echo "$ca/edge-ca.key not found: run on the CA's offline machine" >&2; exit 2; }
umask 077
db="$ca/crl"
mkdir -p "$db"
[ -f "$db/index.txt" ] || : > "$db/index.txt"
[ -f "$db/crlnumber" ] || echo 1000 > "$db/crlnumber"
config="$db/openssl.cnf"
cat > "$config" <<CNF
[ ca ]
default_ca = edge
[ edge ]
database = $db/index.txt
crlnumber = $db/crlnumber
certificate = $ca/edge-ca.crt
private_key = $ca/edge-ca.key
default_md = sha256
default_crl_days = 365
CNF
for cert in "$@"; do
  [ -f "$cert" ] || { echo "$cert not found" >&2; exit 2; }
  openssl verify -CAfile "$ca/edge-ca.crt" "$cert" >/dev/null || { echo "$cert was not issued by this CA" >&2; exit 2; }
  serial=$(openssl x509 -in "$cert" -noout -serial | cut -d= -f2)
  if grep -q "^R.*	$serial	" "$db/index.txt"; then
    echo "$cert (serial $serial) is already revoked" >&2
  else
    openssl ca -config "$config" -batch -revoke "$cert" -crl_reason keyCompromise 2>/dev/null
    echo "revoked $(openssl x509 -in "$cert" -noout -subject) serial $serial" >&2
  fi
done
openssl ca -config "$config" -batch -gencrl -out "$ca/edge-ca.crl" 2>/dev/null
chmod 0644 "$ca/edge-ca.crl"
echo "CRL: $ca/edge-ca.crl ($(grep -c '^R' "$db/index.txt") revoked, next update $(openssl crl -in "$ca/edge-ca.crl" -noout -nextupdate | cut -d= -f2))" >&2
