"""icmtest.py - helpers shared by the ICM test scripts of this directory."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def gen(path, *args):
    """Writes a generated trace (gen_trace.py) to path."""
    subprocess.run([sys.executable, os.path.join(HERE, "gen_trace.py"), path, *args], check=True,
                   stdout=subprocess.DEVNULL)


def analyze(tlsdiag, paths, ok=(0, 1)):
    """`tlsdiag analyze --format json` in deterministic mode, as a dict."""
    env = dict(os.environ, TLSDIAG_DETERMINISTIC="1")
    p = subprocess.run([tlsdiag, "analyze", "-q", "--format", "json", *paths],
                       capture_output=True, env=env, timeout=120)
    if p.returncode not in ok:
        raise RuntimeError("exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")))
    return json.loads(p.stdout)


class Tally:
    """One line per case, then "N passed, N failed"."""

    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)))
        else:
            self.passed += 1
            print("ok   %s" % name)

    def done(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0
