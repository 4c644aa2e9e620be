/*
 * input_kind.c - what kind of input a file is, decided by its first bytes,
 * never by its name (a capture attached as "trace.txt" is still a capture).
 * Shared by analyze and check so both say the same about the same file.
 */
#include "input_kind.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "icm.h"

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
    snprintf(errbuf, errlen,
             "neither a pcap/pcapng capture nor an SAP ICM trace (first bytes %02x %02x %02x "
             "%02x); certificate files are not supported yet",
             head[0], n > 1 ? head[1] : 0, n > 2 ? head[2] : 0, n > 3 ? head[3] : 0);
    return IN_UNKNOWN;
}

uint64_t input_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}
