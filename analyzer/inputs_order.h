/*
 * inputs_order.h - the order in which `tlsdiag analyze` reads its inputs:
 * rotated ICM traces (dev_icm.old dev_icm, in any order on the command
 * line) are read oldest first, so line ranges, connection numbers and the
 * report follow time.
 */
#ifndef TLSDIAG_INPUTS_ORDER_H
#define TLSDIAG_INPUTS_ORDER_H

#include <stddef.h>

/*
 * Reorders paths[0..n) in place: the ICM traces among them (recognised by
 * content, as main's sniffing does) are sorted by their first timestamp
 * line and put back into the positions ICM traces held; every other input
 * (captures, unreadable files) keeps its position. Traces without a
 * timestamp keep their relative order after the dated ones. The sort is
 * stable, so equal times keep the command-line order. Trace time has no
 * zone: comparing traces of one ICM is sound, of two servers in different
 * zones is not (rare; the command-line order then decides nothing).
 */
void inputs_order(const char **paths, size_t n);

#endif
