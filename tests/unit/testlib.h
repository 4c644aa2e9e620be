/*
 * testlib.h - the few helpers unit tests share: hex vectors with blanks,
 * checks that report file:line and keep going, and a summary line in the
 * "N passed, N failed" form CI reads.
 */
#ifndef TLSDIAG_TESTLIB_H
#define TLSDIAG_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

extern int tl_failed;
extern int tl_passed;

/* Decodes hex digits, ignoring blanks; returns the byte count, or -1 on bad
 * input (the test fails). `out` must hold at least max bytes. */
long tl_hex(const char *hex, uint8_t *out, size_t max);
/* Decodes hex into a malloc'd buffer of exactly the decoded size, so ASan
 * catches a read one past the vector; an empty (or invalid) vector gives a
 * 1-byte buffer and *ret_len = 0. Never NULL unless memory runs out. */
uint8_t *tl_hex_exact(const char *hex, size_t *ret_len);
/* Reads a whole file into a malloc'd buffer; NULL on error. */
uint8_t *tl_read_file(const char *path, size_t *ret_len);

void tl_check(int ok, const char *file, int line, const char *expr, const char *ctx);
void tl_check_str(const char *got, const char *want, const char *file, int line, const char *ctx);
void tl_check_int(long long got, long long want, const char *file, int line, const char *ctx);
/* Prints the summary; returns the process exit status. */
int tl_done(void);

#define CHECK(expr, ctx) tl_check(!!(expr), __FILE__, __LINE__, #expr, (ctx))
#define CHECK_STR(got, want, ctx) tl_check_str((got), (want), __FILE__, __LINE__, (ctx))
#define CHECK_INT(got, want, ctx) \
    tl_check_int((long long)(got), (long long)(want), __FILE__, __LINE__, (ctx))

#endif
