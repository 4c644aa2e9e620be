/* report_trace.c - placeholder until the trace renderer lands. */
#include "report.h"

int report_write_trace(FILE *out, const struct evidence *ev, const struct findings *f,
                    const struct report_options *o)
{
    (void)ev;
    (void)f;
    (void)o;
    fputs("tlsdiag: --format trace is not implemented yet\n", stderr);
    (void)out;
    return -1;
}
