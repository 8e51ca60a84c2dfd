#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_mqtt.sh - route: smartmeter plugin -> collectd's mqtt writer -> a real
# mosquitto on 127.0.0.1 -> mosquitto_sub. Topics are
# <Prefix>/<host>/smartmeter-<meter>/<type>-<type_instance>, payloads
# "<epoch>:<value>".
. "$SM_SRCDIR/tests/outputs/outputs-lib.sh"

e2e_setup 150
out_need mosquitto mosquitto_sub
out_mosquitto_start
diag "mosquitto on 127.0.0.1:$MQTT_PORT"

# Everything under the prefix, for the whole run.
timeout 90 mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -t 'collectd/#' -v \
  -W 80 >"$E2E_TMP/all.sub" 2>"$E2E_TMP/all.sub.err" &
E2E_PIDS+=("$!")

out_sim_start 120 1
out_collectd_conf mqtt 1 <<EOF
LoadPlugin mqtt
<Plugin mqtt>
  <Publish "broker">
    Host "127.0.0.1"
    Port "$MQTT_PORT"
    ClientId "collectd-smartmeter-test"
    Prefix "collectd"
    QoS 0
    Retain false
  </Publish>
</Plugin>
EOF
e2e_collectd_start mqtt

base="collectd/$E2E_HOST/smartmeter-$OUT_METER"
# Two consecutive messages on one topic: values arrive per telegram.
# (collectd 5.12 ends each payload with a NUL byte: stripped here.)
two=$(timeout 30 mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" \
  -t "$base/energy_wh-import" -C 2 -W 25 2>&1 | tr -d '\0')
like "two energy_wh-import messages (mosquitto_sub -C 2)" "$two" \
  '^[0-9]+\.[0-9]{3}:3744082
[0-9]+\.[0-9]{3}:3744082$'

# The subscription so far, without the NUL bytes.
subs() { tr -d '\0' <"$E2E_TMP/all.sub"; }

has_all() {
  local id
  for id in energy_wh-import voltage-l1 current-l1 energy_wh-reactive_export; do
    subs | grep -q "^$base/$id " || return 1
  done
}
ok "all readings published within 30 s" wait_until 30 has_all

for kv in $OUT_VKW_VALUES; do
  id=${kv%%=*}
  want=${kv#*=}
  line=$(subs | grep -m1 "^$base/$id ")
  payload=${line#* }
  like "$id payload is time:value" "$payload" '^[0-9]+\.[0-9]{3}:[-0-9.e+]+$'
  is_num "$id value" "${payload#*:}" "$want"
done
# The payload's time is collectd's time of the telegram: close to now.
line=$(subs | grep -m1 "^$base/voltage-l1 ")
t=${line#* }
t=${t%%.*}
now=$(date +%s)
ok "payload time is the receive time" \
  test $((now - t)) -lt 60 -a $((t - now)) -lt 5
like "health counter published" "$(subs)" \
  "^$base/total_operations-telegrams [0-9.]+:[0-9.]+$"
if [ "$(tr -cd '\0' <"$E2E_TMP/all.sub" | wc -c)" -gt 0 ]; then
  diag "payloads end with a NUL byte (collectd 5.12 mqtt writer; fixed upstream after 5.12)"
fi
diag "topics: $(subs | cut -d' ' -f1 | sort -u |
  sed "s|^$base/||" | tr '\n' ' ')"

ms=$(e2e_collectd_stop)
ok "collectd stops cleanly (${ms:-?} ms)" test -n "$ms"
out_check_log mqtt
done_testing
