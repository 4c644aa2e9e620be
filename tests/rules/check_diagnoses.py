#!/usr/bin/env python3
"""Checks the diagnosis maps: runs `tlsdiag analyze --format json` on every
input a map lists and compares the error findings with the map.

  check_diagnoses.py TLSDIAG corpus MAP FIXTURES_DIR PUBLIC_DIR (fixtures|public)
  check_diagnoses.py TLSDIAG icm MAP SAMPLES_DIR

corpus: MAP is expected-corpus.tsv; rows whose file starts with the chosen
prefix (fixtures/ -> FIXTURES_DIR, public/ -> PUBLIC_DIR) are run, and every
capture named by that directory's MANIFEST.tsv must have a row.
icm: MAP is expected-icm.tsv; every sample of SAMPLES_DIR/SOURCES.tsv must
have a row carrying the label SOURCES.tsv gives it.

A row: errors = rule ids that must all be error findings, or "none" = no
error finding at all; also = ids that must appear at any severity ("-" or
"none" for nothing); status ok or xfail (a known gap; passing is XPASS and
fails). A file "CAPTURE +keylog" is run with --keylog CAPTURE.keylog.
Prints one line per input and "N passed, N failed"; exit 0, 1, or
77 when the inputs' directory is absent.
"""
import json
import os
import subprocess
import sys


def read_tsv(path):
    rows = []
    header = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                continue
            rows.append(dict(zip(header, cols)))
    return rows


def ids(field):
    if field in ("", "-", "none"):
        return []
    return [x for x in field.split(",") if x]


KEYLOG_SUFFIX = " +keylog"


def findings(tlsdiag, path):
    env = dict(os.environ, TLSDIAG_DETERMINISTIC="1")
    extra = []
    if path.endswith(KEYLOG_SUFFIX):
        # A row "CAPTURE +keylog" runs with the key log beside the capture.
        path = path[:-len(KEYLOG_SUFFIX)]
        extra = ["--keylog", path + ".keylog"]
    p = subprocess.run([tlsdiag, "analyze", "-q", "--format", "json", *extra, path],
                       capture_output=True, env=env, timeout=120)
    if p.returncode not in (0, 1, 3):
        return None, "exit status %d: %s" % (p.returncode, p.stderr.decode(errors="replace").strip())
    rep = json.loads(p.stdout)
    fs = list(rep.get("findings", []))
    for c in rep.get("connections", []):
        fs.extend(c.get("findings", []))
    errors = {f["rule"] for f in fs if f["severity"] == "error"}
    anysev = {f["rule"] for f in fs}
    rc_ok = (p.returncode == 1) == bool(errors) or p.returncode == 3
    return (errors, anysev), None if rc_ok else "exit status %d with errors %s" % (p.returncode, sorted(errors))


def judge(tlsdiag, path, row):
    got, err = findings(tlsdiag, path)
    if got is None or err:
        return False, err
    errors, anysev = got
    want = ids(row["errors"])
    problems = []
    if row["errors"] == "none" and errors:
        problems.append("want no error finding, got %s" % sorted(errors))
    for w in want:
        if w not in errors:
            problems.append("want error %s, errors are %s" % (w, sorted(errors) or "none"))
    for w in ids(row.get("also", "-")):
        if w not in anysev:
            problems.append("want finding %s (any severity), got %s" % (w, sorted(anysev) or "none"))
    return not problems, "; ".join(problems)


def manifest_files(d):
    m = os.path.join(d, "MANIFEST.tsv")
    out = []
    for r in read_tsv(m):
        name = r.get("file") or r.get("name") or ""
        if name and not name.endswith((".keylog", ".tsv")):
            out.append(name)  # captures only; key logs ride along
    return out


def main():
    if len(sys.argv) < 5:
        print(__doc__)
        return 2
    tlsdiag, mode, mapfile = sys.argv[1], sys.argv[2], sys.argv[3]
    rows = read_tsv(mapfile)
    cases = []  # (label, path, row)
    missing = []
    if mode == "corpus":
        fixtures, public, which = sys.argv[4], sys.argv[5], sys.argv[6]
        base = fixtures if which == "fixtures" else public
        if not os.path.isdir(base):
            print("SKIP: %s is absent" % base)
            return 77
        prefix = which + "/"
        listed = {r["file"][len(prefix):] for r in rows if r["file"].startswith(prefix)}
        missing = [f for f in manifest_files(base) if f not in listed]
        for r in rows:
            if r["file"].startswith(prefix):
                cases.append((r["file"], os.path.join(base, r["file"][len(prefix):]), r))
    elif mode == "icm":
        samples = sys.argv[4]
        if not os.path.isdir(samples):
            print("SKIP: %s is absent" % samples)
            return 77
        sources = {r["file"]: r["expected_diagnosis"] for r in read_tsv(os.path.join(samples, "SOURCES.tsv"))}
        byfile = {r["file"]: r for r in rows}
        for f, label in sources.items():
            if f not in byfile:
                missing.append(f)
            elif byfile[f]["label"] != label:
                missing.append("%s (label %s in the map, %s in SOURCES.tsv)" % (f, byfile[f]["label"], label))
        for r in rows:
            cases.append((r["file"], os.path.join(samples, r["file"]), r))
    else:
        print("unknown mode %s" % mode)
        return 2

    passed = failed = xfailed = 0
    for f in missing:
        print("FAIL %s: not in %s" % (f, os.path.basename(mapfile)))
        failed += 1
    for label, path, row in cases:
        if not os.path.exists(path.removesuffix(KEYLOG_SUFFIX)):
            print("FAIL %s: file absent" % label)
            failed += 1
            continue
        ok, why = judge(tlsdiag, path, row)
        if row.get("status") == "xfail":
            if ok:
                print("XPASS %s: now diagnosed; set its status to ok" % label)
                failed += 1
            else:
                print("XFAIL %s: %s (%s)" % (label, why, row.get("note", "")))
                xfailed += 1
            continue
        if ok:
            print("ok   %s: errors %s" % (label, row["errors"]))
            passed += 1
        else:
            print("FAIL %s: %s" % (label, why))
            failed += 1
    print("%d passed, %d failed%s" % (passed, failed, ", %d expected failures" % xfailed if xfailed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
