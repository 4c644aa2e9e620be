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
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def ids(field):
    return [] if field in ("", "-", "none") else [x for x in field.split(",") if x]


def analyze(tlsdiag, paths):
    env = dict(os.environ, TLSDIAG_DETERMINISTIC="1")
    p = subprocess.run([tlsdiag, "analyze", "-q", "--format", "json", *paths],
                       capture_output=True, env=env, timeout=120)
    if p.returncode not in (0, 1, 3):
        raise RuntimeError("exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")))
    return json.loads(p.stdout)


def findings(rep):
    fs = list(rep.get("findings", []))
    for c in rep.get("connections", []):
        fs.extend(c.get("findings", []))
    return fs


def check_row(tlsdiag, d, row):
    fs = findings(analyze(tlsdiag, [os.path.join(d, row["file"])]))
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
    subprocess.run([sys.executable, os.path.join(HERE, "gen_trace.py"), path, "--seed", "11",
                    "--conns", "12", "--init", init], check=True, stdout=subprocess.DEVNULL)
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
    rows = []
    with open(os.path.join(d, "EXPECTED.tsv"), encoding="utf-8") as f:
        header = None
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
            else:
                rows.append(dict(zip(header, cols)))
    passed = failed = 0
    cases = [(r["file"], lambda r=r: check_row(tlsdiag, d, r)) for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        for init in ("failed", "ready", "none"):
            cases.append(("generated --init %s" % init, lambda i=init: generated(tlsdiag, tmp, i)))
        for name, run in cases:
            try:
                problems = run()
            except Exception as e:  # a crash or bad JSON is a failure of that case
                problems = [str(e)]
            if problems:
                failed += 1
                print("FAIL %s: %s" % (name, "; ".join(problems)))
            else:
                passed += 1
                print("ok   %s" % name)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
