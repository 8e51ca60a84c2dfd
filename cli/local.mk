# SPDX-License-Identifier: MIT
# cli: smartmeter-decode, the command-line decoder (thin: options -> run).
bin_PROGRAMS += cli/smartmeter-decode
cli_smartmeter_decode_SOURCES = \
	cli/main.c \
	cli/cli_options.h cli/cli_options.c \
	cli/cli_keys.h cli/cli_keys.c \
	cli/cli_input.h cli/cli_input.c \
	cli/cli_live.h cli/cli_live.c \
	cli/cli_scan.h cli/cli_scan.c \
	cli/cli_stop.h cli/cli_stop.c \
	cli/cli_run.h cli/cli_run.c \
	cli/cli_output.h cli/cli_output.c \
	cli/cli_out_text.c cli/cli_out_json.c cli/cli_out_influx.c
cli_smartmeter_decode_LDADD = decoder/libsmdecoder.la port/libsmport.la \
	$(GCRYPT_LIBS) $(SERIALPORT_LIBS)
dist_man_MANS += cli/smartmeter-decode.1
