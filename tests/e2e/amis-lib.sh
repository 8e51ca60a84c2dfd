# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# tests/e2e/amis-lib.sh - helpers for the AMIS end-to-end tests, sourced
# after e2e-lib.sh: the two-way meter tests/sim/amis-sim and what its log
# says about the reader's acknowledgements.

AMIS_SIM=$SM_SRCDIR/tests/sim/amis-sim
AMIS_KEY=00112233445566778899AABBCCDDEEFF # the simulator's (the spec's)

# amis_sim_start NAME [amis-sim options...]: the meter on the pty
# $E2E_TMP/NAME.tty, its log $E2E_TMP/NAME.sim.log; sets AMIS_SIM_PID.
amis_sim_start() {
  local name=$1
  shift
  [ -f "$AMIS_SIM" ] || bail "missing $AMIS_SIM"
  python3 "$AMIS_SIM" --link "$E2E_TMP/$name.tty" \
    --log "$E2E_TMP/$name.sim.log" "$@" \
    >"$E2E_TMP/$name.sim.out" 2>"$E2E_TMP/$name.sim.err" &
  AMIS_SIM_PID=$!
  E2E_PIDS+=("$AMIS_SIM_PID")
  wait_until 30 grep -q '^ready' "$E2E_TMP/$name.sim.out" ||
    bail "amis-sim $name did not start: $(cat "$E2E_TMP/$name.sim.err")"
}

amis_log() { echo "$E2E_TMP/$1.sim.log"; }

# amis_lines NAME REGEX [FROM]: matching lines of the log from line FROM.
amis_lines() {
  tail -n +"${3:-1}" "$(amis_log "$1")" 2>/dev/null | grep -E -- "$2"
}
amis_count() { amis_lines "$@" | wc -l; }
amis_has() { [ "$(amis_count "$@")" -gt 0 ]; } # for wait_until
amis_mark() { wc -l <"$(amis_log "$1")"; }     # the log's current length
# For wait_until: at least N SND_UD acknowledged.
amis_acked_at_least() { # NAME N
  [ "$(amis_count "$1" ' ack acc=[0-9]+ after ')" -ge "$2" ]
}

# Latencies (ms after the stop byte) of the acknowledged SND_UD.
amis_latencies() { # NAME [FROM]
  amis_lines "$1" ' ack acc=[0-9]+ after [0-9.]+ ms$' "${2:-1}" |
    sed 's/.* after \([0-9.]*\) ms$/\1/'
}

# "n=N median=X max=Y" of amis_latencies (ms).
amis_latency_stats() { # NAME [FROM]
  amis_latencies "$@" | sort -n | awk '{ a[NR] = $1 }
    END { if (NR == 0) { print "n=0"; exit }
          m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
          printf "n=%d median=%.3f max=%.3f\n", NR, m, a[NR] }'
}

# amis_stat FIELD STATS: one field of amis_latency_stats' output.
amis_stat() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# A <Meter> block for the simulator NAME with key KEY (default its own).
amis_meter() { # METER NAME [KEY] [extra option lines]
  cat <<EOF
  <Meter "$1">
    Device "$E2E_TMP/$2.tty"
    Baudrate 9600
    Parity "even"
    Key "${3:-$AMIS_KEY}"
    ${4:-}
  </Meter>
EOF
}

# Values of a csv file (second column), in order.
amis_csv_values() { e2e_csv "$@" | cut -d, -f2; }

# True when the values of a meter's csv file rise strictly.
amis_rising() { # NAME METER ID
  amis_csv_values "$@" | awk 'NR > 1 && $1 + 0 <= last + 0 { bad = 1 }
    { last = $1 } END { exit bad }'
}

# import + inkasso of the same telegram (rows with equal timestamps): the
# simulator makes them sum to 684564 (684544 + k and 20 - k). Prints the
# rows where they do not, and nothing when all agree.
amis_pairing_errors() { # NAME METER
  join -t, <(e2e_csv "$1" "$2" energy_wh-import | sort -t, -k1,1) \
    <(e2e_csv "$1" "$2" energy_wh-inkasso | sort -t, -k1,1) |
    awk -F, '$2 + $3 != 684564 { print }'
}
