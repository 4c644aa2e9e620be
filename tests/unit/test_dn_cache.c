/*
 * test_dn_cache.c - CA names rendered once per run: the same DER gives the
 * same arena strings, another DER its own, a name that does not render is
 * not cached, a NULL cache renders every time, and a cache tied to another
 * arena is not used.
 */
#include <string.h>

#include "dn_cache.h"
#include "testlib.h"

int main(void)
{
    /* CN=Test CA, O=Example (SEQUENCE of two RDNs) and CN=Other. */
    uint8_t a[64], b[64], bad[8];
    long al = tl_hex("30 24 31 10 30 0e 06 03 55 04 03 0c 07 54 65 73 74 20 43 41"
                     "31 10 30 0e 06 03 55 04 0a 0c 07 45 78 61 6d 70 6c 65",
                     a, sizeof a);
    long bl = tl_hex("30 10 31 0e 30 0c 06 03 55 04 03 0c 05 4f 74 68 65 72", b, sizeof b);
    long badl = tl_hex("30 05 31 03 02 01 00", bad, sizeof bad);
    struct evidence ev, other;
    ev_init(&ev);
    ev_init(&other);
    struct dn_cache *c = dn_cache_new(&ev.arena);
    CHECK(c != NULL, "cache");
    struct bytes d1, d2, d3;
    char *t1 = NULL, *t2 = NULL, *t3 = NULL;
    CHECK_INT(dn_cache_get(c, &ev.arena, (struct bytes){ a, (size_t)al }, &d1, &t1), ST_OK, "a");
    CHECK_INT(dn_cache_get(c, &ev.arena, (struct bytes){ a, (size_t)al }, &d2, &t2), ST_OK,
              "a again");
    CHECK(t1 && t1 == t2 && d1.ptr == d2.ptr, "the same strings the second time");
    CHECK_STR(t1, "O=Example,CN=Test CA", "rendered most specific RDN first");
    CHECK(d1.ptr != a && d1.len == (size_t)al && memcmp(d1.ptr, a, d1.len) == 0, "DER copied");
    CHECK_INT(dn_cache_get(c, &ev.arena, (struct bytes){ b, (size_t)bl }, &d3, &t3), ST_OK, "b");
    CHECK(t3 != t1, "another name, other strings");
    CHECK_STR(t3, "CN=Other", "b text");
    CHECK(dn_cache_get(c, &ev.arena, (struct bytes){ bad, (size_t)badl }, &d3, &t3) != ST_OK,
          "not a Name");
    CHECK(dn_cache_get(c, &ev.arena, (struct bytes){ bad, (size_t)badl }, &d3, &t3) != ST_OK,
          "still not a Name (a failure is not cached)");
    char *n1 = NULL, *n2 = NULL;
    CHECK_INT(dn_cache_get(NULL, &ev.arena, (struct bytes){ a, (size_t)al }, &d1, &n1), ST_OK,
              "no cache");
    CHECK_INT(dn_cache_get(NULL, &ev.arena, (struct bytes){ a, (size_t)al }, &d1, &n2), ST_OK,
              "no cache again");
    CHECK(n1 != n2 && strcmp(n1, n2) == 0, "without a cache every call renders");
    char *o1 = NULL;
    CHECK_INT(dn_cache_get(c, &other.arena, (struct bytes){ a, (size_t)al }, &d1, &o1), ST_OK,
              "other arena");
    CHECK(o1 != t1, "a cache of another arena is not used");
    dn_cache_free(c);
    ev_fini(&ev);
    ev_fini(&other);
    return tl_done();
}
