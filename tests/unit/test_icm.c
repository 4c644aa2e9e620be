/*
 * test_icm.c - ICM trace lines to evidence: one table of line families
 * with tolerant variants (thread prefixes, "(- 10)", missing codes, the
 * SSLERR_ typo, '#' line breaks, typographic quotes, Latin-1), grouping
 * into connections (threads, CCL ids, handles, summaries), and one golden
 * case per published sample in $TLSDIAG_SHARED/icm-samples (skipped with
 * exit 77 when that directory is absent).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "evidence.h"
#include "icm.h"
#include "testlib.h"

/* What one case expects; NULL strings and zero numbers are not checked. */
struct want {
    int conns;         /* connections expected (always checked) */
    const char *side;  /* "client", "server", "unknown" */
    const char *error; /* error_name; "-" means NULL */
    int code;
    const char *conn_id;
    const char *thread; /* "-" means NULL */
    const char *sni;
    const char *target;
    const char *identity;
    const char *state;
    const char *cc;      /* "empty", "not_sent", "not_visible" */
    const char *outcome; /* "failed", "incomplete", "established" */
    bool not_tls;
    const char *statement; /* substring of some statement */
    const char *error_text;
    const char *detail;     /* substring of outcome_detail */
    int alert;              /* description of the first alert */
    const char *alert_from; /* "client", "server" */
    const char *client_ip, *server_ip;
    int client_port, server_port;
    uint64_t first, last;
    int stated_certs;
    const char *leaf_subject;
    bool cert_request; /* a CertificateRequest is known to have been sent */
    const char *note;  /* substring of some note */
};

static const char *side_name(enum ev_side s)
{
    return s == EV_SIDE_CLIENT ? "client" : s == EV_SIDE_SERVER ? "server" : "unknown";
}

static const char *cc_name(enum ev_client_cert cc)
{
    switch (cc) {
    case EV_CC_EMPTY:
        return "empty";
    case EV_CC_NOT_SENT:
        return "not_sent";
    case EV_CC_NOT_VISIBLE:
        return "not_visible";
    case EV_CC_SENT:
        return "sent";
    }
    return "?";
}

static const char *outcome_name(enum ev_outcome o)
{
    return o == EV_OUT_FAILED ? "failed" : o == EV_OUT_ESTABLISHED ? "established" : "incomplete";
}

static bool any_has(char **list, size_t n, const char *needle)
{
    for (size_t i = 0; i < n; i++) {
        if (strstr(list[i], needle)) {
            return true;
        }
    }
    return false;
}

static bool note_has(const struct ev_connection *c, const char *needle)
{
    for (size_t i = 0; i < c->note_count; i++) {
        if (strstr(c->notes[i].text, needle)) {
            return true;
        }
    }
    return false;
}

static const char *nullable(const char *want)
{
    return strcmp(want, "-") == 0 ? NULL : want;
}

static void check_conn(const struct evidence *ev, const struct want *w, const char *name)
{
    CHECK_INT(ev->conn_count, w->conns, name);
    if (w->conns == 0 || ev->conn_count == 0) {
        return;
    }
    const struct ev_connection *c = ev->conns[0];
    CHECK_INT(c->source.kind, EV_SRC_ICM, name);
    if (w->side) {
        CHECK_STR(side_name(c->local_side), w->side, name);
    }
    if (w->error) {
        CHECK_STR(c->error_name, nullable(w->error), name);
    }
    if (w->code) {
        CHECK_INT(c->error_code, w->code, name);
    }
    if (w->conn_id) {
        CHECK_STR(c->source.conn, w->conn_id, name);
    }
    if (w->thread) {
        CHECK_STR(c->source.thread, nullable(w->thread), name);
    }
    if (w->sni) {
        CHECK_STR(c->ch.sni, w->sni, name);
    }
    if (w->target) {
        CHECK_STR(c->target_host, w->target, name);
    }
    if (w->identity) {
        CHECK_STR(c->identity, w->identity, name);
    }
    if (w->state) {
        CHECK_STR(c->handshake_state, w->state, name);
    }
    if (w->cc) {
        CHECK_STR(cc_name(c->client_cert), w->cc, name);
    }
    if (w->outcome) {
        CHECK_STR(outcome_name(c->outcome), w->outcome, name);
    }
    CHECK_INT(c->not_tls, w->not_tls, name);
    if (w->statement) {
        CHECK(any_has(c->statements, c->statement_count, w->statement), name);
    }
    if (w->error_text) {
        CHECK_STR(c->error_text, w->error_text, name);
    }
    if (w->detail) {
        CHECK(c->outcome_detail && strstr(c->outcome_detail, w->detail), name);
    }
    if (w->alert) {
        CHECK(c->alert_count > 0, name);
        if (c->alert_count > 0) {
            CHECK_INT(c->alerts[0].description, w->alert, name);
            CHECK_INT(c->alerts[0].level, 2, name);
            if (w->alert_from) {
                CHECK_STR(c->alerts[0].from == EV_FROM_CLIENT ? "client" : "server", w->alert_from,
                          name);
            }
        }
    }
    if (w->client_ip) {
        CHECK_STR(c->client.ip, w->client_ip, name);
    }
    if (w->server_ip) {
        CHECK_STR(c->server.ip, w->server_ip, name);
    }
    if (w->client_port) {
        CHECK_INT(c->client.port, w->client_port, name);
    }
    if (w->server_port) {
        CHECK_INT(c->server.port, w->server_port, name);
    }
    if (w->first) {
        CHECK_INT(c->source.first, w->first, name);
    }
    if (w->last) {
        CHECK_INT(c->source.last, w->last, name);
    }
    if (w->stated_certs) {
        CHECK_INT(c->stated_cert_count, w->stated_certs, name);
    }
    if (w->leaf_subject) {
        CHECK(c->stated_cert_count > 0, name);
        if (c->stated_cert_count > 0) {
            CHECK_STR(c->stated_certs[0].subject, w->leaf_subject, name);
        }
    }
    if (w->cert_request) {
        CHECK(c->cert_request != NULL && !c->cert_request->visible, name);
    }
    if (w->note) {
        CHECK(note_has(c, w->note), name);
    }
}

/* Parses text (a heap copy of exactly its size, so ASan sees overreads). */
static void parse_text(struct evidence *ev, const char *text, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    struct icm_parser *p = icm_parser_new(ev, "case.trc");
    uint64_t lines = 0;
    CHECK(copy && p, "parser created");
    if (copy && p) {
        memcpy(copy, text, len);
        CHECK_INT(icm_parse_buffer(p, copy, len, &lines), ST_OK, "parse");
    }
    icm_parser_free(p);
    free(copy);
}

/* ---- line families --------------------------------------------------------- */

#define T "[Thr 140484128118528] "

static const struct {
    const char *name;
    const char *text;
    struct want w;
} line_cases[] = {
    /* summaries, new form */
    { "summary new",
      T "*** ERROR => SSL handshake with h.example:443 failed: "
        "SSSLERR_PEER_CERT_UNTRUSTED (-102)\n",
      { .conns = 1,
        .side = "client",
        .error = "SSSLERR_PEER_CERT_UNTRUSTED",
        .code = -102,
        .target = "h.example",
        .server_port = 443,
        .outcome = "failed",
        .thread = "140484128118528",
        .detail = "SSSLERR_PEER_CERT_UNTRUSTED (-102)" } },
    { "summary no blank before code",
      "[Thr 4832] *** ERROR => SSL handshake with h:443 failed: "
      "SSSLERR_PEER_CERT_UNTRUSTED(-102)\n",
      { .conns = 1, .error = "SSSLERR_PEER_CERT_UNTRUSTED", .code = -102, .thread = "4832" } },
    { "summary (- 10)",
      "[Thr nn] SSL handshake with h:443 failed: SSSLRC_CONN_CLOSED (- 10)\n",
      { .conns = 1, .error = "SSSLRC_CONN_CLOSED", .code = -10, .thread = "nn" } },
    { "summary no code",
      "ERROR => SSL handshake with h:443 failed: SSSLERR_ALERT_HANDSHAKE_FAILURE\n",
      { .conns = 1,
        .error = "SSSLERR_ALERT_HANDSHAKE_FAILURE",
        .alert = 40,
        .alert_from = "server",
        .thread = "-",
        .side = "client" } },
    { "summary SSLERR_ typo",
      "SSL handshake with h:443 failed: SSLERR_SERVER_CERT_MISMATCH (-30)\n",
      { .conns = 1, .error = "SSLERR_SERVER_CERT_MISMATCH", .code = -30 } },
    { "summary no host",
      "*** ERROR => SSL handshake with failed: SSSLERR_EWOULDBLOCK (-71)\n",
      { .conns = 1, .error = "SSSLERR_EWOULDBLOCK", .code = -71 } },
    { "summary + explanation",
      T "*** ERROR => SSL handshake with h:443 failed: "
        "SSSLRC_CONN_CLOSED (-10)\n" T "Remote Peer has closed the network connection\n" T
        "Unrelated later line\n",
      { .conns = 1,
        .error_text = "Remote Peer has closed the network connection",
        .detail = "SSSLRC_CONN_CLOSED (-10): Remote Peer has closed",
        .last = 2 } },
    /* summaries, old and server forms */
    { "old client",
      "[Thr 4832] *** ERROR => IcmConnInitClientSSL: SapSSLSessionStart failed (-57): "
      "SSSLERR_SSL_CONNECT\n",
      { .conns = 1, .side = "client", .error = "SSSLERR_SSL_CONNECT", .code = -57 } },
    { "server",
      "[Thr 1] *** ERROR => IcmConnInitServerSSL: SapSSLSessionStart returned (-56): "
      "SSSLERR_SSL_ACCEPT [icxxconn.c 2345]\n",
      { .conns = 1,
        .side = "server",
        .error = "SSSLERR_SSL_ACCEPT",
        .code = -56,
        .outcome = "failed" } },
    /* network level: not TLS */
    { "NIECONN refused",
      "Error: HTTP error 411 occured: Direct connect to github.com:443 failed: "
      "NIECONN_REFUSED(-10)\n",
      { .conns = 1,
        .not_tls = true,
        .error = "NIECONN_REFUSED",
        .code = -10,
        .target = "github.com",
        .server_port = 443,
        .outcome = "failed",
        .detail = "not TLS" } },
    { "proxy 407",
      "IcmConnInitClientSSL: Proxy connection to https://h:443 via p:3128 failed "
      "(proxy returned 407 Proxy Authentication Required)\n",
      { .conns = 1,
        .not_tls = true,
        .error = "-",
        .detail = "407 Proxy Authentication Required" } },
    /* error lines */
    { "error with location",
      "[Thr 7] *** ERROR => SecuSSL_SessionStartNB(): incomplete SSL "
      "handshake [ssslsecu.c   1234]\n",
      { .conns = 1,
        .outcome = "failed",
        .error_text = "SecuSSL_SessionStartNB(): incomplete SSL "
                      "handshake",
        .note = "ssslsecu.c line 1234" } },
    { "non-TLS error makes nothing",
      "[Thr 7] *** ERROR => IcmReadFromConn: read failed\n",
      { .conns = 0 } },
    { "error during, accept",
      "[Thr 7] *** ERROR during SecuSSL_SessionStart() from "
      "SSL_accept()==SSL_ERROR_SSL\n",
      { .conns = 1, .side = "server", .outcome = "failed", .detail = "SSL_accept()" } },
    /* CCL */
    { "ccl no fitting CA",
      "[Thr 3232] CCL[SSL]: Cli-0001D1E1: Cannot perform client "
      "authentication: Have no certificate fitting to CA names received "
      "from server [ssl3_send_client_certificate]\n",
      { .conns = 1,
        .side = "client",
        .conn_id = "Cli-0001D1E1",
        .cc = "empty",
        .cert_request = true,
        .statement = "Have no certificate fitting to CA names received from server",
        .outcome = "incomplete" } },
    { "ccl srv",
      "[Thr 3] CCL[SSL]: Srv-00ABCDEF: Something new\n",
      { .conns = 1, .side = "server", .conn_id = "Srv-00ABCDEF", .statement = "Something new" } },
    /* detail block */
    { "state new",
      "[Thr 9]   SSL_get_state()==0x2120 \"TLS read server hello A\"\n",
      { .conns = 1, .side = "client", .state = "TLS read server hello A" } },
    { "state report copy",
      "  SSL:SSL_get_state()==0x11c0 \"TLS read finished A\"\n",
      { .conns = 1, .side = "server", .state = "TLS read finished A" } },
    { "state old, typographic quotes",
      "[Thr 4832] SSL_get_state() returned 0x00002131 \xe2\x80\x9eSSLv3 read server certificate "
      "B\xe2\x80\x9c\n",
      { .conns = 1, .side = "client", .state = "SSLv3 read server certificate B" } },
    { "state Latin-1 CP1252 quotes",
      "[Thr 4] SSL_get_state() returned 0x2131 \x84read \xe9t\x93\n",
      { .conns = 1, .state = "read \xc3\xa9t" } },
    { "NI hdl",
      "[Thr 1]   SSL NI-hdl 89: local=10.9.50.4:54438  peer=140.82.121.3:443\n"
      "[Thr 1]   cli SSL session PSE \"/usr/sap/S4D/D20/sec/SAPSSLC.pse\"\n",
      { .conns = 1,
        .side = "client",
        .client_ip = "10.9.50.4",
        .client_port = 54438,
        .server_ip = "140.82.121.3",
        .server_port = 443,
        .identity = "/usr/sap/S4D/D20/sec/SAPSSLC.pse",
        .note = "NI handle 89" } },
    { "NI sock, server role",
      "[Thr 1] SSL NI-sock: local=10.0.0.1:443 peer=10.0.0.2:50000\n"
      "[Thr 1]   srv SSL session PSE \"SAPSSLS.pse\"\n",
      { .conns = 1,
        .side = "server",
        .client_ip = "10.0.0.2",
        .client_port = 50000,
        .server_ip = "10.0.0.1",
        .server_port = 443 } },
    { "NI placeholders",
      "[Thr 1]   SSL NI-hdl 2: local=<a b>:<port>  peer=<c d>:<p>\n",
      { .conns = 1, .client_port = 0, .note = "not usable as addresses" } },
    { "IPv6 NI",
      "[Thr 1] SSL NI-hdl 3: local=fe80::1:1234  peer=2001:db8::2:443\n",
      { .conns = 1,
        .client_ip = "fe80::1",
        .client_port = 1234,
        .server_ip = "2001:db8::2",
        .server_port = 443 } },
    { "SNI, target, pvflags, ciphers",
      "  SSL_CTX ciphersuites=150:PFS:HIGH::EC_P256:EC_HIGH\n"
      "  Client SSL_CTX 7fa31407ac00 pvflags=896 (TLSv1.2,TLSv1.1,TLSv1.0)\n"
      "  TLSextSNI server_name=\"github.com\"\n  Target Hostname=\"github.com\"\n",
      { .conns = 1,
        .side = "client",
        .sni = "github.com",
        .target = "github.com",
        .note = "TLSv1.2,TLSv1.1,TLSv1.0" } },
    { "TargetHostname = and ServerCert.subject",
      "[Thr 2]   TargetHostname     = \"a.example\"\n"
      "[Thr 2]   ServerCert.subject = <CN=b.example, O=X>\n",
      { .conns = 1,
        .target = "a.example",
        .stated_certs = 1,
        .leaf_subject = "CN=b.example, O=X" } },
    /* alerts */
    { "alert text",
      "[Thr 5]    => \"received a fatal TLS certificate unknown alert message from "
      "the peer\"\n[Thr 5]   srv SSL session PSE \"S.pse\"\n",
      { .conns = 1,
        .alert = 46,
        .alert_from = "client",
        .outcome = "failed",
        .detail = "certificate_unknown",
        .statement = "received a fatal TLS certificate unknown alert message from the peer" } },
    { "alert unknown CA",
      "[Thr 5] received a fatal TLS unknown CA alert message from the peer\n",
      { .conns = 1, .alert = 48, .alert_from = "server" } },
    /* dumps */
    { "csuite and no cert",
      "[Thr 6] out: cert_len = <no cert>\n"
      "[Thr 6] out: csuite_name = \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"\n"
      "[Thr 6] HttpCertIsReverseProxyTrustworthy: client did not sent any "
      "cert ->intermediate not trustworthy\n",
      { .conns = 1,
        .side = "server",
        .cc = "not_sent",
        .outcome = "established",
        .statement = "client did not sent any cert" } },
    /* stacks */
    { "stack and tree",
      "[Thr 8] >>            Begin of Secu-SSL Errorstack            >>\n"
      "[Thr 8] 0x20001046   SAPCRYPTOLIB   SSL_read\n"
      "[Thr 8]   Subject:   CN=leaf\n[Thr 8]   Issuer:   CN=ca\n"
      "[Thr 8]   Serial Number:   01:02\n[Thr 8]   Status:   Not successful\n"
      "[Thr 8]      Subject:   CN=ca\n"
      "[Thr 8] << ---------- End of Secu-SSL Errorstack ----------\n",
      { .conns = 1,
        .stated_certs = 2,
        .leaf_subject = "CN=leaf",
        .note = "error stack: 0x20001046 SAPCRYPTOLIB SSL_read" } },
    { "secude continuation lines",
      "[Thr 4832] >> Begin of Secude-SSL Errorstack >>\n"
      "ERROR in get_path: (24/0x0018) Can\xe2\x80\x99t get path #\n",
      { .conns = 1, .thread = "4832", .statement = "Can't get path" } },
    /* ABAP copy with '#' */
    { "hash line breaks",
      "SSSLERR_CONN_CLOSED (-10)#Remote Peer has closed the network "
      "connection##SapSSLSessionStartNB()==SSSLERR_CONN_CLOSED##\n",
      { .conns = 1,
        .error = "SSSLERR_CONN_CLOSED",
        .code = -10,
        .side = "unknown",
        .error_text = "Remote Peer has closed the network connection" } },
    /* wrapped ABAP copies: a summary cut after "failed:" */
    { "wrapped summary",
      "SSL handshake with w.example:443 failed:\n  SSSLERR_PEER_CERT_UNTRUSTED "
      "(-102)\nThe peer's X.509 Certificate (chain) is untrusted\n",
      { .conns = 1,
        .error = "SSSLERR_PEER_CERT_UNTRUSTED",
        .code = -102,
        .target = "w.example",
        .first = 1,
        .last = 3,
        .error_text = "The peer's X.509 Certificate (chain) is untrusted" } },
    { "wrapped at '#'",
      "SSL handshake with w:443 failed:#SSSLERR_CONN_CLOSED (-10)#Remote Peer "
      "has closed the network connection#",
      { .conns = 1,
        .error = "SSSLERR_CONN_CLOSED",
        .code = -10,
        .error_text = "Remote Peer has closed the network connection" } },
    { "held line at the end",
      "[Thr 1]   Target Hostname=\"t\"\nSSL handshake with t:443 failed:",
      { .conns = 1, .target = "t", .error = "-", .last = 1 } },
    { "failed: then something else",
      "[Thr 1] SSL_read() failed:\n[Thr 1]   TLSextSNI "
      "server_name=\"s\"\n",
      { .conns = 1, .sni = "s", .first = 2 } },
    /* not TLS at all */
    { "timestamp only", "[Thr 1] Wed Dec 14 11:07:05:502 2022\n", { .conns = 0 } },
    { "non-TLS lines",
      "[Thr 1] IcmHandleOOBData: request will be processed in wp 6\n"
      "[Thr 1] <<- SapSSLSetTraceFile(fp=56402fbd8560)==SAP_O_K\n",
      { .conns = 0 } },
    { "empty input", "", { .conns = 0 } },
    { "CRLF and no final newline",
      "[Thr 1]   Target Hostname=\"x\"\r\n[Thr 1]   TLSextSNI "
      "server_name=\"y\"\r",
      { .conns = 1, .target = "x", .sni = "y", .last = 2 } },
    /* prefilter and hex dump rows (speed paths must not change results) */
    { "hex dump rows are data",
      "[Thr 1] Address           Offset  Data\n"
      "[Thr 1] 7f0773f7ba8e  000000  50656572 206e6f74 20747275 73746564 |Peer not trusted|\n"
      "[Thr 1] 7f0773f7ba9e  000016  0a436f6e                            |.Con|\n",
      { .conns = 0 } },
    { "almost a hex row (5 digits) is classified",
      "[Thr 1] 7f0773f7ba8e  00000  Peer not trusted |x|\n",
      { .conns = 1, .statement = "Peer not trusted" } },
    { "prefix without blank after ']'",
      "[Thr 7]*** ERROR => SSL handshake with h:443 failed: "
      "SSSLERR_EWOULDBLOCK (-71)\n",
      { .conns = 1, .thread = "7", .error = "SSSLERR_EWOULDBLOCK", .code = -71 } },
    { "empty thread id",
      "[Thr ] SSSLERR_CONN_CLOSED (-10)\n",
      { .conns = 1, .thread = "-", .error = "SSSLERR_CONN_CLOSED", .code = -10 } },
    { "no closing bracket: unprefixed",
      "[Thr 1 *** ERROR => SSL handshake with h:443 failed: SSSLERR_EWOULDBLOCK (-71)\n",
      { .conns = 1, .error = "SSSLERR_EWOULDBLOCK" } },
    { "literal at the very end of the line", "[Thr 1] x ERROR => SSL", { .conns = 0 } },
};

static void test_line_cases(void)
{
    for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
        struct evidence ev;
        ev_init(&ev);
        parse_text(&ev, line_cases[i].text, strlen(line_cases[i].text));
        check_conn(&ev, &line_cases[i].w, line_cases[i].name);
        ev_fini(&ev);
    }
}

/* ---- grouping ---------------------------------------------------------------- */

/* The motivating case (format 6.2): three CCL lines of one id, a timestamp
 * line between the first and the second. */
static void test_motivating_case(void)
{
    static const char text[] =
        "[Thr 3232] CCL[SSL]: Cli-0001D1E1: Cannot perform client authentication: Have no "
        "certificate fitting to CA names received from server [ssl3_send_client_certificate]\n"
        "[Thr 3232] Wed Dec 14 11:07:05:502 2022\n"
        "[Thr 3232] CCL[SSL]: Cli-0001D1E1: Sending message with empty certificate list "
        "[ssl3_send_client_certificate]\n"
        "[Thr 3232] CCL[SSL]: Cli-0001D1E1: Sending empty Certificate message. "
        "[tls1_empty_cert_list]\n";
    struct evidence ev;
    ev_init(&ev);
    parse_text(&ev, text, strlen(text));
    struct want w = { .conns = 1,
                      .side = "client",
                      .conn_id = "Cli-0001D1E1",
                      .thread = "3232",
                      .cc = "empty",
                      .cert_request = true,
                      .first = 1,
                      .last = 4,
                      .statement = "Have no certificate fitting to CA names received from server" };
    check_conn(&ev, &w, "motivating case");
    if (ev.conn_count == 1) {
        const struct ev_connection *c = ev.conns[0];
        CHECK_INT(c->statement_count, 3, "three statements");
        CHECK(any_has(c->statements, c->statement_count, "Sending empty Certificate message."),
              "empty certificate statement");
        CHECK_STR(c->client.ip, "", "no endpoints invented");
        CHECK(c->outcome_detail != NULL, "detail says no outcome");
    }
    ev_fini(&ev);
}

static void test_grouping(void)
{
    struct evidence ev;
    /* Interleaved threads: two attempts, each with its own facts. */
    static const char two_threads[] = "[Thr 1]   Target Hostname=\"a\"\n"
                                      "[Thr 2]   srv SSL session PSE \"S.pse\"\n"
                                      "[Thr 1] *** ERROR => SSL handshake with a:443 failed: "
                                      "SSSLERR_PEER_CERT_UNTRUSTED (-102)\n"
                                      "[Thr 2]   TLSextSNI server_name=\"b\"\n";
    ev_init(&ev);
    parse_text(&ev, two_threads, strlen(two_threads));
    CHECK_INT(ev.conn_count, 2, "two threads, two attempts");
    if (ev.conn_count == 2) {
        CHECK_STR(ev.conns[0]->target_host, "a", "thread 1 target");
        CHECK_STR(ev.conns[0]->source.thread, "1", "thread 1 id");
        CHECK_INT(ev.conns[0]->source.last, 3, "thread 1 last line");
        CHECK_STR(ev.conns[1]->ch.sni, "b", "thread 2 sni");
        CHECK_STR(side_name(ev.conns[1]->local_side), "server", "thread 2 server");
        CHECK_INT(ev.conns[1]->source.first, 2, "thread 2 first line");
    }
    ev_fini(&ev);

    /* Two summaries on one thread: two attempts; unprefixed lines follow the thread. */
    static const char two_summaries[] = "[Thr 1] *** ERROR => SSL handshake with a:443 failed: "
                                        "SSSLRC_CONN_CLOSED (-10)\n"
                                        "[Thr 1] *** ERROR => SSL handshake with b:443 failed: "
                                        "SSSLERR_EWOULDBLOCK (-71)\n"
                                        "secude_error 9 (0x00000009) = \"x\"\n";
    ev_init(&ev);
    parse_text(&ev, two_summaries, strlen(two_summaries));
    CHECK_INT(ev.conn_count, 2, "two summaries");
    if (ev.conn_count == 2) {
        CHECK_STR(ev.conns[1]->error_name, "SSSLERR_EWOULDBLOCK", "second error");
        CHECK_INT(ev.conns[1]->source.last, 3, "unprefixed line joins thread 1");
        CHECK_STR(ev.conns[1]->source.thread, "1", "thread kept");
    }
    ev_fini(&ev);

    /* A CCL id change and an NI handle change are boundaries; a CCL id seen
     * again on another thread joins its attempt. */
    static const char ids[] = "[Thr 1] CCL[SSL]: Cli-00000001: one\n"
                              "[Thr 1] CCL[SSL]: Cli-00000002: two\n"
                              "[Thr 2] CCL[SSL]: Cli-00000002: two again\n"
                              "[Thr 3]   SSL NI-hdl 1: local=1.1.1.1:1  peer=2.2.2.2:2\n"
                              "[Thr 3]   SSL NI-hdl 2: local=1.1.1.1:3  peer=2.2.2.2:2\n";
    ev_init(&ev);
    parse_text(&ev, ids, strlen(ids));
    CHECK_INT(ev.conn_count, 4, "ids split attempts");
    if (ev.conn_count == 4) {
        CHECK_STR(ev.conns[1]->source.conn, "Cli-00000002", "second id");
        CHECK_INT(ev.conns[1]->statement_count, 2, "same id across threads");
        CHECK_INT(ev.conns[1]->source.last, 3, "last line of the joined id");
        CHECK_INT(ev.conns[3]->client.port, 3, "second NI handle");
    }
    ev_fini(&ev);
}

/* The same thread, one attempt after the other, each with its stack before
 * its summary (sample 01's order) and its detail block after it (08's). */
static void test_consecutive_attempts(void)
{
    static const char text[] =
        "[Thr 9] Peer not trusted\n"
        "[Thr 9]   Subject:   CN=a\n"
        "[Thr 9] <<- ERROR: SapSSLSessionStartNB(sssl_hdl=1)==SSSLERR_PEER_CERT_UNTRUSTED\n"
        "[Thr 9] *** ERROR => SSL handshake with a:443 failed: SSSLERR_PEER_CERT_UNTRUSTED (-102)\n"
        "[Thr 9] SapSSLSessionStartNB()==SSSLERR_PEER_CERT_UNTRUSTED\n"
        "[Thr 9]   Target Hostname=\"a\"\n"
        "[Thr 9] Peer not trusted\n"
        "[Thr 9]   Subject:   CN=b\n"
        "[Thr 9] <<- ERROR: SapSSLSessionStartNB(sssl_hdl=1)==SSSLERR_PEER_CERT_UNTRUSTED\n"
        "[Thr 9] *** ERROR => SSL handshake with b:443 failed: SSSLERR_PEER_CERT_UNTRUSTED (-102)\n"
        "[Thr 8] out: csuite_name = \"TLS_AES_128_GCM_SHA256\"\n"
        "SSL handshake with c:443 failed: SSSLRC_CONN_CLOSED (-10)\n";
    struct evidence ev;
    ev_init(&ev);
    parse_text(&ev, text, strlen(text));
    CHECK_INT(ev.conn_count, 4, "consecutive attempts");
    if (ev.conn_count == 4) {
        CHECK_INT(ev.conns[0]->source.last, 6, "first ends with its detail block");
        CHECK_STR(ev.conns[0]->target_host, "a", "first target");
        CHECK_STR(ev.conns[1]->stated_certs[0].subject, "CN=b", "second chain");
        CHECK_STR(ev.conns[1]->target_host, "b", "second target");
        CHECK_INT(ev.conns[1]->source.first, 7, "second starts at its stack");
        CHECK_STR(outcome_name(ev.conns[2]->outcome), "established", "thread 8 established");
        CHECK_INT(ev.conns[2]->sh.suite, 0x1301, "suite by name");
        CHECK_STR(ev.conns[3]->target_host, "c", "failure after success is another attempt");
    }
    ev_fini(&ev);
}

static void test_sniff(void)
{
    static const struct {
        const char *text;
        bool want;
    } cases[] = {
        { "[Thr 140484128118528] Wed Dec 14", true },
        { "---\ntrc file: \"dev_icm\", trc level: 2", true },
        { "Error: HTTP error 411 occured: Direct connect to x:443 failed: NIECONN_REFUSED(-10)",
          true },
        { "SSSLERR_CONN_CLOSED (-10)#", true },
        { "\xd4\xc3\xb2\xa1\x02\x00\x04\x00", false },
        { "hello world", false },
        { "", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_INT(icm_sniff((const uint8_t *)cases[i].text, strlen(cases[i].text)), cases[i].want,
                  cases[i].text);
    }
}

static void test_overlong_line(void)
{
    /* A line one byte past the cap is skipped; its neighbours still count. */
    size_t n = (size_t)CAP_LINE_MAX + 1;
    const char *head = "[Thr 1]   Target Hostname=\"a\"\n";
    const char *tail = "\n[Thr 1]   TLSextSNI server_name=\"b\"\n";
    size_t len = strlen(head) + n + strlen(tail);
    char *text = malloc(len + 1);
    if (!text) {
        CHECK(0, "malloc");
        return;
    }
    snprintf(text, len + 1, "%s", head);
    memset(text + strlen(head), 'x', n);
    snprintf(text + strlen(head) + n, strlen(tail) + 1, "%s", tail);
    struct evidence ev;
    ev_init(&ev);
    parse_text(&ev, text, len);
    CHECK_INT(ev.conn_count, 1, "overlong line skipped");
    if (ev.conn_count == 1) {
        CHECK_STR(ev.conns[0]->ch.sni, "b", "line after the overlong one");
        CHECK_INT(ev.conns[0]->source.last, 3, "line numbers keep counting");
    }
    ev_fini(&ev);
    free(text);
}

/* ---- samples ------------------------------------------------------------------ */

static const struct {
    const char *file;
    struct want w;
} samples[] = {
    { "01-watson-peer-cert-untrusted-errorstack.trc",
      { .conns = 1,
        .side = "client",
        .thread = "nn",
        .error = "SSSLERR_PEER_CERT_UNTRUSTED",
        .code = -102,
        .target = "stream.watsonplatform.net",
        .client_ip = "9.152.20.145",
        .client_port = 56542,
        .server_ip = "169.48.115.62",
        .server_port = 443,
        .stated_certs = 3,
        .leaf_subject = "CN=*.watsonplatform.net, O=INTERNATIONAL BUSINESS "
                        "MACHINES CORPORATION, L=Armonk, SP=New York, C=US",
        .statement = "Peer not trusted",
        .outcome = "failed",
        .error_text = "The peer's X.509 Certificate (chain) is untrusted",
        .first = 1,
        .last = 25 } },
    { "02-rz10-secude-chain-incomplete-ssl-connect.trc",
      { .conns = 1,
        .side = "client",
        .thread = "4832",
        .error = "SSSLERR_SSL_CONNECT",
        .code = -57,
        .identity = "xxxSAPSSLC.pse",
        .state = "SSLv3 read server certificate B",
        .client_ip = "x.x.x.x",
        .client_port = 12345,
        .server_ip = "y.y.y.y",
        .server_port = 443,
        .statement = "Chain of certificates is incomplete",
        .outcome = "failed",
        .first = 1,
        .last = 13 } },
    { "03-kba3391859-server-cert-mismatch.trc",
      { .conns = 1,
        .side = "client",
        .thread = "140484128118528",
        .error = "SSSLERR_SERVER_CERT_MISMATCH",
        .code = -30,
        .target = "<target HTTPS server FQDN>",
        .error_text = "Server certificate does not match supplied TargetHostname (rfc2818 "
                      "section 3.1)",
        .leaf_subject = "CN=<mismatched hostname with the target HTTPS server FQDN>, (...)",
        .note = "not usable as addresses",
        .last = 9 } },
    { "07-kba3702022-no-client-cert-intermediary-untrusted.trc",
      { .conns = 1,
        .side = "server",
        .cc = "not_sent",
        .outcome = "established",
        .statement = "client did not sent any cert" } },
    { "08-abapgit5589-conn-closed-read-server-hello.trc",
      { .conns = 1,
        .side = "client",
        .thread = "-",
        .error = "SSSLRC_CONN_CLOSED",
        .code = -10,
        .state = "TLS read server hello A",
        .client_ip = "10.9.50.4",
        .client_port = 54438,
        .server_ip = "140.82.121.3",
        .server_port = 443,
        .identity = "/usr/sap/S4D/D20/sec/SAPSSLC.pse",
        .sni = "github.com",
        .target = "github.com",
        .error_text = "Remote Peer has closed the network connection",
        .note = "TLSv1.2,TLSv1.1,TLSv1.0",
        .first = 1,
        .last = 11 } },
    { "12-sapspaces-ccl-no-fitting-ca-partial.trc",
      { .conns = 1,
        .side = "client",
        .thread = "3232",
        .conn_id = "Cli-0001D1E1",
        .cc = "empty",
        .cert_request = true,
        .statement = "Cannot perform client authentication: Have no certificate fitting to",
        .outcome = "incomplete" } },
    { "14-abapgit1069-conn-closed-message-text.trc",
      { .conns = 1,
        .side = "unknown",
        .error = "SSSLERR_CONN_CLOSED",
        .code = -10,
        .error_text = "Remote Peer has closed the network connection",
        .outcome = "failed" } },
    { "15-sapdocs-calm-alert-protocol-version.trc",
      { .conns = 1,
        .side = "client",
        .error = "SSSLERR_ALERT_PROTOCOL_VERSION",
        .target = "..hana.ondemand.com",
        .server_port = 443,
        .alert = 70,
        .alert_from = "server",
        .error_text = "... Server aborted TLS handshake with fatal TLS" } },
    { "17-sapdocs-calm-ewouldblock.trc",
      { .conns = 1,
        .side = "client",
        .error = "SSSLERR_EWOULDBLOCK",
        .code = -71,
        .target = "<subdomain>.authentication.<datacenter>.hana.ondemand.com",
        .error_text = "(no error) non-blocking network read/write could not complete" } },
    { "21-sapdocs-calm-proxy-403.trc",
      { .conns = 1,
        .side = "client",
        .not_tls = true,
        .outcome = "failed",
        .detail = "proxy returned 403 Forbidden",
        .target = "https://....:443" } },
    { "24-scnblog-icmhandleoobdata-non-tls.trc", { .conns = 0 } },
    { "26-abapgit3360-server-role-certificate-unknown-alert-partial.trc",
      { .conns = 1,
        .side = "server",
        .thread = "140112939534080",
        .identity = "/usr/sap/NPL/D00/sec/SAPSSLS.pse",
        .sni = "localhost",
        .state = "TLS read finished A",
        .alert = 46,
        .alert_from = "client",
        .outcome = "failed",
        .detail = "certificate_unknown",
        .note = "536875078/0x20001046",
        .first = 2,
        .last = 14 } },
    { "27-abapgit5589-devicm-file-header-level2.trc", { .conns = 0 } },
    { "33-abapgit3821-nieconn-refused-non-tls.trc",
      { .conns = 1,
        .side = "client",
        .not_tls = true,
        .error = "NIECONN_REFUSED",
        .code = -10,
        .target = "github.com",
        .server_port = 443,
        .detail = "not TLS: NIECONN_REFUSED (-10): TCP connect to github.com:443 refused" } },
};

static int test_samples(void)
{
    const char *shared = getenv("TLSDIAG_SHARED");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/icm-samples", shared ? shared : "/work/main/../shared");
    char probe[1200];
    snprintf(probe, sizeof probe, "%s/SOURCES.tsv", dir);
    FILE *f = fopen(probe, "rb");
    if (!f) {
        fprintf(stderr, "test_icm: %s absent: sample cases skipped\n", dir);
        return 77;
    }
    fclose(f);
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char path[1200], err[256] = "";
        snprintf(path, sizeof path, "%s/%s", dir, samples[i].file);
        struct evidence ev;
        ev_init(&ev);
        enum status st = icm_read_file(&ev, path, err, sizeof err);
        CHECK_INT(st, ST_OK, samples[i].file);
        CHECK_INT(ev.input_count, 1, samples[i].file);
        if (ev.input_count == 1) {
            CHECK_INT(ev.inputs[0].kind, EV_IN_ICM, samples[i].file);
            CHECK(ev.inputs[0].units > 0, samples[i].file);
        }
        check_conn(&ev, &samples[i].w, samples[i].file);
        ev_fini(&ev);
    }

    /* Header of sample 27, through the parser API. */
    char path[1200];
    snprintf(path, sizeof path, "%s/27-abapgit5589-devicm-file-header-level2.trc", dir);
    size_t len = 0;
    uint8_t *buf = tl_read_file(path, &len);
    struct evidence ev;
    ev_init(&ev);
    struct icm_parser *p = icm_parser_new(&ev, path);
    CHECK(buf && p, "sample 27 read");
    if (buf && p) {
        CHECK_INT(icm_parse_buffer(p, buf, len, NULL), ST_OK, "sample 27 parsed");
        const struct icm_header *h = icm_parser_header(p);
        CHECK(h->seen, "header seen");
        CHECK_INT(h->trc_level, 2, "trc level");
        CHECK_STR(h->release, "785", "release");
        CHECK_STR(h->patchno, "50", "patch");
    }
    icm_parser_free(p);
    ev_fini(&ev);
    free(buf);

    char err[256] = "";
    ev_init(&ev);
    CHECK(icm_read_file(&ev, "/nonexistent/dev_icm", err, sizeof err) != ST_OK, "missing file");
    CHECK(strstr(err, "/nonexistent/dev_icm") != NULL, "error names the file");
    ev_fini(&ev);
    return 0;
}

/* Trace time (format 4.2) as if UTC, for correlation and input order. */
static void test_time(void)
{
    static const struct {
        const char *text;
        bool ok;
        int64_t sec;
        uint32_t nsec;
    } cases[] = {
        { "Wed Dec 14 11:07:05:502 2022", true, 1671016025, 502000000u },
        { "Thu Jan  1 00:00:00:000 1970", true, 0, 0 },
        { "Tue Feb 29 23:59:59:999 2000", true, 951868799, 999000000u },
        { "Wed Dec 14 11:07:05.502 2022", false, 0, 0 }, /* dot, not colon */
        { "Wed Foo 14 11:07:05:502 2022", false, 0, 0 },
        { "Wed Dec 14 25:07:05:502 2022", false, 0, 0 },
        { "Wed Dec 14 11:07:05:502 22", false, 0, 0 },
        { "", false, 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ev_time t = { 0 };
        bool ok = icm_time_parse(cases[i].text, &t);
        CHECK_INT(ok, cases[i].ok, cases[i].text);
        if (ok && cases[i].ok) {
            CHECK_INT(t.sec, cases[i].sec, cases[i].text);
            CHECK_INT(t.nsec, cases[i].nsec, cases[i].text);
        }
    }
    struct evidence ev;
    ev_init(&ev);
    static const char text[] = "[Thr 1] Wed Dec 14 11:07:05:502 2022\n"
                               "[Thr 1] SSSLERR_CONN_CLOSED (-10)\n"
                               "[Thr 2] SSSLERR_CONN_CLOSED (-10)\n"
                               "[Thr 2] Wed Dec 14 11:07:06:000 2022\n";
    parse_text(&ev, text, strlen(text));
    CHECK_INT(ev.conn_count, 2, "stated time");
    if (ev.conn_count == 2) {
        CHECK(ev.conns[0]->has_stated_time && ev.conns[0]->stated_time.sec == 1671016025,
              "time from the thread's clock");
        CHECK(ev.conns[1]->has_stated_time && ev.conns[1]->stated_time.sec == 1671016026,
              "first time seen while open");
    }
    ev_fini(&ev);
}

/* The hand-written fast paths (timestamp shape, thread lookup, literal
 * anchors): lines at their edges. Debug builds also check each timestamp
 * and PRE_HAS verdict against PCRE2/memmem (asserts in icm.c). */
static void test_fast_paths(void)
{
    static const char text[] =
        "[Thr 1] SSSLERR_CONN_CLOSED (-10)\n"
        "[Thr 1] Wed Dec 14 11:07:05:502 2022 \t\r\v\f\n" /* trailing \s: a timestamp */
        "[Thr 2] SSSLERR_CONN_CLOSED (-10)\n"
        "[Thr 2] Wed Dec 14 11:07:05:502 2022 x\n" /* not one */
        "[Thr 2] Wed Dec 144 11:07:05:502 2022\n"  /* three day digits */
        "[Thr 2] Wed Dec  4 11:07:05:502 20222\n"  /* five year digits */
        "[Thr 2] Wed dec 14 11:07:05:502 2022\n"   /* month case */
        "[Thr 3] SSSLERR_CONN_CLOSED (-10)\n"
        "[Thr 3] Sun Jan   4 01:02:03:004 2015\n"                  /* blanks before the day */
        "[Thr 4] x connect to h:1 failed: NIECONN_REFUSED (-10)\n" /* anchor mid-line */
        "[Thr 1] ignored\n"
        "[Thr 3] ignored\n"
        "[Thr 2] ignored\n";
    struct evidence ev;
    ev_init(&ev);
    parse_text(&ev, text, strlen(text));
    CHECK_INT(ev.conn_count, 4, "fast paths: attempts");
    if (ev.conn_count == 4) {
        CHECK(ev.conns[0]->has_stated_time && ev.conns[0]->stated_time.sec == 1671016025,
              "timestamp with trailing blanks");
        CHECK(!ev.conns[1]->has_stated_time, "malformed timestamps ignored");
        CHECK(ev.conns[2]->has_stated_time && ev.conns[2]->stated_time.sec == 1420333323,
              "timestamp with padded day");
        CHECK_STR(outcome_name(ev.conns[3]->outcome), "failed", "NIECONN mid-line");
        CHECK_STR(ev.conns[0]->source.thread, "1", "thread 1");
        CHECK_STR(ev.conns[2]->source.thread, "3", "thread 3 after switches");
    }
    ev_fini(&ev);
}

/* ---- SSL initialisation block (format 3) and foreign traces (format 1) ---- */

#define I "[Thr 139843] "

/* The block as the ICM writes it, then an attempt in the same thread. */
static const char init_full[] =
    "---------------------------------------------------\n"
    "trc file: \"dev_icm\", trc level: 1, release: \"785\"\n"
    "---------------------------------------------------\n"
    "patchno    50\n" I "=================================================\n" I
    "= SSL Initialization    platform tag=(linuxx86_64)\n" I
    "=   (785_REL,Jan 13 2023,mt,ascii,SAP_UC/size_t/void* = 8/64/64)\n"
    "[Thr 2] SSSLERR_CONN_CLOSED (-10)\n" /* another thread in between */
    I "=   resulting Filename = \"/usr/sap/S4D/SYS/exe/run/libsapcrypto.so\"\n" I
    "=   FIPS mode is off\n" I
    "=   found CommonCryptoLib 8.5.47 (Jan 12 2023) [AES-NI,CLMUL,SSE3,SSSE3]\n" I
    "=   current UserID: s4dadm, environment USER=\"s4dadm\"\n" I
    "=   using SECUDIR=/usr/sap/S4D/D20/sec\n" I
    "=   [dpf] ssl/ciphersuites=135:PFS:HIGH::EC_P256:EC_HIGH\n" I
    "=     NOT creating Envvar SAPSSL_CIPHERSUITES=135:PFS:HIGH::EC_P256:EC_HIGH\n" I
    "=   [dpf] ssl/client_ciphersuites=150:PFS:HIGH::EC_P256:EC_HIGH\n" I
    "=     NOT creating Envvar SAPSSL_CLIENT_CIPHERSUITES=150:PFS:HIGH::EC_P256:EC_HIGH\n" I
    "= Success    SapCryptoLib SSL ready!\n" I
    "=================================================\n" I
    "*** ERROR => SSL handshake with h.example:443 failed: SSSLERR_CONN_CLOSED (-10)\n";

static struct icm_parser *parse_keep(struct evidence *ev, const char *text)
{
    struct icm_parser *p = icm_parser_new(ev, "init.trc");
    CHECK(p != NULL, "parser");
    if (p) {
        CHECK_INT(icm_parse_buffer(p, (const uint8_t *)text, strlen(text), NULL), ST_OK, text);
    }
    return p;
}

static void test_ssl_init(void)
{
    struct evidence ev;
    ev_init(&ev);
    struct icm_parser *p = parse_keep(&ev, init_full);
    if (p) {
        const struct icm_ssl_init *in = icm_parser_ssl_init(p);
        CHECK(in->seen && in->ended && in->ready, "full block");
        CHECK_INT(in->ref, 6, "start line");
        CHECK_INT(in->ready_ref, 18, "ready line");
        CHECK_STR(in->platform, "linuxx86_64", "platform");
        CHECK_STR(in->lib_path, "/usr/sap/S4D/SYS/exe/run/libsapcrypto.so", "library");
        CHECK_STR(in->ccl_version, "8.5.47", "CCL version");
        CHECK_STR(in->ccl_date, "Jan 12 2023", "CCL date");
        CHECK_STR(in->secudir, "/usr/sap/S4D/D20/sec", "SECUDIR");
        CHECK_STR(in->ciphersuites, "135:PFS:HIGH::EC_P256:EC_HIGH", "ssl/ciphersuites");
        CHECK_STR(in->client_ciphersuites, "150:PFS:HIGH::EC_P256:EC_HIGH",
                  "ssl/client_ciphersuites");
        /* The block makes no connection; the two attempts do. */
        CHECK_INT(ev.conn_count, 2, "init lines create no connection");
        if (ev.conn_count == 2) {
            CHECK_STR(ev.conns[1]->error_name, "SSSLERR_CONN_CLOSED", "attempt after the block");
            CHECK_INT(ev.conns[1]->source.first, 20, "attempt starts after the block");
        }
    }
    icm_parser_free(p);
    ev_fini(&ev);

    /* A web copy: no frames, no "= ", blanks collapsed, no start line. */
    ev_init(&ev);
    p = parse_keep(&ev, "found CommonCryptoLib 8.5.52 (Mar 3 2024) [AES-NI]\n"
                        "using SECUDIR=/usr/sap/ABC/DVEBMGS00/sec\n"
                        "[dpf] ssl/client_ciphersuites=918:PFS:HIGH::EC_X25519:EC_P256:EC_HIGH\n"
                        "Success SapCryptoLib SSL ready!\n");
    if (p) {
        const struct icm_ssl_init *in = icm_parser_ssl_init(p);
        CHECK(in->seen && in->ready, "copy: seen and ready");
        CHECK_INT(in->ref, 1, "copy: first fact");
        CHECK_STR(in->ccl_version, "8.5.52", "copy: version");
        CHECK_STR(in->secudir, "/usr/sap/ABC/DVEBMGS00/sec", "copy: SECUDIR");
        CHECK_STR(in->client_ciphersuites, "918:PFS:HIGH::EC_X25519:EC_P256:EC_HIGH",
                  "copy: client suites");
        CHECK(in->ciphersuites == NULL, "copy: no server suites");
        CHECK_INT(ev.conn_count, 0, "copy: no connection");
    }
    icm_parser_free(p);
    ev_fini(&ev);

    /* No success line, the block followed by other lines: SSL not ready. */
    ev_init(&ev);
    p = parse_keep(&ev, I "= SSL Initialization platform tag=(ntamd64)\n" I
                          "= found CommonCryptoLib 8.4.49 (Jun 1 2016)\n" I
                          "=================================================\n" I
                          "*** ERROR => IcmConnInitClientSSL: SapSSLSessionStart failed (-1): "
                          "SSSLERR_LIB_NOT_FOUND\n");
    if (p) {
        const struct icm_ssl_init *in = icm_parser_ssl_init(p);
        CHECK(in->seen && in->ended && !in->ready, "no success line");
        CHECK_STR(in->platform, "ntamd64", "platform");
        CHECK_INT(ev.conn_count, 1, "the error is an attempt");
    }
    icm_parser_free(p);
    ev_fini(&ev);

    /* Missing closing frame: the next line of the thread ends the block. */
    ev_init(&ev);
    p = parse_keep(&ev, I "= SSL Initialization\n" I "= using SECUDIR=/sec\n" I
                          "IcmHandleOOBData: received 1 bytes\n");
    if (p) {
        const struct icm_ssl_init *in = icm_parser_ssl_init(p);
        CHECK(in->seen && in->ended && !in->ready, "ended by another line");
    }
    icm_parser_free(p);
    ev_fini(&ev);

    /* Text ending inside the block: not known to have ended. */
    ev_init(&ev);
    p = parse_keep(&ev, I "= SSL Initialization\n" I "= found CommonCryptoLib 8.5.47\n"
                          "[Thr 9] = something else\n");
    if (p) {
        const struct icm_ssl_init *in = icm_parser_ssl_init(p);
        CHECK(in->seen && !in->ended && !in->ready, "cut inside the block");
        CHECK(in->ccl_date == NULL, "no date written");
    }
    icm_parser_free(p);
    ev_fini(&ev);

    /* A later block replaces an earlier one. */
    ev_init(&ev);
    p = parse_keep(&ev, I "= SSL Initialization\n" I "= found CommonCryptoLib 8.5.1\n" I
                          "= Success SapCryptoLib SSL ready!\n" I "=====\n" I
                          "= SSL Initialization\n" I "= found CommonCryptoLib 8.5.2\n" I "=====\n");
    if (p) {
        const struct icm_ssl_init *in = icm_parser_ssl_init(p);
        CHECK(in->seen && in->ended && !in->ready, "second block failed");
        CHECK_STR(in->ccl_version, "8.5.2", "second block's version");
        CHECK_INT(in->ref, 5, "second block's start");
    }
    icm_parser_free(p);
    ev_fini(&ev);

    /* Through icm_read_file: the facts land in the input. */
    char path[] = "/tmp/tlsdiag-test-icm-init-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "temp file");
    if (fd >= 0) {
        FILE *f = fdopen(fd, "w");
        CHECK(f != NULL, "fdopen");
        if (f) {
            fputs(init_full, f);
            fclose(f);
            char err[256] = "";
            ev_init(&ev);
            CHECK_INT(icm_read_file(&ev, path, err, sizeof err), ST_OK, err);
            CHECK_INT(ev.input_count, 1, "one input");
            if (ev.input_count == 1) {
                const struct ev_input *in = &ev.inputs[0];
                CHECK(in->header_seen, "input: header");
                CHECK_INT(in->trace_level, 1, "input: trc level");
                CHECK_STR(in->release, "785", "input: release");
                CHECK_STR(in->patch, "50", "input: patch");
                CHECK(in->ssl_init_seen && in->ssl_init_ended && in->ssl_ready_seen,
                      "input: init block");
                CHECK_INT(in->ssl_init_ref, 6, "input: init line");
                CHECK_INT(in->ssl_ready_ref, 18, "input: ready line");
                CHECK_STR(in->crypto_lib_version, "8.5.47", "input: CCL");
                CHECK_STR(in->crypto_lib_date, "Jan 12 2023", "input: CCL date");
                CHECK_STR(in->crypto_lib_path, "/usr/sap/S4D/SYS/exe/run/libsapcrypto.so",
                          "input: library");
                CHECK_STR(in->secudir, "/usr/sap/S4D/D20/sec", "input: SECUDIR");
                CHECK_STR(in->ssl_ciphersuites, "135:PFS:HIGH::EC_P256:EC_HIGH", "input: suites");
                CHECK_STR(in->ssl_client_ciphersuites, "150:PFS:HIGH::EC_P256:EC_HIGH",
                          "input: client suites");
            }
            ev_fini(&ev);
        }
        remove(path);
    }
}

static void test_foreign(void)
{
    static const struct {
        const char *text;
        enum icm_foreign want;
        const char *msg; /* NULL: not checked */
    } cases[] = {
        /* SNC start messages of a work process (help.sap.com, "SNC Messages on AS ABAP"). */
        { "N  SncInit(): Initializing Secure Network Communication (SNC)\n"
          "N        AMD/Intel x86_64 with Linux (mt,ascii,SAP_UC/size_t/void* = 16/64/64)\n"
          "N  SncInit(): found  snc/gssapi_lib=/usr/sap/ABC/D20/exe/libsapcrypto.so\n"
          "N    SECUDIR=\"/usr/sap/ABC/D20/sec\" (from $SECUDIR)\n"
          "N    Product Version = CommonCryptoLib (SAPCRYPTOLIB) Version 8.4.7 pl35\n"
          "M  SNC (Secure Network Communication) enabled\n",
          ICM_FOREIGN_DEV_W,
          "not an ICM trace: this looks like a work-process trace (dev_w*) - tlsdiag reads "
          "dev_icm" },
        { "---------------------------------------------------\n"
          "trc file: \"dev_w0\", trc level: 1, release: \"785\"\n"
          "---------------------------------------------------\n"
          "*\n*  ACTIVE TRACE LEVEL           1\n"
          "M Sun Nov 22 10:00:00:123 2026\n"
          "M  *** ERROR => ThSncIn: SncInit failed [thxxsnc.c 123]\n",
          ICM_FOREIGN_DEV_W,
          "not an ICM trace: this looks like a work-process trace (dev_w0) - tlsdiag reads "
          "dev_icm" },
        { "trc file: \"dev_disp\", trc level: 1, release: \"785\"\n"
          "M  DpSapEnvInit: ...\nM  DpShMCreate: ...\nM  DpIPCInit2: ...\n",
          ICM_FOREIGN_DEV_W,
          "not an ICM trace: this looks like an SAP kernel trace of another process (dev_disp) - "
          "tlsdiag reads dev_icm" },
        /* iSaSSL debug lines (XPI Inspector / Cloud Connector). */
        { "ssl_debug(52): Starting handshake (iSaSSL 4.1.060)...\n"
          "ssl_debug(52): Sending v3 client_hello message to srv.example.com:443, requesting "
          "version 3.3...\n"
          "ssl_debug(52): Received alert message: Alert Fatal: handshake failure\n"
          "ssl_debug(52): SSLException while handshaking: Peer sent alert: Alert Fatal: "
          "handshake failure\n",
          ICM_FOREIGN_ISASSL,
          "not an ICM trace: this looks like an SAP Cloud Connector / AS Java SSL debug trace "
          "(iSaSSL ssl_debug) - tlsdiag reads dev_icm" },
        { "2024 03 01 10:00:00#+0100#Debug#ljs#ssl_debug(7): Received certificate_request\n",
          ICM_FOREIGN_ISASSL, NULL },
        /* dev_icm and copies of it stay ICM. */
        { "trc file: \"dev_icm\", trc level: 2, release: \"785\"\n"
          "[Thr 140484128118528] Wed Dec 14 11:07:05:502 2022\n",
          ICM_FOREIGN_NONE, NULL },
        { "[Thr 1] = SSL Initialization\n[Thr 1] = Success    SapCryptoLib SSL ready!\n",
          ICM_FOREIGN_NONE, NULL },
        { "A certificate problem:\nI see this:\nSSSLERR_CONN_CLOSED (-10)#\n", ICM_FOREIGN_NONE,
          NULL },
        { "[Thr 1] ssl_debug(1): quoted\n[Thr 1] x\n", ICM_FOREIGN_NONE, NULL },
        { "ssl_debug(x): not one\n", ICM_FOREIGN_NONE, NULL },
        { "", ICM_FOREIGN_NONE, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint8_t *t = (const uint8_t *)cases[i].text;
        size_t n = strlen(cases[i].text);
        char msg[256] = "";
        CHECK_INT(icm_sniff_foreign(t, n, msg, sizeof msg), cases[i].want, cases[i].text);
        if (cases[i].msg) {
            CHECK_STR(msg, cases[i].msg, cases[i].text);
        }
        if (cases[i].want != ICM_FOREIGN_NONE) {
            CHECK(!icm_sniff(t, n), "foreign traces are not claimed");
        }
    }
    CHECK_INT(icm_sniff_foreign((const uint8_t *)"ssl_debug(1): x\n", 16, NULL, 0),
              ICM_FOREIGN_ISASSL, "no message buffer");
}

int main(void)
{
    test_time();
    test_line_cases();
    test_motivating_case();
    test_grouping();
    test_consecutive_attempts();
    test_sniff();
    test_ssl_init();
    test_foreign();
    test_overlong_line();
    test_fast_paths();
    int samples_rc = test_samples();
    int rc = tl_done();
    return rc == 0 && samples_rc == 77 ? 77 : rc;
}
