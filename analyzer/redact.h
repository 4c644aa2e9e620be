/*
 * redact.h - --redact (DESIGN.md "Trust and data safety"): replaces the
 * customer identifiers in the evidence with stable pseudonyms before the
 * rules run, so findings built from the evidence are redacted as well.
 */
#ifndef TLSDIAG_REDACT_H
#define TLSDIAG_REDACT_H

#include "evidence.h"
#include "status.h"

/*
 * Rewrites every identifying string of `ev` in place (new strings in the
 * evidence arena): addresses, host names, SNI, e-mail addresses, serial
 * numbers, certificate fingerprints, subject/issuer attribute values of
 * certificates and CA names that are not well-known public roots, input
 * paths, PSE paths, and such values inside free text (trace statements,
 * notes, errors). The same value gets the same pseudonym within the run;
 * with a non-NULL, non-empty `key` the pseudonym is derived from an HMAC of
 * the value, so it is the same in every run with that key. DER stays as it
 * is (no renderer prints it) so CA-name matching is unchanged. Sets
 * ev->redacted. ST_NOMEM when the arena or the heap is exhausted: the
 * evidence is then partly redacted and must not be reported.
 */
MUST_USE enum status redact_evidence(struct evidence *ev, const char *key);

/*
 * The same one connection at a time, for `tlsdiag live`: the redactor keeps
 * its table and its strings in an arena of its own, so pseudonyms stay the
 * same for the whole run while each connection's evidence comes and goes.
 * The connection's strings then point into the redactor: free it last.
 */
struct redactor;
struct redactor *redactor_new(const char *key);
void redactor_free(struct redactor *x);
MUST_USE enum status redact_connection(struct redactor *x, struct evidence *ev,
                                       struct ev_connection *c);

#endif
