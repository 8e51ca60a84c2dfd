# SPDX-License-Identifier: MIT
# tests/packaging: the install path and the Debian package (issue 11), TAP
# shell tests through tests/tap.sh.
#  test_keyfile.sh    plugin and CLI read key files alike (warning, limit)
#  test_bootstrap.sh  scripts/bootstrap.sh with stubbed apt-get: package
#                     lists, policy-rc.d, no systemctl stop/disable/mask
#  test_spdx_tool.sh  scripts/spdx.sh --check / --fix on fixtures
# Not in TESTS: INSTALL_TESTS, which scripts/test.sh runs as a step of its
# own after distcheck (they build whole trees, and test_deb.sh needs root
# and changes the system's package set for a minute):
#  test_configure.sh  configure without cmocka (tests disabled, make check
#                     fails with the message); make install DESTDIR with no
#                     options lands where `collectd -h` says, no .la;
#                     uninstall; plugin-dir detection; --disable-werror
#  test_deb.sh        builds the .deb from the `make dist` tree, contents,
#                     lintian, dpkg -i, collectd -T and a short run, purge.
#  test_spdx.sh       every source file has its SPDX line.
PACKAGING_TESTS = \
	tests/packaging/test_keyfile.sh \
	tests/packaging/test_bootstrap.sh \
	tests/packaging/test_spdx_tool.sh \
	tests/packaging/test_spdx.sh
INSTALL_TESTS = \
	tests/packaging/test_configure.sh \
	tests/packaging/test_deb.sh
TESTS += $(PACKAGING_TESTS)
dist_noinst_SCRIPTS += $(PACKAGING_TESTS) $(INSTALL_TESTS)
