# SPDX-License-Identifier: MIT
# tests/outputs: every output route proven against the real server.
#  - test_*.sh: end-to-end tests (TAP via tests/tap.sh, helpers in
#    outputs-lib.sh on top of tests/e2e/e2e-lib.sh). Each starts its own
#    server(s) on 127.0.0.1 on free ports in a temp dir and stops them;
#    a missing server is a failure, never a skip. ROUTES.md documents them.
OUTPUTS_E2E_TESTS = \
	tests/outputs/test_mqtt.sh \
	tests/outputs/test_influxdb.sh \
	tests/outputs/test_prometheus.sh \
	tests/outputs/test_rrd.sh \
	tests/outputs/test_execd.sh \
	tests/outputs/test_tcp.sh \
	tests/outputs/test_ser2net.sh \
	tests/outputs/test_solarview_e2e.sh

TESTS += $(OUTPUTS_E2E_TESTS)
dist_noinst_SCRIPTS += $(OUTPUTS_E2E_TESTS) \
	tests/outputs/outputs-lib.sh tests/outputs/check-png.py
EXTRA_DIST += tests/outputs/ROUTES.md
