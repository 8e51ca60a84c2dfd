#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_rrd.sh - route: smartmeter plugin -> collectd's rrdtool writer ->
# RRD files (checked with Debian's rrdtool) -> scripts/render-graphs.sh ->
# PNGs (checked by check-png.py: valid, non-trivial).
. "$SM_SRCDIR/tests/outputs/outputs-lib.sh"

e2e_setup 180
out_need rrdtool python3
RRD=$E2E_TMP/rrd
out_sim_start 120 1
out_collectd_conf rrd 1 <<EOF
LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir "$RRD"
</Plugin>
EOF
e2e_collectd_start rrd
dir=$RRD/$E2E_HOST/smartmeter-$OUT_METER

files_there() {
  local kv
  for kv in $OUT_VKW_VALUES; do
    [ -f "$dir/${kv%%=*}.rrd" ] || return 1
  done
}
ok "one RRD file per reading within 30 s" wait_until 30 files_there
ok "health counters get RRD files too" test -f "$dir/total_operations-telegrams.rrd"

last_value() { rrdtool lastupdate "$1" | awk -F': ' 'NR > 2 { print $2 }'; }
last_time() { rrdtool lastupdate "$1" | awk -F': ' 'NR > 2 { print $1 }'; }
for kv in $OUT_VKW_VALUES; do
  is_num "rrdtool lastupdate ${kv%%=*}" "$(last_value "$dir/${kv%%=*}.rrd")" \
    "${kv#*=}"
done

# Updated with every telegram: the last update time moves on.
t1=$(last_time "$dir/power-import.rrd")
later() { [ "$(last_time "$dir/power-import.rrd")" -gt "$t1" ]; }
ok "power-import.rrd updated again" wait_until 10 later
# More telegrams (a longer line in the graph below), then the stored
# averages equal the readings.
sleep 10
fetch_has() { # file value: an AVERAGE row of the last minute equals value
  rrdtool fetch "$1" AVERAGE --start end-60s | awk -v want="$2" '
    NR > 2 && $2 != "-nan" && $2 != "nan" {
      v = $2 + 0; d = v - want; if (d < 0) d = -d
      if (d <= 1e-9 * (want < 0 ? -want : want) + 1e-9) found = 1
    } END { exit !found }'
}
for id in power-import voltage-l1 current-l1 energy_wh-import; do
  want=$(printf '%s\n' $OUT_VKW_VALUES | sed -n "s/^$id=//p")
  ok "rrdtool fetch $id has $want" fetch_has "$dir/$id.rrd" "$want"
done
step=$(rrdtool info "$dir/voltage-l1.rrd" | sed -n 's/^step = //p')
is "RRD step is collectd's interval" "$step" "1"

# Graphs: scripts/render-graphs.sh METER_RRD_DIR OUT_DIR SECONDS draws
# power.png and voltage.png. The last two minutes must show the lines (the
# series' colours, read from the script, right of the legend swatches);
# day and week graphs must be valid images (with under a minute of data
# their consolidated rows are still empty: rrdtool draws no line yet).
render=$SM_SRCDIR/scripts/render-graphs.sh
ok "scripts/render-graphs.sh exists" test -x "$render"
colour_of() { # RRD file name -> the colour render-graphs.sh draws it in
  sed -n "s/^ *add_series $1 \"[^\"]*\" \([0-9A-Fa-f]\{6\}\).*/\1/p" "$render" | head -1
}
c_power=$(colour_of power-import)
c_volt=$(colour_of voltage-l3)
ok "series colours found in render-graphs.sh ($c_power, $c_volt)" \
  test -n "$c_power" -a -n "$c_volt"
check_png() { python3 "$SM_SRCDIR/tests/outputs/check-png.py" "$@" 2>&1; }
for span in 120:minutes 86400:day 604800:week; do
  out=$E2E_TMP/png-${span#*:}
  ok "render-graphs.sh (${span#*:}: ${span%%:*} s)" "$render" "$dir" "$out" "${span%%:*}"
  if [ "${span#*:}" = minutes ]; then
    res=$(check_png --min-x 40 --colour "$c_power:20" "$out/power.png")
    like "power.png: valid PNG > 5 KB with the import line" "$res" '^ok '
    diag "$res"
    res=$(check_png --min-x 40 --colour "$c_volt:20" "$out/voltage.png")
    like "voltage.png: valid PNG > 5 KB with the voltage lines" "$res" '^ok '
    diag "$res"
  else
    for png in power voltage; do
      res=$(check_png "$out/$png.png")
      like "${span#*:} $png.png is a valid PNG > 5 KB" "$res" '^ok '
      diag "$res"
    done
  fi
done
if [ -n "${SM_OUTPUTS_PNG_DIR:-}" ]; then
  mkdir -p "$SM_OUTPUTS_PNG_DIR" && cp -r "$E2E_TMP"/png-* "$SM_OUTPUTS_PNG_DIR"/
fi

ms=$(e2e_collectd_stop)
ok "collectd stops cleanly (${ms:-?} ms)" test -n "$ms"
out_check_log rrd
done_testing
