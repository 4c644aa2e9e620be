/*
 * check.h - `tlsdiag check` (DESIGN.md "Command line"): would this client
 * certificate chain be sent to a server with this CA list, and accepted?
 */
#ifndef TLSDIAG_CHECK_H
#define TLSDIAG_CHECK_H

/* argv[0] is "check". Returns the exit status: 0 no error finding, 1 an
 * error finding, 2 usage error or unreadable input. */
int check_main(int argc, char **argv);

#endif
