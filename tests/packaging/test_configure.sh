#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_configure.sh - configure and `make install` as a new user runs them:
#  - without cmocka (a pkg-config path without cmocka.pc) configure
#    succeeds and says the tests are disabled; everything else builds;
#    `make check` then fails with that message;
#  - without jansson configure stops and names the Debian package;
#  - `make install DESTDIR=...` with no configure options puts the plugin
#    exactly where `collectd -h` says, with no .la beside it, plus the CLI
#    smartmeter-convert and the man pages; `make uninstall` takes every
#    file away again;
#  - the plugin directory comes from collectd -h, falls back to
#    /usr/lib/collectd without a collectd, and --with-plugindir wins;
#    --disable-werror drops -Werror.
. "$SM_SRCDIR/tests/tap.sh"

[ -x "$SM_SRCDIR/configure" ] || bail "no $SM_SRCDIR/configure (autoreconf -fi)"
command -v collectd >/dev/null || bail "collectd not installed (collectd-core)"
T=$(mktemp -d "${TMPDIR:-/tmp}/sm-configure.XXXXXX") || bail "mktemp"
trap 'rm -rf "$T"' EXIT
# A build of our own, not the caller's make: no jobserver, no make flags.
unset MAKEFLAGS MFLAGS MAKELEVEL

# Every .pc file pkg-config knows, except cmocka's ($T/pc) or jansson's
# ($T/pc-nojansson).
mkdir -p "$T/pc" "$T/pc-nojansson"
for d in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
  for f in "$d"/*.pc; do
    [ -f "$f" ] || continue
    [ "$(basename "$f")" != cmocka.pc ] && ln -sf "$f" "$T/pc/$(basename "$f")"
    [ "$(basename "$f")" != jansson.pc ] &&
      ln -sf "$f" "$T/pc-nojansson/$(basename "$f")"
  done
done
no_cmocka() { ! PKG_CONFIG_LIBDIR=$T/pc pkg-config --exists cmocka; }
ok "the pkg-config path has no cmocka" no_cmocka
ok "... but has libgcrypt and libserialport" \
  env PKG_CONFIG_LIBDIR="$T/pc" pkg-config --exists libgcrypt libserialport

mkdir -p "$T/nj"
rc=0
(cd "$T/nj" && PKG_CONFIG_LIBDIR=$T/pc-nojansson "$SM_SRCDIR/configure") \
  >"$T/nj.out" 2>&1 || rc=$?
ok "configure without jansson fails" test "$rc" -ne 0
like "configure without jansson names the package" "$(cat "$T/nj.out")" \
  'error: jansson >= [0-9.]+ not found: smartmeter-convert needs it \(Debian: apt-get install libjansson-dev\)'

msg='cmocka not found: tests are disabled, make check will fail'
mkdir -p "$T/b"
cd "$T/b" || bail "cd"
rc=0
PKG_CONFIG_LIBDIR=$T/pc "$SM_SRCDIR/configure" >"$T/configure.out" 2>&1 || rc=$?
is "configure without cmocka succeeds" "$rc" 0
like "configure says the tests are disabled" "$(cat "$T/configure.out")" "$msg"
like "configure's summary: unit tests no" "$(cat "$T/configure.out")" \
  'unit tests: +no \(cmocka\)'

rc=0
nice make -j2 >"$T/make.out" 2>&1 || rc=$?
is "make without cmocka builds (plugin, CLI, tools)" "$rc" 0
[ "$rc" -eq 0 ] || diag "$(tail -20 "$T/make.out")"

rc=0
make check >"$T/check.out" 2>&1 || rc=$?
ok "make check without cmocka fails" test "$rc" -ne 0
like "make check says why" "$(cat "$T/check.out")" "$msg"
unlike "make check stops before compiling a test" "$(cat "$T/check.out")" \
  'cmocka\.h'

# The plugin directory collectd itself reports.
want=$(collectd -h | sed -n 's/^ *Plugin directory  *//p')
diag "collectd -h: plugin directory $want"
ok "collectd -h names a plugin directory" test -n "$want"
rc=0
make install DESTDIR="$T/dest" >"$T/install.out" 2>&1 || rc=$?
is "make install DESTDIR (no configure options)" "$rc" 0
ok "smartmeter.so is where collectd -h says ($want)" \
  test -f "$T/dest$want/smartmeter.so"
is "no .la installed anywhere" "$(cd "$T/dest" && find . -name '*.la')" ""
is "the plugin directory holds only smartmeter.so" \
  "$(ls -A "$T/dest$want")" "smartmeter.so"
ok "smartmeter-decode in /usr/local/bin" \
  test -x "$T/dest/usr/local/bin/smartmeter-decode"
ok "collectd-smartmeter(5) installed" \
  test -f "$T/dest/usr/local/share/man/man5/collectd-smartmeter.5"
ok "smartmeter-decode(1) installed" \
  test -f "$T/dest/usr/local/share/man/man1/smartmeter-decode.1"
ok "smartmeter-convert in /usr/local/bin" \
  test -x "$T/dest/usr/local/bin/smartmeter-convert"
ok "smartmeter-convert(1) installed" \
  test -f "$T/dest/usr/local/share/man/man1/smartmeter-convert.1"
rc=0
make uninstall DESTDIR="$T/dest" >"$T/uninstall.out" 2>&1 || rc=$?
is "make uninstall" "$rc" 0
is "make uninstall leaves no file behind" \
  "$(cd "$T/dest" && find . ! -type d)" ""

# configure alone for the plugin directory and -Werror. (No cache file:
# COLLECTD is a precious variable, configure refuses a cache made with
# another value.)
value() { sed -n "s/^$1 = //p" Makefile; }
reconf() { # dir args... (COLLECTD etc. from the caller's environment)
  mkdir -p "$T/$1" && cd "$T/$1" || return 1
  shift
  "$SM_SRCDIR/configure" -q "$@" >"$T/reconf.out" 2>&1
}
printf '#!/bin/sh\necho "Builtin defaults:"\necho "  Plugin directory  /opt/fake/lib/collectd"\n' \
  >"$T/fake-collectd"
chmod +x "$T/fake-collectd"
rc=0
COLLECTD=$T/fake-collectd reconf fake --disable-werror || rc=$?
is "configure with a collectd that prints /opt/fake/lib/collectd" "$rc" 0
is "plugin dir parsed from collectd -h" "$(value plugindir)" /opt/fake/lib/collectd
unlike "--disable-werror: no -Werror" "$(value WARN_CFLAGS)" '-Werror'
cd "$T/b" || bail "cd"
like "default build: -Werror" "$(value WARN_CFLAGS)" '-Werror'

COLLECTD=/bin/false reconf nocollectd || bail "configure failed: $(cat "$T/reconf.out")"
is "no usable collectd: /usr/lib/collectd" "$(value plugindir)" /usr/lib/collectd
COLLECTD=$T/fake-collectd reconf override --with-plugindir=/opt/x ||
  bail "configure failed: $(cat "$T/reconf.out")"
is "--with-plugindir wins over collectd -h" "$(value plugindir)" /opt/x

done_testing
