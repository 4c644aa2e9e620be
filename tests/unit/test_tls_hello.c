/*
 * test_tls_hello.c - ClientHello and ServerHello / HelloRetryRequest
 * parsing: real messages from the public corpus (illustrated-tls13, arkime
 * curl-enabled-tls13 and ssl-selfsign, zeek hrr and client-certificate),
 * then table-driven edges for every extension we interpret: empty, one byte
 * short, at the limit, one past it, trailing byte, odd list lengths,
 * duplicates, DN not a SEQUENCE, DN past the end; TLS 1.3 draft layouts.
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "tls_hello.h"

static int bytes_eq(struct bytes b, const char *s)
{
    return b.len == strlen(s) && memcmp(b.ptr, s, b.len) == 0;
}

/* Message bodies (without the 4-byte handshake header). */

/* arkime curl-enabled-tls13.pcap: curl, TLS 1.3, post_handshake_auth, padding. */
static const char CH_CURL[] = "0303896833458d7827917b0deb0813ebd3ebf3bc731018ee722dc10e502eb72f"
                              "9fbd20002ec375729614262a240f08055b7ef2a11799c7f032a7f5838890823f"
                              "079bfc000813021303130100ff010001ab000000160014000011656e61626c65"
                              "642e746c7331332e636f6d000b000403000102000a000c000a001d0017001e00"
                              "190018337400000010000e000c02683208687474702f312e3100160000001700"
                              "0000310000000d001e001c040305030603080708080809080a080b0804080508"
                              "06040105010601002b0003020304002d00020101003300260024001d0020a3fd"
                              "e1f9062b99be7617356eda87a4632172eddfb7c44c4aa418e963a0351f050015"
                              "00fa000000000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000000000000"
                              "00000000000000000000000000000000000000000000000000000000";

/* illustrated-tls13 capture.pcap ClientHello (as in RFC 8448 style traces). */
static const char CH_ILLUSTRATED[] =
    "0303000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d"
    "1e1f20e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfc"
    "fdfeff000813021303130100ff010000a30000001800160000136578616d706c"
    "652e756c666865696d2e6e6574000b000403000102000a00160014001d001700"
    "1e0019001801000101010201030104002300000016000000170000000d001e00"
    "1c040305030603080708080809080a080b080408050806040105010601002b00"
    "03020304002d00020101003300260024001d0020358072d6365880d1aeea329a"
    "df9121383851ed21a28e3b75e965d0d2cd166254";

/* arkime ssl-selfsign.pcap: SSL 3.0 ClientHello, no extensions. */
static const char CH_SSL3[] = "03005a9034bd92fec92297d5f519735488ac0fd2f00b941cc02661e1019ea373"
                              "866700002e00390038003500160013000a00330032002f009a00990096000500"
                              "040015001200090014001100080006000300ff0100";

static const char SH_ILLUSTRATED[] =
    "0303707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d"
    "8e8f20e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfc"
    "fdfeff130200002e002b0002030400330024001d00209fd7ad6dcff4298dd3f9"
    "6d5b1b2af910a0535b1488d7f8fabb349a982880b615";

/* zeek hrr.pcap: HelloRetryRequest selecting secp256r1. */
static const char SH_HRR[] = "0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8"
                             "339c201a6bb8368add0e28015bd6cced648236f49e2407f19653ac1fdd1ffa48"
                             "bfaecd130200000c002b00020304003300020017";

/* zeek client-certificate.pcap: TLS 1.2 ServerHello with ALPN http/1.1. */
static const char SH_TLS12_ALPN[] =
    "030330d76f5b34c3c233401f2824bbcdb192ff560e538b36e08cbc53a6124607"
    "1c6b00c030000028ff0100010000000000000b00040300010200230000001000"
    "0b000908687474702f312e3100170000";

static enum status parse_ch(const char *hex, struct tls_client_hello *ch, struct parse_error *err)
{
    size_t n;
    uint8_t *b = tl_hex_exact(hex, &n);
    struct cursor c;

    cur_init(&c, b, n, 4, err);
    enum status st = tls_client_hello_parse(&c, ch);
    free(b); /* the views die here: callers look at lengths and copies only */
    return st;
}

static void test_real_client_hellos(void)
{
    size_t n;
    uint8_t *b = tl_hex_exact(CH_CURL, &n);
    struct parse_error err = { 0 };
    struct cursor c;
    struct tls_client_hello ch;
    struct bytes name;
    size_t pos = 0;

    cur_init(&c, b, n, 4, &err);
    CHECK_INT(tls_client_hello_parse(&c, &ch), ST_OK, "curl ClientHello");
    CHECK_INT(ch.legacy_version, 0x0303, "curl legacy_version");
    CHECK_INT(ch.session_id.len, 32, "curl session id");
    CHECK_INT(tls_u16_list_count(ch.cipher_suites), 4, "curl suites");
    CHECK_INT(tls_u16_list_get(ch.cipher_suites, 0), 0x1302, "curl first suite");
    CHECK_INT(tls_u16_list_get(ch.cipher_suites, 3), 0x00ff, "curl SCSV last");
    CHECK(bytes_eq(ch.sni, "enabled.tls13.com"), "curl SNI");
    CHECK(ch.has_supported_versions, "curl supported_versions");
    CHECK_INT(tls_u16_list_count(ch.supported_versions), 1, "curl one version");
    CHECK_INT(tls_u16_list_get(ch.supported_versions, 0), 0x0304, "curl TLS 1.3");
    CHECK_INT(tls_u16_list_count(ch.supported_groups), 5, "curl groups");
    CHECK_INT(tls_u16_list_get(ch.supported_groups, 0), 0x001d, "curl x25519 first");
    CHECK_INT(tls_u16_list_count(ch.signature_algorithms), 14, "curl sigalgs");
    CHECK(ch.has_post_handshake_auth, "curl post_handshake_auth");
    CHECK(!ch.has_certificate_authorities, "curl no certificate_authorities");
    CHECK(tls_alpn_next(ch.alpn, &pos, &name) && bytes_eq(name, "h2"), "curl ALPN h2");
    CHECK(tls_alpn_next(ch.alpn, &pos, &name) && bytes_eq(name, "http/1.1"), "curl ALPN 2");
    CHECK(!tls_alpn_next(ch.alpn, &pos, &name), "curl ALPN end");
    CHECK_INT(err.status, ST_OK, "no error recorded");
    free(b);

    CHECK_INT(parse_ch(CH_ILLUSTRATED, &ch, &err), ST_OK, "illustrated ClientHello");
    CHECK_INT(ch.sni.len, strlen("example.ulfheim.net"), "illustrated SNI");
    CHECK_INT(tls_u16_list_count(ch.signature_algorithms), 14, "illustrated sigalgs");
    CHECK_INT(tls_u16_list_count(ch.supported_groups), 10, "illustrated groups");
    CHECK(!ch.has_post_handshake_auth, "illustrated no post_handshake_auth");
    CHECK_INT(ch.alpn.len, 0, "illustrated no ALPN");

    CHECK_INT(parse_ch(CH_SSL3, &ch, &err), ST_OK, "SSL 3.0 ClientHello");
    CHECK_INT(ch.legacy_version, 0x0300, "SSL 3.0");
    CHECK(!ch.has_extensions, "SSL 3.0: no extensions");
    CHECK_INT(tls_u16_list_count(ch.cipher_suites), 23, "SSL 3.0 suites");
    CHECK_INT(ch.sni.len, 0, "SSL 3.0: no SNI");
}

/* Every truncation of a real ClientHello is malformed, except the one that
 * ends right after the compression methods (a hello without extensions). */
static void test_truncations(void)
{
    const char *msgs[] = { CH_CURL, CH_ILLUSTRATED, SH_ILLUSTRATED, SH_HRR, SH_TLS12_ALPN };
    for (size_t k = 0; k < sizeof msgs / sizeof msgs[0]; k++) {
        size_t n;
        uint8_t *full = tl_hex_exact(msgs[k], &n);
        for (size_t len = 0; len < n; len++) {
            uint8_t *b = malloc(len ? len : 1);
            for (size_t i = 0; i < len; i++) {
                b[i] = full[i];
            }
            struct parse_error err = { 0 };
            struct cursor c;
            cur_init(&c, b, len, 0, &err);
            enum status st;
            size_t no_ext_end;
            if (k < 2) {
                struct tls_client_hello ch;
                st = tls_client_hello_parse(&c, &ch);
                size_t sid = full[34];
                size_t cs = (size_t)full[35 + sid] << 8 | full[36 + sid];
                no_ext_end = 37 + sid + cs + 1 + full[37 + sid + cs];
            } else {
                struct tls_server_hello sh;
                st = tls_server_hello_parse(&c, &sh);
                no_ext_end = 35 + (size_t)full[34] + 3;
            }
            CHECK_INT(st, len == no_ext_end ? ST_OK : ST_MALFORMED, "truncated hello");
            free(b);
        }
        /* One trailing byte is malformed too. */
        uint8_t *b = malloc(n + 1);
        for (size_t i = 0; i < n; i++) {
            b[i] = full[i];
        }
        b[n] = 0;
        struct cursor c;
        cur_init(&c, b, n + 1, 0, NULL);
        struct tls_client_hello ch;
        struct tls_server_hello sh;
        enum status st = k < 2 ? tls_client_hello_parse(&c, &ch) : tls_server_hello_parse(&c, &sh);
        CHECK_INT(st, ST_MALFORMED, "hello with a trailing byte");
        free(b);
        free(full);
    }
}

static void test_real_server_hellos(void)
{
    size_t n;
    uint8_t *b = tl_hex_exact(SH_ILLUSTRATED, &n);
    struct cursor c;
    struct tls_server_hello sh;

    cur_init(&c, b, n, 0, NULL);
    CHECK_INT(tls_server_hello_parse(&c, &sh), ST_OK, "illustrated ServerHello");
    CHECK(!sh.is_hrr, "not HRR");
    CHECK(sh.has_selected_version, "supported_versions");
    CHECK_INT(sh.selected_version, 0x0304, "TLS 1.3 selected");
    CHECK_INT(sh.cipher_suite, 0x1302, "TLS_AES_256_GCM_SHA384");
    CHECK_INT(sh.key_share_group, 0x001d, "x25519 share");
    CHECK_INT(sh.session_id.len, 32, "session id echo");
    free(b);

    b = tl_hex_exact(SH_HRR, &n);
    cur_init(&c, b, n, 0, NULL);
    CHECK_INT(tls_server_hello_parse(&c, &sh), ST_OK, "zeek HRR");
    CHECK(sh.is_hrr, "HRR random");
    CHECK_INT(sh.selected_version, 0x0304, "HRR selected version");
    CHECK_INT(sh.key_share_group, 0x0017, "HRR selected group");
    free(b);

    b = tl_hex_exact(SH_TLS12_ALPN, &n);
    cur_init(&c, b, n, 0, NULL);
    CHECK_INT(tls_server_hello_parse(&c, &sh), ST_OK, "TLS 1.2 ServerHello");
    CHECK(!sh.has_selected_version, "TLS 1.2: no supported_versions");
    CHECK_INT(sh.cipher_suite, 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    CHECK(bytes_eq(sh.alpn, "http/1.1"), "selected ALPN");
    CHECK_INT(sh.key_share_group, 0, "no key_share");
    free(b);
}

#define RANDOM "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HRR_RANDOM "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"

enum tri { ANY = 0, NO, YES };

struct hello_case {
    const char *name;
    const char *hex;
    enum status want;
    enum tri has_ext, has_sv, has_ca, pha, hrr;
    const char *sni;
    const char *alpn_name;
    size_t suites, versions, sigs, groups, alpn_count;
    uint16_t sel, group, suite;
};

static void check_tri(enum tri want, bool got, const char *name)
{
    if (want != ANY) {
        CHECK_INT(got, want == YES, name);
    }
}

static void check_count(size_t want, size_t got, const char *name)
{
    if (want != 0) {
        CHECK_INT(got, want, name);
    }
}

static const struct hello_case ch_cases[] = {
    { .name = "minimal, no extensions",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00",
      .want = ST_OK,
      .has_ext = NO,
      .suites = 2 },
    { .name = "empty extension block",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0000",
      .want = ST_OK,
      .has_ext = YES },
    { .name = "SNI",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0014 0000 0010 000e 00 000b"
             "6578616d706c652e636f6d",
      .want = ST_OK,
      .sni = "example.com" },
    { .name = "SNI: other name type first",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0019 0000 0015 0013 01 0002 aabb 00 000b"
             "6578616d706c652e636f6d",
      .want = ST_OK,
      .sni = "example.com" },
    { .name = "SNI: two host names, first wins",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 000e 0000 000a 0008 00 0001 61 00 0001 62",
      .want = ST_OK,
      .sni = "a" },
    { .name = "SNI: empty host name",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0009 0000 0005 0003 00 0000",
      .want = ST_MALFORMED },
    { .name = "SNI: empty list",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0006 0000 0002 0000",
      .want = ST_MALFORMED },
    { .name = "SNI: empty extension",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0004 0000 0000",
      .want = ST_MALFORMED },
    { .name = "SNI: trailing byte in extension",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 000b 0000 0007 0004 00 0001 61 00",
      .want = ST_MALFORMED },
    { .name = "SNI: name past the list",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 000a 0000 0006 0004 00 0003 61",
      .want = ST_MALFORMED },
    { .name = "ALPN h2 + http/1.1",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0012 0010 000e 000c 02 6832 08"
             "687474702f312e31",
      .want = ST_OK,
      .alpn_count = 2 },
    { .name = "ALPN: empty name",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 000a 0010 0006 0004 02 6832 00",
      .want = ST_MALFORMED },
    { .name = "ALPN: list of 1 byte",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0007 0010 0003 0001 00",
      .want = ST_MALFORMED },
    { .name = "ALPN: name past the list",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0009 0010 0005 0003 05 6832",
      .want = ST_MALFORMED },
    { .name = "supported_versions 1.3 + 1.2",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0009 002b 0005 04 0304 0303",
      .want = ST_OK,
      .versions = 2,
      .has_sv = YES },
    { .name = "supported_versions: odd",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0008 002b 0004 03 0304 03",
      .want = ST_MALFORMED },
    { .name = "supported_versions: empty",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0005 002b 0001 00",
      .want = ST_MALFORMED },
    { .name = "supported_versions: 254 bytes (limit)",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0103 002b 00ff fe"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "030303030303030303030303030303030303030303030303030303030303",
      .want = ST_OK,
      .versions = 127,
      .has_sv = YES },
    { .name = "supported_versions: 255 bytes",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0104 002b 0100 ff"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "0303030303030303030303030303030303030303030303030303030303030303"
             "03030303030303030303030303030303030303030303030303030303030303",
      .want = ST_MALFORMED },
    { .name = "supported_versions: trailing byte",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0008 002b 0004 02 0304 00",
      .want = ST_MALFORMED },
    { .name = "signature_algorithms",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 000c 000d 0008 0006 0403 0804 0401",
      .want = ST_OK,
      .sigs = 3 },
    { .name = "signature_algorithms: odd",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0009 000d 0005 0003 0403 08",
      .want = ST_MALFORMED },
    { .name = "signature_algorithms: empty",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0006 000d 0002 0000",
      .want = ST_MALFORMED },
    { .name = "supported_groups",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 000a 000a 0006 0004 001d 0017",
      .want = ST_OK,
      .groups = 2 },
    { .name = "supported_groups: odd",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0009 000a 0005 0003 001d 00",
      .want = ST_MALFORMED },
    { .name = "certificate_authorities: one DN",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 001b 002f 0017 0015 0013"
             "3011310f300d06035504030c06526f6f744341",
      .want = ST_OK,
      .has_ca = YES },
    { .name = "certificate_authorities: DN not a SEQUENCE",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 000a 002f 0006 0004 0002 3100",
      .want = ST_MALFORMED },
    { .name = "certificate_authorities: DN past end",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 000a 002f 0006 0004 0005 3000",
      .want = ST_MALFORMED },
    { .name = "certificate_authorities: empty list",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0006 002f 0002 0000",
      .want = ST_MALFORMED },
    { .name = "post_handshake_auth",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0004 0031 0000",
      .want = ST_OK,
      .pha = YES },
    { .name = "post_handshake_auth: not empty",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0005 0031 0001 00",
      .want = ST_MALFORMED },
    { .name = "unknown and GREASE extensions skipped",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0013 0a0a 0000 1234 0004 deadbeef 0015"
             "0003 000000",
      .want = ST_OK,
      .has_ext = YES },
    { .name = "duplicate extension",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0008 0017 0000 0017 0000",
      .want = ST_MALFORMED },
    { .name = "duplicate SNI",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0028 0000 0010 000e 00 000b"
             "6578616d706c652e636f6d 0000 0010 000e 00 000b"
             "6578616d706c652e636f6d",
      .want = ST_MALFORMED },
    { .name = "extension body past the block",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0006 0017 0004 0000",
      .want = ST_MALFORMED },
    { .name = "extension header cut",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0003 0017 00",
      .want = ST_MALFORMED },
    { .name = "extension block past the message",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0008 0017 0000",
      .want = ST_MALFORMED },
    { .name = "trailing byte after extensions",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 0004 0017 0000 00",
      .want = ST_MALFORMED },
    { .name = "one byte after compression",
      .hex = "0303" RANDOM "00 0004 1301 c02f 01 00 00",
      .want = ST_MALFORMED },
    { .name = "session id 32 (limit)",
      .hex = "0303" RANDOM "20"
             "1111111111111111111111111111111111111111111111111111111111111111"
             "0004 1301 c02f 01 00",
      .want = ST_OK,
      .has_ext = NO },
    { .name = "session id 33",
      .hex = "0303" RANDOM "21"
             "1111111111111111111111111111111111111111111111111111111111111111"
             "11 0004 1301 c02f 01 00",
      .want = ST_MALFORMED },
    { .name = "odd cipher_suites",
      .hex = "0303" RANDOM "00 0003 1301 13 01 00",
      .want = ST_MALFORMED },
    { .name = "no cipher_suites", .hex = "0303" RANDOM "00 0000 01 00", .want = ST_MALFORMED },
    { .name = "no compression methods",
      .hex = "0303" RANDOM "00 0004 1301 c02f 00",
      .want = ST_MALFORMED },
    { .name = "random cut", .hex = "0303 000102", .want = ST_MALFORMED },
    { .name = "empty", .hex = "", .want = ST_MALFORMED },
};

static const struct hello_case sh_cases[] = {
    { .name = "TLS 1.2, no extensions",
      .hex = "0303" RANDOM "00 c02f 00",
      .want = ST_OK,
      .has_ext = NO,
      .suite = 0xc02f },
    { .name = "TLS 1.2, empty extension block",
      .hex = "0303" RANDOM "00 c02f 00 0000",
      .want = ST_OK,
      .has_ext = YES },
    { .name = "TLS 1.3",
      .hex = "0303" RANDOM "00 1301 00 002e 002b 0002 0304 0033 0024 001d 0020"
             "1111111111111111111111111111111111111111111111111111111111111111",
      .want = ST_OK,
      .sel = 0x0304,
      .group = 0x001d },
    { .name = "HRR",
      .hex = "0303" HRR_RANDOM "00 1301 00 000c 002b 0002 0304 0033 0002 0017",
      .want = ST_OK,
      .hrr = YES,
      .sel = 0x0304,
      .group = 0x0017 },
    { .name = "HRR with a key_exchange",
      .hex = "0303" HRR_RANDOM "00 1301 00 0009 0033 0005 0017 0001 aa",
      .want = ST_MALFORMED },
    { .name = "key_share without key_exchange",
      .hex = "0303" RANDOM "00 1301 00 0006 0033 0002 001d",
      .want = ST_MALFORMED },
    { .name = "key_share: empty key_exchange",
      .hex = "0303" RANDOM "00 1301 00 0008 0033 0004 001d 0000",
      .want = ST_MALFORMED },
    { .name = "supported_versions: 3 bytes",
      .hex = "0303" RANDOM "00 1301 00 0007 002b 0003 030400",
      .want = ST_MALFORMED },
    { .name = "supported_versions: 1 byte",
      .hex = "0303" RANDOM "00 1301 00 0005 002b 0001 03",
      .want = ST_MALFORMED },
    { .name = "ALPN one name",
      .hex = "0303" RANDOM "00 1301 00 0009 0010 0005 0003 02 6832",
      .want = ST_OK,
      .alpn_name = "h2" },
    { .name = "ALPN two names",
      .hex = "0303" RANDOM "00 1301 00 000c 0010 0008 0006 02 6832 02 6833",
      .want = ST_MALFORMED },
    { .name = "ALPN empty name",
      .hex = "0303" RANDOM "00 1301 00 0008 0010 0004 0002 00 00",
      .want = ST_MALFORMED },
    { .name = "duplicate extension",
      .hex = "0303" RANDOM "00 1301 00 000a ff01 0001 00 ff01 0001 00",
      .want = ST_MALFORMED },
    { .name = "unknown extension skipped",
      .hex = "0303" RANDOM "00 1301 00 000a ff01 0001 00 1234 0001 ab",
      .want = ST_OK,
      .has_ext = YES },
    { .name = "trailing byte",
      .hex = "0303" RANDOM "00 1301 00 0004 0017 0000 00",
      .want = ST_MALFORMED },
    { .name = "one byte after compression",
      .hex = "0303" RANDOM "00 1301 00 00",
      .want = ST_MALFORMED },
    { .name = "session id 32 (limit)",
      .hex = "0303" RANDOM "20"
             "2222222222222222222222222222222222222222222222222222222222222222"
             "1301 00",
      .want = ST_OK },
    { .name = "session id 33",
      .hex = "0303" RANDOM "21"
             "2222222222222222222222222222222222222222222222222222222222222222"
             "22 1301 00",
      .want = ST_MALFORMED },
    { .name = "cut in cipher suite", .hex = "0303" RANDOM "00 13", .want = ST_MALFORMED },
    { .name = "no compression byte", .hex = "0303" RANDOM "00 1301", .want = ST_MALFORMED },
    { .name = "draft 18 layout",
      .hex = "7f12" RANDOM "1301 0028 0033 0024 001d 0020"
             "1111111111111111111111111111111111111111111111111111111111111111",
      .want = ST_OK,
      .sel = 0x7f12,
      .group = 0x001d },
    { .name = "draft 18 without extensions", .hex = "7f12" RANDOM "1301", .want = ST_MALFORMED },
    { .name = "draft 23 uses the final layout",
      .hex = "0303" RANDOM "00 1301 00 0006 002b 0002 7f17",
      .want = ST_OK,
      .sel = 0x7f17 },
    { .name = "empty", .hex = "", .want = ST_MALFORMED },
};

static void test_client_hello_cases(void)
{
    for (size_t i = 0; i < sizeof ch_cases / sizeof ch_cases[0]; i++) {
        const struct hello_case *t = &ch_cases[i];
        size_t n;
        uint8_t *b = tl_hex_exact(t->hex, &n);
        struct parse_error err = { 0 };
        struct cursor c;
        struct tls_client_hello ch = { .legacy_version = 0xeeee };

        cur_init(&c, b, n, 0, &err);
        enum status st = tls_client_hello_parse(&c, &ch);
        CHECK_INT(st, t->want, t->name);
        CHECK_INT(err.status, st, t->name);
        if (st != ST_OK) {
            CHECK_INT(ch.legacy_version, 0xeeee, t->name); /* written only on success */
            free(b);
            continue;
        }
        check_tri(t->has_ext, ch.has_extensions, t->name);
        check_tri(t->has_sv, ch.has_supported_versions, t->name);
        check_tri(t->has_ca, ch.has_certificate_authorities, t->name);
        check_tri(t->pha, ch.has_post_handshake_auth, t->name);
        if (t->sni) {
            CHECK(bytes_eq(ch.sni, t->sni), t->name);
        }
        check_count(t->suites, tls_u16_list_count(ch.cipher_suites), t->name);
        check_count(t->versions, tls_u16_list_count(ch.supported_versions), t->name);
        check_count(t->sigs, tls_u16_list_count(ch.signature_algorithms), t->name);
        check_count(t->groups, tls_u16_list_count(ch.supported_groups), t->name);
        if (t->alpn_count) {
            size_t pos = 0, count = 0;
            struct bytes name;
            while (tls_alpn_next(ch.alpn, &pos, &name)) {
                count++;
            }
            CHECK_INT(count, t->alpn_count, t->name);
        }
        free(b);
    }
}

static void test_server_hello_cases(void)
{
    for (size_t i = 0; i < sizeof sh_cases / sizeof sh_cases[0]; i++) {
        const struct hello_case *t = &sh_cases[i];
        size_t n;
        uint8_t *b = tl_hex_exact(t->hex, &n);
        struct parse_error err = { 0 };
        struct cursor c;
        struct tls_server_hello sh = { .legacy_version = 0xeeee };

        cur_init(&c, b, n, 0, &err);
        enum status st = tls_server_hello_parse(&c, &sh);
        CHECK_INT(st, t->want, t->name);
        CHECK_INT(err.status, st, t->name);
        if (st != ST_OK) {
            CHECK_INT(sh.legacy_version, 0xeeee, t->name);
            free(b);
            continue;
        }
        check_tri(t->has_ext, sh.has_extensions, t->name);
        check_tri(t->hrr, sh.is_hrr, t->name);
        if (t->alpn_name) {
            CHECK(bytes_eq(sh.alpn, t->alpn_name), t->name);
        }
        if (t->sel) {
            CHECK(sh.has_selected_version, t->name);
            CHECK_INT(sh.selected_version, t->sel, t->name);
        }
        if (t->group) {
            CHECK_INT(sh.key_share_group, t->group, t->name);
        }
        if (t->suite) {
            CHECK_INT(sh.cipher_suite, t->suite, t->name);
        }
        free(b);
    }
}

/* The duplicate check points at the second copy of the extension. */
static void test_duplicate_offset(void)
{
    size_t n;
    uint8_t *b = tl_hex_exact("0303" RANDOM "00 0002 1301 01 00 0008 0017 0000 0017 0000", &n);
    struct parse_error err = { 0 };
    struct cursor c;
    struct tls_client_hello ch;

    cur_init(&c, b, n, 100, &err);
    CHECK_INT(tls_client_hello_parse(&c, &ch), ST_MALFORMED, "duplicate");
    CHECK_INT(err.offset, 100 + 2 + 32 + 1 + 4 + 2 + 2 + 4, "offset of the second copy");
    CHECK_STR(err.reason, "duplicate extension type", "reason");
    free(b);
}

static void test_alpn_next_robust(void)
{
    uint8_t bad[] = { 0x02, 'h', '2', 0x05, 'x' }; /* second name runs past the end */
    uint8_t empty_name[] = { 0x00, 0x01, 'a' };
    struct bytes name;
    size_t pos = 0;

    CHECK(tls_alpn_next((struct bytes){ .ptr = bad, .len = sizeof bad }, &pos, &name), "first");
    CHECK(!tls_alpn_next((struct bytes){ .ptr = bad, .len = sizeof bad }, &pos, &name),
          "second runs past: stop");
    pos = 0;
    CHECK(
        !tls_alpn_next((struct bytes){ .ptr = empty_name, .len = sizeof empty_name }, &pos, &name),
        "empty name: stop");
    pos = 99;
    CHECK(!tls_alpn_next((struct bytes){ .ptr = bad, .len = sizeof bad }, &pos, &name),
          "pos past the end");
    pos = 0;
    CHECK(!tls_alpn_next((struct bytes){ 0 }, &pos, &name), "no list");
}

int main(void)
{
    test_real_client_hellos();
    test_truncations();
    test_real_server_hellos();
    test_client_hello_cases();
    test_server_hello_cases();
    test_duplicate_offset();
    test_alpn_next_robust();
    return tl_done();
}
