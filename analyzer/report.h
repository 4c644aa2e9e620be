/*
 * report.h - renderers of the evidence and its findings: the JSON report
 * (DESIGN.md "JSON report", schema 1, a contract for ticket automation and
 * tests), the text report (the default format, read at a terminal and
 * pasted into tickets) and the Markdown report (pasted into tickets).
 * Renderers only read the evidence.
 */
#ifndef TLSDIAG_REPORT_H
#define TLSDIAG_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "evidence.h"
#include "findings.h"

struct report_options {
    bool color;          /* ANSI colours in the text report (the caller decides: TTY, --color) */
    bool deterministic;  /* no wall-clock times, version printed as "test" (golden tests) */
    bool timestamp;      /* --timestamp: say when the report was written (JSON, HTML) */
    const char *version; /* tool version; NULL prints "unknown" */
};

/*
 * Writes the whole report to out. `f` may be NULL (no findings). Returns 0,
 * or -1 when writing failed (checked with ferror after a flush) or memory
 * ran out.
 */
int report_write_json(FILE *out, const struct evidence *ev, const struct findings *f,
                      const struct report_options *o);
int report_write_text(FILE *out, const struct evidence *ev, const struct findings *f,
                      const struct report_options *o);
/* Markdown for tickets (GitHub, Jira, ServiceNow): summary, failed handshakes
 * in full, successful ones as table rows; analyzer/report_markdown.c. */
int report_write_markdown(FILE *out, const struct evidence *ev, const struct findings *f,
                          const struct report_options *o);
/* One self-contained HTML page (inline CSS and SVG ladder diagrams, no
 * scripts, nothing fetched); analyzer/report_html.c. */
int report_write_html(FILE *out, const struct evidence *ev, const struct findings *f,
                      const struct report_options *o);
/* The handshakes as an ICM-trace-like timeline per connection, for Basis
 * admins; analyzer/report_trace.c. */
int report_write_trace(FILE *out, const struct evidence *ev, const struct findings *f,
                       const struct report_options *o);

/* `key`: the --trust verification of a chain (parsers/x509.c) as a JSON
 * object, or nothing when the chain was not verified (report_json.c; check
 * writes the same object). */
struct json_writer;
void report_json_verification(struct json_writer *w, const char *key, const struct ev_chain *chain);

#endif
