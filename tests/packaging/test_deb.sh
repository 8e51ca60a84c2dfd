#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_deb.sh - the Debian package as a user gets it:
#  1. the tree of `make dist` (only what the tarball ships) in a temp dir,
#     `dpkg-buildpackage -b -us -uc` there (DEB_BUILD_OPTIONS=nocheck: the
#     unit tests run in their own step);
#  2. the .deb's files (exactly the expected list: plugin in the directory
#     `collectd -h` names, no .la), no maintainer scripts, the collectd-core
#     version range, lintian without errors;
#  3. dpkg -i; Debian's stock collectd.conf (with paths moved to the temp
#     dir and the host-measuring plugins left out) plus a collectd.conf.d
#     snippet with the plugin block and no PluginDir: `collectd -T` passes,
#     and a short foreground run writes the simulated meter's values to
#     the csv and the stock rrdtool writer;
#  4. dpkg -r and -P: every file of `dpkg -L` is gone, dpkg knows nothing.
# It never starts, stops or restarts the collectd service: its collectd
# runs in the foreground with its own PID file; a system collectd's PID
# file must be unchanged afterwards. Needs root (dpkg -i).
. "$SM_SRCDIR/tests/e2e/e2e-lib.sh"
e2e_setup 600

PKG=collectd-smartmeter
[ "$(id -u)" -eq 0 ] || bail "needs root (dpkg -i / dpkg -P)"
for t in dpkg-buildpackage dpkg-deb lintian dh; do
  command -v "$t" >/dev/null || bail "missing $t (scripts/bootstrap.sh --tests)"
done
stock=/usr/share/doc/collectd-core/examples/collectd.conf
[ -f "$stock" ] || bail "missing $stock (collectd-core)"
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'ok installed'; then
  bail "$PKG is installed on this machine: not replacing it"
fi
# A clean environment for the package build: not our make's jobserver.
unset MAKEFLAGS MFLAGS MAKELEVEL

plugindir=$(collectd -h | sed -n 's/^ *Plugin directory  *//p')
sys_pidfile=/run/collectd.pid
[ -e "$sys_pidfile" ] || sys_pidfile=/var/run/collectd.pid
sys_pid_before=$(stat -c '%Y %s' "$sys_pidfile" 2>/dev/null; cat "$sys_pidfile" 2>/dev/null)

installed_by_us=
deb_cleanup() {
  # Only if this test installed it, and only the package itself.
  [ -n "$installed_by_us" ] && dpkg -P "$PKG" >/dev/null 2>&1
  e2e_cleanup
}
trap deb_cleanup EXIT

# dpkg waits for nobody: retry while another apt/dpkg holds the lock.
dpkg_locked() { # dpkg args...
  local i
  for i in $(seq 60); do
    dpkg "$@" >"$E2E_TMP/dpkg.out" 2>&1 && return 0
    grep -qi 'lock' "$E2E_TMP/dpkg.out" || return 1
    sleep 2
  done
  return 1
}

# ---- 1. build from the dist tree -------------------------------------------
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$SM_BUILDDIR/Makefile")
src=$E2E_TMP/deb/$PKG-$version
mkdir -p "$E2E_TMP/deb"
rc=0
make -s -C "$SM_BUILDDIR" distdir distdir="$src" top_distdir="$src" \
  >"$E2E_TMP/distdir.out" 2>&1 || rc=$?
is "make distdir (the tarball's tree)" "$rc" 0
ok "the dist tree has debian/rules" test -x "$src/debian/rules"
rc=0
(cd "$src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -b -us -uc) \
  >"$E2E_TMP/build.log" 2>&1 || rc=$?
is "dpkg-buildpackage -b -us -uc" "$rc" 0
[ "$rc" -eq 0 ] || diag "$(tail -30 "$E2E_TMP/build.log")"
like "nocheck: no tests ran" "$(cat "$E2E_TMP/build.log")" 'override_dh_auto_test'
unlike "nocheck: ... really none" "$(cat "$E2E_TMP/build.log")" '^# TOTAL:'
deb=$(find "$E2E_TMP/deb" -maxdepth 1 -name "${PKG}_${version}_*.deb" | head -1)
[ -f "$deb" ] || bail "no .deb built: $(tail -20 "$E2E_TMP/build.log")"
diag "built $(basename "$deb")"

# ---- 2. contents, control data, lintian -------------------------------------
files=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | grep -v '/$' | sort)
want=$(sort <<EOF
.$plugindir/smartmeter.so
./usr/bin/smartmeter-convert
./usr/bin/smartmeter-decode
./usr/share/doc/$PKG/README.md.gz
./usr/share/doc/$PKG/changelog.gz
./usr/share/doc/$PKG/copyright
./usr/share/doc/$PKG/examples/collectd.conf.example
./usr/share/man/man1/smartmeter-convert.1.gz
./usr/share/man/man1/smartmeter-decode.1.gz
./usr/share/man/man5/collectd-smartmeter.5.gz
EOF
)
is "the .deb holds exactly the expected files" "$files" "$want"
dpkg-deb -c "$deb" | sed 's/^/#   /'
is "smartmeter.so is not executable (a module)" \
  "$(dpkg-deb -c "$deb" | awk -v p=".$plugindir/smartmeter.so" '$6 == p { print $1 }')" \
  "-rw-r--r--"
is "no maintainer scripts (nothing restarts collectd)" \
  "$(dpkg-deb --ctrl-tarfile "$deb" | tar -t | sed 's|^\./||' | grep -v '^$' | sort | tr '\n' ' ')" \
  "control md5sums "
cv=$(dpkg-query -W -f='${Version}' collectd-core)
rel=${cv%-*}
next=$(awk -F. '{ print $1 "." $2 + 1 }' <<<"$rel")
depends=$(dpkg-deb -f "$deb" Depends)
like "Depends: collectd-core (>= $rel), collectd-core (<< $next)" "$depends" \
  "collectd-core \(>= ${rel//./\\.}\), collectd-core \(<< ${next//./\\.}\)"
like "Depends: the libraries" "$depends" 'libgcrypt20.*libserialport0'
like "Depends: jansson (smartmeter-convert)" "$depends" 'libjansson4'

rc=0
lint=$(lintian --allow-root --fail-on error --display-level '>=pedantic' \
  --info "$deb" 2>&1) || rc=$?
is "lintian --fail-on error" "$rc" 0
is "lintian: no errors" "$(grep '^E:' <<<"$lint")" ""
diag "lintian (pedantic and up): ${lint:-no tags}"

# ---- 3. install, stock configuration, run ----------------------------------
ok "dpkg -i" dpkg_locked -i "$deb"
installed_by_us=1
[ -n "$(cat "$E2E_TMP/dpkg.out")" ] && sed 's/^/#   /' "$E2E_TMP/dpkg.out"
is "dpkg: installed" "$(dpkg-query -W -f='${Status}' "$PKG")" "install ok installed"
dpkg -L "$PKG" | sort >"$E2E_TMP/dpkg-L"
list_files() { while read -r p; do [ -d "$p" ] || echo "$p"; done <"$E2E_TMP/dpkg-L"; }
all_there() { while read -r p; do [ -e "$p" ] || return 1; done <"$E2E_TMP/dpkg-L"; }
ok "dpkg -L: every file is there" all_there
is "dpkg -L: the plugin is in collectd's plugin directory" \
  "$(list_files | grep 'smartmeter\.so$')" "$plugindir/smartmeter.so"
ok "man collectd-smartmeter finds the page" \
  bash -c 'man -w collectd-smartmeter | grep -q "/usr/share/man/man5/collectd-smartmeter.5"'

e2e_telegrams vkw "$E2E_VKW" 120
e2e_sim_start vkw 1 --pace 0.5
d=$E2E_TMP/stock.d
mkdir -p "$d/conf.d"
(umask 077 && e2e_key_of "$E2E_VKW" >"$d/home.key")
# Debian's stock file: global settings for this test first, then the file
# with its logging, writer and include paths moved here, and the plugins
# that measure the host (battery, cpu, df...) left out: they say nothing
# about this package and fail in containers.
{
  printf 'Hostname "%s"\nBaseDir "%s"\nPIDFile "%s/collectd.pid"\nInterval 1\n' \
    "$E2E_HOST" "$d" "$d"
  sed -e 's/^FQDNLookup true/FQDNLookup false/' \
    -e 's/^LoadPlugin syslog$/LoadPlugin logfile/' \
    -e 's|^<Plugin syslog>|<Plugin logfile>\n\tFile "'"$d"'/collectd.log"|' \
    -e 's|"/var/lib/collectd/rrd"|"'"$d"'/rrd"|' \
    -e 's|^<Include "/etc/collectd/collectd.conf.d">|<Include "'"$d"'/conf.d">|' \
    -e '/^LoadPlugin \(battery\|cpu\|df\|disk\|entropy\|interface\|irq\|load\|memory\|processes\|swap\|users\)$/s/^/#/' \
    "$stock"
} >"$d/collectd.conf"
cat >"$d/conf.d/smartmeter.conf" <<EOF
LoadPlugin csv
<Plugin csv>
  DataDir "$d/csv"
  StoreRates false
</Plugin>
LoadPlugin smartmeter
<Plugin smartmeter>
  <Meter "home">
    Device "$E2E_TMP/vkw.tty"
    KeyFile "$d/home.key"
  </Meter>
</Plugin>
EOF
conf=$(cat "$d/collectd.conf" "$d/conf.d/smartmeter.conf")
is "configuration: no PluginDir line" "$(grep -iE '^[[:space:]]*PluginDir' <<<"$conf")" ""
is "configuration: no TypesDB line" "$(grep -iE '^[[:space:]]*TypesDB' <<<"$conf")" ""
is "configuration: nothing points at the system's files" \
  "$(grep -nE '^[^#]*"/(var|etc|run)/' <<<"$conf")" ""
like "configuration: the stock rrdtool writer is kept" "$conf" $'\nLoadPlugin rrdtool\n'

rc=0
timeout 60 collectd -T -C "$d/collectd.conf" >"$d/T.out" 2>&1 || rc=$?
is "collectd -T on the stock-style configuration" "$rc" 0
log=$(cat "$d/collectd.log" "$d/T.out" 2>/dev/null)
like "collectd loaded the installed plugin" "$log" \
  'plugin_load: plugin "smartmeter" successfully loaded'
like "the plugin started its meter" "$log" 'smartmeter plugin: version .*, 1 meter\(s\)'
unlike "no 'Could not find plugin'" "$log" 'Could not find plugin'
[ "$rc" -eq 0 ] || diag "$(tail -20 "$d/collectd.log")"

rm -f "$d/collectd.log"
collectd -f -C "$d/collectd.conf" >"$d/stdout" 2>&1 &
E2E_COLLECTD_PID=$!
E2E_PIDS+=("$E2E_COLLECTD_PID")
ok "values arrive in the csv writer" \
  wait_until 60 e2e_rows_at_least stock home energy_wh-import 2
is_num "csv: energy_wh-import" "$(e2e_csv_last stock home energy_wh-import)" 3744082
is_num "csv: power-import" "$(e2e_csv_last stock home power-import)" 53
is_num "csv: voltage-l2" "$(e2e_csv_last stock home voltage-l2)" 232.8
ok "the stock rrdtool writer gets them too" \
  wait_until 30 test -s "$d/rrd/$E2E_HOST/smartmeter-home/power-import.rrd"
ok "collectd stops on SIGTERM" test -n "$(e2e_collectd_stop)"
is "log: no errors" "$(grep '\[error\]' "$d/collectd.log")" ""

# ---- 4. remove and purge -----------------------------------------------------
ok "dpkg -r" dpkg_locked -r "$PKG"
left=$(list_files | while read -r p; do [ -e "$p" ] && echo "$p"; done)
is "after dpkg -r: none of the package's files is left" "$left" ""
ok "dpkg -P" dpkg_locked -P "$PKG"
installed_by_us=
is "after dpkg -P: dpkg knows nothing of it" \
  "$(dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null)" ""
is "after dpkg -P: no dpkg info files" \
  "$(ls /var/lib/dpkg/info/"$PKG".* 2>/dev/null)" ""
is "after dpkg -P: its own directories are gone" \
  "$(ls -d /usr/share/doc/"$PKG" 2>/dev/null)" ""
ok "collectd's plugin directory itself stays" test -d "$plugindir"
is "a system collectd's PID file is unchanged" \
  "$(stat -c '%Y %s' "$sys_pidfile" 2>/dev/null; cat "$sys_pidfile" 2>/dev/null)" \
  "$sys_pid_before"

done_testing
