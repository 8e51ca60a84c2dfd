# SPDX-License-Identifier: MIT
# tests/fuzz: libFuzzer targets of the decoder (see tests/fuzz/README.md).
#
# Built with clang (libFuzzer + ASan + UBSan) whatever CC is, so these are
# plain make rules, not automake programs:
#   make fuzz-build    the targets and seedgen, in tests/fuzz/ of the build tree
#   make fuzz-corpus   seeds from tests/vectors into tests/fuzz/seeds/<target>
#   make fuzz          each target for FUZZ_SECONDS (default 60) or FUZZ_RUNS
#                      executions, one after another, 1 worker each; the grown
#                      corpora stay in tests/fuzz/corpus/<target>, crashes go
#                      to tests/fuzz/artifacts/; regressions are replayed first
#   make fuzz-smoke    test_fuzz_smoke.sh: regressions + FUZZ_SMOKE_SECONDS
#                      (default 20) per target on fresh corpora; non-zero exit
#                      on any crash
#   make fuzz-replay   the targets built with $(CC) (gcc) + ASan + UBSan and
#                      a plain main (replay_main.c), run over the seeds, the
#                      grown corpora and the regressions; -t 5 s per input
#   make fuzz-coverage line/branch coverage of decoder/*.c reached by the
#                      seeds + grown corpora (clang source-based coverage,
#                      report in tests/fuzz/coverage/)
# Variables: FUZZ_CC (clang), FUZZ_TARGETS, FUZZ_SECONDS, FUZZ_RUNS,
# FUZZ_SMOKE_SECONDS, FUZZ_FLAGS (extra libFuzzer flags, e.g. -jobs=1).

TESTS += tests/fuzz/test_fuzz_smoke.sh
dist_noinst_SCRIPTS += tests/fuzz/test_fuzz_smoke.sh tests/fuzz/make-corpus.sh
EXTRA_DIST += \
	tests/fuzz/README.md tests/fuzz/dlms.dict \
	tests/fuzz/fuzz_common.h tests/fuzz/fuzz_common.c \
	tests/fuzz/fuzz_stream.c tests/fuzz/fuzz_telegram.c \
	tests/fuzz/fuzz_axdr.c tests/fuzz/fuzz_dsmr.c tests/fuzz/fuzz_names.c \
	tests/fuzz/seedgen.c \
	tests/fuzz/replay_main.c tests/fuzz/regressions

FUZZ_CC = clang
FUZZ_TARGETS = fuzz_stream fuzz_telegram fuzz_axdr fuzz_dsmr fuzz_names
FUZZ_SECONDS = 60
FUZZ_RUNS =
FUZZ_SMOKE_SECONDS = 20
FUZZ_FLAGS =
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) \
	-std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE \
	-I$(top_srcdir)/decoder -I$(top_srcdir)/tests/fuzz \
	-I$(top_srcdir)/tests/unit $(GCRYPT_CFLAGS)
# -Werror for our own files; the decoder gets the warnings without it so a
# clang-only warning there cannot break this build (CI builds it with gcc
# and -Werror anyway).
FUZZ_WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2
FUZZ_LIBS = $(GCRYPT_LIBS) -lm
# The harness's own files: the checks, and the tests' one telegram builder
# (tests/unit/encoder.c seals, framer.c frames).
FUZZ_HARNESS = $(top_srcdir)/tests/fuzz/fuzz_common.c \
	$(top_srcdir)/tests/unit/encoder.c $(top_srcdir)/tests/unit/framer.c
FUZZ_DEPS = tests/fuzz/fuzz_common.c tests/fuzz/fuzz_common.h \
	tests/unit/encoder.c tests/unit/encoder.h \
	tests/unit/framer.c tests/unit/framer.h \
	$(decoder_libsmdecoder_la_SOURCES)
FUZZ_BINS = tests/fuzz/fuzz_stream tests/fuzz/fuzz_telegram \
	tests/fuzz/fuzz_axdr tests/fuzz/fuzz_dsmr tests/fuzz/fuzz_names \
	tests/fuzz/seedgen
FUZZ_REPLAY_BINS = tests/fuzz/replay_stream tests/fuzz/replay_telegram \
	tests/fuzz/replay_axdr tests/fuzz/replay_dsmr tests/fuzz/replay_names
CLEANFILES += $(FUZZ_BINS) $(FUZZ_REPLAY_BINS)

# One recipe for all binaries: $@ is the binary, $$main its tests/fuzz
# source, $$cov the coverage instrumentation and $$link how it links. Only
# the decoder gets $$cov: instrumenting the harness (its checks loop over
# buffers) would cost half the speed and feed libFuzzer features that say
# nothing about the decoder. The decoder's .c files come from its automake
# source list, so a new decoder file needs no change here. Objects go to a
# directory of the binary's own: parallel make is safe.
FUZZ_COMPILE = \
	objdir=$@.objs; rm -rf $$objdir; $(MKDIR_P) $$objdir || exit 1; \
	objs=; for f in $(decoder_libsmdecoder_la_SOURCES); do \
	  case $$f in *.c) ;; *) continue;; esac; \
	  o=$$objdir/`basename $$f .c`.o; \
	  $(FUZZ_CC) $(FUZZ_CFLAGS) $$cov -Wall -Wextra -c \
	    $(top_srcdir)/$$f -o $$o || exit 1; \
	  objs="$$objs $$o"; \
	done; \
	for f in $$main $(FUZZ_HARNESS); do \
	  o=$$objdir/h_`basename $$f .c`.o; \
	  $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WARN) -c $$f -o $$o || exit 1; \
	  objs="$$objs $$o"; \
	done; \
	$(FUZZ_CC) $(FUZZ_CFLAGS) $$link -o $@ $$objs $(FUZZ_LIBS) || exit 1; \
	rm -rf $$objdir

FUZZ_AS_TARGET = cov=-fsanitize=fuzzer-no-link link=-fsanitize=fuzzer

tests/fuzz/fuzz_stream: tests/fuzz/fuzz_stream.c $(FUZZ_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_stream.c \
	  $(FUZZ_AS_TARGET); $(FUZZ_COMPILE)
tests/fuzz/fuzz_telegram: tests/fuzz/fuzz_telegram.c $(FUZZ_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_telegram.c \
	  $(FUZZ_AS_TARGET); $(FUZZ_COMPILE)
tests/fuzz/fuzz_axdr: tests/fuzz/fuzz_axdr.c $(FUZZ_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_axdr.c \
	  $(FUZZ_AS_TARGET); $(FUZZ_COMPILE)
tests/fuzz/fuzz_dsmr: tests/fuzz/fuzz_dsmr.c $(FUZZ_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_dsmr.c \
	  $(FUZZ_AS_TARGET); $(FUZZ_COMPILE)
tests/fuzz/fuzz_names: tests/fuzz/fuzz_names.c $(FUZZ_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_names.c \
	  $(FUZZ_AS_TARGET); $(FUZZ_COMPILE)
tests/fuzz/seedgen: tests/fuzz/seedgen.c $(FUZZ_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/seedgen.c cov= link=; \
	  $(FUZZ_COMPILE)

# The same targets through gcc's sanitizers and a plain main().
FUZZ_REPLAY_CFLAGS = -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARN_CFLAGS) \
	-I$(top_srcdir)/decoder -I$(top_srcdir)/tests/fuzz \
	-I$(top_srcdir)/tests/unit $(GCRYPT_CFLAGS)
FUZZ_REPLAY_COMPILE = \
	srcs=; for f in $(decoder_libsmdecoder_la_SOURCES); do \
	  case $$f in *.c) srcs="$$srcs $(top_srcdir)/$$f";; esac; \
	done; \
	$(MKDIR_P) tests/fuzz && \
	$(CC) $(FUZZ_REPLAY_CFLAGS) -o $@ $$main \
	  $(FUZZ_HARNESS) \
	  $(top_srcdir)/tests/fuzz/replay_main.c $$srcs $(FUZZ_LIBS)
FUZZ_REPLAY_DEPS = $(FUZZ_DEPS) tests/fuzz/replay_main.c

tests/fuzz/replay_stream: tests/fuzz/fuzz_stream.c $(FUZZ_REPLAY_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_stream.c; \
	  $(FUZZ_REPLAY_COMPILE)
tests/fuzz/replay_telegram: tests/fuzz/fuzz_telegram.c $(FUZZ_REPLAY_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_telegram.c; \
	  $(FUZZ_REPLAY_COMPILE)
tests/fuzz/replay_axdr: tests/fuzz/fuzz_axdr.c $(FUZZ_REPLAY_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_axdr.c; \
	  $(FUZZ_REPLAY_COMPILE)
tests/fuzz/replay_dsmr: tests/fuzz/fuzz_dsmr.c $(FUZZ_REPLAY_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_dsmr.c; \
	  $(FUZZ_REPLAY_COMPILE)
tests/fuzz/replay_names: tests/fuzz/fuzz_names.c $(FUZZ_REPLAY_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_names.c; \
	  $(FUZZ_REPLAY_COMPILE)

fuzz-build: $(FUZZ_BINS)

fuzz-corpus: tests/fuzz/seedgen
	$(SHELL) $(top_srcdir)/tests/fuzz/make-corpus.sh tests/fuzz/seedgen \
	  tests/fuzz/seeds

fuzz: fuzz-build fuzz-corpus
	@if test -n "$(FUZZ_RUNS)"; then lim=-runs=$(FUZZ_RUNS); \
	else lim=-max_total_time=$(FUZZ_SECONDS); fi; \
	for t in $(FUZZ_TARGETS); do \
	  $(MKDIR_P) tests/fuzz/corpus/$$t tests/fuzz/artifacts || exit 1; \
	  case $$t in fuzz_names) len=1024;; fuzz_axdr) len=4200;; \
	    fuzz_dsmr) len=4400;; *) len=6000;; esac; \
	  regs=`ls -d $(top_srcdir)/tests/fuzz/regressions/$$t/* 2>/dev/null | \
	    grep -v '\.md$$'`; \
	  if test -n "$$regs"; then \
	    echo "fuzz: $$t: replaying regressions"; \
	    tests/fuzz/$$t -timeout=5 $$regs || exit 1; \
	  fi; \
	  echo "fuzz: $$t $$lim"; \
	  tests/fuzz/$$t $$lim -timeout=5 -max_len=$$len -print_final_stats=1 \
	    -dict=$(top_srcdir)/tests/fuzz/dlms.dict \
	    -artifact_prefix=tests/fuzz/artifacts/$$t- $(FUZZ_FLAGS) \
	    tests/fuzz/corpus/$$t tests/fuzz/seeds/$$t || exit 1; \
	done

fuzz-replay: $(FUZZ_REPLAY_BINS) fuzz-corpus
	@for t in $(FUZZ_TARGETS); do \
	  dirs="tests/fuzz/seeds/$$t"; \
	  test -d tests/fuzz/corpus/$$t && dirs="$$dirs tests/fuzz/corpus/$$t"; \
	  test -d $(top_srcdir)/tests/fuzz/regressions/$$t && \
	    dirs="$$dirs $(top_srcdir)/tests/fuzz/regressions/$$t"; \
	  echo "fuzz-replay: $$t: $$dirs"; \
	  tests/fuzz/replay_$${t#fuzz_} -t 5 $$dirs || exit 1; \
	done

FUZZ_LLVM_PROFDATA = llvm-profdata
FUZZ_LLVM_COV = llvm-cov
fuzz-coverage: fuzz-corpus
	@srcs=; for f in $(decoder_libsmdecoder_la_SOURCES); do \
	  case $$f in *.c) srcs="$$srcs $(top_srcdir)/$$f";; esac; \
	done; \
	rm -rf tests/fuzz/coverage; $(MKDIR_P) tests/fuzz/coverage || exit 1; \
	bins=; for t in $(FUZZ_TARGETS); do \
	  b=tests/fuzz/coverage/$$t; \
	  $(FUZZ_CC) -g -O0 -fprofile-instr-generate -fcoverage-mapping \
	    -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE \
	    -I$(top_srcdir)/decoder -I$(top_srcdir)/tests/fuzz \
	    -I$(top_srcdir)/tests/unit \
	    $(GCRYPT_CFLAGS) -o $$b $(top_srcdir)/tests/fuzz/$$t.c \
	    $(FUZZ_HARNESS) \
	    $(top_srcdir)/tests/fuzz/replay_main.c $$srcs $(FUZZ_LIBS) || exit 1; \
	  dirs="tests/fuzz/seeds/$$t"; \
	  test -d tests/fuzz/corpus/$$t && dirs="$$dirs tests/fuzz/corpus/$$t"; \
	  LLVM_PROFILE_FILE=$$b.profraw $$b $$dirs || exit 1; \
	  if test -z "$$bins"; then bins=$$b; else bins="$$bins -object $$b"; fi; \
	done; \
	$(FUZZ_LLVM_PROFDATA) merge -sparse tests/fuzz/coverage/*.profraw \
	  -o tests/fuzz/coverage/all.profdata || exit 1; \
	$(FUZZ_LLVM_COV) report -instr-profile=tests/fuzz/coverage/all.profdata \
	  $$bins $$srcs | tee tests/fuzz/coverage/report.txt; \
	$(FUZZ_LLVM_COV) show -format=html -output-dir=tests/fuzz/coverage/html \
	  -instr-profile=tests/fuzz/coverage/all.profdata $$bins $$srcs && \
	echo "fuzz-coverage: tests/fuzz/coverage/html/index.html"

fuzz-smoke: fuzz-build
	SM_SRCDIR='$(abs_top_srcdir)' SM_BUILDDIR='$(abs_top_builddir)' \
	FUZZ_SMOKE_SECONDS='$(FUZZ_SMOKE_SECONDS)' \
	  $(SHELL) $(top_srcdir)/tests/fuzz/test_fuzz_smoke.sh

.PHONY: fuzz fuzz-build fuzz-corpus fuzz-smoke fuzz-replay fuzz-coverage

# AMIS (Netz OÖ): fuzz_amis (the link row with OMS mode 5 in a stream, and
# the record walker), fuzz_amis_records (the walker alone, fast). Not in
# FUZZ_TARGETS yet (make-corpus makes no seeds for them; they start from an
# empty corpus): run them directly, e.g.
#   tests/fuzz/fuzz_amis_records -runs=10000000 -timeout=5 -max_len=512 DIR
EXTRA_DIST += tests/fuzz/fuzz_amis.c tests/fuzz/fuzz_amis_records.c
FUZZ_BINS += tests/fuzz/fuzz_amis tests/fuzz/fuzz_amis_records
FUZZ_REPLAY_BINS += tests/fuzz/replay_amis tests/fuzz/replay_amis_records
tests/fuzz/fuzz_amis_records: tests/fuzz/fuzz_amis_records.c \
	tests/fuzz/fuzz_amis.c $(FUZZ_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_amis_records.c \
	  $(FUZZ_AS_TARGET); $(FUZZ_COMPILE)
tests/fuzz/replay_amis_records: tests/fuzz/fuzz_amis_records.c \
	tests/fuzz/fuzz_amis.c $(FUZZ_REPLAY_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_amis_records.c; \
	  $(FUZZ_REPLAY_COMPILE)
tests/fuzz/fuzz_amis: tests/fuzz/fuzz_amis.c $(FUZZ_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_amis.c \
	  $(FUZZ_AS_TARGET); $(FUZZ_COMPILE)
tests/fuzz/replay_amis: tests/fuzz/fuzz_amis.c $(FUZZ_REPLAY_DEPS)
	$(AM_V_CCLD)main=$(top_srcdir)/tests/fuzz/fuzz_amis.c; \
	  $(FUZZ_REPLAY_COMPILE)
