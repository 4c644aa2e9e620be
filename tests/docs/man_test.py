#!/usr/bin/env python3
"""man_test.py TLSDIAG MANPAGE

The man page (docs/tlsdiag.1) must format without a single warning
(groff -man -ww -z, and man --warnings when man-db is installed), and every
long option that `tlsdiag --help`, `tlsdiag analyze --help`, `check --help`,
`live --help`, `probe --help` and `rules --help` print must appear in it, so the page and
the program cannot drift apart. Exits 77 (skip) without groff.
"""
import os
import re
import shutil
import subprocess
import sys

COMMANDS = [[], ["analyze"], ["check"], ["live"], ["probe"], ["rules"]]


def main():
    tlsdiag, page = sys.argv[1], sys.argv[2]
    if not shutil.which("groff"):
        print("SKIP: groff is not installed (Debian: groff-base)")
        return 77
    failures = []
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80")

    # 1. No warnings from groff (all warning types) and man.
    p = subprocess.run(["groff", "-man", "-ww", "-z", page], capture_output=True, text=True,
                       env=env)
    if p.returncode != 0 or p.stderr.strip():
        failures.append("groff -man -ww -z: exit %d\n%s" % (p.returncode, p.stderr))
    if shutil.which("man"):
        p = subprocess.run(["man", "--warnings", "-l", "-Tutf8", page], capture_output=True,
                           env=env)
        err = p.stderr.decode("utf-8", "replace").strip()
        if p.returncode != 0 or err:
            failures.append("man --warnings -l -Tutf8: exit %d\n%s" % (p.returncode, err))

    # 2. The rendered page, as plain ASCII: "\-" is "-", no overstriking.
    p = subprocess.run(["groff", "-man", "-Tascii", "-P-cbou", page], capture_output=True,
                       text=True, env=env)
    text = p.stdout
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "INPUTS",
                    "OUTPUT FORMATS", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES",
                    "SEE ALSO"):
        if not re.search(r"^%s$" % section, text, re.M):
            failures.append("section %s missing" % section)
    # The man page may wrap a long option across lines only at a blank.
    rendered = set(re.findall(r"--[a-z][a-z0-9-]*[a-z0-9]", text))

    # 3. Every long option of every --help.
    checked = 0
    for cmd in COMMANDS:
        p = subprocess.run([tlsdiag] + cmd + ["--help"], capture_output=True, text=True)
        out = p.stdout + p.stderr
        if p.returncode != 0 or "Usage" not in out:
            failures.append("tlsdiag %s --help: exit %d" % (" ".join(cmd), p.returncode))
            continue
        for opt in sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]", out))):
            checked += 1
            if opt not in rendered:
                failures.append("tlsdiag %s --help prints %s; the man page does not"
                                % (" ".join(cmd) or "(top level)", opt))

    # 4. The exit statuses of DESIGN.md, all four.
    exits = text[text.find("EXIT STATUS"):text.find("ENVIRONMENT")]
    for code in ("0", "1", "2", "3"):
        if not re.search(r"^\s+%s\s+\S" % code, exits, re.M):
            failures.append("EXIT STATUS does not describe %s" % code)

    for f in failures:
        print("FAIL:", f)
    print("%d long options checked; %d passed, %d failed"
          % (checked, 0 if failures else 1, 1 if failures else 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
