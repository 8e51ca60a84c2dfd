# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034
# tests/e2e/e2e-lib.sh - helpers for the end-to-end tests (sourced).
#
# Each test gets a fresh temp dir, simulated meters (tests/sim/meter-sim
# on ptys, fed with captures re-encrypted under fresh frame counters by
# tests/e2e/sm-forge -n) and Debian's real collectd in the foreground with
# PluginDir switched to this build's plugin/.libs, csv + unixsock writers
# and the logfile plugin. Everything started is killed by id on exit; every
# wait has a deadline, and a watchdog ends a hung test as a failure.
#
# Set SM_E2E_KEEP=1 to keep the temp dir for debugging.
#
# Optional settings for other suites (unset: the behaviour described above):
#   E2E_TMP_PREFIX      temp dir name prefix (default sm-e2e)
#   E2E_COLLECTD_WRAP   words put before "collectd" by e2e_collectd_start,
#                       e.g. "valgrind --log-file=..."
#   E2E_START_WAIT      seconds e2e_collectd_start waits for the socket (60)
#   E2E_STOP_WAIT       seconds e2e_collectd_stop waits after SIGTERM (20)

. "$SM_SRCDIR/tests/tap.sh"

E2E_HOST=e2e
E2E_VKW=$SM_SRCDIR/tests/vectors/ksmwest_vkw_philippsev_2023-07-26.hex
E2E_EVN=$SM_SRCDIR/tests/vectors/evn_netznoe_sagemcom_t210d_rddl.hex
E2E_PIDS=()

e2e_cleanup() {
  local pid
  for pid in "${E2E_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${E2E_PIDS[@]}"; do
    e2e_reap "$pid" 5 || kill -KILL "$pid" 2>/dev/null
  done
  [ -n "${E2E_WATCHDOG:-}" ] && kill "$E2E_WATCHDOG" 2>/dev/null
  if [ -n "${E2E_TMP:-}" ] && [ -z "${SM_E2E_KEEP:-}" ]; then
    rm -rf "$E2E_TMP"
  elif [ -n "${E2E_TMP:-}" ]; then
    echo "# kept $E2E_TMP"
  fi
}

# Wait up to $2 seconds for process $1 to end; 0 if it ended (reaped).
e2e_reap() {
  wait_until "$2" gone "$1" || return 1
  wait "$1" 2>/dev/null
  return 0
}

# e2e_setup [seconds]: tools, plugin, temp dir, traps, watchdog (default
# 300 s).
e2e_setup() {
  local t
  for t in collectd collectdctl socat python3 timeout; do
    command -v "$t" >/dev/null 2>&1 || bail "missing tool: $t"
  done
  [ -n "${SM_BUILDDIR:-}" ] || bail "SM_BUILDDIR not set (run via make check)"
  E2E_PLUGIN_DIR=$SM_BUILDDIR/plugin/.libs
  [ -f "$E2E_PLUGIN_DIR/smartmeter.so" ] ||
    bail "plugin not built: $E2E_PLUGIN_DIR/smartmeter.so"
  E2E_FORGE=$SM_BUILDDIR/tests/e2e/sm-forge
  [ -x "$E2E_FORGE" ] || bail "missing $E2E_FORGE"
  E2E_SIM=$SM_SRCDIR/tests/sim/meter-sim
  [ -f "$E2E_SIM" ] || bail "missing $E2E_SIM"
  E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/${E2E_TMP_PREFIX:-sm-e2e}.XXXXXX") ||
    bail "mktemp"
  trap e2e_cleanup EXIT
  trap 'echo "Bail out! interrupted (signal or watchdog)"; exit 1' INT TERM HUP
  # A hung step ends the test (as a failure) instead of hanging CI. The
  # watchdog's output goes nowhere: an orphaned sleep holding the test's
  # stdout would make the harness wait for it.
  (
    trap 'kill "$sp" 2>/dev/null; exit 0' TERM
    sleep "${1:-300}" &
    sp=$!
    wait "$sp" && kill -TERM $$
  ) >/dev/null 2>&1 &
  E2E_WATCHDOG=$!
}

e2e_key_of() { # capture -> its key
  sed -n 's/^# key: *//p' "$1"
}

# e2e_telegrams NAME CAPTURE N: N re-encrypted copies in $E2E_TMP/NAME/.
e2e_telegrams() {
  mkdir -p "$E2E_TMP/$1"
  "$E2E_FORGE" -n "$3" -o "$E2E_TMP/$1" "$2" || bail "sm-forge $2"
}

# e2e_sim_start NAME PERIOD [meter-sim options...]: replays the files of
# e2e_telegrams NAME on the pty $E2E_TMP/NAME.tty; sets E2E_SIM_PID.
e2e_sim_start() {
  local name=$1 period=$2
  shift 2
  python3 "$E2E_SIM" --link "$E2E_TMP/$name.tty" --period "$period" \
    --log "$E2E_TMP/$name.sim.log" "$@" "$E2E_TMP/$name"/t*.hex \
    >"$E2E_TMP/$name.sim.out" 2>"$E2E_TMP/$name.sim.err" &
  local pid=$!
  E2E_PIDS+=("$pid")
  E2E_SIM_PID=$pid
  # Generous deadlines throughout: CI machines may be small and busy.
  wait_until 60 grep -q '^ready' "$E2E_TMP/$name.sim.out" ||
    bail "meter-sim $name did not start: $(cat "$E2E_TMP/$name.sim.err")"
}

# e2e_conf NAME INTERVAL < meter blocks: writes $E2E_TMP/NAME.conf; the
# instance's files go to $E2E_TMP/NAME.d/ (log, csv, socket).
e2e_conf() {
  local d=$E2E_TMP/$1.d
  mkdir -p "$d"
  {
    cat <<EOF
Hostname "$E2E_HOST"
FQDNLookup false
BaseDir "$d"
PIDFile "$d/collectd.pid"
Interval $2
TypesDB "/usr/share/collectd/types.db"
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$d/collectd.log"
  Timestamp true
  PrintSeverity true
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$d/csv"
  StoreRates false
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$d/sock"
  SocketGroup "$(id -gn)"
</Plugin>
PluginDir "$E2E_PLUGIN_DIR"
LoadPlugin smartmeter
<Plugin smartmeter>
EOF
    cat
    echo "</Plugin>"
  } >"$E2E_TMP/$1.conf"
}

# e2e_collectd_start NAME [VAR=value...]: collectd -f in the background
# (environment additions such as LD_PRELOAD); sets E2E_COLLECTD_PID (with
# E2E_COLLECTD_WRAP, the wrapper's PID, e.g. valgrind's, which is
# collectd's own as valgrind does not fork).
e2e_collectd_start() {
  local name=$1 wrap=()
  shift
  # shellcheck disable=SC2206 # words on purpose
  [ -n "${E2E_COLLECTD_WRAP:-}" ] && wrap=($E2E_COLLECTD_WRAP)
  env "$@" "${wrap[@]}" collectd -f -C "$E2E_TMP/$name.conf" \
    >"$E2E_TMP/$name.d/stdout" 2>&1 &
  E2E_COLLECTD_PID=$!
  E2E_PIDS+=("$E2E_COLLECTD_PID")
  wait_until "${E2E_START_WAIT:-60}" test -S "$E2E_TMP/$name.d/sock" ||
    bail "collectd $name did not start: $(tail -5 "$E2E_TMP/$name.d/stdout")"
}

# e2e_collectd_stop: SIGTERM, wait up to 20 s (E2E_STOP_WAIT); prints the
# milliseconds it took. Returns 1 when collectd had to be killed.
e2e_collectd_stop() {
  local t0 t1
  t0=$(date +%s%N)
  kill -TERM "$E2E_COLLECTD_PID" 2>/dev/null
  if ! e2e_reap "$E2E_COLLECTD_PID" "${E2E_STOP_WAIT:-20}"; then
    kill -KILL "$E2E_COLLECTD_PID" 2>/dev/null
    return 1
  fi
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}

e2e_log() { # NAME -> the instance's log file path
  echo "$E2E_TMP/$1.d/collectd.log"
}

# e2e_getval NAME METER ID -> value from collectdctl getval, or nothing.
# (For DERIVE counters getval answers a rate; read counters from csv.)
e2e_getval() {
  timeout 5 collectdctl -s "$E2E_TMP/$1.d/sock" getval \
    "$E2E_HOST/smartmeter-$2/$3" 2>/dev/null | sed -n 's/^value=//p'
}

e2e_listval() { # NAME -> identifiers
  timeout 5 collectdctl -s "$E2E_TMP/$1.d/sock" listval 2>/dev/null |
    sed 's/^[0-9.]* //'
}

# e2e_readings NAME METER -> the meter's reading identifiers, sorted, one a
# line, without its health counters (errors-*, total_operations-*, derive-*).
e2e_readings() {
  e2e_listval "$1" | sed -n "s|^$E2E_HOST/smartmeter-$2/||p" |
    grep -v -e '^errors-' -e '^total_operations-' -e '^derive-' | sort
}

# e2e_csv NAME METER ID -> "epoch,value" rows of all day files, in order.
e2e_csv() {
  local f
  for f in "$E2E_TMP/$1.d/csv/$E2E_HOST/smartmeter-$2/$3"-[0-9]*; do
    [ -f "$f" ] && tail -n +2 "$f"
  done
}

e2e_csv_last() { # NAME METER ID -> value of the newest row
  e2e_csv "$@" | tail -1 | cut -d, -f2
}

e2e_csv_rows() { # NAME METER ID -> number of rows
  e2e_csv "$@" | wc -l
}

# For wait_until: true once NAME METER ID has at least N csv rows.
e2e_rows_at_least() { # NAME METER ID N
  [ "$(e2e_csv_rows "$1" "$2" "$3")" -ge "$4" ]
}

# Canonical text of a number, so that csv's "232.800000", collectdctl's
# "2.328000e+02" and "232.8" compare equal as strings.
e2e_num() {
  awk -v x="$1" 'BEGIN { if (x == "") print "(none)"; else printf "%.10g\n", x }'
}

# is_num NAME GOT WANT
is_num() {
  is "$1" "$(e2e_num "$2")" "$(e2e_num "$3")"
}

# Duplicate timestamps in any csv file of a meter (prints them).
e2e_csv_dups() { # NAME METER
  local f
  for f in "$E2E_TMP/$1.d/csv/$E2E_HOST/smartmeter-$2"/*; do
    tail -n +2 "$f" | cut -d, -f1 | sort | uniq -d | sed "s|^|$(basename "$f"): |"
  done
}

# Lines of the instance's log matching an extended regex (from line
# FROM on, default 1).
e2e_log_count() { # NAME REGEX [FROM]
  tail -n +"${3:-1}" "$(e2e_log "$1")" 2>/dev/null | grep -cE -- "$2"
}

e2e_log_lines() { # NAME -> current number of log lines
  wc -l <"$(e2e_log "$1")"
}

# Error and warning lines of the instance's log, except collectd's own
# harmless race when a unixsock connection thread ends before it is named
# ('set_thread_name("unixsock conn"): No such file or directory').
e2e_log_problems() { # NAME
  grep -E '\[(error|warning)\]' "$(e2e_log "$1")" |
    grep -v -e 'set_thread_name("unixsock conn")' \
      -e "unixsock plugin: No such group"
}

# ---- link layers (HDLC, DSMR, Framing auto) --------------------------------

# Milliseconds per byte on the wire, for meter-sim --pace: start bit + 8
# data bits (+ parity) + stop bit at the port's baud rate.
E2E_PACE_115200_8N1=0.0868
E2E_PACE_9600_8N1=1.0417
E2E_PACE_2400_8N1=4.1667

# e2e_expect_values NAME METER < "id value" lines: the newest csv row of
# each identifier, compared as numbers.
e2e_expect_values() {
  local id want
  while read -r id want; do
    [ -n "$id" ] || continue
    is_num "$2: csv $id" "$(e2e_csv_last "$1" "$2" "$id")" "$want"
  done
}

# e2e_expect_clean_health NAME METER: every errors-* counter 0, except a
# segment error when the plugin opened the pty in the middle of a telegram
# (the first one cut by the open is dropped, correctly).
e2e_expect_clean_health() {
  local id segment
  for id in errors-decrypt errors-tag errors-format errors-checksum \
    errors-replay total_operations-reconnects; do
    is_num "$2: health $id" "$(e2e_csv_last "$1" "$2" "$id")" 0
  done
  segment=$(e2e_csv_last "$1" "$2" errors-segment)
  ok "$2: health errors-segment 0 (1 if joined mid-telegram): $segment" \
    test "${segment:-9}" -le 1
}

# e2e_expect_framing_found NAME METER FRAMING: the INFO line of Framing
# auto, exactly once, and no framing change.
e2e_expect_framing_found() {
  is "$2: log says framing $3 was found, once" \
    "$(e2e_log_count "$1" "meter \"$2\": framing $3 \(found by Framing auto\)")" 1
  is "$2: log: no framing change" \
    "$(e2e_log_count "$1" "meter \"$2\": the framing changed")" 0
}

# e2e_expect_port_line NAME METER "BAUD 8N1": the termios line names the
# configured serial settings (a pty ignores them; the line proves the
# configuration reached the port).
e2e_expect_port_line() {
  is "$2: log: the port opened at $3" \
    "$(e2e_log_count "$1" "meter \"$2\": libserialport refused .*termios fallback \($3[;)]")" 1
}
