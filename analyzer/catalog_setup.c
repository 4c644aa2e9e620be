/*
 * catalog_setup.c - see catalog_setup.h. One place for analyze, check and
 * live, so they load and report a broken catalog the same way.
 */
#include "catalog_setup.h"

#include <stdio.h>

#include "config.h"

bool catalog_setup(struct rule_catalog *cat, const char *extra)
{
    char err[512] = "";
    const char *path = rule_catalog_default_path();
    if (!path) {
        fprintf(stderr,
                "tlsdiag: the rule catalog (catalog.tlsrules) was not found in %s; set "
                "TLSDIAG_RULES to its path\n",
                TLSDIAG_DATADIR);
        return false;
    }
    if (rule_catalog_load(cat, path, err, sizeof err) != ST_OK ||
        (extra && rule_catalog_load(cat, extra, err, sizeof err) != ST_OK)) {
        fprintf(stderr, "tlsdiag: %s\n", err);
        return false;
    }
    return true;
}
