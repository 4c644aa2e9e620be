/*
 * catalog.h - the rule catalog: data loaded at run time from a small
 * line-based file (rules/catalog.tlsrules; format in rules/FACTS.md).
 * A rule is an id, a severity, a title, conditions over the fact table
 * (rules/facts.h), an explanation with {fact} placeholders, remediation
 * steps (SAP first, then generic), evidence references and references.
 */
#ifndef TLSDIAG_CATALOG_H
#define TLSDIAG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence.h"
#include "facts.h"
#include "findings.h"

enum rule_op { RULE_EQ, RULE_NE, RULE_IN, RULE_NOT_IN };

/* One condition: fact OP value(s). */
struct rule_when {
    enum fact_id fact;
    enum rule_op op;
    char **values;
    size_t value_count;
    unsigned group; /* conditions of one group are ANDed, groups ORed */
};

struct rule {
    char *id;
    enum severity severity;
    char *title;
    struct rule_when *whens;
    size_t when_count, when_cap;
    unsigned group_count;
    struct rule_when *escalate; /* all hold: the severity becomes error */
    size_t escalate_count, escalate_cap;
    char *explain;
    char **fix_sap;
    size_t fix_sap_count, fix_sap_cap;
    char **fix_generic;
    size_t fix_generic_count, fix_generic_cap;
    char **refs;
    size_t ref_count, ref_cap;
    enum fact_id *evidence; /* ref_* facts cited as evidence */
    size_t evidence_count, evidence_cap;
    const char *origin; /* file the rule came from */
    uint64_t line;      /* its [id] line */
};

struct rule_catalog {
    struct ev_arena arena;
    struct rule **rules; /* catalog order: file order, overrides keep their place */
    size_t count, cap;
};

void rule_catalog_init(struct rule_catalog *cat);
void rule_catalog_fini(struct rule_catalog *cat);

/* Parses catalog text `name` (for messages) into cat: a rule whose id is
 * already there replaces it in place, a new id is appended. ST_MALFORMED or
 * ST_LIMIT with "name:LINE: reason" in err; on failure cat is unchanged
 * except for arena use. */
MUST_USE enum status rule_catalog_parse(struct rule_catalog *cat, const char *name,
                                        const uint8_t *buf, size_t len, char *err, size_t errlen);
/* Reads and parses a catalog file (the rules file is configuration, not an
 * input under analysis). */
MUST_USE enum status rule_catalog_load(struct rule_catalog *cat, const char *path, char *err,
                                       size_t errlen);
/* The shipped catalog's path: $TLSDIAG_RULES, else the source tree copy
 * (uninstalled runs), else the installed one; NULL when none is readable. */
const char *rule_catalog_default_path(void);

const struct rule *rule_catalog_find(const struct rule_catalog *cat, const char *id);
const char *rule_op_name(enum rule_op op);

#endif
