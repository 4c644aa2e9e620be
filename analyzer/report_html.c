/* report_html.c - placeholder until the html renderer lands. */
#include "report.h"

int report_write_html(FILE *out, const struct evidence *ev, const struct findings *f,
                    const struct report_options *o)
{
    (void)ev;
    (void)f;
    (void)o;
    fputs("tlsdiag: --format html is not implemented yet\n", stderr);
    (void)out;
    return -1;
}
