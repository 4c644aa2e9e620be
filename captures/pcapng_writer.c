/*
 * pcapng_writer.c - a small writer of the two capture file formats.
 *
 * pcapng (draft-ietf-opsawg-pcapng, sections 4.1-4.3): every block is
 *   uint32 type, uint32 total_length, body, options, uint32 total_length,
 * padded to 32 bits. We write SHB (0x0A0D0D0A, byte-order magic 0x1A2B3C4D,
 * version 1.0, section length -1 = unknown, shb_userappl), one IDB (link
 * type, snaplen, if_name, if_tsresol 6 or 9) and one EPB (type 6) per
 * packet: interface 0, 64-bit time in if_tsresol units, captured and
 * original length, data padded to 32 bits, no options.
 *
 * Classic pcap (pcap-savefile(5)): 24-byte file header (magic a1b2c3d4, or
 * a1b23c4d for nanosecond times), 16-byte record header per packet.
 */
#include "pcapng_writer.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define OPT_ENDOFOPT 0u
#define OPT_SHB_USERAPPL 4u
#define OPT_IF_NAME 2u
#define OPT_IF_TSRESOL 9u
#define LINKTYPE_RAW 101

struct cap_writer {
    FILE *f;
    bool pcapng;
    bool nano;
    bool failed;
    int saved_errno;
    uint32_t snaplen;
    uint64_t packets;
};

static void put(struct cap_writer *w, const void *p, size_t n)
{
    if (!w->failed && n > 0 && fwrite(p, 1, n, w->f) != n) {
        w->failed = true;
        w->saved_errno = errno;
    }
}

static void put32(struct cap_writer *w, uint32_t v)
{
    put(w, &v, sizeof v);
}

static void put16(struct cap_writer *w, uint16_t v)
{
    put(w, &v, sizeof v);
}

static size_t pad4(size_t n)
{
    return (4 - (n & 3)) & 3;
}

static void put_pad(struct cap_writer *w, size_t n)
{
    static const uint8_t zero[4] = { 0 };
    put(w, zero, pad4(n));
}

/* Length of one option (header + value + padding). */
static size_t opt_len(size_t n)
{
    return 4 + n + pad4(n);
}

static void put_opt(struct cap_writer *w, uint16_t code, const void *val, size_t n)
{
    put16(w, code);
    put16(w, (uint16_t)n);
    put(w, val, n);
    put_pad(w, n);
}

/* The savefile LINKTYPE_ of a DLT_: the same number except where the DLT_
 * differs between platforms (pcap-linktype(7)). */
static uint32_t linktype_of(int dlt)
{
    if (dlt == DLT_RAW) {
        return LINKTYPE_RAW;
    }
    return (uint32_t)dlt;
}

static void write_pcapng_header(struct cap_writer *w, int dlt, const char *ifname)
{
    static const char app[] = "tlsdiag live";
    size_t app_n = sizeof app - 1;
    uint32_t shb_len = (uint32_t)(4 + 4 + 4 + 2 + 2 + 8 + opt_len(app_n) + 4 + 4);
    put32(w, BT_SHB);
    put32(w, shb_len);
    put32(w, BYTE_ORDER_MAGIC);
    put16(w, 1);
    put16(w, 0);
    int64_t section_len = -1;
    put(w, &section_len, sizeof section_len);
    put_opt(w, OPT_SHB_USERAPPL, app, app_n);
    put_opt(w, OPT_ENDOFOPT, NULL, 0);
    put32(w, shb_len);

    size_t name_n = ifname ? strlen(ifname) : 0;
    if (name_n > 255) {
        name_n = 255;
    }
    uint8_t tsresol = w->nano ? 9 : 6;
    uint32_t idb_len =
        (uint32_t)(4 + 4 + 2 + 2 + 4 + (name_n ? opt_len(name_n) : 0) + opt_len(1) + 4 + 4);
    put32(w, BT_IDB);
    put32(w, idb_len);
    put16(w, (uint16_t)linktype_of(dlt));
    put16(w, 0);
    put32(w, w->snaplen);
    if (name_n) {
        put_opt(w, OPT_IF_NAME, ifname, name_n);
    }
    put_opt(w, OPT_IF_TSRESOL, &tsresol, 1);
    put_opt(w, OPT_ENDOFOPT, NULL, 0);
    put32(w, idb_len);
}

static void write_pcap_header(struct cap_writer *w, int dlt)
{
    put32(w, w->nano ? 0xa1b23c4du : 0xa1b2c3d4u);
    put16(w, 2);
    put16(w, 4);
    put32(w, 0); /* thiszone */
    put32(w, 0); /* sigfigs */
    put32(w, w->snaplen);
    put32(w, linktype_of(dlt));
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum status cap_writer_open(const char *path, int linktype, uint32_t snaplen, bool nano,
                            const char *ifname, struct cap_writer **ret, char *errbuf,
                            size_t errlen)
{
    struct cap_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(errbuf, errlen, "out of memory");
        return ST_NOMEM;
    }
    w->f = fopen(path, "wb");
    if (!w->f) {
        snprintf(errbuf, errlen, "%s: cannot create: %s", path, strerror(errno));
        free(w);
        return ST_UNSUPPORTED;
    }
    w->pcapng = !ends_with(path, ".pcap");
    w->nano = nano;
    w->snaplen = snaplen;
    if (w->pcapng) {
        write_pcapng_header(w, linktype, ifname);
    } else {
        write_pcap_header(w, linktype);
    }
    if (w->failed) {
        snprintf(errbuf, errlen, "%s: cannot write: %s", path, strerror(w->saved_errno));
        fclose(w->f);
        free(w);
        return ST_UNSUPPORTED;
    }
    *ret = w;
    return ST_OK;
}

enum status cap_writer_write(struct cap_writer *w, const struct cap_packet *pkt)
{
    uint32_t caplen = pkt->caplen;
    if (w->pcapng) {
        uint64_t units = w->nano ? 1000000000u : 1000000u;
        uint64_t frac = w->nano ? pkt->ts.nsec : pkt->ts.nsec / 1000u;
        uint64_t t = (uint64_t)pkt->ts.sec * units + frac;
        uint32_t len = (uint32_t)(4 + 4 + 4 + 4 + 4 + 4 + 4 + caplen + pad4(caplen) + 4);
        put32(w, BT_EPB);
        put32(w, len);
        put32(w, 0); /* interface id */
        put32(w, (uint32_t)(t >> 32));
        put32(w, (uint32_t)t);
        put32(w, caplen);
        put32(w, pkt->wirelen);
        put(w, pkt->data, caplen);
        put_pad(w, caplen);
        put32(w, len);
    } else {
        put32(w, (uint32_t)pkt->ts.sec);
        put32(w, w->nano ? pkt->ts.nsec : pkt->ts.nsec / 1000u);
        put32(w, caplen);
        put32(w, pkt->wirelen);
        put(w, pkt->data, caplen);
    }
    if (w->failed) {
        return ST_UNSUPPORTED;
    }
    w->packets++;
    return ST_OK;
}

void cap_writer_flush(struct cap_writer *w)
{
    if (w && !w->failed && fflush(w->f) != 0) {
        w->failed = true;
        w->saved_errno = errno;
    }
}

uint64_t cap_writer_packets(const struct cap_writer *w)
{
    return w ? w->packets : 0;
}

bool cap_writer_is_pcapng(const struct cap_writer *w)
{
    return w && w->pcapng;
}

enum status cap_writer_close(struct cap_writer *w, char *errbuf, size_t errlen)
{
    if (!w) {
        return ST_OK;
    }
    cap_writer_flush(w);
    if (fclose(w->f) != 0 && !w->failed) {
        w->failed = true;
        w->saved_errno = errno;
    }
    enum status st = ST_OK;
    if (w->failed) {
        snprintf(errbuf, errlen, "writing the capture failed: %s", strerror(w->saved_errno));
        st = ST_UNSUPPORTED;
    }
    free(w);
    return st;
}
