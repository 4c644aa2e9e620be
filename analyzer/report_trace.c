/*
 * report_trace.c - the handshakes written in the style of an SAP ICM trace
 * (dev_icm, shared/icm-trace-format.md), so that an SAP Basis administrator
 * reads a capture in the form they know: per connection a timeline under a
 * pseudo thread label "[Thr conn-N]" (N is tlsdiag's connection number, not
 * an ICM thread id; the header says so), ICM timestamp lines ("Sun Nov 22
 * 22:26:02:947 2026", a colon before the milliseconds, ibid. 4.2), CCL-like
 * lines for what was sent and received ("CCL[SSL]: Cli-0001: CertificateRequest
 * received: 3 CA names", each CA name, "Sending empty Certificate message",
 * ibid. 6.2), alert lines, the outcome as an "SSL handshake with ... failed" line
 * (ibid. 5.1) and the findings as "*** ERROR => rule: title" blocks (ibid.
 * 4.3). Every line ends with its evidence in brackets, where an ICM line
 * names its source location: "[frame 6]" of a capture, "[dev_icm:12]" of a
 * trace. What tlsdiag infers and no ICM wrote (why a captured client's
 * Certificate was empty) is a "tlsdiag:" line, never a made-up CCL line.
 *
 * A capture is told from the client's side (what the client sent and
 * received), a trace from the side that wrote it. Capture times are UTC; a
 * trace's times are printed as the trace states them (local server time).
 * Output is deterministic: nothing depends on the clock or the locale.
 * Untrusted text goes through report_safe_char, so no input byte can drive
 * the reader's terminal.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "report_common.h"
#include "tls_names.h"

#define NAME_BUF 32
/* "Sun Nov 22 22:26:02:947 2026", NUL included, with room to spare. */
#define ICM_TIME_LEN 48

struct tr {
    struct report_out out;
    const struct ev_connection *c; /* the connection being written, or NULL */
    char thr[32];                  /* "[Thr conn-1]" */
    char ccl[48];                  /* "CCL[SSL]: Cli-0001:" */
    bool client_view;              /* lines are told by the client */
    char last_time[ICM_TIME_LEN];  /* the last timestamp line, to print changes only */
    bool decrypted;                /* the message being written was opened with the key log */
};

static void tr_put(struct tr *t, const char *s)
{
    report_out_put(&t->out, s);
}

/* Untrusted text (report_safe_char: no byte can drive the reader's terminal). */
static void tr_safe(struct tr *t, const char *s)
{
    report_out_safe(&t->out, s);
}

/* ---- evidence references ------------------------------------------------- */

/* "dev_icm" of "/usr/sap/SID/D00/work/dev_icm": the header lists the full paths. */
static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash && slash[1] ? slash + 1 : path;
}

/* "[frame 6]", "[frames 4-9]", "[dev_icm:12]", "[dev_icm:12-20]" and a newline. */
static void end_span(struct tr *t, const struct ev_source *src, uint64_t first, uint64_t last)
{
    if (first == 0 && last == 0) {
        tr_put(t, "\n");
        return;
    }
    if (first == 0) {
        first = last;
    }
    if (last < first) {
        last = first;
    }
    tr_put(t, "  [");
    if (src->kind == EV_SRC_ICM) {
        tr_safe(t, base_name(src->path));
        report_out_printf(&t->out, ":%" PRIu64, first);
    } else {
        report_out_printf(&t->out, "%s %" PRIu64, first == last ? "frame" : "frames", first);
    }
    if (last != first) {
        report_out_printf(&t->out, "-%" PRIu64, last);
    }
    tr_put(t, "]\n");
}

static void end_ref(struct tr *t, const struct ev_source *src, uint64_t ref)
{
    end_span(t, src, ref, ref);
}

/* The whole connection: for a fact the source states without a line of its own. */
static void end_whole(struct tr *t, const struct ev_source *src)
{
    end_span(t, src, src->first, src->last);
}

/* A stated fact's own line, or the whole attempt when the line is unknown. */
static void end_line(struct tr *t, const struct ev_source *src, uint64_t line)
{
    if (line) {
        end_ref(t, src, line);
    } else {
        end_whole(t, src);
    }
}

/* "[frames 6, 8, 9]", "[dev_icm:3, 7]". */
static void end_list(struct tr *t, const struct ev_source *src, const uint64_t *refs, size_t n)
{
    if (n == 0 || !refs) {
        end_whole(t, src);
        return;
    }
    tr_put(t, "  [");
    if (src->kind == EV_SRC_ICM) {
        tr_safe(t, base_name(src->path));
        tr_put(t, ":");
    } else {
        tr_put(t, n == 1 ? "frame " : "frames ");
    }
    for (size_t i = 0; i < n; i++) {
        report_out_printf(&t->out, "%s%" PRIu64, i ? ", " : "", refs[i]);
    }
    tr_put(t, "]\n");
}

/* " (decrypted)" after a message the key log opened, as the text report marks it. */
static void mark(struct tr *t)
{
    tr_put(t, t->decrypted ? " (decrypted)" : "");
}

/* ---- line starts ---------------------------------------------------------- */

static void thr(struct tr *t)
{
    tr_put(t, t->thr);
    tr_put(t, " ");
}

/* "[Thr conn-1] CCL[SSL]: Cli-0001: " */
static void ccl(struct tr *t)
{
    thr(t);
    tr_put(t, t->ccl);
    tr_put(t, " ");
}

/* "sent" or "received", as seen by the side telling the story. */
static const char *verb(const struct tr *t, enum ev_dir from)
{
    return (from == EV_FROM_CLIENT) == t->client_view ? "sent" : "received";
}

/* ---- ICM timestamps ----------------------------------------------------- */

/*
 * "Sun Nov 22 22:26:02:947 2026": ctime's layout (day padded with a blank)
 * with the milliseconds after a colon (shared/icm-trace-format.md 4.2).
 * Own name tables: the locale must not change the report.
 */
static bool icm_time(const struct ev_time *ts, char *buf, size_t n)
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    struct tm tm;
    time_t sec = (time_t)ts->sec;

    if (!report_time_known(ts) || !gmtime_r(&sec, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 ||
        tm.tm_mon < 0 || tm.tm_mon > 11) {
        return false;
    }
    snprintf(buf, n, "%s %s %2d %02d:%02d:%02d:%03u %d", days[tm.tm_wday], months[tm.tm_mon],
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(ts->nsec / 1000000u),
             tm.tm_year + 1900);
    return true;
}

/* A timestamp line when the time (to the millisecond) moved on. */
static void time_line(struct tr *t, const struct ev_time *ts, const struct ev_source *src,
                      uint64_t ref)
{
    char buf[ICM_TIME_LEN];
    if (!icm_time(ts, buf, sizeof buf) || strcmp(buf, t->last_time) == 0) {
        return;
    }
    snprintf(t->last_time, sizeof t->last_time, "%s", buf);
    thr(t);
    tr_put(t, buf);
    end_ref(t, src, ref);
}

/* ---- certificates and CA names ------------------------------------------- */

/* "  1. Subject: ...", "     Issuer: ...": the way an ICM error stack prints a chain. */
static void chain_lines(struct tr *t, const struct ev_chain *chain, const struct ev_source *src,
                        uint64_t ref)
{
    for (size_t i = 0; chain->certs && i < chain->count; i++) {
        const struct ev_cert *cert = chain->certs[i];
        ccl(t);
        report_out_printf(&t->out, "  %zu. Subject: ", i + 1);
        if (!cert) {
            tr_put(t, "(not decoded)");
            end_ref(t, src, ref);
            continue;
        }
        tr_safe(t, cert->subject);
        end_ref(t, src, ref);
        ccl(t);
        tr_put(t, "     Issuer: ");
        tr_safe(t, cert->issuer);
        end_ref(t, src, ref);
        ccl(t);
        tr_put(t, "     Serial Number: ");
        tr_safe(t, cert->serial);
        tr_put(t, ", valid ");
        tr_safe(t, cert->not_before ? cert->not_before : "?");
        tr_put(t, " to ");
        tr_safe(t, cert->not_after ? cert->not_after : "?");
        end_ref(t, src, ref);
    }
}

static void cert_request_lines(struct tr *t, const struct ev_cert_request *cr,
                               const struct ev_source *src, uint64_t ref)
{
    ccl(t);
    report_out_printf(&t->out, "CertificateRequest %s: %zu CA %s", verb(t, EV_FROM_SERVER),
                      cr->ca_count, report_plural(cr->ca_count, "name", "names"));
    if (cr->ca_count == 0) {
        tr_put(t, " (any CA accepted)");
    }
    mark(t);
    end_ref(t, src, ref);
    for (size_t i = 0; cr->ca_names && i < cr->ca_count; i++) {
        ccl(t);
        report_out_printf(&t->out, "  CA name %zu: ", i + 1);
        tr_safe(t, cr->ca_names[i].text ? cr->ca_names[i].text : "(unreadable name)");
        end_ref(t, src, ref);
    }
}

/* True when a merged trace states why the client's Certificate was empty. */
static bool states_no_fitting(const struct ev_connection *c)
{
    for (size_t i = 0; c->has_also && c->statements && i < c->statement_count; i++) {
        if (c->statements[i] && strstr(c->statements[i], "o certificate fitting")) {
            return true;
        }
    }
    return false;
}

/* The client's Certificate message: the empty one in CommonCryptoLib's words. */
static void client_cert_lines(struct tr *t, const struct ev_connection *c,
                              const struct ev_source *src, uint64_t ref)
{
    if (c->client_cert == EV_CC_EMPTY) {
        const struct ev_cert_request *cr = c->cert_request;
        /* A trace states the cause in its own words (printed verbatim with
         * its lines); for a capture it is tlsdiag's inference, said as such:
         * no ICM wrote it. */
        if (cr && (!cr->visible || cr->ca_count > 0) && !report_from_trace(c) &&
            !states_no_fitting(c)) {
            thr(t);
            tr_put(t, "tlsdiag: the client sent an empty Certificate: it holds no certificate "
                      "that fits the CA names (an ICM would log \"Have no certificate fitting "
                      "to CA names received from server\")");
            end_ref(t, src, ref);
        }
        ccl(t);
        report_out_printf(&t->out, "%s empty Certificate message",
                          t->client_view ? "Sending" : "Received");
        mark(t);
        end_ref(t, src, ref);
        return;
    }
    ccl(t);
    size_t n = c->client_chain ? c->client_chain->count : 0;
    report_out_printf(&t->out, "Certificate %s: %zu %s", verb(t, EV_FROM_CLIENT), n,
                      report_plural(n, "certificate", "certificates"));
    mark(t);
    end_ref(t, src, ref);
    if (c->client_chain) {
        chain_lines(t, c->client_chain, src, ref);
    }
}

/* ---- a captured connection: the ladder ----------------------------------- */

static void sink_safe(void *ctx, const char *s)
{
    tr_safe(ctx, s);
}

/* "ClientHello sent: offers TLS 1.3, TLS 1.2; 17 cipher suites; ...; SNI "x"", then the suites. */
static void client_hello_line(struct tr *t, const struct ev_connection *c, const struct ev_msg *m)
{
    struct report_sink out = { .ctx = t, .put = sink_safe, .text = sink_safe };

    ccl(t);
    report_out_printf(&t->out, "ClientHello %s: offers ", verb(t, EV_FROM_CLIENT));
    report_client_offer(c, &out);
    if (c->ch.sni) {
        tr_put(t, "; SNI \"");
        tr_safe(t, c->ch.sni);
        tr_put(t, "\"");
    } else {
        tr_put(t, "; no SNI");
    }
    end_ref(t, &c->source, m->ref);
    if (c->ch.suite_count > 0) {
        ccl(t);
        tr_put(t, "  cipher suites: ");
        report_offered_suites(c, &out);
        end_ref(t, &c->source, m->ref);
    }
}

static void server_hello_line(struct tr *t, const struct ev_connection *c, const struct ev_msg *m)
{
    char buf[NAME_BUF];

    ccl(t);
    report_out_printf(&t->out, "ServerHello %s", verb(t, EV_FROM_SERVER));
    if (c->sh.seen && c->sh.version) {
        report_out_printf(&t->out, ": %s", tls_version_str(c->sh.version, buf, sizeof buf));
        if (c->sh.suite) {
            report_out_printf(&t->out, ", %s", tls_cipher_suite_str(c->sh.suite, buf, sizeof buf));
        }
    }
    end_ref(t, &c->source, m->ref);
}

/* "SSL alert received: fatal handshake_failure (40)". */
static void alert_line(struct tr *t, const struct ev_alert *a, const struct ev_source *src)
{
    char buf[80];

    thr(t);
    report_out_printf(&t->out, "SSL alert %s: ", verb(t, a->from));
    tr_put(t, a->encrypted ? "encrypted (level and description not visible)"
                           : report_alert_str(a, buf, sizeof buf));
    tr_put(t, a->decrypted ? " (decrypted)" : "");
    end_ref(t, src, a->ref);
}

/* One ladder step; true when it was an alert (written from the alert list). */
static void msg_lines(struct tr *t, const struct ev_connection *c, size_t idx)
{
    const struct ev_msg *m = &c->msgs[idx];
    char buf[NAME_BUF];

    if (m->content_type == 21) {
        for (size_t k = 0; c->alerts && k < c->alert_count; k++) {
            if (c->alerts[k].msg_index == idx && c->alerts[k].from == m->from) {
                alert_line(t, &c->alerts[k], &c->source);
            }
        }
        return;
    }
    if (m->content_type == 22 && !m->encrypted) {
        if (m->hs_type == 1) {
            client_hello_line(t, c, m);
            return;
        }
        if (m->hs_type == 2) {
            server_hello_line(t, c, m);
            return;
        }
        if (m->hs_type == 11 && m->from == EV_FROM_SERVER && c->server_chain) {
            ccl(t);
            report_out_printf(&t->out, "Certificate %s: %zu %s", verb(t, EV_FROM_SERVER),
                              c->server_chain->count,
                              report_plural(c->server_chain->count, "certificate", "certificates"));
            mark(t);
            end_ref(t, &c->source, m->ref);
            chain_lines(t, c->server_chain, &c->source, m->ref);
            return;
        }
        if (m->hs_type == 11 && m->from == EV_FROM_CLIENT &&
            (c->client_cert == EV_CC_EMPTY || c->client_cert == EV_CC_SENT)) {
            client_cert_lines(t, c, &c->source, m->ref);
            return;
        }
        if (m->hs_type == 13 && c->cert_request && c->cert_request->visible) {
            cert_request_lines(t, c->cert_request, &c->source, m->ref);
            return;
        }
    }
    ccl(t);
    tr_safe(t, report_msg_name(m, buf, sizeof buf));
    report_out_printf(&t->out, " %s (%" PRIu32 " %s)", verb(t, m->from), m->length,
                      report_plural(m->length, "byte", "bytes"));
    mark(t);
    end_ref(t, &c->source, m->ref);
}

static void ladder_lines(struct tr *t, const struct ev_connection *c)
{
    for (size_t i = 0; c->msgs && i < c->msg_count && !t->out.failed; i++) {
        time_line(t, &c->msgs[i].ts, &c->source, c->msgs[i].ref);
        t->decrypted = c->msgs[i].decrypted;
        msg_lines(t, c, i);
        t->decrypted = false;
    }
    /* Alerts no ladder step shows (should not happen; never lose one). */
    for (size_t k = 0; c->alerts && k < c->alert_count; k++) {
        size_t mi = c->alerts[k].msg_index;
        if (mi < c->msg_count && c->msgs[mi].content_type == 21 &&
            c->msgs[mi].from == c->alerts[k].from) {
            continue;
        }
        alert_line(t, &c->alerts[k], &c->source);
    }
    struct report_close cl[2];
    size_t n = report_tcp_closes(c, cl);
    for (size_t i = 0; i < n; i++) {
        thr(t);
        tr_put(t, "NI: ");
        tr_put(t, report_close_what(&cl[i]));
        end_ref(t, &c->source, cl[i].ref ? cl[i].ref : c->close_ref);
    }
}

/* ---- a trace's stated facts ---------------------------------------------- */

/* "  Target Hostname="name"": one line of the detail block; nothing for NULL. */
static void quoted_fact(struct tr *t, const struct ev_source *src, const char *key,
                        const char *value, uint64_t line)
{
    if (!value) {
        return;
    }
    thr(t);
    tr_put(t, "  ");
    tr_put(t, key);
    tr_put(t, "\"");
    tr_safe(t, value);
    tr_put(t, "\"");
    end_line(t, src, line);
}

/* The detail block an ICM writes (shared/icm-trace-format.md 5.3), from what the trace stated. */
static void stated_lines(struct tr *t, const struct ev_connection *c, const struct ev_source *src)
{
    char cli[REPORT_ENDPOINT_LEN], srv[REPORT_ENDPOINT_LEN];
    bool server = c->local_side == EV_SIDE_SERVER;

    if (report_endpoint_known(&c->client) || report_endpoint_known(&c->server)) {
        report_endpoint_or_unknown(server ? &c->server : &c->client, cli, sizeof cli);
        report_endpoint_or_unknown(server ? &c->client : &c->server, srv, sizeof srv);
        thr(t);
        tr_put(t, "  SSL NI-sock: local=");
        tr_safe(t, cli);
        tr_put(t, "  peer=");
        tr_safe(t, srv);
        end_whole(t, src);
    }
    quoted_fact(t, src, server ? "srv SSL session PSE " : "cli SSL session PSE ", c->identity,
                c->identity_line);
    if (c->ch.sni && !c->ch.seen) {
        quoted_fact(t, src, "TLSextSNI server_name=", c->ch.sni, 0);
    }
    quoted_fact(t, src, "Target Hostname=", c->target_host, c->target_host_line);
    quoted_fact(t, src, "SSL_get_state()==", c->handshake_state, c->state_line);
    for (size_t i = 0; c->statements && i < c->statement_count; i++) {
        if (!c->statements[i]) {
            continue;
        }
        thr(t);
        tr_put(t, "  ");
        tr_safe(t, c->statements[i]);
        end_line(t, src, i < c->statement_line_count ? c->statement_lines[i] : 0);
    }
    for (size_t i = 0; c->stated_certs && i < c->stated_cert_count; i++) {
        const struct ev_stated_cert *sc = &c->stated_certs[i];
        thr(t);
        report_out_printf(&t->out, "  Certificate %zu: Subject: ", i + 1);
        tr_safe(t, sc->subject ? sc->subject : "(not in the trace)");
        if (sc->issuer) {
            tr_put(t, "; Issuer: ");
            tr_safe(t, sc->issuer);
        }
        if (sc->serial) {
            tr_put(t, "; Serial Number: ");
            tr_safe(t, sc->serial);
        }
        if (sc->status) {
            tr_put(t, "; Status: ");
            tr_safe(t, sc->status);
        }
        end_ref(t, src, sc->ref ? sc->ref : src->first);
    }
}

/* What a trace says happened, where a capture would show the ladder. */
static void trace_events(struct tr *t, const struct ev_connection *c)
{
    const struct ev_source *src = &c->source;

    if (c->cert_request && !c->cert_request->visible) {
        ccl(t);
        report_out_printf(
            &t->out, "CertificateRequest %s: CA names not in the trace (capture the handshake)",
            verb(t, EV_FROM_SERVER));
        end_ref(t, src, c->cert_request->ref ? c->cert_request->ref : src->first);
    } else if (c->cert_request) {
        cert_request_lines(t, c->cert_request, src, c->cert_request->ref);
    }
    if (c->client_cert == EV_CC_EMPTY) {
        uint64_t ref = c->client_chain && c->client_chain->ref ? c->client_chain->ref : src->first;
        client_cert_lines(t, c, src, ref);
    } else if (c->client_cert == EV_CC_NOT_SENT && c->local_side == EV_SIDE_SERVER) {
        ccl(t);
        tr_put(t, "no certificate received from the client");
        end_whole(t, src);
    }
    for (size_t k = 0; c->alerts && k < c->alert_count; k++) {
        alert_line(t, &c->alerts[k], src);
    }
}

/* ---- outcome and findings ------------------------------------------------- */

/*
 * The other end as the outcome line names it: the server for a client, the
 * client for a server; a trace that names no address may name the host
 * (target host name, SNI). Empty when nothing is known.
 */
static void peer_name(const struct ev_connection *c, char *buf, size_t n)
{
    const struct ev_endpoint *ep = c->local_side == EV_SIDE_SERVER ? &c->client : &c->server;
    const char *host = c->local_side == EV_SIDE_SERVER ? NULL
                       : c->target_host                ? c->target_host
                                                       : c->ch.sni;

    if (ep->ip[0] != '\0') {
        report_endpoint_str(ep, buf, n);
    } else if (host && ep->port) {
        snprintf(buf, n, "%s:%u", host, (unsigned)ep->port);
    } else if (host) {
        snprintf(buf, n, "%s", host);
    } else if (ep->port) {
        snprintf(buf, n, "port %u", (unsigned)ep->port);
    } else {
        buf[0] = '\0';
    }
}

static void with_peer(struct tr *t, const char *peer)
{
    if (peer[0]) {
        tr_put(t, " with ");
        tr_safe(t, peer);
    }
}

/* "SSL handshake with 127.0.0.1:44302 failed: ..." (shared/icm-trace-format.md 5.1). */
static void outcome_lines(struct tr *t, const struct ev_connection *c)
{
    char peer[300], buf[NAME_BUF];
    const struct ev_source *src = &c->source;
    const struct ev_source *said = c->has_also ? &c->also : src;

    peer_name(c, peer, sizeof peer);
    thr(t);
    switch (c->outcome) {
    case EV_OUT_ESTABLISHED:
        tr_put(t, "SSL handshake");
        with_peer(t, peer);
        tr_put(t, " established");
        if (c->sh.seen && c->sh.version) {
            report_out_printf(&t->out, ": %s", tls_version_str(c->sh.version, buf, sizeof buf));
        }
        if (c->sh.seen && c->sh.suite) {
            report_out_printf(&t->out, "%s%s", c->sh.version ? ", " : ": ",
                              tls_cipher_suite_str(c->sh.suite, buf, sizeof buf));
        }
        break;
    case EV_OUT_FAILED:
        /* TCP connect or proxy refused: not a handshake (icm-trace-format.md 5.1). */
        tr_put(t, c->not_tls ? "*** ERROR => Connection" : "*** ERROR => SSL handshake");
        with_peer(t, peer);
        tr_put(t, c->not_tls ? " failed before TLS" : " failed");
        break;
    case EV_OUT_INCOMPLETE:
    default:
        tr_put(t, "*** WARNING => SSL handshake");
        with_peer(t, peer);
        tr_put(t, " incomplete");
        break;
    }
    if (c->error_name) {
        tr_put(t, ": ");
        tr_safe(t, c->error_name);
        if (c->error_code) {
            report_out_printf(&t->out, " (%d)", c->error_code);
        }
    }
    if (c->outcome_detail && !(c->error_name && report_detail_restates_error(c))) {
        tr_put(t, c->error_name ? " - " : ": ");
        tr_safe(t, c->outcome_detail);
    }
    end_whole(t, src);
    if (c->error_text) {
        thr(t);
        tr_put(t, "  ");
        tr_safe(t, c->error_text);
        end_whole(t, said);
    }
}

static const char *finding_prefix(enum severity s)
{
    return s == SEV_ERROR ? "*** ERROR => " : s == SEV_WARNING ? "*** WARNING => " : "*** INFO => ";
}

/* "*** ERROR => rule: title", then "=>" lines: explanation, what to do, references. */
static void finding_lines(struct tr *t, const struct finding *f, const struct ev_source *src)
{
    thr(t);
    tr_put(t, finding_prefix(f->severity));
    tr_safe(t, f->rule);
    tr_put(t, ": ");
    tr_safe(t, f->title ? f->title : f->rule);
    end_list(t, src, f->evidence, f->evidence_count);
    if (f->explanation) {
        thr(t);
        tr_put(t, "   => ");
        tr_safe(t, f->explanation);
        end_list(t, src, f->evidence, f->evidence_count);
    }
    for (size_t i = 0; f->remediation && i < f->remediation_count; i++) {
        thr(t);
        report_out_printf(&t->out, "   => What to do %zu: ", i + 1);
        tr_safe(t, f->remediation[i] ? f->remediation[i] : "");
        end_list(t, src, f->evidence, f->evidence_count);
    }
    if (f->reference_count > 0) {
        thr(t);
        tr_put(t, "   => References: ");
        for (size_t i = 0; f->references && i < f->reference_count; i++) {
            tr_put(t, i ? "; " : "");
            tr_safe(t, f->references[i]);
        }
        end_list(t, src, f->evidence, f->evidence_count);
    }
}

/* ---- one connection -------------------------------------------------------- */

static void begin_connection(struct tr *t, const struct ev_connection *c)
{
    t->c = c;
    t->client_view = !report_from_trace(c) || c->local_side != EV_SIDE_SERVER;
    t->last_time[0] = '\0';
    snprintf(t->thr, sizeof t->thr, "[Thr conn-%u]", c->id);
    /* A trace's own CCL connection id where it has one (Cli-0001D1E1). */
    const char *id = report_from_trace(c) ? c->source.conn : c->has_also ? c->also.conn : NULL;
    char safe[24];
    if (id && strlen(id) < sizeof safe) {
        size_t k = 0;
        for (const char *p = id; *p && k + 1 < sizeof safe; p++) {
            /* The id is untrusted: keep it to the characters an id has. */
            bool ok = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                      (*p >= 'A' && *p <= 'Z') || *p == '-';
            safe[k++] = ok ? *p : '?';
        }
        safe[k] = '\0';
        snprintf(t->ccl, sizeof t->ccl, "CCL[SSL]: %s:", safe);
    } else {
        snprintf(t->ccl, sizeof t->ccl, "CCL[SSL]: %s-%04X:", t->client_view ? "Cli" : "Srv",
                 c->id);
    }
}

static void connection_head(struct tr *t, const struct ev_connection *c)
{
    char cli[REPORT_ENDPOINT_LEN], srv[REPORT_ENDPOINT_LEN];

    report_endpoint_or_unknown(&c->client, cli, sizeof cli);
    report_endpoint_or_unknown(&c->server, srv, sizeof srv);
    tr_put(t, "\n");
    thr(t);
    report_out_printf(&t->out, "tlsdiag: connection #%u", c->id);
    if (report_from_trace(c)) {
        tr_put(t, ", ICM trace");
        if (c->source.thread) {
            tr_put(t, " thread ");
            tr_safe(t, c->source.thread);
        }
        report_out_printf(&t->out, ", ICM as TLS %s",
                          c->local_side == EV_SIDE_SERVER ? "server"
                          : c->local_side == EV_SIDE_CLIENT
                              ? "client"
                              : "client or server (not in the trace)");
    } else {
        report_out_printf(&t->out, ", TCP stream %u", c->stream);
    }
    if (report_endpoint_known(&c->client) || report_endpoint_known(&c->server)) {
        tr_put(t, ": client ");
        tr_safe(t, cli);
        tr_put(t, " -> server ");
        tr_safe(t, srv);
    }
    tr_put(t, "; ");
    tr_safe(t, c->source.path);
    end_whole(t, &c->source);
    if (c->has_also) {
        thr(t);
        tr_put(t, "tlsdiag: the same connection in the ICM trace ");
        tr_safe(t, c->also.path);
        if (c->also.thread) {
            tr_put(t, ", thread ");
            tr_safe(t, c->also.thread);
        }
        end_whole(t, &c->also);
    }
}

static void connection_lines(struct tr *t, const struct ev_connection *c,
                             const struct report_flist *findings)
{
    begin_connection(t, c);
    connection_head(t, c);
    if (c->decryption != EV_DEC_NONE) {
        char dec[300];
        report_decryption_line(c, dec, sizeof dec);
        thr(t);
        report_out_printf(&t->out, "tlsdiag: decryption: %s", dec);
        if (c->decryption == EV_DEC_FAILED && c->decryption_ref) {
            end_ref(t, &c->source, c->decryption_ref);
        } else {
            end_whole(t, &c->source);
        }
    }
    if (report_from_trace(c)) {
        if (c->has_stated_time) {
            time_line(t, &c->stated_time, &c->source, c->source.first);
        }
        stated_lines(t, c, &c->source);
        trace_events(t, c);
    } else {
        ladder_lines(t, c);
        if (c->has_also) {
            if (c->has_stated_time) {
                time_line(t, &c->stated_time, &c->also, c->also.first);
            }
            stated_lines(t, c, &c->also);
        }
    }
    for (size_t i = 0; c->notes && i < c->note_count; i++) {
        const struct ev_note *n = &c->notes[i];
        thr(t);
        tr_put(t, "tlsdiag note: ");
        if (n->status != ST_OK) {
            report_out_printf(&t->out, "%s: ", report_status_token(n->status));
        }
        tr_safe(t, n->text);
        if (n->ref) {
            end_ref(t, &c->source, n->ref);
        } else {
            /* No line of its own: a merged trace's note names its line in the text. */
            end_whole(t, c->has_also ? &c->also : &c->source);
        }
    }
    outcome_lines(t, c);
    for (size_t i = 0; i < findings->count; i++) {
        finding_lines(t, findings->items[i], &c->source);
    }
}

/* ---- the whole report ------------------------------------------------------ */

static void header_lines(struct tr *t, const struct evidence *ev, const struct report_options *o)
{
    if (o && o->deterministic) {
        tr_put(t, "# tlsdiag - TLS handshakes as an ICM trace (dev_icm) would show them\n");
    } else {
        tr_put(t, "# tlsdiag ");
        tr_safe(t, report_version(o));
        tr_put(t, " - TLS handshakes as an ICM trace (dev_icm) would show them\n");
    }
    tr_put(t, "# Written by tlsdiag, not by an ICM: [Thr conn-N] is a pseudo thread label for "
              "tlsdiag's connection number N, not an ICM thread id.\n"
              "# Each line ends with its evidence: [frame N] of a capture, [file:line] of a "
              "trace. Capture times are UTC; trace times as the trace states them.\n"
              "# A capture is told from the client's side (sent = by the client); a trace from "
              "the side that wrote it.\n");
    if (ev->redacted) {
        tr_put(t, "# Redacted: yes (addresses, host names, serials and non-public certificate "
                  "names are pseudonyms)\n");
    }
    for (size_t i = 0; ev->inputs && i < ev->input_count; i++) {
        const struct ev_input *in = &ev->inputs[i];
        tr_put(t, "# Input: ");
        tr_safe(t, in->path);
        report_out_printf(&t->out, " (%s", report_input_kind_name(in->kind));
        if (in->kind == EV_IN_ICM) {
            report_out_printf(&t->out, ", %" PRIu64 " %s", in->units,
                              report_plural(in->units, "line", "lines"));
        } else if (in->kind == EV_IN_PCAP || in->kind == EV_IN_PCAPNG || in->kind == EV_IN_LIVE) {
            report_out_printf(&t->out, ", %" PRIu64 " %s", in->units,
                              report_plural(in->units, "packet", "packets"));
        } else if (in->kind == EV_IN_CERT) {
            report_out_printf(&t->out, ", %" PRIu64 " %s", in->units,
                              report_plural(in->units, "certificate", "certificates"));
        }
        tr_put(t, in->truncated ? ", truncated)" : ")");
        if (in->error) {
            tr_put(t, ": ");
            tr_safe(t, in->error);
        }
        tr_put(t, "\n");
    }
    struct report_sink kl = { .ctx = t, .put = sink_safe, .text = sink_safe };
    if (ev->keylog_path || ev->keylog_sessions) {
        tr_put(t, "# Key log: ");
        report_keylog(ev, &kl);
        tr_put(t, "\n");
    }
    if (ev->unread_count > 0) {
        tr_put(t, "# Not read: ");
        report_unread(ev, &kl);
        tr_put(t, "\n");
    }
}

static void hl_put(void *ctx, const char *s)
{
    report_out_put(ctx, s);
}

static void hl_rule(void *ctx, const char *rule)
{
    report_out_safe(ctx, rule);
}

int report_write_trace(FILE *out, const struct evidence *ev, const struct findings *f,
                       const struct report_options *o)
{
    struct tr t = { .out = { .f = out } };
    struct report_index ix;
    struct report_counts counts;

    if (report_index_init(&ix, ev, f) != 0) {
        return -1;
    }
    report_count(ev, f, &counts);
    header_lines(&t, ev, o);
    struct report_headline_out hl = { .ctx = &t.out, .put = hl_put, .rule = hl_rule };
    tr_put(&t, "# ");
    if (report_headline(ev, &ix, &counts, &hl) != 0) {
        report_index_fini(&ix);
        return -1;
    }
    report_out_printf(&t.out, "\n# Findings: %zu %s, %zu %s, %zu info\n", counts.errors,
                      report_plural(counts.errors, "error", "errors"), counts.warnings,
                      report_plural(counts.warnings, "warning", "warnings"), counts.infos);

    for (size_t i = 0; i < ev->conn_count && !t.out.failed; i++) {
        connection_lines(&t, ev->conns[i], &ix.by_conn[i]);
    }
    if (ix.global.count > 0) {
        /* Input-wide findings cite the first input. */
        struct ev_source src = { .kind = EV_SRC_PCAP };
        if (ev->input_count > 0 && ev->inputs[0].kind == EV_IN_ICM) {
            src.kind = EV_SRC_ICM;
            src.path = ev->inputs[0].path;
        }
        snprintf(t.thr, sizeof t.thr, "[Thr input]");
        tr_put(&t, "\n");
        for (size_t i = 0; i < ix.global.count; i++) {
            finding_lines(&t, ix.global.items[i], &src);
        }
    }

    report_index_fini(&ix);
    if (fflush(out) != 0 || ferror(out)) {
        t.out.failed = true;
    }
    return t.out.failed ? -1 : 0;
}
