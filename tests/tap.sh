# SPDX-License-Identifier: MIT
# tests/tap.sh - tiny TAP helpers for shell tests (sourced, not run).
#   . "$SM_SRCDIR/tests/tap.sh"
#   ok "name" test -f x          # runs the command; ok/not ok by its status
#   is "name" "$got" "$want"     # string equality, shows both on failure
#   like "name" "$text" 'regex'  # grep -E match
#   bail "reason"                # abort the whole file (counts as failure)
#   done_testing                 # prints the plan; exit status = failures
#   wait_until SECONDS CMD...    # poll CMD until it succeeds (see below)
#   gone PID                     # the process has ended (for wait_until)
# Every check is one TAP line, so the summary counts real assertions.
_tap_n=0
_tap_fail=0
: "${SM_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${SM_BUILDDIR:=$SM_SRCDIR}"

_tap_result() { # status name
  _tap_n=$((_tap_n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $_tap_n - $2"
  else
    echo "not ok $_tap_n - $2"
    _tap_fail=$((_tap_fail + 1))
  fi
}
ok() {
  local name=$1
  shift
  "$@" >/dev/null 2>&1
  _tap_result $? "$name"
}
is() {
  if [ "$2" = "$3" ]; then _tap_result 0 "$1"; else
    _tap_result 1 "$1"
    printf '#   got:  %s\n#   want: %s\n' "$2" "$3" | head -40
  fi
}
like() {
  if printf '%s' "$2" | grep -Eq -- "$3"; then _tap_result 0 "$1"; else
    _tap_result 1 "$1"
    printf '#   text: %s\n#   want /%s/\n' "$2" "$3" | head -40
  fi
}
unlike() {
  if printf '%s' "$2" | grep -Eq -- "$3"; then
    _tap_result 1 "$1"
    printf '#   text matched /%s/\n' "$3"
  else _tap_result 0 "$1"; fi
}
diag() { printf '# %s\n' "$*"; }
bail() {
  echo "Bail out! $*"
  exit 1
}
done_testing() {
  echo "1..$_tap_n"
  [ "$_tap_fail" -eq 0 ]
}

# wait_until SECONDS CMD...: run CMD (its output discarded) every 0.1 s
# until it succeeds, for at most SECONDS (a whole number) of wall-clock
# time. Status 0 once CMD succeeded, 1 when the time ran out first (CMD
# runs at least once). The one polling loop of the shell tests: wrap it in
# `ok` for a check, or a condition function for anything more than one
# command.
wait_until() {
  local now=${EPOCHREALTIME//[.,]/}
  local end=$((10#$now + $1 * 1000000))
  shift
  until "$@" >/dev/null 2>&1; do
    now=${EPOCHREALTIME//[.,]/}
    [ "$((10#$now))" -lt "$end" ] || return 1
    sleep 0.1
  done
}

# gone PID: true once process PID has ended (a condition for wait_until;
# `wait PID` then collects its status).
gone() { ! kill -0 "$1" 2>/dev/null; }
