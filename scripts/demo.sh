#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/demo.sh [BUILDDIR] - the live demo (README quick start).
#
# Builds (scripts/bootstrap.sh --demo: installs the missing Debian packages
# the build and the demo need, builds out of tree in BUILDDIR, default
# ./_build), starts the meter simulator on a
# bundled real capture (Vorarlberg Netz / VKW, Kaifa MA309M), runs Debian's
# collectd in the foreground with the smartmeter plugin from the build tree
# plus the csv, rrdtool, unixsock and logfile plugins for a bounded time,
# prints the values as they arrive (collectdctl getval) and renders PNG
# graphs of power and voltage with rrdtool.
#
# Environment: DEMO_SECONDS (default 30), DEMO_PERIOD (seconds between
# telegrams, default 2), DEMO_DIR (work directory; default a new
# /tmp/smartmeter-demo.XXXXXX, kept afterwards for the PNGs and logs).
# Exit status: 0 when values arrived and the power graph was drawn.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$top/_build}
seconds=${DEMO_SECONDS:-30}
period=${DEMO_PERIOD:-2}
capture=$top/tests/vectors/ksmwest_vkw_philippsev_2023-07-26.hex
meter=demo
host=demo

say() { printf 'demo: %s\n' "$*"; }
die() {
  printf 'demo: %s\n' "$*" >&2
  exit 1
}

collectd_pid=
sim_pid=
cleanup() {
  # Only the processes this script started, by their ids.
  if [ -n "$collectd_pid" ]; then kill "$collectd_pid" 2>/dev/null; fi
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null; fi
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Poll until a command succeeds; fail after $1 seconds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

build() {
  say "building in $builddir (scripts/bootstrap.sh --demo)"
  "$top/scripts/bootstrap.sh" --demo "$builddir"
  builddir=$(cd "$builddir" && pwd)
  plugin_dir=$builddir/plugin/.libs
  [ -f "$plugin_dir/smartmeter.so" ] ||
    die "smartmeter.so was not built: is collectd-dev installed?"
  [ -x "$builddir/tests/e2e/sm-forge" ] || die "tests/e2e/sm-forge missing"
}

# The capture is one telegram; replaying it unchanged would be rejected by
# the decoder's replay guard after the first time. Re-encrypt it under
# increasing frame counters, one file per telegram.
prepare_telegrams() {
  local n=$((seconds / period + 30))
  mkdir -p "$work/telegrams"
  "$builddir/tests/e2e/sm-forge" -n "$n" -o "$work/telegrams" "$capture"
  # The key goes into a file only the owner can read, as in production.
  (umask 077 && sed -n 's/^# key: *//p' "$capture" >"$work/$meter.key")
}

start_sim() {
  say "meter simulator: one telegram every ${period} s on $work/ttyMeter"
  python3 "$top/tests/sim/meter-sim" --link "$work/ttyMeter" \
    --period "$period" --log "$work/sim.log" "$work"/telegrams/t*.hex \
    >"$work/sim.out" 2>"$work/sim.err" &
  sim_pid=$!
  wait_for 60 grep -q '^ready' "$work/sim.out" ||
    die "simulator did not start: $(cat "$work/sim.err")"
}

write_conf() {
  cat >"$work/collectd.conf" <<EOF
Hostname "$host"
FQDNLookup false
BaseDir "$work"
PIDFile "$work/collectd.pid"
Interval $period
TypesDB "/usr/share/collectd/types.db"

LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$work/collectd.log"
  Timestamp true
  PrintSeverity true
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$work/csv"
</Plugin>
LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir "$work/rrd"
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$work/collectd.sock"
  SocketGroup "$(id -gn)"
</Plugin>

PluginDir "$plugin_dir"
LoadPlugin smartmeter
<Plugin smartmeter>
  <Meter "$meter">
    Device "$work/ttyMeter"
    KeyFile "$work/$meter.key"
    MaxAge 30
  </Meter>
</Plugin>
EOF
}

getval() { # type-instance -> value, or nothing
  timeout 5 collectdctl -s "$work/collectd.sock" getval \
    "$host/smartmeter-$meter/$1" 2>/dev/null | sed -n 's/^value=//p'
}

show_values() {
  local start=$SECONDS arrived=0 line v id unit id_unit
  while [ $((SECONDS - start)) -lt "$seconds" ]; do
    sleep "$period"
    kill -0 "$collectd_pid" 2>/dev/null || die "collectd exited early"
    line=""
    for id_unit in power-import:W energy_wh-import:Wh voltage-l1:V \
      current-l1:A; do
      id=${id_unit%:*}
      unit=${id_unit#*:}
      v=$(getval "$id")
      [ -n "$v" ] || continue
      arrived=1
      line="$line  $id=$(awk -v x="$v" 'BEGIN { printf "%.10g", x }') $unit"
    done
    printf 'demo: [%3ds]%s\n' $((SECONDS - start)) "${line:-  (no values yet)}"
  done
  [ "$arrived" -eq 1 ]
}

stop_collectd() {
  kill "$collectd_pid" 2>/dev/null || true
  wait "$collectd_pid" 2>/dev/null || true
  collectd_pid=
}

main() {
  build
  command -v python3 >/dev/null || die "python3 missing (run scripts/bootstrap.sh --demo)"
  work=${DEMO_DIR:-$(mktemp -d /tmp/smartmeter-demo.XXXXXX)}
  mkdir -p "$work"
  work=$(cd "$work" && pwd)
  say "work directory $work"
  prepare_telegrams
  start_sim
  write_conf
  say "collectd -f -C $work/collectd.conf (for ${seconds} s)"
  collectd -f -C "$work/collectd.conf" >"$work/collectd.out" 2>&1 &
  collectd_pid=$!
  local ok=0
  show_values || ok=1
  stop_collectd
  grep 'smartmeter' "$work/collectd.log" | sed 's/^/demo: log: /' | head -20
  if [ "$ok" -ne 0 ]; then
    tail -20 "$work/collectd.log" >&2 || true
    die "no values arrived"
  fi
  say "csv files: $work/csv/$host/smartmeter-$meter/"
  "$top/scripts/render-graphs.sh" "$work/rrd/$host/smartmeter-$meter" \
    "$work" $((seconds + 20)) | sed 's/^/demo: graph: /'
  [ -f "$work/power.png" ] || die "no power graph"
}

main "$@"
