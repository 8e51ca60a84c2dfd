#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""link-noise.py - a byte stream of real telegrams behind the noise of
their own link layer (test tool for tests/cli/test_link_noise.sh).

    link-noise.py --link mbus|hdlc|apdu|dsmr [--seed N] OUT FILE...
    link-noise.py --link ... --no-random OUT FILE...
    link-noise.py --link ... --cut BYTES OUT FILE...

Each FILE (tests/vectors format, e.g. made by sm-forge) is one telegram.
Before each one the stream gets, in this order:
  1. random bytes, rich in the link layer's sync bytes;
  2. a fake header that claims far more bytes than follow before the real
     telegram: M-Bus 68 FA FA 68; HDLC 7E A7 FF + the telegram's own
     addresses and control with a valid HCS (2047 bytes claimed); a bare
     APDU DB 08 + the telegram's system title + 82 0F F0 (4080 bytes); a
     DSMR ident line whose telegram never ends;
  3. a copy of the telegram's first frame with one byte changed (a bad
     checksum, FCS or DSMR CRC; a bare APDU: a changed ciphertext byte);
  4. the telegram itself.
Random bytes end the stream. Every intact telegram must be decoded
exactly once; nothing else may be.

With --no-random, steps 2-4 only (the smallest case of a changed copy
inside what a fake header claims). With --cut, no noise: the first FILE's first BYTES (a telegram cut by a
line dropout, its length field intact), then the other FILEs back to back.
"""
import argparse
import random
import sys

SYNC = {
    "mbus": b"\x68\x16\xe5",
    "hdlc": b"\x7e\xa0\xa8",
    "apdu": b"\xdb\x08\x0f",
    "dsmr": b"/!\r\n",
}


def load(path):
    with open(path, encoding="ascii") as f:
        text = "".join(l for l in f if not l.lstrip().startswith("#"))
    return bytes.fromhex("".join(text.split()))


def x25(data):
    """CRC-16/X.25 (written here again: not the decoder's code)."""
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


def hdlc_header_len(t):
    """Bytes from the flag through the HCS of the frame at t[0]."""
    i = 3
    while not t[i] & 1:  # destination address
        i += 1
    i += 1
    while not t[i] & 1:  # source address
        i += 1
    return i + 2 + 2  # control, HCS


def fake_header(link, t, rng):
    if link == "mbus":
        return b"\x68\xfa\xfa\x68\x53\xff"
    if link == "hdlc":
        n = hdlc_header_len(t)
        h = bytearray(t[:n - 2])
        h[1], h[2] = 0xA7, 0xFF  # format: 2047 bytes, no S bit
        crc = x25(h[1:])
        return bytes(h) + bytes((crc & 0xFF, crc >> 8))
    if link == "apdu":
        return b"\xdb\x08" + t[2:10] + b"\x82\x0f\xf0\x30"
    return b"/FAK5\\2M550T-1012\r\n\r\n1-0:1.8.0(0000" + \
        bytes(rng.choice(b"0123456789") for _ in range(5))


def first_frame(link, t):
    if link == "mbus":
        n = t[1] + 6
        # The Sagemcom "L = 0x01" quirk: L is the length mod 256.
        return t[:n] if t[n - 1] == 0x16 else t[:n + 256]
    if link == "hdlc":
        return t[:((t[1] & 7) << 8 | t[2]) + 2]
    return t


def spoiled(link, frame):
    """The frame with one byte of its data changed (never a flag, length
    or header byte, so that only the check can catch it)."""
    b = bytearray(frame)
    if link == "dsmr":  # a digit of 1.8.0: still a well-formed line
        i = frame.index(b"1.8.0(") + 8
        b[i] = (b[i] - 0x30 + 1) % 10 + 0x30
    else:
        b[len(b) // 2] ^= 0x01
    return bytes(b)


def noise(link, rng, n):
    out = bytearray()
    for _ in range(n):
        out.append(rng.choice(SYNC[link]) if rng.random() < 0.3
                   else rng.randrange(256))
    return bytes(out)


def noisy(link, rng, files, rand=True):
    stream = bytearray()
    for path in files:
        t = load(path)
        stream += noise(link, rng, rng.randint(20, 60) if rand else 0)
        stream += fake_header(link, t, rng)
        stream += spoiled(link, first_frame(link, t))
        stream += t
    stream += noise(link, rng, 40 if rand else 0)
    return bytes(stream)


def main(argv):
    ap = argparse.ArgumentParser(prog="link-noise.py")
    ap.add_argument("--link", required=True, choices=sorted(SYNC))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cut", type=int, default=None, metavar="BYTES")
    ap.add_argument("--no-random", action="store_true")
    ap.add_argument("out")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args(argv)
    rng = random.Random(a.seed)
    if a.cut is not None:
        stream = load(a.files[0])[:a.cut] + \
            b"".join(load(p) for p in a.files[1:])
    else:
        stream = noisy(a.link, rng, a.files, not a.no_random)
    with open(a.out, "wb") as f:
        f.write(stream)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
