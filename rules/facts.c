/*
 * facts.c - computes the fact table of one connection from the evidence
 * (rules/FACTS.md is the vocabulary). Reads evidence only: no I/O, no wire
 * parsing. Certificate validity is judged at the connection's first packet
 * or trace time, never the wall clock (DESIGN.md). Names are compared per
 * RFC 5280 7.1 on their DER (parsers/dn.c dn_der_equal), else as RFC 4514
 * text ignoring case and whitespace; host names per RFC 6125 6.4.
 */
#include "facts.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dn.h"
#include "tls_names.h"

#define EV_WALK_MAX 64   /* certificates a chain walk looks at */
#define CA_NAMES_SHOWN 5 /* ca_names_list shows this many, then "and N more" */

#define FACT_NAME_ITEM(id, name) [id] = name,
static const char *const fact_names[] = { FACT_LIST(FACT_NAME_ITEM) };
#undef FACT_NAME_ITEM

const char *fact_name(enum fact_id id)
{
    return (unsigned)id < FACT_COUNT ? fact_names[id] : "?";
}

bool fact_lookup(const char *name, size_t n, enum fact_id *ret_id)
{
    for (size_t i = 0; i < FACT_COUNT; i++) {
        if (strlen(fact_names[i]) == n && strncmp(fact_names[i], name, n) == 0) {
            *ret_id = (enum fact_id)i;
            return true;
        }
    }
    return false;
}

static const char *yn(bool b)
{
    return b ? "yes" : "no";
}

/* ---- names ---------------------------------------------------------------- */

/* Reads a DN text with case and whitespace folded: blanks around ',', '+'
 * and '=' and at either end vanish, other blank runs read as one space. */
struct fold {
    const char *p;
    int prev; /* last character returned, 0 at the start */
};

static bool is_sep(int ch)
{
    return ch == 0 || ch == ',' || ch == '+' || ch == '=';
}

static int fold_get(struct fold *f)
{
    const char *q = f->p;
    while (*q == ' ' || *q == '\t') {
        q++;
    }
    if (q != f->p) {
        f->p = q;
        if (!is_sep(f->prev) && !is_sep((unsigned char)*q)) {
            f->prev = ' ';
            return ' ';
        }
    }
    if (*q == '\0') {
        return 0;
    }
    f->p = q + 1;
    f->prev = tolower((unsigned char)*q);
    return f->prev;
}

static bool dn_text_equal(const char *a, const char *b)
{
    if (!a || !b) {
        return false;
    }
    struct fold fa = { .p = a }, fb = { .p = b };
    for (;;) {
        int ca = fold_get(&fa), cb = fold_get(&fb);
        if (ca != cb) {
            return false;
        }
        if (ca == 0) {
            return true;
        }
    }
}

/* RFC 5280 7.1 on the DER kept in the evidence (dn_der_equal, a pure
 * comparison helper of the parsers layer: nothing is parsed from the wire
 * here); the folded RFC 4514 text only when a side has no DER (a --ca-names
 * file) or a DER that is not a Name. */
bool facts_dn_equal(struct bytes a_der, const char *a_text, struct bytes b_der, const char *b_text)
{
    if (a_der.len > 0 && a_der.len == b_der.len && memcmp(a_der.ptr, b_der.ptr, a_der.len) == 0) {
        return true;
    }
    bool equal = false;
    if (a_der.len > 0 && b_der.len > 0 && dn_der_equal(a_der, b_der, &equal) == ST_OK) {
        return equal;
    }
    return dn_text_equal(a_text, b_text);
}

bool facts_name_listed(const struct ev_cert_request *cr, struct bytes der, const char *text,
                       size_t *ret_index)
{
    for (size_t i = 0; cr && i < cr->ca_count; i++) {
        if (facts_dn_equal(cr->ca_names[i].der, cr->ca_names[i].text, der, text)) {
            if (ret_index) {
                *ret_index = i;
            }
            return true;
        }
    }
    return false;
}

static bool self_signed(const struct ev_cert *cert)
{
    return cert->self_signed ||
           facts_dn_equal(cert->subject_der, cert->subject, cert->issuer_der, cert->issuer);
}

/* The authority key identifier of cert against the subject key identifier
 * of its would-be issuer (RFC 5280 4.2.1.1, 4.2.1.2): supporting evidence
 * for a link made by name. */
enum key_link { KEY_LINK_UNKNOWN, KEY_LINK_CONFIRMED, KEY_LINK_DIFFERENT };

static enum key_link key_link(const struct ev_cert *cert, const struct ev_cert *issuer)
{
    if (!cert || !issuer || cert->aki.len == 0 || issuer->ski.len == 0) {
        return KEY_LINK_UNKNOWN;
    }
    bool same = cert->aki.len == issuer->ski.len &&
                memcmp(cert->aki.ptr, issuer->ski.ptr, cert->aki.len) == 0;
    return same ? KEY_LINK_CONFIRMED : KEY_LINK_DIFFERENT;
}

/* The certificate of `pool` (other than `skip`) whose subject is cert's
 * issuer; of several, one whose key identifier does not contradict. */
static size_t issuer_in(struct ev_cert *const *pool, size_t n, const struct ev_cert *cert,
                        const struct ev_cert *skip)
{
    size_t by_name = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct ev_cert *c = pool[i];
        if (c && c != skip && c != cert &&
            facts_dn_equal(c->subject_der, c->subject, cert->issuer_der, cert->issuer)) {
            if (key_link(cert, c) != KEY_LINK_DIFFERENT) {
                return i;
            }
            by_name = by_name == SIZE_MAX ? i : by_name;
        }
    }
    return by_name;
}

bool facts_chain_fit(const struct ev_chain *chain, const struct ev_cert_request *cr,
                     struct facts_fit *ret)
{
    struct facts_fit fit = { 0 };
    if (!chain || !cr || chain->count == 0 || !chain->certs[0]) {
        if (ret) {
            *ret = fit;
        }
        return false;
    }
    /* At most count steps: a loop in the chain (A issued by B issued by A)
     * ends the walk. */
    size_t cur = 0;
    for (size_t step = 0; step < chain->count; step++) {
        const struct ev_cert *cert = chain->certs[cur];
        fit.top_index = cur;
        if (cert->is_ca &&
            facts_name_listed(cr, cert->subject_der, cert->subject, &fit.name_index)) {
            fit.fits = true;
            fit.by_subject = true;
            break;
        }
        if (facts_name_listed(cr, cert->issuer_der, cert->issuer, &fit.name_index)) {
            fit.fits = true;
            break;
        }
        size_t next = issuer_in(chain->certs, chain->count, cert, NULL);
        if (next == SIZE_MAX || self_signed(cert)) {
            break;
        }
        cur = next;
    }
    fit.cert_index = cur;
    if (ret) {
        *ret = fit;
    }
    return fit.fits;
}

bool facts_chain_fits(const struct ev_chain *chain, const struct ev_cert_request *cr)
{
    return facts_chain_fit(chain, cr, NULL);
}

bool facts_name_matches(const char *pattern, const char *host)
{
    if (!pattern || !host || !*pattern || !*host) {
        return false;
    }
    size_t hl = strlen(host);
    if (host[hl - 1] == '.') {
        hl--; /* absolute name */
    }
    size_t pl = strlen(pattern);
    if (pattern[pl - 1] == '.') {
        pl--;
    }
    if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        /* "*.example.com": the host's first label, whatever it is, is
         * replaced; the rest must match and hold at least two labels. */
        const char *rest = pattern + 1; /* ".example.com" */
        size_t rl = pl - 1;
        if (!memchr(rest + 1, '.', rl - 1)) {
            return false;
        }
        const char *dot = memchr(host, '.', hl);
        if (!dot || dot == host) {
            return false;
        }
        size_t tail = hl - (size_t)(dot - host);
        return tail == rl && strncasecmp(dot, rest, rl) == 0;
    }
    return pl == hl && strncasecmp(pattern, host, hl) == 0;
}

static bool looks_like_ip(const char *host)
{
    if (strchr(host, ':')) {
        return true;
    }
    for (const char *p = host; *p; p++) {
        if (!isdigit((unsigned char)*p) && *p != '.') {
            return false;
        }
    }
    return true;
}

/* The CN of an RFC 4514 string (first one), copied into the arena. */
static char *subject_cn(struct ev_arena *a, const char *subject)
{
    if (!subject) {
        return NULL;
    }
    for (const char *p = subject; *p; p++) {
        if ((p == subject || p[-1] == ',') && strncasecmp(p, "CN=", 3) == 0) {
            const char *v = p + 3, *e = v;
            while (*e && !(*e == ',' && e[-1] != '\\') && !(*e == '+' && e[-1] != '\\')) {
                e++;
            }
            return ev_strndup(a, v, (size_t)(e - v));
        }
    }
    return NULL;
}

/* yes / no / unknown: does the server leaf fail to cover the host name? */
static const char *hostname_mismatch(struct ev_arena *a, const struct ev_connection *c,
                                     const char *host)
{
    if (!host || !c->server_chain || c->server_chain->count == 0 || !c->server_chain->certs[0]) {
        return "unknown";
    }
    const struct ev_cert *leaf = c->server_chain->certs[0];
    bool ip = looks_like_ip(host), any_dns = false;
    for (size_t i = 0; i < leaf->san_count; i++) {
        const char *s = leaf->san[i];
        if (ip && strncmp(s, "IP:", 3) == 0 && strcasecmp(s + 3, host) == 0) {
            return "no";
        }
        if (strncmp(s, "DNS:", 4) == 0) {
            any_dns = true;
            if (!ip && facts_name_matches(s + 4, host)) {
                return "no";
            }
        }
    }
    if (!any_dns && !ip) {
        /* RFC 6125 6.4.4: the CN only when there is no DNS SAN. */
        const char *cn = subject_cn(a, leaf->subject);
        if (cn && facts_name_matches(cn, host)) {
            return "no";
        }
    }
    return "yes";
}

/* ---- certificates ---------------------------------------------------------- */

static const struct ev_cert *leaf_of(const struct ev_chain *chain)
{
    return chain && chain->count > 0 ? chain->certs[0] : NULL;
}

static bool has_dates(const struct ev_cert *cert)
{
    return cert && (cert->not_before_t != 0 || cert->not_after_t != 0);
}

/* yes/no/unknown for "a certificate of the chain is expired" (or not yet
 * valid); the first offender goes to *ret_bad. */
static const char *validity(const struct ev_chain *chain, int64_t t, bool expired,
                            const struct ev_cert **ret_bad)
{
    if (!chain || chain->count == 0 || t == 0) {
        return "unknown";
    }
    bool dated = false;
    for (size_t i = 0; i < chain->count; i++) {
        const struct ev_cert *cert = chain->certs[i];
        if (!has_dates(cert)) {
            continue;
        }
        dated = true;
        bool bad = expired ? cert->not_after_t < t : cert->not_before_t > t;
        if (bad) {
            if (!*ret_bad) {
                *ret_bad = cert;
            }
            return "yes";
        }
    }
    return dated ? "no" : "unknown";
}

static bool weak_sig(const char *alg)
{
    if (!alg) {
        return false;
    }
    for (const char *p = alg; *p; p++) {
        if (strncasecmp(p, "md5", 3) == 0 || strncasecmp(p, "sha1", 4) == 0) {
            return !(strncasecmp(p, "sha1", 4) == 0 && isdigit((unsigned char)p[4]));
        }
    }
    return false;
}

static const char *weak_words(struct ev_arena *a, const struct ev_chain *chain, const char *side)
{
    if (!chain) {
        return NULL;
    }
    for (size_t i = 0; i < chain->count; i++) {
        const struct ev_cert *cert = chain->certs[i];
        if (!cert) {
            continue;
        }
        const char *subj = cert->subject ? cert->subject : "(no subject)";
        if (cert->key_type && strcmp(cert->key_type, "RSA") == 0 && cert->key_bits > 0 &&
            cert->key_bits < 2048) {
            return ev_printf(a, "%s certificate %s has an RSA key of %u bits", side, subj,
                             cert->key_bits);
        }
        if (weak_sig(cert->signature_algorithm)) {
            return ev_printf(a, "%s certificate %s is signed with %s", side, subj,
                             cert->signature_algorithm);
        }
    }
    return NULL;
}

static bool has_str(char **list, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] && strcmp(list[i], want) == 0) {
            return true;
        }
    }
    return false;
}

/* Level 1 writes only the "*** ERROR =>" summary; the detail block (state,
 * NI addresses, PSE), the error stack and the CCL lines need level 2 or 3
 * (icm-trace-format.md section 2). Which did this attempt get? */
static const char *trace_detail(const struct ev_connection *c)
{
    if (c->source.kind != EV_SRC_ICM) {
        return "n/a";
    }
    bool detail = c->handshake_state || c->statement_count > 0 || c->stated_cert_count > 0 ||
                  c->identity || c->client.ip[0] || c->server.ip[0];
    return detail ? "detail" : "summary";
}

/* The trace's SSL initialisation before the attempt (icm-trace-format.md
 * section 3): ready, failed (the block ended without "SSL ready"), not_seen;
 * n/a for captures and check. */
static const char *trace_ssl_init(const struct ev_connection *c)
{
    if (c->source.kind != EV_SRC_ICM) {
        return "n/a";
    }
    switch (c->ssl_init) {
    case EV_SSL_INIT_READY:
        return "ready";
    case EV_SSL_INIT_FAILED:
        return "failed";
    default:
        return "not_seen";
    }
}

/* What a server-side trace says of the intermediary that forwarded SSL
 * header fields (icm-trace-format.md 10.8): untrusted, not_stated; n/a for
 * captures and check. */
static const char *trace_intermediary(const struct ev_connection *c)
{
    if (c->source.kind != EV_SRC_ICM) {
        return "n/a";
    }
    return c->intermediary == EV_INTERMEDIARY_UNTRUSTED ? "untrusted" : "not_stated";
}

static const char *missing_client_auth(const struct ev_cert *leaf)
{
    if (!leaf) {
        return "unknown";
    }
    if (leaf->ext_key_usage_count > 0 &&
        !has_str(leaf->ext_key_usage, leaf->ext_key_usage_count, "clientAuth") &&
        !has_str(leaf->ext_key_usage, leaf->ext_key_usage_count, "anyExtendedKeyUsage")) {
        return "yes";
    }
    if (leaf->key_usage_count > 0 &&
        !has_str(leaf->key_usage, leaf->key_usage_count, "digitalSignature")) {
        return "yes";
    }
    return "no";
}

static const char *join(struct ev_arena *a, char **list, size_t n, const char *none)
{
    if (n == 0) {
        return none;
    }
    const char *s = "";
    for (size_t i = 0; i < n && s; i++) {
        s = ev_printf(a, "%s%s%s", s, i ? ", " : "", list[i] ? list[i] : "?");
    }
    return s;
}

/* ---- the ladder ------------------------------------------------------------ */

static const char *msg_word(struct ev_arena *a, const struct ev_msg *m)
{
    const char *side = m->from == EV_FROM_CLIENT ? "client" : "server";
    switch (m->content_type) {
    case 20:
        return ev_printf(a, "%s_change_cipher_spec", side);
    case 23:
        return ev_printf(a, "%s_encrypted", side);
    case 22:
        break;
    default:
        return ev_printf(a, "%s_record", side);
    }
    if (m->encrypted) {
        return ev_printf(a, "%s_finished", side); /* TLS 1.2: the message after CCS */
    }
    switch (m->hs_type) {
    case 1:
        return "client_hello";
    case 2:
        return "server_hello";
    case 4:
        return "new_session_ticket";
    case 8:
        return "encrypted_extensions";
    case 11:
        return ev_printf(a, "%s_certificate", side);
    case 12:
        return "server_key_exchange";
    case 13:
        return "certificate_request";
    case 14:
        return "server_hello_done";
    case 15:
        return ev_printf(a, "%s_certificate_verify", side);
    case 16:
        return "client_key_exchange";
    case 20:
        return ev_printf(a, "%s_finished", side);
    default:
        return ev_printf(a, "%s_handshake", side);
    }
}

/* A ladder word (msg_word) in words: "client_finished" -> "the client's Finished". */
static const char *msg_text(struct ev_arena *a, const char *word)
{
    static const struct {
        const char *word, *text;
    } plain[] = {
        { "client_hello", "the ClientHello" },
        { "server_hello", "the ServerHello" },
        { "new_session_ticket", "a NewSessionTicket" },
        { "encrypted_extensions", "EncryptedExtensions" },
        { "server_key_exchange", "the ServerKeyExchange" },
        { "certificate_request", "the CertificateRequest" },
        { "server_hello_done", "the ServerHelloDone" },
        { "client_key_exchange", "the ClientKeyExchange" },
    }, sided[] = {
        { "certificate", "Certificate" },
        { "certificate_verify", "CertificateVerify" },
        { "finished", "Finished" },
        { "change_cipher_spec", "ChangeCipherSpec" },
        { "encrypted", "encrypted records" },
        { "record", "record" },
        { "handshake", "handshake message" },
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        if (strcmp(word, plain[i].word) == 0) {
            return plain[i].text;
        }
    }
    bool client = strncmp(word, "client_", 7) == 0, server = strncmp(word, "server_", 7) == 0;
    for (size_t i = 0; (client || server) && i < sizeof sided / sizeof sided[0]; i++) {
        if (strcmp(word + 7, sided[i].word) == 0) {
            return ev_printf(a, "the %s's %s", client ? "client" : "server", sided[i].text);
        }
    }
    return word;
}

static const struct ev_alert *first_fatal(const struct ev_connection *c)
{
    for (size_t i = 0; i < c->alert_count; i++) {
        if (c->alerts[i].level == 2 && !c->alerts[i].encrypted) {
            return &c->alerts[i];
        }
    }
    return NULL;
}

/* What the alert's sender had last received, and whether the peer's last
 * flight before the alert held its Certificate message. */
static void alert_context(struct ev_arena *a, const struct ev_connection *c,
                          const struct ev_alert *al, const char **ret_after,
                          const char **ret_peer_cert)
{
    *ret_after = "unknown";
    *ret_peer_cert = "unknown";
    if (!al || c->msg_count == 0) {
        return;
    }
    size_t end = al->msg_index < c->msg_count ? al->msg_index : c->msg_count;
    *ret_after = "nothing";
    *ret_peer_cert = "no";
    bool seen_last = false, hidden = false;
    for (size_t i = end; i-- > 0;) {
        const struct ev_msg *m = &c->msgs[i];
        if (m->from == al->from) {
            if (seen_last) {
                break; /* the sender's own previous flight */
            }
            continue;
        }
        if (m->content_type == 21) {
            continue;
        }
        if (!seen_last) {
            *ret_after = msg_word(a, m);
            seen_last = true;
        }
        if (m->content_type == 22 && !m->encrypted && m->hs_type == 11) {
            *ret_peer_cert = "yes";
            return;
        }
        if (m->content_type == 23 && c->encrypted_after_hello) {
            hidden = true;
        }
    }
    if (hidden) {
        *ret_peer_cert = "unknown";
    }
}

static const struct ev_msg *last_non_alert(const struct ev_connection *c)
{
    for (size_t i = c->msg_count; i-- > 0;) {
        if (c->msgs[i].content_type != 21) {
            return &c->msgs[i];
        }
    }
    return NULL;
}

/* A short encrypted record answering the other side may be an alert. */
static bool ends_with_hidden_alert(const struct ev_connection *c)
{
    if (c->msg_count == 0) {
        return false;
    }
    const struct ev_msg *m = &c->msgs[c->msg_count - 1];
    bool answer = c->msg_count < 2 || c->msgs[c->msg_count - 2].from != m->from;
    return m->encrypted && m->length <= 32 && answer;
}

/* Every alert came after the first TCP close: the side that closed first sent
 * none, and the alerts answer the close (OpenSSL 3 sends a fatal decode_error
 * when the peer's FIN arrives mid-handshake: "unexpected eof while reading"). */
static bool alerts_answer_close(const struct ev_connection *c)
{
    return c->close_ref != 0 && c->alert_count > 0 && c->alerts[0].ref > c->close_ref;
}

/* ---- words ------------------------------------------------------------------ */

static const char *normalised_error(struct ev_arena *a, const char *name)
{
    if (!name) {
        return "none";
    }
    if (strncmp(name, "SSSLRC_", 7) == 0) {
        return ev_printf(a, "SSSLERR_%s", name + 7);
    }
    if (strncmp(name, "SSLERR_", 7) == 0) {
        return ev_printf(a, "SSSLERR_%s", name + 7);
    }
    return name;
}

static const char *version_word(uint16_t v)
{
    switch (v) {
    case 0x0300:
        return "ssl3";
    case 0x0301:
        return "tls1.0";
    case 0x0302:
        return "tls1.1";
    case 0x0303:
        return "tls1.2";
    case 0x0304:
        return "tls1.3";
    default:
        return "other";
    }
}

static const char *ref_str(struct ev_arena *a, uint64_t ref)
{
    return ref ? ev_printf(a, "%" PRIu64, ref) : "none";
}

static const char *ca_names_list(struct ev_arena *a, const struct ev_cert_request *cr)
{
    if (!cr) {
        return "none";
    }
    if (cr->ca_count == 0) {
        return cr->visible
                   ? "(an empty list: any CA)"
                   : "(the CA names are not in the trace: capture the handshake to see them)";
    }
    const char *s = "";
    size_t shown = cr->ca_count < CA_NAMES_SHOWN ? cr->ca_count : CA_NAMES_SHOWN;
    for (size_t i = 0; i < shown && s; i++) {
        s = ev_printf(a, "%s%s%s", s, i ? "; " : "", cr->ca_names[i].text);
    }
    if (s && cr->ca_count > shown) {
        s = ev_printf(a, "%s and %zu more", s, cr->ca_count - shown);
    }
    return s;
}

static const char *client_cert_words(struct ev_arena *a, const struct ev_connection *c,
                                     const char *rw)
{
    const struct ev_cert *leaf = leaf_of(c->client_chain);
    switch (c->client_cert) {
    case EV_CC_NOT_SENT:
        return "no Certificate message";
    case EV_CC_EMPTY:
        if (c->client_chain && c->client_chain->ref) {
            return ev_printf(a, "an empty Certificate message (%s %" PRIu64 ")", rw,
                             c->client_chain->ref);
        }
        return "an empty Certificate message";
    case EV_CC_SENT:
        if (!leaf) {
            return "a Certificate message";
        }
        return ev_printf(a, "a chain of %zu certificate%s (%s %" PRIu64 "), leaf %s issued by %s",
                         c->client_chain->count, c->client_chain->count == 1 ? "" : "s", rw,
                         c->client_chain->ref, leaf->subject ? leaf->subject : "?",
                         leaf->issuer ? leaf->issuer : "?");
    case EV_CC_NOT_VISIBLE:
    default:
        return "nothing visible (the client's Certificate is encrypted or not in the source)";
    }
}

static const char *chain_words(struct ev_arena *a, const struct ev_chain *chain)
{
    if (!chain || chain->count == 0) {
        return "none";
    }
    const char *s = "";
    for (size_t i = 0; i < chain->count && s; i++) {
        const struct ev_cert *cert = chain->certs[i];
        s = ev_printf(a, "%s%s%s (issuer %s)", s, i ? "; " : "",
                      cert && cert->subject ? cert->subject : "?",
                      cert && cert->issuer ? cert->issuer : "?");
    }
    return s;
}

static const char *bad_validity(struct ev_arena *a, const struct ev_cert *cert)
{
    if (!cert) {
        return "(the dates are not in the source)";
    }
    return ev_printf(a, "%s (valid from %s to %s)", cert->subject ? cert->subject : "?",
                     cert->not_before ? cert->not_before : "?",
                     cert->not_after ? cert->not_after : "?");
}

static const char *iso_time(struct ev_arena *a, int64_t t)
{
    if (t == 0) {
        return "unknown";
    }
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&tt, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        return "unknown";
    }
    return ev_strdup(a, buf);
}

static const char *offered_versions(struct ev_arena *a, const struct ev_client_hello *ch)
{
    if (!ch->seen) {
        return "(not in the source)";
    }
    if (ch->version_count == 0) {
        return tls_version_name(ch->legacy_version);
    }
    const char *s = "";
    for (size_t i = 0; i < ch->version_count && s; i++) {
        const char *n = tls_version_name(ch->versions[i]);
        s = ev_printf(a, "%s%s%s", s, i ? ", " : "", n ? n : "?");
    }
    return s;
}

static const char *auth_words(struct ev_arena *a, const struct ev_connection *c)
{
    bool trace = c->source.kind == EV_SRC_ICM;
    const struct ev_cert *sl = leaf_of(c->server_chain), *cl = leaf_of(c->client_chain);
    const char *server =
        sl      ? ev_printf(a, "The server authenticated with %s (issued by %s)",
                       sl->subject ? sl->subject : "?", sl->issuer ? sl->issuer : "?")
        : trace ? "The server's certificate is not in the trace"
                : "The server's certificate is not visible";
    const char *client;
    if (cl && c->client_cert == EV_CC_SENT) {
        client = ev_printf(a, "the client with %s (issued by %s)", cl->subject ? cl->subject : "?",
                           cl->issuer ? cl->issuer : "?");
    } else if (c->client_cert == EV_CC_NOT_VISIBLE) {
        client = "whether the client sent a certificate is not visible";
    } else if (c->client_cert == EV_CC_EMPTY) {
        client = "the client sent an empty Certificate message (no client authentication in TLS)";
    } else if (c->cert_request || trace) {
        client = "the client sent no certificate";
    } else {
        client = "the server did not ask for a client certificate";
    }
    return server && client ? ev_printf(a, "%s; %s.", server, client) : NULL;
}

/* The server's chain as seen, else as printed by a client-side trace. */
static const char *server_chain_words(struct ev_arena *a, const struct ev_connection *c)
{
    if (c->server_chain) {
        return chain_words(a, c->server_chain);
    }
    if (c->stated_cert_count == 0 || c->local_side == EV_SIDE_SERVER) {
        return c->source.kind == EV_SRC_ICM ? "not in the trace" : "not seen";
    }
    const char *s = "as printed by the trace: ";
    for (size_t i = 0; i < c->stated_cert_count && s; i++) {
        const struct ev_stated_cert *sc = &c->stated_certs[i];
        s = ev_printf(a, "%s%s%s%s%s%s", s, i ? "; " : "", sc->subject ? sc->subject : "?",
                      sc->issuer ? " (issuer " : "", sc->issuer ? sc->issuer : "",
                      sc->issuer ? ")" : "");
    }
    return s;
}

static const char *closed_by(const struct ev_connection *c)
{
    if (c->source.kind == EV_SRC_ICM) {
        return c->local_side == EV_SIDE_SERVER ? "client" : "server";
    }
    bool cl = c->fin[EV_FROM_CLIENT] || c->rst[EV_FROM_CLIENT];
    bool sv = c->fin[EV_FROM_SERVER] || c->rst[EV_FROM_SERVER];
    return cl && sv ? "both" : cl ? "client" : sv ? "server" : "unknown";
}

static const char *failure_words(struct ev_arena *a, const struct ev_connection *c,
                                 const struct fact_table *t)
{
    const char *const *v = t->val;
    if (c->outcome == EV_OUT_ESTABLISHED) {
        return "the handshake completed nonetheless";
    }
    if (strcmp(v[FACT_ALERT_FATAL], "none") != 0) {
        const char *after = v[FACT_ALERT_FATAL_AFTER];
        if (strcmp(after, "unknown") == 0 || strcmp(after, "nothing") == 0) {
            return v[FACT_ALERT_WORDS];
        }
        return ev_printf(a, "%s, sent right after it received %s", v[FACT_ALERT_WORDS],
                         msg_text(a, after));
    }
    if (c->error_name) {
        return ev_printf(a, "the trace reports %s%s%s (line %s)", c->error_name,
                         c->error_text ? ": " : "", c->error_text ? c->error_text : "",
                         c->error_line ? ref_str(a, c->error_line) : v[FACT_REF_SOURCE]);
    }
    if (strcmp(v[FACT_SILENT_CLOSE], "yes") == 0) {
        return ev_printf(a, "the connection was closed without an alert after %s",
                         v[FACT_LAST_MSG_WORDS]);
    }
    return c->outcome_detail ? c->outcome_detail : "the handshake did not complete";
}

static bool statement_has(const struct ev_connection *c, const char *needle)
{
    for (size_t i = 0; i < c->statement_count; i++) {
        if (c->statements[i] && strcasestr(c->statements[i], needle)) {
            return true;
        }
    }
    return false;
}

/* tlsdiag check: what the client holds and would send. */
static const char *check_cert_words(struct ev_arena *a, const struct ev_connection *c)
{
    const struct ev_cert *leaf = leaf_of(c->client_chain);
    if (!leaf) {
        return "no certificate";
    }
    const char *what =
        ev_printf(a, "holds a chain of %zu certificate%s, leaf %s issued by %s",
                  c->client_chain->count, c->client_chain->count == 1 ? "" : "s",
                  leaf->subject ? leaf->subject : "?", leaf->issuer ? leaf->issuer : "?");
    if (!what || c->client_cert == EV_CC_SENT) {
        return what;
    }
    return ev_printf(a, "%s, so it would send an empty Certificate message", what);
}

/* Key identifier evidence, gathered link by link: links the identifiers
 * confirm, and notes on those they contradict. */
struct key_words {
    const char *confirmed; /* "A to B (where); ..." */
    const char *notes;     /* full sentences */
};

static void key_link_add(struct ev_arena *a, struct key_words *kw, const struct ev_cert *cert,
                         const struct ev_cert *issuer, const char *where)
{
    const char *subj = cert->subject ? cert->subject : "?";
    const char *isub = issuer->subject ? issuer->subject : "?";
    switch (key_link(cert, issuer)) {
    case KEY_LINK_CONFIRMED:
        kw->confirmed = kw->confirmed ? ev_printf(a, "%s%s%s to %s (%s)", kw->confirmed,
                                                  *kw->confirmed ? "; " : "", subj, isub, where)
                                      : NULL;
        break;
    case KEY_LINK_DIFFERENT:
        kw->notes = kw->notes ? ev_printf(a,
                                          "%s. Note: the names match, but the authority key "
                                          "identifier of %s (%s) is not the subject key "
                                          "identifier of %s %s (%s): a different key under the "
                                          "same name, e.g. a re-issued CA; a verifier that holds "
                                          "only that certificate cannot verify the signature",
                                          kw->notes, subj, cert->aki_hex ? cert->aki_hex : "?",
                                          isub, where, issuer->ski_hex ? issuer->ski_hex : "?")
                              : NULL;
        break;
    case KEY_LINK_UNKNOWN:
    default:
        break;
    }
}

/* The key identifier evidence along the walk from the leaf to the matched
 * certificate, then between it and the listed CA's certificate when the
 * chain or --trust holds one: "" when the identifiers tell nothing. */
static const char *fit_key_words(struct ev_arena *a, const struct ev_chain *chain,
                                 const struct ev_cert_request *cr, const struct facts_fit *fit,
                                 const struct facts_env *env)
{
    struct key_words kw = { .confirmed = "", .notes = "" };
    size_t cur = 0;
    for (size_t step = 0; cur != fit->cert_index && step < chain->count; step++) {
        const struct ev_cert *cert = chain->certs[cur];
        size_t next = issuer_in(chain->certs, chain->count, cert, NULL);
        if (next == SIZE_MAX) {
            break;
        }
        key_link_add(a, &kw, cert, chain->certs[next], "in the chain");
        cur = next;
    }
    const struct ev_cert *m = chain->certs[fit->cert_index];
    const struct ev_name *name = &cr->ca_names[fit->name_index];
    /* the listed CA's own certificate: sent along, or held with --trust */
    struct ev_cert *const *pools[2] = { chain->certs, env ? env->trust : NULL };
    size_t counts[2] = { chain->count, env ? env->trust_count : 0 };
    const char *where[2] = { "in the chain", "given with --trust" };
    bool found = fit->by_subject;
    for (size_t p = 0; p < 2 && !found; p++) {
        for (size_t i = 0; i < counts[p] && !found; i++) {
            const struct ev_cert *ca = pools[p][i];
            if (ca && ca != m &&
                facts_dn_equal(ca->subject_der, ca->subject, name->der, name->text)) {
                key_link_add(a, &kw, m, ca, where[p]);
                found = true;
            }
        }
    }
    if (!kw.confirmed || !kw.notes) {
        return NULL;
    }
    return ev_printf(a, "%s%s%s%s", *kw.confirmed ? ". The key identifiers confirm " : "",
                     *kw.confirmed ? (strchr(kw.confirmed, ';') ? "each link: " : "the link: ")
                                   : "",
                     kw.confirmed, kw.notes);
}

/* Why the chain fits the CA list (which certificate, which name), or "none".
 * `where` names the chain: "as sent", "in the file". */
static const char *fit_words(struct ev_arena *a, const struct ev_chain *chain,
                             const struct ev_cert_request *cr, const struct facts_env *env,
                             const char *where)
{
    struct facts_fit fit;
    if (!facts_chain_fit(chain, cr, &fit)) {
        return "none";
    }
    const struct ev_cert *leaf = chain->certs[0], *m = chain->certs[fit.cert_index];
    const char *name = cr->ca_names[fit.name_index].text;
    const char *how =
        fit.by_subject
            ? ev_printf(a, "%s is itself CA name #%zu of the server's list (%s)",
                        m->subject ? m->subject : "?", fit.name_index + 1, name ? name : "?")
            : ev_printf(a, "%s was issued by %s, which the server lists as CA name #%zu",
                        m->subject ? m->subject : "?", m->issuer ? m->issuer : "?",
                        fit.name_index + 1);
    const char *keys = fit_key_words(a, chain, cr, &fit, env);
    if (!how || !keys) {
        return NULL;
    }
    if (fit.cert_index == 0) {
        return ev_printf(a, "%s%s", how, keys);
    }
    return ev_printf(a, "the leaf %s chains up to certificate #%zu of the chain %s: %s%s",
                     leaf->subject ? leaf->subject : "?", fit.cert_index + 1, where, how, keys);
}

/* ---- verification against --trust (the evidence's ev_verify) --------------- */

static const char *verify_word(const struct ev_chain *chain)
{
    return chain && chain->verify ? ev_verify_result_name(chain->verify->result) : "not_done";
}

static const char *trust_name(const struct ev_verify *vf)
{
    return vf->trust_name ? vf->trust_name : "the --trust CA file";
}

/* The trust anchor's name as the chain writes it (the top's issuer, or the
 * top itself when self-signed): a name of the evidence, which --redact
 * renames, unlike the anchor certificate read from the CA file. */
static const char *anchor_name(const struct ev_verify *vf)
{
    const struct ev_cert *top = vf->top;
    const char *n = top ? (top->self_signed ? top->subject : top->issuer) : NULL;
    return n ? n : "?";
}

static const char *verify_words(struct ev_arena *a, const struct ev_chain *chain, const char *side)
{
    const struct ev_verify *vf = chain ? chain->verify : NULL;
    if (!vf) {
        return "none";
    }
    const char *file = trust_name(vf), *when = iso_time(a, vf->at);
    const char *top = vf->top && vf->top->subject ? vf->top->subject : "?";
    const char *top_issuer = vf->top && vf->top->issuer ? vf->top->issuer : "?";
    const char *subj = vf->cert && vf->cert->subject ? vf->cert->subject : "?";
    const char *reason = vf->reason ? vf->reason : "?";
    switch (vf->result) {
    case EV_VERIFY_OK:
        return ev_printf(a,
                         "The %s's chain verifies against %s as of %s (wolfSSL): %zu "
                         "certificate%s from the leaf up to the trust anchor %s",
                         side, file, when, vf->path_len, vf->path_len == 1 ? "" : "s",
                         anchor_name(vf));
    case EV_VERIFY_NO_ISSUER:
        /* A missing intermediate and a root the CA file lacks look the same
         * from here (servers rightly leave their root out): say both. */
        return ev_printf(a,
                         "The %s's chain does not verify against %s: it ends at %s, whose issuer "
                         "%s was not sent and is not in %s. If that issuer is an intermediate CA, "
                         "the %s must send it; if it is a root CA, %s lacks it",
                         side, file, top, top_issuer, file, side, file);
    case EV_VERIFY_UNTRUSTED_ROOT:
        return ev_printf(a,
                         "The %s's chain does not verify against %s: it ends at the self-signed "
                         "%s, which is not in %s",
                         side, file, top, file);
    case EV_VERIFY_EXPIRED:
    case EV_VERIFY_NOT_YET_VALID:
        if (vf->depth >= vf->path_len) {
            subj = ev_printf(a, "the trust anchor %s", anchor_name(vf));
        }
        return ev_printf(a,
                         "The %s's chain links up to a trust anchor of %s, but at the handshake "
                         "time (%s) %s was %s",
                         side, file, when, subj ? subj : "?", reason);
    case EV_VERIFY_INVALID:
    default:
        return ev_printf(a,
                         "The %s's chain does not verify against %s: certificate %u of the path "
                         "from the leaf, %s: %s",
                         side, file, vf->depth + 1, subj, reason);
    }
}

/* handshake_ok's words with what --trust verification found, when it ran. */
static const char *auth_with_verify(struct ev_arena *a, const char *auth, const char *server,
                                    const char *client)
{
    const char *s = auth;
    if (s && strcmp(server, "none") != 0) {
        s = ev_printf(a, "%s %s.", s, server);
    }
    if (s && strcmp(client, "none") != 0) {
        s = ev_printf(a, "%s %s.", s, client);
    }
    return s;
}

/* ---- chain completeness ------------------------------------------------------ */

/* The last certificate reached walking the chain from its leaf; with
 * ret_stray, the first certificate of the chain that the walk does not
 * reach (NULL when it reaches all). */
static const struct ev_cert *walk_top(const struct ev_chain *chain,
                                      const struct ev_cert **ret_stray)
{
    bool seen[EV_WALK_MAX] = { false };
    size_t n = chain->count < EV_WALK_MAX ? chain->count : EV_WALK_MAX;
    size_t cur = 0;
    seen[0] = true;
    for (size_t step = 0; step + 1 < n; step++) {
        const struct ev_cert *cert = chain->certs[cur];
        size_t next = issuer_in(chain->certs, n, cert, NULL);
        if (next == SIZE_MAX || self_signed(cert) || seen[next]) {
            break;
        }
        cur = next;
        seen[cur] = true;
    }
    *ret_stray = NULL;
    for (size_t i = 0; i < n && !*ret_stray; i++) {
        bool dup = false; /* the same certificate twice is not a gap */
        for (size_t j = 0; j < n && !seen[i]; j++) {
            dup = dup || (seen[j] && chain->certs[j] == chain->certs[i]);
        }
        if (!seen[i] && !dup && chain->certs[i]) {
            *ret_stray = chain->certs[i];
        }
    }
    return chain->certs[cur];
}

static const char *gap_words(struct ev_arena *a, const char *side, const struct ev_cert *top,
                             const struct ev_cert *stray)
{
    return ev_printf(a,
                     "the %s's chain ends at %s, whose issuer %s was not sent, although the "
                     "chain goes on with %s: the intermediate between them is missing",
                     side, top->subject ? top->subject : "?", top->issuer ? top->issuer : "?",
                     stray->subject ? stray->subject : "?");
}

/* The client's chain (or tlsdiag check's). yes: the walk from the leaf
 * reaches no listed CA name and ends, below a self-signed top, either with
 * certificates of the chain left over (a link between them is missing) or
 * below a certificate that the caller holds as an intermediate (env) but
 * that was not sent. no: it reaches a listed name, a self-signed top, or a
 * trust anchor of env. unknown when nothing tells: the missing issuer may as
 * well be a root of a CA the server does not name. */
static const char *client_gap(struct ev_arena *a, const struct ev_connection *c,
                              const struct facts_env *env, const char **ret_words)
{
    const struct ev_chain *chain = c->client_chain;
    bool held = env && env->check; /* check: the chain the client holds */
    if ((c->client_cert != EV_CC_SENT && !held) || !chain || chain->count == 0 ||
        !chain->certs[0]) {
        return "unknown";
    }
    if (facts_chain_fit(chain, c->cert_request, NULL)) {
        return "no";
    }
    const struct ev_cert *stray;
    const struct ev_cert *top = walk_top(chain, &stray);
    if (self_signed(top)) {
        return "no";
    }
    size_t n = env ? env->trust_count : 0;
    size_t i = n ? issuer_in(env->trust, n, top, NULL) : SIZE_MAX;
    if (i != SIZE_MAX && self_signed(env->trust[i])) {
        return "no"; /* the issuer is a trust anchor */
    }
    if (i != SIZE_MAX) {
        const struct ev_cert *mid = env->trust[i];
        *ret_words = ev_printf(a,
                               "the client's chain ends at %s, whose issuer %s is an intermediate "
                               "CA (issued by %s) that is not in the chain",
                               top->subject ? top->subject : "?", mid->subject ? mid->subject : "?",
                               mid->issuer ? mid->issuer : "?");
    } else if (stray) {
        *ret_words = gap_words(a, "client", top, stray);
    } else if (chain->verify && chain->verify->anchor &&
               (chain->verify->result == EV_VERIFY_OK ||
                chain->verify->result == EV_VERIFY_EXPIRED ||
                chain->verify->result == EV_VERIFY_NOT_YET_VALID)) {
        return "no"; /* --trust: the path reaches an anchor of the CA file */
    } else {
        return "unknown";
    }
    return *ret_words ? "yes" : NULL;
}

/* The server's chain: yes only when a link is provably missing (certificates
 * left over after the walk). A top that is not self-signed is not enough:
 * servers rightly leave out their root, and then the client's unknown_ca
 * means it lacks the root, not that an intermediate is missing. */
static const char *server_gap(struct ev_arena *a, const struct ev_connection *c,
                              const char **ret_words)
{
    const struct ev_chain *chain = c->server_chain;
    if (!chain || chain->count == 0 || !chain->certs[0]) {
        return "unknown";
    }
    const struct ev_cert *stray;
    const struct ev_cert *top = walk_top(chain, &stray);
    if (self_signed(top)) {
        return "no";
    }
    const struct ev_verify *vf = chain->verify;
    if (stray) {
        *ret_words = gap_words(a, "server", top, stray);
    } else if (vf && vf->anchor && !vf->anchor->self_signed && vf->top &&
               vf->result != EV_VERIFY_INVALID && vf->result != EV_VERIFY_UNTRUSTED_ROOT) {
        /* the path reached an intermediate of the CA file: held, not sent */
        *ret_words =
            ev_printf(a,
                      "the server's chain ends at %s, whose issuer %s is an intermediate "
                      "CA that is in %s but was not sent",
                      vf->top->subject ? vf->top->subject : "?", anchor_name(vf), trust_name(vf));
    } else if (vf && vf->anchor && vf->result != EV_VERIFY_INVALID &&
               vf->result != EV_VERIFY_UNTRUSTED_ROOT && vf->result != EV_VERIFY_NO_ISSUER) {
        return "no"; /* it reaches a root of the CA file */
    } else {
        return "unknown";
    }
    return *ret_words ? "yes" : NULL;
}

/* ---- candidate client chains (certificate files given to analyze) ------------ */

/* What tlsdiag check would say of a chain held for this connection's CA
 * list, at the connection's time: sent when it fits (facts_chain_fit, the
 * fit words); then refused for what makes check's findings errors besides
 * no_fitting_ca: a certificate outside its validity, a leaf not allowed for
 * client authentication. A chain that would not be sent gets the link that
 * is provably missing, as chain_incomplete says it for check. */
struct candidate_verdict {
    bool sent, refused;
    const char *words;
};

static enum status candidate_judge(struct ev_arena *a, const struct ev_connection *c,
                                   const struct facts_env *env, const struct ev_candidate *cand,
                                   struct candidate_verdict *ret)
{
    const struct ev_chain *chain = cand->chain;
    const struct ev_cert *leaf = leaf_of(chain);
    struct candidate_verdict v = { .sent = facts_chain_fits(chain, c->cert_request) };
    const char *who = ev_printf(a, "the certificate in %s (%s)", cand->path,
                                leaf && leaf->subject ? leaf->subject : "?");
    if (!who || !leaf) {
        return ST_NOMEM;
    }
    if (!v.sent) {
        /* As tlsdiag check models it: the client holds the chain. */
        struct ev_connection m = *c;
        m.client_chain = (struct ev_chain *)chain;
        m.client_cert = EV_CC_EMPTY;
        struct facts_env held = { .check = true };
        held.trust = env ? env->trust : NULL;
        held.trust_count = env ? env->trust_count : 0;
        const char *gap = "none";
        const char *gapped = client_gap(a, &m, &held, &gap);
        v.words =
            gapped ? ev_printf(a,
                               "%s would not be sent: no certificate of its chain is issued "
                               "by (or is) a listed CA (chain: %s)%s%s",
                               who, chain_words(a, chain), strcmp(gapped, "yes") == 0 ? "; " : "",
                               strcmp(gapped, "yes") == 0 ? gap : "")
                   : NULL;
        *ret = v;
        return v.words ? ST_OK : ST_NOMEM;
    }
    const char *fit = fit_words(a, chain, c->cert_request, env, "in the file");
    const struct ev_cert *bad = NULL;
    const char *why = "";
    if (strcmp(validity(chain, c->first_ts.sec, true, &bad), "yes") == 0 ||
        strcmp(validity(chain, c->first_ts.sec, false, &bad), "yes") == 0) {
        why = ev_printf(a, "at handshake time (%s) the certificate %s was outside its validity",
                        iso_time(a, c->first_ts.sec), bad_validity(a, bad));
    }
    if (why && strcmp(missing_client_auth(leaf), "yes") == 0) {
        why = ev_printf(a,
                        "%s%sthe leaf may not be used for TLS client authentication "
                        "(extendedKeyUsage %s, or keyUsage without digitalSignature)",
                        why, *why ? "; " : "",
                        join(a, leaf->ext_key_usage, leaf->ext_key_usage_count, "none"));
    }
    if (!fit || !why) {
        return ST_NOMEM;
    }
    v.refused = *why != '\0';
    v.words = v.refused ? ev_printf(a, "%s would be sent, but not accepted: %s. It fits: %s", who,
                                    why, fit)
                        : ev_printf(a, "%s would be sent and accepted: %s", who, fit);
    *ret = v;
    return v.words ? ST_OK : ST_NOMEM;
}

/* candidate_fit (all, some, none; unknown when the CA names are not visible
 * or the list is empty; n/a without candidates or certificate request) and
 * the words of each candidate's verdict. Needs v[FACT_CERT_REQUEST]. */
static enum status candidate_facts(struct ev_arena *a, const struct ev_connection *c,
                                   const struct facts_env *env, const char **v)
{
    const struct ev_cert_request *cr = c->cert_request;
    size_t n = env && !env->check ? env->candidate_count : 0;
    /* absent: nothing was asked; hidden (TLS 1.3) or stated (a trace): asked, names unseen */
    v[FACT_CANDIDATE_FIT] =
        n == 0 || strcmp(v[FACT_CERT_REQUEST], "absent") == 0 ? "n/a" : "unknown";
    v[FACT_CANDIDATE_REFUSED] = "no";
    v[FACT_CANDIDATE_FIT_WORDS] = "none";
    v[FACT_CANDIDATE_NO_FIT_WORDS] = "none";
    v[FACT_CANDIDATE_FIT_FILE] = "none";
    v[FACT_CANDIDATE_NO_FIT_FILES] = "none";
    const char *files = n == 0 ? "none" : "";
    for (size_t i = 0; i < n && files; i++) {
        files = ev_printf(a, "%s%s%s", files, i ? ", " : "", env->candidates[i].path);
    }
    v[FACT_CANDIDATE_FILES] = files;
    if (!files) {
        return ST_NOMEM;
    }
    if (n == 0 || !cr || !cr->visible || cr->ca_count == 0) {
        return ST_OK;
    }
    const char *fit = "", *nofit = "", *nofit_files = "";
    size_t sent = 0, judged = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ev_candidate *cand = &env->candidates[i];
        struct candidate_verdict cv;
        if (!leaf_of(cand->chain)) {
            continue;
        }
        judged++;
        TRY(candidate_judge(a, c, env, cand, &cv));
        if (cv.sent) {
            fit = ev_printf(a, "%s%s%s", fit, *fit ? "; " : "", cv.words);
            v[FACT_CANDIDATE_FIT_FILE] = sent++ == 0 ? cand->path : v[FACT_CANDIDATE_FIT_FILE];
            v[FACT_CANDIDATE_REFUSED] = cv.refused ? "yes" : v[FACT_CANDIDATE_REFUSED];
        } else {
            nofit = ev_printf(a, "%s%s%s", nofit, *nofit ? "; " : "", cv.words);
            nofit_files = ev_printf(a, "%s%s%s", nofit_files, *nofit_files ? ", " : "", cand->path);
        }
        if (!fit || !nofit || !nofit_files) {
            return ST_NOMEM;
        }
    }
    if (judged > 0) {
        v[FACT_CANDIDATE_FIT] = sent == judged ? "all" : sent > 0 ? "some" : "none";
    }
    v[FACT_CANDIDATE_FIT_WORDS] = *fit ? fit : "none";
    v[FACT_CANDIDATE_NO_FIT_WORDS] = *nofit ? nofit : "none";
    v[FACT_CANDIDATE_NO_FIT_FILES] = *nofit_files ? nofit_files : "none";
    return ST_OK;
}

/* ---- the table --------------------------------------------------------------- */

enum status facts_compute(struct ev_arena *a, const struct ev_connection *c, struct fact_table *ret)
{
    return facts_compute_env(a, c, NULL, ret);
}

enum status facts_compute_env(struct ev_arena *a, const struct ev_connection *c,
                              const struct facts_env *env, struct fact_table *ret)
{
    struct fact_table t = { 0 };
    const char **v = t.val;
    bool trace = c->source.kind == EV_SRC_ICM;
    const char *rw = trace ? "line" : "frame";
    const struct ev_cert_request *cr = c->cert_request;

    v[FACT_OUTCOME] = c->outcome == EV_OUT_ESTABLISHED ? "established"
                      : c->outcome == EV_OUT_FAILED    ? "failed"
                                                       : "incomplete";
    bool check = env && env->check;
    v[FACT_SOURCE] = check ? "check" : trace ? "trace" : "capture";
    v[FACT_LOCAL_SIDE] = c->local_side == EV_SIDE_CLIENT   ? "client"
                         : c->local_side == EV_SIDE_SERVER ? "server"
                                                           : "unknown";
    v[FACT_TLS13] = !c->sh.seen ? "unknown" : yn(c->sh.version == 0x0304);
    v[FACT_VERSION] = c->sh.seen ? version_word(c->sh.version) : "none";
    v[FACT_DECRYPTION] = ev_decryption_name(c->decryption);
    if (cr) {
        v[FACT_CERT_REQUEST] = cr->visible ? "visible" : trace ? "stated" : "hidden";
    } else {
        v[FACT_CERT_REQUEST] = c->encrypted_after_hello ? "hidden" : "absent";
    }
    v[FACT_CA_COUNT] = ev_printf(a, "%zu", cr ? cr->ca_count : 0);
    static const char *const cc_words[] = { "not_sent", "empty", "sent", "not_visible" };
    v[FACT_CLIENT_CERT] = (unsigned)c->client_cert < 4 ? cc_words[c->client_cert] : "not_visible";
    bool have_chain = c->client_chain && c->client_chain->count > 0;
    bool have_list = cr && cr->visible && cr->ca_count > 0;
    v[FACT_FIT] = !have_chain || !have_list ? "unknown" : yn(facts_chain_fits(c->client_chain, cr));

    const struct ev_alert *al = first_fatal(c);
    v[FACT_ALERT_FATAL_FROM] = !al ? "none" : al->from == EV_FROM_CLIENT ? "client" : "server";
    const char *aname = al ? tls_alert_name(al->description) : NULL;
    v[FACT_ALERT_FATAL] = !al ? "none" : aname ? aname : ev_printf(a, "alert_%u", al->description);
    alert_context(a, c, al, &v[FACT_ALERT_FATAL_AFTER], &v[FACT_ALERT_AFTER_PEER_CERT]);
    const struct ev_msg *last = last_non_alert(c);
    v[FACT_LAST_MSG] = last ? msg_word(a, last) : "none";
    if (last) {
        v[FACT_LAST_MSG_WORDS] = msg_text(a, v[FACT_LAST_MSG]);
    } else if (c->handshake_state) {
        v[FACT_LAST_MSG_WORDS] = ev_printf(a, "handshake state '%s'", c->handshake_state);
    } else {
        v[FACT_LAST_MSG_WORDS] = "an unknown point of the handshake";
    }

    const char *terr = normalised_error(a, c->error_name);
    v[FACT_TRACE_ERROR] = terr;
    if (trace) {
        v[FACT_SILENT_CLOSE] = yn(terr && strcmp(terr, "SSSLERR_CONN_CLOSED") == 0);
    } else {
        v[FACT_SILENT_CLOSE] =
            yn(c->outcome == EV_OUT_FAILED && !c->not_tls &&
               (c->alert_count == 0 ? !ends_with_hidden_alert(c) : alerts_answer_close(c)));
    }

    v[FACT_SERVER_CERT] = c->server_chain                                    ? "seen"
                          : c->encrypted_after_hello || c->stated_cert_count ? "not_visible"
                                                                             : "not_seen";
    int64_t now = c->first_ts.sec;
    const struct ev_cert *sbad = NULL, *cbad = NULL;
    v[FACT_SERVER_CERT_EXPIRED] = validity(c->server_chain, now, true, &sbad);
    v[FACT_SERVER_CERT_NOT_YET_VALID] = validity(c->server_chain, now, false, &sbad);
    v[FACT_CLIENT_CERT_EXPIRED] = validity(c->client_chain, now, true, &cbad);
    v[FACT_CLIENT_CERT_NOT_YET_VALID] = validity(c->client_chain, now, false, &cbad);

    const char *weak = weak_words(a, c->server_chain, "server");
    if (!weak) {
        weak = weak_words(a, c->client_chain, "client");
    }
    v[FACT_WEAK_KEY] = c->server_chain || c->client_chain ? yn(weak != NULL) : "unknown";
    v[FACT_WEAK_KEY_WORDS] = weak ? weak : "none";

    const struct ev_cert *cl =
        c->client_cert == EV_CC_SENT || check ? leaf_of(c->client_chain) : NULL;
    const struct ev_cert *sl = leaf_of(c->server_chain);
    v[FACT_MISSING_CLIENT_AUTH_EKU] = missing_client_auth(cl);
    const char *host = c->ch.sni ? c->ch.sni : c->target_host;
    v[FACT_HOSTNAME_MISMATCH] = hostname_mismatch(a, c, host);
    v[FACT_SNI] = !c->ch.seen ? "unknown" : c->ch.sni ? "present" : "absent";
    v[FACT_TRACE_NO_FITTING_CA] = yn(statement_has(c, "no certificate fitting"));
    v[FACT_TRACE_NOT_TLS] = yn(c->not_tls);
    v[FACT_TRACE_DETAIL] = trace_detail(c);
    v[FACT_TRACE_SSL_INIT] = trace_ssl_init(c);
    v[FACT_TRACE_INTERMEDIARY] = trace_intermediary(c);
    v[FACT_TRACE_NO_CLIENT_CERT] =
        yn(statement_has(c, "<no cert>") || statement_has(c, "did not sent any cert") ||
           statement_has(c, "did not send any cert"));
    v[FACT_TRACE_CHAIN_INCOMPLETE] = yn(statement_has(c, "chain of certificates is incomplete") ||
                                        statement_has(c, "certificate chain is incomplete"));
    v[FACT_TRACE_VERIFY_FAILED] = yn(strcmp(v[FACT_TRACE_CHAIN_INCOMPLETE], "yes") == 0 ||
                                     statement_has(c, "certificate chain failed") ||
                                     statement_has(c, "verification of the server"));

    v[FACT_REF_CLIENT_HELLO] = ref_str(a, c->ch.seen ? c->ch.ref : 0);
    v[FACT_REF_SERVER_HELLO] = ref_str(a, c->sh.seen ? c->sh.ref : 0);
    v[FACT_REF_CERT_REQUEST] = ref_str(a, cr ? cr->ref : 0);
    v[FACT_REF_CLIENT_CERT] = ref_str(a, c->client_chain ? c->client_chain->ref : 0);
    v[FACT_REF_SERVER_CERT] = ref_str(a, c->server_chain ? c->server_chain->ref : 0);
    v[FACT_REF_ALERT] = ref_str(a, al ? al->ref : c->alert_count ? c->alerts[0].ref : 0);
    v[FACT_REF_CLOSE] = ref_str(a, c->close_ref);
    v[FACT_REF_SOURCE] = ref_str(a, trace ? c->source.first : 0);
    v[FACT_REF_SSL_INIT] = ref_str(a, trace ? c->ssl_init_ref : 0);
    v[FACT_REF_INTERMEDIARY] = ref_str(a, trace ? c->intermediary_ref : 0);

    v[FACT_REF_WORD] = rw;
    v[FACT_CA_NAMES_LIST] = ca_names_list(a, cr);
    v[FACT_CLIENT_CERT_WORDS] = check ? check_cert_words(a, c) : client_cert_words(a, c, rw);
    v[FACT_FIT_WORDS] = fit_words(a, c->client_chain, cr, env, "as sent");
    v[FACT_CLIENT_CHAIN_WORDS] = chain_words(a, c->client_chain);
    v[FACT_CLIENT_LEAF_SUBJECT] = cl && cl->subject ? cl->subject : "none";
    v[FACT_CLIENT_LEAF_ISSUER] = cl && cl->issuer ? cl->issuer : "none";
    v[FACT_CLIENT_LEAF_EKU] =
        cl ? join(a, cl->ext_key_usage, cl->ext_key_usage_count, "(no extKeyUsage)") : "none";
    const struct ev_stated_cert *ss =
        !sl && c->stated_cert_count > 0 && c->local_side != EV_SIDE_SERVER ? &c->stated_certs[0]
                                                                           : NULL;
    v[FACT_SERVER_LEAF_SUBJECT] = sl && sl->subject   ? sl->subject
                                  : ss && ss->subject ? ss->subject
                                                      : "none";
    v[FACT_SERVER_LEAF_ISSUER] = sl && sl->issuer   ? sl->issuer
                                 : ss && ss->issuer ? ss->issuer
                                                    : "none";
    v[FACT_SERVER_LEAF_SAN] =
        sl ? join(a, sl->san, sl->san_count, "(no subjectAltName)") : "(not in the source)";
    v[FACT_CLIENT_BAD_VALIDITY] = bad_validity(a, cbad);
    v[FACT_SERVER_BAD_VALIDITY] = bad_validity(a, sbad);
    v[FACT_HANDSHAKE_TIME] = iso_time(a, now);
    if (al) {
        const char *from = al->from == EV_FROM_CLIENT ? "client" : "server";
        v[FACT_ALERT_WORDS] = ev_printf(a, "a fatal %s alert (%u) from the %s (%s %" PRIu64 ")",
                                        v[FACT_ALERT_FATAL], al->description, from, rw, al->ref);
        v[FACT_ALERT_SENDER] = from;
        v[FACT_ALERT_PEER] = al->from == EV_FROM_CLIENT ? "server" : "client";
    } else {
        v[FACT_ALERT_WORDS] = "no alert";
        v[FACT_ALERT_SENDER] = "none";
        v[FACT_ALERT_PEER] = "none";
    }
    v[FACT_HOST_NAME] = host ? host : "none";
    v[FACT_OFFERED_VERSIONS] = offered_versions(a, &c->ch);
    const char *suite = c->sh.seen ? tls_cipher_suite_name(c->sh.suite) : NULL;
    v[FACT_CIPHER_SUITE] = suite ? suite : "none";
    v[FACT_SERVER_CHAIN_VERIFY] = verify_word(c->server_chain);
    v[FACT_CLIENT_CHAIN_VERIFY] =
        c->client_cert == EV_CC_SENT || check ? verify_word(c->client_chain) : "not_done";
    v[FACT_SERVER_VERIFY_WORDS] = verify_words(a, c->server_chain, "server");
    v[FACT_CLIENT_VERIFY_WORDS] = strcmp(v[FACT_CLIENT_CHAIN_VERIFY], "not_done") != 0
                                      ? verify_words(a, c->client_chain, "client")
                                      : "none";
    const struct ev_verify *any_vf = c->server_chain && c->server_chain->verify
                                         ? c->server_chain->verify
                                     : c->client_chain ? c->client_chain->verify
                                                       : NULL;
    v[FACT_TRUST_FILE] = any_vf ? trust_name(any_vf) : "none";
    v[FACT_AUTH_WORDS] = auth_with_verify(a, auth_words(a, c), v[FACT_SERVER_VERIFY_WORDS],
                                          v[FACT_CLIENT_VERIFY_WORDS]);
    v[FACT_TRACE_ERROR_TEXT] = c->error_text ? c->error_text : "none";
    v[FACT_TRACE_STATE] = c->handshake_state ? c->handshake_state : "none";
    v[FACT_IDENTITY] = c->identity ? c->identity : "none";

    bool nofit =
        strcmp(v[FACT_TRACE_NO_FITTING_CA], "yes") == 0 || (cr && cr->visible && cr->ca_count > 0);
    if (c->client_cert != EV_CC_EMPTY) {
        v[FACT_EMPTY_CAUSE] = "none";
    } else if (nofit) {
        v[FACT_EMPTY_CAUSE] = "none of the client's certificates fits the CA names the server "
                              "listed";
    } else if (cr && cr->visible) {
        v[FACT_EMPTY_CAUSE] = "the server accepts any CA, so the client has no certificate "
                              "configured for this connection";
    } else {
        v[FACT_EMPTY_CAUSE] = "not stated: no certificate is configured, or none fits the CA "
                              "names the server listed";
    }
    if (al) {
        v[FACT_REJECTER] = v[FACT_ALERT_SENDER];
        v[FACT_REJECTED] = v[FACT_ALERT_PEER];
    } else if (trace && strcmp(terr, "SSSLERR_PEER_CERT_UNTRUSTED") == 0) {
        bool srv = c->local_side == EV_SIDE_SERVER;
        v[FACT_REJECTER] = srv ? "server" : "client";
        v[FACT_REJECTED] = srv ? "client" : "server";
    } else {
        v[FACT_REJECTER] = "none";
        v[FACT_REJECTED] = "none";
    }
    v[FACT_SERVER_CHAIN_WORDS] = server_chain_words(a, c);
    v[FACT_CLOSED_BY] = closed_by(c);
    const char *gap_words = "none";
    const char *cgap = client_gap(a, c, env, &gap_words);
    const char *sgap = cgap && strcmp(cgap, "yes") != 0 ? server_gap(a, c, &gap_words) : "unknown";
    if (!cgap || !sgap) {
        return ST_NOMEM;
    }
    bool cyes = strcmp(cgap, "yes") == 0, syes = strcmp(sgap, "yes") == 0;
    bool cno = strcmp(cgap, "no") == 0, sno = strcmp(sgap, "no") == 0;
    v[FACT_CHAIN_INCOMPLETE] = cyes || syes ? "yes"
                               : (cno || !c->client_chain) && (sno || !c->server_chain) &&
                                       (c->client_chain || c->server_chain)
                                   ? "no"
                                   : "unknown";
    v[FACT_CHAIN_INCOMPLETE_SIDE] = cyes ? "client" : syes ? "server" : "none";
    if (!cyes && !syes && strcmp(v[FACT_TRACE_CHAIN_INCOMPLETE], "yes") == 0) {
        gap_words = ev_printf(a, "The trace states that the %s's certificate chain is incomplete",
                              c->local_side == EV_SIDE_SERVER ? "client" : "server");
    } else if (cyes || syes) {
        gap_words = ev_printf(a, "%c%s", toupper((unsigned char)gap_words[0]), gap_words + 1);
    }
    v[FACT_CHAIN_MISSING_WORDS] = gap_words;
    TRY(candidate_facts(a, c, env, v));
    for (size_t i = 0; i < FACT_COUNT; i++) {
        if (!v[i] && i != FACT_FAILURE_WORDS) {
            return ST_NOMEM;
        }
    }
    v[FACT_FAILURE_WORDS] = failure_words(a, c, &t);
    for (size_t i = 0; i < FACT_COUNT; i++) {
        if (!v[i]) {
            return ST_NOMEM;
        }
    }
    *ret = t;
    return ST_OK;
}
