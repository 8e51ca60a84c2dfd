#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_influxdb.sh - two routes into a real InfluxDB 1.x (Debian influxd) on
# 127.0.0.1, queried back over HTTP:
#   A: collectd `network` writer -> InfluxDB's [[collectd]] listener
#      (database sm_collectd): measurement smartmeter_value, tags host,
#      instance, type, type_instance, field value;
#   B: collectd `write_influxdb_udp` -> InfluxDB's [[udp]] line-protocol
#      listener (database sm_udp, precision "ms"): measurement smartmeter,
#      the same tags and field.
. "$SM_SRCDIR/tests/outputs/outputs-lib.sh"

e2e_setup 180
out_need influxd curl
out_influxd_start
diag "influxd: http 127.0.0.1:$INFLUX_HTTP, collectd udp $INFLUX_COLLECTD, line protocol udp $INFLUX_UDP"

out_sim_start 120 1
# FlushInterval: both writers fill a 1452-byte packet before sending; the
# flush sends what is buffered every second instead.
out_collectd_conf influx 1 <<EOF
<LoadPlugin network>
  FlushInterval 1
</LoadPlugin>
<Plugin network>
  Server "127.0.0.1" "$INFLUX_COLLECTD"
</Plugin>
<LoadPlugin write_influxdb_udp>
  FlushInterval 1
</LoadPlugin>
<Plugin write_influxdb_udp>
  Server "127.0.0.1" "$INFLUX_UDP"
  # All points share one field "value" per measurement: without StoreRates
  # the health counters (DERIVE) go out as integers and InfluxDB then drops
  # every float reading ("field type conflict"). With it they go out as
  # rates (floats), like the gauges.
  StoreRates true
</Plugin>
EOF
e2e_collectd_start influx

where="host='$E2E_HOST' AND instance='$OUT_METER'"
q_a="SELECT last(value) FROM smartmeter_value WHERE $where AND type='energy_wh' AND type_instance='import'"
q_b="SELECT last(value) FROM smartmeter WHERE $where AND type='energy_wh' AND type_instance='import'"
ok "route A (network -> [[collectd]]): energy arrives within 40 s" \
  wait_until 40 out_influx_has sm_collectd "$q_a"
ok "route B (write_influxdb_udp -> [[udp]]): energy arrives within 40 s" \
  wait_until 40 out_influx_has sm_udp "$q_b"
# Let a few more telegrams arrive so every reading has been flushed.
sleep 3

is "route A measurements" \
  "$(out_influx_rows sm_collectd 'SHOW MEASUREMENTS' | cut -d'|' -f2 | tr '\n' ' ')" \
  "smartmeter_value "
is "route A tag keys" \
  "$(out_influx_rows sm_collectd 'SHOW TAG KEYS FROM smartmeter_value' | cut -d'|' -f2 | tr '\n' ' ')" \
  "host instance type type_instance "
is "route B measurements" \
  "$(out_influx_rows sm_udp 'SHOW MEASUREMENTS' | cut -d'|' -f2 | tr '\n' ' ')" \
  "smartmeter "
is "route B tag keys" \
  "$(out_influx_rows sm_udp 'SHOW TAG KEYS FROM smartmeter' | cut -d'|' -f2 | tr '\n' ' ')" \
  "host instance type type_instance "
is "route B field keys" \
  "$(out_influx_rows sm_udp 'SHOW FIELD KEYS FROM smartmeter' | cut -d'|' -f2- | tr '\n' ' ')" \
  "value|float "

for kv in $OUT_VKW_VALUES; do
  id=${kv%%=*}
  want=${kv#*=}
  cond="$where AND type='${id%%-*}' AND type_instance='${id#*-}'"
  is_num "route A $id" \
    "$(out_influx_value sm_collectd "SELECT last(value) FROM smartmeter_value WHERE $cond")" \
    "$want"
  is_num "route B $id" \
    "$(out_influx_value sm_udp "SELECT last(value) FROM smartmeter WHERE $cond")" \
    "$want"
done

# Health counters arrive too (route A: the counter; route B: its rate).
like "route A health counter" \
  "$(out_influx_value sm_collectd "SELECT last(value) FROM smartmeter_value WHERE $where AND type='total_operations' AND type_instance='telegrams'")" \
  '^[0-9]+$'
like "route B health counter (a rate)" \
  "$(out_influx_value sm_udp "SELECT last(value) FROM smartmeter WHERE $where AND type='total_operations' AND type_instance='telegrams'")" \
  '^[0-9]+(\.[0-9]+)?(e-?[0-9]+)?$'

# Timestamps: the telegram's receive time, in both routes (route B would be
# in 1970 without precision = "ms").
now=$(date +%s)
for r in "sm_collectd smartmeter_value" "sm_udp smartmeter"; do
  set -- $r
  t=$(out_influx_rows "$1" "SELECT last(value) FROM $2 WHERE $where AND type='voltage' AND type_instance='l1'" | cut -d'|' -f2)
  ok "$1 timestamp is now (got ${t:-none}, now $now)" \
    test -n "$t" -a $((now - ${t:-0})) -lt 60 -a $((${t:-0} - now)) -lt 5
done
# Points keep arriving: one per telegram and reading.
n=$(out_influx_value sm_udp "SELECT count(value) FROM smartmeter WHERE $where AND type='energy_wh' AND type_instance='import'")
ok "route B keeps storing points (count ${n:-0} >= 3)" test "${n:-0}" -ge 3

ms=$(e2e_collectd_stop)
ok "collectd stops cleanly (${ms:-?} ms)" test -n "$ms"
out_check_log influx
done_testing
