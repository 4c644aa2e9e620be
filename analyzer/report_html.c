/*
 * report_html.c - the HTML report: one self-contained page (inline CSS and
 * SVG, no scripts, no fonts or images fetched) to attach to a ticket or
 * open in a browser. The answer comes first ("1 of 3 handshakes failed;
 * 1 x no_fitting_ca"), then an overview table, then each failed and each
 * incomplete handshake in full (findings with remediation, evidence and
 * references; a ladder diagram of the messages with the failure point
 * marked; the CA names the server accepts as a plain table that Ctrl-F
 * finds; certificate chains as expandable <details>), then the successful
 * handshakes folded to one line each. @media print opens every <details>,
 * keeps a connection on one page where it fits and drops backgrounds.
 *
 * Every string that came from the input (DNs, SNI, paths, ICM trace text)
 * goes through h_text: HTML specials become character references (HTML
 * Living Standard 13.1.4, so no input can open a tag or leave an
 * attribute), control characters \xHH and invalid UTF-8 U+FFFD
 * (report_safe_char), so the page is valid UTF-8 for any input. Output is
 * deterministic: the time of writing only with --timestamp, no version with
 * --deterministic.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "report_common.h"
#include "tls_names.h"

#define NAME_BUF 80
/* Longest input text drawn in the SVG ladder, in characters: SVG text does
 * not wrap, and the full text is in the facts above the diagram. */
#define LADDER_TEXT_MAX 64
/* Steps drawn per ladder; a renegotiating connection could have many. */
#define LADDER_MAX_STEPS 300

/* ---- escaping untrusted text --------------------------------------------- */

static const char *html_entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

/*
 * Untrusted text in element content or a quoted attribute value. At most
 * max characters (0: no limit), then an ellipsis. With lines, a newline is
 * kept (the element shows it with white-space: pre-line); otherwise it is
 * shown as \x0A like any control character.
 */
static void h_text_opt(struct report_out *h, const char *s, size_t max, bool lines)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "(none)");
    size_t n = strlen((const char *)p);
    size_t chars = 0;
    char buf[REPORT_SAFE_CHAR_LEN];

    for (size_t i = 0; i < n && !h->failed; chars++) {
        if (max > 0 && chars == max) {
            report_out_put(h, "\xe2\x80\xa6");
            return;
        }
        const char *ent = html_entity(p[i]);
        if (ent) {
            report_out_put(h, ent);
            i++;
        } else if (p[i] == '\n' && lines) {
            report_out_put(h, "\n");
            i++;
        } else {
            i += report_safe_char(p + i, n - i, buf, sizeof buf);
            report_out_put(h, buf);
        }
    }
}

static void h_text(struct report_out *h, const char *s)
{
    h_text_opt(h, s, 0, false);
}

/* report_sink writers: text, and text as <code>. */
static void sink_text(void *ctx, const char *s)
{
    h_text(ctx, s);
}

static void sink_code(void *ctx, const char *s)
{
    report_out_put(ctx, "<code>");
    h_text(ctx, s);
    report_out_put(ctx, "</code>");
}

/* ---- page frame ---------------------------------------------------------- */

/* System fonts only: nothing is fetched. Print: white paper, all details open. */
static const char STYLE_CSS[] =
    ":root{--fg:#1d2939;--muted:#667085;--line:#d0d5dd;--bg:#f6f7f9;--card:#fff;"
    "--err:#b42318;--err-bg:#fee4e2;--warn:#93370d;--warn-bg:#fef0c7;--info:#175cd3;"
    "--info-bg:#d1e9ff;--ok:#067647;--ok-bg:#dcfae6}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
    "main{max-width:1100px;margin:0 auto;padding:24px 28px 48px}\n"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 12px}"
    "h3{font-size:18px;margin:0 0 12px}h4{font-size:15px;margin:22px 0 8px;color:#344054}\n"
    "code,.mono{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,'DejaVu Sans Mono',"
    "monospace;font-size:13px}\n"
    ".meta{color:var(--muted);margin:0 0 4px}\n"
    ".redacted{display:inline-block;margin:8px 0;padding:4px 10px;border:1px solid var(--warn);"
    "border-radius:6px;background:var(--warn-bg);color:var(--warn);font-weight:600}\n"
    ".answer{margin:16px 0 8px;padding:16px 20px;border-radius:10px;background:var(--card);"
    "border:1px solid var(--line);border-left:6px solid var(--ok)}\n"
    ".answer.bad{border-left-color:var(--err)}.answer.partial{border-left-color:#dc6803}\n"
    ".answer .big{font-size:21px;font-weight:700;margin:0 0 4px}\n"
    ".answer .rule{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:17px}\n"
    ".counts{color:#475467;margin:0}\n"
    "table{border-collapse:collapse;width:100%;background:var(--card);font-size:14px}\n"
    "th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#f2f4f7;font-weight:600}td.num{text-align:right;width:3em}\n"
    "td{overflow-wrap:anywhere}\n"
    ".badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;"
    "font-weight:700;letter-spacing:.03em;border:1px solid currentColor;white-space:nowrap}\n"
    ".b-error,.b-failed{color:var(--err);background:var(--err-bg)}\n"
    ".b-warning,.b-incomplete{color:var(--warn);background:var(--warn-bg)}\n"
    ".b-info{color:var(--info);background:var(--info-bg)}"
    ".b-established{color:var(--ok);background:var(--ok-bg)}\n"
    ".conn{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:18px 22px;margin:0 0 22px}\n"
    ".conn.failed{border-top:5px solid var(--err)}.conn.incomplete{border-top:5px solid #dc6803}"
    ".conn.problem{border-top:5px solid #dc6803}.conn.problem.error{border-top-color:var(--err)}\n"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}\n"
    "dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
    ".finding{border:1px solid var(--line);border-left:5px solid var(--info);border-radius:8px;"
    "padding:10px 14px;margin:10px 0}\n"
    ".finding.s-error{border-left-color:var(--err)}.finding.s-warning{border-left-color:#dc6803}\n"
    ".finding h5{font-size:15px;margin:0 0 6px}.finding h5 code{color:var(--muted);"
    "font-weight:400}\n"
    ".finding p,.finding ol{margin:6px 0}.expl,.stated{white-space:pre-line}\n"
    ".finding .lbl{font-weight:600}\n"
    ".ladder-box{overflow-x:auto;margin:6px 0}svg.ladder{display:block;max-width:100%;"
    "height:auto;font-family:system-ui,'Segoe UI',Roboto,Arial,sans-serif}\n"
    "details{margin:4px 0}details>summary{cursor:pointer}\n"
    "details.cert{border:1px solid var(--line);border-radius:6px;padding:4px 10px;"
    "background:#fcfcfd}\n"
    "details.cert dl{margin:6px 0}\n"
    "details.conn.ok>summary{font-weight:600}\n"
    ".muted{color:var(--muted)}ul.plain{margin:4px 0;padding-left:20px}\n"
    "a{color:#175cd3}\n"
    "@media print{body{background:#fff;font-size:12px}main{max-width:none;padding:0}"
    ".conn,.answer,table,.finding,details.cert{background:#fff}"
    ".conn{break-inside:avoid-page;border-width:1px}"
    ".badge{background:#fff!important}th{background:#fff}"
    "details::details-content{content-visibility:visible;display:block}"
    "details>summary{list-style:none}svg.ladder{max-width:100%}}\n";

static void print_head(struct report_out *h, const struct report_options *o)
{
    report_out_put(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    /* No scripts and no fetches, stated to the browser as well. */
    report_out_put(h, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                      "style-src 'unsafe-inline'; img-src data:\">\n");
    report_out_put(h, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    report_out_put(h, "<meta name=\"generator\" content=\"tlsdiag ");
    h_text(h, report_version(o));
    report_out_put(h, "\">\n<title>tlsdiag - TLS handshake report</title>\n<style>\n");
    report_out_put(h, STYLE_CSS);
    report_out_put(h, "</style>\n</head>\n<body>\n<main>\n");
}

static void print_input(struct report_out *h, const struct ev_input *in)
{
    report_out_put(h, "<li><code>");
    h_text(h, in->path);
    report_out_printf(h, "</code> (%s", report_input_kind_name(in->kind));
    if (in->kind == EV_IN_ICM) {
        report_out_printf(h, ", %" PRIu64 " %s", in->units,
                          report_plural(in->units, "line", "lines"));
    } else if (in->kind == EV_IN_CERT) {
        report_out_printf(h, ", %" PRIu64 " %s", in->units,
                          report_plural(in->units, "certificate", "certificates"));
    } else if (in->kind != EV_IN_PROBE) {
        report_out_printf(h, ", %" PRIu64 " %s", in->units,
                          report_plural(in->units, "packet", "packets"));
    }
    report_out_put(h, ")");
    if (in->truncated) {
        report_out_put(h, " <span class=\"badge b-warning\">TRUNCATED</span>");
    }
    if (in->error) {
        report_out_put(h, "; error");
        if (in->error_ref) {
            report_out_printf(h, " at %s %" PRIu64, in->kind == EV_IN_ICM ? "line" : "frame",
                              in->error_ref);
        }
        report_out_put(h, ": ");
        h_text(h, in->error);
    }
    if (in->kind == EV_IN_ICM && in->crypto_lib_version) {
        report_out_put(h, "; CommonCryptoLib ");
        h_text(h, in->crypto_lib_version);
    }
    if (in->kind == EV_IN_ICM && in->header_seen) {
        report_out_printf(h, "; trace level %d", in->trace_level);
    }
    report_out_put(h, "</li>\n");
}

static void print_header(struct report_out *h, const struct evidence *ev,
                         const struct report_options *o)
{
    report_out_put(h, "<header>\n<h1>tlsdiag &#8212; TLS handshake report</h1>\n");
    if (!(o && o->deterministic)) {
        char when[REPORT_TIME_LEN];
        struct ev_time now = { .sec = (int64_t)time(NULL) };
        report_out_put(h, "<p class=\"meta\">tlsdiag ");
        h_text(h, report_version(o));
        if (o->timestamp && report_time_iso(&now, when, sizeof when)) {
            report_out_printf(h, ", report written %s", when);
        }
        report_out_put(h, "</p>\n");
    }
    if (ev->redacted) {
        report_out_put(h, "<p class=\"redacted\">Redacted: yes (addresses, host names, serials and "
                          "non-public certificate names are pseudonyms)</p>\n");
    }
    report_out_put(h, "<p class=\"meta\">Inputs:</p>\n<ul class=\"plain\">\n");
    for (size_t i = 0; ev->inputs && i < ev->input_count; i++) {
        print_input(h, &ev->inputs[i]);
    }
    report_out_put(h, "</ul>\n");
    struct report_sink hs = { .ctx = h, .put = sink_text, .text = sink_code };
    if (ev->keylog_path || ev->keylog_sessions) {
        report_out_put(h, "<p class=\"meta\">Key log: ");
        report_keylog(ev, &hs);
        report_out_put(h, "</p>\n");
    }
    if (ev->unread_count > 0) {
        report_out_put(h, "<p class=\"meta\">Not read: ");
        report_unread(ev, &hs);
        report_out_put(h, "</p>\n");
    }
    report_out_put(h, "</header>\n");
}

/* ---- the answer ---------------------------------------------------------- */

static void hl_put(void *ctx, const char *s)
{
    report_out_put(ctx, s);
}

static void hl_rule(void *ctx, const char *rule)
{
    report_out_put(ctx, "<span class=\"rule\">");
    h_text(ctx, rule);
    report_out_put(ctx, "</span>");
}

/* The headline (report_headline) big, the counts under it. */
static int print_answer(struct report_out *h, const struct evidence *ev,
                        const struct report_index *ix, const struct report_counts *n)
{
    struct report_headline_out out = { .ctx = h, .put = hl_put, .rule = hl_rule };
    /* Never green while an error finding stands, even on an established handshake. */
    const char *cls = report_headline_bad(n)             ? " bad"
                      : n->incomplete || n->warnings > 0 ? " partial"
                                                         : "";

    report_out_printf(h, "<section class=\"answer%s\" id=\"summary\">\n<p class=\"big\">", cls);
    if (report_headline(ev, ix, n, &out) != 0) {
        return -1;
    }
    report_out_put(h, "</p>\n<p class=\"counts\">");
    if (!report_traces_only(ev) && n->handshakes > 0) {
        report_out_printf(h, "%zu %s in %zu TCP %s &#183; ", n->handshakes,
                          report_conn_noun(ev, n->handshakes), n->tcp_connections,
                          report_plural(n->tcp_connections, "connection", "connections"));
    }
    report_out_printf(h,
                      "%zu established &#183; %zu failed &#183; %zu incomplete &#183; Findings: "
                      "%zu %s, %zu %s, %zu info</p>\n</section>\n",
                      n->established, n->failed, n->incomplete, n->errors,
                      report_plural(n->errors, "error", "errors"), n->warnings,
                      report_plural(n->warnings, "warning", "warnings"), n->infos);
    return 0;
}

/* ---- small pieces -------------------------------------------------------- */

static const char *outcome_class(enum ev_outcome o)
{
    return report_outcome_name(o); /* "failed", "established", "incomplete" */
}

static void print_outcome_badge(struct report_out *h, enum ev_outcome o)
{
    report_out_printf(h, "<span class=\"badge b-%s\">%s</span>", outcome_class(o),
                      report_outcome_word(o));
}

static void print_sev_badge(struct report_out *h, enum severity s)
{
    report_out_printf(h, "<span class=\"badge b-%s\">%s</span>", severity_name(s),
                      s == SEV_ERROR     ? "ERROR"
                      : s == SEV_WARNING ? "WARNING"
                                         : "INFO");
}

/* "127.0.0.1:37030 &#8594; 127.0.0.1:44302 (localhost)", or the CCL id of a
 * trace that names no address. */
static void print_peers(struct report_out *h, const struct ev_connection *c)
{
    char cli[REPORT_ENDPOINT_LEN], srv[REPORT_ENDPOINT_LEN];

    if (report_from_trace(c) && !report_endpoint_known(&c->client) &&
        !report_endpoint_known(&c->server)) {
        report_out_put(h, "ICM trace");
        if (c->source.conn) {
            report_out_put(h, ", CCL ");
            h_text(h, c->source.conn);
        }
        return;
    }
    report_endpoint_or_unknown(&c->client, cli, sizeof cli);
    report_endpoint_or_unknown(&c->server, srv, sizeof srv);
    h_text(h, cli);
    report_out_put(h, " &#8594; ");
    h_text(h, srv);
    if (c->ch.sni) {
        report_out_put(h, " (");
        h_text(h, c->ch.sni);
        report_out_put(h, ")");
    }
}

static void print_rule_badges(struct report_out *h, const struct report_flist *l)
{
    for (size_t k = 0; k < l->count; k++) {
        const struct finding *f = l->items[k];
        report_out_printf(h, "%s<code class=\"badge b-%s\">", k ? " " : "",
                          severity_name(f->severity));
        h_text(h, f->rule);
        report_out_put(h, "</code>");
    }
}

static void print_overview_table(struct report_out *h, const struct evidence *ev,
                                 const struct report_index *ix)
{
    char buf[NAME_BUF];

    if (ev->conn_count == 0) {
        return;
    }
    report_out_put(
        h, "<h2>Connections</h2>\n<table class=\"overview\">\n<thead><tr><th>#</th>"
           "<th>Outcome</th><th>Connection</th><th>Version</th><th>Findings</th></tr></thead>"
           "\n<tbody>\n");
    for (size_t i = 0; i < ev->conn_count && !h->failed; i++) {
        const struct ev_connection *c = ev->conns[i];
        report_out_printf(h, "<tr><td class=\"num\"><a href=\"#conn-%u\">%u</a></td><td>", c->id,
                          c->id);
        print_outcome_badge(h, c->outcome);
        report_out_put(h, "</td><td>");
        print_peers(h, c);
        report_out_put(h, "</td><td>");
        if (c->sh.seen && c->sh.version) {
            report_out_put(h, tls_version_str(c->sh.version, buf, sizeof buf));
        }
        report_out_put(h, "</td><td>");
        print_rule_badges(h, &ix->by_conn[i]);
        report_out_put(h, "</td></tr>\n");
    }
    report_out_put(h, "</tbody>\n</table>\n");
}

/* ---- facts of one connection --------------------------------------------- */

static void fact_open(struct report_out *h, const char *name)
{
    report_out_printf(h, "<dt>%s</dt><dd>", name);
}

/* One fact of untrusted text; nothing when absent. */
static void print_fact(struct report_out *h, const char *name, const char *value)
{
    if (!value) {
        return;
    }
    fact_open(h, name);
    h_text(h, value);
    report_out_put(h, "</dd>\n");
}

static void print_source(struct report_out *h, const struct ev_connection *c)
{
    char span[80];

    fact_open(h, "Source");
    report_out_put(h, "<code>");
    h_text(h, c->source.path);
    report_out_put(h, "</code>");
    report_source_span(c, span, sizeof span);
    report_out_put(h, span[0] ? ", " : "");
    report_out_put(h, span);
    if (!report_from_trace(c)) {
        report_out_printf(h, " (TCP stream %u)", c->stream);
    }
    /* A trace's thread and CCL id are what its reader greps for. */
    const char *ids[][2] = { { ", thread ", c->source.thread }, { ", CCL ", c->source.conn } };
    for (size_t i = 0; report_from_trace(c) && i < 2; i++) {
        if (ids[i][1]) {
            report_out_put(h, ids[i][0]);
            h_text(h, ids[i][1]);
        }
    }
    if (c->has_also) {
        report_out_put(h, "<br>ICM trace <code>");
        h_text(h, c->also.path);
        report_out_printf(h, "</code>, lines %" PRIu64 "&#8211;%" PRIu64, c->also.first,
                          c->also.last);
    }
    report_out_put(h, "</dd>\n");
}

static void print_role(struct report_out *h, const struct ev_connection *c)
{
    if (report_from_trace(c) || c->has_also) {
        print_fact(h, "ICM role", report_icm_role(c));
    } else if (c->roles_guessed) {
        print_fact(h, "Roles", "guessed (no hello seen)");
    }
}

static void print_sap_error(struct report_out *h, const struct ev_connection *c)
{
    if (!c->error_name) {
        print_fact(h, "Error", c->error_text);
        return;
    }
    fact_open(h, "SAP error");
    report_out_put(h, "<code>");
    h_text(h, c->error_name);
    report_out_put(h, "</code>");
    if (c->error_code != 0) {
        report_out_printf(h, " (%d)", c->error_code);
    }
    if (c->error_text) {
        report_out_put(h, " &#8212; ");
        h_text(h, c->error_text);
    }
    report_out_put(h, "</dd>\n");
}

static void print_outcome_fact(struct report_out *h, const struct ev_connection *c)
{
    bool trace = report_from_trace(c);

    fact_open(h, "Outcome");
    print_outcome_badge(h, c->outcome);
    if (trace && c->not_tls) {
        report_out_put(h, " the connection never reached TLS: no TLS handshake took place");
    }
    if (c->outcome_detail && !(trace && report_detail_restates_error(c))) {
        report_out_put(h, " ");
        h_text(h, c->outcome_detail);
    }
    report_out_put(h, "</dd>\n");
}

/* What the ClientHello offered in one line, the suites folded under it. */
static void print_offer(struct report_out *h, const struct ev_connection *c)
{
    struct report_sink out = { .ctx = h, .put = sink_text, .text = sink_text };

    if (!c->ch.seen) {
        return;
    }
    fact_open(h, "Client offered");
    report_client_offer(c, &out);
    if (c->ch.suite_count > 0) {
        report_out_printf(h,
                          "<details><summary>Offered cipher suites (%zu)</summary><span "
                          "class=\"mono\">",
                          c->ch.suite_count);
        report_offered_suites(c, &out);
        report_out_put(h, "</span></details>");
    }
    report_out_put(h, "</dd>\n");
}

static void print_tls_facts(struct report_out *h, const struct ev_connection *c)
{
    char buf[NAME_BUF];

    if (c->ch.sni) {
        print_fact(h, "SNI", c->ch.sni);
    } else if (c->ch.seen) {
        print_fact(h, "SNI", "none (the ClientHello carried no server_name)");
    }
    print_offer(h, c);
    if (c->sh.seen && c->sh.version != 0) {
        fact_open(h, "Version");
        report_out_put(h, tls_version_str(c->sh.version, buf, sizeof buf));
        report_out_put(h, c->sh.hrr ? " (after a HelloRetryRequest)</dd>\n" : "</dd>\n");
    }
    if (c->sh.seen && c->sh.suite != 0) {
        fact_open(h, "Cipher suite");
        report_out_put(h, tls_cipher_suite_str(c->sh.suite, buf, sizeof buf));
        report_out_put(h, "</dd>\n");
    }
    if (c->decryption != EV_DEC_NONE) {
        char dec[300];
        report_decryption_line(c, dec, sizeof dec);
        print_fact(h, "Decryption", dec);
    }
}

static void print_facts(struct report_out *h, const struct ev_connection *c)
{
    char t1[REPORT_TIME_LEN], t2[REPORT_TIME_LEN];
    bool stated = report_from_trace(c) || c->has_also;

    report_out_put(h, "<dl class=\"facts\">\n");
    print_outcome_fact(h, c);
    if (stated) {
        print_sap_error(h, c);
        print_fact(h, "Handshake state", c->handshake_state);
    }
    print_source(h, c);
    print_role(h, c);
    if (report_time_iso(&c->first_ts, t1, sizeof t1)) {
        fact_open(h, "Time");
        report_out_put(h, t1);
        if (report_time_iso(&c->last_ts, t2, sizeof t2) && strcmp(t1, t2) != 0) {
            report_out_printf(h, " to %s", t2);
        }
        report_out_put(h, "</dd>\n");
    }
    if (stated) {
        print_fact(h, "Target host name", c->target_host);
        print_fact(h, "PSE / SSL identity", c->identity);
    }
    print_tls_facts(h, c);
    report_out_put(h, "</dl>\n");
}

/* The trace's own sentences, verbatim (the error text is shown above already). */
static void print_statements(struct report_out *h, const struct ev_connection *c)
{
    bool any = false;

    for (size_t i = 0; c->statements && i < c->statement_count; i++) {
        const char *st = c->statements[i];
        if (!st || (c->error_text && strcmp(st, c->error_text) == 0)) {
            continue;
        }
        report_out_put(h, any ? "" : "<h4>The trace says</h4>\n<ul class=\"plain\">\n");
        any = true;
        char ref[48];
        report_statement_ref(c, i, ref, sizeof ref);
        report_out_put(h, "<li class=\"stated mono\">");
        h_text_opt(h, st, 0, true);
        report_out_put(h, ref); /* digits and words of ours: nothing to escape */
        report_out_put(h, "</li>\n");
    }
    report_out_put(h, any ? "</ul>\n" : "");
}

/* ---- findings ------------------------------------------------------------ */

static void print_refs(struct report_out *h, const struct finding *f, const char *refword)
{
    if (f->evidence_count == 0 || !f->evidence) {
        return;
    }
    report_out_printf(h, "<p><span class=\"lbl\">Evidence:</span> %s%s ", refword,
                      f->evidence_count == 1 ? "" : "s");
    for (size_t i = 0; i < f->evidence_count; i++) {
        report_out_printf(h, "%s%" PRIu64, i ? ", " : "", f->evidence[i]);
    }
    report_out_put(h, "</p>\n");
}

static void print_finding(struct report_out *h, const struct finding *f, const char *refword)
{
    report_out_printf(h, "<article class=\"finding s-%s\" data-rule=\"",
                      severity_name(f->severity));
    h_text(h, f->rule);
    report_out_put(h, "\">\n<h5>");
    print_sev_badge(h, f->severity);
    report_out_put(h, " ");
    h_text(h, f->title ? f->title : f->rule);
    report_out_put(h, " <code class=\"rule-id\">");
    h_text(h, f->rule);
    report_out_put(h, "</code></h5>\n");
    if (f->explanation) {
        report_out_put(h, "<p class=\"expl\">");
        h_text_opt(h, f->explanation, 0, true);
        report_out_put(h, "</p>\n");
    }
    if (f->remediation_count > 0 && f->remediation) {
        report_out_put(h, "<p class=\"lbl\">What to do:</p>\n<ol>\n");
        for (size_t i = 0; i < f->remediation_count; i++) {
            report_out_put(h, "<li class=\"expl\">");
            h_text_opt(h, f->remediation[i] ? f->remediation[i] : "", 0, true);
            report_out_put(h, "</li>\n");
        }
        report_out_put(h, "</ol>\n");
    }
    print_refs(h, f, refword);
    if (f->reference_count > 0 && f->references) {
        report_out_put(h, "<p><span class=\"lbl\">References:</span> ");
        for (size_t i = 0; i < f->reference_count; i++) {
            report_out_put(h, i ? "; " : "");
            h_text(h, f->references[i]);
        }
        report_out_put(h, "</p>\n");
    }
    report_out_put(h, "</article>\n");
}

static void print_findings(struct report_out *h, const struct report_flist *l, const char *heading,
                           const char *refword)
{
    if (l->count == 0) {
        return;
    }
    report_out_printf(h, "%s (%zu)</h4>\n", heading, l->count);
    for (size_t i = 0; i < l->count && !h->failed; i++) {
        print_finding(h, l->items[i], refword);
    }
}

/* ---- the ladder diagram -------------------------------------------------- */

enum step_kind {
    STEP_MSG,   /* a TLS message or record, an arrow */
    STEP_ALERT, /* an alert, an arrow (red when fatal) */
    STEP_TCP,   /* FIN or RST, a dashed arrow */
    STEP_NOTE,  /* something one side states (an ICM error), a dot on its lifeline */
};

struct step {
    enum step_kind kind;
    enum ev_dir from;
    const char *text; /* static or from the evidence; escaped when drawn */
    char name[NAME_BUF];
    uint64_t ref, ref_first;
    const char *refword; /* "frame", "line", "trace line" */
    const struct ev_time *ts;
    bool fatal, dashed;
    bool warn;      /* worth a look, not a failure (an empty Certificate) */
    bool decrypted; /* protected on the wire, opened with the key log */
};

struct ladder {
    struct step *steps;
    size_t count, cap;
    size_t more; /* steps not drawn (over LADDER_MAX_STEPS) */
};

static struct step *ladder_add(struct ladder *l, enum step_kind kind, enum ev_dir from,
                               uint64_t ref, const char *refword)
{
    if (l->count == l->cap) {
        l->more++;
        return NULL;
    }
    struct step *s = &l->steps[l->count++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->from = from;
    s->ref = ref;
    s->refword = refword;
    return s;
}

static void add_alert(struct ladder *l, const struct ev_connection *c, const struct ev_alert *a)
{
    struct step *s = ladder_add(l, STEP_ALERT, a->from, a->ref, report_ref_word(c));
    if (!s) {
        return;
    }
    if (a->encrypted) {
        s->text = "Alert (encrypted)";
        s->dashed = true;
    } else {
        char buf[NAME_BUF];
        snprintf(s->name, sizeof s->name, "Alert: %s", report_alert_str(a, buf, sizeof buf));
        s->text = s->name;
        s->fatal = a->level == 2;
    }
    s->decrypted = a->decrypted;
    s->ts = &a->ts;
}

/* The alerts a ladder entry carries; false when it is not an alert record. */
static bool add_msg_alerts(struct ladder *l, const struct ev_connection *c, size_t i)
{
    bool shown = false;

    for (size_t k = 0; c->msgs[i].content_type == 21 && c->alerts && k < c->alert_count; k++) {
        if (c->alerts[k].msg_index == i && c->alerts[k].from == c->msgs[i].from) {
            add_alert(l, c, &c->alerts[k]);
            shown = true;
        }
    }
    return shown;
}

/* The two messages the motivating case turns on, said on their arrows: how
 * many CA names the server asked for, and that the client's answer was empty. */
static void annotate_msg(struct step *s, const struct ev_connection *c, const struct ev_msg *m)
{
    const struct ev_cert_request *cr = c->cert_request;

    if (m->encrypted || m->content_type != 22) {
        return;
    }
    if (m->hs_type == 13 && m->from == EV_FROM_SERVER && cr && cr->visible) {
        snprintf(s->name, sizeof s->name, "CertificateRequest, %zu CA %s", cr->ca_count,
                 report_plural(cr->ca_count, "name", "names"));
    } else if (m->hs_type == 11 && m->from == EV_FROM_CLIENT && c->client_cert == EV_CC_EMPTY) {
        snprintf(s->name, sizeof s->name, "Certificate, empty");
        s->warn = true;
    }
}

static void add_msg(struct ladder *l, const struct ev_connection *c, size_t i)
{
    const struct ev_msg *m = &c->msgs[i];

    if (add_msg_alerts(l, c, i)) {
        return;
    }
    struct step *s = ladder_add(l, STEP_MSG, m->from, m->ref, report_ref_word(c));
    if (!s) {
        return;
    }
    char buf[NAME_BUF];
    snprintf(s->name, sizeof s->name, "%s", report_msg_name(m, buf, sizeof buf));
    s->text = s->name;
    annotate_msg(s, c, m);
    s->ref_first = m->ref_first;
    s->dashed = m->encrypted;
    s->decrypted = m->decrypted;
    s->ts = &m->ts;
}

/* Alerts no ladder entry shows (should not happen; never lose one). */
static void add_orphan_alerts(struct ladder *l, const struct ev_connection *c)
{
    for (size_t k = 0; c->alerts && k < c->alert_count; k++) {
        const struct ev_alert *a = &c->alerts[k];
        size_t mi = a->msg_index;
        if (c->msgs && mi < c->msg_count && c->msgs[mi].content_type == 21 &&
            c->msgs[mi].from == a->from) {
            continue;
        }
        add_alert(l, c, a);
    }
}

static void add_tcp_close(struct ladder *l, const struct ev_connection *c)
{
    struct report_close cl[2];
    size_t n = report_tcp_closes(c, cl);

    for (size_t i = 0; i < n; i++) {
        struct step *s = ladder_add(l, STEP_TCP, cl[i].from, cl[i].ref, report_ref_word(c));
        if (s) {
            s->text = cl[i].rst ? "TCP RST (connection reset)" : "TCP FIN (closes its side)";
            s->dashed = true;
            s->fatal = cl[i].rst;
        }
    }
}

/* The side that wrote the trace: where its statements are drawn. */
static enum ev_dir icm_side(const struct ev_connection *c)
{
    return c->local_side == EV_SIDE_SERVER ? EV_FROM_SERVER : EV_FROM_CLIENT;
}

/* A statement of the ICM on its lifeline, cited at its own line of the
 * trace (src) when the evidence has it, else at the attempt's lines. */
static struct step *add_icm_note(struct ladder *l, const struct ev_connection *c,
                                 const struct ev_source *src, const char *refword, uint64_t line)
{
    struct step *s = ladder_add(l, STEP_NOTE, icm_side(c), line ? line : src->last, refword);
    if (s) {
        s->ref_first = line ? line : src->first;
    }
    return s;
}

/* Where the ICM's handshake stood and the error it reported. */
static void add_trace_error(struct ladder *l, const struct ev_connection *c,
                            const struct ev_source *src, const char *refword)
{
    struct step *s;

    if (c->handshake_state && (s = add_icm_note(l, c, src, refword, c->state_line))) {
        snprintf(s->name, sizeof s->name, "state: %s", c->handshake_state);
        s->text = s->name;
    }
    if (!c->error_name && !c->error_text && !c->not_tls) {
        return;
    }
    if (!(s = add_icm_note(l, c, src, refword, c->error_line))) {
        return;
    }
    s->text = c->error_name   ? c->error_name
              : c->error_text ? c->error_text
                              : "the connection never reached TLS";
    s->fatal = c->outcome == EV_OUT_FAILED;
}

static void ladder_from_capture(struct ladder *l, const struct ev_connection *c)
{
    for (size_t i = 0; c->msgs && i < c->msg_count; i++) {
        add_msg(l, c, i);
    }
    add_orphan_alerts(l, c);
    add_tcp_close(l, c);
    if (c->has_also) {
        add_trace_error(l, c, &c->also, "trace line");
    }
}

/* The certificate messages a trace states: a chain it printed, the client's answer. */
static void add_trace_certs(struct ladder *l, const struct ev_connection *c)
{
    if (c->stated_cert_count > 0 && c->stated_certs) {
        /* The trace prints the peer's chain. */
        enum ev_dir peer = icm_side(c) == EV_FROM_CLIENT ? EV_FROM_SERVER : EV_FROM_CLIENT;
        struct step *s = ladder_add(l, STEP_MSG, peer, c->stated_certs[0].ref, "line");
        if (s) {
            snprintf(s->name, sizeof s->name, "Certificate, %zu printed in the trace",
                     c->stated_cert_count);
            s->text = s->name;
        }
    }
    const struct ev_cert_request *cr = c->cert_request;
    if (cr) {
        struct step *s = ladder_add(l, STEP_MSG, EV_FROM_SERVER, cr->ref, "line");
        if (s) {
            s->text = "CertificateRequest";
        }
    }
    if (c->client_cert == EV_CC_EMPTY || c->client_cert == EV_CC_SENT) {
        uint64_t ref = c->client_chain && c->client_chain->ref ? c->client_chain->ref
                       : cr                                    ? cr->ref
                                                               : 0;
        struct step *s = ladder_add(l, STEP_MSG, EV_FROM_CLIENT, ref, "line");
        if (s) {
            s->text = c->client_cert == EV_CC_EMPTY ? "Certificate, empty" : "Certificate";
            s->warn = c->client_cert == EV_CC_EMPTY;
        }
    }
}

/* Stable by line: what the trace says happened, in the order it says it. */
static void sort_by_ref(struct ladder *l)
{
    for (size_t i = 1; i < l->count; i++) {
        struct step x = l->steps[i];
        size_t j = i;
        while (j > 0 && l->steps[j - 1].ref > x.ref) {
            l->steps[j] = l->steps[j - 1];
            j--;
        }
        l->steps[j] = x;
    }
}

static void ladder_from_trace(struct ladder *l, const struct ev_connection *c)
{
    add_trace_certs(l, c);
    for (size_t k = 0; c->alerts && k < c->alert_count; k++) {
        add_alert(l, c, &c->alerts[k]);
    }
    sort_by_ref(l);
    add_trace_error(l, c, &c->source, "line");
}

/* First step of the kind, or SIZE_MAX. */
static size_t first_step(const struct ladder *l, enum step_kind kind)
{
    for (size_t i = 0; i < l->count; i++) {
        if (l->steps[i].kind == kind) {
            return i;
        }
    }
    return SIZE_MAX;
}

/*
 * Where the handshake failed: the first fatal alert, reset or stated error;
 * else the first (encrypted) alert; else a FIN when only one side closed;
 * else the last message before the close. SIZE_MAX when it did not fail.
 */
static size_t failure_step(const struct ladder *l, const struct ev_connection *c)
{
    if (c->outcome != EV_OUT_FAILED || l->count == 0) {
        return SIZE_MAX;
    }
    for (size_t i = 0; i < l->count; i++) {
        if (l->steps[i].fatal) {
            return i;
        }
    }
    size_t at = first_step(l, STEP_ALERT);
    if (at != SIZE_MAX) {
        return at;
    }
    if (c->fin[EV_FROM_CLIENT] != c->fin[EV_FROM_SERVER]) {
        return first_step(l, STEP_TCP);
    }
    for (size_t i = l->count; i > 0; i--) {
        if (l->steps[i - 1].kind != STEP_TCP) {
            return i - 1;
        }
    }
    return l->count - 1;
}

/* Geometry of the drawing (SVG user units, scaled to the page width). */
enum {
    LD_W = 880,
    LD_CLIENT_X = 200,
    LD_SERVER_X = 700,
    LD_MID_X = 450,
    LD_HEAD_H = 64,
    LD_ROW_H = 34,
    LD_BAND_H = 34,
};

static int lane_x(enum ev_dir d)
{
    return d == EV_FROM_SERVER ? LD_SERVER_X : LD_CLIENT_X;
}

static void draw_lifeline_head(struct report_out *h, const struct ev_connection *c, enum ev_dir d)
{
    char ep[REPORT_ENDPOINT_LEN];
    const struct ev_endpoint *e = d == EV_FROM_SERVER ? &c->server : &c->client;
    int x = lane_x(d);
    bool stated = report_from_trace(c) || c->has_also;
    const char *role = "";

    if (stated && c->local_side != EV_SIDE_UNKNOWN) {
        role = (c->local_side == EV_SIDE_CLIENT) == (d == EV_FROM_CLIENT) ? " (ICM)" : " (peer)";
    }
    report_out_printf(
        h,
        "<rect x=\"%d\" y=\"6\" width=\"240\" height=\"50\" rx=\"8\" fill=\"#eef4ff\" "
        "stroke=\"#84adff\"/>\n<text x=\"%d\" y=\"27\" text-anchor=\"middle\" "
        "font-size=\"15\" font-weight=\"700\" fill=\"#1d2939\">%s%s%s</text>\n",
        x - 120, x, d == EV_FROM_SERVER ? "Server" : "Client", role,
        c->roles_guessed ? " (guessed)" : "");
    report_endpoint_or_unknown(e, ep, sizeof ep);
    report_out_printf(h,
                      "<text x=\"%d\" y=\"46\" text-anchor=\"middle\" font-size=\"13\" "
                      "fill=\"#475467\" class=\"addr\">",
                      x);
    h_text_opt(h, report_endpoint_known(e) ? ep : "address not in the input", LADDER_TEXT_MAX,
               false);
    report_out_put(h, "</text>\n");
}

/* "ClientHello (frame 4)", "Certificate (frames 5-6)". */
static void draw_label(struct report_out *h, const struct step *s)
{
    h_text_opt(h, s->text, LADDER_TEXT_MAX, false);
    report_out_put(h, s->decrypted ? " (decrypted)" : "");
    if (s->ref_first && s->ref_first != s->ref) {
        report_out_printf(h, " (%ss %" PRIu64 "&#8211;%" PRIu64 ")", s->refword, s->ref_first,
                          s->ref);
    } else if (s->ref) {
        report_out_printf(h, " (%s %" PRIu64 ")", s->refword, s->ref);
    }
}

static const char *step_colour(const struct step *s)
{
    if (s->fatal) {
        return "#d92d20";
    }
    if (s->kind == STEP_ALERT || s->warn) {
        return "#dc6803";
    }
    return s->dashed ? "#667085" : "#344054";
}

static void draw_arrow(struct report_out *h, const struct step *s, int y)
{
    int x1 = lane_x(s->from),
        x2 = lane_x(s->from == EV_FROM_CLIENT ? EV_FROM_SERVER : EV_FROM_CLIENT);
    int dir = x2 > x1 ? 1 : -1;
    const char *col = step_colour(s);

    report_out_printf(
        h,
        "<g class=\"arrow%s\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
        "stroke-width=\"%s\"%s/>\n",
        s->fatal ? " fatal" : "", x1 + dir * 2, y, x2 - dir * 10, y, col, s->fatal ? "2.5" : "1.6",
        s->dashed ? " stroke-dasharray=\"6 4\"" : "");
    report_out_printf(h, "<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>\n", x2 - dir, y,
                      x2 - dir * 12, y - 5, x2 - dir * 12, y + 5, col);
    report_out_printf(
        h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13.5\" fill=\"%s\"%s>",
        LD_MID_X, y - 7,
        s->fatal  ? "#b42318"
        : s->warn ? "#93370d"
                  : "#1d2939",
        s->fatal || s->warn || s->kind == STEP_ALERT ? " font-weight=\"700\"" : "");
    draw_label(h, s);
    report_out_put(h, "</text></g>\n");
}

/* A statement of one side: a dot on its lifeline, the text towards the middle. */
static void draw_note(struct report_out *h, const struct step *s, int y)
{
    int x = lane_x(s->from);
    bool left = s->from == EV_FROM_CLIENT;
    const char *col = s->fatal ? "#d92d20" : "#344054";

    report_out_printf(h, "<g class=\"note\"><circle cx=\"%d\" cy=\"%d\" r=\"6\" fill=\"%s\"/>\n", x,
                      y - 4, col);
    report_out_printf(
        h,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" font-size=\"13.5\" font-weight=\"700\" "
        "fill=\"%s\">",
        left ? x + 18 : x - 18, y, left ? "start" : "end", s->fatal ? "#b42318" : "#1d2939");
    draw_label(h, s);
    report_out_put(h, "</text></g>\n");
}

static void draw_time(struct report_out *h, const struct ev_connection *c, const struct step *s,
                      int y)
{
    char rel[40];

    if (!s->ts || c->source.kind != EV_SRC_PCAP || !report_time_known(&c->first_ts) ||
        !report_time_known(s->ts)) {
        return;
    }
    report_rel_time(&c->first_ts, s->ts, rel, sizeof rel);
    report_out_printf(h,
                      "<text x=\"8\" y=\"%d\" font-size=\"12\" fill=\"#667085\" "
                      "font-family=\"ui-monospace,Menlo,Consolas,monospace\">%s s</text>\n",
                      y - 2, rel);
}

/* The failure marker: a red cross where the failing message arrives and a
 * band under it that says so. */
static void draw_failure(struct report_out *h, const struct step *s, int y)
{
    int x = s->kind == STEP_NOTE
                ? lane_x(s->from)
                : lane_x(s->from == EV_FROM_CLIENT ? EV_FROM_SERVER : EV_FROM_CLIENT);
    int by = y + 12;

    report_out_printf(
        h,
        "<g class=\"fail-marker\"><circle cx=\"%d\" cy=\"%d\" r=\"11\" fill=\"#fff\" "
        "stroke=\"#d92d20\" stroke-width=\"2.5\"/>\n<path d=\"M%d %dl10 10M%d %dl-10 10\" "
        "stroke=\"#d92d20\" stroke-width=\"2.5\"/>\n",
        x, y - 4, x - 5, y - 9, x + 5, y - 9);
    report_out_printf(
        h,
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"24\" rx=\"12\" fill=\"#fee4e2\" "
        "stroke=\"#d92d20\"/>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
        "font-size=\"14\" font-weight=\"700\" fill=\"#b42318\">\xe2\x9c\x96 handshake failed "
        "here</text></g>\n",
        LD_MID_X - 110, by, 220, LD_MID_X, by + 17);
}

/* How the drawing ends when nothing failed: established, or the input ends. */
static void draw_end(struct report_out *h, const struct ev_connection *c, int y)
{
    bool ok = c->outcome == EV_OUT_ESTABLISHED;

    report_out_printf(h,
                      "<g class=\"end-marker\"><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
                      "font-size=\"14\" font-weight=\"700\" fill=\"%s\">%s</text></g>\n",
                      LD_MID_X, y + 4, ok ? "#067647" : "#93370d",
                      ok ? "\xe2\x9c\x94 handshake established"
                         : "\xe2\x8b\xaf the input ends here: handshake incomplete");
}

static void draw_ladder(struct report_out *h, const struct ev_connection *c, const struct ladder *l)
{
    size_t fail = failure_step(l, c);
    bool end_row = fail == SIZE_MAX || l->more > 0;
    int rows_h = (int)l->count * LD_ROW_H + (fail != SIZE_MAX ? LD_BAND_H : 0);
    int height = LD_HEAD_H + 22 + rows_h + (end_row ? LD_ROW_H : 0) + (l->count ? 0 : LD_ROW_H);

    report_out_printf(h,
                      "<div class=\"ladder-box\"><svg class=\"ladder\" width=\"%d\" height=\"%d\" "
                      "viewBox=\"0 0 %d %d\" role=\"img\" "
                      "aria-label=\"Message ladder of connection %u\">\n",
                      LD_W, height, LD_W, height, c->id);
    report_out_printf(h, "<title>Message ladder of connection %u</title>\n", c->id);
    for (int d = 0; d < 2; d++) {
        report_out_printf(h,
                          "<line class=\"lifeline\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                          "stroke=\"#98a2b3\" stroke-width=\"2\"/>\n",
                          lane_x((enum ev_dir)d), LD_HEAD_H - 8, lane_x((enum ev_dir)d),
                          height - 6);
        draw_lifeline_head(h, c, (enum ev_dir)d);
    }
    int y = LD_HEAD_H + 22;
    for (size_t i = 0; i < l->count && !h->failed; i++) {
        const struct step *s = &l->steps[i];
        y += LD_ROW_H / 2;
        draw_time(h, c, s, y);
        if (s->kind == STEP_NOTE) {
            draw_note(h, s, y);
        } else {
            draw_arrow(h, s, y);
        }
        if (i == fail) {
            draw_failure(h, s, y);
            y += LD_BAND_H;
        }
        y += LD_ROW_H - LD_ROW_H / 2;
    }
    if (l->count == 0) {
        report_out_printf(h,
                          "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13.5\" "
                          "fill=\"#667085\">no TLS messages in the input</text>\n",
                          LD_MID_X, y + 20);
        y += LD_ROW_H;
    }
    if (l->more > 0) {
        report_out_printf(h,
                          "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13.5\" "
                          "fill=\"#667085\">%zu more not drawn</text>\n",
                          LD_MID_X, y + 16, l->more);
    } else if (end_row) {
        draw_end(h, c, y + 12);
    }
    report_out_put(h, "</svg></div>\n");
}

static void print_ladder(struct report_out *h, const struct ev_connection *c)
{
    struct ladder l = { .cap = LADDER_MAX_STEPS };

    l.steps = calloc(l.cap, sizeof *l.steps);
    if (!l.steps) {
        h->failed = true;
        return;
    }
    if (report_from_trace(c) && c->msg_count == 0) {
        ladder_from_trace(&l, c);
    } else {
        ladder_from_capture(&l, c);
    }
    report_out_printf(h, "<h4 id=\"ladder-%u\">Handshake ladder (%s)</h4>\n", c->id,
                      report_from_trace(c) ? "as stated in the trace, by line" : "by frame");
    draw_ladder(h, c, &l);
    free(l.steps);
}

/* ---- CA names and certificates ------------------------------------------- */

/* A report_common phrase ("not in the trace") as a paragraph: capitalised, full stop. */
static void print_sentence(struct report_out *h, const char *phrase)
{
    report_out_put(h, "<p>");
    if (phrase[0] >= 'a' && phrase[0] <= 'z') {
        report_out_printf(h, "%c", phrase[0] - 'a' + 'A');
        phrase++;
    }
    h_text(h, phrase);
    report_out_put(h, ".</p>\n");
}

static void print_ca_table(struct report_out *h, const struct ev_cert_request *cr)
{
    report_out_put(
        h, "<table class=\"ca-names\">\n<thead><tr><th>#</th><th>CA name (RFC 4514)</th></tr>"
           "</thead>\n<tbody>\n");
    for (size_t i = 0; cr->ca_names && i < cr->ca_count && !h->failed; i++) {
        report_out_printf(h, "<tr><td class=\"num\">%zu</td><td class=\"mono\">", i + 1);
        h_text(h, cr->ca_names[i].text ? cr->ca_names[i].text : "(unreadable name)");
        report_out_put(h, "</td></tr>\n");
    }
    report_out_put(h, "</tbody>\n</table>\n");
}

static void print_cr_params(struct report_out *h, const struct ev_connection *c,
                            const struct ev_cert_request *cr)
{
    char buf[NAME_BUF];

    report_out_printf(h,
                      "<p class=\"muted\">Certificate request in %s %" PRIu64
                      " (%s handshake); certificate types: ",
                      report_ref_word(c), cr->ref, report_phase_name(cr->phase));
    for (size_t i = 0; cr->cert_types && i < cr->cert_type_count; i++) {
        report_out_printf(h, "%s%s", i ? ", " : "",
                          tls_cert_type_str(cr->cert_types[i], buf, sizeof buf));
    }
    report_out_put(h, cr->cert_type_count ? "" : "none");
    report_out_put(h, "; signature algorithms: ");
    for (size_t i = 0; cr->sig_algs && i < cr->sig_alg_count; i++) {
        report_out_printf(h, "%s%s", i ? ", " : "",
                          tls_sig_scheme_str(cr->sig_algs[i], buf, sizeof buf));
    }
    report_out_put(h, cr->sig_alg_count ? ".</p>\n" : "none.</p>\n");
}

static void print_cert_request(struct report_out *h, const struct ev_connection *c)
{
    const struct ev_cert_request *cr = c->cert_request;
    char buf[200];

    if (cr && cr->visible) {
        report_out_printf(h, "<h4>CA names accepted by the server (%zu)</h4>\n", cr->ca_count);
        print_cr_params(h, c, cr);
        if (cr->ca_count == 0 || !cr->ca_names) {
            report_out_put(h,
                           "<p>None listed (the client may send a certificate from any CA).</p>\n");
        } else {
            print_ca_table(h, cr);
        }
        return;
    }
    if (report_from_trace(c)) {
        report_trace_cert_request_text(c, buf, sizeof buf);
    }
    report_out_put(h, "<h4>Certificate request</h4>\n");
    print_sentence(h, report_from_trace(c) ? buf : report_cert_request_absence(c));
}

static void print_str_list(struct report_out *h, char *const *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        report_out_put(h, i ? ", " : "");
        h_text(h, v[i]);
    }
}

static void print_cert_body(struct report_out *h, const struct ev_cert *cert)
{
    report_out_put(h, "<dl class=\"facts\">\n");
    print_fact(h, "Subject", cert->subject);
    print_fact(h, "Issuer", cert->issuer);
    fact_open(h, "Validity");
    h_text(h, cert->not_before ? cert->not_before : "?");
    report_out_put(h, " to ");
    h_text(h, cert->not_after ? cert->not_after : "?");
    report_out_put(h, "</dd>\n");
    fact_open(h, "Key");
    h_text(h, cert->key_type ? cert->key_type : "unknown");
    if (cert->key_bits) {
        report_out_printf(h, " %u bits", cert->key_bits);
    }
    report_out_put(h, "</dd>\n");
    print_fact(h, "Signature", cert->signature_algorithm);
    print_fact(h, "Serial", cert->serial);
    print_fact(h, "SHA-256", cert->sha256[0] ? cert->sha256 : NULL);
    if (cert->san_count > 0) {
        fact_open(h, "SAN");
        print_str_list(h, cert->san, cert->san_count);
        report_out_put(h, "</dd>\n");
    }
    fact_open(h, "CA");
    report_out_put(h, cert->is_ca ? "yes" : "no");
    if (cert->is_ca && cert->path_len >= 0) {
        report_out_printf(h, " (path length %d)", cert->path_len);
    }
    report_out_put(h, cert->self_signed ? ", self-signed</dd>\n" : "</dd>\n");
    if (cert->key_usage_count > 0) {
        fact_open(h, "Key usage");
        print_str_list(h, cert->key_usage, cert->key_usage_count);
        report_out_put(h, "</dd>\n");
    }
    if (cert->ext_key_usage_count > 0) {
        fact_open(h, "Ext. key usage");
        print_str_list(h, cert->ext_key_usage, cert->ext_key_usage_count);
        report_out_put(h, "</dd>\n");
    }
    print_fact(h, "Decode error", cert->error);
    report_out_put(h, "</dl>\n");
}

static void print_cert(struct report_out *h, const struct ev_cert *cert, size_t idx, size_t count)
{
    report_out_printf(h, "<details class=\"cert\"><summary><strong>%zu.</strong> ", idx + 1);
    if (!cert) {
        report_out_put(h, "(not decoded)</summary></details>\n");
        return;
    }
    h_text(h, cert->subject);
    report_out_put(h, idx == 0 && count > 1 ? " <span class=\"muted\">(leaf)</span>" : "");
    report_out_put(h, " <span class=\"muted\">&#8212; issued by ");
    h_text(h, cert->issuer);
    report_out_put(h, ", valid until ");
    h_text(h, cert->not_after ? cert->not_after : "?");
    report_out_put(h, "</span></summary>\n");
    print_cert_body(h, cert);
    report_out_put(h, "</details>\n");
}

static void print_chain(struct report_out *h, const struct ev_connection *c, const char *title,
                        const struct ev_chain *chain)
{
    report_out_printf(h, "<h4>%s (%zu)", title, chain->count);
    if (chain->ref) {
        report_out_printf(h, ", %s %" PRIu64, report_ref_word(c), chain->ref);
    }
    report_out_put(h, "</h4>\n");
    for (size_t i = 0; chain->certs && i < chain->count && !h->failed; i++) {
        print_cert(h, chain->certs[i], i, chain->count);
    }
}

/* One table cell of untrusted text. */
static void print_cell(struct report_out *h, const char *cls, const char *text)
{
    report_out_printf(h, "<td%s>", cls);
    h_text(h, text ? text : "");
    report_out_put(h, "</td>");
}

/* The certificate tree a trace printed: text only, leaf first, then each signer. */
static void print_stated_certs(struct report_out *h, const struct ev_connection *c)
{
    report_out_printf(
        h,
        "<h4>Certificates printed by the trace (%zu)</h4>\n<table class=\"stated-certs\">\n"
        "<thead><tr><th>#</th><th>Subject</th><th>Issuer</th><th>Serial</th>"
        "<th>Verification</th><th>Line</th></tr></thead>\n<tbody>\n",
        c->stated_cert_count);
    for (size_t i = 0; c->stated_certs && i < c->stated_cert_count && !h->failed; i++) {
        const struct ev_stated_cert *sc = &c->stated_certs[i];
        const char *cells[] = { sc->subject ? sc->subject : "(not in the trace)", sc->issuer,
                                sc->serial, sc->status };
        report_out_printf(h, "<tr><td class=\"num\">%zu</td>", i + 1);
        for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
            print_cell(h, k < 3 ? " class=\"mono\"" : "", cells[k]);
        }
        report_out_put(h, "<td class=\"num\">");
        if (sc->ref) {
            report_out_printf(h, "%" PRIu64, sc->ref);
        }
        report_out_put(h, "</td></tr>\n");
    }
    report_out_put(h, "</tbody>\n</table>\n");
}

static void print_client_cert(struct report_out *h, const struct ev_connection *c)
{
    char buf[160];

    if (c->client_cert == EV_CC_SENT && c->client_chain) {
        print_chain(h, c, "Client certificate chain", c->client_chain);
        return;
    }
    report_client_cert_text(c, buf, sizeof buf);
    report_out_put(h, "<h4>Client certificate</h4>\n");
    print_sentence(h, buf);
}

static void print_certificates(struct report_out *h, const struct ev_connection *c)
{
    if (c->server_chain) {
        print_chain(h, c, "Server certificate chain", c->server_chain);
    }
    if (c->stated_cert_count > 0) {
        print_stated_certs(h, c);
    } else if (!c->server_chain) {
        report_out_put(h, "<h4>Server certificate chain</h4>\n");
        print_sentence(h, report_server_chain_absence(c));
    }
    print_client_cert(h, c);
}

static void print_notes(struct report_out *h, const struct ev_connection *c)
{
    char lead[160];

    if (c->note_count == 0 || !c->notes) {
        return;
    }
    report_out_printf(h, "<h4>Notes (%zu)</h4>\n<ul class=\"plain\">\n", c->note_count);
    for (size_t i = 0; i < c->note_count; i++) {
        report_note_prefix(c, &c->notes[i], lead, sizeof lead);
        report_out_put(h, "<li>");
        h_text(h, lead);
        h_text(h, c->notes[i].text);
        report_out_put(h, "</li>\n");
    }
    report_out_put(h, "</ul>\n");
}

/* ---- connections --------------------------------------------------------- */

/* Everything about one connection, below its heading or summary line. */
static void print_conn_body(struct report_out *h, const struct ev_connection *c,
                            const struct report_flist *findings)
{
    print_facts(h, c);
    if (report_from_trace(c) || c->has_also) {
        print_statements(h, c);
    }
    print_findings(h, findings, "<h4>Findings", report_ref_word(c));
    print_ladder(h, c);
    if (!(report_from_trace(c) && c->not_tls)) {
        print_cert_request(h, c);
        print_certificates(h, c);
    }
    print_notes(h, c);
}

static void print_conn_full(struct report_out *h, const struct ev_connection *c,
                            const struct report_flist *findings)
{
    /* An established handshake shown in full has a warning or an error. */
    const char *problem = "";
    if (c->outcome == EV_OUT_ESTABLISHED) {
        problem = " problem";
        for (size_t i = 0; i < findings->count; i++) {
            problem = findings->items[i]->severity == SEV_ERROR ? " problem error" : problem;
        }
    }
    report_out_printf(h, "<section class=\"conn %s%s\" id=\"conn-%u\">\n<h3>Connection %u: ",
                      outcome_class(c->outcome), problem, c->id, c->id);
    print_peers(h, c);
    report_out_put(h, " ");
    print_outcome_badge(h, c->outcome);
    report_out_put(h, "</h3>\n");
    print_conn_body(h, c, findings);
    report_out_put(h, "</section>\n");
}

/* A successful handshake: one line, the rest folded (opened for print). */
static void print_conn_compact(struct report_out *h, const struct ev_connection *c,
                               const struct report_flist *findings)
{
    char buf[NAME_BUF];

    report_out_printf(
        h, "<details class=\"conn ok\" id=\"conn-%u\"><summary>Connection %u: ", c->id, c->id);
    print_peers(h, c);
    report_out_put(h, " ");
    print_outcome_badge(h, c->outcome);
    if (c->sh.seen && c->sh.version) {
        report_out_printf(h, " <span class=\"muted\">%s</span>",
                          tls_version_str(c->sh.version, buf, sizeof buf));
    }
    report_out_put(h, " ");
    print_rule_badges(h, findings);
    report_out_put(h, "</summary>\n");
    print_conn_body(h, c, findings);
    report_out_put(h, "</details>\n");
}

static void print_section(struct report_out *h, const struct evidence *ev,
                          const struct report_index *ix, enum report_section sec)
{
    char title[80];
    bool any = false;

    report_section_title(ev, sec, title, sizeof title);
    for (size_t i = 0; i < ev->conn_count && !h->failed; i++) {
        const struct ev_connection *c = ev->conns[i];
        if (report_section_of(c, &ix->by_conn[i]) != sec) {
            continue;
        }
        if (!any) {
            report_out_printf(h, "<h2>%s</h2>\n", title);
            any = true;
        }
        if (sec == REPORT_SEC_OK) {
            print_conn_compact(h, c, &ix->by_conn[i]);
        } else {
            print_conn_full(h, c, &ix->by_conn[i]);
        }
    }
}

int report_write_html(FILE *out, const struct evidence *ev, const struct findings *f,
                      const struct report_options *o)
{
    struct report_out h = { .f = out };
    struct report_ctx ctx;

    if (report_ctx_init(&ctx, ev, f) != 0) {
        return -1;
    }
    print_head(&h, o);
    print_header(&h, ev, o);
    if (print_answer(&h, ev, &ctx.ix, &ctx.counts) != 0) {
        report_ctx_fini(&ctx);
        return -1;
    }
    print_overview_table(&h, ev, &ctx.ix);
    for (enum report_section sec = REPORT_SEC_FAILED; sec <= REPORT_SEC_OK; sec++) {
        print_section(&h, ev, &ctx.ix, sec);
    }
    if (ctx.ix.global.count > 0) {
        /* Input-wide findings cite the first input's kind of reference. */
        bool icm = ev->input_count > 0 && ev->inputs[0].kind == EV_IN_ICM;
        report_out_put(&h, "<section class=\"conn\" id=\"input-findings\">\n");
        print_findings(&h, &ctx.ix.global, "<h4>Findings for the whole input",
                       icm ? "line" : "frame");
        report_out_put(&h, "</section>\n");
    }
    report_out_put(&h, "</main>\n</body>\n</html>\n");
    report_ctx_fini(&ctx);
    if (fflush(out) != 0 || ferror(out)) {
        h.failed = true;
    }
    return h.failed ? -1 : 0;
}
