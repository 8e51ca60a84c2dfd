# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034
# tests/faults/faults-lib.sh - helpers of the fault tests (sourced), on top
# of tests/e2e/e2e-lib.sh (temp dir, simulators, collectd, csv readers):
# telegrams made by sm-forge, process figures from /proc, the simulator's
# CLOCK_MONOTONIC log against collectd's wall-clock csv stamps, statistics.
#
# Temp dirs are named /tmp/sm-faults.XXXXXX. SM_E2E_KEEP=1 keeps them.

E2E_TMP_PREFIX=sm-faults
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"

# faults_setup SECONDS: e2e_setup (watchdog SECONDS; checks sm-forge).
faults_setup() {
  e2e_setup "$1"
  FAULTS_T0=$SECONDS
}

# faults_forge NAME CAPTURE sm-forge-options...: telegrams in $E2E_TMP/NAME/
# for e2e_sim_start NAME (see sm-forge.c: -c counters, -s SC, -a key, -v).
faults_forge() {
  local name=$1 capture=$2
  shift 2
  mkdir -p "$E2E_TMP/$name"
  "$E2E_FORGE" -o "$E2E_TMP/$name" "$@" "$capture" ||
    bail "sm-forge $name $*"
}

# Seconds to add to CLOCK_MONOTONIC (the simulator's log) to get the wall
# clock (collectd's csv stamps).
faults_mono_offset() {
  python3 -c 'import time; print("%.6f" % (time.time() - time.monotonic()))'
}

faults_fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
faults_threads() { find "/proc/$1/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
faults_rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
faults_cpu_ms() { # utime + stime
  awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' \
    "/proc/$1/stat"
}
faults_fd_list() { # PID -> "fd -> target" lines, for diagnostics
  local f
  for f in "/proc/$1/fd"/*; do
    printf '%s -> %s\n' "${f##*/}" "$(readlink "$f")"
  done
}

# faults_counter NAME METER ID: newest csv value as an integer ("" if none).
faults_counter() {
  e2e_csv_last "$@" | awk 'NF { printf "%d\n", $1 }'
}

# For wait_until: true once counter NAME METER ID equals N.
faults_counter_is() { [ "$(faults_counter "$1" "$2" "$3")" = "$4" ]; }
faults_counter_ge() {
  local v
  v=$(faults_counter "$1" "$2" "$3")
  [ -n "$v" ] && [ "$v" -ge "$4" ]
}

# Telegrams the simulator NAME sent whole (cut ones excluded).
faults_sim_sent() {
  grep ' sent telegram ' "$E2E_TMP/$1.sim.log" 2>/dev/null | grep -vc ' cut='
}

# faults_sims_done N NAME...: true once every simulator NAME has sent
# telegram N (the simulators count from 1).
faults_sims_done() {
  local n=$1 m
  shift
  for m in "$@"; do
    grep -q " sent telegram $n " "$E2E_TMP/$m.sim.log" 2>/dev/null || return 1
  done
}

# faults_stats < numbers -> "median max min n" (empty input: "- - - 0").
faults_stats() {
  sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) { print "- - - 0"; exit }
          m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.3f %.3f %.3f %d\n", m, v[NR], v[1], NR }'
}

# Seconds since faults_setup, for the closing diag line.
faults_elapsed() { echo $((SECONDS - FAULTS_T0)); }

# faults_todo NAME REASON command...: a TAP TODO check for a known bug that
# is reported but not fixed yet: "not ok N - NAME # TODO REASON" does not
# fail the test (automake's tap-driver counts it as XFAIL), and an
# unexpected pass shows up as XPASS, which does fail.
faults_todo() {
  local name=$1 reason=$2
  shift 2
  _tap_n=$((_tap_n + 1))
  if "$@" >/dev/null 2>&1; then
    echo "ok $_tap_n - $name # TODO $reason"
  else
    echo "not ok $_tap_n - $name # TODO $reason"
  fi
}

# faults_memscan PID STRING...: how often each STRING occurs in the
# process' readable memory (heap, stacks, data; /proc/PID/mem, needs
# ptrace rights: root or the same user with ptrace_scope 0). Prints one
# count per string, in order; "error" when the memory cannot be read.
faults_memscan() {
  python3 - "$@" <<'PY'
import re, sys
pid, pats = sys.argv[1], [s.encode() for s in sys.argv[2:]]
counts = [0] * len(pats)
try:
    maps = open("/proc/%s/maps" % pid).read().splitlines()
    mem = open("/proc/%s/mem" % pid, "rb", 0)
except OSError:
    print("\n".join("error" for _ in pats))
    sys.exit(0)
for line in maps:
    f = line.split()
    if "r" not in f[1] or (len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]")):
        continue
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    try:
        mem.seek(lo)
        data = mem.read(hi - lo)
    except (OSError, ValueError, OverflowError):
        continue
    for i, p in enumerate(pats):
        counts[i] += data.count(p)
print("\n".join(str(c) for c in counts))
PY
}

# faults_key_forms KEY: the spellings of a key to search for: upper, lower,
# and in pairs separated by spaces (both cases), one per line.
faults_key_forms() {
  local u l
  u=$(tr 'a-f' 'A-F' <<<"$1" | tr -d ' ')
  l=$(tr 'A-F' 'a-f' <<<"$u")
  printf '%s\n%s\n%s\n%s\n' "$u" "$l" "$(sed 's/../& /g; s/ $//' <<<"$u")" \
    "$(sed 's/../& /g; s/ $//' <<<"$l")"
}
