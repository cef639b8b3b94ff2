#!/usr/bin/env bash
# Installs weft from this checkout on a Debian/Ubuntu host: system packages, npm dependencies,
# the native TAP addon and the TypeScript build, then puts `weft` on PATH (/usr/local/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "deploy/install.sh: run as root (weft creates bridges, TAP devices and namespaces)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# runtime: iproute2 (ip), nftables, util-linux (nsenter); build: make, g++, python3 (node-gyp);
# tests and benchmarks: iputils-ping, tcpdump, iperf3, dnsutils (dig), procps
apt-get install -y -qq iproute2 nftables util-linux procps make g++ python3 \
  iputils-ping tcpdump iperf3 dnsutils >/dev/null

if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "deploy/install.sh: weft needs Node.js 20.19 or newer (found: $(node --version 2>/dev/null || echo none)); install it from your distribution or nodejs.org, then run this again" >&2
  exit 1
fi

npm ci --no-audit --no-fund
chmod +x packages/cli/dist/bin.js
ln -sf "$PWD/packages/cli/dist/bin.js" /usr/local/bin/weft
echo "weft installed: $(weft version) at /usr/local/bin/weft"
