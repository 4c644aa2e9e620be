/*
 * report_common.c - helpers shared by the JSON, text and Markdown
 * renderers: enum names (DESIGN.md "JSON report"), ISO 8601 UTC capture
 * times, endpoints, RFC 3629 UTF-8 decoding, summary counts, findings
 * grouped by connection, the source-awareness they need (ICM traces state
 * facts instead of showing wire bytes), and the derived sentences the text
 * and Markdown reports both print.
 */
#include "report_common.h"

#include <inttypes.h>
#include <stdarg.h>
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

/* ---- derived strings both the text and the Markdown report print ---------- */

const char *report_plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

const char *report_ref_word(const struct ev_connection *c)
{
    return c->source.kind == EV_SRC_ICM ? "line" : "frame";
}

bool report_traces_only(const struct evidence *ev)
{
    for (size_t i = 0; ev->inputs && i < ev->input_count; i++) {
        if (ev->inputs[i].kind != EV_IN_ICM && ev->inputs[i].kind != EV_IN_CERT) {
            return false;
        }
    }
    return report_trace_count(ev) > 0;
}

size_t report_trace_count(const struct evidence *ev)
{
    size_t n = 0;
    for (size_t i = 0; ev->inputs && i < ev->input_count; i++) {
        n += ev->inputs[i].kind == EV_IN_ICM;
    }
    return n;
}

bool report_endpoint_known(const struct ev_endpoint *ep)
{
    return ep->ip[0] != '\0' || ep->port != 0;
}

void report_endpoint_or_unknown(const struct ev_endpoint *ep, char *buf, size_t n)
{
    if (ep->ip[0] == '\0') {
        if (ep->port == 0) {
            snprintf(buf, n, "unknown");
        } else {
            snprintf(buf, n, "port %u", (unsigned)ep->port);
        }
        return;
    }
    report_endpoint_str(ep, buf, n);
}

const char *report_party(const struct ev_connection *c, enum ev_dir d)
{
    bool client = d == EV_FROM_CLIENT;
    switch (c->local_side) {
    case EV_SIDE_CLIENT:
        return client ? "the client (ICM)" : "the server (peer)";
    case EV_SIDE_SERVER:
        return client ? "the client (peer)" : "the server (ICM)";
    case EV_SIDE_UNKNOWN:
    default:
        return client ? "the client" : "the server";
    }
}

const char *report_arrow(enum ev_dir d)
{
    return d == EV_FROM_SERVER ? "C <- S" : "C -> S";
}

const char *report_outcome_word(enum ev_outcome outcome)
{
    switch (outcome) {
    case EV_OUT_ESTABLISHED:
        return "ESTABLISHED";
    case EV_OUT_FAILED:
        return "FAILED";
    case EV_OUT_INCOMPLETE:
    default:
        return "INCOMPLETE";
    }
}

bool report_detail_restates_error(const struct ev_connection *c)
{
    if (c->not_tls) {
        return c->error_name || c->error_text;
    }
    return c->error_name && c->outcome_detail && strstr(c->outcome_detail, c->error_name);
}

void report_rel_time(const struct ev_time *base, const struct ev_time *ts, char *buf, size_t n)
{
    int64_t dsec = ts->sec - base->sec;
    int64_t dns = (int64_t)ts->nsec - (int64_t)base->nsec;
    if (dns < 0) {
        dns += 1000000000;
        dsec -= 1;
    }
    int64_t us = dns / 1000;
    if (dsec < 0) {
        /* out of order: print the magnitude with a minus sign */
        int64_t total = -(dsec * 1000000 + us);
        snprintf(buf, n, "-%" PRId64 ".%06" PRId64, total / 1000000, total % 1000000);
    } else {
        snprintf(buf, n, "+%" PRId64 ".%06" PRId64, dsec, us);
    }
}

const char *report_alert_str(const struct ev_alert *a, char *buf, size_t n)
{
    char desc[32];
    const char *lvl = tls_alert_level_name(a->level);
    const char *d = tls_alert_str(a->description, desc, sizeof desc);

    if (lvl) {
        snprintf(buf, n, "%s %s (%u)", lvl, d, (unsigned)a->description);
    } else {
        snprintf(buf, n, "level %u %s (%u)", (unsigned)a->level, d, (unsigned)a->description);
    }
    return buf;
}

const char *report_cert_request_absence(const struct ev_connection *c)
{
    if (c->cert_request || c->encrypted_after_hello) {
        return c->decryption == EV_DEC_NONE
                   ? "not visible (the handshake is encrypted after the ServerHello; "
                     "give the TLS key log with --keylog to see it)"
                   : "not visible (the handshake is encrypted after the ServerHello and the "
                     "key log does not open it)";
    }
    if (!c->sh.seen) {
        return "none seen (the server's handshake messages are not in the input)";
    }
    return "none (the server did not ask for a client certificate)";
}

int report_rule_counts(const struct evidence *ev, const struct report_index *ix, enum severity sev,
                       struct report_rule_count **ret_rules, size_t *ret_count)
{
    size_t cap = 0, n = 0;

    for (size_t i = 0; i < ev->conn_count; i++) {
        cap += ix->by_conn[i].count;
    }
    struct report_rule_count *r = calloc(cap ? cap : 1, sizeof *r);
    if (!r) {
        return -1;
    }
    for (size_t i = 0; i < ev->conn_count; i++) {
        for (size_t k = 0; k < ix->by_conn[i].count; k++) {
            const struct finding *f = ix->by_conn[i].items[k];
            if (f->severity != sev || !f->rule) {
                continue;
            }
            size_t j = 0;
            while (j < n && strcmp(r[j].rule, f->rule) != 0) {
                j++;
            }
            if (j == n) {
                r[n++].rule = f->rule;
            }
            r[j].count++;
        }
    }
    /* Stable insertion sort by count, descending: ties keep first appearance. */
    for (size_t i = 1; i < n; i++) {
        struct report_rule_count x = r[i];
        size_t j = i;
        while (j > 0 && r[j - 1].count < x.count) {
            r[j] = r[j - 1];
            j--;
        }
        r[j] = x;
    }
    *ret_rules = r;
    *ret_count = n;
    return 0;
}

const char *report_conn_noun(const struct evidence *ev, size_t n)
{
    if (report_traces_only(ev)) {
        return report_plural(n, "connection attempt", "connection attempts");
    }
    return report_plural(n, "handshake", "handshakes");
}

void report_section_title(const struct evidence *ev, enum report_section sec, char *buf, size_t n)
{
    const char *noun = report_conn_noun(ev, 2);

    switch (sec) {
    case REPORT_SEC_FAILED:
        snprintf(buf, n, "Failed %s", noun);
        return;
    case REPORT_SEC_INCOMPLETE:
        snprintf(buf, n, "Incomplete %s", noun);
        return;
    case REPORT_SEC_PROBLEM:
        snprintf(buf, n, "Successful %s with warnings or errors", noun);
        return;
    case REPORT_SEC_OK:
    default:
        snprintf(buf, n, "Successful %s", noun);
        return;
    }
}

/* "; errors: 2 x no_fitting_ca, 1 x weak_key" */
static void headline_rules(const struct report_headline_out *out, const char *label,
                           const struct report_rule_count *r, size_t n)
{
    char num[32];

    for (size_t i = 0; i < n; i++) {
        out->put(out->ctx, i ? ", " : label);
        snprintf(num, sizeof num, "%zu \xc3\x97 ", r[i].count);
        out->put(out->ctx, num);
        out->rule(out->ctx, r[i].rule);
    }
}

int report_headline(const struct evidence *ev, const struct report_index *ix,
                    const struct report_counts *n, const struct report_headline_out *out)
{
    struct report_rule_count *errs = NULL, *warns = NULL;
    size_t nerr = 0, nwarn = 0;
    char buf[160];

    if (n->handshakes == 0) {
        out->put(out->ctx, report_traces_only(ev) ? "No TLS connection attempt found"
                                                  : "No TLS handshake found");
        return 0;
    }
    if (report_rule_counts(ev, ix, SEV_ERROR, &errs, &nerr) != 0 ||
        report_rule_counts(ev, ix, SEV_WARNING, &warns, &nwarn) != 0) {
        free(errs);
        return -1;
    }
    snprintf(buf, sizeof buf, "%zu of %zu %s failed", n->failed, n->handshakes,
             report_conn_noun(ev, n->handshakes));
    if (out->lead) {
        out->lead(out->ctx, true);
    }
    out->put(out->ctx, buf);
    if (out->lead) {
        out->lead(out->ctx, false);
    }
    if (n->incomplete) {
        snprintf(buf, sizeof buf, ", %zu incomplete", n->incomplete);
        out->put(out->ctx, buf);
    }
    headline_rules(out, "; errors: ", errs, nerr);
    headline_rules(out, "; warnings: ", warns, nwarn);
    free(errs);
    free(warns);
    return 0;
}

bool report_headline_bad(const struct report_counts *n)
{
    return n->failed > 0 || n->errors > 0;
}

bool report_conn_has_problem(const struct report_flist *l)
{
    for (size_t i = 0; i < l->count; i++) {
        if (l->items[i]->severity != SEV_INFO) {
            return true;
        }
    }
    return false;
}

enum report_section report_section_of(const struct ev_connection *c, const struct report_flist *l)
{
    switch (c->outcome) {
    case EV_OUT_FAILED:
        return REPORT_SEC_FAILED;
    case EV_OUT_ESTABLISHED:
        return report_conn_has_problem(l) ? REPORT_SEC_PROBLEM : REPORT_SEC_OK;
    case EV_OUT_INCOMPLETE:
    default:
        return REPORT_SEC_INCOMPLETE;
    }
}

size_t report_section_count(const struct evidence *ev, const struct report_index *ix,
                            enum report_section sec)
{
    size_t n = 0;
    for (size_t i = 0; i < ev->conn_count; i++) {
        n += report_section_of(ev->conns[i], &ix->by_conn[i]) == sec;
    }
    return n;
}

void report_client_offer(const struct ev_connection *c, const struct report_sink *out)
{
    char buf[64];

    if (c->ch.version_count > 0) {
        for (size_t i = 0; c->ch.versions && i < c->ch.version_count; i++) {
            out->put(out->ctx, i ? ", " : "");
            out->put(out->ctx, tls_version_str(c->ch.versions[i], buf, sizeof buf));
        }
    } else {
        out->put(out->ctx, tls_version_str(c->ch.legacy_version, buf, sizeof buf));
    }
    if (c->ch.sslv2) {
        out->put(out->ctx, " (SSLv2-format ClientHello)");
    }
    snprintf(buf, sizeof buf, "; %zu cipher %s", c->ch.suite_count,
             report_plural(c->ch.suite_count, "suite", "suites"));
    out->put(out->ctx, buf);
    for (size_t i = 0; c->ch.alpn && i < c->ch.alpn_count; i++) {
        out->put(out->ctx, i ? ", " : "; ALPN ");
        out->text(out->ctx, c->ch.alpn[i]);
    }
    if (c->ch.certificate_authorities) {
        out->put(out->ctx, "; certificate_authorities");
    }
    if (c->ch.post_handshake_auth) {
        out->put(out->ctx, "; post_handshake_auth");
    }
}

void report_offered_suites(const struct ev_connection *c, const struct report_sink *out)
{
    char buf[64];

    for (size_t i = 0; c->ch.suites && i < c->ch.suite_count; i++) {
        out->put(out->ctx, i ? ", " : "");
        out->put(out->ctx, tls_cipher_suite_str(c->ch.suites[i], buf, sizeof buf));
    }
}

size_t report_tcp_closes(const struct ev_connection *c, struct report_close ret[2])
{
    size_t n = 0;

    for (int d = 0; d < 2; d++) {
        if (c->rst[d] || c->fin[d]) {
            ret[n++] = (struct report_close){ .from = (enum ev_dir)d,
                                              .rst = c->rst[d],
                                              .ref = c->close_refs[d] };
        }
    }
    /* The client comes first: swap when the server's close was seen before it. */
    if (n == 2 && ret[1].ref != 0 && (ret[0].ref == 0 || ret[1].ref < ret[0].ref)) {
        struct report_close x = ret[0];
        ret[0] = ret[1];
        ret[1] = x;
    }
    return n;
}

const char *report_close_what(const struct report_close *cl)
{
    if (cl->rst) {
        return cl->from == EV_FROM_SERVER ? "server reset the connection (RST)"
                                          : "client reset the connection (RST)";
    }
    return cl->from == EV_FROM_SERVER ? "server closed its side (FIN)"
                                      : "client closed its side (FIN)";
}

void report_tcp_close_text(const struct ev_connection *c, char *buf, size_t n)
{
    struct report_close cl[2];
    size_t count = report_tcp_closes(c, cl), used = 0;

    if (n > 0) {
        buf[0] = '\0';
    }
    for (size_t i = 0; i < count && used < n; i++) {
        const char *what = report_close_what(&cl[i]);
        int w;
        /* "... (FIN)" becomes "... (FIN, frame 12)". */
        if (cl[i].ref) {
            w = snprintf(buf + used, n - used, "%s%.*s, %s %" PRIu64 ")", i ? "; " : "",
                         (int)strlen(what) - 1, what, report_ref_word(c), cl[i].ref);
        } else {
            w = snprintf(buf + used, n - used, "%s%s", i ? "; " : "", what);
        }
        if (w < 0) {
            return;
        }
        used += (size_t)w;
    }
}

const char *report_decryption_text(enum ev_decryption d)
{
    switch (d) {
    case EV_DEC_NO_SECRETS:
        return "not decrypted: the key log has no secrets for this handshake's ClientHello "
               "random (a key log from another session or client?)";
    case EV_DEC_UNSUPPORTED:
        return "not decrypted: this cipher suite cannot be decrypted by tlsdiag (AES-GCM, "
               "ChaCha20-Poly1305 and AES-CBC can)";
    case EV_DEC_OK:
        return "decrypted with the key log";
    case EV_DEC_FAILED:
        return "failed: a protected record did not open with the key log's secrets, so it "
               "and what follows it on that side stay encrypted";
    case EV_DEC_NONE:
        break;
    }
    return "";
}

bool report_keylog(const struct evidence *ev, const struct report_sink *out)
{
    char buf[96];

    if (ev->keylog_path) {
        out->text(out->ctx, ev->keylog_path);
        snprintf(buf, sizeof buf, " (%" PRIu64 " %s)", ev->keylog_sessions,
                 report_plural(ev->keylog_sessions, "session", "sessions"));
    } else if (ev->keylog_sessions) {
        snprintf(buf, sizeof buf, "%" PRIu64 " %s embedded in the capture (pcapng DSB)",
                 ev->keylog_sessions, report_plural(ev->keylog_sessions, "session", "sessions"));
    } else {
        return false;
    }
    out->put(out->ctx, buf);
    return true;
}

void report_statement_ref(const struct ev_connection *c, size_t i, char *buf, size_t n)
{
    uint64_t line = i < c->statement_line_count ? c->statement_lines[i] : 0;
    if (line) {
        snprintf(buf, n, " (%s %" PRIu64 ")", c->has_also ? "trace line" : "line", line);
    } else if (n > 0) {
        buf[0] = '\0';
    }
}

bool report_unread(const struct evidence *ev, const struct report_sink *out)
{
    for (size_t i = 0; i < ev->unread_count; i++) {
        out->put(out->ctx, i ? "; " : "");
        out->text(out->ctx, ev->unread[i].path);
        out->put(out->ctx, " (");
        out->text(out->ctx, ev->unread[i].reason);
        out->put(out->ctx, ")");
    }
    return ev->unread_count > 0;
}

void report_decryption_line(const struct ev_connection *c, char *buf, size_t n)
{
    if (c->decryption == EV_DEC_FAILED) {
        snprintf(buf, n, "%s (%s %" PRIu64 ")", report_decryption_text(c->decryption),
                 report_ref_word(c), c->decryption_ref);
    } else {
        snprintf(buf, n, "%s", report_decryption_text(c->decryption));
    }
}

void report_out_printf(struct report_out *o, const char *fmt, ...)
{
    if (o->failed) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(o->f, fmt, ap) < 0) {
        o->failed = true;
    }
    va_end(ap);
}

void report_out_put(struct report_out *o, const char *s)
{
    if (!o->failed && fputs(s, o->f) == EOF) {
        o->failed = true;
    }
}

void report_out_safe(struct report_out *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "(none)");
    size_t n = strlen((const char *)p);
    char buf[REPORT_SAFE_CHAR_LEN];

    for (size_t i = 0; i < n && !o->failed;) {
        size_t used = report_safe_char(p + i, n - i, buf, sizeof buf);
        if (used == 0) {
            break;
        }
        report_out_put(o, buf);
        i += used;
    }
}

bool report_cp_invisible(uint32_t cp)
{
    return (cp >= 0x200b && cp <= 0x200f) || /* zero-width, LRM, RLM */
           cp == 0x2028 || cp == 0x2029 ||   /* line and paragraph separators */
           (cp >= 0x202a && cp <= 0x202e) || /* bidi embeddings and overrides */
           (cp >= 0x2066 && cp <= 0x2069) || /* bidi isolates */
           cp == 0xfeff;                     /* zero-width no-break space (BOM) */
}

size_t report_safe_char(const unsigned char *s, size_t left, char *buf, size_t n)
{
    uint32_t cp = 0;

    if (left == 0 || n < REPORT_SAFE_CHAR_LEN) {
        if (n > 0) {
            buf[0] = '\0';
        }
        return 0;
    }
    if (s[0] < 0x20 || s[0] == 0x7f) {
        snprintf(buf, n, "\\x%02X", (unsigned)s[0]);
        return 1;
    }
    size_t len = report_utf8_decode(s, left, &cp);
    if (len == 0) {
        snprintf(buf, n, "\xef\xbf\xbd");
        return 1;
    }
    if ((cp >= 0x80 && cp < 0xa0) || report_cp_invisible(cp)) {
        snprintf(buf, n, "\\u%04" PRIX32, cp);
        return len;
    }
    for (size_t i = 0; i < len; i++) {
        buf[i] = (char)s[i];
    }
    buf[len] = '\0';
    return len;
}

/* ---- sentences the HTML report prints ------------------------------------ */

void report_source_span(const struct ev_connection *c, char *buf, size_t n)
{
    const char *w = report_ref_word(c);

    if (c->source.first && c->source.first == c->source.last) {
        snprintf(buf, n, "%s %" PRIu64, w, c->source.first);
    } else if (c->source.first || c->source.last) {
        snprintf(buf, n, "%ss %" PRIu64 "-%" PRIu64, w, c->source.first, c->source.last);
    } else if (n > 0) {
        buf[0] = '\0';
    }
}

const char *report_icm_role(const struct ev_connection *c)
{
    switch (c->local_side) {
    case EV_SIDE_CLIENT:
        return "TLS client (the ICM called the server)";
    case EV_SIDE_SERVER:
        return "TLS server (a peer called the ICM)";
    case EV_SIDE_UNKNOWN:
    default:
        return "not in the trace (client and server guessed)";
    }
}

void report_client_cert_text(const struct ev_connection *c, char *buf, size_t n)
{
    bool trace = report_from_trace(c);
    const char *who = report_party(c, EV_FROM_CLIENT);

    switch (c->client_cert) {
    case EV_CC_SENT:
        snprintf(buf, n, "%s", trace ? "sent, not in the trace" : "sent, not decoded");
        return;
    case EV_CC_EMPTY:
        if (c->client_chain && c->client_chain->ref) {
            snprintf(buf, n, "none - %s sent an empty Certificate message (%s %" PRIu64 ")", who,
                     report_ref_word(c), c->client_chain->ref);
        } else {
            snprintf(buf, n, "none - %s sent an empty Certificate message", who);
        }
        return;
    case EV_CC_NOT_VISIBLE:
        snprintf(buf, n, "%s", trace ? "not visible in the trace" : "not visible (encrypted)");
        return;
    case EV_CC_NOT_SENT:
    default:
        snprintf(buf, n, "none - %s sent no Certificate message", who);
        return;
    }
}

const char *report_server_chain_absence(const struct ev_connection *c)
{
    if (report_from_trace(c)) {
        return "not in the trace";
    }
    return c->encrypted_after_hello ? "not visible (encrypted)" : "not seen";
}

void report_trace_cert_request_text(const struct ev_connection *c, char *buf, size_t n)
{
    const struct ev_cert_request *cr = c->cert_request;

    if (!cr) {
        snprintf(buf, n, "not in the trace");
    } else if (cr->ref) {
        snprintf(buf, n,
                 "the server asked for a client certificate (line %" PRIu64 "); the CA names it "
                 "accepts are not in the trace - capture the handshake (tcpdump) to see them",
                 cr->ref);
    } else {
        snprintf(buf, n,
                 "the server asked for a client certificate; the CA names it accepts are "
                 "not in the trace - capture the handshake (tcpdump) to see them");
    }
}

void report_note_prefix(const struct ev_connection *c, const struct ev_note *note, char *buf,
                        size_t n)
{
    size_t used = 0;

    if (n == 0) {
        return;
    }
    buf[0] = '\0';
    if (note->ref) {
        used += (size_t)snprintf(buf, n, "%s %" PRIu64 ": ", report_ref_word(c), note->ref);
    }
    if (!report_from_trace(c) && used < n) {
        used += (size_t)snprintf(buf + used, n - used, "from %s", report_dir_name(note->from));
        if (note->offset && used < n) {
            used +=
                (size_t)snprintf(buf + used, n - used, " at stream offset %" PRIu64, note->offset);
        }
        if (used < n) {
            used += (size_t)snprintf(buf + used, n - used, ": ");
        }
    }
    if (note->status != ST_OK && used < n) {
        snprintf(buf + used, n - used, "%s: ", report_status_token(note->status));
    }
}

int report_ctx_init(struct report_ctx *ctx, const struct evidence *ev, const struct findings *f)
{
    memset(ctx, 0, sizeof *ctx);
    if (report_index_init(&ctx->ix, ev, f) != 0) {
        return -1;
    }
    report_count(ev, f, &ctx->counts);
    return 0;
}

void report_ctx_fini(struct report_ctx *ctx)
{
    report_index_fini(&ctx->ix);
    memset(ctx, 0, sizeof *ctx);
}
