#!/usr/bin/env bash
# Creates the private CA that signs the station broker's and every gateway's certificate.
# Usage: make-ca.sh OUTDIR        (keep OUTDIR/edge-ca.key offline)
set -euo pipefail
out=${1:?usage: make-ca.sh OUTDIR}
mkdir -p "$out"
umask 077
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -subj "/O=Edge/CN=Edge station CA" -keyout "$out/edge-ca.key" -out "$out/edge-ca.crt" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
# The broker needs a revocation list from the first day (crlfile): an empty one.
"$(dirname "$0")/revoke.sh" "$out"
echo "CA: $out/edge-ca.crt (public), $out/edge-ca.key (secret), $out/edge-ca.crl (revocations, for the broker)"
