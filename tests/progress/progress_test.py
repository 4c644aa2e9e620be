#!/usr/bin/env python3
"""progress_test.py TLSDIAG SOURCE_ROOT

The progress bar (analyzer/progress.c) appears under a pseudo-terminal and
not when standard error is piped or --quiet is given. Builds a capture of
about 12 MB (tools/bench.py's generator: TLS 1.2 handshakes and bulk
application data), then runs `tlsdiag analyze` three times:

  1. stderr on a pty: the bar is drawn (carriage return, the file's name,
     [###...], a percentage, bytes read of the total in MB, a rate in MB/s,
     an ETA) and the line is cleared at the end; the report on stdout is
     complete;
  2. stderr piped: no bar (no carriage return, no "ETA", no "MB/s");
  3. stderr on a pty with --quiet: no bar.
"""
import importlib.util
import os
import pty
import re
import select
import subprocess
import sys
import tempfile

SIZE_MB = 12  # above the 8 MB below which no bar is drawn

BAR = re.compile(r"\r(?P<name>[^\r\[]+) \[(?P<bar>[#.]{20})\] +(?P<pct>\d{1,3}\.\d)%  "
                 r"(?P<done>\d+\.\d)/(?P<total>\d+\.\d) MB  (?P<rate>\d+\.\d) MB/s  "
                 r"ETA (?P<eta>\?|\d+s|\d+m\d\ds|\d+h\d\dm)\x1b\[K")


def load_bench(root):
    spec = importlib.util.spec_from_file_location("bench", os.path.join(root, "tools", "bench.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_on_pty(cmd):
    """Runs cmd with stderr on a pty (stdout piped); returns (rc, stdout, pty bytes)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    term = b""
    out = b""
    fds = [master, p.stdout.fileno()]
    while fds:
        ready, _, _ = select.select(fds, [], [], 60)
        if not ready:
            p.kill()
            raise RuntimeError("tlsdiag hung")
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the pty's other side is closed
                chunk = b""
            if not chunk:
                fds.remove(fd)
            elif fd == master:
                term += chunk
            else:
                out += chunk
    os.close(master)
    return p.wait(), out, term


def main():
    tlsdiag, root = sys.argv[1], sys.argv[2]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, "progress-test-capture.pcap")
        load_bench(root).build(cap, SIZE_MB)
        size = os.path.getsize(cap)
        analyze = [tlsdiag, "analyze", "--color", "never", "--format", "json", cap]

        # 1. A terminal on stderr: the bar.
        rc, out, term = run_on_pty(analyze)
        text = term.decode("utf-8", "replace")
        frames = list(BAR.finditer(text))
        if rc not in (0, 1):
            failures.append("pty run: exit status %d" % rc)
        if b'"connections"' not in out:
            failures.append("pty run: no report on stdout")
        if not frames:
            failures.append("pty run: no progress bar on the terminal: %r" % text[:300])
        for m in frames:
            total = float(m.group("total"))
            done = float(m.group("done"))
            pct = float(m.group("pct"))
            if abs(total - size / 1e6) > 0.06:
                failures.append("bar total %.1f MB, file is %.2f MB" % (total, size / 1e6))
            if not 0 < done <= total or not 0 < pct <= 100:
                failures.append("bar shows %s/%s MB, %s%%" % (done, total, pct))
            if abs(pct - 100 * done / total) > 1.0:
                failures.append("bar percentage %.1f does not match %.1f/%.1f MB"
                                % (pct, done, total))
            if float(m.group("rate")) <= 0:
                failures.append("bar rate %s MB/s" % m.group("rate"))
            if m.group("name") != os.path.basename(cap)[-18:] and \
                    not m.group("name").startswith("~"):
                failures.append("bar names %r" % m.group("name"))
        if frames and not text.rstrip("\n").endswith("\r\x1b[K"):
            failures.append("the bar is not cleared at the end: %r" % text[-80:])
        print("pty: %d bar frame(s), first %r" % (len(frames), frames[0].group(0) if frames else None))

        # 2. stderr piped: no bar.
        p = subprocess.run(analyze, stdin=subprocess.DEVNULL, capture_output=True)
        if p.returncode not in (0, 1) or b'"connections"' not in p.stdout:
            failures.append("piped run: exit %d or no report" % p.returncode)
        if b"\r" in p.stderr or b"ETA" in p.stderr or b"MB/s" in p.stderr:
            failures.append("piped run: a progress bar on piped stderr: %r" % p.stderr[:200])

        # 3. A terminal, but --quiet: no bar.
        rc, out, term = run_on_pty(analyze[:2] + ["--quiet"] + analyze[2:])
        if rc not in (0, 1) or b'"connections"' not in out:
            failures.append("--quiet run: exit %d or no report" % rc)
        if b"\r" in term or b"ETA" in term:
            failures.append("--quiet run: a progress bar: %r" % term[:200])

    for f in failures:
        print("FAIL:", f)
    print("%d passed, %d failed" % (0 if failures else 1, 1 if failures else 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
