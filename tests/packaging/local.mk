# SPDX-License-Identifier: MIT
# tests/packaging: the install path and the Debian package (issue 11), TAP
# shell tests through tests/tap.sh.
#  test_configure.sh  configure without cmocka (tests disabled, make check
#                     fails with the message); make install DESTDIR with no
#                     options lands where `collectd -h` says, no .la;
#                     uninstall; plugin-dir detection; --disable-werror
#  test_keyfile.sh    plugin and CLI read key files alike (warning, limit)
#  test_bootstrap.sh  scripts/bootstrap.sh with stubbed apt-get: package
#                     lists, policy-rc.d, no systemctl stop/disable/mask
#  test_spdx_tool.sh  scripts/spdx.sh --check / --fix on fixtures
# Not in TESTS:
#  test_deb.sh        (DEB_TESTS) builds the .deb from `make dist`, lintian,
#                     dpkg -i, collectd -T and a short run, purge. Needs
#                     root and changes the system's package set for a
#                     minute: scripts/test.sh runs it as its own step.
#  test_spdx.sh       every source file has its SPDX line: fails until
#                     `scripts/spdx.sh --fix` has been applied to the tree.
PACKAGING_TESTS = \
	tests/packaging/test_configure.sh \
	tests/packaging/test_keyfile.sh \
	tests/packaging/test_bootstrap.sh \
	tests/packaging/test_spdx_tool.sh
DEB_TESTS = tests/packaging/test_deb.sh
TESTS += $(PACKAGING_TESTS)
dist_noinst_SCRIPTS += $(PACKAGING_TESTS) $(DEB_TESTS) \
	tests/packaging/test_spdx.sh
