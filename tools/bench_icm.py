#!/usr/bin/env python3
"""bench_icm.py - ICM trace throughput against grep on the same file.

  tools/bench_icm.py [--tlsdiag PATH] [--trace FILE | --size-mb N] [--runs 3] [--keep]

Makes a synthetic trace with tests/icm/gen_trace.py (default 500 MB, mostly
hex dumps and unrelated lines, a few thousand TLS failures) unless --trace
names one, then times `tlsdiag analyze --quiet --format json -o /dev/null
FILE` and `grep -c ERROR FILE` (best of --runs each) and prints both with
the ratio
tlsdiag/grep (the issue's aim: <= 2), of wall time and of CPU time (user +
system: on a busy machine the better measure), and the same for the parser
alone (tests/icm/parse_probe.c, built as tests/icm_parse_probe beside
analyzer/tlsdiag) when it is there. The peak RSS of tlsdiag is
the largest ru_maxrss of its runs (the bounded-memory check). Use a release
or debugoptimized build.
"""
import argparse, os, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, runs):
    """Best wall time of `runs` runs, the best CPU time (user + system, less
    disturbed by a busy machine) and the peak RSS (KB) over the runs."""
    best, best_cpu, rss = None, None, 0
    for _ in range(runs):
        t0 = time.perf_counter()
        # stdout to a pipe, not /dev/null: GNU grep stops at the first match
        # when it sees its output is /dev/null. Both write a few bytes at
        # most, so waiting before reading the pipes cannot block.
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        err = p.stderr.read()
        p.stdout.close()
        p.stderr.close()
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # 1: findings (tlsdiag), no match (grep)
            sys.exit('%s: exit %d: %s' % (cmd[0], code, err.decode(errors='replace')))
        best = dt if best is None else min(best, dt)
        cpu = ru.ru_utime + ru.ru_stime
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
        rss = max(rss, ru.ru_maxrss)
    return best, best_cpu, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tlsdiag', default=os.path.join(ROOT, 'build', 'analyzer', 'tlsdiag'))
    ap.add_argument('--probe', help='icm_parse_probe (default: beside --tlsdiag in tests/)')
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
        t_tls, c_tls, rss_tls = timed([a.tlsdiag, 'analyze', '--quiet', '--format', 'json', '-o',
                                       '/dev/null', trace], a.runs)
        t_grep, c_grep, _ = timed(['grep', '-c', 'ERROR', trace], a.runs)
        probe = a.probe or os.path.join(os.path.dirname(os.path.dirname(a.tlsdiag)), 'tests',
                                        'icm_parse_probe')
        parse = timed([probe, trace], a.runs) if os.path.exists(probe) else None
        print('file          %s (%.1f MB)' % (trace, mb))
        print('tlsdiag       %.3f s  %7.1f MB/s  cpu %.3f s  peak RSS %.1f MB'
              % (t_tls, mb / t_tls, c_tls, rss_tls / 1024))
        if parse:
            print('parser alone  %.3f s  %7.1f MB/s  cpu %.3f s  peak RSS %.1f MB  (%s)'
                  % (parse[0], mb / parse[0], parse[1], parse[2] / 1024, os.path.basename(probe)))
        print('grep -c ERROR %.3f s  %7.1f MB/s  cpu %.3f s' % (t_grep, mb / t_grep, c_grep))
        print('ratio         %.1fx grep\'s time, %.1fx its cpu time (aim: <= 2x)'
              % (t_tls / t_grep, c_tls / max(c_grep, 1e-3)))
        if parse:
            print('parser ratio  %.1fx grep\'s time, %.1fx its cpu time (the rest of analyze: '
                  'rules, correlation, the JSON report)'
                  % (parse[0] / t_grep, parse[1] / max(c_grep, 1e-3)))
    finally:
        if tmp and not a.keep:
            shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
