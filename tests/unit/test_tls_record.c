/*
 * test_tls_record.c - the record header (RFC 8446 5.1), the content test
 * that finds TLS in a stream, and the SSLv2-format ClientHello (RFC 5246
 * E.2). Real bytes come from the public corpus: illustrated-tls13 (TLS 1.3
 * ClientHello/ServerHello), arkime pppoe.pcap (SSLv2 hello, version 3.0)
 * and zeek ssl-v2.pcap (SSL 2.0 hello).
 */
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "testlib.h"
#include "tls_record.h"

/* Record header + start of the ClientHello of illustrated-tls13 capture.pcap. */
#define CH13_START "16 0301 00f8  01 0000f4 0303 0001020304050607"
/* Record header + start of its ServerHello. */
#define SH13_START "16 0303 007a  02 000076 0303 7071727374757677"
/* arkime pppoe.pcap: SSLv2-format ClientHello offering SSL 3.0 (78 bytes). */
#define V2_HELLO_30                                                                       \
    "804c 01 0300 0033 0000 0010"                                                         \
    "000004 000005 00000a 010080 0700c0 030080 000009 060040 000064 000062 000003 000006" \
    "020080 040080 000013 000012 000063"                                                  \
    "a108e16bbe46a47c2e696eff96302e2b"
/* zeek ssl-v2.pcap: SSL 2.0 ClientHello (48 bytes). */
#define V2_HELLO_20                                    \
    "802e 01 0002 0015 0000 0010"                      \
    "0700c0 050080 030080 010080 060040 040080 020080" \
    "1c30e2b12f4c04525476f280c07abee5"

static const struct {
    const char *name;
    const char *hex;
    enum status want;
    uint8_t type;
    uint16_t version;
    uint16_t length;
} headers[] = {
    { .name = "handshake 1.0",
      .hex = "16 0301 00f8",
      .want = ST_OK,
      .type = 22,
      .version = 0x0301,
      .length = 0xf8 },
    { .name = "alert",
      .hex = "15 0303 0002 0228",
      .want = ST_OK,
      .type = 21,
      .version = 0x0303,
      .length = 2 },
    { .name = "ccs",
      .hex = "14 0303 0001 01",
      .want = ST_OK,
      .type = 20,
      .version = 0x0303,
      .length = 1 },
    { .name = "heartbeat",
      .hex = "18 0302 0000",
      .want = ST_OK,
      .type = 24,
      .version = 0x0302,
      .length = 0 },
    { .name = "SSL 3.0 app data",
      .hex = "17 0300 0010",
      .want = ST_OK,
      .type = 23,
      .version = 0x0300,
      .length = 16 },
    { .name = "length at the cap",
      .hex = "17 0303 4800",
      .want = ST_OK,
      .type = 23,
      .version = 0x0303,
      .length = 0x4800 },
    { .name = "length one past the cap", .hex = "17 0303 4801", .want = ST_MALFORMED },
    { .name = "length 0xffff", .hex = "17 0303 ffff", .want = ST_MALFORMED },
    { .name = "empty", .hex = "", .want = ST_INCOMPLETE },
    { .name = "one byte short", .hex = "16 0303 00", .want = ST_INCOMPLETE },
    { .name = "type 19", .hex = "13 0303 0005", .want = ST_MALFORMED },
    { .name = "type 25", .hex = "19 0303 0005", .want = ST_MALFORMED },
    { .name = "major 2", .hex = "16 0203 0005", .want = ST_MALFORMED },
    { .name = "SSLv2 header", .hex = "80 2e 01 0002", .want = ST_MALFORMED },
};

static void test_header(void)
{
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        size_t n;
        uint8_t *b = tl_hex_exact(headers[i].hex, &n);
        struct parse_error err = { 0 };
        struct cursor c;
        struct tls_record_header h = { .type = 0xee };

        cur_init(&c, b, n, 500, &err);
        enum status st = tls_record_header_parse(&c, &h);
        CHECK_INT(st, headers[i].want, headers[i].name);
        if (st == ST_OK) {
            CHECK_INT(c.pos, TLS_RECORD_HEADER_LEN, headers[i].name);
            CHECK_INT(h.type, headers[i].type, headers[i].name);
            CHECK_INT(h.version, headers[i].version, headers[i].name);
            CHECK_INT(h.length, headers[i].length, headers[i].name);
        } else {
            CHECK_INT(c.pos, 0, headers[i].name); /* cursor untouched */
            CHECK_INT(h.type, 0xee, headers[i].name);
        }
        /* ST_INCOMPLETE is not a failure: nothing recorded. */
        CHECK_INT(err.status, st == ST_INCOMPLETE ? ST_OK : st, headers[i].name);
        if (st == ST_MALFORMED) {
            CHECK_INT(err.offset, 500, headers[i].name);
        }
        free(b);
    }
}

static const struct {
    const char *name;
    const char *hex;
    enum tls_start_kind want;
} starts[] = {
    { .name = "TLS 1.3 ClientHello", .hex = CH13_START, .want = TLS_START_RECORD },
    { .name = "ServerHello", .hex = SH13_START, .want = TLS_START_RECORD },
    { .name = "header only", .hex = "16 0301 00f8", .want = TLS_START_RECORD },
    { .name = "header + type", .hex = "16 0301 00f8 01", .want = TLS_START_RECORD },
    { .name = "partial header", .hex = "16 0301 00", .want = TLS_START_RECORD },
    { .name = "one byte", .hex = "16", .want = TLS_START_RECORD },
    { .name = "partial, major 2", .hex = "16 02", .want = TLS_START_NONE },
    { .name = "partial, minor 5", .hex = "16 03 05", .want = TLS_START_NONE },
    { .name = "partial, length over cap", .hex = "16 03 01 49", .want = TLS_START_NONE },
    { .name = "empty", .hex = "", .want = TLS_START_NONE },
    { .name = "SSL 3.0 record",
      .hex = "16 0300 0059 01 000055 0300 5a90",
      .want = TLS_START_RECORD },
    { .name = "record version 1.3",
      .hex = "16 0304 0059 01 000055 0303",
      .want = TLS_START_RECORD },
    { .name = "record version 3.5", .hex = "16 0305 0059 01 000055 0303", .want = TLS_START_NONE },
    { .name = "record version 2.0", .hex = "16 0200 0059 01 000055 0303", .want = TLS_START_NONE },
    { .name = "application data", .hex = "17 0303 0059 01 000055 0303", .want = TLS_START_NONE },
    { .name = "record length 3", .hex = "16 0303 0003 01 000055", .want = TLS_START_NONE },
    { .name = "record length over cap", .hex = "16 0303 4801 01 000055", .want = TLS_START_NONE },
    { .name = "Certificate first", .hex = "16 0303 0059 0b 000055 0000", .want = TLS_START_NONE },
    { .name = "hello too short", .hex = "16 0303 0059 01 000025 0303", .want = TLS_START_NONE },
    { .name = "hello shortest", .hex = "16 0303 0059 02 000026 0303", .want = TLS_START_RECORD },
    { .name = "hello over cap", .hex = "16 0303 0059 01 080001 0303", .want = TLS_START_NONE },
    { .name = "hello split over records",
      .hex = "16 0303 0010 01 000200 0303 0000",
      .want = TLS_START_RECORD },
    { .name = "split, bad version",
      .hex = "16 0303 0010 01 000200 0203 0000",
      .want = TLS_START_NONE },
    { .name = "legacy_version 3.5", .hex = "16 0303 0059 01 000055 0305", .want = TLS_START_NONE },
    { .name = "draft-18 ServerHello",
      .hex = "16 0301 0059 02 000055 7f12",
      .want = TLS_START_RECORD },
    { .name = "draft version in a ClientHello",
      .hex = "16 0301 0059 01 000055 7f12",
      .want = TLS_START_NONE },
    { .name = "SSLv2 hello 3.0", .hex = V2_HELLO_30, .want = TLS_START_SSLV2_HELLO },
    { .name = "SSLv2 hello 2.0", .hex = V2_HELLO_20, .want = TLS_START_SSLV2_HELLO },
    { .name = "SSLv2 prefix", .hex = "804c 01 0300 00", .want = TLS_START_SSLV2_HELLO },
    { .name = "SSLv2 one byte", .hex = "80", .want = TLS_START_SSLV2_HELLO },
    { .name = "SSLv2 record too short", .hex = "80 1b", .want = TLS_START_NONE },
    { .name = "SSLv2 partial, type 2", .hex = "80 2e 02", .want = TLS_START_NONE },
    { .name = "SSLv2 partial, version 4.x", .hex = "80 2e 01 04", .want = TLS_START_NONE },
    { .name = "SSLv2 version 3.4", .hex = "804c 01 0304 0033 0000 0010", .want = TLS_START_NONE },
    { .name = "SSLv2 server hello", .hex = "804c 04 0002 0033 0000 0010", .want = TLS_START_NONE },
    { .name = "SSLv2 specs not x3", .hex = "804c 01 0300 0032 0000 0010", .want = TLS_START_NONE },
    { .name = "SSLv2 bad session id",
      .hex = "804c 01 0300 0033 0008 0010",
      .want = TLS_START_NONE },
    { .name = "SSLv2 challenge 15", .hex = "804b 01 0300 0033 0000 000f", .want = TLS_START_NONE },
    { .name = "SSLv2 lengths disagree",
      .hex = "804d 01 0300 0033 0000 0010",
      .want = TLS_START_NONE },
    { .name = "no high bit", .hex = "004c 01 0300 0033 0000 0010", .want = TLS_START_NONE },
    { .name = "SMTP banner",
      .hex = "323230206d61696c2e6578616d706c652e636f6d",
      .want = TLS_START_NONE },
    { .name = "MySQL SSL request",
      .hex = "200000 01 85ae7f00 00000001 21 0000000000",
      .want = TLS_START_NONE },
};

static void test_start_detect(void)
{
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        size_t n;
        uint8_t *b = tl_hex_exact(starts[i].hex, &n);
        CHECK_INT(tls_start_detect(b, n), starts[i].want, starts[i].name);
        free(b);
    }
    CHECK_INT(tls_start_detect(NULL, 0), TLS_START_NONE, "NULL buffer");
}

/* Every non-empty prefix of a real SSLv2 hello or TLS hello record is
 * detected: the scanner learns to wait for more bytes. */
static void test_start_detect_prefixes(void)
{
    const char *hexes[] = { V2_HELLO_30, V2_HELLO_20, CH13_START, SH13_START };
    for (size_t k = 0; k < sizeof hexes / sizeof hexes[0]; k++) {
        size_t n;
        uint8_t *b = tl_hex_exact(hexes[k], &n);
        for (size_t len = 0; len <= n; len++) {
            enum tls_start_kind got = tls_start_detect(b, len);
            if (len == 0) {
                CHECK_INT(got, TLS_START_NONE, "empty prefix");
            } else {
                CHECK(got != TLS_START_NONE, "prefix detected");
            }
        }
        free(b);
    }
}

static void test_sslv2_parse(void)
{
    size_t n;
    uint8_t *b = tl_hex_exact(V2_HELLO_30 "16 0300 0084", &n); /* SSLv3 record follows */
    struct parse_error err = { 0 };
    struct cursor c;
    struct tls_sslv2_hello h;
    size_t rec_len = 0;

    cur_init(&c, b, n, 0, &err);
    CHECK_INT(tls_sslv2_hello_parse(&c, &rec_len, &h), ST_OK, "pppoe SSLv2 hello");
    CHECK_INT(rec_len, 76, "record body length");
    CHECK_INT(c.pos, 78, "cursor past the record");
    CHECK_INT(h.version, 0x0300, "version");
    CHECK_INT(h.cipher_specs.len, 51, "cipher specs");
    CHECK_INT(h.session_id.len, 0, "session id");
    CHECK_INT(h.challenge.len, 16, "challenge");
    CHECK_INT(h.challenge.ptr[0], 0xa1, "challenge bytes");
    free(b);

    b = tl_hex_exact(V2_HELLO_20, &n);
    cur_init(&c, b, n, 0, &err);
    CHECK_INT(tls_sslv2_hello_parse(&c, &rec_len, &h), ST_OK, "zeek SSL 2.0 hello");
    CHECK_INT(h.version, 0x0002, "SSL 2.0");
    CHECK_INT(h.cipher_specs.len, 21, "7 cipher specs");
    CHECK_INT(cur_left(&c), 0, "all consumed");

    /* Every shorter prefix is incomplete, cursor untouched, nothing recorded. */
    for (size_t len = 0; len < n; len++) {
        struct parse_error e2 = { 0 };
        cur_init(&c, b, len, 0, &e2);
        CHECK_INT(tls_sslv2_hello_parse(&c, &rec_len, &h), ST_INCOMPLETE, "prefix incomplete");
        CHECK_INT(c.pos, 0, "prefix: cursor untouched");
        CHECK_INT(e2.status, ST_OK, "prefix: nothing recorded");
    }
    free(b);
}

/* 16 bytes of challenge. */
#define CH16 "00000000000000000000000000000000"

static const struct {
    const char *name;
    const char *hex;
    enum status want;
} v2_bad[] = {
    { .name = "minimal ok", .hex = "801c 01 0300 0003 0000 0010 000004" CH16, .want = ST_OK },
    { .name = "no high bit", .hex = "000f 01 0300 0003 0000 0010 000000", .want = ST_MALFORMED },
    { .name = "server hello",
      .hex = "801c 04 0300 0003 0000 0010 000004" CH16,
      .want = ST_MALFORMED },
    { .name = "specs not x3",
      .hex = "801b 01 0300 0002 0000 0010 0000" CH16,
      .want = ST_MALFORMED },
    { .name = "session id 8",
      .hex = "8024 01 0300 0003 0008 0010 000004 0000000000000000" CH16,
      .want = ST_MALFORMED },
    { .name = "challenge 33",
      .hex = "802d 01 0300 0003 0000 0021 000004" CH16 CH16 "00",
      .want = ST_MALFORMED },
    { .name = "trailing byte in record",
      .hex = "801d 01 0300 0003 0000 0010 000004" CH16 "ff",
      .want = ST_MALFORMED },
    { .name = "lengths past record",
      .hex = "801b 01 0300 0003 0000 0010 000004 " CH16,
      .want = ST_MALFORMED },
};

static void test_sslv2_bad(void)
{
    for (size_t i = 0; i < sizeof v2_bad / sizeof v2_bad[0]; i++) {
        size_t n;
        uint8_t *b = tl_hex_exact(v2_bad[i].hex, &n);
        struct parse_error err = { 0 };
        struct cursor c;
        struct tls_sslv2_hello h = { .version = 0xeeee };
        size_t rec_len = 12345;

        cur_init(&c, b, n, 0, &err);
        enum status st = tls_sslv2_hello_parse(&c, &rec_len, &h);
        CHECK_INT(st, v2_bad[i].want, v2_bad[i].name);
        if (st != ST_OK) {
            CHECK_INT(c.pos, 0, v2_bad[i].name);
            CHECK_INT(rec_len, 12345, v2_bad[i].name);
            CHECK_INT(h.version, 0xeeee, v2_bad[i].name);
            CHECK_INT(err.status, st, v2_bad[i].name);
        }
        free(b);
    }
}

int main(void)
{
    test_header();
    test_start_detect();
    test_start_detect_prefixes();
    test_sslv2_parse();
    test_sslv2_bad();
    return tl_done();
}
