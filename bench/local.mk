# SPDX-License-Identifier: MIT
# bench: `make bench` builds bench/sm-bench (not installed, not part of
# `make check`) and runs it against tests/vectors.
EXTRA_PROGRAMS += bench/sm-bench
bench_sm_bench_SOURCES = bench/sm-bench.c \
	bench/bench_floor.c bench/bench_floor.h \
	tests/unit/vec.c tests/unit/vec.h $(SMTEST_BUILDER)
bench_sm_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
bench_sm_bench_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS)
bench_sm_bench_LDADD = decoder/libsmdecoder.la $(GCRYPT_LIBS) -ldl
CLEANFILES += bench/sm-bench$(EXEEXT)

.PHONY: bench
bench: bench/sm-bench$(EXEEXT)
	SM_SRCDIR='$(abs_top_srcdir)' ./bench/sm-bench$(EXEEXT)

# `make cli-bench`: smartmeter-decode's CPU per telegram, JSON and Influx,
# from a file and from a pipe (bench/cli-bench.py; target <= 1 us).
.PHONY: cli-bench
cli-bench: bench/sm-bench$(EXEEXT) cli/smartmeter-decode$(EXEEXT)
	SM_SRCDIR='$(abs_top_srcdir)' python3 $(top_srcdir)/bench/cli-bench.py .
EXTRA_DIST += bench/cli-bench.py bench/compare.py
