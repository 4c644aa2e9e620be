#!/usr/bin/env python3
"""rules_icm.py - ICM trace rules on hand-written fixtures and generated
traces: findings that must (and must not) appear.

  rules_icm.py TLSDIAG FIXTURES_DIR

FIXTURES_DIR/EXPECTED.tsv lists the fixtures (columns: file, errors, also,
absent; see its header). Generated cases (tests/icm/gen_trace.py): a trace
whose SSL initialisation block lacks its success line (--init failed) gives
ssl_not_initialised on every failed attempt; with --init ready or none it
gives none. Prints one line per case and "N passed, N failed"; exit 0 or 1.
"""
import os
import sys
import tempfile

from icmtest import Tally, analyze, gen

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rules"))
from check_diagnoses import ids, read_tsv  # noqa: E402  (the same TSV reading)


def findings(rep):
    fs = list(rep.get("findings", []))
    for c in rep.get("connections", []):
        fs.extend(c.get("findings", []))
    return fs


def check_row(tlsdiag, d, row):
    fs = findings(analyze(tlsdiag, [os.path.join(d, row["file"])], ok=(0, 1, 3)))
    errors = {f["rule"] for f in fs if f["severity"] == "error"}
    anysev = {f["rule"] for f in fs}
    problems = []
    if row["errors"] == "none" and errors:
        problems.append("no error wanted, got %s" % sorted(errors))
    problems += ["error %s missing" % r for r in ids(row["errors"]) if r not in errors]
    problems += ["%s missing" % r for r in ids(row["also"]) if r not in anysev]
    problems += ["%s must not appear" % r for r in ids(row["absent"]) if r in anysev]
    return problems


def generated(tlsdiag, tmp, init):
    path = os.path.join(tmp, "gen-%s.trc" % init)
    gen(path, "--seed", "11", "--conns", "12", "--init", init)
    rep = analyze(tlsdiag, [path])
    problems = []
    for c in rep["connections"]:
        rules = {f["rule"] for f in c.get("findings", [])}
        fired = "ssl_not_initialised" in rules
        want = init == "failed" and c.get("outcome") == "failed"
        if fired != want:
            problems.append("connection %s (%s): ssl_not_initialised %s" %
                            (c["id"], c.get("outcome"), "fired" if fired else "missing"))
    return problems


def main():
    tlsdiag, d = sys.argv[1], sys.argv[2]
    rows = read_tsv(os.path.join(d, "EXPECTED.tsv"))
    cases = [(r["file"], lambda r=r: check_row(tlsdiag, d, r)) for r in rows]
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        for init in ("failed", "ready", "none"):
            cases.append(("generated --init %s" % init, lambda i=init: generated(tlsdiag, tmp, i)))
        for name, run in cases:
            try:
                problems = run()
            except Exception as e:  # a crash or bad JSON is a failure of that case
                problems = [str(e)]
            tally.check(name, problems)
    return tally.done()


if __name__ == "__main__":
    sys.exit(main())
