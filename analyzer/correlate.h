/*
 * correlate.h - joins what an ICM trace says about a handshake with what a
 * capture of the same TCP connection shows (DESIGN.md: a trace and a
 * capture of one connection are one connection with both sources cited).
 */
#ifndef TLSDIAG_CORRELATE_H
#define TLSDIAG_CORRELATE_H

#include "evidence.h"

/*
 * Called once after all inputs are read and before the rules. For each ICM
 * trace connection whose local and peer ip:port are known, finds the
 * capture connection (EV_SRC_PCAP) with the same 4-tuple, in either
 * orientation (when the ICM was the TLS client its local side is the
 * client). Several candidates (renegotiations, a reused port): the one not
 * yet merged whose first packet time is nearest the trace's stated time
 * modulo whole quarter hours (trace time is local time without zone), else
 * the first. The capture connection stays the base (wire facts: hello, CA
 * names, chains, alerts, ladder); the trace's stated facts (error, text,
 * statements, identity, target host, handshake state, stated certificates,
 * notes, the ICM's role) are copied in, the trace's source goes to `also`,
 * and the trace connection leaves the list; ids are renumbered 1..n.
 * A capture connection takes at most one trace connection.
 */
void correlate(struct evidence *ev);

#endif
