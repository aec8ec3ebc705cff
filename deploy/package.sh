#!/usr/bin/env bash
# Builds the gateway for the edge device: a self-contained linux-arm64 build (no .NET needed on the device),
# packed with the systemd unit, an example configuration and the install script.
# Usage: deploy/package.sh [RID]        (default linux-arm64; linux-x64 for a PC gateway)
set -euo pipefail
rid=${1:-linux-arm64}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/artifacts/edge-gateway-$rid"
rm -rf "$out" && mkdir -p "$out"
dotnet publish "$root/gateway/Edge.Gateway.Service/Edge.Gateway.Service.csproj" -c Release -r "$rid" --self-contained \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -o "$out/opt/edge-gateway" \
  -p:RestorePackagesWithLockFile=false
install -D -m 0644 "$root/deploy/systemd/edge-gateway.service" "$out/lib/systemd/system/edge-gateway.service"
install -D -m 0640 "$root/deploy/gateway/appsettings.example.json" "$out/etc/edge-gateway/appsettings.json"
install -D -m 0755 "$root/deploy/install.sh" "$out/install.sh"
install -D -m 0644 "$root/README.md" "$out/opt/edge-gateway/README.md"
tar -C "$out" -czf "$root/artifacts/edge-gateway-$rid.tar.gz" .
echo "$root/artifacts/edge-gateway-$rid.tar.gz"
