/*
 * x509.c - X.509 v1/v3 certificates (RFC 5280 4.1, 4.2) decoded into the
 * evidence CERT fields (DESIGN.md). wolfSSL (wc_ParseCert) decides whether
 * the certificate is acceptable and says why not, and wolfCrypt computes the
 * SHA-256 fingerprint; the fields themselves come from our own DER walk over
 * the copy of the certificate in the arena, so they are the same whether or
 * not wolfSSL accepts it, every view (subject_der, ski, ...) points into that
 * copy, and subject and issuer go through dn.c like the CA names of a
 * CertificateRequest. Key sizes are counted from the key itself (wolfSSL's
 * EVP_PKEY_bits rounds to whole bytes: 528 for P-521, 2048 for a 2047-bit
 * modulus) and wolfSSL's figure is used only when ours is unknown.
 * This is the only file that includes wolfSSL (STYLE.md section 5); every
 * wolfSSL object is freed before x509_decode returns.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/openssl/evp.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "x509.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "caps.h"
#include "der.h"
#include "dn.h"

/* Entries kept per list (subjectAltName, extendedKeyUsage) of one
 * certificate; a certificate is already bounded by CAP_TLS_HS_MSG_MAX.
 * Candidate for caps.h (CAP_SAN_PER_CERT). */

#define X509_CACHE_SLOTS (2u * CAP_CERT_CACHE) /* open addressing, power of two */
_Static_assert((X509_CACHE_SLOTS & (X509_CACHE_SLOTS - 1)) == 0, "slots: power of two");

#define X509_SHA256_LEN 32u
#define X509_FILE_MAX (1u << 20) /* a certificate file is read whole, up to this */

/* ---- SHA-256 --------------------------------------------------------------- */

static bool sha256(struct bytes data, uint8_t out[X509_SHA256_LEN])
{
    wc_Sha256 ctx;
    struct cursor c;
    bool ok;

    if (wc_InitSha256(&ctx) != 0) {
        return false;
    }
    cur_init_bytes(&c, data, 0, NULL);
    ok = true;
    while (ok && cur_left(&c) > 0) {
        size_t n = cur_left(&c) < UINT32_MAX ? cur_left(&c) : UINT32_MAX;
        struct bytes part;
        ok = cur_take(&c, n, &part) == ST_OK &&
             wc_Sha256Update(&ctx, part.ptr, (word32)part.len) == 0;
    }
    ok = ok && wc_Sha256Final(&ctx, out) == 0;
    wc_Sha256Free(&ctx);
    return ok;
}

static const char hex_lower[] = "0123456789abcdef";

static void hex_digest(const uint8_t digest[X509_SHA256_LEN], char out[65])
{
    for (size_t i = 0; i < X509_SHA256_LEN; i++) {
        out[2 * i] = hex_lower[digest[i] >> 4];
        out[2 * i + 1] = hex_lower[digest[i] & 0x0f];
    }
    out[64] = '\0';
}

void x509_sha256_hex(struct bytes data, char out[65])
{
    uint8_t digest[X509_SHA256_LEN];

    if (!sha256(data, digest)) {
        out[0] = '\0';
        return;
    }
    hex_digest(digest, out);
}

/* ---- the walk's state and small helpers ----------------------------------- */

#define X509_EXT_KNOWN 6u /* entries of ext_table */

struct x509_walk {
    struct ev_arena *a;
    struct ev_cert *cert;
    struct parse_error err; /* first problem our own walk met */
    const char *where;      /* the part being read */
    const char *err_where;  /* the part the first problem was in */
    size_t san_cap, ku_cap, eku_cap;
    bool ext_seen[X509_EXT_KNOWN];
};

/* Records where the first problem was; failures that did not go through
 * cur_fail (a name that does not render) get their reason here. */
static void walk_mark(struct x509_walk *w, enum status st, const char *where, uint64_t offset,
                      const char *why)
{
    if (st == ST_OK || st == ST_NOMEM) {
        return;
    }
    if (w->err.status == ST_OK) {
        w->err.status = st;
        w->err.offset = offset;
        w->err.reason = why;
    }
    if (!w->err_where) {
        w->err_where = where;
    }
}

static uint64_t bytes_offset(const struct x509_walk *w, struct bytes b)
{
    return (uint64_t)(b.ptr - w->cert->der.ptr);
}

/* Lowercase hex of a view into the arena; NULL when out of memory. */
static char *hex_text(struct ev_arena *a, struct bytes b)
{
    struct cursor c;
    uint8_t byte;
    size_t n = 0;

    if (b.len > (SIZE_MAX - 1) / 2) {
        return NULL;
    }
    char *s = ev_alloc(a, 2 * b.len + 1);
    if (!s) {
        return NULL;
    }
    cur_init_bytes(&c, b, 0, NULL);
    while (cur_u8(&c, &byte) == ST_OK) {
        s[n++] = hex_lower[byte >> 4];
        s[n++] = hex_lower[byte & 0x0f];
    }
    return s;
}

/*
 * prefix + the bytes of an IA5String-like value, printable ASCII kept,
 * anything else (controls, NUL, bytes >= 0x7f) and the backslash itself as
 * \XX, so that "a.test\0.evil" cannot pass for "a.test".
 */
static char *escaped_text(struct ev_arena *a, const char *prefix, struct bytes v)
{
    size_t plen = strlen(prefix);
    size_t n = plen;
    struct cursor c;
    uint8_t b;

    if (v.len > (SIZE_MAX - plen - 1) / 4) {
        return NULL;
    }
    char *s = ev_alloc(a, plen + 4 * v.len + 1);
    if (!s) {
        return NULL;
    }
    for (size_t i = 0; i < plen; i++) {
        s[i] = prefix[i];
    }
    cur_init_bytes(&c, v, 0, NULL);
    while (cur_u8(&c, &b) == ST_OK) {
        if (b >= 0x20 && b < 0x7f && b != '\\') {
            s[n++] = (char)b;
            continue;
        }
        s[n++] = '\\';
        s[n++] = "0123456789ABCDEF"[b >> 4];
        s[n++] = "0123456789ABCDEF"[b & 0x0f];
    }
    return s;
}

/* ---- OIDs ------------------------------------------------------------------ */

static size_t put_decimal(char *s, size_t n, uint64_t v)
{
    char digits[24];
    size_t k = 0;

    do {
        digits[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (k > 0) {
        s[n++] = digits[--k];
    }
    return n;
}

/*
 * Dotted decimal of an OID body, in the arena. A subidentifier of k bytes
 * carries at most 7k bits, i.e. at most 3k decimal digits, plus its dot; the
 * first one yields two arcs: 4 * len + 4 bytes always suffice.
 */
static enum status oid_text(struct ev_arena *a, struct cursor body, char **ret)
{
    uint64_t v;
    size_t n = 0;

    if (cur_left(&body) == 0) {
        return cur_fail(&body, ST_MALFORMED, "OID: empty");
    }
    if (cur_left(&body) > (SIZE_MAX - 4) / 4) {
        return ST_LIMIT;
    }
    char *s = ev_alloc(a, 4 * cur_left(&body) + 4);
    if (!s) {
        return ST_NOMEM;
    }
    TRY(der_oid_arc(&body, &v));
    uint64_t first = v < 80 ? v / 40 : 2;
    n = put_decimal(s, n, first);
    s[n++] = '.';
    n = put_decimal(s, n, v - first * 40);
    while (cur_left(&body) > 0) {
        TRY(der_oid_arc(&body, &v));
        s[n++] = '.';
        n = put_decimal(s, n, v);
    }
    *ret = s;
    return ST_OK;
}

struct oid_name {
    const char *oid;
    const char *name;
};

static const char *oid_lookup(const struct oid_name *t, size_t n, const char *oid)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].oid, oid) == 0) {
            return t[i].name;
        }
    }
    return NULL;
}

#define OID_LOOKUP(table, oid) oid_lookup((table), sizeof(table) / sizeof((table)[0]), (oid))

/* OpenSSL's names (OBJ_nid2ln), which is what people search for. */
static const struct oid_name sig_alg_names[] = {
    { "1.2.840.113549.1.1.1", "rsaEncryption" },
    { "1.2.840.113549.1.1.2", "md2WithRSAEncryption" },
    { "1.2.840.113549.1.1.3", "md4WithRSAEncryption" },
    { "1.2.840.113549.1.1.4", "md5WithRSAEncryption" },
    { "1.2.840.113549.1.1.5", "sha1WithRSAEncryption" },
    { "1.2.840.113549.1.1.10", "rsassaPss" },
    { "1.2.840.113549.1.1.11", "sha256WithRSAEncryption" },
    { "1.2.840.113549.1.1.12", "sha384WithRSAEncryption" },
    { "1.2.840.113549.1.1.13", "sha512WithRSAEncryption" },
    { "1.2.840.113549.1.1.14", "sha224WithRSAEncryption" },
    { "1.3.14.3.2.29", "sha1WithRSA" },
    { "1.2.840.10045.4.1", "ecdsa-with-SHA1" },
    { "1.2.840.10045.4.3.1", "ecdsa-with-SHA224" },
    { "1.2.840.10045.4.3.2", "ecdsa-with-SHA256" },
    { "1.2.840.10045.4.3.3", "ecdsa-with-SHA384" },
    { "1.2.840.10045.4.3.4", "ecdsa-with-SHA512" },
    { "1.2.840.10040.4.3", "dsaWithSHA1" },
    { "2.16.840.1.101.3.4.3.1", "dsa_with_SHA224" },
    { "2.16.840.1.101.3.4.3.2", "dsa_with_SHA256" },
    { "2.16.840.1.101.3.4.3.10", "ecdsa_with_SHA3-256" },
    { "2.16.840.1.101.3.4.3.11", "ecdsa_with_SHA3-384" },
    { "2.16.840.1.101.3.4.3.12", "ecdsa_with_SHA3-512" },
    { "2.16.840.1.101.3.4.3.14", "RSA-SHA3-256" },
    { "2.16.840.1.101.3.4.3.15", "RSA-SHA3-384" },
    { "2.16.840.1.101.3.4.3.16", "RSA-SHA3-512" },
    { "1.3.101.112", "ED25519" },
    { "1.3.101.113", "ED448" },
    { "1.2.156.10197.1.501", "SM2-with-SM3" },
};

static const struct oid_name key_type_names[] = {
    { "1.2.840.113549.1.1.1", "RSA" },      /* rsaEncryption */
    { "1.2.840.113549.1.1.10", "RSA-PSS" }, /* id-RSASSA-PSS, RFC 4055 */
    { "1.2.840.10045.2.1", "EC" },          /* id-ecPublicKey, RFC 5480 */
    { "1.3.101.110", "X25519" },            /* RFC 8410 */
    { "1.3.101.111", "X448" },
    { "1.3.101.112", "Ed25519" },
    { "1.3.101.113", "Ed448" },
    { "1.2.840.10040.4.1", "DSA" },   /* id-dsa, RFC 3279 */
    { "1.2.840.10046.2.1", "DH" },    /* dhpublicnumber, RFC 3279 */
    { "1.2.840.113549.1.3.1", "DH" }, /* PKCS #3 dhKeyAgreement */
};

/* Named curves (RFC 5480 2.1.1.1, RFC 5639) and their sizes. */
static const struct {
    const char *oid;
    unsigned bits;
} curve_bits[] = {
    { "1.2.840.10045.3.1.1", 192 },   /* prime192v1 */
    { "1.3.132.0.33", 224 },          /* secp224r1 */
    { "1.2.840.10045.3.1.7", 256 },   /* prime256v1 / P-256 */
    { "1.3.132.0.10", 256 },          /* secp256k1 */
    { "1.3.132.0.34", 384 },          /* secp384r1 */
    { "1.3.132.0.35", 521 },          /* secp521r1 */
    { "1.3.36.3.3.2.8.1.1.7", 256 },  /* brainpoolP256r1 */
    { "1.3.36.3.3.2.8.1.1.11", 384 }, /* brainpoolP384r1 */
    { "1.3.36.3.3.2.8.1.1.13", 512 }, /* brainpoolP512r1 */
    { "1.2.156.10197.1.301", 256 },   /* SM2 */
};

/* Key sizes of the fixed-size key types, as OpenSSL's EVP_PKEY_get_bits. */
static const struct {
    const char *type;
    unsigned bits;
} fixed_bits[] = {
    { "X25519", 253 },
    { "Ed25519", 253 },
    { "X448", 448 },
    { "Ed448", 456 },
};

static const char *const key_usage_names[] = {
    "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
    "keyCertSign",      "cRLSign",        "encipherOnly",    "decipherOnly",
};

/* RFC 5280 4.2.1.12, OpenSSL's short names */
static const struct oid_name eku_names[] = {
    { "1.3.6.1.5.5.7.3.1", "serverAuth" },      /* id-kp-serverAuth */
    { "1.3.6.1.5.5.7.3.2", "clientAuth" },      /* id-kp-clientAuth */
    { "1.3.6.1.5.5.7.3.3", "codeSigning" },     /* id-kp-codeSigning */
    { "1.3.6.1.5.5.7.3.4", "emailProtection" }, /* id-kp-emailProtection */
    { "1.3.6.1.5.5.7.3.8", "timeStamping" },    /* id-kp-timeStamping */
    { "1.3.6.1.5.5.7.3.9", "OCSPSigning" },     /* id-kp-OCSPSigning */
    { "2.5.29.37.0", "anyExtendedKeyUsage" },   /* anyExtendedKeyUsage */
    { "1.3.6.1.4.1.311.10.3.3", "msSGC" },      /* Microsoft Server Gated Crypto */
    { "2.16.840.1.113730.4.1", "nsSGC" },       /* Netscape Server Gated Crypto */
};

/* ---- INTEGERs -------------------------------------------------------------- */

/* Significant bits of a non-negative INTEGER body (leading zero bytes skipped). */
static unsigned integer_bits(struct cursor body)
{
    uint8_t b = 0;

    while (b == 0) {
        if (cur_left(&body) == 0 || cur_u8(&body, &b) != ST_OK) {
            return 0;
        }
    }
    size_t rest = cur_left(&body);
    if (rest > (UINT_MAX - 8) / 8) {
        return 0;
    }
    unsigned bits = (unsigned)rest * 8;
    while (b) {
        bits++;
        b >>= 1;
    }
    return bits;
}

/*
 * CertificateSerialNumber ::= INTEGER: lowercase hex of the content octets,
 * without the one leading 00 that keeps a positive number positive. A
 * negative serial (RFC 5280 4.1.2.2 forbids it, CAs did it) is shown as its
 * two's-complement bytes.
 */
static enum status read_serial(struct x509_walk *w, struct cursor *tbs)
{
    struct cursor body;
    uint8_t first;

    TRY(der_expect(tbs, DER_INTEGER, &body));
    if (cur_left(&body) == 0) {
        return cur_fail(&body, ST_MALFORMED, "empty serial number");
    }
    TRY(cur_peek_u8(&body, &first));
    if (first == 0 && cur_left(&body) > 1) {
        TRY(cur_skip(&body, 1));
    }
    w->cert->serial = hex_text(w->a, cur_rest(&body));
    return w->cert->serial ? ST_OK : ST_NOMEM;
}

/* ---- validity -------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): no timegm, no time zone, any year. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    const unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *ret_y = yoe + era * 400 + (m <= 2);
    *ret_m = m;
    *ret_d = d;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static enum status read_digits(struct cursor *c, unsigned n, unsigned *ret)
{
    unsigned v = 0;

    for (unsigned i = 0; i < n; i++) {
        uint8_t ch;
        TRY(cur_u8(c, &ch));
        if (ch < '0' || ch > '9') {
            return cur_fail(c, ST_MALFORMED, "time: digit expected");
        }
        v = v * 10 + (unsigned)(ch - '0');
    }
    *ret = v;
    return ST_OK;
}

static bool next_is_digit(const struct cursor *c)
{
    uint8_t ch;
    return cur_peek_u8(c, &ch) == ST_OK && ch >= '0' && ch <= '9';
}

/*
 * RFC 5280 4.1.2.5: UTCTime YYMMDDHHMMSSZ (YY >= 50 is 19YY, else 20YY) and
 * GeneralizedTime YYYYMMDDHHMMSSZ. Real certificates also carry what X.680
 * allows beyond DER: no seconds, fractions of a second, +hhmm/-hhmm offsets;
 * they are accepted and normalized to UTC.
 */
static enum status parse_time(uint8_t tag, struct cursor c, int64_t *ret_t)
{
    unsigned year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
    int64_t offset = 0;
    uint8_t ch;

    if (tag == DER_UTC_TIME) {
        TRY(read_digits(&c, 2, &year));
        year += year >= 50 ? 1900 : 2000;
    } else if (tag == DER_GENERALIZED_TIME) {
        TRY(read_digits(&c, 4, &year));
    } else {
        return cur_fail(&c, ST_MALFORMED, "time: neither UTCTime nor GeneralizedTime");
    }
    TRY(read_digits(&c, 2, &mon));
    TRY(read_digits(&c, 2, &day));
    TRY(read_digits(&c, 2, &hour));
    TRY(read_digits(&c, 2, &min));
    if (next_is_digit(&c)) {
        TRY(read_digits(&c, 2, &sec));
    }
    if (tag == DER_GENERALIZED_TIME && cur_peek_u8(&c, &ch) == ST_OK && (ch == '.' || ch == ',')) {
        TRY(cur_skip(&c, 1));
        if (!next_is_digit(&c)) {
            return cur_fail(&c, ST_MALFORMED, "time: empty fraction");
        }
        while (next_is_digit(&c)) {
            TRY(cur_skip(&c, 1));
        }
    }
    TRY(cur_u8(&c, &ch));
    if (ch == '+' || ch == '-') {
        unsigned oh = 0, om = 0;
        TRY(read_digits(&c, 2, &oh));
        TRY(read_digits(&c, 2, &om));
        if (oh > 23 || om > 59) {
            return cur_fail(&c, ST_MALFORMED, "time: bad UTC offset");
        }
        offset = (int64_t)(oh * 3600 + om * 60) * (ch == '+' ? 1 : -1);
    } else if (ch != 'Z') {
        return cur_fail(&c, ST_MALFORMED, "time: 'Z' expected");
    }
    TRY(cur_close(&c));
    if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23 || min > 59 ||
        sec > 59) {
        return cur_fail(&c, ST_MALFORMED, "time: field out of range");
    }
    *ret_t = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec - offset;
    return ST_OK;
}

static char *iso_text(struct ev_arena *a, int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t y;
    unsigned m, d;

    civil_from_days(days, &y, &m, &d);
    return ev_printf(a, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
                     (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}

/*   Validity ::= SEQUENCE { notBefore Time, notAfter Time } */
static enum status read_validity(struct x509_walk *w, struct cursor *tbs)
{
    struct cursor validity;
    struct der_tlv nb, na;
    int64_t t;

    TRY(der_expect(tbs, DER_SEQUENCE, &validity));
    TRY(der_next(&validity, &nb));
    TRY(der_next(&validity, &na));
    TRY(cur_close(&validity));
    TRY(parse_time(nb.tag, nb.body, &t));
    w->cert->not_before_t = t;
    w->cert->not_before = iso_text(w->a, t);
    if (!w->cert->not_before) {
        return ST_NOMEM;
    }
    TRY(parse_time(na.tag, na.body, &t));
    w->cert->not_after_t = t;
    w->cert->not_after = iso_text(w->a, t);
    return w->cert->not_after ? ST_OK : ST_NOMEM;
}

/* ---- names ----------------------------------------------------------------- */

static enum status read_name(struct x509_walk *w, struct cursor *tbs, const char *where,
                             struct bytes *ret_der, char **ret_text)
{
    struct der_tlv name;
    char *text = NULL;

    TRY(der_next(tbs, &name));
    *ret_der = name.raw;
    enum status st = dn_render(w->a, name.raw, &text);
    if (st == ST_NOMEM) {
        return st;
    }
    if (st != ST_OK) {
        walk_mark(w, st, where, bytes_offset(w, name.raw),
                  st == ST_LIMIT ? "distinguished name too long to render"
                                 : "not a valid distinguished name");
        return ST_OK; /* the rest of the certificate is still worth reading */
    }
    *ret_text = text;
    return ST_OK;
}

/* ---- algorithms and the public key ---------------------------------------- */

/*   AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } */
static enum status read_alg(struct cursor *c, struct cursor *ret_oid, struct der_tlv *ret_params,
                            bool *ret_has_params)
{
    struct cursor alg;

    TRY(der_expect(c, DER_SEQUENCE, &alg));
    TRY(der_expect(&alg, DER_OID, ret_oid));
    *ret_has_params = cur_left(&alg) > 0;
    if (*ret_has_params) {
        TRY(der_next(&alg, ret_params));
    }
    return cur_close(&alg);
}

static enum status read_sig_alg(struct x509_walk *w, struct cursor *c)
{
    struct cursor oid;
    struct der_tlv params;
    bool has_params;
    char *text;

    TRY(read_alg(c, &oid, &params, &has_params));
    TRY(oid_text(w->a, oid, &text));
    const char *name = OID_LOOKUP(sig_alg_names, text);
    w->cert->signature_algorithm = name ? ev_strdup(w->a, name) : text;
    return w->cert->signature_algorithm ? ST_OK : ST_NOMEM;
}

/*   BIT STRING: one octet of unused bits (0..7, 0 when empty), then the bits. */
static enum status bit_string_body(struct cursor *bits, uint8_t *ret_unused)
{
    uint8_t unused;

    TRY(cur_u8(bits, &unused));
    if (unused > 7 || (unused != 0 && cur_left(bits) == 0)) {
        return cur_fail(bits, ST_MALFORMED, "BIT STRING: bad unused-bits count");
    }
    *ret_unused = unused;
    return ST_OK;
}

/* RFC 8017 A.1.1  RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
static enum status rsa_bits(struct cursor key, unsigned *ret)
{
    struct cursor seq, modulus, exponent;

    TRY(der_expect(&key, DER_SEQUENCE, &seq));
    TRY(der_expect(&seq, DER_INTEGER, &modulus));
    TRY(der_expect(&seq, DER_INTEGER, &exponent));
    TRY(cur_close(&seq));
    *ret = integer_bits(modulus);
    return ST_OK;
}

/* RFC 3279 2.3.2  Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER } */
static enum status dsa_bits(const struct der_tlv *params, unsigned *ret)
{
    struct cursor seq = params->body;
    struct cursor p;

    if (params->tag != DER_SEQUENCE) {
        return ST_OK; /* parameters inherited from the issuer: size unknown */
    }
    TRY(der_expect(&seq, DER_INTEGER, &p));
    *ret = integer_bits(p);
    return ST_OK;
}

/* RFC 5480 2.2: the uncompressed point 04 || X || Y, or 02/03 || X. */
static unsigned ec_point_bits(struct cursor point)
{
    uint8_t form;
    size_t n = cur_left(&point);

    if (n == 0 || n > UINT_MAX / 8 || cur_u8(&point, &form) != ST_OK) {
        return 0;
    }
    if (form == 0x04 && n % 2 == 1) {
        return (unsigned)(n - 1) / 2 * 8;
    }
    if (form == 0x02 || form == 0x03) {
        return (unsigned)(n - 1) * 8;
    }
    return 0;
}

static enum status ec_bits(struct x509_walk *w, const struct der_tlv *params, struct cursor point,
                           unsigned *ret)
{
    char *curve;

    if (params->tag == DER_OID) {
        TRY(oid_text(w->a, params->body, &curve));
        for (size_t i = 0; i < sizeof curve_bits / sizeof curve_bits[0]; i++) {
            if (strcmp(curve, curve_bits[i].oid) == 0) {
                *ret = curve_bits[i].bits;
                return ST_OK;
            }
        }
    }
    /* explicit parameters or an unknown curve: the size of the point says it */
    *ret = ec_point_bits(point);
    return ST_OK;
}

/* The size of the key in `key` (the subjectPublicKey BIT STRING body). */
static enum status key_bits(struct x509_walk *w, const char *type, const struct der_tlv *params,
                            struct cursor key, unsigned *ret)
{
    uint8_t unused;

    TRY(bit_string_body(&key, &unused));
    *ret = 0;
    if (strcmp(type, "RSA") == 0 || strcmp(type, "RSA-PSS") == 0) {
        return rsa_bits(key, ret);
    }
    if (strcmp(type, "EC") == 0 && params) {
        return ec_bits(w, params, key, ret);
    }
    if (strcmp(type, "DSA") == 0 && params) {
        return dsa_bits(params, ret);
    }
    for (size_t i = 0; i < sizeof fixed_bits / sizeof fixed_bits[0]; i++) {
        if (strcmp(type, fixed_bits[i].type) == 0) {
            *ret = fixed_bits[i].bits;
        }
    }
    return ST_OK;
}

/*
 * RFC 5280 4.1.2.7
 *   SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
 *                                       subjectPublicKey BIT STRING }
 */
static enum status read_spki(struct x509_walk *w, struct cursor *tbs)
{
    struct cursor spki, oid, key;
    struct der_tlv params = { 0 };
    bool has_params;
    char *text;
    unsigned bits = 0;

    TRY(der_expect(tbs, DER_SEQUENCE, &spki));
    TRY(read_alg(&spki, &oid, &params, &has_params));
    TRY(der_expect(&spki, DER_BIT_STRING, &key));
    TRY(cur_close(&spki));
    TRY(oid_text(w->a, oid, &text));
    const char *type = OID_LOOKUP(key_type_names, text);
    w->cert->key_type = type ? ev_strdup(w->a, type) : text;
    if (!w->cert->key_type) {
        return ST_NOMEM;
    }
    if (!type) {
        return ST_OK;
    }
    /* a key that cannot be measured is recorded; the extensions are still read */
    enum status st = key_bits(w, type, has_params ? &params : NULL, key, &bits);
    if (st == ST_NOMEM) {
        return st;
    }
    walk_mark(w, st, "subjectPublicKeyInfo", cur_offset(&key), "invalid public key");
    w->cert->key_bits = st == ST_OK ? bits : 0;
    return ST_OK;
}

/* ---- extensions (RFC 5280 4.2) --------------------------------------------- */

/*
 * 4.2.1.9  BasicConstraints ::= SEQUENCE {
 *              cA                BOOLEAN DEFAULT FALSE,
 *              pathLenConstraint INTEGER (0..MAX) OPTIONAL }
 */
static enum status ext_basic_constraints(struct x509_walk *w, struct cursor *value)
{
    struct cursor seq, body;
    uint8_t tag, b;

    TRY(der_expect(value, DER_SEQUENCE, &seq));
    if (cur_peek_u8(&seq, &tag) == ST_OK && tag == DER_BOOLEAN) {
        TRY(der_expect(&seq, DER_BOOLEAN, &body));
        TRY(cur_u8(&body, &b));
        TRY(cur_close(&body));
        w->cert->is_ca = b != 0;
    }
    if (cur_peek_u8(&seq, &tag) == ST_OK && tag == DER_INTEGER) {
        TRY(der_expect(&seq, DER_INTEGER, &body));
        TRY(cur_peek_u8(&body, &b));
        if (b & 0x80) {
            return cur_fail(&body, ST_MALFORMED, "negative pathLenConstraint");
        }
        uint64_t v = 0;
        while (cur_left(&body) > 0) {
            TRY(cur_u8(&body, &b));
            v = v > INT_MAX ? v : (v << 8) | b;
        }
        w->cert->path_len = v > INT_MAX ? INT_MAX : (int)v;
    }
    return cur_close(&seq);
}

/*
 * 4.2.1.3  KeyUsage ::= BIT STRING { digitalSignature (0), nonRepudiation (1),
 *   keyEncipherment (2), dataEncipherment (3), keyAgreement (4),
 *   keyCertSign (5), cRLSign (6), encipherOnly (7), decipherOnly (8) }
 * Bits past decipherOnly have no name and are ignored.
 */
static enum status ext_key_usage(struct x509_walk *w, struct cursor *value)
{
    struct cursor bits;
    uint8_t unused, b = 0;
    unsigned index = 0;

    TRY(der_expect(value, DER_BIT_STRING, &bits));
    TRY(bit_string_body(&bits, &unused));
    while (cur_left(&bits) > 0 && index < 9) {
        TRY(cur_u8(&bits, &b));
        for (unsigned i = 0; i < 8 && index < 9; i++, index++) {
            if (!(b & (0x80u >> i))) {
                continue;
            }
            char *name = ev_strdup(w->a, key_usage_names[index]);
            if (!name) {
                return ST_NOMEM;
            }
            TRY(EV_PUSH(w->a, w->cert->key_usage, w->cert->key_usage_count, w->ku_cap, 9, &name));
        }
    }
    return ST_OK;
}

static enum status push_list(struct x509_walk *w, char ***items, size_t *count, size_t *cap,
                             char *s, struct cursor *at)
{
    if (!s) {
        return ST_NOMEM;
    }
    enum status st =
        ev_push(w->a, (void **)items, count, cap, sizeof **items, CAP_LIST_PER_CERT, &s);
    if (st == ST_LIMIT) {
        return cur_fail(at, ST_LIMIT, "too many entries (kept the first ones)");
    }
    return st;
}

/*   4.2.1.12  ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId (an OID) */
static enum status ext_ext_key_usage(struct x509_walk *w, struct cursor *value)
{
    struct cursor seq, oid;
    char *text;

    TRY(der_expect(value, DER_SEQUENCE, &seq));
    while (cur_left(&seq) > 0) {
        TRY(der_expect(&seq, DER_OID, &oid));
        TRY(oid_text(w->a, oid, &text));
        const char *name = OID_LOOKUP(eku_names, text);
        TRY(push_list(w, &w->cert->ext_key_usage, &w->cert->ext_key_usage_count, &w->eku_cap,
                      name ? ev_strdup(w->a, name) : text, &seq));
    }
    return ST_OK;
}

/* iPAddress: 4 or 16 octets (RFC 5280 4.2.1.6); IPv6 in RFC 5952 form. */
static char *ip_text(struct ev_arena *a, struct cursor addr)
{
    uint8_t raw[16];
    char text[INET6_ADDRSTRLEN];
    size_t n = cur_left(&addr);
    int family = n == 4 ? AF_INET : AF_INET6;

    if ((n != 4 && n != 16) || cur_copy(&addr, raw, n) != ST_OK ||
        !inet_ntop(family, raw, text, sizeof text)) {
        /* a name-constraints style address/mask or junk: show the bytes */
        char *hex = hex_text(a, cur_rest(&addr));
        return hex ? ev_printf(a, "IP:#%s", hex) : NULL;
    }
    return ev_printf(a, "IP:%s", text);
}

/*
 * 4.2.1.6  GeneralName ::= CHOICE {
 *   otherName [0] OtherName, rfc822Name [1] IA5String, dNSName [2] IA5String,
 *   x400Address [3] ORAddress, directoryName [4] Name,
 *   ediPartyName [5] EDIPartyName, uniformResourceIdentifier [6] IA5String,
 *   iPAddress [7] OCTET STRING, registeredID [8] OBJECT IDENTIFIER }
 * Rendered the way `openssl x509 -text` names them, shortened: DNS:, IP:,
 * email:, URI:, DirName:, RID:, othername:.
 */
static enum status general_name_text(struct x509_walk *w, const struct der_tlv *gn, char **ret)
{
    struct cursor body = gn->body;
    struct cursor inner;
    char *text = NULL;

    switch (gn->tag) {
    case 0x81:
        *ret = escaped_text(w->a, "email:", cur_rest(&body));
        return ST_OK;
    case 0x82:
        *ret = escaped_text(w->a, "DNS:", cur_rest(&body));
        return ST_OK;
    case 0x86:
        *ret = escaped_text(w->a, "URI:", cur_rest(&body));
        return ST_OK;
    case 0x87:
        *ret = ip_text(w->a, body);
        return ST_OK;
    case 0x88:
        TRY(oid_text(w->a, body, &text));
        *ret = ev_printf(w->a, "RID:%s", text);
        return ST_OK;
    case 0xa4: {
        struct der_tlv name;
        TRY(der_next(&body, &name));
        TRY(cur_close(&body));
        enum status st = dn_render(w->a, name.raw, &text);
        if (st != ST_OK) {
            return st == ST_NOMEM ? st : cur_fail(&body, st, "directoryName: bad Name");
        }
        *ret = ev_printf(w->a, "DirName:%s", text);
        return ST_OK;
    }
    case 0xa0:
        /* OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY } */
        TRY(der_expect(&body, DER_OID, &inner));
        TRY(oid_text(w->a, inner, &text));
        *ret = ev_printf(w->a, "othername:%s", text);
        return ST_OK;
    case 0xa3:
        *ret = ev_strdup(w->a, "X400Name:<unsupported>");
        return ST_OK;
    case 0xa5:
        *ret = ev_strdup(w->a, "EdiPartyName:<unsupported>");
        return ST_OK;
    default:
        return cur_fail(&body, ST_MALFORMED, "unknown GeneralName choice");
    }
}

/*   4.2.1.6  SubjectAltName ::= GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName */
static enum status ext_subject_alt_name(struct x509_walk *w, struct cursor *value)
{
    struct cursor seq;
    struct der_tlv gn;

    TRY(der_expect(value, DER_SEQUENCE, &seq));
    while (cur_left(&seq) > 0) {
        char *text = NULL;
        TRY(der_next(&seq, &gn));
        TRY(general_name_text(w, &gn, &text));
        TRY(push_list(w, &w->cert->san, &w->cert->san_count, &w->san_cap, text, &seq));
    }
    return ST_OK;
}

/*   4.2.1.2  SubjectKeyIdentifier ::= KeyIdentifier ::= OCTET STRING */
static enum status ext_ski(struct x509_walk *w, struct cursor *value)
{
    struct cursor id;

    TRY(der_expect(value, DER_OCTET_STRING, &id));
    w->cert->ski = cur_rest(&id);
    w->cert->ski_hex = hex_text(w->a, w->cert->ski);
    return w->cert->ski_hex ? ST_OK : ST_NOMEM;
}

/*
 * 4.2.1.1  AuthorityKeyIdentifier ::= SEQUENCE {
 *   keyIdentifier [0] KeyIdentifier OPTIONAL,
 *   authorityCertIssuer [1] GeneralNames OPTIONAL,
 *   authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL }
 */
static enum status ext_aki(struct x509_walk *w, struct cursor *value)
{
    struct cursor seq;
    struct der_tlv item;

    TRY(der_expect(value, DER_SEQUENCE, &seq));
    while (cur_left(&seq) > 0) {
        TRY(der_next(&seq, &item));
        if (item.tag == 0x80) {
            w->cert->aki = cur_rest(&item.body);
            w->cert->aki_hex = hex_text(w->a, w->cert->aki);
            if (!w->cert->aki_hex) {
                return ST_NOMEM;
            }
        }
    }
    return ST_OK;
}

static const struct {
    const char *oid;
    const char *name;
    enum status (*parse)(struct x509_walk *w, struct cursor *value);
} ext_table[X509_EXT_KNOWN] = {
    { "2.5.29.19", "basicConstraints extension", ext_basic_constraints },
    { "2.5.29.15", "keyUsage extension", ext_key_usage },
    { "2.5.29.37", "extendedKeyUsage extension", ext_ext_key_usage },
    { "2.5.29.17", "subjectAltName extension", ext_subject_alt_name },
    { "2.5.29.14", "subjectKeyIdentifier extension", ext_ski },
    { "2.5.29.35", "authorityKeyIdentifier extension", ext_aki },
};

/*
 * Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 *                          extnValue OCTET STRING }
 * A bad value is recorded and the next extension is still read; a second
 * copy of an extension (4.2 forbids it) is ignored.
 */
static enum status read_extension(struct x509_walk *w, struct cursor *exts)
{
    struct cursor ext, oid, crit, value;
    uint8_t tag;
    char *text;

    TRY(der_expect(exts, DER_SEQUENCE, &ext));
    TRY(der_expect(&ext, DER_OID, &oid));
    if (cur_peek_u8(&ext, &tag) == ST_OK && tag == DER_BOOLEAN) {
        TRY(der_expect(&ext, DER_BOOLEAN, &crit));
    }
    TRY(der_expect(&ext, DER_OCTET_STRING, &value));
    TRY(cur_close(&ext));
    TRY(oid_text(w->a, oid, &text));
    for (size_t i = 0; i < X509_EXT_KNOWN; i++) {
        if (strcmp(text, ext_table[i].oid) != 0 || w->ext_seen[i]) {
            continue;
        }
        w->ext_seen[i] = true;
        enum status st = ext_table[i].parse(w, &value);
        if (st == ST_OK) {
            st = cur_close(&value);
        }
        if (st == ST_NOMEM) {
            return st;
        }
        walk_mark(w, st, ext_table[i].name, cur_offset(&value), "invalid value");
    }
    return ST_OK;
}

/*   Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, in [3] EXPLICIT */
static enum status read_extensions(struct x509_walk *w, struct cursor *tbs)
{
    struct cursor wrapper, exts;

    TRY(der_expect(tbs, 0xa3, &wrapper));
    TRY(der_expect(&wrapper, DER_SEQUENCE, &exts));
    TRY(cur_close(&wrapper));
    while (cur_left(&exts) > 0) {
        TRY(read_extension(w, &exts));
    }
    return ST_OK;
}

/* ---- the certificate ------------------------------------------------------- */

static bool next_tag_is(const struct cursor *c, uint8_t tag)
{
    uint8_t t;
    return cur_peek_u8(c, &t) == ST_OK && t == tag;
}

/*
 * RFC 5280 4.1
 *   TBSCertificate ::= SEQUENCE {
 *       version         [0] EXPLICIT Version DEFAULT v1,
 *       serialNumber        CertificateSerialNumber,
 *       signature           AlgorithmIdentifier,
 *       issuer              Name,
 *       validity            Validity,
 *       subject             Name,
 *       subjectPublicKeyInfo SubjectPublicKeyInfo,
 *       issuerUniqueID  [1] IMPLICIT UniqueIdentifier OPTIONAL,
 *       subjectUniqueID [2] IMPLICIT UniqueIdentifier OPTIONAL,
 *       extensions      [3] EXPLICIT Extensions OPTIONAL }
 * w->where follows the field being read, for the error message.
 */
static enum status read_tbs(struct x509_walk *w, struct cursor *tbs)
{
    struct ev_cert *c = w->cert;
    struct cursor version, v;

    if (next_tag_is(tbs, 0xa0)) {
        w->where = "version";
        TRY(der_expect(tbs, 0xa0, &version));
        TRY(der_expect(&version, DER_INTEGER, &v));
        TRY(cur_close(&version));
    }
    w->where = "serialNumber";
    TRY(read_serial(w, tbs));
    w->where = "signature";
    TRY(read_sig_alg(w, tbs));
    w->where = "issuer";
    TRY(read_name(w, tbs, "issuer", &c->issuer_der, &c->issuer));
    w->where = "validity";
    TRY(read_validity(w, tbs));
    w->where = "subject";
    TRY(read_name(w, tbs, "subject", &c->subject_der, &c->subject));
    w->where = "subjectPublicKeyInfo";
    TRY(read_spki(w, tbs));
    w->where = "issuerUniqueID";
    if (next_tag_is(tbs, 0x81)) {
        TRY(der_expect(tbs, 0x81, &v));
    }
    w->where = "subjectUniqueID";
    if (next_tag_is(tbs, 0x82)) {
        TRY(der_expect(tbs, 0x82, &v));
    }
    w->where = "extensions";
    if (next_tag_is(tbs, 0xa3)) {
        TRY(read_extensions(w, tbs));
    }
    w->where = "tbsCertificate";
    return cur_close(tbs);
}

/*
 * RFC 5280 4.1
 *   Certificate ::= SEQUENCE {
 *       tbsCertificate       TBSCertificate,
 *       signatureAlgorithm   AlgorithmIdentifier,
 *       signatureValue       BIT STRING }
 * The outer signatureAlgorithm wins over the copy inside tbsCertificate;
 * it is still read when tbsCertificate is broken. A failure is recorded in
 * w (only running out of memory is returned).
 */
static enum status read_certificate(struct x509_walk *w, struct cursor *top)
{
    struct cursor cert, tbs, sig;
    enum status st;

    w->where = "Certificate";
    st = der_expect(top, DER_SEQUENCE, &cert);
    if (st == ST_OK) {
        st = der_expect(&cert, DER_SEQUENCE, &tbs);
    }
    if (st == ST_OK) {
        st = read_tbs(w, &tbs);
        walk_mark(w, st, w->where, cur_offset(&tbs), "invalid");
        if (st == ST_NOMEM) {
            return st;
        }
        w->where = "signatureAlgorithm";
        st = read_sig_alg(w, &cert);
    }
    if (st == ST_OK) {
        w->where = "signatureValue";
        st = der_expect(&cert, DER_BIT_STRING, &sig);
    }
    if (st == ST_OK) {
        w->where = "Certificate";
        st = cur_close(&cert);
    }
    if (st == ST_OK) {
        w->where = "the bytes after the certificate";
        st = cur_close(top);
    }
    walk_mark(w, st, w->where, cur_offset(top), "invalid");
    return st == ST_NOMEM ? st : ST_OK;
}

static bool same_bytes(struct bytes a, struct bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/*
 * Self-signed as RFC 5280 6.1 and OpenSSL's X509_check_issued see it:
 * issuer and subject encode the same name, and the authority key
 * identifier, when both are there, names the certificate's own key.
 * (wolfSSL_X509_verify cannot check DSA or EdDSA signatures, so the
 * signature is not used.)
 */
static bool is_self_signed(const struct ev_cert *c)
{
    if (!c->subject_der.ptr || !c->issuer_der.ptr || !same_bytes(c->subject_der, c->issuer_der)) {
        return false;
    }
    return c->aki.len == 0 || c->ski.len == 0 || same_bytes(c->aki, c->ski);
}

/* ---- wolfSSL ----------------------------------------------------------------- */

/*
 * wc_ParseCert without verification tells whether wolfSSL accepts the
 * certificate, and why not (its error codes are precise where
 * wolfSSL_d2i_X509's error queue is not); the compat layer then gives
 * wolfSSL's key size. Returns the error code, 0 when accepted.
 */
static int wolf_check(struct bytes der, unsigned *ret_bits)
{
    struct DecodedCert *dc;
    int rc;

    if (der.len > INT_MAX) {
        return BUFFER_E;
    }
    dc = malloc(sizeof *dc);
    if (!dc) {
        return MEMORY_E;
    }
    wc_InitDecodedCert(dc, der.ptr, (word32)der.len, NULL);
    rc = wc_ParseCert(dc, CERT_TYPE, NO_VERIFY, NULL);
    wc_FreeDecodedCert(dc);
    free(dc);
    if (rc != 0) {
        return rc;
    }
    const unsigned char *p = der.ptr;
    WOLFSSL_X509 *x509 = wolfSSL_d2i_X509(NULL, &p, (int)der.len);
    if (x509) {
        WOLFSSL_EVP_PKEY *key = wolfSSL_X509_get_pubkey(x509);
        if (key) {
            int bits = wolfSSL_EVP_PKEY_bits(key);
            *ret_bits = bits > 0 ? (unsigned)bits : 0;
            wolfSSL_EVP_PKEY_free(key);
        }
        wolfSSL_X509_free(x509);
    }
    /* the compat layer queues errors for what it cannot convert (EdDSA,
     * RSA-PSS keys); they are not ours to keep */
    wolfSSL_ERR_clear_error();
    return 0;
}

/* ---- decoding and the cache ------------------------------------------------- */

/*
 * "wolfSSL could not parse the certificate: <wolfSSL's reason> (<code>)",
 * then what our own walk found, "<part>: <reason> (<status>) at byte N".
 */
static enum status set_error(struct x509_walk *w, int wolf_rc)
{
    struct ev_cert *c = w->cert;
    const char *walk_msg = NULL;

    if (w->err.status != ST_OK) {
        walk_msg =
            ev_printf(w->a, "%s: %s (%s) at byte %llu", w->err_where ? w->err_where : "certificate",
                      w->err.reason ? w->err.reason : "invalid", status_name(w->err.status),
                      (unsigned long long)w->err.offset);
        if (!walk_msg) {
            return ST_NOMEM;
        }
    }
    if (wolf_rc != 0 && walk_msg) {
        c->error = ev_printf(w->a, "wolfSSL could not parse the certificate: %s (%d); %s",
                             wc_GetErrorString(wolf_rc), wolf_rc, walk_msg);
    } else if (wolf_rc != 0) {
        c->error = ev_printf(w->a, "wolfSSL could not parse the certificate: %s (%d)",
                             wc_GetErrorString(wolf_rc), wolf_rc);
    } else if (walk_msg) {
        c->error = ev_printf(w->a, "certificate not fully decoded: %s", walk_msg);
    } else {
        return ST_OK;
    }
    return c->error ? ST_OK : ST_NOMEM;
}

static enum status decode(struct ev_arena *a, struct bytes der,
                          const uint8_t digest[X509_SHA256_LEN], struct ev_cert **ret)
{
    struct x509_walk w = { .a = a };
    struct cursor top;
    unsigned wolf_bits = 0;

    w.cert = ev_alloc(a, sizeof *w.cert);
    if (!w.cert) {
        return ST_NOMEM;
    }
    struct ev_cert *c = w.cert;
    c->path_len = -1;
    c->der.ptr = ev_memdup(a, der.ptr, der.len);
    if (!c->der.ptr) {
        return ST_NOMEM;
    }
    c->der.len = der.len;
    hex_digest(digest, c->sha256);

    cur_init_bytes(&top, c->der, 0, &w.err);
    TRY(read_certificate(&w, &top));
    c->self_signed = is_self_signed(c);

    int rc = wolf_check(c->der, &wolf_bits);
    if (c->key_bits == 0) {
        c->key_bits = wolf_bits;
    }
    TRY(set_error(&w, rc));
    *ret = c;
    return ST_OK;
}

struct x509_slot {
    uint8_t digest[X509_SHA256_LEN];
    struct ev_cert *cert;
};

struct x509_cache {
    struct ev_arena *arena;
    size_t count;
    struct x509_slot *slots; /* X509_CACHE_SLOTS */
};

struct x509_cache *x509_cache_new(struct ev_arena *arena)
{
    struct x509_cache *cache = calloc(1, sizeof *cache);

    if (!cache) {
        return NULL;
    }
    cache->slots = calloc(X509_CACHE_SLOTS, sizeof *cache->slots);
    if (!cache->slots) {
        free(cache);
        return NULL;
    }
    cache->arena = arena;
    return cache;
}

void x509_cache_free(struct x509_cache *cache)
{
    if (!cache) {
        return;
    }
    free(cache->slots);
    free(cache);
}

/* The slot holding this certificate, or the empty slot where it belongs. */
static struct x509_slot *cache_find(struct x509_cache *cache, const uint8_t digest[X509_SHA256_LEN],
                                    struct bytes der)
{
    size_t h = 0;

    for (size_t i = 0; i < sizeof h; i++) {
        h = (h << 8) | digest[i];
    }
    for (size_t i = 0; i < X509_CACHE_SLOTS; i++) {
        struct x509_slot *s = &cache->slots[(h + i) & (X509_CACHE_SLOTS - 1)];
        if (!s->cert) {
            return s;
        }
        if (memcmp(s->digest, digest, X509_SHA256_LEN) == 0 && same_bytes(s->cert->der, der)) {
            return s;
        }
    }
    return NULL; /* not reached: the table is never more than half full */
}

enum status x509_decode(struct x509_cache *cache, struct bytes der, struct ev_cert **ret)
{
    uint8_t digest[X509_SHA256_LEN];
    struct ev_cert *cert;

    if (!cache || (!der.ptr && der.len > 0)) {
        return ST_INTERNAL;
    }
    if (!sha256(der, digest)) {
        return ST_INTERNAL;
    }
    struct x509_slot *slot = cache_find(cache, digest, der);
    if (slot && slot->cert) {
        *ret = slot->cert;
        return ST_OK;
    }
    TRY(decode(cache->arena, der, digest, &cert));
    if (slot && cache->count < CAP_CERT_CACHE) {
        for (size_t i = 0; i < X509_SHA256_LEN; i++) {
            slot->digest[i] = digest[i];
        }
        slot->cert = cert;
        cache->count++;
    }
    *ret = cert;
    return ST_OK;
}

/* ---- certificate files ------------------------------------------------------ */

static const char pem_begin[] = "-----BEGIN CERTIFICATE-----";
static const char pem_end[] = "-----END CERTIFICATE-----";

/* The whole file into a NUL-terminated heap buffer, at most
 * X509_FILE_MAX bytes. */
static enum status read_small_file(const char *path, uint8_t **ret_buf, size_t *ret_len,
                                   char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
        return ST_MALFORMED;
    }
    uint8_t *buf = malloc(X509_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        snprintf(errbuf, errlen, "%s: out of memory", path);
        return ST_NOMEM;
    }
    size_t n = fread(buf, 1, X509_FILE_MAX + 1, f);
    bool err = ferror(f) != 0;
    fclose(f);
    if (err || n == 0 || n > X509_FILE_MAX) {
        snprintf(errbuf, errlen, "%s: %s", path,
                 err      ? "read error"
                 : n == 0 ? "the file is empty"
                          : "larger than 1 MiB: not a certificate file");
        free(buf);
        return err ? ST_TRUNCATED : n == 0 ? ST_MALFORMED : ST_LIMIT;
    }
    buf[n] = 0;
    *ret_buf = buf;
    *ret_len = n;
    return ST_OK;
}

static enum status chain_push(struct x509_cache *cache, struct ev_chain *chain, size_t max,
                              struct bytes der, const char *path, char *errbuf, size_t errlen)
{
    if (chain->count >= max) {
        snprintf(errbuf, errlen, "%s: more than %zu certificates", path, max);
        return ST_LIMIT;
    }
    struct ev_cert *cert;
    enum status st = x509_decode(cache, der, &cert);
    if (st != ST_OK) {
        snprintf(errbuf, errlen, "%s: %s", path, status_name(st));
        return st;
    }
    if (cert->error) {
        snprintf(errbuf, errlen, "%s: certificate %zu: %s", path, chain->count + 1, cert->error);
        return ST_MALFORMED;
    }
    chain->certs[chain->count++] = cert;
    return ST_OK;
}

/* PEM: every CERTIFICATE block in file order, through wolfSSL's PEM-to-DER. */
static enum status load_pem(struct x509_cache *cache, const char *text, struct ev_chain *chain,
                            size_t max, const char *path, char *errbuf, size_t errlen)
{
    uint8_t *der = malloc(X509_FILE_MAX);
    if (!der) {
        snprintf(errbuf, errlen, "%s: out of memory", path);
        return ST_NOMEM;
    }
    enum status st = ST_OK;
    const char *p = text;
    while (st == ST_OK && (p = strstr(p, pem_begin)) != NULL) {
        const char *e = strstr(p, pem_end);
        if (!e) {
            snprintf(errbuf, errlen, "%s: certificate %zu has no END line", path, chain->count + 1);
            st = ST_MALFORMED;
            break;
        }
        e += sizeof pem_end - 1;
        int n = wc_CertPemToDer((const unsigned char *)p, (int)(e - p), der, (int)X509_FILE_MAX,
                                CERT_TYPE);
        if (n <= 0) {
            snprintf(errbuf, errlen, "%s: certificate %zu: bad PEM (wolfSSL error %d)", path,
                     chain->count + 1, n);
            st = ST_MALFORMED;
            break;
        }
        st = chain_push(cache, chain, max, (struct bytes){ der, (size_t)n }, path, errbuf, errlen);
        p = e;
    }
    free(der);
    return st;
}

/* DER: one or more certificates back to back (each a SEQUENCE). */
static enum status load_der(struct x509_cache *cache, const uint8_t *buf, size_t len,
                            struct ev_chain *chain, size_t max, const char *path, char *errbuf,
                            size_t errlen)
{
    struct parse_error perr = { 0 };
    struct cursor c;
    cur_init(&c, buf, len, 0, &perr);
    while (cur_left(&c) > 0) {
        size_t start = cur_offset(&c);
        struct der_tlv tlv;
        if (der_next(&c, &tlv) != ST_OK || tlv.tag != 0x30) {
            snprintf(errbuf, errlen,
                     "%s: offset %zu: neither a PEM CERTIFICATE block nor a DER certificate", path,
                     start);
            return ST_MALFORMED;
        }
        struct bytes der = { buf + start, cur_offset(&c) - start };
        TRY(chain_push(cache, chain, max, der, path, errbuf, errlen));
    }
    return ST_OK;
}

static enum status load_file(struct x509_cache *cache, const char *path, size_t max,
                             struct ev_chain **ret_chain, char *errbuf, size_t errlen)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (!cache) {
        return ST_INTERNAL;
    }
    TRY(read_small_file(path, &buf, &len, errbuf, errlen));
    struct ev_chain *chain = ev_alloc(cache->arena, sizeof *chain);
    struct ev_cert **certs = chain ? ev_alloc(cache->arena, max * sizeof *certs) : NULL;
    enum status st = ST_NOMEM;
    if (!certs) {
        snprintf(errbuf, errlen, "%s: out of memory", path);
        goto out;
    }
    chain->certs = certs;
    if (strstr((const char *)buf, pem_begin)) {
        st = load_pem(cache, (const char *)buf, chain, max, path, errbuf, errlen);
    } else {
        st = load_der(cache, buf, len, chain, max, path, errbuf, errlen);
    }
    if (st == ST_OK && chain->count == 0) {
        snprintf(errbuf, errlen, "%s: no certificate in the file", path);
        st = ST_MALFORMED;
    }
    if (st == ST_OK) {
        *ret_chain = chain;
    }
out:
    free(buf);
    return st;
}

enum status x509_load_file(struct x509_cache *cache, const char *path, struct ev_chain **ret_chain,
                           char *errbuf, size_t errlen)
{
    return load_file(cache, path, CAP_CERTS_PER_CHAIN, ret_chain, errbuf, errlen);
}

enum status x509_load_trust_file(struct x509_cache *cache, const char *path,
                                 struct ev_chain **ret_trust, char *errbuf, size_t errlen)
{
    return load_file(cache, path, CAP_TRUST_CERTS, ret_trust, errbuf, errlen);
}

/* ---- chain verification (--trust) ------------------------------------------ */

/*
 * wolfSSL 5.5.4 judges certificate dates only against the wall clock: its
 * date check is XTIME() = time(), wc_SetTimeCb does not reach it, and the
 * compat layer's X509_STORE_CTX_set_time is stored but not used by
 * X509_verify_cert. So the work is split: wolfSSL's certificate manager
 * verifies the links (issuer found, signature, CA flag, path length), and
 * its date errors, which it returns only when nothing else is wrong, are
 * set aside; the dates of every certificate on the path and of the anchor
 * are then judged here at the handshake time (DESIGN.md: never the wall
 * clock). The path is built from the chain as sent (the leaf first, each
 * step to the certificate whose subject is the current issuer, RFC 5280 7.1
 * names, key identifiers when both are there) and verified from the top
 * down: the top against the anchors (one certificate manager, loaded once),
 * each certificate below against the one above it alone (a scratch manager),
 * so a sent intermediate counts only through the links above it and never
 * becomes an anchor for another chain. CA certificates are loaded with
 * WOLFSSL_LOAD_FLAG_DATE_ERR_OKAY so that an expired root is still an
 * anchor (and then reported as expired at the handshake time). wolfSSL's
 * own pathLenConstraint bookkeeping spans one link at a time here.
 */

#define X509_VERIFY_MEMO 32u /* link results kept per verifier, by path */

struct x509_memo {
    const struct ev_cert *path[CAP_CERTS_PER_CHAIN];
    size_t path_len;
    enum ev_verify_result result; /* OK, NO_ISSUER, UNTRUSTED_ROOT or INVALID */
    unsigned depth;
    const struct ev_cert *anchor;
    char reason[1024]; /* in words; "" when OK */
};

struct x509_verifier {
    const struct ev_chain *trust;
    const char *trust_name;
    bool self_signed_only;
    WOLFSSL_CTX *anchors;   /* the trust anchors, loaded once */
    struct x509_memo *memo; /* X509_VERIFY_MEMO entries, round robin */
    size_t memo_count, memo_next;
};

enum status x509_verifier_new(const struct ev_chain *trust, const char *trust_name,
                              bool self_signed_only, struct x509_verifier **ret)
{
    struct x509_verifier *v = calloc(1, sizeof *v);
    if (!v) {
        return ST_NOMEM;
    }
    v->memo = calloc(X509_VERIFY_MEMO, sizeof *v->memo);
    if (!v->memo || wolfSSL_Init() != WOLFSSL_SUCCESS) {
        free(v->memo);
        free(v);
        return ST_NOMEM;
    }
    v->trust = trust;
    v->trust_name = trust_name;
    v->self_signed_only = self_signed_only;
    *ret = v;
    return ST_OK;
}

void x509_verifier_free(struct x509_verifier *v)
{
    if (!v) {
        return;
    }
    wolfSSL_CTX_free(v->anchors);
    wolfSSL_Cleanup();
    free(v->memo);
    free(v);
}

static bool names_equal(struct bytes a, struct bytes b)
{
    bool equal = false;
    if (a.len == 0 || b.len == 0) {
        return false;
    }
    if (same_bytes(a, b)) {
        return true;
    }
    return dn_der_equal(a, b, &equal) == ST_OK && equal;
}

/* Could `issuer` have issued `cert`? Its subject is cert's issuer name and,
 * when both key identifiers are there, its key is the one cert names. */
static bool issued_by(const struct ev_cert *cert, const struct ev_cert *issuer)
{
    if (!names_equal(cert->issuer_der, issuer->subject_der)) {
        return false;
    }
    return cert->aki.len == 0 || issuer->ski.len == 0 || same_bytes(cert->aki, issuer->ski);
}

static bool is_anchor(const struct x509_verifier *v, const struct ev_cert *c)
{
    return c && (!v->self_signed_only || c->self_signed);
}

/* The trust anchor that issued cert (or that is cert), or NULL. */
static const struct ev_cert *anchor_for(const struct x509_verifier *v, const struct ev_cert *cert)
{
    for (size_t i = 0; v->trust && i < v->trust->count; i++) {
        const struct ev_cert *t = v->trust->certs[i];
        if (is_anchor(v, t) && (same_bytes(t->der, cert->der) || issued_by(cert, t))) {
            return t;
        }
    }
    return NULL;
}

/* The path from the leaf through the chain as sent; returns its length. */
static size_t build_path(const struct ev_chain *chain, const struct ev_cert **path)
{
    size_t n = 0;
    path[n++] = chain->certs[0];
    while (n < CAP_CERTS_PER_CHAIN && !path[n - 1]->self_signed) {
        const struct ev_cert *cur = path[n - 1], *next = NULL;
        for (size_t i = 0; i < chain->count && !next; i++) {
            const struct ev_cert *c = chain->certs[i];
            bool used = false;
            for (size_t j = 0; j < n && c; j++) {
                used = used || path[j] == c || same_bytes(path[j]->der, c->der);
            }
            if (c && !used && issued_by(cur, c)) {
                next = c;
            }
        }
        if (!next) {
            break;
        }
        path[n++] = next;
    }
    return n;
}

static bool wolf_ok(int rc)
{
    /* date errors come only when nothing else is wrong: judged later, at the handshake time */
    return rc == WOLFSSL_SUCCESS || rc == ASN_AFTER_DATE_E || rc == ASN_BEFORE_DATE_E;
}

static int load_ca(WOLFSSL_CTX *ctx, const struct ev_cert *c)
{
    if (c->der.len > INT_MAX) {
        return BUFFER_E;
    }
    return wolfSSL_CTX_load_verify_buffer_ex(ctx, c->der.ptr, (long)c->der.len,
                                             WOLFSSL_FILETYPE_ASN1, 0,
                                             WOLFSSL_LOAD_FLAG_DATE_ERR_OKAY);
}

/* What wolfSSL's refusal of certificate c (the top of the path or not) means. */
static enum ev_verify_result link_result(int rc, bool top, const struct ev_cert *c,
                                         const char **ret_what)
{
    if ((rc == ASN_SELF_SIGNED_E || rc == ASN_NO_SIGNER_E) && top && c->self_signed) {
        *ret_what = "self-signed and not a trust anchor";
        return EV_VERIFY_UNTRUSTED_ROOT;
    }
    if (rc == ASN_NO_SIGNER_E && top) {
        *ret_what = "its issuer was neither sent nor is a trust anchor";
        return EV_VERIFY_NO_ISSUER;
    }
    if (rc == ASN_NO_SIGNER_E) {
        *ret_what = "wolfSSL does not take the next certificate of the path as its issuer";
    } else if (rc == ASN_SIG_CONFIRM_E) {
        *ret_what = "its signature does not verify with the issuer's key";
    } else {
        *ret_what = "wolfSSL rejects it";
    }
    return EV_VERIFY_INVALID;
}

/* The trust anchors in a certificate manager of their own, made once. */
static WOLFSSL_CTX *anchors_ctx(struct x509_verifier *v)
{
    if (v->anchors) {
        return v->anchors;
    }
    v->anchors = wolfSSL_CTX_new(wolfTLS_client_method());
    for (size_t i = 0; v->anchors && v->trust && i < v->trust->count; i++) {
        if (is_anchor(v, v->trust->certs[i])) {
            (void)load_ca(v->anchors, v->trust->certs[i]); /* a non-CA in CAFILE is no anchor */
        }
    }
    return v->anchors;
}

static int verify_with(WOLFSSL_CTX *ctx, const struct ev_cert *c)
{
    if (c->der.len > INT_MAX) {
        return BUFFER_E;
    }
    return wolfSSL_CertManagerVerifyBuffer(wolfSSL_CTX_GetCertManager(ctx), c->der.ptr,
                                           (long)c->der.len, WOLFSSL_FILETYPE_ASN1);
}

/* Does `issuer` (a certificate of the path that verified) verify `cert`?
 * It is loaded as the only CA of a scratch certificate manager, so that a
 * sent intermediate never becomes an anchor for another chain. */
static int verify_link(const struct ev_cert *cert, const struct ev_cert *issuer,
                       const char **ret_what)
{
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfTLS_client_method());
    if (!ctx) {
        return MEMORY_E;
    }
    int rc = load_ca(ctx, issuer);
    if (wolf_ok(rc)) {
        rc = verify_with(ctx, cert);
    } else {
        *ret_what = "wolfSSL will not take the next certificate of the path as an issuer "
                    "(not a CA?)";
    }
    wolfSSL_CTX_free(ctx);
    return rc;
}

/* The links of the path, top down: the top against the anchors, each
 * certificate below against the one above it. */
static enum status verify_links(struct x509_verifier *v, const struct ev_cert **path, size_t n,
                                struct x509_memo *ret)
{
    WOLFSSL_CTX *anchors = anchors_ctx(v);
    if (!anchors) {
        return ST_NOMEM;
    }
    ret->result = EV_VERIFY_OK;
    ret->anchor = anchor_for(v, path[n - 1]);
    ret->reason[0] = '\0';
    for (size_t i = n; i-- > 0;) {
        const char *what = NULL;
        int rc =
            i == n - 1 ? verify_with(anchors, path[i]) : verify_link(path[i], path[i + 1], &what);
        if (rc == MEMORY_E) {
            return ST_NOMEM;
        }
        if (wolf_ok(rc)) {
            continue;
        }
        ret->depth = (unsigned)(what ? i + 1 : i);
        ret->result = what ? EV_VERIFY_INVALID : link_result(rc, i == n - 1, path[i], &what);
        /* names stay out: they are the evidence's to render (and to redact) */
        snprintf(ret->reason, sizeof ret->reason, "%s (wolfSSL: %s, %d)", what,
                 wc_GetErrorString(rc), rc);
        break;
    }
    wolfSSL_ERR_clear_error();
    return ST_OK;
}

static struct x509_memo *memo_find(struct x509_verifier *v, const struct ev_cert **path, size_t n)
{
    for (size_t i = 0; i < v->memo_count; i++) {
        struct x509_memo *m = &v->memo[i];
        bool same = m->path_len == n;
        for (size_t j = 0; same && j < n; j++) {
            same = m->path[j] == path[j];
        }
        if (same) {
            return m;
        }
    }
    return NULL;
}

/* The first certificate of the path (then the anchor) outside its validity at `at`. */
static void judge_dates(struct ev_verify *out, const struct ev_cert **path, size_t n, int64_t at)
{
    for (size_t i = 0; i <= n && at != 0; i++) {
        const struct ev_cert *c = i < n ? path[i] : out->anchor;
        if (!c || (i == n && n > 0 && same_bytes(c->der, path[n - 1]->der))) {
            continue; /* no anchor, or the anchor is the top itself */
        }
        if (c->not_after_t != 0 && c->not_after_t < at) {
            out->result = EV_VERIFY_EXPIRED;
        } else if (c->not_before_t != 0 && c->not_before_t > at) {
            out->result = EV_VERIFY_NOT_YET_VALID;
        } else {
            continue;
        }
        out->depth = (unsigned)i;
        out->cert = c;
        return;
    }
}

enum status x509_verify_chain(struct x509_verifier *v, struct ev_arena *a,
                              const struct ev_chain *chain, int64_t at, struct ev_verify **ret)
{
    const struct ev_cert *path[CAP_CERTS_PER_CHAIN];
    if (!chain || chain->count == 0 || !chain->certs[0]) {
        *ret = NULL;
        return ST_OK;
    }
    size_t n = build_path(chain, path);
    struct x509_memo *m = memo_find(v, path, n);
    if (!m) {
        struct x509_memo fresh = { .path_len = n };
        for (size_t i = 0; i < n; i++) {
            fresh.path[i] = path[i];
        }
        TRY(verify_links(v, path, n, &fresh));
        m = &v->memo[v->memo_next];
        *m = fresh;
        v->memo_next = (v->memo_next + 1) % X509_VERIFY_MEMO;
        if (v->memo_count < X509_VERIFY_MEMO) {
            v->memo_count++;
        }
    }
    struct ev_verify *out = ev_alloc(a, sizeof *out);
    if (!out) {
        return ST_NOMEM;
    }
    out->result = m->result;
    out->depth = m->depth;
    out->anchor = m->anchor;
    out->path_len = n;
    out->top = path[n - 1];
    out->reason = m->reason[0] ? ev_strdup(a, m->reason) : NULL;
    out->trust_name = v->trust_name;
    out->at = at;
    out->cert = m->result == EV_VERIFY_OK ? NULL : path[m->depth];
    if (m->reason[0] && !out->reason) {
        return ST_NOMEM;
    }
    if (out->result == EV_VERIFY_OK) {
        judge_dates(out, path, n, at);
        if (out->result != EV_VERIFY_OK) {
            const struct ev_cert *c = out->cert;
            bool exp = out->result == EV_VERIFY_EXPIRED;
            out->reason = ev_printf(a, "%s %s", exp ? "expired on" : "not valid before",
                                    exp ? (c->not_after ? c->not_after : "?")
                                        : (c->not_before ? c->not_before : "?"));
            if (!out->reason) {
                return ST_NOMEM;
            }
        }
    }
    *ret = out;
    return ST_OK;
}

static enum status verify_into(struct x509_verifier *v, struct ev_arena *a, struct ev_chain *chain,
                               int64_t at)
{
    if (!chain || chain->verify || chain->count == 0) {
        return ST_OK;
    }
    return x509_verify_chain(v, a, chain, at, &chain->verify);
}

enum status x509_verify_evidence(struct x509_verifier *v, struct evidence *ev)
{
    for (size_t i = 0; i < ev->conn_count; i++) {
        struct ev_connection *c = ev->conns[i];
        TRY(verify_into(v, &ev->arena, c->server_chain, c->first_ts.sec));
        TRY(verify_into(v, &ev->arena, c->client_chain, c->first_ts.sec));
    }
    return ST_OK;
}
