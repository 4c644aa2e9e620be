/*
 * correlate_probe.c - the analyze pipeline without the rules, for the
 * correlation and input-order tests (tests/icm/correlate_test.py) until
 * main.c calls inputs_order() and correlate() itself:
 *   correlate_probe [--order] INPUT...
 * reads the inputs in inputs_order() order (captures by content, the rest
 * as ICM traces), runs correlate() and writes the JSON report (schema 1,
 * no findings) to stdout; --order only prints the reading order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "correlate.h"
#include "evidence.h"
#include "findings.h"
#include "icm.h"
#include "inputs_order.h"
#include "pcap_input.h"
#include "report.h"
#include "x509.h"

static bool is_capture(const char *path)
{
    uint8_t head[64];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f) {
        fclose(f);
    }
    return n > 0 && cap_sniff(head, n);
}

int main(int argc, char **argv)
{
    int first = 1;
    bool order_only = argc > 1 && strcmp(argv[1], "--order") == 0;
    if (order_only) {
        first = 2;
    }
    const char **paths = (const char **)argv + first;
    size_t n = (size_t)(argc - first);
    inputs_order(paths, n);
    if (order_only) {
        for (size_t i = 0; i < n; i++) {
            printf("%s\n", paths[i]);
        }
        return 0;
    }
    struct evidence ev;
    ev_init(&ev);
    struct x509_cache *certs = x509_cache_new(&ev.arena);
    int rc = certs ? 0 : 2;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char err[512] = "";
        enum status st = is_capture(paths[i])
                             ? pcap_input_read(&ev, certs, paths[i], NULL, err, sizeof err)
                             : icm_read_file(&ev, paths[i], err, sizeof err);
        if (st != ST_OK) {
            fprintf(stderr, "correlate_probe: %s: %s\n", paths[i], err);
            rc = 2;
        }
    }
    if (rc == 0) {
        correlate(&ev);
        struct findings fs = { 0 };
        struct report_options ro = { .deterministic = true, .version = "test" };
        rc = report_write_json(stdout, &ev, &fs, &ro) == 0 ? 0 : 2;
    }
    x509_cache_free(certs);
    ev_fini(&ev);
    return rc;
}
