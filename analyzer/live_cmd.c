/*
 * live_cmd.c - `tlsdiag live -i IFACE [-f BPF] [--duration S] [--count N]
 * [-w FILE] [--format text|json]` (DESIGN.md "Command line").
 *
 * Order of events: options, rule catalog, interface (captures/live.c),
 * output files, then the privilege drop - before the first packet is
 * parsed. Packets go through the same pipeline as `analyze` (cap_decode ->
 * cap_flows -> tls_stream -> evidence); when a flow ends (FIN from both
 * sides, RST, idle CAP_FLOW_IDLE_SECONDS of packet time, or the end of the
 * run), or earlier when the TLS step says nothing more of interest can come
 * (established, application data both ways), its handshakes are evaluated
 * with the rules (rules_evaluate_conn) and printed: one text line, or one
 * JSON object per line (a schema-1 report holding that one connection, with
 * "type": "connection" in front). SIGINT, SIGTERM, --duration or --count
 * end the run with a summary: packets, the kernel's drop counters
 * (pcap_stats, with a warning finding when packets were dropped),
 * handshakes by outcome and findings by rule.
 *
 * Memory over hours: evidence lives in arenas that are freed only whole.
 * Flows are assigned to a *generation* (an evidence + certificate cache);
 * when the current generation holds LIVE_GEN_HANDSHAKES handshakes or
 * LIVE_GEN_BYTES of arena, new flows start a new one, and an old generation
 * is freed as soon as its last flow ends (flows end at the latest after
 * CAP_FLOW_IDLE_SECONDS without packets, or when evicted at CAP_FLOWS_MAX).
 * The summary is kept in counters, never in evidence. So memory is bounded
 * by the handshakes of the flows alive at one time, not by the run time.
 */
#include "live_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "catalog.h"
#include "catalog_setup.h"
#include "config.h"
#include "engine.h"
#include "evidence.h"
#include "findings.h"
#include "json_writer.h"
#include "live.h"
#include "pcapng_writer.h"
#include "redact.h"
#include "report.h"
#include "report_common.h"
#include "tls_flow.h"
#include "x509.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_PARTIAL = 3 };

#define LIVE_GEN_HANDSHAKES 1024u  /* handshakes per evidence generation */
#define LIVE_GEN_BYTES (32u << 20) /* arena bytes per evidence generation */
#define LIVE_RULE_IDS 256u         /* distinct finding ids counted for the summary */
#define LIVE_DROP_RULE "packets_dropped"

static const char usage_live[] =
    "Usage: tlsdiag live -i IFACE [OPTIONS]\n"
    "       tlsdiag live --list\n"
    "\n"
    "Captures on a network interface and explains every TLS handshake as it ends:\n"
    "one line per handshake (time, client -> server, SNI, outcome, finding ids), or\n"
    "with --format json one JSON object per line (NDJSON: a schema-1 report with that\n"
    "one connection and \"type\": \"connection\"). Ctrl-C (SIGINT), SIGTERM,\n"
    "--duration or --count end the capture with a summary (the last line in JSON).\n"
    "\n"
    "Options:\n"
    "  -i, --interface IFACE  interface to capture on ('any': all, Linux)\n"
    "  -f, --filter BPF       capture filter, pcap-filter(7) syntax (default: tcp)\n"
    "      --duration SECONDS stop after this time\n"
    "  -c, --count N          stop after N handshakes were reported\n"
    "  -w, --write FILE       also write the packets to FILE: pcapng, or classic pcap\n"
    "                         when FILE ends in .pcap; 'tlsdiag analyze FILE' reads it\n"
    "      --format FMT       text (default) or json (NDJSON)\n"
    "  -o, --output FILE      write the lines and the summary to FILE\n"
    "      --user USER        user to switch to once the interface is open, when\n"
    "                         started as root (default: nobody)\n"
    "      --rules FILE       extra rules (catalog format)\n"
    "      --redact           pseudonyms for addresses, host names, serials and the names\n"
    "                         of non-public certificates, the same for the whole run\n"
    "      --redact-key KEY   the same, derived from KEY (as analyze --redact-key)\n"
    "  -D, --list             list the interfaces (like tcpdump -D)\n"
    "  -q, --quiet            no 'listening on' line\n"
    "  -h, --help             this text\n"
    "\n"
    "Capturing needs root or CAP_NET_RAW (setcap cap_net_raw,cap_net_admin=eip). The\n"
    "privileges are given up (root: to --user; capabilities: cleared) before the first\n"
    "packet is read. Handshakes of a TCP connection are shown when it closes, when it\n"
    "has been idle 600 s, or once the handshake is over and data flows both ways.\n"
    "\n"
    "Examples:\n"
    "  tlsdiag live -i eth0 -f 'tcp port 443' -w /tmp/tls.pcapng\n"
    "  tlsdiag live -i any --duration 60 --format json > handshakes.ndjson\n"
    "Exit status: 0 no error finding; 1 at least one error finding; 2 usage error or\n"
    "the capture could not be started (not permitted, no such interface, bad filter);\n"
    "3 the capture or the -w file failed part way (results for the rest).\n";

/* One evidence arena and what hangs on it (see the file comment). */
struct gen {
    struct evidence ev;
    struct x509_cache *certs;
    struct ev_input *input;
    bool *printed; /* per ev.conns entry */
    size_t printed_cap;
    size_t scan_from; /* entries before it are all printed */
    unsigned flows;   /* flows of this generation not yet ended */
    struct gen *next;
};

struct rule_count {
    char *id;
    char *title;
    enum severity severity;
    uint64_t n;
};

struct live_opts {
    const char *iface;
    const char *filter;
    const char *write;
    const char *output;
    const char *user;
    const char *rules;
    double duration;
    uint64_t count;
    bool json;
    bool quiet;
    bool redact;
    const char *redact_key; /* NULL with plain --redact */
};

struct live {
    struct live_opts o;
    const struct rule_catalog *cat;
    FILE *out;
    struct cap_flows *flows;
    struct cap_writer *w;
    struct gen *gens, *cur;
    size_t buffered;
    bool stop;
    bool write_failed;
    bool nomem;
    struct redactor *redactor; /* --redact: one pseudonym table for the whole run */
    bool wrote, wrote_pcapng;  /* -w: the file's format and packets, kept past its close */
    uint64_t written;
    uint64_t packets, bytes, skipped, fragments, tcp_flows, generations;
    uint64_t handshakes, established, failed, incomplete;
    uint64_t errors, warnings, infos;
    struct rule_count rules[LIVE_RULE_IDS];
    size_t rule_n;
};

struct flow_ctx {
    struct tls_flow tls;
    struct gen *g;
    bool done; /* the TLS step was ended early; ignore further bytes */
};

static volatile sig_atomic_t live_signal;

static void on_signal(int sig)
{
    live_signal = sig;
}

/* ---- generations ----------------------------------------------------------- */

static struct gen *gen_new(struct live *L)
{
    struct gen *g = calloc(1, sizeof *g);
    if (!g) {
        return NULL;
    }
    ev_init(&g->ev);
    g->certs = x509_cache_new(&g->ev.arena);
    g->input = g->certs ? ev_input_add(&g->ev, L->o.iface, EV_IN_LIVE) : NULL;
    if (!g->input) {
        x509_cache_free(g->certs);
        ev_fini(&g->ev);
        free(g);
        return NULL;
    }
    g->next = L->gens;
    L->gens = g;
    L->generations++;
    return g;
}

static void gen_free(struct live *L, struct gen *g)
{
    for (struct gen **pp = &L->gens; *pp; pp = &(*pp)->next) {
        if (*pp == g) {
            *pp = g->next;
            break;
        }
    }
    x509_cache_free(g->certs);
    ev_fini(&g->ev);
    free(g->printed);
    free(g);
}

static void gen_retire_if_idle(struct live *L, struct gen *g)
{
    if (g != L->cur && g->flows == 0) {
        gen_free(L, g);
    }
}

/* The generation new flows join, starting a new one when it is full. */
static struct gen *gen_current(struct live *L)
{
    struct gen *g = L->cur;
    if (g->ev.conn_count < LIVE_GEN_HANDSHAKES && g->ev.arena.used < LIVE_GEN_BYTES) {
        return g;
    }
    struct gen *n = gen_new(L);
    if (!n) {
        return g; /* keep filling the old one; its caps still hold */
    }
    L->cur = n;
    gen_retire_if_idle(L, g);
    return n;
}

static bool gen_printed_reserve(struct gen *g)
{
    size_t need = g->ev.conn_count;
    if (need <= g->printed_cap) {
        return true;
    }
    size_t cap = g->printed_cap ? g->printed_cap : 64;
    while (cap < need) {
        cap *= 2;
    }
    bool *p = realloc(g->printed, cap * sizeof *p);
    if (!p) {
        return false;
    }
    for (size_t i = g->printed_cap; i < cap; i++) {
        p[i] = false;
    }
    g->printed = p;
    g->printed_cap = cap;
    return true;
}

/* ---- output of one handshake ---------------------------------------------- */

/* Untrusted text (SNI) on one line: printable ASCII, else '?'. */
static void put_sanitized(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        fputc(ch >= 0x20 && ch < 0x7f ? ch : '?', out);
    }
}

static void write_conn_text(struct live *L, const struct ev_connection *c,
                            const struct findings *fs)
{
    char when[16] = "--:--:--";
    const struct ev_time *t = report_time_known(&c->first_ts) ? &c->first_ts : &c->last_ts;
    time_t sec = (time_t)t->sec;
    struct tm tm;
    if (report_time_known(t) && localtime_r(&sec, &tm)) {
        strftime(when, sizeof when, "%H:%M:%S", &tm);
    }
    char cli[REPORT_ENDPOINT_LEN], srv[REPORT_ENDPOINT_LEN];
    report_endpoint_str(&c->client, cli, sizeof cli);
    report_endpoint_str(&c->server, srv, sizeof srv);
    fprintf(L->out, "%s %s -> %s ", when, cli, srv);
    if (c->ch.sni) {
        put_sanitized(L->out, c->ch.sni);
    } else {
        fputs("(no SNI)", L->out);
    }
    fprintf(L->out, ": %s", report_outcome_name(c->outcome));
    if (c->outcome_detail) {
        fputs(" (", L->out);
        put_sanitized(L->out, c->outcome_detail);
        fputs(")", L->out);
    }
    fputs("; findings: ", L->out);
    if (fs->count == 0) {
        fputs("none", L->out);
    }
    for (size_t i = 0; i < fs->count; i++) {
        fprintf(L->out, "%s%s", i ? ", " : "", fs->items[i].rule);
    }
    fputc('\n', L->out);
}

/* Copies pretty-printed JSON onto one line: whitespace outside strings is
 * dropped (the writer escapes every control character inside strings, so a
 * raw newline is always formatting). `skip` bytes at the start are left out. */
static void put_compact(FILE *out, const char *s, size_t n, size_t skip)
{
    bool in_str = false, esc = false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (in_str) {
            if (esc) {
                esc = false;
            } else if (ch == '\\') {
                esc = true;
            } else if (ch == '"') {
                in_str = false;
            }
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
            continue;
        }
        if (i >= skip) {
            fputc(ch, out);
        }
    }
    fputc('\n', out);
}

static void write_conn_json(struct live *L, struct gen *g, struct ev_connection *c,
                            const struct findings *fs)
{
    /* A view of the generation's evidence holding just this connection. */
    struct evidence view = g->ev;
    view.conns = &c;
    view.conn_count = 1;
    g->input->units = L->packets;
    g->input->bytes = L->bytes;
    g->input->tcp_flows = L->tcp_flows;
    g->input->skipped = L->skipped;
    g->input->fragments = L->fragments;
    struct report_options ro = { .version = TLSDIAG_VERSION };
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        L->nomem = true;
        return;
    }
    int rc = report_write_json(mem, &view, fs, &ro);
    if (fclose(mem) != 0 || rc != 0 || len == 0 || buf[0] != '{') {
        L->nomem = true;
        free(buf);
        return;
    }
    fputs("{\"type\":\"connection\",", L->out);
    put_compact(L->out, buf, len, 1);
    free(buf);
}

static void count_finding(struct live *L, const struct finding *f)
{
    if (f->severity == SEV_ERROR) {
        L->errors++;
    } else if (f->severity == SEV_WARNING) {
        L->warnings++;
    } else {
        L->infos++;
    }
    for (size_t i = 0; i < L->rule_n; i++) {
        if (strcmp(L->rules[i].id, f->rule) == 0) {
            L->rules[i].n++;
            if (f->severity > L->rules[i].severity) {
                L->rules[i].severity = f->severity;
            }
            return;
        }
    }
    if (L->rule_n == LIVE_RULE_IDS) {
        return;
    }
    struct rule_count *r = &L->rules[L->rule_n];
    r->id = strdup(f->rule);
    r->title = strdup(f->title ? f->title : "");
    if (!r->id || !r->title) {
        free(r->id);
        free(r->title);
        r->id = r->title = NULL;
        L->nomem = true;
        return;
    }
    r->severity = f->severity;
    r->n = 1;
    L->rule_n++;
}

static void report_conn(struct live *L, struct gen *g, struct ev_connection *c)
{
    /* Numbered over the whole run, not per generation. */
    c->id = (unsigned)++L->handshakes;
    /* --redact before the rules, so that findings quote pseudonyms too; a
     * connection that could not be redacted is not printed at all. */
    if (L->redactor && redact_connection(L->redactor, &g->ev, c) != ST_OK) {
        fprintf(stderr, "tlsdiag: --redact: out of memory; handshake %u not reported\n", c->id);
        L->nomem = true;
        return;
    }
    struct findings fs = { 0 };
    enum status st = rules_evaluate_conn(&g->ev, L->cat, NULL, c, &fs);
    if (st != ST_OK) {
        fprintf(stderr, "tlsdiag: evaluating the rules for handshake %u stopped: %s\n", c->id,
                status_name(st));
    }
    switch (c->outcome) {
    case EV_OUT_ESTABLISHED:
        L->established++;
        break;
    case EV_OUT_FAILED:
        L->failed++;
        break;
    default:
        L->incomplete++;
        break;
    }
    for (size_t i = 0; i < fs.count; i++) {
        count_finding(L, &fs.items[i]);
    }
    if (L->o.json) {
        write_conn_json(L, g, c, &fs);
    } else {
        write_conn_text(L, c, &fs);
    }
    fflush(L->out);
    if (L->o.count && L->handshakes >= L->o.count) {
        L->stop = true;
    }
}

/* Prints the handshakes of one ended TCP stream. */
static void report_stream(struct live *L, struct gen *g, unsigned stream)
{
    if (!gen_printed_reserve(g)) {
        L->nomem = true;
        return;
    }
    for (size_t i = g->scan_from; i < g->ev.conn_count; i++) {
        struct ev_connection *c = g->ev.conns[i];
        if (!g->printed[i] && c->stream == stream) {
            g->printed[i] = true;
            report_conn(L, g, c);
        }
    }
    while (g->scan_from < g->ev.conn_count && g->printed[g->scan_from]) {
        g->scan_from++;
    }
}

/* ---- flow handler (as analyzer/pcap_input.c, with per-flow output) -------- */

static void *on_open(void *ctx, const struct cap_flow_info *info)
{
    struct live *L = ctx;
    struct flow_ctx *f = calloc(1, sizeof *f);
    if (!f) {
        return NULL;
    }
    L->tcp_flows++;
    tls_flow_init(&f->tls, info);
    f->g = gen_current(L);
    f->g->flows++;
    return f;
}

static void end_tls(struct live *L, struct flow_ctx *f)
{
    if (tls_flow_end(&f->tls)) {
        report_stream(L, f->g, f->tls.stream);
    }
    f->done = true;
}

static enum cap_verdict on_data(void *ctx, void *user, enum cap_side side, const uint8_t *data,
                                size_t len, uint64_t offset, uint64_t frame, struct ev_time ts)
{
    struct live *L = ctx;
    struct flow_ctx *f = user;
    if (!f || f->done) {
        return CAP_SKIP_FLOW;
    }
    struct tls_stream_env env = {
        .ev = &f->g->ev,
        .certs = f->g->certs,
        .path = f->g->input->path,
        .buffered = &L->buffered,
    };
    enum cap_verdict v = tls_flow_data(&f->tls, &env, side, data, len, offset, frame, ts);
    if (v == CAP_SKIP_FLOW) {
        /* Nothing more can change the handshakes: show them now rather
         * than when a long-lived connection closes. */
        end_tls(L, f);
    }
    return v;
}

static void on_gap(void *ctx, void *user, enum cap_side side, uint64_t offset, uint64_t len,
                   uint64_t frame)
{
    (void)ctx;
    struct flow_ctx *f = user;
    if (f) {
        tls_flow_gap(&f->tls, side, offset, len, frame);
    }
}

static void on_close(void *ctx, void *user, enum cap_side side, bool rst, uint64_t frame,
                     struct ev_time ts)
{
    (void)ctx;
    struct flow_ctx *f = user;
    if (f) {
        tls_flow_close(&f->tls, side, rst, frame, ts);
    }
}

static void on_end(void *ctx, void *user)
{
    struct live *L = ctx;
    struct flow_ctx *f = user;
    if (!f) {
        return;
    }
    end_tls(L, f);
    struct gen *g = f->g;
    g->flows--;
    free(f);
    gen_retire_if_idle(L, g);
}

static void on_packet(void *ctx, const struct cap_packet *pkt)
{
    struct live *L = ctx;
    L->packets++;
    L->bytes += pkt->caplen;
    if (L->w && !L->write_failed && cap_writer_write(L->w, pkt) != ST_OK) {
        L->write_failed = true;
        fprintf(stderr, "tlsdiag: %s: writing the capture failed; analysis goes on\n", L->o.write);
    }
    tls_flow_feed_packet(L->flows, pkt, &L->fragments, &L->skipped);
}

/* ---- summary ----------------------------------------------------------------- */

static void summary_text(struct live *L, double secs, const struct cap_live_stats *ks,
                         bool have_stats)
{
    FILE *out = L->out;
    fprintf(out, "\n--- tlsdiag live on %s, %.1f s: %llu packets captured", L->o.iface, secs,
            (unsigned long long)L->packets);
    if (have_stats) {
        fprintf(out, ", %llu received by filter, %llu dropped by kernel, %llu dropped by interface",
                (unsigned long long)ks->received, (unsigned long long)ks->dropped,
                (unsigned long long)ks->if_dropped);
    }
    fprintf(out,
            "\nTCP connections: %llu; handshakes: %llu (%llu established, %llu failed, %llu "
            "incomplete)\n",
            (unsigned long long)L->tcp_flows, (unsigned long long)L->handshakes,
            (unsigned long long)L->established, (unsigned long long)L->failed,
            (unsigned long long)L->incomplete);
    fprintf(out, "findings: %llu %s, %llu %s, %llu info\n", (unsigned long long)L->errors,
            report_plural(L->errors, "error", "errors"), (unsigned long long)L->warnings,
            report_plural(L->warnings, "warning", "warnings"), (unsigned long long)L->infos);
    for (size_t i = 0; i < L->rule_n; i++) {
        const struct rule_count *r = &L->rules[i];
        fprintf(out, "  %-7s %-28s %6llu  %s\n", severity_name(r->severity), r->id,
                (unsigned long long)r->n, r->title);
    }
    if (have_stats && (ks->dropped > 0 || ks->if_dropped > 0)) {
        fprintf(out,
                "  warning %-28s %6llu  the kernel dropped packets: handshakes may be missing "
                "or incomplete; narrow the filter (-f 'tcp port 443') or write to a faster "
                "disk\n",
                LIVE_DROP_RULE, (unsigned long long)(ks->dropped + ks->if_dropped));
    }
    if (L->wrote) {
        fprintf(out, "capture written to %s (%s, %llu packets)%s\n", L->o.write,
                L->wrote_pcapng ? "pcapng" : "pcap", (unsigned long long)L->written,
                L->write_failed ? " - INCOMPLETE, a write failed" : "");
    }
}

static void summary_json(struct live *L, double secs, const struct cap_live_stats *ks,
                         bool have_stats)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        L->nomem = true;
        return;
    }
    struct json_writer w;
    json_init(&w, mem);
    json_object_begin(&w);
    json_kv_string(&w, "type", "summary");
    json_kv_uint(&w, "schema", 1);
    json_kv_string(&w, "tool", "tlsdiag");
    json_kv_string(&w, "version", TLSDIAG_VERSION);
    json_key(&w, "inputs");
    json_array_begin(&w);
    json_object_begin(&w);
    json_kv_string(&w, "path", L->o.iface);
    json_kv_string(&w, "kind", "live");
    json_kv_uint(&w, "packets", L->packets);
    json_kv_bool(&w, "truncated", false);
    json_object_end(&w);
    json_array_end(&w);
    json_key(&w, "capture");
    json_object_begin(&w);
    json_kv_uint(&w, "duration_ms", (uint64_t)(secs * 1000.0));
    json_kv_uint(&w, "captured", L->packets);
    if (have_stats) {
        json_kv_uint(&w, "received", ks->received);
        json_kv_uint(&w, "dropped", ks->dropped);
        json_kv_uint(&w, "if_dropped", ks->if_dropped);
    }
    json_kv_uint(&w, "tcp_connections", L->tcp_flows);
    if (L->wrote) {
        json_kv_string(&w, "written", L->o.write);
        json_kv_string(&w, "written_format", L->wrote_pcapng ? "pcapng" : "pcap");
        json_kv_uint(&w, "written_packets", L->written);
    }
    json_object_end(&w);
    json_key(&w, "connections");
    json_array_begin(&w);
    json_array_end(&w);
    json_key(&w, "findings");
    json_array_begin(&w);
    if (have_stats && (ks->dropped > 0 || ks->if_dropped > 0)) {
        json_object_begin(&w);
        json_kv_string(&w, "rule", LIVE_DROP_RULE);
        json_kv_string(&w, "severity", "warning");
        json_kv_string(&w, "title", "The kernel dropped packets during the capture");
        json_kv_string(&w, "explanation",
                       "pcap_stats reports dropped packets; handshakes may be missing or "
                       "incomplete.");
        json_key(&w, "remediation");
        json_array_begin(&w);
        json_string(&w, "Narrow the capture filter (-f 'tcp port 443').");
        json_array_end(&w);
        json_key(&w, "evidence");
        json_array_begin(&w);
        json_array_end(&w);
        json_key(&w, "references");
        json_array_begin(&w);
        json_array_end(&w);
        json_object_end(&w);
    }
    json_array_end(&w);
    json_key(&w, "rules");
    json_object_begin(&w);
    for (size_t i = 0; i < L->rule_n; i++) {
        json_kv_uint(&w, L->rules[i].id, L->rules[i].n);
    }
    json_object_end(&w);
    json_key(&w, "summary");
    json_object_begin(&w);
    json_kv_uint(&w, "connections", L->handshakes);
    json_kv_uint(&w, "established", L->established);
    json_kv_uint(&w, "failed", L->failed);
    json_kv_uint(&w, "incomplete", L->incomplete);
    json_kv_uint(&w, "errors", L->errors);
    json_kv_uint(&w, "warnings", L->warnings);
    json_kv_uint(&w, "infos", L->infos);
    json_object_end(&w);
    json_object_end(&w);
    int rc = json_finish(&w);
    if (fclose(mem) != 0 || rc != 0) {
        L->nomem = true;
    } else {
        put_compact(L->out, buf, len, 0);
    }
    free(buf);
}

/* ---- command line ------------------------------------------------------------ */

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "tlsdiag: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    fprintf(stderr, "Try 'tlsdiag live --help' for more information.\n");
    return EXIT_USAGE;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* True with the options in *o; false when the run is over already (--help,
 * --list, a usage error), with the exit status in *ret_rc. */
static bool parse_opts(int argc, char **argv, struct live_opts *o, int *ret_rc)
{
    enum { OPT_DURATION = 256, OPT_FORMAT, OPT_USER, OPT_RULES, OPT_REDACT, OPT_REDACT_KEY };
    static const struct option longopts[] = {
        { "interface", required_argument, NULL, 'i' },
        { "filter", required_argument, NULL, 'f' },
        { "duration", required_argument, NULL, OPT_DURATION },
        { "count", required_argument, NULL, 'c' },
        { "write", required_argument, NULL, 'w' },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "output", required_argument, NULL, 'o' },
        { "user", required_argument, NULL, OPT_USER },
        { "rules", required_argument, NULL, OPT_RULES },
        { "redact", no_argument, NULL, OPT_REDACT },
        { "redact-key", required_argument, NULL, OPT_REDACT_KEY },
        { "list", no_argument, NULL, 'D' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    char *end;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "i:f:c:w:o:Dqh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'i':
            o->iface = optarg;
            break;
        case 'f':
            o->filter = optarg;
            break;
        case OPT_DURATION:
            errno = 0;
            o->duration = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(o->duration > 0) || o->duration > 1e9) {
                *ret_rc = usage_error("--duration needs a number of seconds > 0", optarg);
                return false;
            }
            break;
        case 'c': {
            errno = 0;
            unsigned long long n = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || n == 0 || optarg[0] == '-') {
                *ret_rc = usage_error("--count needs a number > 0", optarg);
                return false;
            }
            o->count = n;
            break;
        }
        case 'w':
            o->write = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") == 0) {
                o->json = true;
            } else if (strcmp(optarg, "text") != 0) {
                *ret_rc = usage_error("live supports --format text or json", optarg);
                return false;
            }
            break;
        case 'o':
            o->output = optarg;
            break;
        case OPT_USER:
            o->user = optarg;
            break;
        case OPT_RULES:
            o->rules = optarg;
            break;
        case OPT_REDACT:
            o->redact = true;
            break;
        case OPT_REDACT_KEY:
            o->redact = true;
            o->redact_key = optarg;
            break;
        case 'D': {
            char err[512] = "";
            if (cap_live_list(stdout, err, sizeof err) != 0) {
                fprintf(stderr, "tlsdiag: %s\n", err);
                *ret_rc = EXIT_USAGE;
            } else {
                *ret_rc = EXIT_OK;
            }
            return false;
        }
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            fputs(usage_live, stdout);
            *ret_rc = EXIT_OK;
            return false;
        default:
            *ret_rc = usage_error("unknown option", NULL);
            return false;
        }
    }
    if (optind < argc) {
        *ret_rc = usage_error("live takes no operands (the filter goes after -f)", argv[optind]);
        return false;
    }
    if (!o->iface) {
        *ret_rc = usage_error("live needs an interface: -i IFACE ('tlsdiag live --list')", NULL);
        return false;
    }
    return true;
}

static void live_fini(struct live *L)
{
    while (L->gens) {
        gen_free(L, L->gens);
    }
    redactor_free(L->redactor); /* after the evidence that points into it */
    for (size_t i = 0; i < L->rule_n; i++) {
        free(L->rules[i].id);
        free(L->rules[i].title);
    }
}

/* Captures until a signal, --duration or --count; false on a capture error. */
static bool capture_loop(struct live *L, struct cap_live *cap)
{
    double start = mono_now(), last_flush = start;
    int fd = cap_live_fd(cap);
    while (!live_signal && !L->stop) {
        int timeout = CAP_LIVE_POLL_MS;
        double now = mono_now();
        if (L->o.duration > 0) {
            double left = L->o.duration - (now - start);
            if (left <= 0) {
                break;
            }
            if (left * 1000.0 < timeout) {
                timeout = (int)(left * 1000.0) + 1;
            }
        }
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, timeout) < 0 && errno != EINTR) {
            fprintf(stderr, "tlsdiag: %s: poll: %s\n", L->o.iface, strerror(errno));
            return false;
        }
        char err[512] = "";
        if (cap_live_dispatch(cap, 0, on_packet, L, err, sizeof err) != ST_OK) {
            fprintf(stderr, "tlsdiag: %s: capture failed: %s\n", L->o.iface, err);
            return false;
        }
        if (now - last_flush >= 1.0) {
            cap_writer_flush(L->w);
            fflush(L->out);
            last_flush = now;
        }
    }
    return true;
}

int live_main(int argc, char **argv)
{
    struct live L = { .o = { .user = "nobody" } };
    int rc = EXIT_OK;
    if (!parse_opts(argc, argv, &L.o, &rc)) {
        return rc;
    }
    struct rule_catalog catalog;
    rule_catalog_init(&catalog);
    if (!catalog_setup(&catalog, L.o.rules)) {
        rule_catalog_fini(&catalog);
        return EXIT_USAGE;
    }
    L.cat = &catalog;
    L.out = stdout;

    char err[512] = "";
    struct cap_live *cap = NULL;
    bool denied = false;
    struct cap_flows *flows = NULL;
    if (cap_live_open(L.o.iface, L.o.filter, &cap, &denied, err, sizeof err) != ST_OK) {
        fprintf(stderr, "tlsdiag: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }
    /* Files are created while still privileged; nothing is parsed yet. */
    if (L.o.write &&
        cap_writer_open(L.o.write, cap_live_linktype(cap), CAP_LIVE_SNAPLEN, cap_live_nano(cap),
                        L.o.iface, &L.w, err, sizeof err) != ST_OK) {
        fprintf(stderr, "tlsdiag: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }
    if (L.o.output && strcmp(L.o.output, "-") != 0) {
        L.out = fopen(L.o.output, "w");
        if (!L.out) {
            fprintf(stderr, "tlsdiag: %s: cannot write: %s\n", L.o.output, strerror(errno));
            L.out = stdout;
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (cap_drop_privileges(L.o.user, err, sizeof err) != ST_OK) {
        fprintf(stderr, "tlsdiag: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }

    struct cap_flow_handler h = {
        .ctx = &L,
        .on_open = on_open,
        .on_data = on_data,
        .on_gap = on_gap,
        .on_close = on_close,
        .on_end = on_end,
    };
    L.cur = gen_new(&L);
    L.redactor = L.o.redact ? redactor_new(L.o.redact_key) : NULL;
    flows = cap_flows_new(&h);
    if (!L.cur || !flows || (L.o.redact && !L.redactor)) { /* never unredacted instead */
        fprintf(stderr, "tlsdiag: out of memory\n");
        rc = EXIT_USAGE;
        goto out;
    }
    L.flows = flows;

    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!L.o.quiet) {
        fprintf(stderr, "tlsdiag: listening on %s, link-type %s, snapshot length %u, filter '%s'\n",
                L.o.iface, cap_live_linktype_name(cap), CAP_LIVE_SNAPLEN,
                L.o.filter ? L.o.filter : CAP_LIVE_DEFAULT_FILTER);
    }

    double start = mono_now();
    bool ok = capture_loop(&L, cap);
    struct cap_live_stats ks = { 0 };
    bool have_stats = cap_live_stats(cap, &ks);
    /* Whatever is still open ends now and is shown. */
    cap_flows_finish(flows);
    if (L.w) {
        L.wrote = true;
        L.wrote_pcapng = cap_writer_is_pcapng(L.w);
        L.written = cap_writer_packets(L.w);
        if (cap_writer_close(L.w, err, sizeof err) != ST_OK) {
            fprintf(stderr, "tlsdiag: %s: %s\n", L.o.write, err);
            L.write_failed = true;
        }
        L.w = NULL;
    }
    double secs = mono_now() - start;
    if (L.o.json) {
        summary_json(&L, secs, &ks, have_stats);
    } else {
        summary_text(&L, secs, &ks, have_stats);
    }
    if (L.nomem) {
        fprintf(stderr, "tlsdiag: out of memory: some handshakes were not shown\n");
    }
    if (!ok || L.write_failed || L.nomem) {
        rc = EXIT_PARTIAL;
    } else if (L.errors > 0) {
        rc = EXIT_FINDINGS;
    }
out:
    cap_flows_free(flows);
    if (L.w) {
        enum status ignored = cap_writer_close(L.w, err, sizeof err); /* already failing */
        (void)ignored;
    }
    if (L.out != stdout) {
        if (fclose(L.out) != 0 && rc == EXIT_OK) {
            rc = EXIT_PARTIAL;
        }
    } else if (fflush(stdout) != 0 && rc == EXIT_OK) {
        rc = EXIT_PARTIAL;
    }
    cap_live_close(cap);
    live_fini(&L);
    rule_catalog_fini(&catalog);
    return rc;
}
