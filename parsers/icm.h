/*
 * icm.h - SAP ICM trace (dev_icm) ingestion: classifies trace lines with
 * PCRE2 patterns (the only PCRE2 user in the tree) and assembles the lines
 * of one TLS handshake attempt into one ev_connection (source.kind
 * EV_SRC_ICM). Grammar and grouping rules: shared/icm-trace-format.md
 * (sections 3-6 and 9). Nothing downstream needs to know a fact came from a
 * trace: what has a field in struct ev_connection goes there, the rest is an
 * ev_note with the line number as ref.
 *
 * Decisions worth knowing:
 *  - Lines without "[Thr <id>] " belong to the thread of the previous
 *    prefixed line, else to an anonymous thread (source.thread NULL).
 *  - '#' stands for a line break only in unprefixed lines (ABAP-side copies
 *    never carry thread prefixes; hex dumps may contain '#').
 *  - Non-TLS failures (NIECONN_* connect refused, proxy refused the
 *    CONNECT) become a connection with outcome EV_OUT_FAILED, not_tls set
 *    and an outcome_detail saying so: the rules need the fact. Non-TLS
 *    context lines (IcmHandleOOBData, DpRqFree, header) create nothing.
 *  - The local (ICM's) side comes from PSE, SSL_CTX, IcmConnInit*SSL,
 *    SSL_connect/SSL_accept, CCL Cli-/Srv-, state 0x2xxx/0x1xxx; when it
 *    stays unknown, local goes to `client` and roles_guessed is set.
 *  - client_cert is EV_CC_NOT_VISIBLE unless the trace says otherwise: a
 *    trace cannot tell "not sent" from "not traced".
 */
#ifndef TLSDIAG_ICM_H
#define TLSDIAG_ICM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "evidence.h"
#include "status.h"

struct icm_parser;

/* What the file header says (sample 27); zero/empty when absent. */
struct icm_header {
    bool seen;
    int trc_level; /* level at file creation; never applies to the whole file */
    char release[16];
    char patchno[16];
};

/* The SSL initialisation block at ICM start (shared/icm-trace-format.md 3):
 * "[Thr <tid>] = <text>" lines framed by "=====" lines. Tolerant of copies
 * (collapsed blanks, missing frame lines, missing "= "). Strings are arena
 * copies (NULL when not written); a later block replaces an earlier one.
 * These lines never create a connection. icm_read_file copies the facts
 * into its ev_input. */
struct icm_ssl_init {
    bool seen;  /* "SSL Initialization" line, or any fact of the block */
    bool ended; /* a closing frame or a line not of the block followed */
    bool ready; /* "Success    SapCryptoLib SSL ready!" */
    uint64_t ref, ready_ref;
    char *platform; /* platform tag=(...) */
    char *ccl_version, *ccl_date, *lib_path, *secudir;
    char *ciphersuites, *client_ciphersuites;
};

/* NULL when out of memory or PCRE2 refuses a pattern (a programmer error,
 * reported on stderr). `path` is kept for source.path. The patterns are
 * compiled (and JIT-compiled) once per process, on the first call, and
 * shared by all parsers (freed at exit); not thread-safe: create the first
 * parser before starting threads. Each parser has its own match data. A
 * literal prefilter (icm.c) keeps lines that no pattern can match, and hex
 * dump rows, away from PCRE2. */
struct icm_parser *icm_parser_new(struct evidence *ev, const char *path);
/* One line without its terminator, already decoded to UTF-8 (icm_read_file
 * does that); bytes are arbitrary and never trusted. ST_NOMEM/ST_LIMIT when
 * the evidence arena is full, else ST_OK (unknown lines are ignored). */
MUST_USE enum status icm_parser_feed_line(struct icm_parser *p, struct bytes line,
                                          uint64_t line_no);
/* Closes every open connection into the evidence. Idempotent. */
void icm_parser_finish(struct icm_parser *p);
const struct icm_header *icm_parser_header(const struct icm_parser *p);
const struct icm_ssl_init *icm_parser_ssl_init(const struct icm_parser *p);
void icm_parser_free(struct icm_parser *p);

/* Does this text look like an ICM trace or an ABAP copy of one? Looks for
 * known markers in the first len bytes (give it a few KB). False for the
 * traces icm_sniff_foreign recognises, whatever markers they hold. */
bool icm_sniff(const uint8_t *head, size_t len);

/* SAP traces that are not dev_icm and that tlsdiag does not read
 * (shared/icm-trace-format.md 1, "not ICM"): recognised so that the user
 * gets a clear message instead of an empty report. */
enum icm_foreign {
    ICM_FOREIGN_NONE = 0,
    ICM_FOREIGN_DEV_W,  /* work-process trace dev_w<n>: "N  SncInit(): ..." lines, or a
                           header naming dev_w<n> */
    ICM_FOREIGN_ISASSL, /* Cloud Connector / AS Java iSaSSL: "ssl_debug(<n>): ..." lines */
};
/* Which foreign trace the first len bytes look like. When not NONE and msg
 * is given, writes one sentence for the user (no path, no newline), e.g.
 * "not an ICM trace: this looks like a work-process trace (dev_w0) -
 * tlsdiag reads dev_icm". */
enum icm_foreign icm_sniff_foreign(const uint8_t *head, size_t len, char *msg, size_t msglen);

/* Reads a trace file line by line in bounded memory (lines up to
 * CAP_LINE_MAX; longer ones are skipped and counted in input.skipped), LF
 * or CRLF, UTF-8 or Latin-1/CP1252 (a line that is not valid UTF-8 is
 * converted), typographic quotes turned into ASCII ones, '#' splitting in
 * unprefixed lines. Adds an ev_input of kind EV_IN_ICM (units = lines).
 * Lines holding NUL bytes (binary data, zero blocks after a crash) are
 * skipped and counted like overlong ones. A last line without a line end is
 * read as it is (published excerpts never end with one): no error.
 * Returns ST_OK; ST_UNSUPPORTED when the file cannot be opened; ST_TRUNCATED
 * on a read error (what came before is kept) and when lines were skipped
 * (the rest was read; in.error says so): the caller's exit status 3;
 * ST_NOMEM/ST_LIMIT when the evidence arena is full. Except for ST_OK,
 * writes one line naming the file (and the line) to errbuf. */
MUST_USE enum status icm_read_file(struct evidence *ev, const char *path, char *errbuf,
                                   size_t errlen);

/* A trace timestamp ("Wed Dec 14 11:07:05:502 2022", format 4.2) as if it
 * were UTC (traces carry no zone). False when the text is not one. */
bool icm_time_parse(const char *text, struct ev_time *ret);

/* The first timestamp line of a trace file, looked for in its first
 * CAP_ICM_FIRST_TIME_SCAN bytes (caps.h; for ordering rotated files,
 * analyzer/inputs_order.c). False when there is none or the file cannot be
 * read. */
bool icm_first_time(const char *path, struct ev_time *ret);

/* The same over a buffer, for an existing parser (tests, fuzz target):
 * every line of buf goes through the decoding steps above, then
 * icm_parser_finish. No ev_input is added. */
MUST_USE enum status icm_parse_buffer(struct icm_parser *p, const uint8_t *buf, size_t len,
                                      uint64_t *ret_lines);

#endif
