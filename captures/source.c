/*
 * source.c - packets from capture files through libpcap: classic pcap
 * (microsecond and nanosecond magics, either byte order) and pcapng, also
 * gzip-compressed. The format is detected by content, never by file name.
 * Timestamps are read with nanosecond precision
 * (pcap_fopen_offline_with_tstamp_precision, PCAP_TSTAMP_PRECISION_NANO),
 * frame numbers are 1-based like Wireshark's.
 *
 * Gzip: zlib's gzFile is wrapped in a stdio stream with fopencookie(3) and
 * that stream is given to libpcap, so nothing is decompressed to a temporary
 * file. Progress is reported in compressed bytes (gzoffset).
 *
 * libpcap 1.10 reads only one link type per pcapng file; a file whose
 * interfaces differ is reported as unsupported at the first packet of the
 * odd interface. The link type of every packet is pcap_datalink().
 */
#include "capture.h"

#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* First four bytes of the files we read, as they appear in the file. */
static const struct {
    uint8_t magic[4];
    enum cap_format fmt;
} magics[] = {
    { { 0xa1, 0xb2, 0xc3, 0xd4 }, CAP_FMT_PCAP }, /* microseconds, big endian */
    { { 0xd4, 0xc3, 0xb2, 0xa1 }, CAP_FMT_PCAP }, /* microseconds, little endian */
    { { 0xa1, 0xb2, 0x3c, 0x4d }, CAP_FMT_PCAP }, /* nanoseconds, big endian */
    { { 0x4d, 0x3c, 0xb2, 0xa1 }, CAP_FMT_PCAP }, /* nanoseconds, little endian */
    { { 0xa1, 0xb2, 0xcd, 0x34 }, CAP_FMT_PCAP }, /* Kuznetzov's patched tcpdump */
    { { 0x34, 0xcd, 0xb2, 0xa1 }, CAP_FMT_PCAP },
    { { 0x0a, 0x0d, 0x0d, 0x0a }, CAP_FMT_PCAPNG }, /* Section Header Block */
};

/* stdio buffer of a capture file: libpcap reads one packet at a time, and
 * with the default buffer (4 KiB) that was a read(2) every three packets. */
#define READ_BUFFER_SIZE (256u << 10)

#define GZIP_MAGIC0 0x1fu
#define GZIP_MAGIC1 0x8bu

struct gz_cookie {
    gzFile gz;
    uint64_t delivered; /* uncompressed bytes handed to stdio */
};

struct cap_source {
    pcap_t *pcap;
    FILE *fp;              /* owned by pcap; the cookie stream when gzip */
    struct gz_cookie *gzc; /* owned by fp's cookie functions; NULL when plain */
    char *iobuf;           /* fp's stdio buffer when we gave it one; freed after fp */
    enum cap_format fmt;
    uint64_t frame;
    enum status failed; /* not ST_OK once a read error was reported: no more packets */
};

static void say(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *errbuf, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!errbuf || errlen == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

static bool magic_format(const uint8_t *head, size_t len, enum cap_format *ret)
{
    if (len < 4) {
        return false;
    }
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
        if (memcmp(head, magics[i].magic, 4) == 0) {
            *ret = magics[i].fmt;
            return true;
        }
    }
    return false;
}

static bool is_gzip(const uint8_t *head, size_t len)
{
    return len >= 2 && head[0] == GZIP_MAGIC0 && head[1] == GZIP_MAGIC1;
}

bool cap_sniff(const uint8_t *head, size_t len)
{
    enum cap_format fmt;
    uint8_t inner[4];
    z_stream zs;
    bool ok;

    if (!head) {
        return false;
    }
    if (magic_format(head, len, &fmt)) {
        return true;
    }
    if (!is_gzip(head, len)) {
        return false;
    }
    /* Inflate just enough of the given head to see the inner magic. */
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        return false;
    }
    zs.next_in = (Bytef *)(uintptr_t)head;
    zs.avail_in = len > UINT_MAX ? UINT_MAX : (uInt)len;
    zs.next_out = inner;
    zs.avail_out = sizeof inner;
    int zr = inflate(&zs, Z_SYNC_FLUSH);
    size_t got = sizeof inner - zs.avail_out;
    inflateEnd(&zs);
    if (got == sizeof inner) {
        ok = magic_format(inner, got, &fmt);
    } else {
        /* Too little of the file to tell: a valid gzip head counts as a
         * candidate, opening it gives the precise message. */
        ok = (zr == Z_OK || zr == Z_BUF_ERROR) && got == 0;
    }
    return ok;
}

/* ---- gzip through a stdio cookie ---------------------------------------- */

static ssize_t gz_cookie_read(void *cookie, char *buf, size_t n)
{
    struct gz_cookie *c = cookie;
    unsigned want = n > (size_t)INT_MAX ? (unsigned)INT_MAX : (unsigned)n;
    int got = gzread(c->gz, buf, want);

    if (got < 0) {
        errno = EIO;
        return -1;
    }
    c->delivered += (uint64_t)got;
    return got;
}

/* Only "where am I" is supported, which is what ftell() asks. */
static int gz_cookie_seek(void *cookie, off64_t *pos, int whence)
{
    struct gz_cookie *c = cookie;

    if (whence == SEEK_CUR && *pos == 0) {
        *pos = (off64_t)c->delivered;
        return 0;
    }
    errno = ESPIPE;
    return -1;
}

static int gz_cookie_close(void *cookie)
{
    struct gz_cookie *c = cookie;
    int zr = gzclose_r(c->gz);

    free(c);
    return zr == Z_OK ? 0 : EOF;
}

static const char *gz_error_text(gzFile gz)
{
    int zerr = Z_OK;
    const char *msg = gzerror(gz, &zerr);

    if (zerr == Z_OK || !msg || !*msg) {
        return NULL;
    }
    /* zlib prefixes the "path", which for gzdopen is "<fd:N>: ". */
    if (strncmp(msg, "<fd:", 4) == 0 && strstr(msg, ": ")) {
        msg = strstr(msg, ": ") + 2;
    }
    return msg;
}

/* Takes ownership of fd. On success *ret_fp is a stream of the
 * decompressed bytes whose first four bytes were checked. */
static enum status gzip_open(int fd, FILE **ret_fp, struct gz_cookie **ret_c,
                             enum cap_format *ret_fmt, char *errbuf, size_t errlen)
{
    static const cookie_io_functions_t io = {
        .read = gz_cookie_read,
        .write = NULL,
        .seek = gz_cookie_seek,
        .close = gz_cookie_close,
    };
    uint8_t head[4];
    struct gz_cookie *c;
    gzFile gz = gzdopen(fd, "rb");

    if (!gz) {
        close(fd);
        say(errbuf, errlen, "cannot read gzip-compressed capture (out of memory)");
        return ST_NOMEM;
    }
    int got = gzread(gz, head, sizeof head);
    if (got < 0 || (got < (int)sizeof head && gz_error_text(gz))) {
        say(errbuf, errlen, "corrupt gzip data: %s", gz_error_text(gz));
        gzclose_r(gz);
        return ST_MALFORMED;
    }
    if (got < (int)sizeof head) {
        say(errbuf, errlen, "gzip-compressed file too short to be a capture (%d bytes)", got);
        gzclose_r(gz);
        return got == 0 ? ST_MALFORMED : ST_TRUNCATED;
    }
    if (!magic_format(head, sizeof head, ret_fmt)) {
        say(errbuf, errlen,
            "gzip-compressed file is not a pcap or pcapng capture "
            "(starts with %02x %02x %02x %02x)",
            head[0], head[1], head[2], head[3]);
        gzclose_r(gz);
        return ST_UNSUPPORTED;
    }
    if (gzrewind(gz) != 0) {
        say(errbuf, errlen, "cannot rewind gzip-compressed capture");
        gzclose_r(gz);
        return ST_INTERNAL;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        gzclose_r(gz);
        say(errbuf, errlen, "out of memory");
        return ST_NOMEM;
    }
    c->gz = gz;
    FILE *fp = fopencookie(c, "rb", io);
    if (!fp) {
        gz_cookie_close(c);
        say(errbuf, errlen, "out of memory");
        return ST_NOMEM;
    }
    *ret_fp = fp;
    *ret_c = c;
    return ST_OK;
}

/* ---- opening ------------------------------------------------------------ */

static bool contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

/* Closes fp and then frees the buffer it was reading into (may be NULL). */
static void close_stream(FILE *fp, char *iobuf)
{
    fclose(fp);
    free(iobuf);
}

static enum status pcap_open_fp(FILE *fp, char *iobuf, struct gz_cookie *gzc, enum cap_format fmt,
                                struct cap_source **ret, char *errbuf, size_t errlen)
{
    char pcerr[PCAP_ERRBUF_SIZE] = "";
    struct cap_source *src = calloc(1, sizeof *src);

    if (!src) {
        close_stream(fp, iobuf);
        say(errbuf, errlen, "out of memory");
        return ST_NOMEM;
    }
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, pcerr);
    if (!p) {
        enum status st = ST_MALFORMED;
        if (contains(pcerr, "truncated")) {
            st = ST_TRUNCATED;
            say(errbuf, errlen, "capture ends inside its file header (libpcap: %s)", pcerr);
        } else if (contains(pcerr, "unsupported") || contains(pcerr, "version")) {
            st = ST_UNSUPPORTED;
            say(errbuf, errlen, "unsupported capture file (libpcap: %s)", pcerr);
        } else {
            say(errbuf, errlen, "bad capture file header (libpcap: %s)", pcerr);
        }
        close_stream(fp, iobuf);
        free(src);
        return st;
    }
    src->pcap = p;
    src->fp = fp;
    src->gzc = gzc;
    src->iobuf = iobuf;
    src->fmt = fmt;
    *ret = src;
    return ST_OK;
}

/*
 * Opens a capture from a stdio stream and takes ownership of it and of
 * iobuf, its stdio buffer or NULL (both freed on failure too). The stream
 * must be positioned at the start of the capture and be seekable back to it
 * (regular files, fmemopen). Gzip needs a stream with a file descriptor.
 */
static enum status open_stream(FILE *fp, char *iobuf, struct cap_source **ret, char *errbuf,
                               size_t errlen)
{
    uint8_t head[4];
    enum cap_format fmt;

    size_t got = fread(head, 1, sizeof head, fp);
    if (got == 0) {
        say(errbuf, errlen, "empty file, not a capture");
        close_stream(fp, iobuf);
        return ST_MALFORMED;
    }
    if (got < sizeof head) {
        say(errbuf, errlen, "file too short to be a capture (%zu bytes)", got);
        close_stream(fp, iobuf);
        return ST_TRUNCATED;
    }
    if (fseek(fp, 0, SEEK_SET) != 0) {
        say(errbuf, errlen, "input is not seekable: %s", strerror(errno));
        close_stream(fp, iobuf);
        return ST_UNSUPPORTED;
    }
    if (is_gzip(head, sizeof head)) {
        struct gz_cookie *gzc = NULL;
        FILE *zfp = NULL;
        int fd = fileno(fp);
        int dupfd = fd >= 0 ? dup(fd) : -1;
        close_stream(fp, iobuf);
        if (dupfd < 0) {
            say(errbuf, errlen, "gzip-compressed capture must be a file");
            return ST_UNSUPPORTED;
        }
        if (lseek(dupfd, 0, SEEK_SET) != 0) {
            say(errbuf, errlen, "cannot seek in gzip-compressed capture: %s", strerror(errno));
            close(dupfd);
            return ST_UNSUPPORTED;
        }
        TRY(gzip_open(dupfd, &zfp, &gzc, &fmt, errbuf, errlen));
        return pcap_open_fp(zfp, NULL, gzc, fmt, ret, errbuf, errlen);
    }
    if (!magic_format(head, sizeof head, &fmt)) {
        say(errbuf, errlen, "not a pcap or pcapng capture (starts with %02x %02x %02x %02x)",
            head[0], head[1], head[2], head[3]);
        close_stream(fp, iobuf);
        return ST_UNSUPPORTED;
    }
    return pcap_open_fp(fp, iobuf, NULL, fmt, ret, errbuf, errlen);
}

enum status cap_source_open_fp(FILE *fp, struct cap_source **ret, char *errbuf, size_t errlen)
{
    if (!fp) {
        say(errbuf, errlen, "no input stream");
        return ST_INTERNAL;
    }
    return open_stream(fp, NULL, ret, errbuf, errlen);
}

enum status cap_source_open_file(const char *path, struct cap_source **ret, char *errbuf,
                                 size_t errlen)
{
    FILE *fp = fopen(path, "rb");

    if (!fp) {
        say(errbuf, errlen, "cannot open: %s", strerror(errno));
        return ST_UNSUPPORTED;
    }
    /* Without memory for the bigger buffer, stdio's own will do. */
    char *iobuf = malloc(READ_BUFFER_SIZE);
    if (iobuf && setvbuf(fp, iobuf, _IOFBF, READ_BUFFER_SIZE) != 0) {
        free(iobuf);
        iobuf = NULL;
    }
    return open_stream(fp, iobuf, ret, errbuf, errlen);
}

/* ---- reading ------------------------------------------------------------ */

static uint64_t stream_pos(const struct cap_source *src)
{
    long pos = ftell(src->fp);

    return pos < 0 ? 0 : (uint64_t)pos;
}

enum status cap_source_next(struct cap_source *src, struct cap_packet *ret, char *errbuf,
                            size_t errlen)
{
    struct pcap_pkthdr *hdr = NULL;
    const u_char *data = NULL;

    if (src->failed != ST_OK) {
        say(errbuf, errlen, "capture already ended with an error");
        return src->failed;
    }
    uint64_t at = stream_pos(src);
    int r = pcap_next_ex(src->pcap, &hdr, &data);
    if (r == 1) {
        src->frame++;
        ret->frame = src->frame;
        ret->ts.sec = (int64_t)hdr->ts.tv_sec;
        ret->ts.nsec = (uint32_t)hdr->ts.tv_usec; /* nanoseconds: see the open call */
        ret->data = data;
        ret->caplen = hdr->caplen;
        ret->wirelen = hdr->len;
        ret->linktype = pcap_datalink(src->pcap);
        return ST_OK;
    }
    if (r == PCAP_ERROR_BREAK || r == 0) {
        return ST_INCOMPLETE; /* clean end of file */
    }
    src->failed = ST_MALFORMED;
    const char *pe = pcap_geterr(src->pcap);
    const char *ze = src->gzc ? gz_error_text(src->gzc->gz) : NULL;
    const char *unc = src->gzc ? "uncompressed " : "";
    if (contains(pe, "different from the type of the first interface")) {
        say(errbuf, errlen,
            "pcapng interfaces with different link types are not supported "
            "(after frame %llu; libpcap: %s)",
            (unsigned long long)src->frame, pe);
        src->failed = ST_UNSUPPORTED;
        return ST_UNSUPPORTED;
    }
    if (contains(pe, "truncated") || ze) {
        say(errbuf, errlen,
            "capture ends inside a packet at %sbyte offset %llu (after frame %llu; %s: %s)", unc,
            (unsigned long long)at, (unsigned long long)src->frame, ze ? "gzip" : "libpcap",
            ze ? ze : pe);
        src->failed = ST_TRUNCATED;
        return ST_TRUNCATED;
    }
    say(errbuf, errlen, "corrupt capture at %sbyte offset %llu (after frame %llu; libpcap: %s)",
        unc, (unsigned long long)at, (unsigned long long)src->frame, pe);
    return ST_MALFORMED;
}

enum cap_format cap_source_format(const struct cap_source *src)
{
    return src->fmt;
}

uint64_t cap_source_position(const struct cap_source *src)
{
    if (src->gzc) {
        z_off_t off = gzoffset(src->gzc->gz);
        return off < 0 ? 0 : (uint64_t)off;
    }
    return stream_pos(src);
}

void cap_source_close(struct cap_source *src)
{
    if (!src) {
        return;
    }
    pcap_close(src->pcap); /* closes fp, and through the cookie the gzFile */
    free(src->iobuf);
    free(src);
}
