#!/usr/bin/env python3
"""trace_refs_test.py TLSDIAG SOURCE_ROOT SHARED_DIR

--format trace on every fixture capture (tests/data/captures), every ICM
sample (SHARED_DIR/icm-samples, when present) and every public corpus
capture (SHARED_DIR/corpus/public, when present), with its key log when one
lies beside it (CAPTURE.keylog):

  - every line that is not a "# " header comment or blank starts with a
    "[Thr conn-N]" (or "[Thr input]") label and ends with its evidence,
    "[frame N]", "[frames A-B]", "[frames A, B]" or "[file:N...]";
  - a timestamp line has the ICM form "Www Mmm dd hh:mm:ss:mmm yyyy";
  - the connection numbers of the labels are those the header counts;
  - the output is the same on a second run (deterministic) and no byte of it
    is a control character other than the newline;
  - the exit status is that of the text report (0, 1 or 3).
"""
import glob
import os
import re
import subprocess
import sys

LINE = re.compile(r"^\[Thr (conn-\d+|input)\] .*  \[(frames? \d+(?:-\d+|(?:, \d+)*)|"
                  r"[^\]\[]+:\d+(?:-\d+|(?:, \d+)*))\]$")
TIME = re.compile(r"^\[Thr conn-\d+\] (Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
                  r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d "
                  r"\d\d:\d\d:\d\d:\d{3} \d{4}  \[")
HEADCOUNT = re.compile(r"^# (?:\d+ of (\d+) (?:handshakes?|connection attempts?) failed|"
                       r"No TLS (?:handshake|connection attempt) found)", re.M)


def check(tlsdiag, path, failures):
    # A capture with a key log beside it is read decrypted, as a user would.
    keylog = ["--keylog", path + ".keylog"] if os.path.exists(path + ".keylog") else []
    runs = []
    for _ in range(2):
        p = subprocess.run([tlsdiag, "analyze", "-q", "--deterministic", "--format", "trace"] +
                           keylog + [path], capture_output=True, timeout=120)
        runs.append(p)
    p = runs[0]
    name = os.path.relpath(path)
    if p.stdout != runs[1].stdout:
        failures.append("%s: two runs differ" % name)
    text_rc = subprocess.run([tlsdiag, "analyze", "-q", "--deterministic"] + keylog + [path],
                             capture_output=True, timeout=120).returncode
    if p.returncode != text_rc or p.returncode not in (0, 1, 3):
        failures.append("%s: exit %d (text report: %d)" % (name, p.returncode, text_rc))
        return 0
    if re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", p.stdout):
        failures.append("%s: a control character in the output" % name)
    out = p.stdout.decode("utf-8")
    conns = set()
    lines = 0
    for line in out.split("\n"):
        if not line or line.startswith("# "):
            continue
        lines += 1
        if not LINE.match(line):
            failures.append("%s: line without label or evidence: %r" % (name, line[:160]))
            continue
        m = re.match(r"^\[Thr conn-(\d+)\]", line)
        if m:
            conns.add(int(m.group(1)))
        label_end = line.index("] ") + 2
        if re.match(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ", line[label_end:]) and not TIME.match(line):
            failures.append("%s: not an ICM timestamp line: %r" % (name, line[:100]))
    hc = HEADCOUNT.search(out)
    if not hc:
        failures.append("%s: no count in the header" % name)
    elif conns != set(range(1, int(hc.group(1) or 0) + 1)):
        failures.append("%s: header counts %s, labels name %s" % (name, hc.group(1) or 0,
                                                                  sorted(conns)))
    return lines


def main():
    tlsdiag = os.path.abspath(sys.argv[1])  # meson passes it relative to the build dir
    root, shared = sys.argv[2], os.path.abspath(sys.argv[3])
    os.chdir(root)
    captures = (".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz")
    inputs = sorted(p for p in glob.glob("tests/data/captures/*") if p.endswith(captures))
    inputs += sorted(glob.glob(os.path.join(shared, "icm-samples", "*.trc")))
    inputs += sorted(p for p in glob.glob(os.path.join(shared, "corpus", "public", "*"))
                     if p.endswith(captures))
    failures = []
    lines = sum(check(tlsdiag, path, failures) for path in inputs)
    for f in failures[:40]:
        print("FAIL:", f)
    print("%d inputs, %d trace lines checked; %d passed, %d failed"
          % (len(inputs), lines, 0 if failures else 1, 1 if failures else 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
