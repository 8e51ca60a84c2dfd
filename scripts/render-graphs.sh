#!/bin/sh
# SPDX-License-Identifier: MIT
# render-graphs.sh - draw a meter's power, voltage, current and energy from
# collectd's RRD files (rrdtool plugin) into PNG files, and print their paths.
#
# usage: scripts/render-graphs.sh METER_RRD_DIR OUT_DIR [SECONDS]
#   METER_RRD_DIR  <rrdtool DataDir>/<host>/smartmeter-<meter>
#   OUT_DIR        where power.png, voltage.png, current.png and energy.png
#                  go (created); graphs without data are skipped
#   SECONDS        time span up to now (default 300)
# Exit status: 0 when the power graph was drawn, 1 otherwise.
set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 METER_RRD_DIR OUT_DIR [SECONDS]" >&2
  exit 2
fi
dir=$1
out=$2
span=${3:-300}
command -v rrdtool >/dev/null 2>&1 || {
  echo "$0: rrdtool not found (Debian: apt-get install rrdtool)" >&2
  exit 1
}
mkdir -p "$out"

# Append DEF/LINE/GPRINT arguments for one RRD file if it exists; the
# collectd rrdtool plugin names the data source "value".
series_args=""
add_series() { # file label colour unit
  [ -f "$dir/$1.rrd" ] || return 0
  def=$(printf '%s' "$1" | tr -c 'A-Za-z0-9\n' '_')
  series_args="$series_args DEF:$def=$dir/$1.rrd:value:AVERAGE"
  series_args="$series_args LINE2:$def#$3:$2"
  series_args="$series_args GPRINT:$def:LAST:last=%.${5:-1}lf$4\\l"
}

graph() { # name title vertical-label
  if [ -z "$series_args" ]; then
    echo "$0: no $1 data in $dir" >&2
    return 1
  fi
  # Word splitting of series_args is intended (paths contain no spaces in
  # collectd's layout; checked below).
  # shellcheck disable=SC2086
  rrdtool graph "$out/$1.png" --imgformat PNG --start "end-${span}s" \
    --end now --width 800 --height 260 --title "$2" \
    --vertical-label "$3" --slope-mode $series_args >/dev/null
  echo "$out/$1.png"
}

case $dir in
*" "*)
  echo "$0: METER_RRD_DIR must not contain spaces" >&2
  exit 1
  ;;
esac

meter=$(basename "$dir")
series_args=""
add_series power-import "import" 1F77B4 W
add_series power-export "export" D62728 W
graph power "$meter: active power" "W" || exit 1

series_args=""
add_series voltage-l1 "L1" 8C564B V
add_series voltage-l2 "L2" 111111 V
add_series voltage-l3 "L3" 7F7F7F V
graph voltage "$meter: voltage" "V" || true

series_args=""
add_series current-l1 "L1" 8C564B A 2
add_series current-l2 "L2" 111111 A 2
add_series current-l3 "L3" 7F7F7F A 2
graph current "$meter: current" "A" || true

# Energy registers only grow: the graph shows the meter readings in kWh.
series_args=""
for reg in import export; do
  [ -f "$dir/energy_wh-$reg.rrd" ] || continue
  series_args="$series_args DEF:${reg}_wh=$dir/energy_wh-$reg.rrd:value:AVERAGE"
  series_args="$series_args CDEF:$reg=${reg}_wh,1000,/"
  colour=1F77B4
  [ $reg = export ] && colour=D62728
  series_args="$series_args LINE2:$reg#$colour:$reg"
  series_args="$series_args GPRINT:$reg:LAST:last=%.3lfkWh\\l"
done
graph energy "$meter: energy registers" "kWh" || true
