/*
 * catalog_setup.h - the rule catalog every command evaluates: the shipped
 * catalog (found by rule_catalog_default_path) plus, when given, a --rules
 * file whose rules add to or override it by id.
 */
#ifndef TLSDIAG_CATALOG_SETUP_H
#define TLSDIAG_CATALOG_SETUP_H

#include <stdbool.h>

#include "catalog.h"

/* false after a one-line message on stderr (the command exits 2). */
bool catalog_setup(struct rule_catalog *cat, const char *extra);

#endif
