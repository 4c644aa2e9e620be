/*
 * input_kind.c - what kind of input a file is, decided by its first bytes,
 * never by its name (a capture attached as "trace.txt" is still a capture).
 * Shared by analyze and check so both say the same about the same file.
 */
#include "input_kind.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "evidence.h"
#include "icm.h"
#include "x509.h"

#define CERT_CONFIRM_ARENA (4u << 20) /* a DER file of up to 1 MiB, decoded once */

/* A PEM certificate block anywhere in the head: `openssl x509 -text` and
 * many exports write text before it. */
static bool pem_cert_sniff(const uint8_t *head, size_t n)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----";
    size_t blen = sizeof begin - 1;
    for (size_t i = 0; n >= blen && i <= n - blen; i++) {
        if (head[i] == '-' && memcmp(head + i, begin, blen) == 0) {
            return true;
        }
    }
    return false;
}

/* DER X.509 (RFC 5280 4.1): Certificate ::= SEQUENCE { tbsCertificate
 * SEQUENCE, ... }, a definite length in long form (a certificate is longer
 * than 127 bytes). Only a hint: the caller confirms by decoding. */
static bool der_cert_sniff(const uint8_t *head, size_t n)
{
    if (n < 6 || head[0] != 0x30 || head[1] < 0x81 || head[1] > 0x84) {
        return false;
    }
    size_t inner = 2 + (size_t)(head[1] & 0x7f);
    return inner < n && head[inner] == 0x30;
}

/* Does x509_load_file read the whole file as certificates? */
static bool der_cert_confirm(const char *path)
{
    struct ev_arena arena;
    ev_arena_init(&arena, CERT_CONFIRM_ARENA);
    struct x509_cache *cache = x509_cache_new(&arena);
    struct ev_chain *chain = NULL;
    char err[256];
    bool ok = cache && x509_load_file(cache, path, &chain, err, sizeof err) == ST_OK;
    x509_cache_free(cache);
    ev_arena_fini(&arena);
    return ok;
}

enum input_kind input_kind_sniff(const char *path, char *errbuf, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(errbuf, errlen, "is a directory; give the capture or trace files in it");
        return IN_UNKNOWN;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errbuf, errlen, "cannot open: %s", strerror(errno));
        return IN_UNKNOWN;
    }
    uint8_t head[4096];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n == 0) {
        snprintf(errbuf, errlen, "the file is empty");
        return IN_UNKNOWN;
    }
    if (cap_sniff(head, n)) {
        return IN_CAPTURE;
    }
    if (icm_sniff(head, n)) {
        return IN_ICM;
    }
    /* dev_w and Cloud Connector traces look alike at a glance: say which it is. */
    if (icm_sniff_foreign(head, n, errbuf, errlen) != ICM_FOREIGN_NONE) {
        return IN_UNKNOWN;
    }
    if (pem_cert_sniff(head, n) || (der_cert_sniff(head, n) && der_cert_confirm(path))) {
        return IN_CERTIFICATE;
    }
    snprintf(errbuf, errlen,
             "not a pcap/pcapng capture (also .gz), an SAP ICM trace or a PEM/DER certificate "
             "(first bytes %02x %02x %02x %02x)",
             head[0], n > 1 ? head[1] : 0, n > 2 ? head[2] : 0, n > 3 ? head[3] : 0);
    return IN_UNKNOWN;
}

uint64_t input_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}
