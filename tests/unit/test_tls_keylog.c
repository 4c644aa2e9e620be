/*
 * test_tls_keylog.c - the NSS key log reader: the five labels it keeps,
 * labels it skips, comments, CRLF, a last line without LF, malformed lines
 * counted (never fatal), a file that is not a key log at all, and many
 * sessions (the table grows and finds each again).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "tls_keylog.h"

#define R1 "0101010101010101010101010101010101010101010101010101010101010101"
#define S32 "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899"
#define S48 S32 "00112233445566778899aabbccddeeff"

static const uint8_t *text(const char *s)
{
    return (const uint8_t *)s;
}

static void labels(void)
{
    struct tls_keylog kl;
    tls_keylog_init(&kl);
    const char *log = "# SSL/TLS secrets log file\n"
                      "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R1 " " S32 "\r\n"
                      "SERVER_HANDSHAKE_TRAFFIC_SECRET " R1 " " S48 "\n"
                      "EXPORTER_SECRET " R1 " " S32 "\n"
                      "\n"
                      "CLIENT_TRAFFIC_SECRET_0\t" R1 "\t" S32 "\n"
                      "SERVER_TRAFFIC_SECRET_0 " R1 " " S32; /* no LF at the end */
    CHECK_INT(tls_keylog_add_text(&kl, text(log), strlen(log)), ST_OK, "add");
    uint8_t r1[32];
    tl_hex(R1, r1, sizeof r1);
    const struct tls_keylog_entry *e = tls_keylog_find(&kl, r1);
    CHECK(e != NULL, "found by client random");
    if (e) {
        CHECK_INT(e->len[TLS_SECRET_CLIENT_HS], 32, "client hs");
        CHECK_INT(e->len[TLS_SECRET_SERVER_HS], 48, "server hs (SHA-384)");
        CHECK_INT(e->len[TLS_SECRET_CLIENT_AP], 32, "client ap, tab-separated");
        CHECK_INT(e->len[TLS_SECRET_SERVER_AP], 32, "server ap, last line without LF");
        CHECK_INT(e->len[TLS_SECRET_MASTER], 0, "no master secret");
        CHECK_INT(e->secret[TLS_SECRET_CLIENT_HS][0], 0xaa, "secret bytes");
    }
    CHECK_INT(kl.count, 1, "one session");
    CHECK_INT(kl.ignored, 0, "nothing ignored");
    uint8_t other[32] = { 2 };
    CHECK(tls_keylog_find(&kl, other) == NULL, "unknown random");
    uint8_t zero[32] = { 0 };
    CHECK(tls_keylog_find(&kl, zero) == NULL, "all-zero random never matches");
    tls_keylog_fini(&kl);
}

static void malformed(void)
{
    struct tls_keylog kl;
    tls_keylog_init(&kl);
    const char *log = "CLIENT_RANDOM " R1 " " S32 "\n"          /* master must be 48 bytes */
                      "CLIENT_RANDOM 0102 " S48 "\n"            /* short random */
                      "CLIENT_RANDOM " R1 " " S48 "zz\n"        /* not hex */
                      "CLIENT_RANDOM " R1 " " S48 " extra\n"    /* trailing word */
                      "CLIENT_RANDOM " R1 "\n"                  /* no secret */
                      "GARBAGE here\n"                          /* unknown label */
                      "CLIENT_RANDOM " R1 " " S48 S48 S48 "\n"; /* secret too long */
    CHECK_INT(tls_keylog_add_text(&kl, text(log), strlen(log)), ST_OK, "malformed is not fatal");
    CHECK_INT(kl.count, 0, "nothing kept");
    CHECK_INT(kl.ignored, 7, "each bad line counted");
    CHECK_INT(kl.first_bad_line, 1, "first bad line");
    tls_keylog_fini(&kl);
}

static void file_not_a_keylog(void)
{
    char path[] = "/tmp/tlsdiag-keylog-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "temp file");
    if (fd < 0) {
        return;
    }
    FILE *f = fdopen(fd, "w");
    fputs("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", f);
    fclose(f);
    struct tls_keylog kl;
    tls_keylog_init(&kl);
    char err[256] = "";
    CHECK_INT(tls_keylog_load_file(&kl, path, err, sizeof err), ST_MALFORMED, "not a key log");
    CHECK(strstr(err, "line 1") != NULL, err);
    CHECK_INT(tls_keylog_load_file(&kl, "/nonexistent/keylog", err, sizeof err), ST_UNSUPPORTED,
              "missing file");
    CHECK(strstr(err, "cannot open") != NULL, err);
    tls_keylog_fini(&kl);
    remove(path);
}

static void many_sessions(void)
{
    struct tls_keylog kl;
    tls_keylog_init(&kl);
    char line[256];
    for (unsigned i = 1; i <= 3000; i++) {
        int n = snprintf(line, sizeof line, "CLIENT_RANDOM %064x %s\n", i, S48);
        CHECK_INT(tls_keylog_add_text(&kl, text(line), (size_t)n), ST_OK, "add");
    }
    CHECK_INT(kl.count, 3000, "3000 sessions");
    unsigned found = 0;
    for (unsigned i = 1; i <= 3000; i++) {
        uint8_t r[32] = { 0 };
        r[28] = (uint8_t)(i >> 24);
        r[29] = (uint8_t)(i >> 16);
        r[30] = (uint8_t)(i >> 8);
        r[31] = (uint8_t)i;
        found += tls_keylog_find(&kl, r) != NULL;
    }
    CHECK_INT(found, 3000, "each found after the table grew");
    tls_keylog_fini(&kl);
}

int main(void)
{
    labels();
    malformed();
    file_not_a_keylog();
    many_sessions();
    return tl_done();
}
