#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/bootstrap.sh [--tests|--demo] [--install-only] [BUILDDIR]
#                       [configure args...]
#
# Installs the Debian packages that are missing (apt-get, as root or via
# sudo; nothing at all when every package is present), then configures and
# builds out of tree in BUILDDIR (default: _build). Safe to run repeatedly.
#
#   (no flag)  only what building needs: compiler, autotools, pkg-config,
#              libgcrypt, libserialport, jansson, collectd's headers
#              (collectd-dev, which brings collectd itself: configure asks
#              it for its plugin directory);
#   --demo     also what scripts/demo.sh runs (socat, python3, rrdtool,
#              collectdctl);
#   --tests    also what scripts/test.sh runs: cmocka, the servers of the
#              output tests, clang/valgrind, the Debian packaging tools;
#   --install-only   install, do not build.
#
# It never stops, disables or restarts a service. Debian starts a server
# (mosquitto, influxdb, ser2net) as soon as its package is installed; the
# tests start their own instances on ports they pick, so during our
# apt-get a policy-rc.d forbids starting anything (the packages stay
# enabled for the next boot, as Debian installs them).
# (SM_BOOTSTRAP_POLICY_RC_D: another path for that file, for its test.)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

build_packages=(
  gcc make autoconf automake libtool pkg-config
  libgcrypt20-dev libserialport-dev libjansson-dev collectd-dev
)
demo_packages=(collectd-core collectd-utils socat python3 rrdtool)
# libmicrohttpd12 / libprotobuf-c1: collectd's write_prometheus.so needs
# them, and --no-install-recommends would leave them out.
test_packages=(
  "${demo_packages[@]}" libcmocka-dev curl python3-cryptography
  mosquitto mosquitto-clients influxdb influxdb-client ser2net
  libmicrohttpd12 libprotobuf-c1
  clang libclang-rt-14-dev valgrind
  dpkg-dev debhelper lintian
)

packages=("${build_packages[@]}")
build=yes
while [ $# -gt 0 ]; do
  case $1 in
  --tests) packages+=("${test_packages[@]}") ;;
  --demo) packages+=("${demo_packages[@]}") ;;
  --install-only) build=no ;;
  *) break ;;
  esac
  shift
done
builddir=${1:-$top/_build}
[ $# -gt 0 ] && shift

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

policy=${SM_BOOTSTRAP_POLICY_RC_D:-/usr/sbin/policy-rc.d}
saved_policy=$policy.collectd-smartmeter-saved

# invoke-rc.d and deb-systemd-invoke ask policy-rc.d before they start a
# service; exit status 101 means "forbidden". An existing policy-rc.d is
# kept aside and put back afterwards.
forbid_service_starts() {
  trap allow_service_starts EXIT
  [ -e "$policy" ] && as_root mv "$policy" "$saved_policy"
  printf '#!/bin/sh\n# scripts/bootstrap.sh (collectd-smartmeter), during apt-get only\nexit 101\n' |
    as_root tee "$policy" >/dev/null
  as_root chmod 755 "$policy"
}

allow_service_starts() {
  as_root rm -f "$policy"
  if [ -e "$saved_policy" ]; then as_root mv "$saved_policy" "$policy"; fi
  trap - EXIT
}

missing_packages() {
  local p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      echo "$p"
  done
}

# Sets installed=yes when it installed something. Not called as a
# condition: set -e must stay in force for apt-get.
installed=no
install_missing() {
  local missing rc=0
  mapfile -t missing < <(missing_packages)
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "bootstrap: installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  forbid_service_starts
  # --no-install-recommends: collectd-utils would otherwise pull a JRE.
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    rc=$?
  allow_service_starts
  if [ "$rc" -ne 0 ]; then
    echo "bootstrap: apt-get install failed (exit $rc)" >&2
    exit "$rc"
  fi
  installed=yes
}

install_missing
[ "$build" = yes ] || exit 0

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
  find . -name local.mk -newer configure | grep -q . ||
  [ Makefile.am -nt configure ]; then
  autoreconf -fi >/dev/null
fi
mkdir -p "$builddir"
cd "$builddir"
# A fresh install may change what configure finds (cmocka, collectd).
if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ] ||
  [ "$installed" = yes ]; then
  "$top/configure" -q "$@"
fi
make -s -j"$(nproc)" >/dev/null
echo "bootstrap: built in $builddir"
