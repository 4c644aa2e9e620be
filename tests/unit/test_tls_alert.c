/*
 * test_tls_alert.c - the Alert message (RFC 8446 6): both levels, unknown
 * descriptions kept, bad levels malformed with the cursor untouched,
 * several alerts in one record, too few bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "tls_alert.h"
#include "tls_names.h"

/* Decodes hex into a heap block of exactly the decoded size, so ASan sees
 * any read past the end. */
static const struct {
    const char *name;
    const char *hex;
    enum status want;
    uint8_t level;
    uint8_t desc;
    size_t want_pos;
    uint64_t want_off; /* failure offset, from base 1000 */
} cases[] = {
    { .name = "fatal handshake_failure",
      .hex = "02 28",
      .want = ST_OK,
      .level = 2,
      .desc = 40,
      .want_pos = 2 },
    { .name = "warning close_notify",
      .hex = "01 00",
      .want = ST_OK,
      .level = 1,
      .desc = 0,
      .want_pos = 2 },
    { .name = "warning unrecognized_name",
      .hex = "01 70",
      .want = ST_OK,
      .level = 1,
      .desc = 112,
      .want_pos = 2 },
    { .name = "unknown description kept",
      .hex = "02 fe",
      .want = ST_OK,
      .level = 2,
      .desc = 254,
      .want_pos = 2 },
    { .name = "two alerts: first only",
      .hex = "01 00 02 28",
      .want = ST_OK,
      .level = 1,
      .desc = 0,
      .want_pos = 2 },
    { .name = "empty", .hex = "", .want = ST_MALFORMED, .want_pos = 0, .want_off = 1000 },
    { .name = "one byte short",
      .hex = "02",
      .want = ST_MALFORMED,
      .want_pos = 0,
      .want_off = 1001 },
    { .name = "level 0", .hex = "00 28", .want = ST_MALFORMED, .want_pos = 0, .want_off = 1000 },
    { .name = "level 3", .hex = "03 28", .want = ST_MALFORMED, .want_pos = 0, .want_off = 1000 },
    { .name = "encrypted-looking bytes",
      .hex = "9a 3f",
      .want = ST_MALFORMED,
      .want_pos = 0,
      .want_off = 1000 },
};

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        uint8_t *b = tl_hex_exact(cases[i].hex, &n);
        struct parse_error err = { 0 };
        struct cursor c;
        struct tls_alert a = { .level = 0xee, .description = 0xee };

        cur_init(&c, b, n, 1000, &err);
        enum status st = tls_alert_parse(&c, &a);
        CHECK_INT(st, cases[i].want, cases[i].name);
        CHECK_INT(c.pos, cases[i].want_pos, cases[i].name);
        if (st == ST_OK) {
            CHECK_INT(a.level, cases[i].level, cases[i].name);
            CHECK_INT(a.description, cases[i].desc, cases[i].name);
            CHECK_INT(err.status, ST_OK, cases[i].name);
        } else {
            CHECK_INT(a.level, 0xee, cases[i].name); /* written only on success */
            CHECK_INT(err.status, cases[i].want, cases[i].name);
            CHECK_INT(err.offset, cases[i].want_off, cases[i].name);
        }
        free(b);
    }
}

static void test_record_with_several_alerts(void)
{
    size_t n;
    uint8_t *b = tl_hex_exact("01 00 02 28 02 30", &n);
    struct parse_error err = { 0 };
    struct cursor c;
    struct tls_alert a;
    const uint8_t want_desc[] = { 0, 40, 48 };
    size_t count = 0;

    cur_init(&c, b, n, 0, &err);
    while (cur_left(&c) > 0 && tls_alert_parse(&c, &a) == ST_OK) {
        CHECK(count < 3, "no more than three alerts");
        if (count < 3) {
            CHECK_INT(a.description, want_desc[count], "alert in order");
        }
        count++;
    }
    CHECK_INT(count, 3, "three alerts in one record");
    CHECK_STR(tls_alert_name(a.description), "unknown_ca", "last alert named");
    CHECK_STR(tls_alert_level_name(a.level), "fatal", "last alert level named");
    free(b);
}

int main(void)
{
    test_cases();
    test_record_with_several_alerts();
    return tl_done();
}
