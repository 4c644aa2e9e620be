#!/usr/bin/env python3
"""redact_test.py - `tlsdiag analyze --redact` (DESIGN.md "Trust and data
safety"): for fixture captures and an ICM sample, no address, host name, SNI,
subject/issuer value, serial, fingerprint or input path of the unredacted
report occurs in the redacted text, Markdown, HTML, trace or JSON report; the findings
(rule and severity per connection) and the exit status are unchanged; the
header says the report is redacted; the redacted JSON report still validates
against docs/report.schema.json; --redact-key gives the same pseudonyms
in every run with the same key and different ones with another key.

Usage: redact_test.py TLSDIAG SRC_ROOT SHARED_DIR
Skips (77) when the binary does not support --redact yet.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77

# Public roots stay readable (analyzer/redact.c); matched on CN here.
PUBLIC_ROOT_CNS = {
    "digicert global root ca", "digicert global root g2", "digicert global root g3",
    "digicert high assurance ev root ca", "digicert assured id root ca",
    "digicert trusted root g4", "isrg root x1", "isrg root x2", "globalsign root ca",
    "globalsign", "baltimore cybertrust root", "amazon root ca 1", "amazon root ca 2",
    "amazon root ca 3", "amazon root ca 4",
    "microsoft rsa root certificate authority 2017",
    "microsoft ecc root certificate authority 2017",
    "usertrust rsa certification authority", "usertrust ecc certification authority",
    "aaa certificate services", "sectigo public server authentication root r46",
    "entrust root certification authority - g2", "entrust root certification authority",
    "geotrust global ca", "geotrust primary certification authority",
    "quovadis root ca 2 g3", "quovadis root ca 2", "sap global root ca",
    "go daddy root certificate authority - g2", "starfield root certificate authority - g2",
    "gts root r1", "gts root r2", "gts root r3", "gts root r4",
    "t-telesec globalroot class 2", "d-trust root class 3 ca 2 2009",
}


def run(tlsdiag, args):
    env = dict(os.environ, TLSDIAG_DETERMINISTIC="1", NO_COLOR="1")
    p = subprocess.run([tlsdiag, "analyze", "-q", "--deterministic"] + args,
                       capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def dn_values(dn):
    """(type, value) pairs of an RFC 4514 or trace-style DN."""
    out = []
    for part in re.split(r"(?<!\\)[,+;]", dn or ""):
        if "=" in part:
            t, v = part.split("=", 1)
            out.append((t.strip().upper(), v.strip().replace("\\", "")))
        elif part.strip():
            out.append(("", part.strip()))
    return out


def dn_public(dn):
    return any(t == "CN" and v.lower() in PUBLIC_ROOT_CNS for t, v in dn_values(dn))


class Secrets:
    def __init__(self):
        self.secret, self.public = set(), set()

    def add(self, v):
        if isinstance(v, str) and len(v) >= 3:
            self.secret.add(v)

    def dn(self, dn, public=None):
        if not dn:
            return
        pub = dn_public(dn) if public is None else public
        for t, v in dn_values(dn):
            if t in ("C", "COUNTRYNAME"):
                continue
            (self.public.add(v) if pub else self.add(v))
        if not pub:
            self.add(dn)

    def cert(self, c):
        pub = dn_public(c.get("subject"))
        self.dn(c.get("subject"), pub)
        self.dn(c.get("issuer"))
        if not pub:
            self.add(c.get("serial"))
            self.add(c.get("sha256"))
            for s in c.get("san") or []:
                self.add(s.split(":", 1)[1] if ":" in s else s)

    def values(self):
        return sorted(self.secret - self.public, key=len, reverse=True)


def collect(report):
    s = Secrets()
    for inp in report.get("inputs", []):
        path = inp.get("path") or ""
        s.add(path)
        s.add(os.path.basename(path))
        s.add(os.path.dirname(path))
    for c in report.get("connections", []):
        s.add((c.get("source") or {}).get("path"))
        for side in ("client", "server"):
            s.add((c.get(side) or {}).get("ip"))
        s.add(c.get("sni"))
        for key in ("server_certificates", "client_certificates"):
            for cert in c.get(key) or []:
                s.cert(cert)
        for name in (c.get("certificate_request") or {}).get("ca_names") or []:
            s.dn(name)
        tr = c.get("trace") or {}
        s.add(tr.get("target_host"))
        identity = tr.get("identity")
        if identity:
            s.add(os.path.dirname(identity))
        for sc in tr.get("certificates") or []:
            pub = dn_public(sc.get("subject"))
            s.dn(sc.get("subject"), pub)
            s.dn(sc.get("issuer"))
            if not pub:
                s.add(sc.get("serial"))
    return s.values()


def occurs(value, text):
    """Case-insensitive; an address only as a whole (the pseudonym
    2001:db8::1 must not count as ::1)."""
    if re.fullmatch(r"[0-9A-Fa-f:.]+", value) and (":" in value or value.count(".") == 3):
        pat = r"(?<![0-9A-Fa-f:.])" + re.escape(value) + r"(?![0-9A-Fa-f:])"
        return re.search(pat, text, re.I) is not None
    # As a token: the DC=com of a DN is no leak in "CommonCryptoLib"; the
    # deterministic "version": "test" is the tool's, not the certificate's.
    text = text.replace('"version": "test"', "")
    pat = r"(?<![A-Za-z0-9])" + re.escape(value) + r"(?![A-Za-z0-9])"
    return re.search(pat, text, re.I) is not None


def findings(report):
    out = []
    for c in report.get("connections", []):
        out.append((c.get("id"), sorted((f["rule"], f["severity"])
                                        for f in c.get("findings") or [])))
    out.append(("input", sorted((f["rule"], f["severity"]) for f in report.get("findings") or [])))
    return out


def main():
    tlsdiag, src, shared = sys.argv[1:4]
    captures = os.path.join(src, "tests", "data", "captures")
    inputs = [os.path.join(captures, "tls12-no-fitting-ca.pcap"),
              os.path.join(captures, "tls12-mutual-ok.pcap")]
    icm = sorted(glob.glob(os.path.join(shared, "icm-samples", "01-*.trc")))
    if icm:
        inputs.append(icm[0])
    else:
        print("note: no ICM sample 01-*.trc in %s; the ICM part is skipped" % shared)

    rc, _, err = run(tlsdiag, ["--redact", inputs[0]])
    if "not implemented" in err:
        print("skip: this tlsdiag does not implement --redact yet")
        return SKIP

    failures = []
    for path in inputs:
        name = os.path.basename(path)
        rc0, plain, err0 = run(tlsdiag, ["-f", "json", path])
        if rc0 not in (0, 1, 3):
            failures.append("%s: unredacted run failed (%d): %s" % (name, rc0, err0))
            continue
        plain = json.loads(plain)
        secrets = collect(plain)
        if not secrets:
            failures.append("%s: found no identifiers to check" % name)
        for fmt in ("text", "markdown", "html", "trace", "json"):
            rc1, out, err1 = run(tlsdiag, ["--redact", "-f", fmt, path])
            if rc1 != rc0:
                failures.append("%s %s: exit %d redacted, %d unredacted (%s)"
                                % (name, fmt, rc1, rc0, err1.strip()))
            for v in secrets:
                if occurs(v, out):
                    failures.append("%s %s: %r occurs in the redacted report" % (name, fmt, v))
            # The search must be able to find them in the plain report.
            plain_out = run(tlsdiag, ["-f", fmt, path])[1]
            shown = sum(1 for v in secrets if occurs(v, plain_out))
            if shown == 0:
                failures.append("%s %s: only %d of %d identifiers found in the plain report"
                                % (name, fmt, shown, len(secrets)))
            if fmt == "text" and "Redacted: yes" not in out.split("\n", 3)[1]:
                failures.append("%s text: header does not say Redacted" % name)
            if fmt in ("markdown", "html", "trace") and "Redacted: yes" not in out:
                failures.append("%s %s: header does not say Redacted" % (name, fmt))
            if fmt == "json":
                with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                    f.write(out)
                v = subprocess.run([sys.executable, os.path.join(src, "tests", "schema",
                                                                  "validate.py"), f.name],
                                   capture_output=True, text=True)
                os.unlink(f.name)
                if v.returncode not in (0, SKIP):
                    failures.append("%s json: the redacted report breaks the schema: %s"
                                    % (name, (v.stdout + v.stderr).strip()[-300:]))
                red = json.loads(out)
                if red.get("redacted") is not True:
                    failures.append("%s json: \"redacted\": true missing" % name)
                if findings(red) != findings(plain):
                    failures.append("%s: findings differ:\n  plain    %s\n  redacted %s"
                                    % (name, findings(plain), findings(red)))
        print("%s: %d identifiers checked in text, markdown, html, trace and json"
              % (name, len(secrets)))

        # Stable across runs with a key, different with another key.
        k1 = run(tlsdiag, ["--redact-key", "k-one", "-f", "json", path])[1]
        k1b = run(tlsdiag, ["--redact-key", "k-one", "-f", "json", path])[1]
        k2 = run(tlsdiag, ["--redact-key", "k-two", "-f", "json", path])[1]
        n1 = run(tlsdiag, ["--redact", "-f", "json", path])[1]
        n2 = run(tlsdiag, ["--redact", "-f", "json", path])[1]
        if k1 != k1b:
            failures.append("%s: two runs with the same --redact-key differ" % name)
        if k1 == k2:
            failures.append("%s: different --redact-key values give the same report" % name)
        if n1 != n2:
            failures.append("%s: two --redact runs differ" % name)
        for v in secrets:
            if occurs(v, k1):
                failures.append("%s keyed: %r occurs in the redacted report" % (name, v))
        if findings(json.loads(k1)) != findings(plain):
            failures.append("%s keyed: findings differ" % name)

    # Both captures together: the same value keeps one pseudonym across inputs.
    rc, out, _ = run(tlsdiag, ["--redact", "-f", "json"] + inputs[:2])
    rep = json.loads(out)
    ips = {c["server"]["ip"] for c in rep["connections"]} | \
          {c["client"]["ip"] for c in rep["connections"]}
    if len(ips) != 1:
        failures.append("127.0.0.1 got several pseudonyms across inputs: %s" % sorted(ips))

    # tlsdiag check --redact: the chain's names, serials and hashes, the CA
    # names and the file names stay out of the text and JSON reports.
    chk = [os.path.join(src, "tests", "data", "pki", "client-b.pem"), "--ca-names",
           os.path.join(src, "tests", "golden", "check-no-fitting-ca", "ca-names-ca-a.txt")]
    env = dict(os.environ, NO_COLOR="1")
    plain = subprocess.run([tlsdiag, "check", "--deterministic", "--format", "json", "--cert"] + chk,
                           capture_output=True, text=True, env=env).stdout
    pj = json.loads(plain)
    cs = Secrets()
    cs.add(pj.get("certificate_file"))
    cs.add(os.path.basename(pj.get("certificate_file") or ""))
    cs.add((pj.get("ca_names_source") or {}).get("path"))
    for cert in pj.get("certificates") or []:
        cs.cert(cert)
        cs.add(cert.get("subject_key_identifier"))
        cs.add(cert.get("authority_key_identifier"))
    for name in pj.get("ca_names") or []:
        cs.dn(name)
    for fmt in ("text", "json"):
        out = subprocess.run([tlsdiag, "check", "--deterministic", "--redact", "--format", fmt,
                              "--cert"] + chk, capture_output=True, text=True, env=env).stdout
        leaked = [v for v in cs.values() if occurs(v, out)]
        if leaked or "edacted" not in out:
            failures.append("check --redact %s: %s occur, or no redaction mark" % (fmt, leaked))
    print("check: %d identifiers checked in text and json" % len(cs.values()))

    for f in failures:
        print("FAIL:", f)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
