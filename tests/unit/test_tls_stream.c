/*
 * test_tls_stream.c - the TLS step over synthetic two-sided streams: TLS
 * found after plaintext prefixes (PostgreSQL SSLRequest, HTTP CONNECT),
 * roles from the ClientHello rather than the TCP opener, a CertificateRequest
 * fed one byte at a time, gaps, an alert answering the ClientHello, a silent
 * close, and a renegotiation in the clear.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "evidence.h"
#include "testlib.h"
#include "tls_stream.h"
#include "x509.h"

struct buf {
    uint8_t b[8192];
    size_t n;
};

static void put(struct buf *o, const void *p, size_t n)
{
    if (o->n + n <= sizeof o->b) {
        memcpy(o->b + o->n, p, n);
        o->n += n;
    }
}

static void put8(struct buf *o, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(o, &b, 1);
}

static void put16(struct buf *o, unsigned v)
{
    put8(o, v >> 8);
    put8(o, v);
}

static void put24(struct buf *o, unsigned v)
{
    put8(o, v >> 16);
    put16(o, v & 0xffff);
}

/* A record of `type` around a body. */
static void record(struct buf *o, unsigned type, const struct buf *body)
{
    put8(o, type);
    put16(o, 0x0303);
    put16(o, (unsigned)body->n);
    put(o, body->b, body->n);
}

static void handshake(struct buf *o, unsigned type, const struct buf *body)
{
    put8(o, type);
    put24(o, (unsigned)body->n);
    put(o, body->b, body->n);
}

/* ClientHello, TLS 1.2, one suite, SNI "db.example". */
static void client_hello(struct buf *rec)
{
    struct buf ch = { .n = 0 }, hs = { .n = 0 }, ext = { .n = 0 }, sni = { .n = 0 };
    const char *host = "db.example";
    put16(&ch, 0x0303);
    for (int i = 0; i < 32; i++) {
        put8(&ch, i);
    }
    put8(&ch, 0);
    put16(&ch, 2);
    put16(&ch, 0xc02f);
    put8(&ch, 1);
    put8(&ch, 0);
    put16(&sni, (unsigned)strlen(host) + 3);
    put8(&sni, 0);
    put16(&sni, (unsigned)strlen(host));
    put(&sni, host, strlen(host));
    put16(&ext, 0);
    put16(&ext, (unsigned)sni.n);
    put(&ext, sni.b, sni.n);
    put16(&ch, (unsigned)ext.n);
    put(&ch, ext.b, ext.n);
    handshake(&hs, 1, &ch);
    record(rec, 22, &hs);
}

static void dn(struct buf *o, const char *cn)
{
    size_t n = strlen(cn);
    /* SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String cn } } } */
    put16(o, (unsigned)n + 13);
    put8(o, 0x30);
    put8(o, (unsigned)n + 11);
    put8(o, 0x31);
    put8(o, (unsigned)n + 9);
    put8(o, 0x30);
    put8(o, (unsigned)n + 7);
    put(o, "\x06\x03\x55\x04\x03\x0c", 6);
    put8(o, (unsigned)n);
    put(o, cn, n);
}

/* ServerHello + CertificateRequest (two CA names) + ServerHelloDone. */
static void server_flight(struct buf *rec)
{
    struct buf sh = { .n = 0 }, cr = { .n = 0 }, cas = { .n = 0 }, hs = { .n = 0 };
    struct buf empty = { .n = 0 };
    put16(&sh, 0x0303);
    for (int i = 0; i < 32; i++) {
        put8(&sh, 0x40 + i);
    }
    put8(&sh, 0);
    put16(&sh, 0xc02f);
    put8(&sh, 0);
    handshake(&hs, 2, &sh);
    put8(&cr, 1);
    put8(&cr, 1);
    put16(&cr, 2);
    put16(&cr, 0x0401);
    dn(&cas, "Partner Root CA");
    dn(&cas, "Internal Issuing CA");
    put16(&cr, (unsigned)cas.n);
    put(&cr, cas.b, cas.n);
    handshake(&hs, 13, &cr);
    handshake(&hs, 14, &empty);
    record(rec, 22, &hs);
}

static void alert(struct buf *rec, unsigned level, unsigned desc)
{
    struct buf a = { .n = 0 };
    put8(&a, level);
    put8(&a, desc);
    record(rec, 21, &a);
}

struct run {
    struct evidence ev;
    struct x509_cache *certs;
    size_t buffered;
    struct tls_stream *s;
    uint64_t off[2];
    uint64_t frame;
};

static void run_start(struct run *r)
{
    memset(r, 0, sizeof *r);
    ev_init(&r->ev);
    r->certs = x509_cache_new(&r->ev.arena);
    struct tls_stream_env env = {
        .ev = &r->ev, .certs = r->certs, .path = "test", .buffered = &r->buffered
    };
    struct ev_endpoint a = { .ip = "10.0.0.1", .port = 50000 };
    struct ev_endpoint b = { .ip = "10.0.0.2", .port = 5432 };
    r->s = tls_stream_new(&env, 7, &a, &b);
}

/* Sends bytes from side in pieces of `step` (0: all at once). */
static void send(struct run *r, int side, const void *p, size_t n, size_t step)
{
    const uint8_t *q = p;
    r->frame++;
    while (n > 0) {
        size_t k = step && step < n ? step : n;
        struct ev_time ts = { .sec = 1700000000, .nsec = (uint32_t)r->frame };
        tls_stream_data(r->s, side, q, k, r->off[side], r->frame, ts);
        r->off[side] += k;
        q += k;
        n -= k;
    }
}

static void run_end(struct run *r)
{
    tls_stream_end(r->s);
    r->s = NULL;
}

static void run_free(struct run *r)
{
    x509_cache_free(r->certs);
    ev_fini(&r->ev);
}

static const struct ev_connection *only_conn(struct run *r, const char *ctx)
{
    CHECK_INT(r->ev.conn_count, 1, ctx);
    return r->ev.conn_count ? r->ev.conns[0] : NULL;
}

static void check_request(const struct ev_connection *c, const char *ctx)
{
    CHECK(c->cert_request != NULL, ctx);
    if (!c->cert_request) {
        return;
    }
    CHECK_INT(c->cert_request->ca_count, 2, ctx);
    if (c->cert_request->ca_count == 2) {
        CHECK_STR(c->cert_request->ca_names[0].text, "CN=Partner Root CA", ctx);
        CHECK_STR(c->cert_request->ca_names[1].text, "CN=Internal Issuing CA", ctx);
    }
}

/* PostgreSQL SSLRequest, 'S', then TLS; and the same with HTTP CONNECT. */
static void test_prefixes(void)
{
    static const struct {
        const char *name;
        const char *client_prefix;
        size_t client_len;
        const char *server_prefix;
        size_t server_len;
    } cases[] = {
        { .name = "postgresql",
          .client_prefix = "\x00\x00\x00\x08\x04\xd2\x16\x2f",
          .client_len = 8,
          .server_prefix = "S",
          .server_len = 1 },
        { .name = "http connect",
          .client_prefix = "CONNECT db.example:443 HTTP/1.1\r\nHost: db.example:443\r\n\r\n",
          .client_len = 0,
          .server_prefix = "HTTP/1.1 200 Connection established\r\n\r\n",
          .server_len = 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        struct buf ch = { .n = 0 }, sf = { .n = 0 }, al = { .n = 0 };
        run_start(&r);
        client_hello(&ch);
        server_flight(&sf);
        alert(&al, 2, 40);
        /* A length of 0 means a text prefix: its strlen. */
        size_t clen = cases[i].client_len ? cases[i].client_len : strlen(cases[i].client_prefix);
        size_t slen = cases[i].server_len ? cases[i].server_len : strlen(cases[i].server_prefix);
        send(&r, 0, cases[i].client_prefix, clen, 0);
        send(&r, 1, cases[i].server_prefix, slen, 0);
        send(&r, 0, ch.b, ch.n, 0);
        send(&r, 1, sf.b, sf.n, 0);
        send(&r, 1, al.b, al.n, 0);
        run_end(&r);
        const struct ev_connection *c = only_conn(&r, cases[i].name);
        if (c) {
            CHECK(c->ch.seen && c->sh.seen, cases[i].name);
            CHECK_STR(c->ch.sni, "db.example", cases[i].name);
            CHECK_INT(c->client.port, 50000, cases[i].name);
            check_request(c, cases[i].name);
            CHECK_INT(c->outcome, EV_OUT_FAILED, cases[i].name);
            CHECK_INT(c->alert_count, 1, cases[i].name);
        }
        run_free(&r);
    }
}

/* The TCP opener (side 0) is the TLS server: roles follow the ClientHello.
 * The server flight arrives one byte per call. */
static void test_roles_and_bytewise(void)
{
    struct run r;
    struct buf ch = { .n = 0 }, sf = { .n = 0 };
    run_start(&r);
    client_hello(&ch);
    server_flight(&sf);
    send(&r, 1, ch.b, ch.n, 0);
    send(&r, 0, sf.b, sf.n, 1);
    run_end(&r);
    const struct ev_connection *c = only_conn(&r, "roles");
    if (c) {
        CHECK_STR(c->client.ip, "10.0.0.2", "client is the ClientHello sender");
        CHECK_STR(c->server.ip, "10.0.0.1", "server");
        check_request(c, "bytewise");
        CHECK_INT(c->outcome, EV_OUT_INCOMPLETE, "capture ends mid-handshake");
    }
    run_free(&r);
}

/* A gap inside the server flight: the record is lost and noted, a later
 * alert is still found after resynchronisation. */
static void test_gap(void)
{
    struct run r;
    struct buf ch = { .n = 0 }, sf = { .n = 0 }, al = { .n = 0 };
    run_start(&r);
    client_hello(&ch);
    server_flight(&sf);
    alert(&al, 2, 48);
    send(&r, 0, ch.b, ch.n, 0);
    send(&r, 1, sf.b, 20, 0);
    tls_stream_gap(r.s, 1, r.off[1], sf.n - 20, 3);
    r.off[1] += sf.n - 20;
    send(&r, 1, al.b, al.n, 0);
    run_end(&r);
    const struct ev_connection *c = only_conn(&r, "gap");
    if (c) {
        CHECK(c->cert_request == NULL, "lost record");
        bool truncated_note = false;
        for (size_t i = 0; i < c->note_count; i++) {
            truncated_note |= c->notes[i].status == ST_TRUNCATED;
        }
        CHECK(truncated_note, "gap noted");
        CHECK_INT(c->alert_count, 1, "alert after the gap");
        CHECK_INT(c->outcome, EV_OUT_FAILED, "fatal alert");
    }
    run_free(&r);
}

/* The server closes after the ClientHello without an alert. */
static void test_silent_close(void)
{
    struct run r;
    struct buf ch = { .n = 0 };
    run_start(&r);
    client_hello(&ch);
    send(&r, 0, ch.b, ch.n, 0);
    struct ev_time ts = { .sec = 1700000001 };
    tls_stream_close(r.s, 1, false, 2, ts);
    run_end(&r);
    const struct ev_connection *c = only_conn(&r, "silent close");
    if (c) {
        CHECK_INT(c->outcome, EV_OUT_FAILED, "silent close");
        CHECK(c->outcome_detail && strstr(c->outcome_detail, "server closed"), "detail");
        CHECK(c->fin[EV_FROM_SERVER], "fin from server");
    }
    run_free(&r);
}

/* A second plaintext ClientHello after a ServerHello is a new handshake on
 * the same stream; a non-TLS stream gives nothing. */
static void test_renegotiation_and_not_tls(void)
{
    struct run r;
    struct buf ch = { .n = 0 }, sf = { .n = 0 };
    run_start(&r);
    client_hello(&ch);
    server_flight(&sf);
    send(&r, 0, ch.b, ch.n, 0);
    send(&r, 1, sf.b, sf.n, 0);
    send(&r, 0, ch.b, ch.n, 0);
    run_end(&r);
    CHECK_INT(r.ev.conn_count, 2, "two handshakes");
    if (r.ev.conn_count == 2) {
        CHECK_INT(r.ev.conns[0]->stream, r.ev.conns[1]->stream, "same stream");
    }
    run_free(&r);

    run_start(&r);
    const char *http = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
    send(&r, 0, http, strlen(http), 0);
    send(&r, 1, "HTTP/1.1 200 OK\r\n\r\n", 19, 0);
    run_end(&r);
    CHECK_INT(r.ev.conn_count, 0, "plain HTTP is not TLS");
    run_free(&r);
}

int main(void)
{
    test_prefixes();
    test_roles_and_bytewise();
    test_gap();
    test_silent_close();
    test_renegotiation_and_not_tls();
    return tl_done();
}
