/*
 * pcapng_secrets.c - the TLS key logs embedded in a pcapng file as
 * Decryption Secrets Blocks (pcapng spec, block type 0x0000000A, secrets
 * type 0x544c534b "TLSK": NSS key log text), which libpcap skips. Tools put
 * them before the packets (editcap --inject-secrets, Wireshark's "save with
 * keys"), so only the blocks before the first packet block are read: this
 * costs a few reads, not a second pass over the file.
 */
#include "capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "caps.h"
#include "cursor.h"

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_DSB 0x0000000Au
#define PCAPNG_BOM 0x1A2B3C4Du
#define SECRETS_TLS_KEYLOG 0x544c534bu
#define LEADING_BLOCKS_MAX 1024u /* SHB, IDBs, DSBs, comments before the first packet */

static uint32_t u32_in(const uint8_t *p, bool big)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* One DSB body: secrets type, length, data (RFC-draft pcapng 4.7). */
static void on_dsb(const uint8_t *body, size_t len, bool big, cap_secrets_fn fn, void *ctx)
{
    struct cursor c;
    struct parse_error err = { 0 };
    uint8_t head[8];
    struct bytes data;
    cur_init(&c, body, len, 0, &err);
    if (cur_copy(&c, head, sizeof head) != ST_OK) {
        return;
    }
    uint32_t type = u32_in(head, big), n = u32_in(head + 4, big);
    if (type == SECRETS_TLS_KEYLOG && cur_take(&c, n, &data) == ST_OK) {
        fn(ctx, data.ptr, data.len);
    }
}

unsigned cap_pcapng_secrets(const char *path, cap_secrets_fn fn, void *ctx)
{
    gzFile gz = gzopen(path, "rb"); /* reads plain files as they are */
    if (!gz) {
        return 0;
    }
    unsigned found = 0;
    bool big = false;
    uint8_t head[12];
    for (unsigned blocks = 0; blocks < LEADING_BLOCKS_MAX; blocks++) {
        int want = blocks == 0 ? 12 : 8; /* the SHB's byte-order magic comes with it */
        if (gzread(gz, head, (unsigned)want) != want) {
            break;
        }
        if (blocks == 0) {
            if (u32_in(head, true) != PCAPNG_SHB) {
                break;
            }
            big = u32_in(head + 8, true) == PCAPNG_BOM;
        }
        uint32_t type = u32_in(head, big), total = u32_in(head + 4, big);
        if (total < 12 || total % 4 != 0) {
            break; /* libpcap reports the broken block */
        }
        size_t rest = total - (size_t)want;
        if (type == PCAPNG_DSB && rest <= CAP_KEYLOG_DSB_BYTES) {
            uint8_t *body = malloc(rest);
            if (!body || gzread(gz, body, (unsigned)rest) != (int)rest) {
                free(body);
                break;
            }
            on_dsb(body, rest - 4, big, fn, ctx); /* without the trailing length */
            free(body);
            found++;
        } else if (type == PCAPNG_SHB || type == PCAPNG_IDB || type == PCAPNG_DSB ||
                   type == 0x00000004u /* NRB */ || type == 0x00000005u /* ISB */) {
            if (gzseek(gz, (z_off_t)rest, SEEK_CUR) < 0) {
                break;
            }
        } else {
            break; /* packets start here */
        }
    }
    gzclose(gz);
    return found;
}
