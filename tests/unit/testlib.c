/*
 * testlib.c - see testlib.h.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tl_failed;
int tl_passed;

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

long tl_hex(const char *hex, uint8_t *out, size_t max)
{
    size_t n = 0;
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        if (*p == ' ' || *p == '\n' || *p == '\t' || *p == ':') {
            continue;
        }
        int v = hexval((unsigned char)*p);
        if (v < 0) {
            fprintf(stderr, "bad hex digit '%c' in test vector\n", *p);
            tl_failed++;
            return -1;
        }
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (n >= max) {
            fprintf(stderr, "test vector longer than %zu bytes\n", max);
            tl_failed++;
            return -1;
        }
        out[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    if (hi >= 0) {
        fprintf(stderr, "odd number of hex digits in test vector\n");
        tl_failed++;
        return -1;
    }
    return (long)n;
}

uint8_t *tl_hex_exact(const char *hex, size_t *ret_len)
{
    size_t cap = strlen(hex) / 2 + 1;
    uint8_t *p = malloc(cap);
    long n = p ? tl_hex(hex, p, cap) : -1;
    if (n < 0) {
        free(p);
        *ret_len = 0;
        return malloc(1);
    }
    *ret_len = (size_t)n;
    uint8_t *exact = realloc(p, n > 0 ? (size_t)n : 1);
    return exact ? exact : p;
}

uint8_t *tl_read_file(const char *path, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len < cap) {
            break;
        }
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf) {
        *ret_len = len;
    }
    return buf;
}

void tl_check(int ok, const char *file, int line, const char *expr, const char *ctx)
{
    if (ok) {
        tl_passed++;
        return;
    }
    tl_failed++;
    fprintf(stderr, "%s:%d: FAIL [%s] %s\n", file, line, ctx ? ctx : "", expr);
}

void tl_check_str(const char *got, const char *want, const char *file, int line, const char *ctx)
{
    if ((got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0)) {
        tl_passed++;
        return;
    }
    tl_failed++;
    fprintf(stderr, "%s:%d: FAIL [%s]\n   got: %s\n  want: %s\n", file, line, ctx ? ctx : "",
            got ? got : "(null)", want ? want : "(null)");
}

void tl_check_int(long long got, long long want, const char *file, int line, const char *ctx)
{
    if (got == want) {
        tl_passed++;
        return;
    }
    tl_failed++;
    fprintf(stderr, "%s:%d: FAIL [%s] got %lld, want %lld\n", file, line, ctx ? ctx : "", got,
            want);
}

int tl_done(void)
{
    printf("%d passed, %d failed\n", tl_passed, tl_failed);
    return tl_failed ? 1 : 0;
}
