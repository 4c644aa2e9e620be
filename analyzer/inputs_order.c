/*
 * inputs_order.c - sorts ICM trace inputs by their first timestamp (format
 * 4.2 in shared/icm-trace-format.md) so that `tlsdiag analyze dev_icm
 * dev_icm.old` reads the older file first. Captures do not move.
 */
#include "inputs_order.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture.h"
#include "icm.h"

struct trace_in {
    const char *path;
    size_t pos; /* command-line position: the tie-breaker that makes the sort stable */
    bool dated;
    struct ev_time t;
};

static bool is_trace(const char *path)
{
    uint8_t head[4096];
    FILE *f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n > 0 && !cap_sniff(head, n) && icm_sniff(head, n);
}

static int cmp_trace(const void *a, const void *b)
{
    const struct trace_in *x = a, *y = b;
    if (x->dated != y->dated) {
        return x->dated ? -1 : 1;
    }
    if (x->dated && (x->t.sec != y->t.sec || x->t.nsec != y->t.nsec)) {
        if (x->t.sec != y->t.sec) {
            return x->t.sec < y->t.sec ? -1 : 1;
        }
        return x->t.nsec < y->t.nsec ? -1 : 1;
    }
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void inputs_order(const char **paths, size_t n)
{
    struct trace_in *tr = calloc(n ? n : 1, sizeof *tr);
    size_t *slot = calloc(n ? n : 1, sizeof *slot);
    size_t k = 0;
    if (!tr || !slot) {
        goto out; /* out of memory: command-line order */
    }
    for (size_t i = 0; i < n; i++) {
        if (is_trace(paths[i])) {
            tr[k] = (struct trace_in){ .path = paths[i], .pos = i };
            tr[k].dated = icm_first_time(paths[i], &tr[k].t);
            slot[k++] = i;
        }
    }
    qsort(tr, k, sizeof *tr, cmp_trace);
    for (size_t i = 0; i < k; i++) {
        paths[slot[i]] = tr[i].path;
    }
out:
    free(tr);
    free(slot);
}
