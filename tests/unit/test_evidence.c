/*
 * test_evidence.c - the analysis arena (cap, alignment, zeroing, big
 * blocks), the string helpers, ev_grow/EV_PUSH growth and limits, and the
 * evidence helpers that append inputs, connections and notes.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "evidence.h"
#include "testlib.h"

static bool aligned(const void *p)
{
    return (uintptr_t)p % alignof(max_align_t) == 0;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

/* ---- ev_alloc and the cap --------------------------------------------------- */

static const struct {
    const char *name;
    size_t cap;
    size_t first;  /* allocated first (0: nothing) */
    size_t second; /* then this */
    bool want_first, want_second;
} alloc_cases[] = {
    { .name = "zero cap, zero bytes", .cap = 0, .second = 0, .want_second = false },
    { .name = "zero bytes take one unit",
      .cap = sizeof(max_align_t),
      .second = 0,
      .want_second = true },
    { .name = "exactly the cap", .cap = 4096, .second = 4096, .want_second = true },
    { .name = "one past the cap", .cap = 4096, .second = 4097, .want_second = false },
    { .name = "cap full, one more byte",
      .cap = 4096,
      .first = 4096,
      .second = 1,
      .want_first = true,
      .want_second = false },
    { .name = "one unit left",
      .cap = 4096,
      .first = 4096 - sizeof(max_align_t),
      .second = 1,
      .want_first = true,
      .want_second = true },
    /* the cap counts what is handed out, alignment padding included: 100
     * bytes take 112 or 128, so a cap of 100 cannot give them */
    { .name = "padding counts against the cap", .cap = 100, .second = 100, .want_second = false },
    { .name = "after a refused allocation the cap still holds",
      .cap = 100,
      .first = 100,
      .second = 1 << 20,
      .want_first = false,
      .want_second = false },
    { .name = "SIZE_MAX", .cap = SIZE_MAX, .second = SIZE_MAX, .want_second = false },
    { .name = "SIZE_MAX - 8", .cap = SIZE_MAX, .second = SIZE_MAX - 8, .want_second = false },
};

static void test_alloc_cap(void)
{
    for (size_t i = 0; i < sizeof alloc_cases / sizeof alloc_cases[0]; i++) {
        struct ev_arena a;
        ev_arena_init(&a, alloc_cases[i].cap);
        if (alloc_cases[i].first) {
            void *p = ev_alloc(&a, alloc_cases[i].first);
            CHECK_INT(p != NULL, alloc_cases[i].want_first, alloc_cases[i].name);
        }
        void *q = ev_alloc(&a, alloc_cases[i].second);
        CHECK_INT(q != NULL, alloc_cases[i].want_second, alloc_cases[i].name);
        CHECK(a.used <= a.cap, alloc_cases[i].name);
        ev_arena_fini(&a);
    }
}

/* Odd sizes never let the arena hand out more than its cap. */
static void test_cap_never_exceeded(void)
{
    static const size_t sizes[] = { 1, 3, 17, 100, 1000, 65535, 65537, 200000 };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct ev_arena a;
        size_t handed = 0;
        ev_arena_init(&a, 1u << 20);
        for (int k = 0; k < 100000; k++) {
            if (!ev_alloc(&a, sizes[s])) {
                break;
            }
            handed += sizes[s];
        }
        CHECK(a.used <= a.cap, "used <= cap");
        CHECK(handed <= a.cap, "bytes handed out <= cap");
        CHECK(!ev_alloc(&a, 1u << 20), "a big one after the cap");
        ev_arena_fini(&a);
    }
}

static void test_alloc_shape(void)
{
    struct ev_arena a;
    ev_arena_init(&a, 8u << 20);

    unsigned char *p1 = ev_alloc(&a, 1);
    unsigned char *p2 = ev_alloc(&a, 3);
    CHECK(p1 && p2 && aligned(p1) && aligned(p2), "aligned");
    CHECK(p1 && p2 && p1 != p2, "distinct");
    /* a block bigger than a chunk, then small ones keep filling the old chunk */
    unsigned char *big = ev_alloc(&a, 200000);
    CHECK(big && aligned(big) && all_zero(big, 200000), "big block zeroed");
    if (big) {
        memset(big, 0xab, 200000);
    }
    unsigned char *p3 = ev_alloc(&a, 40);
    CHECK(p3 && all_zero(p3, 40), "small after big, zeroed");
    CHECK(p3 && p2 && p3 > p2 && p3 - p2 < 4096, "small after big: same chunk as before");
    /* many chunks */
    bool ok = true;
    for (int i = 0; i < 1000 && ok; i++) {
        unsigned char *q = ev_alloc(&a, 1000);
        ok = q && aligned(q) && all_zero(q, 1000);
        if (q) {
            memset(q, 0xff, 1000);
        }
    }
    CHECK(ok, "1000 x 1000 bytes");
    ev_arena_fini(&a);
    CHECK(a.head == NULL && a.used == 0, "fini resets");
    ev_arena_fini(&a); /* twice is harmless */
}

static void test_strings(void)
{
    struct ev_arena a;
    ev_arena_init(&a, 1u << 20);

    CHECK_STR(ev_strdup(&a, "abc"), "abc", "strdup");
    CHECK_STR(ev_strdup(&a, ""), "", "strdup empty");
    CHECK(ev_strdup(&a, NULL) == NULL, "strdup NULL");
    CHECK_STR(ev_strndup(&a, "abcdef", 3), "abc", "strndup");
    CHECK_STR(ev_strndup(&a, "ab\0cd", 5), "ab", "strndup with NUL");
    CHECK(ev_strndup(&a, "x", SIZE_MAX) == NULL, "strndup SIZE_MAX");
    CHECK_STR(ev_printf(&a, "%s-%d-%04x", "x", -3, 0xab), "x--3-00ab", "printf");
    CHECK_STR(ev_printf(&a, "%s", ""), "", "printf empty");
    const uint8_t raw[] = { 1, 0, 2 };
    uint8_t *dup = ev_memdup(&a, raw, sizeof raw);
    CHECK(dup && dup[0] == 1 && dup[1] == 0 && dup[2] == 2, "memdup");
    CHECK(ev_memdup(&a, NULL, 0) != NULL, "memdup of nothing");
    ev_arena_fini(&a);

    /* a full arena gives NULL, not a crash: a cap of one allocation unit
     * holds a string of unit - 1 bytes, not one more */
    const size_t unit = sizeof(max_align_t);
    const char *text = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    ev_arena_init(&a, unit);
    CHECK(ev_strndup(&a, text, unit) == NULL, "strndup one past the cap");
    char *s = ev_strndup(&a, text, unit - 1);
    CHECK(s && strlen(s) == unit - 1, "strndup at the cap");
    CHECK(ev_printf(&a, "%d", 1) == NULL, "printf on a full arena");
    ev_arena_fini(&a);
}

/* ---- ev_grow / EV_PUSH -------------------------------------------------------- */

static const struct {
    const char *name;
    size_t count, cap, max;
    enum status want;
    size_t want_cap;
} grow_cases[] = {
    { .name = "first growth", .count = 0, .cap = 0, .max = 100, .want = ST_OK, .want_cap = 4 },
    { .name = "room left", .count = 3, .cap = 4, .max = 100, .want = ST_OK, .want_cap = 4 },
    { .name = "doubling", .count = 4, .cap = 4, .max = 100, .want = ST_OK, .want_cap = 8 },
    { .name = "clamped to max",
      .count = 64,
      .cap = 64,
      .max = 100,
      .want = ST_OK,
      .want_cap = 100 },
    { .name = "one below max",
      .count = 99,
      .cap = 100,
      .max = 100,
      .want = ST_OK,
      .want_cap = 100 },
    { .name = "at max", .count = 100, .cap = 100, .max = 100, .want = ST_LIMIT, .want_cap = 100 },
    { .name = "max 0", .count = 0, .cap = 0, .max = 0, .want = ST_LIMIT, .want_cap = 0 },
    { .name = "max 1", .count = 0, .cap = 0, .max = 1, .want = ST_OK, .want_cap = 1 },
};

static void test_grow(void)
{
    for (size_t i = 0; i < sizeof grow_cases / sizeof grow_cases[0]; i++) {
        struct ev_arena a;
        ev_arena_init(&a, 1u << 20);
        size_t cap = grow_cases[i].cap;
        uint32_t *arr = cap ? ev_alloc(&a, cap * sizeof *arr) : NULL;
        void *before = arr;
        for (size_t k = 0; k < grow_cases[i].count && k < cap; k++) {
            arr[k] = (uint32_t)k + 1;
        }
        enum status st =
            ev_grow(&a, (void **)&arr, &cap, grow_cases[i].count, sizeof *arr, grow_cases[i].max);
        CHECK_INT(st, grow_cases[i].want, grow_cases[i].name);
        CHECK_INT(cap, grow_cases[i].want_cap, grow_cases[i].name);
        if (st == ST_OK && cap != grow_cases[i].cap) {
            bool kept = arr != before;
            for (size_t k = 0; k < grow_cases[i].count; k++) {
                kept = kept && arr[k] == k + 1;
            }
            CHECK(kept, "contents moved");
        }
        ev_arena_fini(&a);
    }

    /* element size overflow and a full arena */
    struct ev_arena a;
    void *arr = NULL;
    size_t cap = 0;
    ev_arena_init(&a, 1u << 20);
    CHECK_INT(ev_grow(&a, &arr, &cap, 0, SIZE_MAX / 2, 100), ST_LIMIT, "ncap * size overflows");
    CHECK_INT(ev_grow(&a, &arr, &cap, 0, 1u << 20, 100), ST_NOMEM, "arena too small");
    CHECK(arr == NULL && cap == 0, "untouched on failure");
    ev_arena_fini(&a);
}

static void test_push(void)
{
    struct ev_arena a;
    uint16_t *items = NULL;
    size_t n = 0, cap = 0;
    enum status st = ST_OK;

    ev_arena_init(&a, 1u << 20);
    for (uint16_t v = 0; v < 1000 && st == ST_OK; v++) {
        st = EV_PUSH(&a, items, n, cap, 1000, &v);
    }
    CHECK_INT(st, ST_OK, "1000 pushes");
    CHECK_INT(n, 1000, "1000 pushes");
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        ok = ok && items[i] == i;
    }
    CHECK(ok, "values kept in order");
    uint16_t one = 7;
    CHECK_INT(EV_PUSH(&a, items, n, cap, 1000, &one), ST_LIMIT, "push at max");
    CHECK_INT(n, 1000, "count unchanged at max");
    ev_arena_fini(&a);
}

/* ---- the evidence helpers ------------------------------------------------------- */

static void test_evidence(void)
{
    struct evidence ev;
    ev_init(&ev);

    struct ev_input *in = ev_input_add(&ev, "a.pcap", EV_IN_PCAP);
    CHECK(in && in->kind == EV_IN_PCAP, "input added");
    CHECK_STR(in ? in->path : NULL, "a.pcap", "input path copied");
    CHECK(ev.input_count == 1, "one input");

    struct ev_connection *c1 = ev_connection_add(&ev);
    struct ev_connection *c2 = ev_connection_add(&ev);
    CHECK(c1 && c2 && c1->id == 1 && c2->id == 2, "connection ids 1-based");
    CHECK(c1 && c1->server_chain == NULL && c1->msg_count == 0, "connection zeroed");
    CHECK_INT(ev.conn_count, 2, "two connections");

    CHECK_INT(ev_note_add(&ev, c1, ST_TRUNCATED, 12, 345, EV_FROM_SERVER, "gap"), ST_OK, "note");
    CHECK(c1 && c1->note_count == 1 && c1->notes[0].status == ST_TRUNCATED &&
              c1->notes[0].ref == 12 && c1->notes[0].offset == 345 &&
              c1->notes[0].from == EV_FROM_SERVER,
          "note fields");
    CHECK_STR(c1 && c1->note_count ? c1->notes[0].text : NULL, "gap", "note text");

    ev_fini(&ev);
    CHECK(ev.conns == NULL && ev.conn_count == 0, "fini clears");
}

static void test_status_names(void)
{
    CHECK_STR(status_name(ST_OK), "ok", "ST_OK");
    CHECK_STR(status_name(ST_MALFORMED), "malformed", "ST_MALFORMED");
    CHECK_STR(status_name(ST_INTERNAL), "internal error", "last");
    CHECK_STR(status_name((enum status)(ST_INTERNAL + 1)), "unknown status", "past the table");
    CHECK_STR(status_name((enum status) - 1), "unknown status", "negative");
}

int main(void)
{
    test_alloc_cap();
    test_cap_never_exceeded();
    test_alloc_shape();
    test_strings();
    test_grow();
    test_push();
    test_evidence();
    test_status_names();
    return tl_done();
}
