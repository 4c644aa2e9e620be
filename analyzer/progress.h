/*
 * progress.h - a progress bar on stderr for long reads: bytes, percentage,
 * rate and ETA, redrawn at most a few times a second, only when stderr is a
 * terminal and --quiet is not given.
 */
#ifndef TLSDIAG_PROGRESS_H
#define TLSDIAG_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress;

/* NULL when no bar should be shown (not a TTY, quiet, or a small file). */
struct progress *progress_new(const char *label, uint64_t total, bool enabled);
void progress_update(struct progress *p, uint64_t done);
void progress_free(struct progress *p);

#endif
