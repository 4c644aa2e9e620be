/*
 * progress.c - see progress.h. One line on stderr, redrawn in place with a
 * carriage return: "name [#####.....]  42.0%  5.0/12.0 MB  850.3 MB/s  ETA 3s".
 * The first update draws at once (a file read in a fraction of a second
 * still shows it was seen), later ones at most five times a second. The
 * name is the file's base name, cut to fit, so the line does not wrap on an
 * 80-column terminal (a wrapped line cannot be redrawn with \r).
 */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Files smaller than this are read before anyone could look at a bar. */
#define PROGRESS_MIN_BYTES (8u << 20)
/* Seconds between redraws. */
#define PROGRESS_INTERVAL 0.2
#define PROGRESS_WIDTH 20
/* Longest name shown; the rest of the line takes about 60 columns. */
#define PROGRESS_NAME_MAX 18

struct progress {
    char name[PROGRESS_NAME_MAX + 1];
    uint64_t total;
    struct timespec start, last;
    bool drawn;
};

static double seconds_between(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* "dev_icm" of "/usr/sap/SID/D00/work/dev_icm", cut to PROGRESS_NAME_MAX
 * bytes (a cut UTF-8 sequence only costs one odd character on a terminal). */
static void short_name(const char *label, char *buf, size_t n)
{
    const char *slash = label ? strrchr(label, '/') : NULL;
    const char *base = slash && slash[1] ? slash + 1 : (label ? label : "");
    size_t len = strlen(base);
    if (len < n) {
        snprintf(buf, n, "%s", base);
        return;
    }
    /* Keep the end: the distinguishing part of rotated or dated files. */
    snprintf(buf, n, "~%s", base + len - (n - 2));
}

struct progress *progress_new(const char *label, uint64_t total, bool enabled)
{
    if (!enabled || total < PROGRESS_MIN_BYTES || !isatty(STDERR_FILENO)) {
        return NULL;
    }
    struct progress *p = calloc(1, sizeof *p);
    if (!p) {
        return NULL;
    }
    short_name(label, p->name, sizeof p->name);
    p->total = total;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    p->last = p->start;
    return p;
}

/* "3s", "2m05s", "1h20m"; "?" before any rate is known. */
static void eta_str(double seconds, bool known, char *buf, size_t n)
{
    if (!known || seconds < 0 || seconds > 359999) {
        snprintf(buf, n, "?");
    } else if (seconds < 100) {
        snprintf(buf, n, "%.0fs", seconds);
    } else if (seconds < 3600) {
        snprintf(buf, n, "%dm%02ds", (int)seconds / 60, (int)seconds % 60);
    } else {
        snprintf(buf, n, "%dh%02dm", (int)seconds / 3600, (int)seconds % 3600 / 60);
    }
}

void progress_update(struct progress *p, uint64_t done)
{
    if (!p) {
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (p->drawn && seconds_between(p->last, now) < PROGRESS_INTERVAL) {
        return;
    }
    p->last = now;
    if (done > p->total) {
        done = p->total;
    }
    double elapsed = seconds_between(p->start, now);
    double frac = p->total ? (double)done / (double)p->total : 0;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    char eta[16];
    eta_str(rate > 0 ? (double)(p->total - done) / rate : 0, rate > 0, eta, sizeof eta);

    char bar[PROGRESS_WIDTH + 1];
    int filled = (int)(frac * PROGRESS_WIDTH);
    for (int i = 0; i < PROGRESS_WIDTH; i++) {
        bar[i] = i < filled ? '#' : '.';
    }
    bar[PROGRESS_WIDTH] = '\0';
    /* \033[K clears what a longer previous line left behind. */
    fprintf(stderr, "\r%s [%s] %5.1f%%  %.1f/%.1f MB  %.1f MB/s  ETA %s\033[K", p->name, bar,
            frac * 100, (double)done / 1e6, (double)p->total / 1e6, rate / 1e6, eta);
    fflush(stderr);
    p->drawn = true;
}

void progress_free(struct progress *p)
{
    if (!p) {
        return;
    }
    if (p->drawn) {
        /* The report follows on stdout, which may be the same terminal. */
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    free(p);
}
