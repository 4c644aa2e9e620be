/*
 * test_x509.c - x509_decode on the certificates in tests/data/certs (made
 * by make-certs.sh, or taken from the public corpus) with every field
 * checked against `openssl x509 -text` / `-nameopt RFC2253`, and on
 * synthetic certificates built here for the edges: UTCTime/GeneralizedTime
 * forms, extension oddities, truncation at every byte, trailing bytes,
 * garbage, the cache (same DER -> same struct, the cap) and an arena that
 * runs out at every allocation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "x509.h"
#include "testlib.h"

#define ARENA_CAP (64u << 20)
#define MAX_DER 4096

/* ---- helpers ------------------------------------------------------------- */

/* Items of an arena list joined with "|" (static buffer: one use per CHECK). */
static const char *joined(char **items, size_t n)
{
    static char out[8192];
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out + len, sizeof out - len, "%s%s", i ? "|" : "", items[i]);
        if (w < 0 || (size_t)w >= sizeof out - len) {
            return "(too long)";
        }
        len += (size_t)w;
    }
    return out;
}

static const char *hex_of(struct bytes b)
{
    static char out[256];
    size_t n = 0;

    out[0] = '\0';
    for (size_t i = 0; i < b.len && n + 3 < sizeof out; i++) {
        n += (size_t)snprintf(out + n, sizeof out - n, "%02x", b.ptr[i]);
    }
    return out;
}

static bool starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static uint8_t *read_cert(const char *dir, const char *file, size_t *ret_len)
{
    char path[1024];

    snprintf(path, sizeof path, "%s/certs/%s", dir, file);
    uint8_t *p = tl_read_file(path, ret_len);
    if (!p) {
        fprintf(stderr, "cannot read %s\n", path);
    }
    return p;
}

/* A TLV with a definite length (short or 2-byte long form). */
static size_t put_tlv(uint8_t *out, size_t n, uint8_t tag, const uint8_t *body, size_t len)
{
    out[n++] = tag;
    if (len < 0x80) {
        out[n++] = (uint8_t)len;
    } else if (len < 0x100) {
        out[n++] = 0x81;
        out[n++] = (uint8_t)len;
    } else {
        out[n++] = 0x82;
        out[n++] = (uint8_t)(len >> 8);
        out[n++] = (uint8_t)len;
    }
    memmove(out + n, body, len);
    return n + len;
}

static size_t put_hex(uint8_t *out, size_t n, const char *hex)
{
    long k = tl_hex(hex, out + n, MAX_DER - n);
    return k < 0 ? n : n + (size_t)k;
}

/*
 * A v3 certificate: serial 1, ecdsa-with-SHA256, issuer = subject = CN=test,
 * the P-256 key of ec-leaf.der, the given validity body and extensions
 * (bodies, without the SEQUENCE / [3] wrappers; NULL for none), and a
 * signature that is not one. wolfSSL parses it without verifying.
 */
#define EC_SPKI                                                                                    \
    "3059301306072a8648ce3d020106082a8648ce3d030107034200046106dfe66f6dc71f0efb4af4b833efb2e54f0b" \
    "ac9b6e68ff0409cbf09d13ab379ddb298e4eb108e1d69cbfa8ae2e66aa0daebd71b4971fc49eec68a3d7b8a5e8"

static size_t make_cert_spki(uint8_t *out, const char *validity, const char *spki, const char *exts)
{
    uint8_t tbs[MAX_DER], tmp[MAX_DER], ext_seq[MAX_DER], cert[MAX_DER];
    size_t n = 0, k;

    n = put_hex(tbs, n, "a003020102 020101 300a06082a8648ce3d040302");
    n = put_hex(tbs, n, "300f310d300b06035504030c0474657374");
    k = put_hex(tmp, 0, validity);
    n = put_tlv(tbs, n, 0x30, tmp, k);
    n = put_hex(tbs, n, "300f310d300b06035504030c0474657374");
    n = put_hex(tbs, n, spki);
    if (exts) {
        k = put_hex(tmp, 0, exts);
        k = put_tlv(ext_seq, 0, 0x30, tmp, k);
        n = put_tlv(tbs, n, 0xa3, ext_seq, k);
    }
    k = put_tlv(cert, 0, 0x30, tbs, n);
    k = put_hex(cert, k, "300a06082a8648ce3d040302 0303000000");
    return put_tlv(out, 0, 0x30, cert, k);
}

static size_t make_cert(uint8_t *out, const char *validity, const char *exts)
{
    return make_cert_spki(out, validity, EC_SPKI, exts);
}

#define GOOD_VALIDITY "170d3236303130313030303030305a 180f32303530303130313030303030305a"

/* ---- the certificate files ----------------------------------------------- */

static const struct cert_case {
    const char *file;
    const char *subject, *issuer, *serial;
    const char *not_before, *not_after;
    long long nb_t, na_t;
    const char *sha256;
    const char *key_type;
    unsigned key_bits;
    const char *sig;
    bool is_ca;
    int path_len;
    bool self_signed;
    const char *san, *ku, *eku; /* "|"-joined; "" when absent */
    const char *ski, *aki;      /* hex; "" when absent */
    const char *error_prefix;   /* NULL: no error */
} files[] = {
    {
        .file = "rsa-root.der",
        .subject = "CN=tlsdiag Test Root CA,OU=Unit Tests,O=tlsdiag test,C=DE",
        .issuer = "CN=tlsdiag Test Root CA,OU=Unit Tests,O=tlsdiag test,C=DE",
        .serial = "01",
        .not_before = "2026-11-22T22:06:19Z",
        .not_after = "2036-11-19T22:06:19Z",
        .nb_t = 1795385179,
        .na_t = 2110745179,
        .sha256 = "a3415f1c48b958524041d2effaacf02739a46e3a8b1a953a74ad97b744ca2078",
        .key_type = "RSA",
        .key_bits = 2048,
        .sig = "sha256WithRSAEncryption",
        .is_ca = true,
        .path_len = 1,
        .self_signed = true,
        .san = "",
        .ku = "keyCertSign|cRLSign",
        .eku = "",
        .ski = "d462ae960f1f3470140dbeca0af01777e776f6c7",
        .aki = "",
    },
    {
        .file = "ec-leaf.der",
        .subject = "CN=\\#www.example.test\\; \\\"x\\\" \\<y\\>\\ ,OU=Ops+OU=R&D,"
                   "O=Example\\, Inc.,C=DE",
        .issuer = "CN=tlsdiag Test Root CA,OU=Unit Tests,O=tlsdiag test,C=DE",
        .serial = "c0ffee00112233",
        .not_before = "2026-11-22T22:06:19Z",
        .not_after = "2057-01-03T22:06:19Z", /* GeneralizedTime */
        .nb_t = 1795385179,
        .na_t = 2745785179,
        .sha256 = "40094c042aedd200a708c23a677cc2e0463ae4b9acdb3eca596aa0fe7d48cc21",
        .key_type = "EC",
        .key_bits = 256,
        .sig = "sha256WithRSAEncryption",
        .path_len = -1,
        .san = "DNS:www.example.test|DNS:*.example.test|IP:192.0.2.7|IP:2001:db8::1|"
               "email:ops@example.test|URI:https://example.test/x",
        .ku = "digitalSignature|keyAgreement",
        .eku = "serverAuth|clientAuth|1.3.6.1.4.1.99999.1",
        .ski = "4c64df26d50b16fc88f36ec9d1e9f7706393c0ba",
        .aki = "d462ae960f1f3470140dbeca0af01777e776f6c7",
    },
    {
        .file = "ed25519.der",
        .subject = "emailAddress=a@example.test,CN=ed25519.example.test",
        .issuer = "emailAddress=a@example.test,CN=ed25519.example.test",
        .serial = "07",
        .not_before = "2026-11-22T22:06:19Z",
        .not_after = "2026-12-22T22:06:19Z",
        .nb_t = 1795385179,
        .na_t = 1797977179,
        .sha256 = "a66c1b911f8cdb926d9ee92f590416fa144ebc1f9e3d0cf57daaf97245b18247",
        .key_type = "Ed25519",
        .key_bits = 253,
        .sig = "ED25519",
        .path_len = -1,
        .self_signed = true,
        .san = "",
        .ku = "digitalSignature|nonRepudiation|keyEncipherment|dataEncipherment|encipherOnly|"
              "decipherOnly",
        .eku = "codeSigning|emailProtection|timeStamping|OCSPSigning|anyExtendedKeyUsage",
        .ski = NULL, /* not checked */
        .aki = "",
    },
    {
        .file = "ed448.der",
        .subject = "CN=ed448",
        .issuer = "CN=ed448",
        .serial = "08",
        .not_before = "2026-11-22T22:06:19Z",
        .not_after = "2026-12-22T22:06:19Z",
        .nb_t = 1795385179,
        .na_t = 1797977179,
        .sha256 = "485c21b863b4184b2d21ab57d490a96dc5ddb2232da1aaa6c74b188dc2e5af36",
        .key_type = "Ed448",
        .key_bits = 456,
        .sig = "ED448",
        .path_len = -1,
        .self_signed = true,
        .san = "",
        .ku = "",
        .eku = "",
        .aki = "",
    },
    {
        .file = "rsa-pss.der",
        .subject = "CN=pss",
        .issuer = "CN=pss",
        .serial = "09",
        .not_before = "2026-11-22T22:06:20Z",
        .not_after = "2026-12-22T22:06:20Z",
        .nb_t = 1795385180,
        .na_t = 1797977180,
        .sha256 = "e978b00dfce4d66c44413c5e7f9e5d3df713fb6c587863e2dcf0fe18a3a06946",
        .key_type = "RSA-PSS",
        .key_bits = 3072,
        .sig = "rsassaPss",
        .path_len = -1,
        .self_signed = true,
        .san = "",
        .ku = "",
        .eku = "",
        .aki = "",
    },
    {
        .file = "ec-p384.der",
        .subject = "CN=p384,DC=example,DC=test",
        .issuer = "CN=p384,DC=example,DC=test",
        .serial = "fc18", /* -1000: two's complement, as encoded */
        .not_before = "2026-11-22T22:06:20Z",
        .not_after = "2026-12-22T22:06:20Z",
        .nb_t = 1795385180,
        .na_t = 1797977180,
        .sha256 = "764c4f189b29c1223e946119df6910c5e03553e908a84ab1bd2edcdfe3b0ecb2",
        .key_type = "EC",
        .key_bits = 384,
        .sig = "ecdsa-with-SHA384",
        .path_len = -1,
        .self_signed = true,
        .san = "",
        .ku = "",
        .eku = "",
        .aki = "",
    },
    {
        .file = "ec-p521.der",
        .subject = "CN=p521",
        .issuer = "CN=p521",
        .serial = "0b",
        .not_before = "2026-11-22T22:06:20Z",
        .not_after = "2026-12-22T22:06:20Z",
        .nb_t = 1795385180,
        .na_t = 1797977180,
        .sha256 = "af40b63899a1075a01d97b07f296eeb4824f57c3f8a0e5fb2e215586f381ab39",
        .key_type = "EC",
        .key_bits = 521, /* wolfSSL's EVP_PKEY_bits says 528 */
        .sig = "ecdsa-with-SHA512",
        .path_len = -1,
        .self_signed = true,
        .san = "",
        .ku = "",
        .eku = "",
        .aki = "",
    },
    {
        .file = "dsa.der",
        .subject = "CN=dsa",
        .issuer = "CN=dsa",
        .serial = "0a",
        .not_before = "2026-11-22T22:06:20Z",
        .not_after = "2026-12-22T22:06:20Z",
        .nb_t = 1795385180,
        .na_t = 1797977180,
        .sha256 = "fd7b6089358d6ca3f424951b998d54845eeaa3eb20e54bf41fe96091193183c7",
        .key_type = "DSA",
        .key_bits = 2048,
        .sig = "dsa_with_SHA256",
        .path_len = -1,
        .self_signed = true,
        .san = "",
        .ku = "",
        .eku = "",
        .aki = "",
    },
    {
        .file = "rsa-v1.der",
        .subject = "CN=v1 \xce\xa9,O=Caf\xc3\xa9", /* BMPString, T61String (Latin-1) */
        .issuer = "CN=v1 \xce\xa9,O=Caf\xc3\xa9",
        .serial = "0c",
        .not_before = "2026-11-22T22:06:21Z",
        .not_after = "2026-12-22T22:06:21Z",
        .nb_t = 1795385181,
        .na_t = 1797977181,
        .sha256 = "27ce8b864fc66bb8f90d703a25b01d54791b024d20dafbe2af9a0786e6787741",
        .key_type = "RSA",
        .key_bits = 2047, /* wolfSSL's EVP_PKEY_bits says 2048 */
        .sig = "sha1WithRSAEncryption",
        .path_len = -1,
        .self_signed = true,
        .san = "",
        .ku = "",
        .eku = "",
        .ski = "",
        .aki = "",
    },
    {
        .file = "corpus-subject-nul.der",
        .subject = "CN=go.microsoft.com,OU=Microsoft Corporation,O=Microsoft Corporat\\00on,"
                   "L=Redmond,ST=WA,C=US",
        .issuer = "CN=Microsoft RSA TLS CA 01,O=Microsoft Corporation,C=US",
        .serial = "12001f1fb8029fc1bd6355ecb20000001f1fb8",
        .not_before = "2021-12-15T19:27:42Z",
        .not_after = "2022-12-15T19:27:42Z",
        .nb_t = 1639596462,
        .na_t = 1671132462,
        .sha256 = "b73bfd405ca4c0d758495da13f5ac2c5842ba9b48465803217052114da3d4119",
        .key_type = "RSA",
        .key_bits = 2048,
        .sig = "sha256WithRSAEncryption",
        .path_len = -1,
        .san = "DNS:go.microsoft.com|DNS:fast.go.microsoft.com|DNS:aka.ms|DNS:www.aka.ms|"
               "DNS:go2.microsoft.com",
        .ku = "digitalSignature|keyEncipherment|dataEncipherment",
        .eku = "clientAuth|serverAuth",
    },
    {
        .file = "corpus-noissuer.der",
        .subject = "CN=localhost,postalCode=6565,STREET=,L=Scottsdale,ST=Arizona,C=US",
        .issuer = "",
        .serial = "99eb862a01f848ddb2a639f21afc0354",
        .not_before = "2021-12-26T00:39:18Z",
        .not_after = "2024-12-25T00:39:18Z",
        .nb_t = 1640479158,
        .na_t = 1735087158,
        .sha256 = "428f25ae72d8fe8eab9a69eb3b4beeec02a6af6aea8cd4fdccb013a1c55f24d1",
        .key_type = "RSA",
        .key_bits = 2048,
        .sig = "ecdsa-with-SHA384",
        .path_len = -1,
        .san = "DNS:localhost",
        .ku = "digitalSignature|keyEncipherment",
        .eku = "serverAuth",
        .ski = "",
    },
    {
        .file = "corpus-pre1970.der",
        .subject = "CN=fkp.samsungcloudsolution.com,OU=vd",
        .issuer = "CN=ROOT CA SISC FKP2_PLUS,OU=SW2 SISC,O=Samsung Electronics,L=Suwon,"
                  "ST=Kyunggido,C=KR",
        .serial = "32",
        .not_before = "1969-12-31T00:00:00Z",
        .not_after = "2038-12-31T00:10:03Z",
        .nb_t = -86400,
        .na_t = 2177367003,
        .sha256 = "6ded6ad00f50d930239004cc46325300993d33af77a96d3c4e4716721d389c1d",
        .key_type = "RSA",
        .key_bits = 2048,
        .sig = "sha256WithRSAEncryption",
        .is_ca = true,
        .path_len = -1,
        .san = "",
        .ku = "",
        .eku = "",
        .aki = "",
        .error_prefix = "wolfSSL could not parse the certificate: ",
    },
    {
        .file = "corpus-42cn.der",
        .subject = NULL, /* checked in test_42cn */
        .issuer = "CN=Microsoft Secure Server Authority,DC=redmond,DC=corp,DC=microsoft,DC=com",
        .serial = "6917c8b6000800024c0f",
        .not_before = "2011-10-21T16:42:03Z",
        .not_after = "2013-10-20T16:42:03Z",
        .nb_t = 1319215323,
        .na_t = 1382287323,
        .sha256 = "a52f9f3b20161ebd055cfb6f2b27b4781623db263703c039ef2a9d75f707c4ca",
        .key_type = "RSA",
        .key_bits = 2048,
        .sig = "sha1WithRSAEncryption",
        .path_len = -1,
        .ku = "digitalSignature|keyEncipherment|dataEncipherment",
        .eku = "clientAuth|serverAuth",
        .error_prefix = "wolfSSL could not parse the certificate: ",
    },
};

static void check_cert(const struct cert_case *t, const struct ev_cert *c)
{
    const char *f = t->file;

    if (t->subject) {
        CHECK_STR(c->subject, t->subject, f);
    }
    CHECK_STR(c->issuer, t->issuer, f);
    CHECK_STR(c->serial, t->serial, f);
    CHECK_STR(c->not_before, t->not_before, f);
    CHECK_STR(c->not_after, t->not_after, f);
    CHECK_INT(c->not_before_t, t->nb_t, f);
    CHECK_INT(c->not_after_t, t->na_t, f);
    CHECK_STR(c->sha256, t->sha256, f);
    CHECK_STR(c->key_type, t->key_type, f);
    CHECK_INT(c->key_bits, t->key_bits, f);
    CHECK_STR(c->signature_algorithm, t->sig, f);
    CHECK_INT(c->is_ca, t->is_ca, f);
    CHECK_INT(c->path_len, t->path_len, f);
    CHECK_INT(c->self_signed, t->self_signed, f);
    if (t->san) {
        CHECK_STR(joined(c->san, c->san_count), t->san, f);
    }
    if (t->ku) {
        CHECK_STR(joined(c->key_usage, c->key_usage_count), t->ku, f);
    }
    if (t->eku) {
        CHECK_STR(joined(c->ext_key_usage, c->ext_key_usage_count), t->eku, f);
    }
    if (t->ski) {
        CHECK_STR(hex_of(c->ski), t->ski, f);
    }
    if (t->aki) {
        CHECK_STR(hex_of(c->aki), t->aki, f);
    }
    if (t->error_prefix) {
        CHECK(starts_with(c->error, t->error_prefix), f);
    } else {
        CHECK_STR(c->error, NULL, f);
    }
    /* views point into the arena copy of the DER */
    CHECK(c->subject_der.ptr >= c->der.ptr &&
              c->subject_der.ptr + c->subject_der.len <= c->der.ptr + c->der.len,
          f);
    CHECK(c->issuer_der.ptr >= c->der.ptr &&
              c->issuer_der.ptr + c->issuer_der.len <= c->der.ptr + c->der.len,
          f);
}

static void test_files(const char *dir)
{
    struct ev_arena a;
    ev_arena_init(&a, ARENA_CAP);
    struct x509_cache *cache = x509_cache_new(&a);

    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t len;
        uint8_t *der = read_cert(dir, files[i].file, &len);
        struct ev_cert *c = NULL;
        if (!der) {
            CHECK(der != NULL, files[i].file);
            continue;
        }
        CHECK_INT(x509_decode(cache, (struct bytes){ der, len }, &c), ST_OK, files[i].file);
        if (c) {
            CHECK(c->der.ptr != der && c->der.len == len, files[i].file);
            memset(der, 0, len); /* the decoded certificate no longer needs the input */
            check_cert(&files[i], c);
        }
        free(der);
    }
    x509_cache_free(cache);
    ev_arena_fini(&a);
}

/* 42 CN RDNs, reversed, plus the SANs in order. */
static void test_42cn(const char *dir)
{
    size_t len;
    uint8_t *der = read_cert(dir, "corpus-42cn.der", &len);
    struct ev_arena a;
    struct ev_cert *c = NULL;

    if (!der) {
        CHECK(der != NULL, "corpus-42cn.der");
        return;
    }
    ev_arena_init(&a, ARENA_CAP);
    struct x509_cache *cache = x509_cache_new(&a);
    CHECK_INT(x509_decode(cache, (struct bytes){ der, len }, &c), ST_OK, "42cn");
    if (c) {
        size_t cns = 0;
        for (const char *p = c->subject; p && (p = strstr(p, "CN=")) != NULL; p += 3) {
            cns++;
        }
        CHECK_INT(cns, 42, "42 CN RDNs");
        CHECK(starts_with(c->subject, "CN=*.vo.msecnd.net,CN=*.manage.microsoft.com,"), "first");
        CHECK(strstr(c->subject, ",CN=*.officeapps.live.com,OU=GFS,O=Microsoft,L=Redmond,C=US") !=
                  NULL,
              "last");
        CHECK_INT(c->san_count, 42, "42 SANs");
        if (c->san_count == 42) {
            CHECK_STR(c->san[0], "DNS:*.vo.msecnd.net", "first SAN");
            CHECK_STR(c->san[41], "DNS:*.manage.microsoft.com", "last SAN");
        }
    }
    x509_cache_free(cache);
    ev_arena_fini(&a);
    free(der);
}

/* ---- the cache ------------------------------------------------------------ */

static void test_cache(const char *dir)
{
    size_t len1, len2;
    uint8_t *d1 = read_cert(dir, "rsa-root.der", &len1);
    uint8_t *d2 = read_cert(dir, "ec-leaf.der", &len2);
    struct ev_arena a;
    struct ev_cert *c1 = NULL, *c2 = NULL, *c3 = NULL;

    if (!d1 || !d2) {
        CHECK(d1 && d2, "cache fixtures");
        free(d1);
        free(d2);
        return;
    }
    ev_arena_init(&a, ARENA_CAP);
    struct x509_cache *cache = x509_cache_new(&a);
    CHECK_INT(x509_decode(cache, (struct bytes){ d1, len1 }, &c1), ST_OK, "first");
    CHECK_INT(x509_decode(cache, (struct bytes){ d2, len2 }, &c2), ST_OK, "other");
    uint8_t *copy = malloc(len1);
    memcpy(copy, d1, len1);
    CHECK_INT(x509_decode(cache, (struct bytes){ copy, len1 }, &c3), ST_OK, "again");
    CHECK(c1 && c1 == c3, "same DER, same struct");
    CHECK(c1 != c2, "other DER, other struct");

    /* one byte changed (the last signature byte): a different certificate */
    copy[len1 - 1] ^= 1;
    CHECK_INT(x509_decode(cache, (struct bytes){ copy, len1 }, &c3), ST_OK, "changed");
    CHECK(c3 != c1, "changed DER, other struct");
    free(copy);

    x509_cache_free(cache);
    x509_cache_free(NULL);
    ev_arena_fini(&a);
    free(d1);
    free(d2);
}

/* Past CAP_CERT_CACHE distinct certificates, decoding goes on uncached. */
static void test_cache_cap(void)
{
    uint8_t der[MAX_DER];
    size_t n = make_cert(der, GOOD_VALIDITY, NULL);
    struct ev_arena a;
    struct ev_cert *c = NULL, *again = NULL;
    static const uint8_t before_serial[] = { 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01 };
    size_t serial_at = 0; /* the one content byte of the serial */
    bool all_ok = true;

    for (size_t i = 0; i + sizeof before_serial < n && !serial_at; i++) {
        if (memcmp(der + i, before_serial, sizeof before_serial) == 0) {
            serial_at = i + sizeof before_serial;
        }
    }
    CHECK(serial_at != 0, "serial found");
    ev_arena_init(&a, ARENA_CAP);
    struct x509_cache *cache = x509_cache_new(&a);
    for (unsigned i = 0; i <= CAP_CERT_CACHE; i++) {
        der[serial_at] = (uint8_t)(i & 0x7f);
        der[n - 1] = (uint8_t)(i >> 7); /* vary the "signature" too: 4097 distinct DERs */
        all_ok = all_ok && x509_decode(cache, (struct bytes){ der, n }, &c) == ST_OK;
    }
    CHECK(all_ok, "4097 decodes");
    /* the last one came past the cap: decoded again, a new struct */
    CHECK_INT(x509_decode(cache, (struct bytes){ der, n }, &again), ST_OK, "past the cap");
    CHECK(again != c, "past the cap: not cached");
    /* the first ones are still cached */
    der[serial_at] = 0;
    der[n - 1] = 0;
    CHECK_INT(x509_decode(cache, (struct bytes){ der, n }, &c), ST_OK, "first again");
    CHECK_INT(x509_decode(cache, (struct bytes){ der, n }, &again), ST_OK, "first again");
    CHECK(again == c, "cached below the cap");
    x509_cache_free(cache);
    ev_arena_fini(&a);
}

/* ---- synthetic certificates ----------------------------------------------- */

static const struct {
    const char *name;
    const char *validity; /* body of Validity */
    const char *nb, *na;  /* NULL: the time is refused */
    long long nb_t, na_t;
} times[] = {
    { .name = "UTCTime and GeneralizedTime",
      .validity = GOOD_VALIDITY,
      .nb = "2026-01-01T00:00:00Z",
      .na = "2050-01-01T00:00:00Z",
      .nb_t = 1767225600,
      .na_t = 2524608000 },
    { .name = "UTCTime 50 is 1950, 49 is 2049",
      .validity = "170d3530303130313030303030305a 170d3439313233313233353935395a",
      .nb = "1950-01-01T00:00:00Z",
      .na = "2049-12-31T23:59:59Z",
      .nb_t = -631152000,
      .na_t = 2524607999 },
    { .name = "GeneralizedTime extremes",
      .validity = "180f30303030303330313030303030305a 180f39393939313233313233353935395a",
      .nb = "0000-03-01T00:00:00Z",
      .na = "9999-12-31T23:59:59Z",
      .nb_t = -62162035200,
      .na_t = 253402300799 },
    { .name = "leap day, 1900 not leap",
      .validity = "180f32303030303232393132303030305a 180f31393030303232393030303030305a",
      .nb = "2000-02-29T12:00:00Z",
      .na = NULL,
      .nb_t = 951825600 },
    { .name = "no seconds, +0100 offset",
      .validity = "170b323630313031303030305a 170f323630313031303030302b30313030",
      .nb = "2026-01-01T00:00:00Z",
      .na = "2025-12-31T23:00:00Z",
      .nb_t = 1767225600,
      .na_t = 1767222000 },
    { .name = "fraction, -0130 offset",
      .validity = "181132303236303130313030303030302e355a "
                  "181332303236303130313030303030302d30313330",
      .nb = "2026-01-01T00:00:00Z",
      .na = "2026-01-01T01:30:00Z",
      .nb_t = 1767225600,
      .na_t = 1767231000 },
    { .name = "no Z", .validity = "170c323630313031303030303030 170d3236303130313030303030305a" },
    { .name = "month 13",
      .validity = "170d3236313330313030303030305a 170d3236303130313030303030305a" },
    { .name = "second 60",
      .validity = "170d3236303130313030303036305a 170d3236303130313030303030305a" },
    { .name = "not a digit",
      .validity = "170d3236303130313030304130305a 170d3236303130313030303030305a" },
    { .name = "wrong tag",
      .validity = "040d3236303130313030303030305a 170d3236303130313030303030305a" },
    { .name = "trailing byte after Z",
      .validity = "170e3236303130313030303030305a00 170d3236303130313030303030305a" },
};

static void test_times(void)
{
    struct ev_arena a;
    ev_arena_init(&a, ARENA_CAP);
    struct x509_cache *cache = x509_cache_new(&a);

    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        uint8_t der[MAX_DER];
        struct ev_cert *c = NULL;
        size_t n = make_cert(der, times[i].validity, NULL);
        CHECK_INT(x509_decode(cache, (struct bytes){ der, n }, &c), ST_OK, times[i].name);
        if (!c) {
            continue;
        }
        CHECK_STR(c->not_before, times[i].nb, times[i].name);
        CHECK_STR(c->not_after, times[i].na, times[i].name);
        if (times[i].nb) {
            CHECK_INT(c->not_before_t, times[i].nb_t, times[i].name);
        }
        if (times[i].na) {
            CHECK_INT(c->not_after_t, times[i].na_t, times[i].name);
        }
        if (times[i].nb && times[i].na) {
            /* the subject is read after the validity */
            CHECK_STR(c->subject, "CN=test", times[i].name);
        } else {
            CHECK(strstr(c->error ? c->error : "", "validity: ") != NULL, times[i].name);
            CHECK(c->subject == NULL, times[i].name);
            CHECK_STR(c->issuer, "CN=test", times[i].name);
        }
    }
    x509_cache_free(cache);
    ev_arena_fini(&a);
}

static const struct {
    const char *name;
    const char *exts; /* Extension SEQUENCEs */
    const char *san, *ku, *eku;
    bool is_ca;
    int path_len;
    const char *ski, *aki;
    const char *error_has; /* substring of error; NULL: no error from our walk */
} exts[] = {
    { .name = "SAN kinds",
      /* DNS a.test\0.evil, IP 10.0.0.1/8 (name-constraints form), RID 1.2.3,
       * DirName CN=x, othername UPN, x400Address, email with a backslash */
      .exts = "30520603551d11044b3049820c612e74657374002e6576696c87080a000001ff00000088022a03"
              "a40e300c310a300806035504030c0178a014060a2b060104018237140203a0060c04752e7365"
              "a3008103615c62",
      .san = "DNS:a.test\\00.evil|IP:#0a000001ff000000|RID:1.2.3|DirName:CN=x|"
             "othername:1.3.6.1.4.1.311.20.2.3|X400Name:<unsupported>|email:a\\5Cb",
      .path_len = -1 },
    { .name = "basicConstraints CA, big pathLen",
      .exts = "30150603551d130101ff040b30090101ff020400ffffff",
      .is_ca = true,
      .path_len = 16777215 },
    { .name = "basicConstraints pathLen past INT_MAX",
      .exts = "30160603551d13040f300d0101ff020801ffffffffffffff",
      .is_ca = true,
      .path_len = 2147483647 },
    { .name = "basicConstraints empty SEQUENCE", .exts = "30090603551d1304023000", .path_len = -1 },
    { .name = "pathLen 0 without cA", .exts = "300c0603551d1304053003020100", .path_len = 0 },
    { .name = "negative pathLen",
      .exts = "300f0603551d13040830060101ff0201ff",
      .is_ca = true,
      .path_len = -1,
      .error_has = "basicConstraints extension: negative pathLenConstraint" },
    { .name = "keyUsage decipherOnly only",
      .exts = "300f0603551d0f0101ff04050303070080",
      .ku = "decipherOnly",
      .path_len = -1 },
    { .name = "keyUsage unused bits 8",
      .exts = "300b0603551d0f040403020880",
      .ku = "",
      .path_len = -1,
      .error_has = "keyUsage extension: BIT STRING: bad unused-bits count" },
    { .name = "duplicate extension ignored",
      .exts = "300b0603551d0f040403020780300b0603551d0f040403020204",
      .ku = "digitalSignature",
      .path_len = -1 },
    { .name = "bad SAN, good EKU after it",
      .exts = "30090603551d1104023100300c0603551d250405300306012a",
      .san = "",
      .eku = "1.2",
      .path_len = -1,
      .error_has = "subjectAltName extension: DER: unexpected tag" },
    { .name = "trailing bytes in an extension value",
      .exts = "300c0603551d0f04050302078000",
      .ku = "digitalSignature",
      .path_len = -1,
      .error_has = "keyUsage extension: trailing bytes" },
    { .name = "AKI without keyIdentifier, SKI",
      .exts = "300f0603551d0e0408040601020304050630110603551d23040a3008a102820082020102",
      .ski = "010203040506",
      .aki = "",
      .path_len = -1 },
    { .name = "AKI names another key: not self-signed",
      .exts = "300d0603551d0e0406040401020304300f0603551d2304083006800401020305",
      .ski = "01020304",
      .aki = "01020305",
      .path_len = -1 },
    { .name = "unknown critical extension skipped",
      .exts = "300c06032a03040101ff04020500",
      .path_len = -1 },
    { .name = "extension without value",
      .exts = "30050603551d0f",
      .path_len = -1,
      .error_has = "extensions: " },
};

static void test_extensions(void)
{
    struct ev_arena a;
    ev_arena_init(&a, ARENA_CAP);
    struct x509_cache *cache = x509_cache_new(&a);

    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        uint8_t der[MAX_DER];
        struct ev_cert *c = NULL;
        size_t n = make_cert(der, GOOD_VALIDITY, exts[i].exts);
        const char *name = exts[i].name;
        CHECK_INT(x509_decode(cache, (struct bytes){ der, n }, &c), ST_OK, name);
        if (!c) {
            continue;
        }
        CHECK_STR(c->subject, "CN=test", name);
        if (exts[i].san) {
            CHECK_STR(joined(c->san, c->san_count), exts[i].san, name);
        }
        if (exts[i].ku) {
            CHECK_STR(joined(c->key_usage, c->key_usage_count), exts[i].ku, name);
        }
        if (exts[i].eku) {
            CHECK_STR(joined(c->ext_key_usage, c->ext_key_usage_count), exts[i].eku, name);
        }
        CHECK_INT(c->is_ca, exts[i].is_ca, name);
        CHECK_INT(c->path_len, exts[i].path_len, name);
        if (exts[i].ski) {
            CHECK_STR(hex_of(c->ski), exts[i].ski, name);
        }
        if (exts[i].aki) {
            CHECK_STR(hex_of(c->aki), exts[i].aki, name);
        }
        CHECK_INT(c->self_signed, !(exts[i].aki && exts[i].aki[0]), name);
        if (exts[i].error_has) {
            CHECK(c->error && strstr(c->error, exts[i].error_has), name);
            if (!(c->error && strstr(c->error, exts[i].error_has))) {
                fprintf(stderr, "  error: %s\n", c->error ? c->error : "(null)");
            }
        } else if (c->error) {
            /* wolfSSL may still refuse some of these; our walk must not */
            CHECK(strstr(c->error, "; ") == NULL && starts_with(c->error, "wolfSSL"), name);
        }
    }
    x509_cache_free(cache);
    ev_arena_fini(&a);
}

/* An RSA key whose BIT STRING is not an RSAPublicKey: no size, an error,
 * and the extensions after it are still read. */
static void test_bad_key(void)
{
    uint8_t der[MAX_DER];
    struct ev_arena a;
    struct ev_cert *c = NULL;
    size_t n = make_cert_spki(der, GOOD_VALIDITY, "3013300d06092a864886f70d0101010500 0302 0005",
                              "300f0603551d0f0101ff04050303070080");

    ev_arena_init(&a, ARENA_CAP);
    struct x509_cache *cache = x509_cache_new(&a);
    CHECK_INT(x509_decode(cache, (struct bytes){ der, n }, &c), ST_OK, "bad key");
    if (c) {
        CHECK_STR(c->key_type, "RSA", "bad key: type");
        CHECK_INT(c->key_bits, 0, "bad key: no size");
        CHECK_STR(joined(c->key_usage, c->key_usage_count), "decipherOnly", "bad key: KU read");
        CHECK(c->error && strstr(c->error, "; subjectPublicKeyInfo: length runs past"),
              "bad key: error");
    }
    x509_cache_free(cache);
    ev_arena_fini(&a);
}

/* ---- hostile input ---------------------------------------------------------- */

/* Every prefix of a real certificate, and one trailing byte. */
static void test_truncation(const char *dir)
{
    size_t len;
    uint8_t *der = read_cert(dir, "ec-leaf.der", &len);
    struct ev_arena a;
    bool all_error = true, all_ok = true;

    if (!der) {
        CHECK(der != NULL, "ec-leaf.der");
        return;
    }
    ev_arena_init(&a, ARENA_CAP);
    struct x509_cache *cache = x509_cache_new(&a);
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1); /* exact size: ASan sees any overread */
        struct ev_cert *c = NULL;
        memcpy(cut, der, n);
        all_ok = all_ok && x509_decode(cache, (struct bytes){ cut, n }, &c) == ST_OK;
        all_error = all_error && c && c->error != NULL;
        free(cut);
    }
    CHECK(all_ok, "every prefix decodes to a struct");
    CHECK(all_error, "every prefix has an error");

    uint8_t *longer = malloc(len + 1);
    struct ev_cert *c = NULL;
    memcpy(longer, der, len);
    longer[len] = 0;
    CHECK_INT(x509_decode(cache, (struct bytes){ longer, len + 1 }, &c), ST_OK, "trailing byte");
    if (c) {
        CHECK(c->error && strstr(c->error, "the bytes after the certificate: trailing bytes"),
              "trailing byte");
        CHECK_STR(c->subject, files[1].subject, "trailing byte: fields still there");
    }
    free(longer);
    x509_cache_free(cache);
    ev_arena_fini(&a);
    free(der);
}

static void test_garbage(void)
{
    static const char *const inputs[] = {
        "",           "00",
        "30",         "3000",
        "3080",       "300130",
        "30033001",   "ffffffff",
        "3003020100", "3006 3004 a0020201", /* truncated version */
    };
    struct ev_arena a;
    ev_arena_init(&a, ARENA_CAP);
    struct x509_cache *cache = x509_cache_new(&a);

    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        uint8_t der[64];
        struct ev_cert *c = NULL;
        long n = tl_hex(inputs[i], der, sizeof der);
        CHECK_INT(x509_decode(cache, (struct bytes){ der, (size_t)n }, &c), ST_OK, inputs[i]);
        CHECK(c && c->error && starts_with(c->error, "wolfSSL could not parse the certificate: "),
              inputs[i]);
        CHECK(c && c->subject == NULL && c->serial == NULL && c->path_len == -1, inputs[i]);
        CHECK(c && strlen(c->sha256) == 64, inputs[i]);
    }

    /* a NULL view of length 0 is an empty input */
    struct ev_cert *c = NULL;
    CHECK_INT(x509_decode(cache, (struct bytes){ NULL, 0 }, &c), ST_OK, "NULL, 0");
    CHECK_STR(c ? c->sha256 : NULL,
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "NULL, 0");
    CHECK_INT(x509_decode(NULL, (struct bytes){ NULL, 0 }, &c), ST_INTERNAL, "no cache");

    x509_cache_free(cache);
    ev_arena_fini(&a);
}

/* An arena that runs out at every possible point: ST_NOMEM, never a crash. */
static void test_arena_exhaustion(const char *dir)
{
    size_t len;
    uint8_t *der = read_cert(dir, "ec-leaf.der", &len);
    size_t cap;
    bool ok_seen = false, nomem_only = true;

    if (!der) {
        CHECK(der != NULL, "ec-leaf.der");
        return;
    }
    for (cap = 0; cap < 8192 && !ok_seen; cap += 16) {
        struct ev_arena a;
        struct ev_cert *c = NULL;
        ev_arena_init(&a, cap);
        struct x509_cache *cache = x509_cache_new(&a);
        enum status st = x509_decode(cache, (struct bytes){ der, len }, &c);
        ok_seen = st == ST_OK;
        nomem_only = nomem_only && (st == ST_OK || (st == ST_NOMEM && c == NULL));
        if (ok_seen) {
            CHECK_STR(c->subject, files[1].subject, "decoded once the arena is big enough");
        }
        x509_cache_free(cache);
        ev_arena_fini(&a);
    }
    CHECK(ok_seen, "some cap is enough");
    CHECK(nomem_only, "ST_NOMEM below it");
    free(der);
}

static void test_sha256(void)
{
    char out[65];

    x509_sha256_hex((struct bytes){ (const uint8_t *)"abc", 3 }, out);
    CHECK_STR(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc");
    x509_sha256_hex((struct bytes){ NULL, 0 }, out);
    CHECK_STR(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty");
}

int main(void)
{
    const char *dir = getenv("TLSDIAG_TESTDATA");

    test_sha256();
    test_cache_cap();
    test_times();
    test_extensions();
    test_bad_key();
    test_garbage();
    if (!dir) {
        fprintf(stderr, "TLSDIAG_TESTDATA not set: certificate files skipped\n");
        return tl_done();
    }
    test_files(dir);
    test_42cn(dir);
    test_cache(dir);
    test_truncation(dir);
    test_arena_exhaustion(dir);
    return tl_done();
}
