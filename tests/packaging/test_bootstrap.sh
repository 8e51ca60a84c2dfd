#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_bootstrap.sh - scripts/bootstrap.sh leaves the user's services alone
# and installs only what is asked for. apt-get, dpkg-query, sudo and
# systemctl are stubs here (recording their calls), and policy-rc.d goes to
# a file of the test's (SM_BOOTSTRAP_POLICY_RC_D): nothing is installed.
#  - no script or test runs systemctl stop / disable / mask;
#  - nothing missing: no apt-get at all;
#  - the plain install lists only build packages; --demo and --tests add
#    theirs;
#  - during apt-get install a policy-rc.d forbids starting services (exit
#    101); afterwards it is gone, or the user's own one is back unchanged,
#    also when apt-get fails.
. "$SM_SRCDIR/tests/tap.sh"

BOOT=$SM_SRCDIR/scripts/bootstrap.sh
[ -x "$BOOT" ] || bail "missing $BOOT"
T=$(mktemp -d "${TMPDIR:-/tmp}/sm-bootstrap.XXXXXX") || bail "mktemp"
trap 'rm -rf "$T"' EXIT
POLICY=$T/policy-rc.d
mkdir -p "$T/bin"

# dpkg-query: every package installed (STUB_INSTALLED=all) or none.
cat >"$T/bin/dpkg-query" <<'EOF'
#!/bin/sh
[ "$STUB_INSTALLED" = all ] && printf 'install ok installed' && exit 0
exit 1
EOF
# apt-get: log the call; on install also what policy-rc.d answers now.
cat >"$T/bin/apt-get" <<'EOF'
#!/bin/sh
echo "apt-get $*" >>"$STUB_LOG"
case " $* " in
*" install "*)
  if [ -x "$SM_BOOTSTRAP_POLICY_RC_D" ]; then
    "$SM_BOOTSTRAP_POLICY_RC_D" mosquitto start
    echo "policy-rc.d says $?" >>"$STUB_LOG"
  else
    echo "policy-rc.d absent" >>"$STUB_LOG"
  fi
  [ -z "$STUB_APT_FAIL" ] || exit 100 ;;
esac
exit 0
EOF
cat >"$T/bin/systemctl" <<'EOF'
#!/bin/sh
echo "systemctl $*" >>"$STUB_LOG"
EOF
printf '#!/bin/sh\nexec "$@"\n' >"$T/bin/sudo"
chmod +x "$T"/bin/*

boot() { # name [STUB_...=x] -- bootstrap args...: log in $T/name.log
  local name=$1 envs=()
  shift
  while [ "$1" != -- ]; do envs+=("$1") && shift; done
  shift
  : >"$T/$name.log"
  env PATH="$T/bin:$PATH" STUB_LOG="$T/$name.log" \
    SM_BOOTSTRAP_POLICY_RC_D="$POLICY" "${envs[@]}" \
    "$BOOT" --install-only "$@" >"$T/$name.out" 2>&1
}
installed() { sed -n 's/^apt-get .*install //p' "$T/$1.log"; }

found=$(grep -rnIE 'systemctl[^#]*[[:space:]](stop|disable|mask)([[:space:]]|$)' \
  "$SM_SRCDIR/scripts" "$SM_SRCDIR/tests" "$SM_SRCDIR/.ci" 2>/dev/null |
  grep -v 'test_bootstrap\.sh')
is "no systemctl stop/disable/mask in scripts/ tests/ .ci/" "$found" ""

boot all STUB_INSTALLED=all --
is "everything present: exit 0" "$?" 0
is "everything present: no apt-get" "$(cat "$T/all.log")" ""

boot build STUB_INSTALLED=none --
is "plain: exit 0" "$?" 0
like "plain: apt-get update first" "$(head -1 "$T/build.log")" '^apt-get update'
pkgs=" $(installed build) "
for p in gcc make autoconf automake libtool pkg-config libgcrypt20-dev \
  libserialport-dev libjansson-dev collectd-dev; do
  like "plain: installs $p (build)" "$pkgs" " $p "
done
for p in libcmocka-dev mosquitto influxdb ser2net socat rrdtool valgrind \
  clang lintian collectd-utils; do
  unlike "plain: not $p (tests/demo only)" "$pkgs" " $p "
done
like "plain: --no-install-recommends" "$pkgs" ' --no-install-recommends '
is "plain: policy-rc.d forbids starts during apt-get install" \
  "$(grep policy-rc.d "$T/build.log")" "policy-rc.d says 101"
ok "plain: policy-rc.d gone afterwards" test ! -e "$POLICY"

boot demo STUB_INSTALLED=none -- --demo
pkgs=" $(installed demo) "
for p in socat rrdtool python3 collectd-utils collectd-dev; do
  like "--demo: installs $p" "$pkgs" " $p "
done
unlike "--demo: no servers of the tests" "$pkgs" ' (mosquitto|influxdb|ser2net) '

boot tests STUB_INSTALLED=none -- --tests
pkgs=" $(installed tests) "
for p in libcmocka-dev python3-cryptography mosquitto influxdb ser2net socat lintian debhelper \
  dpkg-dev collectd-dev; do
  like "--tests: installs $p" "$pkgs" " $p "
done
is "--tests: policy-rc.d forbids starting the new servers" \
  "$(grep policy-rc.d "$T/tests.log")" "policy-rc.d says 101"

printf '#!/bin/sh\n# the user'"'"'s own\nexit 0\n' >"$POLICY"
chmod 755 "$POLICY"
cp -p "$POLICY" "$T/policy.orig"
boot own STUB_INSTALLED=none -- --tests
is "own policy-rc.d: ours is used during apt-get" \
  "$(grep policy-rc.d "$T/own.log")" "policy-rc.d says 101"
ok "own policy-rc.d: put back unchanged" cmp "$POLICY" "$T/policy.orig"
ok "own policy-rc.d: still executable" test -x "$POLICY"
ok "no saved copy left" test ! -e "$POLICY.collectd-smartmeter-saved"

rc=0
boot fail STUB_INSTALLED=none STUB_APT_FAIL=1 -- --tests || rc=$?
ok "apt-get failing: bootstrap fails" test "$rc" -ne 0
ok "apt-get failing: own policy-rc.d put back" cmp "$POLICY" "$T/policy.orig"
rm -f "$POLICY"
rc=0
boot fail2 STUB_INSTALLED=none STUB_APT_FAIL=1 -- || rc=$?
ok "apt-get failing (no own policy): policy-rc.d gone" test ! -e "$POLICY"

is "systemctl never called" "$(cat "$T"/*.log | grep '^systemctl')" ""

done_testing
