#!/usr/bin/env python3
"""hostile.py TLSDIAG - garbage and hostile inputs must get a clear one-line
message and exit status 2 or 3 (or results and 0), never a crash, a hang or
unbounded memory. Each input is built here, in a temporary directory:

  random.bin        random bytes
  truncated.pcap    a valid capture cut in the middle of a packet
  hs16m.pcap        a handshake header claiming a 16 MB message
  zero-records.pcap a flood of zero-length records after a ClientHello
  syn-flood.pcap    100,000 flows with only a SYN
  empty.pcap        a pcap header and nothing else
  bad-linktype.pcap an unknown link type
"""
import json, os, random, struct, subprocess, sys, tempfile

def pcap(packets, linktype=1, snaplen=65535):
    out = [struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype)]
    for i, p in enumerate(packets):
        out.append(struct.pack('<IIII', 1700000000 + i // 1000, i % 1000, len(p), len(p)))
        out.append(p)
    return b''.join(out)

def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def tcp(src, dst, sport, dport, seq, flags, payload=b'', ack=0):
    th = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ih = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(th) + len(payload), 0, 0, 64, 6, 0,
                     bytes(src), bytes(dst))
    ih = ih[:10] + struct.pack('!H', csum(ih)) + ih[12:]
    eth = b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + b'\x08\x00'
    return eth + ih + th + payload

C, S = [10, 0, 0, 1], [10, 0, 0, 2]

def client_hello():
    body = struct.pack('!H', 0x0303) + bytes(32) + b'\x00' + struct.pack('!H', 2) + b'\x00\x2f' + b'\x01\x00'
    hs = b'\x01' + struct.pack('!I', len(body))[1:] + body
    return b'\x16\x03\x01' + struct.pack('!H', len(hs)) + hs

def handshake_prefix():
    return [tcp(C, S, 40000, 443, 1000, 0x02), tcp(S, C, 443, 40000, 5000, 0x12, ack=1001),
            tcp(C, S, 40000, 443, 1001, 0x10, ack=5001)]

def pcapng(blocks_before_packets, packets, linktype=1):
    """A little-endian pcapng: SHB, IDB, the given raw blocks, then EPBs."""
    def block(btype, body):
        body += b'\0' * (-len(body) % 4)
        n = len(body) + 12
        return struct.pack('<II', btype, n) + body + struct.pack('<I', n)
    out = block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack('<HHI', linktype, 0, 65535))
    out += b''.join(blocks_before_packets)
    for i, pk in enumerate(packets):
        out += block(6, struct.pack('<IIIII', 0, 0, i, len(pk), len(pk)) + pk)
    return out

def dsb(secrets, secrets_len=None, total=None):
    body = struct.pack('<II', 0x544c534b, len(secrets) if secrets_len is None else secrets_len)
    body += secrets + b'\0' * (-len(secrets) % 4)
    n = len(body) + 12 if total is None else total
    return struct.pack('<II', 0x0A, n) + body + struct.pack('<I', n)

def build(d):
    files = {}
    rnd = random.Random(1234)
    files['random.bin'] = bytes(rnd.getrandbits(8) for _ in range(65536))
    good = pcap(handshake_prefix() + [tcp(C, S, 40000, 443, 1001, 0x18, client_hello(), 5001)])
    files['truncated.pcap'] = good[:-20]
    # A ServerHello-looking record whose handshake header claims 16 MB, then more bytes.
    claim = b'\x16\x03\x03\x40\x00' + b'\x0b\xff\xff\xff' + bytes(0x4000 - 4)
    pk = handshake_prefix() + [tcp(C, S, 40000, 443, 1001, 0x18, client_hello(), 5001)]
    seq = 5001
    for i in range(40):
        payload = claim[:1400] if i == 0 else bytes(1400)
        pk.append(tcp(S, C, 443, 40000, seq, 0x18, payload, 1001))
        seq += 1400
    files['hs16m.pcap'] = pcap(pk)
    # ClientHello, then 200,000 zero-length handshake records.
    flood = b'\x16\x03\x03\x00\x00' * 200000
    pk = handshake_prefix() + [tcp(C, S, 40000, 443, 1001, 0x18, client_hello(), 5001)]
    seq = 1001 + len(client_hello())
    for off in range(0, len(flood), 1400):
        chunk = flood[off:off + 1400]
        pk.append(tcp(C, S, 40000, 443, seq, 0x18, chunk, 5001))
        seq += len(chunk)
    files['zero-records.pcap'] = pcap(pk)
    pk = []
    for i in range(100000):
        src = [10, 1 + (i >> 16), (i >> 8) & 255, i & 255]
        pk.append(tcp(src, S, 1024 + (i % 60000), 443, i * 7919, 0x02))
    files['syn-flood.pcap'] = pcap(pk)
    # pcapng Decryption Secrets Blocks that lie: about their own length, the
    # secrets' length, or hold binary garbage instead of a key log.
    hello = handshake_prefix() + [tcp(C, S, 40000, 443, 1001, 0x18, client_hello(), 5001)]
    files['dsb-huge-block.pcapng'] = pcapng([dsb(b'CLIENT_RANDOM', total=0xFFFFFFF0)], hello)
    files['dsb-secrets-overrun.pcapng'] = pcapng([dsb(b'CLIENT_RANDOM 00', 0x7FFFFFFF)], hello)
    files['dsb-garbage.pcapng'] = pcapng([dsb(bytes(rnd.getrandbits(8) for _ in range(5000)))],
                                         hello)
    files['dsb-cut.pcapng'] = pcapng([dsb(b'CLIENT_RANDOM ' + b'a' * 64 + b' ' + b'b' * 96)],
                                     [])[:-30]
    files['empty.pcap'] = pcap([])
    files['bad-linktype.pcap'] = pcap([b'\0' * 60], linktype=4242)
    for name, data in files.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)
    return sorted(files)

def main():
    tlsdiag = sys.argv[1]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as d:
        for name in build(d):
            path = os.path.join(d, name)
            try:
                p = subprocess.run([tlsdiag, 'analyze', '--quiet', '--format', 'json', path],
                                   capture_output=True, timeout=120)
            except subprocess.TimeoutExpired:
                print('FAIL %s: hang (over 120 s)' % name)
                failed += 1
                continue
            err = p.stderr.decode('utf-8', 'replace').strip().splitlines()
            problems = []
            if p.returncode not in (0, 1, 2, 3):
                problems.append('exit status %d' % p.returncode)
            if p.returncode in (2, 3) and not err:
                problems.append('no message on stderr')
            if p.returncode == 2 and len(err) != 1:
                problems.append('message is not one line: %r' % err)
            if any('Sanitizer' in line or 'runtime error' in line for line in err):
                problems.append('sanitizer report')
            if problems:
                print('FAIL %s: %s\n%s' % (name, '; '.join(problems), '\n'.join(err[:20])))
                failed += 1
            else:
                print('ok   %s: exit %d %s' % (name, p.returncode, err[0] if err else ''))
                passed += 1
        # A good capture and a missing file: exit 3, and the report itself
        # (not only stderr) names the file that was not read.
        good = os.path.join(d, 'truncated.pcap').replace('truncated', 'empty')
        missing = os.path.join(d, 'no-such-file.pcap')
        p = subprocess.run([tlsdiag, 'analyze', '--quiet', '--format', 'json', good, missing],
                           capture_output=True, timeout=120)
        try:
            unread = json.loads(p.stdout).get('unreadable') or []
        except ValueError:
            unread = []
        if p.returncode == 3 and [u.get('path') for u in unread] == [missing]:
            print('ok   unreadable input named in the report: exit 3')
            passed += 1
        else:
            print('FAIL unreadable input: exit %d, unreadable %r' % (p.returncode, unread))
            failed += 1
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0

if __name__ == '__main__':
    sys.exit(main())
