/*
 * fuzz_dn_equal.c - dn_der_equal (RFC 5280 7.1 comparison) over two
 * arbitrary byte strings taken as DER Names. The first byte says where the
 * rest splits into the two names. Checks: no crash, the answer is the same
 * both ways round, and a name that compares at all equals itself.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    size_t rest = size - 1;
    size_t split = rest * data[0] / 255;
    struct bytes a = { data + 1, split }, b = { data + 1 + split, rest - split };
    bool ab = false, ba = false, aa = false;
    enum status st_ab = dn_der_equal(a, b, &ab);
    enum status st_ba = dn_der_equal(b, a, &ba);
    if (st_ab == ST_OK && st_ba == ST_OK && ab != ba) {
        abort(); /* not symmetric */
    }
    if (dn_der_equal(a, a, &aa) == ST_OK && !aa) {
        abort(); /* not reflexive */
    }
    return 0;
}
