# SPDX-License-Identifier: MIT
# tests/cli/common.sh - shared setup for the smartmeter-decode tests
# (sourced after tests/tap.sh). Gives:
#   $DECODE   the binary      $VECTORS  tests/vectors      $T  a temp dir
#   key_of FILE               the "# key:" of a capture
#   to_binary FILE OUT        the capture's bytes as a raw binary file
#   run_decode OUTPREFIX ARGS...   runs the CLI, stdout/stderr/rc to files
DECODE="$SM_BUILDDIR/cli/smartmeter-decode"
VECTORS="$SM_SRCDIR/tests/vectors"
[ -x "$DECODE" ] || bail "no binary at $DECODE"
for tool in xxd python3; do
  command -v "$tool" >/dev/null 2>&1 || bail "missing tool: $tool"
done
T=$(mktemp -d "${TMPDIR:-/tmp}/sm-cli-test.XXXXXX") || bail "mktemp failed"
_cli_cleanup() {
  local p
  for p in ${CLI_PIDS:-}; do kill "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap _cli_cleanup EXIT

key_of() { sed -n 's/^# key: *//p' "$1" | head -1; }
to_binary() { grep -v '^#' "$1" | xxd -r -p >"$2"; }

# run_decode PREFIX ARGS... : PREFIX.out, PREFIX.err, PREFIX.rc
run_decode() {
  local prefix=$1
  shift
  "$DECODE" "$@" >"$prefix.out" 2>"$prefix.err" </dev/null
  echo $? >"$prefix.rc"
}
