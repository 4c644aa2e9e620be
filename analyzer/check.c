/*
 * check.c - `tlsdiag check --cert CHAIN (--ca-names FILE | --from INPUT)
 * [--trust CAFILE] [--host NAME]`: would a TLS client holding this chain send
 * it to a server whose CertificateRequest lists these CA names (RFC 5246
 * 7.4.4, RFC 8446 4.2.4), and would the server accept it? The chain and the
 * names become one modelled client connection in an evidence, so the same
 * rules (rules/catalog.tlsrules, source = check) give the verdict; this file
 * adds the per-certificate verdict lines and renders text or JSON.
 */
#include "check.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "capture.h"
#include "catalog.h"
#include "catalog_setup.h"
#include "config.h"
#include "engine.h"
#include "evidence.h"
#include "facts.h"
#include "findings.h"
#include "input_kind.h"
#include "icm.h"
#include "json_writer.h"
#include "pcap_input.h"
#include "probe_input.h"
#include "progress.h"
#include "redact.h"
#include "report.h"
#include "trust.h"
#include "x509.h"

enum { CHECK_OK = 0, CHECK_FINDINGS = 1, CHECK_USAGE = 2 };

#define NAME_LINE_MAX 4096u /* one line of a --ca-names file */

static const char usage_check[] =
    "Usage: tlsdiag check --cert CHAIN (--ca-names FILE | --from INPUT | --server HOST:PORT)\n"
    "                     [OPTIONS]\n"
    "\n"
    "Would a TLS client holding the certificate chain CHAIN (PEM with one or more\n"
    "certificates, leaf first, or DER) send it to a server whose certificate request\n"
    "lists these CA names, and would the server accept it? Prints a verdict per\n"
    "certificate (which one matched which CA name, or the nearest CA name) and the\n"
    "findings of the same rules 'tlsdiag analyze' uses (no_fitting_ca,\n"
    "chain_incomplete, client_cert_expired, missing_client_auth_eku, weak_key, ...).\n"
    "\n"
    "Options:\n"
    "      --cert CHAIN       the client's certificate chain as it would be sent\n"
    "      --ca-names FILE    the server's CA names, one RFC 4514 DN per line\n"
    "                         (e.g. CN=Client CA A,O=Example,C=DE); # starts a comment\n"
    "      --from INPUT       take the CA names from the CertificateRequest(s) in a\n"
    "                         capture (pcap, pcapng, .gz) or an SAP ICM trace\n"
    "      --server HOST[:PORT]  ask the server: a TLS 1.2 handshake without a client\n"
    "                         certificate (as 'tlsdiag probe') gets its CA names\n"
    "      --trust CAFILE     CA certificates you have (PEM/DER): a self-signed one is a\n"
    "                         root the server trusts; another is an intermediate that\n"
    "                         must be in CHAIN to count (chain_incomplete otherwise);\n"
    "                         CHAIN is verified against the roots with wolfSSL\n"
    "      --host NAME        also check that the leaf covers NAME (as a server would)\n"
    "  -f, --format FMT       text (default) or json\n"
    "  -o, --output FILE      write the report to FILE\n"
    "      --redact           pseudonyms for file names, host names, serials and the\n"
    "                         names of non-public certificates (as analyze --redact)\n"
    "      --redact-key KEY   the same, with pseudonyms derived from KEY\n"
    "      --rules FILE       extra rules (catalog format)\n"
    "  -h, --help             this text\n"
    "\n"
    "Validity is judged at the current time (--time UNIX-SECONDS to choose another).\n"
    "Examples:\n"
    "  tlsdiag check --cert client-chain.pem --ca-names server-cas.txt\n"
    "  tlsdiag check --cert client.pem --from failing-call.pcap --format json\n"
    "  tlsdiag check --cert client-chain.pem --server partner.example.com:443\n"
    "Exit status: 0 no error finding; 1 an error finding (e.g. the certificate would\n"
    "not be sent); 2 usage error or unreadable input.\n";

struct check_opts {
    const char *cert, *ca_names, *from, *server, *trust, *host, *output, *rules;
    const char *redact_key; /* --redact-key; NULL with plain --redact */
    bool json, deterministic, redact;
    int64_t when;
};

/* Where the CA names came from, for the report. */
struct names_source {
    const char *kind; /* "file", "pcap", "icm-trace", "server" */
    const char *path;
    size_t requests; /* CertificateRequests they were taken from */
    uint64_t first_ref;
};

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "tlsdiag check: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    fprintf(stderr, "Try 'tlsdiag check --help' for more information.\n");
    return CHECK_USAGE;
}

/* ---- CA names ---------------------------------------------------------------- */

static bool name_known(const struct ev_cert_request *cr, struct bytes der, const char *text)
{
    return facts_name_listed(cr, der, text, NULL);
}

static enum status add_name(struct ev_arena *a, struct ev_cert_request *cr, size_t *cap,
                            struct bytes der, const char *text)
{
    if (name_known(cr, der, text)) {
        return ST_OK; /* the same name from another request */
    }
    struct ev_name n = { .text = ev_strdup(a, text), .der = der };
    if (!n.text) {
        return ST_NOMEM;
    }
    return EV_PUSH(a, cr->ca_names, cr->ca_count, *cap, CAP_DNS_PER_LIST, &n);
}

/* One RFC 4514 DN per line; blank lines and lines starting with # skipped. */
static int names_from_file(struct ev_arena *a, const char *path, struct ev_cert_request *cr)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "tlsdiag: %s: cannot open: %s\n", path, strerror(errno));
        return CHECK_USAGE;
    }
    char line[NAME_LINE_MAX + 2];
    size_t cap = 0;
    unsigned long no = 0;
    int rc = CHECK_OK;
    while (rc == CHECK_OK && fgets(line, sizeof line, f)) {
        no++;
        size_t n = strlen(line);
        if (n > NAME_LINE_MAX) {
            fprintf(stderr, "tlsdiag: %s:%lu: line longer than %u bytes\n", path, no,
                    NAME_LINE_MAX);
            rc = CHECK_USAGE;
            break;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                         line[n - 1] == '\t')) {
            line[--n] = '\0';
        }
        const char *s = line + strspn(line, " \t");
        if (*s == '\0' || *s == '#') {
            continue;
        }
        if (!strchr(s, '=')) {
            fprintf(stderr, "tlsdiag: %s:%lu: not a distinguished name (no '='): %s\n", path, no,
                    s);
            rc = CHECK_USAGE;
            break;
        }
        if (add_name(a, cr, &cap, (struct bytes){ 0 }, s) != ST_OK) {
            fprintf(stderr, "tlsdiag: %s:%lu: too many CA names\n", path, no);
            rc = CHECK_USAGE;
        }
    }
    if (rc == CHECK_OK && ferror(f)) {
        fprintf(stderr, "tlsdiag: %s: read error\n", path);
        rc = CHECK_USAGE;
    }
    fclose(f);
    if (rc == CHECK_OK && cr->ca_count == 0) {
        fprintf(stderr, "tlsdiag: %s: no CA name in the file\n", path);
        rc = CHECK_USAGE;
    }
    return rc;
}

/* Asks the server itself: a probe (TLS 1.2, no client certificate) into src. */
static enum status read_server(struct evidence *src, const char *target, char *err, size_t errlen)
{
    char buf[512];
    struct cap_probe_options po = CAP_PROBE_DEFAULTS;
    snprintf(buf, sizeof buf, "%s", target);
    if (!probe_target_parse(buf, &po)) {
        snprintf(err, errlen, "%s: not HOST[:PORT] or [IPv6]:PORT", target);
        return ST_UNSUPPORTED;
    }
    struct x509_cache *certs = x509_cache_new(&src->arena);
    enum status st = certs ? probe_input_run(src, certs, &po, NULL, err, errlen) : ST_NOMEM;
    x509_cache_free(certs);
    return st;
}

/* Reads a capture or trace (or asks a server) into src; ST_TRUNCATED counts. */
static enum status read_source(struct evidence *src, const char *path, struct names_source *ns,
                               char *err, size_t errlen)
{
    if (strcmp(ns->kind, "server") == 0) {
        return read_server(src, path, err, errlen);
    }
    switch (input_kind_sniff(path, err, errlen)) {
    case IN_CAPTURE: {
        ns->kind = "pcap";
        struct x509_cache *certs = x509_cache_new(&src->arena);
        struct progress *bar = progress_new(path, input_file_size(path), false);
        enum status st = certs ? pcap_input_read(src, certs, path, bar, err, errlen) : ST_NOMEM;
        progress_free(bar);
        x509_cache_free(certs);
        return st;
    }
    case IN_ICM:
        ns->kind = "icm-trace";
        return icm_read_file(src, path, err, errlen);
    case IN_CERTIFICATE:
        snprintf(err, errlen,
                 "is a certificate file: --from takes the capture or trace with the server's "
                 "CertificateRequest (for CA names in a file, --ca-names)");
        return ST_UNSUPPORTED;
    default:
        return ST_UNSUPPORTED;
    }
}

/* The CA names of every visible CertificateRequest in a capture or trace, or
 * of the server's answer to a probe (union, in order of appearance). src
 * stays alive: the names point into it. */
static int names_from_input(struct evidence *src, struct ev_arena *a, const char *path,
                            struct ev_cert_request *cr, struct names_source *ns)
{
    char err[512] = "";
    enum status st = read_source(src, path, ns, err, sizeof err);
    if (st != ST_OK && st != ST_TRUNCATED) {
        fprintf(stderr, "tlsdiag: %s%s: %s\n", strcmp(ns->kind, "server") == 0 ? "--server " : "",
                path, err[0] ? err : status_name(st));
        return CHECK_USAGE;
    }
    size_t cap = 0;
    for (size_t i = 0; i < src->conn_count; i++) {
        const struct ev_cert_request *r = src->conns[i]->cert_request;
        if (!r || !r->visible || r->ca_count == 0) {
            continue;
        }
        if (ns->requests++ == 0) {
            ns->first_ref = r->ref;
        }
        for (size_t j = 0; j < r->ca_count; j++) {
            if (add_name(a, cr, &cap, r->ca_names[j].der, r->ca_names[j].text) != ST_OK) {
                fprintf(stderr, "tlsdiag: %s: too many CA names\n", path);
                return CHECK_USAGE;
            }
        }
    }
    if (cr->ca_count == 0 && strcmp(ns->kind, "server") == 0) {
        fprintf(stderr,
                "tlsdiag: --server %s: the server did not ask for a client certificate, or named "
                "no CA (then any CA will do); see 'tlsdiag probe %s'\n",
                path, path);
        return CHECK_USAGE;
    }
    if (cr->ca_count == 0) {
        fprintf(stderr,
                "tlsdiag: %s: no CertificateRequest with CA names in it (an empty list means "
                "any CA; TLS 1.3 hides the request without a key log; ICM traces do not print "
                "the names)\n",
                path);
        return CHECK_USAGE;
    }
    return CHECK_OK;
}

/* ---- verdicts ------------------------------------------------------------------- */

/* Number of RDNs two RFC 4514 names share (ignoring case and blanks). */
static size_t shared_rdns(const char *a, const char *b)
{
    size_t shared = 0;
    const char *p = a;
    while (p && *p) {
        const char *e = p;
        while (*e && !(*e == ',' && (e == p || e[-1] != '\\'))) {
            e++;
        }
        const char *s = p;
        while (s < e && *s == ' ') {
            s++;
        }
        size_t len = (size_t)(e - s);
        for (const char *q = b; len > 0 && q && *q;) {
            const char *qe = q;
            while (*qe && !(*qe == ',' && (qe == q || qe[-1] != '\\'))) {
                qe++;
            }
            const char *qs = q;
            while (qs < qe && *qs == ' ') {
                qs++;
            }
            if ((size_t)(qe - qs) == len && strncasecmp(qs, s, len) == 0) {
                shared++;
                break;
            }
            q = *qe ? qe + 1 : qe;
        }
        p = *e ? e + 1 : e;
    }
    return shared;
}

/* The CA name sharing most RDNs with dn (the first on a tie); SIZE_MAX when
 * none shares any. */
static size_t nearest_name(const struct ev_cert_request *cr, const char *dn)
{
    size_t best = SIZE_MAX, best_score = 0;
    for (size_t i = 0; dn && i < cr->ca_count; i++) {
        size_t score = shared_rdns(dn, cr->ca_names[i].text);
        if (score > best_score) {
            best = i;
            best_score = score;
        }
    }
    return best;
}

/* Positions of the chain on the walk from the leaf (issuer links), up to and
 * including `last` when it is reached. */
static size_t walk_path(const struct ev_chain *chain, size_t last, size_t *path, size_t max)
{
    size_t n = 0, cur = 0;
    while (n < max && n < chain->count) {
        path[n++] = cur;
        const struct ev_cert *c = chain->certs[cur];
        if (cur == last || c->self_signed) {
            break;
        }
        size_t next = SIZE_MAX;
        for (size_t i = 0; i < chain->count; i++) {
            const struct ev_cert *o = chain->certs[i];
            if (i != cur && facts_dn_equal(o->subject_der, o->subject, c->issuer_der, c->issuer)) {
                next = i;
                break;
            }
        }
        bool seen = false;
        for (size_t j = 0; j < n; j++) {
            seen = seen || path[j] == next;
        }
        if (next == SIZE_MAX || seen) {
            break;
        }
        cur = next;
    }
    return n;
}

struct verdict {
    bool fits, sent, accepted;
    struct facts_fit fit;
    char **lines; /* per certificate */
    const char *summary;
};

static const char *dn(const char *s)
{
    return s ? s : "?";
}

static enum status make_verdict(struct ev_arena *a, const struct ev_chain *chain,
                                const struct ev_cert_request *cr, const struct findings *fs,
                                struct verdict *ret)
{
    struct verdict v = { 0 };
    v.fits = facts_chain_fit(chain, cr, &v.fit);
    v.sent = v.fits;
    const char *errors = NULL;
    for (size_t i = 0; i < fs->count; i++) {
        /* no_fitting_ca is what "would not be sent" already says */
        if (fs->items[i].severity == SEV_ERROR && strcmp(fs->items[i].rule, "no_fitting_ca") != 0) {
            errors = ev_printf(a, "%s%s%s (%s)", errors ? errors : "", errors ? "; " : "",
                               fs->items[i].title, fs->items[i].rule);
            if (!errors) {
                return ST_NOMEM;
            }
        }
    }
    v.accepted = v.sent && !errors;
    if (!v.fits && !errors) {
        errors = NULL;
    }
    v.lines = ev_alloc(a, chain->count * sizeof *v.lines);
    size_t path[CAP_CERTS_PER_CHAIN];
    size_t plen = walk_path(chain, v.fits ? v.fit.cert_index : SIZE_MAX, path, CAP_CERTS_PER_CHAIN);
    if (!v.lines) {
        return ST_NOMEM;
    }
    const struct ev_cert *leaf = chain->certs[0];
    const char *name = v.fits ? cr->ca_names[v.fit.name_index].text : NULL;
    for (size_t i = 0; i < chain->count; i++) {
        const struct ev_cert *c = chain->certs[i];
        size_t pos = SIZE_MAX;
        for (size_t j = 0; j < plen; j++) {
            pos = path[j] == i ? j : pos;
        }
        size_t dup = SIZE_MAX;
        for (size_t j = 0; j < i && dup == SIZE_MAX; j++) {
            dup = chain->certs[j] == c ? j : dup;
        }
        char *line;
        if (dup != SIZE_MAX) {
            line =
                ev_printf(a, "the same certificate as #%zu again; a client sends it once", dup + 1);
        } else if (i == 0 && v.fits) {
            const char *how;
            if (v.fit.cert_index == 0 && v.fit.by_subject) {
                how = ev_printf(a, "it is itself CA name #%zu of the server's list",
                                v.fit.name_index + 1);
            } else if (v.fit.cert_index == 0) {
                how = ev_printf(a, "issued by %s, which the server lists as CA name #%zu",
                                dn(c->issuer), v.fit.name_index + 1);
            } else {
                how = ev_printf(a,
                                "issued by %s, which is certificate #%zu of the chain and leads "
                                "to CA name #%zu (%s)",
                                dn(c->issuer), path[1] + 1, v.fit.name_index + 1, dn(name));
            }
            line = how ? ev_printf(a, "%s: %s",
                                   v.accepted ? "would be sent and accepted"
                                              : "would be sent, but not accepted",
                                   how)
                       : NULL;
        } else if (i == 0) {
            const struct ev_cert *top = chain->certs[path[plen - 1]];
            size_t near = nearest_name(cr, top->issuer);
            const char *up = plen > 1
                                 ? ev_printf(a, " (nor is %s, the issuer at the top of the chain)",
                                             dn(top->issuer))
                                 : "";
            line = up ? ev_printf(a, "would not be sent: its issuer %s is not %s%s; nearest: %s",
                                  dn(c->issuer),
                                  cr->ca_count == 1
                                      ? "the server's one CA name"
                                      : ev_printf(a, "among the %zu CA names", cr->ca_count),
                                  up,
                                  near == SIZE_MAX ? "none (no CA name shares a part with it)"
                                                   : cr->ca_names[near].text)
                      : NULL;
        } else if (pos == SIZE_MAX) {
            line = ev_printf(a, "not on the path from the leaf (it issued none of the "
                                "certificates before it); a client does not need it");
        } else if (v.fits && i == v.fit.cert_index && v.fit.by_subject) {
            line = ev_printf(a, "on the path from the leaf; it is itself CA name #%zu",
                             v.fit.name_index + 1);
        } else if (v.fits && i == v.fit.cert_index) {
            line = ev_printf(a,
                             "intermediate on the path from the leaf: issued by %s, which the "
                             "server lists as CA name #%zu",
                             dn(c->issuer), v.fit.name_index + 1);
        } else {
            line = ev_printf(a,
                             "on the path from the leaf: issued by %s, which is not a listed "
                             "CA name",
                             dn(c->issuer));
        }
        if (!line) {
            return ST_NOMEM;
        }
        v.lines[i] = line;
    }
    if (v.accepted) {
        v.summary = ev_printf(a, "%s would be sent and accepted.", dn(leaf->subject));
    } else if (v.sent) {
        v.summary =
            ev_printf(a, "%s would be sent, but not accepted: %s.", dn(leaf->subject), errors);
    } else {
        v.summary = ev_printf(a,
                              "%s would not be sent: no certificate of the chain is issued by "
                              "one of the server's CA names%s%s.",
                              dn(leaf->subject), errors ? "; " : "", errors ? errors : "");
    }
    if (!v.summary) {
        return ST_NOMEM;
    }
    *ret = v;
    return ST_OK;
}

/* ---- rendering ------------------------------------------------------------------ */

static void text_findings(FILE *out, const struct findings *fs)
{
    size_t e = 0, w = 0, i = 0;
    for (size_t k = 0; k < fs->count; k++) {
        enum severity s = fs->items[k].severity;
        e += s == SEV_ERROR;
        w += s == SEV_WARNING;
        i += s == SEV_INFO;
    }
    fprintf(out, "\nFindings: %zu error%s, %zu warning%s, %zu info\n", e, e == 1 ? "" : "s", w,
            w == 1 ? "" : "s", i);
    for (size_t k = 0; k < fs->count; k++) {
        const struct finding *f = &fs->items[k];
        const char *sev = f->severity == SEV_ERROR     ? "ERROR"
                          : f->severity == SEV_WARNING ? "WARNING"
                                                       : "INFO";
        fprintf(out, "\n  [%s] %s (%s)\n    %s\n", sev, f->title, f->rule, f->explanation);
        if (f->remediation_count > 0) {
            fprintf(out, "    What to do:\n");
        }
        for (size_t r = 0; r < f->remediation_count; r++) {
            fprintf(out, "      %zu. %s\n", r + 1, f->remediation[r]);
        }
        for (size_t r = 0; r < f->reference_count; r++) {
            fprintf(out, "%s%s", r == 0 ? "    References: " : "; ", f->references[r]);
        }
        if (f->reference_count > 0) {
            fputc('\n', out);
        }
    }
}

/* --trust: the chain verified with wolfSSL (self-signed anchors only) at --time. */
static void write_verify(FILE *out, const struct ev_verify *vf)
{
    static const char *const words[] = {
        [EV_VERIFY_OK] = "verified",
        [EV_VERIFY_NO_ISSUER] = "not verified (issuer missing)",
        [EV_VERIFY_UNTRUSTED_ROOT] = "not verified (untrusted root)",
        [EV_VERIFY_INVALID] = "not verified (rejected)",
        [EV_VERIFY_EXPIRED] = "not verified (expired)",
        [EV_VERIFY_NOT_YET_VALID] = "not verified (not yet valid)",
    };
    if (!vf) {
        return;
    }
    const struct ev_cert *c = vf->result == EV_VERIFY_OK ? vf->anchor : vf->cert;
    fprintf(out, "Chain verification (wolfSSL): %s", words[vf->result]);
    if (vf->result == EV_VERIFY_OK) {
        fprintf(out, ", %zu certificate%s up to the trust anchor %s\n", vf->path_len,
                vf->path_len == 1 ? "" : "s", c && c->subject ? c->subject : "?");
        return;
    }
    fprintf(out, ": certificate %u of the path, %s: %s\n", vf->depth + 1,
            c && c->subject ? c->subject : "?", vf->reason ? vf->reason : "?");
}

static void write_text(FILE *out, const struct check_opts *o, const struct ev_chain *chain,
                       size_t trust_count, const struct ev_cert_request *cr,
                       const struct names_source *ns, const struct verdict *v,
                       const struct findings *fs)
{
    fprintf(out, "tlsdiag check: would this client certificate be sent and accepted?\n\n");
    if (o->redact) {
        fprintf(out, "Redacted: yes (file and host names, serials and non-public certificate "
                     "names are pseudonyms)\n");
    }
    fprintf(out, "Certificate file: %s (%zu certificate%s)\n", o->cert, chain->count,
            chain->count == 1 ? "" : "s");
    if (strcmp(ns->kind, "file") == 0) {
        fprintf(out, "CA names (%zu), from %s:\n", cr->ca_count, ns->path);
    } else {
        fprintf(out, "CA names (%zu), from %zu CertificateRequest%s in %s (first at %s %llu):\n",
                cr->ca_count, ns->requests, ns->requests == 1 ? "" : "s", ns->path,
                strcmp(ns->kind, "icm-trace") == 0 ? "line" : "frame",
                (unsigned long long)ns->first_ref);
    }
    for (size_t i = 0; i < cr->ca_count; i++) {
        fprintf(out, "  #%zu %s\n", i + 1, cr->ca_names[i].text);
    }
    if (o->trust) {
        fprintf(out, "Trusted/held CA certificates: %s (%zu)\n", o->trust, trust_count);
        write_verify(out, chain->verify);
    }
    if (o->host) {
        fprintf(out, "Host name: %s\n", o->host);
    }
    fprintf(out, "\nCertificates:\n");
    for (size_t i = 0; i < chain->count; i++) {
        const struct ev_cert *c = chain->certs[i];
        fprintf(out, "  %zu. %s\n     issuer:   %s\n     validity: %s to %s\n", i + 1,
                dn(c->subject), dn(c->issuer), dn(c->not_before), dn(c->not_after));
        if (!o->redact && (c->ski_hex || c->aki_hex)) { /* key ids identify, like serials */
            /* RFC 5280 4.2.1.1/4.2.1.2: the issuer's subject key id is this one's authority key id
             */
            fprintf(out, "     key ids:  subject %s, authority %s\n",
                    c->ski_hex ? c->ski_hex : "(none)", c->aki_hex ? c->aki_hex : "(none)");
        }
        fprintf(out, "     => %s\n", v->lines[i]);
    }
    fprintf(out, "\nVerdict: %s\n", v->summary);
    text_findings(out, fs);
}

static void json_cert(struct json_writer *w, const struct ev_cert *c, const char *verdict,
                      bool key_ids)
{
    json_object_begin(w);
    json_kv_string(w, "subject", c->subject);
    json_kv_string(w, "issuer", c->issuer);
    json_kv_string(w, "serial", c->serial);
    json_kv_string(w, "not_before", c->not_before);
    json_kv_string(w, "not_after", c->not_after);
    json_kv_string(w, "sha256", c->sha256);
    json_kv_bool(w, "is_ca", c->is_ca);
    json_kv_bool(w, "self_signed", c->self_signed);
    json_kv_string(w, "subject_key_identifier", key_ids ? c->ski_hex : NULL);
    json_kv_string(w, "authority_key_identifier", key_ids ? c->aki_hex : NULL);
    json_kv_string(w, "verdict", verdict);
    json_object_end(w);
}

static void json_findings(struct json_writer *w, const struct findings *fs)
{
    json_key(w, "findings");
    json_array_begin(w);
    for (size_t k = 0; k < fs->count; k++) {
        const struct finding *f = &fs->items[k];
        json_object_begin(w);
        json_kv_string(w, "rule", f->rule);
        json_kv_string(w, "severity", severity_name(f->severity));
        json_kv_string(w, "title", f->title);
        json_kv_string(w, "explanation", f->explanation);
        json_key(w, "remediation");
        json_array_begin(w);
        for (size_t r = 0; r < f->remediation_count; r++) {
            json_string(w, f->remediation[r]);
        }
        json_array_end(w);
        json_key(w, "evidence");
        json_array_begin(w);
        json_array_end(w); /* a check cites no frames or lines */
        json_key(w, "references");
        json_array_begin(w);
        for (size_t r = 0; r < f->reference_count; r++) {
            json_string(w, f->references[r]);
        }
        json_array_end(w);
        json_object_end(w);
    }
    json_array_end(w);
}

static int write_json(FILE *out, const struct check_opts *o, const struct ev_chain *chain,
                      const struct ev_cert_request *cr, const struct names_source *ns,
                      const struct verdict *v, const struct findings *fs)
{
    struct json_writer w;
    json_init(&w, out);
    json_object_begin(&w);
    json_kv_uint(&w, "schema", 1);
    json_kv_string(&w, "tool", "tlsdiag");
    if (o->redact) {
        json_kv_bool(&w, "redacted", true);
    }
    json_kv_string(&w, "version", o->deterministic ? "test" : TLSDIAG_VERSION);
    json_kv_string(&w, "command", "check");
    json_kv_string(&w, "certificate_file", o->cert);
    json_key(&w, "ca_names_source");
    json_object_begin(&w);
    json_kv_string(&w, "kind", ns->kind);
    json_kv_string(&w, "path", ns->path);
    if (strcmp(ns->kind, "file") != 0) {
        json_kv_uint(&w, "certificate_requests", ns->requests);
        json_kv_uint(&w, "ref", ns->first_ref);
    }
    json_object_end(&w);
    json_key(&w, "ca_names");
    json_array_begin(&w);
    for (size_t i = 0; i < cr->ca_count; i++) {
        json_string(&w, cr->ca_names[i].text);
    }
    json_array_end(&w);
    json_kv_string(&w, "trust_file", o->trust);
    report_json_verification(&w, "verification", chain);
    json_kv_string(&w, "host", o->host);
    json_key(&w, "certificates");
    json_array_begin(&w);
    for (size_t i = 0; i < chain->count; i++) {
        json_cert(&w, chain->certs[i], v->lines[i], !o->redact);
    }
    json_array_end(&w);
    json_kv_bool(&w, "fits", v->fits);
    json_key(&w, "match");
    if (v->fits) {
        json_object_begin(&w);
        json_kv_uint(&w, "certificate", v->fit.cert_index + 1);
        json_kv_uint(&w, "ca_name", v->fit.name_index + 1);
        json_kv_string(&w, "by", v->fit.by_subject ? "subject" : "issuer");
        json_object_end(&w);
    } else {
        json_null(&w);
    }
    json_kv_bool(&w, "would_be_sent", v->sent);
    json_kv_bool(&w, "would_be_accepted", v->accepted);
    json_kv_string(&w, "verdict", v->summary);
    json_findings(&w, fs);
    size_t e = 0, wn = 0, in = 0;
    for (size_t k = 0; k < fs->count; k++) {
        e += fs->items[k].severity == SEV_ERROR;
        wn += fs->items[k].severity == SEV_WARNING;
        in += fs->items[k].severity == SEV_INFO;
    }
    json_key(&w, "summary");
    json_object_begin(&w);
    json_kv_uint(&w, "errors", e);
    json_kv_uint(&w, "warnings", wn);
    json_kv_uint(&w, "infos", in);
    json_object_end(&w);
    json_object_end(&w);
    return json_finish(&w);
}

/* ---- the command ------------------------------------------------------------------ */

static int parse_args(int argc, char **argv, struct check_opts *o)
{
    static const struct option longopts[] = {
        { "cert", required_argument, NULL, 'C' },
        { "ca-names", required_argument, NULL, 'N' },
        { "from", required_argument, NULL, 'F' },
        { "trust", required_argument, NULL, 'T' },
        { "host", required_argument, NULL, 'H' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "rules", required_argument, NULL, 'U' },
        { "time", required_argument, NULL, 'W' },
        { "deterministic", no_argument, NULL, 'D' },
        { "redact", no_argument, NULL, 'R' },
        { "redact-key", required_argument, NULL, 'K' },
        { "server", required_argument, NULL, 'S' },
        { "quiet", no_argument, NULL, 'q' },
        { "color", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (ch) {
        case 'C':
            o->cert = optarg;
            break;
        case 'N':
            o->ca_names = optarg;
            break;
        case 'F':
            o->from = optarg;
            break;
        case 'S':
            o->server = optarg;
            break;
        case 'T':
            o->trust = optarg;
            break;
        case 'H':
            o->host = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
                return usage_error("check supports --format text or json", optarg);
            }
            o->json = strcmp(optarg, "json") == 0;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'U':
            o->rules = optarg;
            break;
        case 'W':
            errno = 0;
            o->when = strtoll(optarg, &end, 10);
            if (errno != 0 || !end || *end != '\0' || o->when <= 0) {
                return usage_error("--time needs seconds since 1970", optarg);
            }
            break;
        case 'D':
            o->deterministic = true;
            break;
        case 'R':
            o->redact = true;
            break;
        case 'K':
            o->redact = true;
            o->redact_key = optarg;
            break;
        case 'q':
        case 'c':
            break; /* accepted for symmetry with analyze; check draws no bar or colour */
        case 'h':
            fputs(usage_check, stdout);
            return -1;
        default:
            fprintf(stderr, "Try 'tlsdiag check --help' for more information.\n");
            return CHECK_USAGE;
        }
    }
    if (optind < argc) {
        return usage_error("unexpected argument", argv[optind]);
    }
    if (!o->cert) {
        return usage_error("--cert CHAIN is required", NULL);
    }
    if ((o->ca_names != NULL) + (o->from != NULL) + (o->server != NULL) != 1) {
        return usage_error("give exactly one of --ca-names FILE, --from INPUT and --server HOST",
                           NULL);
    }
    return CHECK_OK;
}

/* The modelled connection: the server asked with these CA names; the client
 * sends the chain when it fits, else an empty Certificate message. Nothing
 * happened on a wire, so the outcome stays incomplete. */
static struct ev_connection *model(struct evidence *ev, const struct check_opts *o,
                                   struct ev_chain *chain, struct ev_cert_request *cr)
{
    struct ev_input *in = ev_input_add(ev, o->cert, EV_IN_CERT);
    struct ev_connection *c = ev_connection_add(ev);
    if (!in || !c) {
        return NULL;
    }
    in->units = chain->count;
    c->source.kind = EV_SRC_PCAP;
    c->source.path = o->cert;
    c->first_ts.sec = o->when;
    c->last_ts = c->first_ts;
    c->local_side = EV_SIDE_CLIENT;
    cr->visible = true;
    c->cert_request = cr;
    c->client_chain = chain;
    c->client_cert = facts_chain_fits(chain, cr) ? EV_CC_SENT : EV_CC_EMPTY;
    c->outcome = EV_OUT_INCOMPLETE;
    c->outcome_detail = "not a connection: tlsdiag check models what the client would send";
    if (o->host) {
        /* As a server certificate for the name (hostname_mismatch). */
        c->target_host = ev_strdup(&ev->arena, o->host);
        c->server_chain = chain;
    }
    return c;
}

static int run(const struct check_opts *o, struct evidence *ev, struct evidence *src,
               struct rule_catalog *cat)
{
    char err[512] = "";
    struct x509_cache *cache = x509_cache_new(&ev->arena);
    if (!cache) {
        fprintf(stderr, "tlsdiag: out of memory\n");
        return CHECK_USAGE;
    }
    int rc = CHECK_USAGE;
    struct ev_chain *chain = NULL;
    if (x509_load_file(cache, o->cert, &chain, err, sizeof err) != ST_OK) {
        fprintf(stderr, "tlsdiag: %s\n", err);
        goto out;
    }
    struct ev_cert_request *cr = ev_alloc(&ev->arena, sizeof *cr);
    struct names_source ns = {
        .kind = o->server ? "server" : "file",
        .path = o->ca_names ? o->ca_names
                : o->from   ? o->from
                            : o->server,
    };
    if (!cr) {
        goto out;
    }
    int nrc = o->ca_names ? names_from_file(&ev->arena, o->ca_names, cr)
                          : names_from_input(src, &ev->arena, ns.path, cr, &ns);
    if (nrc != CHECK_OK) {
        goto out;
    }
    struct ev_connection *c = model(ev, o, chain, cr);
    struct findings fs = { 0 };
    /* --trust: only the self-signed certificates are anchors; another is an
     * intermediate the client holds and must send (chain_incomplete) */
    struct facts_env env = { 0 };
    if (c && o->trust && !trust_apply(ev, cache, o->trust, o->trust, true, &env)) {
        goto out;
    }
    env.check = true;
    /* --redact: the evidence first (names, serials), then what the report
     * prints from the command line (file and host names). */
    struct check_opts shown = *o;
    if (c && o->redact) {
        if (redact_evidence(ev, o->redact_key) != ST_OK) {
            fprintf(stderr, "tlsdiag: --redact: out of memory; no report written\n");
            goto out;
        }
        shown.cert = ev->inputs[ev->input_count - 1].path;
        shown.trust = o->trust ? "the --trust CA file" : NULL;
        shown.host = c->target_host;
        ns.path = o->server ? "the server" : o->from ? "the --from input" : "the --ca-names file";
    }
    o = &shown;
    struct verdict v;
    if (!c || rules_evaluate_env(ev, cat, &env, &fs) != ST_OK ||
        make_verdict(&ev->arena, chain, cr, &fs, &v) != ST_OK) {
        fprintf(stderr, "tlsdiag: out of memory\n");
        goto out;
    }
    FILE *out = stdout;
    if (o->output && strcmp(o->output, "-") != 0) {
        out = fopen(o->output, "w");
        if (!out) {
            fprintf(stderr, "tlsdiag: %s: cannot write the report: %s\n", o->output,
                    strerror(errno));
            goto out;
        }
    }
    int wrc = 0;
    if (o->json) {
        wrc = write_json(out, o, chain, cr, &ns, &v, &fs);
    } else {
        write_text(out, o, chain, env.trust_count, cr, &ns, &v, &fs);
    }
    wrc |= out != stdout ? fclose(out) : fflush(out);
    if (wrc != 0) {
        fprintf(stderr, "tlsdiag: writing the report failed\n");
        goto out;
    }
    rc = CHECK_OK;
    for (size_t i = 0; i < fs.count; i++) {
        if (fs.items[i].severity == SEV_ERROR) {
            rc = CHECK_FINDINGS;
        }
    }
out:
    x509_cache_free(cache);
    return rc;
}

int check_main(int argc, char **argv)
{
    struct check_opts o = { .when = (int64_t)time(NULL) };
    int prc = parse_args(argc, argv, &o);
    if (prc != CHECK_OK) {
        return prc < 0 ? CHECK_OK : prc;
    }
    if (getenv("TLSDIAG_DETERMINISTIC")) {
        o.deterministic = true;
    }
    struct rule_catalog cat;
    rule_catalog_init(&cat);
    if (!catalog_setup(&cat, o.rules)) {
        rule_catalog_fini(&cat);
        return CHECK_USAGE;
    }
    struct evidence ev, src;
    ev_init(&ev);
    ev_init(&src);
    int rc = run(&o, &ev, &src, &cat);
    ev_fini(&src);
    ev_fini(&ev);
    rule_catalog_fini(&cat);
    return rc;
}
