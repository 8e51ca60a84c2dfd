# SPDX-License-Identifier: MIT
# tests/sim/sim-lib.sh - the preamble of the port tests (sourced after
# tests/tap.sh):
#   sim_setup NAME      $T = a fresh temp dir (/tmp/sm-test-NAME.*), PIDS=()
#                       whose processes are killed and reaped, and $T
#                       removed, on exit; bails when socat or python3 is
#                       missing (never skip: a missing tool is a failure)
#   sim_preload BINARY  prints the LD_PRELOAD list for BINARY under the pty
#                       shim: libasan first in a sanitizer build
# SHIM is the shim's path; CAT the port reader (tests/sim/port-cat).
SHIM=$SM_BUILDDIR/tests/sim/.libs/libsmptyshim.so
CAT=$SM_BUILDDIR/tests/sim/port-cat

sim_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$T"
}

sim_setup() {
  local tool
  T=$(mktemp -d "/tmp/sm-test-$1.XXXXXX") || bail "mktemp failed"
  PIDS=()
  trap sim_cleanup EXIT
  trap 'exit 1' INT TERM
  for tool in socat python3; do
    command -v "$tool" >/dev/null || bail "$tool not installed"
  done
  [ -f "$SHIM" ] || bail "$SHIM not built (make check builds it)"
}

sim_preload() {
  local asan=
  [ -n "${SM_SANITIZERS:-}" ] && asan=$(ldd "$1" | awk '/libasan/ {print $3}')
  echo "${asan:+$asan:}$SHIM"
}
