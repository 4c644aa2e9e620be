/*
 * fuzz_x509.c - x509_decode over arbitrary bytes taken as a DER
 * certificate, through a cache on a fresh arena, twice (the second call
 * must come from the cache), then verified with itself as the only trust
 * anchor (x509_verify_chain: path building, wolfSSL's certificate manager,
 * dates), then everything is freed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every string so that ASan sees a bad pointer or a missing NUL. */
static size_t touch(const char *s)
{
    return s ? strlen(s) : 0;
}

static size_t touch_list(char **items, size_t n)
{
    size_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += touch(items[i]);
    }
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ev_arena a;
    struct ev_cert *c = NULL, *again = NULL;

    ev_arena_init(&a, 64u << 20);
    struct x509_cache *cache = x509_cache_new(&a);
    if (!cache) {
        ev_arena_fini(&a);
        return 0;
    }
    if (x509_decode(cache, (struct bytes){ data, size }, &c) == ST_OK) {
        size_t sum = touch(c->subject) + touch(c->issuer) + touch(c->serial) +
                     touch(c->not_before) + touch(c->not_after) + touch(c->key_type) +
                     touch(c->signature_algorithm) + touch(c->error) + strlen(c->sha256) +
                     touch_list(c->san, c->san_count) +
                     touch_list(c->key_usage, c->key_usage_count) +
                     touch_list(c->ext_key_usage, c->ext_key_usage_count);
        sum += touch(c->ski_hex) + touch(c->aki_hex);
        (void)sum;
        if (x509_decode(cache, (struct bytes){ data, size }, &again) != ST_OK || again != c) {
            abort(); /* same DER, same struct */
        }
        struct ev_cert *certs[2] = { c, c };
        struct ev_chain chain = { .certs = certs, .count = 2 },
                        trust = { .certs = certs, .count = 1 };
        struct x509_verifier *v = NULL;
        struct ev_verify *res = NULL;
        if (x509_verifier_new(&trust, "fuzz", false, &v) == ST_OK) {
            if (x509_verify_chain(v, &a, &chain, 1767225600, &res) == ST_OK && res) {
                (void)touch(res->reason);
            }
            x509_verifier_free(v);
        }
    }
    x509_cache_free(cache);
    ev_arena_fini(&a);
    return 0;
}
