/*
 * test_tls_cert_request.c - CertificateRequest in its three shapes and the
 * DistinguishedName list: real messages from the public corpus (suricata
 * tls-client-auth, zeek certificate-request-failed and mysql encrypted,
 * arkime ssl-selfsign, ndpi anydesk), the STYLE.md table, the edges of
 * every vector (empty, one byte short, at the limit, one past it, trailing
 * byte), DNs that are not one DER SEQUENCE, the DN count cap, and a list of
 * 300 CA names walked in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "testlib.h"
#include "tls_cert_request.h"

static enum status parse(int variant, struct cursor *c, struct tls_cert_request *cr)
{
    switch (variant) {
    case 10:
        return tls_cert_request_parse10(c, cr);
    case 12:
        return tls_cert_request_parse12(c, cr);
    default:
        return tls_cert_request_parse13(c, cr);
    }
}

/* Message bodies without the handshake header. */

/* suricata tls-client-auth.pcap, TLS 1.2: rsa_sign, dss_sign, ecdsa_sign;
 * 15 signature algorithms; one CA: C=HU, ST=Budapest, L=Budapest,
 * O=TLSClientAuthSampleCA, CN=SampleRoot. */
static const char CR12_SURICATA[] =
    "03010240001e0601060206030501050205030401040204030301030203030201"
    "02020203006c006a3068310b30090603550406130248553111300f0603550408"
    "0c0842756461706573743111300f06035504070c084275646170657374311e30"
    "1c060355040a0c15544c53436c69656e744175746853616d706c654341311330"
    "1106035504030c0a53616d706c65526f6f74";

/* zeek certificate-request-failed.pcap, TLS 1.2: one CA (C=US, ST=Some-State,
 * L=Somewhere, O=SomeOrg). */
static const char CR12_ZEEK[] = "010100020401004c004a3048310b300906035504061302555331133011060355"
                                "04080c0a536f6d652d53746174653112301006035504070c09536f6d65776865"
                                "72653110300e060355040a0c07536f6d654f7267";

/* ndpi anydesk.pcapng, TLS 1.2: one CA. */
static const char CR12_ANYDESK[] =
    "03400102001606030601050305010403040103030301020302010202004c004a"
    "30483117301506035504030c0e416e794e657420526f6f742043413120301e06"
    "0355040a0c177068696c616e64726f20536f66747761726520476d6248310b30"
    "09060355040613024445";

/* zeek mysql encrypted.pcap, TLS 1.1: rsa_sign, dss_sign, no CAs. */
static const char CR10_MYSQL[] = "0201020000";

/* arkime ssl-selfsign.pcap, SSL 3.0: one CA written CN-first. */
static const char CR10_SSL3[] = "020102002b00293027310b3009060355040313024d4f310b3009060355040a13"
                                "024c4f310b3009060355040613024348";

static const struct {
    const char *name;
    const char *hex;
    int variant;
    size_t cas;
    size_t first_dn_len;
} real[] = {
    { .name = "suricata 1.2", .hex = CR12_SURICATA, .variant = 12, .cas = 1, .first_dn_len = 0x6a },
    { .name = "zeek 1.2", .hex = CR12_ZEEK, .variant = 12, .cas = 1, .first_dn_len = 0x4a },
    { .name = "anydesk 1.2", .hex = CR12_ANYDESK, .variant = 12, .cas = 1 },
    { .name = "mysql 1.1", .hex = CR10_MYSQL, .variant = 10, .cas = 0 },
    { .name = "SSL 3.0", .hex = CR10_SSL3, .variant = 10, .cas = 1, .first_dn_len = 0x29 },
};

static void test_real(void)
{
    for (size_t i = 0; i < sizeof real / sizeof real[0]; i++) {
        size_t n;
        uint8_t *b = tl_hex_exact(real[i].hex, &n);
        struct parse_error err = { 0 };
        struct cursor c;
        struct tls_cert_request cr;

        cur_init(&c, b, n, 4, &err);
        CHECK_INT(parse(real[i].variant, &c, &cr), ST_OK, real[i].name);
        CHECK_INT(cr.ca_count, real[i].cas, real[i].name);
        size_t pos = 0, walked = 0;
        struct bytes dn;
        while (tls_dn_next(cr.ca_list, &pos, &dn)) {
            CHECK_INT(dn.ptr[0], 0x30, real[i].name);
            if (walked == 0 && real[i].first_dn_len) {
                CHECK_INT(dn.len, real[i].first_dn_len, real[i].name);
            }
            walked++;
        }
        CHECK_INT(walked, real[i].cas, real[i].name);
        /* One byte short and one trailing byte. */
        struct tls_cert_request other;
        cur_init(&c, b, n - 1, 4, NULL);
        CHECK_INT(parse(real[i].variant, &c, &other), ST_MALFORMED, "real, one byte short");
        uint8_t *longer = malloc(n + 1);
        for (size_t k = 0; k < n; k++) {
            longer[k] = b[k];
        }
        longer[n] = 0;
        cur_init(&c, longer, n + 1, 4, NULL);
        CHECK_INT(parse(real[i].variant, &c, &other), ST_MALFORMED, "real, trailing byte");
        free(longer);
        free(b);
    }

    size_t n;
    uint8_t *b = tl_hex_exact(CR12_SURICATA, &n);
    struct cursor c;
    struct tls_cert_request cr;
    cur_init(&c, b, n, 0, NULL);
    CHECK_INT(tls_cert_request_parse12(&c, &cr), ST_OK, "suricata");
    CHECK_INT(cr.cert_types.len, 3, "three certificate types");
    CHECK_INT(cr.cert_types.ptr[2], 64, "ecdsa_sign");
    CHECK_INT(cr.sig_algs.len, 30, "15 signature algorithms");
    CHECK(!cr.has_ca_extension, "no TLS 1.3 extension");
    free(b);
}

/* CN=RootCA as one DER Name (19 bytes). */
#define DN_ROOT "3011310f300d06035504030c06526f6f744341"

struct cr_case {
    const char *name;
    int variant;
    const char *hex;
    enum status want;
    long cas, types, sigs, sigs_cert, ctx, oid;
    enum { ANY = 0, NO, YES } has_ca;
};

static const struct cr_case cases[] = {
    { .name = "no CAs",
      .variant = 12,
      .hex = "0101 0002 0401 0000",
      .want = ST_OK,
      .cas = 0,
      .types = 1,
      .sigs = 1 },
    { .name = "odd sigalgs", .variant = 12, .hex = "0101 0003 040102 0000", .want = ST_MALFORMED },
    { .name = "DN past end",
      .variant = 12,
      .hex = "0101 0002 0401 0004 0005 3000",
      .want = ST_MALFORMED },
    { .name = "one CA",
      .variant = 12,
      .hex = "0101 0002 0401 0015 0013" DN_ROOT,
      .want = ST_OK,
      .cas = 1 },
    { .name = "two CAs",
      .variant = 12,
      .hex = "0201 40 0004 0401 0403 0019 0013" DN_ROOT "0002 3000",
      .want = ST_OK,
      .cas = 2,
      .types = 2,
      .sigs = 2 },
    { .name = "empty", .variant = 12, .hex = "", .want = ST_MALFORMED },
    { .name = "no certificate types",
      .variant = 12,
      .hex = "00 0002 0401 0000",
      .want = ST_MALFORMED },
    { .name = "no signature algorithms",
      .variant = 12,
      .hex = "0101 0000 0000",
      .want = ST_MALFORMED },
    { .name = "CA list cut", .variant = 12, .hex = "0101 0002 0401 00", .want = ST_MALFORMED },
    { .name = "one byte short",
      .variant = 12,
      .hex = "0101 0002 0401 0015 0013"
             "3011310f300d06035504030c06526f6f7443",
      .want = ST_MALFORMED },
    { .name = "trailing byte",
      .variant = 12,
      .hex = "0101 0002 0401 0000 00",
      .want = ST_MALFORMED },
    { .name = "DN not a SEQUENCE",
      .variant = 12,
      .hex = "0101 0002 0401 0004 0002 3100",
      .want = ST_MALFORMED },
    { .name = "DN is a bare OCTET STRING",
      .variant = 12,
      .hex = "0101 0002 0401 0005 0003 040100",
      .want = ST_MALFORMED },
    { .name = "DN of length 0",
      .variant = 12,
      .hex = "0101 0002 0401 0002 0000",
      .want = ST_MALFORMED },
    { .name = "bytes after the DN SEQUENCE",
      .variant = 12,
      .hex = "0101 0002 0401 0006 0004 3000 0000",
      .want = ST_MALFORMED },
    { .name = "DN SEQUENCE longer than its entry",
      .variant = 12,
      .hex = "0101 0002 0401 0004 0002 3001",
      .want = ST_MALFORMED },
    { .name = "DN with indefinite length",
      .variant = 12,
      .hex = "0101 0002 0401 0006 0004 3080 0000",
      .want = ST_MALFORMED },
    { .name = "DN entry length cut",
      .variant = 12,
      .hex = "0101 0002 0401 0001 00",
      .want = ST_MALFORMED },
    { .name = "TLS 1.1 read as 1.2", .variant = 12, .hex = "02 0102 0000", .want = ST_MALFORMED },
    { .name = "TLS 1.1, no CAs (zeek mysql)",
      .variant = 10,
      .hex = "02 0102 0000",
      .want = ST_OK,
      .cas = 0,
      .types = 2 },
    { .name = "SSL 3.0, one CA",
      .variant = 10,
      .hex = "02 0102 0015 0013" DN_ROOT,
      .want = ST_OK,
      .cas = 1,
      .types = 2 },
    { .name = "1.0 empty", .variant = 10, .hex = "", .want = ST_MALFORMED },
    { .name = "1.0 no certificate types", .variant = 10, .hex = "00 0000", .want = ST_MALFORMED },
    { .name = "1.0 trailing byte", .variant = 10, .hex = "01 01 0000 00", .want = ST_MALFORMED },
    { .name = "1.0 DN not a SEQUENCE",
      .variant = 10,
      .hex = "01 01 0004 0002 0500",
      .want = ST_MALFORMED },
    { .name = "TLS 1.2 read as 1.0",
      .variant = 10,
      .hex = "0101 0002 0401 0000",
      .want = ST_MALFORMED },
    { .name = "1.3 signature_algorithms only",
      .variant = 13,
      .hex = "00 000a 000d 0006 0004 0403 0804",
      .want = ST_OK,
      .cas = 0,
      .sigs = 2,
      .ctx = 0,
      .has_ca = NO },
    { .name = "1.3 all four extensions",
      .variant = 13,
      .hex = "00 0045 000d 0006 0004 0403 0804 002f 0017 0015 0013" DN_ROOT
             "0032 0004 0002 0804 0030 0014 0012 03 551d25 000c"
             "300a06082b06010505070302",
      .want = ST_OK,
      .cas = 1,
      .sigs = 2,
      .sigs_cert = 1,
      .has_ca = YES,
      .oid = 18 },
    { .name = "1.3 post-handshake context",
      .variant = 13,
      .hex = "04 c0ffee01 000a 000d 0006 0004 0403 0804",
      .want = ST_OK,
      .ctx = 4 },
    { .name = "1.3 unknown extension skipped",
      .variant = 13,
      .hex = "00 0010 1234 0002 aabb 000d 0006 0004 0403 0804",
      .want = ST_OK,
      .sigs = 2 },
    { .name = "1.3 no signature_algorithms (left to the rules)",
      .variant = 13,
      .hex = "00 0004 1234 0000",
      .want = ST_OK,
      .sigs = 0 },
    { .name = "1.3 empty extension block", .variant = 13, .hex = "00 0000", .want = ST_MALFORMED },
    { .name = "1.3 extension block of 1 byte",
      .variant = 13,
      .hex = "00 0001 00",
      .want = ST_MALFORMED },
    { .name = "1.3 empty", .variant = 13, .hex = "", .want = ST_MALFORMED },
    { .name = "1.3 duplicate extension",
      .variant = 13,
      .hex = "00 0014 000d 0006 0004 0403 0804 000d 0006 0004 0403 0804",
      .want = ST_MALFORMED },
    { .name = "1.3 odd signature_algorithms",
      .variant = 13,
      .hex = "00 0009 000d 0005 0003 0403 08",
      .want = ST_MALFORMED },
    { .name = "1.3 signature_algorithms trailing byte",
      .variant = 13,
      .hex = "00 0009 000d 0005 0002 0403 00",
      .want = ST_MALFORMED },
    { .name = "1.3 authorities too short",
      .variant = 13,
      .hex = "00 0012 002f 0004 0002 0000 000d 0006 0004 0403 0804",
      .want = ST_MALFORMED },
    { .name = "1.3 authorities DN not a SEQUENCE",
      .variant = 13,
      .hex = "00 0018 002f 000a 0008 0002 3100 0002 3000 000d 0006 0004"
             "0403 0804",
      .want = ST_MALFORMED },
    { .name = "1.3 authorities DN past end",
      .variant = 13,
      .hex = "00 0014 002f 0006 0004 0005 3000 000d 0006 0004 0403 0804",
      .want = ST_MALFORMED },
    { .name = "1.3 oid filter without OID",
      .variant = 13,
      .hex = "00 0013 0030 0005 0003 00 0000 000d 0006 0004 0403 0804",
      .want = ST_MALFORMED },
    { .name = "1.3 oid filters trailing byte",
      .variant = 13,
      .hex = "00 0017 0030 0009 0006 03 551d25 0000 00 000d 0006 0004 0403"
             "0804",
      .want = ST_MALFORMED },
    { .name = "1.3 empty oid filters",
      .variant = 13,
      .hex = "00 0010 0030 0002 0000 000d 0006 0004 0403 0804",
      .want = ST_OK,
      .oid = 0 },
    { .name = "1.3 context past the message",
      .variant = 13,
      .hex = "05 c0ff",
      .want = ST_MALFORMED },
    { .name = "1.3 trailing byte",
      .variant = 13,
      .hex = "00 000a 000d 0006 0004 0403 0804 00",
      .want = ST_MALFORMED },
};

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct cr_case *t = &cases[i];
        size_t n;
        uint8_t *b = tl_hex_exact(t->hex, &n);
        struct parse_error err = { 0 };
        struct cursor c;
        struct tls_cert_request cr = { .ca_count = 999 };

        cur_init(&c, b, n, 0, &err);
        enum status st = parse(t->variant, &c, &cr);
        CHECK_INT(st, t->want, t->name);
        CHECK_INT(err.status, st, t->name);
        if (st != ST_OK) {
            CHECK_INT(cr.ca_count, 999, t->name); /* written only on success */
            free(b);
            continue;
        }
        CHECK_INT(cr.ca_count, t->cas, t->name);
        if (t->types) {
            CHECK_INT(cr.cert_types.len, t->types, t->name);
        }
        if (t->sigs) {
            CHECK_INT(cr.sig_algs.len / 2, t->sigs, t->name);
        }
        if (t->sigs_cert) {
            CHECK_INT(cr.sig_algs_cert.len / 2, t->sigs_cert, t->name);
        }
        if (t->ctx) {
            CHECK_INT(cr.context.len, t->ctx, t->name);
        }
        if (t->oid) {
            CHECK_INT(cr.oid_filters.len, t->oid, t->name);
        }
        if (t->has_ca != ANY) {
            CHECK_INT(cr.has_ca_extension, t->has_ca == YES, t->name);
        }
        free(b);
    }
}

/* The failure is recorded at the DN that broke the list. */
static void test_error_offsets(void)
{
    size_t n;
    uint8_t *b = tl_hex_exact("0101 0002 0401 0008 0002 3000 0002 3100", &n);
    struct parse_error err = { 0 };
    struct cursor c;
    struct tls_cert_request cr;

    cur_init(&c, b, n, 1000, &err);
    CHECK_INT(tls_cert_request_parse12(&c, &cr), ST_MALFORMED, "second DN is a SET");
    CHECK_INT(err.offset, 1000 + 14, "offset of the second DN");
    CHECK_STR(err.reason, "DistinguishedName is not a DER SEQUENCE", "reason");
    free(b);

    b = tl_hex_exact("0101 0002 0401 0006 0004 3000 0000", &n);
    err = (struct parse_error){ 0 };
    cur_init(&c, b, n, 1000, &err);
    CHECK_INT(tls_cert_request_parse12(&c, &cr), ST_MALFORMED, "bytes after the SEQUENCE");
    CHECK_INT(err.offset, 1000 + 12, "offset of the extra bytes");
    free(b);
}

/* Growable message for the large cases. */
struct msg {
    uint8_t *b;
    size_t n, cap;
};

static void put(struct msg *m, const uint8_t *p, size_t n)
{
    if (m->n + n > m->cap) {
        m->cap = (m->n + n) * 2;
        m->b = realloc(m->b, m->cap);
    }
    for (size_t i = 0; i < n; i++) {
        m->b[m->n + i] = p[i];
    }
    m->n += n;
}

static void put_u8(struct msg *m, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(m, &b, 1);
}

static void put_u16(struct msg *m, size_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    put(m, b, 2);
}

/* TLS 1.2 request: one type, given sig_algs length, a CA list of `count`
 * DNs "30 00", or one DN of `one_dn_len` bytes when count is 0. */
static struct msg build12(size_t sig_len, size_t count, size_t one_dn_len)
{
    struct msg m = { 0 };
    put_u8(&m, 1);
    put_u8(&m, 1);
    put_u16(&m, sig_len);
    for (size_t i = 0; i < sig_len; i++) {
        put_u8(&m, i & 1 ? 0x01 : 0x04);
    }
    if (count > 0) {
        put_u16(&m, count * 4);
        for (size_t i = 0; i < count; i++) {
            const uint8_t e[] = { 0x00, 0x02, 0x30, 0x00 };
            put(&m, e, sizeof e);
        }
    } else if (one_dn_len > 0) {
        put_u16(&m, one_dn_len + 2);
        put_u16(&m, one_dn_len);
        size_t body = one_dn_len - 4;
        const uint8_t h[] = { 0x30, 0x82, (uint8_t)(body >> 8), (uint8_t)body };
        put(&m, h, sizeof h);
        for (size_t i = 0; i < body; i++) {
            put_u8(&m, 0x5a);
        }
    } else {
        put_u16(&m, 0);
    }
    return m;
}

static enum status run12(struct msg m, struct tls_cert_request *cr)
{
    uint8_t *exact = malloc(m.n);
    for (size_t i = 0; i < m.n; i++) {
        exact[i] = m.b[i];
    }
    struct cursor c;
    cur_init(&c, exact, m.n, 0, NULL);
    enum status st = tls_cert_request_parse12(&c, cr);
    free(exact);
    free(m.b);
    return st;
}

static void test_limits(void)
{
    struct tls_cert_request cr;

    CHECK_INT(run12(build12(0xfffe, 0, 0), &cr), ST_OK, "signature algorithms at the limit");
    CHECK_INT(cr.sig_algs.len, 0xfffe, "2^16-2 bytes");
    CHECK_INT(run12(build12(0xffff, 0, 0), &cr), ST_MALFORMED, "one past the limit");
    CHECK_INT(run12(build12(0xffff - 2, 0, 0), &cr), ST_MALFORMED, "odd, below the limit");
    CHECK_INT(run12(build12(2, 0, 0xfffd), &cr), ST_OK, "CA list of 2^16-1 bytes");
    CHECK_INT(cr.ca_count, 1, "one big DN");
    CHECK_INT(run12(build12(2, CAP_DNS_PER_LIST, 0), &cr), ST_OK, "DN count at the cap");
    CHECK_INT(cr.ca_count, CAP_DNS_PER_LIST, "count at the cap");

    struct msg m = build12(2, CAP_DNS_PER_LIST + 1, 0);
    struct parse_error err = { 0 };
    struct cursor c;
    cur_init(&c, m.b, m.n, 0, &err);
    CHECK_INT(tls_cert_request_parse12(&c, &cr), ST_LIMIT, "one DN past the cap");
    CHECK_INT(err.status, ST_LIMIT, "limit recorded");
    CHECK_INT(err.offset, 1 + 1 + 2 + 2 + 2 + 4 * CAP_DNS_PER_LIST, "at the first DN over");
    free(m.b);
}

/* 300 CA names CN=CA 000 .. CN=CA 299, walked back in order. */
static void test_300_dns(void)
{
    struct msg m = { 0 };
    const uint8_t head[] = { 0x01, 0x01, 0x00, 0x02, 0x04, 0x01 };
    put(&m, head, sizeof head);
    put_u16(&m, 300 * 21);
    for (unsigned i = 0; i < 300; i++) {
        char cn[8];
        snprintf(cn, sizeof cn, "CA %03u", i);
        const uint8_t dn[] = { 0x00, 0x13, 0x30, 0x11, 0x31, 0x0f, 0x30, 0x0d,
                               0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x06 };
        put(&m, dn, sizeof dn);
        put(&m, (const uint8_t *)cn, 6);
    }
    CHECK_INT(m.n, 6 + 2 + 300 * 21, "message size");

    struct parse_error err = { 0 };
    struct cursor c;
    struct tls_cert_request cr;
    cur_init(&c, m.b, m.n, 0, &err);
    CHECK_INT(tls_cert_request_parse12(&c, &cr), ST_OK, "300 DNs");
    CHECK_INT(cr.ca_count, 300, "count");
    size_t pos = 0;
    unsigned i = 0;
    struct bytes dn;
    while (tls_dn_next(cr.ca_list, &pos, &dn)) {
        char want[8];
        snprintf(want, sizeof want, "CA %03u", i);
        CHECK(dn.len == 19 && memcmp(dn.ptr + 13, want, 6) == 0, "DN in order");
        i++;
    }
    CHECK_INT(i, 300, "walked all 300");
    CHECK_INT(pos, cr.ca_list.len, "walked to the end");
    free(m.b);
}

static void test_dn_next_robust(void)
{
    uint8_t bad[] = { 0x00, 0x02, 0x30, 0x00, 0x00, 0x05, 0x30 };
    uint8_t zero[] = { 0x00, 0x00 };
    struct bytes dn;
    size_t pos = 0;

    CHECK(tls_dn_next((struct bytes){ .ptr = bad, .len = sizeof bad }, &pos, &dn), "first DN");
    CHECK(!tls_dn_next((struct bytes){ .ptr = bad, .len = sizeof bad }, &pos, &dn),
          "second runs past the end");
    pos = 0;
    CHECK(!tls_dn_next((struct bytes){ .ptr = zero, .len = sizeof zero }, &pos, &dn),
          "zero-length DN");
    CHECK(!tls_dn_next((struct bytes){ 0 }, &pos, &dn), "no list");
}

/* tls_dn_list_check consumes and closes its cursor; an empty list is fine. */
static void test_dn_list_check_direct(void)
{
    struct cursor c;
    struct bytes view = { .len = 77 };
    size_t count = 77;

    cur_init(&c, NULL, 0, 0, NULL);
    CHECK_INT(tls_dn_list_check(&c, &view, &count), ST_OK, "empty list");
    CHECK_INT(count, 0, "no DNs");
    CHECK_INT(view.len, 0, "empty view");

    size_t n;
    uint8_t *b = tl_hex_exact("0013" DN_ROOT "0002 3000", &n);
    cur_init(&c, b, n, 0, NULL);
    CHECK_INT(tls_dn_list_check(&c, &view, &count), ST_OK, "two DNs");
    CHECK_INT(count, 2, "count");
    CHECK_INT(cur_left(&c), 0, "consumed");
    CHECK_INT(view.len, n, "view covers the list");
    free(b);
}

int main(void)
{
    test_real();
    test_cases();
    test_error_offsets();
    test_limits();
    test_300_dns();
    test_dn_next_robust();
    test_dn_list_check_direct();
    return tl_done();
}
