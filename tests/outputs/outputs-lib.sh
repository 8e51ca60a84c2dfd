# SPDX-License-Identifier: MIT
# tests/outputs/outputs-lib.sh - helpers for the output-route tests
# (sourced). Builds on tests/e2e/e2e-lib.sh (temp dir, watchdog, simulated
# meter, collectd with the plugin from this build) and adds the servers:
# free ports, mosquitto, InfluxDB 1.x, and the collectd writer blocks.
#
# Every server is started here on 127.0.0.1, on ports picked at run time,
# with its files in the test's temp dir, and is killed by id on exit (its
# pid goes into E2E_PIDS). A missing server binary is a failure (bail), never
# a skip: scripts/bootstrap.sh installs them.

. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"

OUT_METER=vkw
OUT_KEY=48704F444F326D5050553033784C3333
OUT_PORTS=" "

# Values of the VKW capture as collectd receives them (type-instance=value).
OUT_VKW_VALUES="voltage-l1=233 voltage-l2=232.8 voltage-l3=232.7
current-l1=0.31 current-l2=0.52 current-l3=0.21 power-import=53
power-export=0 energy_wh-import=3744082 energy_wh-export=3929988
energy_wh-reactive_import=13445 energy_wh-reactive_export=1313360"

out_need() { # tools...
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 ||
      bail "missing tool: $t (scripts/bootstrap.sh installs it)"
  done
}

# A port free for both TCP and UDP on 127.0.0.1, not handed out before in
# this test.
out_port() {
  local p i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    p=$(python3 - <<'EOF'
import socket
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.bind(("127.0.0.1", 0))
port = t.getsockname()[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", port))
print(port)
EOF
    ) || continue
    case $OUT_PORTS in
    *" $p "*) continue ;;
    esac
    OUT_PORTS="$OUT_PORTS$p "
    echo "$p"
    return 0
  done
  bail "no free port found"
}

# out_start NAME CMD...: run CMD in the background with output in
# $E2E_TMP/NAME.log; sets OUT_PID.
out_start() {
  local name=$1
  shift
  "$@" >"$E2E_TMP/$name.log" 2>&1 &
  OUT_PID=$!
  E2E_PIDS+=("$OUT_PID")
}

# True while TCP port $1 on 127.0.0.1 accepts connections.
out_listening() {
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1"
}

# ---- mosquitto --------------------------------------------------------------

# out_mosquitto_start: a broker on 127.0.0.1:$MQTT_PORT.
out_mosquitto_start() {
  out_need mosquitto mosquitto_sub
  MQTT_PORT=$(out_port)
  cat >"$E2E_TMP/mosquitto.conf" <<EOF
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence false
log_dest stderr
EOF
  out_start mosquitto mosquitto -c "$E2E_TMP/mosquitto.conf"
  MQTT_PID=$OUT_PID
  wait_until 10 out_listening "$MQTT_PORT" ||
    bail "mosquitto did not start: $(tail -5 "$E2E_TMP/mosquitto.log")"
}

# ---- InfluxDB 1.x -----------------------------------------------------------

# out_influxd_start: influxd with HTTP on $INFLUX_HTTP, the collectd
# listener on $INFLUX_COLLECTD (database sm_collectd) and the line-protocol
# UDP listener on $INFLUX_UDP (database sm_udp, precision ms).
out_influxd_start() {
  out_need influxd curl
  INFLUX_HTTP=$(out_port)
  INFLUX_RPC=$(out_port)
  INFLUX_COLLECTD=$(out_port)
  INFLUX_UDP=$(out_port)
  local d=$E2E_TMP/influxdb
  mkdir -p "$d"
  cat >"$d/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:$INFLUX_RPC"

[meta]
  dir = "$d/meta"

[data]
  dir = "$d/data"
  wal-dir = "$d/wal"
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:$INFLUX_HTTP"
  log-enabled = false

[[collectd]]
  enabled = true
  bind-address = "127.0.0.1:$INFLUX_COLLECTD"
  database = "sm_collectd"
  typesdb = "/usr/share/collectd/types.db"
  batch-timeout = "1s"

[[udp]]
  enabled = true
  bind-address = "127.0.0.1:$INFLUX_UDP"
  database = "sm_udp"
  precision = "ms"
  batch-timeout = "1s"
EOF
  out_start influxd influxd -config "$d/influxdb.conf"
  INFLUX_PID=$OUT_PID
  wait_until 30 curl -sf "http://127.0.0.1:$INFLUX_HTTP/ping" ||
    bail "influxd did not start: $(tail -5 "$E2E_TMP/influxd.log")"
}

# out_influx_q DB QUERY: the JSON answer of /query.
out_influx_q() {
  curl -sS --max-time 10 -G "http://127.0.0.1:$INFLUX_HTTP/query" \
    --data-urlencode "db=$1" --data-urlencode "epoch=s" \
    --data-urlencode "q=$2"
}

# out_influx_rows DB QUERY: one line per row, columns joined by '|'
# (the series name first); nothing when there is no data.
out_influx_rows() {
  out_influx_q "$1" "$2" | python3 -c '
import json, sys
try:
    doc = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
for res in doc.get("results", []):
    for s in res.get("series", []):
        for row in s.get("values", []):
            print("|".join([s.get("name", "")] + ["" if v is None else str(v) for v in row]))
'
}

# out_influx_value DB QUERY: the last column of the first row.
out_influx_value() {
  out_influx_rows "$1" "$2" | head -1 | awk -F'|' '{ print $NF }'
}

# For wait_until: true once QUERY on DB returns a row.
out_influx_has() { # DB QUERY
  [ -n "$(out_influx_rows "$1" "$2")" ]
}

# ---- collectd ---------------------------------------------------------------

# out_collectd_conf NAME INTERVAL < writer blocks: the e2e configuration
# (logfile, csv, unixsock, the smartmeter plugin reading the simulated VKW
# meter on $E2E_TMP/vkw.tty), then PluginDir back to Debian's plugins and
# the writer blocks read from stdin.
out_collectd_conf() {
  local name=$1 interval=$2
  local writers
  writers=$(cat)
  e2e_conf "$name" "$interval" <<EOF
  <Meter "$OUT_METER">
    Device "${OUT_DEVICE:-$E2E_TMP/vkw.tty}"
    Key "$OUT_KEY"
  </Meter>
EOF
  {
    echo 'PluginDir "/usr/lib/collectd"'
    printf '%s\n' "$writers"
  } >>"$E2E_TMP/$name.conf"
}

# out_sim_start [N] [PERIOD]: N (default 120) re-encrypted copies of the VKW
# capture replayed on $E2E_TMP/vkw.tty, one every PERIOD (default 1) s,
# bytes paced at 1 ms (a telegram takes ~0.4 s).
# Sets OUT_SIM_PID (SIGUSR1: the device vanishes, SIGUSR2: it comes back).
out_sim_start() {
  e2e_telegrams vkw "$E2E_VKW" "${1:-120}"
  e2e_sim_start vkw "${2:-1}" --pace 1
  OUT_SIM_PID=${E2E_SIM_PID:-${SIM_PID_vkw:-}}
  [ -n "$OUT_SIM_PID" ] || bail "meter-sim pid unknown"
}

# out_check_log NAME: no error or warning lines in the instance's log.
out_check_log() {
  local problems
  problems=$(e2e_log_problems "$1")
  is "collectd log of $1 has no errors or warnings" "$problems" ""
}
