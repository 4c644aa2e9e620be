/*
 * fuzz_keylog.c - the NSS key log reader (tls_keylog_add_text): arbitrary
 * text in one piece and split in two at a byte the input chooses, as the
 * chunked file reader and pcapng DSBs hand it over.
 */
#include <stddef.h>
#include <stdint.h>

#include "tls_keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tls_keylog kl;
    tls_keylog_init(&kl);
    (void)tls_keylog_add_text(&kl, data, size);
    size_t cut = size > 0 ? data[0] % (size + 1) : 0;
    (void)tls_keylog_add_text(&kl, data, cut);
    (void)tls_keylog_add_text(&kl, data + cut, size - cut);
    if (size >= 32) {
        (void)tls_keylog_find(&kl, data);
    }
    tls_keylog_fini(&kl);
    return 0;
}
