# SPDX-License-Identifier: MIT
# tests/sim: meter simulator (pty replay via socat), a libserialport pty
# shim (test-only LD_PRELOAD), a port reader helper and the port tests.
check_PROGRAMS += tests/sim/port-cat
tests_sim_port_cat_SOURCES = tests/sim/port-cat.c
tests_sim_port_cat_LDADD = port/libsmport.la

# sm_port_read_wake(), the reader thread's wait (cmocka; a pty and a pipe).
check_PROGRAMS += tests/sim/test_port_wake
TESTS += tests/sim/test_port_wake
tests_sim_test_port_wake_SOURCES = tests/sim/test_port_wake.c
tests_sim_test_port_wake_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/port
tests_sim_test_port_wake_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_sim_test_port_wake_LDADD = port/libsmport.la $(CMOCKA_LIBS) -lpthread

# Built as a module (a real .so, never installed): see the source header.
# No sanitizer flags: an ASan-instrumented preload would have to come after
# libasan; test_port.sh puts libasan first in sanitizer builds instead.
check_LTLIBRARIES += tests/sim/libsmptyshim.la
tests_sim_libsmptyshim_la_SOURCES = tests/sim/serialport-pty-shim.c
tests_sim_libsmptyshim_la_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN_CFLAGS)
tests_sim_libsmptyshim_la_LDFLAGS = -module -avoid-version -rpath /nowhere
tests_sim_libsmptyshim_la_LIBADD = -ldl

TESTS += tests/sim/test_port.sh tests/sim/test_port_parity.sh \
	tests/sim/test_uart.sh
dist_noinst_SCRIPTS += tests/sim/meter-sim tests/sim/test_port.sh \
	tests/sim/test_port_parity.sh tests/sim/test_uart.sh
# The UART line model both simulators import from their own directory.
EXTRA_DIST += tests/sim/README.md tests/sim/uartsim.py tests/sim/sim-lib.sh

# The two-way AMIS meter (tests/e2e/test_amis*.sh use it).
dist_noinst_SCRIPTS += tests/sim/amis-sim
