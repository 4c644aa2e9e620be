/*
 * test_x509_verify.c - x509_verify_chain on the test PKI (tests/data/pki):
 * the path from the leaf, wolfSSL's verdict on each link, and the dates
 * judged at the time given (the handshake's), not the wall clock: the same
 * chain verifies, has expired or is not yet valid depending on that time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"
#include "x509.h"

static int64_t utc(int y, int mo, int d)
{
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d };
    return (int64_t)timegm(&tm);
}

static const char *pki_dir(void)
{
    const char *d = getenv("TLSDIAG_TESTDATA");
    return d ? d : "tests/data";
}

static struct ev_chain *load(struct x509_cache *cache, const char *name)
{
    char path[1024], err[512];
    struct ev_chain *chain = NULL;
    snprintf(path, sizeof path, "%s/pki/%s", pki_dir(), name);
    if (x509_load_file(cache, path, &chain, err, sizeof err) != ST_OK) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    return chain;
}

static const struct {
    const char *name, *chain, *trust;
    bool self_signed_only;
    int y, m, d; /* the handshake time */
    enum ev_verify_result want;
    unsigned want_depth;
    size_t want_path;
    const char *want_anchor; /* subject, or NULL */
} cases[] = {
    { .name = "leaf under the trusted root",
      .chain = "server.pem",
      .trust = "server-root-ca.pem",
      .y = 2026,
      .m = 11,
      .d = 23,
      .want = EV_VERIFY_OK,
      .want_path = 1,
      .want_anchor = "CN=tlsdiag Test Server Root CA,O=tlsdiag fixtures,C=DE" },
    { .name = "leaf and root sent, root trusted",
      .chain = "localhost-server-chain.pem",
      .trust = "server-root-ca.pem",
      .y = 2026,
      .m = 11,
      .d = 23,
      .want = EV_VERIFY_OK,
      .want_path = 2,
      .want_anchor = "CN=tlsdiag Test Server Root CA,O=tlsdiag fixtures,C=DE" },
    { .name = "wrong root: issuer neither sent nor trusted",
      .chain = "server.pem",
      .trust = "client-ca-a.pem",
      .y = 2026,
      .m = 11,
      .d = 23,
      .want = EV_VERIFY_NO_ISSUER,
      .want_depth = 0,
      .want_path = 1 },
    { .name = "wrong root: the sent root is not trusted",
      .chain = "localhost-server-chain.pem",
      .trust = "client-ca-a.pem",
      .y = 2026,
      .m = 11,
      .d = 23,
      .want = EV_VERIFY_UNTRUSTED_ROOT,
      .want_depth = 1,
      .want_path = 2 },
    { .name = "expired at the handshake time",
      .chain = "server-expired.pem",
      .trust = "server-root-ca.pem",
      .y = 2026,
      .m = 11,
      .d = 23,
      .want = EV_VERIFY_EXPIRED,
      .want_depth = 0,
      .want_path = 1 },
    { .name = "the same leaf in 2020: valid, but the root did not exist yet",
      .chain = "server-expired.pem",
      .trust = "server-root-ca.pem",
      .y = 2020,
      .m = 6,
      .d = 1,
      .want = EV_VERIFY_NOT_YET_VALID,
      .want_depth = 1,
      .want_path = 1 },
    { .name = "a good leaf before its notBefore",
      .chain = "server.pem",
      .trust = "server-root-ca.pem",
      .y = 2025,
      .m = 1,
      .d = 1,
      .want = EV_VERIFY_NOT_YET_VALID,
      .want_depth = 0,
      .want_path = 1 },
    { .name = "leaf and intermediate sent",
      .chain = "client-a-chain.pem",
      .trust = "client-ca-a.pem",
      .y = 2026,
      .m = 11,
      .d = 23,
      .want = EV_VERIFY_OK,
      .want_path = 2,
      .want_anchor = "CN=tlsdiag Test Client CA A,O=tlsdiag fixtures,C=DE" },
    { .name = "intermediate missing",
      .chain = "client-a.pem",
      .trust = "client-ca-a.pem",
      .y = 2026,
      .m = 11,
      .d = 23,
      .want = EV_VERIFY_NO_ISSUER,
      .want_depth = 0,
      .want_path = 1 },
    { .name = "an intermediate in the CA file is an anchor",
      .chain = "client-a.pem",
      .trust = "client-ca-a-int1.pem",
      .y = 2026,
      .m = 11,
      .d = 23,
      .want = EV_VERIFY_OK,
      .want_path = 1,
      .want_anchor = "CN=tlsdiag Test Client Intermediate A1,O=tlsdiag fixtures,C=DE" },
    { .name = "... but not with self-signed anchors only",
      .chain = "client-a.pem",
      .trust = "client-ca-a-int1.pem",
      .self_signed_only = true,
      .y = 2026,
      .m = 11,
      .d = 23,
      .want = EV_VERIFY_NO_ISSUER,
      .want_depth = 0,
      .want_path = 1 },
    { .name = "another CA's leaf",
      .chain = "client-b.pem",
      .trust = "client-ca-a.pem",
      .y = 2026,
      .m = 11,
      .d = 23,
      .want = EV_VERIFY_NO_ISSUER,
      .want_depth = 0,
      .want_path = 1 },
};

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ev_arena a;
        ev_arena_init(&a, 16u << 20);
        struct x509_cache *cache = x509_cache_new(&a);
        struct ev_chain *chain = load(cache, cases[i].chain);
        struct ev_chain *trust = load(cache, cases[i].trust);
        struct x509_verifier *v = NULL;
        struct ev_verify *res = NULL;
        CHECK(chain && trust, cases[i].name);
        if (chain && trust &&
            x509_verifier_new(trust, "CAFILE", cases[i].self_signed_only, &v) == ST_OK) {
            int64_t at = utc(cases[i].y, cases[i].m, cases[i].d);
            CHECK_INT(x509_verify_chain(v, &a, chain, at, &res), ST_OK, cases[i].name);
            CHECK(res != NULL, cases[i].name);
            if (res) {
                CHECK_INT(res->result, cases[i].want, cases[i].name);
                CHECK_INT(res->depth, cases[i].want_depth, cases[i].name);
                CHECK_INT(res->path_len, cases[i].want_path, cases[i].name);
                CHECK_INT(res->at, at, cases[i].name);
                CHECK(res->result == EV_VERIFY_OK ? res->reason == NULL : res->reason != NULL,
                      cases[i].name);
                if (cases[i].want_anchor) {
                    CHECK_STR(res->anchor ? res->anchor->subject : "(none)", cases[i].want_anchor,
                              cases[i].name);
                }
                /* the second time comes from the memo, with the same answer */
                struct ev_verify *again = NULL;
                CHECK_INT(x509_verify_chain(v, &a, chain, at, &again), ST_OK, cases[i].name);
                CHECK(again && again->result == res->result && again->depth == res->depth,
                      cases[i].name);
            }
        }
        x509_verifier_free(v);
        x509_cache_free(cache);
        ev_arena_fini(&a);
    }
}

/* A leaf whose signature was altered: wolfSSL finds the issuer and refuses
 * the signature. */
static void test_bad_signature(void)
{
    struct ev_arena a;
    ev_arena_init(&a, 16u << 20);
    struct x509_cache *cache = x509_cache_new(&a);
    struct ev_chain *good = load(cache, "server.pem");
    struct ev_chain *trust = load(cache, "server-root-ca.pem");
    CHECK(good && trust, "bad signature: fixtures");
    if (!good || !trust) {
        x509_cache_free(cache);
        ev_arena_fini(&a);
        return;
    }
    struct bytes d = good->certs[0]->der;
    uint8_t *der = malloc(d.len);
    if (!der) {
        abort();
    }
    memcpy(der, d.ptr, d.len);
    der[d.len - 5] ^= 0x5a; /* inside the signature value */
    struct ev_cert *bad = NULL;
    CHECK_INT(x509_decode(cache, (struct bytes){ der, d.len }, &bad), ST_OK, "bad signature");
    free(der);
    struct ev_cert *certs[1] = { bad };
    struct ev_chain chain = { .certs = certs, .count = 1 };
    struct x509_verifier *v = NULL;
    struct ev_verify *res = NULL;
    CHECK_INT(x509_verifier_new(trust, "CAFILE", false, &v), ST_OK, "bad signature");
    CHECK_INT(x509_verify_chain(v, &a, &chain, utc(2026, 11, 23), &res), ST_OK, "bad signature");
    CHECK(res && res->result == EV_VERIFY_INVALID && res->depth == 0, "bad signature");
    CHECK(res && res->reason && strstr(res->reason, "signature"), "bad signature: reason");

    struct ev_chain empty = { 0 };
    CHECK_INT(x509_verify_chain(v, &a, &empty, 0, &res), ST_OK, "empty chain");
    CHECK(res == NULL, "empty chain: not verified");
    x509_verifier_free(v);
    x509_cache_free(cache);
    ev_arena_fini(&a);
}

/* A CA file larger than a chain may be (300 roots): the leaf of Test CA 150
 * verifies against the bundle, x509_load_file refuses it as a chain. */
static void test_bundle(void)
{
    struct ev_arena a;
    ev_arena_init(&a, 32u << 20);
    struct x509_cache *cache = x509_cache_new(&a);
    char path[1024], err[512];
    struct ev_chain *bundle = NULL, *as_chain = NULL;
    snprintf(path, sizeof path, "%s/pki/ca-list-300.pem", pki_dir());
    CHECK_INT(x509_load_trust_file(cache, path, &bundle, err, sizeof err), ST_OK, "bundle");
    CHECK(bundle && bundle->count == 300, "bundle: 300 certificates");
    CHECK_INT(x509_load_file(cache, path, &as_chain, err, sizeof err), ST_LIMIT, "bundle as chain");
    struct ev_chain *leaf = load(cache, "client-150.pem");
    struct x509_verifier *v = NULL;
    struct ev_verify *res = NULL;
    if (bundle && leaf && x509_verifier_new(bundle, "bundle", false, &v) == ST_OK) {
        CHECK_INT(x509_verify_chain(v, &a, leaf, utc(2027, 1, 1), &res), ST_OK, "bundle");
        CHECK(res && res->result == EV_VERIFY_OK, "bundle: verified");
        CHECK_STR(res && res->anchor ? res->anchor->subject : "(none)",
                  "CN=Test CA 150,O=tlsdiag fixtures,C=DE", "bundle: anchor");
    }
    x509_verifier_free(v);
    x509_cache_free(cache);
    ev_arena_fini(&a);
}

int main(void)
{
    test_cases();
    test_bundle();
    test_bad_signature();
    return tl_done();
}
