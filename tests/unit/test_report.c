/*
 * test_report.c - the JSON, text and Markdown renderers (analyzer/report.h) on an
 * evidence built by hand: four handshakes in three TCP connections (failed
 * with an empty client Certificate and 300 CA names; established with a
 * client chain; TLS 1.3 with the handshake hidden; no client certificate at
 * all over IPv6), plus findings. Checks the JSON against the schema 1 names
 * of DESIGN.md with a small validating JSON reader (syntax, UTF-8, no raw
 * control characters) and path lookups, the escaping of hostile strings,
 * null vs [] for client_certificates, every CA name in the text report and
 * colour only when asked. A second evidence holds two connections rebuilt
 * from an ICM trace (a failed TLS client attempt with every stated fact,
 * and one that never reached TLS): the text must speak of the trace, not of
 * a capture, and the JSON must carry source kind icm-trace and "trace".
 * The Markdown renderer gets the same evidence (sections, tables, the
 * ladder in <details>, one row per successful handshake) and one whose
 * strings try to break its layout (pipes, newlines, backticks, raw HTML).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* open_memstream */
#endif
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "findings.h"
#include "json_writer.h"
#include "report.h"
#include "report_common.h"
#include "testlib.h"

#define CA_COUNT 300

/* ---- a minimal validating JSON reader ----------------------------------- */

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
        p++;
    }
    return p;
}

static int hexdig(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A JSON string starting at *p ('"'): RFC 8259 7, and valid UTF-8. */
static bool j_string(const char **pp)
{
    const unsigned char *p = (const unsigned char *)*pp;
    if (*p != '"') {
        return false;
    }
    p++;
    for (;;) {
        if (*p == '"') {
            *pp = (const char *)p + 1;
            return true;
        }
        if (*p < 0x20) {
            return false; /* raw control character or end of text */
        }
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                if (!hexdig((char)p[1]) || !hexdig((char)p[2]) || !hexdig((char)p[3]) ||
                    !hexdig((char)p[4])) {
                    return false;
                }
                p += 5;
            } else if (strchr("\"\\/bfnrt", *p) && *p) {
                p++;
            } else {
                return false;
            }
            continue;
        }
        uint32_t cp;
        size_t len = report_utf8_decode(p, strlen((const char *)p), &cp);
        if (len == 0) {
            return false;
        }
        p += len;
    }
}

static bool j_value(const char **pp, int depth);

static bool j_container(const char **pp, int depth, char close, bool object)
{
    const char *p = ws(*pp + 1);
    if (*p == close) {
        *pp = p + 1;
        return true;
    }
    for (;;) {
        if (object) {
            if (!j_string(&p)) {
                return false;
            }
            p = ws(p);
            if (*p != ':') {
                return false;
            }
            p = ws(p + 1);
        }
        if (!j_value(&p, depth + 1)) {
            return false;
        }
        p = ws(p);
        if (*p == close) {
            *pp = p + 1;
            return true;
        }
        if (*p != ',') {
            return false;
        }
        p = ws(p + 1);
    }
}

static bool j_value(const char **pp, int depth)
{
    const char *p = ws(*pp);
    if (depth > 64) {
        return false;
    }
    if (*p == '{' || *p == '[') {
        bool ok = j_container(&p, depth, *p == '{' ? '}' : ']', *p == '{');
        *pp = p;
        return ok;
    }
    if (*p == '"') {
        bool ok = j_string(&p);
        *pp = p;
        return ok;
    }
    static const char *const words[] = { "true", "false", "null" };
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if (strncmp(p, words[i], n) == 0) {
            *pp = p + n;
            return true;
        }
    }
    const char *q = p;
    if (*q == '-') {
        q++;
    }
    if (*q < '0' || *q > '9') {
        return false;
    }
    while (*q >= '0' && *q <= '9') {
        q++;
    }
    *pp = q;
    return true;
}

static bool json_valid(const char *doc)
{
    const char *p = doc;
    if (!j_value(&p, 0)) {
        return false;
    }
    return *ws(p) == '\0';
}

/*
 * The raw text of the value at a dotted path ("connections.0.sni"),
 * copied into the arena; NULL when absent. The document must be valid.
 */
static char *jget(struct ev_arena *a, const char *doc, const char *path)
{
    const char *p = ws(doc);
    const char *seg = path;

    while (*seg) {
        const char *dot = strchr(seg, '.');
        size_t seglen = dot ? (size_t)(dot - seg) : strlen(seg);
        if (*p == '{') {
            p = ws(p + 1);
            bool found = false;
            while (*p == '"') {
                const char *k = p + 1;
                const char *after = p;
                if (!j_string(&after)) {
                    return NULL;
                }
                size_t klen = (size_t)(after - k - 1);
                p = ws(ws(after) + 1); /* past ':' */
                if (klen == seglen && strncmp(k, seg, seglen) == 0) {
                    found = true;
                    break;
                }
                if (!j_value(&p, 0)) {
                    return NULL;
                }
                p = ws(p);
                p = *p == ',' ? ws(p + 1) : p;
            }
            if (!found) {
                return NULL;
            }
        } else if (*p == '[') {
            long idx = strtol(seg, NULL, 10);
            p = ws(p + 1);
            for (long i = 0; i < idx; i++) {
                if (*p == ']' || !j_value(&p, 0)) {
                    return NULL;
                }
                p = ws(p);
                p = *p == ',' ? ws(p + 1) : p;
            }
            if (*p == ']') {
                return NULL;
            }
        } else {
            return NULL;
        }
        seg += seglen;
        if (*seg == '.') {
            seg++;
        }
    }
    const char *start = p;
    if (!j_value(&p, 0)) {
        return NULL;
    }
    return ev_strndup(a, start, (size_t)(p - start));
}

/* ---- helpers ------------------------------------------------------------ */

static char *render(const struct evidence *ev, const struct findings *f, bool json, bool color,
                    int *ret_rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    struct report_options o = { .color = color, .deterministic = true, .version = "9.9.9" };
    if (!m) {
        return NULL;
    }
    *ret_rc = json ? report_write_json(m, ev, f, &o) : report_write_text(m, ev, f, &o);
    fclose(m);
    return buf;
}

static char *render_md(const struct evidence *ev, const struct findings *f, int *ret_rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    struct report_options o = { .deterministic = true, .version = "9.9.9" };
    if (!m) {
        return NULL;
    }
    *ret_rc = report_write_markdown(m, ev, f, &o);
    fclose(m);
    return buf;
}

static char *escaped(const char *s, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        return NULL;
    }
    int rc = json_escape(m, s, n);
    fclose(m);
    CHECK(rc == 0, "json_escape rc");
    return buf;
}

static struct ev_cert *make_cert(struct evidence *ev, const char *subject, const char *issuer,
                                 bool ca)
{
    struct ev_cert *c = ev_alloc(&ev->arena, sizeof *c);
    c->subject = ev_strdup(&ev->arena, subject);
    c->issuer = ev_strdup(&ev->arena, issuer);
    c->serial = ev_strdup(&ev->arena, "0a1b2c");
    c->not_before = ev_strdup(&ev->arena, "2024-01-01T00:00:00Z");
    c->not_after = ev_strdup(&ev->arena, "2025-01-01T00:00:00Z");
    for (int i = 0; i < 64; i++) {
        c->sha256[i] = "0123456789abcdef"[i % 16];
    }
    c->key_type = ev_strdup(&ev->arena, "RSA");
    c->key_bits = 2048;
    c->signature_algorithm = ev_strdup(&ev->arena, "sha256WithRSAEncryption");
    c->is_ca = ca;
    c->path_len = ca ? 0 : -1;
    c->san = ev_alloc(&ev->arena, 2 * sizeof *c->san);
    c->san[0] = ev_strdup(&ev->arena, "DNS:api.example.com");
    c->san[1] = ev_strdup(&ev->arena, "DNS:www.example.com");
    c->san_count = ca ? 0 : 2;
    c->key_usage = ev_alloc(&ev->arena, sizeof *c->key_usage);
    c->key_usage[0] = ev_strdup(&ev->arena, "digitalSignature");
    c->key_usage_count = 1;
    c->ext_key_usage = ev_alloc(&ev->arena, sizeof *c->ext_key_usage);
    c->ext_key_usage[0] = ev_strdup(&ev->arena, "clientAuth");
    c->ext_key_usage_count = ca ? 0 : 1;
    return c;
}

static struct ev_chain *make_chain(struct evidence *ev, uint64_t ref, size_t n, struct ev_cert *c0,
                                   struct ev_cert *c1)
{
    struct ev_chain *ch = ev_alloc(&ev->arena, sizeof *ch);
    ch->certs = ev_alloc(&ev->arena, 2 * sizeof *ch->certs);
    ch->certs[0] = c0;
    ch->certs[1] = c1;
    ch->count = n;
    ch->ref = ref;
    return ch;
}

static void add_msg(struct evidence *ev, struct ev_connection *c, enum ev_dir from, uint8_t ct,
                    uint8_t hs, bool enc, uint32_t len, uint64_t ref, const char *name)
{
    struct ev_msg m = {
        .from = from,
        .content_type = ct,
        .hs_type = hs,
        .encrypted = enc,
        .length = len,
        .ref = ref,
        .ref_first = ref,
        .name = name,
        .ts = { .sec = c->first_ts.sec, .nsec = c->first_ts.nsec + (uint32_t)ref * 1000u },
    };
    CHECK(EV_PUSH(&ev->arena, c->msgs, c->msg_count, c->msg_cap, 256, &m) == ST_OK, "msg");
}

static void set_ep(struct ev_endpoint *ep, const char *ip, uint16_t port)
{
    snprintf(ep->ip, sizeof ep->ip, "%s", ip);
    ep->port = port;
}

/* The hostile subject: quotes, backslash, control characters, a C1 control,
 * a lone continuation byte, a truncated sequence, an overlong '/', é. */
static const char hostile_dn[] = "CN=\"quoted\" \\, back\\\\slash\x01\x1f\x7f,O=\xc2\x9b"
                                 "bad\x80\xe2\x82 over\xc0\xaf caf\xc3\xa9";
static const char hostile_json[] = "\"CN=\\\"quoted\\\" \\\\, back\\\\\\\\slash\\u0001\\u001f"
                                   "\\u007f,O=\\u009bbad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
                                   "over\xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9\"";

static void build(struct evidence *ev, struct findings *f)
{
    struct ev_input *in = ev_input_add(ev, "captures/test.pcap", EV_IN_PCAP);
    in->units = 42;
    in->bytes = 4200;
    struct ev_input *in2 = ev_input_add(ev, "dev_icm", EV_IN_ICM);
    in2->units = 1000;
    in2->truncated = true;
    in2->error = ev_strdup(&ev->arena, "line too long");
    in2->error_ref = 77;

    /* 1: TLS 1.2, CertificateRequest with 300 names, empty client Certificate, fatal alert. */
    struct ev_connection *c1 = ev_connection_add(ev);
    c1->stream = 1;
    c1->source = (struct ev_source){ .kind = EV_SRC_PCAP, .path = in->path, .first = 4, .last = 9 };
    set_ep(&c1->client, "10.0.0.1", 51234);
    set_ep(&c1->server, "10.0.0.2", 44300);
    c1->first_ts = (struct ev_time){ .sec = 1706702400, .nsec = 123456000 };
    c1->last_ts = (struct ev_time){ .sec = 1706702401, .nsec = 0 };
    c1->ch = (struct ev_client_hello){ .seen = true, .legacy_version = 0x0303, .ref = 4 };
    c1->ch.sni = ev_strdup(&ev->arena, "api.example.com");
    c1->ch.suites = ev_alloc(&ev->arena, 2 * sizeof *c1->ch.suites);
    c1->ch.suites[0] = 0xc02f;
    c1->ch.suites[1] = 0x1301;
    c1->ch.suite_count = 2;
    c1->sh = (struct ev_server_hello){
        .seen = true, .legacy_version = 0x0303, .version = 0x0303, .suite = 0xc02f, .ref = 6
    };
    c1->server_chain = make_chain(ev, 6, 1, make_cert(ev, hostile_dn, "CN=Issuer", false), NULL);
    struct ev_cert_request *cr = ev_alloc(&ev->arena, sizeof *cr);
    cr->visible = true;
    cr->phase = EV_PHASE_INITIAL;
    cr->ref = 6;
    cr->cert_types = ev_alloc(&ev->arena, 2);
    cr->cert_types[0] = 1;
    cr->cert_types[1] = 64;
    cr->cert_type_count = 2;
    cr->sig_algs = ev_alloc(&ev->arena, 2 * sizeof *cr->sig_algs);
    cr->sig_algs[0] = 0x0804;
    cr->sig_algs[1] = 0x0403;
    cr->sig_alg_count = 2;
    cr->ca_names = ev_alloc(&ev->arena, CA_COUNT * sizeof *cr->ca_names);
    for (int i = 0; i < CA_COUNT; i++) {
        cr->ca_names[i].text =
            ev_printf(&ev->arena, "CN=Test CA %03d,O=Example\\, Inc.,C=DE", i + 1);
    }
    cr->ca_count = CA_COUNT;
    c1->cert_request = cr;
    c1->client_cert = EV_CC_EMPTY;
    c1->client_chain = make_chain(ev, 8, 0, NULL, NULL);
    add_msg(ev, c1, EV_FROM_CLIENT, 22, 1, false, 512, 4, "ClientHello");
    add_msg(ev, c1, EV_FROM_SERVER, 22, 2, false, 81, 6, "ServerHello");
    add_msg(ev, c1, EV_FROM_SERVER, 22, 11, false, 2941, 6, "Certificate");
    add_msg(ev, c1, EV_FROM_SERVER, 22, 13, false, 6000, 6, "CertificateRequest");
    add_msg(ev, c1, EV_FROM_CLIENT, 22, 11, false, 3, 8, "Certificate");
    add_msg(ev, c1, EV_FROM_SERVER, 21, 0, false, 2, 9, "Alert");
    c1->msgs[0].ref_first = 3;
    struct ev_alert al = {
        .from = EV_FROM_SERVER, .level = 2, .description = 40, .ref = 9, .msg_index = 5
    };
    CHECK(EV_PUSH(&ev->arena, c1->alerts, c1->alert_count, c1->alert_cap, 64, &al) == ST_OK,
          "alert");
    CHECK(ev_note_add(ev, c1, ST_MALFORMED, 8, 1234, EV_FROM_CLIENT,
                      "trailing bytes\x1b[31m after Certificate") == ST_OK,
          "note");
    c1->outcome = EV_OUT_FAILED;
    c1->outcome_detail = "server sent fatal alert handshake_failure";
    c1->rst[EV_FROM_SERVER] = true;
    c1->close_ref = 10;
    c1->close_refs[EV_FROM_SERVER] = 10;

    /* 2: renegotiation in the same TCP connection, established with a client chain. */
    struct ev_connection *c2 = ev_connection_add(ev);
    c2->stream = 1;
    c2->source =
        (struct ev_source){ .kind = EV_SRC_PCAP, .path = in->path, .first = 11, .last = 20 };
    c2->client = c1->client;
    c2->server = c1->server;
    c2->sh = (struct ev_server_hello){ .seen = true, .version = 0x0303, .suite = 0xc030 };
    c2->client_cert = EV_CC_SENT;
    c2->client_chain = make_chain(ev, 15, 2, make_cert(ev, "CN=client1", "CN=Inner CA", false),
                                  make_cert(ev, "CN=Inner CA", "CN=Inner CA", true));
    c2->outcome = EV_OUT_ESTABLISHED;

    /* 3: TLS 1.3 without keys: request and client certificate not visible. */
    struct ev_connection *c3 = ev_connection_add(ev);
    c3->stream = 2;
    c3->source =
        (struct ev_source){ .kind = EV_SRC_PCAP, .path = in->path, .first = 21, .last = 30 };
    set_ep(&c3->client, "10.0.0.1", 51240);
    set_ep(&c3->server, "10.0.0.2", 443);
    c3->sh = (struct ev_server_hello){ .seen = true, .version = 0x0304, .suite = 0x1301 };
    c3->encrypted_after_hello = true;
    c3->client_cert = EV_CC_NOT_VISIBLE;
    add_msg(ev, c3, EV_FROM_SERVER, 22, 0, true, 4000, 23, "Encrypted handshake message");
    struct ev_alert al3 = { .from = EV_FROM_CLIENT, .encrypted = true, .ref = 25, .msg_index = 99 };
    CHECK(EV_PUSH(&ev->arena, c3->alerts, c3->alert_count, c3->alert_cap, 64, &al3) == ST_OK,
          "alert3");
    c3->outcome = EV_OUT_INCOMPLETE;

    /* 4: IPv6, nothing requested, nothing sent. */
    struct ev_connection *c4 = ev_connection_add(ev);
    c4->stream = 3;
    c4->source =
        (struct ev_source){ .kind = EV_SRC_PCAP, .path = in->path, .first = 31, .last = 31 };
    set_ep(&c4->client, "fd00::1", 50000);
    set_ep(&c4->server, "::1", 8081);
    c4->client_cert = EV_CC_NOT_SENT;
    c4->outcome = EV_OUT_INCOMPLETE;

    static const char *steps[] = { "Import the CA.\nThen restart ICM.", "Select the identity." };
    static const char *refs[] = { "RFC 5246 7.4.4" };
    static uint64_t evref[] = { 6, 8 };
    f->items = ev_alloc(&ev->arena, 2 * sizeof *f->items);
    f->items[0] = (struct finding){
        .rule = "no_fitting_ca",
        .severity = SEV_ERROR,
        .title = "No fitting client certificate",
        .explanation = "The server accepts 300 CAs.\nThe client sent none.",
        .remediation = steps,
        .remediation_count = 2,
        .evidence = evref,
        .evidence_count = 2,
        .references = refs,
        .reference_count = 1,
        .conn = c1,
    };
    f->items[1] = (struct finding){
        .rule = "capture_truncated",
        .severity = SEV_WARNING,
        .title = "Input cut short",
        .explanation = "The trace ends early.",
    };
    f->count = 2;
    f->cap = 2;
}

/* ---- tests -------------------------------------------------------------- */

static void test_escape(void)
{
    static const struct {
        const char *name;
        const char *in;
        size_t len;
        const char *want;
    } cases[] = {
        { .name = "plain", .in = "abc", .len = 3, .want = "abc" },
        { .name = "quote backslash", .in = "a\"b\\c", .len = 5, .want = "a\\\"b\\\\c" },
        { .name = "controls", .in = "\x01\n\x1f", .len = 3, .want = "\\u0001\\u000a\\u001f" },
        { .name = "NUL inside", .in = "a\0b", .len = 3, .want = "a\\u0000b" },
        { .name = "DEL", .in = "\x7f", .len = 1, .want = "\\u007f" },
        { .name = "C1 CSI", .in = "\xc2\x9b", .len = 2, .want = "\\u009b" },
        { .name = "latin", .in = "\xc3\xa9", .len = 2, .want = "\xc3\xa9" },
        { .name = "emoji", .in = "\xf0\x9f\x98\x80", .len = 4, .want = "\xf0\x9f\x98\x80" },
        { .name = "lone byte", .in = "\xff", .len = 1, .want = "\xef\xbf\xbd" },
        { .name = "truncated", .in = "\xe2\x82", .len = 2, .want = "\xef\xbf\xbd\xef\xbf\xbd" },
        { .name = "overlong", .in = "\xc0\xaf", .len = 2, .want = "\xef\xbf\xbd\xef\xbf\xbd" },
        { .name = "surrogate",
          .in = "\xed\xa0\x80",
          .len = 3,
          .want = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
        { .name = "above max",
          .in = "\xf4\x90\x80\x80",
          .len = 4,
          .want = "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
        { .name = "max", .in = "\xf4\x8f\xbf\xbf", .len = 4, .want = "\xf4\x8f\xbf\xbf" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = escaped(cases[i].in, cases[i].len);
        CHECK_STR(got, cases[i].want, cases[i].name);
        free(got);
    }
}

/* report_safe_char, the rule of the text, Markdown, HTML and trace reports:
 * one character each, the bytes consumed and what is printed. */
static void test_safe_char(void)
{
    static const struct {
        const char *name;
        const char *in;
        size_t want_len;
        const char *want;
    } cases[] = {
        { .name = "ASCII", .in = "a", .want_len = 1, .want = "a" },
        { .name = "ESC", .in = "\x1b", .want_len = 1, .want = "\\x1B" },
        { .name = "C1 NEL", .in = "\xc2\x85", .want_len = 2, .want = "\\u0085" },
        { .name = "not UTF-8", .in = "\xff", .want_len = 1, .want = "\xef\xbf\xbd" },
        { .name = "RLO U+202E", .in = "\xe2\x80\xae", .want_len = 3, .want = "\\u202E" },
        { .name = "LRE U+202A", .in = "\xe2\x80\xaa", .want_len = 3, .want = "\\u202A" },
        { .name = "LRI U+2066", .in = "\xe2\x81\xa6", .want_len = 3, .want = "\\u2066" },
        { .name = "PDI U+2069", .in = "\xe2\x81\xa9", .want_len = 3, .want = "\\u2069" },
        { .name = "ZWSP U+200B", .in = "\xe2\x80\x8b", .want_len = 3, .want = "\\u200B" },
        { .name = "RLM U+200F", .in = "\xe2\x80\x8f", .want_len = 3, .want = "\\u200F" },
        { .name = "LS U+2028", .in = "\xe2\x80\xa8", .want_len = 3, .want = "\\u2028" },
        { .name = "PS U+2029", .in = "\xe2\x80\xa9", .want_len = 3, .want = "\\u2029" },
        { .name = "BOM U+FEFF", .in = "\xef\xbb\xbf", .want_len = 3, .want = "\\uFEFF" },
        /* Neighbours stay: they display as themselves. */
        { .name = "hyphen U+2010", .in = "\xe2\x80\x90", .want_len = 3, .want = "\xe2\x80\x90" },
        { .name = "NNBSP U+202F", .in = "\xe2\x80\xaf", .want_len = 3, .want = "\xe2\x80\xaf" },
        { .name = "U+206A", .in = "\xe2\x81\xaa", .want_len = 3, .want = "\xe2\x81\xaa" },
        { .name = "U+FEFE", .in = "\xef\xbb\xbe", .want_len = 3, .want = "\xef\xbb\xbe" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[REPORT_SAFE_CHAR_LEN];
        const unsigned char *in = (const unsigned char *)cases[i].in;
        size_t used = report_safe_char(in, strlen(cases[i].in), buf, sizeof buf);
        CHECK_INT(used, cases[i].want_len, cases[i].name);
        CHECK_STR(buf, cases[i].want, cases[i].name);
    }
}

static void test_writer_layout(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    struct json_writer w;
    json_init(&w, m);
    json_object_begin(&w);
    json_kv_uint(&w, "a", 1);
    json_key(&w, "b");
    json_array_begin(&w);
    json_array_end(&w);
    json_key(&w, "c");
    json_array_begin(&w);
    json_string(&w, "x");
    json_null(&w);
    json_bool(&w, true);
    json_int(&w, -5);
    json_array_end(&w);
    json_key(&w, "d");
    json_object_begin(&w);
    json_object_end(&w);
    json_object_end(&w);
    CHECK(json_finish(&w) == 0, "finish");
    fclose(m);
    CHECK_STR(buf,
              "{\n  \"a\": 1,\n  \"b\": [],\n  \"c\": [\n    \"x\",\n    null,\n    true,\n"
              "    -5\n  ],\n  \"d\": {}\n}\n",
              "layout");
    free(buf);

    /* Misuse is reported, not written silently. */
    m = open_memstream(&buf, &len);
    json_init(&w, m);
    json_object_begin(&w);
    CHECK(json_finish(&w) == -1, "unclosed object");
    fclose(m);
    free(buf);
}

static void test_time(void)
{
    char buf[REPORT_TIME_LEN];
    struct ev_time t = { .sec = 1706702400, .nsec = 123456000 };
    CHECK(report_time_iso(&t, buf, sizeof buf), "time ok");
    CHECK_STR(buf, "2024-01-31T12:00:00.123456Z", "microseconds");
    t.nsec = 1;
    CHECK(report_time_iso(&t, buf, sizeof buf), "ns ok");
    CHECK_STR(buf, "2024-01-31T12:00:00.000000001Z", "nanoseconds");
    t = (struct ev_time){ .sec = -1 };
    CHECK(report_time_iso(&t, buf, sizeof buf), "pre-1970 ok");
    CHECK_STR(buf, "1969-12-31T23:59:59.000000Z", "pre-1970");
    t = (struct ev_time){ 0 };
    CHECK(!report_time_iso(&t, buf, sizeof buf), "unknown time");
    t = (struct ev_time){ .sec = 1, .nsec = 1000000000u };
    CHECK(!report_time_iso(&t, buf, sizeof buf), "nsec out of range");

    struct ev_endpoint ep = { .port = 443 };
    char eb[REPORT_ENDPOINT_LEN];
    snprintf(ep.ip, sizeof ep.ip, "%s", "2001:db8::1");
    report_endpoint_str(&ep, eb, sizeof eb);
    CHECK_STR(eb, "[2001:db8::1]:443", "ipv6 endpoint");
}

static void test_json(struct evidence *ev, const struct findings *f)
{
    struct ev_arena *a = &ev->arena;
    int rc = -2;
    char *doc = render(ev, f, true, false, &rc);

    CHECK(doc != NULL, "json rendered");
    if (!doc) {
        return;
    }
    CHECK_INT(rc, 0, "json rc");
    CHECK(json_valid(doc), "json is valid (syntax, UTF-8, no raw controls)");
    if (!json_valid(doc)) {
        fputs(doc, stderr);
        free(doc);
        return;
    }
    CHECK(strchr(doc, '\033') == NULL, "no escape character in JSON");

    CHECK_STR(jget(a, doc, "schema"), "1", "schema");
    CHECK_STR(jget(a, doc, "tool"), "\"tlsdiag\"", "tool");
    CHECK_STR(jget(a, doc, "version"), "\"test\"", "deterministic version");
    CHECK(jget(a, doc, "generated") == NULL, "no wall-clock time when deterministic");

    CHECK_STR(jget(a, doc, "inputs.0.path"), "\"captures/test.pcap\"", "input path");
    CHECK_STR(jget(a, doc, "inputs.0.kind"), "\"pcap\"", "input kind");
    CHECK_STR(jget(a, doc, "inputs.0.packets"), "42", "packets");
    CHECK_STR(jget(a, doc, "inputs.0.truncated"), "false", "truncated");
    CHECK(jget(a, doc, "inputs.0.error") == NULL, "no error key when unset");
    CHECK_STR(jget(a, doc, "inputs.1.kind"), "\"icm-trace\"", "icm kind");
    CHECK_STR(jget(a, doc, "inputs.1.lines"), "1000", "lines");
    CHECK_STR(jget(a, doc, "inputs.1.truncated"), "true", "icm truncated");
    CHECK_STR(jget(a, doc, "inputs.1.error"), "\"line too long\"", "input error");

    const char *c0 = "connections.0.";
    static const char *const keys[] = {
        "id",
        "stream",
        "source",
        "client",
        "server",
        "sni",
        "version",
        "cipher_suite",
        "server_certificates",
        "certificate_request",
        "client_certificates",
        "alerts",
        "outcome",
        "findings",
        "messages",
        "notes",
        "client_hello",
        "outcome_detail",
        "first_time",
        "last_time",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s%s", c0, keys[i]);
        CHECK(jget(a, doc, path) != NULL, keys[i]);
    }
    CHECK_STR(jget(a, doc, "connections.0.id"), "1", "id");
    CHECK_STR(jget(a, doc, "connections.0.stream"), "1", "stream");
    CHECK_STR(jget(a, doc, "connections.0.source.kind"), "\"pcap\"", "source kind");
    CHECK_STR(jget(a, doc, "connections.0.source.path"), "\"captures/test.pcap\"", "src path");
    CHECK_STR(jget(a, doc, "connections.0.source.frames.0"), "4", "first frame");
    CHECK_STR(jget(a, doc, "connections.0.source.frames.1"), "9", "last frame");
    CHECK_STR(jget(a, doc, "connections.0.client.ip"), "\"10.0.0.1\"", "client ip");
    CHECK_STR(jget(a, doc, "connections.0.client.port"), "51234", "client port");
    CHECK_STR(jget(a, doc, "connections.0.server.port"), "44300", "server port");
    CHECK_STR(jget(a, doc, "connections.0.sni"), "\"api.example.com\"", "sni");
    CHECK_STR(jget(a, doc, "connections.0.version"), "\"TLS 1.2\"", "version");
    CHECK_STR(jget(a, doc, "connections.0.cipher_suite"),
              "\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"", "suite");
    CHECK_STR(jget(a, doc, "connections.0.outcome"), "\"failed\"", "outcome");
    CHECK_STR(jget(a, doc, "connections.0.first_time"), "\"2024-01-31T12:00:00.123456Z\"",
              "first_time");

    /* CERT */
    CHECK_STR(jget(a, doc, "connections.0.server_certificates.0.subject"), hostile_json,
              "hostile DN escaped");
    CHECK_STR(jget(a, doc, "connections.0.server_certificates.0.issuer"), "\"CN=Issuer\"",
              "issuer");
    CHECK_STR(jget(a, doc, "connections.0.server_certificates.0.key.bits"), "2048", "bits");
    CHECK_STR(jget(a, doc, "connections.0.server_certificates.0.key.type"), "\"RSA\"", "type");
    CHECK_STR(jget(a, doc, "connections.0.server_certificates.0.is_ca"), "false", "is_ca");
    CHECK_STR(jget(a, doc, "connections.0.server_certificates.0.san.1"), "\"DNS:www.example.com\"",
              "san");
    static const char *const cert_keys[] = {
        "subject",     "issuer",    "serial",        "not_before",          "not_after",
        "sha256",      "san",       "key",           "signature_algorithm", "is_ca",
        "self_signed", "key_usage", "ext_key_usage",
    };
    for (size_t i = 0; i < sizeof cert_keys / sizeof cert_keys[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "connections.1.client_certificates.1.%s", cert_keys[i]);
        CHECK(jget(a, doc, path) != NULL, cert_keys[i]);
    }

    /* certificate_request */
    CHECK_STR(jget(a, doc, "connections.0.certificate_request.visible"), "true", "cr visible");
    CHECK_STR(jget(a, doc, "connections.0.certificate_request.phase"), "\"initial\"", "phase");
    CHECK_STR(jget(a, doc, "connections.0.certificate_request.ca_names.0"),
              "\"CN=Test CA 001,O=Example\\\\, Inc.,C=DE\"", "first CA");
    CHECK_STR(jget(a, doc, "connections.0.certificate_request.ca_names.299"),
              "\"CN=Test CA 300,O=Example\\\\, Inc.,C=DE\"", "last CA: no cap");
    CHECK(jget(a, doc, "connections.0.certificate_request.ca_names.300") == NULL, "300 CAs");
    CHECK_STR(jget(a, doc, "connections.0.certificate_request.signature_algorithms.0"),
              "\"rsa_pss_rsae_sha256\"", "cr sigalg");
    CHECK_STR(jget(a, doc, "connections.0.certificate_request.certificate_types.0"), "\"rsa_sign\"",
              "cr cert type");
    CHECK_STR(jget(a, doc, "connections.1.certificate_request"), "null", "no request: null");
    CHECK_STR(jget(a, doc, "connections.2.certificate_request.visible"), "false", "hidden request");
    CHECK_STR(jget(a, doc, "connections.2.certificate_request.ca_names"), "[]",
              "hidden request: empty list");

    /* client_certificates: [] empty, [..] sent, null not visible / not sent */
    CHECK_STR(jget(a, doc, "connections.0.client_certificates"), "[]", "empty Certificate");
    CHECK_STR(jget(a, doc, "connections.1.client_certificates.0.subject"), "\"CN=client1\"",
              "sent chain");
    CHECK_STR(jget(a, doc, "connections.1.client_certificates.1.is_ca"), "true", "CA in chain");
    CHECK_STR(jget(a, doc, "connections.2.client_certificates"), "null", "not visible");
    CHECK_STR(jget(a, doc, "connections.3.client_certificates"), "null", "not sent");
    CHECK_STR(jget(a, doc, "connections.3.server_certificates"), "null", "no server chain");
    CHECK_STR(jget(a, doc, "connections.3.sni"), "null", "no sni");
    CHECK_STR(jget(a, doc, "connections.3.version"), "null", "no version");
    CHECK_STR(jget(a, doc, "connections.3.server.ip"), "\"::1\"", "ipv6 ip");
    CHECK_STR(jget(a, doc, "connections.0.trace"), "null", "no trace facts for a capture");

    /* alerts */
    CHECK_STR(jget(a, doc, "connections.0.alerts.0.from"), "\"server\"", "alert from");
    CHECK_STR(jget(a, doc, "connections.0.alerts.0.level"), "\"fatal\"", "alert level");
    CHECK_STR(jget(a, doc, "connections.0.alerts.0.description"), "\"handshake_failure\"",
              "alert desc");
    CHECK_STR(jget(a, doc, "connections.0.alerts.0.code"), "40", "alert code");
    CHECK_STR(jget(a, doc, "connections.0.alerts.0.encrypted"), "false", "alert plain");
    CHECK_STR(jget(a, doc, "connections.0.alerts.0.ref"), "9", "alert ref");
    CHECK_STR(jget(a, doc, "connections.2.alerts.0.level"), "null", "encrypted level");
    CHECK_STR(jget(a, doc, "connections.2.alerts.0.description"), "null", "encrypted desc");
    CHECK_STR(jget(a, doc, "connections.2.alerts.0.encrypted"), "true", "encrypted alert");

    /* ladder and notes */
    CHECK_STR(jget(a, doc, "connections.0.messages.3.type"), "\"CertificateRequest\"", "msg");
    CHECK_STR(jget(a, doc, "connections.0.messages.3.hs_type"), "13", "hs_type");
    CHECK_STR(jget(a, doc, "connections.0.messages.3.from"), "\"server\"", "msg from");
    CHECK_STR(jget(a, doc, "connections.0.messages.0.ref_first"), "3", "ref_first");
    CHECK_STR(jget(a, doc, "connections.2.messages.0.hs_type"), "null", "encrypted hs_type");
    CHECK_STR(jget(a, doc, "connections.0.notes.0.status"), "\"malformed\"", "note status");
    CHECK_STR(jget(a, doc, "connections.0.notes.0.text"),
              "\"trailing bytes\\u001b[31m after Certificate\"", "note text escaped");

    /* findings */
    CHECK_STR(jget(a, doc, "connections.0.findings.0.rule"), "\"no_fitting_ca\"", "rule");
    CHECK_STR(jget(a, doc, "connections.0.findings.0.severity"), "\"error\"", "severity");
    CHECK_STR(jget(a, doc, "connections.0.findings.0.remediation.1"), "\"Select the identity.\"",
              "remediation");
    CHECK_STR(jget(a, doc, "connections.0.findings.0.evidence.1"), "8", "evidence");
    CHECK_STR(jget(a, doc, "connections.0.findings.0.references.0"), "\"RFC 5246 7.4.4\"",
              "references");
    CHECK_STR(jget(a, doc, "connections.1.findings"), "[]", "no findings");
    CHECK_STR(jget(a, doc, "findings.0.rule"), "\"capture_truncated\"", "input-wide");
    CHECK(jget(a, doc, "findings.1") == NULL, "one input-wide finding");

    /* summary */
    CHECK_STR(jget(a, doc, "summary.connections"), "4", "summary connections");
    CHECK_STR(jget(a, doc, "summary.failed"), "1", "summary failed");
    CHECK_STR(jget(a, doc, "summary.errors"), "1", "summary errors");
    CHECK_STR(jget(a, doc, "summary.warnings"), "1", "summary warnings");
    CHECK_STR(jget(a, doc, "summary.infos"), "0", "summary infos");

    /* Stable: a second rendering is byte-identical. */
    int rc2 = -2;
    char *doc2 = render(ev, f, true, false, &rc2);
    CHECK(doc2 && strcmp(doc, doc2) == 0, "deterministic JSON");
    free(doc2);
    free(doc);
}

static void test_text(struct evidence *ev, const struct findings *f)
{
    int rc = -2;
    char *txt = render(ev, f, false, false, &rc);
    char line[256];

    CHECK(txt != NULL, "text rendered");
    if (!txt) {
        return;
    }
    CHECK_INT(rc, 0, "text rc");
    CHECK(strchr(txt, '\033') == NULL, "no ANSI colour when color=false");
    CHECK(strncmp(txt, "tlsdiag - TLS handshake report\n", 31) == 0, "header, no version");
    CHECK(strstr(txt, "9.9.9") == NULL, "version hidden when deterministic");
    CHECK(strstr(txt, "Input: captures/test.pcap (pcap, 42 packets)\n") != NULL, "input");
    CHECK(strstr(txt, "Input: dev_icm (icm-trace, 1000 lines) TRUNCATED\n") != NULL, "icm");
    CHECK(strstr(txt, "error at line 77: line too long") != NULL, "input error");
    CHECK(strstr(txt, "4 handshakes in 3 TCP connections: 1 failed, 1 established, "
                      "2 incomplete\n") != NULL,
          "summary line");
    CHECK(strstr(txt, "Connection #1 (TCP stream 1) client 10.0.0.1:51234 -> server "
                      "10.0.0.2:44300\n") != NULL,
          "heading");
    CHECK(strstr(txt, "client [fd00::1]:50000 -> server [::1]:8081") != NULL, "ipv6 heading");
    CHECK(strstr(txt, "api.example.com") != NULL, "sni");
    CHECK(strstr(txt, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") != NULL, "suite");
    CHECK(strstr(txt, "FAILED - server sent fatal alert handshake_failure") != NULL, "outcome");
    CHECK(strstr(txt, "ESTABLISHED") != NULL, "established");
    CHECK(strstr(txt, "C -> S  ClientHello, 512 bytes [frames 3-4]") != NULL, "ladder line");
    CHECK(strstr(txt, "C <- S  Alert fatal handshake_failure (40), 2 bytes") != NULL,
          "alert inline");
    CHECK(strstr(txt, "C <- S  Encrypted handshake message, 4000 bytes (encrypted)") != NULL,
          "encrypted message");
    CHECK(strstr(txt, "C -> S  Alert (encrypted)") != NULL, "alert without ladder entry");

    /* Every CA name, numbered, none cut. */
    CHECK(strstr(txt, "CA names accepted by the server (300):\n") != NULL, "CA heading");
    size_t found = 0;
    for (int i = 1; i <= CA_COUNT; i++) {
        snprintf(line, sizeof line, "\n    %3d. CN=Test CA %03d,O=Example\\, Inc.,C=DE\n", i, i);
        found += strstr(txt, line) != NULL;
    }
    CHECK_INT(found, CA_COUNT, "all CA names printed");
    CHECK(strstr(txt, "rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256") != NULL, "cr sigalgs");

    CHECK(strstr(txt, "Server certificate chain (1), frame 6:") != NULL, "server chain");
    CHECK(strstr(txt, "Client sent an empty Certificate message (frame 8)") != NULL, "empty");
    CHECK(strstr(txt, "Client certificate chain (2), frame 15:") != NULL, "client chain");
    CHECK(strstr(txt, "Client sent no Certificate message\n") != NULL, "not sent");
    CHECK(strstr(txt, "Certificate request: not visible") != NULL, "hidden request");
    CHECK(strstr(txt, "Certificate request: none (the server did not ask") != NULL, "no request");
    CHECK(strstr(txt, "Certificate request: none seen (the server's handshake") != NULL,
          "no server flight");
    CHECK(strstr(txt, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") != NULL,
          "full sha256");

    /* Hostile strings cannot reach the terminal raw. */
    CHECK(strstr(txt, "slash\\x01\\x1F\\x7F,O=\\u009Bbad\xef\xbf\xbd") != NULL,
          "controls escaped in text");
    CHECK(strstr(txt, "trailing bytes\\x1B[31m after") != NULL, "note escaped");
    for (const unsigned char *p = (const unsigned char *)txt; *p; p++) {
        if (*p < 0x20 && *p != '\n') {
            CHECK(false, "raw control character in text report");
            break;
        }
    }

    /* Findings with numbered remediation and evidence. */
    CHECK(strstr(txt, "[ERROR] No fitting client certificate (no_fitting_ca)") != NULL, "finding");
    CHECK(strstr(txt, "      The server accepts 300 CAs.\n      The client sent none.\n") != NULL,
          "explanation indented");
    CHECK(strstr(txt, "        1. Import the CA.\n           Then restart ICM.\n") != NULL,
          "remediation 1");
    CHECK(strstr(txt, "        2. Select the identity.\n") != NULL, "remediation 2");
    CHECK(strstr(txt, "Evidence: frames 6, 8") != NULL, "evidence");
    CHECK(strstr(txt, "Findings for the whole input (1):") != NULL, "input-wide findings");
    CHECK(strstr(txt, "[WARNING] Input cut short (capture_truncated)") != NULL, "warning");

    char *colored = render(ev, f, false, true, &rc);
    CHECK(colored && strstr(colored, "\033[") != NULL, "colour when color=true");
    CHECK(colored && strstr(colored, "\033[1;31mFAILED\033[0m") != NULL, "failed in red");
    free(colored);
    if (getenv("TEST_REPORT_SHOW")) {
        fputs(txt, stdout);
    }
    free(txt);
}

/* ---- ICM trace connections ---------------------------------------------- */

static char **str_list(struct evidence *ev, const char *const *v, size_t n)
{
    char **out = ev_alloc(&ev->arena, n * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        out[i] = ev_strdup(&ev->arena, v[i]);
    }
    return out;
}

static void build_icm(struct evidence *ev)
{
    struct ev_input *in = ev_input_add(ev, "dev_icm", EV_IN_ICM);
    in->units = 40;

    /* 1: the ICM as TLS client; SNI and suite stated, no hello on the wire. */
    struct ev_connection *c = ev_connection_add(ev);
    c->stream = 1;
    c->source = (struct ev_source){ .kind = EV_SRC_ICM, .path = in->path, .first = 3, .last = 25 };
    c->source.thread = ev_strdup(&ev->arena, "3232");
    c->source.conn = ev_strdup(&ev->arena, "Cli-0001D1E1");
    set_ep(&c->client, "10.0.0.1", 5000);
    set_ep(&c->server, "1.2.3.4", 443);
    c->local_side = EV_SIDE_CLIENT;
    c->ch.sni = ev_strdup(&ev->arena, "api.example.com");
    c->sh = (struct ev_server_hello){ .seen = true, .suite = 0xc02f, .ref = 20 };
    c->error_name = ev_strdup(&ev->arena, "SSSLERR_PEER_CERT_UNTRUSTED");
    c->error_code = -102;
    c->error_text = ev_strdup(&ev->arena, "The peer's X.509 Certificate (chain) is untrusted");
    c->identity = ev_strdup(&ev->arena, "/usr/sap/S4D/D20/sec/SAPSSLC.pse");
    c->target_host = ev_strdup(&ev->arena, "api.example.com");
    c->handshake_state = ev_strdup(&ev->arena, "TLS read server hello A");
    static const char *const says[] = {
        "Have no certificate fitting to CA names received from server",
        "The peer's X.509 Certificate (chain) is untrusted", /* = error_text: shown once */
        "Peer not trusted\x1b[2J",
    };
    c->statements = str_list(ev, says, 3);
    c->statement_count = 3;
    c->stated_certs = ev_alloc(&ev->arena, 2 * sizeof *c->stated_certs);
    c->stated_certs[0] = (struct ev_stated_cert){
        .subject = ev_strdup(&ev->arena, "CN=api.example.com, O=Example, C=DE"),
        .issuer = ev_strdup(&ev->arena, "CN=Example CA, O=Example, C=DE"),
        .serial = ev_strdup(&ev->arena, "05:1C:46"),
        .status = ev_strdup(&ev->arena, "Not successful"),
        .ref = 5,
    };
    c->stated_certs[1] = (struct ev_stated_cert){
        .subject = ev_strdup(&ev->arena, "CN=Example CA, O=Example, C=DE"),
        .ref = 11,
    };
    c->stated_cert_count = 2;
    struct ev_cert_request *cr = ev_alloc(&ev->arena, sizeof *cr);
    cr->visible = false;
    cr->ref = 7;
    c->cert_request = cr;
    c->client_cert = EV_CC_EMPTY;
    struct ev_alert al = { .from = EV_FROM_SERVER, .level = 2, .description = 48, .ref = 24 };
    CHECK(EV_PUSH(&ev->arena, c->alerts, c->alert_count, c->alert_cap, 64, &al) == ST_OK,
          "icm alert");
    CHECK(ev_note_add(ev, c, ST_OK, 22, 0, EV_FROM_CLIENT, "NI handle 463") == ST_OK, "icm note");
    CHECK(ev_note_add(ev, c, ST_LIMIT, 23, 0, EV_FROM_CLIENT, "too many statements") == ST_OK,
          "icm limit note");
    c->outcome = EV_OUT_FAILED;
    c->outcome_detail = "SSSLERR_PEER_CERT_UNTRUSTED (-102): The peer's X.509 Certificate "
                        "(chain) is untrusted";

    /* 2: TCP connect refused: never reached TLS. */
    struct ev_connection *n = ev_connection_add(ev);
    n->stream = 2;
    n->source = (struct ev_source){ .kind = EV_SRC_ICM, .path = in->path, .first = 30, .last = 30 };
    n->server.port = 443;
    n->local_side = EV_SIDE_CLIENT;
    n->not_tls = true;
    n->error_name = ev_strdup(&ev->arena, "NIECONN_REFUSED");
    n->error_code = -10;
    n->error_text = ev_strdup(&ev->arena, "TCP connect to github.com:443 refused");
    n->target_host = ev_strdup(&ev->arena, "github.com");
    n->client_cert = EV_CC_NOT_VISIBLE;
    n->outcome = EV_OUT_FAILED;
    n->outcome_detail = "not TLS: NIECONN_REFUSED (-10): TCP connect to github.com:443 refused; "
                        "no TLS handshake took place";
}

static void test_icm_text(const struct evidence *ev)
{
    int rc = -2;
    char *txt = render(ev, NULL, false, false, &rc);

    CHECK(txt != NULL, "icm text rendered");
    if (!txt) {
        return;
    }
    CHECK_INT(rc, 0, "icm text rc");
    if (getenv("TEST_REPORT_SHOW")) {
        fputs(txt, stdout);
    }
    CHECK(strstr(txt, "2 connection attempts in the trace: 2 failed\n") != NULL, "trace summary");
    CHECK(strstr(txt, "Connection #1 (ICM trace, thread 3232, CCL Cli-0001D1E1) ICM as TLS "
                      "client: local 10.0.0.1:5000 -> peer 1.2.3.4:443\n") != NULL,
          "icm heading with role");
    CHECK(strstr(txt, "  SNI:                api.example.com (from the trace)\n") != NULL,
          "sni from the trace");
    CHECK(strstr(txt, "no ClientHello seen") == NULL, "no capture wording for sni");
    CHECK(strstr(txt, "Version:") == NULL, "no version when unknown");
    CHECK(strstr(txt, "0x0000") == NULL, "no version 0x0000");
    CHECK(strstr(txt, "  Cipher suite:       TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n") != NULL,
          "suite alone");
    CHECK(strstr(txt, "  PSE / SSL identity: /usr/sap/S4D/D20/sec/SAPSSLC.pse\n") != NULL,
          "identity");
    CHECK(strstr(txt, "  Target host name:   api.example.com\n") != NULL, "target host");
    CHECK(strstr(txt, "  Outcome:            FAILED\n") != NULL, "outcome without repetition");
    CHECK(strstr(txt,
                 "  SAP error:          SSSLERR_PEER_CERT_UNTRUSTED (-102)\n"
                 "                      The peer's X.509 Certificate (chain) is untrusted\n") !=
              NULL,
          "SAP error name, code and text");
    CHECK(strstr(txt, "  Handshake state:    TLS read server hello A\n") != NULL, "state");
    CHECK(strstr(txt, "  The trace says:\n"
                      "    Have no certificate fitting to CA names received from server\n"
                      "    Peer not trusted\\x1B[2J\n") != NULL,
          "statements verbatim, escaped, error text not repeated");
    CHECK(strstr(txt, "Messages (") == NULL, "no empty ladder for a trace");
    CHECK(strstr(txt, "    line 24: Alert fatal unknown_ca (48), sent by the server (peer)\n") !=
              NULL,
          "stated alert");
    CHECK(strstr(txt, "  Certificate request: the server asked for a client certificate "
                      "(line 7); the CA names it accepts are not in the trace - capture the "
                      "handshake (tcpdump) to see them\n") != NULL,
          "request without CA names");
    CHECK(strstr(txt, "  Certificates printed by the trace (2, leaf first):\n"
                      "    1. subject:        CN=api.example.com, O=Example, C=DE\n"
                      "       issuer:         CN=Example CA, O=Example, C=DE\n"
                      "       serial:         05:1C:46\n"
                      "       verification:   Not successful\n"
                      "       trace line:     5\n"
                      "    2. subject:        CN=Example CA, O=Example, C=DE\n"
                      "       trace line:     11\n") != NULL,
          "certificate tree");
    CHECK(strstr(txt, "  Client certificate: none - the client (ICM) sent an empty certificate "
                      "list\n") != NULL,
          "empty list from the ICM");
    CHECK(strstr(txt, "encrypted") == NULL, "nothing called encrypted");
    CHECK(strstr(txt, "    line 22: NI handle 463\n") != NULL, "ok note as a plain fact");
    CHECK(strstr(txt, "    line 23: limit: too many statements\n") != NULL, "problem note");
    CHECK(strstr(txt, "from client") == NULL, "no direction on trace notes");

    /* The refused connect. */
    const char *n = strstr(txt, "Connection #2");
    CHECK(n != NULL, "second connection");
    if (n) {
        CHECK(strstr(n, "Connection #2 (ICM trace) ICM as TLS client: local unknown -> peer "
                        "port 443\n") != NULL,
              "partly known endpoints");
        CHECK(strstr(n, "  Outcome:            FAILED - the connection never reached TLS: no TLS "
                        "handshake took place\n") != NULL,
              "not TLS said clearly");
        CHECK(strstr(n, "  SAP error:          NIECONN_REFUSED (-10)\n") != NULL, "NI error");
        CHECK(strstr(n, "Certificate") == NULL, "no certificate sections without TLS");
    }
    free(txt);
}

static void test_icm_json(struct evidence *ev)
{
    struct ev_arena *a = &ev->arena;
    int rc = -2;
    char *doc = render(ev, NULL, true, false, &rc);

    CHECK(doc != NULL, "icm json rendered");
    if (!doc) {
        return;
    }
    CHECK_INT(rc, 0, "icm json rc");
    CHECK(json_valid(doc), "icm json is valid");
    CHECK_STR(jget(a, doc, "inputs.0.kind"), "\"icm-trace\"", "input kind");
    CHECK_STR(jget(a, doc, "inputs.0.lines"), "40", "input lines");
    CHECK(jget(a, doc, "inputs.0.packets") == NULL, "no packets for a trace");
    CHECK_STR(jget(a, doc, "connections.0.source.kind"), "\"icm-trace\"", "source kind");
    CHECK_STR(jget(a, doc, "connections.0.source.path"), "\"dev_icm\"", "source path");
    CHECK_STR(jget(a, doc, "connections.0.source.lines.0"), "3", "first line");
    CHECK_STR(jget(a, doc, "connections.0.source.lines.1"), "25", "last line");
    CHECK(jget(a, doc, "connections.0.source.frames") == NULL, "no frames for a trace");
    CHECK_STR(jget(a, doc, "connections.0.source.thread"), "\"3232\"", "thread");
    CHECK_STR(jget(a, doc, "connections.0.source.conn"), "\"Cli-0001D1E1\"", "conn");
    CHECK_STR(jget(a, doc, "connections.0.sni"), "\"api.example.com\"", "stated sni");
    CHECK_STR(jget(a, doc, "connections.0.version"), "null", "unknown version is null");
    CHECK_STR(jget(a, doc, "connections.0.cipher_suite"),
              "\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"", "stated suite");
    CHECK_STR(jget(a, doc, "connections.0.certificate_request.visible"), "false", "cr hidden");
    CHECK_STR(jget(a, doc, "connections.0.client_certificates"), "[]", "empty list");

    const char *t = "connections.0.trace.";
    static const struct {
        const char *key, *want;
    } want[] = {
        { "local_side", "\"client\"" },
        { "not_tls", "false" },
        { "error_name", "\"SSSLERR_PEER_CERT_UNTRUSTED\"" },
        { "error_code", "-102" },
        { "error_text", "\"The peer's X.509 Certificate (chain) is untrusted\"" },
        { "identity", "\"/usr/sap/S4D/D20/sec/SAPSSLC.pse\"" },
        { "target_host", "\"api.example.com\"" },
        { "handshake_state", "\"TLS read server hello A\"" },
        { "statements.0", "\"Have no certificate fitting to CA names received from server\"" },
        { "statements.2", "\"Peer not trusted\\u001b[2J\"" },
        { "certificates.0.subject", "\"CN=api.example.com, O=Example, C=DE\"" },
        { "certificates.0.issuer", "\"CN=Example CA, O=Example, C=DE\"" },
        { "certificates.0.serial", "\"05:1C:46\"" },
        { "certificates.0.status", "\"Not successful\"" },
        { "certificates.0.ref", "5" },
        { "certificates.1.issuer", "null" },
        { "certificates.1.status", "null" },
        { "certificates.1.ref", "11" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s%s", t, want[i].key);
        CHECK_STR(jget(a, doc, path), want[i].want, want[i].key);
    }
    CHECK(jget(a, doc, "connections.0.trace.statements.3") == NULL, "three statements");
    CHECK(jget(a, doc, "connections.0.trace.certificates.2") == NULL, "two certificates");
    CHECK_STR(jget(a, doc, "connections.1.trace.not_tls"), "true", "not tls");
    CHECK_STR(jget(a, doc, "connections.1.trace.error_code"), "-10", "NI code");
    CHECK_STR(jget(a, doc, "connections.1.trace.identity"), "null", "no identity");
    CHECK_STR(jget(a, doc, "connections.1.trace.statements"), "[]", "no statements");
    CHECK_STR(jget(a, doc, "connections.1.sni"), "null", "no sni");
    CHECK_STR(jget(a, doc, "connections.1.cipher_suite"), "null", "no suite");
    free(doc);
}

static void test_markdown_icm(const struct evidence *ev); /* with the Markdown tests below */

static void test_icm(void)
{
    struct evidence ev;
    ev_init(&ev);
    build_icm(&ev);
    test_icm_text(&ev);
    test_icm_json(&ev);
    test_markdown_icm(&ev);
    ev_fini(&ev);
}

/* ---- Markdown ----------------------------------------------------------- */

/* Cell separators of one table row: `|` not escaped by a backslash. */
static size_t row_pipes(const char *line, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        n += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    }
    return n;
}

/* Every line that starts a table row has `want` separators; headings are ours. */
static void check_md_layout(const char *doc, const char *ctx)
{
    size_t rows = 0;
    for (const char *p = doc; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 0 && p[0] == '|') {
            /* The header row that precedes this one says how many cells there are. */
            size_t want = row_pipes(p, len);
            CHECK(want == 3 || want == 6 || want == 5 || want == 4 || want == 9 || want == 7, ctx);
            rows++;
        }
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c < 0x20 || c == 0x7f) {
                CHECK(false, "raw control character in Markdown");
                break;
            }
        }
        p += len + (nl ? 1 : 0);
    }
    CHECK(rows > 0, ctx);
}

static void test_markdown(struct evidence *ev, const struct findings *f)
{
    int rc = -2;
    char *md = render_md(ev, f, &rc);

    CHECK(md != NULL, "markdown rendered");
    CHECK_INT(rc, 0, "markdown rc");
    if (!md) {
        return;
    }
    if (getenv("TEST_REPORT_SHOW")) {
        fputs(md, stderr);
    }
    CHECK(strncmp(md, "# tlsdiag - TLS handshake report\n\n", 34) == 0, "title, no version");
    CHECK(strstr(md, "9.9.9") == NULL, "version hidden when deterministic");
    CHECK(strchr(md, '\033') == NULL, "no ANSI colour in Markdown");
    CHECK(strstr(md, "- `captures/test.pcap` (pcap, 42 packets)\n") != NULL, "input");
    CHECK(strstr(md, "- `dev_icm` (icm-trace, 1000 lines) **truncated**; error at line 77: "
                     "line too long\n") != NULL,
          "input error");
    CHECK(strstr(md, "\n**1 of 4 handshakes failed**, 2 incomplete; errors: 1 \xc3\x97 "
                     "`no_fitting_ca`.\n\n4 handshakes in 3 TCP connections: 1 failed, 1 "
                     "established, 2 incomplete.") != NULL,
          "summary with rule counts");
    /* Failed first, then incomplete, then the successful table. */
    const char *failed = strstr(md, "\n## Failed handshakes\n");
    const char *incomplete = strstr(md, "\n## Incomplete handshakes\n");
    const char *ok = strstr(md, "\n## Successful handshakes\n");
    CHECK(failed && incomplete && ok && failed < incomplete && incomplete < ok, "section order");
    CHECK(strstr(md, "\n### Connection 1: 10.0.0.1:51234 -> 10.0.0.2:44300 (api.example.com)\n") !=
              NULL,
          "connection heading");
    CHECK(strstr(md, "### #2") == NULL, "established handshake has no section");
    CHECK(strstr(md, "- **Outcome:** FAILED - server sent fatal alert handshake_failure\n") != NULL,
          "outcome, intraword underscore kept");
    CHECK(strstr(md, "- **ERROR: No fitting client certificate** (`no_fitting_ca`)\n") != NULL,
          "finding title");
    CHECK(strstr(md, "\n  The server accepts 300 CAs.\n  The client sent none.\n") != NULL,
          "explanation continues the list item");
    CHECK(strstr(md, "  1. Import the CA.\n     Then restart ICM.\n  2. Select the identity.\n") !=
              NULL,
          "numbered remediation");
    CHECK(strstr(md, "  Evidence: frames 6, 8\n") != NULL, "evidence refs");
    CHECK(strstr(md, "#### CA names accepted by the server (300)\n") != NULL, "CA heading");
    CHECK(strstr(md, "| # | CA name |\n|---:|---|\n| 1 | CN=Test CA 001,O=Example\\\\, Inc.,C=DE |"
                     "\n") != NULL,
          "CA table, RFC 4514 backslash escaped");
    CHECK(strstr(md, "| 300 | CN=Test CA 300,O=Example\\\\, Inc.,C=DE |\n") != NULL, "300th CA");
    CHECK(strstr(md, "| # | Subject | Issuer | Valid until | Key |\n") != NULL, "chain table");
    CHECK(strstr(md,
                 "CN=\"quoted\" \\\\, back\\\\\\\\slash\\x01\\x1F\\x7F,O=\\u009Bbad\xef\xbf\xbd") !=
              NULL,
          "hostile DN escaped in the chain table");
    CHECK(strstr(md, "**Client certificate:** none - the client sent an empty Certificate "
                     "message (frame 8)\n") != NULL,
          "empty client certificate");
    CHECK(strstr(md, "- frame 9: fatal handshake_failure (40), sent by the server\n") != NULL,
          "alert");
    CHECK(strstr(md, "#### Messages (6)\n\n<details><summary>show</summary>\n\n| Frame | Time | "
                     "Dir | Message |\n") != NULL,
          "ladder under a heading, in details");
    CHECK(strstr(md, "| 4 | +0.000004 | C -> S | ClientHello, 512 bytes (frames 3-4) |\n") != NULL,
          "ladder row");
    CHECK(
        strstr(md, "| 9 | +0.000009 | C <- S | Alert fatal handshake_failure (40), 2 bytes |\n") !=
            NULL,
        "alert in the ladder");
    CHECK(strstr(md, "TCP: server reset the connection (RST, frame 10)\n\n</details>\n") != NULL,
          "details closed");
    CHECK(strstr(md, "trailing bytes\\x1B\\[31m after Certificate") != NULL, "note escaped");
    CHECK(strstr(md, "**Certificate request:** not visible (the handshake is encrypted") != NULL,
          "hidden request");
    CHECK(strstr(md, "| 2 | 10.0.0.1:51234 | 10.0.0.2:44300 |  | TLS 1.2 | "
                     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 | CN=client1 |  |\n") != NULL,
          "successful handshake in one row");
    CHECK(strstr(md, "\n## Findings for the whole input (1)\n\n- **WARNING: Input cut short** "
                     "(`capture_truncated`)\n") != NULL,
          "input-wide findings");
    check_md_layout(md, "table rows keep their cells");

    char *md2 = render_md(ev, f, &rc);
    CHECK(md2 && strcmp(md, md2) == 0, "deterministic Markdown");
    free(md2);
    free(md);
}

/* Input text that would break a naive renderer: cell separators, newlines,
 * backticks, raw HTML, emphasis, headings and list markers. */
static void test_markdown_hostile(void)
{
    static const char *names[] = {
        "CN=a|b,O=x",
        "CN=line\nbreak",
        "CN=`tick` and ``two``",
        "CN=<details><summary>x</summary>,O=*bold* _em_ ~~s~~ [l](http://x) &amp; $x$",
        "# not a heading",
    };
    struct evidence ev;
    int rc = -2;

    ev_init(&ev);
    struct ev_input *in = ev_input_add(&ev, "cap`|ture.pcap", EV_IN_PCAP);
    struct ev_connection *c = ev_connection_add(&ev);
    c->stream = 1;
    c->source = (struct ev_source){ .kind = EV_SRC_PCAP, .path = in->path, .first = 1, .last = 2 };
    set_ep(&c->client, "10.0.0.1", 1000);
    set_ep(&c->server, "10.0.0.2", 443);
    c->ch.seen = true;
    c->ch.sni = ev_strdup(&ev.arena, "evil|host\n## x");
    struct ev_cert_request *cr = ev_alloc(&ev.arena, sizeof *cr);
    cr->visible = true;
    cr->ref = 2;
    cr->ca_names = ev_alloc(&ev.arena, 5 * sizeof *cr->ca_names);
    for (size_t i = 0; i < 5; i++) {
        cr->ca_names[i].text = ev_strdup(&ev.arena, names[i]);
    }
    cr->ca_count = 5;
    c->cert_request = cr;
    c->server_chain = make_chain(&ev, 2, 1, make_cert(&ev, "CN=s|u\nb", "CN=`i`", false), NULL);
    c->outcome = EV_OUT_FAILED;
    c->outcome_detail = "peer said: |x|\n# y";

    char *md = render_md(&ev, NULL, &rc);
    CHECK_INT(rc, 0, "hostile markdown rc");
    CHECK(md != NULL, "hostile markdown rendered");
    if (md) {
        if (getenv("TEST_REPORT_SHOW")) {
            fputs(md, stderr);
        }
        check_md_layout(md, "hostile table rows keep their cells");
        CHECK(strstr(md, "| 1 | CN=a\\|b,O=x |\n") != NULL, "pipe escaped");
        CHECK(strstr(md, "| 2 | CN=line\\x0Abreak |\n") != NULL, "newline kept on the row");
        CHECK(strstr(md, "| 3 | CN=\\`tick\\` and \\`\\`two\\`\\` |\n") != NULL, "backticks");
        CHECK(strstr(md, "CN=\\<details\\>\\<summary\\>x\\</summary\\>,O=\\*bold\\* \\_em\\_ "
                         "\\~\\~s\\~\\~ \\[l\\](http://x) \\&amp; \\$x\\$ |\n") != NULL,
              "HTML, emphasis, links, entities and math escaped");
        CHECK(strstr(md, "| 5 | # not a heading |\n") != NULL, "# inside a cell is text");
        CHECK(strstr(md,
                     "### Connection 1: 10.0.0.1:1000 -> 10.0.0.2:443 (evil\\|host\\x0A## x)\n") !=
                  NULL,
              "SNI cannot end the heading");
        CHECK(strstr(md, "\n## x") == NULL, "no injected heading");
        CHECK(strstr(md, "- **Source:** ``cap`|ture.pcap``, frames 1-2") != NULL,
              "code span with a longer fence");
        CHECK(strstr(md, "| 1 | CN=s\\|u\\x0Ab | CN=\\`i\\` |") != NULL, "chain cells escaped");
        CHECK(strstr(md, "FAILED - peer said: \\|x\\|\\x0A# y\n") != NULL, "outcome detail");
    }
    free(md);
    ev_fini(&ev);
}

static void test_markdown_icm(const struct evidence *ev)
{
    int rc = -2;
    char *md = render_md(ev, NULL, &rc);

    CHECK_INT(rc, 0, "icm markdown rc");
    CHECK(md != NULL, "icm markdown rendered");
    if (!md) {
        return;
    }
    if (getenv("TEST_REPORT_SHOW")) {
        fputs(md, stderr);
    }
    CHECK(strstr(md, "**2 of 2 connection attempts failed**.\n\n2 connection attempts in the "
                     "trace: 2 failed") != NULL,
          "trace summary");
    CHECK(strstr(md, "- **SAP error:** `") != NULL, "SAP error as code");
    CHECK(strstr(md, "- **ICM role:** TLS client") != NULL, "ICM role");
    CHECK(strstr(md, "CCL `Cli-0001D1E1`") != NULL, "CCL id");
    CHECK(strstr(md, "#### The trace says\n") != NULL, "statements");
    CHECK(strstr(md, "- line 24: fatal unknown_ca (48), sent by the server (peer)\n") != NULL,
          "trace alert");
    CHECK(strstr(md, "the connection never reached TLS") != NULL, "not TLS");
    CHECK(strstr(md, "<details>") == NULL, "no ladder for a trace");
    free(md);
}

static void test_write_error(const struct evidence *ev, const struct findings *f)
{
    FILE *full = fopen("/dev/full", "w");
    struct report_options o = { .deterministic = true };
    if (!full) {
        return; /* not Linux: nothing to test */
    }
    CHECK_INT(report_write_json(full, ev, f, &o), -1, "json write error reported");
    clearerr(full);
    CHECK_INT(report_write_text(full, ev, f, &o), -1, "text write error reported");
    clearerr(full);
    CHECK_INT(report_write_markdown(full, ev, f, &o), -1, "markdown write error reported");
    fclose(full);
}

static void test_empty(void)
{
    struct evidence ev;
    int rc = -2;
    ev_init(&ev);
    char *doc = render(&ev, NULL, true, false, &rc);
    CHECK_INT(rc, 0, "empty json rc");
    CHECK(doc && json_valid(doc), "empty evidence is valid JSON");
    CHECK(doc && strstr(doc, "\"connections\": []") != NULL, "no connections");
    free(doc);
    char *txt = render(&ev, NULL, false, false, &rc);
    CHECK(txt && strstr(txt, "No TLS handshake found.\n") != NULL, "empty text");
    free(txt);
    char *md = render_md(&ev, NULL, &rc);
    CHECK(md && strstr(md, "\nNo TLS handshake found.\n\nFindings: 0 errors") != NULL, "empty md");
    CHECK(md && strstr(md, "## ") == NULL, "no sections without handshakes");
    free(md);
    ev_fini(&ev);
}

int main(void)
{
    struct evidence ev;
    struct findings f = { 0 };

    test_escape();
    test_safe_char();
    test_writer_layout();
    test_time();
    ev_init(&ev);
    build(&ev, &f);
    test_json(&ev, &f);
    test_text(&ev, &f);
    test_markdown(&ev, &f);
    test_write_error(&ev, &f);
    ev_fini(&ev);
    test_icm();
    test_empty();
    test_markdown_hostile();
    return tl_done();
}
