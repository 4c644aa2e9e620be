/*
 * redact.c - pseudonymises the evidence for --redact (DESIGN.md "Trust and
 * data safety"). Runs after correlate() and before the rules, so findings'
 * explanations, built from the evidence, only ever see pseudonyms.
 *
 * What is replaced, and by what:
 *   IPv4            192.0.2.N, 198.51.100.N, 203.0.113.N (RFC 5737), then
 *                   240.0.0.0/4 (reserved, RFC 6890); keyed: 240.0.0.0/4
 *   IPv6            2001:db8::N (RFC 3849); keyed: 2001:db8::x:y:z (RFC 5952 form)
 *   host names      label by label ("hN"), plus ".example" (RFC 2606):
 *                   "*.a.b" stays a wildcard over the same pseudonymised
 *                   labels, so host-name checks give the same answer
 *   e-mail          user-N@redacted.example
 *   serials         de1e7edN (hex: "deleted" then N in hex), SHA-256
 *                   fingerprints de1e7ed0...0N (64 hex digits), so that the
 *                   JSON report keeps its schema; keyed: HMAC hex digits
 *   DN values       CN/O/OU/L/ST/... values (types stay, C= stays); a DN
 *                   whose CN (and O) is a well-known public root CA stays
 *                   whole, and so do that certificate's serial and hash
 *   input paths     input-N.EXT (directories and names are customer data;
 *                   the extension helps the reader and says nothing)
 *   PSE paths       directory dropped; standard SAP PSE names stay
 *                   (SAPSSLC.pse ...), others become pse-N.pse
 *   free text       statements, notes, errors: every value replaced above
 *                   (longest first, case-insensitive, on word boundaries),
 *                   then anything that looks like an address, an e-mail
 *                   address or a dotted host name
 * Ports, thread and CCL connection ids, times, algorithms stay.
 *
 * Without a key, N counts in order of first appearance (stable within the
 * report). With a key, the label is the first hex digits of
 * HMAC-SHA256(key, class || 0 || value) (longer on a collision), so the same
 * key gives the same pseudonym in every report. DER is left untouched: it is
 * never printed and the CA-name matching of the rules compares it first.
 */
#include "redact.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "caps.h"
#include "x509.h"

enum rd_class {
    RD_IP4,
    RD_IP6,
    RD_LABEL,
    RD_EMAIL,
    RD_SERIAL,
    RD_FP,
    RD_CN,
    RD_ORG,
    RD_UNIT,
    RD_PLACE,
    RD_VALUE,
    RD_PATH,
    RD_PSE,
    RD_URI,
    RD_OTHER,
    RD_CLASS_COUNT,
    RD_USED = 0x40, /* or-ed in: the reverse entry, pseudonym -> taken */
    RD_SEEN = 0x80, /* a certificate already redacted (shared between chains) */
};

static const char *const rd_prefix[RD_CLASS_COUNT] = {
    [RD_IP4] = "",           [RD_IP6] = "",         [RD_LABEL] = "h",         [RD_EMAIL] = "user-",
    [RD_SERIAL] = "serial-", [RD_FP] = "fp-",       [RD_CN] = "name-",        [RD_ORG] = "org-",
    [RD_UNIT] = "unit-",     [RD_PLACE] = "place-", [RD_VALUE] = "value-",    [RD_PATH] = "input-",
    [RD_PSE] = "pse-",       [RD_URI] = "uri-",     [RD_OTHER] = "redacted-",
};

struct rd_entry {
    unsigned cls;
    char *key; /* normalised value (or pseudonym, for RD_USED) */
    char *pseudonym;
};

/* A value as written, for replacement inside free text. */
struct rd_known {
    char *orig;
    size_t len;
    char *pseudonym;
};

struct rd {
    struct ev_arena *a;
    const char *key;
    struct rd_entry *tab; /* open addressing, power of two */
    size_t tab_cap, tab_n;
    unsigned counter[RD_CLASS_COUNT];
    struct rd_known *known;
    size_t known_n, known_cap;
    bool nomem;
};

/* ---- small helpers ------------------------------------------------------- */

static uint64_t fnv1a(unsigned cls, const char *s)
{
    uint64_t h = 1469598103934665603ULL ^ cls;
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

struct sbuf {
    char *p;
    size_t len, cap;
    bool failed;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
    if (b->failed) {
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p || cap > ((size_t)1 << 26)) {
            free(p);
            b->p = NULL;
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        b->p[b->len++] = s[i];
    }
    b->p[b->len] = '\0';
}

static void sb_put(struct sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

/* Arena copy of the buffer, freeing it. */
static char *sb_take(struct rd *r, struct sbuf *b)
{
    char *s = NULL;
    if (!b->failed) {
        s = ev_strdup(r->a, b->p ? b->p : "");
    }
    free(b->p);
    *b = (struct sbuf){ 0 };
    if (!s) {
        r->nomem = true;
    }
    return s;
}

/* ---- keyed labels -------------------------------------------------------- */

/* HMAC-SHA256 (RFC 2104) with the inner digest fed to the outer hash as
 * hex: x509_sha256_hex is the one SHA-256 we have outside wolfSSL's file. */
static void rd_hmac_hex(const char *key, unsigned cls, const char *value, char out[65])
{
    uint8_t k[64] = { 0 };
    size_t kl = strlen(key);
    if (kl > sizeof k) {
        char kh[65];
        x509_sha256_hex((struct bytes){ (const uint8_t *)key, kl }, kh);
        for (size_t i = 0; i < 64; i++) {
            k[i] = (uint8_t)kh[i];
        }
    } else {
        for (size_t i = 0; i < kl; i++) {
            k[i] = (uint8_t)key[i];
        }
    }
    size_t vl = strlen(value);
    struct sbuf in = { 0 };
    for (size_t i = 0; i < 64; i++) {
        char c = (char)(k[i] ^ 0x36);
        sb_putn(&in, &c, 1);
    }
    char cl = (char)('A' + cls), zero = 0;
    sb_putn(&in, &cl, 1);
    sb_putn(&in, &zero, 1); /* a separator byte inside the message */
    sb_putn(&in, value, vl);
    char inner[65] = "";
    if (!in.failed) {
        x509_sha256_hex((struct bytes){ (const uint8_t *)in.p, in.len }, inner);
    }
    free(in.p);
    struct sbuf outer = { 0 };
    for (size_t i = 0; i < 64; i++) {
        char c = (char)(k[i] ^ 0x5c);
        sb_putn(&outer, &c, 1);
    }
    sb_putn(&outer, inner, 64);
    if (!outer.failed) {
        x509_sha256_hex((struct bytes){ (const uint8_t *)outer.p, outer.len }, out);
    } else {
        out[0] = '\0';
    }
    free(outer.p);
}

/* ---- the table ----------------------------------------------------------- */

static struct rd_entry *rd_slot(struct rd *r, unsigned cls, const char *key)
{
    size_t mask = r->tab_cap - 1;
    for (size_t i = (size_t)fnv1a(cls, key) & mask;; i = (i + 1) & mask) {
        struct rd_entry *e = &r->tab[i];
        if (!e->key || (e->cls == cls && strcmp(e->key, key) == 0)) {
            return e;
        }
    }
}

static bool rd_grow(struct rd *r)
{
    if (r->tab_n * 2 < r->tab_cap) {
        return true;
    }
    size_t cap = r->tab_cap ? r->tab_cap * 2 : 256;
    struct rd_entry *old = r->tab;
    size_t old_cap = r->tab_cap;
    r->tab = calloc(cap, sizeof *r->tab);
    if (!r->tab) {
        r->tab = old;
        return false;
    }
    r->tab_cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key) {
            *rd_slot(r, old[i].cls, old[i].key) = old[i];
        }
    }
    free(old);
    return true;
}

static bool rd_put(struct rd *r, unsigned cls, const char *key, char *pseudonym)
{
    if (!rd_grow(r)) {
        return false;
    }
    struct rd_entry *e = rd_slot(r, cls, key);
    if (!e->key) {
        e->key = ev_strdup(r->a, key);
        if (!e->key) {
            return false;
        }
        e->cls = cls;
        e->pseudonym = pseudonym;
        r->tab_n++;
    }
    return true;
}

/* The pseudonym body for the n-th value (counter) or for hash hex digits. */
static char *rd_make(struct rd *r, unsigned cls, unsigned n, const char *hex, size_t hexlen)
{
    if (cls == RD_IP4) {
        uint32_t v;
        if (hex) {
            v = (uint32_t)strtoul(
                (char[9]){ hex[0], hex[1], hex[2], hex[3], hex[4], hex[5], hex[6], hex[7], 0 },
                NULL, 16);
            v = 0xf0000000u | (v & 0x0fffffffu);
        } else if (n <= 254) {
            v = 0xc0000200u | n; /* 192.0.2.n */
        } else if (n <= 508) {
            v = 0xc6336400u | (n - 254); /* 198.51.100.n */
        } else if (n <= 762) {
            v = 0xcb007100u | (n - 508); /* 203.0.113.n */
        } else {
            v = 0xf0000000u | (n & 0x0fffffffu);
        }
        return ev_printf(r->a, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
    }
    if (cls == RD_IP6) {
        if (hex) {
            /* Groups as numbers: RFC 5952 writes no leading zeros. */
            unsigned g[3];
            for (int i = 0; i < 3; i++) {
                g[i] = (unsigned)strtoul(
                    (char[5]){ hex[4 * i], hex[4 * i + 1], hex[4 * i + 2], hex[4 * i + 3], 0 },
                    NULL, 16);
            }
            return ev_printf(r->a, "2001:db8::%x:%x:%x", g[0], g[1], g[2]);
        }
        return ev_printf(r->a, "2001:db8::%x", n);
    }
    if (cls == RD_SERIAL || cls == RD_FP) {
        /* Hex like the real thing (the JSON schema says so): "de1e7ed" reads
         * "deleted"; a fingerprint keeps its 64 digits. */
        if (hex) {
            return ev_printf(r->a, "%.*s", cls == RD_FP ? 64 : (int)hexlen, hex);
        }
        return cls == RD_FP ? ev_printf(r->a, "de1e7ed%057x", n) : ev_printf(r->a, "de1e7ed%x", n);
    }
    const char *pre = rd_prefix[cls];
    const char *post = cls == RD_EMAIL ? "@redacted.example" : "";
    return hex ? ev_printf(r->a, "%s%.*s%s", pre, (int)hexlen, hex, post)
               : ev_printf(r->a, "%s%u%s", pre, n, post);
}

/* The pseudonym of a normalised value, made on first sight. */
static const char *rd_lookup(struct rd *r, unsigned cls, const char *norm)
{
    if (r->nomem || !rd_grow(r)) {
        r->nomem = true;
        return NULL;
    }
    struct rd_entry *e = rd_slot(r, cls, norm);
    if (e->key) {
        return e->pseudonym;
    }
    char *p = NULL;
    if (r->key && r->key[0]) {
        char hex[65];
        rd_hmac_hex(r->key, cls, norm, hex);
        /* 8 hex digits, more on a collision; the fixed-width addresses
         * (IPv4 28 bits, IPv6 48) slide their window instead. */
        bool fixed = cls == RD_IP4 || cls == RD_IP6;
        size_t width = cls == RD_IP6 ? 12 : 8;
        for (size_t len = width; !p && len <= 64 && hex[0]; len += 4) {
            char *cand = fixed ? rd_make(r, cls, 0, hex + (len - width), width)
                               : rd_make(r, cls, 0, hex, len);
            if (!cand) {
                break;
            }
            if (!rd_slot(r, cls | RD_USED, cand)->key) {
                p = cand;
            }
        }
    }
    for (unsigned guard = 0; !p && guard < 1000000; guard++) {
        char *cand = rd_make(r, cls, ++r->counter[cls], NULL, 0);
        if (!cand) {
            break;
        }
        if (!rd_slot(r, cls | RD_USED, cand)->key) {
            p = cand;
        }
    }
    if (!p || !rd_put(r, cls | RD_USED, p, p) || !rd_put(r, cls, norm, p)) {
        r->nomem = true;
        return NULL;
    }
    return p;
}

static void rd_remember(struct rd *r, const char *orig, const char *pseudonym)
{
    if (!orig || !pseudonym || strlen(orig) < 3 || strcasecmp(orig, pseudonym) == 0) {
        return;
    }
    /* A copy: in live mode the original's arena goes before the redactor's. */
    struct rd_known k = { .orig = ev_strdup(r->a, orig),
                          .len = strlen(orig),
                          .pseudonym = (char *)pseudonym };
    if (!k.orig) {
        r->nomem = true;
        return;
    }
    if (EV_PUSH(r->a, r->known, r->known_n, r->known_cap, SIZE_MAX / 2, &k) != ST_OK) {
        r->nomem = true;
    }
}

/* ---- values -------------------------------------------------------------- */

static bool rd_ip_canon(const char *s, char out[64], int *ret_af)
{
    uint8_t buf[16];
    if (inet_pton(AF_INET, s, buf) == 1) {
        *ret_af = AF_INET;
        return inet_ntop(AF_INET, buf, out, 64) != NULL;
    }
    if (inet_pton(AF_INET6, s, buf) == 1) {
        *ret_af = AF_INET6;
        return inet_ntop(AF_INET6, buf, out, 64) != NULL;
    }
    return false;
}

static const char *rd_ip(struct rd *r, const char *s)
{
    char canon[64];
    int af;
    if (!s || !s[0] || !rd_ip_canon(s, canon, &af)) {
        return s;
    }
    const char *p = rd_lookup(r, af == AF_INET ? RD_IP4 : RD_IP6, canon);
    rd_remember(r, s, p);
    return p;
}

static bool rd_host_char(int c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '*';
}

/* A host name: each label its own pseudonym (lowercased: DNS names ignore
 * case), "*" kept, ".example" appended. An address goes to rd_ip. */
static const char *rd_host(struct rd *r, const char *s)
{
    char canon[64];
    int af;
    if (!s || !s[0]) {
        return s;
    }
    if (rd_ip_canon(s, canon, &af)) {
        return rd_ip(r, s);
    }
    size_t n = strlen(s);
    if (n > 1 && s[n - 1] == '.') {
        n--;
    }
    struct sbuf out = { 0 };
    const char *p = s, *end = s + n;
    while (p <= end) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        const char *e = dot ? dot : end;
        char *label = ev_strndup(r->a, p, (size_t)(e - p));
        if (!label) {
            r->nomem = true;
            break;
        }
        for (char *q = label; *q; q++) {
            *q = (char)tolower((unsigned char)*q);
        }
        if (strcmp(label, "*") == 0) {
            sb_put(&out, "*");
        } else {
            const char *lp = rd_lookup(r, RD_LABEL, label);
            sb_put(&out, lp ? lp : "h");
        }
        sb_put(&out, ".");
        if (!dot) {
            break;
        }
        p = dot + 1;
    }
    sb_put(&out, "example");
    char *res = sb_take(r, &out);
    rd_remember(r, s, res);
    return res ? res : s;
}

static const char *rd_simple(struct rd *r, unsigned cls, const char *s)
{
    if (!s || !s[0]) {
        return s;
    }
    char *norm = ev_strdup(r->a, s);
    if (!norm) {
        r->nomem = true;
        return s;
    }
    /* Case and runs of blanks do not make a different value (the rules
     * compare DN text that way). */
    char *w = norm;
    bool blank = true;
    for (const char *q = s; *q; q++) {
        if (*q == ' ' || *q == '\t') {
            if (!blank) {
                *w++ = ' ';
            }
            blank = true;
        } else {
            *w++ = (char)tolower((unsigned char)*q);
            blank = false;
        }
    }
    while (w > norm && w[-1] == ' ') {
        w--;
    }
    *w = '\0';
    const char *p = rd_lookup(r, cls, norm);
    rd_remember(r, s, p);
    return p ? p : s;
}

static const char *rd_serial(struct rd *r, const char *s)
{
    if (!s || !s[0]) {
        return s;
    }
    char *norm = ev_strdup(r->a, s);
    if (!norm) {
        r->nomem = true;
        return s;
    }
    char *w = norm;
    for (const char *q = s; *q; q++) {
        if (*q != ':' && *q != ' ' && !(w == norm && *q == '0' && q[1])) {
            *w++ = (char)tolower((unsigned char)*q);
        }
    }
    *w = '\0';
    const char *p = rd_lookup(r, RD_SERIAL, norm);
    rd_remember(r, s, p);
    return p ? p : s;
}

static bool rd_looks_host(const char *v)
{
    if (!v[0]) {
        return false;
    }
    for (const char *q = v; *q; q++) {
        if (!rd_host_char((unsigned char)*q) && *q != '.') {
            return false;
        }
    }
    return true;
}

static const char *rd_email(struct rd *r, const char *s)
{
    return rd_simple(r, RD_EMAIL, s);
}

/* ---- distinguished names --------------------------------------------------- */

/* Well-known public root CAs: their names are public and help the reader
 * (which CA does the server accept?). Matched on CN and, when given, O. */
static const struct {
    const char *cn, *o;
} rd_public_roots[] = {
    { "DigiCert Global Root CA", "DigiCert Inc" },
    { "DigiCert Global Root G2", "DigiCert Inc" },
    { "DigiCert Global Root G3", "DigiCert Inc" },
    { "DigiCert High Assurance EV Root CA", "DigiCert Inc" },
    { "DigiCert Assured ID Root CA", "DigiCert Inc" },
    { "DigiCert Trusted Root G4", "DigiCert Inc" },
    { "ISRG Root X1", "Internet Security Research Group" },
    { "ISRG Root X2", "Internet Security Research Group" },
    { "GlobalSign Root CA", "GlobalSign nv-sa" },
    { "GlobalSign", "GlobalSign" },
    { "Baltimore CyberTrust Root", "Baltimore" },
    { "Amazon Root CA 1", "Amazon" },
    { "Amazon Root CA 2", "Amazon" },
    { "Amazon Root CA 3", "Amazon" },
    { "Amazon Root CA 4", "Amazon" },
    { "Microsoft RSA Root Certificate Authority 2017", "Microsoft Corporation" },
    { "Microsoft ECC Root Certificate Authority 2017", "Microsoft Corporation" },
    { "USERTrust RSA Certification Authority", "The USERTRUST Network" },
    { "USERTrust ECC Certification Authority", "The USERTRUST Network" },
    { "AAA Certificate Services", "Comodo CA Limited" },
    { "Sectigo Public Server Authentication Root R46", "Sectigo Limited" },
    { "Entrust Root Certification Authority - G2", "Entrust, Inc." },
    { "Entrust Root Certification Authority", "Entrust, Inc." },
    { "GeoTrust Global CA", "GeoTrust Inc." },
    { "GeoTrust Primary Certification Authority", "GeoTrust Inc." },
    { "QuoVadis Root CA 2 G3", "QuoVadis Limited" },
    { "QuoVadis Root CA 2", "QuoVadis Limited" },
    { "SAP Global Root CA", "SAP AG" },
    { "Go Daddy Root Certificate Authority - G2", "GoDaddy.com, Inc." },
    { "Starfield Root Certificate Authority - G2", "Starfield Technologies, Inc." },
    { "GTS Root R1", "Google Trust Services LLC" },
    { "GTS Root R2", "Google Trust Services LLC" },
    { "GTS Root R3", "Google Trust Services LLC" },
    { "GTS Root R4", "Google Trust Services LLC" },
    { "T-TeleSec GlobalRoot Class 2", "T-Systems Enterprise Services GmbH" },
    { "D-TRUST Root Class 3 CA 2 2009", "D-Trust GmbH" },
};

struct rd_attr {
    const char *type, *value; /* type trimmed; value as written (escaped) */
    size_t type_len, value_len;
    char sep; /* separator after it: ',', '+' or 0 */
};

/* Next attribute of an RFC 4514 (or trace-style "CN=a, O=b") DN. */
static const char *rd_dn_next(const char *p, struct rd_attr *ret)
{
    struct rd_attr at = { 0 };
    while (*p == ' ') {
        p++;
    }
    const char *start = p;
    const char *eq = NULL;
    while (*p && !((*p == ',' || *p == '+' || *p == ';') && (p == start || p[-1] != '\\'))) {
        if (*p == '=' && !eq) {
            eq = p;
        }
        if (*p == '\\' && p[1]) {
            p++;
        }
        p++;
    }
    if (eq) {
        const char *te = eq;
        while (te > start && te[-1] == ' ') {
            te--;
        }
        const char *v = eq + 1;
        while (*v == ' ') {
            v++;
        }
        at.type = start;
        at.type_len = (size_t)(te - start);
        at.value = v;
        at.value_len = (size_t)(p - v);
    } else {
        at.value = start;
        at.value_len = (size_t)(p - start);
    }
    while (at.value_len > 0 && at.value[at.value_len - 1] == ' ') {
        at.value_len--;
    }
    at.sep = *p;
    *ret = at;
    return *p ? p + 1 : p;
}

static bool rd_type_is(const struct rd_attr *at, const char *name)
{
    return at->type && strlen(name) == at->type_len &&
           strncasecmp(at->type, name, at->type_len) == 0;
}

/* The unescaped value, in the arena. */
static char *rd_unescape(struct rd *r, const char *v, size_t n)
{
    char *s = ev_strndup(r->a, v, n);
    if (!s) {
        r->nomem = true;
        return NULL;
    }
    char *w = s;
    for (const char *q = s; *q; q++) {
        if (*q == '\\' && q[1]) {
            q++;
        }
        *w++ = *q;
    }
    *w = '\0';
    return s;
}

static bool rd_dn_public(struct rd *r, const char *dn)
{
    char *cn = NULL, *o = NULL;
    struct rd_attr at;
    for (const char *p = dn; *p;) {
        p = rd_dn_next(p, &at);
        if (rd_type_is(&at, "CN") && !cn) {
            cn = rd_unescape(r, at.value, at.value_len);
        } else if (rd_type_is(&at, "O") && !o) {
            o = rd_unescape(r, at.value, at.value_len);
        }
    }
    if (!cn) {
        return false;
    }
    for (size_t i = 0; i < sizeof rd_public_roots / sizeof rd_public_roots[0]; i++) {
        if (strcasecmp(cn, rd_public_roots[i].cn) == 0 &&
            (!rd_public_roots[i].o || (o && strcasecmp(o, rd_public_roots[i].o) == 0))) {
            return true;
        }
    }
    return false;
}

static unsigned rd_dn_class(const struct rd_attr *at)
{
    if (rd_type_is(at, "CN") || rd_type_is(at, "commonName")) {
        return RD_CN;
    }
    if (rd_type_is(at, "O") || rd_type_is(at, "organizationName")) {
        return RD_ORG;
    }
    if (rd_type_is(at, "OU") || rd_type_is(at, "organizationalUnitName")) {
        return RD_UNIT;
    }
    if (rd_type_is(at, "L") || rd_type_is(at, "ST") || rd_type_is(at, "STREET") ||
        rd_type_is(at, "postalCode")) {
        return RD_PLACE;
    }
    if (rd_type_is(at, "serialNumber")) {
        return RD_SERIAL;
    }
    if (rd_type_is(at, "emailAddress") || rd_type_is(at, "E") ||
        rd_type_is(at, "1.2.840.113549.1.9.1")) {
        return RD_EMAIL;
    }
    return RD_VALUE;
}

/* A DN with every attribute value but the country replaced; a public root's
 * name as it is. The whole name is remembered for free text too. */
static const char *rd_dn(struct rd *r, const char *dn)
{
    if (!dn || !dn[0] || rd_dn_public(r, dn)) {
        return dn;
    }
    struct sbuf out = { 0 };
    struct rd_attr at;
    for (const char *p = dn; *p;) {
        p = rd_dn_next(p, &at);
        if (at.type) {
            sb_putn(&out, at.type, at.type_len);
            sb_put(&out, "=");
        }
        char *v = rd_unescape(r, at.value, at.value_len);
        if (!v) {
            break;
        }
        bool country = rd_type_is(&at, "C") || rd_type_is(&at, "countryName");
        unsigned cls = at.type ? rd_dn_class(&at) : RD_OTHER;
        const char *pv;
        if (country && strlen(v) <= 3) {
            pv = v;
        } else if (!v[0]) {
            pv = v;
        } else if (cls == RD_CN && rd_looks_host(v)) {
            pv = rd_host(r, v); /* so a CN still matches its host name */
        } else if (cls == RD_SERIAL) {
            pv = rd_serial(r, v);
        } else {
            pv = rd_simple(r, cls, v);
        }
        sb_put(&out, pv ? pv : "redacted");
        if (at.sep) {
            char sep[2] = { at.sep, 0 };
            sb_put(&out, sep);
        }
    }
    char *res = sb_take(r, &out);
    rd_remember(r, dn, res);
    return res ? res : dn;
}

/* ---- free text ------------------------------------------------------------- */

static bool rd_word(int c)
{
    return isalnum(c) || c == '_';
}

static size_t rd_match_known(const struct rd *r, const char *s, const char **ret_p)
{
    size_t best = 0;
    for (size_t i = 0; i < r->known_n; i++) {
        const struct rd_known *k = &r->known[i];
        if (k->len > best && tolower((unsigned char)s[0]) == tolower((unsigned char)k->orig[0]) &&
            strncasecmp(s, k->orig, k->len) == 0 &&
            !(rd_word((unsigned char)k->orig[k->len - 1]) && rd_word((unsigned char)s[k->len]))) {
            best = k->len;
            *ret_p = k->pseudonym;
        }
    }
    return best;
}

static size_t rd_span(const char *s, const char *set)
{
    size_t n = 0;
    while (s[n] && (isalnum((unsigned char)s[n]) || strchr(set, s[n]))) {
        n++;
    }
    return n;
}

/* File names are not host names. */
static bool rd_file_ext(const char *e, size_t n)
{
    static const char *const ext[] = {
        "pse", "pcap", "pcapng", "trc", "log",  "txt", "pem", "crt", "cer", "der",  "p12",  "pfx",
        "key", "csr",  "so",     "dll", "exe",  "old", "gz",  "zip", "xml", "json", "html", "htm",
        "jar", "java", "ini",    "cfg", "conf", "sh",  "py",  "bak", "md",  "cpp",  "c",    "h"
    };
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        if (strlen(ext[i]) == n && strncasecmp(e, ext[i], n) == 0) {
            return true;
        }
    }
    return false;
}

/* Length of a dotted host name at s (two labels or more, the last one
 * alphabetic and not a file extension), or 0. */
static size_t rd_text_host(const char *s)
{
    size_t n = rd_span(s, "-.");
    while (n > 0 && (s[n - 1] == '.' || s[n - 1] == '-')) {
        n--;
    }
    const char *last = NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (i == 0 || s[i - 1] == '.') {
                return 0;
            }
            last = s + i + 1;
        }
    }
    if (!last) {
        return 0;
    }
    size_t ll = (size_t)(s + n - last);
    for (size_t i = 0; i < ll; i++) {
        if (!isalpha((unsigned char)last[i])) {
            return 0;
        }
    }
    return ll >= 2 && ll <= 24 && !rd_file_ext(last, ll) ? n : 0;
}

/* Length of a DN quoted in free text ("... incomplete : "OU=Class 3 ..."):
 * from an attribute type and '=' to the next quote, parenthesis or the end;
 * 0 when s does not start with a DN attribute type. */
static size_t rd_text_dn(const char *s)
{
    static const char *const types[] = {
        "CN=",           "OU=",           "O=",     "L=", "ST=", "SP=", "C=", "E=", "DC=", "UID=",
        "emailAddress=", "serialNumber=", "STREET="
    };
    bool dn = false;
    for (size_t i = 0; i < sizeof types / sizeof types[0] && !dn; i++) {
        dn = strncasecmp(s, types[i], strlen(types[i])) == 0;
    }
    if (!dn) {
        return 0;
    }
    size_t n = strcspn(s, "\"()<>[]\n");
    while (n > 0 && s[n - 1] == ' ') {
        n--;
    }
    return n;
}

/* Replaces remembered values and anything that looks like an address, an
 * e-mail address, a DN or a host name. Returns s itself when nothing
 * changed. */
static const char *rd_text(struct rd *r, const char *s)
{
    if (!s || !s[0] || r->nomem) {
        return s;
    }
    struct sbuf out = { 0 };
    bool changed = false;
    size_t i = 0;
    while (s[i]) {
        const char *c = s + i;
        bool boundary =
            i == 0 || !(rd_word((unsigned char)s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '-');
        const char *p = NULL;
        size_t n = 0;
        if (boundary) {
            n = rd_match_known(r, c, &p);
        }
        if (!n && boundary && (isxdigit((unsigned char)*c) || *c == ':')) {
            /* An address: the longest prefix of [0-9a-f:.] inet_pton takes. */
            size_t run = 0;
            while (c[run] && (isxdigit((unsigned char)c[run]) || c[run] == ':' || c[run] == '.')) {
                run++;
            }
            for (size_t len = run; len >= 3 && !n; len--) {
                if (rd_word((unsigned char)c[len])) {
                    continue;
                }
                char tmp[64];
                int af;
                if (len < sizeof tmp) {
                    snprintf(tmp, sizeof tmp, "%.*s", (int)len, c);
                    char canon[64];
                    size_t colons = 0;
                    for (size_t k = 0; k < len; k++) {
                        colons += tmp[k] == ':';
                    }
                    if (rd_ip_canon(tmp, canon, &af) &&
                        (af == AF_INET || strstr(tmp, "::") || colons == 7)) {
                        p = rd_ip(r, tmp);
                        n = len;
                    }
                }
            }
        }
        if (!n && boundary && isalpha((unsigned char)*c)) {
            size_t d = rd_text_dn(c);
            char *dn = d ? ev_strndup(r->a, c, d) : NULL;
            p = dn ? rd_dn(r, dn) : NULL;
            n = p ? d : 0;
        }
        if (!n && boundary && isalnum((unsigned char)*c)) {
            size_t local = rd_span(c, "._%+-");
            if (c[local] == '@') {
                size_t dom = rd_text_host(c + local + 1);
                if (dom > 0) {
                    char *mail = ev_strndup(r->a, c, local + 1 + dom);
                    p = mail ? rd_email(r, mail) : NULL;
                    n = p ? local + 1 + dom : 0;
                }
            }
        }
        if (!n && boundary && isalnum((unsigned char)*c)) {
            size_t h = rd_text_host(c);
            if (h > 0 && !rd_word((unsigned char)c[h])) {
                char *host = ev_strndup(r->a, c, h);
                p = host ? rd_host(r, host) : NULL;
                n = p ? h : 0;
            }
        }
        if (n && p) {
            sb_put(&out, p);
            i += n;
            changed = true;
        } else {
            sb_putn(&out, c, 1);
            i++;
        }
    }
    if (!changed) {
        free(out.p);
        return out.failed ? (r->nomem = true, s) : s;
    }
    char *res = sb_take(r, &out);
    return res ? res : s;
}

/* ---- paths --------------------------------------------------------------- */

static const char *rd_basename(const char *s)
{
    const char *b = s;
    for (const char *q = s; *q; q++) {
        if (*q == '/' || *q == '\\') {
            b = q + 1;
        }
    }
    return b;
}

/* input-N plus the file's extension(s) when short and plain. */
static const char *rd_path(struct rd *r, const char *s)
{
    if (!s || !s[0] || strcmp(s, "-") == 0) {
        return s;
    }
    const char *p = rd_lookup(r, RD_PATH, s);
    if (!p) {
        return s;
    }
    const char *base = rd_basename(s), *dot = strchr(base, '.');
    /* Rotated traces (dev_icm.old) and .pcap.gz keep their ending. */
    bool plain = dot && strlen(dot) <= 12;
    for (const char *q = dot; plain && *q; q++) {
        plain = isalnum((unsigned char)*q) || *q == '.';
    }
    const char *res = plain ? ev_printf(r->a, "%s%s", p, dot) : p;
    if (!res) {
        r->nomem = true;
        return s;
    }
    rd_remember(r, s, res);
    if (base != s) {
        rd_remember(r, base, res);
    }
    return res;
}

static const char *rd_pse(struct rd *r, const char *s)
{
    static const char *const standard[] = { "SAPSSLC.pse", "SAPSSLS.pse", "SAPSSLA.pse",
                                            "SAPSNCS.pse", "SAPSYS.pse",  "SAPSRV.pse",
                                            "SAPSSLI.pse", "SAPSNCSA.pse" };
    if (!s || !s[0]) {
        return s;
    }
    const char *base = rd_basename(s);
    const char *name = NULL;
    for (size_t i = 0; i < sizeof standard / sizeof standard[0]; i++) {
        if (strcasecmp(base, standard[i]) == 0) {
            name = base;
        }
    }
    if (!name) {
        const char *p = rd_lookup(r, RD_PSE, base);
        name = p ? ev_printf(r->a, "%s.pse", p) : NULL;
    }
    const char *res = name && base != s ? ev_printf(r->a, "<dir>/%s", name) : name;
    if (!res) {
        r->nomem = true;
        return s;
    }
    rd_remember(r, s, res);
    if (base != s && name != base) {
        rd_remember(r, base, name);
    }
    return res;
}

/* A directory (SECUDIR, the crypto library's) names the SID and the host's
 * layout: "<dir>", keeping a file name after it (libsapcrypto.so). */
static const char *rd_dir(struct rd *r, const char *s, bool keep_file)
{
    if (!s || !s[0]) {
        return s;
    }
    const char *base = rd_basename(s);
    const char *res = keep_file && base != s ? ev_printf(r->a, "<dir>/%s", base) : "<dir>";
    if (!res) {
        r->nomem = true;
        return s;
    }
    rd_remember(r, s, res);
    if (keep_file && base != s) {
        char *dir = ev_strndup(r->a, s, (size_t)(base - s - 1));
        rd_remember(r, dir, "<dir>");
    }
    return res;
}

/* ---- the evidence ---------------------------------------------------------- */

static void rd_endpoint(struct rd *r, struct ev_endpoint *e)
{
    if (e->ip[0]) {
        const char *p = rd_ip(r, e->ip);
        if (p && p != e->ip) {
            snprintf(e->ip, sizeof e->ip, "%s", p);
        } else if (!p || p == e->ip) {
            /* not an address we can parse: still never print it */
            const char *q =
                rd_looks_host(e->ip) ? rd_host(r, e->ip) : rd_simple(r, RD_OTHER, e->ip);
            snprintf(e->ip, sizeof e->ip, "%s", q ? q : "redacted");
        }
    }
}

static const char *rd_san(struct rd *r, const char *s)
{
    static const struct {
        const char *prefix;
        int kind; /* 0 host, 1 ip, 2 email, 3 uri, 4 dn, 5 keep */
    } kinds[] = {
        { "DNS:", 0 }, { "IP:", 1 },      { "email:", 2 },
        { "URI:", 3 }, { "DirName:", 4 }, { "RID:", 5 },
    };
    if (!s) {
        return s;
    }
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t pl = strlen(kinds[i].prefix);
        if (strncmp(s, kinds[i].prefix, pl) != 0) {
            continue;
        }
        const char *v = s + pl, *p;
        switch (kinds[i].kind) {
        case 0:
            p = rd_host(r, v);
            break;
        case 1:
            p = v[0] == '#' ? rd_simple(r, RD_OTHER, v) : rd_ip(r, v);
            if (p == v) {
                p = rd_simple(r, RD_OTHER, v);
            }
            break;
        case 2:
            p = rd_email(r, v);
            break;
        case 3:
            p = rd_simple(r, RD_URI, v);
            break;
        case 4:
            p = rd_dn(r, v);
            break;
        default:
            return s;
        }
        const char *res = p ? ev_printf(r->a, "%s%s", kinds[i].prefix, p) : NULL;
        if (!res) {
            r->nomem = true;
        }
        return res ? res : "redacted";
    }
    const char *colon = strchr(s, ':');
    const char *p = rd_simple(r, RD_OTHER, colon ? colon + 1 : s);
    const char *res = colon && p ? ev_printf(r->a, "%.*s%s", (int)(colon - s + 1), s, p) : p;
    return res ? res : "redacted";
}

static void rd_cert(struct rd *r, struct ev_cert *c)
{
    if (!c || c->redacted) {
        return;
    }
    c->redacted = true;
    bool pub = c->subject && rd_dn_public(r, c->subject);
    c->issuer = (char *)rd_dn(r, c->issuer);
    if (pub) {
        return; /* a public root: name, serial and hash are public */
    }
    c->subject = (char *)rd_dn(r, c->subject);
    c->serial = (char *)rd_serial(r, c->serial);
    if (c->sha256[0]) {
        char lower[65];
        snprintf(lower, sizeof lower, "%s", c->sha256);
        for (char *q = lower; *q; q++) {
            *q = (char)tolower((unsigned char)*q);
        }
        const char *p = rd_lookup(r, RD_FP, lower);
        rd_remember(r, c->sha256, p);
        snprintf(c->sha256, sizeof c->sha256, "%s", p ? p : "redacted");
    }
    for (size_t i = 0; i < c->san_count; i++) {
        c->san[i] = (char *)rd_san(r, c->san[i]);
    }
}

static void rd_chain(struct rd *r, struct ev_chain *ch)
{
    for (size_t i = 0; ch && i < ch->count; i++) {
        rd_cert(r, ch->certs[i]);
    }
}

/* Pass 1: the structured fields, whose values become known for pass 2. */
static void rd_conn_fields(struct rd *r, struct ev_connection *c)
{
    rd_endpoint(r, &c->client);
    rd_endpoint(r, &c->server);
    c->source.path = rd_path(r, c->source.path);
    c->also.path = rd_path(r, c->also.path);
    c->ch.sni = (char *)rd_host(r, c->ch.sni);
    rd_chain(r, c->server_chain);
    rd_chain(r, c->client_chain);
    if (c->cert_request) {
        for (size_t i = 0; i < c->cert_request->ca_count; i++) {
            struct ev_name *n = &c->cert_request->ca_names[i];
            n->text = (char *)rd_dn(r, n->text);
        }
    }
    c->identity = (char *)rd_pse(r, c->identity);
    c->target_host = (char *)rd_host(r, c->target_host);
    for (size_t i = 0; i < c->stated_cert_count; i++) {
        struct ev_stated_cert *sc = &c->stated_certs[i];
        bool pub = sc->subject && rd_dn_public(r, sc->subject);
        sc->issuer = (char *)rd_dn(r, sc->issuer);
        if (!pub) {
            sc->subject = (char *)rd_dn(r, sc->subject);
            sc->serial = (char *)rd_serial(r, sc->serial);
        }
    }
}

/* Pass 2: free text. */
static void rd_conn_text(struct rd *r, struct ev_connection *c)
{
    for (size_t i = 0; i < c->note_count; i++) {
        c->notes[i].text = (char *)rd_text(r, c->notes[i].text);
    }
    c->outcome_detail = rd_text(r, c->outcome_detail);
    c->error_text = (char *)rd_text(r, c->error_text);
    c->handshake_state = (char *)rd_text(r, c->handshake_state);
    for (size_t i = 0; i < c->statement_count; i++) {
        c->statements[i] = (char *)rd_text(r, c->statements[i]);
    }
    for (size_t i = 0; i < c->stated_cert_count; i++) {
        c->stated_certs[i].status = (char *)rd_text(r, c->stated_certs[i].status);
    }
    const struct ev_chain *chains[2] = { c->server_chain, c->client_chain };
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; chains[k] && i < chains[k]->count; i++) {
            struct ev_cert *cert = chains[k]->certs[i];
            if (cert && cert->error) {
                cert->error = (char *)rd_text(r, cert->error);
            }
        }
    }
}

enum status redact_evidence(struct evidence *ev, const char *key)
{
    struct rd r = { .a = &ev->arena, .key = key };

    for (size_t i = 0; i < ev->input_count; i++) {
        struct ev_input *in = &ev->inputs[i];
        in->path = rd_path(&r, in->path);
        in->crypto_lib_path = (char *)rd_dir(&r, in->crypto_lib_path, true);
        in->secudir = (char *)rd_dir(&r, in->secudir, false);
    }
    for (size_t i = 0; i < ev->conn_count; i++) {
        rd_conn_fields(&r, ev->conns[i]);
    }
    /* Certificate files given to analyze: the same pseudonyms as their inputs. */
    for (size_t i = 0; i < ev->candidate_count; i++) {
        ev->candidates[i].path = rd_path(&r, ev->candidates[i].path);
        rd_chain(&r, ev->candidates[i].chain);
    }
    for (size_t i = 0; i < ev->input_count; i++) {
        ev->inputs[i].error = (char *)rd_text(&r, ev->inputs[i].error);
    }
    for (size_t i = 0; i < ev->unread_count; i++) {
        ev->unread[i].path = rd_path(&r, ev->unread[i].path);
        ev->unread[i].reason = rd_text(&r, ev->unread[i].reason);
    }
    for (size_t i = 0; i < ev->conn_count; i++) {
        rd_conn_text(&r, ev->conns[i]);
    }
    free(r.tab);
    ev->redacted = true;
    return r.nomem ? ST_NOMEM : ST_OK;
}

/* ---- one connection at a time (live) --------------------------------------- */

struct redactor {
    struct ev_arena arena; /* keys, pseudonyms and remembered values, for the whole run */
    struct rd r;
};

struct redactor *redactor_new(const char *key)
{
    struct redactor *x = calloc(1, sizeof *x);
    if (!x) {
        return NULL;
    }
    ev_arena_init(&x->arena, CAP_EVIDENCE_BYTES);
    x->r = (struct rd){ .a = &x->arena, .key = key };
    return x;
}

void redactor_free(struct redactor *x)
{
    if (x) {
        free(x->r.tab);
        ev_arena_fini(&x->arena);
        free(x);
    }
}

enum status redact_connection(struct redactor *x, struct evidence *ev, struct ev_connection *c)
{
    rd_conn_fields(&x->r, c);
    rd_conn_text(&x->r, c);
    ev->redacted = true;
    return x->r.nomem ? ST_NOMEM : ST_OK;
}
