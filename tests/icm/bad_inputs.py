#!/usr/bin/env python3
"""bad_inputs.py TLSDIAG - hostile ICM traces: a clear one-line message naming
the file where reading fails, exit 2 (nothing readable) or 3 (partly read),
results (0/1) where the input is fine, never a crash, a sanitizer report or a
hang. Built here, in a temporary directory:

  binary.bin      random bytes                           -> 2
  binary-thr.trc  a "[Thr " marker, then random bytes    -> 0/1/3
  long-line.trc   a 50 MB line between two good ones     -> 3, the good lines still count
  cut.trc         a trace cut in the middle of a line    -> 0/1 (published excerpts all end
                  without a line end, so a missing one is no error), facts before the cut kept
  nul.trc         NUL bytes inside and between lines     -> 3, the good lines still count
  latin1.trc      Latin-1 and CP1252 quotes              -> 0/1, text decoded to UTF-8
  empty.trc       nothing                                -> 2
  crlf.trc        CRLF line ends                         -> 0/1, same facts as LF
"""
import json, os, random, subprocess, sys, tempfile

GOOD = (b'[Thr 140484128118528] Wed Dec 14 11:07:05:502 2022\n'
        b'[Thr 140484128118528]   SSL NI-hdl 463: local=10.1.1.1:56542  peer=10.2.2.2:443\n'
        b'[Thr 140484128118528] *** ERROR => SSL handshake with a.example.com:443 failed: '
        b'SSSLERR_PEER_CERT_UNTRUSTED (-102)\n'
        b"[Thr 140484128118528] The peer's X.509 Certificate (chain) is untrusted\n")
SECOND = (b'[Thr 4832] *** ERROR => IcmConnInitServerSSL: SapSSLSessionStart returned (-56): '
          b'SSSLERR_SSL_ACCEPT [icxxconn.c 2420]\n')


def build(d):
    rnd = random.Random(7)
    files = {}

    def put(name, data):
        path = os.path.join(d, name)
        with open(path, 'wb') as f:
            if callable(data):
                data(f)
            else:
                f.write(data)
        files[name] = path

    put('binary.bin', bytes(rnd.getrandbits(8) | 0x80 for _ in range(100000)))
    put('binary-thr.trc', b'[Thr 1] x\n' + bytes(rnd.getrandbits(8) for _ in range(200000)))

    def long_line(f):
        f.write(GOOD)
        f.write(b'[Thr 9] ')
        chunk = b'A' * (1 << 20)
        for _ in range(50):
            f.write(chunk)
        f.write(b'\n')
        f.write(SECOND)
    put('long-line.trc', long_line)
    put('cut.trc', GOOD + SECOND[:60])
    put('nul.trc', GOOD + b'[Thr 5] abc\x00def\n' + b'\x00' * 8192 + b'\n' + SECOND)
    put('latin1.trc', GOOD.replace(b"The peer's", b'The peer\x92s caf\xe9'))
    put('empty.trc', b'')
    put('crlf.trc', GOOD.replace(b'\n', b'\r\n') + SECOND.replace(b'\n', b'\r\n'))
    return files


# name -> (allowed exit codes, connections expected or None, message expected)
EXPECT = {
    'binary.bin': ({2}, None, True),
    'binary-thr.trc': ({0, 1, 3}, None, False),
    'long-line.trc': ({3}, 2, True),
    'cut.trc': ({0, 1}, 2, False),  # the cut line still names IcmConnInitServerSSL
    'nul.trc': ({3}, 2, True),
    'latin1.trc': ({0, 1}, 1, False),
    'empty.trc': ({2}, None, True),
    'crlf.trc': ({0, 1}, 2, False),
}


def main():
    tlsdiag = sys.argv[1]
    fails = []
    with tempfile.TemporaryDirectory() as d:
        files = build(d)
        for name, path in sorted(files.items()):
            allowed, conns, message = EXPECT[name]
            out = os.path.join(d, name + '.json')
            try:
                p = subprocess.run([tlsdiag, 'analyze', '--quiet', '--format', 'json', '-o', out, path],
                                   capture_output=True, timeout=120)
            except subprocess.TimeoutExpired:
                fails.append('%s: hangs' % name)
                continue
            err = p.stderr.decode('utf-8', 'replace')
            print('%-15s exit %d  %s' % (name, p.returncode, err.strip().replace('\n', ' | ')[:160]))
            if p.returncode < 0 or p.returncode >= 128:
                fails.append('%s: crashed (exit %d)' % (name, p.returncode))
                continue
            if 'Sanitizer' in err or 'runtime error' in err:
                fails.append('%s: sanitizer report: %s' % (name, err[:400]))
            if p.returncode not in allowed:
                fails.append('%s: exit %d, want one of %s' % (name, p.returncode, sorted(allowed)))
            lines = [l for l in err.splitlines() if l.startswith('tlsdiag: ') and path in l]
            if message and len(lines) != 1:
                fails.append('%s: want one message line naming the file, got %r' % (name, err))
            if conns is not None and p.returncode in (0, 1, 3):
                rep = json.load(open(out))
                if len(rep['connections']) != conns:
                    fails.append('%s: %d connections, want %d' % (name, len(rep['connections']), conns))
                if name == 'latin1.trc':
                    text = rep['connections'][0]['trace']['error_text']
                    if text != 'The peer\u2019s caf\u00e9 X.509 Certificate (chain) is untrusted'.replace(
                            '\u2019', "'"):
                        fails.append('%s: error_text %r' % (name, text))
    for f in fails:
        print('FAIL:', f)
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
