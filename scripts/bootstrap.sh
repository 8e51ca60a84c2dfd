#!/usr/bin/env bash
# scripts/bootstrap.sh [BUILDDIR] [configure args...]
# Installs the Debian packages that are missing (apt-get, as root or via
# sudo; nothing when all are present), then configures and builds
# out of tree in BUILDDIR (default: _build). Safe to run repeatedly.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$top/_build}
[ $# -gt 0 ] && shift

packages=(
  gcc make autoconf automake libtool pkg-config
  libgcrypt20-dev libserialport-dev libcmocka-dev
  collectd-core collectd-dev collectd-utils
  socat python3 rrdtool curl
  mosquitto mosquitto-clients influxdb influxdb-client ser2net
  libmicrohttpd12 libprotobuf-c1
  clang libclang-rt-14-dev valgrind
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing missing packages: ${missing[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  # --no-install-recommends: collectd-utils would otherwise pull a JRE.
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian starts these servers on install; our tests start their own.
  # (libmicrohttpd12/libprotobuf-c1: write_prometheus.so needs them, and
  # --no-install-recommends would leave them out.)
  for s in mosquitto influxdb ser2net; do
    "${sudo[@]}" systemctl disable --now "$s" >/dev/null 2>&1 || true
  done
fi

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
  find . -name local.mk -newer configure | grep -q . ||
  [ Makefile.am -nt configure ]; then
  autoreconf -fi >/dev/null
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ]; then
  "$top/configure" -q "$@"
fi
make -s -j"$(nproc)" >/dev/null
echo "bootstrap: built in $builddir"
