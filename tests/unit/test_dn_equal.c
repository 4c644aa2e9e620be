/*
 * test_dn_equal.c - dn_der_equal (RFC 5280 7.1 name comparison) on DER
 * Name byte vectors: DirectoryString values equal across string types with
 * case and white space folded, RDN order as encoded, a multi-valued RDN as a
 * set, attribute types by OID, other string types byte for byte, malformed
 * names refused. The vectors were built with a few lines of Python from
 * (type, string type, value) triples, written next to each name.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "dn.h"
#include "testlib.h"

static const struct {
    const char *name;
    const char *a, *b;
    bool equal;
} cases[] = {
    { .name = "Printable 'Test CA' vs UTF8 'test  ca'",
      .a = "30123110300e0603550403130754657374204341",
      .b = "30133111300f06035504030c087465737420206361",
      .equal = true },
    { .name = "leading/trailing blanks dropped",
      .a = "30153113301106035504030c0a20205465737420434120",
      .b = "30123110300e0603550403130754657374204341",
      .equal = true },
    { .name = "tab and NBSP fold into one space",
      .a = "30143112301006035504030c095465737409c2a04341",
      .b = "30123110300e0603550403130754657374204341",
      .equal = true },
    { .name = "inner space is not nothing",
      .a = "3011310f300d06035504030c06546573744341",
      .b = "30123110300e0603550403130754657374204341",
      .equal = false },
    { .name = "BMPString vs UTF8String",
      .a = "30193117301506035504031e0e0054006500730074002000430041",
      .b = "30123110300e06035504030c0754455354204341",
      .equal = true },
    { .name = "UniversalString vs PrintableString",
      .a = "301b31193017060355040a1c1000000041000000630000006d00000065",
      .b = "300f310d300b060355040a130441434d45",
      .equal = true },
    { .name = "TeletexString Latin-1 vs UTF8",
      .a = "3011310f300d060355040a14064dfc6c6c6572",
      .b = "30123110300e060355040a0c074dc39c4c4c4552",
      .equal = true },
    { .name = "Latin Extended-A and Cyrillic case folding",
      .a = "301f311d301b06035504030c14c581c3b364c5ba20d09cd09ed0a1d09ad092d090",
      .b = "301f311d301b06035504030c14c582c39344c5b920d0bcd0bed181d0bad0b2d0b0",
      .equal = true },
    { .name = "different attribute order not equal",
      .a = "3025310b3009060355040613024445310a3008060355040a0c0158310a300806035504030c0159",
      .b = "3025310a3008060355040a0c0158310b3009060355040613024445310a300806035504030c0159",
      .equal = false },
    { .name = "different OID not equal",
      .a = "300f310d300b06035504030c0441636d65",
      .b = "300f310d300b060355040a0c0441636d65",
      .equal = false },
    { .name = "more RDNs not equal",
      .a = "300f310d300b06035504030c0441636d65",
      .b = "301c310b3009060355040613024445310d300b06035504030c0441636d65",
      .equal = false },
    { .name = "multi-valued RDN is a set",
      .a = "301631143008060355040b0c0161300806035504030c0162",
      .b = "30163114300806035504031301423008060355040b130141",
      .equal = true },
    { .name = "multi-valued vs two RDNs",
      .a = "301631143008060355040b0c0161300806035504030c0162",
      .b = "3018310a3008060355040b0c0161310a300806035504030c0162",
      .equal = false },
    { .name = "IA5String emailAddress byte for byte",
      .a = "3020311e301c06092a864886f70d010901160f706b69404578616d706c652e636f6d",
      .b = "3020311e301c06092a864886f70d010901160f706b69406578616d706c652e636f6d",
      .equal = false },
    { .name = "IA5String equal bytes",
      .a = "3020311e301c06092a864886f70d010901160f706b69406578616d706c652e636f6d",
      .b = "3020311e301c06092a864886f70d010901160f706b69406578616d706c652e636f6d",
      .equal = true },
    { .name = "IA5String vs UTF8String not equal",
      .a = "301931173015060a0992268993f22c64011916076578616d706c65",
      .b = "301931173015060a0992268993f22c6401190c076578616d706c65",
      .equal = false },
    { .name = "empty names equal", .a = "3000", .b = "3000", .equal = true },
    { .name = "empty vs one RDN",
      .a = "3000",
      .b = "300c310a300806035504030c0178",
      .equal = false },
    { .name = "different value",
      .a = "30143112301006035504030c09546573742043412031",
      .b = "30143112301006035504030c09546573742043412032",
      .equal = false },
    { .name = "invalid UTF-8 byte equal only to itself",
      .a = "300e310c300a06035504030c0361ff62",
      .b = "300e310c300a0603550403140361ff62",
      .equal = false },
};

static const struct {
    const char *name;
    const char *a, *b;
} malformed[] = {
    { .name = "not a SEQUENCE", .a = "310b300906035504030c026162", .b = "3000" },
    { .name = "empty RDN", .a = "30023100", .b = "30023100" },
    { .name = "truncated AVA", .a = "300d310b300906035504030c0361", .b = "3000" },
    { .name = "trailing byte", .a = "300000", .b = "3000" },
    { .name = "empty OID", .a = "300a3108300606000c026162", .b = "300a3108300606000c026162" },
};

static bool equal_of(const char *ha, const char *hb, enum status *ret_st)
{
    size_t la, lb;
    uint8_t *a = tl_hex_exact(ha, &la), *b = tl_hex_exact(hb, &lb);
    bool eq = false;
    *ret_st = dn_der_equal((struct bytes){ a, la }, (struct bytes){ b, lb }, &eq);
    free(a);
    free(b);
    return eq;
}

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum status st, st2;
        bool eq = equal_of(cases[i].a, cases[i].b, &st);
        bool eq2 = equal_of(cases[i].b, cases[i].a, &st2);
        CHECK_INT(st, ST_OK, cases[i].name);
        CHECK_INT(eq, cases[i].equal, cases[i].name);
        CHECK_INT(st2, ST_OK, cases[i].name);
        CHECK_INT(eq2, cases[i].equal, cases[i].name); /* symmetric */
    }
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        enum status st;
        (void)equal_of(malformed[i].a, malformed[i].b, &st);
        CHECK_INT(st, ST_MALFORMED, malformed[i].name);
    }
    return tl_done();
}
