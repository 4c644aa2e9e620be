/*
 * test_dn.c - dn_render / dn_render_buf: DER Name bytes in, RFC 4514 text
 * out. Expectations were checked against `openssl x509 -nameopt RFC2253`
 * where OpenSSL has an opinion (order, escapes, #hex); the charset cases
 * follow dn.h (BMP/Universal converted, T61 as Latin-1 unless valid UTF-8,
 * bad UTF-8 bytes as \XX).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "dn.h"
#include "testlib.h"

#define MAX_DER 512

static const struct {
    const char *name;
    const char *hex;
    enum status want;
    const char *text;
} cases[] = {
    /* structure and order (RFC 4514 2.1, 2.2) */
    { .name = "single CN", .hex = "300d310b300906035504030c026162", .text = "CN=ab" },
    { .name = "RDNs in reverse encoding order",
      .hex = "3025310b3009060355040613024445310a3008060355040a0c0158"
             "310a300806035504030c0179",
      .text = "CN=y,O=X,C=DE" },
    { .name = "multi-valued RDN in encoding order",
      .hex = "302231143008060355040b0c01613008060355040b0c0162310a300806035504030c0163",
      .text = "CN=c,OU=a+OU=b" },
    { .name = "empty name", .hex = "3000", .text = "" },
    { .name = "empty value", .hex = "300b3109300706035504030c00", .text = "CN=" },
    /* escapes (RFC 4514 2.4) */
    { .name = "each special character",
      .hex = "301a3118301606035504030c0f612c622b6322645c653c663e673b68",
      .text = "CN=a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h" },
    { .name = "leading # only", .hex = "300e310c300a06035504030c03237823", .text = "CN=\\#x#" },
    { .name = "leading and trailing space",
      .hex = "3010310e300c06035504030c052061206220",
      .text = "CN=\\ a b\\ " },
    { .name = "a single space", .hex = "300c310a300806035504030c0120", .text = "CN=\\ " },
    { .name = "two spaces", .hex = "300d310b300906035504030c022020", .text = "CN=\\ \\ " },
    { .name = "NUL byte",
      .hex = "301631143012060355040a0c0b436f72706f726174006f6e",
      .text = "O=Corporat\\00on" },
    { .name = "C0 controls and DEL",
      .hex = "3010310e300c06035504030c05610a1f7f62",
      .text = "CN=a\\0A\\1F\\7Fb" },
    { .name = "C1 control in UTF-8",
      .hex = "300d310b300906035504030c02c285",
      .text = "CN=\\C2\\85" },
    { .name = "'=' is not escaped", .hex = "300d310b300906035504030c02613d", .text = "CN=a=" },
    /* charsets */
    { .name = "BMPString with a surrogate pair",
      .hex = "30133111300f06035504031e08004103a9d83dde00",
      .text = "CN=A\xce\xa9\xf0\x9f\x98\x80" },
    { .name = "BMPString unpaired surrogates",
      .hex = "3011310f300d06035504031e06d83d0041dc00",
      .text = "CN=\xef\xbf\xbd"
              "A\xef\xbf\xbd" },
    { .name = "BMPString odd length is #hex",
      .hex = "300e310c300a06035504031e03004100",
      .text = "CN=#1E03004100" },
    { .name = "UniversalString",
      .hex = "30173115301306035504031c0c000000410001f60000110000",
      .text = "CN=A\xf0\x9f\x98\x80\xef\xbf\xbd" },
    { .name = "UniversalString bad length is #hex",
      .hex = "3010310e300c06035504031c050000004100",
      .text = "CN=#1C050000004100" },
    { .name = "TeletexString as Latin-1",
      .hex = "3011310f300d060355040a1406436166e92085",
      .text = "O=Caf\xc3\xa9 \\C2\\85" },
    { .name = "TeletexString that is UTF-8",
      .hex = "3010310e300c060355040a1405436166c3a9",
      .text = "O=Caf\xc3\xa9" },
    { .name = "bad UTF-8 bytes escaped one by one",
      .hex = "30143112301006035504030c0961ff62c080eda080c3",
      .text = "CN=a\\FFb\\C0\\80\\ED\\A0\\80\\C3" },
    { .name = "PrintableString with 8-bit bytes",
      .hex = "300f310d300b06035504031304e974c3a9",
      .text = "CN=\\E9t\xc3\xa9" },
    { .name = "UTF-8 4-byte sequence kept",
      .hex = "300f310d300b06035504030c04f09f9880",
      .text = "CN=\xf0\x9f\x98\x80" },
    /* attribute types (RFC 4514 3, 2.3) */
    { .name = "unknown OIDs as dotted decimal",
      .hex = "302a310a300806032a03040c0178310a300806038837010c0179"
             "3110300e06092a864886f70d0109630c017a",
      .text = "1.2.840.113549.1.9.99=z,2.999.1=y,1.2.3.4=x" },
    { .name = "largest OID arc",
      .hex = "30133111300f060a2affffffffffffffff7f0c0161",
      .text = "1.2.9223372036854775807=a" },
    { .name = "known extras",
      .hex = "307031133011060a0992268993f22c6401191603636f6d3111300f060a0992268993f22c"
             "6401010c01753112301006092a864886f70d0109011603614062310b3009060355040513"
             "02343231133011060b2b0601040182373c020103130244453110300e06035504610c0756"
             "415444452d31",
      .text = "organizationIdentifier=VATDE-1,jurisdictionC=DE,serialNumber=42,"
              "emailAddress=a@b,UID=u,DC=com" },
    { .name = "STREET SN GN title",
      .hex = "3030310a300806035504090c0161310a300806035504040c0162310a3008060355042a0c0163"
             "310a3008060355040c0c0164",
      .text = "title=d,GN=c,SN=b,STREET=a" },
    /* values without a string form (RFC 4514 2.4) */
    { .name = "INTEGER value as #hex",
      .hex = "300c310a30080603550403020105",
      .text = "CN=#020105" },
    { .name = "postalAddress SEQUENCE as #hex",
      .hex = "3011310f300d060355041030060c01610c0162",
      .text = "postalAddress=#30060C01610C0162" },
    { .name = "UTCTime value as #hex",
      .hex = "3011310f300d0603550403170630303031305a",
      .text = "CN=#170630303031305A" },
    /* malformed */
    { .name = "empty input", .hex = "", .want = ST_MALFORMED },
    { .name = "length past end", .hex = "30053103", .want = ST_MALFORMED },
    { .name = "one byte short", .hex = "300d310b300906035504030c0261", .want = ST_MALFORMED },
    { .name = "trailing byte", .hex = "300000", .want = ST_MALFORMED },
    { .name = "not a SEQUENCE", .hex = "3100", .want = ST_MALFORMED },
    { .name = "RDN not a SET", .hex = "30023000", .want = ST_MALFORMED },
    { .name = "empty RDN", .hex = "30023100", .want = ST_MALFORMED },
    { .name = "AVA not a SEQUENCE", .hex = "300431020500", .want = ST_MALFORMED },
    { .name = "AVA without value", .hex = "3007310530030601 55", .want = ST_MALFORMED },
    { .name = "AVA with a third element",
      .hex = "300e310c300a06035504030c01610500",
      .want = ST_MALFORMED },
    { .name = "type not an OID", .hex = "300c310a300804035504030c0161", .want = ST_MALFORMED },
    { .name = "empty OID", .hex = "30093107300506000c0161", .want = ST_MALFORMED },
    { .name = "padded OID arc", .hex = "300b310930070602 80010c0161", .want = ST_MALFORMED },
    { .name = "unterminated OID arc", .hex = "300b3109300706022a860c0161", .want = ST_MALFORMED },
    { .name = "OID arc past 64 bits",
      .hex = "301431123010060b2affffffffffffffffff7f0c0161",
      .want = ST_MALFORMED },
    { .name = "value length past the AVA",
      .hex = "300c310a300806035504030c0561",
      .want = ST_MALFORMED },
    { .name = "indefinite length", .hex = "308031003000 0000", .want = ST_MALFORMED },
    { .name = "multi-byte tag value", .hex = "300c310a300806035504031f0101", .want = ST_MALFORMED },
    { .name = "malformed after a good RDN",
      .hex = "300f310b300906035504030c0261623100",
      .want = ST_MALFORMED },
};

static void test_table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t der[MAX_DER];
        char buf[1024];
        long n = tl_hex(cases[i].hex, der, sizeof der);
        if (n < 0) {
            continue;
        }
        memset(buf, 'x', sizeof buf);
        enum status st = dn_render_buf((struct bytes){ der, (size_t)n }, buf, sizeof buf);
        CHECK_STR(status_name(st), status_name(cases[i].want), cases[i].name);
        if (cases[i].want == ST_OK) {
            CHECK_STR(buf, cases[i].text, cases[i].name);
        } else {
            CHECK_STR(buf, "", cases[i].name);
        }

        /* the arena variant agrees */
        struct ev_arena a;
        char *text = NULL;
        ev_arena_init(&a, 1 << 20);
        st = dn_render(&a, (struct bytes){ der, (size_t)n }, &text);
        CHECK_STR(status_name(st), status_name(cases[i].want), cases[i].name);
        if (cases[i].want == ST_OK) {
            CHECK_STR(text, cases[i].text, cases[i].name);
        } else {
            CHECK(text == NULL, cases[i].name);
        }
        ev_arena_fini(&a);
    }
}

/* dn_render_buf: the text and its NUL must fit; nothing is half-written. */
static void test_buffer_sizes(void)
{
    uint8_t der[MAX_DER];
    char buf[16];
    long n = tl_hex("300d310b300906035504030c026162", der, sizeof der); /* CN=ab */
    struct bytes b = { der, (size_t)n };

    CHECK_INT(dn_render_buf(b, buf, 6), ST_OK, "exact fit");
    CHECK_STR(buf, "CN=ab", "exact fit");
    CHECK_INT(dn_render_buf(b, buf, 5), ST_LIMIT, "one byte short");
    CHECK_STR(buf, "", "one byte short leaves an empty string");
    CHECK_INT(dn_render_buf(b, buf, 1), ST_LIMIT, "room for the NUL only");
    CHECK_INT(dn_render_buf(b, buf, 0), ST_LIMIT, "no room at all");

    n = tl_hex("3000", der, sizeof der);
    CHECK_INT(dn_render_buf((struct bytes){ der, (size_t)n }, buf, 1), ST_OK, "empty name, n=1");
    CHECK_STR(buf, "", "empty name, n=1");

    /* a malformed name is reported as such even when the text would not fit */
    n = tl_hex("300f310b300906035504030c0261623100", der, sizeof der);
    CHECK_INT(dn_render_buf((struct bytes){ der, (size_t)n }, buf, 2), ST_MALFORMED,
              "malformed beats limit");
}

/* A TLV header with a 2-byte long-form length. */
static size_t put_header(uint8_t *p, size_t n, uint8_t tag, size_t len)
{
    p[n] = tag;
    p[n + 1] = 0x82;
    p[n + 2] = (uint8_t)(len >> 8);
    p[n + 3] = (uint8_t)len;
    return n + 4;
}

/* One CN of `len` bytes of 'a' (len < 64 KB): the text is "CN=" + len bytes. */
static uint8_t *long_cn(size_t len, size_t *ret_n)
{
    static const uint8_t cn_oid[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
    size_t ava = sizeof cn_oid + 4 + len;
    size_t set = 4 + ava;
    size_t seq = 4 + set;
    uint8_t *p = malloc(4 + seq);
    size_t n = 0;

    n = put_header(p, n, 0x30, seq);
    n = put_header(p, n, 0x31, set);
    n = put_header(p, n, 0x30, ava);
    memcpy(p + n, cn_oid, sizeof cn_oid);
    n += sizeof cn_oid;
    n = put_header(p, n, 0x0c, len);
    memset(p + n, 'a', len);
    *ret_n = n + len;
    return p;
}

/* CAP_DN_TEXT bounds the text, NUL included, in both variants. */
static void test_cap(void)
{
    size_t at_cap = CAP_DN_TEXT - 1 - 3; /* "CN=" + value + NUL == CAP_DN_TEXT */
    size_t n;
    struct ev_arena a;
    char *text = NULL;
    char *buf = malloc(CAP_DN_TEXT + 100);

    ev_arena_init(&a, 1 << 20);
    uint8_t *der = long_cn(at_cap, &n);
    CHECK_INT(dn_render(&a, (struct bytes){ der, n }, &text), ST_OK, "at the cap");
    CHECK_INT(text ? strlen(text) : 0, CAP_DN_TEXT - 1, "at the cap");
    CHECK_INT(dn_render_buf((struct bytes){ der, n }, buf, CAP_DN_TEXT + 100), ST_OK,
              "at the cap, buf");
    free(der);

    text = NULL;
    der = long_cn(at_cap + 1, &n);
    CHECK_INT(dn_render(&a, (struct bytes){ der, n }, &text), ST_LIMIT, "one past the cap");
    CHECK(text == NULL, "one past the cap: ret untouched");
    CHECK_INT(dn_render_buf((struct bytes){ der, n }, buf, CAP_DN_TEXT + 100), ST_LIMIT,
              "one past the cap, big buffer");
    free(der);

    /* escapes count: 11000 NULs are 11000 three-byte \00 escapes, over the cap */
    der = long_cn(11000, &n);
    for (size_t i = n - 11000; i < n; i++) {
        der[i] = 0;
    }
    CHECK_INT(dn_render(&a, (struct bytes){ der, n }, &text), ST_LIMIT, "escapes hit the cap");
    free(der);

    free(buf);
    ev_arena_fini(&a);
}

/* Many RDNs render in reverse order and in linear time. */
static void test_many_rdns(void)
{
    enum { RDNS = 3000 };
    size_t body = RDNS * 11;
    uint8_t *der = malloc(4 + body);
    size_t n = 0;
    struct ev_arena a;
    char *text = NULL;

    n = put_header(der, n, 0x30, body);
    for (unsigned i = 0; i < RDNS; i++) {
        static const uint8_t rdn[] = { 0x31, 0x09, 0x30, 0x07, 0x06, 0x03,
                                       0x55, 0x04, 0x03, 0x13, 0x00 };
        memcpy(der + n, rdn, sizeof rdn);
        n += sizeof rdn;
    }
    ev_arena_init(&a, 1 << 20);
    CHECK_INT(dn_render(&a, (struct bytes){ der, n }, &text), ST_OK, "3000 RDNs");
    CHECK_INT(text ? strlen(text) : 0, RDNS * 4 - 1, "3000 RDNs: CN=,CN=,...");
    ev_arena_fini(&a);
    free(der);
}

static void test_arena_full(void)
{
    uint8_t der[MAX_DER];
    long n = tl_hex("300d310b300906035504030c026162", der, sizeof der);
    struct ev_arena a;
    char *text = NULL;

    ev_arena_init(&a, 0);
    CHECK_INT(dn_render(&a, (struct bytes){ der, (size_t)n }, &text), ST_NOMEM, "arena full");
    CHECK(text == NULL, "arena full: ret untouched");
    ev_arena_fini(&a);
}

int main(void)
{
    test_table();
    test_buffer_sizes();
    test_cap();
    test_many_rdns();
    test_arena_full();
    return tl_done();
}
