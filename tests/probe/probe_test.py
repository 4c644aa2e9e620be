#!/usr/bin/env python3
"""probe_test.py TLSDIAG SOURCE_ROOT - `tlsdiag probe` against real servers.

openssl s_server on 127.0.0.1 (a free port each time) with the repo's test
PKI (tests/data/pki):
  - a TLS 1.2 server that requires a client certificate from one of three
    CAs: the probe without --cert gets the three CA names, answers with an
    empty Certificate, and says no_fitting_ca (exit 1); -w writes a capture
    that `tlsdiag analyze` (and tshark, when installed) read back the same;
  - the same server, probed with the CA-A chain: established, handshake_ok,
    the client certificate in the report (exit 0); with --trust the server
    chain is verified against the server root;
  - probed with a certificate from CA B (not on the list): the server
    rejects it and the report says so (exit 1);
  - a TLS 1.3-only server: the default TLS 1.2 probe ends in protocol_version
    (exit 1); --tls1.3 completes;
  - `tlsdiag check --server` takes the CA names from such a server: the
    CA-A chain fits, the CA-B certificate does not (no_fitting_ca);
  - a closed port: exit 2 with one line on stderr naming host and port.
The first report is also validated against docs/report.schema.json.
Prints "N passed, N failed"; exit 77 without openssl.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

tlsdiag, root = sys.argv[1], sys.argv[2]
PKI = os.path.join(root, "tests", "data", "pki")
passed = failed = 0
CA_NAMES = ["CN=tlsdiag Test Partner CA 1,O=tlsdiag fixtures,C=DE",
            "CN=tlsdiag Test Client CA A,O=tlsdiag fixtures,C=DE",
            "CN=tlsdiag Test Partner CA 2,O=tlsdiag fixtures,C=DE"]


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what + (": " + detail if detail else ""))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def s_server(*extra):
    port = free_port()
    p = subprocess.Popen(
        ["openssl", "s_server", "-naccept", "1", "-accept", "127.0.0.1:%d" % port,
         "-cert", os.path.join(PKI, "server.pem"), "-key", os.path.join(PKI, "server.TEST-KEY.pem"),
         *extra], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    for line in p.stdout:
        if line.startswith("ACCEPT"):
            break
    return p, port


def stop(p):
    try:
        p.stdin.close()
    except OSError:
        pass
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def probe(port, *args):
    p = subprocess.run([tlsdiag, "probe", "--format", "json", "--timeout", "5",
                        "127.0.0.1:%d" % port, "--sni", "localhost", *args],
                       capture_output=True, text=True, timeout=60)
    try:
        rep = json.loads(p.stdout) if p.stdout.strip() else None
    except ValueError:
        rep = None
    return p.returncode, rep, p.stderr


def rules(rep):
    out = set()
    for c in rep.get("connections", []):
        out |= {f["rule"] for f in c.get("findings", [])}
    return out


def pki(name):
    return os.path.join(PKI, name)


def main():
    if not shutil.which("openssl"):
        print("SKIP: openssl is not installed")
        return 77
    tmp = tempfile.mkdtemp()
    require = ["-tls1_2", "-Verify", "1", "-verify_return_error",
               "-CAfile", pki("server-client-cas.pem")]

    srv, port = s_server(*require)
    cap = os.path.join(tmp, "probe.pcapng")
    rc, rep, err = probe(port, "-w", cap)
    stop(srv)
    check(rc == 1 and rep is not None, "no --cert against a server that requires one: exit 1",
          "exit %d %s" % (rc, err.strip()))
    if rep:
        c = rep["connections"][0]
        cr = c.get("certificate_request") or {}
        check(cr.get("ca_names") == CA_NAMES, "the server's three CA names, in order",
              repr(cr.get("ca_names")))
        check(c.get("client_certificates") == [], "empty client Certificate",
              repr(c.get("client_certificates")))
        check({"no_fitting_ca", "empty_client_cert"} <= rules(rep), "no_fitting_ca and empty_client_cert",
              repr(rules(rep)))
        check(rep["inputs"][0]["kind"] == "probe", "input kind probe", repr(rep["inputs"][0]))
        doc = os.path.join(tmp, "probe.json")
        with open(doc, "w") as f:
            json.dump(rep, f)
        v = subprocess.run([sys.executable, os.path.join(root, "tests", "schema", "validate.py"),
                            doc], capture_output=True, text=True, timeout=60)
        if v.returncode != 77:  # 77: no jsonschema module here
            check(v.returncode == 0, "the probe's JSON report validates against the schema",
                  v.stdout.strip() + v.stderr.strip())
        notes = " ".join(n.get("text", "") for n in c.get("notes", []))
        check("no --cert" in notes, "a note says the probe had no certificate", notes)
        a = subprocess.run([tlsdiag, "analyze", "--format", "json", cap], capture_output=True,
                           text=True, timeout=60)
        back = json.loads(a.stdout) if a.stdout.strip() else {"connections": []}
        check(a.returncode == 1 and rules(back) >= {"no_fitting_ca"} and
              (back["connections"][0].get("certificate_request") or {}).get("ca_names") == CA_NAMES,
              "-w capture analysed again gives the same CA names and findings",
              "exit %d %s" % (a.returncode, a.stderr.strip()))
        if shutil.which("tshark"):
            t = subprocess.run(["tshark", "-r", cap, "-Y", "tls.handshake.type == 13",
                                "-T", "fields", "-e", "tls.handshake.dnames_len"],
                               capture_output=True, text=True, timeout=60)
            check(t.returncode == 0 and t.stdout.strip() != "",
                  "tshark reads the -w capture and finds the CertificateRequest", t.stderr.strip())

    srv, port = s_server(*require)
    rc, rep, err = probe(port, "--cert", pki("client-a-chain.pem"), "--key",
                         pki("client-a.TEST-KEY.pem"), "--trust", pki("server-root-ca.pem"))
    stop(srv)
    check(rc == 0 and rep is not None, "CA-A chain: exit 0", "exit %d %s" % (rc, err.strip()))
    if rep:
        c = rep["connections"][0]
        check(c["outcome"] == "established", "established", c["outcome"])
        subj = [x["subject"] for x in c.get("client_certificates") or []]
        check(subj[:1] == ["CN=client-a.tlsdiag.test,O=tlsdiag fixtures,C=DE"],
              "the client certificate sent is client-a", repr(subj))
        ok = [f for f in c.get("findings", []) if f["rule"] == "handshake_ok"]
        check(ok and "verif" in ok[0]["explanation"], "handshake_ok says the server chain verified",
              ok[0]["explanation"] if ok else repr(rules(rep)))

    srv, port = s_server(*require)
    rc, rep, err = probe(port, "--cert", pki("client-b.pem"), "--key", pki("client-b.TEST-KEY.pem"))
    stop(srv)
    check(rc == 1 and rep is not None and rep["connections"][0]["outcome"] == "failed",
          "CA-B certificate: the server rejects it (exit 1)", "exit %d %s" % (rc, err.strip()))
    if rep:
        check(rules(rep) & {"peer_cert_untrusted", "no_fitting_ca"},
              "the finding names the rejected certificate's cause", repr(rules(rep)))

    srv, port = s_server("-tls1_3")
    rc, rep, err = probe(port)
    stop(srv)
    check(rc == 1 and rep is not None and "protocol_version" in rules(rep),
          "TLS 1.3-only server, default TLS 1.2 probe: protocol_version",
          "exit %d %s %s" % (rc, err.strip(), rep and rules(rep)))
    srv, port = s_server("-tls1_3")
    rc, rep, err = probe(port, "--tls1.3")
    stop(srv)
    check(rc == 0 and rep is not None and rep["connections"][0]["version"] == "TLS 1.3" and
          rep["connections"][0]["outcome"] == "established",
          "--tls1.3 against it: established", "exit %d %s" % (rc, err.strip()))

    for chain, key, want_rc, want in (("client-a-chain.pem", "client-a.TEST-KEY.pem", 0, "fits"),
                                      ("client-b.pem", "client-b.TEST-KEY.pem", 1, "no_fitting_ca")):
        srv, port = s_server(*require)
        p = subprocess.run([tlsdiag, "check", "--cert", pki(chain), "--server",
                            "127.0.0.1:%d" % port, "--format", "json"],
                           capture_output=True, text=True, timeout=60)
        stop(srv)
        try:
            rep = json.loads(p.stdout)
        except ValueError:
            rep = {}
        src = rep.get("ca_names_source", {})
        ids = {f["rule"] for f in rep.get("findings", [])}
        ok = p.returncode == want_rc and src.get("kind") == "server" and \
            (want in ids or (want == "fits" and "client_cert_fits" in ids))
        check(ok, "check --cert %s --server: exit %d, %s" % (chain, want_rc, want),
              "exit %d %s %s %s" % (p.returncode, src, sorted(ids), p.stderr.strip()))

    port = free_port()
    rc, rep, err = probe(port)
    lines = err.strip().splitlines()
    check(rc == 2 and len(lines) == 1 and "127.0.0.1" in lines[0] and str(port) in lines[0],
          "closed port: exit 2, one line naming host and port", "exit %d %r" % (rc, lines))
    rc, rep, err = probe(free_port(), "--key", pki("client-a.TEST-KEY.pem"))
    check(rc == 2 and "--key needs --cert" in err, "--key without --cert is a usage error", err)

    shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
