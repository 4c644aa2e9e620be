/*
 * parse_probe.c - the ICM trace parser alone, for tools/bench_icm.py (how
 * much of `tlsdiag analyze` is reading the trace):
 *   icm_parse_probe TRACE...
 * reads every trace with icm_read_file into one evidence (as analyze does,
 * rotated files included) and prints the lines read and the connections
 * found. Exit 0; 2 when a trace cannot be read.
 */
#include <stdio.h>

#include "evidence.h"
#include "icm.h"

int main(int argc, char **argv)
{
    struct evidence ev;
    int rc = 0;
    ev_init(&ev);
    for (int i = 1; i < argc; i++) {
        char err[512] = "";
        enum status st = icm_read_file(&ev, argv[i], err, sizeof err);
        if (st != ST_OK && st != ST_TRUNCATED) {
            fprintf(stderr, "icm_parse_probe: %s\n", err);
            rc = 2;
        }
    }
    unsigned long long lines = 0;
    for (size_t i = 0; i < ev.input_count; i++) {
        lines += ev.inputs[i].units;
    }
    printf("%llu lines, %zu connections\n", lines, ev.conn_count);
    ev_fini(&ev);
    return rc;
}
