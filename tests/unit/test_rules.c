/*
 * test_rules.c - the rules engine and the shipped catalog on evidence built
 * by hand: for every rule id at least one connection where it fires and
 * one where it does not (the whole list of findings per connection is
 * compared, ids and severities in catalog order), explanations with their
 * placeholders filled, the fit and host name matchers, catalog parse errors
 * (with their line numbers) and a --rules style override.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "engine.h"
#include "evidence.h"
#include "facts.h"
#include "findings.h"
#include "testlib.h"

#define T2026 1767225600 /* 2026-01-01T00:00:00Z */
#define YEAR (365 * 86400)

static struct evidence ev;
static struct rule_catalog shipped;

/* ---- building evidence ------------------------------------------------- */

static struct ev_cert *cert(const char *subject, const char *issuer)
{
    struct ev_cert *c = ev_alloc(&ev.arena, sizeof *c);
    c->subject = ev_strdup(&ev.arena, subject);
    c->issuer = ev_strdup(&ev.arena, issuer);
    c->not_before_t = T2026 - YEAR;
    c->not_after_t = T2026 + YEAR;
    c->not_before = "2025-01-01T00:00:00Z";
    c->not_after = "2027-01-01T00:00:00Z";
    c->key_type = "RSA";
    c->key_bits = 2048;
    c->signature_algorithm = "sha256WithRSAEncryption";
    c->path_len = -1;
    return c;
}

static struct ev_chain *chain1(struct ev_cert *leaf, uint64_t ref)
{
    struct ev_chain *ch = ev_alloc(&ev.arena, sizeof *ch);
    ch->certs = ev_alloc(&ev.arena, 2 * sizeof *ch->certs);
    ch->certs[0] = leaf;
    ch->count = leaf ? 1 : 0;
    ch->ref = ref;
    return ch;
}

static void msg(struct ev_connection *c, enum ev_dir from, uint8_t ct, uint8_t hs, bool enc,
                uint32_t len)
{
    struct ev_msg m = { .from = from,
                        .content_type = ct,
                        .hs_type = hs,
                        .encrypted = enc,
                        .length = len,
                        .ref = c->msg_count + 1 };
    if (EV_PUSH(&ev.arena, c->msgs, c->msg_count, c->msg_cap, 256, &m) != ST_OK) {
        abort();
    }
}

static void alert(struct ev_connection *c, enum ev_dir from, uint8_t desc)
{
    struct ev_alert a = { .from = from,
                          .level = 2,
                          .description = desc,
                          .ref = c->msg_count + 1,
                          .msg_index = c->msg_count };
    msg(c, from, 21, 0, false, 2);
    if (EV_PUSH(&ev.arena, c->alerts, c->alert_count, c->alert_cap, 64, &a) != ST_OK) {
        abort();
    }
    c->outcome = EV_OUT_FAILED;
}

static void cert_request(struct ev_connection *c, size_t n, const char *const *names)
{
    struct ev_cert_request *cr = ev_alloc(&ev.arena, sizeof *cr);
    cr->visible = true;
    cr->ca_names = ev_alloc(&ev.arena, (n + 1) * sizeof *cr->ca_names);
    for (size_t i = 0; i < n; i++) {
        cr->ca_names[i].text = ev_strdup(&ev.arena, names[i]);
    }
    cr->ca_count = n;
    cr->ref = 3;
    c->cert_request = cr;
}

static const char *const partner_cas[] = { "CN=Partner CA 1,O=X", "CN=Partner CA 2,O=X" };

/* A TLS 1.2 capture: ClientHello with SNI, the server's flight with its
 * certificate (CN=localhost), handshake established unless a case says. */
static struct ev_connection *tls12(void)
{
    struct ev_connection *c = ev_connection_add(&ev);
    c->source.kind = EV_SRC_PCAP;
    c->source.first = 1;
    c->first_ts.sec = T2026;
    c->ch.seen = true;
    c->ch.ref = 1;
    c->ch.sni = "localhost";
    c->ch.legacy_version = 0x0303;
    c->sh.seen = true;
    c->sh.version = 0x0303;
    c->sh.suite = 0xc030;
    c->sh.ref = 2;
    struct ev_cert *leaf = cert("CN=localhost,O=X", "CN=Server Root,O=X");
    leaf->san = ev_alloc(&ev.arena, sizeof *leaf->san);
    leaf->san[0] = "DNS:localhost";
    leaf->san_count = 1;
    c->server_chain = chain1(leaf, 2);
    msg(c, EV_FROM_CLIENT, 22, 1, false, 200);
    msg(c, EV_FROM_SERVER, 22, 2, false, 60);
    msg(c, EV_FROM_SERVER, 22, 11, false, 900);
    c->outcome = EV_OUT_ESTABLISHED;
    return c;
}

/* The client's flight after the server's: Certificate (empty or a chain),
 * ClientKeyExchange, CCS, Finished. */
static void client_flight(struct ev_connection *c, struct ev_cert *leaf)
{
    msg(c, EV_FROM_SERVER, 22, 14, false, 0);
    msg(c, EV_FROM_CLIENT, 22, 11, false, leaf ? 600 : 3);
    c->client_cert = leaf ? EV_CC_SENT : EV_CC_EMPTY;
    c->client_chain = chain1(leaf, c->msg_count);
    msg(c, EV_FROM_CLIENT, 22, 16, false, 66);
    msg(c, EV_FROM_CLIENT, 20, 0, false, 1);
    msg(c, EV_FROM_CLIENT, 22, 0, true, 40);
}

static struct ev_connection *trace(const char *error)
{
    struct ev_connection *c = ev_connection_add(&ev);
    c->source.kind = EV_SRC_ICM;
    c->source.first = 7;
    c->local_side = EV_SIDE_CLIENT;
    c->error_name = (char *)error;
    c->client_cert = EV_CC_NOT_VISIBLE;
    c->outcome = error ? EV_OUT_FAILED : EV_OUT_INCOMPLETE;
    return c;
}

/* ---- the cases --------------------------------------------------------- */

static void no_fitting_ca_yes(struct ev_connection *c)
{
    cert_request(c, 2, partner_cas);
    client_flight(c, NULL);
    alert(c, EV_FROM_SERVER, 40);
}

static void no_fitting_ca_fits(struct ev_connection *c)
{
    cert_request(c, 2, partner_cas);
    /* Same name, other case and blanks: RFC 5280 7.1 says equal. */
    client_flight(c, cert("CN=client,O=X", "cn=partner  ca 2 , o=x"));
}

static void empty_any_ca(struct ev_connection *c)
{
    cert_request(c, 0, NULL);
    client_flight(c, NULL);
}

static void untrusted_by_server(struct ev_connection *c)
{
    cert_request(c, 2, partner_cas);
    client_flight(c, cert("CN=client,O=X", "CN=Other CA,O=X"));
    alert(c, EV_FROM_SERVER, 48);
}

static void untrusted_by_client(struct ev_connection *c)
{
    msg(c, EV_FROM_SERVER, 22, 14, false, 0);
    alert(c, EV_FROM_CLIENT, 48);
}

static void unknown_ca_after_hello(struct ev_connection *c)
{
    c->msg_count = 1; /* only the ClientHello */
    c->server_chain = NULL;
    c->sh.seen = false;
    alert(c, EV_FROM_SERVER, 48);
}

static void client_expired(struct ev_connection *c)
{
    struct ev_cert *leaf = cert("CN=client,O=X", "CN=Partner CA 1,O=X");
    leaf->not_before_t = T2026 - 2 * YEAR;
    leaf->not_after_t = T2026 - YEAR;
    leaf->not_after = "2025-01-01T00:00:00Z";
    cert_request(c, 2, partner_cas);
    client_flight(c, leaf);
    alert(c, EV_FROM_SERVER, 45);
}

static void client_not_yet_valid(struct ev_connection *c)
{
    struct ev_cert *leaf = cert("CN=client,O=X", "CN=Partner CA 1,O=X");
    leaf->not_before_t = T2026 + 10;
    cert_request(c, 2, partner_cas);
    client_flight(c, leaf);
}

static void server_expired(struct ev_connection *c)
{
    c->server_chain->certs[0]->not_after_t = T2026 - 1;
}

/* The client answers the expired chain with certificate_expired(45). */
static void server_expired_failed(struct ev_connection *c)
{
    c->server_chain->certs[0]->not_after_t = T2026 - 1;
    msg(c, EV_FROM_SERVER, 22, 14, false, 0);
    alert(c, EV_FROM_CLIENT, 45);
}

/* CA names listed, empty Certificate, and the server goes on (SAP BTP then
 * asks for credentials): no_fitting_ca stays an error, the empty message
 * itself is a warning. */
static void empty_listed_established(struct ev_connection *c)
{
    cert_request(c, 2, partner_cas);
    client_flight(c, NULL);
}

static void weak_rsa(struct ev_connection *c)
{
    c->server_chain->certs[0]->key_bits = 1024;
}

static void weak_sha1(struct ev_connection *c)
{
    c->server_chain->certs[0]->signature_algorithm = "sha1WithRSAEncryption";
}

static void no_client_auth_eku(struct ev_connection *c)
{
    struct ev_cert *leaf = cert("CN=client,O=X", "CN=Partner CA 1,O=X");
    leaf->ext_key_usage = ev_alloc(&ev.arena, sizeof *leaf->ext_key_usage);
    leaf->ext_key_usage[0] = "serverAuth";
    leaf->ext_key_usage_count = 1;
    cert_request(c, 2, partner_cas);
    client_flight(c, leaf);
}

static void client_auth_eku(struct ev_connection *c)
{
    no_client_auth_eku(c);
    c->client_chain->certs[0]->ext_key_usage[0] = "clientAuth";
}

static void other_host(struct ev_connection *c)
{
    c->ch.sni = "other.example";
}

static void wildcard(struct ev_connection *c, const char *sni)
{
    c->ch.sni = (char *)sni;
    c->server_chain->certs[0]->san[0] = "DNS:*.example.com";
}

static void wildcard_one_label(struct ev_connection *c)
{
    wildcard(c, "a.example.com");
}

static void wildcard_two_labels(struct ev_connection *c)
{
    wildcard(c, "a.b.example.com");
}

static void rejected_hello(struct ev_connection *c, const char *sni, uint8_t desc)
{
    c->msg_count = 1;
    c->server_chain = NULL;
    c->sh.seen = false;
    c->ch.sni = (char *)sni;
    alert(c, EV_FROM_SERVER, desc);
}

static void no_sni_handshake_failure(struct ev_connection *c)
{
    rejected_hello(c, NULL, 40);
}

static void sni_handshake_failure(struct ev_connection *c)
{
    rejected_hello(c, "localhost", 40);
}

static void protocol_version_alert(struct ev_connection *c)
{
    rejected_hello(c, "localhost", 70);
}

static void insufficient_security(struct ev_connection *c)
{
    rejected_hello(c, "localhost", 71);
}

static void closed_after_hello(struct ev_connection *c)
{
    c->msg_count = 1;
    c->server_chain = NULL;
    c->sh.seen = false;
    c->fin[EV_FROM_SERVER] = true;
    c->outcome = EV_OUT_FAILED;
}

static void closed_after_hello_no_sni(struct ev_connection *c)
{
    closed_after_hello(c);
    c->ch.sni = NULL;
}

/* The server closes (FIN, frame 2) after the ClientHello; an OpenSSL 3 client
 * answers the close with a fatal decode_error (frame 3): still a silent close. */
static void closed_after_hello_eof_alert(struct ev_connection *c)
{
    closed_after_hello(c);
    alert(c, EV_FROM_CLIENT, 50);
    c->close_ref = 2;
    c->alerts[0].ref = c->msgs[c->msg_count - 1].ref = 3;
}

/* The same alert before any close is not a silent close. */
static void decode_error_before_close(struct ev_connection *c)
{
    closed_after_hello(c);
    alert(c, EV_FROM_CLIENT, 50);
    c->close_ref = 4;
}

/* TLS 1.3 without keys: the server's short encrypted record after the
 * client's Finished may be an alert, so no silent close. */
static void tls13_hidden(struct ev_connection *c)
{
    c->msg_count = 2;
    c->sh.version = 0x0304;
    c->server_chain = NULL;
    c->encrypted_after_hello = true;
    c->client_cert = EV_CC_NOT_VISIBLE;
    msg(c, EV_FROM_SERVER, 23, 0, true, 1000);
    msg(c, EV_FROM_CLIENT, 23, 0, true, 69);
    msg(c, EV_FROM_SERVER, 23, 0, true, 19);
    c->outcome = EV_OUT_FAILED;
}

static void tls13_hidden_ok(struct ev_connection *c)
{
    tls13_hidden(c);
    c->outcome = EV_OUT_ESTABLISHED;
}

static void nothing(struct ev_connection *c)
{
    (void)c;
}

/* A chain of n certificates in the arena. */
static struct ev_chain *chain_of(size_t n, struct ev_cert *const *certs, uint64_t ref)
{
    struct ev_chain *ch = chain1(certs[0], ref);
    ch->certs = ev_alloc(&ev.arena, n * sizeof *ch->certs);
    for (size_t i = 0; i < n; i++) {
        ch->certs[i] = certs[i];
    }
    ch->count = n;
    return ch;
}

static struct ev_cert *ca_cert(const char *subject, const char *issuer)
{
    struct ev_cert *c = cert(subject, issuer);
    c->is_ca = true;
    c->self_signed = strcmp(subject, issuer) == 0;
    return c;
}

/* The server sends leaf and root but not the intermediate between them;
 * the client answers unknown_ca. */
static void server_chain_gap(struct ev_connection *c)
{
    struct ev_cert *certs[] = { c->server_chain->certs[0],
                                ca_cert("CN=Other Root,O=X", "CN=Other Root,O=X") };
    c->server_chain->certs[0]->issuer = "CN=Server Intermediate,O=X";
    c->server_chain = chain_of(2, certs, 3);
    msg(c, EV_FROM_SERVER, 22, 14, false, 0);
    alert(c, EV_FROM_CLIENT, 48);
}

/* Negative: leaf + its intermediate + the root, complete; still unknown_ca
 * (the client lacks the root): untrusted, not incomplete. */
static void server_chain_complete(struct ev_connection *c)
{
    struct ev_cert *certs[] = { c->server_chain->certs[0],
                                ca_cert("CN=Server Root,O=X", "CN=Server Root,O=X") };
    c->server_chain = chain_of(2, certs, 3);
    msg(c, EV_FROM_SERVER, 22, 14, false, 0);
    alert(c, EV_FROM_CLIENT, 48);
}

/* The client sends leaf and an unrelated CA certificate (not the leaf's
 * issuer); the server rejects it. */
static void client_chain_gap(struct ev_connection *c)
{
    cert_request(c, 2, partner_cas);
    client_flight(c, cert("CN=client,O=X", "CN=Issuing CA 3,O=X"));
    struct ev_cert *certs[] = { c->client_chain->certs[0],
                                ca_cert("CN=Policy CA,O=X", "CN=Partner CA 1,O=X") };
    c->client_chain = chain_of(2, certs, c->client_chain->ref);
    alert(c, EV_FROM_SERVER, 48);
}

/* Negative: leaf issued by an intermediate that is sent and whose issuer is
 * listed: the walk fits, established. */
static void client_chain_walk_fits(struct ev_connection *c)
{
    cert_request(c, 2, partner_cas);
    client_flight(c, cert("CN=client,O=X", "CN=Issuing CA 3,O=X"));
    struct ev_cert *certs[] = { c->client_chain->certs[0],
                                ca_cert("CN=Issuing CA 3,O=X", "CN=Partner CA 2,O=X") };
    c->client_chain = chain_of(2, certs, c->client_chain->ref);
}

static void trace_statement(struct ev_connection *c, const char *text)
{
    char *s = ev_strdup(&ev.arena, text);
    if (EV_PUSH(&ev.arena, c->statements, c->statement_count, c->statement_cap, 64, &s) != ST_OK) {
        abort();
    }
}

static void trace_chain_incomplete(struct ev_connection *c)
{
    trace_statement(c, "the verification of the server's certificate chain failed");
    trace_statement(c, "Chain of certificates is incomplete : \"OU=Class 3 Public Primary");
}

/* (A trace without an error: the case table makes a capture, turned here.) */
static void trace_no_client_cert(struct ev_connection *c)
{
    c->source.kind = EV_SRC_ICM;
    c->local_side = EV_SIDE_SERVER;
    c->outcome = EV_OUT_ESTABLISHED;
    c->client_cert = EV_CC_NOT_SENT;
    trace_statement(c, "HttpCertIsReverseProxyTrustworthy: client did not sent any cert");
}

/* Negative: the ICM as client with a statement about something else. */
static void trace_other_statement(struct ev_connection *c)
{
    trace_statement(c, "SSL NI-sock: local=x.x.x.x:12345 peer=y.y.y.y:443");
}

static const struct {
    const char *name;
    void (*setup)(struct ev_connection *c);
    const char *trace_error; /* non-NULL: an ICM trace connection instead */
    const char *want;        /* findings as "rule:severity ...", catalog order */
} cases[] = {
    { .name = "no fitting CA",
      .setup = no_fitting_ca_yes,
      .want = "no_fitting_ca:error empty_client_cert:error" },
    { .name = "chain fits (case, blanks)",
      .setup = no_fitting_ca_fits,
      .want = "handshake_ok:info" },
    { .name = "empty, any CA",
      .setup = empty_any_ca,
      .want = "empty_client_cert:warning handshake_ok:info" },
    { .name = "server rejects client cert",
      .setup = untrusted_by_server,
      .want = "peer_cert_untrusted:error" },
    { .name = "client rejects server cert",
      .setup = untrusted_by_client,
      .want = "peer_cert_untrusted:error" },
    { .name = "unknown_ca after hello only", .setup = unknown_ca_after_hello, .want = "" },
    { .name = "client cert expired", .setup = client_expired, .want = "client_cert_expired:error" },
    { .name = "client cert not yet valid",
      .setup = client_not_yet_valid,
      .want = "client_cert_not_yet_valid:error handshake_ok:info" },
    { .name = "server cert expired",
      .setup = server_expired,
      .want = "server_cert_expired:warning handshake_ok:info" },
    { .name = "RSA 1024", .setup = weak_rsa, .want = "weak_key:warning handshake_ok:info" },
    { .name = "SHA-1 signature", .setup = weak_sha1, .want = "weak_key:warning handshake_ok:info" },
    { .name = "EKU serverAuth only",
      .setup = no_client_auth_eku,
      .want = "missing_client_auth_eku:error handshake_ok:info" },
    { .name = "EKU clientAuth", .setup = client_auth_eku, .want = "handshake_ok:info" },
    { .name = "SNI not covered",
      .setup = other_host,
      .want = "hostname_mismatch:warning handshake_ok:info" },
    { .name = "wildcard covers one label",
      .setup = wildcard_one_label,
      .want = "handshake_ok:info" },
    { .name = "wildcard not two labels",
      .setup = wildcard_two_labels,
      .want = "hostname_mismatch:warning handshake_ok:info" },
    { .name = "handshake_failure, no SNI",
      .setup = no_sni_handshake_failure,
      .want = "no_shared_cipher:error no_sni:warning" },
    { .name = "handshake_failure with SNI",
      .setup = sni_handshake_failure,
      .want = "no_shared_cipher:error" },
    { .name = "protocol_version alert",
      .setup = protocol_version_alert,
      .want = "protocol_version:error" },
    { .name = "insufficient_security",
      .setup = insufficient_security,
      .want = "no_shared_cipher:error" },
    { .name = "closed after hello",
      .setup = closed_after_hello,
      .want = "peer_closed_during_handshake:error" },
    { .name = "closed after hello, no SNI",
      .setup = closed_after_hello_no_sni,
      .want = "no_sni:warning peer_closed_during_handshake:error" },
    { .name = "closed after hello, client alert answers the close",
      .setup = closed_after_hello_eof_alert,
      .want = "peer_closed_during_handshake:error" },
    { .name = "alert before the close", .setup = decode_error_before_close, .want = "" },
    { .name = "TLS 1.3 hidden, failed",
      .setup = tls13_hidden,
      .want = "cert_request_not_visible:error" },
    { .name = "TLS 1.3 hidden, established",
      .setup = tls13_hidden_ok,
      .want = "handshake_ok:info" },
    { .name = "plain TLS 1.2", .setup = nothing, .want = "handshake_ok:info" },
    { .name = "trace untrusted",
      .setup = nothing,
      .trace_error = "SSSLERR_PEER_CERT_UNTRUSTED",
      .want = "peer_cert_untrusted:error insufficient_trace_level:warning" },
    { .name = "trace mismatch",
      .setup = nothing,
      .trace_error = "SSSLERR_SERVER_CERT_MISMATCH",
      .want = "hostname_mismatch:error insufficient_trace_level:warning" },
    { .name = "trace protocol version",
      .setup = nothing,
      .trace_error = "SSSLERR_ALERT_PROTOCOL_VERSION",
      .want = "protocol_version:error insufficient_trace_level:warning" },
    { .name = "trace conn closed",
      .setup = nothing,
      .trace_error = "SSSLRC_CONN_CLOSED",
      .want = "peer_closed_during_handshake:error insufficient_trace_level:warning" },
    { .name = "trace expired",
      .setup = nothing,
      .trace_error = "SSSLERR_PEER_CERT_EXPIRED",
      .want = "server_cert_expired:error insufficient_trace_level:warning" },
    { .name = "trace other error",
      .setup = nothing,
      .trace_error = "SSSLERR_SSL_READ",
      .want = "insufficient_trace_level:warning" },
    { .name = "server chain gap, unknown_ca",
      .setup = server_chain_gap,
      .want = "peer_cert_untrusted:error chain_incomplete:error" },
    { .name = "server chain complete, unknown_ca",
      .setup = server_chain_complete,
      .want = "peer_cert_untrusted:error" },
    { .name = "client chain gap, unknown_ca",
      .setup = client_chain_gap,
      .want = "peer_cert_untrusted:error chain_incomplete:error" },
    { .name = "client chain fits through its intermediate",
      .setup = client_chain_walk_fits,
      .want = "handshake_ok:info" },
    { .name = "trace: chain incomplete",
      .setup = trace_chain_incomplete,
      .trace_error = "SSSLERR_SSL_CONNECT",
      .want = "peer_cert_untrusted:error chain_incomplete:error" },
    { .name = "trace: other statement",
      .setup = trace_other_statement,
      .trace_error = "SSSLERR_SSL_CONNECT",
      .want = "" },
    { .name = "trace: server got no client cert",
      .setup = trace_no_client_cert,
      .trace_error = NULL,
      .want = "empty_client_cert:error handshake_ok:info" },
    { .name = "trace: EWOULDBLOCK",
      .setup = nothing,
      .trace_error = "SSSLERR_EWOULDBLOCK",
      .want = "network_timeout:error insufficient_trace_level:warning" },
    { .name = "server cert expired, failed",
      .setup = server_expired_failed,
      .want = "server_cert_expired:error" },
    { .name = "empty cert, names listed, established",
      .setup = empty_listed_established,
      .want = "no_fitting_ca:error empty_client_cert:warning handshake_ok:info" },
};

/* The findings of connection c as "rule:severity ...". */
static const char *summary(const struct findings *fs, const struct ev_connection *c)
{
    const char *s = "";
    for (size_t i = 0; i < fs->count; i++) {
        if (fs->items[i].conn == c) {
            s = ev_printf(&ev.arena, "%s%s%s:%s", s, *s ? " " : "", fs->items[i].rule,
                          severity_name(fs->items[i].severity));
        }
    }
    return s;
}

static const struct finding *find(const struct findings *fs, const struct ev_connection *c,
                                  const char *rule)
{
    for (size_t i = 0; i < fs->count; i++) {
        if (fs->items[i].conn == c && strcmp(fs->items[i].rule, rule) == 0) {
            return &fs->items[i];
        }
    }
    return NULL;
}

static void test_cases(void)
{
    struct ev_connection *conns[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        conns[i] = cases[i].trace_error ? trace(cases[i].trace_error) : tls12();
        cases[i].setup(conns[i]);
    }
    struct findings fs = { 0 };
    CHECK_INT(rules_evaluate(&ev, &shipped, &fs), ST_OK, "evaluate");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_STR(summary(&fs, conns[i]), cases[i].want, cases[i].name);
    }

    /* Placeholders filled from the evidence. */
    const struct finding *f = find(&fs, conns[0], "no_fitting_ca");
    CHECK(f && strstr(f->explanation,
                      "(frame 3) and accepts only certificates issued by the CAs it lists: "
                      "CN=Partner CA 1,O=X; CN=Partner CA 2,O=X."),
          "no_fitting_ca explanation");
    CHECK(f && strstr(f->explanation, "The client sent an empty Certificate message (frame 5)"),
          "client certificate words");
    CHECK(f && !strchr(f->explanation, '{'), "no placeholder left");
    CHECK(f && f->remediation_count >= 3 && strncmp(f->remediation[0], "SAP: ", 5) == 0,
          "SAP steps first");
    CHECK(f && f->evidence_count == 3 && f->evidence[0] == 3 && f->evidence[1] == 5 &&
              f->evidence[2] == 9,
          "evidence refs in order");
    f = find(&fs, conns[3], "peer_cert_untrusted");
    CHECK(f && strstr(f->title, "server rejected the client's"), "who rejected whom (server)");
    CHECK(f && strstr(f->explanation, "fatal unknown_ca alert (48) from the server (frame 9), "
                                      "sent right after it received the client's Finished"),
          "alert words");
    f = find(&fs, conns[4], "peer_cert_untrusted");
    CHECK(f && strstr(f->title, "client rejected the server's"), "who rejected whom (client)");
    f = find(&fs, conns[6], "client_cert_expired");
    CHECK(f && strstr(f->explanation, "At handshake time (2026-01-01T00:00:00Z) the client's "
                                      "certificate CN=client,O=X (valid from"),
          "packet time, not the wall clock");
}

static void test_trace_no_fitting_ca(void)
{
    struct evidence saved = ev;
    ev_init(&ev);
    struct ev_connection *c = trace(NULL);
    char *st = "Cannot perform client authentication: Have no certificate fitting to";
    c->statements = &st;
    c->statement_count = 1;
    c->cert_request = ev_alloc(&ev.arena, sizeof *c->cert_request);
    c->cert_request->ref = 1;
    c->client_cert = EV_CC_EMPTY;
    struct findings fs = { 0 };
    CHECK_INT(rules_evaluate(&ev, &shipped, &fs), ST_OK, "evaluate trace");
    CHECK_STR(summary(&fs, c), "no_fitting_ca:error empty_client_cert:error", "trace no fit");
    const struct finding *f = find(&fs, c, "no_fitting_ca");
    CHECK(f && strstr(f->explanation, "(line 1)") &&
              strstr(f->explanation, "CA names are not in the trace"),
          "trace wording");
    c->not_tls = true;
    c->statement_count = 0;
    c->cert_request = NULL;
    c->client_cert = EV_CC_NOT_VISIBLE;
    c->outcome = EV_OUT_FAILED;
    fs = (struct findings){ 0 };
    CHECK_INT(rules_evaluate(&ev, &shipped, &fs), ST_OK, "evaluate not tls");
    CHECK_STR(summary(&fs, c), "not_tls:error", "not TLS");
    ev_fini(&ev);
    ev = saved;
}

/* ---- certificate files given to analyze (candidate chains) ------------- */

static struct ev_chain *fitting_chain(void)
{
    /* Issued by a listed name, in other case and blanks (RFC 5280 7.1). */
    return chain1(cert("CN=new client,O=X", "cn=partner ca 2,o=x"), 0);
}

static struct ev_chain *other_chain(void)
{
    return chain1(cert("CN=old client,O=X", "CN=Internal CA,O=X"), 0);
}

static struct ev_chain *expired_chain(void)
{
    struct ev_cert *leaf = cert("CN=expired client,O=X", "CN=Partner CA 1,O=X");
    leaf->not_before_t = T2026 - 2 * YEAR;
    leaf->not_after_t = T2026 - YEAR;
    return chain1(leaf, 0);
}

static void add_candidate(const char *path, struct ev_chain *chain)
{
    if (ev_candidate_add(&ev, path, chain) != ST_OK) {
        abort();
    }
}

/* One evidence per case: candidates are evidence-wide. Returns the
 * findings summary of the one connection. */
static const char *candidate_case(void (*setup)(struct ev_connection *), bool as_trace,
                                  struct ev_chain *a, struct ev_chain *b, const char *rule,
                                  const char *want_text)
{
    struct ev_connection *c = as_trace ? trace("SSSLERR_SSL_CONNECT") : tls12();
    setup(c);
    if (a) {
        add_candidate("new.pem", a);
    }
    if (b) {
        add_candidate("old.der", b);
    }
    struct findings fs = { 0 };
    CHECK_INT(rules_evaluate(&ev, &shipped, &fs), ST_OK, "evaluate candidates");
    const struct finding *f = rule ? find(&fs, c, rule) : NULL;
    if (rule) {
        CHECK(f && strstr(f->explanation, want_text) && !strchr(f->explanation, '{'), want_text);
    }
    return summary(&fs, c);
}

static void trace_stated_request(struct ev_connection *c)
{
    c->cert_request = ev_alloc(&ev.arena, sizeof *c->cert_request);
    c->cert_request->ref = 7;
    c->client_cert = EV_CC_EMPTY;
}

static void nothing_requested(struct ev_connection *c)
{
    (void)c;
}

static void test_candidates(void)
{
    static const struct {
        const char *name;
        void (*setup)(struct ev_connection *);
        bool trace;
        struct ev_chain *(*a)(void), *(*b)(void);
        const char *rule, *text, *want;
    } ccases[] = {
        { .name = "fits: the failure's fix",
          .setup = no_fitting_ca_yes,
          .a = fitting_chain,
          .rule = "candidate_fits",
          .text = "the certificate in new.pem (CN=new client,O=X) would be sent and accepted: "
                  "CN=new client,O=X was issued by cn=partner ca 2,o=x, which the server lists "
                  "as CA name #2",
          .want = "no_fitting_ca:error empty_client_cert:error candidate_fits:info" },
        { .name = "no fit, failed with an empty Certificate: error",
          .setup = no_fitting_ca_yes,
          .b = other_chain,
          .rule = "candidate_no_fit",
          .text = "the certificate in old.der (CN=old client,O=X) would not be sent: no "
                  "certificate of its chain is issued by (or is) a listed CA (chain: CN=old "
                  "client,O=X (issuer CN=Internal CA,O=X))",
          .want = "no_fitting_ca:error empty_client_cert:error candidate_no_fit:error" },
        { .name = "one fits, one does not: the other is a warning",
          .setup = no_fitting_ca_yes,
          .a = fitting_chain,
          .b = other_chain,
          .rule = "candidate_no_fit",
          .text = "old.der",
          .want = "no_fitting_ca:error empty_client_cert:error candidate_fits:info "
                  "candidate_no_fit:warning" },
        { .name = "no fit, but the connection works with its own certificate: warning",
          .setup = no_fitting_ca_fits,
          .b = other_chain,
          .rule = "candidate_no_fit",
          .text = "would not be sent",
          .want = "candidate_no_fit:warning handshake_ok:info" },
        { .name = "fits, but expired at handshake time",
          .setup = no_fitting_ca_yes,
          .a = expired_chain,
          .rule = "candidate_fits",
          .text = "would be sent, but not accepted: at handshake time (2026-01-01T00:00:00Z) "
                  "the certificate CN=expired client,O=X (valid from",
          .want = "no_fitting_ca:error empty_client_cert:error candidate_fits:warning" },
        { .name = "trace: the CA names are not in it",
          .setup = trace_stated_request,
          .trace = true,
          .a = fitting_chain,
          .rule = "candidate_not_judged",
          .text = "an ICM trace does not print the CA names of the request, so tlsdiag cannot "
                  "tell whether new.pem would be sent",
          .want = "empty_client_cert:error candidate_not_judged:info "
                  "insufficient_trace_level:warning" },
        { .name = "empty CA list: any CA",
          .setup = empty_any_ca,
          .a = other_chain,
          .rule = "candidate_not_judged",
          .text = "with an empty list of CA names",
          .want = "empty_client_cert:warning candidate_not_judged:info handshake_ok:info" },
        { .name = "TLS 1.3 without keys: the request is hidden",
          .setup = tls13_hidden,
          .a = fitting_chain,
          .rule = "candidate_not_judged",
          .text = "TLS 1.3 encrypts the server's certificate request (if it sent one)",
          .want = "cert_request_not_visible:error candidate_not_judged:info" },
        { .name = "no certificate request: nothing to say",
          .setup = nothing_requested,
          .a = fitting_chain,
          .want = "handshake_ok:info" },
    };
    struct evidence saved = ev;
    for (size_t i = 0; i < sizeof ccases / sizeof ccases[0]; i++) {
        ev_init(&ev);
        const char *got =
            candidate_case(ccases[i].setup, ccases[i].trace, ccases[i].a ? ccases[i].a() : NULL,
                           ccases[i].b ? ccases[i].b() : NULL, ccases[i].rule, ccases[i].text);
        CHECK_STR(got, ccases[i].want, ccases[i].name);
        ev_fini(&ev);
    }
    /* Without candidates the facts say n/a; with them but no list, unknown. */
    ev_init(&ev);
    struct ev_connection *c = tls12();
    struct fact_table t;
    CHECK_INT(facts_compute(&ev.arena, c, &t), ST_OK, "facts without candidates");
    CHECK_STR(t.val[FACT_CANDIDATE_FIT], "n/a", "no candidates");
    CHECK_STR(t.val[FACT_CANDIDATE_FILES], "none", "no candidate files");
    ev_fini(&ev);
    ev = saved;
}

static void test_ca_names_list(void)
{
    static const char *const seven[] = { "CN=A", "CN=B", "CN=C", "CN=D", "CN=E", "CN=F", "CN=G" };
    struct ev_connection *c = tls12();
    cert_request(c, 7, seven);
    struct fact_table t;
    CHECK_INT(facts_compute(&ev.arena, c, &t), ST_OK, "facts");
    CHECK_STR(t.val[FACT_CA_NAMES_LIST], "CN=A; CN=B; CN=C; CN=D; CN=E and 2 more", "5 and more");
    CHECK_STR(t.val[FACT_CA_COUNT], "7", "ca_count");
    CHECK_STR(t.val[FACT_CERT_REQUEST], "visible", "cert_request");
    CHECK_STR(t.val[FACT_FIT], "unknown", "fit without a chain");
    CHECK_STR(t.val[FACT_VERSION], "tls1.2", "version");
    CHECK_STR(t.val[FACT_TRACE_ERROR], "none", "trace_error");
    for (size_t i = 0; i < FACT_COUNT; i++) {
        enum fact_id id;
        CHECK(fact_lookup(fact_name(i), strlen(fact_name(i)), &id) && id == i, fact_name(i));
    }
}

static void test_matchers(void)
{
    static const struct {
        const char *pattern, *host;
        bool want;
    } names[] = {
        { "localhost", "LOCALHOST", true },        { "*.example.com", "a.example.com", true },
        { "*.example.com", "example.com", false }, { "*.example.com", "a.b.example.com", false },
        { "*.com", "example.com", false },         { "a*.example.com", "ab.example.com", false },
        { "example.com.", "example.com", true },   { "", "x", false },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        CHECK(facts_name_matches(names[i].pattern, names[i].host) == names[i].want, names[i].host);
    }
    /* DER equal wins over different text; a CA certificate matches by subject. */
    static const uint8_t der[] = { 0x30, 0x03, 0x31, 0x01, 0x00 };
    struct ev_name n = { .text = "CN=Listed", .der = { der, sizeof der } };
    struct ev_cert_request cr = { .visible = true, .ca_names = &n, .ca_count = 1 };
    struct ev_cert *leaf = cert("CN=leaf", "CN=Something else");
    struct ev_chain *ch = chain1(leaf, 1);
    CHECK(!facts_chain_fits(ch, &cr), "no fit");
    leaf->issuer_der = (struct bytes){ der, sizeof der };
    CHECK(facts_chain_fits(ch, &cr), "DER fit");
    struct ev_cert *ca = cert("CN=  listed ", "CN=Root");
    ca->is_ca = true;
    CHECK(facts_chain_fits(chain1(ca, 1), &cr), "CA subject fit, folded text");
    ca->is_ca = false;
    CHECK(!facts_chain_fits(chain1(ca, 1), &cr), "a leaf's subject does not count");
}

/* The fit walks the chain: an intermediate counts only when it issued the
 * certificate before it; facts_chain_fit says which certificate and name. */
static void test_chain_walk(void)
{
    static const char *const names[] = { "CN=Root A,O=X", "CN=Root B,O=X" };
    struct ev_cert_request cr = { .visible = true, .ca_count = 2 };
    cr.ca_names = ev_alloc(&ev.arena, 2 * sizeof *cr.ca_names);
    cr.ca_names[0].text = (char *)names[0];
    cr.ca_names[1].text = (char *)names[1];
    struct ev_cert *leaf = cert("CN=leaf", "CN=Int B,O=X");
    struct ev_cert *mid = ca_cert("CN=Int B,O=X", "CN=Root B,O=X");
    struct ev_cert *stray = ca_cert("CN=Int A,O=X", "CN=Root A,O=X");
    struct facts_fit fit;

    struct ev_cert *ok[] = { leaf, mid };
    CHECK(facts_chain_fit(chain_of(2, ok, 1), &cr, &fit), "leaf -> Int B -> Root B fits");
    CHECK_INT(fit.cert_index, 1, "matched at the intermediate");
    CHECK_INT(fit.name_index, 1, "CA name #2");
    CHECK(!fit.by_subject, "by its issuer");

    struct ev_cert *reversed[] = { leaf, stray, mid };
    CHECK(facts_chain_fit(chain_of(3, reversed, 1), &cr, &fit), "order does not matter");
    CHECK_INT(fit.cert_index, 2, "found by subject, not position");

    struct ev_cert *unrelated[] = { leaf, stray };
    CHECK(!facts_chain_fit(chain_of(2, unrelated, 1), &cr, &fit),
          "a listed issuer off the path does not count");
    CHECK_INT(fit.top_index, 0, "the walk stops at the leaf");

    struct ev_cert *loop1 = ca_cert("CN=L1", "CN=L2"), *loop2 = ca_cert("CN=L2", "CN=L1");
    struct ev_cert *loop[] = { loop1, loop2 };
    CHECK(!facts_chain_fit(chain_of(2, loop, 1), &cr, NULL), "a loop ends the walk");

    struct ev_cert *leaf_only[] = { leaf };
    CHECK(!facts_chain_fit(chain_of(1, leaf_only, 1), &cr, NULL), "leaf alone: Int B not listed");
}

/* tlsdiag check's model: an intermediate the caller holds (--trust) but did
 * not put in the chain makes chain_incomplete yes; a root there makes it no. */
static void test_chain_incomplete_env(void)
{
    static const char *const names[] = { "CN=Root B,O=X" };
    struct evidence saved = ev;
    ev_init(&ev);
    struct ev_connection *c = ev_connection_add(&ev);
    c->source.kind = EV_SRC_PCAP;
    c->first_ts.sec = T2026;
    cert_request(c, 1, names);
    c->client_chain = chain1(cert("CN=leaf", "CN=Int B,O=X"), 0);
    c->client_cert = EV_CC_EMPTY;
    struct ev_cert *mid = ca_cert("CN=Int B,O=X", "CN=Root B,O=X");
    struct ev_cert *root = ca_cert("CN=Int B,O=X", "CN=Int B,O=X");
    struct facts_env env = { .trust = &mid, .trust_count = 1, .check = true };
    struct fact_table t;
    CHECK_INT(facts_compute_env(&ev.arena, c, &env, &t), ST_OK, "facts");
    CHECK_STR(t.val[FACT_SOURCE], "check", "source");
    CHECK_STR(t.val[FACT_CHAIN_INCOMPLETE], "yes", "intermediate held, not sent");
    CHECK_STR(t.val[FACT_CHAIN_INCOMPLETE_SIDE], "client", "side");
    CHECK(strstr(t.val[FACT_CHAIN_MISSING_WORDS], "CN=Int B,O=X is an intermediate CA") != NULL,
          t.val[FACT_CHAIN_MISSING_WORDS]);
    struct findings fs = { 0 };
    CHECK_INT(rules_evaluate_env(&ev, &shipped, &env, &fs), ST_OK, "evaluate");
    CHECK_STR(summary(&fs, c), "no_fitting_ca:error chain_incomplete:error", "check findings");

    env.trust = &root;
    CHECK_INT(facts_compute_env(&ev.arena, c, &env, &t), ST_OK, "facts");
    CHECK_STR(t.val[FACT_CHAIN_INCOMPLETE], "no", "issuer is a trust anchor");
    env.trust_count = 0;
    CHECK_INT(facts_compute_env(&ev.arena, c, &env, &t), ST_OK, "facts");
    CHECK_STR(t.val[FACT_CHAIN_INCOMPLETE], "unknown", "nothing tells");
    CHECK_INT(facts_compute(&ev.arena, c, &t), ST_OK, "facts");
    CHECK_STR(t.val[FACT_SOURCE], "capture", "no env: a capture");
    ev_fini(&ev);
    ev = saved;
}

/* ---- catalog parsing --------------------------------------------------- */

static void test_parse_errors(void)
{
    static char long_line[5000];
    memset(long_line, 'x', sizeof long_line - 1);
    memcpy(long_line, "[a]\ntitle = ", 12);
    static const struct {
        const char *name, *text, *want_err;
    } bad[] = {
        { "unknown operator", "[a]\nseverity = info\ntitle = t\nwhen = outcome ~ failed\n",
          "x:4: unknown operator '~'" },
        { "unknown fact", "[a]\nseverity = info\ntitle = t\nwhen = colour = red\n",
          "x:4: unknown fact 'colour'" },
        { "missing severity", "# c\n[a]\ntitle = t\nwhen = outcome = failed\nexplain = e\n",
          "x:2: rule 'a' has no severity" },
        { "line too long", long_line, "x:2: line longer than" },
        { "unknown placeholder", "[a]\nexplain = {nope}\n", "x:2: unknown fact 'nope'" },
        { "dangling or", "[a]\nseverity = info\ntitle = t\nwhen = sni = absent\nor\nexplain = e\n",
          "x:1: rule 'a' ends with 'or'" },
        { "unknown key", "[a]\ncolour = red\n", "x:2: unknown key 'colour'" },
        { "key before rule", "title = t\n", "x:1: a key before the first [id]" },
        { "bad id", "[A b]\n", "x:1: bad rule id" },
        { "= with a list", "[a]\nwhen = sni = a b\n", "x:2: '=' and '!=' take one value" },
        { "not without in", "[a]\nwhen = sni not absent\n", "x:2: unknown operator 'not'" },
        { "bad severity", "[a]\nseverity = fatal\n", "x:2: unknown severity 'fatal'" },
        { "twice", "[a]\nseverity = info\ntitle = t\nwhen = sni = absent\nexplain = e\n[a]\n",
          "x:6: rule 'a' defined twice" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rule_catalog cat;
        rule_catalog_init(&cat);
        char err[256] = "";
        enum status st = rule_catalog_parse(&cat, "x", (const uint8_t *)bad[i].text,
                                            strlen(bad[i].text), err, sizeof err);
        CHECK_INT(st, ST_MALFORMED, bad[i].name);
        CHECK(strncmp(err, bad[i].want_err, strlen(bad[i].want_err)) == 0, err);
        CHECK_INT(cat.count, 0, "nothing merged on failure");
        rule_catalog_fini(&cat);
    }
}

static void test_override(void)
{
    struct rule_catalog cat;
    rule_catalog_init(&cat);
    char err[512] = "";
    const char *path = rule_catalog_default_path();
    CHECK(path != NULL, "shipped catalog found");
    CHECK_INT(rule_catalog_load(&cat, path, err, sizeof err), ST_OK, err);
    size_t n = cat.count;
    static const char extra[] =
        "# site rules\n"
        "[handshake_ok]\nseverity = warning\ntitle = Done\nwhen = outcome = established\n"
        "explain = Established with {cipher_suite}\n\n"
        "[site_tls12]\nseverity = info\ntitle = TLS 1.2\nwhen = version in tls1.2 tls1.1\n"
        "when = sni not in none other\nexplain = v={version}\r\n";
    CHECK_INT(
        rule_catalog_parse(&cat, "site", (const uint8_t *)extra, sizeof extra - 1, err, sizeof err),
        ST_OK, err);
    CHECK_INT(cat.count, n + 1, "one replaced, one added");
    CHECK_STR(cat.rules[cat.count - 1]->id, "site_tls12", "new rule last");
    const struct rule *r = rule_catalog_find(&cat, "handshake_ok");
    CHECK(r && r->severity == SEV_WARNING && strcmp(r->origin, "site") == 0, "replaced in place");

    struct evidence saved = ev;
    ev_init(&ev);
    struct ev_connection *c = tls12();
    struct findings fs = { 0 };
    CHECK_INT(rules_evaluate(&ev, &cat, &fs), ST_OK, "evaluate");
    CHECK_STR(summary(&fs, c), "handshake_ok:warning site_tls12:info", "override applied");
    const struct finding *f = find(&fs, c, "site_tls12");
    CHECK_STR(f ? f->explanation : NULL, "v=tls1.2", "placeholder");
    f = find(&fs, c, "handshake_ok");
    CHECK_STR(f ? f->explanation : NULL, "Established with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
              "suite");
    ev_fini(&ev);
    ev = saved;
    rule_catalog_fini(&cat);
}

/* ---- alert classification (issue 4 item 3) ------------------------------- */

/* A TLS 1.3 handshake opened with a key log: the server's flight
 * (EncryptedExtensions, CertificateRequest naming the partner CAs,
 * Certificate, CertificateVerify, Finished) and the client's (Certificate
 * when leaf or empty, CertificateVerify when leaf, Finished). */
static struct ev_connection *tls13_opened(bool client_cert_msg, struct ev_cert *leaf)
{
    struct ev_connection *c = tls12();
    c->sh.version = 0x0304;
    c->msg_count = 2; /* ClientHello, ServerHello */
    msg(c, EV_FROM_SERVER, 22, 8, false, 2);
    cert_request(c, 2, partner_cas);
    msg(c, EV_FROM_SERVER, 22, 13, false, 120);
    msg(c, EV_FROM_SERVER, 22, 11, false, 900);
    msg(c, EV_FROM_SERVER, 22, 15, false, 260);
    msg(c, EV_FROM_SERVER, 22, 20, false, 48);
    c->client_cert = EV_CC_NOT_SENT;
    if (client_cert_msg) {
        msg(c, EV_FROM_CLIENT, 22, 11, false, leaf ? 600 : 4);
        c->client_cert = leaf ? EV_CC_SENT : EV_CC_EMPTY;
        c->client_chain = chain1(leaf, c->msg_count);
    }
    if (leaf) {
        msg(c, EV_FROM_CLIENT, 22, 15, false, 260);
    }
    msg(c, EV_FROM_CLIENT, 22, 20, false, 48);
    return c;
}

static struct ev_connection *server_unknown_ca(void)
{
    struct ev_connection *c = tls12();
    untrusted_by_server(c);
    return c;
}

static struct ev_connection *client_unknown_ca(void)
{
    struct ev_connection *c = tls12();
    untrusted_by_client(c);
    return c;
}

static struct ev_connection *tls13_required_no_message(void)
{
    struct ev_connection *c = tls13_opened(false, NULL);
    alert(c, EV_FROM_SERVER, 116);
    return c;
}

static struct ev_connection *tls13_required_empty(void)
{
    struct ev_connection *c = tls13_opened(true, NULL);
    alert(c, EV_FROM_SERVER, 116);
    return c;
}

static struct ev_connection *tls13_rejected_after_finished(void)
{
    struct ev_connection *c = tls13_opened(true, cert("CN=client,O=X", "CN=Other CA,O=X"));
    alert(c, EV_FROM_SERVER, 42);
    return c;
}

static struct ev_connection *rst_after_hello(void)
{
    struct ev_connection *c = tls12();
    closed_after_hello(c);
    c->fin[EV_FROM_SERVER] = false;
    c->rst[EV_FROM_SERVER] = true;
    c->close_ref = 2;
    return c;
}

static struct ev_connection *fin_after_server_flight(void)
{
    struct ev_connection *c = tls12();
    msg(c, EV_FROM_SERVER, 22, 14, false, 0);
    c->fin[EV_FROM_CLIENT] = true;
    c->close_ref = 5;
    c->outcome = EV_OUT_FAILED;
    return c;
}

static const struct {
    const char *name;
    struct ev_connection *(*make)(void);
    const char *want;  /* findings as in cases[] */
    const char *rule;  /* the finding whose title and explanation are checked */
    const char *title; /* part of its title (which variant) */
    const char *words; /* part of its explanation */
} alert_paths[] = {
    { .name = "server's unknown_ca after the client's Certificate",
      .make = server_unknown_ca,
      .want = "peer_cert_untrusted:error",
      .rule = "peer_cert_untrusted",
      .title = "The server rejected the client's certificate",
      .words = "The client sent a chain of 1 certificate" },
    { .name = "client's unknown_ca after the server's Certificate",
      .make = client_unknown_ca,
      .want = "peer_cert_untrusted:error",
      .rule = "peer_cert_untrusted",
      .title = "The client rejected the server's certificate",
      .words = "sent right after it received the ServerHelloDone" },
    { .name = "TLS 1.3 certificate_required, no Certificate message",
      .make = tls13_required_no_message,
      .want = "no_fitting_ca:error empty_client_cert:error",
      .rule = "empty_client_cert",
      .title = "The server required a client certificate",
      .words = "a fatal certificate_required alert (116) from the server" },
    { .name = "TLS 1.3 certificate_required after an empty Certificate",
      .make = tls13_required_empty,
      .want = "no_fitting_ca:error empty_client_cert:error",
      .rule = "empty_client_cert",
      .title = "answered the certificate request with an empty",
      .words = "sent right after it received the client's Finished" },
    { .name = "TLS 1.3 server's bad_certificate after the client's Finished",
      .make = tls13_rejected_after_finished,
      .want = "peer_cert_untrusted:error",
      .rule = "peer_cert_untrusted",
      .title = "The server rejected the client's certificate",
      .words = "sent right after it received the client's Finished" },
    { .name = "silent RST after the ClientHello",
      .make = rst_after_hello,
      .want = "peer_closed_during_handshake:error",
      .rule = "peer_closed_during_handshake",
      .title = "closed during the handshake",
      .words = "(closed by: server), after the ClientHello" },
    { .name = "silent FIN from the client after the ServerHelloDone",
      .make = fin_after_server_flight,
      .want = "peer_closed_during_handshake:error",
      .rule = "peer_closed_during_handshake",
      .title = "closed during the handshake",
      .words = "(closed by: client), after the ServerHelloDone" },
};

/* Alerts by sender, description and place in the flight (issue 4): each
 * path ends in its own finding, and the right variant of it. */
static void test_alert_paths(void)
{
    enum { N = sizeof alert_paths / sizeof alert_paths[0] };
    struct ev_connection *conns[N];
    struct findings fs = { 0 };
    for (size_t i = 0; i < N; i++) {
        conns[i] = alert_paths[i].make();
        CHECK_INT(rules_evaluate_conn(&ev, &shipped, NULL, conns[i], &fs), ST_OK,
                  alert_paths[i].name);
    }
    for (size_t i = 0; i < N; i++) {
        CHECK_STR(summary(&fs, conns[i]), alert_paths[i].want, alert_paths[i].name);
        const struct finding *f = find(&fs, conns[i], alert_paths[i].rule);
        CHECK(f && strstr(f->title, alert_paths[i].title), alert_paths[i].name);
        CHECK(f && strstr(f->explanation, alert_paths[i].words), alert_paths[i].name);
        if (f && !strstr(f->explanation, alert_paths[i].words)) {
            fprintf(stderr, "  explanation: %s\n", f->explanation);
        }
    }
}

/* AKI/SKI as supporting evidence of the fit (RFC 5280 4.2.1.1/4.2.1.2):
 * confirmed links are named; the same name with another key is a note. */
static void test_key_identifiers(void)
{
    static const uint8_t k1[] = { 0x01, 0x02 }, k2[] = { 0xaa, 0xbb }, k3[] = { 0x0c };
    struct ev_cert *leaf = cert("CN=leaf,O=X", "CN=Sub CA,O=X");
    struct ev_cert *sub = ca_cert("CN=Sub CA,O=X", "CN=Root CA,O=X");
    struct ev_cert *root = ca_cert("CN=Root CA,O=X", "CN=Root CA,O=X");
    leaf->aki = (struct bytes){ k1, sizeof k1 };
    sub->ski = (struct bytes){ k1, sizeof k1 };
    sub->aki = (struct bytes){ k2, sizeof k2 };
    sub->aki_hex = "aabb";
    root->ski = (struct bytes){ k3, sizeof k3 }; /* a re-issued root: another key */
    root->ski_hex = "0c";
    static const char *const root_name[] = { "CN=Root CA,O=X" };
    struct ev_cert *const three[] = { leaf, sub, root };

    struct ev_connection *c = tls12();
    cert_request(c, 1, root_name);
    c->client_cert = EV_CC_SENT;
    c->client_chain = chain_of(3, three, 5);
    struct fact_table t;
    CHECK_INT(facts_compute(&ev.arena, c, &t), ST_OK, "key ids");
    const char *w = t.val[FACT_FIT_WORDS];
    CHECK(strstr(w, "The key identifiers confirm the link: CN=leaf,O=X to CN=Sub CA,O=X (in "
                    "the chain)"),
          "key ids: confirmed link");
    CHECK(strstr(w, "Note: the names match, but the authority key identifier of CN=Sub CA,O=X "
                    "(aabb) is not the subject key identifier of CN=Root CA,O=X in the chain "
                    "(0c): a different key under the same name"),
          "key ids: re-issued CA");
    if (!strstr(w, "(0c): a different key")) {
        fprintf(stderr, "  fit_words: %s\n", w);
    }

    /* without identifiers nothing is claimed */
    leaf->aki = sub->ski = sub->aki = root->ski = (struct bytes){ 0 };
    CHECK_INT(facts_compute(&ev.arena, c, &t), ST_OK, "no key ids");
    CHECK(!strstr(t.val[FACT_FIT_WORDS], "key identifier"), "no key ids: no claim");
}

int main(void)
{
    ev_init(&ev);
    rule_catalog_init(&shipped);
    char err[512] = "";
    const char *path = rule_catalog_default_path();
    if (!path || rule_catalog_load(&shipped, path, err, sizeof err) != ST_OK) {
        fprintf(stderr, "cannot load the shipped catalog: %s\n", err);
        return 1;
    }
    test_cases();
    test_alert_paths();
    test_key_identifiers();
    test_trace_no_fitting_ca();
    test_candidates();
    test_ca_names_list();
    test_matchers();
    test_chain_walk();
    test_chain_incomplete_env();
    test_parse_errors();
    test_override();
    rule_catalog_fini(&shipped);
    ev_fini(&ev);
    return tl_done();
}
