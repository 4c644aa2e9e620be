#!/usr/bin/env python3
"""roundtrip.py TLSDIAG - synthetic traces from tests/icm/gen_trace.py go
through `tlsdiag analyze --format json`; every fact the generator wrote must
come back: connection count, role, thread, CCL connection id, error name
and code, error text, endpoints, SNI, target host, PSE, handshake state,
statements, client certificate status, the leaf of a stated chain and the
alert. Several seeds, every family alone and all mixed, levels 1-3.

Input facts (file header, SSL initialisation block): the trc level, release
and patch come back in the "trace header:" note of every connection; the
block's facts are checked in inputs[0] of the report ("trace_header",
"ssl_init") once the JSON renderer prints them, and counted as skipped
until then (the parser side is covered by tests/unit/test_icm.c).
"""
import json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, 'gen_trace.py')
FAMILIES = ['untrusted', 'mismatch', 'closed', 'wouldblock', 'ssl_read_alert', 'handshake_failure',
            'no_fitting_ca', 'old_connect', 'server_alert', 'server_no_cert']


def run(tlsdiag, tmp, name, gen_args):
    trc, facts_path = os.path.join(tmp, name + '.trc'), os.path.join(tmp, name + '.json')
    subprocess.run([sys.executable, GEN, trc, '--facts', facts_path] + gen_args, check=True)
    p = subprocess.run([tlsdiag, 'analyze', '--quiet', '--format', 'json', trc],
                       capture_output=True, timeout=120)
    if p.returncode not in (0, 1):
        return ['%s: exit %d: %s' % (name, p.returncode, p.stderr.decode(errors='replace'))]
    report = json.loads(p.stdout)
    facts = json.load(open(facts_path))
    return check(name, report, facts) + check_input(name, report, facts)


SKIPPED = []

# sidecar key -> key in the report's inputs[0]["ssl_init"]
INIT_KEYS = {'ssl_init_ended': 'ended', 'ssl_ready_seen': 'ready',
             'crypto_lib_version': 'crypto_lib_version', 'crypto_lib_date': 'crypto_lib_date',
             'crypto_lib_path': 'crypto_lib_path', 'secudir': 'secudir',
             'ssl_ciphersuites': 'ciphersuites', 'ssl_client_ciphersuites': 'client_ciphersuites'}


def check_input(name, report, facts):
    f = facts.get('input')
    if not f:
        return []
    errs = []
    note = 'trace header: trc level %d, release %s patch %s' % (f['trace_level'], f['release'], f['patch'])
    for c in report['connections']:
        texts = [n.get('text') for n in c.get('notes') or []]
        if note not in texts:
            errs.append('%s: connection %s lacks the note %r' % (name, c.get('id'), note))
            break
    inp = report['inputs'][0]
    if 'ssl_init' not in inp and 'trace_header' not in inp:
        SKIPPED.append(name)
        return errs
    hdr = inp.get('trace_header') or {}
    for k, jk in (('trace_level', 'trc_level'), ('release', 'release'), ('patch', 'patch')):
        if hdr.get(jk) != f[k]:
            errs.append('%s: trace_header.%s is %r, want %r' % (name, jk, hdr.get(jk), f[k]))
    init = inp.get('ssl_init')
    if not f['ssl_init_seen']:
        if init:
            errs.append('%s: ssl_init %r, the generator wrote no block' % (name, init))
        return errs
    if not init:
        return errs + ['%s: ssl_init missing' % name]
    for k, jk in INIT_KEYS.items():
        if init.get(jk) != f[k]:
            errs.append('%s: ssl_init.%s is %r, want %r' % (name, jk, init.get(jk), f[k]))
    return errs


def check(name, report, facts):
    errs = []
    conns = report['connections']
    if len(conns) != facts['connections']:
        errs.append('%s: %d connections, generator wrote %d' % (name, len(conns), facts['connections']))
    by_thread = {}
    for c in conns:
        by_thread.setdefault(c['source'].get('thread'), []).append(c)
    for f in facts['facts']:
        where = '%s: thread %s (%s, level %d)' % (name, f['thread'], f['family'], f['level'])
        got = by_thread.get(f['thread'], [])
        if len(got) != 1:
            errs.append('%s: %d connections for the thread' % (where, len(got)))
            continue
        c = got[0]
        tr = c.get('trace') or {}

        def want(label, have, expect):
            if have != expect:
                errs.append('%s: %s is %r, want %r' % (where, label, have, expect))

        want('role', tr.get('local_side'), f['role'])
        want('error_name', tr.get('error_name'), f['error_name'])
        want('error_code', tr.get('error_code'), f['error_code'])
        want('source.conn', c['source'].get('conn'), f.get('conn'))
        want('outcome', c['outcome'], 'failed')
        if 'error_text' in f:
            want('error_text', tr.get('error_text'), f['error_text'])
        if 'target_host' in f:
            want('target_host', tr.get('target_host'), f['target_host'])
        if 'server_port' in f:
            want('server.port', c['server']['port'], f['server_port'])
        for side in ('client', 'server'):
            if side in f:
                want(side, [c[side]['ip'], c[side]['port']], f[side])
        want('sni', c.get('sni'), f.get('sni'))
        if 'identity' in f:
            want('identity', tr.get('identity'), f['identity'])
        if 'state' in f:
            want('handshake_state', tr.get('handshake_state'), f['state'])
        for s in f['statements']:
            if s not in (tr.get('statements') or []):
                errs.append('%s: statement %r missing (have %r)' % (where, s, tr.get('statements')))
        if 'client_cert' in f:
            want('client_certificate_status', c.get('client_certificate_status'), f['client_cert'])
        if 'leaf_subject' in f:
            certs = tr.get('certificates') or []
            want('stated leaf', certs[0].get('subject') if certs else None, f['leaf_subject'])
        if 'alert' in f:
            codes = [a.get('code') for a in c.get('alerts', [])]
            if f['alert'] not in codes:
                errs.append('%s: alert %d missing (have %r)' % (where, f['alert'], codes))
    return errs


def main():
    tlsdiag = sys.argv[1]
    errs = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (1, 2, 3, 4):
            errs += run(tlsdiag, tmp, 'mixed%d' % seed, ['--seed', str(seed), '--conns', '80'])
        for init in ('failed', 'none'):
            errs += run(tlsdiag, tmp, 'init-%s' % init,
                        ['--seed', '5', '--conns', '20', '--init', init, '--header-level', '3'])
        for fam in FAMILIES:
            for level in (1, 2, 3):
                errs += run(tlsdiag, tmp, '%s-%d' % (fam, level),
                            ['--seed', '7', '--conns', '6', '--only', fam, '--level', str(level)])
    for e in errs[:60]:
        print(e)
    if errs:
        print('FAIL: %d mismatches' % len(errs))
        return 1
    if SKIPPED:
        print('note: input facts not in the JSON report yet: %d run(s) checked for connections only'
              % len(SKIPPED))
    print('ok: every generated fact came back')
    return 0


if __name__ == '__main__':
    sys.exit(main())
