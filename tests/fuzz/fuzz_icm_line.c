/*
 * fuzz_icm_line.c - arbitrary bytes as an ICM trace: line splitting,
 * Latin-1/UTF-8 decoding, '#' splitting, every pattern family and the
 * assembly of connections. Every input runs twice: through
 * icm_parse_buffer like a file, and line by line straight into
 * icm_parser_feed_line (no decoding, so invalid UTF-8 reaches the patterns).
 */
#include <stddef.h>
#include <stdint.h>

#include "evidence.h"
#include "icm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed_lines(struct icm_parser *p, const uint8_t *data, size_t size)
{
    struct parse_error err = { 0 };
    struct cursor c;
    struct bytes line;
    uint64_t no = 0;
    cur_init(&c, data, size, 0, &err);
    while (cur_line(&c, SIZE_MAX, &line) == ST_OK) {
        if (icm_parser_feed_line(p, line, ++no) != ST_OK) {
            return;
        }
    }
    if (icm_parser_feed_line(p, cur_rest(&c), ++no) != ST_OK) {
        return; /* arena full: what was read stays as it is */
    }
    icm_parser_finish(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int mode = 0; mode < 2; mode++) {
        struct evidence ev;
        uint64_t lines = 0;
        ev_init(&ev);
        struct icm_parser *p = icm_parser_new(&ev, "fuzz.trc");
        if (p && mode == 0) {
            (void)icm_sniff(data, size);
            if (icm_parse_buffer(p, data, size, &lines) != ST_OK) {
                lines = 0; /* arena full: nothing else to check here */
            }
        } else if (p) {
            feed_lines(p, data, size);
        }
        icm_parser_free(p);
        ev_fini(&ev);
    }
    return 0;
}
