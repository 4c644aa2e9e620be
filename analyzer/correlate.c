/*
 * correlate.c - merges an ICM trace connection into the capture connection
 * of the same TCP 4-tuple (DESIGN.md "Evidence model": both sources cited;
 * shared/icm-trace-format.md 5.3 and 9.5: `SSL NI-hdl ...: local=... peer=...`
 * is the join key to a capture). Trace time is server local time without
 * zone (format 4.2), so the 4-tuple decides and time only breaks ties,
 * compared modulo whole quarter hours (every zone offset is one).
 */
#include "correlate.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"

#define ZONE_STEP_SECONDS 900 /* zone offsets are whole quarter hours */

/* Textual IPv4/IPv6 to 16 bytes (IPv4 as v4-mapped IPv6, so that
 * "::ffff:10.0.0.1" and "10.0.0.1" compare equal). */
static bool addr_of(const char *ip, uint8_t out[16])
{
    for (size_t i = 0; i < 16; i++) {
        out[i] = 0;
    }
    if (inet_pton(AF_INET, ip, out + 12) == 1) {
        out[10] = 0xff;
        out[11] = 0xff;
        return true;
    }
    return inet_pton(AF_INET6, ip, out) == 1;
}

static bool endpoint_known(const struct ev_endpoint *e)
{
    return e->ip[0] != '\0' && e->port != 0;
}

static bool endpoint_eq(const struct ev_endpoint *a, const struct ev_endpoint *b)
{
    uint8_t x[16], y[16];
    if (a->port != b->port || !addr_of(a->ip, x) || !addr_of(b->ip, y)) {
        return false;
    }
    return memcmp(x, y, sizeof x) == 0;
}

static bool same_tuple(const struct ev_connection *trace, const struct ev_connection *wire)
{
    return (endpoint_eq(&trace->client, &wire->client) &&
            endpoint_eq(&trace->server, &wire->server)) ||
           (endpoint_eq(&trace->client, &wire->server) &&
            endpoint_eq(&trace->server, &wire->client));
}

/* Distance in seconds between the capture's first packet and the trace's
 * stated time, after removing any whole-quarter-hour zone offset; INT64_MAX
 * when either time is unknown. */
static int64_t skew(const struct ev_connection *trace, const struct ev_connection *wire)
{
    if (!trace->has_stated_time || (wire->first_ts.sec == 0 && wire->first_ts.nsec == 0)) {
        return INT64_MAX;
    }
    int64_t d = wire->first_ts.sec - trace->stated_time.sec;
    int64_t r = ((d % ZONE_STEP_SECONDS) + ZONE_STEP_SECONDS) % ZONE_STEP_SECONDS;
    return r > ZONE_STEP_SECONDS / 2 ? ZONE_STEP_SECONDS - r : r;
}

static struct ev_connection *find_wire(struct evidence *ev, const struct ev_connection *trace)
{
    struct ev_connection *best = NULL;
    int64_t best_skew = INT64_MAX;
    for (size_t i = 0; i < ev->conn_count; i++) {
        struct ev_connection *w = ev->conns[i];
        if (!w || w->source.kind != EV_SRC_PCAP || w->has_also || !same_tuple(trace, w)) {
            continue;
        }
        int64_t s = skew(trace, w);
        if (!best || s < best_skew) {
            best = w;
            best_skew = s;
        }
    }
    return best;
}

/* Copies the trace's stated facts into the capture connection. */
static void merge(struct evidence *ev, struct ev_connection *w, const struct ev_connection *t)
{
    /* The ICM's own endpoint decides its role on the wire; the trace's role
     * may have been a guess. */
    const struct ev_endpoint *local = t->local_side == EV_SIDE_SERVER ? &t->server : &t->client;
    w->local_side = endpoint_eq(local, &w->client) ? EV_SIDE_CLIENT : EV_SIDE_SERVER;
    if (!w->error_name) {
        w->error_name = t->error_name;
        w->error_line = t->error_line;
    }
    w->error_code = w->error_code ? w->error_code : t->error_code;
    w->error_text = w->error_text ? w->error_text : t->error_text;
    if (!w->identity) {
        w->identity = t->identity;
        w->identity_line = t->identity_line;
    }
    if (!w->target_host) {
        w->target_host = t->target_host;
        w->target_host_line = t->target_host_line;
    }
    if (!w->handshake_state) {
        w->handshake_state = t->handshake_state;
        w->state_line = t->state_line;
    }
    for (size_t i = 0; i < t->statement_count; i++) {
        uint64_t line = i < t->statement_line_count ? t->statement_lines[i] : 0;
        if (ev_statement_add(ev, w, t->statements[i], line, 64u) != ST_OK) {
            break; /* a full list drops the rest, as the parser does */
        }
    }
    if (w->stated_cert_count == 0) {
        w->stated_certs = t->stated_certs;
        w->stated_cert_count = t->stated_cert_count;
        w->stated_cert_cap = t->stated_cert_cap;
    }
    if (!w->ch.seen && !w->ch.sni) {
        w->ch.sni = t->ch.sni;
    }
    /* What the wire hides (TLS 1.3 without keys), the trace may state. */
    if (w->client_cert == EV_CC_NOT_VISIBLE && t->client_cert != EV_CC_NOT_VISIBLE) {
        w->client_cert = t->client_cert;
    }
    if (!w->cert_request && w->encrypted_after_hello && t->cert_request) {
        w->cert_request = t->cert_request;
    }
    if (w->outcome != EV_OUT_FAILED && t->outcome == EV_OUT_FAILED) {
        w->outcome = EV_OUT_FAILED;
        w->outcome_detail = t->outcome_detail;
    } else if (!w->outcome_detail) {
        w->outcome_detail = t->outcome_detail;
    }
    w->has_stated_time = t->has_stated_time;
    w->stated_time = t->stated_time;
    /* Trace notes cite trace lines: the line goes into the text, since the
     * connection's refs are frames now. */
    for (size_t i = 0; i < t->note_count; i++) {
        const struct ev_note *n = &t->notes[i];
        char *text = n->ref ? ev_printf(&ev->arena, "trace line %llu: %s",
                                        (unsigned long long)n->ref, n->text ? n->text : "")
                            : ev_printf(&ev->arena, "trace: %s", n->text ? n->text : "");
        if (!text || ev_note_add(ev, w, n->status, 0, 0, n->from, text) != ST_OK) {
            break; /* arena or note list full: the rest of the notes stay out */
        }
    }
    w->also = t->source;
    w->has_also = true;
}

/* Only traces and captures together can be joined. */
static bool has_both_kinds(const struct evidence *ev)
{
    bool trace = false, wire = false;
    for (size_t i = 0; i < ev->conn_count && !(trace && wire); i++) {
        trace |= ev->conns[i]->source.kind == EV_SRC_ICM;
        wire |= ev->conns[i]->source.kind != EV_SRC_ICM;
    }
    return trace && wire;
}

void correlate(struct evidence *ev)
{
    size_t merged = 0;
    if (!has_both_kinds(ev)) {
        return; /* a trace alone: no quadratic search for a capture partner */
    }
    for (size_t i = 0; i < ev->conn_count; i++) {
        struct ev_connection *t = ev->conns[i];
        if (t->source.kind != EV_SRC_ICM || t->not_tls || !endpoint_known(&t->client) ||
            !endpoint_known(&t->server)) {
            continue;
        }
        struct ev_connection *w = find_wire(ev, t);
        if (!w) {
            continue;
        }
        merge(ev, w, t);
        ev->conns[i] = NULL; /* left in the arena, out of the list */
        merged++;
    }
    if (merged == 0) {
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < ev->conn_count; i++) {
        struct ev_connection *c = ev->conns[i];
        if (!c) {
            continue;
        }
        c->id = (unsigned)(n + 1);
        if (c->source.kind == EV_SRC_ICM) {
            c->stream = c->id; /* a trace connection is its own "stream" */
        }
        ev->conns[n++] = c;
    }
    ev->conn_count = n;
}
