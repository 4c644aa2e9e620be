/*
 * report_common.c - helpers shared by the JSON and text renderers: enum
 * names (DESIGN.md "JSON report"), ISO 8601 UTC capture times, endpoints,
 * RFC 3629 UTF-8 decoding, summary counts, findings grouped by
 * connection, and the source-awareness both renderers need (ICM traces
 * state facts instead of showing wire bytes).
 */
#include "report_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tls_names.h"

const char *report_input_kind_name(enum ev_input_kind kind)
{
    switch (kind) {
    case EV_IN_PCAP:
        return "pcap";
    case EV_IN_PCAPNG:
        return "pcapng";
    case EV_IN_ICM:
        return "icm-trace";
    case EV_IN_CERT:
        return "certificate";
    case EV_IN_LIVE:
        return "live";
    case EV_IN_PROBE:
        return "probe";
    }
    return "unknown";
}

const char *report_source_kind_name(enum ev_source_kind kind)
{
    return kind == EV_SRC_ICM ? "icm-trace" : "pcap";
}

const char *report_outcome_name(enum ev_outcome outcome)
{
    switch (outcome) {
    case EV_OUT_ESTABLISHED:
        return "established";
    case EV_OUT_FAILED:
        return "failed";
    case EV_OUT_INCOMPLETE:
        return "incomplete";
    }
    return "incomplete";
}

const char *report_phase_name(enum ev_phase phase)
{
    switch (phase) {
    case EV_PHASE_INITIAL:
        return "initial";
    case EV_PHASE_RENEGOTIATION:
        return "renegotiation";
    case EV_PHASE_POST_HANDSHAKE:
        return "post-handshake";
    }
    return "initial";
}

const char *report_dir_name(enum ev_dir dir)
{
    return dir == EV_FROM_SERVER ? "server" : "client";
}

const char *report_client_cert_name(enum ev_client_cert cc)
{
    switch (cc) {
    case EV_CC_NOT_SENT:
        return "not_sent";
    case EV_CC_EMPTY:
        return "empty";
    case EV_CC_SENT:
        return "sent";
    case EV_CC_NOT_VISIBLE:
        return "not_visible";
    }
    return "not_sent";
}

const char *report_status_token(enum status st)
{
    switch (st) {
    case ST_OK:
        return "ok";
    case ST_INCOMPLETE:
        return "incomplete";
    case ST_TRUNCATED:
        return "truncated";
    case ST_MALFORMED:
        return "malformed";
    case ST_LIMIT:
        return "limit";
    case ST_UNSUPPORTED:
        return "unsupported";
    case ST_NOMEM:
        return "nomem";
    case ST_INTERNAL:
        return "internal";
    }
    return "internal";
}

const char *report_side_name(enum ev_side side)
{
    switch (side) {
    case EV_SIDE_CLIENT:
        return "client";
    case EV_SIDE_SERVER:
        return "server";
    case EV_SIDE_UNKNOWN:
        break;
    }
    return "unknown";
}

bool report_from_trace(const struct ev_connection *c)
{
    return c->source.kind == EV_SRC_ICM;
}

const char *report_version(const struct report_options *o)
{
    if (o && o->deterministic) {
        return "test";
    }
    if (o && o->version) {
        return o->version;
    }
    return "unknown";
}

bool report_time_known(const struct ev_time *t)
{
    return t->sec != 0 || t->nsec != 0;
}

bool report_time_iso(const struct ev_time *t, char *buf, size_t n)
{
    struct tm tm;
    time_t sec = (time_t)t->sec;

    if (n > 0) {
        buf[0] = '\0';
    }
    if (!report_time_known(t) || (int64_t)sec != t->sec || t->nsec >= 1000000000u) {
        return false;
    }
    if (!gmtime_r(&sec, &tm)) {
        return false;
    }
    long long year = (long long)tm.tm_year + 1900;
    int w;
    if (t->nsec % 1000u == 0) {
        w = snprintf(buf, n, "%04lld-%02d-%02dT%02d:%02d:%02d.%06" PRIu32 "Z", year, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t->nsec / 1000u);
    } else {
        w = snprintf(buf, n, "%04lld-%02d-%02dT%02d:%02d:%02d.%09" PRIu32 "Z", year, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t->nsec);
    }
    if (w < 0 || (size_t)w >= n) {
        if (n > 0) {
            buf[0] = '\0';
        }
        return false;
    }
    return true;
}

void report_endpoint_str(const struct ev_endpoint *ep, char *buf, size_t n)
{
    /* ip[] is a fixed array filled by the capture layer: bound the read. */
    size_t len = strnlen(ep->ip, sizeof ep->ip);
    int iplen = (int)len;

    if (len == 0) {
        snprintf(buf, n, "?:%u", (unsigned)ep->port);
    } else if (memchr(ep->ip, ':', len)) {
        snprintf(buf, n, "[%.*s]:%u", iplen, ep->ip, (unsigned)ep->port);
    } else {
        snprintf(buf, n, "%.*s:%u", iplen, ep->ip, (unsigned)ep->port);
    }
}

const char *report_msg_name(const struct ev_msg *m, char *buf, size_t n)
{
    if (m->name) {
        return m->name;
    }
    if (m->encrypted) {
        switch (m->content_type) {
        case 21:
            return "Encrypted alert";
        case 22:
            return "Encrypted handshake message";
        case 23:
            return "Application data";
        default:
            break;
        }
    }
    if (m->content_type == 22 || (m->content_type == 0 && m->hs_type)) {
        return tls_hs_type_str(m->hs_type, buf, n);
    }
    const char *s = tls_content_type_name(m->content_type);
    if (s) {
        return s;
    }
    snprintf(buf, n, "content type %u", (unsigned)m->content_type);
    return buf;
}

size_t report_utf8_decode(const unsigned char *s, size_t left, uint32_t *ret_cp)
{
    if (left == 0) {
        return 0;
    }
    unsigned char c = s[0];
    if (c < 0x80) {
        *ret_cp = c;
        return 1;
    }
    size_t len;
    uint32_t cp;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0fu;
        if (c == 0xe0) {
            lo = 0xa0; /* overlong */
        } else if (c == 0xed) {
            hi = 0x9f; /* UTF-16 surrogates */
        }
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07u;
        if (c == 0xf0) {
            lo = 0x90; /* overlong */
        } else if (c == 0xf4) {
            hi = 0x8f; /* above U+10FFFF */
        }
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
    }
    if (left < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        unsigned char b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) {
            return 0;
        }
        cp = cp << 6 | (b & 0x3fu);
    }
    *ret_cp = cp;
    return len;
}

struct stream_key {
    const char *path;
    unsigned stream;
};

static int stream_key_cmp(const void *a, const void *b)
{
    const struct stream_key *x = a, *y = b;
    int c = strcmp(x->path ? x->path : "", y->path ? y->path : "");
    if (c != 0) {
        return c;
    }
    return x->stream < y->stream ? -1 : x->stream > y->stream;
}

static size_t count_tcp_connections(const struct evidence *ev)
{
    if (ev->conn_count == 0) {
        return 0;
    }
    struct stream_key *keys = calloc(ev->conn_count, sizeof *keys);
    if (!keys) {
        return ev->conn_count; /* an upper bound; only the summary line uses it */
    }
    for (size_t i = 0; i < ev->conn_count; i++) {
        keys[i].path = ev->conns[i]->source.path;
        keys[i].stream = ev->conns[i]->stream;
    }
    qsort(keys, ev->conn_count, sizeof *keys, stream_key_cmp);
    size_t n = 1;
    for (size_t i = 1; i < ev->conn_count; i++) {
        if (stream_key_cmp(&keys[i - 1], &keys[i]) != 0) {
            n++;
        }
    }
    free(keys);
    return n;
}

void report_count(const struct evidence *ev, const struct findings *f,
                  struct report_counts *ret_counts)
{
    struct report_counts c = { .handshakes = ev->conn_count };

    c.tcp_connections = count_tcp_connections(ev);
    for (size_t i = 0; i < ev->conn_count; i++) {
        switch (ev->conns[i]->outcome) {
        case EV_OUT_ESTABLISHED:
            c.established++;
            break;
        case EV_OUT_FAILED:
            c.failed++;
            break;
        case EV_OUT_INCOMPLETE:
        default:
            c.incomplete++;
            break;
        }
    }
    for (size_t i = 0; f && i < f->count; i++) {
        switch (f->items[i].severity) {
        case SEV_ERROR:
            c.errors++;
            break;
        case SEV_WARNING:
            c.warnings++;
            break;
        case SEV_INFO:
        default:
            c.infos++;
            break;
        }
    }
    *ret_counts = c;
}

/* Position of conn in ev->conns, or SIZE_MAX. Ids are 1-based positions
 * (ev_connection_add), so the direct lookup almost always hits. */
static size_t conn_position(const struct evidence *ev, const struct ev_connection *conn)
{
    if (!conn) {
        return SIZE_MAX;
    }
    size_t guess = (size_t)conn->id - 1;
    if (conn->id > 0 && guess < ev->conn_count && ev->conns[guess] == conn) {
        return guess;
    }
    for (size_t i = 0; i < ev->conn_count; i++) {
        if (ev->conns[i] == conn) {
            return i;
        }
    }
    return SIZE_MAX;
}

int report_index_init(struct report_index *ix, const struct evidence *ev, const struct findings *f)
{
    size_t nf = f ? f->count : 0;
    size_t *pos = NULL;

    memset(ix, 0, sizeof *ix);
    ix->by_conn = calloc(ev->conn_count ? ev->conn_count : 1, sizeof *ix->by_conn);
    ix->storage = calloc(nf ? nf : 1, sizeof *ix->storage);
    pos = calloc(nf ? nf : 1, sizeof *pos);
    if (!ix->by_conn || !ix->storage || !pos) {
        free(pos);
        report_index_fini(ix);
        return -1;
    }
    /* Counting sort by connection position; the global list goes last. */
    for (size_t i = 0; i < nf; i++) {
        pos[i] = conn_position(ev, f->items[i].conn);
        if (pos[i] != SIZE_MAX) {
            ix->by_conn[pos[i]].count++;
        }
    }
    size_t start = 0;
    for (size_t c = 0; c < ev->conn_count; c++) {
        ix->by_conn[c].items = ix->storage + start;
        start += ix->by_conn[c].count;
        ix->by_conn[c].count = 0;
    }
    ix->global.items = ix->storage + start;
    for (size_t i = 0; i < nf; i++) {
        struct report_flist *l = pos[i] == SIZE_MAX ? &ix->global : &ix->by_conn[pos[i]];
        l->items[l->count++] = &f->items[i];
    }
    free(pos);
    return 0;
}

void report_index_fini(struct report_index *ix)
{
    free(ix->by_conn);
    free(ix->storage);
    memset(ix, 0, sizeof *ix);
}
