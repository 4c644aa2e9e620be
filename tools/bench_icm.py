#!/usr/bin/env python3
"""bench_icm.py - ICM trace throughput against grep on the same file.

  tools/bench_icm.py [--tlsdiag PATH] [--trace FILE | --size-mb N] [--runs 3] [--keep]

Makes a synthetic trace with tests/icm/gen_trace.py (default 500 MB, mostly
hex dumps and unrelated lines, a few thousand TLS failures) unless --trace
names one, then times `tlsdiag analyze --quiet --format json -o /dev/null
FILE` and `grep -c ERROR FILE` (best of --runs each; peak RSS from
/usr/bin/time -f %M when present) and prints both with the ratio
tlsdiag/grep (the issue's aim: <= 2). Use a release or debugoptimized build.
"""
import argparse, os, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, runs):
    """Best wall time of `runs` runs, and the peak RSS (KB) of the best run."""
    best, rss = None, None
    gnu_time = shutil.which('time') and os.path.exists('/usr/bin/time')
    for _ in range(runs):
        full = ['/usr/bin/time', '-f', '%M'] + cmd if gnu_time else cmd
        t0 = time.perf_counter()
        # stdout to a pipe, not /dev/null: GNU grep stops at the first match
        # when it sees its output is /dev/null.
        p = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t0
        if p.returncode not in (0, 1):  # 1: findings (tlsdiag), no match (grep)
            sys.exit('%s: exit %d: %s' % (cmd[0], p.returncode, p.stderr.decode(errors='replace')))
        if best is None or dt < best:
            best = dt
            last = p.stderr.decode(errors='replace').strip().splitlines()
            rss = int(last[-1]) if gnu_time and last and last[-1].isdigit() else None
    return best, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tlsdiag', default=os.path.join(ROOT, 'build', 'analyzer', 'tlsdiag'))
    ap.add_argument('--trace')
    ap.add_argument('--size-mb', type=float, default=500)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--keep', action='store_true', help='keep the generated trace')
    a = ap.parse_args()
    tmp = None
    trace = a.trace
    if not trace:
        tmp = tempfile.mkdtemp(prefix='bench_icm.')
        trace = os.path.join(tmp, 'dev_icm')
        print('generating %.0f MB trace %s ...' % (a.size_mb, trace), flush=True)
        subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'icm', 'gen_trace.py'), trace,
                        '--size-mb', str(a.size_mb), '--seed', '5'], check=True)
    try:
        size = os.path.getsize(trace)
        mb = size / 1e6
        subprocess.run(['cat', trace], stdout=subprocess.DEVNULL)  # warm the page cache
        t_tls, rss_tls = timed([a.tlsdiag, 'analyze', '--quiet', '--format', 'json', '-o', '/dev/null',
                                trace], a.runs)
        t_grep, rss_grep = timed(['grep', '-c', 'ERROR', trace], a.runs)
        fmt_rss = lambda r: '%.1f MB' % (r / 1024) if r else 'n/a'
        print('file          %s (%.1f MB)' % (trace, mb))
        print('tlsdiag       %.3f s  %7.1f MB/s  peak RSS %s' % (t_tls, mb / t_tls, fmt_rss(rss_tls)))
        print('grep -c ERROR %.3f s  %7.1f MB/s  peak RSS %s' % (t_grep, mb / t_grep, fmt_rss(rss_grep)))
        print('ratio         %.1fx grep\'s time (aim: <= 2x)' % (t_tls / t_grep))
    finally:
        if tmp and not a.keep:
            shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
