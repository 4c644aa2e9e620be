#!/usr/bin/env python3
"""gen_trace.py - writes a synthetic SAP ICM trace (dev_icm) from the grammar
in shared/icm-trace-format.md, and a JSON sidecar with the facts it wrote
per connection, so that a parser run can be checked fact by fact
(tests/icm/roundtrip.py).

What it writes: the file header with its trc level (section 3); threads with
15-digit (Linux) and short (Windows) ids whose lines interleave (9.1);
timestamp lines with a colon before the milliseconds (4.2); client
connections (new "SSL handshake with host:port failed: ..." and old
"IcmConnInitClientSSL: SapSSLSessionStart failed (...)" summaries, CCL
Cli- lines including the no-fitting-CA sentences, 6.2), server connections
("IcmConnInitServerSSL: SapSSLSessionStart returned (...)", "client did not
sent any cert", 5.1), detail blocks (SSL_get_state, SSL NI-hdl local/peer,
PSE, TLSextSNI, Target Hostname, 5.3), error stacks with certificate trees
(5.5), hex dumps and unrelated ICM lines (4.5), and per connection trace
level 1, 2 or 3 (2). After the header, the SSL initialisation block of ICM
start (3: platform tag, libsapcrypto.so path, CommonCryptoLib version and
date, SECUDIR, ssl/ciphersuites and ssl/client_ciphersuites, the success
line); --init failed leaves the success line out, --init none writes no
block. The sidecar's "input" object holds the header and block facts.

Every connection starts with a line that opens a new attempt in the parser
(a summary, a stack begin, a CCL line with a new id or an NI-hdl with a new
handle) and keeps to one thread; noise goes to threads of its own.

  gen_trace.py OUT.trc [--facts OUT.json] [--seed N] [--conns N]
               [--size-mb N] [--only FAMILY] [--client IP:PORT --server IP:PORT]
               [--init ready|failed|none]

--size-mb N streams about N MB (mostly hex dumps and unrelated lines, one
connection per ~200 KB) in bounded memory; the sidecar then lists only the
connection count. --client/--server fix the 4-tuple of a single connection
(for the capture correlation test).
"""
import argparse, json, random, sys

DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

CLIENT_FAMILIES = ['untrusted', 'mismatch', 'closed', 'wouldblock', 'ssl_read_alert',
                   'handshake_failure', 'no_fitting_ca', 'old_connect']
SERVER_FAMILIES = ['server_alert', 'server_no_cert']
FAMILIES = CLIENT_FAMILIES + SERVER_FAMILIES


class Clock:
    """Server local time, moving forward; rendered as the ICM does."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.t = 0  # ms since 2022-12-14 00:00:00 (a Wednesday)

    def tick(self):
        self.t += self.rnd.randint(1, 400)

    def text(self):
        ms = self.t % 1000
        s = self.t // 1000
        day = 14 + s // 86400
        hh, mm, ss = s // 3600 % 24, s // 60 % 60, s % 60
        return '%s Dec %d %02d:%02d:%02d:%03d 2022' % (DAYS[(2 + day - 14) % 7], day, hh, mm, ss, ms)


def ip(rnd):
    return '10.%d.%d.%d' % (rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254))


def hexid(rnd, n):
    return ''.join(rnd.choice('0123456789abcdef') for _ in range(n))


def cert_tree(rnd, host):
    """A received chain as in sample 01: leaf, intermediate, root."""
    leaf = 'CN=%s, O=Example Corp %d, C=DE' % (host, rnd.randint(1, 99))
    inter = 'CN=Example Issuing CA %d, O=Example PKI, C=DE' % rnd.randint(1, 9)
    root = 'CN=Example Root CA %d, O=Example PKI, C=DE' % rnd.randint(10, 99)
    serial = lambda: ':'.join('%02X' % rnd.randint(0, 255) for _ in range(16))
    lines = ['Certificate:', ' Certificate:',
             '  Subject:                ' + leaf, '  Issuer:                 ' + inter,
             '  Serial Number:          ' + serial(), ' Verification result:',
             '  Status:                 Not successful', '  SignerVerificationResult:',
             '   SignerCert:', '    Certificate:',
             '     Subject:                ' + inter, '     Issuer:                 ' + root,
             '     Serial Number:          ' + serial(), '    Verification result:',
             '     ObjectStatus:           Not successful']
    return lines, leaf


def client_conn(rnd, fam, level, ids, fixed):
    """Lines (payloads, without the thread prefix) and facts of one client attempt."""
    host = 'srv%d.example.com' % rnd.randint(1, 999)
    lip, lport = fixed.get('local') or (ip(rnd), rnd.randint(30000, 60999))
    pip, pport = fixed.get('peer') or (ip(rnd), rnd.choice([443, 8443, 44300]))
    sni_on = rnd.random() < 0.7
    pse = '/usr/sap/S4D/D20/sec/%s' % rnd.choice(['SAPSSLC.pse', 'SAPSSLA.pse', 'SAPSSLCICP.pse'])
    ni = str(next(ids))
    hdl = hexid(rnd, 12)
    f = {'role': 'client', 'family': fam, 'level': level, 'target_host': host,
         'server_port': pport, 'statements': []}
    err = {'untrusted': ('SSSLERR_PEER_CERT_UNTRUSTED', -102,
                         "Peer's X.509 certificate (chain) validation failed (missing trust?)"),
           'mismatch': ('SSSLERR_SERVER_CERT_MISMATCH', -30,
                        'Server certificate does not match supplied TargetHostname (rfc2818 section 3.1)'),
           'closed': ('SSSLRC_CONN_CLOSED', -10, 'Remote Peer has closed the network connection'),
           'wouldblock': ('SSSLERR_EWOULDBLOCK', -71,
                          '(no error) non-blocking network read/write could not complete'),
           'ssl_read_alert': ('SSSLERR_SSL_READ', -58, 'SAPCRYPTO:SSL_read() failed'),
           'handshake_failure': ('SSSLERR_ALERT_HANDSHAKE_FAILURE', -122,
                                 'Server aborted TLS handshake with fatal TLS handshake failure alert'),
           'no_fitting_ca': ('SSSLERR_ALERT_HANDSHAKE_FAILURE', -122,
                             'Server aborted TLS handshake with fatal TLS handshake failure alert'),
           'old_connect': ('SSSLERR_SSL_CONNECT', -57, None)}[fam]
    name, code, expl = err
    f['error_name'], f['error_code'] = name, code
    out = []
    if fam == 'no_fitting_ca' and level >= 3:
        ccl = 'Cli-%08X' % rnd.randint(0, 0xffffffff)
        f['conn'] = ccl
        s1 = 'Cannot perform client authentication: Have no certificate fitting to CA names received from server'
        s2 = 'Sending message with empty certificate list'
        s3 = 'Sending empty Certificate message.'
        out += ['CCL[SSL]: %s: %s [ssl3_send_client_certificate]' % (ccl, s1), ('TS',),
                'CCL[SSL]: %s: %s [ssl3_send_client_certificate]' % (ccl, s2),
                'CCL[SSL]: %s: %s [tls1_empty_cert_list]' % (ccl, s3)]
        f['statements'] += [s1, s2, s3]
        f['client_cert'] = 'empty'
    if fam == 'untrusted' and level >= 2:
        tree, leaf = cert_tree(rnd, host)
        out += ['>>            Begin of Secu-SSL Errorstack            >>', 'Peer not trusted'] + tree
        out += ['<< ---------- End of Secu-SSL Errorstack ----------']
        f['statements'].append('Peer not trusted')
        f['leaf_subject'] = leaf
    if level >= 2:
        out += ['  SSL NI-hdl %s: local=%s:%d  peer=%s:%d' % (ni, lip, lport, pip, pport),
                '  Target Hostname="%s"' % host,
                '<<- ERROR: SapSSLSessionStartNB(sssl_hdl=%s)==%s' % (hdl, name)]
        f['client'] = [lip, lport]
        f['server'] = [pip, pport]
    if fam == 'old_connect':
        out.append('*** ERROR => IcmConnInitClientSSL: SapSSLSessionStart failed (%d): %s' % (code, name))
        f.pop('target_host')
        f.pop('server_port')
        if level >= 2:
            f['target_host'] = host
            f['server_port'] = pport
    else:
        out.append('*** ERROR => SSL handshake with %s:%d failed: %s (%d)' % (host, pport, name, code))
        out.append(expl)
        f['error_text'] = expl
    if level >= 2:
        state = rnd.choice(['0x2120 "TLS read server hello A"', '0x00002131 "SSLv3 read server certificate B"'])
        out += ['', 'SapSSLSessionStartNB()==%s' % name,
                '  SSL:SSL_get_state()==' + state,
                '  SSL NI-hdl %s: local=%s:%d  peer=%s:%d' % (ni, lip, lport, pip, pport),
                '  cli SSL session PSE "%s"' % pse,
                '  SSL_CTX ciphersuites=150:PFS:HIGH::EC_P256:EC_HIGH',
                '  Client SSL_CTX %s pvflags=896 (TLSv1.2,TLSv1.1,TLSv1.0)' % hexid(rnd, 12)]
        if sni_on:
            out.append('  TLSextSNI server_name="%s"' % host)
            f['sni'] = host
        out.append('  Target Hostname="%s"' % host)
        f['identity'] = pse
        f['state'] = state.split('"')[1]
        if fam == 'mismatch':
            out += ['  TargetHostname     = "%s"' % host,
                    '  ServerCert.subject = <CN=other.example.net, O=Other, C=US>']
    return out, f


def server_conn(rnd, fam, level, ids, fixed):
    lip, lport = fixed.get('local') or (ip(rnd), rnd.choice([443, 44300, 8443]))
    pip, pport = fixed.get('peer') or (ip(rnd), rnd.randint(30000, 60999))
    ni = str(next(ids))
    sni = 'icm%d.example.org' % rnd.randint(1, 99)
    f = {'role': 'server', 'family': fam, 'level': level, 'statements': [],
         'error_name': 'SSSLERR_SSL_ACCEPT', 'error_code': -56}
    out = []
    if level >= 2:
        out += ['  SSL NI-hdl %s: local=%s:%d  peer=%s:%d' % (ni, lip, lport, pip, pport),
                '  SSL_get_state()==0x1180 "TLS read client certificate A"',
                '  srv SSL session PSE "/usr/sap/S4D/D20/sec/SAPSSLS.pse"',
                '  session ciphersuites=135:PFS:HIGH::EC_P256:EC_HIGH',
                '  Server SSL_CTX %s pvflags=897 (TLSv1.2,TLSv1.1,TLSv1.0,BC)' % hexid(rnd, 12),
                '  TLSextSNI server_name="%s"' % sni]
        f.update(server=[lip, lport], client=[pip, pport], sni=sni,
                 identity='/usr/sap/S4D/D20/sec/SAPSSLS.pse', state='TLS read client certificate A')
        if fam == 'server_alert':
            alert = 'received a fatal TLS certificate unknown alert message from the peer'
            out += ['SecuSSL_SessionStart: SSL_accept() failed  (536875078/0x20001046)',
                    '   => "%s"' % alert,
                    '>>            Begin of Secu-SSL Errorstack            >>',
                    '0x20001046   SAPCRYPTOLIB   SSL_accept', 'SSL API error', alert,
                    '<< ---------- End of Secu-SSL Errorstack ----------']
            f['statements'].append(alert)
            f['alert'] = 46
        else:
            out += ['out: cert_len = <no cert>']
            f['statements'].append('out: cert_len = <no cert>')
            f['client_cert'] = 'not_sent'
    out.append('*** ERROR => IcmConnInitServerSSL: SapSSLSessionStart returned (-56): '
               'SSSLERR_SSL_ACCEPT [icxxconn.c 2420]')
    return out, f


def hexdump(rnd):
    text = rnd.choice([b'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n', b'GET /sap/bc/ping HTTP/1.1\r\n',
                       b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'])
    addr = rnd.randint(0x7f0000000000, 0x7fffffffffff)
    rows = ['Address           Offset  Data', '-' * 60]
    for off in range(0, len(text), 16):
        chunk = text[off:off + 16]
        groups = ' '.join(chunk[i:i + 4].hex() for i in range(0, len(chunk), 4))
        vis = ''.join(chr(b) if 32 <= b < 127 else '.' for b in chunk)
        rows.append('%012x  %06d  %-35s |%-16s|' % (addr + off, off, groups, vis))
    return rows


def noise(rnd):
    return rnd.choice([
        lambda: hexdump(rnd),
        lambda: ['IcmHandleOOBData: received %d bytes of out-of-band data' % rnd.randint(1, 9)],
        lambda: ['DpRqFree: freeing REQ_HANDLER_ICMAN_OPCODE_RESP request (rq_id %d, slot %d)'
                 % (rnd.randint(1, 999999), rnd.randint(1, 999))],
        lambda: ['MPI<%x>%d: MpiIFree: %d bytes' % (rnd.randint(1, 0xfff), rnd.randint(1, 9), rnd.randint(1, 99999))],
        lambda: ['<<- SapSSLSetTraceFile(fp=%s)==SAP_O_K' % hexid(rnd, 12)],
    ])()


def init_block(rnd, mode):
    """The SSL initialisation block (format 3) as payloads, and its facts.
    Blanks vary as in copies; the frame lines may be left out."""
    sid = rnd.choice(['S4D', 'NPL', 'QAS'])
    inst = rnd.choice(['D20', 'DVEBMGS00', 'ASCS01'])
    ver = '8.5.%d' % rnd.randint(30, 55)
    date = '%s %d %d' % (rnd.choice(MONTHS), rnd.randint(1, 28), rnd.randint(2019, 2025))
    lib = '/usr/sap/%s/SYS/exe/run/libsapcrypto.so' % sid
    secudir = '/usr/sap/%s/%s/sec' % (sid, inst)
    srv = '%d:PFS:HIGH::EC_P256:EC_HIGH' % rnd.choice([135, 151, 918])
    cli = '%d:PFS:HIGH::EC_P256:EC_HIGH' % rnd.choice([150, 166, 918])
    b = lambda: ' ' * rnd.randint(1, 4)
    frame = rnd.random() < 0.8
    out = (['=' * 64] if frame else []) + [
        '= SSL Initialization%splatform tag=(linuxx86_64)' % b(),
        '=%s(785_REL,Jan 13 2023,mt,ascii,SAP_UC/size_t/void* = 8/64/64)' % b(),
        '=%sresulting Filename = "%s"' % (b(), lib),
        '=%sFIPS mode is off' % b(),
        '=%sfound CommonCryptoLib %s (%s) [AES-NI,CLMUL,SSE3,SSSE3]' % (b(), ver, date),
        '=%scurrent UserID: %sadm, environment USER="%sadm"' % (b(), sid.lower(), sid.lower()),
        '=%susing SECUDIR=%s' % (b(), secudir),
        '=%s[dpf] ssl/ciphersuites=%s' % (b(), srv),
        '=%sNOT creating Envvar SAPSSL_CIPHERSUITES=%s' % (b(), srv),
        '=%s[dpf] ssl/client_ciphersuites=%s' % (b(), cli),
        '=%sNOT creating Envvar SAPSSL_CLIENT_CIPHERSUITES=%s' % (b(), cli)]
    if mode == 'ready':
        out.append('= Success%sSapCryptoLib SSL ready!' % b())
    out += ['=' * 64] if frame or mode != 'ready' else []
    facts = {'ssl_init_seen': True, 'ssl_init_ended': True, 'ssl_ready_seen': mode == 'ready',
             'crypto_lib_version': ver, 'crypto_lib_date': date, 'crypto_lib_path': lib,
             'secudir': secudir, 'ssl_ciphersuites': srv, 'ssl_client_ciphersuites': cli}
    return out, facts


def thread_id(rnd):
    return str(rnd.randint(10 ** 14, 10 ** 15 - 1)) if rnd.random() < 0.7 else str(rnd.randint(1000, 9999))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--facts')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--conns', type=int, default=60)
    ap.add_argument('--size-mb', type=float, default=0)
    ap.add_argument('--only', choices=FAMILIES)
    ap.add_argument('--level', type=int, choices=[1, 2, 3])
    ap.add_argument('--client')
    ap.add_argument('--server')
    ap.add_argument('--header-level', type=int, default=2)
    ap.add_argument('--init', choices=['ready', 'failed', 'none'], default='ready')
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    clock = Clock(rnd)
    big = a.size_mb > 0
    limit = int(a.size_mb * 1024 * 1024)
    ids = iter(range(100, 10 ** 9))
    facts = []
    out = open(a.out, 'w', encoding='utf-8', newline='\n')
    written = 0

    def put(s):
        nonlocal written
        out.write(s)
        written += len(s)

    put('-' * 51 + '\ntrc file: "dev_icm", trc level: %d, release: "785"\n' % a.header_level + '-' * 51 + '\n')
    put('sysno      20\nsid        S4D\nrelno      7850\npatchno    50\n')
    input_facts = {'header_seen': True, 'trace_level': a.header_level, 'release': '785',
                   'patch': '50', 'ssl_init_seen': False, 'ssl_ready_seen': False}
    used_threads = set()

    def new_thread():
        while True:
            t = thread_id(rnd)
            if t not in used_threads:
                used_threads.add(t)
                return t

    if a.init != 'none':
        # Written at ICM start, before any connection; a line of another
        # thread follows (the parser needs one to know the block ended).
        init_thread = new_thread()
        block, f = init_block(rnd, a.init)
        input_facts.update(f)
        clock.tick()
        put('[Thr %s] %s\n' % (init_thread, clock.text()))
        for ln in block:
            put('[Thr %s] %s\n' % (init_thread, ln))
        put('[Thr %s] IcmHandleOOBData: received 1 bytes of out-of-band data\n' % init_thread)
    active = []  # [thread, lines, facts]
    noise_threads = [new_thread() for _ in range(3)]
    made = 0
    target = a.conns
    while True:
        done = (written >= limit) if big else (made >= target)
        if not done and len(active) < 4 and (not big or rnd.random() < 0.0004 or not active):
            fam = a.only or rnd.choice(FAMILIES)
            level = a.level or rnd.choice([1, 2, 3])
            fixed = {}
            if a.client and a.server:
                c, s = a.client.rsplit(':', 1), a.server.rsplit(':', 1)
                c, s = (c[0], int(c[1])), (s[0], int(s[1]))
                fixed = {'local': c, 'peer': s} if fam in CLIENT_FAMILIES else {'local': s, 'peer': c}
            if fam in CLIENT_FAMILIES:
                lines, f = client_conn(rnd, fam, level, ids, fixed)
            else:
                lines, f = server_conn(rnd, fam, level, ids, fixed)
            t = new_thread()
            f['thread'] = t
            active.append([t, [('TS',)] + lines, f])
            made += 1
        if not active and done:
            break
        # one step: a noise block or the next line of a random active thread
        if not active or rnd.random() < (0.97 if big else 0.2):
            t = rnd.choice(noise_threads)
            clock.tick()
            put('[Thr %s] %s\n' % (t, clock.text()))
            for ln in noise(rnd):
                put('[Thr %s] %s\n' % (t, ln))
            continue
        slot = rnd.choice(active)
        t, lines, f = slot
        ln = lines.pop(0)
        if ln == ('TS',):
            clock.tick()
            ln = clock.text()
        put(('[Thr %s] %s\n' % (t, ln)) if ln else '[Thr %s]\n' % t)
        if not lines:
            active.remove(slot)
            if not big:
                facts.append(f)
    out.close()
    if a.facts:
        with open(a.facts, 'w') as fp:
            json.dump({'connections': made, 'facts': facts, 'input': input_facts}, fp, indent=1)


if __name__ == '__main__':
    main()
