#!/usr/bin/env python3
"""rotated_test.py - an attempt cut by a trace rotation is one connection.

  rotated_test.py TLSDIAG

A generated trace (tests/icm/gen_trace.py) is analysed whole, then split at
a line inside a connection into dev_icm.old (the head) and dev_icm (the
rest), and the two are analysed together, given newest first (the analyzer
reads traces oldest first). The split run must give the same connections
with the same outcomes and findings as the whole file, and the cut
connection a note naming the file it goes on in. Negative: two unrelated
traces (the second starts before the first ends) stay apart: the
connection counts add up. Prints "N passed, N failed"; exit 0 or 1.
"""
import json
import os
import sys
import tempfile

from icmtest import Tally, analyze, gen


def summary(c):
    """What must not depend on the split."""
    return (c["source"].get("thread"), c["source"].get("conn"), c.get("outcome"),
            c.get("sni"), sorted(f["rule"] for f in c.get("findings", [])),
            json.dumps(c.get("client")), json.dumps(c.get("server")))


def main():
    tlsdiag = sys.argv[1]
    tally = Tally()
    check = tally.check

    with tempfile.TemporaryDirectory() as tmp:
        whole = os.path.join(tmp, "whole.trc")
        gen(whole, "--seed", "21", "--conns", "30")
        ref = analyze(tlsdiag, [whole])
        lines = open(whole, "rb").read().split(b"\n")
        # Cut inside the longest attempt that spans timestamp lines.
        conns = sorted(ref["connections"], key=lambda c: c["source"]["lines"][0] -
                       c["source"]["lines"][1])
        cases = 0
        for c in conns[:3]:
            first, last = c["source"]["lines"]
            cut = (first + last) // 2  # the head keeps lines 1..cut
            old, new = os.path.join(tmp, "dev_icm.old"), os.path.join(tmp, "dev_icm")
            with open(old, "wb") as f:
                f.write(b"\n".join(lines[:cut]) + b"\n")
            with open(new, "wb") as f:
                f.write(b"\n".join(lines[cut:]))
            got = analyze(tlsdiag, [new, old])  # newest first on purpose
            problems = []
            if len(got["connections"]) != len(ref["connections"]):
                problems.append("%d connections, want %d" %
                                (len(got["connections"]), len(ref["connections"])))
            want = sorted(summary(x) for x in ref["connections"])
            have = sorted(summary(x) for x in got["connections"])
            if want != have:
                diff = [w for w in want if w not in have][:2]
                problems.append("connections differ from the whole file, e.g. %s" % diff)
            cut_conn = [x for x in got["connections"]
                        if x["source"].get("thread") == c["source"].get("thread") and
                        x["source"]["lines"][0] == first]
            notes = [n for x in cut_conn for n in x.get("notes", [])]
            if not any("goes on in" in json.dumps(n) for n in notes):
                problems.append("the cut connection (lines %d-%d) has no continuation note" %
                                (first, last))
            check("split at line %d inside lines %d-%d (thread %s)" %
                  (cut, first, last, c["source"].get("thread")), problems)
            cases += 1
        if cases == 0:
            check("split", ["no connection to cut"])

        other = os.path.join(tmp, "other.trc")
        gen(other, "--seed", "22", "--conns", "30")
        one = len(analyze(tlsdiag, [other])["connections"])
        both = len(analyze(tlsdiag, [whole, other])["connections"])
        check("unrelated traces stay apart",
              [] if both == one + len(ref["connections"]) else
              ["%d connections, want %d + %d" % (both, len(ref["connections"]), one)])
    return tally.done()


if __name__ == "__main__":
    sys.exit(main())
