#!/usr/bin/env python3
"""conformance.py - compare tlsdiag's JSON report with tshark reference listings.

For every capture in a directory that has a tshark reference listing beside
it, run

    tlsdiag analyze --format json CAPTURE      (exit status 0, 1 or 3 accepted)

and compare it with CAPTURE.tshark.plain.tsv (what is visible without
decryption) when that exists, else with CAPTURE.tshark.tsv (a pcapng with
its key log embedded is decrypted by both tools). A capture with a key log
beside it (CAPTURE.keylog) is run a second time,

    tlsdiag analyze --format json --keylog CAPTURE.keylog CAPTURE

and compared with CAPTURE.tshark.tsv, which tshark made with that key log:
the decrypted handshake messages and alerts must be the same.

and compare, per TCP connection (matched by the two address:port endpoints,
not by stream numbers), what both tools saw in the clear:

  - the handshake message types per direction, in order (from "messages");
  - the SNI values of the ClientHellos (as a set);
  - the CA names of each CertificateRequest, as ordered lists;
  - subjects and issuers of each Certificate message, server and client side
    ([] for an empty client Certificate);
  - plaintext alerts as LEVEL/DESCRIPTION codes, per direction, in order.

Distinguished names are compared in one canonical form: one spelling per
attribute type (tshark writes id-at-commonName where RFC 4514 writes CN; both
become CN, types neither knows stay dotted OIDs), values raw
(tlsdiag's RFC 4514 escapes undone, tshark's C-style escapes such as \\000
decoded), "(empty)" = "". A name tshark marks "[truncated]" is compared as a
prefix, "(unparsed)" matches anything, and a CA list of CA_LIST_CUT or more
names may have been cut by tshark: there tlsdiag must have at least as many
and the same prefix. Not compared: encrypted records, ChangeCipherSpec, and
SSLv2 messages other than the ClientHello (tlsdiag decodes only the SSLv2
ClientHello).

Usage: conformance.py [TLSDIAG [CORPUS_DIR]] [-v] [--only SUBSTRING]
  TLSDIAG     the tlsdiag binary (default: $TLSDIAG, else build/analyzer/tlsdiag)
  CORPUS_DIR  default: $TLSDIAG_SHARED/corpus/public (or ../shared/corpus/public)
Prints PASS/FAIL/SKIP per capture with the differences, then the line
"N passed, N failed, N skipped". Exit status: 0 no failure, 1 failures,
2 usage error, 77 when the corpus directory is absent.
Python 3 standard library only.
"""

import argparse
import difflib
import ipaddress
import json
import os
import re
import subprocess
import sys

# Captures not compared, with the reason. Keep this short: every entry is a
# gap in what the test proves.
SKIP = {}

# Where tshark 4.0 is known to see less than tlsdiag, with the proof: the
# comparison leaves out that one thing for that run, nothing else.
TSHARK_GAPS = {
    "tls13-pha-keyupdate.pcap --keylog": (
        "C", "tshark switches the client to its first application keys again at the "
             "post-handshake Finished and cannot open the client's close_notify; tlsdiag "
             "opens it (its AES-GCM tag verifies) - client alerts not compared"),
}

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".cap.gz")
CA_LIST_CUT = 90          # tshark may stop listing CA names around 100
TIMEOUT = 300             # seconds per capture
OK_EXIT = (0, 1, 3)

HS_NAMES = {
    0: "HelloRequest", 1: "ClientHello", 2: "ServerHello", 3: "HelloVerifyRequest",
    4: "NewSessionTicket", 5: "EndOfEarlyData", 6: "HelloRetryRequest",
    8: "EncryptedExtensions", 11: "Certificate", 12: "ServerKeyExchange",
    13: "CertificateRequest", 14: "ServerHelloDone", 15: "CertificateVerify",
    16: "ClientKeyExchange", 20: "Finished", 21: "CertificateURL", 22: "CertificateStatus",
    23: "SupplementalData", 24: "KeyUpdate", 25: "CompressedCertificate", 254: "MessageHash",
}

# Attribute type names of both tools (lower case) -> OID.
ATTR_OIDS = {}
ATTR_SHORT = {}            # OID -> the name shown in differences (RFC 4514 short name)
for _oid, _names in (
        ("2.5.4.3", "CN id-at-commonName commonName"),
        ("2.5.4.4", "SN id-at-surname surname"),
        ("2.5.4.5", "serialNumber id-at-serialNumber"),
        ("2.5.4.6", "C id-at-countryName countryName"),
        ("2.5.4.7", "L id-at-localityName localityName"),
        ("2.5.4.8", "ST S id-at-stateOrProvinceName stateOrProvinceName"),
        ("2.5.4.9", "STREET id-at-streetAddress streetAddress"),
        ("2.5.4.10", "O id-at-organizationName organizationName"),
        ("2.5.4.11", "OU id-at-organizationalUnitName organizationalUnitName"),
        ("2.5.4.12", "title T id-at-title"),
        ("2.5.4.13", "description id-at-description"),
        ("2.5.4.15", "businessCategory id-at-businessCategory"),
        ("2.5.4.16", "postalAddress id-at-postalAddress"),
        ("2.5.4.17", "postalCode id-at-postalCode"),
        ("2.5.4.18", "postOfficeBox id-at-postOfficeBox"),
        ("2.5.4.41", "name id-at-name"),
        ("2.5.4.42", "GN givenName id-at-givenName"),
        ("2.5.4.43", "initials id-at-initials"),
        ("2.5.4.44", "generationQualifier id-at-generationQualifier"),
        ("2.5.4.45", "x500UniqueIdentifier id-at-uniqueIdentifier"),
        ("2.5.4.46", "dnQualifier id-at-dnQualifier"),
        ("2.5.4.65", "pseudonym id-at-pseudonym"),
        ("2.5.4.97", "organizationIdentifier id-at-organizationIdentifier"),
        ("0.9.2342.19200300.100.1.1", "UID userid uid"),
        ("0.9.2342.19200300.100.1.25", "DC dc domainComponent"),
        ("1.2.840.113549.1.9.1", "emailAddress E pkcs-9-at-emailAddress"),
        ("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL jurisdictionOfIncorporationLocalityName"),
        ("1.3.6.1.4.1.311.60.2.1.2",
         "jurisdictionST jurisdictionOfIncorporationStateOrProvinceName"),
        ("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC jurisdictionOfIncorporationCountryName"),
):
    for _n in _names.split():
        ATTR_OIDS[_n.lower()] = _oid
    ATTR_SHORT[_oid] = _names.split()[0]

OID_RE = re.compile(r"^\d+(\.\d+)+$")


def attr_canon(name):
    """Either tool's attribute type -> one spelling: the RFC 4514 short name
    for known OIDs (CN, O, emailAddress ...), else the dotted OID, else the
    name in lower case."""
    name = name.strip()
    oid = name if OID_RE.match(name) else ATTR_OIDS.get(name.lower())
    if oid is None:
        return name.lower()
    return ATTR_SHORT.get(oid, oid)


# ---- distinguished names ----------------------------------------------------

WILDCARD = object()


class Name:
    """A canonical DN: text, or a prefix (tshark cut it), or anything."""

    def __init__(self, text, prefix=False, wildcard=False):
        self.text, self.prefix, self.wildcard = text, prefix, wildcard

    def matches(self, ours):
        if self.wildcard:
            return True
        if ours is None:
            return False
        return ours.startswith(self.text) if self.prefix else ours == self.text

    def __str__(self):
        if self.wildcard:
            return "(unparsed by tshark: not compared)"
        return self.text + (" [cut by tshark: prefix]" if self.prefix else "")


def rfc4514_canonical(dn):
    """tlsdiag's RFC 4514 string -> 'OID=raw value' joined by ',' and '+'."""
    if dn is None:
        return None
    rdns, avas = [], []
    i, n = 0, len(dn)
    if n == 0:
        return ""
    while i < n:
        eq = dn.find("=", i)
        if eq < 0:
            return "unparsable:" + dn
        atype = attr_canon(dn[i:eq])
        i = eq + 1
        raw = bytearray()
        while i < n and dn[i] not in ",+":
            ch = dn[i]
            if ch == "\\" and i + 1 < n:
                nxt = dn[i + 1:i + 3]
                if len(nxt) == 2 and all(c in "0123456789abcdefABCDEF" for c in nxt):
                    raw.append(int(nxt, 16))
                    i += 3
                    continue
                raw.extend(dn[i + 1].encode("utf-8"))
                i += 2
                continue
            raw.extend(ch.encode("utf-8"))
            i += 1
        avas.append(atype + "=" + raw.decode("utf-8", errors="replace"))
        if i < n and dn[i] == "+":
            i += 1
            continue
        rdns.append("+".join(avas))
        avas = []
        if i < n:
            i += 1  # ','
    if avas:
        rdns.append("+".join(avas))
    return ",".join(rdns)


TSHARK_ATTR_RE = re.compile(r"(^|[,+])([A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)=")
C_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, '"': 34,
             "'": 39}


def tshark_unescape(s):
    """Undo tshark's C-style escapes (\\000 octal, \\xHH, \\n ...) into text."""
    out = bytearray()
    b = s.encode("utf-8")
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x5c and i + 1 < len(b):
            nxt = chr(b[i + 1])
            oct_digits = re.match(rb"[0-7]{3}", b[i + 1:i + 4])
            if oct_digits:
                out.append(int(oct_digits.group(0), 8) & 0xff)
                i += 4
                continue
            hexm = re.match(rb"x([0-9a-fA-F]{2})", b[i + 1:i + 4])
            if hexm:
                out.append(int(hexm.group(1), 16))
                i += 4
                continue
            if nxt in C_ESCAPES:
                out.append(C_ESCAPES[nxt])
                i += 2
                continue
        out.append(c)
        i += 1
    return out.decode("utf-8", errors="replace")


def tshark_name(s):
    """A DN as tshark-ref.sh writes it -> Name in the canonical form."""
    if s.strip() == "(unparsed)":
        return Name("", wildcard=True)
    if s.strip() == "(empty)":
        return Name("")
    prefix = False
    if s.endswith(" [truncated]"):
        s = s[: -len(" [truncated]")]
        prefix = True

    def repl(m):
        name = m.group(2)
        known = OID_RE.match(name) or name.lower() in ATTR_OIDS
        return m.group(1) + (attr_canon(name) if known else name) + "="

    return Name(tshark_unescape(TSHARK_ATTR_RE.sub(repl, s)), prefix=prefix)


def split_multi(col):
    return [] if col == "" else col.split(" || ")


# ---- endpoints ----------------------------------------------------------------

def norm_ip(ip):
    ip = ip.strip().strip("[]")
    try:
        return ipaddress.ip_address(ip).compressed
    except ValueError:
        return ip.lower()


def parse_ep(s):
    """'1.2.3.4:443' or '[::1]:443' -> (ip, port)."""
    host, _, port = s.rpartition(":")
    try:
        return (norm_ip(host), int(port))
    except ValueError:
        return (norm_ip(host), -1)


def ep_str(ep):
    ip, port = ep
    return ("[%s]:%d" if ":" in ip else "%s:%d") % (ip, port)


def pair_key(a, b):
    return tuple(sorted([a, b]))


# ---- what each side saw, per TCP connection -----------------------------------

class Seen:
    def __init__(self):
        self.hs = {"C": [], "S": []}        # handshake types in order
        self.alerts = {"C": [], "S": []}    # "level/desc"
        self.ca_lists = []                  # [[name, ...], ...]
        self.certs = {"C": [], "S": []}     # [([subjects], [issuers]), ...]
        self.sni = set()
        self.client = None                  # (ip, port) of the TLS client, when known


def load_tsv(path):
    rows, cols = [], None
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            if line.startswith("#") or line == "":
                continue
            fields = line.split("\t")
            if cols is None:
                cols = fields
                continue
            fields += [""] * (len(cols) - len(fields))
            rows.append(dict(zip(cols, fields)))
    return rows


def tshark_side(rows):
    groups = {}
    for r in rows:
        src, dst = parse_ep(r["src"]), parse_ep(r["dst"])
        g = groups.setdefault(pair_key(src, dst), {"rows": [], "client": None})
        g["rows"].append((src, r))
        t = r["type"]
        if r["content"] in ("handshake", "sslv2") and t == "1" and g["client"] is None:
            g["client"] = src
        elif r["content"] == "handshake" and t == "2" and g["client"] is None:
            g["client"] = dst
    out = {}
    for key, g in groups.items():
        s = Seen()
        s.client = g["client"]
        for src, r in g["rows"]:
            d = "C" if s.client is None or src == s.client else "S"
            content, t = r["content"], r["type"]
            if content == "sslv2":
                if t == "1":
                    s.hs[d].append(1)
                continue
            if content == "alert":
                if t != "encrypted":
                    s.alerts[d].append(t)
                continue
            if content != "handshake" or not t.isdigit():
                continue
            s.hs[d].append(int(t))
            if t == "1" and r.get("sni"):
                s.sni.update(split_multi(r["sni"]))
            if r.get("ca_dn_count", "") != "":
                s.ca_lists.append([tshark_name(x) for x in split_multi(r["ca_dns"])])
            if t == "11" and r.get("cert_count", "") != "":
                subs = [tshark_name(x) for x in split_multi(r["cert_subjects"])]
                iss = [tshark_name(x) for x in split_multi(r["cert_issuers"])]
                s.certs[d].append((subs, iss))
        out[key] = s
    return out


def chain_names(chain):
    subs = [rfc4514_canonical(c.get("subject")) if c else None for c in chain]
    iss = [rfc4514_canonical(c.get("issuer")) if c else None for c in chain]
    return subs, iss


def level_code(a):
    if a.get("level_code") is not None:
        return a["level_code"]
    return {"warning": 1, "fatal": 2}.get(a.get("level"), a.get("level"))


def tlsdiag_side(report):
    out = {}
    conns = sorted(report.get("connections", []), key=lambda c: c.get("id", 0))
    for c in conns:
        cl = (norm_ip(c["client"]["ip"] or ""), c["client"]["port"])
        sv = (norm_ip(c["server"]["ip"] or ""), c["server"]["port"])
        s = out.setdefault(pair_key(cl, sv), Seen())
        if s.client is None:
            s.client = cl
        for m in c.get("messages", []):
            if m.get("hs_type") is not None and not m.get("encrypted"):
                s.hs["C" if m["from"] == "client" else "S"].append(m["hs_type"])
        for a in c.get("alerts", []):
            if not a.get("encrypted"):
                d = "C" if a["from"] == "client" else "S"
                s.alerts[d].append("%s/%s" % (level_code(a), a.get("code")))
        if c.get("sni"):
            s.sni.add(c["sni"])
        cr = c.get("certificate_request")
        if cr and cr.get("visible"):
            s.ca_lists.append([rfc4514_canonical(n) for n in cr.get("ca_names", [])])
        if c.get("server_certificates") is not None:
            s.certs["S"].append(chain_names(c["server_certificates"]))
        if c.get("client_certificates") is not None:
            s.certs["C"].append(chain_names(c["client_certificates"]))
    return out


# ---- comparison ----------------------------------------------------------------

def hs_list(types):
    return [HS_NAMES.get(t, str(t)) + "(%s)" % t for t in types]


def show(x):
    """Printable form: control characters (a NUL in a DN) as \\xHH."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: "\\x%02X" % ord(m.group(0)), str(x))


def diff_lines(want, got, label_want="tshark", label_got="tlsdiag"):
    return ["      " + l for l in
            difflib.unified_diff([show(x) for x in want], [show(x) for x in got],
                                 label_want, label_got, lineterm="", n=2)]


def names_match(want, got):
    """want: [Name], got: [canonical str]; exact length."""
    return len(want) == len(got) and all(w.matches(g) for w, g in zip(want, got))


def compare_ca_list(want, got):
    if names_match(want, got):
        return None
    if len(want) >= CA_LIST_CUT and len(got) >= len(want) and \
            names_match(want, got[:len(want)]):
        return None  # tshark cut the list: prefix equal, tlsdiag has at least as many
    return diff_lines(want, got)


def compare_group(key, want, got):
    """Differences (list of lines) between tshark (want) and tlsdiag (got)."""
    errs = []
    if got is None:
        anything = any(want.hs.values()) or any(want.alerts.values())
        if anything:
            errs.append("  connection %s <-> %s: tlsdiag reports no handshake here "
                        "(tshark: client %s, server %s)" %
                        (ep_str(key[0]), ep_str(key[1]), " ".join(hs_list(want.hs["C"])),
                         " ".join(hs_list(want.hs["S"]))))
        return errs
    head = "  connection %s <-> %s:" % (ep_str(key[0]), ep_str(key[1]))
    if want.client is not None and got.client is not None and want.client != got.client:
        return [head, "    roles differ: tshark's TLS client is %s, tlsdiag's is %s" %
                (ep_str(want.client), ep_str(got.client))]
    arrow = {"C": "client -> server", "S": "server -> client"}
    for d in ("C", "S"):
        if want.hs[d] != got.hs[d]:
            errs.append("    handshake messages %s differ:" % arrow[d])
            errs += diff_lines(hs_list(want.hs[d]), hs_list(got.hs[d]))
        if want.alerts[d] != got.alerts[d]:
            errs.append("    plaintext alerts %s (level/description) differ:" % arrow[d])
            errs += diff_lines(want.alerts[d], got.alerts[d])
    if want.sni != got.sni:
        errs.append("    SNI differs: tshark %s, tlsdiag %s" %
                    (sorted(want.sni), sorted(got.sni)))
    if len(want.ca_lists) != len(got.ca_lists):
        errs.append("    CertificateRequests with a CA list: tshark %d, tlsdiag %d" %
                    (len(want.ca_lists), len(got.ca_lists)))
    for i, (w, g) in enumerate(zip(want.ca_lists, got.ca_lists)):
        d = compare_ca_list(w, g)
        if d:
            errs.append("    CA names of CertificateRequest #%d differ (tshark %d, tlsdiag %d):"
                        % (i + 1, len(w), len(g)))
            errs += d
    for d, who in (("S", "server"), ("C", "client")):
        wl, gl = want.certs[d], got.certs[d]
        if len(wl) != len(gl):
            errs.append("    %s Certificate messages: tshark %d, tlsdiag %d" %
                        (who, len(wl), len(gl)))
        for i, ((ws, wi), (gs, gi)) in enumerate(zip(wl, gl)):
            if not names_match(ws, gs):
                errs.append("    %s Certificate #%d subjects differ:" % (who, i + 1))
                errs += diff_lines(ws, gs)
            if not names_match(wi, gi):
                errs.append("    %s Certificate #%d issuers differ:" % (who, i + 1))
                errs += diff_lines(wi, gi)
    if errs:
        errs.insert(0, head)
    return errs


def compare(want_groups, got_groups):
    """(differences, notes). A TCP connection in which tlsdiag finds TLS and
    tshark shows none (tshark picks dissectors by port: TLS on port 80 is
    HTTP to it) is a note, not a failure."""
    errs, notes = [], []
    for key in sorted(want_groups):
        errs += compare_group(key, want_groups[key], got_groups.get(key))
    for key in sorted(set(got_groups) - set(want_groups)):
        g = got_groups[key]
        if any(g.hs.values()) or any(g.alerts.values()):
            notes.append("  note: connection %s <-> %s: tlsdiag sees handshake messages "
                         "where tshark shows no TLS (client %s, server %s)" %
                         (ep_str(key[0]), ep_str(key[1]), " ".join(hs_list(g.hs["C"])),
                          " ".join(hs_list(g.hs["S"]))))
    return errs, notes


# ---- driver ---------------------------------------------------------------------

def reference_for(capture):
    plain = capture + ".tshark.plain.tsv"
    if os.path.exists(plain):
        return plain
    full = capture + ".tshark.tsv"
    return full if os.path.exists(full) else None


def drop_alerts(groups, direction):
    for g in groups.values():
        g.alerts[direction] = []
    return groups


def run_one(tlsdiag, capture, ref, extra=(), gap=None):
    """Returns (status, lines): status PASS or FAIL."""
    try:
        p = subprocess.run([tlsdiag, "analyze", "--format", "json", *extra, capture],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "FAIL", ["  tlsdiag did not finish within %d s" % TIMEOUT]
    except OSError as e:
        return "FAIL", ["  cannot run %s: %s" % (tlsdiag, e)]
    stderr = p.stderr.decode("utf-8", errors="replace").strip()
    if p.returncode not in OK_EXIT:
        lines = ["  tlsdiag exit status %d (expected 0, 1 or 3)" % p.returncode]
        lines += ["    " + l for l in stderr.splitlines()[:10]]
        return "FAIL", lines
    try:
        report = json.loads(p.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return "FAIL", ["  output is not valid UTF-8 JSON: %s" % e]
    if report.get("schema") != 1:
        return "FAIL", ["  JSON schema is %r, expected 1" % report.get("schema")]
    want, got = tshark_side(load_tsv(ref)), tlsdiag_side(report)
    if gap:
        want, got = drop_alerts(want, gap[0]), drop_alerts(got, gap[0])
    errs, notes = compare(want, got)
    return ("FAIL" if errs else "PASS"), errs + notes


def default_corpus():
    shared = os.environ.get("TLSDIAG_SHARED")
    if not shared:
        here = os.path.dirname(os.path.abspath(__file__))
        shared = os.path.join(here, "..", "..", "..", "shared")
    return os.path.join(shared, "corpus", "public")


def default_tlsdiag():
    if os.environ.get("TLSDIAG"):
        return os.environ["TLSDIAG"]
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "build", "analyzer", "tlsdiag")


def main():
    ap = argparse.ArgumentParser(description="Compare tlsdiag JSON with tshark references.")
    ap.add_argument("tlsdiag", nargs="?", default=None, help="path to the tlsdiag binary")
    ap.add_argument("corpus", nargs="?", default=None, help="directory of captures")
    ap.add_argument("--only", default=None, help="only captures whose name contains this")
    ap.add_argument("-v", "--verbose", action="store_true", help="name the reference used")
    args = ap.parse_args()

    corpus = args.corpus or default_corpus()
    if not os.path.isdir(corpus):
        print("SKIP: corpus directory %s is absent" % corpus)
        return 77
    tlsdiag = args.tlsdiag or default_tlsdiag()
    if not os.access(tlsdiag, os.X_OK):
        print("conformance.py: %s is not an executable tlsdiag binary" % tlsdiag,
              file=sys.stderr)
        return 2

    captures = sorted(f for f in os.listdir(corpus)
                      if f.endswith(CAPTURE_SUFFIXES) and ".tshark." not in f)
    passed = failed = skipped = 0
    for name in captures:
        if args.only and args.only not in name:
            continue
        path = os.path.join(corpus, name)
        ref = reference_for(path)
        if name in SKIP:
            print("SKIP %s: %s" % (name, SKIP[name]))
            skipped += 1
            continue
        if ref is None:
            print("SKIP %s: no .tshark.tsv reference beside it" % name)
            skipped += 1
            continue
        runs = [(name, ref, ())]
        keylog, full = path + ".keylog", path + ".tshark.tsv"
        if os.path.exists(keylog) and os.path.exists(full) and ref != full:
            runs.append((name + " --keylog", full, ("--keylog", keylog)))
        for label, reference, extra in runs:
            gap = TSHARK_GAPS.get(label)
            status, lines = run_one(tlsdiag, path, reference, extra, gap)
            if gap:
                lines = ["  note: " + gap[1]] + lines
            suffix = " (%s)" % os.path.basename(reference) if args.verbose else ""
            print("%s %s%s" % (status, label, suffix))
            for l in lines:
                print(l)
            if status == "PASS":
                passed += 1
            else:
                failed += 1
            sys.stdout.flush()
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
