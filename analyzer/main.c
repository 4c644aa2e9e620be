/*
 * main.c - the tlsdiag command line (DESIGN.md "Command line"): subcommand
 * dispatch, options, input detection by content, the pipeline run and the
 * exit status (0 fine, 1 error findings, 2 usage/unreadable input, 3 input
 * partly unreadable).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "catalog.h"
#include "catalog_setup.h"
#include "check.h"
#include "config.h"
#include "correlate.h"
#include "engine.h"
#include "evidence.h"
#include "findings.h"
#include "icm.h"
#include "input_kind.h"
#include "inputs_order.h"
#include "live_cmd.h"
#include "pcap_input.h"
#include "probe_input.h"
#include "progress.h"
#include "redact.h"
#include "report.h"
#include "trust.h"
#include "x509.h"

enum exit_code { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_PARTIAL = 3 };

enum format { FMT_TEXT, FMT_JSON, FMT_MARKDOWN, FMT_HTML, FMT_TRACE };

struct options {
    enum format format;
    const char *output;
    const char *keylog;
    const char *trust; /* --trust CAFILE */
    int color;         /* -1 auto, 0 never, 1 always */
    bool quiet;
    bool deterministic;
    bool timestamp; /* --timestamp: the time of writing in JSON and HTML */
    bool redact;
    const char *redact_key; /* NULL: pseudonyms stable within this report only */
};

static const char usage_main[] =
    "Usage: tlsdiag COMMAND [OPTIONS] ...\n"
    "\n"
    "tlsdiag explains why a TLS handshake failed. It reads what you already have -\n"
    "a packet capture, an SAP ICM trace, a live interface, a certificate - rebuilds\n"
    "every handshake, and shows which CA names the server accepts, which\n"
    "certificates were sent, and which alert ended it, citing frames or trace lines.\n"
    "\n"
    "Commands:\n"
    "  analyze INPUT...   explain the handshakes in captures (pcap, pcapng, .gz)\n"
    "                     and SAP ICM traces (dev_icm); certificate files given\n"
    "                     along are judged against the CA names the servers sent\n"
    "  live -i IFACE      capture and explain handshakes as they happen\n"
    "  check --cert F     would this client certificate be sent and accepted?\n"
    "  probe HOST[:PORT]  connect and show the server's CA list, chain and verdict\n"
    "  rules [ID]         list the diagnosis rules, or show one in full\n"
    "\n"
    "The three jobs:\n"
    "  Feed it an ICM trace (SMICM: trace level 2 or 3, reproduce, Goto > Trace File):\n"
    "    tlsdiag analyze dev_icm.old dev_icm\n"
    "  Capture, live or to a file (as root):\n"
    "    tlsdiag live -i eth0 -f 'tcp port 443' -w /tmp/tls.pcapng     # Ctrl-C to stop\n"
    "    tcpdump -i any -s 0 -w /tmp/tls.pcap 'tcp port 443'; tlsdiag analyze /tmp/tls.pcap\n"
    "  Attach a report to a ticket:\n"
    "    tlsdiag analyze --redact --format html -o ticket.html dev_icm /tmp/tls.pcap\n"
    "\n"
    "More:\n"
    "  tlsdiag probe partner.example.com             # which client CAs does it accept?\n"
    "  tlsdiag check --cert client-chain.pem --server partner.example.com:443\n"
    "  tlsdiag analyze --keylog keys.log tls13.pcap  # TLS 1.3 with SSLKEYLOGFILE\n"
    "\n"
    "Run 'tlsdiag COMMAND --help' for the options of one command.\n"
    "Exit status: 0 analysed, no error finding; 1 at least one error finding;\n"
    "2 usage error or unreadable input; 3 input partly unreadable (results for the rest).\n";

static const char usage_probe[] =
    "Usage: tlsdiag probe [OPTIONS] HOST[:PORT]\n"
    "\n"
    "Connects to HOST (port 443 unless given; [v6-address]:port for IPv6), makes one\n"
    "TLS handshake as a client and explains it like a capture: the CA names the\n"
    "server accepts for client certificates, its certificate chain, and - with\n"
    "--cert - whether your client certificate fits and is accepted. No capture\n"
    "rights are needed: tlsdiag is the client, and records what it sends and gets.\n"
    "\n"
    "TLS 1.2 is used unless --tls1.3 is given, because TLS 1.3 encrypts the\n"
    "certificate request (the CA names) and a client cannot show it afterwards.\n"
    "\n"
    "Options:\n"
    "      --sni NAME       server_name to send (default: HOST unless it is an address;\n"
    "                       --sni '' sends none)\n"
    "      --cert FILE      client certificate chain to present (PEM, leaf first)\n"
    "      --key FILE       its private key (PEM or DER; default: in --cert)\n"
    "      --tls1.2         TLS 1.2 only (the default)\n"
    "      --tls1.3         TLS 1.3 only (the CA names stay hidden)\n"
    "      --timeout S      give up on a silent server after S seconds (default 10)\n"
    "  -w, --write FILE     also write the conversation as a capture (pcapng, or pcap\n"
    "                       for a .pcap name) to open in Wireshark or attach to a ticket\n"
    "      --trust CAFILE   verify the server's chain against these CA certificates\n"
    "  -f, --format FMT     text (default), json, markdown, html or trace\n"
    "  -o, --output FILE    write the report to FILE instead of standard output\n"
    "      --redact         replace host names, addresses, serials with pseudonyms\n"
    "      --rules FILE     add or override diagnosis rules\n"
    "      --color WHEN     auto (default), always or never\n"
    "  -q, --quiet          no progress or notes on standard error\n"
    "  -h, --help           this text\n"
    "\n"
    "Examples:\n"
    "  tlsdiag probe partner.example.com              # which client CAs are accepted?\n"
    "  tlsdiag probe partner.example.com:8443 --cert chain.pem --key client.key\n"
    "  tlsdiag probe 10.0.0.5:443 --sni api.example.com -w probe.pcapng -f markdown\n"
    "\n"
    "Exit status: 0 handshake explained, no error finding; 1 an error finding (the\n"
    "server rejected the handshake, ...); 2 no connection or bad options.\n";

static const char usage_analyze[] =
    "Usage: tlsdiag analyze [OPTIONS] INPUT...\n"
    "\n"
    "Reads packet captures (pcap or pcapng, optionally gzip-compressed) and SAP ICM\n"
    "traces (dev_icm), detected by content, not by name, and reports every TLS\n"
    "handshake in them: endpoints, SNI, version and cipher suite, the ladder of\n"
    "messages with frame numbers, the CA names of a CertificateRequest (all of them),\n"
    "both certificate chains, alerts and the outcome. TLS is found on any port, also\n"
    "after STARTTLS or a proxy CONNECT. From a trace: the ICM's role, the SAP error,\n"
    "handshake state, PSE, target host and the trace's own statements, with line\n"
    "numbers. Certificate files (PEM or DER) given along are candidate client\n"
    "certificate chains: for every CertificateRequest with CA names the report says\n"
    "whether each would be sent and accepted ('tlsdiag check' judges the same way).\n"
    "\n"
    "Options:\n"
    "  -f, --format FMT     text (default); json (schema 1, for scripts and ticket\n"
    "                       automation); markdown (pastes into Jira, GitHub, ServiceNow);\n"
    "                       html (one self-contained page with ladder diagrams, to attach);\n"
    "                       trace (the handshakes as an ICM trace would show them)\n"
    "  -o, --output FILE    write the report to FILE instead of standard output\n"
    "      --timestamp      say in the JSON and HTML report when it was written (without\n"
    "                       it the same input always gives the same report)\n"
    "      --keylog FILE    NSS key log (SSLKEYLOGFILE) to decrypt TLS 1.3 handshakes and\n"
    "                       TLS 1.2 renegotiations; a pcapng's own key log (DSB) is used\n"
    "                       without it. Without keys TLS 1.3 shows what is in the clear\n"
    "      --rules FILE     extra rules (catalog format); a rule with a shipped id\n"
    "                       replaces the shipped one\n"
    "      --trust CAFILE   CA certificates (PEM/DER) to verify the certificate chains\n"
    "                       against, with wolfSSL, as of each handshake's time\n"
    "      --color WHEN     auto (default: only on a terminal), always, never;\n"
    "                       NO_COLOR (non-empty) in the environment means never\n"
    "  -q, --quiet          no progress bar\n"
    "      --redact         replace addresses, host names, SNI, e-mail addresses,\n"
    "                       serials, paths and non-public certificate names with\n"
    "                       pseudonyms (same value, same pseudonym) before sharing\n"
    "      --redact-key KEY like --redact, with pseudonyms derived from KEY: the same\n"
    "                       in every report made with that key\n"
    "  -h, --help           this text\n"
    "\n"
    "Examples:\n"
    "  tlsdiag analyze capture.pcapng\n"
    "  tlsdiag analyze --format json --output report.json capture.pcap.gz\n"
    "  tlsdiag analyze /usr/sap/SID/D00/work/dev_icm\n"
    "  tlsdiag analyze failing-call.pcap new-client-cert.pem   # would it be sent?\n"
    "  tlsdiag analyze --keylog keys.log tls13-call.pcap       # SSLKEYLOGFILE of the client\n"
    "  tlsdiag analyze --redact --format html -o ticket.html dev_icm capture.pcap\n"
    "\n"
    "A good capture for tlsdiag: start it before the failing call (SM59 connection\n"
    "test, SOAMANAGER ping, curl), on the host that makes or takes the call, without\n"
    "a snap length (tcpdump -s 0), e.g.  tcpdump -i any -w /tmp/tls.pcap host PEER\n";

static void die_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "tlsdiag: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    fprintf(stderr, "Try 'tlsdiag --help' for more information.\n");
    exit(EXIT_USAGE);
}

static enum format parse_format(const char *s)
{
    static const struct {
        const char *name;
        enum format f;
    } formats[] = {
        { "text", FMT_TEXT },   { "json", FMT_JSON }, { "markdown", FMT_MARKDOWN },
        { "md", FMT_MARKDOWN }, { "html", FMT_HTML }, { "trace", FMT_TRACE },
    };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (strcmp(s, formats[i].name) == 0) {
            return formats[i].f;
        }
    }
    die_usage("unknown --format (use text, json, markdown, html or trace)", s);
    return FMT_TEXT;
}

static int parse_color(const char *s)
{
    if (strcmp(s, "auto") == 0) {
        return -1;
    }
    if (strcmp(s, "always") == 0) {
        return 1;
    }
    if (strcmp(s, "never") == 0) {
        return 0;
    }
    die_usage("unknown --color (use auto, always or never)", s);
    return -1;
}

static int write_report(const struct options *o, const struct evidence *ev,
                        const struct findings *fs)
{
    FILE *out = stdout;
    if (o->output && strcmp(o->output, "-") != 0) {
        out = fopen(o->output, "w");
        if (!out) {
            fprintf(stderr, "tlsdiag: %s: cannot write the report: %s\n", o->output,
                    strerror(errno));
            return -1;
        }
    }
    /* Reports of big captures are many small writes: buffer them well. */
    static char out_buf[1 << 16]; /* glibc ignores the size when given no buffer */
    setvbuf(out, out_buf, _IOFBF, sizeof out_buf);
    /* no-color.org: NO_COLOR set to a non-empty value turns colour off. */
    const char *no_color = getenv("NO_COLOR");
    bool color = o->color == 1 || (o->color == -1 && out == stdout && isatty(STDOUT_FILENO) &&
                                   !(no_color && *no_color));
    struct report_options ro = {
        .color = color && o->format == FMT_TEXT,
        .deterministic = o->deterministic,
        .timestamp = o->timestamp,
        .version = TLSDIAG_VERSION,
    };
    int rc = o->format == FMT_JSON       ? report_write_json(out, ev, fs, &ro)
             : o->format == FMT_MARKDOWN ? report_write_markdown(out, ev, fs, &ro)
             : o->format == FMT_HTML     ? report_write_html(out, ev, fs, &ro)
             : o->format == FMT_TRACE    ? report_write_trace(out, ev, fs, &ro)
                                         : report_write_text(out, ev, fs, &ro);
    if (out != stdout) {
        if (fclose(out) != 0) {
            rc = -1;
        }
    } else if (fflush(out) != 0) {
        rc = -1;
    }
    if (rc != 0) {
        fprintf(stderr, "tlsdiag: writing the report failed: %s\n", strerror(errno));
    }
    return rc;
}

/* The report options analyze and probe share (DESIGN.md "common"); true
 * when ch was one of them. */
static bool common_option(int ch, const char *arg, struct options *o, const char **rules_file)
{
    switch (ch) {
    case 'f':
        o->format = parse_format(arg);
        return true;
    case 'o':
        o->output = arg;
        return true;
    case 'c':
        o->color = parse_color(arg);
        return true;
    case 'q':
        o->quiet = true;
        return true;
    case 'D':
        o->deterministic = true;
        return true;
    case 'Z':
        o->timestamp = true;
        return true;
    case 'T':
        o->trust = arg;
        return true;
    case 'R':
        o->redact = true;
        return true;
    case 'K':
        o->redact = true;
        o->redact_key = arg;
        return true;
    case 'U':
        *rules_file = arg;
        return true;
    default:
        return false;
    }
}

/* The long options behind common_option. */
static const struct option common_longopts[] = {
    { "format", required_argument, NULL, 'f' }, { "output", required_argument, NULL, 'o' },
    { "color", required_argument, NULL, 'c' },  { "colour", required_argument, NULL, 'c' },
    { "quiet", no_argument, NULL, 'q' },        { "deterministic", no_argument, NULL, 'D' },
    { "trust", required_argument, NULL, 'T' },  { "redact", no_argument, NULL, 'R' },
    { "rules", required_argument, NULL, 'U' },  { "redact-key", required_argument, NULL, 'K' },
    { "timestamp", no_argument, NULL, 'Z' },
};
#define COMMON_LONGOPT_COUNT (sizeof common_longopts / sizeof common_longopts[0])
#define LONGOPTS_MAX 32u

/* common_longopts followed by a command's own (ending with the zero entry). */
static void merge_longopts(struct option out[LONGOPTS_MAX], const struct option *own)
{
    size_t n = 0;
    for (size_t i = 0; i < COMMON_LONGOPT_COUNT; i++) {
        out[n++] = common_longopts[i];
    }
    for (size_t i = 0; own[i].name && n + 1 < LONGOPTS_MAX; i++) {
        out[n++] = own[i];
    }
    out[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* --trust, --redact, the rules and the report, once the evidence is in:
 * EXIT_OK, EXIT_FINDINGS (an error finding), or EXIT_USAGE. */
static int judge_and_report(const struct options *o, struct evidence *ev, struct x509_cache *certs,
                            const struct rule_catalog *catalog)
{
    /* --trust: every chain verified before --redact renames its certificates */
    struct facts_env env = { 0 };
    if (o->trust && !trust_apply(ev, certs, o->trust, o->redact ? "the --trust CA file" : o->trust,
                                 false, &env)) {
        return EXIT_USAGE;
    }
    if (o->redact && redact_evidence(ev, o->redact_key) != ST_OK) {
        /* Never pretend to redact: a report believed redacted must be. */
        fprintf(stderr, "tlsdiag: --redact: out of memory; no report written\n");
        return EXIT_USAGE;
    }
    struct findings fs = { 0 };
    enum status rst = rules_evaluate_env(ev, catalog, &env, &fs);
    if (rst != ST_OK) {
        /* Findings so far are kept; the report says what was found. */
        fprintf(stderr, "tlsdiag: evaluating the rules stopped: %s\n", status_name(rst));
    }
    if (write_report(o, ev, &fs) != 0) {
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < fs.count; i++) {
        if (fs.items[i].severity == SEV_ERROR) {
            return EXIT_FINDINGS;
        }
    }
    return EXIT_OK;
}

/* An input that could not be read is named in the report too, not only on
 * stderr: the report is what reaches the ticket. */
static void not_read(struct evidence *ev, const char *path, const char *reason)
{
    if (ev_unread_add(ev, path, reason) != ST_OK) {
        return; /* out of memory: stderr still said it */
    }
}

/* A certificate file given to analyze: an EV_IN_CERT input (units =
 * certificates) and a candidate client chain in the evidence. */
static enum status read_candidate(struct evidence *ev, struct x509_cache *certs, const char *path,
                                  char *err, size_t errlen)
{
    struct ev_chain *chain = NULL;
    enum status st = x509_load_file(certs, path, &chain, err, errlen);
    if (st != ST_OK) {
        return st;
    }
    struct ev_input *in = ev_input_add(ev, path, EV_IN_CERT);
    if (!in || ev_candidate_add(ev, path, chain) != ST_OK) {
        snprintf(err, errlen, "%s: too many certificate files (or out of memory)", path);
        return ST_LIMIT;
    }
    in->units = chain->count;
    in->bytes = input_file_size(path);
    return ST_OK;
}

static int cmd_analyze(int argc, char **argv)
{
    const char *rules_file = NULL;
    struct options o = { .format = FMT_TEXT, .color = -1 };
    static const struct option own[] = {
        { "keylog", required_argument, NULL, 'k' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct option longopts[LONGOPTS_MAX];
    merge_longopts(longopts, own);
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
        if (common_option(ch, optarg, &o, &rules_file)) {
            continue;
        }
        switch (ch) {
        case 'k':
            o.keylog = optarg;
            break;
        case 'h':
            fputs(usage_analyze, stdout);
            return EXIT_OK;
        default:
            fprintf(stderr, "Try 'tlsdiag analyze --help' for more information.\n");
            return EXIT_USAGE;
        }
    }
    if (getenv("TLSDIAG_DETERMINISTIC")) {
        o.deterministic = true;
    }
    if (optind >= argc) {
        die_usage("analyze needs at least one input file", NULL);
    }

    struct rule_catalog catalog;
    rule_catalog_init(&catalog);
    if (!catalog_setup(&catalog, rules_file)) {
        rule_catalog_fini(&catalog);
        return EXIT_USAGE;
    }

    struct evidence ev;
    ev_init(&ev);
    struct x509_cache *certs = x509_cache_new(&ev.arena);
    if (!certs) {
        fprintf(stderr, "tlsdiag: out of memory\n");
        rule_catalog_fini(&catalog);
        return EXIT_USAGE;
    }
    /* Secrets from --keylog and from the pcapng files' own key logs. */
    struct tls_keylog keylog;
    tls_keylog_init(&keylog);
    if (o.keylog) {
        char kerr[512];
        if (tls_keylog_load_file(&keylog, o.keylog, kerr, sizeof kerr) != ST_OK) {
            fprintf(stderr, "tlsdiag: --keylog %s\n", kerr);
            tls_keylog_fini(&keylog);
            x509_cache_free(certs);
            ev_fini(&ev);
            rule_catalog_fini(&catalog);
            return EXIT_USAGE;
        }
        ev.keylog_path = o.keylog;
    }
    /* Rotated traces (dev_icm.old, dev_icm) are read oldest first. */
    inputs_order((const char **)(argv + optind), (size_t)(argc - optind));
    int unreadable = 0, partial = 0, total = argc - optind, cert_files = 0, sources = 0;
    const char *first_cert = NULL;
    for (int i = optind; i < argc; i++) {
        const char *path = argv[i];
        char err[512] = "";
        enum input_kind kind = input_kind_sniff(path, err, sizeof err);
        if (kind == IN_UNKNOWN) {
            fprintf(stderr, "tlsdiag: %s: %s\n", path, err);
            not_read(&ev, path, err);
            unreadable++;
            continue;
        }
        if (kind == IN_CERTIFICATE) {
            /* A candidate client chain, judged against the CA lists seen. */
            cert_files++;
            first_cert = first_cert ? first_cert : path;
            if (read_candidate(&ev, certs, path, err, sizeof err) != ST_OK) {
                fprintf(stderr, "tlsdiag: %s\n", err);
                not_read(&ev, path, err);
                unreadable++;
            }
            continue;
        }
        if (kind == IN_ICM) {
            enum status ist = icm_read_file(&ev, path, err, sizeof err);
            if (ist == ST_TRUNCATED) {
                fprintf(stderr, "tlsdiag: %s\n", err); /* names file and line */
                partial++;
            } else if (ist != ST_OK) {
                fprintf(stderr, "tlsdiag: %s\n", err);
                not_read(&ev, path, err);
                unreadable++;
            }
            sources += ist == ST_OK || ist == ST_TRUNCATED;
            continue;
        }
        struct progress *bar = progress_new(path, input_file_size(path), !o.quiet);
        enum status st = pcap_input_read_keys(&ev, certs, &keylog, path, bar, err, sizeof err);
        progress_free(bar);
        if (st == ST_TRUNCATED) {
            const struct ev_input *in = &ev.inputs[ev.input_count - 1];
            /* The capture layer's message names the frame already ("after frame 5; ..."). */
            char where[48] = "";
            if (!in->error || !strstr(in->error, "after frame")) {
                snprintf(where, sizeof where, " (after packet %llu)",
                         (unsigned long long)in->units);
            }
            fprintf(stderr, "tlsdiag: %s: %s%s; results are for the part before it\n", path,
                    in->error ? in->error : "read error", where);
            partial++;
        } else if (st != ST_OK) {
            fprintf(stderr, "tlsdiag: %s: %s\n", path, err[0] ? err : status_name(st));
            not_read(&ev, path, err[0] ? err : status_name(st));
            unreadable++;
        }
        sources += st == ST_OK || st == ST_TRUNCATED;
    }
    if (cert_files == total && unreadable == 0) {
        fprintf(stderr,
                "tlsdiag: %s is a certificate: give it with the capture or trace of the failing "
                "call, or use 'tlsdiag check --cert %s --ca-names LIST | --from INPUT | --server "
                "HOST'\n",
                first_cert, first_cert);
    }
    /* A trace and a capture of the same TCP connection become one. */
    correlate(&ev);
    /* Certificate files alone are nothing to analyse: they need a CA list. */
    int rc = sources == 0 ? EXIT_USAGE : judge_and_report(&o, &ev, certs, &catalog);
    if (rc == EXIT_OK || rc == EXIT_FINDINGS) {
        rc = unreadable > 0 || partial > 0 ? EXIT_PARTIAL : rc;
    }
    tls_keylog_fini(&keylog);
    x509_cache_free(certs);
    ev_fini(&ev);
    rule_catalog_fini(&catalog);
    return rc;
}

static int cmd_probe(int argc, char **argv)
{
    const char *rules_file = NULL, *write_path = NULL;
    struct options o = { .format = FMT_TEXT, .color = -1 };
    struct cap_probe_options po = CAP_PROBE_DEFAULTS;
    bool sni_given = false;
    static const struct option own[] = {
        { "sni", required_argument, NULL, 'S' },
        { "cert", required_argument, NULL, 'C' },
        { "key", required_argument, NULL, 'Y' },
        { "tls1.2", no_argument, NULL, '2' },
        { "tls1.3", no_argument, NULL, '3' },
        { "timeout", required_argument, NULL, 't' },
        { "write", required_argument, NULL, 'w' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct option longopts[LONGOPTS_MAX];
    merge_longopts(longopts, own);
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "f:o:qhw:", longopts, NULL)) != -1) {
        if (common_option(ch, optarg, &o, &rules_file)) {
            continue;
        }
        switch (ch) {
        case 'S':
            po.sni = optarg;
            sni_given = true;
            break;
        case 'C':
            po.cert = optarg;
            break;
        case 'Y':
            po.key = optarg;
            break;
        case '2':
            po.version = 0x0303;
            break;
        case '3':
            po.version = 0x0304;
            break;
        case 't': {
            char *end = NULL;
            unsigned long secs = strtoul(optarg, &end, 10);
            if (!end || *end || secs == 0 || secs > 600) {
                die_usage("--timeout takes seconds from 1 to 600", optarg);
            }
            po.timeout_ms = (unsigned)secs * 1000u;
            break;
        }
        case 'w':
            write_path = optarg;
            break;
        case 'h':
            fputs(usage_probe, stdout);
            return EXIT_OK;
        default:
            fprintf(stderr, "Try 'tlsdiag probe --help' for more information.\n");
            return EXIT_USAGE;
        }
    }
    if (getenv("TLSDIAG_DETERMINISTIC")) {
        o.deterministic = true;
    }
    if (optind + 1 != argc) {
        die_usage("probe needs exactly one HOST[:PORT]", NULL);
    }
    if (po.key && !po.cert) {
        die_usage("--key needs --cert", NULL);
    }
    const char *sni = po.sni;
    if (!probe_target_parse(argv[optind], &po)) {
        die_usage("not HOST[:PORT] or [IPv6]:PORT", argv[optind]);
    }
    if (sni_given) {
        po.sni = sni;
    }

    struct rule_catalog catalog;
    rule_catalog_init(&catalog);
    if (!catalog_setup(&catalog, rules_file)) {
        rule_catalog_fini(&catalog);
        return EXIT_USAGE;
    }
    struct evidence ev;
    ev_init(&ev);
    struct x509_cache *certs = x509_cache_new(&ev.arena);
    char err[512] = "";
    int rc = EXIT_USAGE;
    if (!certs) {
        fprintf(stderr, "tlsdiag: out of memory\n");
    } else if (probe_input_run(&ev, certs, &po, write_path, err, sizeof err) != ST_OK) {
        fprintf(stderr, "tlsdiag: probe %s\n", err);
    } else {
        rc = judge_and_report(&o, &ev, certs, &catalog);
    }
    x509_cache_free(certs);
    ev_fini(&ev);
    rule_catalog_fini(&catalog);
    return rc;
}

static void print_when(const struct rule_when *w, const char *key)
{
    printf("  %-9s %s %s", key, fact_name(w->fact), rule_op_name(w->op));
    for (size_t i = 0; i < w->value_count; i++) {
        printf(" %s", w->values[i]);
    }
    printf("\n");
}

static void print_rule(const struct rule *r)
{
    printf("[%s]  (%s:%llu)\n", r->id, r->origin, (unsigned long long)r->line);
    printf("  severity  %s\n  title     %s\n", severity_name(r->severity), r->title);
    for (size_t i = 0; i < r->when_count; i++) {
        if (i > 0 && r->whens[i].group != r->whens[i - 1].group) {
            printf("  or\n");
        }
        print_when(&r->whens[i], "when");
    }
    for (size_t i = 0; i < r->escalate_count; i++) {
        print_when(&r->escalate[i], "escalate");
    }
    printf("  explain   %s\n", r->explain);
    for (size_t i = 0; i < r->fix_sap_count; i++) {
        printf("  fix.sap   %s\n", r->fix_sap[i]);
    }
    for (size_t i = 0; i < r->fix_generic_count; i++) {
        printf("  fix       %s\n", r->fix_generic[i]);
    }
    for (size_t i = 0; i < r->evidence_count; i++) {
        printf("  evidence  %s\n", fact_name(r->evidence[i]));
    }
    for (size_t i = 0; i < r->ref_count; i++) {
        printf("  ref       %s\n", r->refs[i]);
    }
}

/* tlsdiag rules [--rules FILE] [ID]: the catalog, or one rule (all its
 * variants) in full. */
static int cmd_rules(int argc, char **argv)
{
    const char *extra = NULL, *id = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
            extra = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("Usage: tlsdiag rules [--rules FILE] [ID]\n"
                   "Lists the diagnosis rules (id, severity, title), or shows one in full.\n");
            return EXIT_OK;
        } else if (argv[i][0] == '-' || id) {
            die_usage("usage: tlsdiag rules [--rules FILE] [ID]", argv[i]);
        } else {
            id = argv[i];
        }
    }
    struct rule_catalog cat;
    rule_catalog_init(&cat);
    if (!catalog_setup(&cat, extra)) {
        rule_catalog_fini(&cat);
        return EXIT_USAGE;
    }
    int rc = EXIT_OK;
    if (!id) {
        for (size_t i = 0; i < cat.count; i++) {
            const struct rule *r = cat.rules[i];
            printf("%-40s %-8s %s\n", r->id, severity_name(r->severity), r->title);
        }
    } else {
        size_t shown = 0, n = strlen(id);
        for (size_t i = 0; i < cat.count; i++) {
            const char *rid = cat.rules[i]->id;
            if (strcmp(rid, id) == 0 || (strncmp(rid, id, n) == 0 && rid[n] == '.')) {
                printf("%s", shown++ ? "\n" : "");
                print_rule(cat.rules[i]);
            }
        }
        if (shown == 0) {
            fprintf(stderr, "tlsdiag: no rule '%s'; 'tlsdiag rules' lists them\n", id);
            rc = EXIT_USAGE;
        }
    }
    rule_catalog_fini(&cat);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("tlsdiag %s\n", TLSDIAG_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "analyze") == 0 || strcmp(cmd, "analyse") == 0) {
        return cmd_analyze(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "rules") == 0) {
        return cmd_rules(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "check") == 0) {
        return check_main(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "live") == 0) {
        return live_main(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "probe") == 0) {
        return cmd_probe(argc - 1, argv + 1);
    }
    die_usage("unknown command", cmd);
    return EXIT_USAGE;
}
