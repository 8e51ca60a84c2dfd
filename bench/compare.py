#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""compare.py - two sm-bench binaries (before/after) in one run.

  bench/compare.py [--rounds 11] [--runs 3] [--telegrams 2000]
                   [--callgrind] OLD/bench/sm-bench NEW/bench/sm-bench

Runs OLD and NEW alternately, --rounds times each (so both see the same
machine load), and prints per capture the median over the rounds of each
binary's medians: ours, the floor and their ratio, then NEW/OLD. With
--callgrind it also counts instructions per telegram under valgrind
(repeatable where timings are not): ours (the timed feed loop) and the
floor, per capture. SM_SRCDIR defaults to this script's source tree.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROW = re.compile(r"^(\S+\.hex)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)x")


def run_bench(binary, runs, telegrams, env):
    out = subprocess.run([binary, str(runs), str(telegrams)], env=env,
                         check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        m = ROW.match(line)
        if m:
            rows[m.group(1)] = (float(m.group(3)), float(m.group(4)))
    if not rows:
        sys.exit("compare.py: no rows from %s:\n%s" % (binary, out))
    return rows


def callgrind_ir(binary, capture, fn, env, telegrams):
    """Instructions per telegram inside fn for one capture."""
    e = dict(env, SM_BENCH_ONLY=capture)
    out = "/tmp/sm-compare.cg.%d" % os.getpid()
    subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=" + fn,
                    "--callgrind-out-file=" + out, binary, "1",
                    str(telegrams)], env=e, check=True,
                   capture_output=True, text=True)
    total = 0
    with open(out) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                total = int(line.split()[1])
    os.unlink(out)
    # Both run in the warm-up pass and the one timed run.
    return total / (2 * telegrams)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--telegrams", type=int, default=2000)
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("old")
    ap.add_argument("new")
    a = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("SM_SRCDIR", os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    got = {"old": [], "new": []}
    for r in range(a.rounds):
        order = ("old", "new") if r % 2 == 0 else ("new", "old")
        for which in order:
            got[which].append(run_bench(getattr(a, which), a.runs,
                                        a.telegrams, env))
    med = {}
    for which in got:
        med[which] = {}
        for cap in got[which][0]:
            ours = statistics.median(x[cap][0] for x in got[which])
            flr = statistics.median(x[cap][1] for x in got[which])
            med[which][cap] = (ours, flr)
    print("%d rounds each, alternating; medians of %d runs x %d telegrams; "
          "ns per telegram" % (a.rounds, a.runs, a.telegrams))
    print("%-48s %6s %6s %6s | %6s %6s %6s | %6s" % (
        "capture", "old", "floor", "ratio", "new", "floor", "ratio",
        "new/old"))
    for cap, (o, of) in med["old"].items():
        n, nf = med["new"][cap]
        print("%-48s %6.0f %6.0f %5.2fx | %6.0f %6.0f %5.2fx | %6.2f" % (
            cap, o, of, o / of, n, nf, n / nf, n / o))
    if not a.callgrind:
        return
    print("instructions per telegram (callgrind, 200 telegrams)")
    print("%-48s %8s %8s %8s %8s" % ("capture", "old", "new", "new/old",
                                      "floor"))
    for cap in med["old"]:
        o = callgrind_ir(a.old, cap, "feed_timed", env, 200)
        n = callgrind_ir(a.new, cap, "feed_timed", env, 200)
        f = callgrind_ir(a.new, cap, "floor_run", env, 200)
        print("%-48s %8.0f %8.0f %8.2f %8.0f" % (cap, o, n, n / o, f))


if __name__ == "__main__":
    main()
