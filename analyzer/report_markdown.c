/*
 * report_markdown.c - the Markdown report, for tickets: pastes into GitHub,
 * Jira and ServiceNow (CommonMark plus GFM tables). A title, the headline
 * ("1 of 1 handshake failed; errors: 1 x no_fitting_ca", report_headline)
 * and the counts, then each failed or incomplete handshake, and each
 * successful one with a warning or error finding, in a section of its own:
 * outcome, findings with remediation and evidence, the CA names and the
 * certificate chains as tables, alerts, and the message ladder inside
 * <details> under a heading of its own (GitHub folds it; Jira and
 * ServiceNow show the tags as text, and the heading says what follows).
 * The other successful handshakes follow as one table row each.
 *
 * Every string that came from the input goes through md_text or md_code:
 * Markdown punctuation is backslash-escaped (CommonMark 2.4), so a
 * distinguished name with `|`, `*`, `<` or backticks cannot open a table
 * cell, emphasis, raw HTML or a code span; control characters become \xHH
 * and invalid UTF-8 U+FFFD as in the text report, so no input can end a
 * line, a table row or a list item. Output is deterministic: no colour,
 * wall-clock time or version in --deterministic mode.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_common.h"
#include "tls_names.h"

#define NAME_BUF 80

struct md {
    FILE *f;
    bool failed;
};

static void md_printf(struct md *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void md_printf(struct md *m, const char *fmt, ...)
{
    if (m->failed) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(m->f, fmt, ap) < 0) {
        m->failed = true;
    }
    va_end(ap);
}

static void md_put(struct md *m, const char *s)
{
    if (!m->failed && fputs(s, m->f) == EOF) {
        m->failed = true;
    }
}

static void md_bytes(struct md *m, const unsigned char *p, size_t n)
{
    if (!m->failed && fwrite(p, 1, n, m->f) != n) {
        m->failed = true;
    }
}

/* ---- escaping untrusted text --------------------------------------------- */

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Whether p[i] needs a backslash: characters that open inline structure
 * (code, emphasis, links, raw HTML, GFM strikethrough and table cells,
 * GitHub math). Two are left alone where they cannot do harm, to keep the
 * text readable in targets that show the source: `_` inside a word (an
 * intraword underscore never delimits emphasis, CommonMark 6.2, so
 * handshake_failure stays as it is) and `&` not followed by a letter, digit
 * or `#` (no entity reference can start, 2.5). Line-start structure
 * (headings, lists, quotes) is handled in md_text_indent.
 */
static bool md_special(const unsigned char *p, size_t i, size_t n)
{
    unsigned char c = p[i];
    unsigned char next = i + 1 < n ? p[i + 1] : '\0';

    if (c == '_') {
        return !(i > 0 && is_alnum(p[i - 1]) && is_alnum(next));
    }
    if (c == '&') {
        return is_alnum(next) || next == '#';
    }
    return c != '\0' && strchr("\\`*[]<>|~$", c) != NULL;
}

/* One non-ASCII character of untrusted text (report_safe_char): valid UTF-8
 * is kept, C1 controls, bidi and zero-width characters are shown as \uXXXX,
 * a bad byte as U+FFFD. Returns the bytes consumed (at least 1). */
static size_t md_utf8(struct md *m, const unsigned char *p, size_t n)
{
    char buf[REPORT_SAFE_CHAR_LEN];
    size_t len = report_safe_char(p, n, buf, sizeof buf);
    md_put(m, buf);
    return len ? len : 1;
}

/*
 * Untrusted text in running Markdown. Valid UTF-8 is kept, C0/C1 controls
 * and DEL become \xHH / \u00HH, invalid bytes U+FFFD. With indent >= 0 a
 * newline continues the current list item on a new line indented by that
 * many spaces (its first character escaped so it cannot start a heading,
 * list or quote); with indent < 0 a newline is shown as \x0A, which keeps
 * table rows and headings on one line.
 */
static void md_text_indent(struct md *m, const char *s, int indent)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "(none)");
    size_t n = strlen((const char *)p);
    bool line_start = false;

    for (size_t i = 0; i < n && !m->failed;) {
        unsigned char c = p[i];
        if (c == '\n' && indent >= 0) {
            md_printf(m, "\n%*s", indent, "");
            line_start = true;
            i++;
            continue;
        }
        if (line_start && c == ' ') {
            i++; /* leading blanks would make an indented code block */
            continue;
        }
        if (line_start && strchr("#-+=>", c)) {
            md_put(m, "\\");
        }
        line_start = false;
        if (c < 0x20 || c == 0x7f) {
            md_printf(m, "\\x%02X", (unsigned)c);
            i++;
        } else if (c < 0x80) {
            if (md_special(p, i, n)) {
                md_put(m, "\\");
            }
            md_bytes(m, &p[i], 1);
            i++;
        } else {
            i += md_utf8(m, p + i, n - i);
        }
    }
}

static void md_text(struct md *m, const char *s)
{
    md_text_indent(m, s, -1);
}

/* Longest run of backticks in s. */
static size_t backtick_run(const char *s)
{
    size_t best = 0, run = 0;
    for (; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        best = run > best ? run : best;
    }
    return best;
}

/*
 * Untrusted text as a code span (paths, SAP error names): the fence is one
 * backtick longer than any run inside (CommonMark 6.1), padded with a space
 * when the text touches a backtick. In a table `|` is escaped because GFM
 * splits cells before it parses code spans (elsewhere a backslash in a code
 * span is shown as is); controls are shown as in md_text.
 */
static void md_code_cell(struct md *m, const char *s, bool in_table)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "(none)");
    size_t n = strlen((const char *)p);
    size_t fence = backtick_run((const char *)p) + 1;
    bool pad = n > 0 && (p[0] == '`' || p[n - 1] == '`');

    for (size_t k = 0; k < fence; k++) {
        md_put(m, "`");
    }
    md_put(m, pad ? " " : "");
    for (size_t i = 0; i < n && !m->failed;) {
        unsigned char c = p[i];
        if (c < 0x20 || c == 0x7f) {
            md_printf(m, "\\x%02X", (unsigned)c);
            i++;
        } else if (c == '|' && in_table) {
            md_put(m, "\\|");
            i++;
        } else if (c < 0x80) {
            md_bytes(m, &p[i], 1);
            i++;
        } else {
            i += md_utf8(m, p + i, n - i);
        }
    }
    md_put(m, pad ? " " : "");
    for (size_t k = 0; k < fence; k++) {
        md_put(m, "`");
    }
}

static void md_code(struct md *m, const char *s)
{
    md_code_cell(m, s, false);
}

/* ---- header and summary -------------------------------------------------- */

static void print_input(struct md *m, const struct ev_input *in)
{
    md_put(m, "- ");
    md_code(m, in->path);
    md_printf(m, " (%s", report_input_kind_name(in->kind));
    switch (in->kind) {
    case EV_IN_PCAP:
    case EV_IN_PCAPNG:
    case EV_IN_LIVE:
        md_printf(m, ", %" PRIu64 " %s", in->units, report_plural(in->units, "packet", "packets"));
        break;
    case EV_IN_ICM:
        md_printf(m, ", %" PRIu64 " %s", in->units, report_plural(in->units, "line", "lines"));
        break;
    case EV_IN_CERT:
        md_printf(m, ", %" PRIu64 " %s", in->units,
                  report_plural(in->units, "certificate", "certificates"));
        break;
    case EV_IN_PROBE:
        break;
    }
    md_put(m, ")");
    if (in->truncated) {
        md_put(m, " **truncated**");
    }
    if (in->error) {
        md_put(m, "; error");
        if (in->error_ref) {
            md_printf(m, " at %s %" PRIu64, in->kind == EV_IN_ICM ? "line" : "frame",
                      in->error_ref);
        }
        md_put(m, ": ");
        md_text(m, in->error);
    }
    md_put(m, "\n");
}

static void hl_put(void *ctx, const char *s)
{
    md_put(ctx, s);
}

static void hl_rule(void *ctx, const char *rule)
{
    md_code(ctx, rule);
}

static void hl_lead(void *ctx, bool start)
{
    (void)start;
    md_put(ctx, "**");
}

/* The headline (report_headline), then the counts in a paragraph of their own. */
static int print_summary(struct md *m, const struct evidence *ev, const struct report_index *ix,
                         const struct report_counts *n)
{
    struct report_headline_out out = { .ctx = m, .put = hl_put, .rule = hl_rule, .lead = hl_lead };

    md_put(m, "\n");
    if (report_headline(ev, ix, n, &out) != 0) {
        return -1;
    }
    md_put(m, ".\n\n");
    if (n->handshakes > 0 && report_traces_only(ev)) {
        md_printf(m, "%zu %s in %s: ", n->handshakes, report_conn_noun(ev, n->handshakes),
                  report_plural(report_trace_count(ev), "the trace", "the traces"));
    } else if (n->handshakes > 0) {
        md_printf(m, "%zu %s in %zu TCP %s: ", n->handshakes, report_conn_noun(ev, n->handshakes),
                  n->tcp_connections,
                  report_plural(n->tcp_connections, "connection", "connections"));
    }
    if (n->handshakes > 0) {
        md_printf(m, "%zu failed, %zu established, %zu incomplete. ", n->failed, n->established,
                  n->incomplete);
    }
    md_printf(m, "Findings: %zu %s, %zu %s, %zu info.\n", n->errors,
              report_plural(n->errors, "error", "errors"), n->warnings,
              report_plural(n->warnings, "warning", "warnings"), n->infos);
    return 0;
}

/* ---- one failed or incomplete connection --------------------------------- */

static void print_heading(struct md *m, const struct ev_connection *c)
{
    char cli[REPORT_ENDPOINT_LEN], srv[REPORT_ENDPOINT_LEN];

    md_printf(m, "\n### Connection %u: ", c->id);
    if (report_from_trace(c) && !report_endpoint_known(&c->client) &&
        !report_endpoint_known(&c->server)) {
        /* A trace that names no address: the CCL connection id is what the reader greps for. */
        md_put(m, "ICM trace");
        if (c->source.conn) {
            md_put(m, ", CCL ");
            md_text(m, c->source.conn);
        }
        md_put(m, "\n\n");
        return;
    }
    report_endpoint_or_unknown(&c->client, cli, sizeof cli);
    report_endpoint_or_unknown(&c->server, srv, sizeof srv);
    md_text(m, cli);
    md_put(m, " -> ");
    md_text(m, srv);
    if (c->ch.sni) {
        md_put(m, " (");
        md_text(m, c->ch.sni);
        md_put(m, ")");
    }
    md_put(m, "\n\n");
}

static void print_source(struct md *m, const struct ev_connection *c)
{
    const char *w = report_ref_word(c);

    md_put(m, "- **Source:** ");
    md_code(m, c->source.path);
    if (c->source.first || c->source.last) {
        if (c->source.first == c->source.last) {
            md_printf(m, ", %s %" PRIu64, w, c->source.first);
        } else {
            md_printf(m, ", %ss %" PRIu64 "-%" PRIu64, w, c->source.first, c->source.last);
        }
    }
    if (report_from_trace(c)) {
        if (c->source.thread) {
            md_put(m, ", thread ");
            md_code(m, c->source.thread);
        }
        if (c->source.conn) {
            md_put(m, ", CCL ");
            md_code(m, c->source.conn);
        }
    } else {
        md_printf(m, " (TCP stream %u)", c->stream);
    }
    if (c->has_also) {
        md_put(m, "; trace: ");
        md_code(m, c->also.path);
        md_printf(m, ", lines %" PRIu64 "-%" PRIu64, c->also.first, c->also.last);
    }
    md_put(m, "\n");
}

static void print_role(struct md *m, const struct ev_connection *c)
{
    if (!report_from_trace(c)) {
        if (c->roles_guessed) {
            md_put(m, "- **Roles:** guessed (no hello seen)\n");
        }
        return;
    }
    md_put(m, "- **ICM role:** ");
    switch (c->local_side) {
    case EV_SIDE_CLIENT:
        md_put(m, "TLS client (the ICM called the server)");
        break;
    case EV_SIDE_SERVER:
        md_put(m, "TLS server (a peer called the ICM)");
        break;
    case EV_SIDE_UNKNOWN:
    default:
        md_put(m, "not in the trace (client and server guessed)");
        break;
    }
    if (!report_endpoint_known(&c->client) && !report_endpoint_known(&c->server)) {
        md_put(m, "; addresses not in the trace");
    }
    md_put(m, "\n");
}

/* One "- **Label:** text" line of a stated fact; nothing when absent. */
static void print_fact(struct md *m, const char *name, const char *value)
{
    if (!value) {
        return;
    }
    md_printf(m, "- **%s** ", name);
    md_text(m, value);
    md_put(m, "\n");
}

static void sink_text(void *ctx, const char *s)
{
    md_text(ctx, s);
}

static void sink_code(void *ctx, const char *s)
{
    md_code(ctx, s);
}

/* The offered cipher suites by name, folded where the target folds. */
static void print_offered_suites(struct md *m, const struct ev_connection *c)
{
    struct report_sink out = { .ctx = m, .put = sink_text, .text = sink_text };

    if (!c->ch.seen || c->ch.suite_count == 0) {
        return;
    }
    md_printf(m, "\n**Offered cipher suites (%zu):**\n\n<details><summary>show</summary>\n\n",
              c->ch.suite_count);
    report_offered_suites(c, &out);
    md_put(m, "\n\n</details>\n");
}

static void print_overview(struct md *m, const struct ev_connection *c)
{
    char buf[NAME_BUF], t1[REPORT_TIME_LEN], t2[REPORT_TIME_LEN];
    bool trace = report_from_trace(c);

    md_printf(m, "- **Outcome:** %s", report_outcome_word(c->outcome));
    if (trace && c->not_tls) {
        md_put(m, " - the connection never reached TLS: no TLS handshake took place");
    }
    if (c->outcome_detail && !(trace && report_detail_restates_error(c))) {
        md_put(m, " - ");
        md_text(m, c->outcome_detail);
    }
    md_put(m, "\n");
    if (trace || c->has_also) {
        if (c->error_name) {
            md_put(m, "- **SAP error:** ");
            md_code(m, c->error_name);
            if (c->error_code != 0) {
                md_printf(m, " (%d)", c->error_code);
            }
            if (c->error_text) {
                md_put(m, " - ");
                md_text(m, c->error_text);
            }
            md_put(m, "\n");
        } else {
            print_fact(m, "Error:", c->error_text);
        }
        print_fact(m, "Handshake state:", c->handshake_state);
    }
    print_source(m, c);
    print_role(m, c);
    if (report_time_iso(&c->first_ts, t1, sizeof t1)) {
        md_printf(m, "- **Time:** %s", t1);
        if (report_time_iso(&c->last_ts, t2, sizeof t2) && strcmp(t1, t2) != 0) {
            md_printf(m, " to %s", t2);
        }
        md_put(m, "\n");
    }
    if (trace || c->has_also) {
        print_fact(m, "Target host name:", c->target_host);
        print_fact(m, "PSE / SSL identity:", c->identity);
    }
    if (c->ch.sni) {
        print_fact(m, "SNI:", c->ch.sni);
    } else if (c->ch.seen) {
        md_put(m, "- **SNI:** none (the ClientHello carried no server_name)\n");
    }
    if (c->ch.seen) {
        struct report_sink out = { .ctx = m, .put = sink_text, .text = sink_text };
        md_put(m, "- **Client offered:** ");
        report_client_offer(c, &out);
        md_put(m, "\n");
    }
    if (c->sh.seen && c->sh.version != 0) {
        md_printf(m, "- **Version:** %s", tls_version_str(c->sh.version, buf, sizeof buf));
        if (c->sh.hrr) {
            md_put(m, " (after a HelloRetryRequest)");
        }
        md_put(m, "\n");
    }
    if (c->sh.seen && c->sh.suite != 0) {
        md_printf(m, "- **Cipher suite:** %s\n",
                  tls_cipher_suite_str(c->sh.suite, buf, sizeof buf));
    }
    if (c->decryption != EV_DEC_NONE) {
        char dec[300];
        report_decryption_line(c, dec, sizeof dec);
        md_printf(m, "- **Decryption:** %s\n", dec);
    }
}

/* The trace's own sentences, verbatim (the error text is printed above already). */
static void print_statements(struct md *m, const struct ev_connection *c)
{
    bool any = false;
    for (size_t i = 0; c->statements && i < c->statement_count; i++) {
        const char *st = c->statements[i];
        if (!st || (c->error_text && strcmp(st, c->error_text) == 0)) {
            continue;
        }
        if (!any) {
            md_put(m, "\n#### The trace says\n\n");
            any = true;
        }
        char ref[48];
        report_statement_ref(c, i, ref, sizeof ref);
        md_put(m, "- ");
        md_text(m, st);
        md_put(m, ref);
        md_put(m, "\n");
    }
}

static void print_finding(struct md *m, const struct finding *f, const char *refword)
{
    md_printf(m, "- **%s: ",
              f->severity == SEV_ERROR     ? "ERROR"
              : f->severity == SEV_WARNING ? "WARNING"
                                           : "INFO");
    md_text(m, f->title ? f->title : f->rule);
    md_put(m, "** (");
    md_code(m, f->rule);
    md_put(m, ")\n");
    if (f->explanation) {
        md_put(m, "\n  ");
        md_text_indent(m, f->explanation, 2);
        md_put(m, "\n");
    }
    if (f->remediation_count > 0 && f->remediation) {
        md_put(m, "\n  What to do:\n\n");
        for (size_t i = 0; i < f->remediation_count; i++) {
            int w = snprintf(NULL, 0, "%zu", i + 1);
            md_printf(m, "  %zu. ", i + 1);
            md_text_indent(m, f->remediation[i] ? f->remediation[i] : "", 2 + w + 2);
            md_put(m, "\n");
        }
    }
    if (f->evidence_count > 0 && f->evidence) {
        md_printf(m, "\n  Evidence: %s%s ", refword, f->evidence_count == 1 ? "" : "s");
        for (size_t i = 0; i < f->evidence_count; i++) {
            md_printf(m, "%s%" PRIu64, i ? ", " : "", f->evidence[i]);
        }
        md_put(m, "\n");
    }
    if (f->reference_count > 0 && f->references) {
        md_put(m, "\n  References: ");
        for (size_t i = 0; i < f->reference_count; i++) {
            md_put(m, i ? "; " : "");
            md_text(m, f->references[i]);
        }
        md_put(m, "\n");
    }
}

static void print_findings(struct md *m, const struct report_flist *l, const char *heading,
                           const char *refword)
{
    if (l->count == 0) {
        return;
    }
    md_printf(m, "\n%s (%zu)\n", heading, l->count);
    for (size_t i = 0; i < l->count; i++) {
        md_put(m, "\n");
        print_finding(m, l->items[i], refword);
    }
}

static void print_ca_table(struct md *m, const struct ev_cert_request *cr)
{
    md_put(m, "\n| # | CA name |\n|---:|---|\n");
    for (size_t i = 0; cr->ca_names && i < cr->ca_count && !m->failed; i++) {
        md_printf(m, "| %zu | ", i + 1);
        md_text(m, cr->ca_names[i].text ? cr->ca_names[i].text : "(unreadable name)");
        md_put(m, " |\n");
    }
}

static void print_cert_request(struct md *m, const struct ev_connection *c)
{
    const struct ev_cert_request *cr = c->cert_request;
    char buf[NAME_BUF];

    if (!cr || !cr->visible) {
        if (report_from_trace(c)) {
            md_put(m, "\n**Certificate request:** ");
            if (!cr) {
                md_put(m, "not in the trace\n");
                return;
            }
            md_put(m, "the server asked for a client certificate");
            if (cr->ref) {
                md_printf(m, " (line %" PRIu64 ")", cr->ref);
            }
            md_put(m, "; the CA names it accepts are not in the trace - capture the handshake "
                      "(tcpdump) to see them\n");
            return;
        }
        md_printf(m, "\n**Certificate request:** %s\n", report_cert_request_absence(c));
        return;
    }
    md_printf(m, "\n#### CA names accepted by the server (%zu)\n\n", cr->ca_count);
    md_printf(m, "Certificate request in %s %" PRIu64 " (%s handshake); certificate types: ",
              report_ref_word(c), cr->ref, report_phase_name(cr->phase));
    for (size_t i = 0; cr->cert_types && i < cr->cert_type_count; i++) {
        md_printf(m, "%s%s", i ? ", " : "", tls_cert_type_str(cr->cert_types[i], buf, sizeof buf));
    }
    md_put(m, cr->cert_type_count ? "" : "none");
    md_put(m, "; signature algorithms: ");
    for (size_t i = 0; cr->sig_algs && i < cr->sig_alg_count; i++) {
        md_printf(m, "%s%s", i ? ", " : "", tls_sig_scheme_str(cr->sig_algs[i], buf, sizeof buf));
    }
    md_put(m, cr->sig_alg_count ? ".\n" : "none.\n");
    if (cr->ca_count == 0 || !cr->ca_names) {
        md_put(m, "\nNone listed (the client may send a certificate from any CA).\n");
        return;
    }
    print_ca_table(m, cr);
}

static void print_chain(struct md *m, const struct ev_connection *c, const char *title,
                        const struct ev_chain *chain)
{
    md_printf(m, "\n#### %s (%zu)", title, chain->count);
    if (chain->ref) {
        md_printf(m, ", %s %" PRIu64, report_ref_word(c), chain->ref);
    }
    md_put(m, "\n\n| # | Subject | Issuer | Valid until | Key |\n|---:|---|---|---|---|\n");
    for (size_t i = 0; chain->certs && i < chain->count; i++) {
        const struct ev_cert *cert = chain->certs[i];
        md_printf(m, "| %zu | ", i + 1);
        if (!cert) {
            md_put(m, "(not decoded) |  |  |  |\n");
            continue;
        }
        md_text(m, cert->subject);
        md_put(m, " | ");
        md_text(m, cert->issuer);
        md_put(m, " | ");
        md_text(m, cert->not_after ? cert->not_after : "?");
        md_put(m, " | ");
        md_text(m, cert->key_type ? cert->key_type : "unknown");
        if (cert->key_bits) {
            md_printf(m, " %u", cert->key_bits);
        }
        if (cert->error) {
            md_put(m, " (decode error: ");
            md_text(m, cert->error);
            md_put(m, ")");
        }
        md_put(m, " |\n");
    }
}

/* The certificate tree a trace printed: text only, leaf first, then each signer. */
static void print_stated_certs(struct md *m, const struct ev_connection *c)
{
    md_printf(m, "\n#### Certificates printed by the trace (%zu%s)\n\n", c->stated_cert_count,
              c->stated_cert_count > 1 ? ", leaf first" : "");
    md_put(m, "| # | Subject | Issuer | Serial | Verification | Line |\n"
              "|---:|---|---|---|---|---:|\n");
    for (size_t i = 0; c->stated_certs && i < c->stated_cert_count; i++) {
        const struct ev_stated_cert *sc = &c->stated_certs[i];
        md_printf(m, "| %zu | ", i + 1);
        md_text(m, sc->subject ? sc->subject : "(not in the trace)");
        md_put(m, " | ");
        md_text(m, sc->issuer ? sc->issuer : "");
        md_put(m, " | ");
        md_text(m, sc->serial ? sc->serial : "");
        md_put(m, " | ");
        md_text(m, sc->status ? sc->status : "");
        md_put(m, " | ");
        if (sc->ref) {
            md_printf(m, "%" PRIu64, sc->ref);
        }
        md_put(m, " |\n");
    }
}

static void print_client_cert(struct md *m, const struct ev_connection *c)
{
    bool trace = report_from_trace(c);

    if (c->client_cert == EV_CC_SENT && c->client_chain) {
        print_chain(m, c, "Client certificate chain", c->client_chain);
        return;
    }
    md_put(m, "\n**Client certificate:** ");
    switch (c->client_cert) {
    case EV_CC_SENT:
        md_put(m, trace ? "sent, not in the trace\n" : "sent, not decoded\n");
        return;
    case EV_CC_EMPTY:
        md_printf(m, "none - %s sent an empty Certificate message",
                  report_party(c, EV_FROM_CLIENT));
        if (c->client_chain && c->client_chain->ref) {
            md_printf(m, " (%s %" PRIu64 ")", report_ref_word(c), c->client_chain->ref);
        }
        md_put(m, "\n");
        return;
    case EV_CC_NOT_VISIBLE:
        md_put(m, trace ? "not visible in the trace\n" : "not visible (encrypted)\n");
        return;
    case EV_CC_NOT_SENT:
    default:
        md_printf(m, "none - %s sent no Certificate message\n", report_party(c, EV_FROM_CLIENT));
        return;
    }
}

static void print_certificates(struct md *m, const struct ev_connection *c)
{
    bool trace = report_from_trace(c);

    if (c->server_chain) {
        print_chain(m, c, "Server certificate chain", c->server_chain);
    }
    if (c->stated_cert_count > 0) {
        print_stated_certs(m, c);
    } else if (!c->server_chain) {
        md_printf(m, "\n**Server certificate chain:** %s\n",
                  trace                      ? "not in the trace"
                  : c->encrypted_after_hello ? "not visible (encrypted)"
                                             : "not seen");
    }
    print_client_cert(m, c);
}

static void print_alerts(struct md *m, const struct ev_connection *c)
{
    char buf[NAME_BUF];

    if (c->alert_count == 0 || !c->alerts) {
        return;
    }
    md_printf(m, "\n#### %s\n\n", report_plural(c->alert_count, "Alert", "Alerts"));
    for (size_t i = 0; i < c->alert_count; i++) {
        const struct ev_alert *a = &c->alerts[i];
        md_put(m, "- ");
        if (a->ref) {
            md_printf(m, "%s %" PRIu64 ": ", report_ref_word(c), a->ref);
        }
        md_put(m, a->encrypted ? "encrypted alert" : report_alert_str(a, buf, sizeof buf));
        md_printf(m, "%s, sent by %s\n", a->decrypted ? " (decrypted)" : "",
                  report_party(c, a->from));
    }
}

static void print_notes(struct md *m, const struct ev_connection *c)
{
    if (c->note_count == 0 || !c->notes) {
        return;
    }
    md_printf(m, "\n#### Notes (%zu)\n\n", c->note_count);
    for (size_t i = 0; i < c->note_count; i++) {
        const struct ev_note *n = &c->notes[i];
        md_put(m, "- ");
        if (n->ref) {
            md_printf(m, "%s %" PRIu64 ": ", report_ref_word(c), n->ref);
        }
        if (!report_from_trace(c)) {
            md_printf(m, "from %s", report_dir_name(n->from));
            if (n->offset) {
                md_printf(m, " at stream offset %" PRIu64, n->offset);
            }
            md_put(m, ": ");
        }
        if (n->status != ST_OK) {
            md_printf(m, "%s: ", report_status_token(n->status));
        }
        md_text(m, n->text);
        md_put(m, "\n");
    }
}

/* The ladder as a table under a heading of its own, inside <details>: GitHub
 * folds it; Jira and ServiceNow show the tags as text, and the heading still
 * says what follows. */
static void print_ladder(struct md *m, const struct ev_connection *c)
{
    char buf[NAME_BUF], rel[40];
    bool times = c->source.kind == EV_SRC_PCAP && report_time_known(&c->first_ts);

    if (c->msg_count == 0 || !c->msgs) {
        return;
    }
    md_printf(m, "\n#### Messages (%zu)\n\n<details><summary>show</summary>\n\n", c->msg_count);
    md_printf(m, "| %s |%s Dir | Message |\n|---:|%s---|---|\n",
              report_from_trace(c) ? "Line" : "Frame", times ? " Time |" : "",
              times ? "---:|" : "");
    for (size_t i = 0; i < c->msg_count && !m->failed; i++) {
        const struct ev_msg *msg = &c->msgs[i];
        md_printf(m, "| %" PRIu64 " | ", msg->ref);
        if (times) {
            report_rel_time(&c->first_ts, &msg->ts, rel, sizeof rel);
            md_printf(m, "%s | ", rel);
        }
        md_printf(m, "%s | ", report_arrow(msg->from));
        bool shown = false;
        for (size_t k = 0; msg->content_type == 21 && k < c->alert_count; k++) {
            const struct ev_alert *a = &c->alerts[k];
            if (a->msg_index == i && a->from == msg->from) {
                md_put(m, shown ? "; " : "");
                md_put(m, "Alert");
                if (!a->encrypted) {
                    md_put(m, " ");
                    md_put(m, report_alert_str(a, buf, sizeof buf));
                }
                shown = true;
            }
        }
        if (!shown) {
            md_text(m, report_msg_name(msg, buf, sizeof buf));
        }
        md_printf(m, ", %" PRIu32 " %s", msg->length, report_plural(msg->length, "byte", "bytes"));
        if (msg->encrypted) {
            md_put(m, " (encrypted)");
        } else if (msg->decrypted) {
            md_put(m, " (decrypted)");
        }
        if (msg->ref_first && msg->ref_first != msg->ref) {
            md_printf(m, " (%ss %" PRIu64 "-%" PRIu64 ")", report_ref_word(c), msg->ref_first,
                      msg->ref);
        }
        md_put(m, " |\n");
    }
    char closes[160];
    report_tcp_close_text(c, closes, sizeof closes);
    if (closes[0]) {
        md_printf(m, "\nTCP: %s\n", closes);
    }
    md_put(m, "\n</details>\n");
}

static void print_connection(struct md *m, const struct ev_connection *c,
                             const struct report_flist *findings)
{
    bool trace = report_from_trace(c);

    print_heading(m, c);
    print_overview(m, c);
    print_offered_suites(m, c);
    if (trace || c->has_also) {
        print_statements(m, c);
    }
    print_findings(m, findings, "#### Findings", report_ref_word(c));
    if (!(trace && c->not_tls)) {
        print_cert_request(m, c);
        print_certificates(m, c);
    }
    print_alerts(m, c);
    print_notes(m, c);
    print_ladder(m, c);
}

/* ---- successful connections: one row each -------------------------------- */

/* A table cell's address: words where it is not known, not an enum value. */
static void endpoint_words(const struct ev_connection *c, const struct ev_endpoint *ep, char *buf,
                           size_t n)
{
    if (report_endpoint_known(ep)) {
        report_endpoint_or_unknown(ep, buf, n);
    } else {
        snprintf(buf, n, "%s", report_from_trace(c) ? "not in the trace" : "not seen");
    }
}

/* The client's certificate in a table cell when no subject can be shown. */
static const char *client_cert_words(const struct ev_connection *c)
{
    switch (c->client_cert) {
    case EV_CC_SENT:
        return report_from_trace(c) ? "sent (not in the trace)" : "sent (not decoded)";
    case EV_CC_EMPTY:
        return "none (empty Certificate message)";
    case EV_CC_NOT_VISIBLE:
        return report_from_trace(c) ? "not in the trace" : "not visible (encrypted)";
    case EV_CC_NOT_SENT:
    default:
        return "none (no Certificate message)";
    }
}

static void print_established(struct md *m, const struct evidence *ev,
                              const struct report_index *ix)
{
    char buf[NAME_BUF], cli[REPORT_ENDPOINT_LEN], srv[REPORT_ENDPOINT_LEN];

    char title[80];

    report_section_title(ev, REPORT_SEC_OK, title, sizeof title);
    md_printf(m, "\n## %s\n\n", title);
    md_put(m, "| # | Client | Server | SNI | Version | Cipher suite | Client certificate | "
              "Findings |\n|---:|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < ev->conn_count && !m->failed; i++) {
        const struct ev_connection *c = ev->conns[i];
        if (report_section_of(c, &ix->by_conn[i]) != REPORT_SEC_OK) {
            continue;
        }
        endpoint_words(c, &c->client, cli, sizeof cli);
        endpoint_words(c, &c->server, srv, sizeof srv);
        md_printf(m, "| %u | ", c->id);
        md_text(m, cli);
        md_put(m, " | ");
        md_text(m, srv);
        md_put(m, " | ");
        md_text(m, c->ch.sni ? c->ch.sni : "");
        md_put(m, " | ");
        if (c->sh.seen && c->sh.version) {
            md_put(m, tls_version_str(c->sh.version, buf, sizeof buf));
        }
        md_put(m, " | ");
        if (c->sh.seen && c->sh.suite) {
            md_put(m, tls_cipher_suite_str(c->sh.suite, buf, sizeof buf));
        }
        md_put(m, " | ");
        if (c->client_cert == EV_CC_SENT && c->client_chain && c->client_chain->count > 0 &&
            c->client_chain->certs && c->client_chain->certs[0]) {
            md_text(m, c->client_chain->certs[0]->subject);
        } else {
            md_put(m, client_cert_words(c));
        }
        md_put(m, " | ");
        const struct report_flist *l = &ix->by_conn[i];
        for (size_t k = 0; k < l->count; k++) {
            md_put(m, k ? ", " : "");
            md_code_cell(m, l->items[k]->rule, true);
        }
        md_put(m, " |\n");
    }
    /* The CA names a server accepts matter even when this client fitted: folded per row. */
    for (size_t i = 0; i < ev->conn_count && !m->failed; i++) {
        const struct ev_connection *c = ev->conns[i];
        const struct ev_cert_request *cr = c->cert_request;
        if (report_section_of(c, &ix->by_conn[i]) != REPORT_SEC_OK || !cr || !cr->visible ||
            cr->ca_count == 0) {
            continue;
        }
        md_printf(m,
                  "\n**Connection %u: CA names accepted by the server (%zu), %s %" PRIu64
                  "**\n\n<details><summary>show</summary>\n",
                  c->id, cr->ca_count, report_ref_word(c), cr->ref);
        print_ca_table(m, cr);
        md_put(m, "\n</details>\n");
    }
}

static void print_section(struct md *m, const struct evidence *ev, const struct report_index *ix,
                          enum report_section sec)
{
    char title[80];
    bool any = false;

    report_section_title(ev, sec, title, sizeof title);
    for (size_t i = 0; i < ev->conn_count && !m->failed; i++) {
        if (report_section_of(ev->conns[i], &ix->by_conn[i]) != sec) {
            continue;
        }
        if (!any) {
            md_printf(m, "\n## %s\n", title);
            any = true;
        }
        print_connection(m, ev->conns[i], &ix->by_conn[i]);
    }
}

int report_write_markdown(FILE *out, const struct evidence *ev, const struct findings *f,
                          const struct report_options *o)
{
    struct md m = { .f = out };
    struct report_ctx ctx;

    if (report_ctx_init(&ctx, ev, f) != 0) {
        return -1;
    }
    const struct report_index *ix = &ctx.ix;

    if (o && o->deterministic) {
        md_put(&m, "# tlsdiag - TLS handshake report\n\n");
    } else {
        md_put(&m, "# tlsdiag ");
        md_text(&m, report_version(o));
        md_put(&m, " - TLS handshake report\n\n");
    }
    if (ev->redacted) {
        md_put(&m, "Redacted: yes (addresses, host names, serials and non-public certificate "
                   "names are pseudonyms)\n\n");
    }
    md_put(&m, "Inputs:\n\n");
    for (size_t i = 0; ev->inputs && i < ev->input_count; i++) {
        print_input(&m, &ev->inputs[i]);
    }
    struct report_sink kl = { .ctx = &m, .put = sink_text, .text = sink_code };
    if (ev->keylog_path || ev->keylog_sessions) {
        md_put(&m, "\nKey log: ");
        report_keylog(ev, &kl);
        md_put(&m, "\n");
    }
    if (ev->unread_count > 0) {
        md_put(&m, "\nNot read: ");
        report_unread(ev, &kl);
        md_put(&m, "\n");
    }
    if (print_summary(&m, ev, ix, &ctx.counts) != 0) {
        report_ctx_fini(&ctx);
        return -1;
    }
    for (enum report_section sec = REPORT_SEC_FAILED; sec < REPORT_SEC_OK; sec++) {
        print_section(&m, ev, ix, sec);
    }
    if (report_section_count(ev, ix, REPORT_SEC_OK) > 0) {
        print_established(&m, ev, ix);
    }
    /* Input-wide findings refer to the first input's kind of reference. */
    const char *refword = ev->input_count > 0 && ev->inputs[0].kind == EV_IN_ICM ? "line" : "frame";
    print_findings(&m, &ix->global, "## Findings for the whole input", refword);

    report_ctx_fini(&ctx);
    if (fflush(out) != 0 || ferror(out)) {
        m.failed = true;
    }
    return m.failed ? -1 : 0;
}
