/*
 * test_tls_certificate.c - the Certificate message in both layouts: real
 * chains (arkime ssl-selfsign.pcap for TLS <= 1.2, illustrated-tls13 for the
 * TLS 1.3 entries with their extension blocks), the empty list, zero-length
 * entries, lengths past the end, trailing bytes, and the chain cap
 * (CAP_CERTS_PER_CHAIN entries pass, one more is ST_LIMIT).
 */
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "testlib.h"
#include "tls_certificate.h"

/* arkime ssl-selfsign.pcap: the server's chain of one self-signed certificate. */
static const char CERT12_ONE[] = "00022200021f3082021b30820184a003020102020900b27e45d092b4dddf300d"
                                 "06092a864886f70d0101050500301431123010060355040313096d6f6c6f6368"
                                 "667477301e170d3138303232333135323633385a170d31383033323531353236"
                                 "33385a301431123010060355040313096d6f6c6f636866747730819f300d0609"
                                 "2a864886f70d010101050003818d0030818902818100b32dd3e06866147df7ba"
                                 "e875479347e88a550d7a580bc6988c72c3a782cbedd68a5a898d361af4e51e59"
                                 "b9b9d78ccc45e6fe008912e296ad81ac58f1b1c6d8a995697f69b43e92fec29d"
                                 "d8291ee59378a42a2d7f282972121acc666c4f516140059a490b64b47eae5f75"
                                 "6cf8910e607130004e0b02ab07451b137cf5c60548f10203010001a375307330"
                                 "1d0603551d0e04160414af961bea6b81a6e09c3729924fce4174b7246e923044"
                                 "0603551d23043d303b8014af961bea6b81a6e09c3729924fce4174b7246e92a1"
                                 "18a416301431123010060355040313096d6f6c6f6368667477820900b27e45d0"
                                 "92b4dddf300c0603551d13040530030101ff300d06092a864886f70d01010505"
                                 "000381810073af18e431046a5e5965d621c85b25fc2bc00fc06ee35375d06685"
                                 "0221178c26bf0b9cf6c315ba663ff39de8f0fd8d5edc44379d4a41661b0ce7ff"
                                 "924b93108a9b9c10ea842be3bb84c0011f997c1b2cb849d1b5a38aa624a708dc"
                                 "a99384afb01956f203d4300f3419a27f4955bf16d072e45b2147a2d58030988d"
                                 "66afa31d55";

/* illustrated-tls13 capture.pcap (decrypted): one certificate, empty extensions. */
static const char CERT13_ONE[] = "0000032a0003253082032130820209a0030201020208155a92adc2048f90300d"
                                 "06092a864886f70d01010b05003022310b300906035504061302555331133011"
                                 "060355040a130a4578616d706c65204341301e170d3138313030353031333831"
                                 "375a170d3139313030353031333831375a302b310b3009060355040613025553"
                                 "311c301a060355040313136578616d706c652e756c666865696d2e6e65743082"
                                 "0122300d06092a864886f70d01010105000382010f003082010a0282010100c4"
                                 "803606bae7476b089404eca7b691043ff792bc19eefb7d74d7a80d001e7b4b3a"
                                 "4ae60fe8c071fc73e7024c0dbcf4bdd11d396bba70464a13e94af83df3e10959"
                                 "547bc955fb412da3765211e1f3dc776caa53376eca3aecbec3aab73b31d56cb6"
                                 "529c8098bcc9e02818e20bf7f8a03afd1704509ece79bd9f39f1ea69ec47972e"
                                 "830fb5ca95de95a1e60422d5eebe527954a1e7bf8a86f6466d0d9f16951a4cf7"
                                 "a04692595c1352f2549e5afb4ebfd77a37950144e4c026874c653e407d7d2307"
                                 "4401f484ffd08f7a1fa05210d1f4f0d5ce79702932e2cabe701fdfad6b4bb711"
                                 "01f44bad666a11130fe2ee829e4d029dc91cdd6716dbb9061886edc1ba942102"
                                 "03010001a3523050300e0603551d0f0101ff0404030205a0301d0603551d2504"
                                 "16301406082b0601050507030206082b06010505070301301f0603551d230418"
                                 "30168014894fde5bcc69e252cf3ea300dfb197b81de1c146300d06092a864886"
                                 "f70d01010b05000382010100591645a69a2e3779e4f6dd271aba1c0bfd6cd755"
                                 "99b5e7c36e533eff3659084324c9e7a504079d39e0d42987ffe3ebdd09c1cf1d"
                                 "914455870b571dd19bdf1d24f8bb9a11fe80fd592ba0398cde11e2651e618ce5"
                                 "98fa96e5372eef3d248afde17463ebbfabb8e4d1ab502a54ec0064e92f781966"
                                 "0d3f27cf209e667fce5ae2e4ac99c7c93818f8b2510722dfed97f32e3e9349d4"
                                 "c66c9ea6396d744462a06b42c6d5ba688eac3a017bddfc8e2cfcad27cb69d3cc"
                                 "dca280414465d3ae348ce0f34ab2fb9c618371312b191041641c237f11a5d65c"
                                 "844f0404849938712b959ed685bc5c5dd645ed19909473402926dcb40e3469a1"
                                 "5941e8e2cca84bb6084636a00000";

static const struct {
    const char *name;
    const char *hex;
    bool tls13;
    enum status want;
    size_t count;
    size_t context_len;
} cases[] = {
    { .name = "real TLS 1.2 chain", .hex = CERT12_ONE, .want = ST_OK, .count = 1 },
    { .name = "real TLS 1.3 chain", .hex = CERT13_ONE, .tls13 = true, .want = ST_OK, .count = 1 },
    { .name = "empty list (client without certificate)", .hex = "000000", .want = ST_OK },
    { .name = "1.3 empty list", .hex = "00 000000", .tls13 = true, .want = ST_OK },
    { .name = "1.3 post-handshake context",
      .hex = "04 a1a2a3a4 000000",
      .tls13 = true,
      .want = ST_OK,
      .context_len = 4 },
    { .name = "two entries",
      .hex = "00000c 000003 300100 000003 300101",
      .want = ST_OK,
      .count = 2 },
    { .name = "1.3 entry with extensions",
      .hex = "00 000010 000003 300100 0008 0005 0004 aabbccdd",
      .tls13 = true,
      .want = ST_OK,
      .count = 1 },
    { .name = "empty", .hex = "", .want = ST_MALFORMED },
    { .name = "1.3 empty", .hex = "", .tls13 = true, .want = ST_MALFORMED },
    { .name = "list length cut", .hex = "0000", .want = ST_MALFORMED },
    { .name = "zero-length entry", .hex = "000003 000000", .want = ST_MALFORMED },
    { .name = "entry past the list", .hex = "000005 000003 3001", .want = ST_MALFORMED },
    { .name = "list past the message", .hex = "000007 000003 300100", .want = ST_MALFORMED },
    { .name = "trailing byte in list", .hex = "000007 000003 300100 00", .want = ST_MALFORMED },
    { .name = "trailing byte after list", .hex = "000006 000003 300100 00", .want = ST_MALFORMED },
    { .name = "1.3 entry without extensions",
      .hex = "00 000006 000003 300100",
      .tls13 = true,
      .want = ST_MALFORMED },
    { .name = "1.3 extensions past the entry",
      .hex = "00 00000a 000003 300100 0004 0005",
      .tls13 = true,
      .want = ST_MALFORMED },
    { .name = "1.3 extension body past its block",
      .hex = "00 00000d 000003 300100 0005 0005 0004 aa",
      .tls13 = true,
      .want = ST_MALFORMED },
    { .name = "1.3 context past the message",
      .hex = "05 a1a2",
      .tls13 = true,
      .want = ST_MALFORMED },
    { .name = "1.2 chain read as 1.3",
      .hex = "000006 000003 300100",
      .tls13 = true,
      .want = ST_MALFORMED },
    { .name = "1.3 chain read as 1.2",
      .hex = "00 000008 000003 300100 0000",
      .want = ST_MALFORMED },
};

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        uint8_t *b = tl_hex_exact(cases[i].hex, &n);
        struct parse_error err = { 0 };
        struct cursor c;
        struct tls_certificate cert = { .count = 999 };

        cur_init(&c, b, n, 4, &err);
        enum status st = tls_certificate_parse(&c, cases[i].tls13, &cert);
        CHECK_INT(st, cases[i].want, cases[i].name);
        CHECK_INT(err.status, st, cases[i].name);
        if (st != ST_OK) {
            CHECK_INT(cert.count, 999, cases[i].name);
            free(b);
            continue;
        }
        CHECK_INT(cert.count, cases[i].count, cases[i].name);
        CHECK_INT(cert.tls13, cases[i].tls13, cases[i].name);
        CHECK_INT(cert.context.len, cases[i].context_len, cases[i].name);
        size_t pos = 0, walked = 0;
        struct bytes der;
        while (tls_certificate_next(&cert, &pos, &der)) {
            CHECK(der.len > 0 && der.ptr[0] == 0x30, "each entry starts a SEQUENCE");
            walked++;
        }
        CHECK_INT(walked, cert.count, cases[i].name);
        free(b);
    }
}

static void test_real_chain_walk(void)
{
    size_t n;
    uint8_t *b = tl_hex_exact(CERT13_ONE, &n);
    struct cursor c;
    struct tls_certificate cert;
    struct bytes der;
    size_t pos = 0;

    cur_init(&c, b, n, 0, NULL);
    CHECK_INT(tls_certificate_parse(&c, true, &cert), ST_OK, "illustrated chain");
    CHECK(tls_certificate_next(&cert, &pos, &der), "first certificate");
    CHECK_INT(der.len, 0x325, "DER length");
    CHECK_INT(der.ptr[0], 0x30, "DER SEQUENCE");
    CHECK_INT(der.ptr - b, 1 + 3 + 3, "DER starts after context and two lengths");
    CHECK_INT(pos, cert.list.len, "walked past the extension block");
    CHECK(!tls_certificate_next(&cert, &pos, &der), "then the end");
    free(b);
}

/* Builds a chain of `count` one-byte certificates (TLS 1.2 layout). */
static uint8_t *chain_of(size_t count, size_t *ret_len)
{
    size_t list = count * 4;
    size_t n = 3 + list;
    uint8_t *b = malloc(n);
    b[0] = (uint8_t)(list >> 16);
    b[1] = (uint8_t)(list >> 8);
    b[2] = (uint8_t)list;
    for (size_t i = 0; i < count; i++) {
        uint8_t *e = b + 3 + 4 * i;
        e[0] = 0;
        e[1] = 0;
        e[2] = 1;
        e[3] = (uint8_t)i;
    }
    *ret_len = n;
    return b;
}

static void test_chain_cap(void)
{
    size_t n;
    uint8_t *b = chain_of(CAP_CERTS_PER_CHAIN, &n);
    struct parse_error err = { 0 };
    struct cursor c;
    struct tls_certificate cert;
    struct bytes der;
    size_t pos = 0, i = 0;

    cur_init(&c, b, n, 0, &err);
    CHECK_INT(tls_certificate_parse(&c, false, &cert), ST_OK, "chain at the cap");
    CHECK_INT(cert.count, CAP_CERTS_PER_CHAIN, "count at the cap");
    while (tls_certificate_next(&cert, &pos, &der)) {
        CHECK(der.len == 1 && der.ptr[0] == (uint8_t)i, "entries in order");
        i++;
    }
    CHECK_INT(i, CAP_CERTS_PER_CHAIN, "walked them all");
    free(b);

    b = chain_of(CAP_CERTS_PER_CHAIN + 1, &n);
    cur_init(&c, b, n, 0, &err);
    CHECK_INT(tls_certificate_parse(&c, false, &cert), ST_LIMIT, "one past the cap");
    CHECK_INT(err.status, ST_LIMIT, "limit recorded");
    CHECK_INT(err.offset, 3 + 4 * CAP_CERTS_PER_CHAIN, "at the first entry over the cap");
    free(b);
}

static void test_next_robust(void)
{
    uint8_t bad[] = { 0x00, 0x00, 0x09, 0x30 }; /* entry runs past the list */
    struct tls_certificate cert = { .list = { .ptr = bad, .len = sizeof bad } };
    struct bytes der;
    size_t pos = 0;

    CHECK(!tls_certificate_next(&cert, &pos, &der), "entry past the end: stop");
    cert.tls13 = true;
    uint8_t no_ext[] = { 0x00, 0x00, 0x01, 0x30, 0x00 };
    cert.list = (struct bytes){ .ptr = no_ext, .len = sizeof no_ext };
    CHECK(!tls_certificate_next(&cert, &pos, &der), "cut extension length: stop");
    cert.list = (struct bytes){ 0 };
    CHECK(!tls_certificate_next(&cert, &pos, &der), "no list");
}

int main(void)
{
    test_cases();
    test_real_chain_walk();
    test_chain_cap();
    test_next_robust();
    return tl_done();
}
