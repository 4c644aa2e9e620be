/*
 * progress.c - see progress.h.
 */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Files smaller than this are read before anyone could look at a bar. */
#define PROGRESS_MIN_BYTES (8u << 20)

struct progress {
    const char *label;
    uint64_t total;
    struct timespec start, last;
    bool drawn;
};

static double seconds_between(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
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
    p->label = label;
    p->total = total;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    p->last = p->start;
    return p;
}

void progress_update(struct progress *p, uint64_t done)
{
    if (!p) {
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (seconds_between(p->last, now) < 0.2) {
        return;
    }
    p->last = now;
    double elapsed = seconds_between(p->start, now);
    double frac = p->total ? (double)done / (double)p->total : 0;
    if (frac > 1) {
        frac = 1;
    }
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 ? (double)(p->total - (done < p->total ? done : p->total)) / rate : 0;
    int width = 30, filled = (int)(frac * width);
    char bar[32];
    for (int i = 0; i < width; i++) {
        bar[i] = i < filled ? '#' : '.';
    }
    bar[width] = '\0';
    fprintf(stderr, "\r%s [%s] %5.1f%% %7.1f MB %6.1f MB/s ETA %3.0fs", p->label, bar, frac * 100,
            (double)done / 1e6, rate / 1e6, eta);
    p->drawn = true;
}

void progress_free(struct progress *p)
{
    if (!p) {
        return;
    }
    if (p->drawn) {
        fprintf(stderr, "\r\033[K");
    }
    free(p);
}
