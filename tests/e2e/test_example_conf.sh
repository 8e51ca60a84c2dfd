#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_example_conf.sh - collectd.conf.example is a working configuration:
# with only its paths (and the key) pointed at this test, `collectd -T`
# accepts it and a running collectd writes the meter's values through the
# example's csv and rrdtool writers.
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 300

example=$SM_SRCDIR/collectd.conf.example
[ -f "$example" ] || bail "missing $example"
d=$E2E_TMP/example.d
mkdir -p "$d"

e2e_telegrams vkw "$E2E_VKW" 100
e2e_sim_start vkw 1 --pace 0.5

# Only paths, the key and the read interval change.
{
  printf 'BaseDir "%s"\nPIDFile "%s/collectd.pid"\nHostname "%s"\n' \
    "$d" "$d" "$E2E_HOST"
  sed -e "s|^#PluginDir .*|PluginDir \"$E2E_PLUGIN_DIR\"|" \
    -e "s|^\( *Device \)\"/dev/serial/by-id/.*\"|\1\"$E2E_TMP/vkw.tty\"|" \
    -e "s|^\( *Key \)\"[0-9A-F]*\"|\1\"$(e2e_key_of "$E2E_VKW")\"|" \
    -e "s|\"/var/log/collectd.log\"|\"$d/collectd.log\"|" \
    -e "s|\"/var/lib/collectd/rrd\"|\"$d/rrd\"|" \
    -e "s|\"/var/lib/collectd/csv\"|\"$d/csv\"|" \
    -e "s|^Interval 10 |Interval 1 |" "$example"
} >"$E2E_TMP/example.conf"
is "example rewritten: nothing left pointing at the system" \
  "$(grep -nE '^[^#]*"/(var|etc)/' "$E2E_TMP/example.conf")" ""

rc=0
timeout 30 collectd -T -C "$E2E_TMP/example.conf" >"$d/t.out" 2>&1 || rc=$?
is "collectd -T accepts the example" "$rc" 0
like "the example's meter is configured" "$(cat "$d/collectd.log")" \
  'smartmeter plugin: version .*, 1 meter\(s\)'

rm -f "$d/collectd.log"
collectd -f -C "$E2E_TMP/example.conf" >"$d/stdout" 2>&1 &
E2E_COLLECTD_PID=$!
E2E_PIDS+=("$E2E_COLLECTD_PID")
ok "csv writer gets the meter's values" \
  wait_until 60 e2e_rows_at_least example home power-import 2
is_num "csv: power-import" "$(e2e_csv_last example home power-import)" 53
rrd=$d/rrd/$E2E_HOST/smartmeter-home/power-import.rrd
ok "rrdtool writer creates $(basename "$rrd")" wait_until 30 test -s "$rrd"
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
is "log: no errors" "$(grep '\[error\]' "$d/collectd.log")" ""

done_testing
