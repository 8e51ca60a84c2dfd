# tests/faults: fault tests end to end (issue 5, items 3-6) through Debian's
# real collectd with the plugin from this build, simulated meters
# (tests/sim/meter-sim) and the helpers of tests/e2e/e2e-lib.sh; see
# tests/faults/README.md. soak.sh is a script for release figures, not a
# test (10 minutes).
# The telegrams come from tests/e2e/sm-forge (chosen frame counters,
# SC 0x30 with an auth key, the power value set to the frame counter).

FAULT_TESTS = \
	tests/faults/test_replay.sh \
	tests/faults/test_auth.sh \
	tests/faults/test_noise.sh \
	tests/faults/test_split.sh \
	tests/faults/test_partial.sh \
	tests/faults/test_unplug.sh \
	tests/faults/test_many_meters.sh \
	tests/faults/test_valgrind.sh \
	tests/faults/test_key_hygiene.sh
TESTS += $(FAULT_TESTS)
dist_noinst_SCRIPTS += $(FAULT_TESTS) tests/faults/faults-lib.sh \
	tests/faults/soak.sh tests/faults/fdwatch
EXTRA_DIST += tests/faults/README.md tests/faults/valgrind.supp
