/*
 * fuzz_der_dn.c - dn_render_buf over arbitrary bytes taken as a DER Name,
 * and dn_render into a small arena. The first byte picks the size of the
 * caller buffer (to reach ST_LIMIT at every point of the text); the rest
 * is the Name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "dn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    size_t n = data[0] == 0xff ? CAP_DN_TEXT + 1 : data[0];
    struct bytes der = { data + 1, size - 1 };
    char *buf = malloc(n ? n : 1);
    if (!buf) {
        return 0;
    }
    enum status st = dn_render_buf(der, buf, n);
    if (st == ST_OK && strlen(buf) >= n) {
        abort(); /* the text and its NUL must fit */
    }
    free(buf);

    struct ev_arena a;
    char *text = NULL;
    ev_arena_init(&a, 1u << 20);
    st = dn_render(&a, der, &text);
    if (st == ST_OK && (!text || strlen(text) >= CAP_DN_TEXT)) {
        abort();
    }
    ev_arena_fini(&a);
    return 0;
}
