/*
 * report_text.c - the text report, tlsdiag's default output: read at a
 * terminal and pasted into tickets. Summary first: a header (tool, inputs),
 * "3 of 57 handshakes failed; 2 x no_fitting_ca, 1 x peer_cert_untrusted",
 * the counts and the input-wide findings. Then each failed or incomplete
 * handshake, and each successful one with a warning or error finding: its
 * outcome and findings (explanation, remediation, evidence) first, then the
 * evidence in detail - endpoints, SNI, version, suite, the message ladder
 * with frame numbers (alerts inline), the CertificateRequest with every CA
 * name, both certificate chains, parse notes. Then the successful handshakes
 * one line each, and last their evidence in full (nothing the report knows
 * is left out, only moved down).
 * Nothing is wrapped or cut: long distinguished names are printed whole.
 * Every string that came from the input is printed through tx_safe, which
 * shows control characters as \xHH and invalid UTF-8 as U+FFFD, so a
 * capture cannot drive the reader's terminal. Colour only when asked.
 *
 * A connection rebuilt from an SAP ICM trace is told in the words of the
 * trace's reader (an SAP Basis administrator): the ICM's role and its local
 * and peer addresses, the SAP error name, code and text, the PSE in use, the
 * target host name, the handshake state, the trace's own sentences and the
 * certificate tree it printed. What a trace cannot show is said to be "not
 * in the trace", never "not seen" or "encrypted", which would send the
 * reader looking for a capture problem that is not there.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_common.h"
#include "tls_names.h"

#define NAME_BUF 32

#define SGR_BOLD "1"
#define SGR_RED "31"
#define SGR_BOLD_RED "1;31"
#define SGR_YELLOW "33"
#define SGR_GREEN "32"

struct tx {
    FILE *f;
    bool color;
    bool failed;
};

static void tx_printf(struct tx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tx_printf(struct tx *t, const char *fmt, ...)
{
    if (t->failed) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(t->f, fmt, ap) < 0) {
        t->failed = true;
    }
    va_end(ap);
}

static void tx_put(struct tx *t, const char *s)
{
    if (!t->failed && fputs(s, t->f) == EOF) {
        t->failed = true;
    }
}

static void tx_on(struct tx *t, const char *sgr)
{
    if (t->color) {
        tx_printf(t, "\033[%sm", sgr);
    }
}

static void tx_off(struct tx *t)
{
    if (t->color) {
        tx_put(t, "\033[0m");
    }
}

/*
 * Untrusted text: valid UTF-8 is kept, C0/C1 controls and DEL become
 * \xHH / \u00HH, bidi and zero-width characters \uHHHH, bytes that are not
 * UTF-8 become U+FFFD (report_safe_char). With indent >= 0
 * a newline starts a new line indented by that many spaces.
 */
static void tx_safe_indent(struct tx *t, const char *s, int indent)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    size_t i = 0;

    while (i < n && !t->failed) {
        unsigned char c = p[i];
        if (c == '\n' && indent >= 0) {
            tx_printf(t, "\n%*s", indent, "");
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            tx_printf(t, "\\x%02X", (unsigned)c);
            i++;
        } else if (c < 0x80) {
            if (putc(c, t->f) == EOF) {
                t->failed = true;
            }
            i++;
        } else {
            /* Not UTF-8, C1 controls, bidi and zero-width characters: report_safe_char. */
            char buf[REPORT_SAFE_CHAR_LEN];
            i += report_safe_char(p + i, n - i, buf, sizeof buf);
            tx_put(t, buf);
        }
    }
}

static void tx_safe(struct tx *t, const char *s)
{
    tx_safe_indent(t, s ? s : "(none)", -1);
}

/* ---- small formatters ---------------------------------------------------- */

static size_t digits(uint64_t v)
{
    size_t d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

static void print_u16_list(struct tx *t, const uint16_t *v, size_t n,
                           const char *(*str)(uint16_t, char *, size_t))
{
    char buf[NAME_BUF];
    for (size_t i = 0; v && i < n; i++) {
        tx_printf(t, "%s%s", i ? ", " : "", str(v[i], buf, sizeof buf));
    }
}

static void print_str_list(struct tx *t, char *const *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        tx_put(t, i ? ", " : "");
        tx_safe(t, v[i]);
    }
}

static void label(struct tx *t, int indent, const char *name)
{
    tx_printf(t, "%*s%-15s ", indent, "", name);
}

/* Labels of a trace's connection are longer ("PSE / SSL identity:"). */
#define TRACE_LABEL_W 19

static void label_w(struct tx *t, int indent, int width, const char *name)
{
    tx_printf(t, "%*s%-*s ", indent, "", width, name);
}

/* The width of the overview labels of this connection. */
static int label_width(const struct ev_connection *c)
{
    return report_from_trace(c) ? TRACE_LABEL_W : 15;
}

/* ---- header and summary ------------------------------------------------- */

/* The trace's header and its SSL initialisation block: the crypto library
 * version and cipher settings explain many failures before any handshake. */
static void print_trace_input(struct tx *t, const struct ev_input *in)
{
    if (in->header_seen) {
        tx_printf(t, "  header: trc level %d (at file creation)", in->trace_level);
        if (in->release) {
            tx_put(t, ", release ");
            tx_safe(t, in->release);
        }
        if (in->patch) {
            tx_put(t, " patch ");
            tx_safe(t, in->patch);
        }
        tx_put(t, "\n");
    }
    if (!in->ssl_init_seen) {
        return;
    }
    tx_printf(t, "  SSL initialisation (line %" PRIu64 ")", in->ssl_init_ref);
    if (in->crypto_lib_version) {
        tx_put(t, ": CommonCryptoLib ");
        tx_safe(t, in->crypto_lib_version);
        if (in->crypto_lib_date) {
            tx_put(t, " (");
            tx_safe(t, in->crypto_lib_date);
            tx_put(t, ")");
        }
    }
    if (in->secudir) {
        tx_put(t, ", SECUDIR ");
        tx_safe(t, in->secudir);
    }
    tx_put(t, "\n");
    if (in->ssl_ciphersuites) {
        tx_put(t, "    ssl/ciphersuites=");
        tx_safe(t, in->ssl_ciphersuites);
        tx_put(t, "\n");
    }
    if (in->ssl_client_ciphersuites) {
        tx_put(t, "    ssl/client_ciphersuites=");
        tx_safe(t, in->ssl_client_ciphersuites);
        tx_put(t, "\n");
    }
    if (in->ssl_ready_seen) {
        tx_printf(t, "    SSL ready (line %" PRIu64 ")\n", in->ssl_ready_ref);
    } else if (in->ssl_init_ended) {
        tx_put(t, "    ");
        tx_on(t, SGR_RED);
        tx_put(t, "SSL NOT ready: no \"SapCryptoLib SSL ready\" line after the block");
        tx_off(t);
        tx_put(t, "\n");
    } else {
        tx_put(t, "    the trace ends inside the block\n");
    }
}

static void print_input(struct tx *t, const struct ev_input *in)
{
    tx_put(t, "Input: ");
    tx_safe(t, in->path);
    tx_printf(t, " (%s", report_input_kind_name(in->kind));
    switch (in->kind) {
    case EV_IN_PCAP:
    case EV_IN_PCAPNG:
    case EV_IN_LIVE:
        tx_printf(t, ", %" PRIu64 " %s", in->units, report_plural(in->units, "packet", "packets"));
        break;
    case EV_IN_ICM:
        tx_printf(t, ", %" PRIu64 " %s", in->units, report_plural(in->units, "line", "lines"));
        break;
    case EV_IN_CERT:
        tx_printf(t, ", %" PRIu64 " %s", in->units,
                  report_plural(in->units, "certificate", "certificates"));
        break;
    case EV_IN_PROBE:
        break;
    }
    tx_put(t, ")");
    if (in->truncated) {
        tx_put(t, " ");
        tx_on(t, SGR_YELLOW);
        tx_put(t, "TRUNCATED");
        tx_off(t);
    }
    tx_put(t, "\n");
    if (in->error) {
        tx_put(t, "  ");
        tx_on(t, SGR_RED);
        tx_put(t, "error");
        if (in->error_ref) {
            const char *w = in->kind == EV_IN_ICM ? "line" : "frame";
            tx_printf(t, " at %s %" PRIu64, w, in->error_ref);
        }
        tx_put(t, ": ");
        tx_safe(t, in->error);
        tx_off(t);
        tx_put(t, "\n");
    }
    if (in->kind == EV_IN_ICM) {
        print_trace_input(t, in);
    }
    if (in->fragments > 0) {
        /* TLS over fragmented IP is rare but real (VPNs, small MTUs): say
         * that those bytes were not looked at, so a gap is not a mystery. */
        tx_printf(t,
                  "  note: %" PRIu64 " IP %s not reassembled; TCP data in %s counts as "
                  "missing\n",
                  in->fragments, report_plural(in->fragments, "fragment was", "fragments were"),
                  report_plural(in->fragments, "it", "them"));
    }
}

static void print_summary(struct tx *t, const struct evidence *ev, const struct report_counts *n)
{
    bool traces = report_traces_only(ev);
    const char *where = report_plural(report_trace_count(ev), "the trace", "the traces");

    if (n->handshakes == 0 && traces) {
        tx_printf(t, "No TLS connection attempt found in %s.\n", where);
    } else if (n->handshakes == 0) {
        tx_put(t, "No TLS handshake found.\n");
    } else {
        if (traces) {
            tx_printf(t, "%zu connection %s in %s", n->handshakes,
                      report_plural(n->handshakes, "attempt", "attempts"), where);
        } else {
            tx_printf(t, "%zu %s in %zu TCP %s", n->handshakes,
                      report_plural(n->handshakes, "handshake", "handshakes"), n->tcp_connections,
                      report_plural(n->tcp_connections, "connection", "connections"));
        }
        const char *sep = ": ";
        if (n->failed) {
            tx_put(t, sep);
            tx_on(t, SGR_RED);
            tx_printf(t, "%zu failed", n->failed);
            tx_off(t);
            sep = ", ";
        }
        if (n->established) {
            tx_put(t, sep);
            tx_on(t, SGR_GREEN);
            tx_printf(t, "%zu established", n->established);
            tx_off(t);
            sep = ", ";
        }
        if (n->incomplete) {
            tx_put(t, sep);
            tx_on(t, SGR_YELLOW);
            tx_printf(t, "%zu incomplete", n->incomplete);
            tx_off(t);
        }
        tx_put(t, "\n");
    }
    if (n->errors + n->warnings + n->infos == 0) {
        tx_put(t, "Findings: none\n");
        return;
    }
    tx_printf(t, "Findings: %zu %s, %zu %s, %zu info\n", n->errors,
              report_plural(n->errors, "error", "errors"), n->warnings,
              report_plural(n->warnings, "warning", "warnings"), n->infos);
}

/* ---- one connection ------------------------------------------------------ */

/* "ICM as TLS client: local A -> peer B": the arrow points from client to server. */
static void print_trace_roles(struct tx *t, const struct ev_connection *c)
{
    char cli[REPORT_ENDPOINT_LEN], srv[REPORT_ENDPOINT_LEN];
    bool known = report_endpoint_known(&c->client) || report_endpoint_known(&c->server);

    report_endpoint_or_unknown(&c->client, cli, sizeof cli);
    report_endpoint_or_unknown(&c->server, srv, sizeof srv);
    switch (c->local_side) {
    case EV_SIDE_CLIENT:
        tx_put(t, " ICM as TLS client");
        if (known) {
            tx_put(t, ": local ");
            tx_safe(t, cli);
            tx_put(t, " -> peer ");
            tx_safe(t, srv);
        }
        break;
    case EV_SIDE_SERVER:
        tx_put(t, " ICM as TLS server");
        if (known) {
            tx_put(t, ": peer ");
            tx_safe(t, cli);
            tx_put(t, " -> local ");
            tx_safe(t, srv);
        }
        break;
    case EV_SIDE_UNKNOWN:
    default:
        tx_put(t, " ICM role not in the trace");
        if (known) {
            tx_put(t, ": client ");
            tx_safe(t, cli);
            tx_put(t, " -> server ");
            tx_safe(t, srv);
            tx_put(t, " (guessed)");
        }
        break;
    }
    if (!known) {
        tx_put(t, " (addresses not in the trace)");
    }
}

static void print_heading(struct tx *t, const struct ev_connection *c)
{
    char cli[REPORT_ENDPOINT_LEN], srv[REPORT_ENDPOINT_LEN];

    tx_on(t, SGR_BOLD);
    tx_printf(t, "Connection #%u", c->id);
    if (report_from_trace(c)) {
        tx_put(t, " (ICM trace");
        if (c->source.thread) {
            tx_put(t, ", thread ");
            tx_safe(t, c->source.thread);
        }
        if (c->source.conn) {
            tx_put(t, ", CCL ");
            tx_safe(t, c->source.conn);
        }
        tx_put(t, ")");
        print_trace_roles(t, c);
        tx_off(t);
        tx_put(t, "\n");
        return;
    }
    report_endpoint_str(&c->client, cli, sizeof cli);
    report_endpoint_str(&c->server, srv, sizeof srv);
    tx_printf(t, " (TCP stream %u)", c->stream);
    tx_put(t, " client ");
    tx_safe(t, cli);
    tx_put(t, " -> server ");
    tx_safe(t, srv);
    tx_off(t);
    if (c->roles_guessed) {
        tx_put(t, " (roles guessed: no hello seen)");
    }
    tx_put(t, "\n");
}

static void sink_put(void *ctx, const char *s)
{
    tx_put(ctx, s);
}

static void sink_text(void *ctx, const char *s)
{
    tx_safe(ctx, s);
}

static void print_client_offer(struct tx *t, const struct ev_connection *c)
{
    struct report_sink out = { .ctx = t, .put = sink_put, .text = sink_text };

    label(t, 2, "Client offered:");
    report_client_offer(c, &out);
    tx_put(t, "\n");
    if (c->ch.suite_count > 0) {
        label(t, 2, "Offered suites:");
        report_offered_suites(c, &out);
        tx_put(t, "\n");
    }
}

/* One "Label: text" line of a stated fact; nothing when the trace does not state it. */
static void print_fact(struct tx *t, int w, const char *name, const char *value)
{
    if (!value) {
        return;
    }
    label_w(t, 2, w, name);
    tx_safe(t, value);
    tx_put(t, "\n");
}

static void print_outcome(struct tx *t, const struct ev_connection *c, int w)
{
    bool trace = report_from_trace(c);

    label_w(t, 2, w, "Outcome:");
    switch (c->outcome) {
    case EV_OUT_ESTABLISHED:
        tx_on(t, SGR_GREEN);
        tx_put(t, "ESTABLISHED");
        break;
    case EV_OUT_FAILED:
        tx_on(t, SGR_BOLD_RED);
        tx_put(t, "FAILED");
        break;
    case EV_OUT_INCOMPLETE:
    default:
        tx_on(t, SGR_YELLOW);
        tx_put(t, "INCOMPLETE");
        break;
    }
    tx_off(t);
    if (trace && c->not_tls) {
        tx_put(t, " - the connection never reached TLS: no TLS handshake took place");
    }
    if (c->outcome_detail && !(trace && report_detail_restates_error(c))) {
        tx_put(t, " - ");
        tx_safe(t, c->outcome_detail);
    }
    tx_put(t, "\n");
}

/* SAP error name, code and text as the trace gives them; then where the handshake stopped. */
static void print_trace_error(struct tx *t, const struct ev_connection *c, int w)
{
    if (c->error_name) {
        label_w(t, 2, w, "SAP error:");
        tx_on(t, SGR_RED);
        tx_safe(t, c->error_name);
        tx_off(t);
        if (c->error_code != 0) {
            tx_printf(t, " (%d)", c->error_code);
        }
        tx_put(t, "\n");
        if (c->error_text) {
            tx_printf(t, "%*s", 2 + w + 1, "");
            tx_safe(t, c->error_text);
            tx_put(t, "\n");
        }
    } else if (c->error_text) {
        print_fact(t, w, "Error:", c->error_text);
    }
    print_fact(t, w, "Handshake state:", c->handshake_state);
}

static void print_overview(struct tx *t, const struct ev_connection *c)
{
    char buf[NAME_BUF];
    char t1[REPORT_TIME_LEN], t2[REPORT_TIME_LEN];
    bool trace = report_from_trace(c);
    int w = label_width(c);

    label_w(t, 2, w, "Source:");
    tx_safe(t, c->source.path);
    if (c->source.first || c->source.last) {
        if (c->source.first == c->source.last) {
            tx_printf(t, ", %s %" PRIu64, report_ref_word(c), c->source.first);
        } else {
            tx_printf(t, ", %ss %" PRIu64 "-%" PRIu64, report_ref_word(c), c->source.first,
                      c->source.last);
        }
    }
    if (c->has_also) {
        /* Merged with a trace of the same connection (analyzer/correlate.c). */
        tx_put(t, "; trace: ");
        tx_safe(t, c->also.path);
        tx_printf(t, ", lines %" PRIu64 "-%" PRIu64, c->also.first, c->also.last);
        if (c->also.thread) {
            tx_put(t, ", thread ");
            tx_safe(t, c->also.thread);
        }
        if (c->also.conn) {
            tx_put(t, ", CCL ");
            tx_safe(t, c->also.conn);
        }
    }
    tx_put(t, "\n");
    if (report_time_iso(&c->first_ts, t1, sizeof t1)) {
        label_w(t, 2, w, "Time:");
        tx_put(t, t1);
        if (report_time_iso(&c->last_ts, t2, sizeof t2) && strcmp(t1, t2) != 0) {
            tx_printf(t, " to %s", t2);
        }
        tx_put(t, "\n");
    }
    if (trace || c->has_also) {
        print_fact(t, w, "Target host name:", c->target_host);
    }

    /* A trace states the SNI without a ClientHello; say nothing when it does not. */
    if (c->ch.sni) {
        label_w(t, 2, w, "SNI:");
        tx_safe(t, c->ch.sni);
        tx_put(t, trace && !c->ch.seen ? " (from the trace)\n" : "\n");
    } else if (!c->ch.seen && !trace) {
        label(t, 2, "SNI:");
        tx_put(t, "unknown (no ClientHello seen)\n");
    } else if (c->ch.seen) {
        label_w(t, 2, w, "SNI:");
        tx_put(t, "none (the ClientHello carried no server_name)\n");
    }
    if (trace || c->has_also) {
        print_fact(t, w, "PSE / SSL identity:", c->identity);
    }

    if (c->ch.seen) {
        print_client_offer(t, c);
    }

    /* Version and suite only when known: a trace may state the suite alone. */
    if (c->sh.seen) {
        if (c->sh.version != 0) {
            label_w(t, 2, w, "Version:");
            tx_put(t, tls_version_str(c->sh.version, buf, sizeof buf));
            if (c->sh.hrr) {
                tx_put(t, " (after a HelloRetryRequest)");
            }
            tx_put(t, "\n");
        }
        if (c->sh.suite != 0) {
            label_w(t, 2, w, "Cipher suite:");
            tx_put(t, tls_cipher_suite_str(c->sh.suite, buf, sizeof buf));
            tx_put(t, "\n");
        }
        if (c->decryption != EV_DEC_NONE) {
            char dec[300];
            report_decryption_line(c, dec, sizeof dec);
            label_w(t, 2, w, "Decryption:");
            tx_printf(t, "%s\n", dec);
        }
    } else if (!trace) {
        label(t, 2, "Version:");
        tx_put(t, "not negotiated (no ServerHello seen)\n");
    }
}

/* The trace's own sentences, verbatim (the error text is printed above already). */
static void print_statements(struct tx *t, const struct ev_connection *c)
{
    size_t n = 0;
    for (size_t i = 0; c->statements && i < c->statement_count; i++) {
        n += c->statements[i] && !(c->error_text && strcmp(c->statements[i], c->error_text) == 0);
    }
    if (n == 0) {
        return;
    }
    tx_on(t, SGR_BOLD);
    tx_put(t, "\n  The trace says:\n");
    tx_off(t);
    for (size_t i = 0; i < c->statement_count; i++) {
        const char *st = c->statements[i];
        if (!st || (c->error_text && strcmp(st, c->error_text) == 0)) {
            continue;
        }
        char ref[48];
        report_statement_ref(c, i, ref, sizeof ref);
        tx_put(t, "    ");
        tx_safe(t, st);
        tx_put(t, ref);
        tx_put(t, "\n");
    }
}

/* in_ladder: the ladder line says "(encrypted)" itself. */
static void print_alert_text(struct tx *t, const struct ev_alert *a, bool in_ladder)
{
    char buf[80];
    if (a->encrypted) {
        tx_put(t, in_ladder ? "Alert" : "Alert (encrypted)");
        return;
    }
    tx_on(t, a->level == 2 ? SGR_BOLD_RED : SGR_YELLOW);
    tx_put(t, "Alert ");
    tx_put(t, report_alert_str(a, buf, sizeof buf));
    tx_off(t);
}

static void print_ladder(struct tx *t, const struct ev_connection *c)
{
    char buf[NAME_BUF], rel[40];
    uint64_t maxref = 0;
    bool times = c->source.kind == EV_SRC_PCAP && report_time_known(&c->first_ts);

    for (size_t i = 0; i < c->msg_count; i++) {
        maxref = c->msgs[i].ref > maxref ? c->msgs[i].ref : maxref;
    }
    for (size_t i = 0; i < c->alert_count; i++) {
        maxref = c->alerts[i].ref > maxref ? c->alerts[i].ref : maxref;
    }
    int w = (int)digits(maxref);
    w = w < 5 ? 5 : w;

    tx_on(t, SGR_BOLD);
    tx_printf(t, "\n  Messages (%zu):\n", c->msg_count);
    tx_off(t);
    if (c->msg_count == 0) {
        tx_put(t, "    none seen\n");
    } else {
        tx_printf(t, "    %*s  %s%-6s  %s\n", w, report_ref_word(c), times ? "time       " : "",
                  "dir", "message");
    }
    for (size_t i = 0; i < c->msg_count; i++) {
        const struct ev_msg *m = &c->msgs[i];
        tx_printf(t, "    %*" PRIu64 "  ", w, m->ref);
        if (times) {
            report_rel_time(&c->first_ts, &m->ts, rel, sizeof rel);
            tx_printf(t, "%-9s  ", rel);
        }
        tx_printf(t, "%s  ", report_arrow(m->from));
        bool shown = false;
        for (size_t k = 0; m->content_type == 21 && k < c->alert_count; k++) {
            const struct ev_alert *a = &c->alerts[k];
            if (a->msg_index == i && a->from == m->from) {
                tx_put(t, shown ? "; " : "");
                print_alert_text(t, a, m->encrypted);
                shown = true;
            }
        }
        if (!shown) {
            tx_safe(t, report_msg_name(m, buf, sizeof buf));
        }
        tx_printf(t, ", %" PRIu32 " %s", m->length, report_plural(m->length, "byte", "bytes"));
        if (m->encrypted) {
            tx_put(t, " (encrypted)");
        } else if (m->decrypted) {
            tx_put(t, " (decrypted)");
        }
        if (m->ref_first && m->ref_first != m->ref) {
            tx_printf(t, " [%ss %" PRIu64 "-%" PRIu64 "]", report_ref_word(c), m->ref_first,
                      m->ref);
        }
        tx_put(t, "\n");
    }

    /* Alerts that no ladder line shows (should not happen; never lose one). */
    for (size_t k = 0; k < c->alert_count; k++) {
        const struct ev_alert *a = &c->alerts[k];
        size_t mi = a->msg_index;
        if (mi < c->msg_count && c->msgs[mi].content_type == 21 && c->msgs[mi].from == a->from) {
            continue;
        }
        tx_printf(t, "    %*" PRIu64 "  ", w, a->ref);
        if (times) {
            report_rel_time(&c->first_ts, &a->ts, rel, sizeof rel);
            tx_printf(t, "%-9s  ", rel);
        }
        tx_printf(t, "%s  ", report_arrow(a->from));
        print_alert_text(t, a, false);
        tx_put(t, "\n");
    }

    char closes[160];
    report_tcp_close_text(c, closes, sizeof closes);
    if (closes[0]) {
        tx_printf(t, "    TCP: %s\n", closes);
    }
}

/* A trace has no message ladder; its alerts are stated facts. */
static void print_trace_alerts(struct tx *t, const struct ev_connection *c)
{
    if (c->alert_count == 0) {
        return;
    }
    tx_on(t, SGR_BOLD);
    tx_printf(t, "\n  %s stated in the trace:\n", report_plural(c->alert_count, "Alert", "Alerts"));
    tx_off(t);
    for (size_t i = 0; c->alerts && i < c->alert_count; i++) {
        const struct ev_alert *a = &c->alerts[i];
        tx_put(t, "    ");
        if (a->ref) {
            tx_printf(t, "line %" PRIu64 ": ", a->ref);
        }
        print_alert_text(t, a, false);
        tx_printf(t, ", sent by %s\n", report_party(c, a->from));
    }
}

static void print_trace_cert_request(struct tx *t, const struct ev_connection *c)
{
    const struct ev_cert_request *cr = c->cert_request;

    tx_put(t, "\n");
    tx_on(t, SGR_BOLD);
    tx_put(t, "  Certificate request:");
    tx_off(t);
    if (!cr) {
        tx_put(t, " not in the trace\n");
        return;
    }
    tx_put(t, " the server asked for a client certificate");
    if (cr->ref) {
        tx_printf(t, " (line %" PRIu64 ")", cr->ref);
    }
    tx_put(t, "; the CA names it accepts are not in the trace - capture the handshake "
              "(tcpdump) to see them\n");
}

static void print_cert_request(struct tx *t, const struct ev_connection *c)
{
    if (report_from_trace(c) && !(c->cert_request && c->cert_request->visible)) {
        print_trace_cert_request(t, c);
        return;
    }

    const struct ev_cert_request *cr = c->cert_request;
    char buf[NAME_BUF];

    if (report_from_trace(c) && !(cr && cr->visible)) {
        print_trace_cert_request(t, c);
        return;
    }
    tx_put(t, "\n");
    if (!cr || !cr->visible) {
        tx_on(t, SGR_BOLD);
        tx_put(t, "  Certificate request:");
        tx_off(t);
        tx_put(t, " ");
        tx_put(t, report_cert_request_absence(c));
        tx_put(t, "\n");
        return;
    }
    tx_on(t, SGR_BOLD);
    tx_printf(t, "  Certificate request (%s %" PRIu64 ", %s):\n", report_ref_word(c), cr->ref,
              cr->phase == EV_PHASE_INITIAL         ? "initial handshake"
              : cr->phase == EV_PHASE_RENEGOTIATION ? "renegotiation"
                                                    : "post-handshake authentication");
    tx_off(t);
    label(t, 4, "Certificate types:");
    for (size_t i = 0; cr->cert_types && i < cr->cert_type_count; i++) {
        tx_printf(t, "%s%s", i ? ", " : "", tls_cert_type_str(cr->cert_types[i], buf, sizeof buf));
    }
    tx_put(t, cr->cert_type_count ? "\n" : "(none)\n");
    label(t, 4, "Signature algorithms:");
    print_u16_list(t, cr->sig_algs, cr->sig_alg_count, tls_sig_scheme_str);
    tx_put(t, cr->sig_alg_count ? "\n" : "(none)\n");

    tx_on(t, SGR_BOLD);
    tx_printf(t, "    CA names accepted by the server (%zu):", cr->ca_count);
    tx_off(t);
    if (cr->ca_count == 0) {
        tx_put(t, " none listed (the client may send a certificate from any CA)\n");
        return;
    }
    tx_put(t, "\n");
    int w = (int)digits(cr->ca_count);
    for (size_t i = 0; cr->ca_names && i < cr->ca_count; i++) {
        tx_printf(t, "    %*zu. ", w, i + 1);
        tx_safe(t, cr->ca_names[i].text ? cr->ca_names[i].text : "(unreadable name)");
        tx_put(t, "\n");
    }
}

static void print_cert(struct tx *t, const struct ev_cert *cert, size_t idx, size_t count)
{
    const int in = 7;

    tx_printf(t, "    %zu. ", idx + 1);
    tx_printf(t, "%-15s ", "subject:");
    tx_safe(t, cert->subject);
    if (idx == 0) {
        tx_put(t, count > 1 ? "   (leaf)" : "");
    }
    tx_put(t, "\n");
    label(t, in, "issuer:");
    tx_safe(t, cert->issuer);
    tx_put(t, "\n");
    label(t, in, "validity:");
    tx_safe(t, cert->not_before ? cert->not_before : "?");
    tx_put(t, " to ");
    tx_safe(t, cert->not_after ? cert->not_after : "?");
    tx_put(t, "\n");
    label(t, in, "key:");
    tx_safe(t, cert->key_type ? cert->key_type : "unknown");
    if (cert->key_bits) {
        tx_printf(t, " %u bits", cert->key_bits);
    }
    if (cert->signature_algorithm) {
        tx_put(t, ", signed with ");
        tx_safe(t, cert->signature_algorithm);
    }
    tx_put(t, "\n");
    label(t, in, "serial:");
    tx_safe(t, cert->serial);
    tx_put(t, "\n");
    label(t, in, "sha256:");
    tx_safe(t, cert->sha256[0] ? cert->sha256 : NULL);
    tx_put(t, "\n");
    if (cert->san_count > 0) {
        label(t, in, "SAN:");
        print_str_list(t, cert->san, cert->san_count);
        tx_put(t, "\n");
    }
    label(t, in, "CA:");
    tx_put(t, cert->is_ca ? "yes" : "no");
    if (cert->is_ca && cert->path_len >= 0) {
        tx_printf(t, " (path length %d)", cert->path_len);
    }
    if (cert->self_signed) {
        tx_put(t, ", self-signed");
    }
    tx_put(t, "\n");
    if (cert->key_usage_count > 0) {
        label(t, in, "key usage:");
        print_str_list(t, cert->key_usage, cert->key_usage_count);
        tx_put(t, "\n");
    }
    if (cert->ext_key_usage_count > 0) {
        label(t, in, "ext. key usage:");
        print_str_list(t, cert->ext_key_usage, cert->ext_key_usage_count);
        tx_put(t, "\n");
    }
    if (cert->error) {
        label(t, in, "error:");
        tx_on(t, SGR_RED);
        tx_safe(t, cert->error);
        tx_off(t);
        tx_put(t, "\n");
    }
}

static void print_chain(struct tx *t, const struct ev_connection *c, const char *title,
                        const struct ev_chain *chain)
{
    tx_on(t, SGR_BOLD);
    tx_printf(t, "  %s (%zu)", title, chain->count);
    if (chain->ref) {
        tx_printf(t, ", %s %" PRIu64, report_ref_word(c), chain->ref);
    }
    tx_put(t, ":\n");
    tx_off(t);
    for (size_t i = 0; chain->certs && i < chain->count; i++) {
        if (chain->certs[i]) {
            print_cert(t, chain->certs[i], i, chain->count);
        } else {
            tx_printf(t, "    %zu. (not decoded)\n", i + 1);
        }
    }
}

/* The certificate tree a trace printed: text only, leaf first, then each signer. */
static void print_stated_certs(struct tx *t, const struct ev_connection *c)
{
    const int in = 7;

    tx_on(t, SGR_BOLD);
    tx_printf(t, "  Certificates printed by the trace (%zu%s):\n", c->stated_cert_count,
              c->stated_cert_count > 1 ? ", leaf first" : "");
    tx_off(t);
    for (size_t i = 0; c->stated_certs && i < c->stated_cert_count; i++) {
        const struct ev_stated_cert *sc = &c->stated_certs[i];
        tx_printf(t, "    %zu. %-15s ", i + 1, "subject:");
        tx_safe(t, sc->subject ? sc->subject : "(not in the trace)");
        tx_put(t, "\n");
        if (sc->issuer) {
            label(t, in, "issuer:");
            tx_safe(t, sc->issuer);
            tx_put(t, "\n");
        }
        if (sc->serial) {
            label(t, in, "serial:");
            tx_safe(t, sc->serial);
            tx_put(t, "\n");
        }
        if (sc->status) {
            label(t, in, "verification:");
            tx_safe(t, sc->status);
            tx_put(t, "\n");
        }
        if (sc->ref) {
            label(t, in, "trace line:");
            tx_printf(t, "%" PRIu64 "\n", sc->ref);
        }
    }
}

static void print_trace_certificates(struct tx *t, const struct ev_connection *c)
{
    if (c->server_chain) {
        tx_put(t, "\n");
        print_chain(t, c, "Server certificate chain", c->server_chain);
    }
    if (c->stated_cert_count > 0) {
        tx_put(t, "\n");
        print_stated_certs(t, c);
    } else if (!c->server_chain) {
        tx_on(t, SGR_BOLD);
        tx_put(t, "\n  Server certificate chain:");
        tx_off(t);
        tx_put(t, " not in the trace\n");
    }

    tx_put(t, "\n");
    if (c->client_cert == EV_CC_SENT && c->client_chain) {
        print_chain(t, c, "Client certificate chain", c->client_chain);
        return;
    }
    tx_on(t, SGR_BOLD);
    tx_put(t, "  Client certificate:");
    tx_off(t);
    switch (c->client_cert) {
    case EV_CC_SENT:
        tx_put(t, " sent, not in the trace\n");
        return;
    case EV_CC_EMPTY:
        tx_printf(t, " none - %s sent an empty certificate list", report_party(c, EV_FROM_CLIENT));
        if (c->client_chain && c->client_chain->ref) {
            tx_printf(t, " (line %" PRIu64 ")", c->client_chain->ref);
        }
        tx_put(t, "\n");
        return;
    case EV_CC_NOT_SENT:
        tx_printf(t, " none - %s sent no certificate\n", report_party(c, EV_FROM_CLIENT));
        return;
    case EV_CC_NOT_VISIBLE:
    default:
        tx_put(t, " not visible in the trace\n");
        return;
    }
}

static void print_certificates(struct tx *t, const struct ev_connection *c)
{
    if (report_from_trace(c)) {
        print_trace_certificates(t, c);
        return;
    }
    tx_put(t, "\n");
    if (c->server_chain) {
        print_chain(t, c, "Server certificate chain", c->server_chain);
    } else {
        tx_on(t, SGR_BOLD);
        tx_put(t, "  Server certificate chain:");
        tx_off(t);
        tx_put(t, c->encrypted_after_hello ? " not visible (encrypted)\n" : " not seen\n");
    }

    tx_put(t, "\n");
    switch (c->client_cert) {
    case EV_CC_SENT:
        if (c->client_chain) {
            print_chain(t, c, "Client certificate chain", c->client_chain);
        } else {
            tx_on(t, SGR_BOLD);
            tx_put(t, "  Client certificate chain: sent, not decoded\n");
            tx_off(t);
        }
        break;
    case EV_CC_EMPTY:
        tx_on(t, SGR_BOLD);
        tx_put(t, "  Client sent an empty Certificate message");
        tx_off(t);
        if (c->client_chain && c->client_chain->ref) {
            tx_printf(t, " (%s %" PRIu64 ")", report_ref_word(c), c->client_chain->ref);
        }
        tx_put(t, "\n");
        break;
    case EV_CC_NOT_VISIBLE:
        tx_on(t, SGR_BOLD);
        tx_put(t, "  Client certificate:");
        tx_off(t);
        tx_put(t, " not visible (encrypted)\n");
        break;
    case EV_CC_NOT_SENT:
    default:
        tx_on(t, SGR_BOLD);
        tx_put(t, "  Client sent no Certificate message");
        tx_off(t);
        tx_put(t, "\n");
        break;
    }
}

static void print_notes(struct tx *t, const struct ev_connection *c)
{
    if (c->note_count == 0) {
        return;
    }
    tx_on(t, SGR_BOLD);
    tx_printf(t, "\n  Notes (%zu):\n", c->note_count);
    tx_off(t);
    for (size_t i = 0; c->notes && i < c->note_count; i++) {
        const struct ev_note *n = &c->notes[i];
        tx_put(t, "    ");
        if (report_from_trace(c)) {
            /* A trace line has no direction: "line 22: NI handle 463". */
            if (n->ref) {
                tx_printf(t, "line %" PRIu64 ": ", n->ref);
            }
        } else {
            if (n->ref) {
                tx_printf(t, "%s %" PRIu64 ", ", report_ref_word(c), n->ref);
            }
            tx_printf(t, "from %s", report_dir_name(n->from));
            if (n->offset) {
                tx_printf(t, " at stream offset %" PRIu64, n->offset);
            }
            tx_put(t, ": ");
        }
        /* A note with ST_OK is a plain fact, not a problem. */
        if (n->status != ST_OK) {
            tx_printf(t, "%s: ", report_status_token(n->status));
        }
        tx_safe(t, n->text);
        tx_put(t, "\n");
    }
}

static void print_finding(struct tx *t, const struct finding *f, const char *refword)
{
    const char *sgr = f->severity == SEV_ERROR     ? SGR_BOLD_RED
                      : f->severity == SEV_WARNING ? SGR_YELLOW
                                                   : SGR_BOLD;
    tx_put(t, "    ");
    tx_on(t, sgr);
    tx_printf(t, "[%s]",
              f->severity == SEV_ERROR     ? "ERROR"
              : f->severity == SEV_WARNING ? "WARNING"
                                           : "INFO");
    tx_off(t);
    tx_put(t, " ");
    tx_on(t, SGR_BOLD);
    tx_safe(t, f->title ? f->title : f->rule);
    tx_off(t);
    tx_put(t, " (");
    tx_safe(t, f->rule);
    tx_put(t, ")\n");
    if (f->explanation) {
        tx_put(t, "      ");
        tx_safe_indent(t, f->explanation, 6);
        tx_put(t, "\n");
    }
    if (f->remediation_count > 0) {
        tx_put(t, "      What to do:\n");
        int w = (int)digits(f->remediation_count);
        for (size_t i = 0; f->remediation && i < f->remediation_count; i++) {
            tx_printf(t, "        %*zu. ", w, i + 1);
            tx_safe_indent(t, f->remediation[i] ? f->remediation[i] : "", 10 + w);
            tx_put(t, "\n");
        }
    }
    if (f->evidence_count > 0) {
        tx_printf(t, "      Evidence: %s%s ", refword, f->evidence_count == 1 ? "" : "s");
        for (size_t i = 0; f->evidence && i < f->evidence_count; i++) {
            tx_printf(t, "%s%" PRIu64, i ? ", " : "", f->evidence[i]);
        }
        tx_put(t, "\n");
    }
    if (f->reference_count > 0) {
        tx_put(t, "      References: ");
        for (size_t i = 0; f->references && i < f->reference_count; i++) {
            tx_put(t, i ? "; " : "");
            tx_safe(t, f->references[i]);
        }
        tx_put(t, "\n");
    }
}

/* The heading line comes from the caller: a blank line before it when wanted. */
static void print_findings(struct tx *t, const struct report_flist *l, const char *heading,
                           const char *refword)
{
    if (l->count == 0) {
        return;
    }
    tx_on(t, SGR_BOLD);
    tx_printf(t, "%s (%zu):", heading, l->count);
    tx_off(t);
    tx_put(t, "\n");
    for (size_t i = 0; i < l->count; i++) {
        if (i > 0) {
            tx_put(t, "\n");
        }
        print_finding(t, l->items[i], refword);
    }
}

/* A connection in full: what is wrong and what to do first, the evidence below. */
static void print_connection(struct tx *t, const struct ev_connection *c,
                             const struct report_flist *findings)
{
    tx_put(t, "\n");
    bool trace = report_from_trace(c);

    print_heading(t, c);
    print_outcome(t, c, label_width(c));
    if (trace || c->has_also) {
        print_trace_error(t, c, label_width(c));
    }
    print_findings(t, findings, "  Findings", report_ref_word(c));
    tx_put(t, "\n");
    print_overview(t, c);
    if (trace || c->has_also) {
        print_statements(t, c);
    }
    if (!trace || c->msg_count > 0) {
        print_ladder(t, c);
    } else {
        print_trace_alerts(t, c);
    }
    /* An attempt that never reached TLS exchanged no certificates. */
    if (!(trace && c->not_tls)) {
        print_cert_request(t, c);
        print_certificates(t, c);
    }
    print_notes(t, c);
}

/* ---- sections ------------------------------------------------------------ */

static void print_ok_line(struct tx *t, const struct ev_connection *c);

/* "Failed handshakes (2):" and each of them in full, or one line each
 * (successful handshakes: their evidence in full follows at the end of the
 * report, since the CA names a server accepts matter even when this client
 * fitted). */
static void print_section(struct tx *t, const struct evidence *ev, const struct report_index *ix,
                          enum report_section sec, const char *title, bool one_line)
{
    size_t n = report_section_count(ev, ix, sec);
    if (n == 0) {
        return;
    }
    tx_put(t, "\n");
    tx_on(t, SGR_BOLD);
    tx_printf(t, "%s (%zu):", title, n);
    tx_off(t);
    tx_put(t, "\n");
    for (size_t i = 0; i < ev->conn_count && !t->failed; i++) {
        if (report_section_of(ev->conns[i], &ix->by_conn[i]) != sec) {
            continue;
        }
        if (one_line) {
            print_ok_line(t, ev->conns[i]);
        } else {
            print_connection(t, ev->conns[i], &ix->by_conn[i]);
        }
    }
}

/* "frames 4-12" or "line 7": where a one-line entry's evidence is. */
static void print_source_span(struct tx *t, const struct ev_connection *c)
{
    const char *w = report_ref_word(c);
    if (c->source.first == c->source.last) {
        tx_printf(t, "%s %" PRIu64, w, c->source.first);
    } else {
        tx_printf(t, "%ss %" PRIu64 "-%" PRIu64, w, c->source.first, c->source.last);
    }
}

/* #3 client -> server, SNI, version, suite, client certificate (frames): one line. */
static void print_ok_line(struct tx *t, const struct ev_connection *c)
{
    char buf[NAME_BUF], cli[REPORT_ENDPOINT_LEN], srv[REPORT_ENDPOINT_LEN];

    report_endpoint_or_unknown(&c->client, cli, sizeof cli);
    report_endpoint_or_unknown(&c->server, srv, sizeof srv);
    tx_printf(t, "  #%u ", c->id);
    tx_safe(t, cli);
    tx_put(t, " -> ");
    tx_safe(t, srv);
    if (c->ch.sni) {
        tx_put(t, ", SNI ");
        tx_safe(t, c->ch.sni);
    } else if (c->ch.seen) {
        tx_put(t, ", no SNI");
    }
    if (c->sh.seen && c->sh.version != 0) {
        tx_printf(t, ", %s", tls_version_str(c->sh.version, buf, sizeof buf));
    }
    if (c->sh.seen && c->sh.suite != 0) {
        tx_printf(t, ", %s", tls_cipher_suite_str(c->sh.suite, buf, sizeof buf));
    }
    switch (c->client_cert) {
    case EV_CC_SENT:
        tx_put(t, ", client certificate ");
        if (c->client_chain && c->client_chain->count > 0 && c->client_chain->certs &&
            c->client_chain->certs[0]) {
            tx_safe(t, c->client_chain->certs[0]->subject);
        } else {
            tx_put(t, "sent");
        }
        break;
    case EV_CC_EMPTY:
        tx_put(t, ", empty client certificate");
        break;
    case EV_CC_NOT_VISIBLE:
        tx_put(t, ", client certificate not visible");
        break;
    case EV_CC_NOT_SENT:
    default:
        tx_put(t, ", no client certificate");
        break;
    }
    tx_put(t, " (");
    print_source_span(t, c);
    tx_put(t, ")\n");
}

/* The headline's writers (report_headline): its lead bold, red when it is bad news. */
struct tx_headline {
    struct tx *t;
    bool bad;
};

static void hl_put(void *ctx, const char *s)
{
    tx_put(((struct tx_headline *)ctx)->t, s);
}

static void hl_rule(void *ctx, const char *rule)
{
    tx_safe(((struct tx_headline *)ctx)->t, rule);
}

static void hl_lead(void *ctx, bool start)
{
    struct tx_headline *h = ctx;
    if (start) {
        tx_on(h->t, h->bad ? SGR_BOLD_RED : SGR_BOLD);
    } else {
        tx_off(h->t);
    }
}

/* "3 of 57 handshakes failed; errors: 2 x no_fitting_ca; warnings: 1 x weak_key" */
static int print_headline(struct tx *t, const struct evidence *ev, const struct report_index *ix,
                          const struct report_counts *n)
{
    struct tx_headline h = { .t = t, .bad = report_headline_bad(n) };
    struct report_headline_out out = { .ctx = &h, .put = hl_put, .rule = hl_rule, .lead = hl_lead };

    if (n->handshakes == 0) {
        return 0; /* the summary says so */
    }
    if (report_headline(ev, ix, n, &out) != 0) {
        return -1;
    }
    tx_put(t, "\n");
    return 0;
}

int report_write_text(FILE *out, const struct evidence *ev, const struct findings *f,
                      const struct report_options *o)
{
    struct tx t = { .f = out, .color = o && o->color };
    struct report_index ix;
    struct report_counts counts;

    if (report_index_init(&ix, ev, f) != 0) {
        return -1;
    }
    report_count(ev, f, &counts);

    tx_on(&t, SGR_BOLD);
    if (o && o->deterministic) {
        tx_put(&t, "tlsdiag - TLS handshake report");
    } else {
        tx_put(&t, "tlsdiag ");
        tx_safe(&t, report_version(o));
        tx_put(&t, " - TLS handshake report");
    }
    tx_off(&t);
    tx_put(&t, "\n");
    if (ev->redacted) {
        tx_put(&t, "Redacted: yes (addresses, host names, serials and non-public certificate "
                   "names are pseudonyms)\n");
    }
    for (size_t i = 0; ev->inputs && i < ev->input_count; i++) {
        print_input(&t, &ev->inputs[i]);
    }
    struct report_sink hs = { .ctx = &t, .put = sink_put, .text = sink_text };
    if (ev->keylog_path || ev->keylog_sessions) {
        tx_put(&t, "Key log: ");
        report_keylog(ev, &hs);
        tx_put(&t, "\n");
    }
    if (ev->unread_count > 0) {
        tx_put(&t, "Not read: ");
        report_unread(ev, &hs);
        tx_put(&t, "\n");
    }
    if (print_headline(&t, ev, &ix, &counts) != 0) {
        report_index_fini(&ix);
        return -1;
    }
    print_summary(&t, ev, &counts);
    if (ix.global.count > 0) {
        /* Input-wide findings refer to the first input's kind of reference. */
        const char *refword =
            ev->input_count > 0 && ev->inputs[0].kind == EV_IN_ICM ? "line" : "frame";
        tx_put(&t, "\n");
        print_findings(&t, &ix.global, "Findings for the whole input", refword);
    }

    char title[80];
    for (enum report_section sec = REPORT_SEC_FAILED; sec <= REPORT_SEC_OK; sec++) {
        report_section_title(ev, sec, title, sizeof title);
        print_section(&t, ev, &ix, sec, title, sec == REPORT_SEC_OK);
    }
    /* The successful ones in full last: the CA names a server accepts matter too. */
    snprintf(title, sizeof title, "Details of the successful %s", report_conn_noun(ev, 2));
    print_section(&t, ev, &ix, REPORT_SEC_OK, title, false);

    report_index_fini(&ix);
    if (fflush(out) != 0 || ferror(out)) {
        t.failed = true;
    }
    return t.failed ? -1 : 0;
}
