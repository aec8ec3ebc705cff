#!/usr/bin/env bash
# Builds the gateway for the edge device: a Native AOT build (one native program: no .NET, no JIT) with the systemd unit,
# the configuration and the maintainer scripts, as a Debian package (dpkg-deb, nothing else) and as a tarball with
# install.sh for other distributions.
# Usage: deploy/package.sh [RID] [--version V]      RID linux-arm64 (default, the edge device) or linux-x64 (amd64)
# Writes artifacts/edge-gateway_V_ARCH.deb, artifacts/edge-gateway-RID.tar.gz and the program's debug symbols
# (artifacts/edge-gateway_V_ARCH.dbg, for reading a crash dump; not in the package), and prints the .deb's path.
# Native AOT links with the C toolchain: clang and lld; for linux-arm64 on an x64 machine also Debian's
# gcc-aarch64-linux-gnu and libstdc++-12-dev-arm64-cross (the arm64 C library and start files).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rid=linux-arm64
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n 1)
while (($#)); do
  case "$1" in
    --version) version=${2:?--version V}; shift 2 ;;
    linux-*) rid=$1; shift ;;
    *) echo "package.sh: unknown argument $1 (usage: package.sh [RID] [--version V])" >&2; exit 2 ;;
  esac
done
case "$rid" in
  linux-arm64) arch=arm64 ;;
  linux-x64) arch=amd64 ;;
  *) echo "package.sh: no Debian architecture for $rid" >&2; exit 2 ;;
esac
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "package.sh: '$version' is not a Debian version" >&2; exit 2; }

stage="$root/artifacts/edge-gateway-$rid"
rm -rf "$stage" && mkdir -p "$stage"
# A publish restores the referenced projects for its RID with the trimming analyzers, which their
# packages.lock.json files (the solution's build) do not hold: the publish restores unlocked, with the versions
# Directory.Packages.props pins, and the lock files are put back as they were.
locks=$(mktemp -d)
(cd "$root" && git ls-files -- '*packages.lock.json' 2>/dev/null || find . -name packages.lock.json -not -path '*/obj/*') |
  while read -r f; do mkdir -p "$locks/$(dirname "$f")" && cp "$root/$f" "$locks/$f"; done
trap 'cp -r "$locks/." "$root/" && rm -rf "$locks"' EXIT
# Native AOT (PublishAot in the project): the program and, beside it, the native libraries it loads (SQLite, serial
# ports). The symbols are kept apart; the project's own .pdb files are of no use to a native program.
dotnet publish "$root/gateway/Edge.Gateway.Service/Edge.Gateway.Service.csproj" -c Release -r "$rid" \
  -p:Version="$version" -o "$stage/opt/edge-gateway" -p:RestoreLockedMode=false -nologo -v q >&2
mv "$stage/opt/edge-gateway/edge-gateway.dbg" "$root/artifacts/edge-gateway_${version}_${arch}.dbg"
rm -f "$stage"/opt/edge-gateway/*.pdb
# The bundled appsettings.json stays beside the binary (defaults without identity); the machine's file is the conffile.
install -D -m 0644 "$root/deploy/systemd/edge-gateway.service" "$stage/lib/systemd/system/edge-gateway.service"
install -D -m 0640 "$root/deploy/gateway/appsettings.example.json" "$stage/etc/edge-gateway/appsettings.json"
install -D -m 0644 "$root/README.md" "$stage/opt/edge-gateway/README.md"
mkdir -p "$stage/usr/bin" && ln -sf /opt/edge-gateway/edge-gateway "$stage/usr/bin/edge-gateway"

# The Debian package.
mkdir -p "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" "$root/deploy/debian/control" > "$stage/DEBIAN/control"
install -m 0644 "$root/deploy/debian/conffiles" "$stage/DEBIAN/conffiles"
install -m 0755 "$root/deploy/debian/postinst" "$root/deploy/debian/prerm" "$root/deploy/debian/postrm" "$stage/DEBIAN/"
deb="$root/artifacts/edge-gateway_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >&2

# The tarball, for a box without dpkg: the same tree and install.sh.
rm -rf "$stage/DEBIAN"
install -D -m 0755 "$root/deploy/install.sh" "$stage/install.sh"
tar -C "$stage" -czf "$root/artifacts/edge-gateway-$rid.tar.gz" .
echo "$deb"
