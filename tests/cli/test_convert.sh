#!/bin/bash
# SPDX-License-Identifier: MIT
# --convert-kaifareader: kaifareader's meter.json template (from its README)
# becomes the equivalent collectd configuration; the output parses with
# collectd's own config parser; bad files give exit 1 without the key.
. "$SM_SRCDIR/tests/tap.sh"
. "$SM_SRCDIR/tests/cli/common.sh"
command -v collectd >/dev/null 2>&1 || bail "missing tool: collectd"

KEY=48704f444f326d5050553033784c3333

# The template exactly as kaifareader's README shows it.
cat >"$T/template.json" <<'JSON'
{
  "loglevel": "logging.DEBUG",
  "port": "/dev/ttyUSB0",
  "baudrate": 2400,
  "parity": "serial.PARITY_EVEN",
  "stopbits": "serial.STOPBITS_ONE",
  "bytesize": "serial.EIGHTBITS",
  "key_hex_string": "",
  "supplier": "KSMWest",
  "file_export_enabled": true,
  "file_export_abspath": "/etc/kaifareader/export.txt",
  "mqtt_enabled": false,
  "mqtt_server": "192.168.0.99",
  "mqtt_port": 1883,
  "mqtt_user": "",
  "mqtt_password": "",
  "mqtt_basetopic": "kaifareader",
  "influxdb_enabled": false,
  "influxdb_url": "http://192.168.0.99:8086",
  "influxdb_token": "",
  "influxdb_org": "local",
  "influxdb_bucket": "kaifareader",
  "influxdb_measurement": "smartmeter"
}
JSON
run_decode "$T/t" --convert-kaifareader "$T/template.json"
is "template: exit 0" "$(cat "$T/t.rc")" 0
is "template: no stderr" "$(cat "$T/t.err")" ""
is "template: whole output" "$(cat "$T/t.out")" "$(cat <<'CONF'
# collectd configuration converted from a kaifareader meter.json
# by smartmeter-decode --convert-kaifareader.

# loglevel logging.DEBUG: collectd sets the level in its log plugin, e.g.
#   LoadPlugin syslog
#   <Plugin syslog>
#     LogLevel info
#   </Plugin>
# (Debian's collectd has no debug level: info is the closest.)

LoadPlugin smartmeter
<Plugin smartmeter>
  <Meter "meter">
    Device "/dev/ttyUSB0"
    Baudrate 2400
    Parity "even"
    DataBits 8
    StopBits 1
    # key_hex_string is empty: set your 32 hex digit key
    #Key "00000000000000000000000000000000"
    Supplier "KSMWest"
    SolarviewFile "/etc/kaifareader/export.txt"
  </Meter>
</Plugin>
CONF
)"

# Everything enabled, a real key, odd characters, an unknown member.
sed -e "s/\"key_hex_string\": \"\"/\"key_hex_string\": \"$KEY\"/" \
  -e 's/"mqtt_enabled": false/"mqtt_enabled": true/' \
  -e 's/"influxdb_enabled": false/"influxdb_enabled": true/' \
  -e 's/192\.168\.0\.99/127.0.0.1/' \
  -e 's/"mqtt_user": ""/"mqtt_user": "me"/' \
  -e 's/"mqtt_password": ""/"mqtt_password": "p\\"w\\\\x"/' \
  -e 's/"influxdb_token": ""/"influxdb_token": "tok\\nen"/' \
  -e 's/"parity": "serial.PARITY_EVEN"/"parity": "serial.PARITY_NONE"/' \
  -e 's/"stopbits": "serial.STOPBITS_ONE"/"stopbits": "serial.STOPBITS_TWO",\n  "color": "blue"/' \
  "$T/template.json" >"$T/all.json"
run_decode "$T/a" --convert-kaifareader "$T/all.json"
out=$(cat "$T/a.out")
is "all: exit 0" "$(cat "$T/a.rc")" 0
like "all: Key normalised" "$out" '    Key "48704F444F326D5050553033784C3333"'
like "all: Parity none" "$out" '    Parity "none"'
like "all: StopBits 2" "$out" '    StopBits 2'
is "all: mqtt block" "$(sed -n '/^LoadPlugin mqtt/,/^<\/Plugin>/p' "$T/a.out")" "$(cat <<'CONF'
LoadPlugin mqtt
<Plugin mqtt>
  <Publish "kaifareader">
    Host "127.0.0.1"
    Port "1883"
    User "me"
    Password "p\"w\\x"
    Prefix "kaifareader"
  </Publish>
</Plugin>
CONF
)"
like "all: influx note names socket_listener" "$out" 'inputs\.socket_listener'
like "all: influx note data_format collectd" "$out" 'data_format = "collectd"'
like "all: influx url" "$out" '#     urls = \["http://127\.0\.0\.1:8086"\]'
like "all: influx bucket" "$out" '#     bucket = "kaifareader"'
like "all: newline in token cannot break the comment" "$out" '#     token = "tok\?en"'
like "all: network plugin" "$out" 'Server "127\.0\.0\.1" "25826"'
like "all: unknown member noted" "$out" '# meter.json key "color" has no equivalent'
is "all: key only in the Key line" "$(grep -ci "$KEY" "$T/a.out")" 1

# collectd's parser accepts the output (the smartmeter plugin itself may
# not be installed here: only parse errors count). A broken file shows the
# check can fail.
syntax_errors() { # config -> collectd's parse complaints
  {
    echo "BaseDir \"$T\""
    echo "PIDFile \"$T/collectd.pid\""
    grep -v -e '^LoadPlugin mqtt' -e '^LoadPlugin network' "$1"
  } >"$T/check.conf"
  timeout 30 collectd -C "$T/check.conf" -T 2>&1 | grep -i -e 'parse error' -e 'syntax error'
}
is "template output parses in collectd" "$(syntax_errors "$T/t.out")" ""
is "full output parses in collectd" "$(syntax_errors "$T/a.out")" ""
printf 'LoadPlugin smartmeter\n<Plugin smartmeter>\n  <Meter "m"\n</Plugin>\n' >"$T/broken.conf"
like "a broken config is caught" "$(syntax_errors "$T/broken.conf")" '[Pp]arse error'

# Errors: exit 1, a line number, never the key.
printf '{\n  "port": "/dev/ttyUSB0",\n  "baudrate": 2400\n  "parity": "x"\n}\n' >"$T/bad.json"
run_decode "$T/b" --convert-kaifareader "$T/bad.json"
is "invalid JSON: exit 1" "$(cat "$T/b.rc")" 1
like "invalid JSON: line number" "$(cat "$T/b.err")" 'line 4: expected'
is "invalid JSON: nothing printed" "$(cat "$T/b.out")" ""
sed "s/\"key_hex_string\": \"\"/\"key_hex_string\": \"${KEY}00\"/" \
  "$T/template.json" >"$T/badkey.json"
run_decode "$T/k" --convert-kaifareader "$T/badkey.json"
is "bad key: exit 1" "$(cat "$T/k.rc")" 1
like "bad key: says so" "$(cat "$T/k.err")" 'key_hex_string.*32 hex digits'
is "bad key: key not echoed" "$(cat "$T/k.out" "$T/k.err" | grep -ci "$KEY")" 0
sed 's/"serial.PARITY_EVEN"/"serial.PARITY_MARK"/' "$T/template.json" >"$T/mark.json"
run_decode "$T/p" --convert-kaifareader "$T/mark.json"
is "unsupported parity: exit 1" "$(cat "$T/p.rc")" 1
like "unsupported parity: says so" "$(cat "$T/p.err")" 'parity'
printf '{"port": {"nested": 1}}' >"$T/nested.json"
run_decode "$T/n" --convert-kaifareader "$T/nested.json"
like "nested object refused" "$(cat "$T/n.err")" 'nested'
run_decode "$T/m" --convert-kaifareader "$T/missing.json"
is "missing file: exit 1" "$(cat "$T/m.rc")" 1
run_decode "$T/u" --convert-kaifareader
is "no file name: exit 2" "$(cat "$T/u.rc")" 2

# Escapes and numbers as strings are understood.
printf '{"port":"/dev/tty\\u0055SB1","baudrate":"9600","bytesize":7,"stopbits":1,"supplier":"evn"}' >"$T/esc.json"
run_decode "$T/e" --convert-kaifareader "$T/esc.json"
like "\\u escape decoded" "$(cat "$T/e.out")" 'Device "/dev/ttyUSB1"'
like "baudrate as string" "$(cat "$T/e.out")" 'Baudrate 9600'
like "bytesize as number" "$(cat "$T/e.out")" 'DataBits 7'
like "supplier spelled canonically" "$(cat "$T/e.out")" 'Supplier "EVN"'

done_testing
