#!/bin/bash
# SPDX-License-Identifier: MIT
# smartmeter-convert: kaifareader's meter.json template (from its README)
# becomes the equivalent collectd configuration; the output parses with
# collectd's own config parser; bad files give exit 1 without the key;
# settings that do not carry over are warned about; a readable output file
# holding the key is warned about; smartmeter-decode --convert-kaifareader
# still gives the same by running smartmeter-convert.
. "$SM_SRCDIR/tests/tap.sh"
. "$SM_SRCDIR/tests/cli/common.sh"
command -v collectd >/dev/null 2>&1 || bail "missing tool: collectd"
CONVERT="$SM_BUILDDIR/convert/smartmeter-convert"
[ -x "$CONVERT" ] || bail "no binary at $CONVERT"

# run_convert PREFIX ARGS... : like run_decode, for smartmeter-convert.
run_convert() {
  local prefix=$1
  shift
  "$CONVERT" "$@" >"$prefix.out" 2>"$prefix.err" </dev/null
  echo $? >"$prefix.rc"
}

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
run_convert "$T/t" "$T/template.json"
is "template: exit 0" "$(cat "$T/t.rc")" 0
is "template: no stderr" "$(cat "$T/t.err")" ""
is "template: whole output" "$(cat "$T/t.out")" "$(cat <<'CONF'
# collectd configuration converted from a kaifareader meter.json
# by smartmeter-convert.

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
run_convert "$T/a" "$T/all.json"
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
run_convert "$T/b" "$T/bad.json"
is "invalid JSON: exit 1" "$(cat "$T/b.rc")" 1
like "invalid JSON: line number" "$(cat "$T/b.err")" 'line 4: expected'
is "invalid JSON: nothing printed" "$(cat "$T/b.out")" ""
sed "s/\"key_hex_string\": \"\"/\"key_hex_string\": \"${KEY}00\"/" \
  "$T/template.json" >"$T/badkey.json"
run_convert "$T/k" "$T/badkey.json"
is "bad key: exit 1" "$(cat "$T/k.rc")" 1
like "bad key: says so" "$(cat "$T/k.err")" 'key_hex_string.*32 hex digits'
is "bad key: key not echoed" "$(cat "$T/k.out" "$T/k.err" | grep -ci "$KEY")" 0
sed 's/"serial.PARITY_EVEN"/"serial.PARITY_MARK"/' "$T/template.json" >"$T/mark.json"
run_convert "$T/p" "$T/mark.json"
is "unsupported parity: exit 1" "$(cat "$T/p.rc")" 1
like "unsupported parity: says so" "$(cat "$T/p.err")" 'parity'
printf '{"port": {"nested": 1}}' >"$T/nested.json"
run_convert "$T/n" "$T/nested.json"
like "nested object refused" "$(cat "$T/n.err")" 'nested'
run_convert "$T/m" "$T/missing.json"
is "missing file: exit 1" "$(cat "$T/m.rc")" 1
run_decode "$T/u" --convert-kaifareader
is "no file name: exit 2" "$(cat "$T/u.rc")" 2
run_convert "$T/u2" "$T/template.json" "$T/all.json"
is "two files: exit 2" "$(cat "$T/u2.rc")" 2
is "two files: nothing printed" "$(cat "$T/u2.out")" ""
run_convert "$T/u3" --bogus="$KEY"
is "unknown option: exit 2" "$(cat "$T/u3.rc")" 2
like "unknown option: named" "$(cat "$T/u3.err")" "'--bogus'"
is "unknown option: its value not echoed" "$(grep -ci "$KEY" "$T/u3.err")" 0
run_convert "$T/u4" -x.json
is "unknown short option: exit 2" "$(cat "$T/u4.rc")" 2
like "unknown short option: by its letter" "$(cat "$T/u4.err")" "option '-x' "
printf '{"key_hex_string": "%s" x}' "$KEY" >"$T/near.json"
run_convert "$T/s" "$T/near.json"
is "syntax error after the key: exit 1" "$(cat "$T/s.rc")" 1
like "syntax error after the key: line number" "$(cat "$T/s.err")" 'line 1: expected'
is "syntax error after the key: key not echoed" "$(grep -ci "$KEY" "$T/s.err")" 0
printf '{"baudrate": 2400.5}' >"$T/real.json"
run_convert "$T/r" "$T/real.json"
is "baudrate 2400.5: exit 1" "$(cat "$T/r.rc")" 1
like "baudrate 2400.5: says so" "$(cat "$T/r.err")" '"baudrate" must be a whole number'

# Escapes and numbers as strings are understood.
printf '{"port":"/dev/tty\\u0055SB1","baudrate":"9600","bytesize":7,"stopbits":1,"supplier":"evn"}' >"$T/esc.json"
run_convert "$T/e" "$T/esc.json"
like "\\u escape decoded" "$(cat "$T/e.out")" 'Device "/dev/ttyUSB1"'
like "baudrate as string" "$(cat "$T/e.out")" 'Baudrate 9600'
like "bytesize as number" "$(cat "$T/e.out")" 'DataBits 7'
like "supplier spelled canonically" "$(cat "$T/e.out")" 'Supplier "EVN"'

# --help, --version.
run_convert "$T/h" --help
is "--help: exit 0" "$(cat "$T/h.rc")" 0
like "--help: usage line" "$(cat "$T/h.out")" '^Usage: smartmeter-convert \[FILE\|-\]'
run_convert "$T/v" --version
is "--version: exit 0" "$(cat "$T/v.rc")" 0
like "--version: names the program" "$(cat "$T/v.out")" '^smartmeter-convert .*[0-9]+\.[0-9]+'

# Standard input: "-" and no argument read it, with the same result.
"$CONVERT" - <"$T/template.json" >"$T/i.out" 2>"$T/i.err"
is "stdin via -: exit 0" "$?" 0
is "stdin via -: same output as the file" "$(cat "$T/i.out")" "$(cat "$T/t.out")"
is "stdin via -: no stderr" "$(cat "$T/i.err")" ""
"$CONVERT" <"$T/all.json" >"$T/i2.out" 2>/dev/null
is "no argument reads stdin" "$(cat "$T/i2.out")" "$(cat "$T/a.out")"
printf '\357\273\277' | cat - "$T/template.json" >"$T/bom.json"
run_convert "$T/bom" "$T/bom.json"
is "byte order mark skipped" "$(cat "$T/bom.out")" "$(cat "$T/t.out")"

# Warnings: one line per setting that does not carry over, exit 0.
warnings() { grep -c '^smartmeter-convert: warning: ' "$1"; }
is "template: no warning" "$(warnings "$T/t.err")" 0
like "unknown key: warned" "$(cat "$T/a.err")" \
  '^smartmeter-convert: warning: meter.json key "color" is not a kaifareader setting'
like "mqtt topics: warned" "$(cat "$T/a.err")" 'warning: mqtt_basetopic: collectd publishes'
like "influxdb v2: warned" "$(cat "$T/a.err")" 'warning: influxdb_enabled: collectd has no InfluxDB v2 writer'
like "influxdb_measurement: warned" "$(cat "$T/a.err")" 'warning: influxdb_measurement: not carried over'
is "warnings never hold the key" "$(grep -ci "$KEY" "$T/a.err")" 0
unlike "warnings never hold the password" "$(cat "$T/a.err")" 'p\\?"w'
unlike "warnings never hold the token" "$(cat "$T/a.err")" 'tok[^e]en'
sed -e 's/"logging.DEBUG"/"logging.NOTSET"/' -e 's/"KSMWest"/"TINETZ"/' \
  -e 's/"mqtt_enabled": false/"mqtt_enabled": "yes"/' \
  -e 's/"baudrate": 2400,/"baudrate": 2400,\n  "baudrate": 9600,/' \
  "$T/template.json" >"$T/odd.json"
run_convert "$T/o" "$T/odd.json"
is "unmappable values: exit 0" "$(cat "$T/o.rc")" 0
like "loglevel NOTSET: warned" "$(cat "$T/o.err")" 'warning: loglevel "logging.NOTSET" has no collectd LogLevel'
like "supplier TINETZ: warned" "$(cat "$T/o.err")" 'warning: supplier "TINETZ" is not KSMWest, EVN or auto'
unlike "supplier TINETZ: left out" "$(cat "$T/o.out")" 'Supplier'
like "mqtt_enabled yes: warned" "$(cat "$T/o.err")" 'warning: mqtt_enabled is neither true nor false'
unlike "mqtt_enabled yes: no mqtt block" "$(cat "$T/o.out")" 'LoadPlugin mqtt'
like "a setting twice: warned" "$(cat "$T/o.err")" 'warning: line 5: a setting is given twice'
like "a setting twice: the last counts" "$(cat "$T/o.out")" 'Baudrate 9600'
is "one line per warning" "$(wc -l <"$T/o.err")" 4
is "every stderr line is a warning" "$(warnings "$T/o.err")" 4

# A key written into a file that group or others can read is warned about;
# into a 0600 file or a pipe it is not.
exposed='warning: the output file holds the key.* group or others can read it'
(umask 022 && "$CONVERT" "$T/all.json" >"$T/w.conf" 2>"$T/w.err")
is "0644 file with the key: exit 0" "$?" 0
is "0644 file: mode as the test meant" "$(stat -c %a "$T/w.conf")" 644
like "0644 file with the key: warned" "$(cat "$T/w.err")" "$exposed"
like "... naming password and token too" "$(cat "$T/w.err")" \
  'holds the key, the MQTT password and the InfluxDB token'
like "... suggests KeyFile and umask 077" "$(cat "$T/w.err")" 'umask 077.*KeyFile'
is "... once" "$(grep -c 'group or others' "$T/w.err")" 1
is "... the file holds the configuration" "$(cat "$T/w.conf")" "$(cat "$T/a.out")"
(umask 077 && "$CONVERT" "$T/all.json" >"$T/w600.conf" 2>"$T/w600.err")
is "0600 file: mode as the test meant" "$(stat -c %a "$T/w600.conf")" 600
unlike "0600 file with the key: no such warning" "$(cat "$T/w600.err")" 'group or others'
like "0600 file: the other warnings stay" "$(cat "$T/w600.err")" 'meter.json key "color"'
(umask 022 && "$CONVERT" "$T/all.json" 2>"$T/pipe.err" | cat >/dev/null)
unlike "pipe with the key: no such warning" "$(cat "$T/pipe.err")" 'group or others'
(umask 022 && "$CONVERT" "$T/template.json" >"$T/w2.conf" 2>"$T/w2.err")
is "0644 file without a key: no warning" "$(cat "$T/w2.err")" ""
sed 's/"mqtt_enabled": false/"mqtt_enabled": true/; s/"mqtt_password": ""/"mqtt_password": "pw"/' \
  "$T/template.json" >"$T/pw.json"
(umask 022 && "$CONVERT" "$T/pw.json" >"$T/w3.conf" 2>"$T/w3.err")
like "0644 file with only a password: warned" "$(cat "$T/w3.err")" \
  'holds the MQTT password and group or others'

# smartmeter-decode --convert-kaifareader runs smartmeter-convert: from
# $PATH here (the build tree keeps them in two directories), from its own
# directory once installed side by side; without one it says where it went.
for f in template all; do
  PATH="$SM_BUILDDIR/convert:$PATH" "$DECODE" --convert-kaifareader "$T/$f.json" \
    >"$T/d$f.out" 2>"$T/d$f.err" </dev/null
  is "decode --convert-kaifareader $f: exit 0" "$?" 0
  is "decode --convert-kaifareader $f: the same block" "$(cat "$T/d$f.out")" \
    "$(cat "$T/${f:0:1}.out")"
  is "decode --convert-kaifareader $f: the same warnings" \
    "$(grep -v 'group or others' "$T/d$f.err")" \
    "$(grep -v 'group or others' "$T/${f:0:1}.err")"
done
PATH="$SM_BUILDDIR/convert:$PATH" "$DECODE" --convert-kaifareader "$T/bad.json" \
  >"$T/dbad.out" 2>"$T/dbad.err" </dev/null
is "decode --convert-kaifareader, invalid file: exit 1" "$?" 1
like "decode --convert-kaifareader, invalid file: the message" "$(cat "$T/dbad.err")" 'line 4: expected'
mkdir -p "$T/bin"
cp "$DECODE" "$CONVERT" "$T/bin/"
PATH=/nonexistent "$T/bin/smartmeter-decode" --convert-kaifareader "$T/template.json" \
  >"$T/dself.out" 2>"$T/dself.err" </dev/null
is "installed side by side: found without PATH" "$?" 0
is "installed side by side: the same block" "$(cat "$T/dself.out")" "$(cat "$T/t.out")"
PATH=/nonexistent "$DECODE" --convert-kaifareader "$T/template.json" \
  >"$T/dnone.out" 2>"$T/dnone.err" </dev/null
is "no smartmeter-convert anywhere: exit 1" "$?" 1
like "no smartmeter-convert anywhere: says where it went" "$(cat "$T/dnone.err")" \
  'now the program smartmeter-convert .*Run: smartmeter-convert '
is "no smartmeter-convert anywhere: nothing printed" "$(cat "$T/dnone.out")" ""

done_testing
