/* SPDX-License-Identifier: MIT */
/* fuzz_amis_records.c - libFuzzer target: fuzz_amis.c's record mode (the
 * EN 13757-3 walker and its pairing oracle) on every input, byte 0
 * ignored. A target of its own because the stream mode is two orders of
 * magnitude slower and would starve it of executions. */
#define FZ_AMIS_RECORDS_ONLY 1
#include "fuzz_amis.c"
