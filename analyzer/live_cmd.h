/*
 * live_cmd.h - `tlsdiag live`: capture on an interface, run the analyze
 * pipeline on the packets as they come, print one line (or one NDJSON
 * object) per handshake as it ends and a summary at the end (DESIGN.md
 * "Command line").
 */
#ifndef TLSDIAG_LIVE_CMD_H
#define TLSDIAG_LIVE_CMD_H

/* argv[0] is "live". Returns the process exit status (DESIGN.md). */
int live_main(int argc, char **argv);

#endif
