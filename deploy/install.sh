#!/usr/bin/env bash
# Installs a packed gateway (run from the unpacked package, as root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
id edge-gateway >/dev/null 2>&1 || useradd --system --home /var/lib/edge-gateway --shell /usr/sbin/nologin edge-gateway
getent group gpio >/dev/null || groupadd --system gpio
cp -r "$here/opt/edge-gateway" /opt/
# Secrets live here, one file each, readable by root alone; the unit hands them to the service (LoadCredential=).
install -d -m 0700 -o root -g root /etc/edge-gateway/credentials
install -m 0644 "$here/lib/systemd/system/edge-gateway.service" /lib/systemd/system/edge-gateway.service
if [ ! -f /etc/edge-gateway/appsettings.json ]; then
  install -D -m 0640 -g edge-gateway "$here/etc/edge-gateway/appsettings.json" /etc/edge-gateway/appsettings.json
  echo "edit /etc/edge-gateway/appsettings.json (community, gateway id, broker, certificates), then:"
fi
systemctl daemon-reload
echo "systemctl enable --now edge-gateway && journalctl -u edge-gateway -f"
