#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cli-bench.py - CPU time of smartmeter-decode per telegram.

  bench/cli-bench.py [--rounds 11] [--telegrams 20000] [--capture NAME]
                     [--old OLD_BUILD_DIR] BUILD_DIR

BUILD_DIR/bench/sm-bench --stream writes a stream of --telegrams copies
of the capture (frame counters increasing); BUILD_DIR/cli/smartmeter-decode
turns it into JSON and into Influx line protocol, reading it from a file
and from a pipe (cat | smartmeter-decode), its output going into a pipe
that this script drains. The figure is the decoder process's own CPU
(user + system, from wait4), divided by the telegram count; the median of
--rounds runs. With --old, the same runs of OLD_BUILD_DIR's binary are
interleaved with the new one's (same machine load), and both outputs are
checked to be byte for byte the same (Influx with --timestamp meter).
Target (issue 12): <= 1 us per telegram.
"""
import argparse
import hashlib
import os
import re
import statistics
import subprocess
import sys
import tempfile

TARGET_US = 1.0


def key_of(srcdir, capture):
    text = open(os.path.join(srcdir, "tests", "vectors", capture)).read()
    return re.search(r"^# key:\s*(\S+)", text, re.M).group(1)


def cpu_seconds(cmd, stream, pipe):
    """Run cmd on stream; returns (its user+sys CPU s, sha256 of output)."""
    cat = None
    if pipe:
        cat = subprocess.Popen(["cat", stream], stdout=subprocess.PIPE)
        stdin = cat.stdout
    else:
        stdin = open(stream, "rb")
    proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE)
    stdin.close()
    digest = hashlib.sha256()
    for chunk in iter(lambda: proc.stdout.read(1 << 16), b""):
        digest.update(chunk)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if cat:
        cat.wait()
    if proc.returncode != 0:
        sys.exit("cli-bench: %s exited %d" % (cmd[0], proc.returncode))
    return usage.ru_utime + usage.ru_stime, digest.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--telegrams", type=int, default=20000)
    ap.add_argument("--capture", default="ksmwest_vkw_philippsev_2023-07-26.hex")
    ap.add_argument("--old")
    ap.add_argument("build")
    a = ap.parse_args()
    srcdir = os.environ.get("SM_SRCDIR") or os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, SM_SRCDIR=srcdir)
    key = key_of(srcdir, a.capture)
    builds = {"new": a.build}
    if a.old:
        builds["old"] = a.old
    with tempfile.TemporaryDirectory() as tmp:
        stream = os.path.join(tmp, "stream.bin")
        with open(stream, "wb") as f:
            subprocess.run([os.path.join(a.build, "bench", "sm-bench"),
                            "--stream", a.capture, str(a.telegrams)],
                           stdout=f, env=env, check=True)
        cases = [(fmt, src) for fmt in ("json", "influx")
                 for src in ("file", "pipe")]
        got = {(b, c): [] for b in builds for c in cases}
        for r in range(a.rounds):
            order = list(builds) if r % 2 == 0 else list(builds)[::-1]
            for case in cases:
                for b in order:
                    cmd = [os.path.join(builds[b], "cli", "smartmeter-decode"),
                           "--key", key, "-f", case[0]]
                    if case[1] == "file":
                        cmd.append(stream)
                    secs, _ = cpu_seconds(cmd, stream, case[1] == "pipe")
                    got[(b, case)].append(secs * 1e6 / a.telegrams)
        same = {}
        if a.old:
            for fmt in ("json", "influx"):
                sums = set()
                for b in builds:
                    cmd = [os.path.join(builds[b], "cli", "smartmeter-decode"),
                           "--key", key, "-f", fmt, "--timestamp", "meter",
                           stream]
                    sums.add(cpu_seconds(cmd, stream, False)[1])
                same[fmt] = len(sums) == 1
    print("smartmeter-decode: CPU per telegram (user + sys), median of %d "
          "runs, %d telegrams of %s" % (a.rounds, a.telegrams, a.capture))
    head = "%-8s %-5s" % ("format", "input")
    if a.old:
        head += " %9s" % "old us"
    print(head + " %9s %8s" % ("new us", "target"))
    for case in cases:
        line = "%-8s %-5s" % case
        if a.old:
            line += " %9.3f" % statistics.median(got[("old", case)])
        new = statistics.median(got[("new", case)])
        line += " %9.3f %8s" % (new, "met" if new <= TARGET_US else "NOT met")
        print(line)
    for fmt, ok in same.items():
        print("%s output old == new: %s" % (fmt, "yes" if ok else "NO"))


if __name__ == "__main__":
    main()
