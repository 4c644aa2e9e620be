/*
 * tls_crypto.c - opening protected TLS records with keys derived from a key
 * log. Which suite uses which bulk cipher and hash is read from its IANA
 * name ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" -> AES-128-GCM, SHA-256),
 * so the suite table in tls_names.c stays the one list of suites.
 */
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/kdf.h>

#include "tls_crypto.h"

#include <stdlib.h>
#include <string.h>

#include "tls_names.h"

#define AEAD_TAG 16u
#define AES_BLOCK 16u

enum bulk { BULK_AES_GCM, BULK_CHACHA, BULK_AES_CBC };

struct suite {
    enum bulk bulk;
    unsigned key_len;
    unsigned mac_len; /* CBC: HMAC length; 0 for AEAD */
    int mac_type;     /* CBC: wolfSSL HMAC type */
    int hash;         /* PRF (TLS 1.2) / HKDF (TLS 1.3) hash: WC_SHA256 or WC_SHA384 */
};

struct tls_cipher {
    struct suite s;
    bool tls13;
    uint16_t version;
    uint8_t key[32];
    uint8_t iv[16];      /* TLS 1.3 / ChaCha: 12-byte IV; GCM 1.2: 4-byte salt; CBC 1.0: IV */
    uint8_t mac_key[48]; /* CBC */
    uint8_t secret[48];  /* TLS 1.3 traffic secret, for KeyUpdate */
    size_t secret_len;
    uint64_t seq;
    Aes aes;
};

static bool starts(const char **p, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(*p, prefix, n) != 0) {
        return false;
    }
    *p += n;
    return true;
}

static bool suite_of(uint16_t id, struct suite *ret)
{
    const char *name = tls_cipher_suite_name(id);
    if (!name) {
        return false;
    }
    const char *with = strstr(name, "_WITH_");
    const char *p = with ? with + 6 : name + 4; /* TLS 1.3 names: "TLS_AES_128_GCM_SHA256" */
    struct suite s = { 0 };
    if (strncmp(name, "TLS_", 4) != 0) {
        return false;
    }
    if (starts(&p, "AES_128_GCM_")) {
        s = (struct suite){ .bulk = BULK_AES_GCM, .key_len = 16 };
    } else if (starts(&p, "AES_256_GCM_")) {
        s = (struct suite){ .bulk = BULK_AES_GCM, .key_len = 32 };
    } else if (starts(&p, "CHACHA20_POLY1305_")) {
        s = (struct suite){ .bulk = BULK_CHACHA, .key_len = 32 };
    } else if (starts(&p, "AES_128_CBC_")) {
        s = (struct suite){ .bulk = BULK_AES_CBC, .key_len = 16 };
    } else if (starts(&p, "AES_256_CBC_")) {
        s = (struct suite){ .bulk = BULK_AES_CBC, .key_len = 32 };
    } else {
        return false;
    }
    bool cbc = s.bulk == BULK_AES_CBC;
    if (strcmp(p, "SHA") == 0 && cbc) {
        s.hash = WC_SHA256; /* the TLS 1.2 PRF; SHA-1 is the record MAC */
        s.mac_type = WC_SHA;
        s.mac_len = 20;
    } else if (strcmp(p, "SHA256") == 0) {
        s.hash = WC_SHA256;
        s.mac_type = cbc ? WC_SHA256 : 0;
        s.mac_len = cbc ? 32 : 0;
    } else if (strcmp(p, "SHA384") == 0) {
        s.hash = WC_SHA384;
        s.mac_type = cbc ? WC_SHA384 : 0;
        s.mac_len = cbc ? 48 : 0;
    } else {
        return false;
    }
    *ret = s;
    return true;
}

bool tls_crypto_suite_supported(uint16_t suite)
{
    struct suite s;
    return suite_of(suite, &s);
}

static unsigned hash_len(int hash)
{
    return hash == WC_SHA384 ? 48u : 32u;
}

static bool aes_key(struct tls_cipher *c)
{
    if (wc_AesInit(&c->aes, NULL, INVALID_DEVID) != 0) {
        return false;
    }
    if (c->s.bulk == BULK_AES_GCM) {
        return wc_AesGcmSetKey(&c->aes, c->key, c->s.key_len) == 0;
    }
    if (c->s.bulk == BULK_AES_CBC) {
        return wc_AesSetKey(&c->aes, c->key, c->s.key_len, NULL, AES_DECRYPTION) == 0;
    }
    return true;
}

static bool expand_label(const uint8_t *secret, size_t len, const char *label, uint8_t *out,
                         size_t out_len, int hash)
{
    static const uint8_t proto[] = "tls13 ";
    return wc_Tls13_HKDF_Expand_Label(out, (word32)out_len, secret, (word32)len, proto,
                                      sizeof proto - 1, (const uint8_t *)label,
                                      (word32)strlen(label), NULL, 0, hash) == 0;
}

/* Key and IV of a TLS 1.3 direction from c->secret (RFC 8446 7.3). */
static bool keys13(struct tls_cipher *c)
{
    c->seq = 0;
    return expand_label(c->secret, c->secret_len, "key", c->key, c->s.key_len, c->s.hash) &&
           expand_label(c->secret, c->secret_len, "iv", c->iv, 12, c->s.hash);
}

struct tls_cipher *tls_cipher_new13(uint16_t suite, const uint8_t *secret, size_t secret_len)
{
    struct suite s;
    if (!suite_of(suite, &s) || s.bulk == BULK_AES_CBC || secret_len != hash_len(s.hash)) {
        return NULL;
    }
    struct tls_cipher *c = calloc(1, sizeof *c);
    if (!c) {
        return NULL;
    }
    c->s = s;
    c->tls13 = true;
    c->version = 0x0304;
    c->secret_len = secret_len;
    for (size_t i = 0; i < secret_len; i++) {
        c->secret[i] = secret[i];
    }
    if (!keys13(c) || !aes_key(c)) {
        tls_cipher_free(c);
        return NULL;
    }
    return c;
}

bool tls_cipher_update13(struct tls_cipher *c)
{
    uint8_t next[48];
    if (!c->tls13 ||
        !expand_label(c->secret, c->secret_len, "traffic upd", next, c->secret_len, c->s.hash)) {
        return false;
    }
    for (size_t i = 0; i < c->secret_len; i++) {
        c->secret[i] = next[i];
    }
    wc_AesFree(&c->aes);
    return keys13(c) && aes_key(c);
}

bool tls_cipher_new12(uint16_t suite, uint16_t version, const uint8_t master[48],
                      const uint8_t client_random[32], const uint8_t server_random[32],
                      struct tls_cipher **ret_client, struct tls_cipher **ret_server)
{
    struct suite s;
    *ret_client = *ret_server = NULL;
    if (version < 0x0301 || version > 0x0303 || !suite_of(suite, &s)) {
        return false;
    }
    /* RFC 5246 6.3: key_block = PRF(master, "key expansion", server_random +
     * client_random) = client MAC key, server MAC key, client key, server
     * key, client IV, server IV. */
    unsigned iv_len = s.bulk == BULK_AES_GCM ? 4 : s.bulk == BULK_CHACHA ? 12 : AES_BLOCK;
    unsigned need = 2 * (s.mac_len + s.key_len + iv_len);
    uint8_t seed[64], block[2 * (48 + 32 + 16)];
    static const uint8_t label[] = "key expansion";
    for (int i = 0; i < 32; i++) {
        seed[i] = server_random[i];
        seed[32 + i] = client_random[i];
    }
    int rc = version == 0x0303
                 ? wc_PRF_TLS(block, need, master, 48, label, sizeof label - 1, seed, sizeof seed,
                              1, s.hash == WC_SHA384 ? sha384_mac : sha256_mac, NULL, INVALID_DEVID)
                 : wc_PRF_TLSv1(block, need, master, 48, label, sizeof label - 1, seed, sizeof seed,
                                NULL, INVALID_DEVID);
    if (rc != 0) {
        return false;
    }
    struct tls_cipher *c[2] = { calloc(1, sizeof **c), calloc(1, sizeof **c) };
    bool ok = c[0] && c[1];
    for (int d = 0; ok && d < 2; d++) {
        c[d]->s = s;
        c[d]->version = version;
        for (unsigned i = 0; i < s.mac_len; i++) {
            c[d]->mac_key[i] = block[d * s.mac_len + i];
        }
        for (unsigned i = 0; i < s.key_len; i++) {
            c[d]->key[i] = block[2 * s.mac_len + d * s.key_len + i];
        }
        for (unsigned i = 0; i < iv_len; i++) {
            c[d]->iv[i] = block[2 * (s.mac_len + s.key_len) + d * iv_len + i];
        }
        ok = aes_key(c[d]);
    }
    if (!ok) {
        tls_cipher_free(c[0]);
        tls_cipher_free(c[1]);
        return false;
    }
    *ret_client = c[0];
    *ret_server = c[1];
    return true;
}

void tls_cipher_free(struct tls_cipher *c)
{
    if (c) {
        wc_AesFree(&c->aes);
        /* Keys do not outlive their use. */
        volatile uint8_t *p = (volatile uint8_t *)c;
        for (size_t i = 0; i < sizeof *c; i++) {
            p[i] = 0;
        }
        free(c);
    }
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* The 12-byte per-record nonce: IV xor the sequence number (RFC 8446 5.3). */
static void xor_nonce(const struct tls_cipher *c, uint8_t nonce[12])
{
    uint8_t seq[8];
    put_u64(seq, c->seq);
    for (int i = 0; i < 12; i++) {
        nonce[i] = c->iv[i] ^ (i >= 4 ? seq[i - 4] : 0);
    }
}

/* TLS <= 1.2 additional data / MAC header: seq, type, version, length. */
static void header12(const struct tls_cipher *c, const uint8_t hdr[5], size_t len, uint8_t out[13])
{
    put_u64(out, c->seq);
    out[8] = hdr[0];
    out[9] = hdr[1];
    out[10] = hdr[2];
    out[11] = (uint8_t)(len >> 8);
    out[12] = (uint8_t)len;
}

static bool aead_open(struct tls_cipher *c, const uint8_t nonce[12], const uint8_t *aad,
                      size_t aad_len, const uint8_t *in, size_t len, uint8_t *out)
{
    const uint8_t *tag = in + len;
    if (c->s.bulk == BULK_CHACHA) {
        return wc_ChaCha20Poly1305_Decrypt(c->key, nonce, aad, (word32)aad_len, in, (word32)len,
                                           tag, out) == 0;
    }
    return wc_AesGcmDecrypt(&c->aes, out, in, (word32)len, nonce, 12, tag, AEAD_TAG, aad,
                            (word32)aad_len) == 0;
}

static enum status open13(struct tls_cipher *c, const uint8_t hdr[5], const uint8_t *body,
                          size_t len, uint8_t *out, size_t *ret_len, uint8_t *ret_type)
{
    uint8_t nonce[12];
    if (len < AEAD_TAG + 1) {
        return ST_MALFORMED;
    }
    xor_nonce(c, nonce);
    if (!aead_open(c, nonce, hdr, 5, body, len - AEAD_TAG, out)) {
        return ST_MALFORMED;
    }
    /* TLSInnerPlaintext: content, type, zero padding (RFC 8446 5.2). */
    size_t n = len - AEAD_TAG;
    while (n > 0 && out[n - 1] == 0) {
        n--;
    }
    if (n == 0) {
        return ST_MALFORMED;
    }
    *ret_type = out[n - 1];
    *ret_len = n - 1;
    return ST_OK;
}

static enum status open12_aead(struct tls_cipher *c, const uint8_t hdr[5], const uint8_t *body,
                               size_t len, uint8_t *out, size_t *ret_len)
{
    uint8_t nonce[12], aad[13];
    size_t explicit_len = c->s.bulk == BULK_AES_GCM ? 8 : 0;
    if (len < explicit_len + AEAD_TAG) {
        return ST_MALFORMED;
    }
    if (c->s.bulk == BULK_AES_GCM) {
        /* RFC 5288 3: salt from the key block, then the record's explicit nonce. */
        for (int i = 0; i < 4; i++) {
            nonce[i] = c->iv[i];
        }
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = body[i];
        }
    } else {
        xor_nonce(c, nonce); /* RFC 7905 2 */
    }
    size_t n = len - explicit_len - AEAD_TAG;
    header12(c, hdr, n, aad);
    if (!aead_open(c, nonce, aad, sizeof aad, body + explicit_len, n, out)) {
        return ST_MALFORMED;
    }
    *ret_len = n;
    return ST_OK;
}

static bool hmac_ok(const struct tls_cipher *c, const uint8_t head[13], const uint8_t *data,
                    size_t len, const uint8_t *mac)
{
    Hmac h;
    uint8_t want[48];
    bool ok = wc_HmacInit(&h, NULL, INVALID_DEVID) == 0 &&
              wc_HmacSetKey(&h, c->s.mac_type, c->mac_key, c->s.mac_len) == 0 &&
              wc_HmacUpdate(&h, head, 13) == 0 && wc_HmacUpdate(&h, data, (word32)len) == 0 &&
              wc_HmacFinal(&h, want) == 0;
    wc_HmacFree(&h);
    return ok && memcmp(want, mac, c->s.mac_len) == 0;
}

/* CBC: MAC-then-encrypt (RFC 5246 6.2.3.2) or encrypt-then-MAC (RFC 7366),
 * whichever authenticates: the ServerHello's extensions are not needed. */
static enum status open12_cbc(struct tls_cipher *c, const uint8_t hdr[5], const uint8_t *body,
                              size_t len, uint8_t *out, size_t *ret_len)
{
    uint8_t head[13];
    size_t mac = c->s.mac_len;
    bool explicit_iv = c->version >= 0x0302;
    bool etm = false;
    if (len >= mac + AES_BLOCK && (len - mac) % AES_BLOCK == 0) {
        header12(c, hdr, len - mac, head);
        etm = hmac_ok(c, head, body, len - mac, body + len - mac);
    }
    size_t ct_len = etm ? len - mac : len;
    if (ct_len == 0 || ct_len % AES_BLOCK != 0 || (explicit_iv && ct_len < 2 * AES_BLOCK)) {
        return ST_MALFORMED;
    }
    const uint8_t *iv = explicit_iv ? body : c->iv;
    const uint8_t *ct = explicit_iv ? body + AES_BLOCK : body;
    size_t n = explicit_iv ? ct_len - AES_BLOCK : ct_len;
    if (wc_AesSetIV(&c->aes, iv) != 0 || wc_AesCbcDecrypt(&c->aes, out, ct, (word32)n) != 0) {
        return ST_MALFORMED;
    }
    if (!explicit_iv) {
        /* TLS 1.0 chains the IV: the last ciphertext block of this record. */
        for (size_t i = 0; i < AES_BLOCK; i++) {
            c->iv[i] = ct[n - AES_BLOCK + i];
        }
    }
    size_t pad = (size_t)out[n - 1] + 1;
    if (pad > n || (!etm && pad + mac > n)) {
        return ST_MALFORMED;
    }
    size_t plain = n - pad - (etm ? 0 : mac);
    if (!etm) {
        header12(c, hdr, plain, head);
        if (!hmac_ok(c, head, out, plain, out + plain)) {
            return ST_MALFORMED;
        }
    }
    *ret_len = plain;
    return ST_OK;
}

enum status tls_cipher_open(struct tls_cipher *c, const uint8_t hdr[5], const uint8_t *body,
                            size_t len, uint8_t *out, size_t *ret_len, uint8_t *ret_type)
{
    enum status st;
    if (c->tls13) {
        st = open13(c, hdr, body, len, out, ret_len, ret_type);
    } else {
        *ret_type = hdr[0];
        st = c->s.bulk == BULK_AES_CBC ? open12_cbc(c, hdr, body, len, out, ret_len)
                                       : open12_aead(c, hdr, body, len, out, ret_len);
    }
    if (st == ST_OK) {
        c->seq++;
    }
    return st;
}
