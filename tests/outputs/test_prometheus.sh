#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_prometheus.sh - route: smartmeter plugin -> collectd's
# write_prometheus on 127.0.0.1 -> curl (a scrape). Metric names are
# collectd_smartmeter_<type>{smartmeter="<meter>",type="<type_instance>",
# instance="<host>"}.
. "$SM_SRCDIR/tests/outputs/outputs-lib.sh"

e2e_setup 120
out_need curl
[ -f /usr/lib/collectd/write_prometheus.so ] ||
  bail "missing /usr/lib/collectd/write_prometheus.so (collectd-core)"
missing=$(ldd /usr/lib/collectd/write_prometheus.so | sed -n 's/^\s*\(\S*\) => not found.*/\1/p')
[ -z "$missing" ] ||
  bail "write_prometheus.so lacks $(echo $missing) (Debian: libmicrohttpd12 libprotobuf-c1)"

PROM_PORT=$(out_port)
out_sim_start 120 1
out_collectd_conf prom 1 <<EOF
LoadPlugin write_prometheus
<Plugin write_prometheus>
  Host "127.0.0.1"
  Port "$PROM_PORT"
</Plugin>
EOF
e2e_collectd_start prom
diag "write_prometheus on 127.0.0.1:$PROM_PORT"

scrape() { curl -sS --max-time 5 "http://127.0.0.1:$PROM_PORT/metrics"; }
has_energy() { scrape | grep -q '^collectd_smartmeter_energy_wh{'; }
ok "metrics appear within 30 s" wait_until 30 has_energy
sleep 2
scrape >"$E2E_TMP/metrics.txt"

metric() { # type type_instance -> the sample's value
  awk -v m="collectd_smartmeter_$1{smartmeter=\"$OUT_METER\",type=\"$2\",instance=\"$E2E_HOST\"}" \
    '$1 == m { print $2 }' "$E2E_TMP/metrics.txt"
}
line=$(grep '^collectd_smartmeter_energy_wh{.*type="import"' "$E2E_TMP/metrics.txt")
like "energy import sample, exact labels" "$line" \
  "^collectd_smartmeter_energy_wh\{smartmeter=\"$OUT_METER\",type=\"import\",instance=\"$E2E_HOST\"\} 3744082 [0-9]{13}$"
for kv in $OUT_VKW_VALUES; do
  id=${kv%%=*}
  is_num "collectd_smartmeter_${id%%-*}{type=\"${id#*-}\"}" \
    "$(metric "${id%%-*}" "${id#*-}")" "${kv#*=}"
done
like "metric types are gauges" "$(cat "$E2E_TMP/metrics.txt")" \
  '^# TYPE collectd_smartmeter_voltage gauge$'
# Health counters: DERIVE values become Prometheus counters (_total).
like "health counter exposed" "$(cat "$E2E_TMP/metrics.txt")" \
  "^collectd_smartmeter_total_operations_total\{smartmeter=\"$OUT_METER\",type=\"telegrams\",instance=\"$E2E_HOST\"\} [0-9]+ "
diag "metric names: $(sed -n 's/^\(collectd_smartmeter_[a-z_]*\){.*/\1/p' "$E2E_TMP/metrics.txt" | sort -u | tr '\n' ' ')"

# Bound to 127.0.0.1 only (Host), not to every address.
listeners() { # port -> "addr:port" of each listening TCP socket (/proc)
  python3 - "$1" <<'EOF'
import sys
port = int(sys.argv[1])
for name in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        lines = open(name).read().splitlines()[1:]
    except OSError:
        continue
    for line in lines:
        f = line.split()
        addr, p = f[1].split(":")
        if int(p, 16) == port and f[3] == "0A":  # 0A: LISTEN
            if len(addr) == 8:
                ip = ".".join(str(int(addr[i:i + 2], 16)) for i in (6, 4, 2, 0))
            else:
                ip = "ipv6:" + addr
            print("%s:%d" % (ip, port))
EOF
}
is "listens on 127.0.0.1 only" "$(listeners "$PROM_PORT")" "127.0.0.1:$PROM_PORT"

ms=$(e2e_collectd_stop)
ok "collectd stops cleanly (${ms:-?} ms)" test -n "$ms"
problems=$(e2e_log_problems prom | grep -v "MHD_OPTION_EXTERNAL_LOGGER")
is "collectd log of prom has no errors or warnings" "$problems" ""
done_testing
